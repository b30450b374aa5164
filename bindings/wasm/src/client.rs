//! `NativeClient` and `NativeStream`, the classes the TypeScript layer
//! calls. Settings and call descriptions come in as JS objects read with
//! serde-wasm-bindgen (the client crate's `settings` types), request bodies
//! as JSON text the TypeScript layer wrote; answers, usage and errors go
//! out as JS values. Every decision (the request, retries, timeouts, which
//! events raise, how a stream ends, usage) is the Rust client's; shaping
//! results like openai-node is the TypeScript layer's.

use rapidresponse::core::{Delivery, Error, FinalError, Flavor, Headers, Price, SnapshotRef};
use rapidresponse::settings::{CallSpec, ReconnectAnswer, Settings};
use rapidresponse::{
    Answer, Client, EventStream, Reconnecting, RequestOptions, ResponsesConnection,
    ResponsesSender, UsageOf,
};
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

use crate::fetch::FetchTransport;
use crate::tasks::spawn;

/// At most this many events cross in one batch.
const BATCH_EVENTS: usize = 2048;

/// A Rust value as the JS value `JSON.parse` would give (plain objects,
/// not Maps).
fn to_js(value: &impl Serialize) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&serializer).unwrap_or_else(|_| {
        // An integer past 2^53 (a server's absurd token count) is refused
        // by the serializer: JSON.parse makes it the float JS would.
        serde_json::to_string(value)
            .ok()
            .and_then(|text| json_parse(&JsValue::from_str(&text)).ok())
            .unwrap_or(JsValue::NULL)
    })
}

/// A failure as the core's error report (`Error::report_json`), marked so
/// the TypeScript layer knows it from a JS error.
fn error_to_js(error: Error) -> JsValue {
    let mut report = error.report_json();
    if let Some(fields) = report.as_object_mut() {
        fields.insert("rapidresponse".into(), true.into());
    }
    to_js(&report)
}

fn config_error(message: String) -> JsValue {
    error_to_js(Error::Config(message))
}

fn headers_to_js(headers: &Headers) -> JsValue {
    let pairs: Vec<[&str; 2]> = headers.iter().map(|(k, v)| [k, v]).collect();
    to_js(&pairs)
}

fn set(target: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}

/// The client loop over fetch, for one `OpenAI` object of the TypeScript layer.
#[wasm_bindgen]
pub struct NativeClient {
    client: Client<FetchTransport>,
}

#[wasm_bindgen]
impl NativeClient {
    /// A client for the settings (`rapidresponse::settings::Settings`).
    #[wasm_bindgen(constructor)]
    pub fn new(settings: JsValue) -> Result<NativeClient, JsValue> {
        let settings: Settings = serde_wasm_bindgen::from_value(settings)
            .map_err(|e| config_error(format!("bad client settings: {e}")))?;
        let mut config = settings.config(Flavor::OpenAINode).map_err(error_to_js)?;
        config.user_agent = concat!("rapidresponse-js/", env!("CARGO_PKG_VERSION")).to_owned();
        Ok(NativeClient {
            client: Client::with_transport(config, FetchTransport::default()),
        })
    }

    /// Starts a call (`rapidresponse::settings::CallSpec`, the body as JSON
    /// text); the task gives `{status, headers, text, data}` for a whole
    /// answer (`data` parsed when the body is JSON) or a `NativeStream`.
    /// With `snapshots`, a stream's batches say where each delta's
    /// snapshot ends.
    pub fn call(
        &self,
        spec: JsValue,
        body: Option<String>,
        signal: Option<AbortSignal>,
        snapshots: bool,
    ) -> Result<u32, JsValue> {
        let spec: CallSpec = serde_wasm_bindgen::from_value(spec)
            .map_err(|e| config_error(format!("bad call description: {e}")))?;
        let (call, options) = spec
            .into_call(body.map(String::into_bytes), Flavor::OpenAINode)
            .map_err(error_to_js)?;
        // Each call's transport holds its abort signal.
        let client = match signal {
            Some(signal) => self.client.on_transport(FetchTransport {
                signal: Some(signal),
                open_socket: None,
            }),
            None => self.client.clone(),
        };
        let ready = client.prepare(&call, options).map_err(error_to_js)?;
        let usage = ready.prepared.usage;
        Ok(spawn(async move {
            match client.run(ready).await.map_err(error_to_js)? {
                Answer::Stream(stream) => Ok(NativeStream::new(*stream, snapshots).into()),
                Answer::Whole(answer) => {
                    let out = js_sys::Object::new();
                    set(&out, "status", &answer.http_status.into());
                    set(&out, "headers", &headers_to_js(&answer.http_headers));
                    let text = answer.parsed.0;
                    let json = answer
                        .http_headers
                        .get("content-type")
                        .is_some_and(|t| t.contains("json"))
                        || looks_like_json(&text);
                    if json {
                        // Parsed by JS from its own string: the body never
                        // enters wasm memory; usage is read off the object.
                        if let Ok(data) = json_parse(&text) {
                            client.record_answer(usage, &usage_of(&data));
                            set(&out, "data", &data);
                        }
                    }
                    set(&out, "text", &text);
                    Ok(out.into())
                }
            }
        }))
    }

