//! The one error type of every rapidresponse crate, and parsing of HTTP
//! error responses into `ApiError`. Its shape never depends on cargo
//! features. It performs no I/O: transports build the connection and
//! timeout variants.

use serde_json::Value;
use std::fmt;

use crate::events::DecodeError;
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
/// began carry the response received so far.
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
        partial: Option<Box<Response>>,
    },
    /// A timeout ran out.
    #[error("Request timed out ({kind:?} timeout).")]
    Timeout {
        kind: TimeoutKind,
        partial: Option<Box<Response>>,
    },
    /// A body or event that is not the JSON expected.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A byte stream that is not a valid event stream.
    #[error("invalid event stream: {error}")]
    Sse {
        error: SseError,
        partial: Option<Box<Response>>,
    },
    /// The stream delivered an `error` event.
    #[error("the stream reported an error: {}", .error.message.as_deref().unwrap_or("An error occurred during streaming"))]
    StreamError {
        error: Box<ErrorObject>,
        partial: Option<Box<Response>>,
    },
    /// The response ended with status `failed` (`response.failed`).
    #[error("the response failed: {}", failed_message(.0))]
    ResponseFailed(Box<Response>),
    /// The response ended with status `incomplete` (`response.incomplete`).
    #[error("the response is incomplete: {}", incomplete_reason(.0))]
    ResponseIncomplete(Box<Response>),
    /// The stream ended before a terminal event.
    #[error("the stream ended before the response was complete")]
    IncompleteStream { partial: Box<Response> },
    /// The client is misconfigured (a missing key, a bad URL, ...).
    #[error("{0}")]
    Config(String),
    /// The caller cancelled the call.
    #[error("Request was aborted.")]
    Cancelled,
}

fn failed_message(r: &Response) -> String {
    r.error
        .get()
        .and_then(|e| e.message.get().cloned())
        .unwrap_or_else(|| "no error message".to_owned())
}

fn incomplete_reason(r: &Response) -> String {
    r.incomplete_details
        .get()
        .and_then(|d| d.reason.get().cloned())
        .unwrap_or_else(|| "no reason given".to_owned())
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

impl Error {
    /// The response received before the failure, if any.
    pub fn partial_response(&self) -> Option<&Response> {
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

    /// Attaches the response received so far to an error that can carry one.
    pub fn with_partial(mut self, response: Response) -> Self {
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
}

/// Turns a final response into an error unless it completed.
pub fn ensure_completed(response: Response) -> Result<Response, Error> {
    use crate::types::ResponseStatus;
    match response.status.get() {
        Some(ResponseStatus::Failed) => Err(Error::ResponseFailed(Box::new(response))),
        Some(ResponseStatus::Incomplete) => Err(Error::ResponseIncomplete(Box::new(response))),
        _ => Ok(response),
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
