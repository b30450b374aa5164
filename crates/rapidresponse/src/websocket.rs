//! The Responses API's WebSocket mode: `client.responses().connect()`
//! opens one connection; `create(..)` sends `response.create` and
//! `next_event()` reads the events, decoded and accumulated by the core's
//! stream machine (one per response) exactly as the same events would be
//! over HTTP. Responses on one lane (`stream_id`, or the default lane) run
//! one after another; lanes run side by side and each message goes to its
//! lane's oldest response. A finished response leaves the connection open
//! for the next. Nothing is re-sent: a connection that drops mid-response
//! ends what was in flight with an error carrying what arrived; with
//! `reconnect_with` (off by default, as in the SDKs) a recoverable close
//! opens a new socket, and messages sent meanwhile wait in a queue.
//! The socket itself is the transport's (`SocketTransport`).

use rapidresponse_core::websocket::{
    client_event_head, create_message, is_recoverable_close, message_stream_id, ReconnectPolicy,
    SendQueue,
};
use rapidresponse_core::{
    CreateResponse, Delivery, Error, EventKind, HttpRequest, RequestOptions, Response, Step,
    StreamEvent, StreamMachine, StreamRules, Terminal, TimeoutKind, UsageKind,
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

/// What a reconnect attempt is about (openai-python's `ReconnectingEvent`,
/// openai-node's `ReconnectingEvent`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reconnecting {
    /// Which attempt this is (1-based).
    pub attempt: u32,
    pub max_attempts: u32,
    /// The wait before this attempt connects.
    pub delay: Duration,
    /// The close code that started the reconnect.
    pub close_code: u16,
}

/// Asked before each reconnect attempt. It may change the next upgrade's
/// request options (the SDKs' `extra_query` / `extra_headers` overrides);
/// `false` stops reconnecting (their `abort`).
pub trait ReconnectHandler: MaybeSend + 'static {
    fn reconnecting(&mut self, event: &Reconnecting, options: &mut RequestOptions) -> bool;
}

impl<F> ReconnectHandler for F
where
    F: FnMut(&Reconnecting, &mut RequestOptions) -> bool + MaybeSend + 'static,
{
    fn reconnecting(&mut self, event: &Reconnecting, options: &mut RequestOptions) -> bool {
        self(event, options)
    }
}

/// A response sent (or queued to be sent) and not yet taken to its end.
struct Entry {
    /// Counts responses on this connection; steps carry it.
    serial: u64,
    /// Its lane (`stream_id`; `None`: the default lane).
    lane: Option<String>,
    machine: StreamMachine,
    /// The socket it went out on (a count of sockets opened), or `None`
    /// while it waits in the send queue for a reconnect.
    sent_on: Option<u64>,
}

/// What the reading and the sending side of a connection share.
struct Lanes<S> {
    /// Responses in flight, in the order they were sent.
    in_flight: Vec<Entry>,
    next_serial: u64,
    /// The current socket's sender; a reconnect replaces it.
    sender: S,
    /// How many sockets this connection has opened (1 at first; each
    /// reconnect adds one).
    generation: u64,
    /// How the connection ended for good, once it did.
    closed: Option<(u16, String)>,
    /// Whether `close()` was called here (no reconnect after it).
    closed_here: bool,
    /// Whether a dropped socket will be opened again: sends wait in `queue`.
    reconnecting: bool,
    /// Whether reconnecting is on (sends that fail are then queued).
    reconnects: bool,
    queue: SendQueue,
    /// The response each queued message starts (`None`: not a create),
    /// in step with `queue`.
    queued_serials: VecDeque<Option<u64>>,
    /// Lanes whose response ended early here (a read timeout, a refused
    /// message) while the server may still send it: their messages are
    /// dropped until that response's terminal event, so they never reach
    /// the lane's next response.
    draining: Vec<Option<String>>,
    /// What a connection that ended for good never sent.
    unsent: Vec<String>,
}

type Shared<S> = Arc<Mutex<Lanes<S>>>;
type SenderOf<T> = <<T as SocketTransport>::Socket as Socket>::Sender;

fn lock<S>(shared: &Shared<S>) -> MutexGuard<'_, Lanes<S>> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Marks the connection closed by this side (code 1000); the sender to
/// close when it was open (a close frame is to be sent).
fn mark_closed<S: Clone>(shared: &Shared<S>) -> Option<S> {
    let mut lanes = lock(shared);
    lanes.closed_here = true;
    lanes.reconnecting = false;
    let open = lanes.closed.is_none();
    lanes.closed.get_or_insert((1000, String::new()));
    open.then(|| lanes.sender.clone())
}

