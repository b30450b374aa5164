//! Streams: `ResponseStream` (Responses API events folded into the response
//! so far, resumed after a drop when the response runs in the background)
//! and `ChunkStream` (chat and legacy completion chunks). Nothing received
//! is lost: every error after the first byte carries the partial response.

use rapidresponse_core::events::{DecodeError, ErrorMember, EventDecoder};
use rapidresponse_core::types::ErrorObject;
use rapidresponse_core::usage::ChatUsageMember;
use rapidresponse_core::{
    Error, Headers, Response, ResponseAccumulator, ResponseEventDecoder, ResponseStreamEvent,
    RetrieveParams, SseDecoder, StreamEvent, TimeoutKind,
};
use serde::de::DeserializeOwned;
use std::collections::VecDeque;
use std::time::Duration;

use crate::client::{CallOptions, Client};
use crate::transport::{Body, HttpResponse, Transport};

/// A typed event of a Responses stream, with its raw JSON.
pub type Event = StreamEvent<ResponseStreamEvent>;

/// A streamed response: call `next()` for each event; the accumulator keeps
/// the response so far (`text_so_far()`, `snapshot()`, `final_response()`).
pub struct ResponseStream<T: Transport> {
    client: Client<T>,
    body: Option<T::Body>,
    decoder: ResponseEventDecoder,
    pending: VecDeque<Result<Event, DecodeError>>,
    acc: ResponseAccumulator,
    status: u16,
    headers: Headers,
    read_timeout: Duration,
    options: CallOptions,
    /// After a resume (or with `starting_after`): events numbered at or
    /// below this were delivered already. Only then are events dropped: a
    /// server may repeat numbers in one stream, and those events are data.
    resume_floor: Option<u64>,
    /// The request asked for a background response (resumable).
    background: bool,
    resumes_left: u32,
    usage_recorded: bool,
    ended: bool,
    /// A chunk result `read_ready` met but left for `next` (an end or an error).
    deferred: Option<Option<Result<bytes::Bytes, crate::transport::TransportError>>>,
    /// A framing error `read_ready` met, reported by `next` after the events before it.
    sse_failure: Option<rapidresponse_core::SseError>,
}

impl<T: Transport> ResponseStream<T> {
    pub(crate) fn new(
        client: Client<T>,
        head: HttpResponse<T::Body>,
        options: CallOptions,
        background: bool,
        resume_floor: Option<u64>,
    ) -> Self {
        let timeouts = client.timeouts(&options);
        let max_event = client.config().max_event_bytes;
        let resumes_left = options
            .max_retries
            .unwrap_or(client.config().retry.max_retries);
        ResponseStream {
            decoder: EventDecoder::new(SseDecoder::with_max_event_bytes(max_event)),
            client,
            body: Some(head.body),
            pending: VecDeque::new(),
            acc: ResponseAccumulator::new(),
            status: head.status,
            headers: head.headers,
            read_timeout: timeouts.read,
            options,
            resume_floor,
            background,
            resumes_left,
            usage_recorded: false,
            ended: false,
            deferred: None,
            sse_failure: None,
        }
    }

    /// Reads what the body has received already, without waiting, into
    /// the buffer that `next_buffered` drains: a shell can then hand over
    /// every event on hand in one crossing. Ends and errors are left for
    /// `next`. Needs a body whose chunk future may be dropped unfinished
    /// without losing data (the native and the memory body's). It stops
    /// once `up_to` events are buffered, which bounds a batch's memory.
    pub fn read_ready(&mut self, up_to: usize) {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        while self.deferred.is_none()
            && self.sse_failure.is_none()
            && !self.ended
            && self.pending.len() < up_to
        {
            let Some(body) = self.body.as_mut() else {
                return;
            };
            let polled = {
                let mut fut = std::pin::pin!(body.next_chunk());
                std::future::Future::poll(fut.as_mut(), &mut cx)
            };
            match polled {
                std::task::Poll::Pending => return,
                std::task::Poll::Ready(Some(Ok(bytes))) => {
                    if let Err(e) = self.decoder.feed(&bytes, &mut self.pending) {
                        self.sse_failure = Some(e);
                        return;
                    }
                    if self.decoder.is_done() {
                        self.body = None;
                    }
                }
                std::task::Poll::Ready(other) => self.deferred = Some(other),
            }
        }
    }

