//! `NativeClient` and `NativeStream`, the classes the TypeScript layer
//! calls: settings come in as JSON text, request bodies as JSON text the
//! TypeScript layer wrote, and answers go out as text for `JSON.parse` (a
//! body, or the events of one network chunk as one JSON array). Status,
//! errors, retries and timeouts are the client loop's; shaping the results
//! like openai-node is the TypeScript layer's.

use rapidresponse::core::{
    AzureAuth, ErrorBody, Method, Price, Provider, RetryPolicy, Secret, TimeoutKind,
};
use rapidresponse::{
    CallOptions, Client, ClientConfig, CountUsage, Error, Headers, RawEventStream, Timeouts,
};
use serde::Deserialize;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

use crate::fetch::FetchTransport;
use crate::tasks::spawn;

/// The client settings, resolved by the TypeScript layer (environment,
/// defaults).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Settings {
    #[serde(rename = "baseURL")]
    base_url: String,
    api_key: Option<String>,
    organization: Option<String>,
    project: Option<String>,
    max_retries: u32,
    /// Milliseconds.
    timeout: f64,
    #[serde(default)]
    default_headers: Vec<(String, Option<String>)>,
    #[serde(default)]
    default_query: Vec<(String, String)>,
    azure: Option<AzureSettings>,
    /// Tests scale the backoff down; the shape stays openai-node's.
    #[serde(default)]
    retry_delay_scale: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzureSettings {
    endpoint: Option<String>,
    api_version: Option<String>,
    deployment: Option<String>,
}

/// One call, as the TypeScript layer describes it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Call {
    method: String,
    path: String,
    #[serde(default)]
    query: Vec<(String, String)>,
    /// Per-call headers; `null` removes a default one.
    #[serde(default)]
    headers: Vec<(String, Option<String>)>,
    /// The model, which picks the Azure deployment.
    model: Option<String>,
    /// Milliseconds; the client's when absent.
    timeout: Option<f64>,
    max_retries: Option<u32>,
    /// What to count the usage of: "responses" (a created response),
    /// "completions" (a chat or legacy completion), or nothing.
    #[serde(default)]
    usage: Option<String>,
}

fn millis(ms: f64) -> Result<Duration, JsValue> {
    if ms.is_finite() && ms >= 0.0 {
        Ok(Duration::from_secs_f64(ms / 1000.0))
    } else {
        Err(config_error(
            "timeout must be a non-negative number of milliseconds",
        ))
    }
}

/// openai-node's timeout: the wait for the response (and a non-stream
/// body); a stream, once open, has none.
fn node_timeouts(d: Duration) -> Timeouts {
    Timeouts {
        connect: d,
        response: d,
        read: d,
    }
}

fn headers_from(pairs: Vec<(String, Option<String>)>, into: &mut Headers) {
    for (name, value) in pairs {
        match value {
            Some(v) => into.set(name, v),
            None => into.remove(&name),
        }
    }
}

/// The client loop over fetch, for one `OpenAI` object of the TypeScript layer.
#[wasm_bindgen]
pub struct NativeClient {
    client: Client<FetchTransport>,
}

#[wasm_bindgen]
impl NativeClient {
    /// Builds a client from its settings as JSON text.
    #[wasm_bindgen(constructor)]
    pub fn new(settings: &str) -> Result<NativeClient, JsValue> {
        let s: Settings = serde_json::from_slice(settings.as_bytes())
            .map_err(|e| config_error(&format!("bad client settings: {e}")))?;
        let mut config = ClientConfig::new(s.api_key.clone().map(Secret::new), s.base_url);
        config.organization = s.organization;
        config.project = s.project;
        headers_from(s.default_headers, &mut config.default_headers);
        config.default_query = s.default_query;
        config.timeouts = node_timeouts(millis(s.timeout)?);
        let mut retry = RetryPolicy::openai_node();
        retry.max_retries = s.max_retries;
        if let Some(scale) = s.retry_delay_scale {
            retry = retry
                .with_delays_scaled(scale)
                .ok_or_else(|| config_error("retryDelayScale must be positive"))?;
        }
        config.retry = retry;
        config.user_agent = concat!("rapidresponse-js/", env!("CARGO_PKG_VERSION")).to_owned();
        if let Some(azure) = s.azure {
            // An Entra ID token comes per call from the TypeScript layer
            // (`azureADTokenProvider`), as an Authorization header.
            let auth = s.api_key.map(|k| AzureAuth::ApiKey(Secret::new(k)));
            config.provider = Provider::Azure {
                endpoint: azure.endpoint,
                api_version: azure.api_version,
                deployment: azure.deployment,
                auth,
            };
        }
        Ok(NativeClient {
            client: Client::with_transport(config, FetchTransport::default()),
        })
    }