impl<S> Lanes<S> {
    /// Where a server message goes: the oldest unfinished response of its
    /// lane. With one lane in flight nothing is parsed; a message naming no
    /// lane in flight goes to the oldest response (nothing is dropped).
    fn route(&self, text: &str) -> Option<usize> {
        let mut live = self
            .in_flight
            .iter()
            .enumerate()
            .filter(|(_, e)| e.sent_on.is_some() && !e.machine.is_ended());
        let (first, entry) = live.next()?;
        if live.clone().all(|(_, e)| e.lane == entry.lane) {
            return Some(first);
        }
        let lane = message_stream_id(text);
        Some(
            std::iter::once((first, entry))
                .chain(live)
                .find(|(_, e)| e.lane == lane)
                .map_or(first, |(i, _)| i),
        )
    }

    /// Ends every unfinished response that `which` selects with `error`.
    fn fail_where(
        &mut self,
        which: impl Fn(&Entry) -> bool,
        mut error: impl FnMut() -> Error,
        steps: &mut VecDeque<(u64, Step)>,
    ) {
        let mut scratch = VecDeque::new();
        for entry in self.in_flight.iter_mut() {
            if which(entry) && !entry.machine.is_ended() {
                entry.machine.fail(error(), &mut scratch);
                steps.extend(scratch.drain(..).map(|s| (entry.serial, s)));
            }
        }
    }

    /// Ends the oldest unfinished response sent (a read timeout, a refused
    /// message); its lane's later messages are dropped until its
    /// terminal event.
    fn fail_oldest(&mut self, error: impl FnMut() -> Error, steps: &mut VecDeque<(u64, Step)>) {
        let Some((serial, lane)) = self
            .in_flight
            .iter()
            .find(|e| e.sent_on.is_some() && !e.machine.is_ended())
            .map(|e| (e.serial, e.lane.clone()))
        else {
            return;
        };
        self.fail_where(|e| e.serial == serial, error, steps);
        self.draining.push(lane);
    }

    /// The connection ended for good: every unfinished response ends with
    /// the close, and what was never sent is kept for `unsent()`.
    fn end(&mut self, code: u16, reason: String, steps: &mut VecDeque<(u64, Step)>) {
        self.reconnecting = false;
        self.fail_where(|_| true, || closed_error(code, &reason), steps);
        let unsent = self.queue.drain();
        self.queued_serials.clear();
        self.unsent.extend(unsent);
        self.closed.get_or_insert((code, reason));
    }
}

/// How a dropped connection is opened again.
struct Reconnect {
    policy: ReconnectPolicy,
    handler: Box<dyn ReconnectHandler>,
}

/// One WebSocket connection of the Responses API.
pub struct ResponsesConnection<T: SocketTransport> {
    client: Client<T>,
    /// The options of the upgrade (a reconnect handler may change them).
    options: CallOptions,
    socket: T::Socket,
    sender: ResponsesSender<T>,
    shared: Shared<SenderOf<T>>,
    reconnect: Option<Reconnect>,
    /// The close a reconnect is due for (it runs at the next read).
    reconnect_due: Option<(u16, String)>,
    /// The last finished response's machine (`final_response`).
    finished: Option<(u64, StreamMachine)>,
    /// Decided steps, each with its response's serial.
    steps: VecDeque<(u64, Step)>,
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
            .field("reconnecting", &lanes.reconnecting)
            .finish()
    }
}

/// Sends on a connection while its owner reads it (another task, an
/// event loop): `create` and `send` as on the connection.
pub struct ResponsesSender<T: SocketTransport> {
    shared: Shared<SenderOf<T>>,
    rules: StreamRules,
    max_event_bytes: usize,
}

