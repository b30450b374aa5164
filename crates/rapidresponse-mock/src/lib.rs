//! rapidresponse-mock: a real HTTP server on 127.0.0.1 that speaks the
//! OpenAI Responses API (plus Chat Completions and legacy Completions) with
//! deterministic answers, stored responses, background mode and fault
//! injection, so that every client test in every language can run offline.
//! It is not a model and does not try to be a complete API implementation.
//!
//! ```no_run
//! let server = rapidresponse_mock::MockServer::start();
//! println!("{}", server.url()); // http://127.0.0.1:PORT/v1
//! server.push_fault("status=429;retry-after-ms=10");
//! ```
//!
//! Faults are described in `FAULTS.md` beside this crate's manifest.

mod answer;
mod bench;
mod chat;
mod control;
mod conversations;
mod faults;
mod hostile;
mod json;
mod models;
mod plan;
mod responses;
mod server;
mod sse;
mod store;
mod validate;
mod websocket;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

pub use hostile::{Attack, NON_ASCII_MODEL, TEXT as HOSTILE_TEXT};
pub use server::{mask_key, MAX_RECORDED};

/// How to start a server.
#[derive(Clone, Debug, Default)]
pub struct MockOptions {
    /// When set, API requests must carry `Authorization: Bearer <key>` or
    /// `api-key: <key>`; others get the API's 401.
    pub api_key: Option<String>,
    /// The port on 127.0.0.1; an ephemeral one when `None`.
    pub port: Option<u16>,
}

/// One request as the server received it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    /// The path as sent, e.g. `/v1/responses`.
    pub path: String,
    /// The query string without `?`; empty when there is none.
    pub query: String,
    /// Header names in lowercase; repeated headers joined with ", ".
    /// Credentials (`authorization`, `api-key`, `x-api-key`,
    /// `proxy-authorization`, `cookie`) are masked by `mask_key`.
    pub headers: BTreeMap<String, String>,
    /// The JSON body; a body that is not JSON is kept as a string; `None`
    /// when empty.
    pub body: Option<serde_json::Value>,
}

/// A running mock server. It stops when dropped.
pub struct MockServer {
    port: u16,
    state: Arc<server::State>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The API key stays out of Debug output.
        f.debug_struct("MockServer")
            .field("port", &self.port)
            .finish()
    }
}

/// Worker threads of the server's runtime: enough that a slow or hung
/// answer never holds up the others.
const WORKER_THREADS: usize = 2;

impl MockServer {
    /// Starts on 127.0.0.1 with an ephemeral port, on its own thread with its
    /// own tokio runtime (so it works from sync tests, async tests, Python,
    /// the CLI).
    ///
    /// # Panics
    /// When no loopback port or thread can be had, which leaves nothing to test with.
    pub fn start() -> MockServer {
        match MockServer::start_with(MockOptions::default()) {
            Ok(server) => server,
            Err(e) => panic!("rapidresponse-mock: cannot start on 127.0.0.1: {e}"),
        }
    }

    /// Starts with options; fails when the port cannot be bound.
    pub fn start_with(options: MockOptions) -> std::io::Result<MockServer> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", options.port.unwrap_or(0)))?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKER_THREADS)
            .thread_name("rapidresponse-mock")
            .enable_all()
            .build()?;
        let state = Arc::new(server::State::new(options.api_key));
        let (shutdown, shutdown_rx) = oneshot::channel();
        let serve_state = state.clone();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name(format!("rapidresponse-mock-{port}"))
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => {
                            let _ = ready_tx.send(Ok(()));
                            server::serve(listener, serve_state, shutdown_rx).await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
                // Dropping the runtime ends every connection task, hung ones too.
                runtime.shutdown_background();
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err(std::io::Error::other("the server thread ended early")),
        }
        Ok(MockServer {
            port,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// "http://127.0.0.1:PORT/v1"
    pub fn url(&self) -> String {
        format!("{}/v1", self.root_url())
    }

    /// "http://127.0.0.1:PORT"
    pub fn root_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every request received so far, in order (the `/__mock` ones aside).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        server::lock(&self.state.requests).clone()
    }

    /// Streams, and `slow` JSON bodies, whose client went away before the
    /// end (what an abort, a dropped stream or a timed-out call looks like
    /// from the server).
    pub fn streams_abandoned(&self) -> u64 {
        self.state
            .streams_abandoned
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Queue a fault for the next request(s) (FIFO), same spec syntax as the
    /// header. An invalid spec is queued too: the request that takes it gets
    /// a 400 `invalid_fault_spec` saying why.
    pub fn push_fault(&self, spec: &str) {
        let _ = server::lock(&self.state.faults).push_text(spec);
    }

    /// Queues a body to be served verbatim, with `status`, to the next API
    /// request, whatever it asks: recorded traffic replayed through a client.
    /// Also `POST /__mock/replay?content_type=...&status=...` with the body.
    pub fn push_replay(&self, status: u16, content_type: &str, body: impl Into<Vec<u8>>) {
        server::lock(&self.state.replays).push_back(server::Replay {
            status,
            content_type: content_type.to_owned(),
            body: body.into().into(),
        });
    }

    /// Stops the server (also on Drop); joins the thread.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
