//! The stream state machine: the bytes of an event stream in, the steps a
//! shell takes out (hand over this event, or end: cleanly or with this
//! error). Every stream rule is decided here, once: SSE framing, `[DONE]`,
//! the error-member rule, openai-node's `event: error` rule, malformed and
//! empty events, `starting_after` filtering, accumulation and snapshots,
//! terminal and unfinished ends, the final response, and the usage to
//! count. Where openai-python and openai-node differ, `StreamRules` has a
//! preset for each. It does no I/O and keeps no time: the client's stream
//! loop feeds it bytes and tells it when the body ended or failed, and
//! decides about resuming (it needs the network).

use serde_json::Value;
use std::collections::VecDeque;
use std::sync::Arc;

use crate::accumulator::{ResponseAccumulator, SnapshotRef, Terminal};
use crate::decode::DecodeError;
use crate::endpoint::{EventKind, UsageKind};
use crate::error::Error;
use crate::sse::{Frame, SseDecoder};
use crate::usage::TokenCounts;
use crate::view::EventView;

/// Which values of an `error` member count as an error: the SDK's
/// language's truthiness (`{}` and `[]` are false in Python, true in
/// JavaScript).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truthiness {
    Python,
    JavaScript,
}

/// What a Responses stream whose body ends without a terminal event (or a
/// chunk stream without `[DONE]`) means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unfinished {
    /// The iteration just ends, as both SDKs' `Stream` does; the final
    /// response step reports what is missing.
    EndQuietly,
    /// An error carrying the partial response (the Rust crate).
    Fail,
}

/// Which final response a stream gives (`get_final_response()`,
/// `finalResponse()`, `final_response()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinalRule {
    /// Only `response.completed` gives one (openai-python's helper; the
    /// Rust crate, with failed and incomplete told apart).
    Completed,
    /// The response so far, whatever the end (openai-node's helper).
    Snapshot,
}

/// How a stream reads, per SDK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamRules {
    pub truthiness: Truthiness,
    /// A frame named `event: error` raises, whatever its data (openai-node).
    pub error_event_raises: bool,
    pub unfinished: Unfinished,
    /// A malformed event ends the stream (both SDKs) instead of being
    /// reported and skipped (the Rust crate).
    pub malformed_ends: bool,
    pub final_rule: FinalRule,
}

impl StreamRules {
    /// openai-python 3.x.
    pub fn openai_python() -> Self {
        StreamRules {
            truthiness: Truthiness::Python,
            error_event_raises: false,
            unfinished: Unfinished::EndQuietly,
            malformed_ends: true,
            final_rule: FinalRule::Completed,
        }
    }

    /// openai-node 6.x/7.x.
    pub fn openai_node() -> Self {
        StreamRules {
            truthiness: Truthiness::JavaScript,
            error_event_raises: true,
            unfinished: Unfinished::EndQuietly,
            malformed_ends: true,
            final_rule: FinalRule::Snapshot,
        }
    }

    /// The Rust crate: an unfinished stream is an error, a malformed event
    /// is reported and the stream goes on.
    pub fn strict() -> Self {
        StreamRules {
            unfinished: Unfinished::Fail,
            malformed_ends: false,
            ..Self::openai_python()
        }
    }
}

impl Default for StreamRules {
    fn default() -> Self {
        Self::strict()
    }
}

/// One event to hand over, with what the shells attach to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    /// The `data` JSON exactly as received.
    pub data: String,
    /// The SSE `event:` name, when the server sent one.
    pub sse_event: Option<Arc<str>>,
    /// For a text or arguments delta: where its `snapshot` is.
    pub snapshot: Option<SnapshotRef>,
    /// The terminal event (completed, incomplete, failed) of a Responses
    /// stream: it carries the final response.
    pub terminal: Option<Terminal>,
}

/// What a shell does next.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Event(Delivery),
    /// A malformed event the rules let the stream go past.
    Skipped(DecodeError),
    /// The stream is over, cleanly or with an error carrying the response
    /// so far; nothing follows.
    End(Result<(), Error>),
}

/// Why there is no final response.
#[derive(Clone, Debug, PartialEq)]
pub enum FinalError {
    /// No `response.completed` (openai-python: "Didn't receive a
    /// `response.completed` event."); the response so far.
    NotCompleted(Value),
    /// The response ended `failed` (the Rust crate's rule).
    Failed(Value),
    /// The response ended `incomplete` (the Rust crate's rule).
    Incomplete(Value),
    /// Not one event arrived (openai-node: "request ended without sending
    /// any events").
    NoEvents,
}

