//! The `Transport` trait: how the client loop sends a request, reads a body
//! chunk by chunk, sleeps, draws jitter and reads the clock. It knows
//! nothing about the API; the client loop knows nothing about sockets.
//!
//! Natively the transport and its futures are `Send` (`MaybeSend`), so the
//! client's futures are too and users can `tokio::spawn` them; on wasm32 a
//! fetch transport holds JS values, and nothing needs to be `Send`.

use bytes::Bytes;
use rapidresponse_core::{Error, Headers, HttpRequest, TimeoutKind};
use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// What went wrong below HTTP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// The connection could not be made (refused, DNS, TLS).
    Connect,
    /// The connect timeout ran out.
    ConnectTimeout,
    /// The connection dropped while the body was being read.
    Body,
    /// The caller aborted the request (an `AbortSignal` in the browser):
    /// never retried.
    Aborted,
    /// The transport will not send or follow: too many redirects, a
    /// redirect to another scheme, an invalid header value. Never retried
    /// (the same request would be refused again).
    Refused,
    /// Anything else (a request the transport could not build, ...).
    Other,
}

/// A failure below HTTP, with a message that never holds a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportError {
    pub kind: TransportErrorKind,
    pub message: String,
}

impl TransportError {
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError {
            kind,
            message: message.into(),
        }
    }

    /// A request the transport will not send or follow (never retried).
    pub fn refused(message: impl Into<String>) -> Self {
        TransportError::new(TransportErrorKind::Refused, message)
    }

    /// The call's error for this failure (before any partial response is
    /// attached): an abort is `Cancelled`, a connect timeout a `Timeout`,
    /// anything else a `Connection` error.
    pub fn into_error(self) -> Error {
        match self.kind {
            TransportErrorKind::Aborted => Error::Cancelled,
            TransportErrorKind::ConnectTimeout => Error::Timeout {
                kind: TimeoutKind::Connect,
                partial: None,
            },
            _ => Error::Connection {
                message: self.message,
                partial: None,
            },
        }
    }
}

/// Status and headers, with the body still to read.
#[derive(Debug)]
pub struct HttpResponse<B> {
    pub status: u16,
    pub headers: Headers,
    pub body: B,
}

/// `Send` natively; nothing on wasm32, where a browser's values are not.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + ?Sized> MaybeSend for T {}
/// `Send` natively; nothing on wasm32, where a browser's values are not.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSend for T {}

/// `Send + Sync` natively; nothing on wasm32.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSync: Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Sync + ?Sized> MaybeSync for T {}
/// `Send + Sync` natively; nothing on wasm32.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSync {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSync for T {}

/// A boxed future, `Send` where futures need to be.
#[cfg(not(target_arch = "wasm32"))]
pub type BoxFuture<T> = std::pin::Pin<Box<dyn Future<Output = T> + Send>>;
/// A boxed future, `Send` where futures need to be.
#[cfg(target_arch = "wasm32")]
pub type BoxFuture<T> = std::pin::Pin<Box<dyn Future<Output = T>>>;

/// A response body read chunk by chunk; `None` is its end.
pub trait Body: MaybeSend {
    fn next_chunk(
        &mut self,
    ) -> impl Future<Output = Option<Result<Bytes, TransportError>>> + MaybeSend;
}

/// A whole body as a transport keeps it: bytes natively; the fetch
/// transport keeps a body as a JS string, which never crosses into wasm
/// memory unless it is an error to read.
pub trait WholeBody: MaybeSend + Sized + 'static {
    fn from_bytes(bytes: Vec<u8>) -> Self;
    /// The bytes, for an error body or a shell that reads bytes.
    fn into_bytes(self) -> Vec<u8>;
    /// The bytes when they are at hand without a copy.
    fn as_bytes(&self) -> Option<&[u8]>;
}

impl WholeBody for Vec<u8> {
    fn from_bytes(bytes: Vec<u8>) -> Self {
        bytes
    }
    fn into_bytes(self) -> Vec<u8> {
        self
    }
    fn as_bytes(&self) -> Option<&[u8]> {
        Some(self)
    }
}

