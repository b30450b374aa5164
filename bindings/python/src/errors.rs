//! Core errors as one Python exception, `NativeError`, whose single
//! argument is a dict of plain fields. The Python layer turns it into
//! openai-python's classes (`rapidresponse._exceptions.convert`); keeping
//! the class choice there keeps this side a converter.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use rapidresponse_core::{Error, ErrorBody, Headers, Response, TimeoutKind};

create_exception!(
    _native,
    NativeError,
    PyException,
    "A failure of the Rust client; its one argument is a dict (kind, message, status, headers, body_json, content, error_json, partial)."
);

pub fn headers_to_py<'py>(py: Python<'py>, headers: &Headers) -> PyResult<Bound<'py, PyAny>> {
    let pairs: Vec<(&str, &str)> = headers.iter().collect();
    Ok(pairs.into_pyobject(py)?.into_any())
}

fn partial_bytes<'py>(py: Python<'py>, r: Option<&Response>) -> Option<Bound<'py, PyBytes>> {
    let r = r?;
    let json = serde_json::to_vec(r).ok()?;
    Some(PyBytes::new(py, &json))
}

/// The exception carrying `payload`: the Python layer's error class once
/// registered (an OpenAIError), NativeError before.
fn native_error(py: Python<'_>, payload: Bound<'_, PyDict>) -> PyErr {
    match &crate::globals(py).error_class {
        Some(cls) => match cls.bind(py).call1((payload,)) {
            Ok(exc) => PyErr::from_value(exc),
            Err(e) => e,
        },
        None => NativeError::new_err((payload.unbind(),)),
    }
}

/// The Python exception for a core error.
pub fn to_py(err: Error) -> PyErr {
    Python::attach(|py| match payload(py, &err) {
        Ok(d) => native_error(py, d),
        Err(e) => e,
    })
}

fn payload<'py>(py: Python<'py>, err: &Error) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("message", err.to_string())?;
    let kind = match err {
        Error::Api(e) => {
            d.set_item("status", e.status)?;
            d.set_item("message", e.to_string())?;
            d.set_item("headers", headers_to_py(py, &e.headers)?)?;
            // openai-python's `body`: narrowed to `error` by the core.
            if let Some(body) = e.error_body() {
                d.set_item("body_json", body.to_string())?;
            }
            // The response's content, as received (re-serialised if JSON).
            match &e.body {
                ErrorBody::Json(v) => d.set_item("content", v.to_string())?,
                ErrorBody::Text(t) => d.set_item("content", t)?,
                ErrorBody::Empty => {}
            }
            "status"
        }
        Error::Connection { message, .. } => {
            d.set_item("detail", message)?;
            "connection"
        }
        Error::Timeout { kind, .. } => {
            d.set_item(
                "detail",
                match kind {
                    TimeoutKind::Connect => "connect",
                    TimeoutKind::Response => "response",
                    TimeoutKind::Read => "read",
                },
            )?;
            "timeout"
        }
        Error::StreamError { error, .. } => {
            d.set_item(
                "error_json",
                serde_json::to_string(error).unwrap_or_default(),
            )?;
            d.set_item(
                "message",
                error
                    .message
                    .get()
                    .cloned()
                    .unwrap_or_else(|| "An error occurred during streaming".to_owned()),
            )?;
            "stream_error"
        }
        Error::Decode(_) | Error::Sse { .. } => "decode",
        Error::ResponseFailed(_) => "failed",
        Error::ResponseIncomplete(_) => "incomplete",
        Error::IncompleteStream { .. } => "ended_early",
        Error::Config(_) => "config",
        Error::Cancelled => "cancelled",
        _ => "other",
    };
    d.set_item("kind", kind)?;
    if let Some(p) = partial_bytes(py, err.partial_response()) {
        d.set_item("partial", p)?;
    }
    Ok(d)
}

/// The Python exception for a panic caught at the boundary: an OpenAIError
/// subclass on the Python side (PyO3's own PanicException is a
/// BaseException that `except Exception` would miss).
pub fn panic_to_py(panic: Box<dyn std::any::Any + Send>) -> PyErr {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    Python::attach(|py| {
        let d = PyDict::new(py);
        let built = (|| -> PyResult<()> {
            d.set_item("kind", "panic")?;
            d.set_item(
                "message",
                format!("internal error in rapidresponse (please report it): {text}"),
            )?;
            Ok(())
        })();
        match built {
            Ok(()) => native_error(py, d),
            Err(e) => e,
        }
    })
}
