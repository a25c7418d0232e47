//! Enrolling a cohort from a spreadsheet: upload, read the dry-run report (every section
//! the import reports, and the refused rows with their reasons), confirm by submitting the
//! same file again; and a template to fill in.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;

use crate::{
    cohorts,
    error::{AppError, FieldError},
    http::{
        AppState,
        policy::Provider,
        state::Outcome,
        web::{
            WebError, html,
            session::{CheckedUpload, Session, SignedIn},
            staff::{Shell, with_flash},
        },
    },
    imports::{self, ImportReport},
};

/// One section of a report: a heading and its rows as sentences.
pub struct Section {
    id: String,
    title: String,
    lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "provider/imports.html")]
struct ImportPage {
    shell: Shell,
    id: String,
    code: String,
    sections: Vec<Section>,
    problems: Vec<String>,
    file_error: Option<String>,
    checked: bool,
}

/// The heading of a report's section; a section this page does not know yet shows
/// under its own name.
fn title_of(key: &str) -> String {
    match key {
        "enrolled" => "可以报名的行".to_owned(),
        "already_enrolled" | "skipped" => "已在本班、将跳过的行".to_owned(),
        other => other.to_owned(),
    }
}

/// A report row as a sentence: its row number, name and (masked) ID number, and its
/// reason when it has one.
fn line_of(item: &serde_json::Value) -> String {
    let text = |k: &str| item.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    let mut parts = Vec::new();
    if let Some(row) = item.get("row").and_then(serde_json::Value::as_u64) {
        parts.push(format!("第{row}行"));
    }
    parts.extend(
        ["name", "citizen_id", "message", "reason"]
            .iter()
            .filter_map(|k| text(k)),
    );
    if parts.is_empty() {
        item.to_string()
    } else {
        parts.join(" · ")
    }
}

/// Every list the report holds, in the order it holds them.
fn sections_of(report: &ImportReport) -> Result<Vec<Section>, AppError> {
    let value = serde_json::to_value(report).map_err(|e| AppError::Internal(e.into()))?;
    let Some(object) = value.as_object() else {
        return Ok(Vec::new());
    };
    Ok(object
        .iter()
        .filter_map(|(key, v)| {
            let items = v.as_array()?;
            Some(Section {
                id: key.replace('_', "-"),
                title: format!("{}（{}行）", title_of(key), items.len()),
                lines: items.iter().map(line_of).collect(),
            })
        })
        .collect())
}

fn problems_of(fields: &[FieldError]) -> (Vec<String>, Option<String>) {
    let file = fields
        .iter()
        .find(|f| f.field == "file")
        .map(|f| f.message.clone());
    let rows = fields
        .iter()
        .filter(|f| f.field != "file")
        .map(|f| match f.row {
            Some(row) => format!("第{row}行：{}", f.message),
            None => f.message.clone(),
        })
        .collect();
    (rows, file)
}

struct Shown {
    sections: Vec<Section>,
    problems: Vec<String>,
    file_error: Option<String>,
    checked: bool,
}

async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    id: &str,
    status: StatusCode,
    shown: Shown,
) -> Result<Response, WebError> {
    let cohort = cohorts::get(&app.db.read, &session.caller, id).await?;
    let (shell, jar) = Shell::load(app, session, "/cohorts", jar).await?;
    let page = ImportPage {
        shell,
        id: cohort.id,
        code: cohort.code,
        sections: shown.sections,
        problems: shown.problems,
        file_error: shown.file_error,
        checked: shown.checked,
    };
    Ok((jar, html(status, page.render())).into_response())
}

/// The upload form.
pub async fn new(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let shown = Shown {
        sections: Vec::new(),
        problems: Vec::new(),
        file_error: None,
        checked: false,
    };
    render(&app, &session, jar, &id, StatusCode::OK, shown).await
}

/// Checks the file (`dry_run` other than `false`) and shows the report, or enrols every
/// row of it in one transaction and returns to the cohort; refused rows are listed with
/// their reasons and nothing is kept.
pub async fn create(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    jar: CookieJar,
    Path(id): Path<String>,
    upload: CheckedUpload,
) -> Result<Response, WebError> {
    let dry_run = upload.field("dry_run") != Some("false");
    let refused = |fields: Vec<FieldError>| {
        let (problems, file_error) = problems_of(&fields);
        Shown {
            sections: Vec::new(),
            problems,
            file_error,
            checked: false,
        }
    };
    let Some(bytes) = upload.file else {
        let shown = refused(vec![FieldError::new(
            "file",
            "required",
            "请选择学员名单表格（.xlsx 或 .csv）",
        )]);
        return render(
            &app,
            &session,
            jar,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            shown,
        )
        .await;
    };
    let caller = session.caller.clone();
    cohorts::find(&app.db.read, &caller, &id).await?;
    let outcome = if dry_run {
        Outcome::RollBack
    } else {
        Outcome::Commit
    };
    let limits = imports::Limits::rows(app.config.import_max_rows);
    let report = match imports::read(bytes.into(), limits).await {
        Ok(upload) => {
            let import = imports::Import {
                cohort_id: &id,
                upload,
                dry_run,
                progress: &imports::Silent,
            };
            let now = app.now();
            app.unit_of_work(outcome, async |txn| {
                imports::enrol_all(txn, &app.pii, &caller, import, now).await
            })
            .await
        }
        Err(e) => Err(e),
    };
    match report {
        Ok(report) if !dry_run => {
            let jar = with_flash(
                jar,
                &format!("已按表格报名{}名学员。", report.enrolled.len()),
            );
            Ok((jar, Redirect::to(&format!("/cohorts/{id}"))).into_response())
        }
        Ok(report) => {
            let shown = Shown {
                sections: sections_of(&report)?,
                problems: Vec::new(),
                file_error: None,
                checked: true,
            };
            render(&app, &session, jar, &id, StatusCode::OK, shown).await
        }
        Err(AppError::Invalid { fields, .. }) => {
            let shown = refused(fields);
            render(
                &app,
                &session,
                jar,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                shown,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// A CSV to fill in: the import's headers and one example row (UTF-8 with a byte-order
/// mark, so spreadsheet programs open it as UTF-8).
pub async fn template(SignedIn(_, _): SignedIn<Provider>) -> Response {
    const TEMPLATE: &str =
        "\u{feff}姓名,身份证号,手机号,重点群体\r\n娜仁花,150784199004122224,13800000000,\r\n";
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"roster-template.csv\"",
            ),
        ],
        TEMPLATE,
    )
        .into_response()
}
