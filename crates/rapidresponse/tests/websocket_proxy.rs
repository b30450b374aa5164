//! The WebSocket mode through an HTTP proxy (`HTTP_PROXY`): the socket goes
//! through a `CONNECT` tunnel with the proxy's credentials, `NO_PROXY`
//! goes direct, and a proxy that refuses the tunnel is a connection error
//! naming it. Its own test binary: it sets process-wide variables.

use rapidresponse::*;
use rapidresponse_mock::MockServer;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod common;

/// A CONNECT proxy on 127.0.0.1: records each request head, answers
/// `answer`'s status, and (on 200) joins the tunnel to its target.
async fn proxy(answer: &'static str) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        // Bounded: a test opens a few tunnels at most.
        for _ in 0..8 {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            let record = record.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).to_string();
                let target = head
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_owned();
                record.lock().unwrap().push(head);
                if answer != "200" {
                    let reply = format!("HTTP/1.1 {answer}\r\nContent-Length: 0\r\n\r\n");
                    let _ = client.write_all(reply.as_bytes()).await;
                    return;
                }
                let Ok(mut upstream) = tokio::net::TcpStream::connect(target).await else {
                    return;
                };
                let _ = client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (port, seen)
}

async fn one_turn(server: &MockServer) -> Result<String, Error> {
    let client = Client::new(common::config(server, "sk-proxy"))?;
    let mut ws = client.responses().connect().await?;
    ws.create(CreateResponse::new("gpt-4.1", "through the proxy"))
        .await?;
    let response = ws.final_response().await?;
    ws.close().await;
    Ok(response.output_text())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_websocket_mode_tunnels_through_the_environments_proxy() {
    let server = MockServer::start();
    let mock_port = server.port();
    let (port, seen) = proxy("200").await;
    // This binary's only test: nothing else reads the variables.
    std::env::set_var("HTTP_PROXY", format!("http://user:secret@127.0.0.1:{port}"));
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");

    let text = one_turn(&server).await.unwrap();
    assert_eq!(text, "Mock answer to: through the proxy.");
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert!(
            seen[0].starts_with(&format!("CONNECT 127.0.0.1:{mock_port} HTTP/1.1\r\n")),
            "{}",
            seen[0]
        );
        // base64("user:secret")
        assert!(
            seen[0].contains("Proxy-Authorization: Basic dXNlcjpzZWNyZXQ=\r\n"),
            "{}",
            seen[0]
        );
    }

    // NO_PROXY goes direct.
    std::env::set_var("NO_PROXY", "127.0.0.1");
    one_turn(&server).await.unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1);
    std::env::remove_var("NO_PROXY");

    // A proxy that refuses: a connection error naming it, without the password.
    let (refusing, _) = proxy("407 Proxy Authentication Required").await;
    std::env::set_var(
        "HTTP_PROXY",
        format!("http://user:secret@127.0.0.1:{refusing}"),
    );
    let e = one_turn(&server).await.unwrap_err();
    assert!(matches!(e, Error::Connection { .. }), "{e:?}");
    let shown = e.to_string();
    assert!(
        shown.contains("407") && shown.contains(&format!("127.0.0.1:{refusing}")),
        "{shown}"
    );
    assert!(!shown.contains("secret"), "{shown}");
    std::env::remove_var("HTTP_PROXY");
}
