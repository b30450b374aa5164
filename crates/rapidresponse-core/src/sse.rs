//! Push-based Server-Sent Events framing: bytes in, frames out. It knows
//! nothing about JSON or the Responses API (see `crate::stream`).
//!
//! Follows the WHATWG algorithm as openai-python applies it: CR, LF and CRLF
//! line ends (a CRLF pair or a UTF-8 character may straddle two feeds),
//! `data` lines joined with `\n`, one leading space stripped from values,
//! comment lines ignored, unknown fields ignored, `id` persisting across
//! events. Unlike openai-python it strips a leading UTF-8 BOM, rejects
//! invalid UTF-8 with an error instead of replacing it, and bounds the size
//! of one event.

use memchr::memchr2;
use std::sync::Arc;

/// The default bound on one event's size: a `response.completed` that
/// repeats several base64 images can be tens of MiB; openai-python has no
/// bound at all.
pub const DEFAULT_MAX_EVENT_BYTES: usize = 256 * 1024 * 1024;

/// The longest `id` kept; a longer one is ignored (a server could
/// otherwise make every frame of a chunk carry a huge copy).
pub const MAX_ID_BYTES: usize = 1024;

/// One dispatched event: its `event` name, joined `data` and `retry`. The
/// last `id` is the decoder's (`last_event_id`), not copied per frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// Shared between consecutive events of the same name (no allocation
    /// per event on a stream of deltas).
    pub event: Option<Arc<str>>,
    pub data: String,
    pub retry: Option<u64>,
}

/// Why the byte stream is not a valid event stream.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SseError {
    #[error("invalid UTF-8 in the event stream at byte {offset} of a line")]
    InvalidUtf8 { offset: usize },
    #[error("an event exceeded the size limit of {limit} bytes")]
    EventTooLarge { limit: usize },
}

/// The decoder's state between feeds.
#[derive(Debug)]
pub struct SseDecoder {
    /// Bytes of a line whose end has not arrived yet.
    partial_line: Vec<u8>,
    /// The previous feed ended with CR: a leading LF of the next one belongs to it.
    after_cr: bool,
    /// No line has been processed yet (a BOM may still come).
    at_start: bool,
    event: Option<Arc<str>>,
    /// The last event name seen, reused when the next one is the same.
    last_event_name: Option<Arc<str>>,
    data: String,
    has_data: bool,
    last_id: Option<String>,
    id_seen: bool,
    retry: Option<u64>,
    max_event_bytes: usize,
    /// The current event is over the limit or invalid: skip its lines until it ends.
    discarding: bool,
    /// The rest of the current line is to be dropped.
    skip_line: bool,
}

impl Default for SseDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl SseDecoder {
    /// A decoder with the default event size limit.
    pub fn new() -> Self {
        Self::with_max_event_bytes(DEFAULT_MAX_EVENT_BYTES)
    }

    /// A decoder that gives `SseError::EventTooLarge` for an event over `limit` bytes.
    pub fn with_max_event_bytes(limit: usize) -> Self {
        SseDecoder {
            partial_line: Vec::new(),
            after_cr: false,
            at_start: true,
            event: None,
            last_event_name: None,
            data: String::new(),
            has_data: false,
            last_id: None,
            id_seen: false,
            retry: None,
            max_event_bytes: limit,
            discarding: false,
            skip_line: false,
        }
    }

