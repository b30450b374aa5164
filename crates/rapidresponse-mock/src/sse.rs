//! Writes event streams onto a response body: SSE framing (`event:`/`data:`
//! lines, `[DONE]`) and the delivery faults (BOM, CRLF, keepalive comments,
//! malformed or invalid-UTF-8 data, an unknown event, slow pacing, drop and
//! stall). It does not decide which events a response has.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::faults::FaultSpec;
use crate::json::to_compact;
use crate::server::{BodyChunk, ConnControl, MockBody};
use crate::store::Follower;

/// Body pieces in flight between a writer and hyper: small, so a slow
/// client slows the writer down instead of filling memory.
const CHANNEL_CAPACITY: usize = 8;

/// The type of the event `unknown-event-at` inserts.
pub const UNKNOWN_EVENT_TYPE: &str = "response.mock_unknown.delta";

/// How frames are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StreamKind {
    /// Responses API: `event: <type>` + `data: <json>`.
    Responses,
    /// Chat and legacy completions: `data: <json>` only, then `data: [DONE]`.
    DataOnly,
}

/// Where a stream's events come from.
pub(crate) enum EventSource {
    /// Events known up front.
    Fixed(std::vec::IntoIter<Value>),
    /// A stored response's events as they are released (background mode).
    Live(Follower),
}

impl EventSource {
    pub fn fixed(events: Vec<Value>) -> EventSource {
        EventSource::Fixed(events.into_iter())
    }

    async fn next(&mut self) -> Option<Value> {
        match self {
            EventSource::Fixed(events) => events.next(),
            EventSource::Live(follower) => follower.next().await,
        }
    }
}

/// Starts a task writing the stream and returns the body it feeds.
pub(crate) fn spawn_writer(
    source: EventSource,
    kind: StreamKind,
    fault: FaultSpec,
    control: Arc<ConnControl>,
    abandoned: Arc<AtomicU64>,
) -> MockBody {
    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    tokio::spawn(write_stream(source, kind, fault, tx, abandoned));
    MockBody::channel(rx, control)
}

/// Starts a task sending `bytes` at the pace of a `slow=` fault.
pub(crate) fn spawn_paced(
    bytes: Bytes,
    slow: (usize, u64),
    control: Arc<ConnControl>,
    abandoned: Arc<AtomicU64>,
) -> MockBody {
    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    tokio::spawn(async move {
        let mut pacer = Pacer::new(tx, Some(slow));
        let sent = match pacer.send(bytes).await {
            Ok(()) => pacer.flush().await,
            Err(stop) => Err(stop),
        };
        // The client left before the whole body: counted like a stream's.
        if sent.is_err() && pacer.tx.is_closed() {
            abandoned.fetch_add(1, Ordering::Relaxed);
        }
    });
    MockBody::channel(rx, control)
}

/// Starts a task sending `bytes` in pieces of `piece_len` as fast as the
/// client reads them (slices of one buffer: nothing is copied), as a
/// server streaming a body in frames does.
pub(crate) fn spawn_pieces(bytes: Bytes, piece_len: usize, control: Arc<ConnControl>) -> MockBody {
    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    tokio::spawn(async move {
        let piece_len = piece_len.max(1);
        let mut start = 0;
        while start < bytes.len() {
            let end = (start + piece_len).min(bytes.len());
            if tx
                .send(BodyChunk::Data(bytes.slice(start..end)))
                .await
                .is_err()
            {
                return;
            }
            start = end;
        }
    });
    MockBody::channel(rx, control)
}

/// The writer stopped: the client went away, or a fault ended the stream.
struct Stop;

async fn write_stream(
    mut source: EventSource,
    kind: StreamKind,
    fault: FaultSpec,
    tx: mpsc::Sender<BodyChunk>,
    abandoned: Arc<AtomicU64>,
) {
    let mut writer = Writer {
        pacer: Pacer::new(tx, fault.slow),
        line_end: if fault.crlf { "\r\n" } else { "\n" },
        kind,
        fault,
        delivered: 0,
        utf8_corrupted: false,
        dropped_by_fault: false,
    };
    let stopped = writer.run(&mut source).await.is_err();
    // The body's receiver is gone: the connection closed under it.
    if stopped && !writer.dropped_by_fault && writer.pacer.tx.is_closed() {
        abandoned.fetch_add(1, Ordering::Relaxed);
    }
}

