//! The client over real HTTP against `rapidresponse-mock`: every endpoint,
//! every fault with its expected outcome and attempt count (read back from
//! the mock's request log), timeouts, resume, and the conversation loops.

use futures_util::StreamExt;
use rapidresponse::*;
use rapidresponse_mock::{mask_key, MockServer};
use serde_json::{json, Value};
use std::future::IntoFuture;
use std::time::{Duration, Instant};

// A canary, not a real key: it must appear in no log, Debug output or error.
const KEY: &str = "sk-test-redaction-canary";

mod common;

fn config(server: &MockServer) -> ClientConfig {
    common::config(server, KEY)
}

fn client(server: &MockServer) -> Client<NativeTransport> {
    Client::new(config(server)).unwrap()
}

fn with_fault(spec: &str) -> CallOptions {
    CallOptions::new().header("x-mock-fault", spec)
}

fn posts_to(server: &MockServer, path_end: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with(path_end))
        .count()
}

/// Opens a stream of `input` with a mock fault (`spec`).
async fn stream_with_fault(
    c: &Client<NativeTransport>,
    input: &str,
    spec: &str,
) -> ResponseStream<NativeTransport> {
    c.responses()
        .create_stream(CreateResponse::new("gpt-4.1", input))
        .options(with_fault(spec))
        .await
        .unwrap()
}

async fn collect(
    mut s: ResponseStream<NativeTransport>,
) -> (Vec<Event>, Option<Error>, ResponseStream<NativeTransport>) {
    let mut events = Vec::new();
    let mut error = None;
    while let Some(item) = s.next().await {
        match item {
            Ok(e) => events.push(e),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    (events, error, s)
}

#[tokio::test]
async fn create_returns_a_typed_response_with_its_http_details() {
    let server = MockServer::start();
    let c = client(&server);
    let mut req = CreateResponse::new("gpt-4.1", "Write FizzBuzz in Python");
    req.instructions = "Be brief".into();
    req.temperature = 0.2.into();
    req.max_output_tokens = 4096.into();
    req.store = true.into();
    let r = c.responses().create(req).await.unwrap();
    assert!(r.output_text().contains("FizzBuzz"), "{}", r.output_text());
    assert_eq!(r.status.get(), Some(&ResponseStatus::Completed));
    assert!(r.id.as_deref().unwrap().starts_with("resp_"));
    assert!(r.request_id().unwrap().starts_with("req_"));
    assert_eq!(r.retries_taken, 0);
    assert!(r.rate_limit().unwrap().remaining_requests.is_some());
    let usage = r.usage.get().unwrap();
    assert!(usage.total_tokens.copied().unwrap() > 0);
    // The client keeps totals with a cost estimate (gpt-4.1 has a price).
    let totals = c.usage();
    assert_eq!(totals.responses, 1);
    assert_eq!(
        totals.tokens.total_tokens,
        usage.total_tokens.copied().unwrap()
    );
    assert!(totals.cost_usd().unwrap() > 0.0);
    // What was sent: the SDK headers and the body as built.
    let sent = &server.requests()[0];
    assert_eq!(
        sent.headers["authorization"],
        mask_key(&format!("Bearer {KEY}"))
    );
    assert_eq!(sent.headers["content-type"], "application/json");
    assert!(sent.headers["user-agent"].starts_with("rapidresponse/"));
    assert_eq!(sent.body.as_ref().unwrap()["instructions"], "Be brief");
}

#[tokio::test]
async fn a_stream_yields_typed_events_and_the_final_response() {
    let server = MockServer::start();
    let c = client(&server);
    let s = c
        .responses()
        .create_stream(CreateResponse::new("gpt-4.1", "Tell me a story"))
        .await
        .unwrap();
    assert!(s.request_id().is_some());
    let (events, error, s) = collect(s).await;
    assert!(error.is_none(), "{error:?}");
    let deltas: String = events
        .iter()
        .filter_map(|e| match &e.event {
            ResponseStreamEvent::OutputTextDelta(d) => d.delta.clone().into_option(),
            _ => None,
        })
        .collect();
    let seqs: Vec<u64> = events
        .iter()
        .map(|e| e.event.sequence_number().unwrap())
        .collect();
    assert_eq!(seqs, (0..seqs.len() as u64).collect::<Vec<_>>());
    assert!(matches!(
        events.last().unwrap().event,
        ResponseStreamEvent::Completed(_)
    ));
    assert_eq!(s.text_so_far(), deltas);
    let final_response = s.final_response().await.unwrap();
    assert_eq!(final_response.output_text(), deltas);
    assert_eq!(c.usage().responses, 1);
    // As openai-python sends it: the body's `stream: true` asks for events.
    assert_eq!(server.requests()[0].headers["accept"], "application/json");
}

#[tokio::test]
async fn every_responses_endpoint() {
    let server = MockServer::start();
    let c = client(&server);
    let r = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "hello there"))
        .await
        .unwrap();
    let id = r.id.as_deref().unwrap().to_owned();

    let got = c.responses().retrieve(&id).await.unwrap();
    assert_eq!(got.output_text(), r.output_text());

    let page = c.responses().input_items().list(&id).await.unwrap();
    assert!(!page.data.get().unwrap().is_empty());

    let compacted = c
        .responses()
        .compact(json!({"model": "gpt-4.1", "input": "long history"}))
        .await
        .unwrap();
    assert!(compacted.output.get().is_some());
    let count = c
        .responses()
        .input_tokens()
        .count(json!({"model": "gpt-4.1", "input": "one two three"}))
        .await
        .unwrap();
    assert!(count.input_tokens.copied().unwrap() > 0);

    let raw = c
        .request(Method::Get, &format!("/responses/{id}"), None)
        .await
        .unwrap();
    assert_eq!(raw["id"], id.as_str());

    let deleted = c.responses().delete(&id).await.unwrap();
    assert_eq!(deleted.deleted.copied(), Some(true));
    let err = c.responses().retrieve(&id).await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.kind, ErrorKind::NotFound);
    assert!(api.request_id.is_some());
}

