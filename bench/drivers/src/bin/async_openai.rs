//! The benchmark driver for async-openai (crates.io), the Rust peer most
//! used for the Responses API.

use async_openai::config::OpenAIConfig;
use async_openai::types::responses::{
    CreateResponse, CreateResponseArgs, ResponseStreamEvent, Status,
};
use async_openai::Client;
use bench_drivers::{args, concurrent, report, sequential, INPUT, MODEL};
use futures::StreamExt;
use std::time::Instant;

const ASYNC_OPENAI_VERSION: &str = "0.41.3";

fn request() -> CreateResponse {
    CreateResponseArgs::default()
        .model(MODEL)
        .input(INPUT)
        .build()
        .expect("request")
}

#[tokio::main]
async fn main() {
    let started = Instant::now();
    let (scenario, base) = args();
    let client = Client::with_config(
        OpenAIConfig::new()
            .with_api_base(base)
            .with_api_key("bench"),
    );
    match scenario.as_str() {
        "s4" => report(
            started,
            serde_json::json!({"version": ASYNC_OPENAI_VERSION}),
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
                if let ResponseStreamEvent::ResponseOutputTextDelta(d) = event.expect("event") {
                    text.push_str(&d.delta);
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
                r.output_text().unwrap_or_default().len()
            })
            .await
        }
        "s3" => {
            concurrent(|| async {
                match client.responses().create(request()).await {
                    Ok(r) => r.status == Status::Completed && r.output_text().is_some(),
                    Err(_) => false,
                }
            })
            .await
        }
        other => panic!("unknown scenario {other}"),
    }
}
