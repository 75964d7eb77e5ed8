//! How the Pictor VIP services meet a hostile public over HTTP: the
//! Profile server and the co-signer serve through [`serve_until`], each
//! router wrapped by [`harden`].
//!
//! - **Timeouts, from the libraries**: hyper closes a connection whose
//!   request head has not fully arrived within [`Limits::header_timeout`]
//!   (a trickled header, and an idle keep-alive connection, both); the
//!   whole request, body included, must be handled within
//!   [`Limits::request_timeout`] (tower-http's `TimeoutLayer`: 408).
//! - **A connection limit**: at most [`Limits::max_connections`] at once; the
//!   next waits in the listen backlog until one closes.
//! - **A body limit**: tower-http's `RequestBodyLimitLayer` refuses a body over
//!   the route's limit (413), a declared length at once, without reading it.
//! - **A drain on stop**: when the operator stops the service, the requests
//!   in progress are answered and the connections closed, within
//!   [`Limits::request_timeout`]; no new one is accepted.
//! - **Every error in the route's own format**: a response that carries no
//!   body of its own (the layers' 408 and 413, axum's rejections of a body,
//!   a path or a query that does not parse) is given one by the caller's
//!   [`ErrorPage`]: a page on a page route, JSON on an API route, each saying
//!   what went wrong and, for a limit, what the limit is.
//! - **Headers on every response**: `X-Content-Type-Options: nosniff`,
//!   `Referrer-Policy: no-referrer`, and, unless the route set its own, a
//!   `Cache-Control` (`no-store`), a `Content-Security-Policy` that loads
//!   nothing and allows no framing, and `X-Frame-Options: DENY`.
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub mod metrics;

/// What a service allows a client.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A request's head (the request line and headers) must have arrived
    /// within this, from the first byte or from the previous response on a
    /// kept-alive connection; else the connection is closed.
    pub header_timeout: Duration,
    /// A request, its body included, must be answered within this (408).
    pub request_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// The largest request body read, bytes (413 beyond).
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 512,
            max_body_bytes: 64 * 1024,
        }
    }
}

/// Gives an error response without a body of its own one in the route's
/// format: `(path, status, what happened)` → the response to send.
pub type ErrorPage = Arc<dyn Fn(&str, StatusCode, &str) -> Response + Send + Sync>;

/// A JSON error page: `{"error": MESSAGE}` with the status.
pub fn json_errors() -> ErrorPage {
    Arc::new(|_, status, message| {
        let body = format!("{{\"error\":{}}}", json_string(message));
        let mut r = Response::new(Body::from(body));
        *r.status_mut() = status;
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r
    })
}

/// `text` as a JSON string literal.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What a bodyless error status means, for a person; a 413 names the limit
/// that refused the body ([`limit_body`]'s, else the service's).
fn what_happened(status: StatusCode, limits: &Limits, body_limit: Option<BodyLimit>) -> String {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            let bytes = body_limit.map_or(limits.max_body_bytes, |l| l.0);
            format!("the request body is over this route's limit of {bytes} bytes")
        }
        StatusCode::REQUEST_TIMEOUT => format!(
            "the request was not complete within {} s (the body came too slowly, or not at all)",
            limits.request_timeout.as_secs()
        ),
        StatusCode::NOT_FOUND => "no such page or API route".into(),
        StatusCode::METHOD_NOT_ALLOWED => "this route does not answer that method".into(),
        status => status.canonical_reason().unwrap_or("the request failed").to_lowercase(),
    }
}

/// The body limit that refused a request: a 413 carries it to the error page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct BodyLimit(usize);

/// `router` with a body limit of `bytes`, for routes that read less than
/// the service allows: a larger body is refused with 413 (a declared length
/// at once, a chunked one when it passes the limit), and [`harden`]'s error
/// page names this limit, not the service's.
pub fn limit_body<S: Clone + Send + Sync + 'static>(router: Router<S>, bytes: usize) -> Router<S> {
    router.layer(RequestBodyLimitLayer::new(bytes)).layer(axum::middleware::map_response(
        move |mut response: Response| async move {
            // The innermost limit fired first: an outer one does not rename it.
            if response.status() == StatusCode::PAYLOAD_TOO_LARGE && response.extensions().get::<BodyLimit>().is_none()
            {
                response.extensions_mut().insert(BodyLimit(bytes));
            }
            response
        },
    ))
}

