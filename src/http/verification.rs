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
    extract::{ApiJson, ApiPath},
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
        match limiter.check_key(&ip) {
            Ok(()) => Ok(Self),
            Err(not_until) => {
                let wait = not_until.wait_time_from(governor::clock::Clock::now(
                    &governor::clock::DefaultClock::default(),
                ));
                Err(AppError::RateLimited {
                    retry_after_secs: wait.as_secs().max(1),
                })
            }
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct LangQuery {
    /// `en` for English; Chinese otherwise.
    lang: Option<String>,
}

/// The page's words in one language.
pub struct Labels {
    pub site: &'static str,
    pub switch: &'static str,
    pub footer: &'static str,
    pub page_title: &'static str,
    pub number: &'static str,
    pub holder: &'static str,
    pub id_number: &'static str,
    pub name: &'static str,
    pub occupation: &'static str,
    pub level: &'static str,
    pub standard: &'static str,
    pub issuer: &'static str,
    pub credit_code: &'static str,
    pub issued_on: &'static str,
    pub valid_until: &'static str,
    pub chain: &'static str,
    pub replaced_by: &'static str,
    pub match_title: &'static str,
    pub match_hint: &'static str,
    pub match_button: &'static str,
    pub match_yes: &'static str,
    pub match_no: &'static str,
    pub credential_hash: &'static str,
    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    english: bool,
}

const ZH: Labels = Labels {
    site: "额尔古纳市职业技能证书查验",
    switch: "English",
    footer: "额尔古纳市人力资源和社会保障局 · 职业技能培训与证书登记系统",
    page_title: "证书查验",
    number: "证书编号",
    holder: "持证人",
    id_number: "身份证号",
    name: "姓名",
    occupation: "职业",
    level: "等级",
    standard: "考核规范",
    issuer: "发证机构",
    credit_code: "统一社会信用代码",
    issued_on: "发证日期",
    valid_until: "有效期至",
    chain: "持证人同一培训链上的其他证书",
    replaced_by: "替换后的证书：",
    match_title: "核对持证人",
    match_hint: "如您已知持证人的姓名和身份证号，可在此核对是否一致。系统只回答“一致”或“不一致”，不会显示任何个人信息。",
    match_button: "核对",
    match_yes: "一致：所填姓名和身份证号与持证人相符。",
    match_no: "不一致：所填信息与持证人不符。",
    credential_hash: "电子证书（可验证凭证）SHA-256",
    not_found_title: "查无此证书",
    not_found_text: "该二维码或链接不对应本系统签发的任何证书。请核对链接，或向发证机构求证。",
    english: false,
};

const EN: Labels = Labels {
    site: "Erguna Skills Certificate Check",
    switch: "中文",
    footer: "Erguna Human Resources and Social Security Bureau · Skills Training and Certification Registry",
    page_title: "Certificate check",
    number: "Certificate no.",
    holder: "Holder",
    id_number: "ID number",
    name: "Name",
    occupation: "Occupation",
    level: "Level",
    standard: "Standard",
    issuer: "Issued by",
    credit_code: "Unified social credit code",
    issued_on: "Issued on",
    valid_until: "Valid until",
    chain: "The holder's other certificates in this chain",
    replaced_by: "Replaced by:",
    match_title: "Confirm the holder",
    match_hint: "If you already know the holder's name and ID number, enter them to check. The registry only answers match or no match and never displays personal data.",
    match_button: "Check",
    match_yes: "Match: the name and ID number are the holder's.",
    match_no: "No match: the details do not belong to the holder.",
    credential_hash: "Verifiable credential SHA-256",
    not_found_title: "No such certificate",
    not_found_text: "This QR code or link does not belong to any certificate issued by this registry. Check the link or ask the issuer.",
    english: true,
};

impl Labels {
    fn status(&self, status: &str) -> &'static str {
        match (self.english, status) {
            (false, "valid") => "有效",
            (false, "suspended") => "已暂停",
            (false, "revoked") => "已撤销",
            (false, "expired") => "已过期",
            (false, "superseded") => "已被替换",
            (true, "valid") => "Valid",
            (true, "suspended") => "Suspended",
            (true, "revoked") => "Revoked",
            (true, "expired") => "Expired",
            (true, "superseded") => "Superseded",
            _ => "—",
        }
    }

    fn why(&self, v: &Verification) -> Option<String> {
        let since = v.status_since.map(|d| d.to_string()).unwrap_or_default();
        let reason = v.reason.clone().unwrap_or_default();
        Some(match (self.english, v.status.as_str()) {
            (false, "valid") => "证书真实有效，由本系统签发且未被篡改。".to_owned(),
            (false, "revoked") => format!("已于 {since} 撤销，原因：{reason}"),
            (false, "suspended") => format!("自 {since} 起暂停使用，原因：{reason}"),
            (false, "expired") => format!("有效期已于 {since} 届满"),
            (false, "superseded") => format!("已于 {since} 被更正后的新证书替换，本证书不再使用"),
            (true, "valid") => {
                "Genuine and valid: issued by this registry and unaltered.".to_owned()
            }
            (true, "revoked") => format!("Revoked on {since}. Reason: {reason}"),
            (true, "suspended") => format!("Suspended since {since}. Reason: {reason}"),
            (true, "expired") => format!("Expired on {since}"),
            (true, "superseded") => format!("Superseded on {since} by a corrected certificate"),
            _ => return None,
        })
    }
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
    matched: Option<bool>,
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

fn render_page(token: &str, q: &LangQuery, v: Verification, matched: Option<bool>) -> Response {
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
        matched,
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
    match verification::lookup(&app.db.read, &app.certs, &token).await {
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
    let result = async {
        let matched =
            verification::holder_matches(&app.db.read, &app.certs, &token, &claim).await?;
        let v = verification::lookup(&app.db.read, &app.certs, &token).await?;
        Ok::<_, AppError>((v, matched))
    }
    .await;
    match result {
        Ok((v, matched)) => render_page(&token, &q, v, Some(matched)),
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
) -> Result<Json<Verification>, AppError> {
    Ok(Json(
        verification::lookup(&app.db.read, &app.certs, &token).await?,
    ))
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
    mut multipart: Multipart,
) -> Result<Json<DocumentCheck>, AppError> {
    let malformed = |_| AppError::Malformed {
        message: "请以 multipart/form-data 上传文件（字段名 file）".into(),
    };
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        if field.name() == Some("file") {
            let bytes = field.bytes().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::TooLarge
                } else {
                    AppError::Malformed {
                        message: "无法读取上传的文件".into(),
                    }
                }
            })?;
            return Ok(Json(
                document::check(&app.db.read, &app.certs, &bytes).await?,
            ));
        }
    }
    Err(AppError::invalid(
        "file",
        "required",
        "请上传证书 PDF 或凭证 JSON（字段名 file）",
    ))
}
