//! WebSockets for the native transport (tokio-tungstenite): TCP with the
//! connect timeout, TLS by rustls with ring and the same roots as HTTP
//! (`wss://`), the HTTP request's headers on the upgrade, messages capped
//! at the event size limit. A server that answers the upgrade with an HTTP
//! status is an `Error::Api`, as that status would be over HTTP. Behind a
//! proxy the socket goes through an HTTP `CONNECT` tunnel: the caller's
//! (`Network::proxy`, openai-python's `http_client=`), else the one the
//! environment names, picked as reqwest picks one for HTTP (`HTTPS_PROXY`
//! for `wss`, `HTTP_PROXY` for `ws`, else `ALL_PROXY`, either case;
//! `NO_PROXY` exempts hosts); an `https://` or SOCKS proxy is a
//! configuration error rather than a silent direct connection. The
//! caller's `verify` and client certificate apply to `wss://` as to HTTPS.

use futures_util::{SinkExt, StreamExt};
use rapidresponse_core::redirect::{self, RedirectError};
use rapidresponse_core::{Error, Headers, HttpRequest};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::native::NativeTransport;
use crate::websocket::{Socket, SocketEvent, SocketTransport};
use rapidresponse_core::{Network, Verify};

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

type Stream = WebSocketStream<Box<dyn Io>>;
type Sink = futures_util::stream::SplitSink<Stream, Message>;

/// A native WebSocket: its reading half, and the writing half its senders share.
pub struct NativeSocket {
    read: futures_util::stream::SplitStream<Stream>,
    write: NativeSender,
}

/// The writing half of a native WebSocket.
#[derive(Clone)]
pub struct NativeSender(Arc<tokio::sync::Mutex<Sink>>);

impl crate::websocket::SocketSender for NativeSender {
    async fn send_text(&self, text: String) -> Result<(), Error> {
        self.0
            .lock()
            .await
            .send(Message::text(text))
            .await
            .map_err(|e| connection(format!("WebSocket send: {e}")))
    }

    async fn close(&self, code: u16, reason: &str) {
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: reason.to_owned().into(),
        };
        let mut sink = self.0.lock().await;
        let _ = tokio::time::timeout(
            Duration::from_secs(2),
            sink.send(Message::Close(Some(frame))),
        )
        .await;
    }
}

impl std::fmt::Debug for NativeSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("NativeSocket")
    }
}

fn connection(message: impl Into<String>) -> Error {
    Error::Connection {
        message: message.into(),
        partial: None,
    }
}

impl SocketTransport for NativeTransport {
    type Socket = NativeSocket;

    async fn open_socket(
        &self,
        mut request: HttpRequest,
        connect_timeout: Duration,
        max_message: usize,
    ) -> Result<NativeSocket, Error> {
        let mut followed = 0;
        loop {
            let (status, headers, body) =
                match open_once(&request, connect_timeout, max_message, &self.network).await? {
                    Ok(socket) => return Ok(socket),
                    Err(answer) => answer,
                };
            // Redirects by the core's one rule (no credential of any name
            // to another origin), as over HTTP.
            let Some(location) = headers
                .get("location")
                .filter(|_| redirect::is_redirect(status))
            else {
                return Err(
                    rapidresponse_core::ApiError::from_response(status, &headers, &body).into(),
                );
            };
            let next = url::Url::parse(&request.url)
                .and_then(|base| base.join(location))
                .map_err(|_| connection(RedirectError::Invalid.to_string()))?;
            let next = match next.as_str().split_once("://") {
                Some(("http", rest)) => format!("ws://{rest}"),
                Some(("https", rest)) => format!("wss://{rest}"),
                _ => next.to_string(),
            };
            redirect::follow(&mut request, status, &next, followed)
                .map_err(|e| connection(format!("WebSocket upgrade: {e}")))?;
            followed += 1;
        }
    }
}

/// An HTTP answer instead of the upgrade: status, headers, body.
type Refused = (u16, Headers, Vec<u8>);

