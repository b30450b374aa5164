//! Background mode over real HTTP: progress from queued to completed as
//! seen by GET, cancel, and streams that start queued and resume with
//! `starting_after`.

mod common;

use std::time::{Duration, Instant};

use common::*;
use rapidresponse_mock::MockServer;
use serde_json::{json, Value};

/// How long a background response may take to finish (it is designed
/// to take ~250 ms); generous for a loaded machine.
const FINISH_WITHIN: Duration = Duration::from_secs(5);

async fn status_of(server: &MockServer, id: &str) -> String {
    let (status, body) = get_json(server, &format!("/responses/{id}")).await;
    assert_eq!(status, 200);
    body["status"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_background_response_goes_from_queued_through_in_progress_to_completed() {
    bounded(async {
        let server = MockServer::start();
        let started = Instant::now();
        let (status, created) = post_json(
            &server,
            "/responses",
            &json!({"model": "m", "input": "work in the background", "background": true}),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(created["status"], "queued");
        assert_eq!(created["background"], true);
        assert_eq!(created["output"], json!([]));
        let id = created["id"].as_str().unwrap();

        let mut seen = vec![status_of(&server, id).await];
        while seen.last().map(String::as_str) != Some("completed") {
            assert!(started.elapsed() < FINISH_WITHIN, "still {seen:?}");
            tokio::time::sleep(Duration::from_millis(10)).await;
            let status = status_of(&server, id).await;
            if seen.last() != Some(&status) {
                seen.push(status);
            }
        }
        // Polling shows the states in order (a loaded machine may poll past
        // the ~150 ms of in_progress; the replay below shows it always).
        assert_eq!(seen.first().map(String::as_str), Some("queued"));
        assert!(
            seen == ["queued", "in_progress", "completed"] || seen == ["queued", "completed"],
            "{seen:?}"
        );
        let replay = events(
            &read_body(get(&server, &format!("/responses/{id}?stream=true")).await)
                .await
                .0,
        );
        let statuses: Vec<&str> = replay
            .iter()
            .filter_map(|e| e["response"]["status"].as_str())
            .collect();
        assert_eq!(statuses, ["queued", "queued", "in_progress", "completed"]);
        let (_, done) = get_json(&server, &format!("/responses/{id}")).await;
        assert_eq!(
            done["output"][0]["content"][0]["text"],
            "Mock answer to: work in the background."
        );
        assert!(done["usage"]["total_tokens"].as_u64().unwrap() > 0);
    })
    .await;
}

#[tokio::test]
async fn cancel_works_while_running_and_is_refused_otherwise() {
    bounded(async {
        let server = MockServer::start();
        let (_, created) = post_json(
            &server,
            "/responses",
            &json!({"model": "m", "input": "cancel me", "background": true}),
        )
        .await;
        let id = created["id"].as_str().unwrap();
        let (status, cancelled) =
            post_json(&server, &format!("/responses/{id}/cancel"), &json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(cancelled["status"], "cancelled");
        assert_eq!(cancelled["id"], id);
        // It stays cancelled after the time it would have completed.
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(status_of(&server, id).await, "cancelled");
        let (status, body) =
            post_json(&server, &format!("/responses/{id}/cancel"), &json!({})).await;
        assert_eq!(status, 400);
        assert_error(&body);

        // A finished background response can't be cancelled either.
        let (_, finished) = post_json(
            &server,
            "/responses",
            &json!({"model": "m", "input": "quick", "background": true}),
        )
        .await;
        let finished_id = finished["id"].as_str().unwrap();
        let started = Instant::now();
        while status_of(&server, finished_id).await != "completed" {
            assert!(started.elapsed() < FINISH_WITHIN);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let (status, _) = post_json(
            &server,
            &format!("/responses/{finished_id}/cancel"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 400);

        // Nor one that was not in background mode; an unknown id is a 404.
        let (_, foreground) =
            post_json(&server, "/responses", &json!({"model": "m", "input": "x"})).await;
        let (status, body) = post_json(
            &server,
            &format!("/responses/{}/cancel", foreground["id"].as_str().unwrap()),
            &json!({}),
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(assert_error(&body)["type"], "invalid_request_error");
        let (status, _) = post_json(&server, "/responses/resp_unknown/cancel", &json!({})).await;
        assert_eq!(status, 404);
    })
    .await;
}

/// Reads events from a live stream until `count` have arrived, then drops
/// the connection (a client that lost its network).
async fn first_events(response: reqwest::Response, count: usize) -> Vec<Value> {
    let mut response = response;
    let mut bytes = Vec::new();
    loop {
        let chunk = response
            .chunk()
            .await
            .expect("stream chunk")
            .expect("more events");
        bytes.extend_from_slice(&chunk);
        if let Some(end) = last_block_end(&bytes) {
            let got = events(&bytes[..end]);
            if got.len() >= count {
                return got[..count].to_vec();
            }
        }
    }
}

/// The end of the last complete `\n\n`-terminated block.
fn last_block_end(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).rposition(|w| w == b"\n\n").map(|p| p + 2)
}

#[tokio::test]
async fn a_background_stream_starts_queued_and_resumes_after_a_sequence_number() {
    bounded(async {
        let server = MockServer::start();
        let request = json!({"model": "m", "input": "stream in the background", "background": true, "stream": true});
        let response = post(&server, "/responses", &request).await;
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        let head = first_events(response, 4).await;
        assert_eq!(
            types(&head),
            ["response.created", "response.queued", "response.in_progress", "response.output_item.added"]
        );
        assert_eq!(head[0]["response"]["status"], "queued");
        assert_eq!(head[1]["response"]["status"], "queued");
        let id = head[0]["response"]["id"].as_str().unwrap().to_owned();

        // Resume after the last event seen; the rest arrives as it is produced.
        let last_seen = head[3]["sequence_number"].as_u64().unwrap();
        let resumed = read_body(get(&server, &format!("/responses/{id}?stream=true&starting_after={last_seen}")).await).await;
        assert!(resumed.1.is_none());
        let rest = events(&resumed.0);
        assert_eq!(rest[0]["sequence_number"], last_seen + 1);
        for pair in rest.windows(2) {
            assert_eq!(pair[1]["sequence_number"].as_u64(), Some(pair[0]["sequence_number"].as_u64().unwrap() + 1));
        }
        let last = rest.last().unwrap();
        assert_eq!(last["type"], "response.completed");
        let text: String = rest
            .iter()
            .filter(|e| e["type"] == "response.output_text.delta")
            .map(|e| e["delta"].as_str().unwrap())
            .collect();
        assert_eq!(text, "Mock answer to: stream in the background.");
        assert_eq!(last["response"]["output"][0]["content"][0]["text"], text.as_str());

        // A replay from the start equals what was seen plus the rest.
        let all = events(&read_body(get(&server, &format!("/responses/{id}?stream=true")).await).await.0);
        let mut joined = head.clone();
        joined.extend(rest);
        assert_eq!(all, joined);

        let (status, body) = get_json(&server, &format!("/responses/{id}?stream=true&starting_after=x")).await;
        assert_eq!(status, 400);
        assert_error(&body);
        let (status, _) = get_json(&server, "/responses/resp_unknown?stream=true").await;
        assert_eq!(status, 404);
    })
    .await;
}

#[tokio::test]
async fn a_followed_stream_ends_when_the_response_is_cancelled() {
    bounded(async {
        let server = MockServer::start();
        let (_, created) = post_json(
            &server,
            "/responses",
            &json!({"model": "m", "input": "x", "background": true}),
        )
        .await;
        let id = created["id"].as_str().unwrap().to_owned();
        let follower = get(&server, &format!("/responses/{id}?stream=true")).await;
        let (status, _) = post_json(&server, &format!("/responses/{id}/cancel"), &json!({})).await;
        assert_eq!(status, 200);
        let (bytes, error) = read_body(follower).await;
        assert!(error.is_none());
        let seen = types(&events(&bytes));
        assert!(!seen.contains(&"response.completed".to_owned()), "{seen:?}");
        assert_eq!(seen[0], "response.created");
    })
    .await;
}

#[tokio::test]
async fn after_a_dropped_stream_the_rest_is_fetched_with_starting_after() {
    bounded(async {
        let server = MockServer::start();
        let request =
            json!({"model": "m", "input": "survive a drop", "background": true, "stream": true});
        let response = post_with_header(
            &server,
            "/responses",
            &request,
            ("x-mock-fault", "drop-after=5"),
        )
        .await;
        let (bytes, error) = read_body(response).await;
        assert!(error.is_some(), "the connection was dropped");
        let head = events(&bytes);
        assert_eq!(head.len(), 5);
        let id = head[0]["response"]["id"].as_str().unwrap();
        let last_seen = head[4]["sequence_number"].as_u64().unwrap();

        let resumed = read_body(
            get(
                &server,
                &format!("/responses/{id}?stream=true&starting_after={last_seen}"),
            )
            .await,
        )
        .await;
        assert!(resumed.1.is_none());
        let mut all = head.clone();
        all.extend(events(&resumed.0));
        for (i, event) in all.iter().enumerate() {
            assert_eq!(event["sequence_number"], i);
        }
        let mut bytes = Vec::new();
        for event in &all {
            bytes.extend_from_slice(
                format!(
                    "event: {}\ndata: {}\n\n",
                    event["type"].as_str().unwrap(),
                    event
                )
                .as_bytes(),
            );
        }
        let accumulator = accumulate(&bytes);
        assert_eq!(
            accumulator.terminal(),
            Some(rapidresponse_core::Terminal::Completed)
        );
        assert_eq!(accumulator.text_so_far(), "Mock answer to: survive a drop.");
    })
    .await;
}