#[tokio::test]
async fn input_items_page_after_page() {
    let server = MockServer::start();
    let c = client(&server);
    let input: Vec<Item> = (0..7)
        .map(|i| {
            serde_json::from_value(json!({"role": "user", "content": format!("message {i}")}))
                .unwrap()
        })
        .collect();
    let r = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", input))
        .await
        .unwrap();
    let id = r.id.as_deref().unwrap();
    let params: Vec<(String, QueryValue)> = vec![
        ("limit".into(), 3i64.into()),
        ("order".into(), "asc".into()),
    ];
    let first = c
        .responses()
        .input_items()
        .list(id)
        .param("limit", 3i64)
        .param("order", "asc")
        .await
        .unwrap();
    assert_eq!(first.data.get().unwrap().len(), 3);
    assert_eq!(first.has_more.copied(), Some(true));
    let all: Vec<Item> = c
        .responses()
        .input_items()
        .list_all(id, params, CallOptions::new())
        .map(|r| r.unwrap())
        .collect()
        .await;
    assert_eq!(all.len(), 7);
    let lists = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/input_items"))
        .count();
    assert_eq!(lists, 1 + 3, "one page, then three pages of 3, 3 and 1");
}

#[tokio::test]
async fn chat_and_legacy_completions() {
    let server = MockServer::start();
    let c = client(&server);
    let req: ChatCompletionRequest = serde_json::from_value(json!({
        "model": "gpt-4o-mini", "max_tokens": 50, "temperature": 0.5,
        "messages": [{"role": "system", "content": "Be brief"}, {"role": "user", "content": "Hi"}]
    }))
    .unwrap();
    let chat = c.chat().completions().create(req.clone()).await.unwrap();
    let text = chat.choices.get().unwrap()[0]
        .message
        .get()
        .unwrap()
        .content
        .get()
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!text.is_empty());
    let mut stream = c.chat().completions().create_stream(req).await.unwrap();
    let mut streamed = String::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        for choice in chunk.choices.get().into_iter().flatten() {
            if let Some(Value::String(s)) = choice.delta.get().and_then(|d| d.content.get()) {
                streamed.push_str(s);
            }
        }
    }
    assert_eq!(streamed, text);

    let legacy: CompletionRequest =
        serde_json::from_value(json!({"model": "gpt-3.5-turbo-instruct", "prompt": "Say hi"}))
            .unwrap();
    let done = c.completions().create(legacy.clone()).await.unwrap();
    let choice = &done.choices.get().unwrap()[0];
    assert!(!choice.text.as_deref().unwrap().is_empty());
    assert_eq!(choice.finish_reason.as_deref(), Some("stop"));
    // Both non-stream completions count in the client's usage totals.
    assert_eq!(c.usage().responses, 2);
    assert!(c.usage().tokens.total_tokens > 0);
    let mut s = c.completions().create_stream(legacy).await.unwrap();
    let mut n = 0;
    while let Some(chunk) = s.next().await {
        chunk.unwrap();
        n += 1;
    }
    assert!(n > 0);
    // A chat stream's last chunk carries usage when asked: it counts too.
    let with_usage: ChatCompletionRequest = serde_json::from_value(json!({
        "model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}],
        "stream_options": {"include_usage": true}
    }))
    .unwrap();
    let mut s = c
        .chat()
        .completions()
        .create_stream(with_usage)
        .await
        .unwrap();
    while let Some(chunk) = s.next().await {
        chunk.unwrap();
    }
    assert_eq!(c.usage().responses, 3);
}

