//! `client.conversations()` (with `.items()`) and `client.webhooks()`,
//! shaped like the official SDKs' resources. Conversations are rows of
//! the core's endpoint table like every other call; webhook verification
//! is the core's (`rapidresponse_core::webhook`), given this client's
//! secret and its transport's clock. Nothing here sends a webhook.

use futures_util::Stream;
use rapidresponse_core::types::{
    Conversation, ConversationItemList, DeleteResult, Item, WebhookEvent,
};
use rapidresponse_core::webhook::{self, WebhookHeaders};
use rapidresponse_core::{Call, Error, Flavor, Operation, Query, RequestBody};
use serde_json::Value;
use std::time::SystemTime;

use crate::client::{ApiResponse, CallOptions, Client};
use crate::resources::{every_item, json, Parsed, Request};
use crate::transport::Transport;

impl Parsed for Conversation {}
impl Parsed for Item {}

impl<T: Transport> Client<T> {
    /// The Conversations API.
    pub fn conversations(&self) -> Conversations<T> {
        Conversations {
            client: self.clone(),
        }
    }

    /// Webhook verification.
    pub fn webhooks(&self) -> Webhooks<T> {
        Webhooks {
            client: self.clone(),
        }
    }
}

/// `client.conversations()`.
pub struct Conversations<T: Transport> {
    client: Client<T>,
}

impl<T: Transport> Conversations<T> {
    /// `POST /conversations`: `{"items": [...], "metadata": {...}}`, both optional.
    pub fn create(&self, body: Value) -> Request<T, ApiResponse<Conversation>> {
        let call = Call::new(Operation::ConversationsCreate).body(RequestBody::Json(body));
        Request::new(&self.client, Ok(call), json)
    }

    /// `GET /conversations/{id}`.
    pub fn retrieve(&self, id: &str) -> Request<T, ApiResponse<Conversation>> {
        let call = Call::new(Operation::ConversationsRetrieve).param(id);
        Request::new(&self.client, Ok(call), json)
    }

    /// `POST /conversations/{id}`: replaces its metadata.
    pub fn update(&self, id: &str, metadata: Value) -> Request<T, ApiResponse<Conversation>> {
        let body = serde_json::json!({ "metadata": metadata });
        let call = Call::new(Operation::ConversationsUpdate)
            .param(id)
            .body(RequestBody::Json(body));
        Request::new(&self.client, Ok(call), json)
    }

    /// `DELETE /conversations/{id}` (its items go with it).
    pub fn delete(&self, id: &str) -> Request<T, ApiResponse<DeleteResult>> {
        let call = Call::new(Operation::ConversationsDelete).param(id);
        Request::new(&self.client, Ok(call), json)
    }

    /// `client.conversations().items()`.
    pub fn items(&self) -> ConversationItems<T> {
        ConversationItems {
            client: self.client.clone(),
        }
    }
}

/// `client.conversations().items()`.
pub struct ConversationItems<T: Transport> {
    client: Client<T>,
}

impl<T: Transport> ConversationItems<T> {
    /// `POST /conversations/{id}/items`: adds up to 20 items; the page of
    /// those added (`.param("include", ..)`).
    pub fn create(
        &self,
        conversation_id: &str,
        items: Vec<Value>,
    ) -> Request<T, ApiResponse<ConversationItemList>> {
        let body = serde_json::json!({ "items": items });
        let call = Call::new(Operation::ConversationsItemsCreate)
            .param(conversation_id)
            .body(RequestBody::Json(body));
        Request::new(&self.client, Ok(call), json)
    }

    /// One page of a conversation's items, newest first unless
    /// `.param("order", "asc")` (`limit`, `after`, `include` likewise).
    pub fn list(&self, conversation_id: &str) -> Request<T, ApiResponse<ConversationItemList>> {
        let call = Call::new(Operation::ConversationsItemsList).param(conversation_id);
        Request::new(&self.client, Ok(call), json)
    }

    /// Every item, page after page (`after` = the page's `last_id`); a
    /// server that says `has_more` without moving on ends it with an error.
    pub fn list_all(
        &self,
        conversation_id: &str,
        query: Query,
        options: CallOptions,
    ) -> impl Stream<Item = Result<Item, Error>> + 'static {
        let call = Call::new(Operation::ConversationsItemsList).param(conversation_id);
        every_item(self.client.clone(), call, query, options)
    }

    /// `GET /conversations/{id}/items/{item_id}`.
    pub fn retrieve(&self, conversation_id: &str, item_id: &str) -> Request<T, ApiResponse<Item>> {
        let call = Call::new(Operation::ConversationsItemsRetrieve)
            .param(conversation_id)
            .param(item_id);
        Request::new(&self.client, Ok(call), json)
    }

    /// `DELETE /conversations/{id}/items/{item_id}`: the conversation.
    pub fn delete(
        &self,
        conversation_id: &str,
        item_id: &str,
    ) -> Request<T, ApiResponse<Conversation>> {
        let call = Call::new(Operation::ConversationsItemsDelete)
            .param(conversation_id)
            .param(item_id);
        Request::new(&self.client, Ok(call), json)
    }
}

/// `client.webhooks()`: checks that a delivery came from OpenAI.
pub struct Webhooks<T: Transport> {
    client: Client<T>,
}

impl<T: Transport> Webhooks<T> {
    /// Verifies `payload` (the body exactly as received) against its
    /// `webhook-*` headers with `secret`, else the client's
    /// `webhook_secret`, within `tolerance` seconds (the SDKs' default is
    /// `webhook::DEFAULT_TOLERANCE`, 300) of the transport's clock.
    pub fn verify_signature<'a>(
        &self,
        payload: &str,
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
        secret: Option<&str>,
        tolerance: i64,
    ) -> Result<(), Error> {
        let config = self.client.config();
        let secret = secret.or(config.webhook_secret.as_ref().map(|s| s.expose()));
        let now = self
            .client
            .transport()
            .now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let headers = WebhookHeaders::find(headers);
        webhook::verify(
            Flavor::OpenAIPython,
            payload,
            &headers,
            secret,
            tolerance,
            now,
        )
        .map_err(Error::Webhook)
    }

    /// `verify_signature` with the default tolerance, then the payload's
    /// event.
    pub fn unwrap<'a>(
        &self,
        payload: &str,
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
        secret: Option<&str>,
    ) -> Result<WebhookEvent, Error> {
        self.verify_signature(payload, headers, secret, webhook::DEFAULT_TOLERANCE)?;
        serde_json::from_str(payload).map_err(|e| {
            Error::Decode(rapidresponse_core::DecodeError {
                message: e.to_string(),
                data: payload.to_owned(),
            })
        })
    }
}
