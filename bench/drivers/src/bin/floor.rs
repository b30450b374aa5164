//! The floor: what the scenarios cost with no SDK at all. reqwest without
//! TLS, events cut at blank lines with memchr, each `data:` parsed with
//! serde_json into a struct that borrows only `type` and `delta`; a whole
//! body skimmed for its message texts. No retries, no typed model.

use bench_drivers::{args, concurrent, report, sequential, INPUT, MODEL};
use futures::StreamExt;
use serde::Deserialize;
use std::borrow::Cow;
use std::time::Instant;

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(borrow, rename = "type")]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    delta: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Whole<'a> {
    #[serde(borrow, default)]
    status: Option<Cow<'a, str>>,
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

fn output_text(whole: &Whole) -> usize {
    let parts = whole.output.iter().filter(|i| i.kind == "message");
    parts
        .flat_map(|i| &i.content)
        .filter(|p| p.kind == "output_text")
        .map(|p| p.text.as_deref().map_or(0, str::len))
        .sum()
}

#[tokio::main]
async fn main() {
    let started = Instant::now();
    let (scenario, base) = args();
    let http = reqwest::Client::new();
    let url = format!("{base}/responses");
    let post = |stream: bool| {
        let body = serde_json::json!({"model": MODEL, "input": INPUT, "stream": stream});
        http.post(&url)
            .bearer_auth("bench")
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };
    match scenario.as_str() {
        "s4" => report(started, serde_json::json!({"version": "floor"})),
        "s1" => {
            let t = Instant::now();
            let mut body = post(true).await.expect("send").bytes_stream();
            let (mut events, mut text, mut buf) = (0u64, String::new(), Vec::<u8>::new());
            let finder = memchr::memmem::Finder::new(b"\n\n");
            while let Some(chunk) = body.next().await {
                buf.extend_from_slice(&chunk.expect("chunk"));
                let mut start = 0;
                while let Some(end) = finder.find(&buf[start..]) {
                    let block = &buf[start..start + end];
                    start += end + 2;
                    let Some(at) = memchr::memmem::find(block, b"data: ") else {
                        continue;
                    };
                    let event: Event = serde_json::from_slice(&block[at + 6..]).expect("event");
                    events += 1;
                    if event.kind == "response.output_text.delta" {
                        text.push_str(event.delta.as_deref().unwrap_or(""));
                    }
                }
                buf.drain(..start);
            }
            report(
                t,
                serde_json::json!({"events": events, "text_len": text.len()}),
            );
        }
        "s2" => {
            sequential(|| async {
                let bytes = post(false)
                    .await
                    .expect("send")
                    .bytes()
                    .await
                    .expect("body");
                output_text(&serde_json::from_slice(&bytes).expect("response"))
            })
            .await
        }
        "s3" => {
            concurrent(|| async {
                let bytes: reqwest::Result<bytes::Bytes> =
                    async { post(false).await?.bytes().await }.await;
                let Ok(bytes) = bytes else {
                    return false;
                };
                match serde_json::from_slice::<Whole>(&bytes) {
                    Ok(w) => w.status.as_deref() == Some("completed") && output_text(&w) > 0,
                    Err(_) => false,
                }
            })
            .await
        }
        other => panic!("unknown scenario {other}"),
    }
}
