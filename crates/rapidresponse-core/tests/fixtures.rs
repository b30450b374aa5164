//! The shared fixture corpus (`tests/fixtures/`), read as the Python and JS
//! suites read it: every stream decodes and folds to its `.expect.json`,
//! every body round-trips, every error body gives the manifest's fields, and
//! splitting a stream at any byte boundaries changes nothing.

mod common;

use common::*;
use proptest::prelude::*;
use rapidresponse_core::*;
use serde_json::Value;

fn read_json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn sse_files() -> Vec<std::path::PathBuf> {
    files(&fixtures().join("sse"), ".sse")
}

#[test]
fn every_stream_fixture_matches_its_expectations() {
    let streams = sse_files();
    assert!(streams.len() >= 20, "the corpus has its streams");
    let mut types_seen = std::collections::BTreeSet::new();
    for path in streams {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let expect = read_json(&path.with_extension("expect.json"));
        let body = std::fs::read(&path).unwrap();
        let (events, acc) = read_all(&body);
        let done = body.trim_ascii_end().ends_with(b"data: [DONE]");
        let types: Vec<&str> = events
            .iter()
            .map(|e| e.event.type_str().unwrap_or(""))
            .collect();
        let expected_types: Vec<&str> = expect["event_types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(types, expected_types, "{name}: event types");
        assert_eq!(done, expect["done"] == true, "{name}: [DONE]");
        let mut errors = 0;
        for e in &events {
            assert_round_trip(&e.event, &e.data, &name);
            if let ResponseStreamEvent::Unknown(v) = &e.event {
                assert!(
                    name.starts_with("drift_unknown"),
                    "{name}: unexpected unknown event {v}"
                );
            } else {
                types_seen.insert(e.event.type_str().unwrap().to_owned());
            }
            errors += matches!(e.event, ResponseStreamEvent::Error(_)) as i64;
        }
        assert_eq!(
            errors,
            expect["errors"].as_i64().unwrap(),
            "{name}: error events"
        );
        let terminal = match acc.terminal() {
            Some(Terminal::Completed) => "completed",
            Some(Terminal::Incomplete) => "incomplete",
            Some(Terminal::Failed) => "failed",
            None => "none",
        };
        assert_eq!(terminal, expect["terminal"], "{name}: terminal");
        assert_eq!(
            acc.text_so_far(),
            expect["output_text"].as_str().unwrap(),
            "{name}: text so far"
        );
        let response: Response = serde_json::from_value(acc.snapshot()).unwrap();
        assert_eq!(
            response.output_text(),
            expect["output_text"].as_str().unwrap(),
            "{name}: output_text"
        );
        match (response.usage.get(), expect["usage"].as_object()) {
            (Some(u), Some(x)) => {
                assert_eq!(
                    u.input_tokens.copied(),
                    x["input_tokens"].as_u64(),
                    "{name}"
                );
                assert_eq!(
                    u.output_tokens.copied(),
                    x["output_tokens"].as_u64(),
                    "{name}"
                );
                assert_eq!(
                    u.total_tokens.copied(),
                    x["total_tokens"].as_u64(),
                    "{name}"
                );
            }
            (None, None) => {}
            (u, x) => panic!("{name}: usage {u:?} vs {x:?}"),
        }
        let calls: Vec<Value> = response
            .output
            .get()
            .into_iter()
            .flatten()
            .filter_map(|i| match i {
                Item::FunctionCall(c) => Some(serde_json::json!({
                    "call_id": c.call_id.get(), "name": c.name.get(), "arguments": c.arguments.get()
                })),
                _ => None,
            })
            .collect();
        assert_eq!(
            Value::Array(calls),
            expect["function_calls"],
            "{name}: function calls"
        );
    }
    // 59 event types of openai-python 3.5x, every one typed and seen.
    assert!(
        types_seen.len() >= 59,
        "typed event types seen: {}",
        types_seen.len()
    );
}

#[test]
fn every_stream_ends_as_the_corpus_says_under_each_preset() {
    for path in sse_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let expect = read_json(&path.with_extension("expect.json"));
        let body = std::fs::read(&path).unwrap();
        for (preset, rules) in [
            ("openai-python", StreamRules::openai_python()),
            ("openai-node", StreamRules::openai_node()),
            ("rust", StreamRules::strict()),
        ] {
            // A byte at a time too: the outcome never depends on the chunks.
            let pieces: Vec<&[u8]> = body.chunks(1).collect();
            for read in [read_with(rules, &[&body]), read_with(rules, &pieces)] {
                assert_eq!(
                    outcome(&read),
                    expect["outcomes"][preset],
                    "{name} under {preset}"
                );
            }
        }
    }
}