#[tokio::test]
async fn status_faults_are_retried_as_openai_python_does() {
    let server = MockServer::start();
    let c = client(&server);
    // 429 once with retry-after-ms, then success: 2 attempts, 1 retry.
    server.push_fault("status=429;retry-after-ms=10");
    let r = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "x"))
        .await
        .unwrap();
    assert_eq!(r.retries_taken, 1);
    assert_eq!(posts_to(&server, "/responses"), 2);

    // 429 every time: 1 + 2 retries, then RateLimitError.
    let before = posts_to(&server, "/responses");
    let err = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "x"))
        .options(with_fault("status=429;retry-after-ms=1"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(429));
    let Error::Api(api) = &err else { panic!() };
    assert_eq!(api.kind, ErrorKind::RateLimit);
    assert!(api.to_string().starts_with("Error code: 429 - "));
    assert!(api.rate_limit().is_some());
    assert_eq!(posts_to(&server, "/responses") - before, 3);

    // x-should-retry: false stops a 500; a 400 is never retried.
    for (fault, status) in [("status=500;should-retry=false", 500), ("status=400", 400)] {
        let before = posts_to(&server, "/responses");
        let err = c
            .responses()
            .create(CreateResponse::new("gpt-4.1", "x"))
            .options(with_fault(fault))
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(posts_to(&server, "/responses") - before, 1, "{fault}");
    }

    // A server delay above 120 s: openai-python does not retry at all.
    let before = posts_to(&server, "/responses");
    let err = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "x"))
        .options(with_fault("status=503;retry-after=600"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(posts_to(&server, "/responses") - before, 1);

    // max_retries per call.
    let before = posts_to(&server, "/responses");
    let opts = with_fault("status=500").max_retries(0);
    assert!(c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "x"))
        .options(opts)
        .await
        .is_err());
    assert_eq!(posts_to(&server, "/responses") - before, 1);
}