/// The state of one stream.
#[derive(Debug)]
pub struct StreamMachine {
    sse: SseDecoder,
    frames: Vec<Frame>,
    kind: EventKind,
    counts: UsageKind,
    rules: StreamRules,
    acc: ResponseAccumulator,
    /// Events numbered at or below this are dropped (`starting_after`, or
    /// what was delivered before a resume).
    floor: Option<u64>,
    done: bool,
    ended: bool,
    usage: Option<(String, TokenCounts)>,
    delivered: u64,
}

impl StreamMachine {
    /// A machine for a stream of `kind` whose usage counts as `counts`,
    /// with events up to `starting_after` dropped and events over
    /// `max_event_bytes` refused.
    pub fn new(
        kind: EventKind,
        counts: UsageKind,
        rules: StreamRules,
        starting_after: Option<u64>,
        max_event_bytes: usize,
    ) -> Self {
        StreamMachine {
            sse: SseDecoder::with_max_event_bytes(max_event_bytes),
            frames: Vec::new(),
            kind,
            counts,
            rules,
            acc: ResponseAccumulator::new(),
            floor: starting_after,
            done: false,
            ended: false,
            usage: None,
            delivered: 0,
        }
    }

    pub fn rules(&self) -> StreamRules {
        self.rules
    }

    /// Whether the stream is over (an `End` step was given).
    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// Whether the stream reached its end: a Responses stream its terminal
    /// event, a chunk stream `[DONE]`. A body that fails after it ends the
    /// stream quietly.
    pub fn is_complete(&self) -> bool {
        match self.kind {
            EventKind::Responses => self.acc.terminal().is_some(),
            EventKind::Chunks => self.done,
        }
    }

    /// Feeds bytes of the body; appends a step per event they complete.
    pub fn feed(&mut self, bytes: &[u8], out: &mut VecDeque<Step>) {
        if self.ended || self.done {
            return;
        }
        let framed = self.sse.feed_until_error(bytes, &mut self.frames);
        self.drain(out, false);
        if let Err(e) = framed {
            if !self.ended {
                self.end(
                    out,
                    Err(self.with_partial(Error::Sse {
                        error: e,
                        partial: None,
                    })),
                );
            }
        }
    }

    /// Feeds one WebSocket message of the Responses API's WebSocket mode:
    /// one event's JSON, without SSE framing, read by the same rules as an
    /// SSE event's data. A message over the event size limit ends the
    /// stream with an error carrying the response so far.
    pub fn feed_message(&mut self, text: &str, out: &mut VecDeque<Step>) {
        if self.ended || self.done {
            return;
        }
        let limit = self.sse.max_event_bytes();
        if text.len() > limit {
            let error = Error::Sse {
                error: crate::sse::SseError::EventTooLarge { limit },
                partial: None,
            };
            self.end(out, Err(self.with_partial(error)));
            return;
        }
        let frame = Frame {
            event: None,
            data: text.to_owned(),
            retry: None,
        };
        self.step(frame, false, out);
    }

    /// The body ended cleanly. A complete event the body did not end with a
    /// blank line is still handed over (as openai-node does); a cut-off one
    /// is dropped. Then the stream ends as the rules say.
    pub fn finish(&mut self, out: &mut VecDeque<Step>) {
        if self.ended {
            return;
        }
        if !self.done {
            let framed = self.sse.finish(&mut self.frames);
            self.drain(out, true);
            if let Err(e) = framed {
                if !self.ended {
                    self.end(
                        out,
                        Err(self.with_partial(Error::Sse {
                            error: e,
                            partial: None,
                        })),
                    );
                }
            }
        }
        if !self.ended {
            self.close(out);
        }
    }

    /// Ends the stream where the events stop (the end of the body, or
    /// `[DONE]`), as the rules say.
    fn close(&mut self, out: &mut VecDeque<Step>) {
        let end = if self.is_complete() || self.rules.unfinished == Unfinished::EndQuietly {
            Ok(())
        } else if self.kind == EventKind::Responses {
            Err(Error::IncompleteStream {
                partial: Box::new(self.acc.snapshot()),
            })
        } else {
            Err(Error::Connection {
                message: "the stream ended before data: [DONE]".into(),
                partial: None,
            })
        };
        self.end(out, end);
    }