    /// Starts a call whose whole answer is wanted; the task gives
    /// `{status, headers, body}` with the body as JS text, read by fetch
    /// itself (it never passes through wasm memory).
    pub fn request(
        &self,
        call: &str,
        body: Option<String>,
        signal: Option<AbortSignal>,
    ) -> Result<u32, JsValue> {
        let (client, request, options, _) = self.prepare(call, body, signal, false)?;
        Ok(spawn(async move {
            let timeout = options
                .timeouts
                .unwrap_or(client.config().timeouts)
                .response;
            let mut head = client
                .open_stream(request, &options)
                .await
                .map_err(error_to_js)?;
            // The response timeout covers the body too, afresh: the loop's
            // covered the wait for the headers (and retried it).
            let text = match client.within(timeout, head.body.text()).await {
                Some(Ok(text)) => text,
                Some(Err(e)) => return Err(error_to_js(e.into_error())),
                None => {
                    return Err(error_to_js(Error::Timeout {
                        kind: TimeoutKind::Response,
                        partial: None,
                    }))
                }
            };
            let out = js_sys::Object::new();
            set(&out, "status", head.status.into());
            set(&out, "headers", headers_to_js(&head.headers));
            set(&out, "body", text);
            Ok(out.into())
        }))
    }

    /// Starts a streamed call; the task gives a `NativeStream` once the
    /// response headers are in.
    pub fn stream(
        &self,
        call: &str,
        body: Option<String>,
        signal: Option<AbortSignal>,
    ) -> Result<u32, JsValue> {
        let (client, request, options, count) = self.prepare(call, body, signal, true)?;
        Ok(spawn(async move {
            let stream = client
                .open_raw_stream(request, options, count)
                .await
                .map_err(error_to_js)?;
            let native = NativeStream {
                status: stream.status(),
                headers: headers_to_js(stream.headers()),
                state: Rc::new(RefCell::new(StreamState::Idle(Box::new(stream)))),
            };
            Ok(native.into())
        }))
    }

    /// Token totals and cost over the calls of this client, as JSON text.
    pub fn usage(&self) -> String {
        let totals = self.client.usage();
        let counts = |c: &rapidresponse::core::TokenCounts| {
            json!({
                "input_tokens": c.input_tokens,
                "cached_input_tokens": c.cached_input_tokens,
                "output_tokens": c.output_tokens,
                "reasoning_tokens": c.reasoning_tokens,
                "total_tokens": c.total_tokens,
            })
        };
        let by_model: serde_json::Map<String, Value> = totals
            .by_model
            .iter()
            .map(|(m, c)| (m.clone(), counts(c)))
            .collect();
        json!({
            "responses": totals.responses,
            "tokens": counts(&totals.tokens),
            "cost_usd": totals.cost_usd(),
            "unpriced_models": totals.unpriced_models,
            "by_model": by_model,
        })
        .to_string()
    }

    /// Counts a whole answer's usage, given as `{"model": ..., "usage": {...}}`
    /// cut from the parsed object by JS (the body itself never passes
    /// through wasm): `kind` "responses" or "completions" (chat and legacy).
    pub fn record_usage(&self, kind: &str, model_and_usage: &str) {
        match kind {
            "responses" => {
                self.client.record_response_body(model_and_usage.as_bytes());
            }
            _ => self
                .client
                .record_completion_body(model_and_usage.as_bytes()),
        }
    }

    /// Sets a model's price in USD per million tokens.
    pub fn set_price(&self, model: &str, input: f64, cached_input: f64, output: f64) {
        self.client
            .set_price(model, Price::new(input, cached_input, output));
    }
}

impl NativeClient {
    fn prepare(
        &self,
        call: &str,
        body: Option<String>,
        signal: Option<AbortSignal>,
        stream: bool,
    ) -> Result<
        (
            Client<FetchTransport>,
            rapidresponse::core::HttpRequest,
            CallOptions,
            CountUsage,
        ),
        JsValue,
    > {
        let call: Call = serde_json::from_slice(call.as_bytes())
            .map_err(|e| config_error(&format!("bad call description: {e}")))?;
        let method = Method::parse(&call.method)
            .ok_or_else(|| config_error(&format!("unsupported method {}", call.method)))?;
        let mut options = CallOptions::new();
        headers_from(call.headers, &mut options.request.headers);
        options.request.query = call.query;
        if let Some(ms) = call.timeout {
            options.timeouts = Some(node_timeouts(millis(ms)?));
        }
        options.max_retries = call.max_retries;
        let count = match call.usage.as_deref() {
            Some("responses") => CountUsage::FromResponseEvents,
            Some("completions") => CountUsage::FromChunks,
            _ => CountUsage::No,
        };
        let request = self
            .client
            .config()
            .build_bytes(
                method,
                &call.path,
                body.map(String::into_bytes),
                call.model.as_deref(),
                stream,
                &options.request,
            )
            .map_err(error_to_js)?;
        let client = match signal {
            Some(signal) => self.client.on_transport(FetchTransport {
                signal: Some(signal),
            }),
            None => self.client.clone(),
        };
        Ok((client, request, options, count))
    }
}

