//! Typed events: a delivered event's JSON (`stream::Delivery`) decoded into
//! a `ResponseStreamEvent` or a chat/completion chunk, keeping the raw JSON.
//! What the stream does about an event is `crate::stream`'s; this only
//! builds the typed value, for the Rust crate's users.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::stream::Delivery;
use crate::types::{ErrorObject, ResponseErrorEvent};

/// One decoded event with the JSON it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamEvent<T> {
    /// The typed event.
    pub event: T,
    /// The `data` JSON exactly as received.
    pub data: String,
    /// The SSE `event:` name, when the server sent one.
    pub sse_event: Option<std::sync::Arc<str>>,
}

/// A frame whose data is not the JSON expected.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("could not decode a stream event: {message}")]
pub struct DecodeError {
    pub message: String,
    /// The frame's data, as received.
    pub data: String,
}

impl<T: DeserializeOwned> StreamEvent<T> {
    /// The typed event of a delivery.
    pub fn decode(delivery: Delivery) -> Result<Self, DecodeError> {
        match serde_json::from_str::<T>(&delivery.data) {
            Ok(event) => Ok(StreamEvent {
                event,
                data: delivery.data,
                sse_event: delivery.sse_event,
            }),
            Err(e) => Err(DecodeError {
                message: e.to_string(),
                data: delivery.data,
            }),
        }
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
    use crate::types::ResponseStreamEvent;

    fn delivery(data: &str) -> Delivery {
        Delivery {
            data: data.to_owned(),
            sse_event: Some("response.output_text.delta".into()),
            snapshot: None,
            terminal: None,
        }
    }

    #[test]
    fn text_delta_is_typed_and_keeps_its_raw_json() {
        let data = r#"{"type":"response.output_text.delta","sequence_number":4,"item_id":"m","output_index":0,"content_index":0,"delta":"Hi","logprobs":[]}"#;
        let ev = StreamEvent::<ResponseStreamEvent>::decode(delivery(data)).unwrap();
        assert_eq!(ev.data, data);
        assert_eq!(ev.sse_event.as_deref(), Some("response.output_text.delta"));
        assert_eq!(ev.event.sequence_number(), Some(4));
        match &ev.event {
            ResponseStreamEvent::OutputTextDelta(d) => assert_eq!(d.delta.as_deref(), Some("Hi")),
            other => panic!("unexpected {other:?}"),
        }
        let bad = StreamEvent::<ResponseStreamEvent>::decode(delivery("[1")).unwrap_err();
        assert_eq!(bad.data, "[1");
    }

    #[test]
    fn both_error_shapes_are_recognised() {
        let flat = r#"{"type":"error","code":"rate_limit_exceeded","message":"slow down","param":null,"sequence_number":3}"#;
        let nested = r#"{"type":"error","sequence_number":2,"error":{"type":"insufficient_quota","code":"insufficient_quota","message":"quota","param":null}}"#;
        for (data, message) in [(flat, "slow down"), (nested, "quota")] {
            let ev = StreamEvent::<ResponseStreamEvent>::decode(delivery(data)).unwrap();
            let ResponseStreamEvent::Error(e) = &ev.event else {
                panic!()
            };
            assert_eq!(e.error_object().message.as_deref(), Some(message));
        }
    }
}
