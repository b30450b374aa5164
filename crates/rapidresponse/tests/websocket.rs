//! The WebSocket mode over a real socket against `rapidresponse-mock`: a
//! chain of turns on one connection gives the events and final responses
//! the same requests give over HTTP streaming; `store: false` chains live
//! as long as their connection; and each fault ends as documented: a drop
//! without a close frame (1006) mid-response, an `error` event (the
//! connection stays usable), a refused upgrade, a stall past the read
//! timeout, an oversized message. Nothing is ever re-sent. Lanes
//! (`stream_id`) run side by side, and a recoverable drop reconnects when
//! asked to.

use rapidresponse::*;
use rapidresponse_mock::MockServer;
use std::time::Duration;

mod common;

fn client(server: &MockServer) -> Client<NativeTransport> {
    Client::new(common::config(server, "sk-ws")).unwrap()
}

fn fault(spec: &str) -> CallOptions {
    CallOptions::new().header("x-mock-fault", spec)
}

/// Every event's type, and the final response, of one response.
async fn read_one(
    ws: &mut ResponsesConnection<NativeTransport>,
) -> (Vec<String>, Result<Response, Error>) {
    let mut types = Vec::new();
    loop {
        match ws.next_event().await {
            Some(Ok(e)) => types.push(kind(&e)),
            Some(Err(e)) => return (types, Err(e)),
            None => break,
        }
    }
    (types, Ok(Response::default()))
}

fn kind(event: &Event) -> String {
    let v: serde_json::Value = serde_json::from_str(&event.data).unwrap();
    v["type"].as_str().unwrap_or("").to_owned()
}

fn ws_messages(server: &MockServer) -> Vec<serde_json::Value> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.method == "WS")
        .map(|r| r.body.unwrap())
        .collect()
}

#[tokio::test]
async fn a_chain_over_one_connection_matches_http_streaming() {
    let server = MockServer::start();
    let c = client(&server);
    let mut ws = c.responses().connect().await.unwrap();
    let upgrade = server
        .requests()
        .into_iter()
        .find(|r| r.method == "GET")
        .unwrap();
    assert_eq!(upgrade.path, "/v1/responses");
    assert_eq!(
        upgrade.headers["authorization"],
        rapidresponse_mock::mask_key("Bearer sk-ws")
    );

    let mut previous: Option<String> = None;
    let mut over_ws = Vec::new();
    for question in ["Name a prime", "And another", "Which is larger"] {
        let mut request = CreateResponse::new("gpt-4.1", question);
        if let Some(id) = &previous {
            request.previous_response_id = id.clone().into();
        }
        ws.create(request).await.unwrap();
        assert_eq!(ws.in_flight(), 1);
        let mut types = Vec::new();
        while let Some(event) = ws.next_event().await {
            let event = event.unwrap();
            if types.is_empty() {
                let v: serde_json::Value = serde_json::from_str(&event.data).unwrap();
                previous = v["response"]["id"].as_str().map(str::to_owned);
            }
            types.push(kind(&event));
        }
        assert_eq!(ws.in_flight(), 0);
        assert_eq!(types.first().map(String::as_str), Some("response.created"));
        assert_eq!(types.last().map(String::as_str), Some("response.completed"));
        over_ws.push(types);
    }
    // The same first request over HTTP gives the same events.
    let mut http = c
        .responses()
        .create_stream(CreateResponse::new("gpt-4.1", "Name a prime"))
        .await
        .unwrap();
    let mut types = Vec::new();
    while let Some(e) = http.next().await {
        types.push(kind(&e.unwrap()));
    }
    assert_eq!(types, over_ws[0]);

    // final_response reads a response to its end.
    let mut request = CreateResponse::new("gpt-4.1", "Last one");
    request.previous_response_id = previous.clone().unwrap().into();
    ws.create(request).await.unwrap();
    let last = ws.final_response().await.unwrap();
    assert_eq!(last.output_text(), "Mock answer to: Last one. (turn 4)");
    assert_eq!(last.previous_response_id.get(), previous.as_ref());

    // Four messages, each a response.create without stream or background;
    // usage counted for each response.
    let sent = ws_messages(&server);
    assert_eq!(sent.len(), 4);
    assert!(sent.iter().all(|m| m["type"] == "response.create"
        && m.get("stream").is_none()
        && m.get("background").is_none()));
    assert_eq!(
        c.usage().responses,
        5,
        "four over the WebSocket, one over HTTP"
    );
    ws.close().await;
}

