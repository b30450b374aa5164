//! What the client's integration tests share: a configuration for the mock
//! with retry and timeout constants scaled down, so the suites stay fast.

use rapidresponse::{ClientConfig, Timeouts};
use rapidresponse_mock::MockServer;
use std::time::Duration;

/// A client configuration for `server` with `key`: backoff 2 ms to 20 ms,
/// a 2 s connect and 10 s response and read timeouts.
pub fn config(server: &MockServer, key: &str) -> ClientConfig {
    let mut c = ClientConfig::new(Some(key.into()), server.url());
    c.retry.initial_delay = Duration::from_millis(2);
    c.retry.max_delay = Duration::from_millis(20);
    c.timeouts = Timeouts {
        connect: Duration::from_secs(2),
        response: Duration::from_secs(10),
        read: Duration::from_secs(10),
    };
    c
}
