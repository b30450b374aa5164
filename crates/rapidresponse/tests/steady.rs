//! Every request shape the client sends, checked against the official
//! OpenAPI spec by Steady (npm `@stdy/cli`, installed into tests/steady by
//! scripts/ci/rust-tests): each must be answered `x-steady-request-valid:
//! true`. Needs ../shared/spec/openai-openapi.yaml (CI has it).

use rapidresponse::*;
use serde_json::json;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Steady {
    child: Child,
    port: u16,
}

// npm's `.bin/steady` is a node wrapper that starts the native binary as
// its child: killing the wrapper alone left that one running after the
// tests. Steady gets a process group of its own, and the group is killed.
impl Drop for Steady {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn start_steady() -> Option<Steady> {
    let bin = repo().join("tests/steady/node_modules/.bin/steady");
    let spec = std::env::var_os("RAPIDRESPONSE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"))
        .join("spec/openai-openapi.yaml");
    if !bin.exists() || !spec.exists() {
        // CI installs Steady and has the spec: there, absence is a failure.
        assert!(
            std::env::var_os("CI").is_none(),
            "Steady or the spec is missing: run scripts/ci/rust-tests"
        );
        eprintln!("Steady or ../shared/spec missing: run scripts/ci/rust-tests to install Steady");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin)
        .args([
            "--host",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "--validator-query-array-format=brackets",
        ])
        .arg(spec)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("start steady");
    let steady = Steady { child, port };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "Steady did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(steady)
}

fn valid(headers: &Headers, what: &str) {
    assert_eq!(
        headers.get("x-steady-request-valid"),
        Some("true"),
        "{what}: {headers:?}"
    );
}

