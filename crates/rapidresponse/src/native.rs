//! `NativeTransport`: the native transport on tokio. Requests go straight to
//! hyper (rustls with ring, the system's roots plus SSL_CERT_FILE, HTTP/1.1
//! and HTTP/2, redirects followed as openai-python follows them), or through
//! reqwest when the environment names a proxy (HTTPS_PROXY, HTTP_PROXY,
//! ALL_PROXY: reqwest reads them with NO_PROXY) or the caller hands over a
//! reqwest client. Timeouts other than connect are the client loop's, so
//! long streams are never cut here.
//!
//! Why hyper and not reqwest for every call: on small calls reqwest's layers
//! (URL parsing, header map copies, its redirect and retry services) cost
//! about a fifth of the client's CPU; the benchmark's S3 showed it.

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use rapidresponse_core::redirect::{self, RedirectError};
use rapidresponse_core::{Headers, HttpRequest, Method, Network, Verify};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::transport::{Body, HttpResponse, Transport, TransportError, TransportErrorKind};

type Direct = hyper_util::client::legacy::Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The native transport. Cloning shares the connection pool.
#[derive(Clone, Debug)]
pub struct NativeTransport {
    http: Http,
    /// The connect timeout is set per connector, not per request: a call
    /// asking for another one uses a connector of its own, built once and
    /// kept (a few at most: each has its own pool)...
    connect_timeout: Duration,
    others: Arc<std::sync::Mutex<Vec<(Duration, Http)>>>,
    /// ...unless the caller built the client (`from_client`).
    callers: bool,
    /// The caller's network settings (`for_network`), which WebSockets
    /// follow too.
    pub(crate) network: Arc<Network>,
}

/// Connectors kept for other connect timeouts; the oldest goes first.
const OTHER_TIMEOUTS_KEPT: usize = 4;

#[derive(Clone, Debug)]
enum Http {
    Direct(Arc<Direct>),
    Reqwest(reqwest::Client),
}

fn other(message: impl Into<String>) -> TransportError {
    TransportError::new(TransportErrorKind::Other, message)
}

impl NativeTransport {
    /// A transport with the given connect timeout, reading SSL_CERT_FILE
    /// and the proxy variables.
    pub fn new(connect_timeout: Duration) -> Result<Self, TransportError> {
        let http = if proxy_configured(&|k| std::env::var(k).ok()) {
            Http::Reqwest(reqwest_client(connect_timeout, &Network::default())?)
        } else {
            Http::Direct(Arc::new(direct_client(connect_timeout)?))
        };
        Ok(NativeTransport {
            http,
            connect_timeout,
            others: Arc::default(),
            callers: false,
            network: Arc::default(),
        })
    }

    /// A transport for `network` (a proxy, certificates, the pool, as
    /// openai-python's `http_client=` sets them): reqwest configured with
    /// them; the environment's transport when nothing is set.
    pub fn for_network(
        connect_timeout: Duration,
        network: &Network,
    ) -> Result<Self, TransportError> {
        if network.is_default() {
            return Self::new(connect_timeout);
        }
        let client = reqwest_client(connect_timeout, network)?;
        Ok(NativeTransport {
            http: Http::Reqwest(client),
            connect_timeout,
            others: Arc::default(),
            callers: true,
            network: Arc::new(network.clone()),
        })
    }

    /// Sends through a reqwest client configured by the caller (its proxies,
    /// certificates, redirect policy).
    pub fn from_client(client: reqwest::Client) -> Self {
        NativeTransport {
            http: Http::Reqwest(client),
            connect_timeout: Duration::from_secs(5),
            others: Arc::default(),
            callers: true,
            network: Arc::default(),
        }
    }

    /// Whether requests go through reqwest (a proxy or a caller's client)
    /// rather than straight to hyper.
    pub fn uses_reqwest(&self) -> bool {
        matches!(self.http, Http::Reqwest(_))
    }
}

/// Proxy variables (reqwest's names, either case).
const PROXY_VARS: [&str; 6] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// Whether a proxy variable is set.
fn proxy_configured(var: &dyn Fn(&str) -> Option<String>) -> bool {
    PROXY_VARS
        .iter()
        .any(|k| var(k).is_some_and(|v| !v.trim().is_empty()))
}

/// SSL_CERT_FILE's name (as shown in errors) and contents, when it is set.
fn ssl_cert_file() -> Result<Option<(String, Vec<u8>)>, TransportError> {
    let Some(path) = std::env::var_os("SSL_CERT_FILE") else {
        return Ok(None);
    };
    let shown = format!("SSL_CERT_FILE {}", path.to_string_lossy());
    match std::fs::read(&path) {
        Ok(pem) => Ok(Some((shown, pem))),
        Err(e) => Err(other(format!("{shown}: {e}"))),
    }
}

