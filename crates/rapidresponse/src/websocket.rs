//! The Responses API's WebSocket mode: `client.responses().connect()`
//! opens one connection; `create(..)` sends `response.create` and
//! `next_event()` reads that response's events, decoded and accumulated by
//! the core's stream machine (one per response) exactly as the same events
//! would be over HTTP. Responses on a connection run one after another
//! (the API's default lane is first in, first out); a finished response
//! leaves the connection open for the next. Nothing is re-sent: a
//! connection that drops mid-response ends that response with an error
//! carrying what arrived, and a new `connect()` is the caller's choice.
//! The socket itself is the transport's (`SocketTransport`).

use rapidresponse_core::websocket::{client_event_type, create_message};
use rapidresponse_core::{
    CreateResponse, Delivery, Error, EventKind, HttpRequest, Response, Step, StreamEvent,
    StreamMachine, StreamRules, TimeoutKind, UsageKind,
};
use serde_json::Value;
use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::client::{CallOptions, Client};
use crate::stream::Event;
use crate::transport::{MaybeSend, MaybeSync, Transport};

/// What a socket gives next.
#[derive(Debug)]
pub enum SocketEvent {
    /// A text message.
    Text(String),
    /// The peer closed (or the connection dropped: code 1006).
    Closed { code: u16, reason: String },
    /// Reading failed (an oversized message, a protocol error).
    Failed(Error),
}

/// An open WebSocket: read by one owner, written through senders.
pub trait Socket: MaybeSend + 'static {
    type Sender: SocketSender;
    /// A handle that sends on this socket while its owner reads.
    fn sender(&self) -> Self::Sender;
    fn recv(&mut self) -> impl Future<Output = SocketEvent> + MaybeSend;
    /// Sends a close frame and waits for the peer's (briefly).
    fn close(&mut self, code: u16, reason: &str) -> impl Future<Output = ()> + MaybeSend;
}

/// The sending side of a socket.
pub trait SocketSender: Clone + MaybeSend + MaybeSync + 'static {
    fn send_text(&self, text: String) -> impl Future<Output = Result<(), Error>> + MaybeSend;
    /// Sends a close frame (the reading side then sees the close).
    fn close(&self, code: u16, reason: &str) -> impl Future<Output = ()> + MaybeSend;
}

/// A transport that can also open WebSockets.
pub trait SocketTransport: Transport {
    type Socket: Socket;

    /// Opens `request` (a `ws://` or `wss://` URL with its headers) as a
    /// WebSocket whose messages are at most `max_message` bytes. An HTTP
    /// answer instead of the upgrade is `Error::Api` (a 401, a 429, ...).
    fn open_socket(
        &self,
        request: HttpRequest,
        connect_timeout: Duration,
        max_message: usize,
    ) -> impl Future<Output = Result<Self::Socket, Error>> + MaybeSend;
}

/// What the reading and the sending side of a connection share.
#[derive(Default)]
struct Lanes {
    /// A machine per response sent and not finished, oldest first.
    in_flight: VecDeque<StreamMachine>,
    /// How the peer closed, once it did.
    closed: Option<(u16, String)>,
}

type Shared = Arc<Mutex<Lanes>>;

fn lock(shared: &Shared) -> MutexGuard<'_, Lanes> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Marks the connection closed by this side (code 1000); whether it was
/// open (and a close frame is to be sent).
fn mark_closed(shared: &Shared) -> bool {
    let mut lanes = lock(shared);
    let open = lanes.closed.is_none();
    lanes.closed.get_or_insert((1000, String::new()));
    open
}

/// One WebSocket connection of the Responses API.
pub struct ResponsesConnection<T: SocketTransport> {
    client: Client<T>,
    socket: T::Socket,
    sender: ResponsesSender<T>,
    shared: Shared,
    /// The last finished response's machine (`final_response`).
    finished: Option<StreamMachine>,
    /// How many responses have finished.
    finished_count: u64,
    steps: VecDeque<Step>,
    read_timeout: Duration,
    /// An error met after the events `next_ready` gave: the next call's.
    stashed: Option<Error>,
}

