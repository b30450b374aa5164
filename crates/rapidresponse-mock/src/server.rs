//! The HTTP side: the accept loop, per-connection control (reset with RST,
//! drop after a flush), the response body type, common headers, request
//! recording, fault selection, the API key check and routing. What each
//! endpoint answers lives in `responses` and `chat`.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, SizeHint};
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};

use crate::faults::{FaultQueue, FaultSpec};
use crate::json::{invalid_request, status_error_body, to_compact};
use crate::sse::{self, EventSource, StreamKind};
use crate::store::Store;
use crate::RecordedRequest;

/// Request bodies above this get a 413: a mock has no use for more.
const MAX_REQUEST_BODY: usize = 64 * 1024 * 1024;

/// Locks a mutex, ignoring poisoning: every critical section here leaves
/// the data consistent, so a panic elsewhere must not take the server down.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What every connection and request shares.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub api_key: Option<String>,
    id_counter: AtomicU64,
    request_counter: AtomicU64,
    pub requests: Mutex<Vec<RecordedRequest>>,
    pub faults: Mutex<FaultQueue>,
    pub store: Mutex<Store>,
    pub conversations: Mutex<crate::conversations::Conversations>,
    /// Fine-tuned models deleted so far (`DELETE /models/{id}`).
    pub deleted_models: Mutex<std::collections::HashSet<String>>,
    /// `prompt_cache_key`s seen so far: a second request with one is "cached".
    pub cache_keys: Mutex<std::collections::HashSet<String>>,
    /// Bodies to serve verbatim to the next API requests (recorded traffic).
    pub replays: Mutex<std::collections::VecDeque<Replay>>,
    /// Streams whose client went away before the stream ended (an abort,
    /// a `break`, a dropped stream): how tests see a disconnect.
    pub streams_abandoned: Arc<AtomicU64>,
    /// Benchmark bodies rendered so far, by shape and streaming.
    pub bench_bodies: Mutex<std::collections::HashMap<(crate::bench::Shape, bool), Bytes>>,
}

/// A body served as it is, with its status and content type.
#[derive(Clone, Debug)]
pub(crate) struct Replay {
    pub status: u16,
    pub content_type: String,
    pub body: Bytes,
}

impl State {
    pub fn new(api_key: Option<String>) -> State {
        State {
            api_key,
            ..State::default()
        }
    }

    /// `<prefix>_<32 hex digits>`, deterministic from a counter.
    pub fn next_id(&self, prefix: &str) -> String {
        let n = self.id_counter.fetch_add(1, Ordering::Relaxed) + 1;
        let high = crate::answer::splitmix64(n);
        let low = crate::answer::splitmix64(n ^ 0x5eed);
        format!("{prefix}_{high:016x}{low:016x}")
    }
}

/// Per-connection switches a handler or a body flips to end the
/// connection the way a fault asks.
#[derive(Debug, Default)]
pub(crate) struct ConnControl {
    /// Send FIN after the next flush and stop serving (`drop-after`).
    close_after_flush: AtomicBool,
    /// Close with RST instead of FIN (`reset`).
    reset_on_close: AtomicBool,
}

/// The TCP stream as hyper sees it, with the fault switches applied.
struct ConnIo {
    tcp: TcpStream,
    control: Arc<ConnControl>,
}

impl AsyncRead for ConnIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    /// hyper calls this once its buffer is written out, so everything sent
    /// so far is on the wire when a drop fault closes the stream here.
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(Pin::new(&mut self.tcp).poll_flush(cx))?;
        if self.control.close_after_flush.load(Ordering::Acquire) {
            ready!(Pin::new(&mut self.tcp).poll_shutdown(cx))?;
            // An error makes hyper stop without writing a chunked terminator.
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "mock fault: connection dropped",
            )));
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

impl Drop for ConnIo {
    fn drop(&mut self) {
        if self.control.reset_on_close.load(Ordering::Acquire) {
            // SO_LINGER 0 makes close send RST. The deprecation is about
            // non-zero linger blocking on drop; zero never blocks.
            #[allow(deprecated)]
            let _ = self.tcp.set_linger(Some(Duration::ZERO));
        }
    }
}

/// A piece of a streamed body, or the order to drop the connection.
pub(crate) enum BodyChunk {
    Data(Bytes),
    DropConnection,
}

