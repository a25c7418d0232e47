//! The bureau's accounts page: every account with its role and organisation (the
//! organisations' names read in one query), and the form to create a staff account.

use std::collections::HashMap;

use askama::Template;
use axum::{
    Router,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use axum_extra::extract::cookie::CookieJar;
use secrecy::SecretString;
use serde::Deserialize;

use super::{
    WebError, html,
    session::{CheckedForm, Session, SignedIn},
    staff::{FieldErrors, Shell, with_flash},
};
use crate::{
    access::Role,
    auth::accounts::{self, NewAccount},
    error::AppError,
    http::{AppState, policy::Bureau},
    organisations,
    pagination::PageParams,
    stored::Stored,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/accounts", get(index).post(create))
}

pub struct AccountRow {
    login: String,
    display_name: String,
    role_label: &'static str,
    org_name: Option<String>,
    disabled: bool,
    integration: bool,
}

#[derive(Default, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "bureau/accounts.html")]
struct AccountsPage {
    shell: Shell,
    rows: Vec<AccountRow>,
    next_page: Option<String>,
    roles: Vec<(&'static str, &'static str)>,
    organisations: Vec<(String, String)>,
    form: AccountForm,
    errors: FieldErrors,
    refusal: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
}

async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    cursor: Option<String>,
    form: AccountForm,
    refused: Option<AppError>,
) -> Result<Response, WebError> {
    let page = PageParams {
        limit: Some(50),
        cursor,
    };
    let list = accounts::list(&app.db.read, &session.caller.scope(), &page).await?;
    // Every organisation's name at once: the list and the form's choices.
    let orgs = organisations::directory(&app.db.read).await?;
    let names: HashMap<&str, &str> = orgs
        .iter()
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    let rows = list
        .items
        .iter()
        .map(|a| AccountRow {
            login: a.login.clone(),
            display_name: a.display_name.clone(),
            role_label: a.role.label(),
            org_name: a
                .organisation_id
                .as_deref()
                .map(|id| names.get(id).map_or("（已暂停的单位）", |n| n).to_owned()),
            disabled: a.disabled,
            integration: a.integration,
        })
        .collect();
    let next_page = list
        .next_cursor
        .map(|c| format!("/accounts?cursor={}", urlencode(&c)));
    let (status, errors, refusal) = match refused {
        None => (StatusCode::OK, FieldErrors::default(), None),
        Some(AppError::Invalid { fields, .. }) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_fields(&fields),
            None,
        ),
        Some(AppError::NotFound) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            {
                let mut e = FieldErrors::default();
                e.push("organisation_id", "所选单位不存在");
                e
            },
            None,
        ),
        Some(e @ AppError::Conflict { .. }) => (
            StatusCode::CONFLICT,
            FieldErrors::default(),
            Some(e.body().message),
        ),
        Some(other) => return Err(other.into()),
    };
    let (shell, jar) = Shell::load(app, session, "/accounts", jar).await?;
    let page = AccountsPage {
        shell,
        rows,
        next_page,
        roles: Role::ALL
            .iter()
            .filter(|r| **r != Role::Trainee)
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        organisations: orgs,
        form,
        errors,
        refusal,
    };
    Ok((jar, html(status, page.render())).into_response())
}

fn urlencode(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)])
        .unwrap_or_default()
        .trim_start_matches("v=")
        .to_owned()
}

pub async fn index(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let form = AccountForm {
        role: Role::ProviderStaff.as_str().to_owned(),
        ..AccountForm::default()
    };
    render(&app, &session, jar, q.cursor, form, None).await
}

/// Creates a staff account with the checks of the API (login, password length, an
/// organisation of the kind the role needs); a refusal keeps what was typed but the
/// password.
pub async fn create(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    CheckedForm(mut form): CheckedForm<AccountForm>,
) -> Result<Response, WebError> {
    let role = match Role::parse(&form.role) {
        Ok(role) if role != Role::Trainee => role,
        _ => {
            let refused = AppError::invalid("role", "unknown", "请选择工作人员的角色");
            form.password.clear();
            return render(&app, &session, jar, None, form, Some(refused)).await;
        }
    };
    let new = NewAccount {
        login: form.login.trim().to_owned(),
        password: SecretString::from(std::mem::take(&mut form.password)),
        role,
        organisation_id: Some(form.organisation_id.trim().to_owned()).filter(|o| !o.is_empty()),
        display_name: Some(form.display_name.trim().to_owned()).filter(|d| !d.is_empty()),
    };
    let actor = session.caller.actor();
    let now = app.now();
    match app
        .write(async |txn| accounts::create(txn, &actor, new, now).await)
        .await
    {
        Ok(account) => {
            let jar = with_flash(
                jar,
                &format!(
                    "已创建账号“{}”（{}）。",
                    account.login,
                    account.role.label()
                ),
            );
            Ok((jar, Redirect::to("/accounts")).into_response())
        }
        Err(refused) => render(&app, &session, jar, None, form, Some(refused)).await,
    }
}