    /// Feeds bytes and appends every event they complete to `out`. On an
    /// error, the frames completed before it are already in `out`; the bad
    /// event is dropped and decoding can go on with the next feed.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<Frame>) -> Result<(), SseError> {
        self.feed_lines(bytes, out, false)
    }

    /// `feed` for a caller that ends the stream at the first error: no
    /// frame after it is decoded, so where a chunk boundary falls never
    /// changes what comes out (found by fuzzing: the rest of a chunk was
    /// delivered before the error, the next chunk's was not).
    pub fn feed_until_error(&mut self, bytes: &[u8], out: &mut Vec<Frame>) -> Result<(), SseError> {
        self.feed_lines(bytes, out, true)
    }

    fn feed_lines(
        &mut self,
        mut bytes: &[u8],
        out: &mut Vec<Frame>,
        stop_at_error: bool,
    ) -> Result<(), SseError> {
        if self.after_cr && !bytes.is_empty() {
            self.after_cr = false;
            if bytes[0] == b'\n' {
                bytes = &bytes[1..];
            }
        }
        let mut result = Ok(());
        while !bytes.is_empty() {
            let Some(end) = memchr2(b'\n', b'\r', bytes) else {
                if let Err(e) = self.buffer_partial(bytes) {
                    result = result.and(Err(e));
                }
                break;
            };
            let rest_start = if bytes[end] == b'\r' {
                match bytes.get(end + 1) {
                    Some(b'\n') => end + 2,
                    Some(_) => end + 1,
                    None => {
                        self.after_cr = true;
                        end + 1
                    }
                }
            } else {
                end + 1
            };
            let r = if self.skip_line {
                // The tail of a line whose head was dropped.
                self.skip_line = false;
                Ok(())
            } else if self.partial_line.is_empty() {
                self.process_line(&bytes[..end], out)
            } else {
                let mut line = std::mem::take(&mut self.partial_line);
                let r = match self.check_size(line.len() + end) {
                    Ok(()) => {
                        line.extend_from_slice(&bytes[..end]);
                        self.process_line(&line, out)
                    }
                    Err(e) => Err(e),
                };
                line.clear();
                self.partial_line = line;
                r
            };
            if let Err(e) = r {
                if stop_at_error {
                    return Err(e);
                }
                // Drop the rest of the bad event, keep the stream going.
                self.discarding = true;
                self.data.clear();
                result = result.and(Err(e));
            }
            bytes = &bytes[rest_start..];
        }
        result
    }

    /// Ends the stream. A last line without its line end still counts as a
    /// line, and an event with data that no blank line ended is dispatched,
    /// as openai-node does (openai-python 3.57 and browsers drop it; the
    /// stream machine drops it when its data is cut off).
    pub fn finish(&mut self, out: &mut Vec<Frame>) -> Result<(), SseError> {
        let r = if self.partial_line.is_empty() || self.skip_line {
            Ok(())
        } else {
            let line = std::mem::take(&mut self.partial_line);
            self.process_line(&line, out)
        };
        if r.is_ok() && !self.discarding && self.has_data {
            out.push(Frame {
                event: self.event.take(),
                data: std::mem::take(&mut self.data),
                retry: self.retry.take(),
            });
        }
        self.reset_event();
        self.after_cr = false;
        self.skip_line = false;
        r
    }

    /// The last `id` seen (the `Last-Event-ID` to resume with).
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// The size limit of one event.
    pub fn max_event_bytes(&self) -> usize {
        self.max_event_bytes
    }

    fn buffer_partial(&mut self, bytes: &[u8]) -> Result<(), SseError> {
        if self.discarding || self.skip_line {
            self.skip_line = true;
            return Ok(());
        }
        if let Err(e) = self.check_size(self.partial_line.len() + bytes.len()) {
            self.skip_line = true;
            return Err(e);
        }
        self.partial_line.extend_from_slice(bytes);
        Ok(())
    }

    fn check_size(&mut self, line_len: usize) -> Result<(), SseError> {
        if self.discarding {
            return Ok(());
        }
        if line_len.saturating_add(self.data.len()) > self.max_event_bytes {
            self.discarding = true;
            self.partial_line.clear();
            self.data = String::new();
            return Err(SseError::EventTooLarge {
                limit: self.max_event_bytes,
            });
        }
        Ok(())
    }

    fn reset_event(&mut self) {
        self.event = None;
        self.data.clear();
        self.has_data = false;
        self.id_seen = false;
        self.retry = None;
        self.discarding = false;
    }

    #[inline]
    fn process_line(&mut self, mut line: &[u8], out: &mut Vec<Frame>) -> Result<(), SseError> {
        if self.at_start {
            self.at_start = false;
            if let Some(rest) = line.strip_prefix(b"\xEF\xBB\xBF") {
                line = rest;
            }
        }
        if line.is_empty() {
            if self.discarding {
                self.reset_event();
                return Ok(());
            }
            if self.has_data || self.event.is_some() || self.id_seen || self.retry.is_some() {
                out.push(Frame {
                    event: self.event.take(),
                    data: std::mem::take(&mut self.data),
                    retry: self.retry.take(),
                });
            }
            self.reset_event();
            return Ok(());
        }
        if self.discarding || line[0] == b':' {
            return Ok(());
        }
        let (name, value) = match memchr::memchr(b':', line) {
            Some(i) => {
                let v = &line[i + 1..];
                (&line[..i], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (line, &b""[..]),
        };
        match name {
            b"data" => {
                self.check_size(value.len() + 1)?;
                let value = utf8(value)?;
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            b"event" => {
                let name = utf8(value)?;
                let shared = match &self.last_event_name {
                    Some(last) if **last == *name => last.clone(),
                    _ => {
                        let fresh: Arc<str> = Arc::from(name);
                        self.last_event_name = Some(fresh.clone());
                        fresh
                    }
                };
                self.event = Some(shared);
            }
            b"id" => {
                let value = utf8(value)?;
                if !value.contains('\0') && value.len() <= MAX_ID_BYTES {
                    self.last_id = Some(value.to_owned());
                }
                self.id_seen = true;
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                self.retry = utf8(value)?.parse().ok();
            }
            _ => {}
        }
        Ok(())
    }
}

#[inline]
fn utf8(bytes: &[u8]) -> Result<&str, SseError> {
    std::str::from_utf8(bytes).map_err(|e| SseError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(chunks: &[&[u8]]) -> Vec<Frame> {
        let mut d = SseDecoder::new();
        let mut out = Vec::new();
        for c in chunks {
            d.feed(c, &mut out).unwrap();
        }
        d.finish(&mut out).unwrap();
        out
    }

    fn data(fs: &[Frame]) -> Vec<&str> {
        fs.iter().map(|f| f.data.as_str()).collect()
    }

    #[test]
    fn lf_crlf_and_cr_line_ends_give_the_same_frames() {
        let lf = frames(&[b"event: a\ndata: 1\n\nevent: b\ndata: 2\n\n"]);
        let crlf = frames(&[b"event: a\r\ndata: 1\r\n\r\nevent: b\r\ndata: 2\r\n\r\n"]);
        let cr = frames(&[b"event: a\rdata: 1\r\revent: b\rdata: 2\r\r"]);
        assert_eq!(lf, crlf);
        assert_eq!(lf, cr);
        assert_eq!(data(&lf), ["1", "2"]);
        assert_eq!(lf[1].event.as_deref(), Some("b"));
    }

    #[test]
    fn crlf_split_across_feeds_is_one_line_end() {
        let fs = frames(&[b"data: 1\r", b"\n\r", b"\ndata: 2\r\n\r\n"]);
        assert_eq!(data(&fs), ["1", "2"]);
    }

    #[test]
    fn utf8_character_split_across_feeds() {
        let text = "data: é中🚀\n\n".as_bytes();
        for cut in 0..text.len() {
            let fs = frames(&[&text[..cut], &text[cut..]]);
            assert_eq!(data(&fs), ["é中🚀"], "cut at {cut}");
        }
    }

    #[test]
    fn multi_line_data_joins_with_newline_and_space_is_optional() {
        let fs = frames(&[b"data:{\"a\":\ndata: 1}\n\n"]);
        assert_eq!(data(&fs), ["{\"a\":\n1}"]);
    }

    #[test]
    fn comments_bom_unknown_fields_and_retry() {
        let fs = frames(&[b"\xEF\xBB\xBF: keepalive\nfoo: bar\nretry: 3000\nid: 7\ndata: x\n\n"]);
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].data, "x");
        assert_eq!(fs[0].retry, Some(3000));
    }

    #[test]
    fn bom_split_over_feeds_is_stripped() {
        let fs = frames(&[b"\xEF", b"\xBB", b"\xBFdata: x\n\n"]);
        assert_eq!(data(&fs), ["x"]);
    }

    #[test]
    fn event_with_empty_data_is_a_frame_and_id_persists() {
        let mut d = SseDecoder::new();
        let mut fs = Vec::new();
        d.feed(
            b"id: 1\nevent: ping\ndata:\n\nevent: x\ndata: y\n\n",
            &mut fs,
        )
        .unwrap();
        assert_eq!(fs.len(), 2);
        assert_eq!(fs[0].event.as_deref(), Some("ping"));
        assert_eq!(fs[0].data, "");
        assert_eq!(d.last_event_id(), Some("1"));
    }

    #[test]
    fn a_huge_id_is_ignored_not_copied() {
        let mut d = SseDecoder::new();
        let mut fs = Vec::new();
        let body = format!(
            "id: {}\n\n{}",
            "i".repeat(1 << 20),
            "data: x\n\n".repeat(1000)
        );
        d.feed(body.as_bytes(), &mut fs).unwrap();
        // The id-only event is a frame without data (the stream skips it).
        assert_eq!(fs.len(), 1001);
        assert_eq!(d.last_event_id(), None);
        let held: usize = fs.iter().map(|f| f.data.len()).sum();
        assert_eq!(held, 1000);
    }

    #[test]
    fn an_unterminated_last_event_is_dispatched_at_the_end() {
        let fs = frames(&[b"data: 1\n\nevent: e\ndata: 2"]);
        assert_eq!(data(&fs), ["1", "2"]);
        assert_eq!(fs[1].event.as_deref(), Some("e"));
        // A name alone is no event to dispatch.
        assert_eq!(data(&frames(&[b"data: 1\n\nevent: e\n"])), ["1"]);
    }

    #[test]
    fn invalid_utf8_is_an_error_that_keeps_earlier_frames() {
        let mut d = SseDecoder::new();
        let mut out = Vec::new();
        let err = d.feed(b"data: ok\n\ndata: \xFF\xFE\n\ndata: next\n\n", &mut out);
        assert_eq!(err, Err(SseError::InvalidUtf8 { offset: 0 }));
        assert_eq!(data(&out), ["ok", "next"]);
    }

    #[test]
    fn size_limit_gives_an_error_and_decoding_goes_on() {
        let mut d = SseDecoder::with_max_event_bytes(16);
        let mut out = Vec::new();
        let big = format!("data: {}\n\n", "x".repeat(40));
        let err = d.feed(big.as_bytes(), &mut out);
        assert_eq!(err, Err(SseError::EventTooLarge { limit: 16 }));
        d.feed(b"data: small\n\n", &mut out).unwrap();
        assert_eq!(data(&out), ["small"]);
        // The same limit holds when the big line arrives in pieces.
        let mut d = SseDecoder::with_max_event_bytes(16);
        let mut out = Vec::new();
        let mut errors = 0;
        for piece in big.as_bytes().chunks(3) {
            errors += d.feed(piece, &mut out).is_err() as usize;
        }
        assert_eq!(errors, 1);
        assert!(out.is_empty());
    }

    #[test]
    fn default_limit_passes_a_16_mib_event() {
        let body = format!("data: {}\n\n", "a".repeat(16 << 20));
        let fs = frames(&[body.as_bytes()]);
        assert_eq!(fs[0].data.len(), 16 << 20);
    }
}
