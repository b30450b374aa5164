//! The command as an automation tool, over HTTP against the mock: piped
//! stdin joins the prompt, attachments become content parts, `--schema`
//! round-trips JSON into `-o`, exit codes tell failures apart, `-c`
//! continues across runs through one log file, and `logs` / `usage` read
//! that log back with the mock's own usage figures.

mod common;

use common::{cli, fresh_log};
use rapidresponse_mock::MockServer;
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

/// Runs the command against `server` with `stdin` piped in.
fn run(server: &MockServer, log: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = cli()
        .env("OPENAI_BASE_URL", server.url())
        .env("RAPIDRESPONSE_LOG_DB", log)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The bodies of the mock's `POST /v1/responses` requests.
fn creates(server: &MockServer) -> Vec<Value> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/v1/responses")
        .map(|r| r.body.unwrap())
        .collect()
}

#[test]
fn piped_stdin_follows_the_prompt_or_takes_the_place_of_a_dash() {
    let server = MockServer::start();
    let log = fresh_log();
    let diff = "diff --git a/x.rs b/x.rs\n+fn main() {}\n";
    let o = run(&server, &log, &["Review this change"], diff);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&server, &log, &["Fix", "-", "please"], "the bug\n");
    assert!(o.status.success(), "{}", stderr(&o));
    let sent = creates(&server);
    assert_eq!(
        sent[0]["input"],
        "Review this change\n\ndiff --git a/x.rs b/x.rs\n+fn main() {}"
    );
    assert_eq!(sent[1]["input"], "Fix the bug please");
    // Only stdin: it is the prompt.
    let o = run(&server, &log, &[], "Summarise this log\n");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Summarise this log"), "{}", stdout(&o));
}