    /// The next event already received, without waiting on the network
    /// (`None` when none is buffered): shells hand over every event of a
    /// network chunk at once.
    pub fn next_buffered(&mut self) -> Option<Result<Event, Error>> {
        loop {
            let item = self.pending.pop_front()?;
            let event = match item {
                Ok(e) => e,
                // One malformed event: report it; the stream goes on.
                Err(e) => return Some(Err(Error::Decode(e))),
            };
            if let (Some(n), Some(floor)) = (event.event.sequence_number(), self.resume_floor) {
                if n <= floor {
                    continue;
                }
            }
            self.acc.apply(&event.event);
            if let Some(error) = &event.error {
                // The official SDKs raise on an event with an `error` member.
                self.ended = true;
                self.pending.clear();
                let error: ErrorObject =
                    serde_json::from_value(error.clone()).unwrap_or_else(|_| ErrorObject {
                        message: error.to_string().into(),
                        ..Default::default()
                    });
                return Some(Err(Error::StreamError {
                    error: Box::new(error),
                    partial: Some(Box::new(self.acc.snapshot())),
                }));
            }
            if self.acc.terminal().is_some() && !self.usage_recorded {
                self.usage_recorded = true;
                self.client.record_response(&self.acc.snapshot());
            }
            return Some(Ok(event));
        }
    }

    /// The next event, an error (after which the stream ends), or `None`
    /// at the end.
    pub async fn next(&mut self) -> Option<Result<Event, Error>> {
        loop {
            if let Some(item) = self.next_buffered() {
                return Some(item);
            }
            if self.ended {
                return None;
            }
            let Some(body) = self.body.as_mut() else {
                if self.acc.terminal().is_some() {
                    self.ended = true;
                    return None;
                }
                // The body is over and every event was delivered, but no
                // terminal event came.
                let error = Error::Connection {
                    message: "the stream ended before the response was complete".into(),
                    partial: None,
                };
                if self.can_resume() {
                    if let Some(err) = self.resume_or(error).await {
                        return Some(Err(err));
                    }
                    continue;
                }
                self.ended = true;
                return Some(Err(Error::IncompleteStream {
                    partial: Box::new(self.acc.snapshot()),
                }));
            };
            if let Some(e) = self.sse_failure.take() {
                self.ended = true;
                return Some(Err(Error::Sse {
                    error: e,
                    partial: Some(Box::new(self.acc.snapshot())),
                }));
            }
            let chunk = match self.deferred.take() {
                Some(c) => Some(c),
                None => {
                    crate::client::within(
                        self.client.transport(),
                        self.read_timeout,
                        body.next_chunk(),
                    )
                    .await
                }
            };
            match chunk {
                Some(Some(Ok(bytes))) => {
                    if let Err(e) = self.decoder.feed(&bytes, &mut self.pending) {
                        self.ended = true;
                        self.pending.clear();
                        return Some(Err(Error::Sse {
                            error: e,
                            partial: Some(Box::new(self.acc.snapshot())),
                        }));
                    }
                    if self.decoder.is_done() {
                        self.body = None;
                    }
                }
                Some(None) => {
                    let _ = self.decoder.finish(&mut self.pending);
                    self.body = None;
                }
                // After a terminal event the response is complete: as
                // openai-python, read on to the end of the body, but a drop
                // or silence then just ends the stream.
                Some(Some(Err(_))) | None if self.acc.terminal().is_some() => {
                    self.ended = true;
                    return None;
                }
                Some(Some(Err(e))) => {
                    if let Some(err) = self.resume_or(e.into_error()).await {
                        return Some(Err(err));
                    }
                }
                None => {
                    let error = Error::Timeout {
                        kind: TimeoutKind::Read,
                        partial: None,
                    };
                    if let Some(err) = self.resume_or(error).await {
                        return Some(Err(err));
                    }
                }
            }
        }
    }

