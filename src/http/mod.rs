//! The HTTP layer: the only module that knows about axum. Every route is listed in
//! [`router`]; handlers extract, call one capability function and return a typed
//! response. The OpenAPI document is generated from the handlers' annotations.

mod accounts;
mod audit;
mod auth;
mod certificates;
mod cohorts;
pub mod extract;
mod health;
mod labels;
mod organisations;
mod people;
mod policy;
mod programs;
mod standards;
mod verification;

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, MatchedPath, Request},
    http::HeaderName,
    response::IntoResponse,
    routing::get,
};
use tower_http::{
    request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{certificates::Services, config::Config, db::Db, error::AppError, people::PiiKeys};

/// What every handler can reach: one shared allocation, so extracting it is a single
/// reference-count increment.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of the application state.
pub struct Shared {
    pub config: Arc<Config>,
    pub db: Db,
    pub pii: Arc<PiiKeys>,
    pub certs: Arc<Services>,
    /// Per-client limit on verification and look-up; `None` when turned off.
    pub verify_limiter: Option<Arc<governor::DefaultKeyedRateLimiter<std::net::IpAddr>>>,
    /// Per-certificate limit on holder matches (all clients together), by token.
    pub match_limiter: Option<Arc<governor::DefaultKeyedRateLimiter<String>>>,
    /// What verification answers from.
    pub verification: Arc<crate::verification::Index>,
    /// The signed status lists as last built.
    pub status_lists: Arc<crate::certificates::status_lists::Published>,
}

impl AppState {
    /// Call after committing a change verification shows (a certificate issued or
    /// changed, an organisation renamed): this instance's index takes it in before the
    /// response goes out. Other instances follow within one sync interval.
    pub async fn changed(&self) {
        if let Err(e) = self.verification.catch_up(&self.db.read).await {
            tracing::warn!(error = %e, "updating the verification index failed; the next sync retries");
        }
    }
}

/// The verification rate limiter for `per_minute` requests a minute per client.
pub fn verify_limiter(
    per_minute: u32,
) -> Option<Arc<governor::DefaultKeyedRateLimiter<std::net::IpAddr>>> {
    let rate = std::num::NonZeroU32::new(per_minute)?;
    let burst = std::num::NonZeroU32::new((per_minute / 4).max(1))?;
    Some(Arc::new(governor::RateLimiter::keyed(
        governor::Quota::per_minute(rate).allow_burst(burst),
    )))
}

/// The holder-match limiter: `per_hour` attempts an hour per certificate, all at once
/// if need be, then one every `60 / per_hour` minutes.
pub fn match_limiter(per_hour: u32) -> Option<Arc<governor::DefaultKeyedRateLimiter<String>>> {
    let rate = std::num::NonZeroU32::new(per_hour)?;
    Some(Arc::new(governor::RateLimiter::keyed(
        governor::Quota::per_hour(rate),
    )))
}

/// Forgets the limiters' clients and certificates that are back at their full allowance,
/// every minute, so their tables do not grow without end.
pub fn prune_limiters(state: &AppState) {
    fn prune<K: Clone + Eq + std::hash::Hash>(
        limiter: &Option<Arc<governor::DefaultKeyedRateLimiter<K>>>,
    ) {
        if let Some(l) = limiter {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
    let (verify, matches) = (state.verify_limiter.clone(), state.match_limiter.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            prune(&verify);
            prune(&matches);
        }
    });
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "额尔古纳市职业技能培训与证书登记系统 API",
        description = "Erguna skills-training and certification registry. Errors: `{error, message, fields}`; lists: `?limit=&cursor=` with `next_cursor`.",
        version = "1"
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::error::ErrorBody))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// All routes with their middleware, and the OpenAPI document describing them.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::show))
        .routes(routes!(auth::create_token))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::create_integration_token))
        .routes(routes!(auth::revoke_token))
        .routes(routes!(organisations::create, organisations::index))
        .routes(routes!(organisations::show, organisations::update))
        .routes(routes!(organisations::approve))
        .routes(routes!(organisations::suspend))
        .routes(routes!(accounts::create, accounts::index))
        .routes(routes!(audit::index))
        .routes(routes!(audit::verify))
        .routes(routes!(standards::occupations))
        .routes(routes!(standards::skill_levels))
        .routes(routes!(standards::index, standards::create))
        .routes(routes!(standards::show))
        .routes(routes!(standards::draft_version))
        .routes(routes!(standards::update_version))
        .routes(routes!(standards::publish))
        .routes(routes!(standards::retire))
        .routes(routes!(programs::create, programs::index))
        .routes(routes!(programs::show))
        .routes(routes!(cohorts::create, cohorts::index))
        .routes(routes!(cohorts::show))
        .routes(routes!(cohorts::enrol, cohorts::enrolments))
        .routes(routes!(cohorts::import))
        .routes(routes!(cohorts::show_enrolment))
        .routes(routes!(cohorts::withdraw))
        .routes(routes!(cohorts::record_result))
        .routes(routes!(people::show))
        .routes(routes!(people::create_login))
        .routes(routes!(certificates::create))
        .routes(routes!(certificates::create_for_cohort))
        .routes(routes!(certificates::show))
        .routes(routes!(certificates::pdf))
        .routes(routes!(certificates::credential))
        .routes(routes!(certificates::bundle))
        .routes(routes!(certificates::create_assessment))
        .routes(routes!(certificates::show_assessment))
        .routes(routes!(certificates::did_document))
        .routes(routes!(certificates::revoke))
        .routes(routes!(certificates::suspend))
        .routes(routes!(certificates::reinstate))
        .routes(routes!(certificates::supersede))
        .routes(routes!(certificates::status_list))
        .routes(routes!(verification::page, verification::page_match))
        .routes(routes!(verification::show))
        .routes(routes!(verification::holder))
        .routes(routes!(verification::document))
        .split_for_parts();
    let openapi_json = Arc::new(openapi.to_pretty_json().unwrap_or_default());
    let body_limit = state.config.body_limit_bytes;
    api.route(
        "/api/v1/openapi.json",
        get(move || {
            let doc = Arc::clone(&openapi_json);
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    doc.to_string(),
                )
            }
        }),
    )
    .fallback(not_found)
    .with_state(state)
    .layer(DefaultBodyLimit::max(body_limit))
    .layer(
        tower::ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(request_id_header(), RandomRequestId))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(request_span)
                    .on_response(DefaultOnResponse::new().level(Level::INFO)),
            )
            .layer(PropagateRequestIdLayer::new(request_id_header())),
    )
}

/// Request ids: version 4 UUIDs from the thread-local generator (no system call per
/// request, unlike a fresh read of the operating system's randomness).
#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let id = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
        let mut text = uuid::Uuid::encode_buffer();
        axum::http::HeaderValue::from_str(id.hyphenated().encode_lower(&mut text))
            .ok()
            .map(RequestId::new)
    }
}

fn request_id_header() -> HeaderName {
    HeaderName::from_static("x-request-id")
}

/// One span per request: method, route pattern (never the concrete path, which may hold
/// a verification token) and request id.
fn request_span(req: &Request) -> tracing::Span {
    // Borrowed fields: nothing is allocated when the span is filtered out.
    tracing::info_span!(
        "request",
        method = %req.method(),
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

async fn not_found() -> impl IntoResponse {
    AppError::NotFound
}

/// A JSON response with status 201.
pub struct Created<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> axum::response::Response {
        (axum::http::StatusCode::CREATED, Json(self.0)).into_response()
    }
}
