//! `NativeClient`: the Rust client behind `OpenAI`/`AsyncOpenAI`. Its
//! settings and each call cross as typed structures read from Python
//! (`Settings`, `CallArg`); a call names an operation of the core's endpoint
//! table and gives a whole answer (`RawResponse`) or an open stream
//! (`NativeStream`), as the table decides. Which kwargs and which Python
//! classes are the Python layer's.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rapidresponse::embed::ProcessClient;
use rapidresponse::settings::{CallSpec, ConnectSpec, Settings};
use rapidresponse::{Answer, Client, ClientConfig, Flavor, Headers, NativeTransport, Ready};
use rapidresponse_core::UsageKind;

use crate::convert::json_bytes;
use crate::errors::{to_py, to_py_at};
use crate::stream::{EventClasses, NativeStream};
use crate::websocket::NativeConnection;
use crate::{guard, guard_future, runtime};

/// A structure of the Python layer (dicts, lists, scalars) read as the
/// client crate's serde type.
fn read<T: serde::de::DeserializeOwned>(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<T> {
    serde_json::from_slice(&json_bytes(obj)?)
        .map_err(|e| PyValueError::new_err(format!("bad {what}: {e}")))
}

#[pyclass(module = "rapidresponse._native", frozen)]
pub struct NativeClient {
    /// Rebuilt after a fork (`rapidresponse::embed`).
    inner: ProcessClient,
}

impl NativeClient {
    fn client(&self) -> PyResult<Client<NativeTransport>> {
        self.inner.get().map_err(to_py)
    }

    fn connect_options(
        &self,
        spec: &Bound<'_, PyAny>,
    ) -> PyResult<(
        Client<NativeTransport>,
        rapidresponse::CallOptions,
        ConnectSpec,
    )> {
        let spec: CallSpec = read(spec, "call")?;
        let connect = spec.connect.clone();
        let (_, options) = spec.into_call(None, Flavor::OpenAIPython).map_err(to_py)?;
        Ok((self.client()?, options, connect))
    }

    /// Converts a call while the GIL is held; a bad argument fails here,
    /// before any I/O.
    fn prepare(
        &self,
        spec: &Bound<'_, PyAny>,
        body: Option<Bound<'_, PyAny>>,
    ) -> PyResult<(Client<NativeTransport>, Ready)> {
        let spec: CallSpec = read(spec, "call")?;
        let body = body.filter(|b| !b.is_none());
        let body = body.map(|b| json_bytes(&b)).transpose()?;
        let (call, options) = spec.into_call(body, Flavor::OpenAIPython).map_err(to_py)?;
        let client = self.client()?;
        let ready = client.prepare(&call, options).map_err(to_py)?;
        Ok((client, ready))
    }
}

/// A whole 2xx answer: `status`, `headers` (pairs), `body` (bytes),
/// `retries_taken`, and for Responses bodies `output_text` (None for others).
#[pyclass(module = "rapidresponse._native", frozen, get_all)]
pub struct RawResponse {
    method: &'static str,
    url: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: Py<PyBytes>,
    retries_taken: u32,
    output_text: Option<String>,
}

/// A call's result before it meets Python.
enum Started {
    Whole {
        status: u16,
        headers: Headers,
        body: Vec<u8>,
        retries_taken: u32,
        output_text: Option<String>,
    },
    Stream(Box<rapidresponse::EventStream<NativeTransport>>),
}

/// The method and URL a call goes to (for `e.request`, `raw.url`).
fn target(ready: &Ready) -> (&'static str, String) {
    let r = &ready.prepared.request;
    (r.method.as_str(), r.url.clone())
}

async fn start(
    client: Client<NativeTransport>,
    ready: Ready,
) -> Result<Started, rapidresponse::Error> {
    let usage = ready.prepared.usage;
    Ok(match client.run(ready).await? {
        Answer::Stream(s) => Started::Stream(s),
        Answer::Whole(answer) => {
            // Usage is counted by the client, as the endpoint table says;
            // invalid JSON is left for the Python side to report when a
            // field is read.
            let digest = client.record_body(usage, &answer.parsed);
            Started::Whole {
                status: answer.http_status,
                headers: answer.http_headers,
                body: answer.parsed,
                retries_taken: answer.retries_taken,
                output_text: digest
                    .filter(|_| usage == UsageKind::Response)
                    .map(|d| d.output_text),
            }
        }
    })
}

/// The Python object of a started call.
struct Outcome {
    started: Started,
    events: Option<EventClasses>,
    method: &'static str,
    url: String,
}

impl<'py> IntoPyObject<'py> for Outcome {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        match self.started {
            Started::Whole {
                status,
                headers,
                body,
                retries_taken,
                output_text,
            } => Ok(Bound::new(
                py,
                RawResponse {
                    method: self.method,
                    url: self.url,
                    status,
                    headers: crate::convert::header_pairs(&headers),
                    body: PyBytes::new(py, &body).unbind(),
                    retries_taken,
                    output_text,
                },
            )?
            .into_any()),
            Started::Stream(s) => {
                let events = self.events.unwrap_or_else(|| EventClasses::none(py));
                let stream = NativeStream::new(*s, events, self.method, self.url);
                Ok(Bound::new(py, stream)?.into_any())
            }
        }
    }
}