#[tokio::test]
async fn connection_faults_and_timeouts() {
    let server = MockServer::start();
    let c = client(&server);
    // A reset before the headers is a connection error, retried twice.
    let before = posts_to(&server, "/responses");
    let err = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "x"))
        .options(with_fault("reset"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert_eq!(posts_to(&server, "/responses") - before, 3);

    // A server that never answers: the response timeout, per attempt.
    let opts = with_fault("hang").timeouts(Timeouts {
        connect: Duration::from_secs(2),
        response: Duration::from_millis(150),
        read: Duration::from_secs(10),
    });
    let started = Instant::now();
    let err = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "x"))
        .options(opts.max_retries(1))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: TimeoutKind::Response,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(started.elapsed() >= Duration::from_millis(300));

    // A closed port: a connection error at once.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut cfg = config(&server);
    cfg.base_url = format!("http://127.0.0.1:{closed}/v1");
    cfg.retry.max_retries = 0;
    let started = Instant::now();
    let err = Client::new(cfg)
        .unwrap()
        .responses()
        .create(CreateResponse::new("m", "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_stalled_stream_hits_the_read_timeout_and_keeps_the_partial_response() {
    let server = MockServer::start();
    let c = client(&server);
    let opts = with_fault("stall-after=6").timeouts(Timeouts {
        connect: Duration::from_secs(2),
        response: Duration::from_secs(5),
        read: Duration::from_millis(200),
    });
    let s = c
        .responses()
        .create_stream(CreateResponse::new("gpt-4.1", "stall please"))
        .options(opts)
        .await
        .unwrap();
    let (events, error, _) = collect(s).await;
    assert_eq!(events.len(), 6);
    let error = error.expect("a read timeout");
    assert!(
        matches!(
            error,
            Error::Timeout {
                kind: TimeoutKind::Read,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.partial_response().is_some());
}

#[tokio::test]
async fn a_dropped_stream_gives_a_connection_error_with_the_text_so_far() {
    let server = MockServer::start();
    let c = client(&server);
    let s = stream_with_fault(&c, "drop me", "drop-after=7").await;
    let (events, error, _) = collect(s).await;
    assert_eq!(events.len(), 7);
    let text: String = events
        .iter()
        .filter_map(|e| match &e.event {
            ResponseStreamEvent::OutputTextDelta(d) => d.delta.clone().into_option(),
            _ => None,
        })
        .collect();
    let error = error.expect("an error");
    assert!(
        matches!(
            error,
            Error::Connection { .. } | Error::IncompleteStream { .. }
        ),
        "{error:?}"
    );
    assert_eq!(error.partial_response().unwrap().output_text(), text);
    // Not re-POSTed: that would bill a second generation.
    assert_eq!(posts_to(&server, "/responses"), 1);
}

#[tokio::test]
async fn a_background_stream_resumes_after_a_drop_exactly_once_in_order() {
    let server = MockServer::start();
    let c = client(&server);
    let mut req = CreateResponse::new("gpt-4.1", "a long background job");
    req.background = true.into();
    // Queued for one request: the resume itself must not drop.
    server.push_fault("drop-after=5");
    let s = c.responses().create_stream(req).await.unwrap();
    let (events, error, s) = collect(s).await;
    assert!(error.is_none(), "{error:?}");
    let seqs: Vec<u64> = events
        .iter()
        .map(|e| e.event.sequence_number().unwrap())
        .collect();
    assert_eq!(
        seqs,
        (0..seqs.len() as u64).collect::<Vec<_>>(),
        "every event once, in order"
    );
    assert!(matches!(
        events.last().unwrap().event,
        ResponseStreamEvent::Completed(_)
    ));
    let resumed = server
        .requests()
        .into_iter()
        .find(|r| r.method == "GET" && r.query.contains("starting_after"));
    let resumed = resumed.expect("a GET ?stream=true&starting_after=N");
    assert!(resumed.query.contains("stream=true"), "{}", resumed.query);
    assert!(
        resumed.query.contains("starting_after=4"),
        "{}",
        resumed.query
    );
    assert_eq!(posts_to(&server, "/responses"), 1);
    assert!(!s.text_so_far().is_empty());
}

#[tokio::test]
async fn stream_content_faults_have_their_documented_outcomes() {
    let server = MockServer::start();
    let c = client(&server);
    let run = |spec: &'static str| {
        let c = c.clone();
        async move {
            let s = stream_with_fault(&c, "faults", spec).await;
            let mut events = Vec::new();
            let mut errors = Vec::new();
            let mut s = s;
            while let Some(item) = s.next().await {
                match item {
                    Ok(e) => events.push(e),
                    Err(e) => errors.push(e),
                }
            }
            (events, errors, s.text_so_far())
        }
    };
    // Framing variants change nothing.
    let (plain, errors, text) = run("deltas=5").await;
    assert!(errors.is_empty());
    for spec in [
        "bom;deltas=5",
        "crlf;deltas=5",
        "keepalive;deltas=5",
        "slow=4096,1;deltas=5",
    ] {
        let (events, errors, t) = run(spec).await;
        assert!(errors.is_empty(), "{spec}: {errors:?}");
        assert_eq!(events.len(), plain.len(), "{spec}");
        assert_eq!(t, text, "{spec}");
    }
    // A malformed event is reported and the stream goes on.
    let (events, errors, _) = run("malformed-at=3").await;
    assert!(
        matches!(errors.as_slice(), [Error::Decode(_)]),
        "{errors:?}"
    );
    assert!(matches!(
        events.last().unwrap().event,
        ResponseStreamEvent::Completed(_)
    ));
    // An unknown event type is delivered, not an error.
    let (events, errors, _) = run("unknown-event-at=3").await;
    assert!(errors.is_empty());
    assert!(events.iter().any(|e| matches!(&e.event, ResponseStreamEvent::Unknown(v) if v["type"] == "response.mock_unknown.delta")));
    // The nested error event has an `error` member: an error with the partial response.
    let (_, errors, _) = run("error-event=nested").await;
    assert!(
        matches!(
            errors.as_slice(),
            [Error::StreamError {
                partial: Some(_),
                ..
            }]
        ),
        "{errors:?}"
    );
    // The flat one is an event, followed by response.failed.
    let (events, errors, _) = run("error-event=flat").await;
    assert!(errors.is_empty(), "{errors:?}");
    assert!(events
        .iter()
        .any(|e| matches!(e.event, ResponseStreamEvent::Error(_))));
    assert!(matches!(
        events.last().unwrap().event,
        ResponseStreamEvent::Failed(_)
    ));
    // Invalid UTF-8 is a clear error.
    let (_, errors, _) = run("invalid-utf8").await;
    assert!(
        matches!(errors.as_slice(), [Error::Sse { .. }]),
        "{errors:?}"
    );
    // failed / incomplete: final_response is an error carrying the response.
    for (spec, incomplete) in [("failed", false), ("incomplete", true)] {
        let s = stream_with_fault(&c, "x", spec).await;
        let err = s.final_response().await.unwrap_err();
        match (err, incomplete) {
            (Error::ResponseIncomplete(r), true) | (Error::ResponseFailed(r), false) => {
                assert!(r["id"].is_string())
            }
            (e, _) => panic!("{spec}: {e:?}"),
        }
    }
}

#[tokio::test]
async fn a_16_mib_event_passes_the_default_limit_and_a_lower_limit_is_a_clear_error() {
    let server = MockServer::start();
    let c = client(&server);
    let s = stream_with_fault(&c, "big", "big-event=16777216").await;
    let (events, error, _) = collect(s).await;
    assert!(error.is_none(), "{error:?}");
    let big = events.iter().find_map(|e| match &e.event {
        ResponseStreamEvent::OutputTextDelta(d)
            if d.delta.as_deref().unwrap_or("").len() == 16_777_216 =>
        {
            Some(())
        }
        _ => None,
    });
    assert!(big.is_some(), "the 16 MiB delta arrives intact");

    let small = c.with_options(|cfg| cfg.max_event_bytes = 1 << 20);
    let s = stream_with_fault(&small, "big", "big-event=16777216").await;
    let (_, error, _) = collect(s).await;
    let error = error.expect("a size error");
    assert!(error.to_string().contains("size limit"), "{error}");
    assert!(error.partial_response().is_some());
}

#[tokio::test]
async fn a_three_turn_previous_response_id_chain() {
    let server = MockServer::start();
    let c = client(&server);
    let mut ids: Vec<String> = Vec::new();
    for turn in ["My name is Ada.", "What is my name?", "Spell it."] {
        let mut req = CreateResponse::new("gpt-4.1", turn);
        if let Some(p) = ids.last() {
            req.previous_response_id = p.clone().into();
        }
        let r = c.responses().create(req).await.unwrap();
        assert!(!r.output_text().is_empty());
        ids.push(r.id.clone().into_option().unwrap());
    }
    let bodies: Vec<Value> = server
        .requests()
        .into_iter()
        .filter_map(|r| r.body)
        .collect();
    assert!(bodies[0].get("previous_response_id").is_none());
    assert_eq!(bodies[1]["previous_response_id"], ids[0].as_str());
    assert_eq!(bodies[2]["previous_response_id"], ids[1].as_str());
    // The chain is stored: the last response can be read back.
    let last = c.responses().retrieve(&ids[2]).await.unwrap();
    assert_eq!(last.previous_response_id.as_deref(), Some(ids[1].as_str()));
}

#[tokio::test]
async fn the_function_calling_loop_with_reasoning_items() {
    let server = MockServer::start();
    let c = client(&server);
    let tool: Tool = Tool::Function(FunctionTool::new(
        "get_weather",
        "Weather of a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}, "required": ["city", "days"], "additionalProperties": false}),
    ));
    let mut req = CreateResponse::new("o4-mini", "What is the weather in Paris?");
    req.tools = vec![tool.clone()].into();
    req.reasoning = ReasoningConfig {
        effort: "high".into(),
        summary: "auto".into(),
        ..Default::default()
    }
    .into();
    let first = c.responses().create(req).await.unwrap();
    let output = first.output.get().unwrap().clone();
    assert!(
        matches!(output[0], Item::Reasoning(_)),
        "a reasoning item first"
    );
    let call = output
        .iter()
        .find_map(|i| match i {
            Item::FunctionCall(f) => Some(f.clone()),
            _ => None,
        })
        .expect("a function call");
    let args: Value = serde_json::from_str(call.arguments.as_deref().unwrap()).unwrap();
    assert!(args["city"].is_string() && args["days"].is_i64(), "{args}");

    // context += response.output; then the function's output.
    let mut context: Vec<Item> = vec![serde_json::from_value(
        json!({"role": "user", "content": "What is the weather in Paris?"}),
    )
    .unwrap()];
    context.extend(output.iter().cloned());
    context.push(
        serde_json::from_value(json!({"type": "function_call_output", "call_id": call.call_id.get().unwrap(), "output": "{\"temp\": 21}"}))
            .unwrap(),
    );
    let mut second = CreateResponse::new("o4-mini", context);
    second.tools = vec![tool].into();
    let answer = c.responses().create(second).await.unwrap();
    assert!(
        answer.output_text().contains("21"),
        "{}",
        answer.output_text()
    );
    // The output items went back byte-for-byte as the same JSON.
    let sent = server
        .requests()
        .into_iter()
        .rev()
        .find_map(|r| r.body)
        .unwrap();
    let sent_items = &sent["input"].as_array().unwrap()[1..1 + output.len()];
    assert_eq!(
        Value::from(sent_items.to_vec()),
        serde_json::to_value(&output).unwrap()
    );
}

#[tokio::test]
async fn encrypted_reasoning_round_trips_with_store_false() {
    let server = MockServer::start();
    let c = client(&server);
    let mut req = CreateResponse::new("gpt-5", "Think, then answer.");
    req.store = false.into();
    req.include = vec!["reasoning.encrypted_content".to_owned()].into();
    let r = c.responses().create(req).await.unwrap();
    let Some(Item::Reasoning(reasoning)) = r.output.get().unwrap().first() else {
        panic!("reasoning first")
    };
    let encrypted = reasoning
        .encrypted_content
        .clone()
        .into_option()
        .expect("encrypted content");
    let mut next_input = r.output.get().unwrap().clone();
    next_input
        .push(serde_json::from_value(json!({"role": "user", "content": "And now?"})).unwrap());
    let mut next = CreateResponse::new("gpt-5", next_input);
    next.store = false.into();
    next.include = vec!["reasoning.encrypted_content".to_owned()].into();
    c.responses().create(next).await.unwrap();
    let sent = server
        .requests()
        .into_iter()
        .rev()
        .find_map(|r| r.body)
        .unwrap();
    assert_eq!(sent["input"][0]["encrypted_content"], encrypted.as_str());
    assert_eq!(sent["store"], false);
}

#[tokio::test]
async fn an_api_key_check_gives_an_authentication_error() {
    let server = rapidresponse_mock::MockServer::start_with(rapidresponse_mock::MockOptions {
        api_key: Some("sk-right".into()),
        ..Default::default()
    })
    .unwrap();
    let err = client(&server)
        .responses()
        .create(CreateResponse::new("gpt-4.1", "x"))
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.kind, ErrorKind::Authentication);
    assert_eq!(api.code.as_deref(), Some("invalid_api_key"));
    assert!(!err.to_string().contains(KEY));
    let mut cfg = config(&server);
    cfg.api_key = Some("sk-right".into());
    Client::new(cfg)
        .unwrap()
        .responses()
        .create(CreateResponse::new("gpt-4.1", "x"))
        .await
        .unwrap();
}

#[tokio::test]
async fn validation_errors_are_bad_requests_with_fields() {
    let server = MockServer::start();
    let c = client(&server);
    let mut req = CreateResponse::new("gpt-4.1", "x");
    req.temperature = 5.0.into();
    let err = c.responses().create(req).await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.kind, ErrorKind::BadRequest);
    assert_eq!(api.param.as_deref(), Some("temperature"));
    assert_eq!(posts_to(&server, "/responses"), 1, "a 400 is not retried");
}