/// The system's root certificates (rustls-native-certs reads SSL_CERT_FILE
/// and SSL_CERT_DIR instead when they are set) plus SSL_CERT_FILE's, whose
/// errors are reported rather than skipped.
pub(crate) fn root_certificates() -> Result<rustls::RootCertStore, TransportError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    // Certificates the system store holds but rustls cannot use are skipped,
    // as reqwest skips them.
    let (_added, _ignored) =
        roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if let Some((shown, pem)) = ssl_cert_file()? {
        for cert in CertificateDer::pem_slice_iter(&pem) {
            let cert = cert.map_err(|e| other(format!("{shown}: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| other(format!("{shown}: {e}")))?;
        }
    }
    Ok(roots)
}

/// rustls with ring and the system's roots (plus SSL_CERT_FILE), no ALPN
/// (hyper's connector and the WebSocket upgrade each set their own).
pub(crate) fn tls_config() -> Result<rustls::ClientConfig, TransportError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| other(format!("TLS: {e}")))?
        .with_root_certificates(root_certificates()?)
        .with_no_client_auth())
}

fn direct_client(connect_timeout: Duration) -> Result<Direct, TransportError> {
    let tls = tls_config()?;
    let mut tcp = HttpConnector::new();
    tcp.enforce_http(false);
    tcp.set_nodelay(true);
    tcp.set_connect_timeout(Some(connect_timeout));
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_all_versions()
        .wrap_connector(tcp);
    let mut builder =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new());
    builder
        .pool_max_idle_per_host(100)
        .pool_timer(hyper_util::rt::TokioTimer::new());
    Ok(builder.build(connector))
}

/// reqwest for a proxy (the environment's, or `network`'s), with the
/// caller's certificates and pool settings; redirects are left to
/// `send_reqwest` (the core's rule).
fn reqwest_client(
    connect_timeout: Duration,
    network: &Network,
) -> Result<reqwest::Client, TransportError> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        // Redirects are followed by `send_reqwest`, with the core's rule.
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(network.max_idle_per_host.unwrap_or(100))
        .tcp_nodelay(true);
    if let Some(idle) = network.idle_timeout {
        builder = builder.pool_idle_timeout(idle);
    }
    match &network.proxy {
        // An explicit proxy replaces the environment's.
        Some(url) => {
            let mut proxy = reqwest::Proxy::all(url.expose())
                .map_err(|_| other("the proxy URL is not valid"))?;
            if let Some((user, password)) = &network.proxy_auth {
                proxy = proxy.basic_auth(user, password.expose());
            }
            builder = builder.proxy(proxy);
        }
        None if network.trust_env == Some(false) => builder = builder.no_proxy(),
        None => {}
    }
    match &network.verify {
        Verify::System => {
            if let Some((shown, pem)) = ssl_cert_file()? {
                for cert in reqwest::Certificate::from_pem_bundle(&pem)
                    .map_err(|e| other(format!("{shown}: {e}")))?
                {
                    builder = builder.add_root_certificate(cert);
                }
            }
        }
        Verify::CaFile(path) => {
            let pem =
                std::fs::read(path).map_err(|e| other(format!("the CA bundle {path}: {e}")))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| other(format!("the CA bundle {path}: {e}")))?;
            if certs.is_empty() {
                return Err(other(format!("the CA bundle {path} holds no certificate")));
            }
            builder = builder.tls_built_in_root_certs(false);
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        Verify::Off => builder = builder.danger_accept_invalid_certs(true),
    }
    if let Some((cert, key)) = &network.client_cert {
        let mut pem = std::fs::read(cert)
            .map_err(|e| other(format!("the client certificate {cert}: {e}")))?;
        if let Some(key) = key {
            pem.push(b'\n');
            pem.extend(
                std::fs::read(key).map_err(|e| other(format!("the client key {key}: {e}")))?,
            );
        }
        let identity = reqwest::Identity::from_pem(&pem)
            .map_err(|e| other(format!("the client certificate {cert}: {e}")))?;
        builder = builder.identity(identity);
    }
    builder.build().map_err(|e| other(describe(&e)))
}

/// A response body from either path.
pub struct NativeBody(BodyStream);