fn request_fixture(name: &str) -> CreateResponse {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/requests").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn every_request_shape_is_valid_per_the_official_spec() {
    let Some(steady) = start_steady() else { return };
    // Paths in the spec have no /v1 prefix.
    let mut cfg = ClientConfig::new(
        Some("sk-steady".into()),
        format!("http://127.0.0.1:{}", steady.port),
    );
    cfg.retry.max_retries = 0;
    let c = Client::new(cfg).unwrap();

    let mut shapes: Vec<(&str, CreateResponse)> = vec![
        ("basic", request_fixture("basic.json")),
        ("function_loop", request_fixture("function_loop.json")),
        (
            "structured_output",
            request_fixture("structured_output.json"),
        ),
    ];
    let mut rich = CreateResponse::new("gpt-5", "Review this diff");
    rich.instructions = "You are a code reviewer".into();
    rich.temperature = 0.2.into();
    rich.max_output_tokens = 4096.into();
    rich.store = false.into();
    rich.include = vec!["reasoning.encrypted_content".to_owned()].into();
    rich.reasoning = ReasoningConfig {
        effort: "high".into(),
        summary: "auto".into(),
        ..Default::default()
    }
    .into();
    rich.tools = vec![Tool::Function(FunctionTool::new(
        "run_tests",
        "Run the test suite",
        json!({"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"], "additionalProperties": false}),
    ))]
    .into();
    rich.tool_choice = ToolChoice::Mode(ToolChoiceMode::Auto).into();
    rich.prompt_cache_key = "review-bot".into();
    rich.prompt_cache_retention = "24h".into();
    rich.previous_response_id = "resp_123".into();
    shapes.push(("rich", rich));
    for (name, req) in shapes {
        let r = c
            .responses()
            .create(req.clone())
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        valid(&r.http_headers, name);
        let s = c
            .responses()
            .create_stream(req)
            .await
            .unwrap_or_else(|e| panic!("{name} stream: {e}"));
        valid(s.headers(), &format!("{name} (stream)"));
    }

    let r = c
        .responses()
        .retrieve("resp_123")
        .param("include", vec!["reasoning.encrypted_content".to_owned()])
        .await
        .unwrap();
    valid(&r.http_headers, "retrieve");
    let s = c
        .responses()
        .retrieve_stream("resp_123", Some(4))
        .await
        .unwrap();
    valid(s.headers(), "retrieve stream");
    let raw = c
        .request(Method::Delete, "/responses/resp_123", None)
        .await
        .unwrap();
    valid(&raw.http_headers, "delete");
    let r = c.responses().cancel("resp_123").await.unwrap();
    valid(&r.http_headers, "cancel");
    let r = c
        .responses()
        .input_items()
        .list("resp_123")
        .param("after", "msg_1")
        .param("limit", 10i64)
        .param("order", "asc")
        .param("include", vec!["message.input_image.image_url".to_owned()])
        .await
        .unwrap();
    valid(&r.http_headers, "input_items");
    let r = c
        .responses()
        .compact(json!({"model": "gpt-5", "input": "a long history"}))
        .await
        .unwrap();
    valid(&r.http_headers, "compact");
    let r = c
        .responses()
        .input_tokens()
        .count(json!({"model": "gpt-5", "input": "count me"}))
        .await
        .unwrap();
    valid(&r.http_headers, "input_tokens");
    let chat: ChatCompletionRequest = serde_json::from_value(json!({
        "model": "gpt-4o", "max_tokens": 100, "temperature": 0.5,
        "messages": [{"role": "user", "content": "hi"}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}]
    }))
    .unwrap();
    let r = c.chat().completions().create(chat).await.unwrap();
    valid(&r.http_headers, "chat.completions");
    let legacy: CompletionRequest = serde_json::from_value(
        json!({"model": "gpt-3.5-turbo-instruct", "prompt": "hi", "max_tokens": 5}),
    )
    .unwrap();
    let r = c.completions().create(legacy).await.unwrap();
    valid(&r.http_headers, "completions");

    // Conversations, and a response created in one.
    let message = json!({"type": "message", "role": "user", "content": "hi"});
    let conversations = c.conversations();
    let r = conversations
        .create(json!({"items": [message], "metadata": {"topic": "review"}}))
        .await
        .unwrap();
    valid(&r.http_headers, "conversations.create");
    let r = conversations.create(json!({})).await.unwrap();
    valid(&r.http_headers, "conversations.create (empty)");
    let r = conversations.retrieve("conv_1").await.unwrap();
    valid(&r.http_headers, "conversations.retrieve");
    let r = conversations
        .update("conv_1", json!({"topic": "tests"}))
        .await
        .unwrap();
    valid(&r.http_headers, "conversations.update");
    let r = conversations.delete("conv_1").await.unwrap();
    valid(&r.http_headers, "conversations.delete");
    let items = conversations.items();
    let r = items
        .create("conv_1", vec![message.clone()])
        .param("include", vec!["message.input_image.image_url".to_owned()])
        .await
        .unwrap();
    valid(&r.http_headers, "conversations.items.create");
    let r = items
        .list("conv_1")
        .param("after", "msg_1")
        .param("limit", 10i64)
        .param("order", "asc")
        .param("include", vec!["message.output_text.logprobs".to_owned()])
        .await
        .unwrap();
    valid(&r.http_headers, "conversations.items.list");
    let r = items
        .retrieve("conv_1", "msg_1")
        .param("include", vec!["message.output_text.logprobs".to_owned()])
        .await
        .unwrap();
    valid(&r.http_headers, "conversations.items.retrieve");
    let r = items.delete("conv_1", "msg_1").await.unwrap();
    valid(&r.http_headers, "conversations.items.delete");
    let mut in_conversation = CreateResponse::new("gpt-5", "and then?");
    in_conversation.conversation = json!("conv_1").into();
    let r = c.responses().create(in_conversation).await.unwrap();
    valid(&r.http_headers, "responses.create with conversation");

    // Models.
    let r = c.models().list().await.unwrap();
    valid(&r.http_headers, "models.list");
    let r = c.models().retrieve("gpt-4.1").await.unwrap();
    valid(&r.http_headers, "models.retrieve");
    let r = c.models().delete("ft:gpt-4.1:acme::abc").await.unwrap();
    valid(&r.http_headers, "models.delete");
}
