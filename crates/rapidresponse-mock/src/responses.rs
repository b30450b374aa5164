//! The Responses API endpoints: create (validate, plan, store, answer as
//! JSON or a stream), retrieve (also as a resumable stream), delete,
//! cancel, input items, compact and input-token counting. What a response
//! contains is `plan`'s job; framing a stream is `sse`'s.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tokio::sync::watch;

use crate::answer;
use crate::conversations;
use crate::faults::FaultSpec;
use crate::json::invalid_request;
use crate::plan::{count_request_tokens, plan, Previous};
use crate::server::{lock, ApiRequest, Reply, State};
use crate::sse::{EventSource, StreamKind};
use crate::store::{self, Follower, Stored};
use crate::validate::{
    bad_request, flag, text_member, validate_create, validate_input, validate_model, Object,
};

pub(crate) fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Looks up `previous_response_id`; the API's 400 when it is unknown.
fn previous(state: &State, body: &Object) -> Result<Option<Previous>, Reply> {
    let Some(id) = text_member(body, "previous_response_id") else {
        return Ok(None);
    };
    let store = lock(&state.store);
    let Some(stored) = store.get(id) else {
        return Err(Reply::error(
            400,
            invalid_request(
                &format!("Previous response with id '{id}' not found."),
                Some("previous_response_id"),
                Some("previous_response_not_found"),
            ),
        ));
    };
    let usage = &stored.final_response["usage"];
    let tokens = usage["total_tokens"].as_u64().unwrap_or(0);
    Ok(Some(Previous {
        context: stored.context.clone(),
        turn: stored.turn,
        tokens,
    }))
}

/// The input as a list of full items (see `normalize_items`); a string is
/// one user message.
fn normalize_input(state: &State, body: &Object) -> Result<Vec<Value>, Reply> {
    let raw = match body.get("input") {
        Some(Value::String(text)) => vec![json!({"role": "user", "content": text})],
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    };
    normalize_items(state, raw)
}

/// Items as the API stores them: messages get `type` and content parts,
/// references are resolved, and every item gets an id.
pub(crate) fn normalize_items(state: &State, raw: Vec<Value>) -> Result<Vec<Value>, Reply> {
    let mut items = Vec::with_capacity(raw.len());
    for item in raw {
        let Value::Object(mut item) = item else {
            continue;
        };
        let kind = item.get("type").and_then(Value::as_str).map(str::to_owned);
        match kind.as_deref() {
            Some("item_reference") | None if !item.contains_key("role") => {
                let id = item.get("id").and_then(Value::as_str).unwrap_or("");
                let Some(found) = lock(&state.store).find_item(id) else {
                    return Err(Reply::error(
                        404,
                        invalid_request(
                            &format!("Item with id '{id}' not found."),
                            Some("input"),
                            None,
                        ),
                    ));
                };
                items.push(found);
                continue;
            }
            Some("message") | None => {
                item.insert("type".into(), "message".into());
                let role = item.get("role").and_then(Value::as_str).unwrap_or("user");
                let part_type = if role == "assistant" {
                    "output_text"
                } else {
                    "input_text"
                };
                if let Some(Value::String(text)) = item.get("content") {
                    let part = json!([{"type": part_type, "text": text}]);
                    item.insert("content".into(), part);
                }
                item.entry("status").or_insert_with(|| "completed".into());
            }
            Some(_) => {}
        }
        if !item.get("id").is_some_and(Value::is_string) {
            let prefix = id_prefix(item.get("type").and_then(Value::as_str).unwrap_or(""));
            item.insert("id".into(), state.next_id(prefix).into());
        }
        items.push(Value::Object(item));
    }
    Ok(items)
}

fn id_prefix(item_type: &str) -> &'static str {
    match item_type {
        "message" => "msg",
        "function_call" => "fc",
        "function_call_output" => "fco",
        "reasoning" => "rs",
        "compaction" => "cmp",
        _ => "item",
    }
}

/// `POST /responses`.
pub(crate) fn create(state: &Arc<State>, request: &ApiRequest, fault: &FaultSpec) -> Reply {
    match try_create(state, request, fault) {
        Ok(reply) | Err(reply) => reply,
    }
}

