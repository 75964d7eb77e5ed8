//! A hostile public against [`serve`] and [`harden`], and a stop with
//! [`serve_until`], over real sockets.
use super::*;
use axum::routing::{get, post};
use std::net::SocketAddr;
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const LIMITS: Limits = Limits {
    header_timeout: Duration::from_millis(800),
    request_timeout: Duration::from_millis(1_500),
    max_connections: 3,
    max_body_bytes: 100,
};

async fn start() -> SocketAddr {
    let router = Router::new()
        .route("/api/echo", post(|body: String| async move { body }))
        .route("/api/n/{n}", get(|axum::extract::Path(n): axum::extract::Path<u32>| async move { n.to_string() }))
        .route("/page", get(|| async { "a page" }));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, harden(router, LIMITS, json_errors()), LIMITS));
    addr
}

/// Writes `request` and reads until the server closes or `wait` passes:
/// what came back, and whether the server closed.
async fn exchange(addr: SocketAddr, request: &[u8], wait: Duration) -> (String, bool) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Ok(Ok(0)) => return (String::from_utf8_lossy(&out).into(), true),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Ok(Err(_)) => return (String::from_utf8_lossy(&out).into(), true),
            Err(_) => return (String::from_utf8_lossy(&out).into(), false),
        }
    }
}

#[tokio::test]
async fn a_trickled_header_and_an_idle_connection_are_closed_at_the_header_timeout() {
    let addr = start().await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /page HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let t = Instant::now();
    let mut buf = [0u8; 64];
    // Never finished: the server closes it.
    let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await.unwrap().unwrap_or(0);
    let _ = n;
    assert!(t.elapsed() < Duration::from_secs(3), "closed after {:?}", t.elapsed());
    // A kept-alive connection that goes quiet is closed too.
    let (text, closed) = exchange(addr, b"GET /page HTTP/1.1\r\nHost: x\r\n\r\n", Duration::from_secs(4)).await;
    assert!(text.starts_with("HTTP/1.1 200") && closed, "{text}");
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_at_once_in_json_naming_the_limit() {
    let addr = start().await;
    let request = b"POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3000000000\r\n\r\n";
    let t = Instant::now();
    let (text, _) = exchange(addr, request, Duration::from_millis(600)).await;
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(t.elapsed() < Duration::from_millis(600));
    assert!(text.contains("application/json") && text.contains("limit of 100 bytes"), "{text}");
}

#[tokio::test]
async fn a_trickled_body_gets_a_timeout_not_a_hung_connection() {
    let addr = start().await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nab").await.unwrap();
    let mut out = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut out)).await.unwrap().unwrap();
    let text = String::from_utf8_lossy(&out[..n]);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"error\"") && text.contains("within 1 s"), "{text}");
}