    /// Opens a WebSocket of the Responses API (`spec`: the options of
    /// `responses.connect`, with `connect`: reconnect and queue settings);
    /// `open(url, headers)` makes the platform's WebSocket; `hook(attempt,
    /// maxAttempts, delayMs, closeCode)` is asked before each reconnect
    /// attempt (`false`: stop; a call description: its new options). The
    /// task gives a `NativeConnection`.
    pub fn connect(
        &self,
        spec: JsValue,
        open: js_sys::Function,
        hook: Option<js_sys::Function>,
    ) -> Result<u32, JsValue> {
        let spec: CallSpec = serde_wasm_bindgen::from_value(spec)
            .map_err(|e| config_error(format!("bad call description: {e}")))?;
        let connect = spec.connect.clone();
        let (_, options) = spec
            .into_call(None, Flavor::OpenAINode)
            .map_err(error_to_js)?;
        let policy = match &connect.reconnect {
            Some(r) if hook.is_some() => Some(r.policy(Flavor::OpenAINode).map_err(error_to_js)?),
            _ => None,
        };
        let client = self.client.on_transport(FetchTransport {
            signal: None,
            open_socket: Some(open),
        });
        Ok(spawn(async move {
            let mut conn = client
                .responses()
                .connect_with(options)
                .await
                .map_err(error_to_js)?;
            if let Some(bytes) = connect.max_queue_size {
                conn = conn.max_queue_bytes(bytes);
            }
            if let (Some(policy), Some(hook)) = (policy, hook) {
                conn = conn.reconnect_with(
                    policy,
                    move |event: &Reconnecting, options: &mut RequestOptions| {
                        ask(&hook, event, options)
                    },
                );
            }
            Ok(NativeConnection {
                sender: conn.sender(),
                conn: Rc::new(RefCell::new(Some(conn))),
            }
            .into())
        }))
    }

    /// Token totals and cost over the calls of this client.
    pub fn usage(&self) -> JsValue {
        to_js(&self.client.usage().to_json())
    }

    /// Sets a model's price in USD per million tokens.
    pub fn set_price(&self, model: &str, input: f64, cached_input: f64, output: f64) {
        self.client
            .set_price(model, Price::new(input, cached_input, output));
    }
}

/// An open WebSocket of the Responses API: `send(text)` and
/// `recv_batch()` start tasks; a batch is a stream's (`batch_to_js`,
/// without snapshots), or `null` when no response is in flight. Sends
/// never wait for a read.
#[wasm_bindgen]
pub struct NativeConnection {
    conn: Rc<RefCell<Option<ResponsesConnection<FetchTransport>>>>,
    sender: ResponsesSender<FetchTransport>,
}

#[wasm_bindgen]
impl NativeConnection {
    pub fn send(&self, text: String) -> u32 {
        let sender = self.sender.clone();
        spawn(async move {
            sender.send_text(text).await.map_err(error_to_js)?;
            Ok(JsValue::NULL)
        })
    }

    pub fn recv_batch(&self) -> u32 {
        let taken = self.conn.borrow_mut().take();
        let slot = self.conn.clone();
        spawn(async move {
            let Some(mut conn) = taken else {
                return Err(config_error(
                    "the connection is closed or being read".into(),
                ));
            };
            let next = conn.next_ready_deliveries(BATCH_EVENTS).await;
            *slot.borrow_mut() = Some(conn);
            match next {
                None => Ok(JsValue::NULL),
                Some(Err(e)) => Err(error_to_js(e)),
                Some(Ok(events)) => Ok(batch_to_js(&events, false)),
            }
        })
    }

    /// Responses sent and not finished (0 while a batch is being read).
    pub fn in_flight(&self) -> u32 {
        self.conn
            .borrow()
            .as_ref()
            .map_or(0, |c| c.in_flight() as u32)
    }