enum BodyStream {
    Direct(Incoming),
    Reqwest(futures_util::stream::BoxStream<'static, reqwest::Result<Bytes>>),
}

impl Body for NativeBody {
    async fn next_chunk(&mut self) -> Option<Result<Bytes, TransportError>> {
        let failed = |message| Some(Err(TransportError::new(TransportErrorKind::Body, message)));
        match &mut self.0 {
            BodyStream::Direct(body) => loop {
                match body.frame().await? {
                    // Trailers carry nothing the client reads.
                    Ok(frame) => match frame.into_data() {
                        Ok(data) => return Some(Ok(data)),
                        Err(_trailers) => continue,
                    },
                    Err(e) => return failed(describe(&e)),
                }
            },
            BodyStream::Reqwest(stream) => match stream.next().await? {
                Ok(b) => Some(Ok(b)),
                Err(e) => failed(describe(&e)),
            },
        }
    }
}

/// An error's message with its causes. hyper's and reqwest's messages hold
/// URLs but never headers: safe to show.
fn describe(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        // hyper-util repeats its cause in its own message; say it once.
        if !msg.ends_with(&more) {
            msg.push_str(": ");
            msg.push_str(&more);
        }
        source = s.source();
    }
    msg
}

/// Whether a cause in the chain is an I/O timeout (hyper-util's connect
/// timeout surfaces as one).
fn timed_out(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                return true;
            }
        }
        source = s.source();
    }
    false
}

/// The `http` crate's method, which hyper and reqwest both take.
fn http_method(method: Method) -> hyper::Method {
    match method {
        Method::Get => hyper::Method::GET,
        Method::Post => hyper::Method::POST,
        Method::Delete => hyper::Method::DELETE,
        Method::Put => hyper::Method::PUT,
        Method::Patch => hyper::Method::PATCH,
    }
}

fn received_headers(received: &hyper::HeaderMap) -> Headers {
    let bytes = received
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    let mut headers = Headers::with_capacity(received.len(), bytes);
    for (k, v) in received {
        headers.append(k.as_str(), String::from_utf8_lossy(v.as_bytes()));
    }
    headers
}

/// One request for hyper. A header hyper refuses is named, its value never
/// shown (it may be a key).
fn hyper_request(
    method: &hyper::Method,
    url: &str,
    headers: &Headers,
    body: &Option<Bytes>,
) -> Result<hyper::Request<Full<Bytes>>, TransportError> {
    let uri: hyper::Uri = url
        .parse()
        .map_err(|e| other(format!("invalid URL {url:?}: {e}")))?;
    let mut map = hyper::HeaderMap::with_capacity(headers.len());
    for (k, v) in headers.iter() {
        let name = hyper::header::HeaderName::from_bytes(k.as_bytes())
            .map_err(|_| TransportError::refused(format!("invalid header name {k:?}")))?;
        let value = hyper::header::HeaderValue::from_str(v)
            .map_err(|_| TransportError::refused(format!("invalid value for header {k:?}")))?;
        map.append(name, value);
    }
    let mut request = hyper::Request::new(Full::new(body.clone().unwrap_or_default()));
    *request.method_mut() = method.clone();
    *request.uri_mut() = uri;
    *request.headers_mut() = map;
    Ok(request)
}

/// Whether the answer is a redirect this client follows; when it is,
/// `request` becomes the next request, by the core's one rule (methods,
/// bodies, and no credential of any name to another origin). `Location` is
/// joined here because that needs a URL parser.
fn redirected(
    request: &mut HttpRequest,
    status: u16,
    location: Option<&str>,
    followed: usize,
) -> Result<bool, TransportError> {
    let Some(location) = location.filter(|_| redirect::is_redirect(status)) else {
        return Ok(false);
    };
    let next = url::Url::parse(&request.url)
        .and_then(|base| base.join(location))
        .map_err(|_| TransportError::refused(RedirectError::Invalid.to_string()))?;
    redirect::follow(request, status, next.as_str(), followed)
        .map_err(|e| TransportError::refused(e.to_string()))?;
    log!(debug, status, "redirected");
    Ok(true)
}

async fn send_direct(
    client: &Direct,
    mut request: HttpRequest,
) -> Result<HttpResponse<NativeBody>, TransportError> {
    for followed in 0.. {
        let body = request.body.clone().map(Bytes::from);
        let outgoing = hyper_request(
            &http_method(request.method),
            &request.url,
            &request.headers,
            &body,
        )?;
        let response = client.request(outgoing).await.map_err(|e| {
            let kind = if e.is_connect() && timed_out(&e) {
                TransportErrorKind::ConnectTimeout
            } else if e.is_connect() {
                TransportErrorKind::Connect
            } else {
                TransportErrorKind::Other
            };
            TransportError::new(kind, describe(&e))
        })?;
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(hyper::header::LOCATION)
            .and_then(|v| v.to_str().ok());
        if !redirected(&mut request, status, location, followed)? {
            let (parts, incoming) = response.into_parts();
            return Ok(HttpResponse {
                status,
                headers: received_headers(&parts.headers),
                body: NativeBody(BodyStream::Direct(incoming)),
            });
        }
    }
    unreachable!("follow() stops after MAX_REDIRECTS")
}