#[tokio::test]
async fn store_false_chains_live_as_long_as_their_connection() {
    let server = MockServer::start();
    let c = client(&server);
    let mut ws = c.responses().connect().await.unwrap();
    let mut first = CreateResponse::new("gpt-4.1", "Remember 7");
    first.store = false.into();
    ws.create(first).await.unwrap();
    let first = ws.final_response().await.unwrap();
    let id = first.id.get().unwrap().clone();
    let mut second = CreateResponse::new("gpt-4.1", "What did I say?");
    second.store = false.into();
    second.previous_response_id = id.clone().into();
    ws.create(second.clone()).await.unwrap();
    let r = ws.final_response().await.unwrap();
    assert!(r.output_text().ends_with("(turn 2)"), "{}", r.output_text());
    ws.close().await;
    // A new connection has no cache: the chain is gone.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut again = c.responses().connect().await.unwrap();
    again.create(second).await.unwrap();
    match again.final_response().await {
        Err(Error::StreamError { event, .. }) => {
            assert_eq!(event["type"], "error");
            assert_eq!(event["status"], 400);
            assert_eq!(event["error"]["code"], "previous_response_not_found");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_error_event_ends_its_response_and_the_connection_goes_on() {
    let server = MockServer::start();
    let c = client(&server);
    let mut ws = c.responses().connect().await.unwrap();
    let mut bad = CreateResponse::new("gpt-4.1", "hi");
    bad.temperature = 7.0.into();
    ws.create(bad).await.unwrap();
    let (types, end) = read_one(&mut ws).await;
    assert!(types.is_empty());
    match end {
        Err(Error::StreamError { event, .. }) => {
            assert_eq!(event["status"], 400);
            assert_eq!(event["error"]["param"], "temperature");
        }
        other => panic!("{other:?}"),
    }
    ws.create(CreateResponse::new("gpt-4.1", "hi"))
        .await
        .unwrap();
    assert_eq!(
        ws.final_response().await.unwrap().output_text(),
        "Mock answer to: hi."
    );
}

#[tokio::test]
async fn a_drop_mid_response_gives_the_partial_response_and_resends_nothing() {
    let server = MockServer::start();
    let c = client(&server);
    let mut ws = c
        .responses()
        .connect_with(fault("drop-after=3"))
        .await
        .unwrap();
    ws.create(CreateResponse::new("gpt-4.1", "Tell a story"))
        .await
        .unwrap();
    let (types, end) = read_one(&mut ws).await;
    assert_eq!(types.len(), 3);
    let e = end.unwrap_err();
    assert!(matches!(e, Error::Connection { .. }), "{e:?}");
    assert!(e.to_string().contains("1006"), "{e}");
    let partial = e.partial_response().expect("the response so far");
    assert!(partial.id.get().is_some_and(|id| id.starts_with("resp_")));
    assert_eq!(ws.closed().map(|(code, _)| code), Some(1006));
    // The next create says the connection is closed, and nothing was re-sent.
    assert!(ws
        .create(CreateResponse::new("gpt-4.1", "again"))
        .await
        .is_err());
    assert_eq!(ws_messages(&server).len(), 1);
}

#[tokio::test]
async fn a_refused_upgrade_is_the_api_error() {
    let server = MockServer::start();
    let c = client(&server);
    let e = c
        .responses()
        .connect_with(fault("status=401"))
        .await
        .unwrap_err();
    match &e {
        Error::Api(api) => {
            assert_eq!(api.status, 401);
            assert_eq!(api.kind, ErrorKind::Authentication);
        }
        other => panic!("{other:?}"),
    }
    let mut wrong_key = common::config(&server, "sk-ws");
    wrong_key.api_key = Some("sk-wrong".into());
    let guarded = MockServer::start_with(rapidresponse_mock::MockOptions {
        api_key: Some("sk-right".into()),
        ..Default::default()
    })
    .unwrap();
    wrong_key.base_url = guarded.url();
    let e = Client::new(wrong_key)
        .unwrap()
        .responses()
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(&e, Error::Api(api) if api.status == 401), "{e:?}");
}

#[tokio::test]
async fn a_stall_past_the_read_timeout_ends_with_the_partial_response() {
    let server = MockServer::start();
    let mut config = common::config(&server, "sk-ws");
    config.timeouts.read = Duration::from_millis(300);
    let c = Client::new(config).unwrap();
    let mut ws = c
        .responses()
        .connect_with(fault("stall-after=2"))
        .await
        .unwrap();
    ws.create(CreateResponse::new("gpt-4.1", "hi"))
        .await
        .unwrap();
    let (types, end) = read_one(&mut ws).await;
    assert_eq!(types.len(), 2);
    let e = end.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Timeout {
                kind: TimeoutKind::Read,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.partial_response().is_some());
}

#[tokio::test]
async fn an_oversized_message_is_refused_not_buffered() {
    let server = MockServer::start();
    let mut config = common::config(&server, "sk-ws");
    config.max_event_bytes = 64 * 1024;
    let c = Client::new(config).unwrap();
    let mut ws = c
        .responses()
        .connect_with(fault("big-event=1000000"))
        .await
        .unwrap();
    ws.create(CreateResponse::new("gpt-4.1", "hi"))
        .await
        .unwrap();
    let (_, end) = read_one(&mut ws).await;
    let e = end.unwrap_err();
    assert!(e.to_string().contains("refused"), "{e}");
}

#[tokio::test]
async fn ready_events_come_in_batches_that_lose_nothing() {
    let server = MockServer::start();
    let c = client(&server);
    let mut ws = c.responses().connect().await.unwrap();
    ws.create(CreateResponse::new("gpt-4.1", "Tell a story"))
        .await
        .unwrap();
    let (mut batches, mut types) = (0, Vec::new());
    while let Some(batch) = ws.next_ready(1024).await {
        batches += 1;
        types.extend(batch.unwrap().iter().map(kind));
    }
    let mut http = c
        .responses()
        .create_stream(CreateResponse::new("gpt-4.1", "Tell a story"))
        .await
        .unwrap();
    let mut expected = Vec::new();
    while let Some(e) = http.next().await {
        expected.push(kind(&e.unwrap()));
    }
    assert_eq!(types, expected);
    assert!(batches >= 1 && batches <= types.len());
    // An error after events comes with the next call, after them.
    let mut dropped = c
        .responses()
        .connect_with(fault("drop-after=4"))
        .await
        .unwrap();
    dropped
        .create(CreateResponse::new("gpt-4.1", "hi"))
        .await
        .unwrap();
    let mut got = 0;
    let end = loop {
        match dropped.next_ready(1024).await {
            Some(Ok(batch)) => got += batch.len(),
            Some(Err(e)) => break e,
            None => panic!("the drop was not reported"),
        }
    };
    assert_eq!(got, 4);
    assert!(end.partial_response().is_some(), "{end:?}");
}

fn json(event: &Event) -> serde_json::Value {
    serde_json::from_str(&event.data).unwrap()
}

#[tokio::test]
async fn lanes_run_side_by_side_and_each_response_keeps_its_own_events() {
    let server = MockServer::start();
    let c = client(&server);
    let mut ws = c.responses().connect().await.unwrap();
    // The "slow" lane thinks before its first event; "fast" does not. On
    // one first-in-first-out lane, "slow" would finish first.
    let slow = CreateResponse::new("mock-fault:think-ms=300", "Slow question");
    ws.create_in(slow, "slow").await.unwrap();
    ws.create_in(CreateResponse::new("gpt-4.1", "Fast question"), "fast")
        .await
        .unwrap();
    assert_eq!(ws.in_flight(), 2);
    let mut finished = Vec::new();
    let mut deltas = std::collections::HashMap::<String, String>::new();
    while let Some(event) = ws.next_event().await {
        let v = json(&event.unwrap());
        let lane = v["stream_id"].as_str().unwrap().to_owned();
        match v["type"].as_str().unwrap() {
            "response.output_text.delta" => {
                deltas
                    .entry(lane)
                    .or_default()
                    .push_str(v["delta"].as_str().unwrap());
            }
            "response.completed" => finished.push((lane, v["response"]["id"].clone())),
            _ => {}
        }
    }
    assert_eq!(finished.len(), 2);
    assert_eq!(finished[0].0, "fast");
    assert_eq!(finished[1].0, "slow");
    assert_eq!(deltas["fast"], "Mock answer to: Fast question.");
    assert_eq!(deltas["slow"], "Mock answer to: Slow question.");
    assert_eq!(ws.in_flight(), 0);

    // final_response reads the oldest response to its end; the other
    // lane's events that came meanwhile are kept for next_event.
    let slow = CreateResponse::new("mock-fault:think-ms=200", "Second slow");
    ws.create_in(slow, "slow").await.unwrap();
    ws.create_in(CreateResponse::new("gpt-4.1", "Second fast"), "fast")
        .await
        .unwrap();
    let response = ws.final_response().await.unwrap();
    assert_eq!(response.output_text(), "Mock answer to: Second slow.");
    let mut kept = Vec::new();
    while let Some(event) = ws.next_event().await {
        let v = json(&event.unwrap());
        assert_eq!(v["stream_id"], "fast");
        kept.push(v["type"].as_str().unwrap().to_owned());
    }
    assert_eq!(kept.first().map(String::as_str), Some("response.created"));
    assert_eq!(kept.last().map(String::as_str), Some("response.completed"));
    let none = ws.final_response().await.unwrap_err();
    assert!(none.to_string().contains("no response"), "{none}");
}

#[tokio::test]
async fn a_recoverable_drop_reconnects_as_the_handler_says_and_resends_nothing() {
    let server = MockServer::start();
    let c = client(&server);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Reconnecting>::new()));
    let policy = ReconnectPolicy {
        max_retries: 3,
        initial_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(50),
    };
    let record = seen.clone();
    let mut ws = c.responses().connect().await.unwrap().reconnect_with(
        policy,
        move |event: &Reconnecting, options: &mut RequestOptions| {
            record.lock().unwrap().push(*event);
            options.header("x-session", "resumed");
            true
        },
    );
    let story = CreateResponse::new("mock-fault:drop-after=2", "Tell a story");
    ws.create(story).await.unwrap();
    let (types, end) = read_one(&mut ws).await;
    assert_eq!(types.len(), 2);
    let e = end.unwrap_err();
    assert!(e.to_string().contains("1006"), "{e}");
    assert!(e.partial_response().is_some());
    assert_eq!(ws.closed(), None, "a reconnect is due, not an end");

    // Sent while reconnecting: queued, then sent on the new socket.
    ws.create(CreateResponse::new("gpt-4.1", "hi"))
        .await
        .unwrap();
    let response = ws.final_response().await.unwrap();
    assert_eq!(response.output_text(), "Mock answer to: hi.");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].attempt, seen[0].max_attempts), (1, 3));
    assert_eq!(seen[0].close_code, 1006);
    assert!(
        seen[0].delay >= Duration::from_millis(15) && seen[0].delay <= Duration::from_millis(20)
    );
    let upgrades: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET")
        .collect();
    assert_eq!(upgrades.len(), 2);
    assert_eq!(upgrades[1].headers["x-session"], "resumed");
    assert!(!upgrades[0].headers.contains_key("x-session"));
    // The story went out once: nothing in flight is re-sent.
    let inputs: Vec<_> = ws_messages(&server)
        .iter()
        .map(|m| m["input"].clone())
        .collect();
    assert_eq!(inputs, ["Tell a story", "hi"]);
}

