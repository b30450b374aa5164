//! The client loop over the in-memory transport: retry delays as decided
//! (no real sleeping), the token provider called per attempt, `with_options`
//! sharing usage totals, and a stream cut mid-body.

use bytes::Bytes;
use rapidresponse::transport::{CannedResponse, TransportError, TransportErrorKind};
use rapidresponse::*;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn response_json(text: &str) -> serde_json::Value {
    json!({"id": "resp_1", "object": "response", "status": "completed", "model": "gpt-5-mini",
           "output": [{"type": "message", "id": "m", "role": "assistant", "status": "completed",
                       "content": [{"type": "output_text", "text": text, "annotations": []}]}],
           "usage": {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}})
}

fn status_with(status: u16, headers: &[(&str, &str)]) -> CannedResponse {
    CannedResponse::Http {
        status,
        headers: headers.iter().copied().collect(),
        chunks: vec![Bytes::from_static(
            br#"{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}"#,
        )],
        then_drop: false,
    }
}

#[tokio::test]
async fn retry_delays_follow_the_server_and_the_backoff() {
    let transport = MemoryTransport::new([
        status_with(429, &[("retry-after-ms", "250")]),
        CannedResponse::Fail(TransportError::new(TransportErrorKind::Connect, "refused")),
        CannedResponse::json(&response_json("ok")),
    ]);
    let client = Client::with_transport(
        ClientConfig::new(Some("sk-mem".into()), "http://memory/v1"),
        transport.clone(),
    );
    let r = client
        .responses()
        .create(CreateResponse::new("gpt-5-mini", "x"))
        .await
        .unwrap();
    assert_eq!(r.output_text(), "ok");
    assert_eq!(r.retries_taken, 2);
    // 250 ms from the header, then the backoff's second step (1 s, jitter 0).
    assert_eq!(
        transport.sleeps(),
        [Duration::from_millis(250), Duration::from_secs(1)]
    );
    assert_eq!(transport.requests().len(), 3);
}

#[tokio::test]
async fn the_token_provider_is_called_before_every_attempt() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let provider: TokenProvider =
        Arc::new(move || Ok(format!("token-{}", counter.fetch_add(1, Ordering::SeqCst))));
    let transport = MemoryTransport::new([
        status_with(500, &[]),
        CannedResponse::json(&response_json("ok")),
    ]);
    let client = Client::with_transport(
        ClientConfig::new(None, "http://memory/v1"),
        transport.clone(),
    )
    .with_token_provider(provider);
    client
        .responses()
        .create(CreateResponse::new("m", "x"))
        .await
        .unwrap();
    let auth: Vec<String> = transport
        .requests()
        .iter()
        .map(|r| r.headers.get("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(auth, ["Bearer token-0", "Bearer token-1"]);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn with_options_changes_settings_and_shares_usage() {
    let transport = MemoryTransport::new([
        CannedResponse::json(&response_json("a")),
        CannedResponse::json(&response_json("b")),
    ]);
    let base = Client::with_transport(
        ClientConfig::new(Some("sk".into()), "http://memory/v1"),
        transport.clone(),
    );
    let other = base.with_options(|c| {
        c.default_headers.set("X-Team", "blue");
        c.retry.max_retries = 0;
    });
    base.responses()
        .create(CreateResponse::new("gpt-5-mini", "x"))
        .await
        .unwrap();
    other
        .responses()
        .create(CreateResponse::new("gpt-5-mini", "x"))
        .await
        .unwrap();
    let sent = transport.requests();
    assert_eq!(sent[0].headers.get("x-team"), None);
    assert_eq!(sent[1].headers.get("x-team"), Some("blue"));
    assert_eq!(base.usage().responses, 2);
    assert_eq!(base.usage().tokens.total_tokens, 30);
    let expected = 2.0 * (10.0 * 0.25 + 5.0 * 2.0) / 1e6;
    assert!((base.usage().cost_usd().unwrap() - expected).abs() < 1e-15);
}

#[tokio::test]
async fn a_stream_cut_mid_body_keeps_what_arrived() {
    let body = concat!(
        "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"r\",\"status\":\"in_progress\"}}\n\n",
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":1,\"output_index\":0,\"content_index\":0,\"delta\":\"Hel\"}\n\n",
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.de"
    );
    let transport = MemoryTransport::new([CannedResponse::Http {
        status: 200,
        headers: [("content-type", "text/event-stream")]
            .into_iter()
            .collect(),
        chunks: vec![Bytes::from_static(body.as_bytes())],
        then_drop: true,
    }]);
    let client = Client::with_transport(
        ClientConfig::new(Some("sk".into()), "http://memory/v1"),
        transport.clone(),
    );
    let mut s = client
        .responses()
        .create_stream(CreateResponse::new("m", "x"))
        .await
        .unwrap();
    assert!(s.next().await.unwrap().is_ok());
    assert!(s.next().await.unwrap().is_ok());
    let err = s.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert_eq!(err.partial_response().unwrap().output_text(), "Hel");
    assert!(s.next().await.is_none());
    assert_eq!(transport.requests().len(), 1, "never re-POSTed");
}

#[tokio::test]
async fn per_call_options_reach_every_method() {
    let transport = MemoryTransport::new([
        CannedResponse::json(&json!({"id": "resp_1", "object": "response", "deleted": true})),
        status_with(500, &[]),
        CannedResponse::json(&json!({"object": "list", "data": [], "has_more": false})),
    ]);
    let client = Client::with_transport(
        ClientConfig::new(Some("sk".into()), "http://memory/v1"),
        transport.clone(),
    );
    let opts = CallOptions::new()
        .header("X-Trace", "t1")
        .query("debug", "1");
    client
        .responses()
        .delete("resp_1")
        .options(opts.clone())
        .await
        .unwrap();
    // No retries for this call: the 500 is final.
    let err = client
        .responses()
        .cancel("resp_1")
        .options(opts.clone().max_retries(0))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500));
    client
        .responses()
        .input_items()
        .list("resp_1")
        .options(opts)
        .await
        .unwrap();
    let sent = transport.requests();
    assert_eq!(sent.len(), 3);
    for r in &sent {
        assert_eq!(r.headers.get("x-trace"), Some("t1"), "{}", r.url);
        assert!(r.url.ends_with("debug=1"), "{}", r.url);
    }
}

