//! `NativeClient`: the Rust client behind `OpenAI`/`AsyncOpenAI`. A call
//! takes a method, a path, the body as Python objects (written straight to
//! JSON bytes) and per-call options, and gives the status, headers and the
//! body bytes (`RawResponse`) or an open stream (`NativeStream`). Which
//! path, which kwargs and which Python classes are the Python layer's.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use rapidresponse::{
    CallOptions, Client, ClientConfig, Headers, Method, NativeTransport, Provider, RetryPolicy,
    Secret, Timeouts,
};
use rapidresponse_core::TokenCounts;
use rapidresponse_core::{AzureAuth, HttpRequest};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::convert::JsonWriter;
use crate::errors::to_py;
use crate::stream::{NativeStream, StreamKind};
use crate::{guard, guard_future, runtime};

/// A timeout of None: no limit (a century is as good).
const NO_LIMIT: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

fn duration(secs: Option<f64>) -> PyResult<Duration> {
    match secs {
        None => Ok(NO_LIMIT),
        Some(s) if s.is_finite() && s >= 0.0 => Ok(Duration::from_secs_f64(s)),
        Some(s) => Err(PyValueError::new_err(format!(
            "a timeout must be a non-negative number of seconds, got {s}"
        ))),
    }
}

type TimeoutTuple = (Option<f64>, Option<f64>, Option<f64>);

fn timeouts((connect, response, read): TimeoutTuple) -> PyResult<Timeouts> {
    Ok(Timeouts {
        connect: duration(connect)?,
        response: duration(response)?,
        read: duration(read)?,
    })
}

fn headers_from(pairs: Vec<(String, String)>) -> Headers {
    let mut h = Headers::new();
    for (k, v) in pairs {
        h.set(&k, v);
    }
    h
}

/// Azure settings: (endpoint, api_version, deployment, api_key, ad_token).
type AzureTuple = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

struct Current {
    pid: u32,
    client: Client<NativeTransport>,
}

#[pyclass(module = "rapidresponse._native", frozen)]
pub struct NativeClient {
    config: ClientConfig,
    token_provider: Option<Arc<Py<PyAny>>>,
    current: Mutex<Current>,
}

fn build_client(
    config: &ClientConfig,
    token_provider: &Option<Arc<Py<PyAny>>>,
) -> PyResult<Client<NativeTransport>> {
    let client = Client::new(config.clone()).map_err(to_py)?;
    Ok(match token_provider {
        None => client,
        Some(f) => {
            let f = f.clone();
            client.with_token_provider(Arc::new(move || {
                Python::attach(|py| {
                    let token = f.call0(py).map_err(|e| e.to_string())?;
                    token
                        .extract::<String>(py)
                        .map_err(|_| "the token provider must return a str".to_owned())
                })
            }))
        }
    })
}

/// What one call asks for, converted from Python while the GIL is held.
struct Prepared {
    client: Client<NativeTransport>,
    request: HttpRequest,
    options: CallOptions,
}

/// Per-call options from Python: (timeouts or None, max_retries or None,
/// extra headers, extra query pairs).
type OptionsTuple = (
    Option<TimeoutTuple>,
    Option<u32>,
    Vec<(String, String)>,
    Vec<(String, String)>,
);