impl<T: SocketTransport> Clone for ResponsesSender<T> {
    fn clone(&self) -> Self {
        ResponsesSender {
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
        self.create_in(request, None).await
    }

    /// `create` on a lane: responses with the same `stream_id` run first
    /// in, first out; different lanes run side by side, their events
    /// interleaved (each echoes its `stream_id`).
    pub async fn create_in(
        &self,
        request: CreateResponse,
        stream_id: Option<&str>,
    ) -> Result<(), Error> {
        let body = serde_json::to_vec(&request)
            .map_err(|e| Error::Config(format!("the request does not serialise: {e}")))?;
        self.send_text(create_message(&body, stream_id)?).await
    }

    /// Sends any client event (`response.create` as JSON, `response.steer`,
    /// ...). A `response.create` starts a response the connection reads.
    pub async fn send(&self, event: &Value) -> Result<(), Error> {
        let text = serde_json::to_string(event).map_err(|e| Error::Config(e.to_string()))?;
        self.send_text(text).await
    }

    /// Sends a client event written as JSON text. While a dropped
    /// connection is being opened again it waits in the send queue (an
    /// error when the queue is full).
    pub async fn send_text(&self, text: String) -> Result<(), Error> {
        let head = client_event_head(&text);
        let starts = head.kind.as_deref() == Some("response.create");
        let (sender, serial, keep, generation) = {
            let mut guard = lock(&self.shared);
            let lanes = &mut *guard;
            if let Some((code, _)) = &lanes.closed {
                return Err(Error::Connection {
                    message: format!("the WebSocket is closed (code {code})"),
                    partial: None,
                });
            }
            let serial = lanes.next_serial;
            // Kept before sending: the first event may come back at once.
            if starts {
                lanes.next_serial += 1;
                lanes.in_flight.push(Entry {
                    serial,
                    lane: head.stream_id,
                    machine: StreamMachine::new(
                        EventKind::Responses,
                        UsageKind::Response,
                        self.rules,
                        None,
                        self.max_event_bytes,
                    ),
                    sent_on: (!lanes.reconnecting).then_some(lanes.generation),
                });
            }
            if lanes.reconnecting {
                return queue(lanes, text, starts.then_some(serial));
            }
            let keep = lanes.reconnects.then(|| text.clone());
            (
                lanes.sender.clone(),
                starts.then_some(serial),
                keep,
                lanes.generation,
            )
        };
        let sent = sender.send_text(text).await;
        if sent.is_err() {
            let mut guard = lock(&self.shared);
            let lanes = &mut *guard;
            let entry = lanes
                .in_flight
                .iter_mut()
                .find(|e| Some(e.serial) == serial);
            // Still unanswered on the socket it went to: the reader has not
            // failed it with that socket's close.
            let untouched = entry
                .as_ref()
                .is_none_or(|e| !e.machine.is_ended() && e.sent_on == Some(generation));
            match keep {
                // The socket is going: this goes out after the reconnect.
                Some(text) if lanes.closed.is_none() && untouched => {
                    if let Some(entry) = entry {
                        entry.sent_on = None;
                    }
                    return queue(lanes, text, serial);
                }
                // Already ended by the close: its error comes as its end.
                _ if !untouched => {}
                _ => lanes.in_flight.retain(|e| Some(e.serial) != serial),
            }
        }
        sent
    }

    /// What a connection that ended for good never sent (queued while
    /// reconnecting), oldest first; taking them empties the list. The
    /// same list as `ResponsesConnection::take_unsent`, readable while
    /// another task reads the connection.
    pub fn take_unsent(&self) -> Vec<String> {
        std::mem::take(&mut lock(&self.shared).unsent)
    }

    /// Closes the connection (code 1000), also while it is being read: a
    /// response in flight ends with a connection error carrying what
    /// arrived, and later sends fail.
    pub async fn close(&self) {
        if let Some(sender) = mark_closed(&self.shared) {
            sender.close(1000, "").await;
        }
    }
}

/// Queues a message for after the reconnect; a full queue refuses it (and
/// the response it would have started).
fn queue<S>(lanes: &mut Lanes<S>, text: String, serial: Option<u64>) -> Result<(), Error> {
    if lanes.queue.push(text) {
        lanes.queued_serials.push_back(serial);
        return Ok(());
    }
    lanes.in_flight.retain(|e| Some(e.serial) != serial);
    Err(Error::SendQueueFull {
        max_bytes: lanes.queue.max_bytes(),
    })
}

async fn open<T: SocketTransport>(
    client: &Client<T>,
    options: &CallOptions,
) -> Result<T::Socket, Error> {
    let config = client.config();
    let request = config.prepare_websocket(&options.request)?;
    let timeouts = client.timeouts(options);
    client
        .transport()
        .open_socket(request, timeouts.connect, config.max_event_bytes)
        .await
}

pub(crate) async fn connect<T: SocketTransport>(
    client: Client<T>,
    options: CallOptions,
) -> Result<ResponsesConnection<T>, Error> {
    let socket = open(&client, &options).await?;
    let shared = Arc::new(Mutex::new(Lanes {
        in_flight: Vec::new(),
        next_serial: 0,
        sender: socket.sender(),
        generation: 1,
        closed: None,
        closed_here: false,
        reconnecting: false,
        reconnects: false,
        queue: SendQueue::default(),
        queued_serials: VecDeque::new(),
        draining: Vec::new(),
        unsent: Vec::new(),
    }));
    let sender = ResponsesSender {
        shared: shared.clone(),
        rules: client.config().stream_rules,
        max_event_bytes: client.config().max_event_bytes,
    };
    let read_timeout = client.timeouts(&options).read;
    Ok(ResponsesConnection {
        client,
        options,
        socket,
        sender,
        shared,
        reconnect: None,
        reconnect_due: None,
        finished: None,
        steps: VecDeque::new(),
        read_timeout,
        stashed: None,
    })
}

impl<T: SocketTransport> ResponsesConnection<T> {
    /// Opens the connection again after a recoverable close (1001, 1006,
    /// 1011, 1012, 1013, ...), as the SDKs do when given `on_reconnecting`
    /// / `reconnect`: `handler` is asked before each attempt, waits follow
    /// `policy`. Responses in flight on the dropped socket end with a
    /// connection error carrying what arrived; they are not sent again
    /// (they may have run and been charged). Messages sent while
    /// reconnecting are queued and go out on the new socket.
    pub fn reconnect_with(
        mut self,
        policy: ReconnectPolicy,
        handler: impl ReconnectHandler,
    ) -> Self {
        lock(&self.shared).reconnects = true;
        self.reconnect = Some(Reconnect {
            policy,
            handler: Box::new(handler),
        });
        self
    }

