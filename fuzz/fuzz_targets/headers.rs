//! Any retry and rate-limit headers (and a 429 body's "try again in"):
//! never a panic, and a retry delay is finite and within the policy's
//! bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rapidresponse_core::ratelimit::parse_go_duration;
use rapidresponse_core::retry::{parse_http_date, server_delay};
use rapidresponse_core::{Decision, Headers, Outcome, RateLimit, RetryPolicy};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const NAMES: [&str; 9] = [
    "retry-after",
    "retry-after-ms",
    "x-should-retry",
    "x-ratelimit-limit-requests",
    "x-ratelimit-remaining-requests",
    "x-ratelimit-reset-requests",
    "x-ratelimit-limit-tokens",
    "x-ratelimit-remaining-tokens",
    "x-ratelimit-reset-tokens",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\n');
    let mut headers = Headers::new();
    for name in NAMES {
        if let Some(v) = parts.next() {
            headers.append(name, v);
        }
    }
    let body = parts.next().unwrap_or("").as_bytes();
    let _ = parse_http_date(&text);
    let _ = parse_go_duration(&text);
    let _ = RateLimit::from_headers(&headers);
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    if let Some(d) = server_delay(&headers, now) {
        assert!(!d.is_nan());
    }
    let status = 400 + (data.first().copied().unwrap_or(0) as u16 % 200);
    for policy in [RetryPolicy::default(), RetryPolicy::openai_node()] {
        let outcome = Outcome::Status { status, headers: &headers, body: Some(body) };
        for retries in [0, 1, 7, u32::MAX] {
            for jitter in [0.0, 0.5, 1.0, f64::NAN] {
                if let Decision::Retry(d) = policy.decide(retries, &outcome, now, jitter) {
                    let ceiling = policy.max_delay.max(Duration::from_secs(120));
                    assert!(d <= ceiling, "{d:?}");
                }
            }
        }
        let _ = policy.decide(0, &Outcome::Connection, SystemTime::UNIX_EPOCH, 0.3);
    }
});
