//! The benchmark driver for this project's Rust crate: typed events, the
//! accumulator, the client loop with its retries off.

use bench_drivers::{args, concurrent, report, sequential, INPUT, MODEL};
use rapidresponse::{Client, ClientConfig, CreateResponse, ResponseStatus, ResponseStreamEvent};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let started = Instant::now();
    let (scenario, base) = args();
    let mut config = ClientConfig::new(Some("bench".into()), base);
    config.retry.max_retries = 0;
    let client = Client::new(config).expect("client");
    let request = || CreateResponse::new(MODEL, INPUT);
    match scenario.as_str() {
        "s4" => report(
            started,
            serde_json::json!({"version": env!("CARGO_PKG_VERSION")}),
        ),
        "s1" => {
            let t = Instant::now();
            let mut stream = client
                .responses()
                .create_stream(request())
                .await
                .expect("stream");
            let (mut events, mut text) = (0u64, String::new());
            while let Some(event) = stream.next().await {
                events += 1;
                if let ResponseStreamEvent::OutputTextDelta(d) = event.expect("event").event {
                    text.push_str(d.delta.as_deref().unwrap_or(""));
                }
            }
            report(
                t,
                serde_json::json!({"events": events, "text_len": text.len()}),
            );
        }
        "s2" => {
            sequential(|| async {
                let r = client
                    .responses()
                    .create(request())
                    .await
                    .expect("response");
                r.output_text().len()
            })
            .await
        }
        "s3" => {
            concurrent(|| async {
                match client.responses().create(request()).await {
                    Ok(r) => {
                        r.status.get() == Some(&ResponseStatus::Completed)
                            && !r.output_text().is_empty()
                    }
                    Err(_) => false,
                }
            })
            .await
        }
        // S5: a function-calling chain of BENCH_TURNS turns, each one after
        // the previous (previous_response_id), with BENCH_THINK_MS of
        // server think time per turn: over HTTP streaming, or one WebSocket.
        "s5" | "s5ws" => {
            let turns = bench_drivers::size("BENCH_TURNS", 20);
            let model = bench_drivers::chain_model();
            let t = Instant::now();
            let mut ws = if scenario == "s5ws" {
                Some(client.responses().connect().await.expect("connect"))
            } else {
                None
            };
            let (mut previous, mut call_id, mut calls) = (None::<String>, String::new(), 0);
            for turn in 0..turns {
                let input: serde_json::Value = if turn % 2 == 0 {
                    bench_drivers::CHAIN_QUESTION.into()
                } else {
                    serde_json::json!([{"type": "function_call_output", "call_id": call_id, "output": "18 C"}])
                };
                let mut req: CreateResponse = serde_json::from_value(serde_json::json!({
                    "model": model, "input": input, "tools": bench_drivers::chain_tools(),
                }))
                .expect("request");
                if let Some(id) = &previous {
                    req.previous_response_id = id.clone().into();
                }
                let response = match &mut ws {
                    Some(ws) => {
                        ws.create(req).await.expect("send");
                        ws.final_response().await.expect("turn")
                    }
                    None => client
                        .responses()
                        .create_stream(req)
                        .await
                        .expect("stream")
                        .final_response()
                        .await
                        .expect("turn"),
                };
                previous = response.id.get().cloned();
                let value = serde_json::to_value(&response).expect("json");
                if let Some(call) = value["output"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|i| i["type"] == "function_call")
                {
                    call_id = call["call_id"].as_str().unwrap_or("").to_owned();
                    calls += 1;
                }
            }
            report(t, serde_json::json!({"turns": turns, "tool_calls": calls}));
        }
        other => panic!("unknown scenario {other}"),
    }
}
