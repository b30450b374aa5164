//! `RawEventStream`: the SSE frames of an opened stream, one network chunk
//! at a time, with no JSON decoding, for shells that parse events in their
//! own language (the wasm package hands each event's JSON text to
//! `JSON.parse`). The request, its retries and the error statuses go
//! through the same client loop as every other call; what this stream does
//! not do is fold events into a response or resume a dropped one: the
//! shell keeps its snapshot, as openai-node's stream does.

use rapidresponse_core::{Error, Frame, Headers, HttpRequest, SseDecoder, Terminal};
use std::future::Future;

use crate::client::{CallOptions, Client};
use crate::transport::{Body, Transport};

/// Where a raw stream's usage is counted from (a retrieved stream of a
/// response counted already counts nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountUsage {
    No,
    /// Responses API events: usage comes with the terminal event.
    FromResponseEvents,
    /// Chat or legacy completion chunks: usage comes with the last chunk.
    FromChunks,
}

/// An event stream whose frames are handed over undecoded.
pub struct RawEventStream<T: Transport> {
    client: Client<T>,
    body: Option<T::Body>,
    sse: SseDecoder,
    count: CountUsage,
    status: u16,
    headers: Headers,
}

impl<T: Transport> Client<T> {
    /// Opens a stream for a prepared request whose frames the caller
    /// decodes (`RawEventStream`). Once open it has no read timeout, as
    /// openai-node's streams have none: the caller's abort ends it.
    pub fn open_raw_stream(
        &self,
        request: HttpRequest,
        options: CallOptions,
        count: CountUsage,
    ) -> impl Future<Output = Result<RawEventStream<T>, Error>> + 'static {
        let client = self.clone();
        async move {
            let head = client.open_stream(request, &options).await?;
            let sse = SseDecoder::with_max_event_bytes(client.config().max_event_bytes);
            Ok(RawEventStream {
                client,
                body: Some(head.body),
                sse,
                count,
                status: head.status,
                headers: head.headers,
            })
        }
    }
}

impl<T: Transport> RawEventStream<T> {
    /// The events of the next network chunk (never an empty batch), or
    /// `None` at the end of the body or after `data: [DONE]`. After an
    /// error the stream is over; the events before it were delivered.
    pub async fn next_frames(&mut self) -> Option<Result<Vec<Frame>, Error>> {
        let mut frames = Vec::new();
        loop {
            let body = self.body.as_mut()?;
            let fed = match body.next_chunk().await {
                Some(Ok(bytes)) => self.sse.feed(&bytes, &mut frames),
                None => {
                    self.body = None;
                    self.sse.finish(&mut frames)
                }
                Some(Err(e)) => {
                    self.body = None;
                    return Some(Err(e.into_error()));
                }
            };
            if let Err(error) = fed {
                self.body = None;
                return Some(Err(Error::Sse {
                    error,
                    partial: None,
                }));
            }
            if let Some(done) = frames.iter().position(|f| f.data.starts_with("[DONE]")) {
                // As the official SDKs: nothing after [DONE] is an event.
                frames.truncate(done);
                self.body = None;
            }
            for frame in &frames {
                self.record_usage(frame);
            }
            if !frames.is_empty() {
                return Some(Ok(frames));
            }
        }
    }

    /// Counts the usage a frame carries: a terminal Responses event (named
    /// by its `event:` line, or by a leading `type` when the server sends
    /// no names), or a chunk with a `usage` object.
    fn record_usage(&self, frame: &Frame) {
        match self.count {
            CountUsage::No => {}
            CountUsage::FromResponseEvents => {
                let name = frame.event.as_deref().or_else(|| leading_type(&frame.data));
                if name.and_then(Terminal::of_event_type).is_some() {
                    self.client.record_response_event(frame.data.as_bytes());
                }
            }
            CountUsage::FromChunks => {
                if frame.data.contains("\"usage\":{") {
                    self.client.record_completion_body(frame.data.as_bytes());
                }
            }
        }
    }

    /// Drops the connection (the server sees the disconnect).
    pub fn close(&mut self) {
        self.body = None;
    }

    pub fn status(&self) -> u16 {
        self.status
    }

    pub fn headers(&self) -> &Headers {
        &self.headers
    }
}

/// The value of `"type"` when it is the first member of the event's JSON.
fn leading_type(data: &str) -> Option<&str> {
    let rest = data.trim_start().strip_prefix('{')?.trim_start();
    let rest = rest.strip_prefix("\"type\"")?.trim_start();
    let rest = rest.strip_prefix(':')?.trim_start().strip_prefix('"')?;
    rest.split('"').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_type_reads_only_a_first_member() {
        assert_eq!(
            leading_type(r#" { "type" : "response.completed", "x": 1}"#),
            Some("response.completed")
        );
        assert_eq!(leading_type(r#"{"x":{"type":"response.completed"}}"#), None);
        assert_eq!(leading_type("[DONE]"), None);
    }
}
