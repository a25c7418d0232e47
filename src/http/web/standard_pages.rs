//! The bureau's standards pages: every version, drafting the next one, editing a draft's
//! work tasks (weights summed as typed, checked on the server), publishing and retiring.

use askama::Template;
use axum::{
    Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::CookieJar;

use super::{
    WebError, html,
    session::{CheckedForm, Session, SignedIn},
    staff::{Empty, FieldErrors, Shell, with_flash, with_flash_error},
};
use crate::{
    error::{AppError, FieldError},
    http::{AppState, policy::Bureau},
    pagination::PageParams,
    standards::{self, Standard, StandardStatus, StatusFilter, Transition, WorkTask},
    stored::Stored,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/standards", get(index))
        .route("/standards/{code}/draft", post(draft))
        .route("/standards/{code}/{version}", get(show).post(save))
        .route("/standards/{code}/{version}/publish", post(publish))
        .route("/standards/{code}/{version}/retire", post(retire))
}

pub struct StandardRow {
    code: String,
    name: String,
    version: i32,
    hours: u32,
    status_label: &'static str,
    status_class: &'static str,
    can_draft: bool,
}

#[derive(Template)]
#[template(path = "bureau/standards.html")]
struct StandardsPage {
    shell: Shell,
    rows: Vec<StandardRow>,
}

/// Every version of every standard (a city has a handful), newest first within a code.
pub async fn index(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
) -> Result<Response, WebError> {
    let page = PageParams {
        limit: Some(200),
        cursor: None,
    };
    let mut all = standards::list(&app.db.read, StatusFilter::All, true, &page)
        .await?
        .items;
    all.sort_by(|a, b| {
        a.spec
            .code
            .cmp(&b.spec.code)
            .then(b.version.cmp(&a.version))
    });
    let has_draft = |code: &str| {
        all.iter()
            .any(|s| s.spec.code == code && s.status == StandardStatus::Draft)
    };
    let rows = all
        .iter()
        .map(|s| StandardRow {
            code: s.spec.code.clone(),
            name: s.spec.name.clone(),
            version: s.version,
            hours: s.spec.reference_hours,
            status_label: s.status.label(),
            status_class: s.status.as_str(),
            can_draft: s.status == StandardStatus::Published && !has_draft(&s.spec.code),
        })
        .collect();
    let (shell, jar) = Shell::load(&app, &session, "/standards", jar).await?;
    Ok((
        jar,
        html(StatusCode::OK, StandardsPage { shell, rows }.render()),
    )
        .into_response())
}

/// One work task as the form shows it.
pub struct TaskRow {
    name: String,
    norms: String,
    knowledge: String,
    weight: String,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "bureau/standard.html")]
struct StandardPage {
    shell: Shell,
    code: String,
    version: i32,
    name: String,
    definition: String,
    applies_to: String,
    hours: u32,
    issuer: String,
    status_label: &'static str,
    status_class: &'static str,
    is_draft: bool,
    is_published: bool,
    tasks: Vec<TaskRow>,
    total: i64,
    errors: FieldErrors,
}

fn rows_of(tasks: &[WorkTask]) -> Vec<TaskRow> {
    tasks
        .iter()
        .map(|t| TaskRow {
            name: t.name.clone(),
            norms: t.norms.join("\n"),
            knowledge: t.knowledge.join("\n"),
            weight: t.weight.to_string(),
            errors: FieldErrors::default(),
        })
        .collect()
}

async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    standard: Standard,
    mut tasks: Vec<TaskRow>,
    fields: &[FieldError],
) -> Result<Response, WebError> {
    let is_draft = standard.status == StandardStatus::Draft;
    // Each row's errors under its fields; the rest (the sum) above the table.
    let mut errors = FieldErrors::default();
    for f in fields {
        let row = f
            .field
            .strip_prefix("tasks[")
            .and_then(|rest| rest.split_once("]."))
            .and_then(|(i, field)| Some((i.parse::<usize>().ok()?, field)));
        match row {
            Some((i, field)) if i < tasks.len() => tasks[i].errors.push(field, &f.message),
            _ => errors.push(
                if f.field == "tasks" {
                    "tasks"
                } else {
                    &f.field
                },
                &f.message,
            ),
        }
    }
    if let Some(e) = fields.iter().find(|f| !f.field.starts_with("tasks")) {
        errors.push("tasks", &e.message);
    }
    if is_draft {
        // Room for one more task.
        tasks.push(TaskRow {
            name: String::new(),
            norms: String::new(),
            knowledge: String::new(),
            weight: String::new(),
            errors: FieldErrors::default(),
        });
    }
    let total = tasks
        .iter()
        .filter_map(|t| t.weight.trim().parse::<i64>().ok())
        .sum();
    let status = if fields.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let path = format!("/standards/{}/{}", standard.spec.code, standard.version);
    let (shell, jar) = Shell::load(app, session, &path, jar).await?;
    let page = StandardPage {
        shell,
        code: standard.spec.code,
        version: standard.version,
        name: standard.spec.name,
        definition: standard.spec.definition,
        applies_to: standard.spec.applies_to,
        hours: standard.spec.reference_hours,
        issuer: standard.spec.issuer,
        status_label: standard.status.label(),
        status_class: standard.status.as_str(),
        is_draft,
        is_published: standard.status == StandardStatus::Published,
        tasks,
        total,
        errors,
    };
    Ok((jar, html(status, page.render())).into_response())
}

