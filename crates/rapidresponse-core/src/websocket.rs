//! The Responses API's WebSocket mode, sans-IO: the upgrade request as
//! each SDK sends it (`ws(s)://<base>/responses`, the HTTP headers), the
//! `response.create` message a create body becomes, and the close codes
//! after which a connection may be opened again. Server messages are read
//! by `StreamMachine::feed_message`, one machine per response, so a
//! response yields over a WebSocket exactly what the same events give over
//! SSE. It opens no socket and keeps no connection state.

use serde_json::Value;
use std::time::Duration;

use crate::config::{ClientConfig, RequestOptions};
use crate::endpoint::{Call, Flavor, Operation};
use crate::error::Error;
use crate::http::HttpRequest;

/// Close codes after which the SDKs reconnect (openai-python's and
/// openai-node's set): going away, no status, abnormal (no close frame),
/// internal error, restart, try again later, TLS failure.
pub const RECOVERABLE_CLOSE_CODES: [u16; 7] = [1001, 1005, 1006, 1011, 1012, 1013, 1015];

/// The close code of a connection that dropped without a close frame.
pub const ABNORMAL_CLOSE: u16 = 1006;

impl ClientConfig {
    /// The upgrade request of the WebSocket mode: `GET <base>/responses`
    /// with the base URL's scheme as `ws`/`wss`, the client's query and
    /// headers as the flavor's SDK sends them (openai-python: its JSON
    /// `Accept` and `Content-Type`; openai-node: neither). The WebSocket
    /// handshake headers are the socket library's.
    /// With `websocket_base_url`, that base takes the HTTP one's place
    /// (`/responses` and the query still follow).
    pub fn prepare_websocket(&self, options: &RequestOptions) -> Result<HttpRequest, Error> {
        let call = Call::new(Operation::ResponsesConnect);
        let mut request = self.prepare(&call, options)?.request;
        if let Some(base) = &self.websocket_base_url {
            if let Some(rest) = request.url.strip_prefix(self.requests_base().as_str()) {
                request.url = format!("{}{rest}", base.trim_end_matches('/'));
            }
        }
        request.url = websocket_url(&request.url);
        let set_by_caller = |name: &str| {
            options
                .headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case(name))
        };
        match self.flavor {
            Flavor::OpenAIPython if !set_by_caller("content-type") => {
                request.headers.set("Content-Type", "application/json");
            }
            Flavor::OpenAINode if !set_by_caller("accept") => request.headers.remove("accept"),
            _ => {}
        }
        Ok(request)
    }
}

/// `http://` (or `ws://`) becomes `ws://`, anything else `wss://` (as
/// both SDKs map it).
fn websocket_url(url: &str) -> String {
    match url.split_once("://") {
        Some(("http" | "ws", rest)) => format!("ws://{rest}"),
        Some((_, rest)) => format!("wss://{rest}"),
        None => url.to_owned(),
    }
}

/// The `response.create` message for a create body (a JSON object): the
/// body's members with `"type": "response.create"` first, and `stream_id`
/// when given. `stream` is implicit over a WebSocket and `background` is
/// not supported there: both are left out.
pub fn create_message(body: &[u8], stream_id: Option<&str>) -> Result<String, Error> {
    let Ok(Value::Object(mut members)) = serde_json::from_slice::<Value>(body) else {
        return Err(Error::Config(
            "a response.create message needs a JSON object body".into(),
        ));
    };
    members.remove("type");
    members.remove("stream");
    members.remove("background");
    let mut message = serde_json::Map::with_capacity(members.len() + 2);
    message.insert("type".into(), "response.create".into());
    message.extend(members);
    if let Some(id) = stream_id {
        message.insert("stream_id".into(), id.into());
    }
    serde_json::to_string(&Value::Object(message)).map_err(|e| Error::Config(e.to_string()))
}

/// What routing needs of a message either way (a client event the caller
/// built, or a server message): its `type` and its lane
/// (`stream_id`; `None` is the default lane). Other members are skipped.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct MessageHead {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub stream_id: Option<String>,
}

/// The head of a client event or a server message; an unreadable one has
/// neither member (it goes to the default lane).
pub fn client_event_head(message: &str) -> MessageHead {
    serde_json::from_str(message).unwrap_or_default()
}

/// The lane a server message belongs to (the `stream_id` it echoes).
pub fn message_stream_id(message: &str) -> Option<String> {
    client_event_head(message).stream_id
}

/// Whether a connection closed with `code` may be opened again (the
/// SDKs' set; a normal close, a policy or protocol error may not).
pub fn is_recoverable_close(code: u16) -> bool {
    RECOVERABLE_CLOSE_CODES.contains(&code)
}

