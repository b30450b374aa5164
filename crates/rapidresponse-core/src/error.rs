//! The one error type of every rapidresponse crate, and parsing of HTTP
//! error responses into `ApiError`. Its shape never depends on cargo
//! features. It performs no I/O: transports build the connection and
//! timeout variants.

use serde_json::Value;
use std::fmt;

use crate::decode::DecodeError;
use crate::http::Headers;
use crate::sse::SseError;
use crate::types::{ErrorObject, Response};

/// The HTTP status classes the official SDKs map to exception classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    BadRequest,
    Authentication,
    PermissionDenied,
    NotFound,
    Conflict,
    UnprocessableEntity,
    RateLimit,
    InternalServer,
    Other,
}

impl ErrorKind {
    pub fn from_status(status: u16) -> Self {
        match status {
            400 => ErrorKind::BadRequest,
            401 => ErrorKind::Authentication,
            403 => ErrorKind::PermissionDenied,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            422 => ErrorKind::UnprocessableEntity,
            429 => ErrorKind::RateLimit,
            s if s >= 500 => ErrorKind::InternalServer,
            _ => ErrorKind::Other,
        }
    }

    /// The openai-python / openai-node class name for this kind.
    pub fn class_name(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "BadRequestError",
            ErrorKind::Authentication => "AuthenticationError",
            ErrorKind::PermissionDenied => "PermissionDeniedError",
            ErrorKind::NotFound => "NotFoundError",
            ErrorKind::Conflict => "ConflictError",
            ErrorKind::UnprocessableEntity => "UnprocessableEntityError",
            ErrorKind::RateLimit => "RateLimitError",
            ErrorKind::InternalServer => "InternalServerError",
            ErrorKind::Other => "APIStatusError",
        }
    }
}

/// An error body as received.
#[derive(Clone, Debug, PartialEq)]
pub enum ErrorBody {
    Json(Value),
    Text(String),
    Empty,
}

/// An HTTP error response from the API.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub kind: ErrorKind,
    /// `error.message` of the body; else the body's text; else empty.
    pub message: String,
    /// `error.type`.
    pub error_type: Option<String>,
    /// `error.code`, numbers written as strings (as openai-python's `str(code)`).
    pub code: Option<String>,
    pub param: Option<String>,
    /// The `x-request-id` header.
    pub request_id: Option<String>,
    pub body: ErrorBody,
    pub headers: Headers,
}

impl ApiError {
    /// Parses an error response: JSON with or without the `error` envelope,
    /// or any text.
    pub fn from_response(status: u16, headers: &Headers, body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body);
        let body = if text.trim().is_empty() {
            ErrorBody::Empty
        } else {
            match serde_json::from_slice::<Value>(body) {
                Ok(v) => ErrorBody::Json(v),
                Err(_) => ErrorBody::Text(text.into_owned()),
            }
        };
        let mut err = ApiError {
            status,
            kind: ErrorKind::from_status(status),
            message: String::new(),
            error_type: None,
            code: None,
            param: None,
            request_id: headers.get("x-request-id").map(str::to_owned),
            body,
            headers: headers.clone(),
        };
        match &err.body {
            ErrorBody::Json(v) => {
                if let Some(e) = v.get("error").filter(|e| e.is_object()) {
                    err.message = string_member(e, "message").unwrap_or_default();
                    err.error_type = string_member(e, "type");
                    err.code = string_member(e, "code");
                    err.param = string_member(e, "param");
                } else if let Some(m) = v.get("error").and_then(Value::as_str) {
                    err.message = m.to_owned();
                } else {
                    err.message = v.to_string();
                }
            }
            ErrorBody::Text(t) => err.message = t.trim().to_owned(),
            ErrorBody::Empty => {}
        }
        err
    }

    /// The `x-ratelimit-*` headers of the error response.
    pub fn rate_limit(&self) -> Option<crate::RateLimit> {
        crate::RateLimit::from_headers(&self.headers)
    }

    /// The body narrowed to its `error` object when it has one, as
    /// openai-python's `APIError.body`.
    pub fn error_body(&self) -> Option<Value> {
        match &self.body {
            ErrorBody::Json(v) => Some(v.get("error").cloned().unwrap_or_else(|| v.clone())),
            ErrorBody::Text(t) => Some(Value::String(t.clone())),
            ErrorBody::Empty => None,
        }
    }
}