/// The rest of `body`, sized once from the `content-length` in `headers`
/// (capped so that a lying header cannot reserve unbounded memory), and at
/// most `limit` bytes: past that, an error that says so.
pub async fn read_to_end<B: Body>(
    body: &mut B,
    headers: &Headers,
    limit: usize,
) -> Result<Vec<u8>, TransportError> {
    let expected = headers
        .get("content-length")
        .and_then(|v| v.trim().parse::<usize>().ok());
    if expected.is_some_and(|n| n > limit) {
        return Err(body_over(limit));
    }
    let mut out = Vec::with_capacity(expected.unwrap_or(0).min(64 << 20));
    while let Some(chunk) = body.next_chunk().await {
        let chunk = chunk?;
        if out.len().saturating_add(chunk.len()) > limit {
            return Err(body_over(limit));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// The error for a body over `limit` bytes (never retried: it would be as
/// long again).
pub fn body_over(limit: usize) -> TransportError {
    TransportError::refused(format!(
        "the response body is longer than the limit of {limit} bytes (max_body_bytes)"
    ))
}

/// Sends requests and provides time and randomness to the client loop.
pub trait Transport: Clone + MaybeSend + MaybeSync + 'static {
    type Body: Body + 'static;
    /// How this transport hands over a whole body.
    type Whole: WholeBody;

    /// Sends `request`; resolves when the status and headers have arrived.
    fn send(
        &self,
        request: HttpRequest,
        connect_timeout: Duration,
    ) -> impl Future<Output = Result<HttpResponse<Self::Body>, TransportError>> + MaybeSend;

    /// Sends `request` and reads its whole body, at most `max_body_bytes`:
    /// status, headers, body.
    /// The default is `send`, then every chunk; a transport may do it its
    /// own way (the native one runs it on a runtime thread, the fetch one
    /// reads the body as JS text).
    fn send_whole(
        &self,
        request: HttpRequest,
        connect_timeout: Duration,
        max_body_bytes: usize,
    ) -> impl Future<Output = Result<(u16, Headers, Self::Whole), TransportError>> + MaybeSend {
        async move {
            let mut response = self.send(request, connect_timeout).await?;
            let body = read_to_end(&mut response.body, &response.headers, max_body_bytes).await?;
            Ok((
                response.status,
                response.headers,
                Self::Whole::from_bytes(body),
            ))
        }
    }

    /// Resolves after `duration`.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + MaybeSend;

    /// A number uniform in [0, 1) for retry jitter.
    fn jitter(&self) -> f64;

    /// The wall clock, for `retry-after` HTTP dates.
    fn now(&self) -> SystemTime;
}

/// A canned answer of the in-memory transport.
#[derive(Clone, Debug)]
pub enum CannedResponse {
    /// A response: status, headers and the body in chunks.
    Http {
        status: u16,
        headers: Headers,
        chunks: Vec<Bytes>,
        /// Fail with a dropped connection after the chunks.
        then_drop: bool,
    },
    /// A failure before the headers.
    Fail(TransportError),
}

impl CannedResponse {
    /// A 200 JSON body.
    pub fn json(body: &serde_json::Value) -> Self {
        CannedResponse::Http {
            status: 200,
            headers: [("content-type", "application/json")].into_iter().collect(),
            chunks: vec![Bytes::from(body.to_string())],
            then_drop: false,
        }
    }

    /// A response with a status and a text body.
    pub fn status(status: u16, body: &str) -> Self {
        CannedResponse::Http {
            status,
            headers: Headers::new(),
            chunks: vec![Bytes::copy_from_slice(body.as_bytes())],
            then_drop: false,
        }
    }
}

/// An in-memory transport for unit tests: answers requests from a queue
/// and records them; sleeping takes no time.
#[derive(Clone, Default)]
pub struct MemoryTransport {
    state: Arc<Mutex<MemoryState>>,
}

#[derive(Default)]
struct MemoryState {
    queue: VecDeque<CannedResponse>,
    requests: Vec<HttpRequest>,
    slept: Vec<Duration>,
}

impl MemoryTransport {
    pub fn new(answers: impl IntoIterator<Item = CannedResponse>) -> Self {
        let t = MemoryTransport::default();
        t.state.lock().unwrap().queue.extend(answers);
        t
    }

    /// The requests sent so far.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The sleeps asked for so far (the retry delays).
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state.lock().unwrap().slept.clone()
    }
}

/// The body of a canned response.
pub struct MemoryBody {
    chunks: VecDeque<Bytes>,
    then_drop: bool,
}

impl Body for MemoryBody {
    async fn next_chunk(&mut self) -> Option<Result<Bytes, TransportError>> {
        match self.chunks.pop_front() {
            Some(c) => Some(Ok(c)),
            None if self.then_drop => {
                self.then_drop = false;
                Some(Err(TransportError::new(
                    TransportErrorKind::Body,
                    "connection reset",
                )))
            }
            None => None,
        }
    }
}

impl Transport for MemoryTransport {
    type Body = MemoryBody;
    type Whole = Vec<u8>;

    async fn send(
        &self,
        request: HttpRequest,
        _connect_timeout: Duration,
    ) -> Result<HttpResponse<MemoryBody>, TransportError> {
        let answer = {
            let mut s = self.state.lock().unwrap();
            s.requests.push(request);
            s.queue.pop_front()
        };
        match answer {
            Some(CannedResponse::Http {
                status,
                headers,
                chunks,
                then_drop,
            }) => Ok(HttpResponse {
                status,
                headers,
                body: MemoryBody {
                    chunks: chunks.into(),
                    then_drop,
                },
            }),
            Some(CannedResponse::Fail(e)) => Err(e),
            None => Err(TransportError::new(
                TransportErrorKind::Connect,
                "no canned response left",
            )),
        }
    }

    async fn sleep(&self, duration: Duration) {
        self.state.lock().unwrap().slept.push(duration);
    }

    fn jitter(&self) -> f64 {
        0.0
    }

    fn now(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }
}
