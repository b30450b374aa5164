//! JSON output helpers: compact serialisation with `type` first (as the real
//! API writes it) and OpenAI-shaped error bodies. It builds no responses.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{json, Value};

/// Members written before all others, in this order; the rest follow
/// sorted. Real traffic starts events and items with `type`, and the core's
/// decoder dispatches on `type` without buffering when it comes first.
const LEADING_KEYS: [&str; 4] = ["type", "sequence_number", "id", "object"];

/// Serialises a value with `LEADING_KEYS` first in every object.
struct TypeFirst<'a>(&'a Value);

impl Serialize for TypeFirst<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(map) => {
                let mut out = s.serialize_map(Some(map.len()))?;
                for key in LEADING_KEYS {
                    if let Some(v) = map.get(key) {
                        out.serialize_entry(key, &TypeFirst(v))?;
                    }
                }
                for (k, v) in map {
                    if !LEADING_KEYS.contains(&k.as_str()) {
                        out.serialize_entry(k, &TypeFirst(v))?;
                    }
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    out.serialize_element(&TypeFirst(v))?;
                }
                out.end()
            }
            other => other.serialize(s),
        }
    }
}

/// Compact JSON text of `value` with `type` first in every object.
pub fn to_compact(value: &Value) -> String {
    // Serialising a `Value` cannot fail: all its keys are strings.
    serde_json::to_string(&TypeFirst(value)).unwrap_or_default()
}

/// The `{"error": {...}}` envelope of the API's 4xx/5xx answers.
pub fn error_body(message: &str, kind: &str, param: Option<&str>, code: Option<&str>) -> Value {
    json!({"error": {"message": message, "type": kind, "param": param, "code": code}})
}

/// An `invalid_request_error` envelope.
pub fn invalid_request(message: &str, param: Option<&str>, code: Option<&str>) -> Value {
    error_body(message, "invalid_request_error", param, code)
}

/// The error body a `status=<code>` fault answers with, typed like the
/// API's answer for that status.
pub fn status_error_body(status: u16) -> Value {
    let (message, kind, code) = match status {
        400 => ("Mock fault: bad request.", "invalid_request_error", None),
        401 => (
            "Mock fault: incorrect API key provided.",
            "invalid_request_error",
            Some("invalid_api_key"),
        ),
        403 => (
            "Mock fault: you are not allowed to sample from this model.",
            "invalid_request_error",
            Some("permission_denied"),
        ),
        404 => (
            "Mock fault: the model does not exist or you do not have access to it.",
            "invalid_request_error",
            Some("model_not_found"),
        ),
        409 => (
            "Mock fault: conflict with the current state of the resource.",
            "invalid_request_error",
            Some("conflict"),
        ),
        422 => (
            "Mock fault: unprocessable entity.",
            "invalid_request_error",
            Some("unprocessable_entity"),
        ),
        429 => (
            "Mock fault: rate limit reached for requests. Please try again in 10ms.",
            "requests",
            Some("rate_limit_exceeded"),
        ),
        503 => (
            "Mock fault: the engine is currently overloaded, please try again later.",
            "server_error",
            Some("server_error"),
        ),
        500..=599 => (
            "Mock fault: the server had an error while processing your request. Sorry about that!",
            "server_error",
            Some("server_error"),
        ),
        _ => ("Mock fault: error.", "invalid_request_error", None),
    };
    error_body(message, kind, None, code)
}

/// The JSON type name the API's validation messages use.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a decimal",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_and_sequence_number_come_first_at_every_depth() {
        let v = json!({"a": 1, "sequence_number": 3, "type": "t",
                        "item": {"content": [], "id": "x", "type": "message"}});
        assert_eq!(
            to_compact(&v),
            r#"{"type":"t","sequence_number":3,"a":1,"item":{"type":"message","id":"x","content":[]}}"#
        );
    }

    #[test]
    fn every_fault_status_has_an_envelope() {
        for status in [400, 401, 403, 404, 409, 418, 422, 429, 500, 502, 503, 504] {
            let body = status_error_body(status);
            assert!(body["error"]["message"].is_string(), "{status}");
        }
        assert_eq!(
            status_error_body(429)["error"]["code"],
            "rate_limit_exceeded"
        );
        assert_eq!(status_error_body(500)["error"]["type"], "server_error");
    }
}
