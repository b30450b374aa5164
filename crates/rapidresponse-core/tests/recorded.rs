//! Conformance with real traffic: every file of `../shared/recorded` (when
//! that folder exists; it does in CI) parses losslessly and folds into a
//! response.

mod common;

use common::*;
use rapidresponse_core::*;

#[test]
fn every_recorded_file_parses_losslessly() {
    let Some(dir) = recorded() else {
        eprintln!("../shared/recorded not found: nothing to check here");
        return;
    };
    let spec_types: Vec<String> = {
        let text = std::fs::read_to_string(dir.join("../reference/responses-types.json"))
            .unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        v["stream_event_types"]
            .as_array()
            .map(|a| a.iter().map(|t| t.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default()
    };
    let mut checked = 0;
    let mut events_seen = 0;
    for path in files(&dir, "") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let body = if name.ends_with(".sse") {
            bytes
        } else if name.ends_with(".chunks.txt") || name.ends_with(".jsonl") {
            jsonl_to_sse(std::str::from_utf8(&bytes).unwrap())
        } else if name.ends_with(".json") {
            let text = std::str::from_utf8(&bytes).unwrap();
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            if value.get("error").is_some() && value.get("object").is_none() {
                let env: ErrorEnvelope = serde_json::from_str(text).unwrap();
                assert_round_trip(&env, text, &name);
                let e = ApiError::from_response(400, &Headers::new(), &bytes);
                assert!(!e.message.is_empty(), "{name}: an error message");
            } else if value.get("data").is_some() {
                let page: InputItemList = serde_json::from_str(text).unwrap();
                assert_round_trip(&page, text, &name);
            } else if value.get("deleted").is_some() {
                let d: DeleteResult = serde_json::from_str(text).unwrap();
                assert_round_trip(&d, text, &name);
            } else {
                let r: Response = serde_json::from_str(text).unwrap();
                assert_round_trip(&r, text, &name);
                let items = serde_json::to_string(&r.output).unwrap();
                let as_input: Vec<InputItem> = serde_json::from_str(&items).unwrap();
                assert_round_trip(
                    &as_input,
                    &items,
                    &format!("{name}: output sent back as input"),
                );
            }
            checked += 1;
            continue;
        } else {
            continue;
        };
        let read = read_with(StreamRules::strict(), &[&body]);
        let events = &read.events;
        assert!(!events.is_empty(), "{name}: no events");
        for e in events {
            assert_round_trip(
                &e.event,
                &e.data,
                &format!("{name}: {}", e.data.chars().take(80).collect::<String>()),
            );
            if let ResponseStreamEvent::Unknown(v) = &e.event {
                let t = v.get("type").and_then(|t| t.as_str()).unwrap_or("");
                assert!(
                    !spec_types.iter().any(|s| s == t),
                    "{name}: known type {t} decoded as Unknown"
                );
            }
        }
        events_seen += events.len();
        // Whatever the ending, nothing received is lost.
        let acc = read.machine.accumulator();
        let text = acc.text_so_far();
        let r: Response = serde_json::from_value(acc.snapshot()).unwrap();
        assert_eq!(r.output_text(), text, "{name}");
        match &read.end {
            Ok(()) => {}
            Err(Error::IncompleteStream { partial }) => {
                assert_eq!(accumulator::output_text(partial), text, "{name}")
            }
            Err(Error::StreamError { partial, .. }) => {
                assert_eq!(
                    accumulator::output_text(partial.as_deref().unwrap()),
                    text,
                    "{name}"
                )
            }
            Err(e) => panic!("{name}: {e}"),
        }
        checked += 1;
    }
    eprintln!("checked {checked} recorded files, {events_seen} events");
    assert!(
        checked >= 30,
        "expected the 37 recorded files, checked {checked}"
    );
}

#[test]
fn recorded_drift_cases_are_read_as_real_traffic_sends_them() {
    let Some(dir) = recorded() else { return };
    // The nested error event and its code the spec's enum lacks.
    let text = std::fs::read_to_string(dir.join("vercel-ai__openai-error.1.chunks.txt")).unwrap();
    let (_, end) = decode_pieces(&[&jsonl_to_sse(&text)]);
    // The nested shape has an `error` member the SDKs raise on.
    let err = end.unwrap_err();
    let object = err.stream_error().expect("a stream error");
    assert_eq!(object.code, Field::Value("insufficient_quota".into()));
    // Streams from early 2025 have no sequence_number.
    let body = std::fs::read(dir.join("pydantic-ai__test_openai_responses_stream__1.sse")).unwrap();
    let (events, _) = decode_pieces(&[&body]);
    assert!(events.iter().all(|e| e.event.sequence_number().is_none()));
    let read = read_with(StreamRules::strict(), &[&body]);
    let r: Response = serde_json::from_value(read.machine.final_response().unwrap()).unwrap();
    let Some(Item::FunctionCall(call)) = r.output.get().unwrap().first() else {
        panic!("a function call")
    };
    assert_eq!(call.name.as_deref(), Some("get_capital"));
    // An event type the spec lacks is kept, not an error.
    let text = std::fs::read_to_string(dir.join("vercel-ai__openai-apply-patch-tool.1.chunks.txt"))
        .unwrap();
    let (events, _) = decode_pieces(&[&jsonl_to_sse(&text)]);
    assert!(events
        .iter()
        .any(|e| matches!(&e.event, ResponseStreamEvent::Unknown(v)
        if v["type"] == "response.apply_patch_call_operation_diff.delta")));
}
