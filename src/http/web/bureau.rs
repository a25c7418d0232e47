//! The bureau's pages: organisations (register, approve, suspend, decide renames).
//! Each action calls the capability the API calls and comes back to the list with what
//! happened, or why not.

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::{
    WebError, html,
    session::{CheckedForm, Session, SignedIn},
    staff::{Empty, FieldErrors, Shell, with_flash, with_flash_error},
};
use crate::{
    error::AppError,
    http::{AppState, policy::Bureau},
    organisations::{self, OrgKind, OrgStatus, Organisation, OrganisationInput, renames},
    pagination::PageParams,
    stored::Stored,
};

/// The bureau's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organisations", get(index).post(create))
        .route("/organisations/{id}/approve", post(approve))
        .route("/organisations/{id}/suspend", post(suspend))
        .route("/organisations/{id}/name/approve", post(approve_name))
        .route("/organisations/{id}/name/reject", post(reject_name))
}

/// One organisation as the list shows it.
pub struct OrgRow {
    id: String,
    name: String,
    kind_label: &'static str,
    credit_code: String,
    status_label: &'static str,
    status_class: &'static str,
    pending_name: Option<String>,
    can_approve: bool,
    can_suspend: bool,
}

impl From<Organisation> for OrgRow {
    fn from(o: Organisation) -> Self {
        Self {
            can_approve: o.status != OrgStatus::Approved,
            can_suspend: o.status != OrgStatus::Suspended,
            status_class: match o.status {
                OrgStatus::Approved => "approved",
                OrgStatus::Pending => "pending",
                OrgStatus::Suspended => "org-suspended",
            },
            status_label: o.status.label(),
            kind_label: o.kind.label(),
            id: o.id,
            name: o.name,
            credit_code: o.credit_code,
            pending_name: o.pending_name,
        }
    }
}

/// What was typed into the registration form, kept when it is refused.
#[derive(Default, Deserialize)]
pub struct OrgForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    national_code: String,
    #[serde(default)]
    site_code: String,
}

fn optional(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

#[derive(Template)]
#[template(path = "bureau/organisations.html")]
struct OrganisationsPage {
    shell: Shell,
    kinds: Vec<(&'static str, &'static str)>,
    kind: Option<String>,
    waiting: bool,
    rows: Vec<OrgRow>,
    next_page: Option<String>,
    form: OrgForm,
    errors: FieldErrors,
    refusal: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    kind: Option<String>,
    /// `1`: only the organisations waiting for the bureau (new, or a name asked for).
    waiting: Option<String>,
    cursor: Option<String>,
}

const PER_PAGE: u64 = 50;

async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    q: ListQuery,
    form: OrgForm,
    refused: Option<AppError>,
) -> Result<Response, WebError> {
    let kind = q
        .kind
        .as_deref()
        .filter(|k| !k.is_empty())
        .map(|k| OrgKind::parse(k).map_err(|_| AppError::NotFound))
        .transpose()?;
    let page = PageParams {
        limit: Some(PER_PAGE),
        cursor: q.cursor,
    };
    let waiting = q.waiting.as_deref() == Some("1");
    let list =
        organisations::list(&app.db.read, &session.caller.scope(), kind, waiting, &page).await?;
    let next_page = list.next_cursor.map(|cursor| {
        let mut query = vec![("cursor", cursor)];
        if let Some(k) = kind {
            query.push(("kind", k.as_str().to_owned()));
        }
        if waiting {
            query.push(("waiting", "1".to_owned()));
        }
        format!(
            "/organisations?{}",
            serde_urlencoded::to_string(query).unwrap_or_default()
        )
    });
    let (status, errors, refusal) = match refused {
        None => (StatusCode::OK, FieldErrors::default(), None),
        Some(AppError::Invalid { fields, .. }) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_fields(&fields),
            None,
        ),
        Some(e @ AppError::Conflict { .. }) => (
            StatusCode::CONFLICT,
            FieldErrors::default(),
            Some(e.body().message),
        ),
        Some(other) => return Err(other.into()),
    };
    let (shell, jar) = Shell::load(app, session, "/organisations", jar).await?;
    let page = OrganisationsPage {
        shell,
        kinds: OrgKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        kind: kind.map(|k| k.as_str().to_owned()),
        waiting,
        rows: list.items.into_iter().map(OrgRow::from).collect(),
        next_page,
        form,
        errors,
        refusal,
    };
    Ok((jar, html(status, page.render())).into_response())
}

