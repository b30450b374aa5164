//! Helpers shared by the core's integration tests: fixture paths, SSE
//! decoding of a whole body, and JSON comparison by value.

#![allow(dead_code)]

use rapidresponse_core::{ResponseEventDecoder, ResponseStreamEvent, StreamEvent};
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

/// Decodes a whole body fed as the given pieces; panics on any error.
pub fn decode_pieces(pieces: &[&[u8]]) -> (Vec<Decoded>, bool) {
    let mut d = ResponseEventDecoder::default();
    let mut out = Vec::new();
    for p in pieces {
        d.feed(p, &mut out).expect("valid SSE");
    }
    d.finish(&mut out).expect("valid SSE");
    let events = out
        .into_iter()
        .map(|r| r.expect("every event decodes"))
        .collect();
    (events, d.is_done())
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
