//! The Models API: `GET /models` lists the models the mock answers as,
//! `GET /models/{id}` reads one, `DELETE /models/{id}` deletes one of its
//! fine-tuned models (`ft:`; a base model is the API's 403). Deleted
//! fine-tuned models stay deleted while the mock runs. It plans nothing:
//! any model name still works for responses.

use serde_json::{json, Value};

use crate::json::error_body;
use crate::server::{lock, Reply, State};

/// The models listed: id, `created` (Unix seconds), `owned_by`.
const MODELS: &[(&str, u64, &str)] = &[
    ("gpt-4.1", 1_744_316_542, "system"),
    ("gpt-4.1-mini", 1_744_318_173, "system"),
    ("gpt-4o-mini", 1_721_172_741, "system"),
    ("gpt-5", 1_754_425_777, "system"),
    ("gpt-5-codex", 1_757_527_818, "system"),
    ("o4-mini", 1_744_225_351, "system"),
    (
        "ft:gpt-4.1-mini:rapidresponse::mock",
        1_760_000_000,
        "user-mock",
    ),
];

fn model(id: &str, created: u64, owned_by: &str) -> Value {
    json!({"id": id, "object": "model", "created": created, "owned_by": owned_by})
}

fn present(state: &State) -> impl Iterator<Item = &'static (&'static str, u64, &'static str)> + '_ {
    let deleted = lock(&state.deleted_models).clone();
    MODELS
        .iter()
        .filter(move |(id, _, _)| !deleted.contains(*id))
}

/// `GET /models`: one page, every model.
pub(crate) fn list(state: &State) -> Reply {
    let data: Vec<Value> = present(state).map(|(id, c, o)| model(id, *c, o)).collect();
    Reply::ok(json!({"object": "list", "data": data}))
}

/// `GET /models/{id}`.
pub(crate) fn retrieve(state: &State, id: &str) -> Reply {
    match present(state).find(|(m, _, _)| *m == id) {
        Some((id, c, o)) => Reply::ok(model(id, *c, o)),
        None => not_found(id),
    }
}

/// `DELETE /models/{id}`: fine-tuned models only.
pub(crate) fn delete(state: &State, id: &str) -> Reply {
    if present(state).all(|(m, _, _)| *m != id) {
        return not_found(id);
    }
    if !id.starts_with("ft:") {
        let message = format!(
            "You have insufficient permissions for this operation: {id} is not yours to delete."
        );
        return Reply::error(
            403,
            error_body(&message, "invalid_request_error", None, None),
        );
    }
    lock(&state.deleted_models).insert(id.to_owned());
    Reply::ok(json!({"id": id, "object": "model", "deleted": true}))
}

fn not_found(id: &str) -> Reply {
    let message = format!("The model '{id}' does not exist or you do not have access to it.");
    Reply::error(
        404,
        error_body(
            &message,
            "invalid_request_error",
            None,
            Some("model_not_found"),
        ),
    )
}
