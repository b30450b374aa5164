//! Each of the 37 files of ../shared/recorded (when present; CI has it)
//! served by the mock as the body of a real HTTP answer and read through the
//! client: the client delivers the same events as the core's state machine
//! reads from the same bytes in one piece, in order, and ends the same way.

use rapidresponse::core::{EventKind, Step, StreamMachine, UsageKind};
use rapidresponse::*;
use rapidresponse_mock::MockServer;
use std::path::{Path, PathBuf};

fn recorded() -> Option<PathBuf> {
    let base = std::env::var_os("RAPIDRESPONSE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let dir = base.join("recorded");
    dir.is_dir().then_some(dir)
}

/// `.chunks.txt` / `.jsonl`: one event's data per line, framed as the API frames it.
fn frame_jsonl(text: &str) -> Vec<u8> {
    let mut out = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(t) = v["type"].as_str() {
            out.push_str(&format!("event: {t}\n"));
        }
        out.push_str(&format!("data: {line}\n\n"));
    }
    out.into_bytes()
}

/// The events and the end the core's machine reads from the whole body.
fn direct_events(body: &[u8]) -> (Vec<String>, Result<(), Error>) {
    let mut m = StreamMachine::new(
        EventKind::Responses,
        UsageKind::None,
        StreamRules::strict(),
        None,
        usize::MAX,
    );
    let mut steps = std::collections::VecDeque::new();
    m.feed(body, &mut steps);
    m.finish(&mut steps);
    let mut events = Vec::new();
    for step in steps {
        match step {
            Step::Event(d) => events.push(d.data),
            Step::Skipped(e) => panic!("malformed: {e}"),
            Step::End(end) => return (events, end),
        }
    }
    unreachable!("a finished machine ends")
}

#[tokio::test]
async fn every_recorded_file_reads_the_same_through_the_client() {
    let Some(dir) = recorded() else {
        eprintln!("../shared/recorded not found: nothing to replay");
        return;
    };
    let server = MockServer::start();
    let mut cfg = ClientConfig::new(Some("sk-replay".into()), server.url());
    cfg.retry.max_retries = 0;
    let c = Client::new(cfg).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut replayed = 0;
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        if name.ends_with(".json") {
            let status = if name.contains(".http400.") { 400 } else { 200 };
            server.push_replay(status, "application/json", bytes.clone());
            let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let result = c.request(Method::Get, "/replay", None).await;
            match (status, result) {
                (400, Err(Error::Api(e))) => {
                    assert_eq!(e.kind, ErrorKind::BadRequest, "{name}");
                    assert_eq!(
                        Some(e.message.as_str()),
                        value["error"]["message"].as_str(),
                        "{name}"
                    );
                }
                (200, Ok(r)) => {
                    assert_eq!(r.parsed, value, "{name}: the body arrives unchanged");
                    if value["object"] == "response" {
                        server.push_replay(200, "application/json", bytes.clone());
                        let typed = c
                            .responses()
                            .create(CreateResponse::new("m", "x"))
                            .await
                            .unwrap();
                        let direct: Response = serde_json::from_slice(&bytes).unwrap();
                        assert_eq!(typed.output_text(), direct.output_text(), "{name}");
                    }
                }
                (_, other) => panic!("{name}: {other:?}"),
            }
            replayed += 1;
            continue;
        }
        let body = if name.ends_with(".sse") {
            bytes
        } else if name.ends_with(".chunks.txt") || name.ends_with(".jsonl") {
            frame_jsonl(std::str::from_utf8(&bytes).unwrap())
        } else {
            continue;
        };
        server.push_replay(200, "text/event-stream", body.clone());
        let mut s = c
            .responses()
            .create_stream(CreateResponse::new("m", "x"))
            .await
            .unwrap();
        let mut seen = Vec::new();
        let mut ending = None;
        while let Some(item) = s.next().await {
            match item {
                Ok(e) => seen.push(e.data),
                Err(e) => {
                    ending = Some(e);
                    break;
                }
            }
        }
        let (direct, end) = direct_events(&body);
        // Files that repeat sequence numbers (doc examples, concatenated
        // responses) lose nothing either.
        assert_eq!(seen, direct, "{name}: events differ from the direct read");
        match (ending, end) {
            (None, Ok(())) => {}
            // The nested error event: the SDKs raise on its `error` member.
            (
                Some(Error::StreamError { event: a, .. }),
                Err(Error::StreamError { event: b, .. }),
            ) => {
                assert_eq!(a, b, "{name}")
            }
            // Recordings cut before a terminal event: the partial response comes with the error.
            (Some(Error::IncompleteStream { partial }), Err(Error::IncompleteStream { .. })) => {
                let text = rapidresponse::core::accumulator::output_text(&partial);
                assert_eq!(text, s.text_so_far(), "{name}");
            }
            (client, direct) => panic!("{name}: the client ended {client:?}, the core {direct:?}"),
        }
        replayed += 1;
    }
    assert!(replayed >= 37, "replayed {replayed} files");
}
