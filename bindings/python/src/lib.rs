//! `rapidresponse._native`: the Python extension. It converts between
//! Python objects and the Rust client (`NativeClient`, `NativeStream`,
//! `RawResponse`) and starts the mock server; every decision (paths,
//! queries, headers, retries, stream rules) is the Rust client's, and the
//! SDK-shaped API, its classes and kwargs live in the Python layer.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyTuple;
use std::future::Future;
use std::panic::AssertUnwindSafe;

mod client;
mod convert;
mod errors;
mod logging;
mod mock;
mod runtime;
mod stream;
mod websocket;

/// Objects the Python layer registers once (`configure`).
pub struct Globals {
    /// `rapidresponse._models.BaseModel`: its instances serialise as their data.
    pub model_class: Option<Py<PyAny>>,
    /// NOT_GIVEN / Omit sentinels: members with these values are left out.
    pub skip: Vec<Py<PyAny>>,
    /// The Python layer's subclass of NativeError that is also an
    /// OpenAIError: what failures are raised as once it is registered.
    pub error_class: Option<Py<PyAny>>,
}

static GLOBALS: PyOnceLock<Globals> = PyOnceLock::new();

pub fn globals(py: Python<'_>) -> &Globals {
    GLOBALS.get_or_init(py, || Globals {
        model_class: None,
        skip: Vec::new(),
        error_class: None,
    })
}

/// Registers the model base class, the error class and the sentinels
/// (once, at import).
#[pyfunction]
#[pyo3(signature = (model_class, error_class, *skip))]
fn configure(
    py: Python<'_>,
    model_class: Py<PyAny>,
    error_class: Py<PyAny>,
    skip: &Bound<'_, PyTuple>,
) -> PyResult<()> {
    let skip = skip.iter().map(|s| s.unbind()).collect();
    let _ = GLOBALS.set(
        py,
        Globals {
            model_class: Some(model_class),
            skip,
            error_class: Some(error_class),
        },
    );
    Ok(())
}

/// Runs `f`, turning a panic into a `NativeError` (an OpenAIError subclass
/// on the Python side) instead of PyO3's BaseException.
pub fn guard<R>(f: impl FnOnce() -> PyResult<R>) -> PyResult<R> {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(panic) => Err(errors::panic_to_py(panic)),
    }
}

/// `guard` for a future.
pub fn guard_future<F, T>(fut: F) -> impl Future<Output = PyResult<T>> + Send + 'static
where
    F: Future<Output = PyResult<T>> + Send + 'static,
{
    use futures_util::FutureExt;
    AssertUnwindSafe(fut).catch_unwind().map(|r| match r {
        Ok(r) => r,
        Err(panic) => Err(errors::panic_to_py(panic)),
    })
}

/// openai-python's `output_text` of a Responses body, read without
/// building the objects (None when the body is not a JSON object).
#[pyfunction]
fn output_text(py: Python<'_>, body: &[u8]) -> PyResult<Option<String>> {
    guard(|| {
        Ok(py.detach(|| {
            rapidresponse_core::digest::ResponseDigest::parse(body)
                .ok()
                .map(|d| d.output_text)
        }))
    })
}

/// The cursor of the page after one of a list, under openai-python's rule
/// (`rapidresponse_core::paging`): `(cursor, None)`, `(None, None)` at the
/// end, or `(None, why)` when paging must stop.
#[pyfunction]
#[pyo3(signature = (has_more, items, last_id, asked_after=None))]
fn next_page_cursor(
    has_more: Option<bool>,
    items: usize,
    last_id: Option<&str>,
    asked_after: Option<&str>,
) -> (Option<String>, Option<String>) {
    use rapidresponse_core::paging::{next_cursor, PageRule};
    match next_cursor(PageRule::Sdk, has_more, items, last_id, asked_after) {
        Ok(cursor) => (cursor, None),
        Err(why) => (None, Some(why)),
    }
}

/// Whether a WebSocket closed with `code` is opened again (the SDKs' set).
#[pyfunction]
fn is_recoverable_close(code: u16) -> bool {
    rapidresponse_core::websocket::is_recoverable_close(code)
}

/// Checks a webhook delivery as openai-python does
/// (`rapidresponse_core::webhook::verify`, with the caller's clock): None
/// when it is verified, else `(is_signature_error, message)`.
#[pyfunction]
#[pyo3(signature = (payload, id, timestamp, signature, secret, tolerance, now))]
fn verify_webhook(
    payload: &str,
    id: Option<&str>,
    timestamp: Option<&str>,
    signature: Option<&str>,
    secret: Option<&str>,
    tolerance: i64,
    now: i64,
) -> Option<(bool, String)> {
    use rapidresponse_core::webhook::{verify, WebhookHeaders};
    use rapidresponse_core::Flavor;
    let headers = WebhookHeaders {
        id,
        timestamp,
        signature,
    };
    let flavor = Flavor::OpenAIPython;
    verify(flavor, payload, &headers, secret, tolerance, now)
        .err()
        .map(|e| (e.is_signature_error(), e.message(flavor)))
}

/// A profile of Codex's config.toml, resolved (a dict: see
/// `ResolvedProfile::to_json`).
#[pyfunction]
#[pyo3(signature = (name=None))]
fn load_profile<'py>(py: Python<'py>, name: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        let p = rapidresponse::env::load_profile(name, &|k| std::env::var(k).ok());
        let p = p.map_err(errors::to_py)?;
        convert::json_to_py(py, &p.to_json().to_string())
    })
}

/// The base URL openai-python's AzureOpenAI shows for an endpoint and an
/// optional deployment (the core builds every request URL from them).
#[pyfunction]
#[pyo3(signature = (endpoint, deployment=None))]
fn azure_base_url(endpoint: String, deployment: Option<String>) -> String {
    let config = rapidresponse::ClientConfig {
        provider: rapidresponse::Provider::Azure {
            endpoint: Some(endpoint),
            api_version: None,
            deployment,
            auth: None,
        },
        ..Default::default()
    };
    config.effective_base_url()
}

/// Panics on purpose: the tests check that it arrives as an exception.
#[pyfunction]
fn _panic_for_tests() -> PyResult<()> {
    guard(|| panic!("a panic raised on purpose by _panic_for_tests"))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("NativeError", m.py().get_type::<errors::NativeError>())?;
    m.add_class::<client::NativeClient>()?;
    m.add_class::<client::RawResponse>()?;
    m.add_class::<stream::NativeStream>()?;
    m.add_class::<mock::MockServer>()?;
    m.add_class::<websocket::NativeConnection>()?;
    m.add_function(wrap_pyfunction!(configure, m)?)?;
    m.add_function(wrap_pyfunction!(output_text, m)?)?;
    m.add_function(wrap_pyfunction!(next_page_cursor, m)?)?;
    m.add_function(wrap_pyfunction!(verify_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(is_recoverable_close, m)?)?;
    m.add_function(wrap_pyfunction!(logging::enable_logging, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::quiesce, m)?)?;
    m.add_function(wrap_pyfunction!(load_profile, m)?)?;
    m.add_function(wrap_pyfunction!(azure_base_url, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    Ok(())
}
