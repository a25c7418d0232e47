//! The status changes on the certificate page, each a form with a required reason:
//! suspend and revoke (the issuer, or the bureau for fraud it finds), reinstate and
//! supersede with corrections (the issuer), renew a licence (its licensing authority).
//! Each calls the capability the API calls; a refusal shows under the form's field with
//! what was typed kept, a conflict comes back as an error message.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use chrono::NaiveDate;
use serde::Deserialize;

use super::{
    WebError,
    certificates::render,
    session::{CheckedForm, Session, SignedIn},
    staff::{FieldErrors, with_flash, with_flash_error},
};
use crate::{
    access::{Role, rules},
    certificates::{
        Certificate, CertificateStatus,
        lifecycle::{self, StatusChange},
        renewal::{self, RenewalRequest},
    },
    error::AppError,
    http::{
        AppState,
        policy::{Issuers, Licensing, Stoppers},
    },
    programs::CertificateKind,
};

/// Which forms the page shows the caller. The capabilities decide; this only spares
/// people a button that would be refused.
#[derive(Default)]
pub struct Powers {
    pub suspend: bool,
    pub reinstate: bool,
    pub revoke: bool,
    pub supersede: bool,
    pub renew: bool,
}

impl Powers {
    pub fn of(caller: &crate::access::Caller, c: &Certificate) -> Self {
        use CertificateStatus::{Expired, Suspended, Valid};
        let issuer = rules::is_issuer(caller, &c.summary.issuer_id);
        let stopper = rules::may_stop_certificate(caller, &c.summary.issuer_id);
        let status = c.summary.status;
        Self {
            suspend: stopper && status == Valid,
            revoke: stopper && matches!(status, Valid | Suspended),
            reinstate: issuer && status == Suspended,
            supersede: issuer && matches!(status, Valid | Suspended),
            renew: issuer
                && caller.role == Role::LicensingOfficer
                && c.summary.kind == CertificateKind::Licence
                && matches!(status, Valid | Expired),
        }
    }
}

/// What was typed into one of the page's forms, kept when it is refused.
#[derive(Default, Deserialize)]
pub struct ActionForm {
    /// The form it came from: `suspend`, `revoke`, ... (set by the handler).
    #[serde(skip)]
    pub action: &'static str,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub valid_until: String,
}

impl ActionForm {
    /// What was typed into `field` of the form `action`, when that form was refused.
    pub fn kept(&self, action: &str, field: &str) -> &str {
        match (self.action == action, field) {
            (true, "reason") => &self.reason,
            (true, "valid_until") => &self.valid_until,
            _ => "",
        }
    }
}

#[derive(Clone, Copy)]
enum Action {
    Change(StatusChange),
    Supersede,
    Renew,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Self::Change(StatusChange::Suspend) => "suspend",
            Self::Change(StatusChange::Reinstate) => "reinstate",
            Self::Change(StatusChange::Revoke) => "revoke",
            Self::Supersede => "supersede",
            Self::Renew => "renew",
        }
    }
}

/// The certificate the browser goes to afterwards (a new one after supersede and renew)
/// and what to tell.
async fn act(
    app: &AppState,
    session: &Session,
    id: &str,
    action: Action,
    form: &ActionForm,
) -> Result<(String, String), AppError> {
    let caller = &session.caller;
    let now = app.now();
    let reason = form.reason.as_str();
    match action {
        Action::Change(change) => {
            let row = app
                .write(async |txn| {
                    lifecycle::change(txn, &app.certs, caller, id, change, reason, now).await
                })
                .await?;
            let what = match change {
                StatusChange::Suspend => "已暂停",
                StatusChange::Reinstate => "已恢复有效",
                StatusChange::Revoke => "已撤销",
            };
            Ok((row.id, format!("证书 {} {what}。", row.number)))
        }
        Action::Supersede => {
            let (old, new) = app
                .write(async |txn| {
                    lifecycle::supersede(txn, &app.certs, caller, id, reason, now).await
                })
                .await?;
            let told = format!(
                "已更正换发：新证书 {}，原证书 {} 已被替换。",
                new.number, old.number
            );
            Ok((new.id, told))
        }
        Action::Renew => {
            let valid_until = NaiveDate::parse_from_str(form.valid_until.trim(), "%Y-%m-%d")
                .map_err(|_| {
                    AppError::invalid(
                        "valid_until",
                        "format",
                        "请填写新的有效期截止日期（如 2031-06-30）",
                    )
                })?;
            let req = RenewalRequest {
                valid_until,
                reason: Some(form.reason.clone()),
            };
            let renewed = app
                .write(async |txn| renewal::renew(txn, &app.certs, caller, id, &req, now).await)
                .await?;
            let r = renewed.replaced;
            let told = format!(
                "已续期：新证书 {}，有效期至 {valid_until}；原证书 {} 已被替换。",
                r.new.number, r.old.number
            );
            Ok((r.new.id, told))
        }
    }
}

async fn respond(
    app: AppState,
    session: Session,
    jar: CookieJar,
    id: String,
    action: Action,
    mut form: ActionForm,
) -> Result<Response, WebError> {
    form.action = action.name();
    match act(&app, &session, &id, action, &form).await {
        Ok((to, told)) => {
            let jar = with_flash(jar, &told);
            Ok((jar, Redirect::to(&format!("/certificates/{to}"))).into_response())
        }
        Err(AppError::Invalid { fields, .. }) => {
            let mut errors = FieldErrors::default();
            for f in &fields {
                errors.push(&format!("{}-{}", action.name(), f.field), &f.message);
            }
            render(&app, &session, jar, &id, form, errors).await
        }
        Err(refused @ AppError::Conflict { .. }) => {
            let jar = with_flash_error(jar, &refused.body().message);
            Ok((jar, Redirect::to(&format!("/certificates/{id}"))).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn suspend(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Stoppers>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(form): CheckedForm<ActionForm>,
) -> Result<Response, WebError> {
    let action = Action::Change(StatusChange::Suspend);
    respond(app, session, jar, id, action, form).await
}

pub async fn revoke(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Stoppers>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(form): CheckedForm<ActionForm>,
) -> Result<Response, WebError> {
    let action = Action::Change(StatusChange::Revoke);
    respond(app, session, jar, id, action, form).await
}

pub async fn reinstate(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Issuers>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(form): CheckedForm<ActionForm>,
) -> Result<Response, WebError> {
    let action = Action::Change(StatusChange::Reinstate);
    respond(app, session, jar, id, action, form).await
}

pub async fn supersede(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Issuers>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(form): CheckedForm<ActionForm>,
) -> Result<Response, WebError> {
    respond(app, session, jar, id, Action::Supersede, form).await
}

pub async fn renew(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Licensing>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(form): CheckedForm<ActionForm>,
) -> Result<Response, WebError> {
    respond(app, session, jar, id, Action::Renew, form).await
}