/// Opens one WebSocket: the socket, or the HTTP answer the server gave
/// instead.
async fn open_once(
    request: &HttpRequest,
    connect_timeout: Duration,
    max_message: usize,
    network: &Network,
) -> Result<Result<NativeSocket, Refused>, Error> {
    {
        let url = url::Url::parse(&request.url).map_err(|e| Error::Config(e.to_string()))?;
        let secure = match url.scheme() {
            "wss" => true,
            "ws" => false,
            other => {
                return Err(Error::Config(format!(
                    "not a WebSocket URL scheme: {other}"
                )))
            }
        };
        let host = url
            .host_str()
            .ok_or_else(|| Error::Config("the WebSocket URL has no host".into()))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = url.port_or_known_default().unwrap_or(443);
        let proxy = match (&network.proxy, network.trust_env) {
            // The caller's proxy (http_client=) for every host.
            (Some(url), _) => {
                let mut proxy = parse_proxy(url.expose())?;
                if let Some((user, password)) = &network.proxy_auth {
                    use base64::Engine;
                    let pair = format!("{user}:{}", password.expose());
                    proxy.basic = Some(base64::engine::general_purpose::STANDARD.encode(pair));
                }
                Some(proxy)
            }
            (None, Some(false)) => None,
            (None, _) => socket_proxy(secure, &host, &|k| std::env::var(k).ok())?,
        };
        let (dial_host, dial_port) = match &proxy {
            Some(p) => (p.host.clone(), p.port),
            None => (host.clone(), port),
        };
        let tcp = tokio::time::timeout(connect_timeout, async {
            let mut tcp = tokio::net::TcpStream::connect((dial_host.as_str(), dial_port))
                .await
                .map_err(|e| {
                    connection(format!("cannot connect to {dial_host}:{dial_port}: {e}"))
                })?;
            if let Some(proxy) = &proxy {
                tunnel(&mut tcp, proxy, &host, port).await?;
            }
            Ok::<_, Error>(tcp)
        })
        .await
        .map_err(|_| Error::Timeout {
            kind: rapidresponse_core::TimeoutKind::Connect,
            partial: None,
        })??;
        let _ = tcp.set_nodelay(true);
        let io: Box<dyn Io> = if secure {
            let tls = socket_tls(network)?;
            let name = rustls::pki_types::ServerName::try_from(host.clone())
                .map_err(|e| Error::Config(format!("{host}: {e}")))?;
            let stream = tokio_rustls::TlsConnector::from(Arc::new(tls))
                .connect(name, tcp)
                .await
                .map_err(|e| connection(format!("TLS with {host}: {e}")))?;
            Box::new(stream)
        } else {
            Box::new(tcp)
        };
        let mut upgrade = request
            .url
            .as_str()
            .into_client_request()
            .map_err(|e| Error::Config(e.to_string()))?;
        for (name, value) in request.headers.iter() {
            let (Ok(name), Ok(value)) = (
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes()),
                tokio_tungstenite::tungstenite::http::HeaderValue::from_str(value),
            ) else {
                continue;
            };
            upgrade.headers_mut().insert(name, value);
        }
        let config = WebSocketConfig::default()
            .max_message_size(Some(max_message))
            .max_frame_size(Some(max_message));
        let handshake = tokio_tungstenite::client_async_with_config(upgrade, io, Some(config));
        match tokio::time::timeout(connect_timeout, handshake).await {
            Err(_) => Err(Error::Timeout {
                kind: rapidresponse_core::TimeoutKind::Connect,
                partial: None,
            }),
            Ok(Ok((ws, _))) => {
                let (write, read) = ws.split();
                Ok(Ok(NativeSocket {
                    read,
                    write: NativeSender(Arc::new(tokio::sync::Mutex::new(write))),
                }))
            }
            Ok(Err(tokio_tungstenite::tungstenite::Error::Http(response))) => {
                let mut headers = Headers::new();
                for (k, v) in response.headers() {
                    headers.append(k.as_str(), String::from_utf8_lossy(v.as_bytes()));
                }
                let body = response.body().clone().unwrap_or_default();
                Ok(Err((response.status().as_u16(), headers, body)))
            }
            Ok(Err(e)) => Err(connection(format!("WebSocket upgrade: {e}"))),
        }
    }
}

/// An HTTP proxy a WebSocket tunnels through.
#[derive(Debug, Clone, PartialEq)]
struct Proxy {
    host: String,
    port: u16,
    /// `user:password` from the proxy URL, base64 (Proxy-Authorization).
    basic: Option<String>,
    /// The proxy as shown in errors (no credentials).
    shown: String,
}

