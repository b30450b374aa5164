//! The Responses API's WebSocket mode on `GET /v1/responses` with
//! `Upgrade: websocket`: each `response.create` message runs the same
//! create as `POST /responses` (validation, planning, chaining, storage,
//! conversations, faults) and its events go out as text messages, one per
//! event, with the request's `stream_id` echoed; a refused create is an
//! `error` event and the connection stays open. Each lane (`stream_id`,
//! or none) answers its creates first in, first out; lanes run side by
//! side, their events interleaved. Faults come from the
//! upgrade request's `x-mock-fault` header (for every response of the
//! connection), a `mock-fault:` model, or the queue, one per create:
//! `drop-after=N` closes the TCP connection without a close frame (1006),
//! `stall-after=N` stops sending (on that lane), `think-ms=N` waits before the first event.
//! Responses created with `store: false` stay readable by
//! `previous_response_id` until their connection closes (the API's
//! connection-local cache). It does not parse HTTP.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use hyper::HeaderMap;
use serde_json::Value;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::faults::FaultSpec;
use crate::json::invalid_request;
use crate::server::{lock, ApiRequest, Reply, State};
use crate::sse::EventSource;

/// The largest client message accepted (the API's own limit is not
/// published; a create body is far smaller).
const MAX_MESSAGE: usize = 16 << 20;

/// Whether a request asks to become a WebSocket of the Responses API.
pub(crate) fn is_upgrade(method: &hyper::Method, path: &str, headers: &HeaderMap) -> bool {
    let has = |name: &str, token: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    };
    method == hyper::Method::GET
        && path.trim_end_matches('/') == "/responses"
        && has("upgrade", "websocket")
        && has("connection", "upgrade")
}

/// The `101 Switching Protocols` headers for the handshake's key.
pub(crate) fn accept_key(headers: &HeaderMap) -> Option<String> {
    let key = headers.get("sec-websocket-key")?;
    Some(tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes()))
}

