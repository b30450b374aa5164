//! For hosts that embed the client in another language's process (the
//! Python extension): one tokio runtime for the process, and clients, both
//! rebuilt in a child after `fork()` (gunicorn, Celery: a forked child has
//! none of the parent's threads, and the parent's connection pool belongs
//! to the parent's runtime). It knows no language.

use rapidresponse_core::{ClientConfig, Error};
use std::sync::{Arc, Mutex};

use crate::{Client, NativeTransport};

struct Shared {
    pid: u32,
    runtime: Arc<tokio::runtime::Runtime>,
}

static RUNTIME: Mutex<Option<Shared>> = Mutex::new(None);

/// The runtime of this process: one worker thread (the other core runs the
/// host language), built on first use and again in a forked child. The
/// parent's runtime is leaked there, not dropped: dropping it would wait
/// on threads that do not exist in the child.
pub fn shared_runtime() -> Arc<tokio::runtime::Runtime> {
    let pid = std::process::id();
    let mut shared = RUNTIME.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(s) = shared.as_ref().filter(|s| s.pid == pid) {
        return s.runtime.clone();
    }
    let runtime = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("rapidresponse")
            .enable_all()
            .build()
            .expect("a tokio runtime (threads and an I/O driver) can be built"),
    );
    let new = Shared {
        pid,
        runtime: runtime.clone(),
    };
    if let Some(old) = shared.replace(new) {
        std::mem::forget(old.runtime);
    }
    runtime
}

/// A client that is rebuilt from its configuration in a forked child.
pub struct ProcessClient {
    config: ClientConfig,
    current: Mutex<(u32, Client<NativeTransport>)>,
}

impl ProcessClient {
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        Ok(Self::over(Client::new(config)?))
    }

    /// This client, in this process.
    pub fn over(client: Client<NativeTransport>) -> Self {
        ProcessClient {
            config: client.config().clone(),
            current: Mutex::new((std::process::id(), client)),
        }
    }

    /// The client of this process.
    pub fn get(&self) -> Result<Client<NativeTransport>, Error> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        let pid = std::process::id();
        if current.0 != pid {
            *current = (pid, Client::new(self.config.clone())?);
        }
        Ok(current.1.clone())
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }
}