#[tokio::test]
async fn cancel_a_background_response() {
    let server = MockServer::start();
    let c = client(&server);
    let mut req = CreateResponse::new("gpt-4.1", "slow background work");
    req.background = true.into();
    let r = c.responses().create(req).await.unwrap();
    assert_eq!(r.status.get(), Some(&ResponseStatus::Queued));
    let cancelled = c
        .responses()
        .cancel(r.id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(cancelled.status.get(), Some(&ResponseStatus::Cancelled));
}

#[tokio::test]
async fn azure_requests_have_the_azure_shape() {
    let server = MockServer::start();
    let root = server.root_url();
    let cfg = ClientConfig {
        provider: Provider::Azure {
            endpoint: Some(root),
            api_version: Some("2025-04-01-preview".into()),
            deployment: None,
            auth: Some(rapidresponse::core::AzureAuth::ApiKey("azure-key".into())),
        },
        ..config(&server)
    };
    let _ = Client::new(cfg)
        .unwrap()
        .responses()
        .create(CreateResponse::new("gpt-4o", "x"))
        .await;
    let sent = &server.requests()[0];
    assert_eq!(sent.path, "/openai/responses");
    assert_eq!(sent.query, "api-version=2025-04-01-preview");
    assert_eq!(sent.headers["api-key"], mask_key("azure-key"));
    assert!(!sent.headers.contains_key("authorization"));
}

#[tokio::test]
async fn the_key_appears_in_no_log_line_debug_output_or_error() {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start();
    let c = client(&server);
    c.responses()
        .create(CreateResponse::new("gpt-4.1", "x"))
        .await
        .unwrap();
    let err = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "x"))
        .options(with_fault("status=500"))
        .await
        .unwrap_err();
    let logs = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("retrying"), "the retries are logged: {logs}");
    for shown in [
        logs,
        format!("{c:?}"),
        format!("{err:?}"),
        err.to_string(),
        format!("{:?}", config(&server)),
    ] {
        assert!(!shown.contains(KEY), "the key leaked: {shown}");
    }
}

