//! Helpers shared by the core's integration tests: fixture paths, SSE
//! decoding of a whole body, and JSON comparison by value.

#![allow(dead_code)]

use rapidresponse_core::{
    Error, EventKind, FinalError, ResponseStreamEvent, Step, StreamEvent, StreamMachine,
    StreamRules, UsageKind,
};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `tests/fixtures/` of this checkout.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// `../shared/recorded/` beside the checkout (CI has it), or
/// `$RAPIDRESPONSE_SHARED_DIR/recorded`.
pub fn recorded() -> Option<PathBuf> {
    let base = std::env::var_os("RAPIDRESPONSE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let dir = base.join("recorded");
    dir.is_dir().then_some(dir)
}

/// Files of `dir` whose name ends with `suffix`, sorted.
pub fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().ends_with(suffix))
        .collect();
    v.sort();
    v
}

/// Frames one JSON object per line as SSE (`event: <type>` + `data:`),
/// the way the recorded `.chunks.txt` and `.jsonl` files are replayed.
pub fn jsonl_to_sse(text: &str) -> Vec<u8> {
    let mut out = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).expect("each line is JSON");
        if let Some(t) = v.get("type").and_then(Value::as_str) {
            out.push_str("event: ");
            out.push_str(t);
            out.push('\n');
        }
        out.push_str("data: ");
        out.push_str(line);
        out.push_str("\n\n");
    }
    out.into_bytes()
}

pub type Decoded = StreamEvent<ResponseStreamEvent>;

/// What a stream gave under some rules: its typed events, how it ended, and
/// the machine (accumulator, final response).
pub struct Read {
    pub events: Vec<Decoded>,
    pub end: Result<(), Error>,
    pub machine: StreamMachine,
}

/// Feeds a whole body as the given pieces to a machine with `rules`.
pub fn read_with(rules: StreamRules, pieces: &[&[u8]]) -> Read {
    let mut machine = StreamMachine::new(
        EventKind::Responses,
        UsageKind::Response,
        rules,
        None,
        usize::MAX,
    );
    let mut steps = std::collections::VecDeque::new();
    for p in pieces {
        machine.feed(p, &mut steps);
    }
    machine.finish(&mut steps);
    let mut events = Vec::new();
    let mut end = None;
    for step in steps {
        match step {
            Step::Event(d) => events.push(StreamEvent::decode(d).expect("every event decodes")),
            Step::Skipped(e) => panic!("malformed: {e}"),
            Step::End(e) => end = Some(e),
        }
    }
    Read {
        events,
        end: end.expect("a finished machine ends"),
        machine,
    }
}

/// Decodes a whole body fed as the given pieces (the Rust crate's rules):
/// its events and how it ended.
pub fn decode_pieces(pieces: &[&[u8]]) -> (Vec<Decoded>, Result<(), Error>) {
    let r = read_with(StreamRules::strict(), pieces);
    (r.events, r.end)
}

/// Every event of a body, whatever the rules would do about it (an error
/// member, a name): typed, with the accumulator fed with all of them.
pub fn read_all(body: &[u8]) -> (Vec<Decoded>, rapidresponse_core::ResponseAccumulator) {
    use rapidresponse_core::{view::EventView, Delivery, ResponseAccumulator, SseDecoder};
    let mut sse = SseDecoder::new();
    let mut frames = Vec::new();
    sse.feed(body, &mut frames).expect("valid SSE");
    sse.finish(&mut frames).expect("valid SSE");
    let mut acc = ResponseAccumulator::new();
    let mut events = Vec::new();
    for f in frames {
        if f.data.trim().is_empty() || f.data.starts_with("[DONE]") {
            continue;
        }
        let Ok(view) = EventView::parse(&f.data) else {
            continue; // a cut-off last event
        };
        acc.apply(&view);
        let d = Delivery {
            data: f.data.clone(),
            sse_event: f.event,
            snapshot: None,
            terminal: None,
        };
        events.push(StreamEvent::decode(d).expect("every event decodes"));
    }
    (events, acc)
}

/// The shared corpus's outcome of a read: `{events, end, final}`.
pub fn outcome(r: &Read) -> Value {
    let end = match &r.end {
        Ok(()) => "clean".to_owned(),
        Err(e) => e.report().kind.to_owned(),
    };
    let final_ = match (&r.end, r.machine.final_response()) {
        (Err(_), _) => Value::from("error"),
        (Ok(()), Ok(v)) => v.get("status").cloned().unwrap_or(Value::Null),
        (Ok(()), Err(FinalError::Failed(_))) => "failed".into(),
        (Ok(()), Err(FinalError::Incomplete(_))) => "incomplete".into(),
        (Ok(()), Err(_)) => "error".into(),
    };
    serde_json::json!({"events": r.events.len(), "end": end, "final": final_})
}

/// JSON values equal as JSON: numbers compare by value (`1` == `1.0`).
pub fn normalize(v: &Value) -> Value {
    match v {
        Value::Number(n) => {
            serde_json::Number::from_f64(n.as_f64().unwrap()).map_or(Value::Null, Value::Number)
        }
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        other => other.clone(),
    }
}

/// Asserts that `typed` serialises to the same JSON value as `raw`.
pub fn assert_round_trip<T: serde::Serialize>(typed: &T, raw: &str, what: &str) {
    let original: Value = serde_json::from_str(raw).unwrap();
    let written = serde_json::to_value(typed).unwrap();
    assert_eq!(
        normalize(&written),
        normalize(&original),
        "round trip of {what}"
    );
}
