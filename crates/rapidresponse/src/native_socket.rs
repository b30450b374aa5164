//! WebSockets for the native transport (tokio-tungstenite): TCP with the
//! connect timeout, TLS by rustls with ring and the same roots as HTTP
//! (`wss://`), the HTTP request's headers on the upgrade, messages capped
//! at the event size limit. A server that answers the upgrade with an HTTP
//! status is an `Error::Api`, as that status would be over HTTP. Proxies
//! are not supported for WebSockets yet: with a proxy variable set,
//! opening one is a configuration error rather than a silent direct
//! connection.

use futures_util::{SinkExt, StreamExt};
use rapidresponse_core::{Error, Headers, HttpRequest};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::native::{proxy_from_env, tls_config, NativeTransport};
use crate::websocket::{Socket, SocketEvent, SocketTransport};

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
        request: HttpRequest,
        connect_timeout: Duration,
        max_message: usize,
    ) -> Result<NativeSocket, Error> {
        if let Some(var) = proxy_from_env() {
            return Err(Error::Config(format!(
                "{var} is set: the WebSocket mode does not go through proxies yet (use HTTP streaming)"
            )));
        }
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
        let tcp = tokio::time::timeout(
            connect_timeout,
            tokio::net::TcpStream::connect((host.as_str(), port)),
        )
        .await
        .map_err(|_| Error::Timeout {
            kind: rapidresponse_core::TimeoutKind::Connect,
            partial: None,
        })?
        .map_err(|e| connection(format!("cannot connect to {host}:{port}: {e}")))?;
        let _ = tcp.set_nodelay(true);
        let io: Box<dyn Io> = if secure {
            let tls = tls_config().map_err(|e| connection(e.message))?;
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
                Ok(NativeSocket {
                    read,
                    write: NativeSender(Arc::new(tokio::sync::Mutex::new(write))),
                })
            }
            Ok(Err(tokio_tungstenite::tungstenite::Error::Http(response))) => {
                let mut headers = Headers::new();
                for (k, v) in response.headers() {
                    headers.append(k.as_str(), String::from_utf8_lossy(v.as_bytes()));
                }
                let body = response.body().clone().unwrap_or_default();
                let status = response.status().as_u16();
                Err(rapidresponse_core::ApiError::from_response(status, &headers, &body).into())
            }
            Ok(Err(e)) => Err(connection(format!("WebSocket upgrade: {e}"))),
        }
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
