//! The Conversations API: conversations kept in memory with their items
//! (given at creation, added, listed in cursor pages, read, deleted), and
//! what a response created with `conversation` does to one: it reads the
//! items as its context and appends its input and output. It does not
//! plan responses (`plan`) or store them (`store`).

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::json::invalid_request;
use crate::plan::Previous;
use crate::responses::{normalize_items, now_seconds, page_of};
use crate::server::{lock, ApiRequest, Reply, State};
use crate::validate::{bad_request, Object};

/// At most this many items per create call, as the API allows.
const MAX_ITEMS_PER_CALL: usize = 20;
/// Conversations kept; a mock that runs for days should not grow forever.
const MAX_CONVERSATIONS: usize = 10_000;

#[derive(Debug)]
pub(crate) struct Conversation {
    id: String,
    created_at: u64,
    metadata: Value,
    items: Vec<Value>,
    /// Responses created in it so far.
    turns: usize,
}

impl Conversation {
    fn resource(&self) -> Value {
        json!({
            "id": self.id,
            "object": "conversation",
            "created_at": self.created_at,
            "metadata": self.metadata,
        })
    }
}

#[derive(Debug, Default)]
pub(crate) struct Conversations {
    by_id: HashMap<String, Conversation>,
}

fn not_found(id: &str) -> Reply {
    Reply::error(
        404,
        invalid_request(
            &format!("Conversation with id '{id}' not found."),
            None,
            None,
        ),
    )
}

/// The `items` member: a list of at most 20 items (`required` or not).
fn items_member(body: &Object, required: bool) -> Result<Vec<Value>, Reply> {
    match body.get("items") {
        None | Some(Value::Null) if !required => Ok(Vec::new()),
        Some(Value::Array(items)) if items.len() <= MAX_ITEMS_PER_CALL => Ok(items.clone()),
        Some(Value::Array(items)) => Err(bad_request(
            format!(
                "Invalid 'items': array too long. Expected an array with maximum length {MAX_ITEMS_PER_CALL}, but got an array with length {} instead.",
                items.len()
            ),
            "items",
            "array_above_max_length",
        )),
        None => Err(bad_request(
            "Missing required parameter: 'items'.".into(),
            "items",
            "missing_required_parameter",
        )),
        Some(other) => Err(bad_request(
            format!(
                "Invalid type for 'items': expected an array, but got {} instead.",
                crate::json::type_name(other)
            ),
            "items",
            "invalid_type",
        )),
    }
}

fn metadata_member(body: &Object, required: bool) -> Result<Value, Reply> {
    match body.get("metadata") {
        None | Some(Value::Null) if !required => Ok(json!({})),
        Some(m @ Value::Object(_)) => Ok(m.clone()),
        None => Err(bad_request(
            "Missing required parameter: 'metadata'.".into(),
            "metadata",
            "missing_required_parameter",
        )),
        Some(other) => Err(bad_request(
            format!(
                "Invalid type for 'metadata': expected an object, but got {} instead.",
                crate::json::type_name(other)
            ),
            "metadata",
            "invalid_type",
        )),
    }
}

/// `POST /conversations`.
pub(crate) fn create(state: &State, request: &ApiRequest) -> Reply {
    Reply::of((|| {
        let body = request.json_object()?;
        let items = normalize_items(state, items_member(body, false)?)?;
        let metadata = metadata_member(body, false)?;
        let mut all = lock(&state.conversations);
        if all.by_id.len() >= MAX_CONVERSATIONS {
            return Err(Reply::error(
                429,
                invalid_request(
                    "The mock keeps at most 10000 conversations: delete some.",
                    None,
                    Some("rate_limit_exceeded"),
                ),
            ));
        }
        let conversation = Conversation {
            id: state.next_id("conv"),
            created_at: now_seconds(),
            metadata,
            items,
            turns: 0,
        };
        let resource = conversation.resource();
        all.by_id.insert(conversation.id.clone(), conversation);
        Ok(resource)
    })())
}

/// `GET /conversations/{id}`.
pub(crate) fn retrieve(state: &State, id: &str) -> Reply {
    match lock(&state.conversations).by_id.get(id) {
        Some(c) => Reply::ok(c.resource()),
        None => not_found(id),
    }
}

/// `POST /conversations/{id}`: new metadata.
pub(crate) fn update(state: &State, request: &ApiRequest, id: &str) -> Reply {
    Reply::of((|| {
        let metadata = metadata_member(request.json_object()?, true)?;
        let mut all = lock(&state.conversations);
        let c = all.by_id.get_mut(id).ok_or_else(|| not_found(id))?;
        c.metadata = metadata;
        Ok(c.resource())
    })())
}

