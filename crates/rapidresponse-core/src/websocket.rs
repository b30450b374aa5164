//! The Responses API's WebSocket mode, sans-IO: the upgrade request as
//! each SDK sends it (`ws(s)://<base>/responses`, the HTTP headers), the
//! `response.create` message a create body becomes, and the close codes
//! after which a connection may be opened again. Server messages are read
//! by `StreamMachine::feed_message`, one machine per response, so a
//! response yields over a WebSocket exactly what the same events give over
//! SSE. It opens no socket and keeps no connection state.

use serde_json::Value;

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

/// The `type` of a client event the caller built (`response.create`,
/// `response.steer`, ...), to know whether a response is now in flight.
pub fn client_event_type(message: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Typed {
        #[serde(rename = "type")]
        kind: Option<String>,
    }
    serde_json::from_str::<Typed>(message).ok()?.kind
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
        assert_eq!(client_event_type(&m).as_deref(), Some("response.create"));
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
}
