//! WebSockets for the fetch transport: the platform's `WebSocket`, made by
//! a function the TypeScript layer gives (in Node with the upgrade's
//! headers; a browser cannot set them), its messages queued for the Rust
//! connection (`rapidresponse::ResponsesConnection`), which decides
//! everything else. A refused upgrade is a connection error here: the
//! platform does not show its status.

use rapidresponse::core::{Error, HttpRequest, TimeoutKind};
use rapidresponse::websocket::{Socket, SocketEvent, SocketSender, SocketTransport};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::fetch::FetchTransport;

fn connection(message: impl Into<String>) -> Error {
    Error::Connection {
        message: message.into(),
        partial: None,
    }
}

#[derive(Default)]
struct Inbox {
    events: VecDeque<SocketEvent>,
    /// The open (or its failure), once known.
    opened: Option<Result<(), String>>,
    waker: Option<Waker>,
}

type Shared = Rc<RefCell<Inbox>>;

fn push(inbox: &Shared, event: SocketEvent) {
    let mut i = inbox.borrow_mut();
    i.events.push_back(event);
    if let Some(w) = i.waker.take() {
        w.wake();
    }
}

/// A platform WebSocket and what its handlers queued.
pub struct JsSocket {
    ws: web_sys::WebSocket,
    inbox: Shared,
    /// Kept alive as long as the socket: the platform calls them.
    _handlers: Vec<Closure<dyn FnMut(JsValue)>>,
}

/// The platform socket, to send on.
#[derive(Clone)]
pub struct JsSender(web_sys::WebSocket);

impl SocketSender for JsSender {
    async fn send_text(&self, text: String) -> Result<(), Error> {
        self.0
            .send_with_str(&text)
            .map_err(|_| connection("the WebSocket is not open"))
    }

    async fn close(&self, code: u16, reason: &str) {
        let _ = self.0.close_with_code_and_reason(code, reason);
    }
}

/// Resolves with the inbox's next event, or the open's outcome.
struct Wait<'a> {
    inbox: &'a Shared,
    open: bool,
}

impl Future for Wait<'_> {
    type Output = Option<SocketEvent>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut i = self.inbox.borrow_mut();
        if self.open {
            if i.opened.is_some() {
                return Poll::Ready(None);
            }
        } else if let Some(event) = i.events.pop_front() {
            return Poll::Ready(Some(event));
        }
        i.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl SocketTransport for FetchTransport {
    type Socket = JsSocket;

    async fn open_socket(
        &self,
        request: HttpRequest,
        connect_timeout: Duration,
        max_message: usize,
    ) -> Result<JsSocket, Error> {
        let factory = self
            .open_socket
            .as_ref()
            .ok_or_else(|| Error::Config("this client cannot open WebSockets".into()))?;
        let headers = js_sys::Array::new();
        for (name, value) in request.headers.iter() {
            headers.push(&js_sys::Array::of2(&name.into(), &value.into()));
        }
        let made = factory
            .call2(&JsValue::NULL, &request.url.as_str().into(), &headers)
            .map_err(|e| connection(format!("cannot open the WebSocket: {e:?}")))?;
        let ws: web_sys::WebSocket = made
            .dyn_into()
            .map_err(|_| Error::Config("the socket factory did not give a WebSocket".into()))?;
        ws.set_binary_type(web_sys::BinaryType::Arraybuffer);
        let inbox = Shared::default();
        let on = |f: Box<dyn FnMut(JsValue)>| Closure::wrap(f);
        let handlers = vec![
            on(Box::new({
                let inbox = inbox.clone();
                move |_| {
                    let mut i = inbox.borrow_mut();
                    i.opened = Some(Ok(()));
                    if let Some(w) = i.waker.take() {
                        w.wake();
                    }
                }
            })),
            on(Box::new({
                let inbox = inbox.clone();
                move |e: JsValue| {
                    let data = e.unchecked_into::<web_sys::MessageEvent>().data();
                    let text = match data.as_string() {
                        Some(text) => Ok(text),
                        None => String::from_utf8(js_sys::Uint8Array::new(&data).to_vec())
                            .map_err(|_| "a binary WebSocket message that is not UTF-8"),
                    };
                    let event = match text {
                        Ok(text) if text.len() > max_message => {
                            SocketEvent::Failed(connection(format!(
                                "WebSocket message refused: over the limit of {max_message} bytes"
                            )))
                        }
                        Ok(text) => SocketEvent::Text(text),
                        Err(why) => SocketEvent::Failed(connection(why)),
                    };
                    push(&inbox, event);
                }
            })),
            on(Box::new({
                let inbox = inbox.clone();
                move |e: JsValue| {
                    let e = e.unchecked_into::<web_sys::CloseEvent>();
                    {
                        let mut i = inbox.borrow_mut();
                        i.opened
                            .get_or_insert_with(|| Err(format!("closed with code {}", e.code())));
                    }
                    push(
                        &inbox,
                        SocketEvent::Closed {
                            code: e.code(),
                            reason: e.reason(),
                        },
                    );
                }
            })),
        ];
        ws.set_onopen(Some(handlers[0].as_ref().unchecked_ref()));
        ws.set_onmessage(Some(handlers[1].as_ref().unchecked_ref()));
        ws.set_onclose(Some(handlers[2].as_ref().unchecked_ref()));
        let socket = JsSocket {
            ws,
            inbox,
            _handlers: handlers,
        };
        let timed_out = {
            let wait = std::pin::pin!(Wait {
                inbox: &socket.inbox,
                open: true,
            });
            let sleep = std::pin::pin!(rapidresponse::Transport::sleep(self, connect_timeout));
            matches!(
                futures_util::future::select(wait, sleep).await,
                futures_util::future::Either::Right(_)
            )
        };
        if timed_out {
            socket.ws.close().ok();
            return Err(Error::Timeout {
                kind: TimeoutKind::Connect,
                partial: None,
            });
        }
        let outcome = socket.inbox.borrow_mut().opened.clone();
        match outcome {
            Some(Ok(())) => Ok(socket),
            Some(Err(why)) => Err(connection(format!(
                "the WebSocket could not be opened ({why}; the platform does not show a refused upgrade's status)"
            ))),
            None => Err(connection("the WebSocket could not be opened")),
        }
    }
}

impl Socket for JsSocket {
    type Sender = JsSender;

    fn sender(&self) -> JsSender {
        JsSender(self.ws.clone())
    }

    async fn recv(&mut self) -> SocketEvent {
        Wait {
            inbox: &self.inbox,
            open: false,
        }
        .await
        .unwrap_or(SocketEvent::Closed {
            code: rapidresponse::core::websocket::ABNORMAL_CLOSE,
            reason: String::new(),
        })
    }

    async fn close(&mut self, code: u16, reason: &str) {
        let _ = self.ws.close_with_code_and_reason(code, reason);
    }
}

impl Drop for JsSocket {
    fn drop(&mut self) {
        // The handlers go with this object: the platform must not call them after.
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}