    /// The body failed (`error`: a dropped connection, a read timeout).
    /// After the terminal event that just ends the stream; before it, the
    /// error, carrying the response so far.
    pub fn fail(&mut self, error: Error, out: &mut VecDeque<Step>) {
        if self.ended {
            return;
        }
        let end = if self.is_complete() {
            Ok(())
        } else {
            Err(self.with_partial(error))
        };
        self.end(out, end);
    }

    /// Where a dropped background response can be resumed: its id and the
    /// last sequence number delivered.
    pub fn resume_point(&self) -> Option<(&str, u64)> {
        if self.kind != EventKind::Responses || self.is_complete() {
            return None;
        }
        Some((self.acc.response_id()?, self.acc.last_sequence_number()?))
    }

    /// Whether the response was created with `background: true`.
    pub fn is_background(&self) -> bool {
        self.acc.is_background()
    }

    /// Starts reading a new body that continues this stream (a resume by
    /// `GET ...?stream=true&starting_after=N`): events already delivered
    /// are dropped if the server repeats them.
    pub fn restart_body(&mut self) {
        self.sse = SseDecoder::with_max_event_bytes(self.sse.max_event_bytes());
        self.floor = self.acc.last_sequence_number().or(self.floor);
    }

    /// The usage of a finished response (or of a chunk with usage), once:
    /// the model and its token counts, for the client's totals.
    pub fn take_usage(&mut self) -> Option<(String, TokenCounts)> {
        self.usage.take()
    }

    /// The response so far (Responses streams).
    pub fn accumulator(&self) -> &ResponseAccumulator {
        &self.acc
    }

    /// The final response under the rules, or why there is none.
    pub fn final_response(&self) -> Result<Value, FinalError> {
        match (self.rules.final_rule, self.acc.terminal()) {
            (_, _) if self.delivered == 0 && self.acc.event_count() == 0 => {
                Err(FinalError::NoEvents)
            }
            (FinalRule::Snapshot, _) => Ok(self.acc.snapshot()),
            (FinalRule::Completed, Some(Terminal::Completed)) => Ok(self.acc.snapshot()),
            (FinalRule::Completed, Some(Terminal::Failed))
                if self.rules.unfinished == Unfinished::Fail =>
            {
                Err(FinalError::Failed(self.acc.snapshot()))
            }
            (FinalRule::Completed, Some(Terminal::Incomplete))
                if self.rules.unfinished == Unfinished::Fail =>
            {
                Err(FinalError::Incomplete(self.acc.snapshot()))
            }
            (FinalRule::Completed, _) => Err(FinalError::NotCompleted(self.acc.snapshot())),
        }
    }

    fn end(&mut self, out: &mut VecDeque<Step>, result: Result<(), Error>) {
        self.ended = true;
        self.frames.clear();
        out.push_back(Step::End(result));
    }

    fn with_partial(&self, error: Error) -> Error {
        match self.kind {
            EventKind::Responses => error.with_partial(self.acc.snapshot()),
            EventKind::Chunks => error,
        }
    }

    fn drain(&mut self, out: &mut VecDeque<Step>, at_end: bool) {
        let frames = std::mem::take(&mut self.frames);
        let mut frames = frames.into_iter();
        for frame in frames.by_ref() {
            self.step(frame, at_end, out);
            if self.ended || self.done {
                break;
            }
        }
        // Keep the allocation for the next feed.
        let mut rest: Vec<Frame> = frames.collect();
        rest.clear();
        self.frames = rest;
    }

