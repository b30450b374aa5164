//! Conversations (`/conversations`) and webhook events: the objects the
//! Conversations API answers with, and the event a verified webhook
//! payload carries.

use serde_json::Value;

use super::InputItemList;

wire_object! {
    /// A conversation (`POST /conversations`, `GET`/`POST /conversations/{id}`,
    /// and the answer of deleting one of its items).
    pub struct Conversation {
        id: String,
        object: String,
        created_at: f64,
        metadata: serde_json::Map<String, Value>,
    }
}

/// A cursor page of a conversation's items (`GET /conversations/{id}/items`,
/// and the items `POST /conversations/{id}/items` added): the same shape as
/// a response's input items.
pub type ConversationItemList = InputItemList;

wire_object! {
    /// A webhook delivery's event (`response.completed`, `batch.failed`, ...;
    /// a type this version does not know is kept as it came).
    pub struct WebhookEvent {
        id: String,
        object: String,
        created_at: f64,
        kind as "type": String,
        data: Value,
    }
}