/// Through reqwest, whose own redirect following is off (see
/// `reqwest_client`): redirects take the same rule as the direct path. A
/// caller's own client (`from_client`) follows its own policy first.
async fn send_reqwest(
    client: &reqwest::Client,
    mut request: HttpRequest,
) -> Result<HttpResponse<NativeBody>, TransportError> {
    for followed in 0.. {
        let mut builder = client.request(http_method(request.method), &request.url);
        for (k, v) in request.headers.iter() {
            builder = builder.header(k, v);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
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
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok());
        if !redirected(&mut request, status, location, followed)? {
            return Ok(HttpResponse {
                status,
                headers: received_headers(response.headers()),
                body: NativeBody(BodyStream::Reqwest(response.bytes_stream().boxed())),
            });
        }
    }
    unreachable!("follow() stops after MAX_REDIRECTS")
}

impl NativeTransport {
    /// The connector for another connect timeout, built on first use.
    fn http_for(&self, connect_timeout: Duration) -> Result<Http, TransportError> {
        let mut others = self.others.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, http)) = others.iter().find(|(d, _)| *d == connect_timeout) {
            return Ok(http.clone());
        }
        let http = NativeTransport::new(connect_timeout)?.http;
        if others.len() >= OTHER_TIMEOUTS_KEPT {
            others.remove(0);
        }
        others.push((connect_timeout, http.clone()));
        Ok(http)
    }
}

impl Transport for NativeTransport {
    type Body = NativeBody;
    type Whole = Vec<u8>;

    async fn send(
        &self,
        request: HttpRequest,
        connect_timeout: Duration,
    ) -> Result<HttpResponse<NativeBody>, TransportError> {
        let http = if connect_timeout != self.connect_timeout && !self.callers {
            self.http_for(connect_timeout)?
        } else {
            self.http.clone()
        };
        match &http {
            Http::Direct(client) => send_direct(client, request).await,
            Http::Reqwest(client) => send_reqwest(client, request).await,
        }
    }

    /// Runs the request and the body's read as a task of the runtime:
    /// hyper's connection task and this one then meet on a runtime thread,
    /// instead of waking the caller's thread (often the `block_on` one)
    /// for every chunk. A 5 MB body comes in hundreds of chunks.
    async fn send_whole(
        &self,
        request: HttpRequest,
        connect_timeout: Duration,
        max_body_bytes: usize,
    ) -> Result<(u16, Headers, Vec<u8>), TransportError> {
        let transport = self.clone();
        let task = tokio::spawn(async move {
            let mut response = transport.send(request, connect_timeout).await?;
            let body = crate::transport::read_to_end(
                &mut response.body,
                &response.headers,
                max_body_bytes,
            )
            .await?;
            Ok((response.status, response.headers, body))
        });
        // Dropping the call (a timeout, a cancelled caller) aborts the task,
        // and with it the request.
        let mut task = AbortOnDrop(task);
        match (&mut task.0).await {
            Ok(done) => done,
            Err(e) => Err(other(if e.is_panic() {
                "the request task panicked".to_owned()
            } else {
                format!("the request task ended: {e}")
            })),
        }
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

/// A task aborted when its handle is dropped.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_per_call_connect_timeout_reuses_its_connector() {
        // Before, every call with its own timeout built a transport (TLS
        // config, pool, handshakes) of its own.
        let t = NativeTransport::new(Duration::from_secs(5)).unwrap();
        let same = |a: &Http, b: &Http| match (a, b) {
            (Http::Direct(a), Http::Direct(b)) => Arc::ptr_eq(a, b),
            (Http::Reqwest(_), Http::Reqwest(_)) => true,
            _ => false,
        };
        let first = t.http_for(Duration::from_secs(1)).unwrap();
        let again = t.http_for(Duration::from_secs(1)).unwrap();
        assert!(same(&first, &again));
        for s in 2..20 {
            t.http_for(Duration::from_secs(s)).unwrap();
        }
        assert_eq!(t.others.lock().unwrap().len(), OTHER_TIMEOUTS_KEPT);
    }

    #[test]
    fn a_proxy_variable_in_either_case_selects_reqwest() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(name, _)| *name == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(!proxy_configured(&env(&[])));
        assert!(!proxy_configured(&env(&[("NO_PROXY", "*")])));
        assert!(!proxy_configured(&env(&[("HTTPS_PROXY", " ")])));
        assert!(proxy_configured(&env(&[("https_proxy", "http://p:3128")])));
        assert!(proxy_configured(&env(&[("ALL_PROXY", "socks5://p")])));
    }
}