enum Outgoing {
    Event(Value),
    Done,
}

struct Writer {
    pacer: Pacer,
    fault: FaultSpec,
    kind: StreamKind,
    line_end: &'static str,
    /// Frames written so far; the fault positions count these.
    delivered: usize,
    utf8_corrupted: bool,
    /// A `drop-after` fault closed the connection (the client did not leave).
    dropped_by_fault: bool,
}

impl Writer {
    async fn run(&mut self, source: &mut EventSource) -> Result<(), Stop> {
        if let Some(ms) = self.fault.think_ms {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
        if self.fault.bom {
            self.pacer.send(Bytes::from_static(b"\xEF\xBB\xBF")).await?;
        }
        // Sequence numbers after an inserted event move up by one, so the
        // stream stays numbered 0, 1, 2, … as a new real event type would be.
        let mut shift = 0;
        while let Some(mut event) = source.next().await {
            let seq = event.get("sequence_number").and_then(Value::as_u64);
            if self.kind == StreamKind::Responses
                && shift == 0
                && self.fault.unknown_event_at == Some(self.delivered)
            {
                let unknown = json!({
                    "type": UNKNOWN_EVENT_TYPE, "sequence_number": seq,
                    "item_id": "mock_unknown", "output_index": 0, "delta": "unknown"
                });
                self.emit(Outgoing::Event(unknown)).await?;
                shift = 1;
            }
            if let (Some(seq), true) = (seq, shift > 0) {
                event["sequence_number"] = Value::from(seq + shift);
            }
            self.emit(Outgoing::Event(event)).await?;
        }
        if self.kind == StreamKind::DataOnly {
            self.emit(Outgoing::Done).await?;
        }
        // A drop or stall position past the end still ends the stream
        // without its terminator.
        if self.fault.drop_after.is_some() {
            return self.drop_connection().await;
        }
        if self.fault.stall_after.is_some() {
            return self.stall().await;
        }
        self.pacer.flush().await
    }

    async fn emit(&mut self, frame: Outgoing) -> Result<(), Stop> {
        if self.fault.drop_after == Some(self.delivered) {
            return self.drop_connection().await;
        }
        if self.fault.stall_after == Some(self.delivered) {
            return self.stall().await;
        }
        let le = self.line_end;
        if self.fault.keepalive && self.delivered > 0 {
            self.pacer
                .send(Bytes::from(format!(": keepalive{le}{le}")))
                .await?;
        }
        let bytes = self.render(frame);
        self.pacer.send(Bytes::from(bytes)).await?;
        self.delivered += 1;
        Ok(())
    }

    fn render(&mut self, frame: Outgoing) -> Vec<u8> {
        let le = self.line_end;
        let event = match frame {
            Outgoing::Done => return format!("data: [DONE]{le}{le}").into_bytes(),
            Outgoing::Event(event) => event,
        };
        let event_type = event.get("type").and_then(Value::as_str);
        let mut data = if self.fault.malformed_at == Some(self.delivered) {
            malformed(&event)
        } else {
            to_compact(&event).into_bytes()
        };
        if self.fault.invalid_utf8 && !self.utf8_corrupted {
            self.utf8_corrupted = insert_invalid_utf8(&mut data, self.kind);
        }
        let mut out = Vec::with_capacity(data.len() + 64);
        if let (StreamKind::Responses, Some(event_type)) = (self.kind, event_type) {
            out.extend_from_slice(format!("event: {event_type}{le}").as_bytes());
        }
        out.extend_from_slice(b"data: ");
        out.extend_from_slice(&data);
        out.extend_from_slice(format!("{le}{le}").as_bytes());
        out
    }

    /// Sends what is buffered, then has the connection closed after it is
    /// flushed: no terminal event, no chunked terminator.
    async fn drop_connection(&mut self) -> Result<(), Stop> {
        self.pacer.flush().await?;
        self.dropped_by_fault = true;
        let _ = self.pacer.tx.send(BodyChunk::DropConnection).await;
        self.pacer.tx.closed().await;
        Err(Stop)
    }

    /// Sends what is buffered, then stays silent until the client leaves.
    async fn stall(&mut self) -> Result<(), Stop> {
        self.pacer.flush().await?;
        self.pacer.tx.closed().await;
        Err(Stop)
    }
}

/// Data that starts like the event but is cut off: `{"type":"<type>",`.
fn malformed(event: &Value) -> Vec<u8> {
    match event.get("type").and_then(Value::as_str) {
        Some(t) => format!("{{\"type\":{},", Value::from(t)).into_bytes(),
        None => {
            let text = to_compact(event);
            let mut cut = text.len() / 2;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.as_bytes()[..cut].to_vec()
        }
    }
}

/// Puts the bytes FF FE at the start of a text delta (Responses `delta`,
/// chat `content`, legacy `text`); false when the event has none.
fn insert_invalid_utf8(data: &mut Vec<u8>, kind: StreamKind) -> bool {
    let markers: &[&[u8]] = match kind {
        StreamKind::Responses => &[b"\"delta\":\""],
        StreamKind::DataOnly => &[b"\"content\":\"", b"\"text\":\""],
    };
    for &marker in markers {
        if let Some(pos) = data.windows(marker.len()).position(|w| w == marker) {
            let at = pos + marker.len();
            data.splice(at..at, [0xFF, 0xFE]);
            return true;
        }
    }
    false
}

/// Sends body bytes, all at once or `slow=` bytes at a time.
struct Pacer {
    tx: mpsc::Sender<BodyChunk>,
    slow: Option<(usize, Duration)>,
    pending: BytesMut,
    sent_any: bool,
}

impl Pacer {
    fn new(tx: mpsc::Sender<BodyChunk>, slow: Option<(usize, u64)>) -> Pacer {
        Pacer {
            tx,
            slow: slow.map(|(bytes, ms)| (bytes.max(1), Duration::from_millis(ms))),
            pending: BytesMut::new(),
            sent_any: false,
        }
    }