#[tokio::test]
async fn futures_are_send_and_static_so_they_can_be_spawned() {
    fn assert_send_static<F: std::future::Future + Send + 'static>(f: F) -> F {
        f
    }
    let server = MockServer::start();
    let c = client(&server);
    let create = assert_send_static(
        c.responses()
            .create(CreateResponse::new("gpt-4.1", "spawned"))
            .send(),
    );
    let stream = assert_send_static(
        c.responses()
            .create_stream(CreateResponse::new("gpt-4.1", "spawned"))
            .into_future(),
    );
    let ready = c
        .prepare(
            &Call::new(Operation::ResponsesCreate).body(RequestBody::Bytes(b"{}".to_vec())),
            CallOptions::new(),
        )
        .unwrap();
    let _run = assert_send_static(c.run(ready));
    let r = tokio::spawn(create).await.unwrap().unwrap();
    assert!(!r.output_text().is_empty());
    let text = tokio::spawn(async move {
        stream
            .await
            .unwrap()
            .final_response()
            .await
            .unwrap()
            .output_text()
    })
    .await
    .unwrap();
    assert!(!text.is_empty());
}

#[tokio::test]
async fn a_call_the_shells_start_hands_over_raw_events_and_counts_usage() {
    let server = MockServer::start();
    let c = client(&server);
    let open = |spec: Option<&str>| {
        let options = match spec {
            Some(s) => with_fault(s),
            None => CallOptions::new(),
        };
        let body = br#"{"model":"gpt-4.1","input":"Say hi","stream":true}"#.to_vec();
        let call = Call::new(Operation::ResponsesCreate).body(RequestBody::Bytes(body));
        let ready = c.prepare(&call, options).unwrap();
        assert!(ready.prepared.streams, "the body asks for a stream");
        let run = c.run(ready);
        async move {
            match run.await? {
                Answer::Stream(s) => Ok::<_, Error>(*s),
                Answer::Whole(_) => panic!("a stream was asked for"),
            }
        }
    };
    let mut s = open(None).await.unwrap();
    assert_eq!(s.status(), 200);
    let mut events = Vec::new();
    while let Some(delivery) = s.next().await {
        events.push(delivery.unwrap());
    }
    let last: Value = serde_json::from_str(&events.last().unwrap().data).unwrap();
    assert_eq!(last["type"], "response.completed");
    let deltas: Vec<_> = events
        .iter()
        .filter(|d| d.sse_event.as_deref() == Some("response.output_text.delta"))
        .collect();
    let text: String = deltas
        .iter()
        .map(|d| {
            serde_json::from_str::<Value>(&d.data).unwrap()["delta"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(text, last["response"]["output"][0]["content"][0]["text"]);
    // Each delta knows where its snapshot ends; the last one is the text.
    let at = deltas.last().unwrap().snapshot.unwrap();
    assert_eq!(
        s.machine().accumulator().snapshot_text(at),
        Some(text.as_str())
    );
    assert!(c.usage().tokens.total_tokens > 0);

    // A drop mid-stream: the events before it, then a connection error
    // carrying them.
    let mut s = open(Some("drop-after=3")).await.unwrap();
    let mut seen = 0;
    let error = loop {
        match s.next().await {
            Some(Ok(_)) => seen += 1,
            Some(Err(e)) => break e,
            None => panic!("a dropped stream must end in an error"),
        }
    };
    assert_eq!(seen, 3);
    assert!(matches!(error, Error::Connection { .. }), "{error:?}");
    assert_eq!(error.partial_json().unwrap()["status"], "in_progress");
    assert!(s.next().await.is_none());

    // An error status before the body goes through the retry loop.
    let error: Error = match open(Some("status=400")).await {
        Err(e) => e,
        Ok(_) => panic!("a 400 must not open a stream"),
    };
    assert_eq!(error.status(), Some(400));
}

// Redirects (the mock's `redirect=` fault): followed as openai-python's
// httpx client follows them, credentials never sent to another origin.

#[tokio::test]
async fn a_307_or_308_resends_the_same_post_with_its_body() {
    let server = MockServer::start();
    let c = client(&server);
    for code in [307, 308] {
        server.push_fault(&format!("redirect={code}"));
        let r = c
            .responses()
            .create(CreateResponse::new("gpt-4.1", format!("after {code}")))
            .await
            .unwrap();
        assert_eq!(r.status.get(), Some(&ResponseStatus::Completed));
    }
    let posts: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v1/responses")
        .collect();
    assert_eq!(posts.len(), 4, "{posts:?}");
    for pair in posts.chunks(2) {
        assert!(pair.iter().all(|r| r.method == "POST"));
        assert_eq!(pair[0].body, pair[1].body);
        assert_eq!(
            pair[1].headers["authorization"],
            mask_key(&format!("Bearer {KEY}"))
        );
    }
}

#[tokio::test]
async fn a_303_after_a_post_becomes_a_get_without_a_body() {
    let server = MockServer::start();
    let c = client(&server);
    server.push_fault("redirect=303");
    let err = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "see other"))
        .await
        .unwrap_err();
    // GET /v1/responses is no endpoint: the error is the second answer's.
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    let seen = server.requests();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(
        (seen[0].method.as_str(), seen[1].method.as_str()),
        ("POST", "GET")
    );
    assert_eq!(seen[1].path, "/v1/responses");
    assert_eq!(seen[1].body, None);
    assert!(!seen[1].headers.contains_key("content-type"));
}

#[tokio::test]
async fn a_redirect_to_another_origin_drops_the_api_key() {
    let server = MockServer::start_with(rapidresponse_mock::MockOptions {
        api_key: Some(KEY.into()),
        port: None,
    })
    .unwrap();
    let c = client(&server);
    // 127.0.0.1 → localhost: the same server, another origin.
    server.push_fault("redirect=307;redirect-host=localhost");
    let err = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "elsewhere"))
        .await
        .unwrap_err();
    match &err {
        Error::Api(e) => assert_eq!(e.status, 401, "{e:?}"),
        other => panic!("expected a 401, got {other:?}"),
    }
    let seen = server.requests();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(
        seen[0].headers["authorization"],
        mask_key(&format!("Bearer {KEY}"))
    );
    assert_eq!(
        seen[1].headers["host"],
        format!("localhost:{}", server.port())
    );
    assert!(
        !seen[1].headers.contains_key("authorization"),
        "{:?}",
        seen[1]
    );
    assert_eq!(seen[1].body, seen[0].body);
    assert!(!format!("{err:?}").contains(KEY));
}