pub async fn show(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Path((code, version)): Path<(String, i32)>,
) -> Result<Response, WebError> {
    let standard = standards::get(&app.db.read, &code, Some(version), true).await?;
    let tasks = rows_of(&standard.spec.tasks);
    render(&app, &session, jar, standard, tasks, &[]).await
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Saves a draft's work tasks as typed (nameless rows dropped), by the API's rules.
pub async fn save(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Path((code, version)): Path<(String, i32)>,
    CheckedForm(pairs): CheckedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let standard = standards::get(&app.db.read, &code, Some(version), true).await?;
    let column = |name: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let (names, norms, knowledge, weights) = (
        column("task_name"),
        column("task_norms"),
        column("task_knowledge"),
        column("task_weight"),
    );
    let mut rows = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let cell = |c: &Vec<String>| c.get(i).cloned().unwrap_or_default();
        if name.trim().is_empty() && cell(&weights).trim().is_empty() {
            continue;
        }
        rows.push(TaskRow {
            name: name.trim().to_owned(),
            norms: cell(&norms),
            knowledge: cell(&knowledge),
            weight: cell(&weights).trim().to_owned(),
            errors: FieldErrors::default(),
        });
    }
    let mut fields = Vec::new();
    let mut tasks = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let weight = match row.weight.parse::<u32>() {
            Ok(w) => w,
            Err(_) => {
                fields.push(FieldError::new(
                    format!("tasks[{i}].weight"),
                    "not_a_number",
                    format!("第{}项工作任务的考核比重须为1–100的整数", i + 1),
                ));
                0
            }
        };
        tasks.push(WorkTask {
            name: row.name.clone(),
            norms: lines(&row.norms),
            knowledge: lines(&row.knowledge),
            weight,
        });
    }
    if fields.is_empty() {
        let mut spec = standard.spec.clone();
        spec.tasks = tasks;
        let actor = session.caller.actor();
        let now = app.now();
        match app
            .write(async |txn| {
                standards::update_draft(txn, &actor, &code, version, spec, now).await
            })
            .await
        {
            Ok(_) => {
                let jar = with_flash(jar, "草稿已保存。");
                return Ok(
                    (jar, Redirect::to(&format!("/standards/{code}/{version}"))).into_response()
                );
            }
            Err(AppError::Invalid {
                fields: refused, ..
            }) => fields = refused,
            Err(e @ AppError::Conflict { .. }) => {
                let jar = with_flash_error(jar, &e.body().message);
                return Ok(
                    (jar, Redirect::to(&format!("/standards/{code}/{version}"))).into_response()
                );
            }
            Err(e) => return Err(e.into()),
        }
    }
    render(&app, &session, jar, standard, rows, &fields).await
}

/// Drafts the next version of a standard from its newest version.
pub async fn draft(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Path(code): Path<String>,
    CheckedForm(Empty {}): CheckedForm<Empty>,
) -> Result<Response, WebError> {
    let actor = session.caller.actor();
    let now = app.now();
    match app
        .write(async |txn| standards::draft_next_version(txn, &actor, &code, now).await)
        .await
    {
        Ok(s) => {
            let jar = with_flash(jar, &format!("已起草第{}版，请修改后发布。", s.version));
            Ok((
                jar,
                Redirect::to(&format!("/standards/{code}/{}", s.version)),
            )
                .into_response())
        }
        Err(e @ AppError::Conflict { .. }) => {
            let jar = with_flash_error(jar, &e.body().message);
            Ok((jar, Redirect::to("/standards")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn transition(
    app: AppState,
    session: Session,
    jar: CookieJar,
    code: String,
    version: i32,
    to: Transition,
) -> Result<Response, WebError> {
    let actor = session.caller.actor();
    let now = app.now();
    let done = app
        .write(async |txn| standards::transition(txn, &actor, &code, version, to, now).await)
        .await;
    let jar = match done {
        Ok(s) => with_flash(
            jar,
            &match to {
                Transition::Publish => format!("第{}版已发布，此前的版本同时废止。", s.version),
                Transition::Retire => format!("第{}版已废止。", s.version),
            },
        ),
        Err(e @ (AppError::Conflict { .. } | AppError::Invalid { .. })) => {
            with_flash_error(jar, &e.body().message)
        }
        Err(e) => return Err(e.into()),
    };
    Ok((jar, Redirect::to(&format!("/standards/{code}/{version}"))).into_response())
}

pub async fn publish(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Path((code, version)): Path<(String, i32)>,
    CheckedForm(Empty {}): CheckedForm<Empty>,
) -> Result<Response, WebError> {
    transition(app, session, jar, code, version, Transition::Publish).await
}

pub async fn retire(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Path((code, version)): Path<(String, i32)>,
    CheckedForm(Empty {}): CheckedForm<Empty>,
) -> Result<Response, WebError> {
    transition(app, session, jar, code, version, Transition::Retire).await
}