impl NativeClient {
    /// The client of this process (rebuilt after a fork: the parent's
    /// connection pool belongs to a runtime the child does not have).
    fn client(&self) -> PyResult<Client<NativeTransport>> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        let pid = std::process::id();
        if current.pid != pid {
            current.client = build_client(&self.config, &self.token_provider)?;
            current.pid = pid;
        }
        Ok(current.client.clone())
    }

    #[allow(clippy::too_many_arguments)]
    fn prepare(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        query: Vec<(String, String)>,
        body: Option<Bound<'_, PyAny>>,
        model: Option<String>,
        options: OptionsTuple,
        stream: bool,
    ) -> PyResult<Prepared> {
        let method = Method::parse(method)
            .ok_or_else(|| PyValueError::new_err(format!("unsupported method {method}")))?;
        let bytes = match body {
            None => None,
            Some(b) if b.is_none() => None,
            Some(b) => {
                let globals = crate::globals(py);
                let skip = globals
                    .skip
                    .iter()
                    .map(|s| s.bind(py).clone())
                    .collect::<Vec<_>>();
                let model_class = globals.model_class.as_ref().map(|c| c.bind(py).clone());
                let mut writer = JsonWriter::new(model_class.as_ref(), &skip);
                let mut out = Vec::with_capacity(256);
                writer.write(&b, &mut out)?;
                Some(out)
            }
        };
        let (timeouts_opt, max_retries, headers, extra_query) = options;
        let mut call = CallOptions::new();
        if let Some(t) = timeouts_opt {
            call = call.timeouts(timeouts(t)?);
        }
        call.max_retries = max_retries;
        call.request.headers = headers_from(headers);
        // The call's own query first, then extra_query (later values win).
        call.request.query = query;
        call.request.query.extend(extra_query);
        let client = self.client()?;
        let request = client
            .config()
            .build_bytes(method, path, bytes, model.as_deref(), stream, &call.request)
            .map_err(to_py)?;
        Ok(Prepared {
            client,
            request,
            options: call,
        })
    }
}

/// How a whole body is counted in `usage`.
#[derive(Clone, Copy)]
enum UsageKind {
    None,
    /// A Responses body: skimmed (`output_text` kept for the Python side).
    Response,
    /// A chat or legacy completion body.
    Chat,
}

fn usage_kind(s: Option<&str>) -> PyResult<UsageKind> {
    Ok(match s {
        None | Some("none") => UsageKind::None,
        Some("response") => UsageKind::Response,
        Some("chat") => UsageKind::Chat,
        Some(other) => return Err(PyValueError::new_err(format!("unknown usage kind {other}"))),
    })
}

/// A whole answer, before it becomes Python objects.
pub struct RawOut {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    retries_taken: u32,
    output_text: Option<String>,
}

async fn send(prepared: Prepared, kind: UsageKind) -> Result<RawOut, rapidresponse::Error> {
    let Prepared {
        client,
        request,
        options,
    } = prepared;
    let answer = client.send_bytes(request, options).await?;
    // Usage is counted by the client; invalid JSON is left for the Python
    // side to report when a field is read.
    let output_text = match kind {
        UsageKind::Response => client
            .record_response_body(&answer.parsed)
            .map(|d| d.output_text),
        UsageKind::Chat => {
            client.record_completion_body(&answer.parsed);
            None
        }
        UsageKind::None => None,
    };
    Ok(RawOut {
        status: answer.http_status,
        headers: answer
            .http_headers
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        body: answer.parsed,
        retries_taken: answer.retries_taken,
        output_text,
    })
}

/// A whole 2xx answer: `status`, `headers` (pairs), `body` (bytes),
/// `retries_taken`, and for Responses bodies `output_text` (None for others).
#[pyclass(module = "rapidresponse._native", frozen, get_all)]
pub struct RawResponse {
    status: u16,
    headers: Py<PyAny>,
    body: Py<PyBytes>,
    retries_taken: u32,
    output_text: Option<String>,
}

impl<'py> IntoPyObject<'py> for RawOut {
    type Target = RawResponse;
    type Output = Bound<'py, RawResponse>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        let headers = self.headers.into_pyobject(py)?.into_any().unbind();
        Bound::new(
            py,
            RawResponse {
                status: self.status,
                headers,
                body: PyBytes::new(py, &self.body).unbind(),
                retries_taken: self.retries_taken,
                output_text: self.output_text,
            },
        )
    }
}

