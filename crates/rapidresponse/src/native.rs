//! `ReqwestTransport`: the native transport (reqwest with rustls on tokio).
//! Proxies come from HTTPS_PROXY/HTTP_PROXY/NO_PROXY (reqwest reads them),
//! extra CA certificates from SSL_CERT_FILE. Timeouts other than connect
//! are the client loop's, not reqwest's, so long streams are never cut.

use bytes::Bytes;
use futures_util::StreamExt;
use rapidresponse_core::{Headers, HttpRequest, Method};
use std::time::{Duration, SystemTime};

use crate::transport::{Body, HttpResponse, Transport, TransportError, TransportErrorKind};

/// The native transport. Cloning shares the connection pool.
#[derive(Clone, Debug)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    /// reqwest sets the connect timeout per client, not per request: keep
    /// one client per distinct connect timeout asked for.
    connect_timeout: Duration,
}

impl ReqwestTransport {
    /// A transport with the given connect timeout, reading SSL_CERT_FILE.
    pub fn new(connect_timeout: Duration) -> Result<Self, TransportError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .pool_max_idle_per_host(100)
            .tcp_nodelay(true);
        if let Some(path) = std::env::var_os("SSL_CERT_FILE") {
            let pem = std::fs::read(&path).map_err(|e| {
                TransportError::new(
                    TransportErrorKind::Other,
                    format!("SSL_CERT_FILE {}: {e}", path.to_string_lossy()),
                )
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                TransportError::new(TransportErrorKind::Other, format!("SSL_CERT_FILE: {e}"))
            })?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .build()
            .map_err(|e| TransportError::new(TransportErrorKind::Other, e.to_string()))?;
        Ok(ReqwestTransport {
            client,
            connect_timeout,
        })
    }

    /// Wraps a reqwest client configured by the caller.
    pub fn from_client(client: reqwest::Client) -> Self {
        ReqwestTransport {
            client,
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// A reqwest response body.
pub struct ReqwestBody {
    stream: futures_util::stream::BoxStream<'static, reqwest::Result<Bytes>>,
}

impl Body for ReqwestBody {
    async fn next_chunk(&mut self) -> Option<Result<Bytes, TransportError>> {
        match self.stream.next().await? {
            Ok(b) => Some(Ok(b)),
            Err(e) => Some(Err(TransportError::new(
                TransportErrorKind::Body,
                describe(&e),
            ))),
        }
    }
}

/// reqwest's messages include the URL but never headers: safe to show.
fn describe(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

impl Transport for ReqwestTransport {
    type Body = ReqwestBody;

    async fn send(
        &self,
        request: HttpRequest,
        connect_timeout: Duration,
    ) -> Result<HttpResponse<ReqwestBody>, TransportError> {
        let client = if connect_timeout == self.connect_timeout {
            self.client.clone()
        } else {
            ReqwestTransport::new(connect_timeout)?.client
        };
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Delete => reqwest::Method::DELETE,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
        };
        let mut builder = client.request(method, &request.url);
        for (k, v) in request.headers.iter() {
            builder = builder.header(k, v);
        }
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let response = builder.send().await.map_err(|e| {
            let kind = if e.is_timeout() {
                TransportErrorKind::ConnectTimeout
            } else if e.is_connect() || e.is_request() {
                TransportErrorKind::Connect
            } else {
                TransportErrorKind::Other
            };
            TransportError::new(kind, describe(&e))
        })?;
        let status = response.status().as_u16();
        let headers: Headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        Ok(HttpResponse {
            status,
            headers,
            body: ReqwestBody {
                stream: response.bytes_stream().boxed(),
            },
        })
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await
    }

    fn jitter(&self) -> f64 {
        // Jitter needs spread, not cryptographic quality: mix the clock's
        // nanoseconds with a per-process counter (no RNG crate needed).
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        let mut x = nanos ^ COUNTER.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        // splitmix64 finaliser
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}