/// The proxy for a WebSocket to `host`, from the variables `var` reads:
/// `HTTPS_PROXY` (`wss`) or `HTTP_PROXY` (`ws`), else `ALL_PROXY`, either
/// case, unless `NO_PROXY` names the host (`*`, the host, or a domain it
/// is under). Only `http://` proxies (or no scheme) can tunnel here.
fn socket_proxy(
    secure: bool,
    host: &str,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Proxy>, Error> {
    let set = |name: &str| {
        var(name)
            .or_else(|| var(&name.to_lowercase()))
            .filter(|v| !v.trim().is_empty())
    };
    let scheme_var = if secure { "HTTPS_PROXY" } else { "HTTP_PROXY" };
    let Some(raw) = set(scheme_var).or_else(|| set("ALL_PROXY")) else {
        return Ok(None);
    };
    if let Some(list) = set("NO_PROXY") {
        let host = host.to_ascii_lowercase();
        let exempt = list
            .split(',')
            .map(|e| e.trim().to_ascii_lowercase())
            .any(|e| {
                let domain = e.trim_start_matches('.');
                e == "*"
                    || (!domain.is_empty()
                        && (host == domain || host.ends_with(&format!(".{domain}"))))
            });
        if exempt {
            return Ok(None);
        }
    }
    parse_proxy(&raw).map(Some)
}

/// An `http://[user:pass@]host[:port]` proxy (no scheme: http); other
/// schemes cannot tunnel a WebSocket here.
fn parse_proxy(raw: &str) -> Result<Proxy, Error> {
    let raw = raw.trim();
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("http://{raw}")
    };
    let url =
        url::Url::parse(&with_scheme).map_err(|e| Error::Config(format!("the proxy URL: {e}")))?;
    if url.scheme() != "http" {
        return Err(Error::Config(format!(
            "a {} proxy cannot carry the WebSocket mode (only http:// proxies tunnel it); set NO_PROXY for this host or use HTTP streaming",
            url.scheme()
        )));
    }
    let proxy_host = url
        .host_str()
        .ok_or_else(|| Error::Config("the proxy URL has no host".into()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = url.port().unwrap_or(80);
    // The URL keeps credentials percent-encoded; the header carries them decoded.
    let basic = (!url.username().is_empty()).then(|| {
        use base64::Engine;
        let pair = format!(
            "{}:{}",
            percent_decoded(url.username()),
            percent_decoded(url.password().unwrap_or(""))
        );
        base64::engine::general_purpose::STANDARD.encode(pair)
    });
    Ok(Proxy {
        shown: format!("{proxy_host}:{port}"),
        host: proxy_host,
        port,
        basic,
    })
}

/// `%XX` sequences decoded (invalid ones kept as they are).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// TLS for a `wss://` socket as the caller's network says: the system's
/// roots, only a CA bundle's, or none (verify=False); and a client
/// certificate when one is set.
fn socket_tls(network: &Network) -> Result<rustls::ClientConfig, Error> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let failed = |e: String| connection(e);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| failed(format!("TLS: {e}")))?;
    let builder = match &network.verify {
        Verify::System => builder.with_root_certificates(
            crate::native::root_certificates().map_err(|e| failed(e.message))?,
        ),
        Verify::CaFile(path) => {
            let pem =
                std::fs::read(path).map_err(|e| failed(format!("the CA bundle {path}: {e}")))?;
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(&pem) {
                let cert = cert.map_err(|e| failed(format!("the CA bundle {path}: {e}")))?;
                roots
                    .add(cert)
                    .map_err(|e| failed(format!("the CA bundle {path}: {e}")))?;
            }
            builder.with_root_certificates(roots)
        }
        Verify::Off => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(provider))),
    };
    let Some((cert, key)) = &network.client_cert else {
        return Ok(builder.with_no_client_auth());
    };
    let cert_pem =
        std::fs::read(cert).map_err(|e| failed(format!("the client certificate {cert}: {e}")))?;
    let key_pem = match key {
        Some(k) => std::fs::read(k).map_err(|e| failed(format!("the client key {k}: {e}")))?,
        None => cert_pem.clone(),
    };
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| failed(format!("the client certificate {cert}: {e}")))?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|e| failed(format!("the client key: {e}")))?;
    builder
        .with_client_auth_cert(chain, key)
        .map_err(|e| failed(format!("the client certificate {cert}: {e}")))
}

/// httpx's `verify=False` for a WebSocket: any certificate is accepted
/// (signatures are still checked, so the handshake is well formed).
#[derive(Debug)]
struct NoVerification(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Opens an HTTP `CONNECT` tunnel to `host:port` through the proxy that
/// `tcp` is connected to.
async fn tunnel(
    tcp: &mut tokio::net::TcpStream,
    proxy: &Proxy,
    host: &str,
    port: u16,
) -> Result<(), Error> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let target = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut head = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
    if let Some(basic) = &proxy.basic {
        head.push_str(&format!("Proxy-Authorization: Basic {basic}\r\n"));
    }
    head.push_str("\r\n");
    let failed = |e: std::io::Error| connection(format!("the proxy {}: {e}", proxy.shown));
    tcp.write_all(head.as_bytes()).await.map_err(failed)?;
    // The answer's head only: the tunnel is silent until the client speaks.
    let mut answer = Vec::new();
    let mut chunk = [0u8; 1024];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        if answer.len() > 16 * 1024 {
            return Err(connection(format!(
                "the proxy {} sent an endless answer to CONNECT",
                proxy.shown
            )));
        }
        let n = tcp.read(&mut chunk).await.map_err(failed)?;
        if n == 0 {
            return Err(connection(format!(
                "the proxy {} closed the connection during CONNECT",
                proxy.shown
            )));
        }
        answer.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&answer);
    let status_line = text.lines().next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok());
    match status {
        Some(200..=299) => Ok(()),
        _ => Err(connection(format!(
            "the proxy {} refused the tunnel to {target}: {status_line}",
            proxy.shown
        ))),
    }
}

