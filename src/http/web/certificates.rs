//! The certificate page: the record as `GET /api/v1/certificates/{id}` shows it to the
//! caller, its chain, its stored PDF and credential, its status history (from the audit
//! log) and, for its issuer and the bureau, the status changes as reasoned forms (in
//! `certificate_actions`).

use askama::Template;
use axum::{
    Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::CookieJar;

use super::{
    WebError,
    certificate_actions::{self, ActionForm, Powers},
    html,
    session::Session,
    staff::{FieldErrors, Shell},
};
use crate::{
    access::rules,
    audit::{self, AuditEntry, AuditQuery},
    certificates::{Certificate, CertificateStatus, CertificateSummary, read},
    error::AppError,
    http::AppState,
    stored::Stored,
};

/// The certificate pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/certificates/{id}", get(show))
        .route("/certificates/{id}/pdf", get(pdf))
        .route("/certificates/{id}/credential", get(credential))
        .route(
            "/certificates/{id}/suspend",
            post(certificate_actions::suspend),
        )
        .route(
            "/certificates/{id}/reinstate",
            post(certificate_actions::reinstate),
        )
        .route(
            "/certificates/{id}/revoke",
            post(certificate_actions::revoke),
        )
        .route(
            "/certificates/{id}/supersede",
            post(certificate_actions::supersede),
        )
        .route(
            "/certificates/{id}/renewal",
            post(certificate_actions::renew),
        )
}

/// A certificate of the chain, as a line with a link.
pub struct ChainLine {
    id: String,
    number: String,
    title: String,
    status_label: &'static str,
    status_class: &'static str,
    this_one: bool,
}

impl ChainLine {
    fn of(c: &CertificateSummary, this_id: &str) -> Self {
        Self {
            id: c.id.clone(),
            number: c.number.clone(),
            title: c.title.clone(),
            status_label: c.status.label(),
            status_class: c.status.as_str(),
            this_one: c.id == this_id,
        }
    }
}

/// One status change of the certificate, from its audit log entry.
pub struct HistoryLine {
    at: String,
    what: &'static str,
    actor: String,
    reason: Option<String>,
}

impl From<AuditEntry> for HistoryLine {
    fn from(e: AuditEntry) -> Self {
        let text = |key: &str| {
            e.summary
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        Self {
            at: e.at.format("%Y-%m-%d %H:%M").to_string(),
            what: match e.action.as_str() {
                "certificate.issue" => "签发",
                "certificate.suspend" => "暂停",
                "certificate.reinstate" => "恢复有效",
                "certificate.revoke" => "撤销",
                "certificate.supersede" => "更正换发",
                "certificate.renew" => "续期",
                _ => "变更",
            },
            reason: text("reason"),
            actor: e.actor,
        }
    }
}

#[derive(Template)]
#[template(path = "certificates/show.html")]
struct CertificatePage {
    shell: Shell,
    c: Certificate,
    kind_label: &'static str,
    status_label: &'static str,
    status_class: &'static str,
    /// The reason the status has, when it is not valid.
    status_reason: Option<String>,
    chain: Vec<ChainLine>,
    /// Shown to the issuer and the bureau only: it names staff.
    history: Option<Vec<HistoryLine>>,
    may: Powers,
    form: ActionForm,
    errors: FieldErrors,
}

/// The status history of a certificate: its audit log entries, in one query.
async fn history_of(app: &AppState, id: &str) -> Result<Vec<HistoryLine>, AppError> {
    let q = AuditQuery {
        after: None,
        limit: Some(500),
        record_type: Some("certificate".to_owned()),
        record_id: Some(id.to_owned()),
    };
    let page = audit::list(&app.db.read, &q).await?;
    Ok(page.items.into_iter().map(HistoryLine::from).collect())
}

/// Renders the page of certificate `id` for the session, with a form refused (its
/// errors under its fields, what was typed kept) or fresh ones.
pub async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    id: &str,
    form: ActionForm,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let caller = &session.caller;
    let c = read::get(&app.db.read, &app.certs, caller, id, app.now().today).await?;
    let staff_view = rules::may_stop_certificate(caller, &c.summary.issuer_id);
    let history = match staff_view {
        true => Some(history_of(app, id).await?),
        false => None,
    };
    let status = c.summary.status;
    let status_reason = match status {
        CertificateStatus::Suspended => c.suspend_reason.clone(),
        CertificateStatus::Revoked => c.revoke_reason.clone(),
        _ => None,
    };
    let (shell, jar) = Shell::load(app, session, &format!("/certificates/{id}"), jar).await?;
    let status_code = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = CertificatePage {
        shell,
        kind_label: c.summary.kind.label(),
        status_label: status.label(),
        status_class: status.as_str(),
        status_reason,
        chain: c.chain.iter().map(|l| ChainLine::of(l, id)).collect(),
        history,
        may: Powers::of(caller, &c),
        form,
        errors,
        c,
    };
    Ok((jar, html(status_code, page.render())).into_response())
}

/// The certificate with its chain, history and the actions the caller may take.
pub async fn show(
    State(app): State<AppState>,
    session: Session,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    render(
        &app,
        &session,
        jar,
        &id,
        ActionForm::default(),
        FieldErrors::default(),
    )
    .await
}

/// The PDF rendered at issue, byte for byte, to whoever may see the certificate.
pub async fn pdf(
    State(app): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (number, bytes) = read::pdf(&app.db.read, &session.caller, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"certificate-{number}.pdf\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The signed credential exactly as signed, to whoever may see the certificate.
pub async fn credential(
    State(app): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let json = read::credential(&app.db.read, &session.caller, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vc+ld+json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"credential.json\"",
            ),
        ],
        json,
    )
        .into_response())
}
