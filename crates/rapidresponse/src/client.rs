//! `Client`: the one request/retry/timeout loop of the project, generic over
//! a `Transport`. Building requests (the endpoint table), parsing and the
//! retry decision are the core's; this module sequences them, sleeps, and
//! keeps usage totals. It has no knowledge of sockets (the transport's) or
//! of language conventions (the shells').

use futures_util::future::{select, Either};
use rapidresponse_core::digest::{completion_usage, ResponseDigest};
use rapidresponse_core::retry::{Decision, Outcome};
use rapidresponse_core::{
    ApiError, Call, ClientConfig, Error, Headers, HttpRequest, Prepared, PriceTable, QueryValue,
    RateLimit, RequestOptions, TimeoutKind, Timeouts, TokenCounts, UsageKind, UsageTotals,
};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::ops::Deref;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::stream::{EventStream, Origin};
use crate::transport::{read_to_end, HttpResponse, Transport, TransportErrorKind, WholeBody};

/// Called before every attempt for a fresh bearer token (Azure AD, rotating keys).
pub type TokenProvider = Arc<dyn Fn() -> Result<String, String> + Send + Sync>;

/// Per-call settings (openai-python's `timeout=`, `max_retries` via
/// `with_options`, `extra_headers`, `extra_query`, `extra_body`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallOptions {
    pub timeouts: Option<Timeouts>,
    pub max_retries: Option<u32>,
    pub request: RequestOptions,
}

impl CallOptions {
    pub fn new() -> Self {
        Self::default()
    }

    /// One timeout for connect, response and read alike.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeouts = Some(Timeouts::all(d));
        self
    }

    pub fn timeouts(mut self, t: Timeouts) -> Self {
        self.timeouts = Some(t);
        self
    }

    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = Some(n);
        self
    }

    /// A header for this call (replacing a default one).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.request.header(name, value);
        self
    }

    /// A query parameter for this call (`extra_query`).
    pub fn query(mut self, name: &str, value: impl Into<QueryValue>) -> Self {
        self.request.query(name, value);
        self
    }

    /// A body member for this call (`extra_body`).
    pub fn body(mut self, name: &str, value: serde_json::Value) -> Self {
        self.request.body.insert(name.to_owned(), value);
        self
    }
}

/// The members of a whole answer its usage is counted from.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct UsageOf {
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub usage: Option<serde_json::Value>,
}

/// A parsed result with the HTTP details it came with. It dereferences to
/// the parsed value, so its field names avoid the API's (`data`, `status`).
#[derive(Clone, Debug, PartialEq)]
pub struct ApiResponse<D> {
    pub parsed: D,
    pub http_status: u16,
    pub http_headers: Headers,
    /// Retries the call took before this answer.
    pub retries_taken: u32,
}

impl<D> ApiResponse<D> {
    /// The `x-request-id` header (openai-python's `_request_id`).
    pub fn request_id(&self) -> Option<&str> {
        self.http_headers.get("x-request-id")
    }

    /// The `x-ratelimit-*` headers.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        RateLimit::from_headers(&self.http_headers)
    }

    pub fn into_inner(self) -> D {
        self.parsed
    }

    /// The same answer with its value changed.
    pub fn map<E>(self, f: impl FnOnce(D) -> E) -> ApiResponse<E> {
        ApiResponse {
            parsed: f(self.parsed),
            http_status: self.http_status,
            http_headers: self.http_headers,
            retries_taken: self.retries_taken,
        }
    }
}

impl<D> Deref for ApiResponse<D> {
    type Target = D;
    fn deref(&self) -> &D {
        &self.parsed
    }
}

/// The outcome of the request loop: a whole body, or a stream's head.
pub(crate) enum Sent<T: Transport> {
    Whole {
        status: u16,
        headers: Headers,
        body: T::Whole,
    },
    Streaming(HttpResponse<T::Body>),
}

/// What a started call gives: a whole answer or an open event stream, as
/// the endpoint table decided (`Prepared::streams`).
pub enum Answer<T: Transport> {
    Whole(ApiResponse<T::Whole>),
    Stream(Box<EventStream<T>>),
}

/// A call built and checked, ready to run (`Client::prepare`).
#[derive(Clone, Debug)]
pub struct Ready {
    pub prepared: Prepared,
    pub options: CallOptions,
    origin: Origin,
}

pub(crate) struct Inner<T> {
    pub(crate) transport: T,
    pub(crate) config: ClientConfig,
    usage: Arc<Mutex<UsageTotals>>,
    prices: Arc<Mutex<PriceTable>>,
    token_provider: Option<TokenProvider>,
}