#[test]
fn every_response_fixture_round_trips_and_reads_as_expected() {
    let mut item_types = std::collections::BTreeSet::new();
    for path in files(&fixtures().join("responses"), ".json")
        .into_iter()
        .filter(|p| !p.to_string_lossy().ends_with(".expect.json"))
    {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let expect = read_json(&path.with_extension("expect.json"));
        let r: Response = serde_json::from_str(&text).unwrap();
        assert_round_trip(&r, &text, &name);
        assert_eq!(
            r.output_text(),
            expect["output_text"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(
            r.status.get().map(|s| s.as_str()),
            expect["status"].as_str(),
            "{name}"
        );
        let types: Vec<&str> = r
            .output
            .get()
            .unwrap()
            .iter()
            .map(|i| i.type_str().unwrap_or("?"))
            .collect();
        assert_eq!(Value::from(types.clone()), expect["item_types"], "{name}");
        for item in r.output.get().unwrap() {
            if name.starts_with("drift") && matches!(item, Item::Unknown(_)) {
                continue;
            }
            assert!(
                !matches!(item, Item::Unknown(_)),
                "{name}: every output item type is typed: {item:?}"
            );
            item_types.insert(item.type_str().unwrap().to_owned());
        }
        let tool_types: Vec<&str> = r
            .tools
            .get()
            .into_iter()
            .flatten()
            .map(|t| t.type_str().unwrap_or("?"))
            .collect();
        assert_eq!(
            Value::from(tool_types),
            expect["tool_types"],
            "{name}: tools"
        );
        for t in r.tools.get().into_iter().flatten() {
            assert!(
                !matches!(t, Tool::Unknown(_)),
                "{name}: every tool type is typed: {t:?}"
            );
        }
        // The function-calling loop: output items go back as input unchanged.
        let output = serde_json::to_string(&r.output).unwrap();
        let as_input: Vec<InputItem> = serde_json::from_str(&output).unwrap();
        assert_round_trip(&as_input, &output, &format!("{name}: output as input"));
    }
    assert_eq!(
        item_types.len(),
        28,
        "all 28 output item types: {item_types:?}"
    );
}

#[test]
fn every_request_fixture_round_trips() {
    for path in files(&fixtures().join("requests"), ".json") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let req: CreateResponse = serde_json::from_str(&text).unwrap();
        assert_round_trip(&req, &text, &name);
        assert!(
            req.extra.is_empty() || name == "full.json",
            "{name}: unknown params {:?}",
            req.extra.keys()
        );
        let call = Call::new(Operation::ResponsesCreate)
            .body(RequestBody::Json(serde_json::to_value(&req).unwrap()));
        let built = ClientConfig::default()
            .prepare(&call, &RequestOptions::default())
            .unwrap()
            .request;
        let sent: Value = serde_json::from_slice(built.body.as_ref().unwrap()).unwrap();
        assert_eq!(
            normalize(&sent),
            normalize(&serde_json::from_str(&text).unwrap()),
            "{name}: sent as read"
        );
    }
}

#[test]
fn error_bodies_give_the_manifest_fields() {
    let dir = fixtures().join("errors");
    let manifest = read_json(&dir.join("manifest.json"));
    for case in manifest.as_array().unwrap() {
        let file = case["file"].as_str().unwrap();
        let headers: Headers = case["headers"]
            .as_object()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let body = std::fs::read(dir.join(file)).unwrap();
        let status = case["status"].as_u64().unwrap() as u16;
        let e = ApiError::from_response(status, &headers, &body);
        assert_eq!(
            format!("{:?}", e.kind),
            case["kind"].as_str().unwrap(),
            "{file}"
        );
        let code = match &case["code"] {
            Value::Null => None,
            Value::String(c) => Some(c.clone()),
            other => Some(other.to_string()),
        };
        assert_eq!(e.code, code, "{file}: code");
        assert_eq!(e.param.as_deref(), case["param"].as_str(), "{file}: param");
        assert_eq!(
            e.error_type.as_deref(),
            case["type"].as_str(),
            "{file}: type"
        );
        if let Some(m) = case["message"].as_str() {
            assert_eq!(e.message, m, "{file}: message");
            assert_eq!(e.to_string(), format!("Error code: {status} - {m}"));
        }
        assert_eq!(
            e.request_id.as_deref(),
            headers.get("x-request-id"),
            "{file}"
        );
    }
}

#[test]
fn every_two_piece_split_of_small_streams_is_the_same() {
    // A fixed, exhaustive check on the smallest streams: every single cut.
    for path in sse_files().into_iter().take(6) {
        let body = std::fs::read(&path).unwrap();
        let (whole, _) = decode_pieces(&[&body]);
        for cut in (0..body.len()).step_by(7) {
            let (split, _) = decode_pieces(&[&body[..cut], &body[cut..]]);
            assert_eq!(split, whole, "{} cut at {cut}", path.display());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Feeding any fixture stream split at arbitrary byte boundaries gives
    /// identical frames and events.
    #[test]
    fn arbitrary_splits_give_identical_frames_and_events(
        file in 0usize..1000,
        cuts in proptest::collection::vec(0usize..1_000_000, 0..40),
    ) {
        let streams = sse_files();
        let body = std::fs::read(&streams[file % streams.len()]).unwrap();
        let mut points: Vec<usize> = cuts.into_iter().map(|c| c % (body.len() + 1)).collect();
        points.sort();
        let mut pieces: Vec<&[u8]> = Vec::new();
        let mut start = 0;
        for p in points {
            pieces.push(&body[start..p]);
            start = p;
        }
        pieces.push(&body[start..]);

        let frames = |pieces: &[&[u8]]| {
            let mut d = SseDecoder::new();
            let mut out = Vec::new();
            for p in pieces { d.feed(p, &mut out).unwrap(); }
            d.finish(&mut out).unwrap();
            out
        };
        prop_assert_eq!(frames(&pieces), frames(&[&body]));
        prop_assert_eq!(decode_pieces(&pieces), decode_pieces(&[&body]));
    }
}