    /// The send queue's size limit while reconnecting (default 1 MiB).
    pub fn max_queue_bytes(self, bytes: usize) -> Self {
        lock(&self.shared).queue = SendQueue::new(bytes);
        self
    }

    /// Sends `response.create` for `request` (its `stream` and `background`
    /// left out: implicit and unsupported over a WebSocket); read its
    /// events with `next_event`.
    pub async fn create(&mut self, request: CreateResponse) -> Result<(), Error> {
        self.notice_close();
        self.sender.create(request).await
    }

    /// `create` on a lane (`stream_id`): see `ResponsesSender::create_in`.
    pub async fn create_in(
        &mut self,
        request: CreateResponse,
        stream_id: &str,
    ) -> Result<(), Error> {
        self.notice_close();
        self.sender.create_in(request, Some(stream_id)).await
    }

    /// Reads what the socket already holds while nothing is in flight, so
    /// a close that came meanwhile is seen before the next send (which
    /// then waits for the reconnect instead of going into a dead socket).
    /// Senders on other tasks cannot look: theirs may still be lost to a
    /// close nobody read, and then fail as that response's error.
    fn notice_close(&mut self) {
        use futures_util::FutureExt;
        if !lock(&self.shared).in_flight.is_empty() {
            return;
        }
        while let Some(got) = self.socket.recv().now_or_never() {
            let closed = matches!(got, SocketEvent::Closed { .. });
            self.read(Some(Some(got)));
            if closed {
                break;
            }
        }
    }

    /// Sends any client event (`response.create` as JSON, `response.steer`,
    /// ...). A `response.create` starts a response whose events
    /// `next_event` reads.
    pub async fn send(&mut self, event: &Value) -> Result<(), Error> {
        self.notice_close();
        self.sender.send(event).await
    }

    /// A sender for other tasks, to send while this connection is read.
    pub fn sender(&self) -> ResponsesSender<T> {
        self.sender.clone()
    }

