//! The HTTP layer: the only module that knows about axum, forms and templates.
//! [`api`] answers JSON under `/api/v1` (and `/health`, `/.well-known/`); [`web`] answers
//! pages. Both call the same capability functions. An error is rendered by the side that
//! answers: the JSON shape of docs/API.md for the API, an HTML page for a browser route.

pub mod api;
pub mod claim;
pub mod client;
pub mod error;
pub mod extract;
pub mod middleware;
pub mod policy;
pub mod rate_limit;
pub mod serve;
pub mod sign_in;
pub mod state;
pub mod web;

use std::sync::Arc;

use axum::{
    Router,
    extract::{DefaultBodyLimit, Request},
    response::{IntoResponse, Response},
};
use tower_http::{
    request_id::{PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

pub use state::{AppState, Shared};

use crate::error::AppError;
use middleware::{LogResponse, RandomRequestId, request_id_header, request_span};

/// All routes with their middleware, one stack wrapped around each route (and the
/// fallbacks) at once. From the outside in: the security headers (so every answer carries
/// them, whoever made it), the client's address, the request id, the request's span and
/// log line, the body limit, then the route.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.body_limit_bytes;
    let proxies = client::Proxies::new(
        state.config.trusted_proxies.clone(),
        state.config.forwarded_header,
    );
    let refusals = Arc::clone(&state.limiters.refusals);
    let [nosniff, referrer, framing, content] = middleware::security_headers();
    let stack = tower::ServiceBuilder::new()
        .layer(nosniff)
        .layer(referrer)
        .layer(framing)
        .layer(content)
        .layer(client::identify(proxies))
        .layer(SetRequestIdLayer::new(request_id_header(), RandomRequestId))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(LogResponse::new(refusals)),
        )
        .layer(PropagateRequestIdLayer::new(request_id_header()))
        .layer(DefaultBodyLimit::max(body_limit));
    let routes = api::router()
        .merge(web::router())
        .fallback(|req: Request| async move { unmatched(&req, AppError::NotFound) })
        .method_not_allowed_fallback(|req: Request| async move {
            unmatched(&req, AppError::MethodNotAllowed)
        });
    let routes = if state.config.statement_count_header {
        routes.layer(axum::middleware::from_fn(middleware::statement_count))
    } else {
        routes
    };
    routes.with_state(state).layer(stack)
}

/// Whether a path belongs to the machine-readable side, whose errors are JSON.
fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/") || path == "/health" || path.starts_with("/.well-known/")
}

/// An unknown address or method: JSON for the API, a page for everything else.
fn unmatched(req: &Request, err: AppError) -> Response {
    if is_api_path(req.uri().path()) {
        err.into_response()
    } else {
        web::error_page(err)
    }
}