impl<T: SocketTransport> std::fmt::Debug for ResponsesConnection<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let lanes = lock(&self.shared);
        f.debug_struct("ResponsesConnection")
            .field("in_flight", &lanes.in_flight.len())
            .field("closed", &lanes.closed)
            .finish()
    }
}

/// Sends on a connection while its owner reads it (another task, an
/// event loop): `create` and `send` as on the connection.
pub struct ResponsesSender<T: SocketTransport> {
    socket: <T::Socket as Socket>::Sender,
    shared: Shared,
    rules: StreamRules,
    max_event_bytes: usize,
}

impl<T: SocketTransport> Clone for ResponsesSender<T> {
    fn clone(&self) -> Self {
        ResponsesSender {
            socket: self.socket.clone(),
            shared: self.shared.clone(),
            rules: self.rules,
            max_event_bytes: self.max_event_bytes,
        }
    }
}

impl<T: SocketTransport> ResponsesSender<T> {
    /// Sends `response.create` for `request` (its `stream` and `background`
    /// left out: implicit and unsupported over a WebSocket).
    pub async fn create(&self, request: CreateResponse) -> Result<(), Error> {
        let body = serde_json::to_vec(&request)
            .map_err(|e| Error::Config(format!("the request does not serialise: {e}")))?;
        self.send_text(create_message(&body, None)?).await
    }

    /// Sends any client event (`response.create` as JSON, `response.steer`,
    /// ...). A `response.create` starts a response the connection reads.
    pub async fn send(&self, event: &Value) -> Result<(), Error> {
        let text = serde_json::to_string(event).map_err(|e| Error::Config(e.to_string()))?;
        self.send_text(text).await
    }

    /// Sends a client event written as JSON text.
    pub async fn send_text(&self, text: String) -> Result<(), Error> {
        let starts = client_event_type(&text).as_deref() == Some("response.create");
        {
            let mut lanes = lock(&self.shared);
            if let Some((code, _)) = &lanes.closed {
                return Err(Error::Connection {
                    message: format!("the WebSocket is closed (code {code})"),
                    partial: None,
                });
            }
            // Queued before sending: the first event may come back at once.
            if starts {
                lanes.in_flight.push_back(StreamMachine::new(
                    EventKind::Responses,
                    UsageKind::Response,
                    self.rules,
                    None,
                    self.max_event_bytes,
                ));
            }
        }
        let sent = self.socket.send_text(text).await;
        if sent.is_err() && starts {
            lock(&self.shared).in_flight.pop_back();
        }
        sent
    }

    /// Closes the connection (code 1000), also while it is being read: a
    /// response in flight ends with a connection error carrying what
    /// arrived, and later sends fail.
    pub async fn close(&self) {
        if mark_closed(&self.shared) {
            self.socket.close(1000, "").await;
        }
    }
}

pub(crate) async fn connect<T: SocketTransport>(
    client: Client<T>,
    options: CallOptions,
) -> Result<ResponsesConnection<T>, Error> {
    let config = client.config();
    let request = config.prepare_websocket(&options.request)?;
    let timeouts = client.timeouts(&options);
    let max_message = config.max_event_bytes;
    let socket = client
        .transport()
        .open_socket(request, timeouts.connect, max_message)
        .await?;
    let shared = Shared::default();
    let sender = ResponsesSender {
        socket: socket.sender(),
        shared: shared.clone(),
        rules: client.config().stream_rules,
        max_event_bytes: client.config().max_event_bytes,
    };
    Ok(ResponsesConnection {
        client,
        socket,
        sender,
        shared,
        finished: None,
        finished_count: 0,
        steps: VecDeque::new(),
        read_timeout: timeouts.read,
        stashed: None,
    })
}

impl<T: SocketTransport> ResponsesConnection<T> {
    /// Sends `response.create` for `request` (its `stream` and `background`
    /// left out: implicit and unsupported over a WebSocket); read its
    /// events with `next_event`.
    pub async fn create(&mut self, request: CreateResponse) -> Result<(), Error> {
        self.sender.create(request).await
    }

