//! Benchmark mode: `POST /bench/<params>/v1/responses` answers with a body
//! rendered once per parameter set and then served from memory, so the
//! server does next to nothing per request and is never what a client
//! benchmark measures. It reads nothing of the request but `"stream":
//! true`, records nothing and takes no faults; the bodies are the API's
//! shapes (the same base fields as every other answer of the mock).
//!
//! Parameters, comma-separated, all optional: `deltas=N,delta_bytes=B` (a
//! stream of N `response.output_text.delta` events of B bytes; default
//! 100,000 x 4) and `items=N,item_bytes=B` (a whole response of N message
//! items of B bytes of text with three annotations each; default 1 x 64).

use bytes::Bytes;
use serde_json::{json, Map, Value};
use std::fmt::Write;

use crate::json::to_compact;
use crate::plan::base_response;

/// What a `/bench/...` path asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Shape {
    pub deltas: usize,
    pub delta_bytes: usize,
    pub items: usize,
    pub item_bytes: usize,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            deltas: 100_000,
            delta_bytes: 4,
            items: 1,
            item_bytes: 64,
        }
    }
}

/// Upper bounds that keep a typo from eating the machine's memory.
const MAX_BODY_BYTES: usize = 1 << 30;

impl Shape {
    /// Reads `deltas=100000,delta_bytes=4` (an empty text is the default).
    pub fn parse(text: &str) -> Result<Shape, String> {
        let mut shape = Shape::default();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (name, value) = item
                .split_once('=')
                .ok_or_else(|| format!("bench parameter '{item}' is not name=value"))?;
            let n: usize = value
                .parse()
                .map_err(|_| format!("bench parameter '{item}' needs a whole number"))?;
            match name {
                "deltas" => shape.deltas = n,
                "delta_bytes" => shape.delta_bytes = n,
                "items" => shape.items = n,
                "item_bytes" => shape.item_bytes = n,
                _ => return Err(format!("unknown bench parameter '{name}'")),
            }
        }
        let stream = shape
            .deltas
            .saturating_mul(shape.delta_bytes.saturating_add(160));
        let whole = shape
            .items
            .saturating_mul(shape.item_bytes.saturating_add(600));
        if stream > MAX_BODY_BYTES || whole > MAX_BODY_BYTES {
            return Err("bench body over 1 GiB".to_owned());
        }
        Ok(shape)
    }
}

/// The `index`-th delta: `bytes` letters, varying with the index so that
/// no client can get away with caching one string.
fn delta_text(index: usize, bytes: usize) -> String {
    (0..bytes)
        .map(|j| (b'a' + ((index * 7 + j) % 26) as u8) as char)
        .collect()
}

fn response_with(output: Vec<Value>, status: &str, output_tokens: usize) -> Value {
    let mut response = base_response("resp_bench", &Map::new(), "gpt-4.1", false);
    response.insert("created_at".into(), 1_700_000_000.into());
    response.insert("status".into(), status.into());
    response.insert("output".into(), Value::Array(output));
    let usage = (status == "completed").then(|| {
        json!({
            "input_tokens": 8,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": output_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 8 + output_tokens,
        })
    });
    response.insert("usage".into(), usage.unwrap_or(Value::Null));
    Value::Object(response)
}

fn message(id: &str, text: &str, annotations: Value) -> Value {
    json!({
        "id": id,
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": annotations, "logprobs": []}],
    })
}

fn event(out: &mut String, name: &str, data: &Value) {
    let _ = write!(out, "event: {name}\ndata: {}\n\n", to_compact(data));
}

