//! The provider's cohorts: the list with how many are enrolled and how many have
//! results (one grouped query for the page), and a form to open a new one.

use askama::Template;
use axum::{
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use chrono::NaiveDate;
use serde::Deserialize;

use super::{Refusal, number, optional};
use crate::{
    cohorts::{self, CohortInput},
    error::AppError,
    http::{
        AppState,
        policy::Provider,
        web::{
            WebError, html,
            session::{CheckedForm, Session, SignedIn},
            staff::{FieldErrors, Shell, with_flash},
        },
    },
    organisations::{self, OrgKind},
    pagination::PageParams,
    programs,
};

/// What was typed into the new-cohort form, kept when it is refused.
#[derive(Default, Deserialize)]
pub struct CohortForm {
    #[serde(default)]
    program_id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    evaluation_org_id: String,
}

pub struct CohortRow {
    id: String,
    code: String,
    program: String,
    dates: String,
    capacity: u32,
    enrolled: u64,
    with_results: u64,
}

#[derive(Template)]
#[template(path = "provider/cohorts.html")]
struct CohortsPage {
    shell: Shell,
    rows: Vec<CohortRow>,
    next_page: Option<String>,
    programs: Vec<(String, String)>,
    evaluators: Vec<(String, String)>,
    form: CohortForm,
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
    form: CohortForm,
    refusal: Refusal,
) -> Result<Response, WebError> {
    let conn = &app.db.read;
    let page = PageParams {
        limit: Some(50),
        cursor,
    };
    let list = cohorts::list(conn, &session.caller, &page).await?;
    let ids: Vec<String> = list.items.iter().map(|c| c.id.clone()).collect();
    let counts = cohorts::counts(conn, &ids).await?;
    // The provider's programs name the rows and fill the form's choice.
    let all = PageParams {
        limit: Some(200),
        cursor: None,
    };
    let programs: Vec<(String, String)> = programs::list(conn, &session.caller.scope(), &all)
        .await?
        .items
        .into_iter()
        .map(|p| (p.id, p.title))
        .collect();
    let title_of = |id: &str| {
        programs
            .iter()
            .find(|(p, _)| p == id)
            .map_or_else(String::new, |(_, t)| t.clone())
    };
    let rows = list
        .items
        .into_iter()
        .map(|c| {
            let n = counts.get(&c.id).copied().unwrap_or_default();
            CohortRow {
                program: title_of(&c.program_id),
                dates: format!("{} 至 {}", c.starts_on, c.ends_on),
                capacity: c.capacity,
                enrolled: n.enrolled,
                with_results: n.with_results,
                id: c.id,
                code: c.code,
            }
        })
        .collect();
    let evaluators = organisations::approved_of_kind(conn, OrgKind::EvaluationOrg).await?;
    let (shell, jar) = Shell::load(app, session, "/cohorts", jar).await?;
    let page = CohortsPage {
        shell,
        rows,
        next_page: list.next_cursor.map(|c| {
            format!(
                "/cohorts?{}",
                serde_urlencoded::to_string([("cursor", c)]).unwrap_or_default()
            )
        }),
        programs,
        evaluators,
        form,
        errors: refusal.errors,
        refusal: refusal.message,
    };
    Ok((jar, html(refusal.status, page.render())).into_response())
}

/// The provider's cohorts and the form to open one.
pub async fn index(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    jar: CookieJar,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    render(
        &app,
        &session,
        jar,
        q.cursor,
        CohortForm::default(),
        Refusal::none(),
    )
    .await
}

fn date(errors: &mut FieldErrors, field: &str, value: &str) -> Option<NaiveDate> {
    let parsed = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.push(field, "请填写日期，格式如 2026-05-06");
    }
    parsed
}

fn input_of(form: &CohortForm) -> Result<CohortInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    if form.program_id.is_empty() {
        errors.push("program_id", "请选择培训项目");
    }
    let starts_on = date(&mut errors, "starts_on", &form.starts_on);
    let ends_on = date(&mut errors, "ends_on", &form.ends_on);
    let capacity = number(&mut errors, "capacity", &form.capacity);
    if capacity.is_none() && !errors.has("capacity") {
        errors.push("capacity", "请填写人数上限");
    }
    match (starts_on, ends_on, capacity) {
        (Some(starts_on), Some(ends_on), Some(capacity)) if errors.is_empty() => Ok(CohortInput {
            program_id: form.program_id.clone(),
            code: form.code.clone(),
            starts_on,
            ends_on,
            capacity,
            location: form.location.trim().to_owned(),
            teachers: Vec::new(),
            evaluation_org_id: optional(&form.evaluation_org_id),
        }),
        _ => Err(errors),
    }
}

/// Opens a cohort; a refusal shows each error under its field with what was typed kept.
pub async fn create(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    jar: CookieJar,
    CheckedForm(form): CheckedForm<CohortForm>,
) -> Result<Response, WebError> {
    let input = match input_of(&form) {
        Ok(input) => input,
        Err(errors) => {
            return render(&app, &session, jar, None, form, Refusal::fields(errors)).await;
        }
    };
    let provider = session
        .caller
        .organisation_id
        .clone()
        .ok_or_else(AppError::forbidden_role)?;
    let actor = session.caller.actor();
    let created = app
        .write(async |txn| cohorts::create(txn, &actor, &provider, input, app.now()).await)
        .await;
    match created {
        Ok(cohort) => {
            let jar = with_flash(jar, &format!("已开设班次“{}”。", cohort.code));
            Ok((jar, Redirect::to(&format!("/cohorts/{}", cohort.id))).into_response())
        }
        Err(AppError::NotFound) => {
            let mut errors = FieldErrors::default();
            errors.push("program_id", "请选择本机构的培训项目");
            render(&app, &session, jar, None, form, Refusal::fields(errors)).await
        }
        Err(refused) => {
            let refusal = Refusal::of(Some(refused))?;
            render(&app, &session, jar, None, form, refusal).await
        }
    }
}