#[tokio::test]
async fn a_reconnect_the_handler_stops_ends_the_connection_with_its_unsent_messages() {
    let server = MockServer::start();
    let c = client(&server);
    let mut ws = c
        .responses()
        .connect()
        .await
        .unwrap()
        .reconnect_with(
            ReconnectPolicy::default(),
            |_: &Reconnecting, _: &mut RequestOptions| false,
        )
        .max_queue_bytes(200);
    let story = CreateResponse::new("mock-fault:drop-after=1", "Tell a story");
    ws.create(story).await.unwrap();
    let (_, end) = read_one(&mut ws).await;
    assert!(end.unwrap_err().to_string().contains("1006"));
    // Sent while reconnecting: queued while there is room.
    let big = CreateResponse::new("gpt-4.1", "x".repeat(500));
    match ws.create(big).await {
        Err(Error::SendQueueFull { max_bytes: 200 }) => {}
        other => panic!("{other:?}"),
    }
    ws.create(CreateResponse::new("gpt-4.1", "queued"))
        .await
        .unwrap();
    let e = ws.final_response().await.unwrap_err();
    assert!(matches!(e, Error::Connection { .. }), "{e:?}");
    assert_eq!(ws.closed().map(|(code, _)| code), Some(1006));
    let unsent = ws.take_unsent();
    assert_eq!(unsent.len(), 1);
    assert!(unsent[0].contains("\"queued\""), "{unsent:?}");
    assert!(ws
        .create(CreateResponse::new("gpt-4.1", "later"))
        .await
        .is_err());
    assert_eq!(ws_messages(&server).len(), 1);
}

