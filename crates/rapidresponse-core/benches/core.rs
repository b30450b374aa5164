//! Criterion benches of the hot paths: SSE framing (MB/s), framing plus
//! typed event decoding (events/s), the stream state machine (framing, the
//! event view, the rules, accumulation: what every shell runs), the machine
//! with typed events (the Rust crate's stream), and parsing a big response.
//! Run: `cargo bench -p rapidresponse-core`.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rapidresponse_core::{
    Delivery, EventKind, Frame, Response, ResponseStreamEvent, SseDecoder, Step, StreamEvent,
    StreamMachine, StreamRules, UsageKind,
};
use std::collections::VecDeque;

fn machine() -> StreamMachine {
    StreamMachine::new(
        EventKind::Responses,
        UsageKind::Response,
        StreamRules::strict(),
        None,
        usize::MAX,
    )
}

const DELTAS: usize = 100_000;
const CHUNK: usize = 64 * 1024;

/// A stream like the benchmark's S1: 100,000 four-byte text deltas in the
/// real API's framing.
fn delta_stream() -> Vec<u8> {
    let mut s = String::new();
    s.push_str("event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"in_progress\",\"output\":[]}}\n\n");
    s.push_str("event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"sequence_number\":1,\"output_index\":0,\"item\":{\"id\":\"msg_1\",\"type\":\"message\",\"status\":\"in_progress\",\"content\":[],\"role\":\"assistant\"}}\n\n");
    for i in 0..DELTAS {
        s.push_str("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":");
        s.push_str(&(i + 2).to_string());
        s.push_str(",\"item_id\":\"msg_68c2e8c26114819489dae5b59fceb7bf02e845978fbbb592\",\"output_index\":0,\"content_index\":0,\"delta\":\"abcd\",\"logprobs\":[],\"obfuscation\":\"xYz12\"}\n\n");
    }
    s.into_bytes()
}

/// A response like the benchmark's S2: 2,000 message items of 2,000 bytes
/// of text with 3 url_citation annotations each (~5 MB).
fn big_response() -> Vec<u8> {
    let text = "lorem ipsum ".repeat(2000 / 12);
    let mut items = Vec::new();
    for i in 0..2000 {
        items.push(format!(
            r#"{{"id":"msg_{i}","type":"message","status":"completed","role":"assistant","content":[{{"type":"output_text","text":"{text}","logprobs":[],"annotations":[{{"type":"url_citation","start_index":0,"end_index":5,"url":"https://example.com/a/{i}","title":"A"}},{{"type":"url_citation","start_index":6,"end_index":11,"url":"https://example.com/b/{i}","title":"B"}},{{"type":"url_citation","start_index":12,"end_index":20,"url":"https://example.com/c/{i}","title":"C"}}]}}]}}"#
        ));
    }
    format!(
        r#"{{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"gpt-5","output":[{}],"usage":{{"input_tokens":1,"output_tokens":2,"total_tokens":3}}}}"#,
        items.join(",")
    )
    .into_bytes()
}

fn sse(c: &mut Criterion) {
    let body = delta_stream();
    let mut g = c.benchmark_group("sse");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("framing_64k_chunks", |b| {
        let mut frames: Vec<Frame> = Vec::with_capacity(4096);
        b.iter(|| {
            let mut d = SseDecoder::new();
            let mut n = 0;
            for chunk in body.chunks(CHUNK) {
                d.feed(chunk, &mut frames).unwrap();
                n += frames.len();
                frames.clear();
            }
            black_box(n)
        })
    });
    g.throughput(Throughput::Elements(DELTAS as u64 + 2));
    g.bench_function("framing_and_decoding", |b| {
        let mut frames: Vec<Frame> = Vec::with_capacity(4096);
        b.iter(|| {
            let mut d = SseDecoder::new();
            let mut n = 0;
            for chunk in body.chunks(CHUNK) {
                d.feed(chunk, &mut frames).unwrap();
                for f in frames.drain(..) {
                    let delivery = Delivery {
                        data: f.data,
                        sse_event: f.event,
                        snapshot: None,
                        terminal: None,
                    };
                    let e = StreamEvent::<ResponseStreamEvent>::decode(delivery).unwrap();
                    n += e.data.len();
                }
            }
            black_box(n)
        })
    });
    g.bench_function("machine", |b| {
        let mut steps = VecDeque::with_capacity(4096);
        b.iter(|| {
            let mut m = machine();
            let mut n = 0;
            for chunk in body.chunks(CHUNK) {
                m.feed(chunk, &mut steps);
                n += steps.len();
                steps.clear();
            }
            black_box((n, m.accumulator().text_so_far().len()))
        })
    });
    g.bench_function("machine_and_typed_events", |b| {
        let mut steps = VecDeque::with_capacity(4096);
        b.iter(|| {
            let mut m = machine();
            let mut n = 0;
            for chunk in body.chunks(CHUNK) {
                m.feed(chunk, &mut steps);
                for step in steps.drain(..) {
                    if let Step::Event(d) = step {
                        let e = StreamEvent::<ResponseStreamEvent>::decode(d).unwrap();
                        n += e.data.len();
                    }
                }
            }
            black_box((n, m.accumulator().text_so_far().len()))
        })
    });
    g.finish();
}

fn response(c: &mut Criterion) {
    let body = big_response();
    let mut g = c.benchmark_group("response");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.sample_size(20);
    g.bench_function("parse_5mb_and_output_text", |b| {
        b.iter_batched(
            || (),
            |_| {
                let r: Response = serde_json::from_slice(&body).unwrap();
                black_box(r.output_text().len())
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("borrowed_skim_floor", |b| {
        b.iter(|| {
            let w: floor::Whole = serde_json::from_slice(&body).unwrap();
            black_box(floor::output_text(&w))
        })
    });
    g.bench_function("serde_json_value_baseline", |b| {
        b.iter(|| black_box(serde_json::from_slice::<serde_json::Value>(&body).unwrap()))
    });
    g.finish();
}

/// The benchmark's floor parse (bench/drivers/src/bin/floor.rs): a struct
/// that borrows only what `output_text` needs and skips the rest.
mod floor {
    use serde::Deserialize;
    use std::borrow::Cow;

    #[derive(Deserialize)]
    pub struct Whole<'a> {
        #[serde(borrow, default)]
        output: Vec<Item<'a>>,
    }

    #[derive(Deserialize)]
    struct Item<'a> {
        #[serde(borrow, rename = "type")]
        kind: Cow<'a, str>,
        #[serde(borrow, default)]
        content: Vec<Part<'a>>,
    }

    #[derive(Deserialize)]
    struct Part<'a> {
        #[serde(borrow, rename = "type")]
        kind: Cow<'a, str>,
        #[serde(borrow, default)]
        text: Option<Cow<'a, str>>,
    }

    pub fn output_text(w: &Whole) -> usize {
        let parts = w.output.iter().filter(|i| i.kind == "message");
        parts
            .flat_map(|i| &i.content)
            .filter(|p| p.kind == "output_text")
            .map(|p| p.text.as_deref().map_or(0, str::len))
            .sum()
    }
}

criterion_group!(benches, sse, response);
criterion_main!(benches);