#[pymethods]
impl NativeClient {
    #[new]
    #[pyo3(signature = (
        *, base_url, api_key=None, organization=None, project=None,
        default_headers=Vec::new(), default_query=Vec::new(),
        timeout=(Some(5.0), Some(600.0), Some(600.0)), max_retries=2,
        azure=None, token_provider=None, user_agent=None, retry_delay_scale=1.0,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        base_url: String,
        api_key: Option<String>,
        organization: Option<String>,
        project: Option<String>,
        default_headers: Vec<(String, String)>,
        default_query: Vec<(String, String)>,
        timeout: TimeoutTuple,
        max_retries: u32,
        azure: Option<AzureTuple>,
        token_provider: Option<Py<PyAny>>,
        user_agent: Option<String>,
        retry_delay_scale: f64,
    ) -> PyResult<Self> {
        guard(|| {
            let mut config = ClientConfig::new(api_key.map(Secret::new), base_url);
            config.organization = organization;
            config.project = project;
            config.default_headers = headers_from(default_headers);
            config.default_query = default_query;
            config.timeouts = timeouts(timeout)?;
            let mut retry = RetryPolicy::openai_python();
            retry.max_retries = max_retries;
            // Tests scale the backoff down; the shape stays openai-python's.
            let retry = retry
                .with_delays_scaled(retry_delay_scale)
                .ok_or_else(|| PyValueError::new_err("retry_delay_scale must be positive"))?;
            config.retry = retry;
            if let Some(ua) = user_agent {
                config.user_agent = ua;
            }
            if let Some((endpoint, api_version, deployment, key, token)) = azure {
                let auth = match (key, token) {
                    (Some(k), _) => Some(AzureAuth::ApiKey(Secret::new(k))),
                    (None, Some(t)) => Some(AzureAuth::BearerToken(Secret::new(t))),
                    (None, None) => None,
                };
                config.provider = Provider::Azure {
                    endpoint,
                    api_version,
                    deployment,
                    auth,
                };
            }
            if let Some(f) = &token_provider {
                Python::attach(|py| {
                    if !f.bind(py).is_callable() {
                        return Err(PyTypeError::new_err("token_provider must be callable"));
                    }
                    Ok(())
                })?;
            }
            let token_provider = token_provider.map(Arc::new);
            let client = build_client(&config, &token_provider)?;
            Ok(NativeClient {
                config,
                token_provider,
                current: Mutex::new(Current {
                    pid: std::process::id(),
                    client,
                }),
            })
        })
    }

    /// Sends a request and waits for the whole answer (GIL released).
    #[pyo3(signature = (method, path, query, body, model, options, usage=None))]
    #[allow(clippy::too_many_arguments)]
    fn request<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        path: &str,
        query: Vec<(String, String)>,
        body: Option<Bound<'py, PyAny>>,
        model: Option<String>,
        options: OptionsTuple,
        usage: Option<&str>,
    ) -> PyResult<Bound<'py, RawResponse>> {
        guard(|| {
            let kind = usage_kind(usage)?;
            let prepared = self.prepare(py, method, path, query, body, model, options, false)?;
            let out = runtime::block_on(py, send(prepared, kind))?.map_err(to_py)?;
            out.into_pyobject(py)
        })
    }

    /// `request` for asyncio: an awaitable of a RawResponse.
    #[pyo3(signature = (method, path, query, body, model, options, usage=None))]
    #[allow(clippy::too_many_arguments)]
    fn request_async<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        path: &str,
        query: Vec<(String, String)>,
        body: Option<Bound<'py, PyAny>>,
        model: Option<String>,
        options: OptionsTuple,
        usage: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let kind = usage_kind(usage)?;
            let prepared = self.prepare(py, method, path, query, body, model, options, false)?;
            runtime::future_into_py(
                py,
                guard_future(async move { send(prepared, kind).await.map_err(to_py) }),
            )
        })
    }

    /// Opens an event stream and waits for its status and headers.
    /// `kind` is "responses" or "chunks"; `classes` maps an event's `type`
    /// to the class its objects get (`fallback` otherwise).
    #[pyo3(signature = (method, path, query, body, model, options, kind, classes, fallback, background=false, starting_after=None))]
    #[allow(clippy::too_many_arguments)]
    fn stream<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        path: &str,
        query: Vec<(String, String)>,
        body: Option<Bound<'py, PyAny>>,
        model: Option<String>,
        options: OptionsTuple,
        kind: &str,
        classes: Bound<'py, PyDict>,
        fallback: Bound<'py, PyAny>,
        background: bool,
        starting_after: Option<u64>,
    ) -> PyResult<NativeStream> {
        guard(|| {
            let kind = StreamKind::parse(kind)?;
            let prepared = self.prepare(py, method, path, query, body, model, options, true)?;
            let opened = runtime::block_on(py, open(prepared, kind, background, starting_after))?
                .map_err(to_py)?;
            Ok(NativeStream::new(
                opened,
                classes.unbind(),
                fallback.unbind(),
            ))
        })
    }

    /// `stream` for asyncio: an awaitable of a NativeStream.
    #[pyo3(signature = (method, path, query, body, model, options, kind, classes, fallback, background=false, starting_after=None))]
    #[allow(clippy::too_many_arguments)]
    fn stream_async<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        path: &str,
        query: Vec<(String, String)>,
        body: Option<Bound<'py, PyAny>>,
        model: Option<String>,
        options: OptionsTuple,
        kind: &str,
        classes: Bound<'py, PyDict>,
        fallback: Bound<'py, PyAny>,
        background: bool,
        starting_after: Option<u64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let kind = StreamKind::parse(kind)?;
            let prepared = self.prepare(py, method, path, query, body, model, options, true)?;
            let classes = classes.unbind();
            let fallback = fallback.unbind();
            runtime::future_into_py(
                py,
                guard_future(async move {
                    let opened = open(prepared, kind, background, starting_after)
                        .await
                        .map_err(to_py)?;
                    Ok(NativeStream::new(opened, classes, fallback))
                }),
            )
        })
    }

    /// Token totals and the cost estimate of every call so far (a dict).
    fn usage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let totals = self.client()?.usage();
            let counts = |c: &TokenCounts| -> PyResult<Bound<'py, PyDict>> {
                let d = PyDict::new(py);
                d.set_item("input_tokens", c.input_tokens)?;
                d.set_item("cached_input_tokens", c.cached_input_tokens)?;
                d.set_item("output_tokens", c.output_tokens)?;
                d.set_item("reasoning_tokens", c.reasoning_tokens)?;
                d.set_item("total_tokens", c.total_tokens)?;
                Ok(d)
            };
            let d = counts(&totals.tokens)?;
            d.set_item("responses", totals.responses)?;
            d.set_item("cost_usd", totals.cost_usd())?;
            d.set_item("unpriced_models", totals.unpriced_models.clone())?;
            let by_model = PyDict::new(py);
            for (model, c) in &totals.by_model {
                by_model.set_item(model, counts(c)?)?;
            }
            d.set_item("by_model", by_model)?;
            Ok(d.into_any())
        })
    }

    /// Sets the price of a model, in USD per million tokens.
    #[pyo3(signature = (model, input, output, cached_input=None))]
    fn set_price(
        &self,
        model: &str,
        input: f64,
        output: f64,
        cached_input: Option<f64>,
    ) -> PyResult<()> {
        guard(|| {
            self.client()?.set_price(
                model,
                rapidresponse::Price::new(input, cached_input.unwrap_or(input), output),
            );
            Ok(())
        })
    }

    fn __repr__(&self) -> String {
        // No key, ever.
        format!("NativeClient(base_url={:?})", self.config.base_url)
    }
}

/// An open stream, before it meets Python.
pub enum Opened {
    Responses(Box<rapidresponse::ResponseStream<NativeTransport>>),
    Chunks(Box<rapidresponse::ChunkStream<NativeTransport, crate::stream::RawChunk>>),
}

async fn open(
    prepared: Prepared,
    kind: StreamKind,
    background: bool,
    starting_after: Option<u64>,
) -> Result<Opened, rapidresponse::Error> {
    let Prepared {
        client,
        request,
        options,
    } = prepared;
    Ok(match kind {
        StreamKind::Responses => Opened::Responses(Box::new(
            client
                .open_response_stream(request, options, background, starting_after)
                .await?,
        )),
        StreamKind::Chunks => {
            Opened::Chunks(Box::new(client.open_chunk_stream(request, options).await?))
        }
    })
}

pub fn head_of(opened: &Opened) -> (u16, Vec<(String, String)>) {
    let (status, headers) = match opened {
        Opened::Responses(s) => (s.status(), s.headers()),
        Opened::Chunks(s) => (s.status(), s.headers()),
    };
    (
        status,
        headers
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    )
}