/// Every organisation, by kind, with the bureau's decisions as buttons and the form to
/// register a new one.
pub async fn index(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let form = OrgForm {
        kind: OrgKind::TrainingProvider.as_str().to_owned(),
        ..OrgForm::default()
    };
    render(&app, &session, jar, q, form, None).await
}

/// Registers an organisation (pending); a refusal shows each error under its field with
/// what was typed kept.
pub async fn create(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    CheckedForm(form): CheckedForm<OrgForm>,
) -> Result<Response, WebError> {
    let Ok(kind) = OrgKind::parse(&form.kind) else {
        let refused = AppError::invalid("kind", "unknown", "请选择单位类型");
        let q = ListQuery {
            kind: None,
            waiting: None,
            cursor: None,
        };
        return render(&app, &session, jar, q, form, Some(refused)).await;
    };
    let input = OrganisationInput {
        kind,
        name: form.name.clone(),
        credit_code: form.credit_code.trim().to_owned(),
        address: optional(&form.address),
        contact_phone: optional(&form.contact_phone),
        national_code: optional(&form.national_code),
        site_code: optional(&form.site_code),
    };
    let caller = session.caller.clone();
    let created = app
        .write(async |txn| organisations::create(txn, &caller.actor(), input, app.now()).await)
        .await;
    match created {
        Ok(org) => {
            let jar = with_flash(jar, &format!("已登记“{}”，待审核。", org.name));
            Ok((jar, Redirect::to("/organisations")).into_response())
        }
        Err(refused) => {
            let q = ListQuery {
                kind: None,
                waiting: None,
                cursor: None,
            };
            render(&app, &session, jar, q, form, Some(refused)).await
        }
    }
}

/// The bureau's decisions on an organisation, each a button on the list.
#[derive(Clone, Copy)]
enum Decision {
    Approve,
    Suspend,
    ApproveName,
    RejectName,
}

async fn decide(
    app: AppState,
    session: Session,
    jar: CookieJar,
    id: String,
    decision: Decision,
) -> Result<Response, WebError> {
    let actor = session.caller.actor();
    let now = app.now();
    let done = app
        .write(async |txn| match decision {
            Decision::Approve => {
                organisations::set_status(txn, &actor, &id, OrgStatus::Approved, now).await
            }
            Decision::Suspend => {
                organisations::set_status(txn, &actor, &id, OrgStatus::Suspended, now).await
            }
            Decision::ApproveName => renames::approve(txn, &actor, &id, now).await,
            Decision::RejectName => renames::reject(txn, &actor, &id, now).await,
        })
        .await;
    let jar = match done {
        Ok(org) => {
            let what = match decision {
                Decision::Approve => format!("已批准“{}”。", org.name),
                Decision::Suspend => format!("已暂停“{}”，其工作人员即时停止办理业务。", org.name),
                Decision::ApproveName => format!("已同意更名，现名“{}”。", org.name),
                Decision::RejectName => format!("已驳回“{}”的更名申请。", org.name),
            };
            with_flash(jar, &what)
        }
        Err(AppError::Internal(e)) => return Err(AppError::Internal(e).into()),
        Err(AppError::NotFound) => return Err(AppError::NotFound.into()),
        Err(refused) => with_flash_error(jar, &refused.body().message),
    };
    Ok((jar, Redirect::to("/organisations")).into_response())
}

pub async fn approve(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(Empty {}): CheckedForm<Empty>,
) -> Result<Response, WebError> {
    decide(app, session, jar, id, Decision::Approve).await
}

pub async fn suspend(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(Empty {}): CheckedForm<Empty>,
) -> Result<Response, WebError> {
    decide(app, session, jar, id, Decision::Suspend).await
}

pub async fn approve_name(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(Empty {}): CheckedForm<Empty>,
) -> Result<Response, WebError> {
    decide(app, session, jar, id, Decision::ApproveName).await
}

pub async fn reject_name(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(Empty {}): CheckedForm<Empty>,
) -> Result<Response, WebError> {
    decide(app, session, jar, id, Decision::RejectName).await
}
