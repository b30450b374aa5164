//! A broken or hostile server against the real client over HTTP: the mock's
//! `hostile=` attacks, cross-origin redirects to a second server that
//! records what arrives, endless bodies and paging that never ends. Each
//! test asserts the documented outcome and that the next call on the same
//! client still works (no poisoned lock, no wedged connection pool).

use futures_util::StreamExt;
use rapidresponse::*;
use rapidresponse_mock::{mask_key, MockOptions, MockServer, HOSTILE_TEXT, NON_ASCII_MODEL};

const KEY: &str = "sk-test-hostile-canary";

mod common;

fn config(server: &MockServer) -> ClientConfig {
    common::config(server, KEY)
}

fn attack(name: &str) -> CallOptions {
    CallOptions::new().header("x-mock-fault", &format!("hostile={name}"))
}

/// Streams under `name`; the events and the end.
async fn stream(c: &Client<NativeTransport>, name: &str) -> (usize, Result<Response, Error>) {
    let mut s = c
        .responses()
        .create_stream(CreateResponse::new("gpt-4.1", "hostile"))
        .options(attack(name))
        .await
        .unwrap();
    let mut events = 0;
    while let Some(item) = s.next().await {
        match item {
            Ok(_) => events += 1,
            Err(e) => return (events, Err(e)),
        }
    }
    (events, Ok(s.snapshot()))
}

/// The next plain call on the same client works.
async fn still_works(c: &Client<NativeTransport>) {
    let r = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "still there?"))
        .await
        .unwrap();
    assert_eq!(r.status.get(), Some(&ResponseStatus::Completed));
}

#[tokio::test]
async fn streams_that_attack_the_decoder_still_deliver_the_answer() {
    let server = MockServer::start();
    let c = Client::new(config(&server)).unwrap();
    for name in [
        "amplified-id",
        "prototype-keys",
        "non-ascii-model",
        "absurd-numbers",
        "empty-events",
    ] {
        let (events, end) = stream(&c, name).await;
        let response = end.unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(response.output_text(), HOSTILE_TEXT, "{name}");
        assert!(events >= 8, "{name}: {events} events");
        // Whole bodies too.
        let whole = c
            .responses()
            .create(CreateResponse::new("gpt-4.1", "hostile"))
            .options(attack(name))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(whole.output_text(), HOSTILE_TEXT, "{name}");
        still_works(&c).await;
    }
    // The amplified id's 20,000 tiny events were each delivered (unknown
    // events), none of them holding a copy of the 1 MiB id.
    let (events, _) = stream(&c, "amplified-id").await;
    assert!(events > 20_000, "{events}");
    let totals = c.usage();
    // The non-ASCII model was looked up (no price), not sliced (a panic).
    assert!(totals.unpriced_models.iter().any(|m| m == NON_ASCII_MODEL));
    // u64::MAX token counts, twice over: saturated, not overflowed.
    assert_eq!(totals.tokens.input_tokens, u64::MAX);
    assert_eq!(totals.cost_usd(), None);
}

#[tokio::test]
async fn absurd_rate_limit_headers_read_as_absent() {
    let server = MockServer::start();
    let c = Client::new(config(&server)).unwrap();
    let r = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "numbers"))
        .options(attack("absurd-numbers"))
        .await
        .unwrap();
    let limits = r.rate_limit().unwrap();
    assert_eq!(limits.reset_tokens, None);
    assert_eq!(limits.reset_requests, None);
    assert_eq!(limits.limit_tokens, None);
    assert_eq!(limits.remaining_tokens, None);
}

#[tokio::test]
async fn deeply_nested_json_is_a_decode_error_not_a_stack_overflow() {
    let server = MockServer::start();
    let c = Client::new(config(&server)).unwrap();
    let mut s = c
        .responses()
        .create_stream(CreateResponse::new("gpt-4.1", "nested"))
        .options(attack("nested-json"))
        .await
        .unwrap();
    let (mut events, mut errors) = (0, Vec::new());
    while let Some(item) = s.next().await {
        match item {
            Ok(_) => events += 1,
            Err(e) => errors.push(e),
        }
    }
    // That one event is a decode error; the stream goes on (the strict
    // preset yields a bad event's error and reads on), and the final
    // response still has the whole text.
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(matches!(errors[0], Error::Decode(_)), "{errors:?}");
    assert!(events >= 8, "{events}");
    assert_eq!(s.snapshot().output_text(), HOSTILE_TEXT);
    let whole = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "nested"))
        .options(attack("nested-json"))
        .await
        .unwrap_err();
    assert!(matches!(whole, Error::Decode(_)), "{whole:?}");
    still_works(&c).await;
}

#[tokio::test]
async fn a_megabyte_header_is_a_connection_error() {
    let server = MockServer::start();
    let c = Client::new(config(&server)).unwrap();
    let err = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "big header"))
        .options(attack("big-header").max_retries(0))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    still_works(&c).await;
}

