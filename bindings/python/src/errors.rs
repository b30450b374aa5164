//! Core errors as one Python exception, `NativeError`, whose single
//! argument is a dict of the core's error report (`Error::report`): its
//! kind and the fields each kind has. The Python layer turns it into
//! openai-python's classes (`rapidresponse._exceptions.convert`); keeping
//! the class choice there keeps this side a converter.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rapidresponse_core::Error;

create_exception!(
    _native,
    NativeError,
    PyException,
    "A failure of the Rust client; its one argument is the core's error report as a dict: kind, message, and per kind status, headers, body, error, event, detail, partial."
);

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
    report(err, None)
}

/// `to_py` for a call's error, with the request it was about.
pub fn to_py_at(err: Error, method: &str, url: &str) -> PyErr {
    report(err, Some((method, url)))
}

fn report(err: Error, target: Option<(&str, &str)>) -> PyErr {
    let mut report = err.report_json();
    if let (Some((method, url)), Some(fields)) = (target, report.as_object_mut()) {
        fields.insert("method".into(), method.into());
        fields.insert("url".into(), url.into());
    }
    Python::attach(|py| {
        let payload = crate::convert::json_to_py(py, &report.to_string());
        match payload.and_then(|p| Ok(p.cast_into::<PyDict>()?)) {
            Ok(d) => native_error(py, d),
            Err(e) => e,
        }
    })
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
