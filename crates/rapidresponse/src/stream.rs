//! The one stream loop: `EventStream` reads an open body into the core's
//! `StreamMachine` (which decides every event, error and end), applies the
//! read timeout, resumes a dropped background response without re-POSTing,
//! and counts usage. `ResponseStream` and `ChunkStream` are its typed views
//! for Rust; the Python and wasm shells read its deliveries directly.
//! Nothing received is lost: every error after the first byte carries the
//! response so far.

use rapidresponse_core::{
    Call, Delivery, Error, EventKind, FinalError, Headers, Operation, Response,
    ResponseAccumulator, ResponseStreamEvent, Step, StreamEvent, StreamMachine, TimeoutKind,
    UsageKind,
};
use serde::de::DeserializeOwned;
use std::collections::VecDeque;
use std::time::Duration;

use crate::client::{CallOptions, Client};
use crate::transport::{Body, HttpResponse, Transport, TransportError};

/// A typed event of a Responses stream, with its raw JSON.
pub type Event = StreamEvent<ResponseStreamEvent>;

/// Where a stream came from, for the rules that need the call: events to
/// skip, and the response to resume by GET.
#[derive(Clone, Debug, Default)]
pub(crate) struct Origin {
    pub starting_after: Option<u64>,
    /// A retrieve of this response (resumable by its id).
    pub response_id: Option<String>,
}

impl Origin {
    pub(crate) fn of(call: &Call) -> Origin {
        if call.op != Operation::ResponsesRetrieve {
            return Origin::default();
        }
        let starting_after = call.query.iter().find_map(|(k, v)| match v {
            rapidresponse_core::QueryValue::Int(n) if k == "starting_after" => {
                u64::try_from(*n).ok()
            }
            _ => None,
        });
        Origin {
            starting_after,
            response_id: call.path_params.first().cloned(),
        }
    }
}

/// What the body gave.
enum Read {
    Chunk(bytes::Bytes),
    End,
    Failed(Error),
}

impl From<Option<Result<bytes::Bytes, TransportError>>> for Read {
    fn from(chunk: Option<Result<bytes::Bytes, TransportError>>) -> Self {
        match chunk {
            Some(Ok(b)) => Read::Chunk(b),
            None => Read::End,
            Some(Err(e)) => Read::Failed(e.into_error()),
        }
    }
}

/// An open event stream of any kind.
pub struct EventStream<T: Transport> {
    client: Client<T>,
    body: Option<T::Body>,
    machine: StreamMachine,
    steps: VecDeque<Step>,
    status: u16,
    headers: Headers,
    read_timeout: Duration,
    options: CallOptions,
    origin: Origin,
    resumes_left: u32,
    /// A chunk result `read_ready` met but left for `next` (an end or an error).
    deferred: Option<Option<Result<bytes::Bytes, TransportError>>>,
    /// An error met after some events of a batch: the next batch's.
    stashed: Option<Error>,
    over: bool,
}

impl<T: Transport> EventStream<T> {
    pub(crate) fn new(
        client: Client<T>,
        head: HttpResponse<T::Body>,
        options: CallOptions,
        kind: EventKind,
        usage: UsageKind,
        origin: Origin,
    ) -> Self {
        let config = client.config();
        let machine = StreamMachine::new(
            kind,
            usage,
            config.stream_rules,
            origin.starting_after,
            config.max_event_bytes,
        );
        let read_timeout = client.timeouts(&options).read;
        let resumes_left = options.max_retries.unwrap_or(config.retry.max_retries);
        EventStream {
            client,
            body: Some(head.body),
            machine,
            steps: VecDeque::new(),
            status: head.status,
            headers: head.headers,
            read_timeout,
            options,
            origin,
            resumes_left,
            deferred: None,
            stashed: None,
            over: false,
        }
    }