/// The body of every response: all at once, or fed by a writer task.
pub(crate) struct MockBody {
    kind: BodyKind,
}

enum BodyKind {
    Full(Option<Bytes>),
    Channel {
        rx: mpsc::Receiver<BodyChunk>,
        control: Arc<ConnControl>,
        dropping: bool,
    },
}

impl MockBody {
    pub fn full(bytes: impl Into<Bytes>) -> MockBody {
        MockBody {
            kind: BodyKind::Full(Some(bytes.into())),
        }
    }

    pub fn empty() -> MockBody {
        MockBody {
            kind: BodyKind::Full(None),
        }
    }

    pub fn channel(rx: mpsc::Receiver<BodyChunk>, control: Arc<ConnControl>) -> MockBody {
        MockBody {
            kind: BodyKind::Channel {
                rx,
                control,
                dropping: false,
            },
        }
    }
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match &mut self.kind {
            BodyKind::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            BodyKind::Channel {
                rx,
                control,
                dropping,
            } => {
                if *dropping {
                    return Poll::Pending;
                }
                match ready!(rx.poll_recv(cx)) {
                    Some(BodyChunk::Data(bytes)) => Poll::Ready(Some(Ok(Frame::data(bytes)))),
                    Some(BodyChunk::DropConnection) => {
                        // Stay pending so hyper never ends the body; its
                        // next flush sees the switch and closes the stream.
                        control.close_after_flush.store(true, Ordering::Release);
                        *dropping = true;
                        cx.waker().wake_by_ref();
                        Poll::Pending
                    }
                    None => Poll::Ready(None),
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.kind, BodyKind::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            BodyKind::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            BodyKind::Full(None) => SizeHint::with_exact(0),
            BodyKind::Channel { .. } => SizeHint::default(),
        }
    }
}

/// A handler's answer before the common headers and faults are applied.
pub(crate) enum Reply {
    Json {
        status: u16,
        body: Value,
        headers: Vec<(&'static str, String)>,
    },
    Stream {
        source: EventSource,
        kind: StreamKind,
    },
    NoContent,
    /// A queued body, sent byte for byte.
    Raw(Replay),
    /// A prepared body sent in frames of 16 KiB (benchmark mode).
    Pieces(Replay),
    /// A hostile server's answer (`hostile=` faults).
    Hostile(crate::hostile::Answer),
}

impl Reply {
    /// A 200 with `body`, or the error reply a step returned.
    pub fn of(result: Result<Value, Reply>) -> Reply {
        match result {
            Ok(body) => Reply::ok(body),
            Err(reply) => reply,
        }
    }

    pub fn ok(body: Value) -> Reply {
        Reply::Json {
            status: 200,
            body,
            headers: Vec::new(),
        }
    }

    pub fn error(status: u16, body: Value) -> Reply {
        Reply::Json {
            status,
            body,
            headers: Vec::new(),
        }
    }
}

/// A request as the handlers see it: path without the `/v1` prefix and the
/// body parsed once.
pub(crate) struct ApiRequest {
    pub method: Method,
    /// The path with any `/v1` prefix removed, e.g. `/responses/resp_1`.
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    /// The body as JSON: `None` when empty, `Err` when not JSON.
    pub json: Option<Result<Value, ()>>,
}

impl ApiRequest {
    /// A query parameter's value (the first one), percent-decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k) == name).then(|| percent_decode(v))
        })
    }

    /// The body as a JSON object, or the API's 400 for anything else.
    pub fn json_object(&self) -> Result<&serde_json::Map<String, Value>, Reply> {
        match &self.json {
            Some(Ok(Value::Object(map))) => Ok(map),
            Some(Ok(other)) => Err(Reply::error(
                400,
                invalid_request(
                    &format!(
                        "Invalid type for request body: expected an object, but got {} instead.",
                        crate::json::type_name(other)
                    ),
                    None,
                    Some("invalid_type"),
                ),
            )),
            Some(Err(())) | None => Err(Reply::error(
                400,
                invalid_request(
                    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
                    None,
                    None,
                ),
            )),
        }
    }
}

/// Decodes a query component (`%XX` and `+`); a broken escape stays as it is.
fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Serves until `shutdown` fires; each connection on its own task.
pub(crate) async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    mut shutdown: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => {
                    let _ = tcp.set_nodelay(true);
                    tokio::spawn(serve_connection(tcp, state.clone()));
                }
                // Out of file descriptors and the like: back off, don't spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
        }
    }
}

