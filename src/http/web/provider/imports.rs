//! Enrolling a cohort from a spreadsheet: upload, read the dry-run report (every section
//! the import reports, and the refused rows with their reasons, also as XLSX), confirm by
//! submitting the same file again; and a template to fill in (CSV or XLSX).

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;

use super::{XLSX, attachment};
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
    notice: Option<String>,
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

#[derive(Default)]
struct Shown {
    sections: Vec<Section>,
    problems: Vec<String>,
    file_error: Option<String>,
    checked: bool,
    notice: Option<String>,
}

impl Shown {
    /// A refusal: of the file (under its field), or of rows (a line each).
    fn refused(fields: &[FieldError]) -> Self {
        let (problems, file_error) = problems_of(fields);
        Self {
            problems,
            file_error,
            ..Self::default()
        }
    }

    fn no_file() -> Self {
        Self::refused(&[FieldError::new(
            "file",
            "required",
            "请选择学员名单表格（.xlsx 或 .csv）",
        )])
    }
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
        notice: shown.notice,
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
    render(&app, &session, jar, &id, StatusCode::OK, Shown::default()).await
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
    let Some(bytes) = upload.file else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return render(&app, &session, jar, &id, status, Shown::no_file()).await;
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
                checked: true,
                ..Shown::default()
            };
            render(&app, &session, jar, &id, StatusCode::OK, shown).await
        }
        Err(AppError::Invalid { fields, .. }) => {
            let shown = Shown::refused(&fields);
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

/// The same template as XLSX, its ID and phone columns formatted as text.
pub async fn template_xlsx(SignedIn(_, _): SignedIn<Provider>) -> Result<Response, WebError> {
    let bytes = imports::template_workbook()?;
    Ok(attachment(
        XLSX,
        "roster-template.xlsx",
        "学员名单模板.xlsx",
        bytes,
    ))
}

/// Checks the file again as a dry run (nothing written) and answers the rows it refuses
/// as XLSX (行号, 姓名, masked 身份证号, 原因); a file without such rows answers the page
/// with its report and a message instead.
pub async fn problems(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Provider>,
    jar: CookieJar,
    Path(id): Path<String>,
    upload: CheckedUpload,
) -> Result<Response, WebError> {
    let refused = StatusCode::UNPROCESSABLE_ENTITY;
    let Some(bytes) = upload.file else {
        return render(&app, &session, jar, &id, refused, Shown::no_file()).await;
    };
    let caller = session.caller.clone();
    cohorts::find(&app.db.read, &caller, &id).await?;
    let limits = imports::Limits::rows(app.config.import_max_rows);
    let read = match imports::read(bytes.into(), limits).await {
        Ok(read) => read,
        Err(AppError::Invalid { fields, .. }) => {
            let shown = Shown::refused(&fields);
            return render(&app, &session, jar, &id, refused, shown).await;
        }
        Err(other) => return Err(other.into()),
    };
    let listed = imports::Listed::of(&read);
    let import = imports::Import {
        cohort_id: &id,
        upload: read,
        dry_run: true,
        progress: &imports::Silent,
    };
    let now = app.now();
    let checked = app
        .unit_of_work(Outcome::RollBack, async |txn| {
            imports::enrol_all(txn, &app.pii, &caller, import, now).await
        })
        .await;
    match checked {
        Ok(report) => {
            let shown = Shown {
                sections: sections_of(&report)?,
                checked: true,
                notice: Some("该表格没有不能报名的行，无需下载问题报告。".to_owned()),
                ..Shown::default()
            };
            render(&app, &session, jar, &id, StatusCode::OK, shown).await
        }
        Err(AppError::Invalid { fields, .. }) => {
            let problems = listed.problems(&fields);
            if problems.is_empty() {
                let shown = Shown::refused(&fields);
                return render(&app, &session, jar, &id, refused, shown).await;
            }
            let bytes = imports::problems_workbook(&problems)?;
            Ok(attachment(
                XLSX,
                "roster-problems.xlsx",
                "名单问题行.xlsx",
                bytes,
            ))
        }
        Err(other) => Err(other.into()),
    }
}