/// When to open a dropped connection again, as both SDKs do it (opt-in:
/// openai-python's `on_reconnecting=`, openai-node's `reconnect:`): after a
/// recoverable close, at most `max_retries` attempts, waiting
/// `min(initial * 2^(attempt-1), max) * (0.75 + 0.25 * jitter)` before each.
/// What was in flight on the dropped connection is not re-sent (it may have
/// been charged); messages sent while reconnecting wait in a `SendQueue`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReconnectPolicy {
    pub max_retries: u32,
    pub initial_delay: Duration,
    pub max_delay: Duration,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy {
            max_retries: 5,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
        }
    }
}

impl ReconnectPolicy {
    /// The wait before attempt `attempt` (1-based) after a close with
    /// `code`, or `None`: the code is not recoverable or the attempts are
    /// spent. `jitter` is uniform in [0, 1).
    pub fn delay(&self, code: u16, attempt: u32, jitter: f64) -> Option<Duration> {
        if !is_recoverable_close(code) || attempt == 0 || attempt > self.max_retries {
            return None;
        }
        let doubled = self.initial_delay.as_secs_f64() * 2f64.powi((attempt - 1).min(1000) as i32);
        let base = doubled.min(self.max_delay.as_secs_f64());
        let factor = 0.75 + 0.25 * jitter.clamp(0.0, 1.0);
        Some(Duration::from_secs_f64((base * factor).max(0.0)))
    }
}

/// The messages sent while a connection is being opened again, oldest
/// first, up to a total size (the SDKs' `max_queue_size`, 1 MiB): one over
/// it is refused rather than kept.
#[derive(Debug, Clone)]
pub struct SendQueue {
    messages: std::collections::VecDeque<String>,
    bytes: usize,
    max_bytes: usize,
}

/// The SDKs' default `max_queue_size`.
pub const DEFAULT_MAX_QUEUE_BYTES: usize = 1 << 20;

impl SendQueue {
    pub fn new(max_bytes: usize) -> Self {
        SendQueue {
            messages: Default::default(),
            bytes: 0,
            max_bytes,
        }
    }

    /// Keeps `message` to send later; false (and not kept) when it would
    /// take the queue over its size.
    pub fn push(&mut self, message: String) -> bool {
        if self.bytes + message.len() > self.max_bytes {
            return false;
        }
        self.bytes += message.len();
        self.messages.push_back(message);
        true
    }

    /// The oldest message, to send now.
    pub fn pop(&mut self) -> Option<String> {
        let message = self.messages.pop_front()?;
        self.bytes -= message.len();
        Some(message)
    }

    /// Puts a message that could not be sent back at the front.
    pub fn unpop(&mut self, message: String) {
        self.bytes += message.len();
        self.messages.push_front(message);
    }

    /// Everything still queued (the messages a closed connection never sent).
    pub fn drain(&mut self) -> Vec<String> {
        self.bytes = 0;
        self.messages.drain(..).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    pub fn len(&self) -> usize {
        self.messages.len()
    }

    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }
}