enum StreamState {
    Idle(Box<RawEventStream<FetchTransport>>),
    /// A `next_batch` task holds the stream.
    Reading,
    Closed,
}

/// An open event stream: `next_batch()` starts a task that gives the
/// events of the next network chunk as `[count, "[e1,\re2,...]"]`, or
/// `null` at the end.
#[wasm_bindgen]
pub struct NativeStream {
    status: u16,
    headers: JsValue,
    state: Rc<RefCell<StreamState>>,
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
                    if busy {
                        Err(config_error("a batch is being read already"))
                    } else {
                        Ok(JsValue::NULL)
                    }
                }));
            }
        };
        let state = self.state.clone();
        Ok(spawn(async move {
            let next = stream.next_frames().await;
            // A close during the read wins: the stream is dropped here.
            if matches!(*state.borrow(), StreamState::Reading) {
                *state.borrow_mut() = StreamState::Idle(stream);
            }
            match next {
                None => Ok(JsValue::NULL),
                Some(Err(e)) => Err(error_to_js(e)),
                Some(Ok(frames)) => {
                    // `[e1,\re2,\re3]`: one JSON.parse for the batch; CR
                    // never occurs in an event's data (it ends SSE lines),
                    // so JS can also split on it to parse one at a time.
                    let len = frames.iter().map(|f| f.data.len() + 2).sum::<usize>() + 2;
                    let mut joined = String::with_capacity(len);
                    joined.push('[');
                    for (i, frame) in frames.iter().enumerate() {
                        if i > 0 {
                            joined.push_str(",\r");
                        }
                        joined.push_str(&frame.data);
                    }
                    joined.push(']');
                    Ok(js_sys::Array::of2(
                        &JsValue::from(frames.len() as u32),
                        &JsValue::from_str(&joined),
                    )
                    .into())
                }
            }
        }))
    }

    /// Drops the connection (the server sees the disconnect).
    pub fn close(&self) {
        let old = std::mem::replace(&mut *self.state.borrow_mut(), StreamState::Closed);
        drop(old);
    }
}

fn set(target: &js_sys::Object, key: &str, value: JsValue) {
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), &value);
}

fn headers_to_js(headers: &Headers) -> JsValue {
    let out = js_sys::Array::new();
    for (k, v) in headers.iter() {
        out.push(&js_sys::Array::of2(
            &JsValue::from_str(k),
            &JsValue::from_str(v),
        ));
    }
    out.into()
}

fn config_error(message: &str) -> JsValue {
    error_object("config", message)
}

fn error_object(kind: &str, message: &str) -> JsValue {
    let out = js_sys::Object::new();
    set(&out, "rapidresponse", JsValue::TRUE);
    set(&out, "kind", JsValue::from_str(kind));
    set(&out, "message", JsValue::from_str(message));
    out.into()
}

/// A failure as a plain object the TypeScript layer turns into openai-node's
/// error class: `{kind, message}` plus, for an HTTP error, `status`,
/// `headers` and `body` (the response text).
fn error_to_js(error: Error) -> JsValue {
    let kind = match &error {
        Error::Api(_) => "api",
        Error::Connection { .. } | Error::IncompleteStream { .. } => "connection",
        Error::Timeout { .. } => "timeout",
        Error::Cancelled => "aborted",
        Error::Sse { .. } | Error::Decode(_) => "decode",
        Error::StreamError { .. } => "stream_error",
        Error::Config(_) => "config",
        _ => "other",
    };
    let out = error_object(kind, &error.to_string());
    if let Error::Api(api) = &error {
        let out: &js_sys::Object = out.unchecked_ref();
        set(out, "status", api.status.into());
        set(out, "headers", headers_to_js(&api.headers));
        let body = match &api.body {
            ErrorBody::Json(v) => Some(v.to_string()),
            ErrorBody::Text(t) => Some(t.clone()),
            ErrorBody::Empty => None,
        };
        if let Some(b) = body {
            set(out, "body", JsValue::from_str(&b));
        }
    }
    out
}
