//! The public verification page behind every QR code (`/v/{token}`, Chinese with an
//! English switch, made for a phone) and its JSON twin, the holder match, and the
//! per-client rate limit in front of them.

use std::net::{IpAddr, SocketAddr};

use askama::Template;
use axum::{
    Form, Json,
    extract::{ConnectInfo, FromRequestParts, Multipart, Query, State},
    http::{StatusCode, request::Parts},
    response::{Html, IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    AppState,
    extract::{ApiJson, ApiPath, uploaded_file},
    labels::{EN, Labels, ZH},
};
use crate::{
    error::{AppError, ErrorBody},
    verification::{
        self, HolderClaim, Verification,
        document::{self, DocumentCheck},
    },
};

/// Passes when the client is under its verification rate; otherwise 429 with
/// Retry-After.
pub struct WithinRate;

impl FromRequestParts<AppState> for WithinRate {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(limiter) = &state.verify_limiter else {
            return Ok(Self);
        };
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        limiter.check_key(&ip).map(|()| Self).map_err(rate_limited)
    }
}

type Instant = <governor::clock::DefaultClock as governor::clock::Clock>::Instant;

fn rate_limited(not_until: governor::NotUntil<Instant>) -> AppError {
    let wait = not_until.wait_time_from(governor::clock::Clock::now(
        &governor::clock::DefaultClock::default(),
    ));
    AppError::RateLimited {
        retry_after_secs: wait.as_secs().max(1),
    }
}

/// Whether the certificate behind `token` still accepts holder matches this hour.
fn match_allowed(app: &AppState, token: &str) -> Result<(), AppError> {
    match &app.match_limiter {
        Some(limiter) => limiter.check_key(&token.to_owned()).map_err(rate_limited),
        None => Ok(()),
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct LangQuery {
    /// `en` for English; Chinese otherwise.
    lang: Option<String>,
}

fn labels(q: &LangQuery) -> (&'static Labels, &'static str) {
    if q.lang.as_deref() == Some("en") {
        (&EN, "en")
    } else {
        (&ZH, "zh-CN")
    }
}

pub struct ChainRow {
    pub title: String,
    pub number: String,
    pub status: String,
    pub status_text: &'static str,
    pub issuer_name: String,
    pub verify_url: String,
}

pub struct PageView {
    pub status: String,
    pub title: String,
    pub number: String,
    pub holder_name: String,
    pub holder_id: String,
    pub occupation: Option<String>,
    pub level: Option<String>,
    pub standard: Option<String>,
    pub issuer_name: String,
    pub issuer_credit_code: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub credential_sha256: String,
    pub superseded_by: Option<ChainRow>,
    pub chain: Vec<ChainRow>,
}

#[derive(Template)]
#[template(path = "verify.html")]
pub struct VerifyPage {
    t: &'static Labels,
    lang: &'static str,
    lang_query: &'static str,
    switch_href: String,
    token: String,
    status_text: &'static str,
    why: Option<String>,
    v: PageView,
    answer: Option<Answer>,
}

/// The holder match's answer on the page.
pub struct Answer {
    /// `yes`, `no` or `wait` (the style).
    class: &'static str,
    text: &'static str,
}

/// What the page's holder-match form got.
#[derive(Clone, Copy)]
enum Matched {
    Yes,
    No,
    TooMany,
}

#[derive(Template)]
#[template(path = "verify_not_found.html")]
pub struct NotFoundPage {
    t: &'static Labels,
    lang: &'static str,
    switch_href: String,
}

fn row(t: &Labels, c: verification::ChainEntry) -> ChainRow {
    ChainRow {
        status_text: t.status(&c.status),
        title: c.title,
        number: c.number,
        status: c.status,
        issuer_name: c.issuer_name,
        verify_url: c.verify_url,
    }
}

fn render_page(token: &str, q: &LangQuery, v: Verification, matched: Option<Matched>) -> Response {
    let (t, lang) = labels(q);
    let english = t.english;
    let why = t.why(&v);
    let page = VerifyPage {
        t,
        lang,
        lang_query: if english { "?lang=en" } else { "" },
        switch_href: if english {
            format!("/v/{token}")
        } else {
            format!("/v/{token}?lang=en")
        },
        token: token.to_owned(),
        status_text: t.status(&v.status),
        why,
        answer: matched.map(|m| match m {
            Matched::Yes => Answer {
                class: "yes",
                text: t.match_yes,
            },
            Matched::No => Answer {
                class: "no",
                text: t.match_no,
            },
            Matched::TooMany => Answer {
                class: "wait",
                text: t.match_too_many,
            },
        }),
        v: PageView {
            superseded_by: v.superseded_by.map(|c| row(t, c)),
            chain: v.chain.into_iter().map(|c| row(t, c)).collect(),
            status: v.status,
            title: if english {
                format!("{} ({})", v.title, english_title(&v.kind))
            } else {
                v.title
            },
            number: v.number,
            holder_name: v.holder_name,
            holder_id: v.holder_id,
            occupation: v.occupation,
            level: v.level,
            standard: v.standard,
            issuer_name: v.issuer_name,
            issuer_credit_code: v.issuer_credit_code,
            valid_from: v.valid_from.to_string(),
            valid_until: v.valid_until.map(|d| d.to_string()),
            credential_sha256: v.credential_sha256,
        },
    };
    html(StatusCode::OK, page.render())
}

fn english_title(kind: &str) -> &'static str {
    match kind {
        "completion" => "Certificate of Completion",
        "specialty" => "Specialty Skill Certificate",
        "skill_level" => "Vocational Skill Level Certificate",
        "licence" => "Licence",
        _ => "Apprenticeship Certificate",
    }
}

fn html(status: StatusCode, rendered: Result<String, askama::Error>) -> Response {
    match rendered {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("rendering a page: {e}")).into_response(),
    }
}