/// Serves one connection with hyper, through `ConnIo` so faults can cut it.
async fn serve_connection(tcp: TcpStream, state: Arc<State>) {
    let control = Arc::new(ConnControl::default());
    let io = TokioIo::new(ConnIo {
        tcp,
        control: control.clone(),
    });
    let service = hyper::service::service_fn(move |req| {
        let (state, control) = (state.clone(), control.clone());
        async move { handle(state, control, req).await }
    });
    // A connection error (a client gone, a fault's abort) ends only this task.
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, service)
        .with_upgrades()
        .await;
}

/// The handler's way to make hyper close the connection without answering.
#[derive(Debug)]
struct AbortConnection;

impl std::fmt::Display for AbortConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("mock fault: connection reset")
    }
}

impl std::error::Error for AbortConnection {}

/// One request: read and record it, answer preflights and control calls,
/// pick its fault, then the API key check and the endpoint.
async fn handle(
    state: Arc<State>,
    control: Arc<ConnControl>,
    req: Request<hyper::body::Incoming>,
) -> Result<Response<MockBody>, AbortConnection> {
    let (mut parts, body) = req.into_parts();
    // Kept for a WebSocket upgrade (the Responses API's WebSocket mode).
    let on_upgrade = parts.extensions.remove::<hyper::upgrade::OnUpgrade>();
    let request_id = state.request_counter.fetch_add(1, Ordering::Relaxed) + 1;
    let preflight_headers = parts
        .headers
        .get("access-control-request-headers")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let is_control = parts.uri.path().starts_with("/__mock");
    let replier = Replier {
        common: CommonHeaders {
            request_id,
            preflight_headers,
            // A web page may call the API (the browser tests do); it may not
            // read or steer the mock's recordings and queues.
            cors: !is_control,
        },
        control,
        abandoned: state.streams_abandoned.clone(),
    };

    let body = match http_body_util::Limited::new(body, MAX_REQUEST_BODY)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let reply = Reply::error(
                413,
                invalid_request("The request body is too large.", None, None),
            );
            return Ok(replier.send(reply, &FaultSpec::default()));
        }
    };
    let full_path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let json = (!body.is_empty()).then(|| serde_json::from_slice::<Value>(&body).map_err(|_| ()));

    if let Some(rest) = full_path.strip_prefix("/bench/") {
        let reply = bench_reply(&state, rest, &body);
        return Ok(replier.send(reply, &FaultSpec::default()));
    }
    if is_control && !loopback_host(&parts.headers) {
        // DNS rebinding: a page on evil.example resolving to 127.0.0.1
        // would still send its own name as Host.
        let reply = Reply::error(
            403,
            invalid_request("/__mock is served to loopback hosts only", None, None),
        );
        return Ok(replier.send(reply, &FaultSpec::default()));
    }
    if !is_control {
        record(
            &state,
            &parts.method,
            &full_path,
            &query,
            &parts.headers,
            &body,
            &json,
        );
    }
    if parts.method == Method::OPTIONS {
        return Ok(replier.send(Reply::NoContent, &FaultSpec::default()));
    }
    if is_control {
        let reply = crate::control::handle(&state, &parts.method, &full_path, &query, &body);
        return Ok(replier.send(reply, &FaultSpec::default()));
    }

    let path = api_path(&full_path).to_owned();
    let mut request = ApiRequest {
        method: parts.method,
        path,
        query,
        headers: parts.headers,
        json,
    };

    let fault = match select_fault(&state, &mut request) {
        Ok(fault) => fault,
        Err(why) => {
            let reply = Reply::error(
                400,
                invalid_request(&why, Some("x-mock-fault"), Some("invalid_fault_spec")),
            );
            return Ok(replier.send(reply, &FaultSpec::default()));
        }
    };
    if let Some(status) = fault.redirect {
        let own_host = request.headers.get("host").and_then(|v| v.to_str().ok());
        let host = match (&fault.redirect_host, own_host) {
            // A host without a port keeps the request's port.
            (Some(h), Some(own)) if !h.contains(':') => match own.rsplit_once(':') {
                Some((_, port)) => format!("{h}:{port}"),
                None => h.clone(),
            },
            (Some(h), _) => h.clone(),
            (None, own) => own.unwrap_or("127.0.0.1").to_owned(),
        };
        let query = if request.query.is_empty() {
            String::new()
        } else {
            format!("?{}", request.query)
        };
        let reply = Reply::Json {
            status,
            body: serde_json::json!({}),
            headers: vec![("location", format!("http://{host}{full_path}{query}"))],
        };
        return Ok(replier.send(reply, &fault));
    }
    if fault.reset {
        replier
            .control
            .reset_on_close
            .store(true, Ordering::Release);
        return Err(AbortConnection);
    }
    if fault.hang {
        // Never answer; the task ends when the client closes the connection
        // or the server stops.
        std::future::pending::<()>().await;
    }
    if let Some(status) = fault.status {
        let mut headers = Vec::new();
        if let Some(ms) = &fault.retry_after_ms {
            headers.push(("retry-after-ms", ms.clone()));
        }
        if let Some(after) = &fault.retry_after {
            headers.push(("retry-after", after.clone()));
        }
        if let Some(retry) = fault.should_retry {
            headers.push(("x-should-retry", retry.to_string()));
        }
        let reply = Reply::Json {
            status,
            body: status_error_body(status),
            headers,
        };
        return Ok(replier.send(reply, &fault));
    }
    if let Some(reply) = check_api_key(&state, &request.headers) {
        return Ok(replier.send(reply, &fault));
    }
    if let Some(attack) = fault.hostile {
        let stream = request.query.split('&').any(|p| p == "stream=true")
            || matches!(&request.json, Some(Ok(body)) if body["stream"] == Value::Bool(true));
        let answer = crate::hostile::answer(attack, request.method.as_str(), &request.path, stream);
        return Ok(replier.send(Reply::Hostile(answer), &fault));
    }
    if crate::websocket::is_upgrade(&request.method, &request.path, &request.headers) {
        if let (Some(accept), Some(on_upgrade)) =
            (crate::websocket::accept_key(&request.headers), on_upgrade)
        {
            let headers = request.headers.clone();
            let state = state.clone();
            tokio::spawn(async move {
                if let Ok(upgraded) = on_upgrade.await {
                    crate::websocket::serve(state, upgraded, headers, fault).await;
                }
            });
            let mut response = Response::new(MockBody::empty());
            *response.status_mut() = hyper::StatusCode::SWITCHING_PROTOCOLS;
            let h = response.headers_mut();
            h.insert(
                "upgrade",
                hyper::header::HeaderValue::from_static("websocket"),
            );
            h.insert(
                "connection",
                hyper::header::HeaderValue::from_static("Upgrade"),
            );
            if let Ok(v) = hyper::header::HeaderValue::from_str(&accept) {
                h.insert("sec-websocket-accept", v);
            }
            return Ok(response);
        }
    }
    let replay = lock(&state.replays).pop_front();
    if let Some(replay) = replay {
        return Ok(replier.send(Reply::Raw(replay), &fault));
    }
    let reply = route(&state, &request, &fault);
    Ok(replier.send(reply, &fault))
}