    fn step(&mut self, frame: Frame, at_end: bool, out: &mut VecDeque<Step>) {
        let data = frame.data;
        let trimmed = data.trim_start();
        // An event without data (`event: ping`, `retry: 3000`) is nothing
        // to deliver; the SDKs fail on it, which helps nobody.
        if trimmed.is_empty() {
            return;
        }
        if trimmed.starts_with("[DONE]") {
            // Nothing after it is an event, as in both SDKs.
            self.done = true;
            self.close(out);
            return;
        }
        let view = match EventView::parse(&data) {
            Ok(v) => v,
            // A cut-off last event at the end of the body: the tail of a
            // dropped connection, not an event.
            Err(_) if at_end => return,
            Err(e) => {
                let error = DecodeError {
                    message: e.to_string(),
                    data: data.clone(),
                };
                if self.rules.malformed_ends {
                    self.end(out, Err(Error::Decode(error)));
                } else {
                    out.push_back(Step::Skipped(error));
                }
                return;
            }
        };
        if let (Some(n), Some(floor)) = (view.sequence_number, self.floor) {
            if n <= floor {
                return;
            }
        }
        let named_error = self.rules.error_event_raises && frame.event.as_deref() == Some("error");
        let member = view
            .error
            .and_then(|e| serde_json::from_str::<Value>(e.get()).ok());
        let raises = named_error
            || member
                .as_ref()
                .is_some_and(|e| truthy(e, self.rules.truthiness));
        let snapshot = match self.kind {
            EventKind::Responses => self.acc.apply(&view),
            EventKind::Chunks => None,
        };
        if raises {
            let event = serde_json::from_str(&data).unwrap_or(Value::Null);
            let error = Error::StreamError {
                event: Box::new(event),
                partial: None,
            };
            self.end(out, Err(self.with_partial(error)));
            return;
        }
        let terminal = match self.kind {
            EventKind::Responses => Terminal::of_event_type(view.kind()),
            EventKind::Chunks => None,
        };
        self.count_usage(&view, terminal);
        self.delivered += 1;
        drop(view);
        out.push_back(Step::Event(Delivery {
            data,
            sse_event: frame.event,
            snapshot,
            terminal,
        }));
    }

    fn count_usage(&mut self, view: &EventView, terminal: Option<Terminal>) {
        match (self.counts, self.kind) {
            (UsageKind::Response, EventKind::Responses) if self.usage.is_none() => {
                if terminal.is_none() {
                    return;
                }
                let Some(done) = self.acc.final_response() else {
                    return;
                };
                let Some(usage) = done.get("usage").filter(|u| u.is_object()) else {
                    return;
                };
                let model = done.get("model").and_then(Value::as_str).unwrap_or("");
                self.usage = Some((model.to_owned(), TokenCounts::from_json(usage, false)));
            }
            (UsageKind::Completion, _) => {
                let Some(raw) = view.usage.filter(|u| u.get().starts_with('{')) else {
                    return;
                };
                if let Ok(usage) = serde_json::from_str::<Value>(raw.get()) {
                    let model = view.model.as_deref().unwrap_or("");
                    self.usage = Some((model.to_owned(), TokenCounts::from_json(&usage, true)));
                }
            }
            _ => {}
        }
    }
}