    /// The close code once the socket closed (undefined while open, or
    /// while a batch is being read).
    pub fn closed(&self) -> Option<u16> {
        self.conn
            .borrow()
            .as_ref()
            .and_then(|c| c.closed().map(|(code, _)| code))
    }

    /// How many times the connection was opened again after a drop (0
    /// while a batch is being read).
    pub fn reconnects(&self) -> u32 {
        self.conn
            .borrow()
            .as_ref()
            .map_or(0, |c| c.reconnects() as u32)
    }

    /// What a connection that ended for good never sent (JSON texts).
    pub fn take_unsent(&self) -> Vec<String> {
        self.conn
            .borrow()
            .as_ref()
            .map(|c| c.take_unsent())
            .unwrap_or_default()
    }

    /// Closes with code 1000, also while a batch is being read (the task
    /// ends when the close is sent).
    pub fn close(&self) -> u32 {
        let sender = self.sender.clone();
        spawn(async move {
            sender.close().await;
            Ok(JsValue::NULL)
        })
    }
}

enum StreamState {
    Idle(Box<EventStream<FetchTransport>>),
    /// A `next_batch` task holds the stream.
    Reading,
    Closed,
}

/// An open event stream: `next_batch()` starts a task that gives the
/// events of the next network chunk as `[count, "[e1,\re2,...]", ends]`
/// (`ends`: per event its snapshot's output index, content index + 1 or 0
/// for arguments, and end; empty without snapshots), or `null` at the end.
#[wasm_bindgen]
pub struct NativeStream {
    status: u16,
    headers: JsValue,
    snapshots: bool,
    state: Rc<RefCell<StreamState>>,
    /// What a closed stream still answers (the response so far).
    closed: Rc<RefCell<Option<Box<EventStream<FetchTransport>>>>>,
}

impl NativeStream {
    fn new(stream: EventStream<FetchTransport>, snapshots: bool) -> Self {
        NativeStream {
            status: stream.status(),
            headers: headers_to_js(stream.headers()),
            snapshots,
            state: Rc::new(RefCell::new(StreamState::Idle(Box::new(stream)))),
            closed: Rc::default(),
        }
    }

    fn with_stream<R>(&self, f: impl FnOnce(&EventStream<FetchTransport>) -> R) -> Option<R> {
        if let StreamState::Idle(s) = &*self.state.borrow() {
            return Some(f(s));
        }
        self.closed.borrow().as_deref().map(f)
    }
}

/// `[e1,\re2,\re3]`: one JSON.parse for the batch; CR never occurs in an
/// event's data (it ends SSE lines), so JS can also split on it to parse
/// one at a time.
#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a JS string, without copying it through wasm memory.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;
}

/// Whether a body without a JSON content type starts like JSON.
fn looks_like_json(text: &JsValue) -> bool {
    text.dyn_ref::<js_sys::JsString>()
        .map(|t| t.trim_start().char_code_at(0))
        .is_some_and(|c| c == f64::from(b'{') || c == f64::from(b'['))
}

/// The `model` and `usage` of a parsed answer (only those members cross).
fn usage_of(data: &JsValue) -> UsageOf {
    let member = |name: &str| js_sys::Reflect::get(data, &JsValue::from_str(name)).ok();
    UsageOf {
        model: member("model").and_then(|m| m.as_string()),
        usage: member("usage")
            .filter(JsValue::is_object)
            .and_then(|u| serde_wasm_bindgen::from_value(u).ok()),
    }
}

fn batch_to_js(batch: &[Delivery], snapshots: bool) -> JsValue {
    let len = batch.iter().map(|d| d.data.len() + 2).sum::<usize>() + 2;
    let mut joined = String::with_capacity(len);
    joined.push('[');
    for (i, d) in batch.iter().enumerate() {
        if i > 0 {
            joined.push_str(",\r");
        }
        joined.push_str(&d.data);
    }
    joined.push(']');
    let mut ends: Vec<u32> = Vec::new();
    if snapshots {
        for d in batch {
            let at = d.snapshot.unwrap_or(SnapshotRef {
                output_index: u32::MAX as usize,
                content_index: None,
                end: 0,
            });
            let ci = at.content_index.map_or(0, |c| c as u32 + 1);
            ends.extend([at.output_index as u32, ci, at.end as u32]);
        }
    }
    js_sys::Array::of3(
        &JsValue::from(batch.len() as u32),
        &JsValue::from_str(&joined),
        &js_sys::Uint32Array::from(ends.as_slice()),
    )
    .into()
}

