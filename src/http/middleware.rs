//! What wraps every request: a request id (made here or taken from the caller), one
//! tracing span per request with its log line (refusals over a limit summarised instead),
//! and the security headers every response carries.

use std::{sync::Arc, time::Duration};

use axum::{
    extract::{MatchedPath, Request},
    http::{HeaderName, HeaderValue, StatusCode, header},
};
use tower_http::{
    request_id::{MakeRequestId, RequestId},
    set_header::SetResponseHeaderLayer,
    trace::{DefaultOnResponse, OnResponse},
};
use tracing::Level;

use super::{client::ClientAddr, rate_limit::Refusals};

/// Request ids: version 4 UUIDs from the thread-local generator (no system call per
/// request, unlike a fresh read of the operating system's randomness).
#[derive(Clone, Copy)]
pub struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let id = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
        let mut text = uuid::Uuid::encode_buffer();
        HeaderValue::from_str(id.hyphenated().encode_lower(&mut text))
            .ok()
            .map(RequestId::new)
    }
}

pub fn request_id_header() -> HeaderName {
    HeaderName::from_static("x-request-id")
}

/// One span per request: method, route pattern (never the concrete path, which may hold
/// a verification token), request id and client address (behind a trusted proxy, the
/// forwarded one).
pub fn request_span(req: &Request) -> tracing::Span {
    // Borrowed fields: nothing is allocated when the span is filtered out.
    tracing::info_span!(
        "request",
        method = %req.method(),
        client = %req.extensions().get::<ClientAddr>().copied().unwrap_or(ClientAddr::UNKNOWN),
        route = req
            .extensions()
            .get::<MatchedPath>()
            .map_or("unmatched", |p| p.as_str()),
        request_id = req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-"),
        account = tracing::field::Empty
    )
}

/// The log line of a finished request; a 429 is only noted, so that a flood of refusals
/// is summarised rather than written line by line.
#[derive(Clone)]
pub struct LogResponse {
    refusals: Arc<Refusals>,
}

impl LogResponse {
    pub fn new(refusals: Arc<Refusals>) -> Self {
        Self { refusals }
    }
}

impl<B> OnResponse<B> for LogResponse {
    fn on_response(
        self,
        response: &axum::http::Response<B>,
        latency: Duration,
        span: &tracing::Span,
    ) {
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            self.refusals.note();
        } else {
            DefaultOnResponse::new()
                .level(Level::INFO)
                .on_response(response, latency, span);
        }
    }
}

/// Headers every response carries. Verification addresses hold a token, so no page ever
/// sends its address on to another site (`Referrer-Policy`); pages load nothing from
/// elsewhere, run only the registry's own scripts (no inline script) and cannot be framed. Harmless on JSON, so set on all.
const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
];

/// The layers that add the security headers to every response that lacks them.
pub fn security_headers() -> [SetResponseHeaderLayer<HeaderValue>; 4] {
    SECURITY_HEADERS.map(|(name, value)| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    })
}

/// Answers with `x-db-statements`: how many SQL statements the request ran (configured by
/// `REGISTRY_STATEMENT_COUNT_HEADER`).
pub async fn statement_count(
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let (mut response, statements) = crate::db::count_statements(next.run(req)).await;
    response
        .headers_mut()
        .insert("x-db-statements", HeaderValue::from(statements));
    response
}