fn try_create(state: &Arc<State>, request: &ApiRequest, fault: &FaultSpec) -> Result<Reply, Reply> {
    let body = request.json_object()?;
    validate_create(body)?;
    let conversation = conversations::named(body)?;
    let previous = match &conversation {
        Some(id) => Some(conversations::context(state, id)?),
        None => previous(state, body)?,
    };
    let input = normalize_input(state, body)?;
    let turn = previous.as_ref().map_or(1, |p| p.turn + 1);
    let plan = plan(state, body, &input, previous.as_ref(), fault);
    let (events, final_response) = plan.events(fault);
    let id = plan.id().to_owned();
    let stream = flag(body, "stream", false);
    if let Some(conversation) = &conversation {
        conversations::append(state, conversation, &input, &final_response);
    }

    if flag(body, "store", true) {
        let mut context = previous.map(|p| p.context).unwrap_or_default();
        context.extend(input.iter().cloned());
        context.extend(
            final_response["output"]
                .as_array()
                .into_iter()
                .flatten()
                .cloned(),
        );
        // A background response starts with only `created` and `queued` out.
        let released = if plan.background { 2 } else { events.len() };
        let snapshot = events[released - 1]["response"].clone();
        let (changed, _) = watch::channel(());
        let stored = Stored {
            snapshot,
            final_response: final_response.clone(),
            input_items: input,
            context,
            turn,
            events: events.clone(),
            released,
            finished: !plan.background,
            background: plan.background,
            changed,
        };
        lock(&state.store).insert(id.clone(), stored);
        if plan.background {
            store::spawn_background(state.clone(), id.clone(), released);
            if stream {
                let follower =
                    Follower::new(state.clone(), &id, None).ok_or_else(|| not_found(&id))?;
                return Ok(Reply::Stream {
                    source: EventSource::Live(follower),
                    kind: StreamKind::Responses,
                });
            }
            return Ok(Reply::ok(events[released - 1]["response"].clone()));
        }
    }
    if stream {
        return Ok(Reply::Stream {
            source: EventSource::fixed(events),
            kind: StreamKind::Responses,
        });
    }
    Ok(Reply::ok(final_response))
}

fn not_found(id: &str) -> Reply {
    Reply::error(
        404,
        invalid_request(&format!("Response with id '{id}' not found."), None, None),
    )
}

/// `GET /responses/{id}`, or its event stream with `?stream=true`.
pub(crate) fn retrieve(state: &Arc<State>, request: &ApiRequest, id: &str) -> Reply {
    if request.query_param("stream").as_deref() == Some("true") {
        let starting_after = match request.query_param("starting_after") {
            None => None,
            Some(n) => match n.parse::<u64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    return bad_request(
                        format!(
                            "Invalid 'starting_after': expected an integer, but got '{n}' instead."
                        ),
                        "starting_after",
                        "invalid_type",
                    )
                }
            },
        };
        return match Follower::new(state.clone(), id, starting_after) {
            Some(follower) => Reply::Stream {
                source: EventSource::Live(follower),
                kind: StreamKind::Responses,
            },
            None => not_found(id),
        };
    }
    match lock(&state.store).get(id) {
        Some(stored) => Reply::ok(stored.snapshot.clone()),
        None => not_found(id),
    }
}

/// `DELETE /responses/{id}`.
pub(crate) fn delete(state: &State, id: &str) -> Reply {
    match lock(&state.store).remove(id) {
        Some(stored) => {
            // Followers of a running background response stop.
            stored.changed.send_replace(());
            Reply::ok(json!({"id": id, "object": "response", "deleted": true}))
        }
        None => not_found(id),
    }
}