#[test]
fn attachments_become_image_file_and_text_parts() {
    let server = MockServer::start();
    let log = fresh_log();
    let dir = std::env::temp_dir().join(format!("rr-attach-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("shot.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR tiny").unwrap();
    let notes = dir.join("notes.txt");
    std::fs::write(&notes, "line one\nline two\n").unwrap();
    let pdf = dir.join("spec");
    std::fs::write(&pdf, b"%PDF-1.7 a spec").unwrap();
    let args = [
        "-a",
        png.to_str().unwrap(),
        "--attach",
        notes.to_str().unwrap(),
        "-a",
        pdf.to_str().unwrap(),
        "-a",
        "https://example.com/diagram.webp",
        "What do these show?",
    ];
    let o = run(&server, &log, &args, "");
    assert!(o.status.success(), "{}", stderr(&o));
    let sent = creates(&server);
    let content = &sent[0]["input"][0]["content"];
    assert_eq!(sent[0]["input"][0]["role"], "user");
    assert_eq!(content[0]["text"], "What do these show?");
    assert_eq!(content[1]["type"], "input_image");
    let url = content[1]["image_url"].as_str().unwrap();
    assert!(
        url.starts_with("data:image/png;base64,iVBORw0KGgo"),
        "{url}"
    );
    assert_eq!(content[2]["type"], "input_text");
    assert_eq!(
        content[2]["text"],
        "notes.txt:\n```\nline one\nline two\n\n```"
    );
    assert_eq!(content[3]["type"], "input_file");
    assert_eq!(content[3]["filename"], "spec");
    assert!(content[3]["file_data"]
        .as_str()
        .unwrap()
        .starts_with("data:application/pdf;base64,"));
    assert_eq!(content[4]["image_url"], "https://example.com/diagram.webp");

    // A missing file and one over the limit: usage errors naming them.
    let o = run(&server, &log, &["-a", "/no/such/file.png", "hi"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/no/such/file.png"), "{}", stderr(&o));
    let big = dir.join("big.bin");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(21 << 20)
        .unwrap();
    let o = run(&server, &log, &["-a", big.to_str().unwrap(), "hi"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("20971520"), "{}", stderr(&o));
    assert_eq!(
        creates(&server).len(),
        1,
        "nothing sent for a bad attachment"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_schema_round_trips_into_the_output_file_and_exit_codes_tell_failures_apart() {
    let server = MockServer::start();
    let log = fresh_log();
    let dir = std::env::temp_dir().join(format!("rr-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let schema = dir.join("review.json");
    std::fs::write(
        &schema,
        r#"{"type":"object","properties":{"verdict":{"type":"string","enum":["approve","request_changes"]},"issues":{"type":"array","items":{"type":"string"}},"score":{"type":"integer"}},"required":["verdict","issues","score"],"additionalProperties":false}"#,
    )
    .unwrap();
    let out = dir.join("review.out.json");
    let schema_arg = format!("@{}", schema.display());
    let o = run(
        &server,
        &log,
        &[
            "-s",
            "You review diffs.",
            "--schema",
            &schema_arg,
            "-o",
            out.to_str().unwrap(),
            "Review this change",
        ],
        "+ let x = 1;\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    let review: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(["approve", "request_changes"].contains(&review["verdict"].as_str().unwrap()));
    assert!(
        review["issues"].is_array() && review["score"].is_i64(),
        "{review}"
    );
    let sent = creates(&server);
    assert_eq!(sent[0]["instructions"], "You review diffs.");
    let format = &sent[0]["text"]["format"];
    assert_eq!(format["type"], "json_schema");
    assert_eq!(format["strict"], true);
    assert_eq!(format["schema"]["required"][0], "verdict");

    // 2: a usage error (a schema that is not JSON); 1: the API failed;
    // 3: the response was incomplete.
    let o = run(&server, &log, &["--schema", "{nope", "hi"], "");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run(
        &server,
        &log,
        &["--model", "mock-fault:status=500", "hi"],
        "",
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = run(
        &server,
        &log,
        &["--model", "mock-fault:incomplete", "hi"],
        "",
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("incomplete"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn continue_goes_on_from_the_last_exchange_of_the_shared_log() {
    let server = MockServer::start();
    let log = fresh_log();
    let first = run(
        &server,
        &log,
        &["--model", "gpt-4.1", "My name is Ada."],
        "",
    );
    assert!(first.status.success(), "{}", stderr(&first));
    let second = run(&server, &log, &["-c", "What is my name?"], "");
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(stdout(&second).contains("(turn 2)"), "{}", stdout(&second));
    let sent = creates(&server);
    let first_id = logged(&server, &log, 1)["response_id"].clone();
    assert!(first_id.as_str().is_some_and(|id| id.starts_with("resp_")));
    assert_eq!(sent[1]["previous_response_id"], first_id);
    assert_eq!(
        sent[1]["model"], "gpt-4.1",
        "a continuation keeps its model"
    );

    // --cid picks one by log id; with --no-store the items are re-sent.
    let unstored = run(
        &server,
        &log,
        &["--no-store", "--model", "gpt-4.1", "Remember 42."],
        "",
    );
    assert!(unstored.status.success(), "{}", stderr(&unstored));
    let o = run(&server, &log, &["--cid", "3", "Which number?"], "");
    assert!(o.status.success(), "{}", stderr(&o));
    let sent = creates(&server);
    assert_eq!(sent[2]["store"], false);
    let resent = &sent[3]["input"];
    assert!(sent[3].get("previous_response_id").is_none());
    assert_eq!(resent[0]["content"][0]["text"], "Remember 42.");
    assert_eq!(resent[1]["role"], "assistant");
    assert_eq!(
        resent.as_array().unwrap().last().unwrap()["content"][0]["text"],
        "Which number?"
    );

    // An unstored turn after a stored one: the next continuation sends
    // both the stored response's id and the unstored turn's items.
    let fourth = logged(&server, &log, 4)["response_id"].clone();
    let o = run(&server, &log, &["-c", "--no-store", "Note 7."], "");
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&server, &log, &["-c", "Which note?"], "");
    assert!(o.status.success(), "{}", stderr(&o));
    let sent = creates(&server);
    assert_eq!(sent[4]["previous_response_id"], fourth);
    assert_eq!(sent[4]["include"][0], "reasoning.encrypted_content");
    assert_eq!(sent[5]["previous_response_id"], fourth);
    assert_eq!(sent[5]["input"][0]["content"][0]["text"], "Note 7.");

    let o = run(&server, &fresh_log(), &["-c", "nothing to continue"], "");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // A log that cannot be opened does not stop a prompt.
    let o = run(
        &server,
        Path::new("/proc/no/such/log.db"),
        &["still answered"],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("not logging"), "{}", stderr(&o));
}

/// The `logs --json` line of log id `id`.
fn logged(server: &MockServer, log: &Path, id: i64) -> Value {
    let o = run(server, log, &["logs", "-n", "100", "--json"], "");
    stdout(&o)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["id"] == id)
        .unwrap_or(Value::Null)
}

#[test]
fn logs_and_usage_read_the_log_with_the_mocks_figures() {
    let server = MockServer::start();
    let log = fresh_log();
    for (model, prompt) in [
        ("gpt-4.1", "alpha question"),
        ("gpt-4.1", "beta question"),
        ("gpt-4o-mini", "gamma question"),
    ] {
        let o = run(&server, &log, &["--model", model, prompt], "");
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = run(&server, &log, &["--no-log", "not logged"], "");
    assert!(o.status.success());

    let o = run(&server, &log, &["logs", "-n", "2"], "");
    let text = stdout(&o);
    assert!(
        text.contains("beta question") && text.contains("gamma question"),
        "{text}"
    );
    assert!(
        !text.contains("alpha question") && !text.contains("not logged"),
        "{text}"
    );
    // "#2 YYYY-MM-DD HH:MM:SS gpt-4.1 resp_..."
    let when: Vec<&str> = text.lines().next().unwrap().split(' ').collect();
    assert_eq!(when[0], "#2");
    assert!(
        when[1].len() == 10 && when[1].as_bytes()[4] == b'-' && when[2].len() == 8,
        "{text}"
    );
    let o = run(&server, &log, &["logs", "-q", "ALPHA", "--json"], "");
    let found: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["prompt"], "alpha question");
    assert_eq!(found[0]["server"], server.url());
    assert!(found[0]["output"]
        .as_str()
        .unwrap()
        .contains("alpha question"));

    // The mock's own usage of the three responses.
    let mut expected = std::collections::BTreeMap::<String, (i64, i64, i64)>::new();
    for line in run(&server, &log, &["logs", "-n", "10", "--json"], "")
        .stdout
        .split(|b| *b == b'\n')
    {
        let Ok(row) = serde_json::from_slice::<Value>(line) else {
            continue;
        };
        let id = row["response_id"].as_str().unwrap();
        let got = cli()
            .env("OPENAI_BASE_URL", server.url())
            .args(["get", id, "--json"])
            .output()
            .unwrap();
        let stored: Value = serde_json::from_slice(&got.stdout).unwrap();
        let usage = &stored["usage"];
        let e = expected
            .entry(stored["model"].as_str().unwrap().to_owned())
            .or_default();
        e.0 += 1;
        e.1 += usage["input_tokens"].as_i64().unwrap();
        e.2 += usage["total_tokens"].as_i64().unwrap();
    }
    let o = run(&server, &log, &["usage", "--by", "model", "--json"], "");
    let rows: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{}", stdout(&o));
    for row in &rows {
        let (n, input, total) = expected[row["key"].as_str().unwrap()];
        assert_eq!(row["exchanges"], n);
        assert_eq!(row["input_tokens"], input);
        assert_eq!(row["total_tokens"], total);
        // gpt-4o-mini has no price in the table: its cost is unknown, not 0.
        match row["key"].as_str().unwrap() {
            "gpt-4.1" => assert!(row["cost_usd"].as_f64().unwrap() > 0.0, "{row}"),
            _ => assert!(row["cost_usd"].is_null(), "{row}"),
        }
    }
    let o = run(&server, &log, &["usage"], "");
    let all: i64 = expected.values().map(|v| v.2).sum();
    assert!(stdout(&o).starts_with("all: 3 exchanges"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(&format!("{all} total tokens")),
        "{}",
        stdout(&o)
    );
    let o = run(&server, &log, &["usage", "--since", "2999-01-01"], "");
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    let o = run(&server, &log, &["usage", "--since", "yesterday"], "");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_reasoning_summary_goes_to_stderr_and_every_flag_has_help() {
    let server = MockServer::start();
    let log = fresh_log();
    let o = run(
        &server,
        &log,
        &[
            "--reasoning-summary",
            "auto",
            "--model",
            "o4-mini",
            "Why is the sky blue?",
        ],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(creates(&server)[0]["reasoning"]["summary"], "auto");
    let err = stderr(&o);
    let summary_line = err.lines().find(|l| !l.contains("tokens:")).unwrap_or("");
    assert!(!summary_line.trim().is_empty(), "{err}");
    assert!(!err.contains("\x1b["), "no colour in a pipe");
    assert!(
        !stdout(&o).contains(summary_line.trim()),
        "the summary is not the answer"
    );

    let help = cli().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--attach",
        "--schema",
        "--output",
        "--continue",
        "--cid",
        "--no-log",
        "--no-store",
        "--instructions",
        "--reasoning-summary",
        "--json",
        "Exit codes",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help:\n{help}");
    }
}