/// Keeps a WebSocket client message for `requests()` (method `WS`, the
/// upgrade request's headers, the message as the body).
pub(crate) fn record_message(
    state: &State,
    headers: &HeaderMap,
    text: &[u8],
    json: &Result<Value, serde_json::Error>,
) {
    let json = Some(json.as_ref().ok().cloned().ok_or(()));
    let method = Method::from_bytes(b"WS").unwrap_or(Method::GET);
    let body = Bytes::copy_from_slice(text);
    record(state, &method, "/v1/responses", "", headers, &body, &json);
}

/// Keeps the request for `requests()` and `GET /__mock/requests`.
fn record(
    state: &State,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &Bytes,
    json: &Option<Result<Value, ()>>,
) {
    let mut recorded_headers = BTreeMap::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        // Keys are recorded masked: a recording can be read by anyone who
        // reaches the port, and a test only needs to tell keys apart.
        let value = if SECRET_HEADERS.contains(&name.as_str()) {
            mask_key(&value)
        } else {
            value.into_owned()
        };
        recorded_headers
            .entry(name.as_str().to_owned())
            .and_modify(|v: &mut String| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    let body = match json {
        None => None,
        Some(Ok(v)) => Some(v.clone()),
        Some(Err(())) => Some(Value::String(String::from_utf8_lossy(body).into_owned())),
    };
    let mut requests = lock(&state.requests);
    if requests.len() >= MAX_RECORDED {
        // The oldest go: a long-running mock must not grow without bound.
        requests.drain(..MAX_RECORDED / 2);
    }
    requests.push(RecordedRequest {
        method: method.as_str().to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers: recorded_headers,
        body,
    });
}

/// Requests kept for `/__mock/requests`; past this the older half goes.
pub const MAX_RECORDED: usize = 10_000;

/// Headers recorded masked (`mask_key`), never verbatim.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "api-key",
    "x-api-key",
    "proxy-authorization",
    "cookie",
];