#[tokio::test]
async fn a_redirect_loop_ends_with_a_connection_error_after_ten() {
    let server = MockServer::start();
    let c = client(&server);
    let options = with_fault("redirect=307").max_retries(0);
    let err = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "loop"))
        .options(options)
        .await
        .unwrap_err();
    match &err {
        Error::Connection { message, .. } => assert!(message.contains("redirects"), "{message}"),
        other => panic!("expected a connection error, got {other:?}"),
    }
    assert_eq!(posts_to(&server, "/responses"), 11);
}

#[tokio::test]
async fn a_callers_reqwest_client_carries_calls_and_streams_through_its_proxy() {
    // The path taken when a proxy variable is set: reqwest. Here the proxy
    // is the mock itself, which answers absolute-form requests as usual.
    let server = MockServer::start();
    let proxy = reqwest::Proxy::http(server.root_url()).unwrap();
    let http = reqwest::Client::builder().proxy(proxy).build().unwrap();
    let transport = NativeTransport::from_client(http);
    assert!(transport.uses_reqwest());
    let c = Client::with_transport(config(&server), transport);
    let r = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "through reqwest"))
        .await
        .unwrap();
    assert_eq!(r.status.get(), Some(&ResponseStatus::Completed));
    let s = stream_with_fault(&c, "streamed through reqwest", "deltas=5;drop-after=4").await;
    let (events, error, _) = collect(s).await;
    assert_eq!(events.len(), 4);
    assert!(matches!(error, Some(Error::Connection { .. })), "{error:?}");
    server.push_fault("redirect=307");
    let again = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "redirected"))
        .await
        .unwrap();
    assert_eq!(again.status.get(), Some(&ResponseStatus::Completed));
    assert_eq!(posts_to(&server, "/responses"), 4);
}

#[tokio::test]
async fn a_timed_out_whole_call_closes_its_connection_at_once() {
    // The body is read in a runtime task: the call's timeout must end that
    // task too, not leave it reading. The slow body would take ~1 s.
    let server = MockServer::start();
    let mut cfg = config(&server);
    cfg.timeouts.response = Duration::from_millis(150);
    let c = Client::new(cfg).unwrap();
    let started = Instant::now();
    let err = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "slowly"))
        .options(with_fault("slow=64,50").max_retries(0))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: TimeoutKind::Response,
                ..
            }
        ),
        "{err:?}"
    );
    let mut waited = 0;
    while server.streams_abandoned() == 0 && waited < 40 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += 1;
    }
    assert_eq!(server.streams_abandoned(), 1);
    assert!(
        started.elapsed() < Duration::from_millis(700),
        "{:?}",
        started.elapsed()
    );
}