    /// Reads what the body has received already, without waiting, into
    /// the buffer that `next_buffered` drains: a shell can then hand over
    /// every event on hand in one crossing. Ends and errors are left for
    /// `next`. Needs a body whose chunk future may be dropped unfinished
    /// without losing data (the native and the memory body's). It stops
    /// once `up_to` steps are buffered, which bounds a batch's memory.
    pub fn read_ready(&mut self, up_to: usize) {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        while self.deferred.is_none() && !self.machine.is_ended() && self.steps.len() < up_to {
            let Some(body) = self.body.as_mut() else {
                return;
            };
            let polled = {
                let mut fut = std::pin::pin!(body.next_chunk());
                std::future::Future::poll(fut.as_mut(), &mut cx)
            };
            match polled {
                std::task::Poll::Pending => return,
                std::task::Poll::Ready(Some(Ok(bytes))) => self.feed(&bytes),
                std::task::Poll::Ready(other) => self.deferred = Some(other),
            }
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.machine.feed(bytes, &mut self.steps);
        if let Some((model, counts)) = self.machine.take_usage() {
            self.client.record_usage(&model, &counts);
        }
    }

    /// The next event already received, without waiting on the network
    /// (`None` when none is buffered; the end is `next`'s to report).
    pub fn next_buffered(&mut self) -> Option<Result<Delivery, Error>> {
        if matches!(self.steps.front()?, Step::End(_)) {
            return None;
        }
        match self.steps.pop_front()? {
            Step::Event(d) => Some(Ok(d)),
            Step::Skipped(e) => Some(Err(Error::Decode(e))),
            Step::End(_) => None,
        }
    }

    /// The next events for a shell to hand over in one crossing: waits for
    /// one, then takes every event already received (at most `max`). An
    /// error met after some of them is the next batch's. `None` at the end.
    pub async fn next_batch(&mut self, max: usize) -> Option<Result<Vec<Delivery>, Error>> {
        if let Some(e) = self.stashed.take() {
            return Some(Err(e));
        }
        let first = match self.next().await? {
            Ok(d) => d,
            Err(e) => return Some(Err(e)),
        };
        let mut batch = vec![first];
        self.read_ready(max);
        while batch.len() < max {
            match self.next_buffered() {
                Some(Ok(d)) => batch.push(d),
                Some(Err(e)) => {
                    self.stashed = Some(e);
                    break;
                }
                None => break,
            }
        }
        Some(Ok(batch))
    }

    /// The next event, an error (after which the stream ends, unless the
    /// rules skip a malformed event), or `None` at the end.
    pub async fn next(&mut self) -> Option<Result<Delivery, Error>> {
        loop {
            match self.steps.pop_front() {
                Some(Step::Event(d)) => return Some(Ok(d)),
                Some(Step::Skipped(e)) => return Some(Err(Error::Decode(e))),
                Some(Step::End(end)) => {
                    self.over = true;
                    self.body = None;
                    return end.err().map(Err);
                }
                None if self.over => return None,
                None => {}
            }
            let read = match self.deferred.take() {
                Some(chunk) => Read::from(chunk),
                None => {
                    let Some(body) = self.body.as_mut() else {
                        // Closed by the caller.
                        self.over = true;
                        return None;
                    };
                    let transport = self.client.transport();
                    match crate::client::within(transport, self.read_timeout, body.next_chunk())
                        .await
                    {
                        Some(chunk) => Read::from(chunk),
                        None => Read::Failed(Error::Timeout {
                            kind: TimeoutKind::Read,
                            partial: None,
                        }),
                    }
                }
            };
            match read {
                Read::Chunk(bytes) => self.feed(&bytes),
                Read::End => {
                    if !self.resume().await {
                        self.body = None;
                        self.machine.finish(&mut self.steps);
                        if let Some((model, counts)) = self.machine.take_usage() {
                            self.client.record_usage(&model, &counts);
                        }
                    }
                }
                Read::Failed(error) => {
                    if !self.resume().await {
                        self.body = None;
                        self.machine.fail(error, &mut self.steps);
                    }
                }
            }
        }
    }

    /// After the body dropped or ended early: resume a background response
    /// from the last event seen (`GET /responses/{id}?stream=true&
    /// starting_after=N`), which never re-POSTs (that would bill a second
    /// generation). Whether it resumed.
    async fn resume(&mut self) -> bool {
        let resumable = self.machine.is_background() || self.origin.response_id.is_some();
        if !resumable || self.resumes_left == 0 || self.machine.is_complete() {
            return false;
        }
        let acc = self.machine.accumulator();
        let id = acc
            .response_id()
            .map(str::to_owned)
            .or_else(|| self.origin.response_id.clone());
        let after = acc.last_sequence_number().or(self.origin.starting_after);
        let (Some(id), Some(after)) = (id, after) else {
            return false;
        };
        let policy = &self.client.config().retry;
        let taken = policy.max_retries.saturating_sub(self.resumes_left);
        self.resumes_left -= 1;
        let delay = policy.backoff(taken, self.client.transport().jitter());
        log!(info, response_id = %id, starting_after = after, "resuming the stream");
        self.client.transport().sleep(delay).await;
        let call = Call::new(Operation::ResponsesRetrieve)
            .param(id)
            .query("stream", true)
            .query("starting_after", after);
        // The original call's headers and timeouts go along; its extra
        // query and body were for the POST.
        let mut options = self.options.clone();
        options.max_retries = Some(0);
        options.request.query = None;
        options.request.body.clear();
        let Ok(prepared) = self.client.config().prepare(&call, &options.request) else {
            return false;
        };
        match self.client.open_stream(prepared.request, &options).await {
            Ok(head) => {
                self.body = Some(head.body);
                self.machine.restart_body();
                true
            }
            Err(_) => false,
        }
    }

    /// Drops the connection (the server sees the disconnect); the
    /// response so far stays readable, and `next()` gives `None`.
    pub fn close(&mut self) {
        self.body = None;
        self.steps.clear();
        self.deferred = None;
        self.stashed = None;
        self.over = true;
    }

    /// The state machine: the accumulator, the final response.
    pub fn machine(&self) -> &StreamMachine {
        &self.machine
    }

    pub fn status(&self) -> u16 {
        self.status
    }

    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The `x-request-id` header.
    pub fn request_id(&self) -> Option<&str> {
        self.headers.get("x-request-id")
    }
}

/// A streamed response: call `next()` for each typed event; the response
/// so far is at hand (`text_so_far()`, `snapshot()`, `final_response()`).
pub struct ResponseStream<T: Transport>(EventStream<T>);

impl<T: Transport> ResponseStream<T> {
    pub(crate) fn new(inner: EventStream<T>) -> Self {
        ResponseStream(inner)
    }