/// `Error code: 429 - <message>`, as openai-python 3.54 writes it.
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.message.is_empty() {
            write!(f, "Error code: {}", self.status)
        } else {
            write!(f, "Error code: {} - {}", self.status, self.message)
        }
    }
}

fn string_member(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Which wait ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutKind {
    /// Establishing the connection.
    Connect,
    /// Waiting for the response headers (and a non-stream body).
    Response,
    /// Silence between two chunks of a stream body.
    Read,
}

/// Every failure of a call. The variants that can happen after a stream
/// began carry the response received so far, as JSON (lossless; typed on
/// demand with `partial_response`).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The connection failed or dropped.
    #[error("Connection error: {message}")]
    Connection {
        message: String,
        partial: Option<Box<Value>>,
    },
    /// A timeout ran out.
    #[error("Request timed out ({kind:?} timeout).")]
    Timeout {
        kind: TimeoutKind,
        partial: Option<Box<Value>>,
    },
    /// A body or event that is not the JSON expected.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A byte stream that is not a valid event stream.
    #[error("invalid event stream: {error}")]
    Sse {
        error: SseError,
        partial: Option<Box<Value>>,
    },
    /// The stream carried an error: an event with a truthy `error` member
    /// (both SDKs), or a frame named `event: error` (openai-node). `event`
    /// is the whole event's JSON.
    #[error("{}", stream_error_message(.event))]
    StreamError {
        event: Box<Value>,
        partial: Option<Box<Value>>,
    },
    /// The response ended with status `failed` (`response.failed`).
    #[error("the response failed: {}", member(.0, &["error", "message"], "no error message"))]
    ResponseFailed(Box<Value>),
    /// The response ended with status `incomplete` (`response.incomplete`).
    #[error("the response is incomplete: {}", member(.0, &["incomplete_details", "reason"], "no reason given"))]
    ResponseIncomplete(Box<Value>),
    /// The stream ended before a terminal event.
    #[error("the stream ended before the response was complete")]
    IncompleteStream { partial: Box<Value> },
    /// The client is misconfigured (a missing key, a bad URL, ...).
    #[error("{0}")]
    Config(String),
    /// The caller cancelled the call.
    #[error("Request was aborted.")]
    Cancelled,
    /// A webhook delivery that is not verified (`webhooks().unwrap(..)`).
    #[error("{}", .0.message(crate::Flavor::OpenAIPython))]
    Webhook(crate::WebhookError),
    /// A WebSocket message sent while reconnecting that the send queue has
    /// no room for (openai-python's `WebSocketQueueFullError`).
    #[error("the WebSocket send queue is full ({max_bytes} bytes) while reconnecting: the message was not sent")]
    SendQueueFull { max_bytes: usize },
}

/// openai-python's message for a stream error: the error's `message`, or a
/// fixed text.
fn stream_error_message(event: &Value) -> String {
    let error = event.get("error").filter(|e| !e.is_null()).unwrap_or(event);
    error
        .get("message")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .unwrap_or("An error occurred during streaming")
        .to_owned()
}

