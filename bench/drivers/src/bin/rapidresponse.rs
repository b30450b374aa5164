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
        other => panic!("unknown scenario {other}"),
    }
}