/// The configuration of Python's settings, with openai-python's presets.
fn config_of(settings: &Bound<'_, PyAny>) -> PyResult<ClientConfig> {
    let settings: Settings = read(settings, "settings")?;
    settings.config(Flavor::OpenAIPython).map_err(to_py)
}

#[pymethods]
impl NativeClient {
    /// A client for the settings (a dict of `rapidresponse::settings::Settings`).
    #[new]
    fn new(settings: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(|| {
            let config = config_of(settings)?;
            let inner = ProcessClient::new(config).map_err(to_py)?;
            Ok(NativeClient { inner })
        })
    }

    /// A client with other settings sharing this one's connections and
    /// usage totals (`with_options`, `copy`).
    fn derive(&self, settings: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(|| {
            let config = config_of(settings)?;
            let inner = ProcessClient::over(self.client()?.with_options(|c| *c = config));
            Ok(NativeClient { inner })
        })
    }

    /// Runs a call and waits for its answer (GIL released): a RawResponse,
    /// or a NativeStream once the stream's headers are in.
    #[pyo3(signature = (call, body, events=None))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        call: &Bound<'py, PyAny>,
        body: Option<Bound<'py, PyAny>>,
        events: Option<EventClasses>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let (client, ready) = self.prepare(call, body)?;
            let (method, url) = target(&ready);
            let started = runtime::block_on(py, start(client, ready))?;
            let started = started.map_err(|e| to_py_at(e, method, &url))?;
            Outcome {
                started,
                events,
                method,
                url,
            }
            .into_pyobject(py)
        })
    }

    /// `call` for asyncio: an awaitable of the same.
    #[pyo3(signature = (call, body, events=None))]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        call: &Bound<'py, PyAny>,
        body: Option<Bound<'py, PyAny>>,
        events: Option<EventClasses>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let (client, ready) = self.prepare(call, body)?;
            let (method, url) = target(&ready);
            runtime::future_into_py(
                py,
                guard_future(async move {
                    let started = start(client, ready).await;
                    let started = started.map_err(|e| to_py_at(e, method, &url))?;
                    Ok(Outcome {
                        started,
                        events,
                        method,
                        url,
                    })
                }),
            )
        })
    }

    /// Opens a WebSocket of the Responses API (`call`: the options of
    /// `responses.connect`), GIL released.
    #[pyo3(signature = (call, on_reconnecting=None))]
    fn connect(
        &self,
        py: Python<'_>,
        call: &Bound<'_, PyAny>,
        on_reconnecting: Option<Py<PyAny>>,
    ) -> PyResult<NativeConnection> {
        guard(|| {
            let (client, options, connect) = self.connect_options(call)?;
            let opened =
                runtime::block_on(
                    py,
                    async move { client.responses().connect_with(options).await },
                )?;
            NativeConnection::new(opened.map_err(to_py)?, &connect, on_reconnecting)
        })
    }

    /// `connect` for asyncio.
    #[pyo3(signature = (call, on_reconnecting=None))]
    fn connect_async<'py>(
        &self,
        py: Python<'py>,
        call: &Bound<'py, PyAny>,
        on_reconnecting: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let (client, options, connect) = self.connect_options(call)?;
            runtime::future_into_py(
                py,
                guard_future(async move {
                    let opened = client.responses().connect_with(options).await;
                    NativeConnection::new(opened.map_err(to_py)?, &connect, on_reconnecting)
                }),
            )
        })
    }

    /// Token totals and the cost estimate of every call so far (a dict).
    fn usage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let totals = self.client()?.usage().to_json();
            crate::convert::json_to_py(py, &totals.to_string())
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
            let price = rapidresponse::Price::new(input, cached_input.unwrap_or(input), output);
            self.client()?.set_price(model, price);
            Ok(())
        })
    }

    fn __repr__(&self) -> String {
        // No key, ever.
        format!("NativeClient(base_url={:?})", self.inner.config().base_url)
    }
}
