//! Slow clients: a request whose head or body never finishes is hung up on, an idle
//! connection is closed, and more half-sent connections than the limit do not keep a new
//! client out. The waits below only bound a hang (so a regression fails instead of
//! blocking the suite); nothing asserts how long anything took.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::helpers::TestApp;

/// Long enough that only a server that never hangs up reaches it.
const HANG: Duration = Duration::from_secs(60);

async fn short_timeouts(max_connections: usize) -> TestApp {
    TestApp::spawn_with(|c| {
        c.header_read_timeout = Duration::from_secs(1);
        c.body_read_timeout = Duration::from_secs(1);
        c.idle_timeout = Duration::from_secs(1);
        c.max_connections = max_connections;
    })
    .await
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .expect("connect")
}

/// Reads until the server closes the connection; returns what it sent.
async fn until_closed(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(HANG, stream.read_to_end(&mut answer))
        .await
        .expect("the server hung up")
        .ok();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_request_head_that_never_finishes_is_hung_up_on() {
    let app = short_timeouts(16).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: registry\r\nX-Slow: ")
        .await
        .expect("write");
    let answer = until_closed(&mut stream).await;
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test]
async fn a_request_body_that_never_finishes_is_cut_off() {
    let app = short_timeouts(16).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(
            b"POST /api/v1/auth/token HTTP/1.1\r\nHost: registry\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"login\":",
        )
        .await
        .expect("write");
    let answer = until_closed(&mut stream).await;
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test]
async fn an_idle_connection_is_closed() {
    let app = short_timeouts(16).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: registry\r\n\r\n")
        .await
        .expect("write");
    let answer = until_closed(&mut stream).await;
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "answered first: {answer}"
    );
}

#[tokio::test]
async fn more_half_sent_requests_than_the_connection_limit_do_not_keep_new_clients_out() {
    let app = short_timeouts(3).await;
    let mut held = Vec::new();
    for _ in 0..12 {
        let mut stream = connect(&app).await;
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: registry\r\n")
            .await
            .expect("write");
        held.push(stream);
    }
    let client = reqwest::Client::builder()
        .timeout(HANG)
        .build()
        .expect("client");
    let resp = client
        .get(format!("{}/health", app.base))
        .send()
        .await
        .expect("a new client is answered");
    assert_eq!(resp.status(), StatusCode::OK);
    let health: serde_json::Value = resp.json().await.expect("json");
    let open = health["connections"]["open"]
        .as_u64()
        .expect("open connections");
    assert!(open <= 3, "never more connections than the limit: {health}");
    assert_eq!(health["connections"]["limit"], 3);
    drop(held);
}