#[tokio::test]
async fn read_ready_buffers_what_arrived_and_leaves_the_drop_to_next() {
    let event = |n: u32, delta: &str| {
        format!("data: {{\"type\":\"response.output_text.delta\",\"sequence_number\":{n},\"output_index\":0,\"content_index\":0,\"delta\":\"{delta}\"}}\n\n")
    };
    let first = format!(
        "data: {{\"type\":\"response.created\",\"sequence_number\":0,\"response\":{{\"id\":\"r\",\"status\":\"in_progress\"}}}}\n\n{}",
        event(1, "a")
    );
    let chunks = vec![
        Bytes::from(first),
        Bytes::from(event(2, "b")),
        Bytes::from(event(3, "c") + &event(4, "d")),
    ];
    let transport = MemoryTransport::new([CannedResponse::Http {
        status: 200,
        headers: [("content-type", "text/event-stream")]
            .into_iter()
            .collect(),
        chunks,
        then_drop: true,
    }]);
    let client = Client::with_transport(
        ClientConfig::new(Some("sk".into()), "http://memory/v1"),
        transport,
    );
    let mut s = client
        .responses()
        .create_stream(CreateResponse::new("m", "x"))
        .await
        .unwrap();
    assert!(s.next().await.unwrap().is_ok()); // created; "a" is buffered
    s.raw().read_ready(2); // stops at the bound: "a", "b"
    let mut deltas = Vec::new();
    while let Some(e) = s.raw().next_buffered() {
        let event = Event::decode(e.unwrap()).unwrap().event;
        if let ResponseStreamEvent::OutputTextDelta(d) = event {
            deltas.extend(d.delta.as_deref().map(str::to_owned));
        }
    }
    assert_eq!(deltas, ["a", "b"]);
    s.raw().read_ready(100); // "c", "d", then the drop is kept for next()
    assert!(s.raw().next_buffered().unwrap().is_ok());
    assert!(s.raw().next_buffered().unwrap().is_ok());
    assert!(s.raw().next_buffered().is_none());
    let err = s.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert_eq!(err.partial_response().unwrap().output_text(), "abcd");
}