/// Whether `Host` names this machine's loopback (any port), or is absent.
fn loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get("host").and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    matches!(name, "127.0.0.1" | "localhost" | "::1")
}

/// The model name that asks for a fault; the request then reads as this model.
const FAULT_MODEL_PREFIX: &str = "mock-fault:";
const FAULT_MODEL_STANDIN: &str = "gpt-4o-mini";

/// The fault for this request: the header, else the model name, else one
/// from the queue. The queue is only consumed when the request has neither.
pub(crate) fn select_fault(state: &State, request: &mut ApiRequest) -> Result<FaultSpec, String> {
    let from_request = |text: &str| {
        let spec = FaultSpec::parse(text)?;
        if spec.times.is_some() {
            return Err("times= applies to queued faults only (POST /__mock/faults)".to_owned());
        }
        Ok(spec)
    };
    if let Some(header) = request.headers.get("x-mock-fault") {
        let text = String::from_utf8_lossy(header.as_bytes()).into_owned();
        return from_request(&text);
    }
    if let Some(Ok(Value::Object(body))) = &mut request.json {
        if let Some(Value::String(model)) = body.get_mut("model") {
            if let Some(text) = model.strip_prefix(FAULT_MODEL_PREFIX) {
                let spec = from_request(text)?;
                *model = FAULT_MODEL_STANDIN.to_owned();
                return Ok(spec);
            }
        }
    }
    match lock(&state.faults).take() {
        Some(taken) => taken,
        None => Ok(FaultSpec::default()),
    }
}

/// The 401 when a key is configured and the request does not carry it.
fn check_api_key(state: &State, headers: &HeaderMap) -> Option<Reply> {
    let expected = state.api_key.as_deref()?;
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let api_key = headers
        .get("api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    let given = bearer.or(api_key);
    if given == Some(expected) {
        return None;
    }
    let message = match given {
        Some(key) if !key.is_empty() => format!(
            "Incorrect API key provided: {}. You can find your API key at https://platform.openai.com/account/api-keys.",
            mask_key(key)
        ),
        _ => "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).".to_owned(),
    };
    Some(Reply::error(
        401,
        invalid_request(&message, None, Some("invalid_api_key")),
    ))
}

/// The key as the API shows it: a few characters at each end, the rest
/// starred, so a log of the error never holds the key.
pub fn mask_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len().max(4));
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// The API path without its prefix: `/v1`, or Azure's `/openai/v1`,
/// `/openai/deployments/{name}` and `/openai` (the `api-version` query is
/// accepted and ignored), so Azure clients can be tested too.
fn api_path(full: &str) -> &str {
    let strip = |p: &str, prefix: &str| -> Option<usize> {
        p.strip_prefix(prefix)
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            .map(|rest| p.len() - rest.len())
    };
    if let Some(n) = strip(full, "/v1").or_else(|| strip(full, "/openai/v1")) {
        return &full[n..];
    }
    if let Some(n) = strip(full, "/openai/deployments") {
        let rest = &full[n..];
        // Skip the deployment name.
        let after = rest.trim_start_matches('/');
        return match after.find('/') {
            Some(i) => &after[i..],
            None => "",
        };
    }
    if let Some(n) = strip(full, "/openai") {
        return &full[n..];
    }
    full
}

#[cfg(test)]
#[test]
fn api_paths_of_openai_and_azure() {
    assert_eq!(api_path("/v1/responses"), "/responses");
    assert_eq!(api_path("/openai/v1/responses"), "/responses");
    assert_eq!(api_path("/openai/responses"), "/responses");
    assert_eq!(
        api_path("/openai/deployments/gpt-4o/chat/completions"),
        "/chat/completions"
    );
    assert_eq!(api_path("/v1x/responses"), "/v1x/responses");
    assert_eq!(api_path("/responses"), "/responses");
}

