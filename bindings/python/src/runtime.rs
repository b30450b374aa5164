//! The one tokio runtime shared by every client of the process, rebuilt in
//! a child after `os.fork()` (gunicorn, Celery: a forked child has none of
//! the parent's threads), and the two ways Python waits on it: `block_on`
//! (sync calls: GIL released, Ctrl-C seen within 100 ms) and
//! `future_into_py` (asyncio, through pyo3-async-runtimes).

use pyo3::prelude::*;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often a waiting sync call looks for signals (KeyboardInterrupt).
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// The runtime of this process (see `rapidresponse::embed`).
pub fn runtime() -> Arc<tokio::runtime::Runtime> {
    rapidresponse::embed::shared_runtime()
}

/// Runs `fut` to completion on the runtime's worker (next to the I/O
/// driver, so reading a body does not cross threads per chunk) while this
/// thread waits with the GIL released, looking for signals every 100 ms:
/// a KeyboardInterrupt aborts the task, which cancels the HTTP request.
pub fn block_on<F>(py: Python<'_>, fut: F) -> PyResult<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let rt = runtime();
    let mut task = rt.spawn(fut);
    loop {
        let task_ref = &mut task;
        let done = py.detach(|| {
            rt.block_on(async { tokio::time::timeout(SIGNAL_CHECK, task_ref).await.ok() })
        });
        match done {
            Some(Ok(out)) => return Ok(out),
            Some(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Some(Err(_)) => {
                return Err(pyo3::exceptions::PyRuntimeError::new_err(
                    "the request task was cancelled",
                ))
            }
            None => {}
        }
        if let Err(e) = py.check_signals() {
            task.abort();
            return Err(e);
        }
    }
}

/// Runs `fut` on this thread with the GIL released (signals checked every
/// 100 ms; a KeyboardInterrupt drops the future). For stream batches: the
/// decoding then runs here, beside the worker that reads the socket,
/// instead of both on the worker.
pub fn block_on_here<F>(py: Python<'_>, fut: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    let rt = runtime();
    let mut fut = std::pin::pin!(fut);
    loop {
        let fut_ref = &mut fut;
        let done = py.detach(|| {
            rt.block_on(async {
                // Mid-stream the next chunk is usually there already: no
                // timer then (arming one wakes the I/O driver each time).
                if let std::task::Poll::Ready(v) = futures_util::poll!(&mut *fut_ref) {
                    return Some(v);
                }
                tokio::time::timeout(SIGNAL_CHECK, fut_ref).await.ok()
            })
        });
        if let Some(out) = done {
            return Ok(out);
        }
        py.check_signals()?;
    }
}

/// pyo3-async-runtimes' runtime interface over `runtime()`.
pub struct ForkSafeTokio;

tokio::task_local! {
    static TASK_LOCALS: std::cell::OnceCell<pyo3_async_runtimes::TaskLocals>;
}

pub struct JoinError(tokio::task::JoinError);

impl pyo3_async_runtimes::generic::JoinError for JoinError {
    fn is_panic(&self) -> bool {
        self.0.is_panic()
    }
    fn into_panic(self) -> Box<dyn std::any::Any + Send + 'static> {
        self.0.into_panic()
    }
}

pub struct JoinHandle(tokio::task::JoinHandle<()>);

impl Future for JoinHandle {
    type Output = Result<(), JoinError>;
    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx).map_err(JoinError)
    }
}

impl pyo3_async_runtimes::generic::Runtime for ForkSafeTokio {
    type JoinError = JoinError;
    type JoinHandle = JoinHandle;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let counted = InFlight::start();
        JoinHandle(runtime().spawn(async move {
            let _counted = counted;
            fut.await
        }))
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        // pyo3-async-runtimes hands results to the event loop from here.
        let counted = InFlight::start();
        JoinHandle(runtime().spawn_blocking(move || {
            let _counted = counted;
            f()
        }))
    }
}

impl pyo3_async_runtimes::generic::ContextExt for ForkSafeTokio {
    fn scope<F, R>(
        locals: pyo3_async_runtimes::TaskLocals,
        fut: F,
    ) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = std::cell::OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<pyo3_async_runtimes::TaskLocals> {
        TASK_LOCALS
            .try_with(|c| c.get().cloned())
            .unwrap_or_default()
    }
}

/// asyncio tasks (and their blocking steps) spawned and not finished. A
/// task ends by attaching to Python to hand its result to the event loop
/// (pyo3-async-runtimes does so from a blocking-pool thread): a thread still
/// in that step when the interpreter finalizes crashes it (a segfault in
/// `method_dealloc`, seen under gdb), so `quiesce`, registered with
/// `atexit`, waits for this to reach zero.
/// The count is the process's own: a child forked while tasks were in
/// flight starts from none (its parent's tasks did not come along), so it
/// does not wait for them at exit. High 32 bits: the pid; low: the count.
static IN_FLIGHT: AtomicU64 = AtomicU64::new(0);

fn in_flight() -> u64 {
    let (pid, count) = split(IN_FLIGHT.load(Ordering::SeqCst));
    if pid == std::process::id() {
        count
    } else {
        0
    }
}

fn split(packed: u64) -> (u32, u64) {
    ((packed >> 32) as u32, packed & 0xFFFF_FFFF)
}

struct InFlight;

impl InFlight {
    fn start() -> InFlight {
        let pid = std::process::id();
        let _ = IN_FLIGHT.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |packed| {
            let (owner, count) = split(packed);
            let count = if owner == pid { count + 1 } else { 1 };
            Some((u64::from(pid) << 32) | count)
        });
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let pid = std::process::id();
        let _ = IN_FLIGHT.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |packed| {
            let (owner, count) = split(packed);
            (owner == pid && count > 0).then(|| packed - 1)
        });
    }
}

/// Waits, with the GIL released, until no asyncio task of the runtime is
/// still running (at most `timeout` seconds); whether none is. Called at
/// exit, before the interpreter finalizes.
#[pyfunction]
pub fn quiesce(py: Python<'_>, timeout: f64) -> bool {
    let limit = Duration::try_from_secs_f64(timeout.max(0.0)).unwrap_or(Duration::ZERO);
    py.detach(|| {
        let deadline = Instant::now() + limit;
        while in_flight() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        in_flight() == 0
    })
}

/// An asyncio awaitable running `fut` on the shared runtime; cancelling it
/// drops the future (and so the HTTP request).
pub fn future_into_py<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    pyo3_async_runtimes::generic::future_into_py::<ForkSafeTokio, _, T>(py, fut)
}