fn member(v: &Value, path: &[&str], otherwise: &str) -> String {
    let found = path.iter().try_fold(v, |v, k| v.get(k));
    found
        .and_then(Value::as_str)
        .unwrap_or(otherwise)
        .to_owned()
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

/// What a binding needs to raise its SDK's exception for an error: one
/// vocabulary of kinds and the details each kind has.
#[derive(Clone, Copy, Debug)]
pub struct Report<'a> {
    /// `api`, `connection`, `timeout`, `stream_error`, `decode`, `failed`,
    /// `incomplete`, `ended_early`, `config`, `cancelled`, `webhook` or
    /// `queue_full`.
    pub kind: &'static str,
    /// An HTTP error's status, headers and body.
    pub api: Option<&'a ApiError>,
    /// Which wait ran out.
    pub timeout: Option<TimeoutKind>,
    /// A stream error's event.
    pub event: Option<&'a Value>,
    /// The response received so far.
    pub partial: Option<&'a Value>,
}

impl Error {
    /// The error as a binding reads it.
    pub fn report(&self) -> Report<'_> {
        let mut r = Report {
            kind: "",
            api: None,
            timeout: None,
            event: None,
            partial: self.partial_json(),
        };
        r.kind = match self {
            Error::Api(e) => {
                r.api = Some(e);
                "api"
            }
            Error::Connection { .. } => "connection",
            Error::Timeout { kind, .. } => {
                r.timeout = Some(*kind);
                "timeout"
            }
            Error::Decode(_) | Error::Sse { .. } => "decode",
            Error::StreamError { event, .. } => {
                r.event = Some(event);
                "stream_error"
            }
            Error::ResponseFailed(_) => "failed",
            Error::ResponseIncomplete(_) => "incomplete",
            Error::IncompleteStream { .. } => "ended_early",
            Error::Config(_) => "config",
            Error::Cancelled => "cancelled",
            Error::Webhook(_) => "webhook",
            Error::SendQueueFull { .. } => "queue_full",
        };
        r
    }

    /// The report as one JSON object, what both bindings hand their
    /// language: `kind`, `message`, and as the kind has them `status`,
    /// `headers` (pairs), `body` (the whole error body: JSON or text),
    /// `error` (the body narrowed to its `error` object, openai-python's
    /// `body`), `event` (a stream error's event), `detail` (which timeout,
    /// why the connection failed) and `partial` (the response so far).
    pub fn report_json(&self) -> Value {
        let r = self.report();
        let mut out = serde_json::Map::new();
        out.insert("kind".into(), r.kind.into());
        out.insert("message".into(), self.to_string().into());
        if let Some(api) = r.api {
            out.insert("status".into(), api.status.into());
            let pairs: Vec<Value> = api
                .headers
                .iter()
                .map(|(k, v)| Value::from(vec![k, v]))
                .collect();
            out.insert("headers".into(), Value::Array(pairs));
            let body = match &api.body {
                ErrorBody::Json(v) => Some(v.clone()),
                ErrorBody::Text(t) => Some(Value::String(t.clone())),
                ErrorBody::Empty => None,
            };
            out.insert("body".into(), body.unwrap_or(Value::Null));
            out.insert("error".into(), api.error_body().unwrap_or(Value::Null));
        }
        if let Some(event) = r.event {
            out.insert("event".into(), event.clone());
        }
        let detail = match (self, r.timeout) {
            (Error::Connection { message, .. }, _) => Some(message.as_str()),
            (_, Some(TimeoutKind::Connect)) => Some("connect"),
            (_, Some(TimeoutKind::Response)) => Some("response"),
            (_, Some(TimeoutKind::Read)) => Some("read"),
            _ => None,
        };
        if let Some(d) = detail {
            out.insert("detail".into(), d.into());
        }
        if let Some(p) = r.partial {
            out.insert("partial".into(), p.clone());
        }
        Value::Object(out)
    }

    /// The response received before the failure, as JSON.
    pub fn partial_json(&self) -> Option<&Value> {
        match self {
            Error::Connection { partial, .. }
            | Error::Timeout { partial, .. }
            | Error::Sse { partial, .. }
            | Error::StreamError { partial, .. } => partial.as_deref(),
            Error::IncompleteStream { partial } => Some(partial),
            Error::ResponseFailed(r) | Error::ResponseIncomplete(r) => Some(r),
            _ => None,
        }
    }

    /// The response received before the failure, typed (a member the
    /// typed model cannot read leaves the default).
    pub fn partial_response(&self) -> Option<Response> {
        self.partial_json()
            .map(|v| serde_json::from_value(v.clone()).unwrap_or_default())
    }

    /// Attaches the response received so far to an error that can carry one.
    pub fn with_partial(mut self, response: Value) -> Self {
        match &mut self {
            Error::Connection { partial, .. }
            | Error::Timeout { partial, .. }
            | Error::Sse { partial, .. }
            | Error::StreamError { partial, .. } => *partial = Some(Box::new(response)),
            _ => {}
        }
        self
    }

    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            _ => None,
        }
    }

    /// A stream error's error object: the event's `error`, or its flat
    /// members.
    pub fn stream_error(&self) -> Option<ErrorObject> {
        let Error::StreamError { event, .. } = self else {
            return None;
        };
        let error = event
            .get("error")
            .filter(|e| e.is_object())
            .unwrap_or(event);
        Some(serde_json::from_value(error.clone()).unwrap_or_default())
    }
}