/// The endpoint for a method and a path (without `/v1`).
fn route(state: &Arc<State>, request: &ApiRequest, fault: &FaultSpec) -> Reply {
    use crate::{chat, conversations as conv, responses};
    let segments: Vec<&str> = request.path.trim_matches('/').split('/').collect();
    let method = &request.method;
    match (method.as_str(), segments.as_slice()) {
        ("POST", ["responses"]) => responses::create(state, request, fault),
        ("POST", ["responses", "compact"]) => responses::compact(state, request),
        ("POST", ["responses", "input_tokens"]) => responses::input_tokens(state, request),
        ("GET", ["responses", id]) => responses::retrieve(state, request, id),
        ("DELETE", ["responses", id]) => responses::delete(state, id),
        ("POST", ["responses", id, "cancel"]) => responses::cancel(state, id),
        ("GET", ["responses", id, "input_items"]) => responses::input_items(state, request, id),
        ("POST", ["chat", "completions"]) => chat::chat_completions(state, request, fault),
        ("POST", ["completions"]) => chat::completions(state, request, fault),
        ("GET", ["models"]) => crate::models::list(state),
        ("GET", ["models", id]) => crate::models::retrieve(state, id),
        ("DELETE", ["models", id]) => crate::models::delete(state, id),
        ("POST", ["conversations"]) => conv::create(state, request),
        ("GET", ["conversations", id]) => conv::retrieve(state, id),
        ("POST", ["conversations", id]) => conv::update(state, request, id),
        ("DELETE", ["conversations", id]) => conv::delete(state, id),
        ("POST", ["conversations", id, "items"]) => conv::add_items(state, request, id),
        ("GET", ["conversations", id, "items"]) => conv::list_items(state, request, id),
        ("GET", ["conversations", id, "items", item]) => conv::retrieve_item(state, id, item),
        ("DELETE", ["conversations", id, "items", item]) => conv::delete_item(state, id, item),
        _ => Reply::error(
            404,
            invalid_request(
                &format!("Invalid URL ({} /v1{})", method, request.path),
                None,
                None,
            ),
        ),
    }
}

/// A `/bench/<params>/v1/responses` answer, rendered on first use (see
/// `bench`).
fn bench_reply(state: &State, rest: &str, body: &[u8]) -> Reply {
    let (params, path) = match rest.strip_prefix("v1/") {
        Some(path) => ("", path),
        None => rest.split_once("/v1/").unwrap_or((rest, "")),
    };
    if !path.trim_end_matches('/').ends_with("responses") {
        return Reply::error(
            404,
            invalid_request("bench mode serves POST .../v1/responses only", None, None),
        );
    }
    let shape = match crate::bench::Shape::parse(params) {
        Ok(shape) => shape,
        Err(why) => {
            return Reply::error(
                400,
                invalid_request(&why, None, Some("invalid_bench_params")),
            )
        }
    };
    let has = |pattern: &[u8]| body.windows(pattern.len()).any(|w| w == pattern);
    let stream = has(b"\"stream\":true") || has(b"\"stream\": true");
    let mut bodies = lock(&state.bench_bodies);
    if bodies.len() >= 8 && !bodies.contains_key(&(shape, stream)) {
        // Each shape can be up to 1 GiB: keep a few, not every one asked for.
        bodies.clear();
    }
    let body = bodies
        .entry((shape, stream))
        .or_insert_with(|| {
            if stream {
                crate::bench::render_stream(&shape)
            } else {
                crate::bench::render_whole(&shape)
            }
        })
        .clone();
    Reply::Pieces(Replay {
        status: 200,
        content_type: if stream {
            "text/event-stream"
        } else {
            "application/json"
        }
        .to_owned(),
        body,
    })
}

/// Headers every response carries.
struct CommonHeaders {
    request_id: u64,
    /// `Access-Control-Request-Headers` of a preflight: echoed, because a
    /// `*` does not cover `Authorization` in browsers.
    preflight_headers: Option<String>,
    /// Whether the CORS headers are sent (not for `/__mock/*`).
    cors: bool,
}