    /// Sends any client event (`response.create` as JSON, `response.steer`,
    /// ...). A `response.create` starts a response whose events
    /// `next_event` reads.
    pub async fn send(&mut self, event: &Value) -> Result<(), Error> {
        self.sender.send(event).await
    }

    /// A sender for other tasks, to send while this connection is read.
    pub fn sender(&self) -> ResponsesSender<T> {
        self.sender.clone()
    }

    /// The next event of the oldest response in flight; `None` when no
    /// response is in flight (each ends after its terminal event, or with
    /// an error carrying the response so far: an `error` event, a dropped
    /// connection, a read timeout, an oversized message).
    pub async fn next_event(&mut self) -> Option<Result<Event, Error>> {
        let delivery = self.next_delivery().await?;
        Some(delivery.and_then(|d| StreamEvent::decode(d).map_err(Error::Decode)))
    }

    /// `next_event` before typed decoding: the event's JSON as received
    /// (what the Python and npm shells hand over).
    pub async fn next_delivery(&mut self) -> Option<Result<Delivery, Error>> {
        loop {
            if let Some(ready) = self.take_step() {
                return Some(ready);
            }
            {
                let lanes = lock(&self.shared);
                if lanes.in_flight.is_empty() {
                    return None;
                }
                if lanes.closed.is_some() {
                    drop(lanes);
                    self.read(None);
                    continue;
                }
            }
            // None: the read timeout ran out first.
            let got = {
                let read = std::pin::pin!(self.socket.recv());
                let sleep = std::pin::pin!(self.client.transport().sleep(self.read_timeout));
                match futures_util::future::select(read, sleep).await {
                    futures_util::future::Either::Left((event, _)) => Some(event),
                    futures_util::future::Either::Right(_) => None,
                }
            };
            self.read(Some(got));
        }
    }

    /// The events of the oldest response in flight that are here already,
    /// after waiting for the first: at most `max`, typed. `None` when no
    /// response is in flight; an error after some events comes with the
    /// next call.
    pub async fn next_ready(&mut self, max: usize) -> Option<Result<Vec<Event>, Error>> {
        let deliveries = match self.next_ready_deliveries(max).await? {
            Ok(d) => d,
            Err(e) => return Some(Err(e)),
        };
        let mut events = Vec::with_capacity(deliveries.len());
        for d in deliveries {
            match StreamEvent::decode(d) {
                Ok(e) => events.push(e),
                Err(e) if events.is_empty() => return Some(Err(Error::Decode(e))),
                Err(e) => {
                    // Kept for the next call, after the events before it.
                    self.stashed.get_or_insert(Error::Decode(e));
                    break;
                }
            }
        }
        Some(Ok(events))
    }

    /// `next_ready` before typed decoding (the shells take these across in
    /// one crossing).
    pub async fn next_ready_deliveries(
        &mut self,
        max: usize,
    ) -> Option<Result<Vec<Delivery>, Error>> {
        if let Some(e) = self.stashed.take() {
            return Some(Err(e));
        }
        let first = match self.next_delivery().await? {
            Ok(d) => d,
            Err(e) => return Some(Err(e)),
        };
        let mut ready = vec![first];
        while ready.len() < max {
            let next = match self.take_step() {
                Some(next) => next,
                None if self.idle() => break,
                None => {
                    use futures_util::FutureExt;
                    // Only a message already received: no waiting here.
                    match self.socket.recv().now_or_never() {
                        Some(got) => {
                            self.read(Some(Some(got)));
                            continue;
                        }
                        None => break,
                    }
                }
            };
            match next {
                Ok(d) => ready.push(d),
                Err(e) => {
                    self.stashed = Some(e);
                    break;
                }
            }
        }
        Some(Ok(ready))
    }

    /// Nothing to read: no response in flight, or the peer closed.
    fn idle(&self) -> bool {
        let lanes = lock(&self.shared);
        lanes.in_flight.is_empty() || lanes.closed.is_some()
    }