    async fn send(&mut self, bytes: Bytes) -> Result<(), Stop> {
        let Some((piece_len, _)) = self.slow else {
            return self.send_now(bytes).await;
        };
        self.pending.extend_from_slice(&bytes);
        while self.pending.len() >= piece_len {
            let piece = self.pending.split_to(piece_len).freeze();
            self.send_piece(piece).await?;
        }
        Ok(())
    }

    /// Sends a last piece shorter than the pace's size.
    async fn flush(&mut self) -> Result<(), Stop> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let piece = self.pending.split().freeze();
        self.send_piece(piece).await
    }

    async fn send_piece(&mut self, piece: Bytes) -> Result<(), Stop> {
        if let (Some((_, delay)), true) = (self.slow, self.sent_any) {
            tokio::time::sleep(delay).await;
        }
        self.send_now(piece).await
    }

    async fn send_now(&mut self, bytes: Bytes) -> Result<(), Stop> {
        self.sent_any = true;
        self.tx.send(BodyChunk::Data(bytes)).await.map_err(|_| Stop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_data_is_cut_after_the_type() {
        let event = json!({"type": "response.output_text.delta", "delta": "x"});
        assert_eq!(
            malformed(&event),
            br#"{"type":"response.output_text.delta","#.to_vec()
        );
        let chunk = json!({"id": "chatcmpl-1", "choices": []});
        assert!(serde_json::from_slice::<Value>(&malformed(&chunk)).is_err());
    }

    #[test]
    fn invalid_utf8_goes_into_the_first_text() {
        let mut data = br#"{"type":"x","delta":"Hi"}"#.to_vec();
        assert!(insert_invalid_utf8(&mut data, StreamKind::Responses));
        assert!(std::str::from_utf8(&data).is_err());
        assert!(data.windows(4).any(|w| w == b"\"\xFF\xFEH"));
        let mut none = br#"{"part":{"text":""}}"#.to_vec();
        assert!(!insert_invalid_utf8(&mut none, StreamKind::Responses));
        let mut chunk = br#"{"choices":[{"delta":{"content":"Hi"}}]}"#.to_vec();
        assert!(insert_invalid_utf8(&mut chunk, StreamKind::DataOnly));
    }
}