/// `POST /responses/{id}/cancel`: only a background response that is
/// queued or in progress can be cancelled.
pub(crate) fn cancel(state: &State, id: &str) -> Reply {
    let mut store = lock(&state.store);
    let Some(stored) = store.get_mut(id) else {
        return not_found(id);
    };
    if !stored.background {
        return Reply::error(
            400,
            invalid_request(
                "Only responses created with background=true can be cancelled.",
                None,
                None,
            ),
        );
    }
    let status = stored.status().to_owned();
    if stored.finished || !matches!(status.as_str(), "queued" | "in_progress") {
        return Reply::error(
            400,
            invalid_request(
                &format!("Cannot cancel a response with status '{status}'."),
                None,
                None,
            ),
        );
    }
    stored.finished = true;
    stored.snapshot["status"] = "cancelled".into();
    stored.final_response = stored.snapshot.clone();
    stored.changed.send_replace(());
    Reply::ok(stored.snapshot.clone())
}

/// `GET /responses/{id}/input_items`: a cursor page of the input items.
pub(crate) fn input_items(state: &State, request: &ApiRequest, id: &str) -> Reply {
    let store = lock(&state.store);
    match store.get(id) {
        Some(stored) => page_of(request, stored.input_items.iter().collect(), "response"),
        None => not_found(id),
    }
}

/// One cursor page of `items` (in stored order) as `limit`, `order`
/// (newest first by default) and `after` ask; `owner` names what holds
/// them in an unknown-cursor error.
pub(crate) fn page_of(request: &ApiRequest, mut items: Vec<&Value>, owner: &str) -> Reply {
    let limit = match request.query_param("limit").map(|l| l.parse::<usize>()) {
        None => 20,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => {
            return bad_request(
                "Invalid 'limit': expected an integer between 1 and 100.".to_owned(),
                "limit",
                "invalid_value",
            )
        }
    };
    let descending = match request.query_param("order").as_deref() {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(other) => {
            return bad_request(
                format!("Invalid value: '{other}'. Supported values are: 'asc' and 'desc'."),
                "order",
                "invalid_value",
            )
        }
    };
    if descending {
        items.reverse();
    }
    let start = match request.query_param("after") {
        None => 0,
        Some(after) => match items
            .iter()
            .position(|i| i.get("id").and_then(Value::as_str) == Some(&after))
        {
            Some(pos) => pos + 1,
            None => {
                return bad_request(
                    format!("Invalid 'after': no item with id '{after}' in this {owner}."),
                    "after",
                    "invalid_value",
                )
            }
        },
    };
    let page: Vec<Value> = items
        .iter()
        .skip(start)
        .take(limit)
        .map(|i| (*i).clone())
        .collect();
    let has_more = start + page.len() < items.len();
    let id_of = |item: Option<&Value>| {
        item.and_then(|i| i.get("id"))
            .cloned()
            .unwrap_or(Value::Null)
    };
    Reply::ok(json!({
        "object": "list",
        "data": page,
        "first_id": id_of(page.first()),
        "last_id": id_of(page.last()),
        "has_more": has_more,
    }))
}

/// `POST /responses/compact`: the conversation as one compaction item.
pub(crate) fn compact(state: &State, request: &ApiRequest) -> Reply {
    let result = (|| {
        let body = request.json_object()?;
        validate_model(body)?;
        validate_input(body)?;
        let previous = previous(state, body)?;
        let input_tokens = count_request_tokens(body, previous.as_ref());
        let seed = crate::json::to_compact(&Value::Object(body.clone()));
        let output_tokens = 32;
        Ok(json!({
            "id": state.next_id("resp"),
            "object": "response.compaction",
            "created_at": now_seconds(),
            "output": [{
                "type": "compaction",
                "id": state.next_id("cmp"),
                "encrypted_content": answer::encrypted_content(&seed),
            }],
            "usage": {
                "input_tokens": input_tokens,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": output_tokens,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": input_tokens + output_tokens,
            },
        }))
    })();
    Reply::of(result)
}

/// `POST /responses/input_tokens`: what `usage.input_tokens` would be.
pub(crate) fn input_tokens(state: &State, request: &ApiRequest) -> Reply {
    let result = (|| {
        let body = request.json_object()?;
        validate_input(body)?;
        let previous = previous(state, body)?;
        Ok(json!({
            "object": "response.input_tokens",
            "input_tokens": count_request_tokens(body, previous.as_ref()),
        }))
    })();
    Reply::of(result)
}