impl Default for SendQueue {
    fn default() -> Self {
        SendQueue::new(DEFAULT_MAX_QUEUE_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::EventKind;
    use crate::stream::{Step, StreamMachine, StreamRules};
    use crate::UsageKind;
    use std::collections::VecDeque;

    fn config(flavor: Flavor) -> ClientConfig {
        let mut c = ClientConfig::new(Some("sk-ws".into()), "https://api.openai.com/v1");
        c.adopt(flavor);
        c
    }

    #[test]
    fn the_upgrade_request_is_the_sdks_get_on_ws_responses() {
        let py = config(Flavor::OpenAIPython)
            .prepare_websocket(&RequestOptions::default())
            .unwrap();
        assert_eq!(py.url, "wss://api.openai.com/v1/responses");
        assert_eq!(py.headers.get("authorization"), Some("Bearer sk-ws"));
        assert_eq!(py.headers.get("accept"), Some("application/json"));
        assert_eq!(py.headers.get("content-type"), Some("application/json"));
        assert!(py.body.is_none());
        let node = config(Flavor::OpenAINode)
            .prepare_websocket(&RequestOptions::default())
            .unwrap();
        assert_eq!(node.headers.get("accept"), None);
        assert_eq!(node.headers.get("content-type"), None);
        let mut local = config(Flavor::OpenAIPython);
        local.base_url = "http://127.0.0.1:9/v1".into();
        let options = RequestOptions {
            query: Some(vec![("contract".into(), "1".into())]),
            ..Default::default()
        };
        let r = local.prepare_websocket(&options).unwrap();
        assert_eq!(r.url, "ws://127.0.0.1:9/v1/responses?contract=1");
        local.websocket_base_url = Some("wss://realtime.example/v2/".into());
        let r = local.prepare_websocket(&RequestOptions::default()).unwrap();
        assert_eq!(r.url, "wss://realtime.example/v2/responses");
        local.websocket_base_url = Some("ws://127.0.0.1:7/v1".into());
        let r = local.prepare_websocket(&options).unwrap();
        assert_eq!(r.url, "ws://127.0.0.1:7/v1/responses?contract=1");
    }

    #[test]
    fn a_create_body_becomes_a_response_create_message() {
        let m = create_message(
            br#"{"model":"gpt-5","input":"hi","stream":true,"background":false}"#,
            Some("lane-1"),
        )
        .unwrap();
        assert_eq!(
            m,
            r#"{"type":"response.create","model":"gpt-5","input":"hi","stream_id":"lane-1"}"#
        );
        assert_eq!(
            client_event_head(&m).kind.as_deref(),
            Some("response.create")
        );
        assert_eq!(message_stream_id(&m).as_deref(), Some("lane-1"));
        assert_eq!(message_stream_id(r#"{"type":"response.created"}"#), None);
        assert_eq!(client_event_head("not json"), MessageHead::default());
        assert!(create_message(b"[1]", None).is_err());
    }

    #[test]
    fn messages_read_as_sse_events_do() {
        let events = [
            r#"{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","output":[]}}"#,
            r#"{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message","role":"assistant","content":[]}}"#,
            r#"{"type":"response.content_part.added","sequence_number":2,"output_index":0,"content_index":0,"item_id":"msg_1","part":{"type":"output_text","text":""}}"#,
            r#"{"type":"response.output_text.delta","sequence_number":3,"output_index":0,"content_index":0,"item_id":"msg_1","delta":"Hi"}"#,
            r#"{"type":"response.completed","sequence_number":4,"response":{"id":"resp_1","object":"response","status":"completed","output":[{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"output_text","text":"Hi"}]}]}}"#,
        ];
        let machine = || {
            StreamMachine::new(
                EventKind::Responses,
                UsageKind::Response,
                StreamRules::strict(),
                None,
                1 << 20,
            )
        };
        let (mut ws, mut sse) = (machine(), machine());
        let (mut ws_out, mut sse_out) = (VecDeque::new(), VecDeque::new());
        for e in events {
            ws.feed_message(e, &mut ws_out);
            sse.feed(format!("data: {e}\n\n").as_bytes(), &mut sse_out);
        }
        assert_eq!(ws_out, sse_out);
        assert!(ws.is_complete());
        assert_eq!(ws.final_response(), sse.final_response());

        // An error event ends the response with the response so far.
        let mut m = machine();
        let mut out = VecDeque::new();
        m.feed_message(events[0], &mut out);
        m.feed_message(
            r#"{"type":"error","status":400,"error":{"type":"invalid_request_error","code":"previous_response_not_found","message":"gone"}}"#,
            &mut out,
        );
        match out.pop_back() {
            Some(Step::End(Err(e))) => {
                assert_eq!(e.to_string(), "gone");
                assert!(e.partial_response().is_some());
            }
            other => panic!("{other:?}"),
        }
        // A message over the limit is refused, not kept.
        let mut small = StreamMachine::new(
            EventKind::Responses,
            UsageKind::Response,
            StreamRules::strict(),
            None,
            16,
        );
        small.feed_message(events[0], &mut out);
        assert!(matches!(
            out.pop_back(),
            Some(Step::End(Err(Error::Sse { .. })))
        ));
    }

    #[test]
    fn reconnects_follow_the_sdks_backoff_on_recoverable_codes_only() {
        let p = ReconnectPolicy::default();
        assert_eq!(p.delay(1006, 1, 1.0), Some(Duration::from_millis(500)));
        assert_eq!(p.delay(1006, 1, 0.0), Some(Duration::from_millis(375)));
        assert_eq!(p.delay(1012, 3, 1.0), Some(Duration::from_secs(2)));
        // Capped at max_delay: 0.5 * 2^5 = 16 s > 8 s.
        let long = ReconnectPolicy {
            max_retries: 10,
            ..p
        };
        assert_eq!(long.delay(1001, 6, 1.0), Some(Duration::from_secs(8)));
        assert_eq!(p.delay(1006, 6, 1.0), None, "attempts spent");
        assert_eq!(p.delay(1006, 0, 1.0), None);
        for code in [1000, 1002, 1003, 1008, 1009, 4000] {
            assert_eq!(p.delay(code, 1, 1.0), None, "{code} is not recoverable");
        }
    }

    #[test]
    fn the_send_queue_keeps_order_and_refuses_past_its_size() {
        let mut q = SendQueue::new(10);
        assert!(q.push("abcd".into()));
        assert!(q.push("efgh".into()));
        assert!(!q.push("ijk".into()), "11 bytes > 10");
        assert_eq!(q.pop().as_deref(), Some("abcd"));
        assert!(q.push("ij".into()));
        q.unpop("abcd".into());
        assert_eq!(q.drain(), vec!["abcd", "efgh", "ij"]);
        assert!(q.is_empty());
        assert!(q.push("0123456789".into()));
    }
}