#[tokio::test]
async fn an_upgrade_redirect_is_followed_without_credentials_to_another_origin() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = MockServer::start();
    // A server that sends every upgrade on to the mock (another port: another origin).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let here = listener.local_addr().unwrap().port();
    let target = format!("http://127.0.0.1:{}/v1/responses", server.port());
    tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
            if socket.read(&mut byte).await.unwrap_or(0) == 0 {
                return;
            }
            head.push(byte[0]);
        }
        let reply = format!(
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: {target}\r\nContent-Length: 0\r\n\r\n"
        );
        let _ = socket.write_all(reply.as_bytes()).await;
    });
    let mut config = common::config(&server, "sk-ws");
    config.base_url = format!("http://127.0.0.1:{here}/v1");
    let c = Client::new(config).unwrap();
    let mut ws = c.responses().connect().await.unwrap();
    ws.create(CreateResponse::new("gpt-4.1", "redirected"))
        .await
        .unwrap();
    let response = ws.final_response().await.unwrap();
    assert_eq!(response.output_text(), "Mock answer to: redirected.");
    let upgrade = server
        .requests()
        .into_iter()
        .find(|r| r.method == "GET")
        .unwrap();
    assert!(
        !upgrade.headers.contains_key("authorization"),
        "the key stays behind on the way to another origin"
    );
}