/// `router` with the body limit, the request timeout, the security and
/// cache headers, and every error given a body by `errors`.
pub fn harden(router: Router, limits: Limits, errors: ErrorPage) -> Router {
    limit_body(
        router.layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout)),
        limits.max_body_bytes,
    )
    .layer(axum::middleware::from_fn(move |request: Request, next: Next| {
        let errors = errors.clone();
        async move {
            let path = request.uri().path().to_string();
            let response = next.run(request).await;
            secure(with_error_body(response, &path, &limits, &errors))
        }
    }))
}

/// An error response whose body is empty, or axum's plain-text rejection,
/// replaced by the route's own error page.
fn with_error_body(response: Response, path: &str, limits: &Limits, errors: &ErrorPage) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|t| t.to_str().is_ok_and(|t| t.starts_with("text/plain")));
    if !plain {
        return response;
    }
    // axum's rejections say what failed in plain text: keep their words.
    let (parts, body) = response.into_parts();
    let said = text_of(body);
    let message = match said {
        Some(text) if !text.is_empty() && status != StatusCode::PAYLOAD_TOO_LARGE => text,
        _ => what_happened(status, limits, parts.extensions.get::<BodyLimit>().copied()),
    };
    let mut page = errors(path, status, &message);
    page.extensions_mut().extend(parts.extensions);
    page
}

/// The text of a body already in memory (axum's rejections are), if it is one.
fn text_of(body: Body) -> Option<String> {
    use http_body::Body as _;
    let mut body = body;
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut text = Vec::new();
    loop {
        match std::pin::Pin::new(&mut body).poll_frame(&mut cx) {
            std::task::Poll::Ready(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    text.extend_from_slice(&data);
                }
            }
            std::task::Poll::Ready(None) => break,
            _ => return None,
        }
    }
    String::from_utf8(text).ok().map(|t| t.trim().to_string())
}

/// The headers every response carries.
fn secure(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.entry("referrer-policy").or_insert(HeaderValue::from_static("no-referrer"));
    h.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    // JSON, text and images load nothing and are framed by no one (a page sets its own policy).
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"));
    h.entry(header::X_FRAME_OPTIONS).or_insert(HeaderValue::from_static("DENY"));
    response
}

/// Serves `router` on `listener` under `limits` until the task is dropped.
pub async fn serve(listener: TcpListener, router: Router, limits: Limits) -> std::io::Result<()> {
    serve_until(listener, router, limits, std::future::pending()).await
}

/// Serves `router` on `listener` under `limits` until `shutdown` resolves,
/// then drains: it stops accepting (the socket is closed, so a new
/// connection is refused, not left waiting), closes each idle connection at
/// once and every other one after the answer it is working on, and returns
/// when all are closed, or after [`Limits::request_timeout`] (the longest a
/// request may take anyway), whichever comes first. A request in progress
/// when the operator stops the service is answered, not cut off.
pub async fn serve_until(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (draining, drain) = tokio::sync::watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, permit) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = accept(&listener, &permits) => accepted,
        };
        // Small answers leave at once (no 40 ms wait on Nagle and a delayed ACK).
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let mut drain = drain.clone();
        tokio::spawn(async move {
            // HTTP/1.1 only: its header timeout holds from the first byte
            // expected (a protocol sniffer would wait for a silent client).
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                // Draining (or the server dropped): finish the answer in progress, then close.
                _ = async { drop(drain.wait_for(|d| *d).await) } => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    let _ = draining.send(true);
    // Every connection holds a permit until it closes: all of them back means all closed.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(limits.request_timeout, permits.acquire_many(all)).await;
    Ok(())
}

/// The next connection, once fewer than the limit are open (the others
/// wait in the listen backlog), with the permit it holds while open.
async fn accept(listener: &TcpListener, permits: &Arc<Semaphore>) -> (TcpStream, OwnedSemaphorePermit) {
    loop {
        let permit = permits.clone().acquire_owned().await.expect("the semaphore is never closed");
        match listener.accept().await {
            Ok((stream, _)) => return (stream, permit),
            Err(e) => {
                // Out of file descriptors and the like: wait, do not spin.
                tracing::warn!("accepting a connection: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests;
