//! Helpers shared by the integration tests: an HTTP client with timeouts,
//! JSON calls, SSE decoding through the core's decoder, and raw TCP for
//! byte-exact checks. Not a test itself.
#![allow(dead_code)]

use std::future::Future;
use std::time::Duration;

use rapidresponse_core::{Frame, ResponseAccumulator, SseDecoder, SseError};
use rapidresponse_mock::MockServer;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Every test finishes well within this, or fails instead of hanging.
pub const TEST_BUDGET: Duration = Duration::from_secs(60);

/// Runs a test body with an overall time limit.
pub async fn bounded<F: Future<Output = ()>>(body: F) {
    tokio::time::timeout(TEST_BUDGET, body)
        .await
        .expect("the test ran past its time budget");
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

pub async fn post(server: &MockServer, path: &str, body: &Value) -> reqwest::Response {
    client()
        .post(format!("{}{path}", server.url()))
        .json(body)
        .send()
        .await
        .expect("request")
}

pub async fn post_with_header(
    server: &MockServer,
    path: &str,
    body: &Value,
    header: (&str, &str),
) -> reqwest::Response {
    client()
        .post(format!("{}{path}", server.url()))
        .header(header.0, header.1)
        .json(body)
        .send()
        .await
        .expect("request")
}

pub async fn get(server: &MockServer, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}{path}", server.url()))
        .send()
        .await
        .expect("request")
}

/// Status and JSON body.
pub async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.expect("a JSON body");
    (status, body)
}

pub async fn post_json(server: &MockServer, path: &str, body: &Value) -> (u16, Value) {
    json_of(post(server, path, body).await).await
}

pub async fn get_json(server: &MockServer, path: &str) -> (u16, Value) {
    json_of(get(server, path).await).await
}

/// Asserts the API's error envelope and returns its `error` object.
pub fn assert_error(body: &Value) -> &Value {
    let error = &body["error"];
    assert!(error["message"].is_string(), "no error message in {body}");
    assert!(error["type"].is_string(), "no error type in {body}");
    assert!(
        error.get("param").is_some() && error.get("code").is_some(),
        "{body}"
    );
    error
}

/// SSE frames of a complete body, through the core's decoder.
pub fn frames(bytes: &[u8]) -> Result<Vec<Frame>, SseError> {
    frames_with(SseDecoder::new(), bytes)
}

pub fn frames_with(mut decoder: SseDecoder, bytes: &[u8]) -> Result<Vec<Frame>, SseError> {
    let mut out = Vec::new();
    decoder.feed(bytes, &mut out)?;
    decoder.finish(&mut out)?;
    Ok(out)
}

/// The JSON of every frame (all must be JSON; `[DONE]` is left out).
pub fn events(bytes: &[u8]) -> Vec<Value> {
    frames(bytes)
        .expect("a valid event stream")
        .iter()
        .filter(|f| f.data != "[DONE]")
        .map(|f| serde_json::from_str(&f.data).expect("JSON data"))
        .collect()
}

pub fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["type"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// Folds every event of a Responses stream into the core's accumulator.
pub fn accumulate(bytes: &[u8]) -> ResponseAccumulator {
    let mut accumulator = ResponseAccumulator::new();
    for frame in frames(bytes).expect("valid SSE") {
        if frame.data.trim().is_empty() || frame.data.starts_with("[DONE]") {
            continue;
        }
        let view = rapidresponse_core::view::EventView::parse(&frame.data);
        accumulator.apply(&view.expect("a decodable event"));
    }
    accumulator
}

/// Reads a body chunk by chunk until its end or an error.
pub async fn read_body(mut response: reqwest::Response) -> (Vec<u8>, Option<reqwest::Error>) {
    let mut bytes = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) => return (bytes, None),
            Err(e) => return (bytes, Some(e)),
        }
    }
}

/// The body of a successful streamed `POST`.
pub async fn stream_body(server: &MockServer, path: &str, body: &Value) -> Vec<u8> {
    let response = post(server, path, body).await;
    assert_eq!(response.status(), 200);
    let (bytes, error) = read_body(response).await;
    assert!(error.is_none(), "stream error: {error:?}");
    bytes
}

/// Sends one raw HTTP/1.1 request and reads until the server closes the
/// connection or `read_for` passes. Returns the bytes and how the read ended.
pub async fn raw_exchange(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
    read_for: Duration,
) -> (Vec<u8>, RawEnd) {
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    tcp.write_all(request.as_bytes()).await.expect("write");
    let mut received = Vec::new();
    let deadline = tokio::time::Instant::now() + read_for;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match tokio::time::timeout_at(deadline, tcp.read(&mut buf)).await {
            Err(_) => return (received, RawEnd::StillOpen),
            Ok(Ok(0)) => return (received, RawEnd::Closed),
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return (received, RawEnd::Reset)
            }
            Ok(Err(e)) => panic!("read failed: {e}"),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum RawEnd {
    /// FIN: read returned 0.
    Closed,
    /// RST: ECONNRESET.
    Reset,
    /// Nothing more within the time given, connection still open.
    StillOpen,
}

/// Splits a raw HTTP/1.1 response into head and body.
pub fn split_head(raw: &[u8]) -> (String, &[u8]) {
    let at = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    (
        String::from_utf8_lossy(&raw[..at]).into_owned(),
        &raw[at + 4..],
    )
}

/// Decodes a chunked body; returns the data and whether the terminating
/// zero-length chunk was there.
pub fn dechunk(mut body: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    loop {
        let Some(line_end) = body.windows(2).position(|w| w == b"\r\n") else {
            return (out, false);
        };
        let size_text = std::str::from_utf8(&body[..line_end]).expect("chunk size");
        let size = usize::from_str_radix(size_text.trim(), 16).expect("hex chunk size");
        if size == 0 {
            return (out, true);
        }
        let start = line_end + 2;
        if body.len() < start + size + 2 {
            out.extend_from_slice(&body[start.min(body.len())..]);
            return (out, false);
        }
        out.extend_from_slice(&body[start..start + size]);
        body = &body[start + size + 2..];
    }
}

/// The sizes of the chunks of a chunked body, in order (the terminator
/// left out).
pub fn chunk_sizes(mut body: &[u8]) -> Vec<usize> {
    let mut sizes = Vec::new();
    while let Some(line_end) = body.windows(2).position(|w| w == b"\r\n") {
        let size_text = std::str::from_utf8(&body[..line_end]).expect("chunk size");
        let size = usize::from_str_radix(size_text.trim(), 16).expect("hex chunk size");
        if size == 0 || body.len() < line_end + 2 + size + 2 {
            break;
        }
        sizes.push(size);
        body = &body[line_end + 2 + size + 2..];
    }
    sizes
}
