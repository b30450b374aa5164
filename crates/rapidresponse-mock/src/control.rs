//! The mock's own control endpoints under `/__mock`: the recorded requests
//! (read, clear), the fault queue (push, clear), the replay queue
//! (bodies served verbatim to the next requests) and stats (streams whose
//! client left). They need no API key,
//! take no faults and are not recorded.

use hyper::Method;
use serde_json::{json, Value};

use crate::json::invalid_request;
use crate::server::{lock, Reply, State};

pub(crate) fn handle(
    state: &State,
    method: &Method,
    path: &str,
    query: &str,
    body: &[u8],
) -> Reply {
    match (method.as_str(), path.trim_end_matches('/')) {
        ("GET", "/__mock/requests") => {
            let requests = lock(&state.requests).clone();
            Reply::ok(serde_json::to_value(requests).unwrap_or(Value::Array(Vec::new())))
        }
        ("GET", "/__mock/stats") => Reply::ok(json!({
            "streams_abandoned": state.streams_abandoned.load(std::sync::atomic::Ordering::Relaxed),
        })),
        ("DELETE", "/__mock/requests") => {
            let mut requests = lock(&state.requests);
            let cleared = requests.len();
            requests.clear();
            Reply::ok(json!({"cleared": cleared}))
        }
        ("POST", "/__mock/faults") => {
            let text = String::from_utf8_lossy(body);
            let mut queue = lock(&state.faults);
            match crate::faults::FaultSpec::parse(&text) {
                Ok(spec) => {
                    queue.push(spec);
                    Reply::ok(json!({"queued": queue.len()}))
                }
                Err(why) => Reply::error(
                    400,
                    invalid_request(&why, Some("body"), Some("invalid_fault_spec")),
                ),
            }
        }
        ("POST", "/__mock/replay") => {
            // The content type and status come from the query of the control
            // request: /__mock/replay?status=200&content_type=text/event-stream
            let replay = crate::server::Replay {
                status: query_value(query, "status")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(200),
                content_type: query_value(query, "content_type")
                    .unwrap_or_else(|| "application/json".to_owned()),
                body: bytes::Bytes::copy_from_slice(body),
            };
            let mut queue = lock(&state.replays);
            queue.push_back(replay);
            Reply::ok(json!({"queued": queue.len()}))
        }
        ("DELETE", "/__mock/faults") => {
            let mut queue = lock(&state.faults);
            let cleared = queue.len();
            queue.clear();
            Reply::ok(json!({"cleared": cleared}))
        }
        _ => Reply::error(
            404,
            invalid_request(&format!("Invalid URL ({method} {path})"), None, None),
        ),
    }
}

/// One `name=value` of a query string; `/` may be written `%2F`.
fn query_value(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.replace("%2F", "/").replace("%2f", "/"))
    })
}
