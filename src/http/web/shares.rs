//! A trainee's certificate page (`/me/certificates/{id}`: the QR code to show on a phone,
//! the downloads, the share links) and the public page a share link opens (`/s/{token}`),
//! which shows what the verification page shows while the link lives and says when it
//! stops, with Open Graph tags so a chat app shows a card.

use askama::Template;
use axum::{
    Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::CookieJar;
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Deserialize;

use super::{
    WebError, html,
    labels::ZH,
    session::{CheckedForm, SignedIn},
    staff::{FieldErrors, Shell, with_flash},
    verify::PageRate,
};
use crate::{
    certificates::{Certificate, read},
    error::AppError,
    http::{AppState, policy::Trainees},
    stored::Stored,
    trainees::{
        qr,
        shares::{self, NewShare, Opened, Share, ShareInput, ShareState},
    },
    verification::Verification,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/certificates/{id}", get(certificate_page))
        .route("/me/certificates/{id}/shares", post(create_share))
        .route(
            "/me/certificates/{id}/shares/{share}/revoke",
            post(revoke_share),
        )
        .route("/s/{token}", get(shared))
        .route("/static/share.js", get(script))
        .route("/static/share-card.png", get(card))
}

/// A share link as a line of the holder's list.
struct ShareLine {
    id: String,
    expires_on: NaiveDate,
    state: &'static str,
    state_label: &'static str,
    created: String,
    last_opened: String,
}

/// A link just made: its address is shown this once.
struct NewLink {
    url: String,
    expires_on: NaiveDate,
    linkedin: String,
}

#[derive(Template)]
#[template(path = "trainee/certificate.html")]
struct CertificatePage {
    shell: Shell,
    c: Certificate,
    status_label: &'static str,
    status_class: &'static str,
    qr_svg: String,
    shares: Vec<ShareLine>,
    new_link: Option<NewLink>,
    errors: FieldErrors,
    expires_on: String,
}

fn minute(at: DateTime<FixedOffset>, zone: FixedOffset) -> String {
    at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

fn line(s: Share, zone: FixedOffset) -> ShareLine {
    ShareLine {
        state: match s.state {
            ShareState::Active => "valid",
            ShareState::Expired => "expired",
            ShareState::Revoked => "revoked",
        },
        state_label: s.state.label(),
        created: minute(s.created_at, zone),
        last_opened: s
            .last_opened_at
            .map_or_else(|| "从未打开".to_owned(), |at| minute(at, zone)),
        id: s.id,
        expires_on: s.expires_on,
    }
}

/// LinkedIn's add-to-profile address for `c` shared at `url`.
fn linkedin(c: &Certificate, url: &str) -> String {
    use chrono::Datelike;
    let from = c.summary.valid_from;
    let mut query = vec![
        ("startTask", "CERTIFICATION_NAME".to_owned()),
        ("name", c.summary.title.clone()),
        ("organizationName", c.summary.issuer_name.clone()),
        ("issueYear", from.year().to_string()),
        ("issueMonth", from.month().to_string()),
    ];
    if let Some(until) = c.summary.valid_until {
        query.push(("expirationYear", until.year().to_string()));
        query.push(("expirationMonth", until.month().to_string()));
    }
    query.push(("certId", c.summary.number.clone()));
    query.push(("certUrl", url.to_owned()));
    let query = serde_urlencoded::to_string(query).unwrap_or_default();
    format!("https://www.linkedin.com/profile/add?{query}")
}

/// The page of one of the caller's own certificates; another's is "not found".
async fn render(
    app: &AppState,
    session: &super::session::Session,
    id: &str,
    jar: CookieJar,
    made: Option<NewShare>,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let today = app.now().today;
    let caller = &session.caller;
    let c = read::get(&app.db.read, &app.certs, caller, id, today).await?;
    let zone = app.clock.zone();
    let shares = shares::list(&app.db.read, caller, id, today)
        .await?
        .into_iter()
        .map(|s| line(s, zone))
        .collect();
    let (shell, jar) = Shell::load(app, session, "/me", jar).await?;
    let page = CertificatePage {
        shell,
        qr_svg: qr::svg(&c.verify_url, 240)?,
        status_label: c.summary.status.label(),
        status_class: c.summary.status.as_str(),
        new_link: made.map(|m| NewLink {
            linkedin: linkedin(&c, &m.url),
            url: m.url,
            expires_on: m.share.expires_on,
        }),
        shares,
        errors,
        expires_on: String::new(),
        c,
    };
    Ok((jar, html(status, page.render())).into_response())
}

async fn certificate_page(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Trainees>,
    Path(id): Path<String>,
    jar: CookieJar,
) -> Result<Response, WebError> {
    let errors = FieldErrors::default();
    render(&app, &session, &id, jar, None, errors, StatusCode::OK).await
}

#[derive(Deserialize)]
struct ShareForm {
    #[serde(default)]
    days: String,
    #[serde(default)]
    expires_on: String,
}

impl ShareForm {
    fn input(&self) -> Result<ShareInput, AppError> {
        let date = self.expires_on.trim();
        if !date.is_empty() {
            return NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map(|d| ShareInput {
                    days: None,
                    expires_on: Some(d),
                })
                .map_err(|_| {
                    AppError::invalid("expires_on", "format", "请按 年-月-日 填写截止日期")
                });
        }
        let days = self
            .days
            .trim()
            .parse::<u32>()
            .map_err(|_| AppError::invalid("days", "format", "请选择有效天数"))?;
        Ok(ShareInput {
            days: Some(days),
            expires_on: None,
        })
    }
}

/// Makes a share link and shows its address this once, with the copy and LinkedIn
/// buttons.
async fn create_share(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Trainees>,
    Path(id): Path<String>,
    jar: CookieJar,
    CheckedForm(form): CheckedForm<ShareForm>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let base = &app.certs.base_url;
    let made = match form.input() {
        Ok(input) => {
            app.write(async |txn| shares::create(txn, base, &caller, &id, &input, app.now()).await)
                .await
        }
        Err(e) => Err(e),
    };
    match made {
        Ok(made) => {
            render(
                &app,
                &session,
                &id,
                jar,
                Some(made),
                FieldErrors::default(),
                StatusCode::CREATED,
            )
            .await
        }
        Err(AppError::Invalid { fields, .. }) => {
            let errors = FieldErrors::from_fields(&fields);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render(&app, &session, &id, jar, None, errors, status).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn revoke_share(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Trainees>,
    Path((id, share)): Path<(String, String)>,
    jar: CookieJar,
    CheckedForm(Empty {}): CheckedForm<Empty>,
) -> Result<Response, WebError> {
    let caller = session.caller;
    app.write(async |txn| shares::revoke(txn, &caller, &id, &share, app.now()).await)
        .await?;
    let jar = with_flash(jar, "分享链接已撤销，打开它的人将看到“链接已失效”。");
    Ok((jar, Redirect::to(&format!("/me/certificates/{id}"))).into_response())
}

#[derive(Template)]
#[template(path = "trainee/shared.html")]
struct SharedPage {
    url: String,
    image: String,
    og_title: String,
    og_description: String,
    until: NaiveDate,
    status_text: &'static str,
    status_class: &'static str,
    why: String,
    v: Verification,
}

#[derive(Template)]
#[template(path = "trainee/share_gone.html")]
struct GonePage {
    message: String,
}

/// The page a share link opens: the certificate as the verification page shows it while
/// the link lives; 410 once it has expired or been revoked, without the certificate.
async fn shared(
    State(app): State<AppState>,
    _: PageRate,
    token: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<Response, WebError> {
    let Ok(Path(token)) = token else {
        return Err(AppError::NotFound.into());
    };
    let now = app.now();
    let (share, certificate_token, record) = match shares::open(&app.db.read, &token, now).await? {
        Opened::Live {
            share,
            certificate_token,
            record,
        } => (share, certificate_token, record),
        Opened::Expired(on) => {
            let message = format!("此分享链接已于 {on} 过期，证书持有人可以重新分享。");
            return Ok(html(StatusCode::GONE, GonePage { message }.render()));
        }
        Opened::Revoked => {
            let message = "此分享链接已被证书持有人撤销。".to_owned();
            return Ok(html(StatusCode::GONE, GonePage { message }.render()));
        }
    };
    let v = app
        .verification
        .lookup(&app.db.read, &certificate_token, now.today)
        .await?;
    if record {
        app.write(async |txn| shares::touch(txn, &share.id, now).await)
            .await?;
    }
    let base = &app.certs.base_url;
    let status_text = ZH.status(v.status);
    let what = v
        .program
        .clone()
        .or(v.occupation.clone())
        .unwrap_or_default();
    let page = SharedPage {
        url: format!("{base}/s/{token}"),
        image: format!("{base}/static/share-card.png"),
        og_title: format!("{} · {}", v.title, v.holder_name),
        og_description: format!(
            "{status_text}｜{what} {}签发，证书编号 {}。额尔古纳市职业技能证书查验",
            v.issuer_name, v.number
        ),
        until: share.expires_on,
        status_text,
        status_class: v.status.as_str(),
        why: ZH.why(&v),
        v,
    };
    Ok(html(StatusCode::OK, page.render()))
}

const SHARE_JS: &str = include_str!("../../../static/share.js");
const SHARE_CARD: &[u8] = include_bytes!("../../../static/share-card.png");

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SHARE_JS,
    )
}

async fn card() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        SHARE_CARD,
    )
}