/// Serves one upgraded connection until the client closes it.
pub(crate) async fn serve(
    state: Arc<State>,
    upgraded: hyper::upgrade::Upgraded,
    headers: HeaderMap,
    connection_fault: FaultSpec,
) {
    let io = hyper_util::rt::TokioIo::new(upgraded);
    let config = WebSocketConfig::default().max_message_size(Some(MAX_MESSAGE));
    let ws = WebSocketStream::from_raw_socket(
        io,
        tokio_tungstenite::tungstenite::protocol::Role::Server,
        Some(config),
    )
    .await;
    let (mut sink, mut stream) = ws.split();
    // Every lane's messages go out through one writer; a `drop-after`
    // fault ends the writer, and with it the connection (no close frame).
    let (out, mut outgoing) = tokio::sync::mpsc::unbounded_channel::<Out>();
    let writer = async move {
        while let Some(Out::Text(text)) = outgoing.recv().await {
            if sink.send(Message::text(text)).await.is_err() {
                return;
            }
        }
    };
    tokio::pin!(writer);
    let mut lanes: HashMap<Option<String>, tokio::sync::mpsc::UnboundedSender<Created>> =
        HashMap::new();
    let mut tasks = tokio::task::JoinSet::new();
    let mut local: Vec<String> = Vec::new();
    loop {
        let message = tokio::select! {
            _ = &mut writer => break,
            message = stream.next() => message,
        };
        let text = match message {
            Some(Ok(Message::Text(text))) => text.to_string(),
            Some(Ok(Message::Binary(_))) => {
                let error = error_event(400, "Binary messages are not supported.", None, None);
                let _ = out.send(Out::Text(error.to_string()));
                continue;
            }
            Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            Some(Ok(_)) => continue,
        };
        let created = create(&state, &headers, &connection_fault, &text, &mut local);
        let lane = match &created {
            Ok((_, _, lane)) => lane.clone(),
            Err(event) => event
                .get("stream_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
        };
        let created = created.unwrap_or_else(|event| (vec![event], FaultSpec::default(), None));
        // Each lane answers its creates in order; lanes run side by side.
        let queue = lanes.entry(lane).or_insert_with(|| {
            let (queue, work) = tokio::sync::mpsc::unbounded_channel();
            tasks.spawn(run_lane(work, out.clone()));
            queue
        });
        let _ = queue.send(created);
    }
    tasks.abort_all();
    // The connection-local cache goes with the connection.
    let mut store = lock(&state.store);
    for id in local {
        store.remove(&id);
    }
}

/// A message for the connection's writer.
enum Out {
    Text(String),
    /// Close the TCP connection without a close frame (1006).
    Drop,
}

/// Answers one lane's creates, one after another.
async fn run_lane(
    mut work: tokio::sync::mpsc::UnboundedReceiver<Created>,
    out: tokio::sync::mpsc::UnboundedSender<Out>,
) {
    while let Some((events, fault, stream_id)) = work.recv().await {
        if !send_events(&out, events, &fault, stream_id.as_deref()).await {
            return;
        }
    }
}

/// Sends a response's events; false when the connection is gone (or a
/// fault dropped it).
async fn send_events(
    out: &tokio::sync::mpsc::UnboundedSender<Out>,
    events: Vec<Value>,
    fault: &FaultSpec,
    stream_id: Option<&str>,
) -> bool {
    if let Some(ms) = fault.think_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    for (i, mut event) in events.into_iter().enumerate() {
        if fault.drop_after == Some(i) {
            let _ = out.send(Out::Drop);
            return false;
        }
        if fault.stall_after == Some(i) {
            std::future::pending::<()>().await;
        }
        if let (Some(id), Value::Object(map)) = (stream_id, &mut event) {
            map.insert("stream_id".into(), id.into());
        }
        if out.send(Out::Text(event.to_string())).is_err() {
            return false;
        }
    }
    true
}

type Created = (Vec<Value>, FaultSpec, Option<String>);

/// Runs one client message: the events of its response, or the `error`
/// event that answers it.
fn create(
    state: &Arc<State>,
    headers: &HeaderMap,
    connection_fault: &FaultSpec,
    text: &str,
    local: &mut Vec<String>,
) -> Result<Created, Value> {
    let json = serde_json::from_slice::<Value>(text.as_bytes());
    crate::server::record_message(state, headers, text.as_bytes(), &json);
    let Ok(Value::Object(mut body)) = json else {
        return Err(error_event(
            400,
            "The message is not a JSON object.",
            None,
            None,
        ));
    };
    let kind = body.remove("type");
    if kind.as_ref().and_then(Value::as_str) != Some("response.create") {
        let shown = kind.map_or("none".to_owned(), |k| k.to_string());
        return Err(error_event(
            400,
            &format!("Unsupported client event type: {shown}. Supported: response.create."),
            Some("type"),
            Some("invalid_value"),
        ));
    }
    let stream_id = body
        .remove("stream_id")
        .and_then(|v| v.as_str().map(str::to_owned));
    if body.get("background") == Some(&Value::Bool(true)) {
        return Err(error_event(
            400,
            "background is not supported over a WebSocket.",
            Some("background"),
            Some("invalid_value"),
        )
        .with_stream_id(stream_id.as_deref()));
    }
    let store = body.get("store") != Some(&Value::Bool(false));
    body.insert("stream".into(), true.into());
    // Stored either way: a store:false one only while this connection lasts.
    body.insert("store".into(), true.into());
    let mut request = ApiRequest {
        method: hyper::Method::POST,
        path: "/responses".into(),
        query: String::new(),
        headers: HeaderMap::new(),
        json: Some(Ok(Value::Object(body))),
    };
    let fault = match crate::server::select_fault(state, &mut request) {
        Ok(f) if f == FaultSpec::default() => connection_fault.clone(),
        Ok(f) => f,
        Err(why) => {
            return Err(
                error_event(400, &why, Some("model"), Some("invalid_fault_spec"))
                    .with_stream_id(stream_id.as_deref()),
            )
        }
    };
    match crate::responses::create(state, &request, &fault) {
        Reply::Stream {
            source: EventSource::Fixed(events),
            ..
        } => {
            let events: Vec<Value> = events.collect();
            if !store {
                if let Some(id) = events.first().and_then(|e| e["response"]["id"].as_str()) {
                    local.push(id.to_owned());
                }
            }
            Ok((events, fault, stream_id))
        }
        Reply::Json { status, body, .. } => {
            let mut event = serde_json::json!({"type": "error", "status": status});
            event["error"] = body.get("error").cloned().unwrap_or(body);
            Err(event.with_stream_id(stream_id.as_deref()))
        }
        _ => Err(error_event(
            500,
            "The mock cannot answer this over a WebSocket.",
            None,
            None,
        )),
    }
}

/// An `error` event as the WebSocket mode sends it.
fn error_event(status: u16, message: &str, param: Option<&str>, code: Option<&str>) -> Value {
    let mut event = serde_json::json!({"type": "error", "status": status});
    event["error"] = invalid_request(message, param, code)["error"].clone();
    event
}

trait WithStreamId {
    fn with_stream_id(self, id: Option<&str>) -> Value;
}

impl WithStreamId for Value {
    fn with_stream_id(mut self, id: Option<&str>) -> Value {
        if let (Some(id), Value::Object(map)) = (id, &mut self) {
            map.insert("stream_id".into(), id.into());
        }
        self
    }
}
