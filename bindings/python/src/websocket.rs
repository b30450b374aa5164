//! `NativeConnection`: a WebSocket of the Responses API's WebSocket mode
//! (`rapidresponse::ResponsesConnection`) for `client.responses.connect()`.
//! Messages cross as JSON text both ways; the Python layer builds the
//! event objects. The one SDK rule here: openai-python's `recv()` gives an
//! `error` event as an event rather than raising, so a stream error comes
//! back as its event. A reconnect asks the Python layer's hook, which
//! answers with the SDK's overrides as a call description.

use pyo3::prelude::*;
use pyo3::types::PyBool;
use rapidresponse::settings::{CallSpec, ConnectSpec, ReconnectAnswer};
use rapidresponse::{
    Error, Flavor, NativeTransport, Reconnecting, RequestOptions, ResponsesConnection,
    ResponsesSender,
};
use std::sync::Arc;

use crate::errors::to_py;
use crate::stream::BATCH_EVENTS;
use crate::{guard, guard_future, runtime};

type Shared = Arc<tokio::sync::Mutex<Option<ResponsesConnection<NativeTransport>>>>;

/// The connection (read by one call at a time) and its sender (sends never
/// wait for a read: asyncio code may send from one task while another
/// iterates).
#[pyclass(module = "rapidresponse._native", frozen)]
pub struct NativeConnection {
    conn: Shared,
    sender: ResponsesSender<NativeTransport>,
}

impl NativeConnection {
    /// The connection with the SDK's connect options; `hook` is called
    /// before each reconnect attempt (with `reconnect` set).
    pub fn new(
        mut conn: ResponsesConnection<NativeTransport>,
        connect: &ConnectSpec,
        hook: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        if let Some(bytes) = connect.max_queue_size {
            conn = conn.max_queue_bytes(bytes);
        }
        if let (Some(spec), Some(hook)) = (&connect.reconnect, hook) {
            let policy = spec.policy(Flavor::OpenAIPython).map_err(to_py)?;
            conn = conn.reconnect_with(
                policy,
                move |event: &Reconnecting, options: &mut RequestOptions| {
                    ask(&hook, event, options)
                },
            );
        }
        Ok(NativeConnection {
            sender: conn.sender(),
            conn: Arc::new(tokio::sync::Mutex::new(Some(conn))),
        })
    }
}

/// Asks the Python hook about a reconnect attempt: `False` (or an
/// exception) stops, `None` goes on as is, a call description replaces the
/// upgrade's options (`ReconnectAnswer` applies it).
fn ask(hook: &Py<PyAny>, event: &Reconnecting, options: &mut RequestOptions) -> bool {
    let answer = Python::attach(|py| {
        let args = (
            event.attempt,
            event.max_attempts,
            event.delay.as_secs_f64(),
            event.close_code,
        );
        let Ok(answer) = hook.call1(py, args) else {
            return ReconnectAnswer::Stop;
        };
        let answer = answer.bind(py);
        if answer.is_none() {
            ReconnectAnswer::Keep
        } else if answer.is_instance_of::<PyBool>() {
            match answer.is_truthy() {
                Ok(true) => ReconnectAnswer::Keep,
                _ => ReconnectAnswer::Stop,
            }
        } else {
            let spec = crate::convert::json_bytes(answer)
                .ok()
                .and_then(|json| serde_json::from_slice::<Box<CallSpec>>(&json).ok());
            ReconnectAnswer::Replace(spec)
        }
    });
    answer.apply(Flavor::OpenAIPython, options)
}

fn closed() -> Error {
    Error::Connection {
        message: "the WebSocket connection is closed".into(),
        partial: None,
    }
}

async fn send(sender: ResponsesSender<NativeTransport>, text: String) -> PyResult<()> {
    sender.send_text(text).await.map_err(to_py)
}

/// The next event's JSON; None when no response is in flight.
async fn recv(conn: Shared) -> PyResult<Option<String>> {
    let mut guard = conn.lock().await;
    let conn = guard.as_mut().ok_or_else(|| to_py(closed()))?;
    match conn.next_delivery().await {
        None => Ok(None),
        Some(Ok(event)) => Ok(Some(event.data)),
        Some(Err(Error::StreamError { event, .. })) => Ok(Some(event.to_string())),
        Some(Err(e)) => Err(to_py(e)),
    }
}

/// The events here already after waiting for one (JSON texts); None
/// when no response is in flight.
async fn recv_batch(conn: Shared) -> PyResult<Option<Vec<String>>> {
    let mut guard = conn.lock().await;
    let conn = guard.as_mut().ok_or_else(|| to_py(closed()))?;
    match conn.next_ready_deliveries(BATCH_EVENTS).await {
        None => Ok(None),
        Some(Ok(events)) => Ok(Some(events.into_iter().map(|e| e.data).collect())),
        Some(Err(Error::StreamError { event, .. })) => Ok(Some(vec![event.to_string()])),
        Some(Err(e)) => Err(to_py(e)),
    }
}

/// Closes through the sender (also while another task reads): the reader
/// sees the close; the connection goes when nobody reads it.
async fn close(sender: ResponsesSender<NativeTransport>, conn: Shared) {
    sender.close().await;
    if let Ok(mut guard) = conn.try_lock() {
        guard.take();
    }
}

#[pymethods]
impl NativeConnection {
    /// Sends a client event (JSON text); GIL released.
    fn send(&self, py: Python<'_>, text: String) -> PyResult<()> {
        guard(|| runtime::block_on(py, send(self.sender.clone(), text))?)
    }

    fn send_async<'py>(&self, py: Python<'py>, text: String) -> PyResult<Bound<'py, PyAny>> {
        guard(|| runtime::future_into_py(py, guard_future(send(self.sender.clone(), text))))
    }

    /// The next event of the oldest response in flight (JSON text), None
    /// when none is in flight; GIL released while waiting.
    fn recv(&self, py: Python<'_>) -> PyResult<Option<String>> {
        guard(|| runtime::block_on(py, recv(self.conn.clone()))?)
    }

    fn recv_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| runtime::future_into_py(py, guard_future(recv(self.conn.clone()))))
    }

    /// The events that are here already, after waiting for the first (a
    /// list of JSON texts); None when no response is in flight.
    fn recv_batch(&self, py: Python<'_>) -> PyResult<Option<Vec<String>>> {
        guard(|| runtime::block_on(py, recv_batch(self.conn.clone()))?)
    }

    fn recv_batch_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| runtime::future_into_py(py, guard_future(recv_batch(self.conn.clone()))))
    }

    /// What a connection that ended for good never sent (JSON texts);
    /// readable while another task reads the connection.
    fn take_unsent(&self) -> Vec<String> {
        self.sender.take_unsent()
    }

    /// Responses sent and not finished.
    fn in_flight(&self) -> usize {
        self.conn
            .try_lock()
            .ok()
            .and_then(|c| c.as_ref().map(ResponsesConnection::in_flight))
            .unwrap_or(0)
    }

    /// Closes with code 1000 (waits briefly for the server's close frame).
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        guard(|| runtime::block_on(py, close(self.sender.clone(), self.conn.clone())))
    }

    fn close_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (sender, conn) = (self.sender.clone(), self.conn.clone());
        guard(|| {
            runtime::future_into_py(
                py,
                guard_future(async move {
                    close(sender, conn).await;
                    Ok(())
                }),
            )
        })
    }
}
