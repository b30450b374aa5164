//! The `rapidresponse` binary end to end: with no key it streams from the
//! embedded mock; with OPENAI_BASE_URL it talks to that server; the
//! subcommands read, cancel and delete stored responses.

mod common;

use common::cli;

#[test]
fn with_no_key_it_streams_from_the_embedded_mock() {
    let out = cli().arg("Write FizzBuzz in Python").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("FizzBuzz"), "{stdout}");
    assert!(stderr.contains("embedded mock server"), "{stderr}");
    assert!(
        stderr.contains("tokens:") && stderr.contains("estimated cost $"),
        "{stderr}"
    );
}

#[test]
fn json_mode_and_subcommands_against_a_server() {
    let server = rapidresponse_mock::MockServer::start();
    let out = cli()
        .env("OPENAI_BASE_URL", server.url())
        .args([
            "--json",
            "--model",
            "gpt-4.1",
            "--temperature",
            "0.2",
            "hello",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.first().unwrap()["type"], "response.created");
    assert_eq!(lines.last().unwrap()["type"], "response.completed");
    let id = lines.last().unwrap()["response"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sent = server.requests();
    assert_eq!(sent[0].body.as_ref().unwrap()["temperature"], 0.2);

    let get = cli()
        .env("OPENAI_BASE_URL", server.url())
        .args(["get", &id])
        .output()
        .unwrap();
    assert!(get.status.success());
    assert!(!String::from_utf8_lossy(&get.stdout).trim().is_empty());
    let items = cli()
        .env("OPENAI_BASE_URL", server.url())
        .args(["items", &id])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&items.stdout).contains("hello"));
    let del = cli()
        .env("OPENAI_BASE_URL", server.url())
        .args(["delete", &id])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&del.stdout).contains("deleted"));
    let again = cli()
        .env("OPENAI_BASE_URL", server.url())
        .args(["get", &id])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("Error code: 404"));
}

#[test]
fn an_empty_prompt_is_a_clear_error() {
    let out = cli().output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("give a prompt"));
}

/// The shared corpus's stream whose last event no blank line ends (as the
/// OpenAPI spec's own example): delivered, so the answer completes; and one
/// cut before its terminal event: a clear failure with the text kept.
#[test]
fn a_last_event_without_a_blank_line_completes_and_a_cut_stream_fails() {
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sse");
    let server = rapidresponse_mock::MockServer::start();
    let run = |name: &str| {
        let body = std::fs::read(fixtures.join(name)).unwrap();
        server.push_replay(200, "text/event-stream", body);
        cli()
            .env("OPENAI_BASE_URL", server.url())
            .arg("hello")
            .output()
            .unwrap()
    };
    let out = run("no_final_blank_line.sse");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("The last event has no blank line."));
    assert!(
        stderr.contains("tokens:"),
        "the completed response's usage: {stderr}"
    );
    let out = run("truncated.sse");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("This stream is cut off mid-"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ended before the response was complete"));
}

#[test]
fn models_lists_the_servers_models() {
    let server = rapidresponse_mock::MockServer::start();
    let out = cli()
        .env("OPENAI_BASE_URL", server.url())
        .arg("models")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let ids: Vec<&str> = stdout.lines().collect();
    assert!(
        ids.contains(&"gpt-4.1") && ids.contains(&"gpt-5"),
        "{stdout}"
    );
    let json = cli()
        .env("OPENAI_BASE_URL", server.url())
        .args(["models", "--json"])
        .output()
        .unwrap();
    let first: serde_json::Value = serde_json::from_str(
        String::from_utf8_lossy(&json.stdout)
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["object"], "model");
    assert_eq!(first["id"], ids[0]);
    assert!(server
        .requests()
        .iter()
        .any(|r| r.method == "GET" && r.path == "/v1/models"));
}