    /// The next step already decided, as an event or the response's error;
    /// a clean end moves on to the next response.
    fn take_step(&mut self) -> Option<Result<Delivery, Error>> {
        while let Some(step) = self.steps.pop_front() {
            match step {
                Step::Event(d) => return Some(Ok(d)),
                Step::Skipped(e) => return Some(Err(Error::Decode(e))),
                Step::End(end) => {
                    self.finish_front();
                    if let Err(e) = end {
                        return Some(Err(e));
                    }
                }
            }
        }
        None
    }

    /// Feeds what the socket gave (`Some(None)`: the read timeout ran out;
    /// `None`: the socket had closed before) to the oldest response.
    fn read(&mut self, got: Option<Option<SocketEvent>>) {
        let mut guard = lock(&self.shared);
        let lanes = &mut *guard;
        let Some(machine) = lanes.in_flight.front_mut() else {
            return;
        };
        match got {
            None => {
                if let Some((code, reason)) = &lanes.closed {
                    machine.fail(closed_error(*code, reason), &mut self.steps);
                }
            }
            Some(Some(SocketEvent::Text(text))) => {
                machine.feed_message(&text, &mut self.steps);
                if machine.is_complete() && !machine.is_ended() {
                    machine.finish(&mut self.steps);
                }
            }
            Some(Some(SocketEvent::Closed { code, reason })) => lanes.closed = Some((code, reason)),
            Some(Some(SocketEvent::Failed(e))) => machine.fail(e, &mut self.steps),
            Some(None) => {
                let timeout = Error::Timeout {
                    kind: TimeoutKind::Read,
                    partial: None,
                };
                machine.fail(timeout, &mut self.steps);
            }
        }
    }

    /// A response ended: its usage counts, and it is the one
    /// `final_response` gives.
    fn finish_front(&mut self) {
        let popped = lock(&self.shared).in_flight.pop_front();
        if let Some(mut machine) = popped {
            if let Some((model, counts)) = machine.take_usage() {
                self.client.record_usage(&model, &counts);
            }
            self.finished = Some(machine);
            self.finished_count += 1;
        }
    }

    /// Reads the oldest response in flight to its end and gives it; a
    /// failed or incomplete response, or one cut short, is an error
    /// carrying it.
    pub async fn final_response(&mut self) -> Result<Response, Error> {
        if lock(&self.shared).in_flight.is_empty() {
            return Err(Error::Config("no response is in flight".into()));
        }
        let target = self.finished_count + 1;
        while self.finished_count < target {
            match self.next_delivery().await {
                Some(Ok(_)) | Some(Err(Error::Decode(_))) => {}
                Some(Err(e)) => return Err(e),
                None => break,
            }
        }
        let Some(machine) = &self.finished else {
            return Err(Error::Config("no response is in flight".into()));
        };
        crate::stream::typed_final(machine.final_response())
    }

    /// How many responses were sent and have not finished.
    pub fn in_flight(&self) -> usize {
        lock(&self.shared).in_flight.len()
    }

    /// The close code and reason, once the peer closed.
    pub fn closed(&self) -> Option<(u16, String)> {
        lock(&self.shared).closed.clone()
    }

    /// Closes the connection (code 1000); responses in flight are dropped
    /// and later sends fail.
    pub async fn close(mut self) {
        if mark_closed(&self.shared) {
            self.socket.close(1000, "").await;
        }
    }
}

fn closed_error(code: u16, reason: &str) -> Error {
    let reason = if reason.is_empty() {
        String::new()
    } else {
        format!(": {reason}")
    };
    Error::Connection {
        message: format!(
            "the WebSocket closed (code {code}{reason}) before the response was complete"
        ),
        partial: None,
    }
}

impl<T: SocketTransport> crate::resources::Responses<T> {
    /// Opens a WebSocket to `<base>/responses` (the WebSocket mode), with
    /// the client's headers and this call's options.
    pub async fn connect_with(
        &self,
        options: CallOptions,
    ) -> Result<ResponsesConnection<T>, Error> {
        connect(self.client().clone(), options).await
    }

    /// `connect_with(CallOptions::new())`.
    pub async fn connect(&self) -> Result<ResponsesConnection<T>, Error> {
        self.connect_with(CallOptions::new()).await
    }
}
