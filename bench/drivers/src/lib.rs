//! What every Rust driver of the benchmark shares: the command line
//! (`driver SCENARIO BASE_URL`), the scenario sizes from the environment,
//! the request everyone sends, and the one JSON line a driver prints
//! (`bench/harness.py` reads it). The scenarios themselves are in each
//! driver: that is what is measured.

use std::future::Future;
use std::time::Instant;

use futures::StreamExt;

pub const MODEL: &str = "gpt-4.1";
pub const INPUT: &str = "Say hello";

/// S5's question: with `chain_tools`, the mock answers it with a call.
pub const CHAIN_QUESTION: &str = "What is the weather in Paris?";

/// S5's tool.
pub fn chain_tools() -> serde_json::Value {
    serde_json::json!([{"type": "function", "name": "get_weather", "description": "Weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}])
}

/// S5's model: the mock's `think-ms` fault (BENCH_THINK_MS, default 20)
/// on every turn, as a model's time to first token.
pub fn chain_model() -> String {
    format!("mock-fault:think-ms={}", size("BENCH_THINK_MS", 20))
}

/// `SCENARIO BASE_URL` from the command line.
pub fn args() -> (String, String) {
    let mut args = std::env::args().skip(1);
    let scenario = args.next().expect("usage: driver SCENARIO BASE_URL");
    let base = args.next().expect("usage: driver SCENARIO BASE_URL");
    (scenario, base.trim_end_matches('/').to_owned())
}

/// A scenario size from the environment (`BENCH_REPEAT`, ...).
pub fn size(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Prints the driver's result line: `fields` plus `secs`.
pub fn report(started: Instant, fields: serde_json::Value) {
    let mut out = fields;
    out["secs"] = started.elapsed().as_secs_f64().into();
    println!("{out}");
}

/// S2's loop: `BENCH_REPEAT` calls one after the other, each giving the
/// length of its output text; reports the length when all agree (else -1).
pub async fn sequential<F, Fut>(mut call: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = usize>,
{
    let n = size("BENCH_REPEAT", 30);
    let started = Instant::now();
    let mut lens = Vec::with_capacity(n);
    for _ in 0..n {
        lens.push(call().await);
    }
    let same = lens.windows(2).all(|w| w[0] == w[1]);
    let len = if same {
        lens.first().map_or(0, |l| *l as i64)
    } else {
        -1
    };
    report(
        started,
        serde_json::json!({"responses": n, "text_len": len}),
    );
}

/// S3's loop: `BENCH_REQUESTS` calls, `BENCH_CONCURRENCY` in flight, each
/// saying whether its answer was complete.
pub async fn concurrent<F, Fut>(call: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let (n, in_flight) = (size("BENCH_REQUESTS", 2000), size("BENCH_CONCURRENCY", 64));
    let started = Instant::now();
    let ok = futures::stream::iter(0..n)
        .map(|_| call())
        .buffer_unordered(in_flight)
        .filter(|ok| std::future::ready(*ok))
        .count()
        .await;
    report(started, serde_json::json!({"requests": n, "ok": ok}));
}
