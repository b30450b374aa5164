//! `MockServer`: the project's Rust mock server started in-process, for
//! users testing their own code offline (`rapidresponse.testing`). It runs
//! on its own thread and runtime; this only starts, scripts and stops it.

use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use rapidresponse_mock::{MockOptions, MockServer as Server};
use std::sync::Mutex;

use crate::guard;

#[pyclass(module = "rapidresponse._native", frozen)]
pub struct MockServer {
    server: Mutex<Option<Server>>,
    #[pyo3(get)]
    url: String,
    #[pyo3(get)]
    root_url: String,
    #[pyo3(get)]
    port: u16,
}

impl MockServer {
    fn with<R>(&self, f: impl FnOnce(&Server) -> R) -> PyResult<R> {
        let guard = self.server.lock().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            Some(s) => Ok(f(s)),
            None => Err(PyOSError::new_err("the mock server was stopped")),
        }
    }
}

#[pymethods]
impl MockServer {
    /// Starts on 127.0.0.1 (an ephemeral port unless `port` is given).
    /// With `api_key`, requests without that key get the API's 401.
    #[new]
    #[pyo3(signature = (*, api_key=None, port=None))]
    fn new(api_key: Option<String>, port: Option<u16>) -> PyResult<Self> {
        guard(|| {
            let server = Server::start_with(MockOptions { api_key, port })
                .map_err(|e| PyOSError::new_err(format!("cannot start the mock server: {e}")))?;
            Ok(MockServer {
                url: server.url(),
                root_url: server.root_url(),
                port: server.port(),
                server: Mutex::new(Some(server)),
            })
        })
    }

    /// Queues a fault for the next request (see the mock's FAULTS.md).
    fn push_fault(&self, spec: &str) -> PyResult<()> {
        guard(|| self.with(|s| s.push_fault(spec)))
    }

    /// Queues a body served verbatim, with `status`, to the next request.
    #[pyo3(signature = (body, *, status=200, content_type="text/event-stream"))]
    fn push_replay(&self, body: Vec<u8>, status: u16, content_type: &str) -> PyResult<()> {
        guard(|| self.with(|s| s.push_replay(status, content_type, body)))
    }

    /// Every request received so far: dicts of method, path, query,
    /// headers, body.
    fn requests<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let requests = self.with(|s| s.requests())?;
            let json = serde_json::to_string(&requests)
                .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
            crate::convert::json_to_py(py, &json)
        })
    }

    /// Stops the server (also when garbage-collected).
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let server = self.server.lock().unwrap_or_else(|e| e.into_inner()).take();
        py.detach(|| drop(server));
        Ok(())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<()> {
        self.stop(py)
    }

    fn __repr__(&self) -> String {
        format!("MockServer(url={:?})", self.url)
    }
}
