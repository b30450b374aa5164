//! Event decoding: SSE frames into typed events (`ResponseStreamEvent`, or
//! chat/completion chunks), keeping each event's raw JSON. It does not fold
//! events into a response (see `crate::accumulator`) and does not decide
//! what a shell raises: it reports what it saw.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::sse::{Frame, SseDecoder, SseError};
use crate::types::{ErrorObject, ResponseErrorEvent, ResponseStreamEvent};

/// One decoded event with the JSON it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamEvent<T> {
    /// The typed event.
    pub event: T,
    /// The `data` JSON exactly as received.
    pub data: String,
    /// The SSE `event:` name, when the server sent one.
    pub sse_event: Option<std::sync::Arc<str>>,
    /// The value of a truthy top-level `error` member. openai-python and
    /// openai-node raise `APIError` for such an event instead of yielding it.
    pub error: Option<Value>,
}

/// What one frame means.
#[derive(Clone, Debug, PartialEq)]
pub enum Decoded<T> {
    /// An event.
    Event(StreamEvent<T>),
    /// `data: [DONE]`: the end of a chat/completions stream (some Responses
    /// servers send it too).
    Done,
    /// A frame without data, such as `event: ping`: nothing to deliver.
    Skip,
}

/// A frame whose data is not the JSON expected.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("could not decode a stream event: {message}")]
pub struct DecodeError {
    pub message: String,
    /// The frame's data, as received.
    pub data: String,
}

/// An event type that can tell whether its JSON had a truthy top-level
/// `error` member (without parsing the JSON again).
pub trait ErrorMember {
    fn error_member(&self) -> Option<Value>;
}

impl ErrorMember for ResponseStreamEvent {
    fn error_member(&self) -> Option<Value> {
        match self {
            ResponseStreamEvent::Error(e) => e
                .error
                .get()
                .map(|o| serde_json::to_value(o).unwrap_or(Value::Null))
                .or_else(|| e.extra.get("error").cloned())
                .filter(is_truthy),
            ResponseStreamEvent::Unknown(v) => v.get("error").filter(|e| is_truthy(e)).cloned(),
            known => known
                .extra()?
                .get("error")
                .filter(|e| is_truthy(e))
                .cloned(),
        }
    }
}

impl ErrorMember for Value {
    fn error_member(&self) -> Option<Value> {
        self.get("error").filter(|e| is_truthy(e)).cloned()
    }
}

impl ErrorMember for crate::types::ChatCompletionChunk {
    fn error_member(&self) -> Option<Value> {
        self.extra.get("error").filter(|e| is_truthy(e)).cloned()
    }
}

impl ErrorMember for crate::types::Completion {
    fn error_member(&self) -> Option<Value> {
        self.extra.get("error").filter(|e| is_truthy(e)).cloned()
    }
}

/// Decodes one frame.
pub fn decode_frame<T: DeserializeOwned + ErrorMember>(
    frame: Frame,
) -> Result<Decoded<T>, DecodeError> {
    let data = frame.data;
    let trimmed = data.trim_start();
    if trimmed.is_empty() {
        return Ok(Decoded::Skip);
    }
    if trimmed.starts_with("[DONE]") {
        return Ok(Decoded::Done);
    }
    match serde_json::from_str::<T>(&data) {
        Ok(event) => {
            let error = event.error_member();
            Ok(Decoded::Event(StreamEvent {
                event,
                data,
                sse_event: frame.event,
                error,
            }))
        }
        Err(e) => Err(DecodeError {
            message: e.to_string(),
            data,
        }),
    }
}

/// Python's truthiness, which is what openai-python tests.
fn is_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// SSE framing plus decoding, fed with bytes.
#[derive(Debug)]
pub struct EventDecoder<T> {
    sse: SseDecoder,
    frames: Vec<Frame>,
    done: bool,
    _event: std::marker::PhantomData<fn() -> T>,
}

/// Decodes a Responses API stream.
pub type ResponseEventDecoder = EventDecoder<ResponseStreamEvent>;

impl<T: DeserializeOwned + ErrorMember> Default for EventDecoder<T> {
    fn default() -> Self {
        Self::new(SseDecoder::new())
    }
}

impl<T: DeserializeOwned + ErrorMember> EventDecoder<T> {
    pub fn new(sse: SseDecoder) -> Self {
        EventDecoder {
            sse,
            frames: Vec::new(),
            done: false,
            _event: std::marker::PhantomData,
        }
    }

    /// Feeds bytes; appends one result per event they complete, in order
    /// (a malformed event is an `Err` among them, and the rest still come).
    /// An SSE-level error (invalid UTF-8, an event over the size limit) is
    /// returned after the events before it have been appended.
    pub fn feed(
        &mut self,
        bytes: &[u8],
        out: &mut impl Extend<Result<StreamEvent<T>, DecodeError>>,
    ) -> Result<(), SseError> {
        let r = self.sse.feed(bytes, &mut self.frames);
        self.drain(out);
        r
    }