#[tokio::test]
async fn a_response_cut_by_the_read_timeout_never_feeds_the_next_one() {
    let server = MockServer::start();
    let c = client(&server);
    let options = CallOptions::new().timeout(Duration::from_millis(350));
    let mut ws = c.responses().connect_with(options).await.unwrap();
    // The first thinks past the read timeout; its events come later, on
    // the same lane as the second.
    let slow = CreateResponse::new("mock-fault:think-ms=500", "Slow");
    ws.create(slow).await.unwrap();
    let e = ws.final_response().await.unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    ws.create(CreateResponse::new("gpt-4.1", "Next"))
        .await
        .unwrap();
    let next = ws.final_response().await.unwrap();
    assert_eq!(next.output_text(), "Mock answer to: Next.");
}

#[tokio::test]
async fn close_during_a_reconnect_stops_it() {
    let server = MockServer::start();
    let c = client(&server);
    let policy = ReconnectPolicy {
        max_retries: 3,
        initial_delay: Duration::from_millis(400),
        max_delay: Duration::from_millis(400),
    };
    let mut ws = c
        .responses()
        .connect()
        .await
        .unwrap()
        .reconnect_with(policy, |_: &Reconnecting, _: &mut RequestOptions| true);
    let story = CreateResponse::new("mock-fault:drop-after=1", "Tell a story");
    ws.create(story).await.unwrap();
    let (_, end) = read_one(&mut ws).await;
    assert!(end.is_err());
    ws.create(CreateResponse::new("gpt-4.1", "queued"))
        .await
        .unwrap();
    let sender = ws.sender();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        sender.close().await;
    });
    // The reconnect waits 300-400 ms; the close comes first.
    assert!(ws.final_response().await.is_err());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let upgrades = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET")
        .count();
    assert_eq!(upgrades, 1, "no socket opened after close()");
    assert_eq!(ws_messages(&server).len(), 1);
}
