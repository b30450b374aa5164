//! `Client`: the one request/retry/timeout loop of the project, generic over
//! a `Transport`. Request building, parsing, and the retry decision are the
//! core's; this module sequences them, sleeps, and keeps usage totals. It
//! has no knowledge of sockets (the transport's) or of language conventions
//! (the shells').

use futures_util::future::{select, Either};
use rapidresponse_core::digest::{completion_usage, ResponseDigest};
use rapidresponse_core::retry::{Decision, Outcome};
use rapidresponse_core::usage::ChatUsageMember;
use rapidresponse_core::{
    ApiError, ClientConfig, Error, Headers, HttpRequest, PriceTable, RateLimit, RequestOptions,
    Response, TimeoutKind, Timeouts, TokenCounts, UsageTotals,
};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::ops::Deref;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::transport::{read_to_end, HttpResponse, Transport, TransportErrorKind};

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

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.request.headers.set(name, value);
        self
    }

    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.request.query.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn body(mut self, name: &str, value: serde_json::Value) -> Self {
        self.request.body.insert(name.to_owned(), value);
        self
    }
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
}

impl<D> Deref for ApiResponse<D> {
    type Target = D;
    fn deref(&self) -> &D {
        &self.parsed
    }
}

/// The outcome of the request loop: a whole body, or a stream's head.
pub(crate) enum Sent<B> {
    Whole {
        status: u16,
        headers: Headers,
        body: Vec<u8>,
    },
    Streaming(HttpResponse<B>),
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

    /// A client with changed settings sharing this one's transport and usage
    /// totals (openai-python's `with_options`).
    pub fn with_options(&self, change: impl FnOnce(&mut ClientConfig)) -> Self {
        let mut config = self.inner.config.clone();
        change(&mut config);
        Client {
            inner: Arc::new(Inner {
                transport: self.inner.transport.clone(),
                config,
                usage: self.inner.usage.clone(),
                prices: self.inner.prices.clone(),
                token_provider: self.inner.token_provider.clone(),
            }),
        }
    }

    /// This client (configuration, usage totals, prices, token provider)
    /// over another value of its transport type: the wasm package gives
    /// each call a transport holding that call's abort signal.
    pub fn on_transport(&self, transport: T) -> Self {
        Client {
            inner: Arc::new(Inner {
                transport,
                config: self.inner.config.clone(),
                usage: self.inner.usage.clone(),
                prices: self.inner.prices.clone(),
                token_provider: self.inner.token_provider.clone(),
            }),
        }
    }

    /// Calls `provider` before every attempt for the bearer token.
    pub fn with_token_provider(&self, provider: TokenProvider) -> Self {
        let mut c = self.with_options(|_| {});
        Arc::get_mut(&mut c.inner)
            .expect("fresh client")
            .token_provider = Some(provider);
        c
    }

    /// Token totals and the cost estimate over every response this client
    /// (and its `with_options` copies) completed.
    pub fn usage(&self) -> UsageTotals {
        self.inner.usage.lock().unwrap().clone()
    }

    /// Adds or overrides a model's price for the cost estimate.
    pub fn set_price(&self, model: &str, price: rapidresponse_core::Price) {
        self.inner.prices.lock().unwrap().set(model, price);
    }

    // Both locks, prices first (everywhere): cloning the price table per
    // response was a dozen allocations on the hot path of small calls.
    fn record_usage(&self, model: &str, counts: &TokenCounts) {
        let prices = self.inner.prices.lock().unwrap();
        self.inner.usage.lock().unwrap().add(model, counts, &prices);
    }

    /// Counts the usage of a Responses body received as bytes (`send_bytes`),
    /// skimming it instead of parsing a `Response`; gives the skim
    /// (`output_text`, ...) when the body is a JSON object.
    pub fn record_response_body(&self, body: &[u8]) -> Option<ResponseDigest> {
        let digest = ResponseDigest::parse(body).ok()?;
        self.record_digest(&digest);
        Some(digest)
    }

    /// Counts the usage of a stream event that carries the whole response
    /// (`response.completed`), skimming it.
    pub fn record_response_event(&self, data: &[u8]) {
        if let Ok(digest) = ResponseDigest::parse_event(data) {
            self.record_digest(&digest);
        }
    }

    fn record_digest(&self, digest: &ResponseDigest) {
        if let Some(u) = &digest.usage {
            self.record_usage(
                digest.model.as_deref().unwrap_or(""),
                &TokenCounts::from_usage(u),
            );
        }
    }

    /// Counts the usage of a chat or legacy completion body received as bytes.
    pub fn record_completion_body(&self, body: &[u8]) {
        if let Some((model, usage)) = completion_usage(body) {
            self.record_usage(&model, &TokenCounts::from_chat_usage(&usage));
        }
    }