    fn can_resume(&self) -> bool {
        let background = self.background || self.acc.is_background();
        background
            && self.resumes_left > 0
            && self.acc.response_id().is_some()
            && self.acc.last_sequence_number().is_some()
    }

    /// After a drop: resume a background response from the last sequence
    /// number (GET ?stream=true&starting_after=N), or give `error` with the
    /// partial response. Never re-POSTs: that would bill a second generation.
    async fn resume_or(&mut self, error: Error) -> Option<Error> {
        self.body = None;
        if !self.can_resume() {
            self.ended = true;
            return Some(error.with_partial(self.acc.snapshot()));
        }
        let id = self.acc.response_id().unwrap_or_default().to_owned();
        let after = self.acc.last_sequence_number();
        self.resume_floor = after;
        let retries_taken = self
            .client
            .config()
            .retry
            .max_retries
            .saturating_sub(self.resumes_left);
        self.resumes_left -= 1;
        let delay = self
            .client
            .config()
            .retry
            .backoff(retries_taken, self.client.transport().jitter());
        log!(info, response_id = %id, starting_after = ?after, "resuming the stream");
        self.client.transport().sleep(delay).await;
        let params = RetrieveParams {
            stream: true,
            starting_after: after,
            ..Default::default()
        };
        let options = CallOptions {
            max_retries: Some(0),
            ..self.options.clone()
        };
        let request = match self
            .client
            .config()
            .retrieve_response(&id, &params, &options.request)
        {
            Ok(r) => r,
            Err(e) => return Some(e),
        };
        match self.client.open_stream(request, &options).await {
            Ok(head) => {
                self.body = Some(head.body);
                self.decoder = EventDecoder::new(SseDecoder::with_max_event_bytes(
                    self.client.config().max_event_bytes,
                ));
                None
            }
            Err(_) => {
                self.ended = true;
                Some(error.with_partial(self.acc.snapshot()))
            }
        }
    }

    /// Drops the connection (the server sees the disconnect); the
    /// response so far stays readable, and `next()` gives `None`.
    pub fn close(&mut self) {
        self.body = None;
        self.pending.clear();
        self.ended = true;
    }

    /// The response so far.
    pub fn snapshot(&self) -> Response {
        self.acc.snapshot()
    }

    /// The output text so far.
    pub fn text_so_far(&self) -> String {
        self.acc.text_so_far()
    }

    /// The accumulator, for part-level snapshots.
    pub fn accumulator(&self) -> &ResponseAccumulator {
        &self.acc
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

    /// Reads to the end and gives the completed response; a failed or
    /// incomplete response, or a stream cut short, is an error carrying it.
    pub async fn final_response(mut self) -> Result<Response, Error> {
        while let Some(item) = self.next().await {
            match item {
                Ok(_) | Err(Error::Decode(_)) => {}
                Err(e) => return Err(e),
            }
        }
        rapidresponse_core::error::ensure_completed(self.acc.finish()?)
    }

    /// The events as a `futures::Stream`.
    pub fn into_stream(self) -> impl futures_util::Stream<Item = Result<Event, Error>> {
        futures_util::stream::unfold(
            self,
            |mut s| async move { s.next().await.map(|item| (item, s)) },
        )
    }
}

/// A stream of chat or legacy completion chunks, ending at `data: [DONE]`;
/// a chunk with usage is counted in the client's totals.
pub struct ChunkStream<T: Transport, C> {
    client: Client<T>,
    body: Option<T::Body>,
    decoder: EventDecoder<C>,
    pending: VecDeque<Result<StreamEvent<C>, DecodeError>>,
    status: u16,
    headers: Headers,
    read_timeout: Duration,
    ended: bool,
}

impl<T: Transport, C: DeserializeOwned + ErrorMember + ChatUsageMember> ChunkStream<T, C> {
    pub(crate) fn new(
        client: Client<T>,
        head: HttpResponse<T::Body>,
        options: &CallOptions,
    ) -> Self {
        let timeouts = client.timeouts(options);
        let max_event = client.config().max_event_bytes;
        ChunkStream {
            client,
            body: Some(head.body),
            decoder: EventDecoder::new(SseDecoder::with_max_event_bytes(max_event)),
            pending: VecDeque::new(),
            status: head.status,
            headers: head.headers,
            read_timeout: timeouts.read,
            ended: false,
        }
    }

