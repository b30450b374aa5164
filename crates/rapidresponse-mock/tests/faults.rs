//! Every fault over real HTTP (and raw TCP where bytes matter): error
//! statuses with retry headers, the queue and `times`, reset, hang, drop,
//! stall, slow, malformed and unknown events, error events, failed and
//! incomplete ends, a 16 MiB event, invalid UTF-8, BOM, CRLF, keepalive
//! comments and exact delta counts.

mod common;

use std::time::{Duration, Instant};

use common::*;
use rapidresponse_core::{
    EventKind, SseDecoder, SseError, Step, StreamMachine, StreamRules, Terminal, UsageKind,
};
use rapidresponse_mock::MockServer;
use serde_json::{json, Value};

fn stream_request() -> Value {
    json!({"model": "gpt-4o-mini", "input": "Tell me a story", "stream": true})
}

async fn faulted_stream(server: &MockServer, fault: &str) -> Vec<u8> {
    let response = post_with_header(
        server,
        "/responses",
        &stream_request(),
        ("x-mock-fault", fault),
    )
    .await;
    assert_eq!(response.status(), 200, "{fault}");
    let (bytes, error) = read_body(response).await;
    assert!(error.is_none(), "{fault}: {error:?}");
    bytes
}

#[tokio::test]
async fn a_status_fault_answers_the_api_error_with_retry_headers() {
    bounded(async {
        let server = MockServer::start();
        let body = json!({"model": "m", "input": "x"});
        let response = post_with_header(
            &server,
            "/responses",
            &body,
            (
                "x-mock-fault",
                "status=429;retry-after-ms=10;retry-after=1;should-retry=false",
            ),
        )
        .await;
        assert_eq!(response.status(), 429);
        let headers = response.headers().clone();
        assert_eq!(headers["retry-after-ms"], "10");
        assert_eq!(headers["retry-after"], "1");
        assert_eq!(headers["x-should-retry"], "false");
        assert!(headers.contains_key("x-request-id"));
        assert_eq!(headers["content-type"], "application/json");
        let (_, error_body) = json_of(response).await;
        let error = assert_error(&error_body);
        assert_eq!(error["code"], "rate_limit_exceeded");

        let dated = post_with_header(
            &server,
            "/responses",
            &body,
            (
                "x-mock-fault",
                "status=503;retry-after=Wed, 21 Oct 2015 07:28:00 GMT",
            ),
        )
        .await;
        assert_eq!(dated.status(), 503);
        assert_eq!(
            dated.headers()["retry-after"],
            "Wed, 21 Oct 2015 07:28:00 GMT"
        );

        // The model name carries a fault too, and then reads as gpt-4o-mini.
        let (status, body) = post_json(
            &server,
            "/responses",
            &json!({"model": "mock-fault:status=500", "input": "x"}),
        )
        .await;
        assert_eq!(status, 500);
        assert_eq!(assert_error(&body)["type"], "server_error");
        let (status, body) = post_json(
            &server,
            "/responses",
            &json!({"model": "mock-fault:deltas=2", "input": "x"}),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(body["model"], "gpt-4o-mini");
        assert_eq!(
            server.requests()[3].body.as_ref().unwrap()["model"],
            "mock-fault:deltas=2"
        );

        for status in [400, 401, 403, 404, 409, 422, 500, 502, 504] {
            let response = post_with_header(
                &server,
                "/responses",
                &json!({"model": "m"}),
                ("x-mock-fault", &format!("status={status}")),
            )
            .await;
            assert_eq!(response.status(), status);
            assert_error(&response.json::<Value>().await.unwrap());
        }
    })
    .await;
}

#[tokio::test]
async fn queued_faults_apply_in_order_times_n_and_invalid_specs_are_reported() {
    bounded(async {
        let server = MockServer::start();
        let body = json!({"model": "m", "input": "x"});
        server.push_fault("status=500;times=2");
        let pushed = client()
            .post(format!("{}/__mock/faults", server.root_url()))
            .body("status=503")
            .send()
            .await
            .unwrap();
        assert_eq!(pushed.status(), 200);
        // Neither a preflight nor a control call takes a queued fault.
        let preflight = client()
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/responses", server.url()),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.status(), 204);
        client()
            .get(format!("{}/__mock/requests", server.root_url()))
            .send()
            .await
            .unwrap();
        let mut statuses = Vec::new();
        for _ in 0..4 {
            statuses.push(post(&server, "/responses", &body).await.status().as_u16());
        }
        assert_eq!(statuses, [500, 500, 503, 200]);

        // A request's own fault wins and leaves the queue alone.
        server.push_fault("status=502");
        let own =
            post_with_header(&server, "/responses", &body, ("x-mock-fault", "status=429")).await;
        assert_eq!(own.status(), 429);
        assert_eq!(post(&server, "/responses", &body).await.status(), 502);

        // Mistakes are answered, not ignored.
        server.push_fault("status=abc");
        let (status, error) = post_json(&server, "/responses", &body).await;
        assert_eq!(status, 400);
        assert_eq!(assert_error(&error)["code"], "invalid_fault_spec");
        assert_eq!(post(&server, "/responses", &body).await.status(), 200);
        let rejected = client()
            .post(format!("{}/__mock/faults", server.root_url()))
            .body("explode")
            .send()
            .await
            .unwrap();
        assert_eq!(rejected.status(), 400);
        for bad in ["times=2", "nonsense", "drop-after=x"] {
            let response =
                post_with_header(&server, "/responses", &body, ("x-mock-fault", bad)).await;
            assert_eq!(response.status(), 400, "{bad}");
        }
        let cleared = client()
            .delete(format!("{}/__mock/faults", server.root_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(cleared.status(), 200);
    })
    .await;
}

#[tokio::test]
async fn reset_closes_the_connection_with_rst_before_any_byte() {
    bounded(async {
        let server = MockServer::start();
        let body = r#"{"model":"m","input":"x"}"#;
        let (bytes, end) = raw_exchange(
            server.port(),
            "POST",
            "/v1/responses",
            &[("x-mock-fault", "reset")],
            body,
            Duration::from_secs(5),
        )
        .await;
        assert!(bytes.is_empty(), "no response bytes: {bytes:?}");
        assert_eq!(end, RawEnd::Reset);

        // Through an HTTP client: a connection error; twice, then an answer.
        server.push_fault("reset;times=2");
        for _ in 0..2 {
            let error = client()
                .post(format!("{}/responses", server.url()))
                .json(&json!({"model": "m", "input": "x"}))
                .send()
                .await
                .unwrap_err();
            assert!(!error.is_timeout() && error.status().is_none(), "{error:?}");
        }
        assert_eq!(
            post(&server, "/responses", &json!({"model": "m", "input": "x"}))
                .await
                .status(),
            200
        );
        // The request was read and recorded before the reset.
        assert_eq!(server.requests().len(), 4);
    })
    .await;
}

#[tokio::test]
async fn hang_never_answers_until_the_client_gives_up() {
    bounded(async {
        let server = MockServer::start();
        let started = Instant::now();
        let error = client()
            .post(format!("{}/responses", server.url()))
            .header("x-mock-fault", "hang")
            .timeout(Duration::from_millis(300))
            .json(&json!({"model": "m", "input": "x"}))
            .send()
            .await
            .unwrap_err();
        assert!(error.is_timeout(), "{error:?}");
        assert!(started.elapsed() >= Duration::from_millis(300));

        let (bytes, end) = raw_exchange(
            server.port(),
            "POST",
            "/v1/responses",
            &[("x-mock-fault", "hang")],
            "{}",
            Duration::from_millis(300),
        )
        .await;
        assert!(bytes.is_empty());
        assert_eq!(end, RawEnd::StillOpen);
        // The server still serves others meanwhile.
        assert_eq!(
            post(&server, "/responses", &json!({"model": "m"}))
                .await
                .status(),
            200
        );
    })
    .await;
}

#[tokio::test]
async fn drop_after_sends_k_events_then_closes_without_a_terminator() {
    bounded(async {
        let server = MockServer::start();
        let response = post_with_header(&server, "/responses", &stream_request(), ("x-mock-fault", "drop-after=3")).await;
        assert_eq!(response.status(), 200);
        let (bytes, error) = read_body(response).await;
        let error = error.expect("the body ends in an error");
        assert!(!error.is_timeout(), "{error:?}");
        let seen = events(&bytes);
        assert_eq!(
            types(&seen),
            ["response.created", "response.in_progress", "response.output_item.added"]
        );
        // A client folding the events has a partial response, no terminal.
        let accumulator = accumulate(&bytes);
        assert_eq!(accumulator.terminal(), None);
        assert!(accumulator.snapshot()["id"].is_string());

        // On the wire: chunked body, no zero-length chunk, FIN.
        let body = stream_request().to_string();
        let (raw, end) = raw_exchange(
            server.port(),
            "POST",
            "/v1/responses",
            &[("x-mock-fault", "drop-after=3")],
            &body,
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(end, RawEnd::Closed);
        let (head, body) = split_head(&raw);
        assert!(head.starts_with("HTTP/1.1 200"));
        assert!(head.to_lowercase().contains("transfer-encoding: chunked"));
        let (data, terminated) = dechunk(body);
        assert!(!terminated, "no chunked terminator");
        assert_eq!(events(&data).len(), 3);

        // Chat streams lose their [DONE].
        let chat = post_with_header(
            &server,
            "/chat/completions",
            &json!({"model": "m", "messages": [{"role": "user", "content": "a b c d"}], "stream": true}),
            ("x-mock-fault", "drop-after=2"),
        )
        .await;
        let (bytes, error) = read_body(chat).await;
        assert!(error.is_some());
        assert!(!String::from_utf8_lossy(&bytes).contains("[DONE]"));
        assert_eq!(events(&bytes).len(), 2);
    })
    .await;
}

#[tokio::test]
async fn stall_after_sends_k_events_then_keeps_the_connection_silent() {
    bounded(async {
        let server = MockServer::start();
        let mut response = post_with_header(
            &server,
            "/responses",
            &stream_request(),
            ("x-mock-fault", "stall-after=2"),
        )
        .await;
        assert_eq!(response.status(), 200);
        let mut bytes = Vec::new();
        // A client read timeout is what ends it.
        let read_timeout = Duration::from_millis(1000);
        loop {
            match tokio::time::timeout(read_timeout, response.chunk()).await {
                Ok(Ok(Some(chunk))) => bytes.extend_from_slice(&chunk),
                Ok(other) => panic!("the stream ended instead of stalling: {other:?}"),
                Err(_) => break,
            }
        }
        assert_eq!(
            types(&events(&bytes)),
            ["response.created", "response.in_progress"]
        );

        let (raw, end) = raw_exchange(
            server.port(),
            "POST",
            "/v1/responses",
            &[("x-mock-fault", "stall-after=2")],
            &stream_request().to_string(),
            Duration::from_millis(400),
        )
        .await;
        assert_eq!(end, RawEnd::StillOpen);
        let (data, terminated) = dechunk(split_head(&raw).1);
        assert!(!terminated);
        assert_eq!(events(&data).len(), 2);
    })
    .await;
}

#[tokio::test]
async fn slow_sends_n_bytes_every_interval() {
    bounded(async {
        let server = MockServer::start();
        let (raw, end) = raw_exchange(
            server.port(),
            "POST",
            "/v1/responses",
            &[("x-mock-fault", "slow=256,5"), ("connection", "close")],
            &stream_request().to_string(),
            Duration::from_secs(20),
        )
        .await;
        assert_eq!(end, RawEnd::Closed);
        let (_, body) = split_head(&raw);
        let sizes = chunk_sizes(body);
        assert!(sizes.len() > 5, "{sizes:?}");
        assert!(
            sizes[..sizes.len() - 1].iter().all(|&s| s == 256),
            "{sizes:?}"
        );
        assert!(*sizes.last().unwrap() <= 256);
        let (data, terminated) = dechunk(body);
        assert!(terminated);
        assert_eq!(accumulate(&data).terminal(), Some(Terminal::Completed));

        // Timing, through a client, on a JSON answer with a content length.
        let started = Instant::now();
        let response = post_with_header(
            &server,
            "/responses",
            &json!({"model": "m", "input": "slowly"}),
            ("x-mock-fault", "slow=100,10"),
        )
        .await;
        let length: usize = response.headers()["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let (bytes, error) = read_body(response).await;
        assert!(error.is_none());
        assert_eq!(bytes.len(), length);
        let pieces = length.div_ceil(100) as u32;
        assert!(
            started.elapsed() >= Duration::from_millis(10) * (pieces - 1),
            "{:?}",
            started.elapsed()
        );
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["status"], "completed");
    })
    .await;
}

#[tokio::test]
async fn malformed_at_cuts_one_events_json_and_the_rest_still_decode() {
    bounded(async {
        let server = MockServer::start();
        let bytes = faulted_stream(&server, "malformed-at=3").await;
        let frames = frames(&bytes).unwrap();
        assert_eq!(
            frames[3].event.as_deref(),
            Some("response.content_part.added")
        );
        assert_eq!(frames[3].data, r#"{"type":"response.content_part.added","#);
        assert!(serde_json::from_str::<Value>(&frames[3].data).is_err());
        for (i, frame) in frames.iter().enumerate().filter(|(i, _)| *i != 3) {
            assert!(
                serde_json::from_str::<Value>(&frame.data).is_ok(),
                "frame {i}"
            );
        }
        // The Rust crate's rules report the malformed event and go on.
        let mut machine = StreamMachine::new(
            EventKind::Responses,
            UsageKind::None,
            StreamRules::strict(),
            None,
            usize::MAX,
        );
        let mut steps = std::collections::VecDeque::new();
        machine.feed(&bytes, &mut steps);
        machine.finish(&mut steps);
        assert!(matches!(steps[3], Step::Skipped(_)));
        assert_eq!(
            steps
                .iter()
                .filter(|s| matches!(s, Step::Skipped(_)))
                .count(),
            1
        );
        assert_eq!(steps.back(), Some(&Step::End(Ok(()))));
    })
    .await;
}

#[tokio::test]
async fn unknown_event_at_inserts_a_new_event_type_keeping_the_numbering() {
    bounded(async {
        let server = MockServer::start();
        let bytes = faulted_stream(&server, "unknown-event-at=2").await;
        let events = events(&bytes);
        assert_eq!(events[2]["type"], "response.mock_unknown.delta");
        assert_eq!(events[3]["type"], "response.output_item.added");
        for (i, event) in events.iter().enumerate() {
            assert_eq!(event["sequence_number"], i);
        }
        // A lenient client skips it and completes.
        let accumulator = accumulate(&bytes);
        assert_eq!(accumulator.terminal(), Some(Terminal::Completed));
        assert_eq!(
            accumulator.text_so_far(),
            "Mock answer to: Tell me a story."
        );
    })
    .await;
}

#[tokio::test]
async fn error_events_come_in_both_shapes_after_the_first_delta_then_failed() {
    bounded(async {
        let server = MockServer::start();
        for shape in ["flat", "nested"] {
            let bytes = faulted_stream(&server, &format!("error-event={shape}")).await;
            let events = events(&bytes);
            let types = types(&events);
            let n = types.len();
            assert_eq!(types[n - 3], "response.output_text.delta");
            assert_eq!(types.iter().filter(|t| *t == "response.output_text.delta").count(), 1);
            assert_eq!(types[n - 2], "error");
            assert_eq!(types[n - 1], "response.failed");
            let error = &events[n - 2];
            assert_eq!(error["sequence_number"], n - 2);
            if shape == "flat" {
                assert_eq!(
                    *error,
                    json!({"type": "error", "code": "server_error", "message": "Mock stream error",
                        "param": null, "sequence_number": n - 2})
                );
            } else {
                assert_eq!(
                    *error,
                    json!({"type": "error", "sequence_number": n - 2, "error": {"type": "server_error",
                        "code": "server_error", "message": "Mock stream error", "param": null}})
                );
            }
            let accumulator = accumulate(&bytes);
            assert_eq!(accumulator.errors().len(), 1, "{shape}");
            let failed = &events[n - 1]["response"];
            assert_eq!(failed["error"]["message"], "Mock stream error");
            assert_eq!(failed["output"][0]["content"][0]["text"], events[n - 3]["delta"]);
            assert_eq!(accumulator.errors()[0]["message"], "Mock stream error");
            assert_eq!(accumulator.terminal(), Some(Terminal::Failed));
        }

        // A function call breaks off after its first arguments delta.
        let tool = json!({"type": "function", "name": "f", "parameters": {"type": "object",
            "properties": {"city": {"type": "string"}}, "required": ["city"]}});
        let response = post_with_header(
            &server,
            "/responses",
            &json!({"model": "m", "input": "x", "stream": true, "tools": [tool]}),
            ("x-mock-fault", "error-event=nested"),
        )
        .await;
        let events = common::events(&read_body(response).await.0);
        let types = types(&events);
        let n = types.len();
        assert_eq!(
            types[n - 3..],
            ["response.function_call_arguments.delta", "error", "response.failed"]
        );
    })
    .await;
}

#[tokio::test]
async fn failed_and_incomplete_end_the_response_that_way() {
    bounded(async {
        let server = MockServer::start();
        let bytes = faulted_stream(&server, "failed").await;
        let events = events(&bytes);
        let last = events.last().unwrap();
        assert_eq!(last["type"], "response.failed");
        assert_eq!(last["response"]["status"], "failed");
        assert_eq!(last["response"]["error"]["code"], "server_error");
        assert!(last["response"]["error"]["message"].is_string());
        assert_eq!(
            last["response"]["output"][0]["content"][0]["text"],
            "Mock answer to: Tell me a story."
        );
        assert!(!types(&events).contains(&"response.completed".to_owned()));

        let bytes = faulted_stream(&server, "incomplete").await;
        let last = common::events(&bytes).pop().unwrap();
        assert_eq!(last["type"], "response.incomplete");
        assert_eq!(last["response"]["status"], "incomplete");
        assert_eq!(
            last["response"]["incomplete_details"],
            json!({"reason": "max_output_tokens"})
        );
        let text = last["response"]["output"][0]["content"][0]["text"]
            .as_str()
            .unwrap();
        assert!(
            "Mock answer to: Tell me a story.".starts_with(text) && text.len() < 30,
            "{text}"
        );
        assert_eq!(accumulate(&bytes).terminal(), Some(Terminal::Incomplete));

        // Chat Completions: cut short with finish_reason "length".
        let chat = post_with_header(
            &server,
            "/chat/completions",
            &json!({"model": "m", "messages": [{"role": "user", "content": "one two three four five six"}]}),
            ("x-mock-fault", "incomplete"),
        )
        .await;
        let (_, chat) = json_of(chat).await;
        assert_eq!(chat["choices"][0]["finish_reason"], "length");
        let content = chat["choices"][0]["message"]["content"].as_str().unwrap();
        assert!("Mock answer to: one two three four five six.".starts_with(content) && content.len() < 30);

        // Without stream: the JSON says so.
        for (fault, status) in [("failed", "failed"), ("incomplete", "incomplete")] {
            let response = post_with_header(
                &server,
                "/responses",
                &json!({"model": "m", "input": "x"}),
                ("x-mock-fault", fault),
            )
            .await;
            let (code, body) = json_of(response).await;
            assert_eq!(code, 200);
            assert_eq!(body["status"], status);
        }
    })
    .await;
}

#[tokio::test]
async fn big_event_delivers_one_16_mib_delta_intact() {
    bounded(async {
        const BIG: usize = 16 * 1024 * 1024;
        let server = MockServer::start();
        let bytes = faulted_stream(&server, &format!("big-event={BIG}")).await;
        let frames = frames(&bytes).expect("within the default 256 MiB event limit");
        let deltas: Vec<Value> = frames
            .iter()
            .filter(|f| f.event.as_deref() == Some("response.output_text.delta"))
            .map(|f| serde_json::from_str(&f.data).unwrap())
            .collect();
        let big = deltas
            .iter()
            .find(|d| d["delta"].as_str().unwrap().len() == BIG);
        assert!(big.is_some(), "one delta of exactly {BIG} bytes");
        let completed: Value = serde_json::from_str(&frames.last().unwrap().data).unwrap();
        let text = completed["response"]["output"][0]["content"][0]["text"]
            .as_str()
            .unwrap();
        assert_eq!(text.len(), "Mock answer to: Tell me a story.".len() + BIG);

        // A lower configured limit is a clear error, not a crash.
        let limited = frames_with(SseDecoder::with_max_event_bytes(1024 * 1024), &bytes);
        assert!(
            matches!(limited, Err(SseError::EventTooLarge { limit }) if limit == 1024 * 1024),
            "{limited:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn invalid_utf8_puts_ff_fe_into_one_events_data() {
    bounded(async {
        let server = MockServer::start();
        let bytes = faulted_stream(&server, "invalid-utf8").await;
        let at = bytes
            .windows(2)
            .position(|w| w == [0xFF, 0xFE])
            .expect("FF FE in the body");
        assert_eq!(bytes.windows(2).filter(|w| *w == [0xFF, 0xFE]).count(), 1);
        let line_start = bytes[..at].iter().rposition(|&b| b == b'\n').unwrap() + 1;
        assert!(bytes[line_start..].starts_with(b"data: {\"type\":\"response.output_text.delta\""));
        assert!(matches!(frames(&bytes), Err(SseError::InvalidUtf8 { .. })));
    })
    .await;
}

#[tokio::test]
async fn bom_crlf_and_keepalive_change_only_the_framing() {
    bounded(async {
        let server = MockServer::start();
        let plain = types(&events(&faulted_stream(&server, "").await));

        let bom = faulted_stream(&server, "bom").await;
        assert!(bom.starts_with(b"\xEF\xBB\xBFevent: response.created\n"));
        assert_eq!(types(&events(&bom)), plain);

        let crlf = faulted_stream(&server, "crlf").await;
        assert!(crlf.ends_with(b"\r\n\r\n"));
        for (i, &b) in crlf.iter().enumerate() {
            if b == b'\n' {
                assert_eq!(crlf[i - 1], b'\r', "bare LF at {i}");
            }
        }
        assert_eq!(types(&events(&crlf)), plain);

        let keepalive = faulted_stream(&server, "keepalive").await;
        let text = String::from_utf8(keepalive.clone()).unwrap();
        assert_eq!(text.matches(": keepalive\n").count(), plain.len() - 1);
        assert!(text.starts_with("event: response.created"));
        assert_eq!(types(&events(&keepalive)), plain);

        // All at once, through the model name.
        let combined = stream_body(
            &server,
            "/responses",
            &json!({"model": "mock-fault:bom;crlf;keepalive", "input": "Tell me a story", "stream": true}),
        )
        .await;
        assert!(combined.starts_with(b"\xEF\xBB\xBF"));
        assert!(String::from_utf8_lossy(&combined).contains(": keepalive\r\n"));
        let accumulator = accumulate(&combined);
        assert_eq!(accumulator.terminal(), Some(Terminal::Completed));
        assert_eq!(accumulator.text_so_far(), "Mock answer to: Tell me a story.");
    })
    .await;
}

#[tokio::test]
async fn deltas_splits_the_text_into_exactly_n_pieces() {
    bounded(async {
        let server = MockServer::start();
        for n in [1, 5, 40] {
            let bytes = faulted_stream(&server, &format!("deltas={n}")).await;
            let events = events(&bytes);
            let deltas: Vec<&str> = events
                .iter()
                .filter(|e| e["type"] == "response.output_text.delta")
                .map(|e| e["delta"].as_str().unwrap())
                .collect();
            assert_eq!(deltas.len(), n);
            assert_eq!(deltas.concat(), "Mock answer to: Tell me a story.");
        }
        let bytes = faulted_stream(&server, "deltas=0").await;
        let events = common::events(&bytes);
        assert!(!types(&events).contains(&"response.output_text.delta".to_owned()));
        assert_eq!(accumulate(&bytes).text_so_far(), "Mock answer to: Tell me a story.");

        let chat = post_with_header(
            &server,
            "/chat/completions",
            &json!({"model": "m", "messages": [{"role": "user", "content": "hello"}], "stream": true}),
            ("x-mock-fault", "deltas=3"),
        )
        .await;
        let chunks = common::events(&read_body(chat).await.0);
        let contents: Vec<&str> = chunks
            .iter()
            .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
            .filter(|c| !c.is_empty())
            .collect();
        assert_eq!(contents.len(), 3);
    })
    .await;
}

#[tokio::test]
async fn a_client_leaving_mid_stream_is_counted_and_a_drop_fault_or_a_full_read_is_not() {
    bounded(async {
        let server = MockServer::start();
        // Read to the end: not abandoned.
        faulted_stream(&server, "deltas=3").await;
        // The server drops the connection itself: not abandoned either.
        let dropped = post_with_header(
            &server,
            "/responses",
            &stream_request(),
            ("x-mock-fault", "drop-after=2"),
        )
        .await;
        let _ = read_body(dropped).await;
        assert_eq!(server.streams_abandoned(), 0);

        // The client reads a stalled stream's first bytes, then leaves.
        let mut stalled = post_with_header(
            &server,
            "/responses",
            &stream_request(),
            ("x-mock-fault", "stall-after=2"),
        )
        .await;
        assert!(stalled.chunk().await.unwrap().is_some());
        drop(stalled);
        let mut waited = 0;
        while server.streams_abandoned() == 0 && waited < 200 {
            tokio::time::sleep(Duration::from_millis(10)).await;
            waited += 1;
        }
        assert_eq!(server.streams_abandoned(), 1);
        let stats: Value = client()
            .get(format!("{}/__mock/stats", server.root_url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(stats["streams_abandoned"], 1);
    })
    .await;
}