const RATE_LIMIT_HEADERS: [(&str, &str); 6] = [
    ("x-ratelimit-limit-requests", "10000"),
    ("x-ratelimit-remaining-requests", "9999"),
    ("x-ratelimit-reset-requests", "6ms"),
    ("x-ratelimit-limit-tokens", "1000000"),
    ("x-ratelimit-remaining-tokens", "999000"),
    ("x-ratelimit-reset-tokens", "60ms"),
];

/// What every answer to one request needs besides its reply: the common
/// headers, the connection, and the counter of streams left mid-way.
struct Replier {
    common: CommonHeaders,
    control: Arc<ConnControl>,
    abandoned: Arc<AtomicU64>,
}

impl Replier {
    fn send(&self, reply: Reply, fault: &FaultSpec) -> Response<MockBody> {
        finish(reply, fault, &self.common, &self.control, &self.abandoned)
    }
}

/// Turns a reply into the HTTP response: status, body (streamed through a
/// writer when the fault or the reply asks for it) and headers.
fn finish(
    reply: Reply,
    fault: &FaultSpec,
    common: &CommonHeaders,
    control: &Arc<ConnControl>,
    abandoned: &Arc<AtomicU64>,
) -> Response<MockBody> {
    let (status, content_type, body, extra) = match reply {
        Reply::NoContent => (204, None, MockBody::empty(), Vec::new()),
        Reply::Json {
            status,
            body,
            headers,
        } => {
            let text = Bytes::from(to_compact(&body));
            let mut headers = headers;
            let body = match fault.slow {
                Some(slow) => {
                    headers.push(("content-length", text.len().to_string()));
                    sse::spawn_paced(text, slow, control.clone(), abandoned.clone())
                }
                None => MockBody::full(text),
            };
            (status, Some("application/json"), body, headers)
        }
        Reply::Stream { source, kind } => {
            let body = sse::spawn_writer(
                source,
                kind,
                fault.clone(),
                control.clone(),
                abandoned.clone(),
            );
            (200, Some("text/event-stream"), body, Vec::new())
        }
        Reply::Raw(replay) => {
            let headers = vec![("content-type", replay.content_type)];
            (replay.status, None, MockBody::full(replay.body), headers)
        }
        Reply::Pieces(replay) => {
            let headers = vec![("content-type", replay.content_type)];
            let body = sse::spawn_pieces(replay.body, 16 * 1024, control.clone());
            (replay.status, None, body, headers)
        }
        Reply::Hostile(answer) => {
            let body = answer.body.into_mock_body(control.clone());
            (
                answer.status,
                Some(answer.content_type),
                body,
                answer.headers,
            )
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    let mut set = |name: &str, value: &str| {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            // Insert: a reply's own header (a hostile rate limit) replaces
            // the usual one.
            headers.insert(name, value);
        }
    };
    if let Some(content_type) = content_type {
        set("content-type", content_type);
    }
    if content_type == Some("text/event-stream") {
        set("cache-control", "no-cache");
    }
    set("x-request-id", &format!("req_{}", common.request_id));
    set("openai-version", "2020-10-01");
    set("openai-processing-ms", "1");
    for (name, value) in RATE_LIMIT_HEADERS {
        set(name, value);
    }
    if common.cors {
        set("access-control-allow-origin", "*");
        set(
            "access-control-allow-headers",
            common.preflight_headers.as_deref().unwrap_or("*"),
        );
        set("access-control-allow-methods", "GET,POST,DELETE,OPTIONS");
        set("access-control-expose-headers", "*");
    }
    for (name, value) in &extra {
        set(name, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_masked_and_queries_decoded() {
        assert_eq!(mask_key("sk-test-0123456789abcd"), "sk-***************abcd");
        assert_eq!(mask_key("short"), "*****");
        assert!(!mask_key("sk-secret-value-123").contains("secret"));
        assert_eq!(percent_decode("a%20b+c%2"), "a b c%2");
        assert_eq!(percent_decode("%zz"), "%zz");
        let host = |h: &str| {
            let mut m = HeaderMap::new();
            m.insert("host", h.parse().unwrap());
            loopback_host(&m)
        };
        assert!(host("127.0.0.1:8080") && host("localhost") && host("[::1]:1"));
        assert!(!host("evil.example:8080") && !host("127.0.0.1.evil.example"));
    }
}