/// Parses a 2xx JSON body into `T`, or any other status into `ApiError`.
pub fn parse_json_response<T: serde::de::DeserializeOwned>(
    status: u16,
    headers: &Headers,
    body: &[u8],
) -> Result<T, Error> {
    if !(200..300).contains(&status) {
        return Err(ApiError::from_response(status, headers, body).into());
    }
    serde_json::from_slice(body).map_err(|e| {
        Error::Decode(DecodeError {
            message: e.to_string(),
            data: String::from_utf8_lossy(&body[..body.len().min(4096)]).into_owned(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers() -> Headers {
        [("x-request-id", "req_123")].into_iter().collect()
    }

    #[test]
    fn json_envelope_is_parsed_and_formatted_like_openai_python() {
        let body = br#"{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#;
        let e = ApiError::from_response(429, &headers(), body);
        assert_eq!(e.kind, ErrorKind::RateLimit);
        assert_eq!(e.code.as_deref(), Some("rate_limit_exceeded"));
        assert_eq!(e.param, None);
        assert_eq!(e.request_id.as_deref(), Some("req_123"));
        assert_eq!(e.to_string(), "Error code: 429 - Rate limit reached");
        assert_eq!(e.error_body().unwrap()["type"], "requests");
    }

    #[test]
    fn non_json_and_numeric_codes() {
        let e = ApiError::from_response(502, &Headers::new(), b"<html>Bad gateway</html>");
        assert_eq!(e.kind, ErrorKind::InternalServer);
        assert_eq!(e.body, ErrorBody::Text("<html>Bad gateway</html>".into()));
        assert_eq!(e.to_string(), "Error code: 502 - <html>Bad gateway</html>");
        let e = ApiError::from_response(
            400,
            &Headers::new(),
            br#"{"error":{"message":"m","code":1234}}"#,
        );
        assert_eq!(e.code.as_deref(), Some("1234"));
        let e = ApiError::from_response(503, &Headers::new(), b"");
        assert_eq!(e.to_string(), "Error code: 503");
        assert_eq!(ErrorKind::from_status(418), ErrorKind::Other);
    }

    #[test]
    fn success_bodies_parse_and_errors_do_not() {
        let ok: Result<Value, _> = parse_json_response(200, &Headers::new(), b"{\"a\":1}");
        assert_eq!(ok.unwrap()["a"], 1);
        let bad: Result<Value, _> = parse_json_response(200, &Headers::new(), b"{oops");
        assert!(matches!(bad, Err(Error::Decode(_))));
        let api: Result<Value, _> = parse_json_response(404, &Headers::new(), b"{}");
        assert_eq!(api.unwrap_err().status(), Some(404));
    }
}