    /// The next chunk, an error (after which the stream ends), or `None`.
    pub async fn next(&mut self) -> Option<Result<C, Error>> {
        Some(self.next_event().await?.map(|e| e.event))
    }

    /// The next chunk already received, with its raw JSON, without waiting
    /// on the network (`None` when none is buffered).
    pub fn next_buffered_event(&mut self) -> Option<Result<StreamEvent<C>, Error>> {
        let item = self.pending.pop_front()?;
        Some(match item {
            Ok(e) if e.error.is_some() => {
                self.ended = true;
                self.pending.clear();
                let error: ErrorObject =
                    serde_json::from_value(e.error.clone().unwrap_or_default()).unwrap_or_default();
                Err(Error::StreamError {
                    error: Box::new(error),
                    partial: None,
                })
            }
            Ok(e) => {
                // The last chunk carries the usage (stream_options.include_usage).
                self.client.record_chat_usage(&e.event);
                Ok(e)
            }
            Err(e) => Err(Error::Decode(e)),
        })
    }

    /// The next chunk with its raw JSON, an error, or `None`.
    pub async fn next_event(&mut self) -> Option<Result<StreamEvent<C>, Error>> {
        loop {
            if let Some(item) = self.next_buffered_event() {
                return Some(item);
            }
            if self.ended {
                return None;
            }
            let body = self.body.as_mut()?;
            match crate::client::within(
                self.client.transport(),
                self.read_timeout,
                body.next_chunk(),
            )
            .await
            {
                Some(Some(Ok(bytes))) => {
                    if let Err(e) = self.decoder.feed(&bytes, &mut self.pending) {
                        self.ended = true;
                        return Some(Err(Error::Sse {
                            error: e,
                            partial: None,
                        }));
                    }
                    if self.decoder.is_done() {
                        self.ended = true;
                    }
                }
                Some(None) => {
                    let _ = self.decoder.finish(&mut self.pending);
                    self.ended = true;
                    if !self.decoder.is_done() && self.pending.is_empty() {
                        return Some(Err(Error::Connection {
                            message: "the stream ended before data: [DONE]".into(),
                            partial: None,
                        }));
                    }
                }
                Some(Some(Err(e))) => {
                    self.ended = true;
                    return Some(Err(e.into_error()));
                }
                None => {
                    self.ended = true;
                    return Some(Err(Error::Timeout {
                        kind: TimeoutKind::Read,
                        partial: None,
                    }));
                }
            }
        }
    }

    /// The `x-request-id` header.
    pub fn request_id(&self) -> Option<&str> {
        self.headers.get("x-request-id")
    }

    pub fn status(&self) -> u16 {
        self.status
    }

    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The chunks as a `futures::Stream`.
    pub fn into_stream(self) -> impl futures_util::Stream<Item = Result<C, Error>> {
        futures_util::stream::unfold(
            self,
            |mut s| async move { s.next().await.map(|item| (item, s)) },
        )
    }
}