/// `DELETE /conversations/{id}`.
pub(crate) fn delete(state: &State, id: &str) -> Reply {
    match lock(&state.conversations).by_id.remove(id) {
        Some(_) => Reply::ok(json!({"id": id, "object": "conversation.deleted", "deleted": true})),
        None => not_found(id),
    }
}

/// `POST /conversations/{id}/items`: the items added, as a list.
pub(crate) fn add_items(state: &State, request: &ApiRequest, id: &str) -> Reply {
    Reply::of((|| {
        let items = items_member(request.json_object()?, true)?;
        if !lock(&state.conversations).by_id.contains_key(id) {
            return Err(not_found(id));
        }
        let items = normalize_items(state, items)?;
        let mut all = lock(&state.conversations);
        let c = all.by_id.get_mut(id).ok_or_else(|| not_found(id))?;
        c.items.extend(items.iter().cloned());
        let id_of = |item: Option<&Value>| item.and_then(|i| i.get("id")).cloned();
        Ok(json!({
            "object": "list",
            "data": items,
            "first_id": id_of(items.first()),
            "last_id": id_of(items.last()),
            "has_more": false,
        }))
    })())
}

/// `GET /conversations/{id}/items`: a cursor page, newest first by default.
pub(crate) fn list_items(state: &State, request: &ApiRequest, id: &str) -> Reply {
    let all = lock(&state.conversations);
    match all.by_id.get(id) {
        Some(c) => page_of(request, c.items.iter().collect(), "conversation"),
        None => not_found(id),
    }
}

fn item_not_found(item_id: &str) -> Reply {
    Reply::error(
        404,
        invalid_request(&format!("Item with id '{item_id}' not found."), None, None),
    )
}

/// `GET /conversations/{id}/items/{item_id}`.
pub(crate) fn retrieve_item(state: &State, id: &str, item_id: &str) -> Reply {
    let all = lock(&state.conversations);
    let Some(c) = all.by_id.get(id) else {
        return not_found(id);
    };
    match c.items.iter().find(|i| has_id(i, item_id)) {
        Some(item) => Reply::ok(item.clone()),
        None => item_not_found(item_id),
    }
}

/// `DELETE /conversations/{id}/items/{item_id}`: the conversation.
pub(crate) fn delete_item(state: &State, id: &str, item_id: &str) -> Reply {
    let mut all = lock(&state.conversations);
    let Some(c) = all.by_id.get_mut(id) else {
        return not_found(id);
    };
    let before = c.items.len();
    c.items.retain(|i| !has_id(i, item_id));
    if c.items.len() == before {
        return item_not_found(item_id);
    }
    Reply::ok(c.resource())
}

fn has_id(item: &Value, id: &str) -> bool {
    item.get("id").and_then(Value::as_str) == Some(id)
}

/// The conversation a create request names (`"conv_..."` or `{"id": ...}`),
/// if any; `Err` when it names one that does not exist, or names one
/// beside `previous_response_id`.
pub(crate) fn named(body: &Object) -> Result<Option<String>, Reply> {
    let id = match body.get("conversation") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(id)) => id.clone(),
        Some(Value::Object(c)) => match c.get("id") {
            Some(Value::String(id)) => id.clone(),
            _ => {
                return Err(bad_request(
                    "Missing required parameter: 'conversation.id'.".into(),
                    "conversation.id",
                    "missing_required_parameter",
                ))
            }
        },
        Some(other) => {
            return Err(bad_request(
                format!(
                    "Invalid type for 'conversation': expected a string or an object, but got {} instead.",
                    crate::json::type_name(other)
                ),
                "conversation",
                "invalid_type",
            ))
        }
    };
    if body
        .get("previous_response_id")
        .is_some_and(|p| !p.is_null())
    {
        return Err(bad_request(
            "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.".into(),
            "conversation",
            "mutually_exclusive_parameters",
        ));
    }
    Ok(Some(id))
}

/// A conversation's items as the context of its next response.
pub(crate) fn context(state: &State, id: &str) -> Result<Previous, Reply> {
    let all = lock(&state.conversations);
    let c = all.by_id.get(id).ok_or_else(|| not_found(id))?;
    Ok(Previous {
        context: c.items.clone(),
        turn: c.turns,
        tokens: 0,
    })
}

/// Appends a response's input and output to its conversation (gone
/// meanwhile: nothing to do).
pub(crate) fn append(state: &State, id: &str, input: &[Value], response: &Value) {
    let mut all = lock(&state.conversations);
    if let Some(c) = all.by_id.get_mut(id) {
        c.items.extend(input.iter().cloned());
        let output = response.get("output").and_then(Value::as_array);
        c.items.extend(output.into_iter().flatten().cloned());
        c.turns += 1;
    }
}