    pub(crate) fn record_response(&self, response: &Response) {
        let prices = self.inner.prices.lock().unwrap();
        self.inner
            .usage
            .lock()
            .unwrap()
            .add_response(response, &prices);
    }

    /// Adds a chat or legacy completion's (or chunk's) usage, when it has one.
    pub(crate) fn record_chat_usage(&self, item: &impl ChatUsageMember) {
        if let Some((model, usage)) = item.chat_usage() {
            self.record_usage(model, &TokenCounts::from_chat_usage(usage));
        }
    }

    /// Runs `fut` unless `limit` passes first (by the transport's clock):
    /// `None` when it ran out.
    pub async fn within<F: Future>(&self, limit: Duration, fut: F) -> Option<F::Output> {
        within(&self.inner.transport, limit, fut).await
    }

    pub(crate) fn timeouts(&self, options: &CallOptions) -> Timeouts {
        options.timeouts.unwrap_or(self.inner.config.timeouts)
    }

    /// The request loop: send, and on a failure ask the core whether and
    /// when to retry. A stream is only retried before its body starts.
    pub(crate) async fn send(
        &self,
        request: HttpRequest,
        options: &CallOptions,
        stream: bool,
    ) -> Result<(Sent<T::Body>, u32), Error> {
        let config = &self.inner.config;
        // Borrowed unless the call changes it: a clone was an allocation
        // (its status list) on every call.
        let mut policy = std::borrow::Cow::Borrowed(&config.retry);
        if let Some(n) = options.max_retries.filter(|n| *n != policy.max_retries) {
            policy.to_mut().max_retries = n;
        }
        let timeouts = self.timeouts(options);
        let mut retries = 0u32;
        let mut request = Some(request);
        loop {
            // The last attempt the policy allows takes the request itself:
            // with retries off, nothing is copied.
            let mut attempt = if retries >= policy.max_retries {
                request
                    .take()
                    .expect("the request is kept until its last attempt")
            } else {
                request
                    .clone()
                    .expect("the request is kept until its last attempt")
            };
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
                    let (status, headers, body) =
                        transport.send_whole(attempt, timeouts.connect).await?;
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
                let body = read_to_end(&mut response.body, &response.headers).await?;
                Ok(Sent::Whole {
                    status: response.status,
                    headers: response.headers,
                    body,
                })
            };
            let result: Option<Result<Sent<T::Body>, crate::transport::TransportError>> =
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
                    log!(debug, status, bytes = body.len(), "response");
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

    /// Sends a non-stream request: a 2xx status, headers, the whole body,
    /// and the retries taken.
    pub(crate) async fn send_whole(
        &self,
        request: HttpRequest,
        options: &CallOptions,
    ) -> Result<(u16, Headers, Vec<u8>, u32), Error> {
        match self.send(request, options, false).await? {
            (
                Sent::Whole {
                    status,
                    headers,
                    body,
                },
                retries,
            ) => Ok((status, headers, body, retries)),
            (Sent::Streaming(_), _) => unreachable!("a non-stream call reads the whole body"),
        }
    }

    /// Sends a request and gives a 2xx answer's status and headers with its
    /// body unread (a stream, or a body the caller reads its own way);
    /// retries and error statuses are handled as for any call.
    pub async fn open_stream(
        &self,
        request: HttpRequest,
        options: &CallOptions,
    ) -> Result<HttpResponse<T::Body>, Error> {
        match self.send(request, options, true).await? {
            (Sent::Streaming(head), _) => Ok(head),
            (Sent::Whole { .. }, _) => unreachable!("a stream call returns the head"),
        }
    }

    /// Sends and parses a JSON answer.
    pub(crate) async fn call_json<D: DeserializeOwned>(
        &self,
        request: HttpRequest,
        options: &CallOptions,
    ) -> Result<ApiResponse<D>, Error> {
        let (status, headers, body, retries_taken) = self.send_whole(request, options).await?;
        let data = rapidresponse_core::error::parse_json_response(status, &headers, &body)?;
        Ok(ApiResponse {
            parsed: data,
            http_status: status,
            http_headers: headers,
            retries_taken,
        })
    }
}

/// Runs `fut` unless `limit` passes first (by the transport's clock).
pub(crate) async fn within<T: Transport, F: Future>(
    transport: &T,
    limit: Duration,
    fut: F,
) -> Option<F::Output> {
    let fut = pin!(fut);
    let timer = pin!(transport.sleep(limit));
    match select(fut, timer).await {
        Either::Left((v, _)) => Some(v),
        Either::Right(_) => None,
    }
}