    /// The next event of any response in flight, in the order they arrive
    /// (one lane's events in order; lanes interleaved); `None` when no
    /// response is in flight. Each response ends after its terminal event,
    /// or with an error carrying the response so far: an `error` event, a
    /// dropped connection, a read timeout, an oversized message.
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
            if lock(&self.shared).in_flight.is_empty() {
                return None;
            }
            self.fill().await;
        }
    }

    /// Waits for what comes next and turns it into steps: a message, a
    /// close, the read timeout, or (when one is due) a reconnect.
    async fn fill(&mut self) {
        // Closed here: no reconnect, whatever was due.
        if lock(&self.shared).closed.is_some() {
            self.reconnect_due = None;
            return self.read(None);
        }
        if let Some((code, reason)) = self.reconnect_due.take() {
            return self.reopen(code, reason).await;
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

    /// Opens the connection again after a recoverable close: the policy's
    /// waits, the handler's say, then the queued messages on the new
    /// socket. Giving up ends the connection for good.
    async fn reopen(&mut self, code: u16, reason: String) {
        let Some(reconnect) = &mut self.reconnect else {
            return lock(&self.shared).end(code, reason, &mut self.steps);
        };
        let mut attempt = 1;
        while let Some(delay) =
            reconnect
                .policy
                .delay(code, attempt, self.client.transport().jitter())
        {
            let event = Reconnecting {
                attempt,
                max_attempts: reconnect.policy.max_retries,
                delay,
                close_code: code,
            };
            attempt += 1;
            if !reconnect
                .handler
                .reconnecting(&event, &mut self.options.request)
            {
                break;
            }
            self.client.transport().sleep(delay).await;
            if lock(&self.shared).closed_here {
                return;
            }
            let Ok(mut socket) = open(&self.client, &self.options).await else {
                continue;
            };
            if lock(&self.shared).closed_here {
                // Closed while this one opened: it goes too.
                socket.close(1000, "").await;
                return;
            }
            let sender = socket.sender();
            self.socket = socket;
            let generation = {
                let mut lanes = lock(&self.shared);
                lanes.sender = sender.clone();
                lanes.generation += 1;
                lanes.draining.clear();
                lanes.generation
            };
            // The queued messages go out in order (sends made meanwhile
            // queue behind them); the responses they start are now on
            // this socket.
            loop {
                let Some((text, serial)) = ({
                    let mut lanes = lock(&self.shared);
                    let next = lanes.queue.pop();
                    let serial = lanes.queued_serials.pop_front().flatten();
                    lanes.reconnecting = next.is_some();
                    next.map(|text| (text, serial))
                }) else {
                    return;
                };
                if sender.send_text(text.clone()).await.is_err() {
                    // The new socket is going too; its close comes with
                    // the next read.
                    let mut lanes = lock(&self.shared);
                    lanes.queue.unpop(text);
                    lanes.queued_serials.push_front(serial);
                    return;
                }
                if let Some(serial) = serial {
                    let mut lanes = lock(&self.shared);
                    if let Some(e) = lanes.in_flight.iter_mut().find(|e| e.serial == serial) {
                        e.sent_on = Some(generation);
                    }
                }
            }
        }
        lock(&self.shared).end(code, reason, &mut self.steps);
    }

    /// The events of any response in flight that are here already, after
    /// waiting for the first: at most `max`, typed. `None` when no
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

    /// Nothing to read now: no response in flight, the connection ended,
    /// or a reconnect is due.
    fn idle(&self) -> bool {
        let lanes = lock(&self.shared);
        lanes.in_flight.is_empty() || lanes.closed.is_some() || self.reconnect_due.is_some()
    }

    /// The next step already decided, as an event or the response's error;
    /// a clean end moves on.
    fn take_step(&mut self) -> Option<Result<Delivery, Error>> {
        while let Some((serial, step)) = self.steps.pop_front() {
            match step {
                Step::Event(d) => return Some(Ok(d)),
                Step::Skipped(e) => return Some(Err(Error::Decode(e))),
                Step::End(end) => {
                    self.finish(serial);
                    if let Err(e) = end {
                        return Some(Err(e));
                    }
                }
            }
        }
        None
    }

    /// Feeds what the socket gave (`Some(None)`: the read timeout ran out;
    /// `None`: the connection had ended before) to the response it is for.
    fn read(&mut self, got: Option<Option<SocketEvent>>) {
        let mut guard = lock(&self.shared);
        let lanes = &mut *guard;
        let steps = &mut self.steps;
        match got {
            None => {
                if let Some((code, reason)) = lanes.closed.clone() {
                    lanes.end(code, reason, steps);
                }
            }
            Some(Some(SocketEvent::Text(text))) => {
                if !lanes.draining.is_empty() {
                    let head = client_event_head(&text);
                    if let Some(at) = lanes.draining.iter().position(|l| *l == head.stream_id) {
                        // The rest of a response that already ended here.
                        let kind = head.kind.as_deref().unwrap_or("");
                        if kind == "error" || Terminal::of_event_type(kind).is_some() {
                            lanes.draining.remove(at);
                        }
                        return;
                    }
                }
                let Some(i) = lanes.route(&text) else {
                    return;
                };
                let entry = &mut lanes.in_flight[i];
                let mut scratch = VecDeque::new();
                entry.machine.feed_message(&text, &mut scratch);
                if entry.machine.is_complete() && !entry.machine.is_ended() {
                    entry.machine.finish(&mut scratch);
                }
                steps.extend(scratch.into_iter().map(|s| (entry.serial, s)));
            }
            Some(Some(SocketEvent::Closed { code, reason })) => {
                let recoverable = is_recoverable_close(code) && !lanes.closed_here;
                if recoverable && self.reconnect.is_some() {
                    // What went out on this socket is lost with it; the
                    // queue waits for the next one.
                    let generation = lanes.generation;
                    lanes.reconnecting = true;
                    lanes.fail_where(
                        |e| e.sent_on == Some(generation),
                        || closed_error(code, &reason),
                        steps,
                    );
                    self.reconnect_due = Some((code, reason));
                } else {
                    lanes.end(code, reason, steps);
                }
            }
            Some(Some(SocketEvent::Failed(e))) => {
                let mut error = Some(e);
                lanes.fail_oldest(
                    || error.take().unwrap_or_else(|| closed_error(1006, "")),
                    steps,
                );
            }
            Some(None) => {
                let timeout = || Error::Timeout {
                    kind: TimeoutKind::Read,
                    partial: None,
                };
                lanes.fail_oldest(timeout, steps);
            }
        }
    }

    /// A response ended: its usage counts, and it is the one
    /// `final_response` gives.
    fn finish(&mut self, serial: u64) {
        let entry = {
            let mut lanes = lock(&self.shared);
            let Some(i) = lanes.in_flight.iter().position(|e| e.serial == serial) else {
                return;
            };
            lanes.in_flight.remove(i)
        };
        let mut machine = entry.machine;
        if let Some((model, counts)) = machine.take_usage() {
            self.client.record_usage(&model, &counts);
        }
        self.finished = Some((serial, machine));
    }

    /// Reads the oldest response in flight to its end and gives it; a
    /// failed or incomplete response, or one cut short, is an error
    /// carrying it. Other lanes' events read meanwhile stay for
    /// `next_event`.
    pub async fn final_response(&mut self) -> Result<Response, Error> {
        let no_response = || Error::Config("no response is in flight".into());
        let target = lock(&self.shared)
            .in_flight
            .first()
            .map(|e| e.serial)
            .ok_or_else(no_response)?;
        let mut held = VecDeque::new();
        let outcome = 'read: loop {
            while let Some((serial, step)) = self.steps.pop_front() {
                if serial != target {
                    held.push_back((serial, step));
                    continue;
                }
                if let Step::End(end) = step {
                    self.finish(serial);
                    break 'read end;
                }
            }
            if !lock(&self.shared)
                .in_flight
                .iter()
                .any(|e| e.serial == target)
            {
                break Ok(());
            }
            self.fill().await;
        };
        held.extend(self.steps.drain(..));
        self.steps = held;
        outcome?;
        match &self.finished {
            Some((serial, machine)) if *serial == target => {
                crate::stream::typed_final(machine.final_response())
            }
            _ => Err(no_response()),
        }
    }

    /// How many responses were sent (or queued) and have not finished.
    pub fn in_flight(&self) -> usize {
        lock(&self.shared).in_flight.len()
    }

    /// How many times the connection was opened again after a drop.
    pub fn reconnects(&self) -> u64 {
        lock(&self.shared).generation - 1
    }

    /// The close code and reason, once the connection ended for good.
    pub fn closed(&self) -> Option<(u16, String)> {
        lock(&self.shared).closed.clone()
    }

    /// The messages a connection that ended for good never sent (queued
    /// while reconnecting), oldest first; taking them empties the list.
    pub fn take_unsent(&self) -> Vec<String> {
        std::mem::take(&mut lock(&self.shared).unsent)
    }

    /// Closes the connection (code 1000); responses in flight are dropped
    /// and later sends fail.
    pub async fn close(mut self) {
        if mark_closed(&self.shared).is_some() {
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