/// Whether `v` is true in the SDK's language.
pub fn truthy(v: &Value, truthiness: Truthiness) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => truthiness == Truthiness::JavaScript || !a.is_empty(),
        Value::Object(o) => truthiness == Truthiness::JavaScript || !o.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(rules: StreamRules) -> StreamMachine {
        StreamMachine::new(
            EventKind::Responses,
            UsageKind::Response,
            rules,
            None,
            1 << 20,
        )
    }

    fn run(rules: StreamRules, body: &[u8]) -> (Vec<String>, Result<(), Error>, StreamMachine) {
        let mut m = machine(rules);
        let mut out = VecDeque::new();
        // One byte at a time: framing never depends on where chunks split.
        for b in body.chunks(1) {
            m.feed(b, &mut out);
        }
        m.finish(&mut out);
        let mut types = Vec::new();
        let mut end = None;
        for step in out {
            match step {
                Step::Event(d) => {
                    let v: Value = serde_json::from_str(&d.data).unwrap();
                    types.push(v["type"].as_str().unwrap_or("").to_owned());
                }
                Step::Skipped(_) => types.push("<skipped>".into()),
                Step::End(r) => {
                    assert!(end.is_none(), "one end");
                    end = Some(r);
                }
            }
        }
        (types, end.expect("an end"), m)
    }

    const CREATED: &str = r#"{"type":"response.created","sequence_number":0,"response":{"id":"r","model":"m","status":"in_progress","output":[]}}"#;
    const DELTA: &str = r#"{"type":"response.output_text.delta","sequence_number":1,"output_index":0,"content_index":0,"delta":"Hi"}"#;
    const DONE: &str = r#"{"type":"response.completed","sequence_number":2,"response":{"id":"r","model":"m","status":"completed","output":[{"type":"message","content":[{"type":"output_text","text":"Hi"}]}],"usage":{"input_tokens":1,"output_tokens":2,"total_tokens":3}}}"#;

    fn sse(events: &[&str]) -> String {
        events.iter().map(|e| format!("data: {e}\n\n")).collect()
    }

    #[test]
    fn nothing_after_invalid_utf8_is_delivered_however_the_body_is_cut() {
        // Found by fuzzing: in one chunk, the events after the bad line came
        // out before the error; cut before them, they did not.
        let mut body = sse(&[CREATED]).into_bytes();
        body.extend_from_slice(b"data: \xFF\n\n");
        body.extend_from_slice(sse(&[DELTA, DONE]).as_bytes());
        let (bytewise, end, _) = run(StreamRules::strict(), &body);
        assert_eq!(bytewise, ["response.created"]);
        assert!(matches!(end, Err(Error::Sse { .. })), "{end:?}");
        let mut m = machine(StreamRules::strict());
        let mut out = VecDeque::new();
        m.feed(&body, &mut out);
        m.finish(&mut out);
        let events = out.iter().filter(|s| matches!(s, Step::Event(_))).count();
        assert_eq!(events, 1);
    }

    #[test]
    fn a_complete_last_event_without_a_blank_line_is_delivered() {
        let mut body = sse(&[CREATED, DELTA]);
        body.push_str(&format!("event: response.completed\ndata: {DONE}\n"));
        for rules in [
            StreamRules::openai_python(),
            StreamRules::openai_node(),
            StreamRules::strict(),
        ] {
            let (types, end, mut m) = run(rules, body.as_bytes());
            assert_eq!(types.len(), 3, "{types:?}");
            assert_eq!(end, Ok(()));
            assert_eq!(m.take_usage().unwrap().1.total_tokens, 3);
            assert_eq!(m.final_response().unwrap()["status"], "completed");
        }
        // Cut inside the last event: dropped, and the stream is unfinished.
        let cut = format!("{}data: {}", sse(&[CREATED, DELTA]), &DONE[..40]);
        let (types, end, _) = run(StreamRules::strict(), cut.as_bytes());
        assert_eq!(types.len(), 2);
        let Err(Error::IncompleteStream { partial }) = end else {
            panic!("{end:?}")
        };
        assert_eq!(crate::accumulator::output_text(&partial), "Hi");
        let (_, end, m) = run(StreamRules::openai_python(), cut.as_bytes());
        assert_eq!(end, Ok(()));
        assert!(matches!(
            m.final_response(),
            Err(FinalError::NotCompleted(_))
        ));
        let (_, _, m) = run(StreamRules::openai_node(), cut.as_bytes());
        assert_eq!(m.final_response().unwrap()["status"], "in_progress");
    }

    #[test]
    fn error_members_raise_by_each_languages_truthiness() {
        for (error, python, node) in [
            ("{}", false, true),
            ("[]", false, true),
            ("0", false, false),
            ("\"\"", false, false),
            ("null", false, false),
            ("\"x\"", true, true),
            (r#"{"message":"boom"}"#, true, true),
        ] {
            let event = format!(
                r#"{{"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"x","error":{error}}}"#
            );
            let body = sse(&[CREATED, &event, DONE]);
            for (rules, raises) in [
                (StreamRules::openai_python(), python),
                (StreamRules::openai_node(), node),
            ] {
                let (types, end, _) = run(rules, body.as_bytes());
                assert_eq!(end.is_err(), raises, "{error} under {:?}", rules.truthiness);
                if raises {
                    assert_eq!(types.len(), 1);
                    let Err(Error::StreamError { event, partial }) = end else {
                        panic!()
                    };
                    assert_eq!(
                        event["error"],
                        serde_json::from_str::<Value>(error).unwrap()
                    );
                    // The raising event's text is in the partial response.
                    assert_eq!(
                        crate::accumulator::output_text(partial.as_deref().unwrap()),
                        "x"
                    );
                }
            }
        }
    }

    #[test]
    fn an_event_named_error_raises_in_node_only() {
        let flat = r#"{"type":"error","code":"rate_limit_exceeded","message":"slow down","param":null,"sequence_number":2}"#;
        let body = format!("data: {CREATED}\n\nevent: error\ndata: {flat}\n\ndata: {DONE}\n\n");
        let (types, end, _) = run(StreamRules::openai_python(), body.as_bytes());
        assert_eq!((types.len(), end), (3, Ok(())));
        let (types, end, _) = run(StreamRules::openai_node(), body.as_bytes());
        assert_eq!(types.len(), 1);
        let Err(Error::StreamError { event, .. }) = end else {
            panic!()
        };
        assert_eq!(event["message"], "slow down");
    }

    #[test]
    fn malformed_empty_done_and_starting_after() {
        let body = format!("event: ping\ndata:\n\nretry: 30\n\ndata: {CREATED}\n\ndata: {{bad\n\ndata: {DELTA}\n\ndata: [DONE]\n\ndata: {DONE}\n\n");
        let (types, end, _) = run(StreamRules::strict(), body.as_bytes());
        assert_eq!(
            types,
            [
                "response.created",
                "<skipped>",
                "response.output_text.delta"
            ]
        );
        let Err(Error::IncompleteStream { .. }) = end else {
            panic!("{end:?}")
        };
        let (types, end, _) = run(StreamRules::openai_python(), body.as_bytes());
        assert_eq!(types, ["response.created"]);
        assert!(matches!(end, Err(Error::Decode(_))));
        let mut m = StreamMachine::new(
            EventKind::Responses,
            UsageKind::None,
            StreamRules::strict(),
            Some(1),
            1 << 20,
        );
        let mut out = VecDeque::new();
        m.feed(sse(&[CREATED, DELTA, DONE]).as_bytes(), &mut out);
        assert_eq!(out.len(), 1, "only the event after 1");
        assert!(m.take_usage().is_none(), "a retrieve counts nothing");
    }

    #[test]
    fn a_failure_after_the_terminal_event_is_a_quiet_end() {
        let mut m = StreamMachine::new(
            EventKind::Responses,
            UsageKind::Response,
            StreamRules::strict(),
            None,
            1 << 20,
        );
        let mut out = VecDeque::new();
        m.feed(sse(&[CREATED, DELTA]).as_bytes(), &mut out);
        assert_eq!(m.resume_point(), Some(("r", 1)));
        m.feed(sse(&[DONE]).as_bytes(), &mut out);
        m.fail(
            Error::Connection {
                message: "reset".into(),
                partial: None,
            },
            &mut out,
        );
        assert_eq!(out.pop_back(), Some(Step::End(Ok(()))));
        let mut m = StreamMachine::new(
            EventKind::Responses,
            UsageKind::Response,
            StreamRules::strict(),
            None,
            1 << 20,
        );
        m.feed(sse(&[CREATED, DELTA]).as_bytes(), &mut out);
        m.fail(
            Error::Connection {
                message: "reset".into(),
                partial: None,
            },
            &mut out,
        );
        let Some(Step::End(Err(e))) = out.pop_back() else {
            panic!()
        };
        assert_eq!(
            crate::accumulator::output_text(e.partial_json().unwrap()),
            "Hi"
        );
    }

    #[test]
    fn chunk_streams_end_at_done_and_count_the_last_usage() {
        let chunk = r#"{"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"}}]}"#;
        let last = r#"{"id":"c","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"#;
        let mut m = StreamMachine::new(
            EventKind::Chunks,
            UsageKind::Completion,
            StreamRules::strict(),
            None,
            1 << 20,
        );
        let mut out = VecDeque::new();
        m.feed(
            format!("data: {chunk}\n\ndata: {last}\n\ndata: [DONE]\n\ndata: {chunk}\n\n")
                .as_bytes(),
            &mut out,
        );
        assert_eq!(out.len(), 3);
        assert_eq!(out.pop_back(), Some(Step::End(Ok(()))));
        let (model, counts) = m.take_usage().unwrap();
        assert_eq!((model.as_str(), counts.total_tokens), ("gpt-4o", 4));
        let mut m = StreamMachine::new(
            EventKind::Chunks,
            UsageKind::Completion,
            StreamRules::strict(),
            None,
            1 << 20,
        );
        let mut out = VecDeque::new();
        m.feed(format!("data: {chunk}\n\n").as_bytes(), &mut out);
        m.finish(&mut out);
        assert!(matches!(
            out.pop_back(),
            Some(Step::End(Err(Error::Connection { .. })))
        ));
    }
}