#[wasm_bindgen]
impl NativeStream {
    #[wasm_bindgen(getter)]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// `[[name, value], ...]`.
    #[wasm_bindgen(getter)]
    pub fn headers(&self) -> JsValue {
        self.headers.clone()
    }

    /// Starts reading the next batch; a task id.
    pub fn next_batch(&self) -> Result<u32, JsValue> {
        let taken = std::mem::replace(&mut *self.state.borrow_mut(), StreamState::Reading);
        let mut stream = match taken {
            StreamState::Idle(s) => s,
            other => {
                let busy = matches!(other, StreamState::Reading);
                *self.state.borrow_mut() = other;
                return Ok(spawn(async move {
                    match busy {
                        true => Err(config_error("a batch is being read already".into())),
                        false => Ok(JsValue::NULL),
                    }
                }));
            }
        };
        let state = self.state.clone();
        let closed = self.closed.clone();
        let snapshots = self.snapshots;
        Ok(spawn(async move {
            let next = stream.next_batch(BATCH_EVENTS).await;
            // A close during the read wins: the stream stays closed.
            if matches!(*state.borrow(), StreamState::Reading) {
                *state.borrow_mut() = StreamState::Idle(stream);
            } else {
                stream.close();
                *closed.borrow_mut() = Some(stream);
            }
            match next {
                None => Ok(JsValue::NULL),
                Some(Err(e)) => Err(error_to_js(e)),
                Some(Ok(batch)) => Ok(batch_to_js(&batch, snapshots)),
            }
        }))
    }

    /// Drops the connection (the server sees the disconnect); the response
    /// so far stays readable.
    pub fn close(&self) {
        let old = std::mem::replace(&mut *self.state.borrow_mut(), StreamState::Closed);
        if let StreamState::Idle(mut s) = old {
            s.close();
            *self.closed.borrow_mut() = Some(s);
        }
    }

    /// The response so far.
    pub fn snapshot(&self) -> JsValue {
        self.with_stream(|s| to_js(&s.machine().accumulator().snapshot()))
            .unwrap_or(JsValue::UNDEFINED)
    }

    /// A delta's `snapshot`: its part's text (`content_index` + 1; 0 for a
    /// call's arguments) up to its end.
    pub fn snapshot_text(&self, output_index: u32, content: u32, end: u32) -> Option<String> {
        let at = SnapshotRef {
            output_index: output_index as usize,
            content_index: content.checked_sub(1).map(|c| c as usize),
            end: end as usize,
        };
        self.with_stream(|s| {
            s.machine()
                .accumulator()
                .snapshot_text(at)
                .map(str::to_owned)
        })
        .flatten()
    }

    /// The final response under openai-node's rule (the response so far),
    /// or a failure when no event came at all.
    pub fn final_response(&self) -> Result<JsValue, JsValue> {
        match self.with_stream(|s| s.machine().final_response()) {
            Some(Ok(v)) => Ok(to_js(&v)),
            Some(Err(FinalError::NoEvents)) | None => Err(config_error(
                "request ended without sending any events".into(),
            )),
            Some(Err(_)) => Err(config_error(
                "stream ended without producing a Response".into(),
            )),
        }
    }
}

/// Asks the JS hook about a reconnect attempt: `false` (or a throw)
/// stops, `undefined` / `null` goes on as is, a call description replaces
/// the upgrade's options (`ReconnectAnswer` applies it).
fn ask(hook: &js_sys::Function, event: &Reconnecting, options: &mut RequestOptions) -> bool {
    let args = js_sys::Array::of4(
        &event.attempt.into(),
        &event.max_attempts.into(),
        &(event.delay.as_secs_f64() * 1000.0).into(),
        &event.close_code.into(),
    );
    let answer = match hook.apply(&JsValue::NULL, &args) {
        Err(_) => ReconnectAnswer::Stop,
        Ok(a) if a.is_undefined() || a.is_null() => ReconnectAnswer::Keep,
        Ok(a) => match a.as_bool() {
            Some(true) => ReconnectAnswer::Keep,
            Some(false) => ReconnectAnswer::Stop,
            None => ReconnectAnswer::Replace(
                serde_wasm_bindgen::from_value::<CallSpec>(a)
                    .ok()
                    .map(Box::new),
            ),
        },
    };
    answer.apply(Flavor::OpenAINode, options)
}