#[tokio::test]
async fn rejections_are_json_and_every_response_carries_the_headers() {
    let addr = start().await;
    let (text, _) =
        exchange(addr, b"GET /api/n/abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", Duration::from_secs(2))
            .await;
    assert!(text.starts_with("HTTP/1.1 400") && text.contains("application/json"), "{text}");
    assert!(text.contains("x-content-type-options: nosniff") && text.contains("cache-control: no-store"), "{text}");
    let (text, _) =
        exchange(addr, b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", Duration::from_secs(2)).await;
    assert!(text.starts_with("HTTP/1.1 404") && text.contains("no such page"), "{text}");
    let (text, _) =
        exchange(addr, b"GET /page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", Duration::from_secs(2)).await;
    assert!(text.starts_with("HTTP/1.1 200") && text.contains("referrer-policy: no-referrer"), "{text}");
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_one_to_close() {
    let addr = start().await;
    // Three silent connections hold every place.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let t = Instant::now();
    let (text, _) =
        exchange(addr, b"GET /page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", Duration::from_secs(4)).await;
    // Served once the header timeout frees a place, not before.
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(t.elapsed() >= Duration::from_millis(500), "served at once: {:?}", t.elapsed());
    drop(held);
}

#[tokio::test]
async fn a_stop_answers_the_request_in_progress_closes_idle_connections_and_refuses_new_ones() {
    let router = Router::new()
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(600)).await;
                "done"
            }),
        )
        .route("/page", get(|| async { "a page" }));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_until(listener, harden(router, LIMITS, json_errors()), LIMITS, async {
        let _ = stopped.await;
    }));
    // A kept-alive connection, answered once and now idle.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /page HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 4096];
    let n = idle.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    // A request in progress when the stop comes.
    let slow = tokio::spawn(exchange(addr, b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", Duration::from_secs(3)));
    tokio::time::sleep(Duration::from_millis(150)).await;
    let t = Instant::now();
    stop.send(()).unwrap();
    // The idle connection is closed at once, well before its header timeout.
    let n = tokio::time::timeout(Duration::from_millis(400), idle.read(&mut buf)).await.expect("closed at once");
    assert_eq!(n.unwrap_or(0), 0, "nothing more on the idle connection");
    // No new connection is accepted.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(TcpStream::connect(addr).await.is_err(), "a connection accepted after the stop");
    assert!(!server.is_finished(), "the server returned with a request in progress");
    // The request in progress is answered in full, then its connection closed, then the server returns.
    let (text, closed) = slow.await.unwrap();
    assert!(text.starts_with("HTTP/1.1 200") && text.ends_with("done") && closed, "{text}");
    tokio::time::timeout(Duration::from_millis(500), server).await.expect("drained").unwrap().unwrap();
    assert!(t.elapsed() < LIMITS.request_timeout, "drained in {:?}", t.elapsed());
}

#[tokio::test]
async fn a_stop_waits_no_longer_than_the_request_timeout() {
    let router = Router::new().route("/page", get(|| async { "a page" }));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = Limits { header_timeout: Duration::from_secs(30), ..LIMITS };
    let t = Instant::now();
    let server = tokio::spawn(serve_until(listener, harden(router, limits, json_errors()), limits, async {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }));
    // A client that never finishes its request head, under a long header timeout.
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /page HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), server).await.expect("the stop hung").unwrap().unwrap();
    let took = t.elapsed();
    assert!(took < Duration::from_millis(200) + limits.request_timeout + Duration::from_millis(500), "{took:?}");
}

#[tokio::test]
async fn a_route_with_a_smaller_body_limit_names_its_own_limit_declared_or_chunked() {
    let small = limit_body(Router::new().route("/api/small", post(|body: String| async move { body })), 10);
    let router = Router::new().route("/api/echo", post(|body: String| async move { body })).merge(small);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, harden(router, LIMITS, json_errors()), LIMITS));
    let post = |path: &str, body: &str| {
        format!("POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}", body.len())
    };
    // Declared: refused at once, naming the route's 10 bytes, not the service's 100.
    let (text, _) = exchange(addr, post("/api/small", "0123456789ab").as_bytes(), Duration::from_secs(2)).await;
    assert!(text.starts_with("HTTP/1.1 413") && text.contains("limit of 10 bytes"), "{text}");
    // Chunked (no length): refused when it passes the limit, naming it too.
    let chunked = b"POST /api/small HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n\
                    c\r\n0123456789ab\r\n0\r\n\r\n";
    let (text, _) = exchange(addr, chunked, Duration::from_secs(2)).await;
    assert!(text.starts_with("HTTP/1.1 413") && text.contains("limit of 10 bytes"), "{text}");
    // Within it: answered; other routes keep the service's limit.
    let (text, _) = exchange(addr, post("/api/small", "0123456789").as_bytes(), Duration::from_secs(2)).await;
    assert!(text.starts_with("HTTP/1.1 200") && text.ends_with("0123456789"), "{text}");
    let (text, _) = exchange(addr, post("/api/echo", &"x".repeat(50)).as_bytes(), Duration::from_secs(2)).await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    let (text, _) = exchange(addr, post("/api/echo", &"x".repeat(101)).as_bytes(), Duration::from_secs(2)).await;
    assert!(text.starts_with("HTTP/1.1 413") && text.contains("limit of 100 bytes"), "{text}");
}