#[tokio::test]
async fn an_endless_body_stops_at_the_limit_without_a_retry() {
    let server = MockServer::start();
    let mut cfg = config(&server);
    cfg.max_body_bytes = 4 << 20;
    let c = Client::new(cfg).unwrap();
    let err = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "endless"))
        .options(attack("endless-body"))
        .await
        .unwrap_err();
    match &err {
        Error::Connection { message, .. } => {
            assert!(message.contains("limit of 4194304 bytes"), "{message}")
        }
        other => panic!("expected the body limit, got {other:?}"),
    }
    let posts = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/responses"))
        .count();
    assert_eq!(posts, 1, "a body over the limit is not retried");
    still_works(&c).await;
}

#[tokio::test]
async fn a_body_announced_over_the_limit_is_refused_from_its_header() {
    let server = MockServer::start();
    let c = Client::new(config(&server)).unwrap();
    let err = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "oversized"))
        .options(attack("oversized-body"))
        .await
        .unwrap_err();
    match &err {
        Error::Connection { message, .. } => {
            assert!(message.contains("limit of 268435456 bytes"), "{message}")
        }
        other => panic!("expected the body limit, got {other:?}"),
    }
    still_works(&c).await;
}

#[tokio::test]
async fn paging_that_never_ends_stops_and_says_why() {
    let server = MockServer::start();
    let c = Client::new(config(&server)).unwrap();
    for (name, why) in [
        ("empty-pages", "empty page"),
        ("stuck-cursor", "repeated the cursor"),
    ] {
        let items: Vec<Result<Item, Error>> = c
            .responses()
            .input_items()
            .list_all("resp_any", Vec::new(), attack(name))
            .take(10)
            .collect()
            .await;
        let err = items.last().unwrap().as_ref().unwrap_err();
        assert!(err.to_string().contains(why), "{name}: {err}");
        let requests = server
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/input_items"))
            .count();
        assert!(requests <= 4, "{name}: {requests} pages requested");
    }
}

#[tokio::test]
async fn no_credential_follows_a_redirect_to_another_origin() {
    // The second origin is another server that records what arrives.
    let elsewhere = MockServer::start();
    let server = MockServer::start_with(MockOptions {
        api_key: Some(KEY.into()),
        port: None,
    })
    .unwrap();
    let mut cfg = config(&server);
    cfg.default_headers.set("x-api-key", "gateway-secret");
    cfg.default_headers
        .set("x-portkey-api-key", "portkey-secret");
    cfg.default_headers.set("api-key", "azure-secret");
    let c = Client::new(cfg).unwrap();
    for code in [307, 302] {
        server.push_fault(&format!(
            "redirect={code};redirect-host=127.0.0.1:{}",
            elsewhere.port()
        ));
        let r = c
            .responses()
            .create(CreateResponse::new("gpt-4.1", "elsewhere"))
            .await;
        match code {
            307 => assert_eq!(r.unwrap().status.get(), Some(&ResponseStatus::Completed)),
            // The GET it became has no such endpoint there.
            _ => assert!(
                matches!(r, Err(Error::Api(ref e)) if e.status == 404),
                "{r:?}"
            ),
        }
    }
    let first = &server.requests()[0];
    assert_eq!(
        first.headers["authorization"],
        mask_key(&format!("Bearer {KEY}"))
    );
    let arrived = elsewhere.requests();
    assert_eq!(arrived.len(), 2, "{arrived:?}");
    for request in &arrived {
        for name in ["authorization", "api-key", "x-api-key", "x-portkey-api-key"] {
            assert!(!request.headers.contains_key(name), "{name}: {request:?}");
        }
        assert!(request.headers.contains_key("user-agent"));
    }
    // 307 kept the POST and its body; 302 after a POST became a GET.
    assert_eq!(arrived[0].method, "POST");
    assert_eq!(arrived[0].body, first.body);
    assert_eq!(arrived[1].method, "GET");
}

#[tokio::test]
async fn too_many_redirects_are_not_retried() {
    let server = MockServer::start();
    let c = Client::new(config(&server)).unwrap();
    // The header brings the fault back with every request: a loop.
    let err = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "loop"))
        .options(CallOptions::new().header("x-mock-fault", "redirect=307"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("too many redirects"), "{err}");
    let posts = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/responses"))
        .count();
    assert_eq!(posts, 11, "one request and ten redirects, no retry");
}

#[tokio::test]
async fn a_key_with_a_newline_is_refused_without_quoting_it() {
    let server = MockServer::start();
    let mut cfg = config(&server);
    cfg.api_key = Some("sk-test-newline-canary\n".into());
    let c = Client::new(cfg).unwrap();
    let err = c
        .responses()
        .create(CreateResponse::new("gpt-4.1", "x"))
        .await
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(shown.to_lowercase().contains("authorization"), "{shown}");
    assert!(!shown.contains("newline-canary"), "{shown}");
    assert!(server.requests().is_empty(), "nothing was sent");
}