    /// The next event, an error (after which the stream ends; a malformed
    /// event is reported and the stream goes on), or `None` at the end.
    pub async fn next(&mut self) -> Option<Result<Event, Error>> {
        let delivery = self.0.next().await?;
        Some(delivery.and_then(|d| StreamEvent::decode(d).map_err(Error::Decode)))
    }

    /// Drops the connection; the response so far stays readable.
    pub fn close(&mut self) {
        self.0.close()
    }

    /// The untyped stream underneath (deliveries, read-ahead).
    pub fn raw(&mut self) -> &mut EventStream<T> {
        &mut self.0
    }

    /// The response so far, typed.
    pub fn snapshot(&self) -> Response {
        serde_json::from_value(self.0.machine.accumulator().snapshot()).unwrap_or_default()
    }

    /// The output text so far.
    pub fn text_so_far(&self) -> String {
        self.0.machine.accumulator().text_so_far()
    }

    /// The accumulator, for part-level snapshots.
    pub fn accumulator(&self) -> &ResponseAccumulator {
        self.0.machine.accumulator()
    }

    pub fn status(&self) -> u16 {
        self.0.status
    }

    pub fn headers(&self) -> &Headers {
        &self.0.headers
    }

    /// The `x-request-id` header.
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id()
    }

    /// Reads to the end and gives the completed response; a failed or
    /// incomplete response, or a stream cut short, is an error carrying it.
    pub async fn final_response(mut self) -> Result<Response, Error> {
        while let Some(item) = self.0.next().await {
            match item {
                Ok(_) | Err(Error::Decode(_)) => {}
                Err(e) => return Err(e),
            }
        }
        typed_final(self.0.machine.final_response())
    }

    /// The events as a `futures::Stream`.
    pub fn into_stream(self) -> impl futures_util::Stream<Item = Result<Event, Error>> {
        futures_util::stream::unfold(
            self,
            |mut s| async move { s.next().await.map(|item| (item, s)) },
        )
    }
}

/// The machine's final response as the Rust crate gives it: a completed
/// `Response`, or the error that carries the response (failed, incomplete,
/// cut short). Shared by HTTP streams and WebSocket responses.
pub(crate) fn typed_final(
    result: Result<serde_json::Value, FinalError>,
) -> Result<Response, Error> {
    let typed = |v: serde_json::Value| serde_json::from_value(v).unwrap_or_default();
    match result {
        Ok(v) => Ok(typed(v)),
        Err(FinalError::Failed(v)) => Err(Error::ResponseFailed(Box::new(v))),
        Err(FinalError::Incomplete(v)) => Err(Error::ResponseIncomplete(Box::new(v))),
        Err(FinalError::NotCompleted(v)) => Err(Error::IncompleteStream {
            partial: Box::new(v),
        }),
        Err(FinalError::NoEvents) => Err(Error::IncompleteStream {
            partial: Box::new(serde_json::json!({})),
        }),
    }
}

/// A stream of chat or legacy completion chunks, ending at `data: [DONE]`;
/// a chunk with usage is counted in the client's totals.
pub struct ChunkStream<T: Transport, C> {
    inner: EventStream<T>,
    _chunk: std::marker::PhantomData<fn() -> C>,
}

impl<T: Transport, C: DeserializeOwned> ChunkStream<T, C> {
    pub(crate) fn new(inner: EventStream<T>) -> Self {
        ChunkStream {
            inner,
            _chunk: std::marker::PhantomData,
        }
    }

    /// The next chunk, an error (after which the stream ends), or `None`.
    pub async fn next(&mut self) -> Option<Result<C, Error>> {
        Some(self.next_event().await?.map(|e| e.event))
    }

    /// The next chunk with its raw JSON, an error, or `None`.
    pub async fn next_event(&mut self) -> Option<Result<StreamEvent<C>, Error>> {
        let delivery = self.inner.next().await?;
        Some(delivery.and_then(|d| StreamEvent::decode(d).map_err(Error::Decode)))
    }

    /// The `x-request-id` header.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id()
    }

    pub fn status(&self) -> u16 {
        self.inner.status
    }

    pub fn headers(&self) -> &Headers {
        &self.inner.headers
    }

    /// The chunks as a `futures::Stream`.
    pub fn into_stream(self) -> impl futures_util::Stream<Item = Result<C, Error>> {
        futures_util::stream::unfold(
            self,
            |mut s| async move { s.next().await.map(|item| (item, s)) },
        )
    }
}