/// The stream of `shape.deltas` text deltas, as SSE bytes.
pub(crate) fn render_stream(shape: &Shape) -> Bytes {
    let mut out = String::with_capacity(shape.deltas * (shape.delta_bytes + 200) + 4096);
    let mut seq = 0usize;
    let mut next = || {
        seq += 1;
        seq - 1
    };
    let in_progress = response_with(Vec::new(), "in_progress", 0);
    for name in ["response.created", "response.in_progress"] {
        event(
            &mut out,
            name,
            &json!({"type": name, "sequence_number": next(), "response": in_progress}),
        );
    }
    let item_id = "msg_bench";
    let mut item = json!({"id": item_id, "type": "message", "status": "in_progress", "role": "assistant", "content": []});
    event(
        &mut out,
        "response.output_item.added",
        &json!({"type": "response.output_item.added", "sequence_number": next(), "output_index": 0, "item": item}),
    );
    event(
        &mut out,
        "response.content_part.added",
        &json!({"type": "response.content_part.added", "sequence_number": next(), "item_id": item_id,
                "output_index": 0, "content_index": 0,
                "part": {"type": "output_text", "text": "", "annotations": [], "logprobs": []}}),
    );
    let mut text = String::with_capacity(shape.deltas * shape.delta_bytes);
    for i in 0..shape.deltas {
        let delta = delta_text(i, shape.delta_bytes);
        // Written by hand: this loop is the body's bulk.
        let _ = write!(
            out,
            "event: response.output_text.delta\ndata: {{\"type\":\"response.output_text.delta\",\"sequence_number\":{},\"item_id\":\"{item_id}\",\"output_index\":0,\"content_index\":0,\"delta\":\"{delta}\",\"logprobs\":[]}}\n\n",
            next()
        );
        text.push_str(&delta);
    }
    event(
        &mut out,
        "response.output_text.done",
        &json!({"type": "response.output_text.done", "sequence_number": next(), "item_id": item_id,
                "output_index": 0, "content_index": 0, "text": text, "logprobs": []}),
    );
    let part = json!({"type": "output_text", "text": text, "annotations": [], "logprobs": []});
    event(
        &mut out,
        "response.content_part.done",
        &json!({"type": "response.content_part.done", "sequence_number": next(), "item_id": item_id,
                "output_index": 0, "content_index": 0, "part": part}),
    );
    item["status"] = "completed".into();
    item["content"] = json!([part]);
    event(
        &mut out,
        "response.output_item.done",
        &json!({"type": "response.output_item.done", "sequence_number": next(), "output_index": 0, "item": item}),
    );
    let done = response_with(vec![item], "completed", shape.deltas);
    event(
        &mut out,
        "response.completed",
        &json!({"type": "response.completed", "sequence_number": next(), "response": done}),
    );
    Bytes::from(out)
}

/// The whole response of `shape.items` message items, as JSON bytes.
pub(crate) fn render_whole(shape: &Shape) -> Bytes {
    let output = (0..shape.items)
        .map(|i| {
            let text = delta_text(i, shape.item_bytes);
            let annotations: Vec<Value> = (0..3)
                .map(|k| {
                    let end = shape.item_bytes.min(10 * (k + 1));
                    json!({"type": "url_citation", "start_index": end.saturating_sub(10), "end_index": end,
                           "title": format!("Source {k}"), "url": format!("https://example.com/{i}/{k}")})
                })
                .collect();
            message(&format!("msg_bench_{i}"), &text, Value::Array(annotations))
        })
        .collect();
    let words = shape.items.max(1);
    Bytes::from(to_compact(&response_with(output, "completed", words)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_parse_and_bad_ones_are_errors() {
        assert_eq!(Shape::parse("").unwrap(), Shape::default());
        let s = Shape::parse("deltas=10,delta_bytes=3,items=2,item_bytes=5").unwrap();
        assert_eq!(
            (s.deltas, s.delta_bytes, s.items, s.item_bytes),
            (10, 3, 2, 5)
        );
        assert!(Shape::parse("deltas=x").is_err());
        assert!(Shape::parse("colour=3").is_err());
        assert!(Shape::parse("deltas=100000000,delta_bytes=100").is_err());
    }
}