impl Socket for NativeSocket {
    type Sender = NativeSender;

    fn sender(&self) -> NativeSender {
        self.write.clone()
    }

    async fn recv(&mut self) -> SocketEvent {
        loop {
            return match self.read.next().await {
                Some(Ok(Message::Text(text))) => SocketEvent::Text(text.to_string()),
                Some(Ok(Message::Binary(bytes))) => match String::from_utf8(bytes.to_vec()) {
                    Ok(text) => SocketEvent::Text(text),
                    Err(_) => SocketEvent::Failed(connection("a binary WebSocket message that is not UTF-8")),
                },
                Some(Ok(Message::Close(frame))) => SocketEvent::Closed {
                    code: frame.as_ref().map_or(1005, |f| u16::from(f.code)),
                    reason: frame.map(|f| f.reason.to_string()).unwrap_or_default(),
                },
                // Pings are answered by tungstenite.
                Some(Ok(_)) => continue,
                None => SocketEvent::Closed {
                    code: rapidresponse_core::websocket::ABNORMAL_CLOSE,
                    reason: String::new(),
                },
                Some(Err(tokio_tungstenite::tungstenite::Error::Capacity(e))) => {
                    SocketEvent::Failed(connection(format!("WebSocket message refused: {e}")))
                }
                Some(Err(
                    tokio_tungstenite::tungstenite::Error::ConnectionClosed
                    | tokio_tungstenite::tungstenite::Error::AlreadyClosed
                    | tokio_tungstenite::tungstenite::Error::Protocol(
                        tokio_tungstenite::tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
                    ),
                )) => SocketEvent::Closed {
                    code: rapidresponse_core::websocket::ABNORMAL_CLOSE,
                    reason: String::new(),
                },
                Some(Err(e)) => SocketEvent::Failed(connection(format!("WebSocket: {e}"))),
            };
        }
    }

    async fn close(&mut self, code: u16, reason: &str) {
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: reason.to_owned().into(),
        };
        let closing = async {
            let _ = self
                .write
                .0
                .lock()
                .await
                .send(Message::Close(Some(frame)))
                .await;
            // The peer's close frame, or the end of the stream.
            while let Some(Ok(message)) = self.read.next().await {
                if message.is_close() {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(2), closing).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_proxy_is_picked_as_reqwest_picks_one_for_http() {
        let none = socket_proxy(true, "api.openai.com", &env(&[])).unwrap();
        assert_eq!(none, None);
        let vars = [
            ("https_proxy", "http://u:p@secure.proxy:3128"),
            ("HTTP_PROXY", "plain.proxy:8080"),
        ];
        let wss = socket_proxy(true, "api.openai.com", &env(&vars))
            .unwrap()
            .unwrap();
        assert_eq!((wss.host.as_str(), wss.port), ("secure.proxy", 3128));
        assert_eq!(wss.basic.as_deref(), Some("dTpw"), "u:p");
        assert_eq!(wss.shown, "secure.proxy:3128", "no credentials in errors");
        let ws = socket_proxy(false, "127.0.0.1", &env(&vars))
            .unwrap()
            .unwrap();
        assert_eq!(
            (ws.host.as_str(), ws.port, ws.basic),
            ("plain.proxy", 8080, None)
        );
        let all = socket_proxy(true, "h", &env(&[("ALL_PROXY", "http://all:1")])).unwrap();
        assert_eq!(all.unwrap().host, "all");
        for no in ["*", "openai.com", ".openai.com", "other, API.openai.com"] {
            let vars = [("HTTPS_PROXY", "http://p:1"), ("NO_PROXY", no)];
            assert_eq!(
                socket_proxy(true, "api.openai.com", &env(&vars)).unwrap(),
                None,
                "{no}"
            );
        }
        let vars = [("HTTPS_PROXY", "http://p:1"), ("no_proxy", "ai.com")];
        assert!(socket_proxy(true, "api.openai.com", &env(&vars))
            .unwrap()
            .is_some());
        for refused in ["socks5://p:1080", "https://p:443"] {
            let e = socket_proxy(true, "h", &env(&[("HTTPS_PROXY", refused)])).unwrap_err();
            assert!(matches!(e, Error::Config(_)), "{refused}: {e:?}");
        }
    }
}