fn not_found_page(token: &str, q: &LangQuery) -> Response {
    let (t, lang) = labels(q);
    let switch_href = if t.english {
        format!("/v/{token}")
    } else {
        format!("/v/{token}?lang=en")
    };
    html(
        StatusCode::NOT_FOUND,
        NotFoundPage {
            t,
            lang,
            switch_href,
        }
        .render(),
    )
}

/// Pages never show internal detail: an unknown token is the not-found page, anything
/// else a plain error page.
fn page_error(token: &str, q: &LangQuery, err: AppError) -> Response {
    match err {
        AppError::NotFound => not_found_page(token, q),
        AppError::RateLimited { .. } => err.into_response(),
        other => {
            tracing::error!(error = %other, "verification page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html("<!doctype html><meta charset=utf-8><p>系统繁忙，请稍后再试。Please try again later.</p>")).into_response()
        }
    }
}

/// The verification page a QR code opens.
#[utoipa::path(get, path = "/v/{token}", tag = "verification", params(("token" = String, Path), LangQuery),
    responses((status = 200, content_type = "text/html"), (status = 404, content_type = "text/html"), (status = 429, body = ErrorBody)))]
pub async fn page(
    State(app): State<AppState>,
    _: WithinRate,
    ApiPath(token): ApiPath<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    match app.verification.lookup(&app.db.read, &token).await {
        Ok(v) => render_page(&token, &q, v, None),
        Err(e) => page_error(&token, &q, e),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct HolderForm {
    name: String,
    citizen_id: String,
}

/// The page's holder-match form.
#[utoipa::path(post, path = "/v/{token}", tag = "verification", params(("token" = String, Path), LangQuery),
    responses((status = 200, content_type = "text/html"), (status = 404, content_type = "text/html"), (status = 429, body = ErrorBody)))]
pub async fn page_match(
    State(app): State<AppState>,
    _: WithinRate,
    ApiPath(token): ApiPath<String>,
    Query(q): Query<LangQuery>,
    Form(form): Form<HolderForm>,
) -> Response {
    let claim = HolderClaim {
        name: form.name,
        citizen_id: form.citizen_id,
    };
    let v = match app.verification.lookup(&app.db.read, &token).await {
        Ok(v) => v,
        Err(e) => return page_error(&token, &q, e),
    };
    if let Err(limited) = match_allowed(&app, &token) {
        let mut page = render_page(&token, &q, v, Some(Matched::TooMany));
        *page.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        if let AppError::RateLimited { retry_after_secs } = limited {
            page.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after_secs),
            );
        }
        return page;
    }
    match verification::holder_matches(&app.db.read, &app.certs, &token, &claim).await {
        Ok(true) => render_page(&token, &q, v, Some(Matched::Yes)),
        Ok(false) => render_page(&token, &q, v, Some(Matched::No)),
        Err(e) => page_error(&token, &q, e),
    }
}

/// The same as the page, as JSON.
#[utoipa::path(get, path = "/api/v1/verify/{token}", tag = "verification", params(("token" = String, Path)),
    responses((status = 200, body = Verification), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn show(
    State(app): State<AppState>,
    _: WithinRate,
    ApiPath(token): ApiPath<String>,
) -> Result<Response, AppError> {
    let v = app.verification.lookup(&app.db.read, &token).await?;
    // Sized for a certificate with a chain of three, so the body is written in one go.
    let mut body = Vec::with_capacity(2048);
    serde_json::to_writer(&mut body, &v)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("writing a verification: {e}")))?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct MatchAnswer {
    /// Whether the name and ID number are the holder's.
    r#match: bool,
}

/// Confirms (or not) a holder's name and ID number without revealing them.
#[utoipa::path(post, path = "/api/v1/verify/{token}/holder", tag = "verification", params(("token" = String, Path)),
    request_body = HolderClaim,
    responses((status = 200, body = MatchAnswer), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn holder(
    State(app): State<AppState>,
    _: WithinRate,
    ApiPath(token): ApiPath<String>,
    ApiJson(claim): ApiJson<HolderClaim>,
) -> Result<Json<MatchAnswer>, AppError> {
    // An unknown token is a 404 whatever the limit says.
    app.verification.lookup(&app.db.read, &token).await?;
    match_allowed(&app, &token)?;
    let matched = verification::holder_matches(&app.db.read, &app.certs, &token, &claim).await?;
    Ok(Json(MatchAnswer { r#match: matched }))
}

/// Checks an uploaded certificate PDF or credential JSON (multipart field `file`):
/// issued by this registry? unaltered? current status?
#[utoipa::path(post, path = "/api/v1/verify/document", tag = "verification",
    request_body(content_type = "multipart/form-data", description = "`file`: a certificate PDF or a credential JSON"),
    responses((status = 200, body = DocumentCheck), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn document(
    State(app): State<AppState>,
    _: WithinRate,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Json<DocumentCheck>, AppError> {
    let bytes = uploaded_file(multipart, "证书 PDF 或凭证 JSON").await?;
    Ok(Json(
        document::check(&app.db.read, &app.certs, &bytes).await?,
    ))
}