    /// Ends the byte stream.
    pub fn finish(
        &mut self,
        out: &mut impl Extend<Result<StreamEvent<T>, DecodeError>>,
    ) -> Result<(), SseError> {
        let r = self.sse.finish(&mut self.frames);
        self.drain(out);
        r
    }

    /// Whether `data: [DONE]` was seen.
    pub fn is_done(&self) -> bool {
        self.done
    }

    fn drain(&mut self, out: &mut impl Extend<Result<StreamEvent<T>, DecodeError>>) {
        let done = &mut self.done;
        out.extend(
            self.frames
                .drain(..)
                .filter_map(|frame| match decode_frame(frame) {
                    Ok(Decoded::Event(e)) => Some(Ok(e)),
                    Ok(Decoded::Done) => {
                        *done = true;
                        None
                    }
                    Ok(Decoded::Skip) => None,
                    Err(e) => Some(Err(e)),
                }),
        );
    }
}

/// Both shapes of the `error` event, read the same way.
impl ResponseErrorEvent {
    /// The nested object when the event has one, else the flat members.
    pub fn error_object(&self) -> ErrorObject {
        if let Some(nested) = self.error.get() {
            return nested.clone();
        }
        ErrorObject {
            message: self.message.clone(),
            code: match &self.code {
                crate::Field::Value(c) => crate::Field::Value(Value::String(c.clone())),
                crate::Field::Null => crate::Field::Null,
                crate::Field::Absent => crate::Field::Absent,
            },
            param: self.param.clone(),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(body: &[u8]) -> Vec<Result<StreamEvent<ResponseStreamEvent>, DecodeError>> {
        let mut d = ResponseEventDecoder::default();
        let mut out = Vec::new();
        d.feed(body, &mut out).unwrap();
        d.finish(&mut out).unwrap();
        out
    }

    #[test]
    fn text_delta_is_typed_and_keeps_its_raw_json() {
        let data = r#"{"type":"response.output_text.delta","sequence_number":4,"item_id":"m","output_index":0,"content_index":0,"delta":"Hi","logprobs":[]}"#;
        let body = format!("event: response.output_text.delta\ndata: {data}\n\n");
        let out = decode_all(body.as_bytes());
        let ev = out[0].as_ref().unwrap();
        assert_eq!(ev.data, data);
        assert_eq!(ev.sse_event.as_deref(), Some("response.output_text.delta"));
        assert!(
            ResponseStreamEvent::Unknown(serde_json::json!({"error": {}}))
                .error_member()
                .is_none()
        );
        assert_eq!(ev.event.sequence_number(), Some(4));
        match &ev.event {
            ResponseStreamEvent::OutputTextDelta(d) => assert_eq!(d.delta.as_deref(), Some("Hi")),
            other => panic!("unexpected {other:?}"),
        }
        assert!(ev.error.is_none());
    }

    #[test]
    fn both_error_shapes_are_recognised() {
        let flat = r#"{"type":"error","code":"rate_limit_exceeded","message":"slow down","param":null,"sequence_number":3}"#;
        let nested = r#"{"type":"error","sequence_number":2,"error":{"type":"insufficient_quota","code":"insufficient_quota","message":"quota","param":null}}"#;
        let body = format!("data: {flat}\n\ndata: {nested}\n\n");
        let out = decode_all(body.as_bytes());
        let (a, b) = (out[0].as_ref().unwrap(), out[1].as_ref().unwrap());
        let ResponseStreamEvent::Error(fe) = &a.event else {
            panic!()
        };
        assert_eq!(fe.error_object().message.as_deref(), Some("slow down"));
        assert!(a.error.is_none(), "the flat event has no error member");
        let ResponseStreamEvent::Error(ne) = &b.event else {
            panic!()
        };
        assert_eq!(ne.error_object().message.as_deref(), Some("quota"));
        assert_eq!(b.error.as_ref().unwrap()["code"], "insufficient_quota");
    }

    #[test]
    fn ping_done_unknown_and_malformed() {
        let body = b"event: ping\ndata:\n\ndata: {\"type\":\"response.future\",\"x\":1}\n\ndata: {bad\n\ndata: [DONE]\n\n";
        let mut d = ResponseEventDecoder::default();
        let mut out = Vec::new();
        d.feed(body, &mut out).unwrap();
        assert_eq!(out.len(), 2);
        let ResponseStreamEvent::Unknown(v) = &out[0].as_ref().unwrap().event else {
            panic!()
        };
        assert_eq!(v["x"], 1);
        assert_eq!(out[1].as_ref().unwrap_err().data, "{bad");
        assert!(d.is_done());
    }
}