/// The client. Cloning is cheap and shares the transport and usage totals.
pub struct Client<T: Transport> {
    pub(crate) inner: Arc<Inner<T>>,
}

impl<T: Transport> Clone for Client<T> {
    fn clone(&self) -> Self {
        Client {
            inner: self.inner.clone(),
        }
    }
}

impl<T: Transport> std::fmt::Debug for Client<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// A lock that a panic elsewhere cannot leave unusable: the totals are
/// plain numbers, always consistent between two updates.
fn lock<V>(m: &Mutex<V>) -> MutexGuard<'_, V> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<T: Transport> Client<T> {
    /// A client over any transport.
    pub fn with_transport(config: ClientConfig, transport: T) -> Self {
        Client {
            inner: Arc::new(Inner {
                transport,
                config,
                usage: Arc::default(),
                prices: Arc::new(Mutex::new(PriceTable::default())),
                token_provider: None,
            }),
        }
    }

    /// The configuration this client builds requests from.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    pub fn transport(&self) -> &T {
        &self.inner.transport
    }

    fn sharing(&self, config: ClientConfig, transport: T) -> Self {
        Client {
            inner: Arc::new(Inner {
                transport,
                config,
                usage: self.inner.usage.clone(),
                prices: self.inner.prices.clone(),
                token_provider: self.inner.token_provider.clone(),
            }),
        }
    }

    /// A client with changed settings sharing this one's transport and usage
    /// totals (openai-python's `with_options`).
    pub fn with_options(&self, change: impl FnOnce(&mut ClientConfig)) -> Self {
        let mut config = self.inner.config.clone();
        change(&mut config);
        self.sharing(config, self.inner.transport.clone())
    }

    /// This client (configuration, usage totals, prices, token provider)
    /// over another value of its transport type: the wasm package gives
    /// each call a transport holding that call's abort signal.
    pub fn on_transport(&self, transport: T) -> Self {
        self.sharing(self.inner.config.clone(), transport)
    }

    /// Calls `provider` before every attempt for the bearer token.
    pub fn with_token_provider(&self, provider: TokenProvider) -> Self {
        let mut c = self.with_options(|_| {});
        if let Some(inner) = Arc::get_mut(&mut c.inner) {
            inner.token_provider = Some(provider);
        }
        c
    }

    /// Token totals and the cost estimate over every response this client
    /// (and its `with_options` copies) completed.
    pub fn usage(&self) -> UsageTotals {
        lock(&self.inner.usage).clone()
    }

    /// Adds or overrides a model's price for the cost estimate.
    pub fn set_price(&self, model: &str, price: rapidresponse_core::Price) {
        lock(&self.inner.prices).set(model, price);
    }

    /// Adds one answer's tokens to the totals. Both locks, prices first
    /// (everywhere): cloning the price table per response was a dozen
    /// allocations on the hot path of small calls.
    pub fn record_usage(&self, model: &str, counts: &TokenCounts) {
        let prices = lock(&self.inner.prices);
        lock(&self.inner.usage).add(model, counts, &prices);
    }

    /// Counts the usage of a whole answer of kind `usage` received as
    /// bytes, skimming it instead of parsing it; gives the skim of a
    /// Responses body (`output_text`, ...).
    pub fn record_body(&self, usage: UsageKind, body: &[u8]) -> Option<ResponseDigest> {
        match usage {
            UsageKind::None => None,
            UsageKind::Response => {
                let digest = ResponseDigest::parse(body).ok()?;
                if let Some(u) = &digest.usage {
                    let model = digest.model.as_deref().unwrap_or("");
                    self.record_usage(model, &TokenCounts::from_usage(u));
                }
                Some(digest)
            }
            UsageKind::Completion => {
                if let Some((model, usage)) = completion_usage(body) {
                    self.record_usage(&model, &TokenCounts::from_chat_usage(&usage));
                }
                None
            }
        }
    }

    /// Counts a whole answer's usage from its `model` and `usage` members,
    /// for a shell that parsed the answer itself (the wasm package: the
    /// body stays JS text); `usage` is the endpoint table's kind.
    pub fn record_answer(&self, usage: UsageKind, answer: &UsageOf) {
        let Some(u) = answer.usage.as_ref().filter(|u| u.is_object()) else {
            return;
        };
        let counts = match usage {
            UsageKind::None => return,
            UsageKind::Response => TokenCounts::from_json(u, false),
            UsageKind::Completion => TokenCounts::from_json(u, true),
        };
        self.record_usage(answer.model.as_deref().unwrap_or(""), &counts);
    }

    /// Runs `fut` unless `limit` passes first (by the transport's clock):
    /// `None` when it ran out.
    pub async fn within<F: Future>(&self, limit: Duration, fut: F) -> Option<F::Output> {
        within(&self.inner.transport, limit, fut).await
    }

    pub(crate) fn timeouts(&self, options: &CallOptions) -> Timeouts {
        options.timeouts.unwrap_or(self.inner.config.timeouts)
    }

    /// Builds `call` with the endpoint table: the request, and how its
    /// answer is read. Fails before any I/O on a bad argument.
    pub fn prepare(&self, call: &Call, options: CallOptions) -> Result<Ready, Error> {
        let prepared = self.inner.config.prepare(call, &options.request)?;
        Ok(Ready {
            prepared,
            options,
            origin: Origin::of(call),
        })
    }

    /// Runs a prepared call: the request loop, then a whole answer or an
    /// open stream as the endpoint table said.
    pub fn run(&self, ready: Ready) -> impl Future<Output = Result<Answer<T>, Error>> + 'static {
        let client = self.clone();
        async move {
            let Ready {
                prepared,
                options,
                origin,
            } = ready;
            let Prepared {
                request,
                streams,
                events,
                usage,
            } = prepared;
            match client.send(request, &options, streams).await? {
                (Sent::Streaming(head), _) => Ok(Answer::Stream(Box::new(EventStream::new(
                    client.clone(),
                    head,
                    options,
                    events,
                    usage,
                    origin,
                )))),
                (
                    Sent::Whole {
                        status,
                        headers,
                        body,
                    },
                    retries_taken,
                ) => Ok(Answer::Whole(ApiResponse {
                    parsed: body,
                    http_status: status,
                    http_headers: headers,
                    retries_taken,
                })),
            }
        }
    }

    /// The request loop: send, and on a failure ask the core whether and
    /// when to retry. A stream is only retried before its body starts; a
    /// whole body is read within the response timeout, and a body that
    /// fails part-way is retried like a failed request.
    pub(crate) async fn send(
        &self,
        request: HttpRequest,
        options: &CallOptions,
        stream: bool,
    ) -> Result<(Sent<T>, u32), Error> {
        let config = &self.inner.config;
        // Borrowed unless the call changes it: a clone was an allocation
        // (its status list) on every call.
        let mut policy = std::borrow::Cow::Borrowed(&config.retry);
        if let Some(n) = options.max_retries.filter(|n| *n != policy.max_retries) {
            policy.to_mut().max_retries = n;
        }
        let timeouts = self.timeouts(options);
        let limit = config.max_body_bytes;
        let mut retries = 0u32;
        let mut request = Some(request);
        loop {
            // The last attempt the policy allows takes the request itself:
            // with retries off, nothing is copied.
            let mut attempt = if retries >= policy.max_retries {
                request.take()
            } else {
                request.clone()
            }
            .ok_or_else(|| Error::Config("the request was spent".into()))?;
            if let Some(provider) = &self.inner.token_provider {
                let token = provider()
                    .map_err(|e| Error::Config(format!("the token provider failed: {e}")))?;
                attempt
                    .headers
                    .set("Authorization", format!("Bearer {token}"));
            }
            log!(debug, method = %attempt.method, url = %attempt.url, retries, "request");
            let transport = &self.inner.transport;
            let fut = async {
                if !stream {
                    let (status, headers, body) = transport
                        .send_whole(attempt, timeouts.connect, limit)
                        .await?;
                    return Ok(Sent::Whole {
                        status,
                        headers,
                        body,
                    });
                }
                let mut response = transport.send(attempt, timeouts.connect).await?;
                if (200..300).contains(&response.status) {
                    return Ok(Sent::Streaming(response));
                }
                let body = read_to_end(&mut response.body, &response.headers, limit).await?;
                Ok(Sent::Whole {
                    status: response.status,
                    headers: response.headers,
                    body: T::Whole::from_bytes(body),
                })
            };
            let result: Option<Result<Sent<T>, crate::transport::TransportError>> =
                self.within(timeouts.response, fut).await;
            let (error, decision) = match result {
                Some(Ok(Sent::Streaming(r))) => {
                    log!(debug, status = r.status, "stream opened");
                    return Ok((Sent::Streaming(r), retries));
                }
                Some(Ok(Sent::Whole {
                    status,
                    headers,
                    body,
                })) if (200..300).contains(&status) => {
                    log!(debug, status, "response");
                    return Ok((
                        Sent::Whole {
                            status,
                            headers,
                            body,
                        },
                        retries,
                    ));
                }
                Some(Ok(Sent::Whole {
                    status,
                    headers,
                    body,
                })) => {
                    let body = body.into_bytes();
                    let outcome = Outcome::Status {
                        status,
                        headers: &headers,
                        body: Some(&body),
                    };
                    let decision =
                        policy.decide(retries, &outcome, transport.now(), transport.jitter());
                    log!(debug, status, "error response");
                    (
                        Error::from(ApiError::from_response(status, &headers, &body)),
                        decision,
                    )
                }
                Some(Err(e)) => {
                    let outcome = match e.kind {
                        TransportErrorKind::Aborted => return Err(Error::Cancelled),
                        TransportErrorKind::Refused => return Err(e.into_error()),
                        TransportErrorKind::ConnectTimeout => Outcome::Timeout,
                        _ => Outcome::Connection,
                    };
                    let decision =
                        policy.decide(retries, &outcome, transport.now(), transport.jitter());
                    (e.into_error(), decision)
                }
                None => (
                    Error::Timeout {
                        kind: TimeoutKind::Response,
                        partial: None,
                    },
                    policy.decide(
                        retries,
                        &Outcome::Timeout,
                        transport.now(),
                        transport.jitter(),
                    ),
                ),
            };
            match decision {
                Decision::Retry(delay) => {
                    log!(info, error = %error, delay_ms = delay.as_millis() as u64, retry = retries + 1, "retrying");
                    transport.sleep(delay).await;
                    retries += 1;
                }
                Decision::Stop => return Err(error),
            }
        }
    }

    /// Runs a whole call and parses its JSON answer; an empty 2xx body (a
    /// 204) reads as JSON null.
    pub(crate) async fn call_json<D: DeserializeOwned>(
        &self,
        call: Call,
        options: CallOptions,
    ) -> Result<ApiResponse<D>, Error> {
        let ready = self.prepare(&call, options)?;
        if ready.prepared.streams {
            return Err(Error::Config(
                "this call returns one answer; use the stream method for `stream: true`".into(),
            ));
        }
        let Answer::Whole(answer) = self.run(ready).await? else {
            return Err(Error::Config("expected a whole answer".into()));
        };
        let bytes = answer.parsed.into_bytes();
        let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &bytes
        };
        let parsed = rapidresponse_core::error::parse_json_response(
            answer.http_status,
            &answer.http_headers,
            text,
        )?;
        Ok(ApiResponse {
            parsed,
            http_status: answer.http_status,
            http_headers: answer.http_headers,
            retries_taken: answer.retries_taken,
        })
    }

    /// Opens an event stream for `call`, which must stream.
    pub(crate) async fn call_stream(
        &self,
        call: Call,
        options: CallOptions,
    ) -> Result<EventStream<T>, Error> {
        let ready = self.prepare(&call, options)?;
        if !ready.prepared.streams {
            return Err(Error::Config("this call does not stream".into()));
        }
        match self.run(ready).await? {
            Answer::Stream(s) => Ok(*s),
            Answer::Whole(_) => Err(Error::Config("expected a stream".into())),
        }
    }

    /// Sends a request and gives a 2xx answer's status and headers with its
    /// body unread; retries and error statuses are handled as for any call.
    pub(crate) async fn open_stream(
        &self,
        request: HttpRequest,
        options: &CallOptions,
    ) -> Result<HttpResponse<T::Body>, Error> {
        match self.send(request, options, true).await? {
            (Sent::Streaming(head), _) => Ok(head),
            (Sent::Whole { .. }, _) => Err(Error::Config("expected a stream".into())),
        }
    }
}

/// Runs `fut` unless `limit` passes first (by the transport's clock); no
/// timer at all for an unlimited wait (`Duration::MAX`).
pub(crate) async fn within<T: Transport, F: Future>(
    transport: &T,
    limit: Duration,
    fut: F,
) -> Option<F::Output> {
    if limit == Duration::MAX {
        return Some(fut.await);
    }
    let fut = pin!(fut);
    let timer = pin!(transport.sleep(limit));
    match select(fut, timer).await {
        Either::Left((v, _)) => Some(v),
        Either::Right(_) => None,
    }
}
