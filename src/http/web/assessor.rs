//! The assessor's pages: the cohorts assigned to the evaluation organisation, and per
//! cohort one sheet to record every trainee's assessment at once (one transaction) and
//! then issue the certificates the passes earn, with the per-person report.

use std::collections::HashMap;

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::CookieJar;
use chrono::NaiveDate;
use serde::Deserialize;

use super::{
    WebError, html,
    session::{CheckedForm, Session, SignedIn},
    staff::{Empty, FieldErrors, Shell, with_flash},
};
use crate::{
    certificates::{assessed, issue::CohortReport},
    cohorts::{
        self, Cohort,
        assessment_sheet::{self, Sheet, SheetRow, SheetView},
    },
    error::AppError,
    http::{AppState, policy::Assessor},
    pagination::PageParams,
};

/// The assessor's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assessments", get(index))
        .route("/assessments/{cohort}", get(show).post(record))
        .route("/assessments/{cohort}/certificates", post(issue))
}

#[derive(Template)]
#[template(path = "assessor/index.html")]
struct CohortsPage {
    shell: Shell,
    cohorts: Vec<Cohort>,
}

/// The cohorts assigned to the caller's evaluation organisation.
pub async fn index(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Assessor>,
    jar: CookieJar,
) -> Result<Response, WebError> {
    let page = PageParams {
        limit: Some(crate::pagination::MAX_LIMIT),
        cursor: None,
    };
    let cohorts = cohorts::list(&app.db.read, &session.caller, &page).await?;
    let (shell, jar) = Shell::load(&app, &session, "/assessments", jar).await?;
    let page = CohortsPage {
        shell,
        cohorts: cohorts.items,
    };
    Ok((jar, html(StatusCode::OK, page.render())).into_response())
}

#[derive(Template)]
#[template(path = "assessor/sheet.html")]
struct SheetPage {
    shell: Shell,
    sheet: SheetView,
    /// The page of trainees shown (none: the first).
    cursor: Option<String>,
    /// What was typed, by field name, when the sheet was refused.
    typed: HashMap<String, String>,
    errors: FieldErrors,
    report: Option<CohortReport>,
}

impl SheetPage {
    fn typed(&self, field: &str) -> &str {
        self.typed.get(field).map_or("", String::as_str)
    }

    /// The next page of trainees, if there is one.
    fn next_page(&self) -> Option<String> {
        let cohort = &self.sheet.cohort.id;
        self.sheet
            .next_cursor
            .as_deref()
            .map(|c| sheet_path(cohort, Some(c)))
    }
}

/// Trainees per page of the sheet.
const SHEET_ROWS: u64 = 100;

#[derive(Deserialize)]
pub struct SheetQuery {
    cursor: Option<String>,
}

/// The sheet's address, on the page of trainees after `cursor`.
fn sheet_path(cohort: &str, cursor: Option<&str>) -> String {
    match cursor {
        Some(c) => format!(
            "/assessments/{cohort}?{}",
            serde_urlencoded::to_string([("cursor", c)]).unwrap_or_default()
        ),
        None => format!("/assessments/{cohort}"),
    }
}

#[allow(clippy::too_many_arguments)]
async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    cohort: &str,
    cursor: Option<String>,
    typed: HashMap<String, String>,
    errors: FieldErrors,
    report: Option<CohortReport>,
) -> Result<Response, WebError> {
    let page = PageParams {
        limit: Some(SHEET_ROWS),
        cursor: cursor.clone(),
    };
    let sheet =
        assessment_sheet::view(&app.db.read, &app.pii, &session.caller, cohort, &page).await?;
    let (shell, jar) = Shell::load(app, session, "/assessments", jar).await?;
    let status = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = SheetPage {
        shell,
        sheet,
        cursor,
        typed,
        errors,
        report,
    };
    Ok((jar, html(status, page.render())).into_response())
}

/// The cohort's sheet: every trainee, their latest assessment, whether a photo is on file.
pub async fn show(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Assessor>,
    jar: CookieJar,
    Path(cohort): Path<String>,
    Query(q): Query<SheetQuery>,
) -> Result<Response, WebError> {
    let typed = HashMap::new();
    let cursor = q.cursor.filter(|c| !c.is_empty());
    render(
        &app,
        &session,
        jar,
        &cohort,
        cursor,
        typed,
        FieldErrors::default(),
        None,
    )
    .await
}

fn score(typed: &HashMap<String, String>, field: &str) -> Result<Option<u32>, AppError> {
    match typed.get(field).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid(field, "not_a_number", "分数须为0–100的整数")),
    }
}

/// The sheet read from the form: `row` names each trainee's enrolment, `theory-<id>`,
/// `practical-<id>` and `level-<id>` their line.
fn sheet_of(
    pairs: &[(String, String)],
    typed: &HashMap<String, String>,
) -> Result<Sheet, AppError> {
    let assessed_on = NaiveDate::parse_from_str(
        typed.get("assessed_on").map_or("", |v| v.trim()),
        "%Y-%m-%d",
    )
    .map_err(|_| AppError::invalid("assessed_on", "format", "请填写考核日期"))?;
    let examiners = typed
        .get("examiners")
        .map_or("", String::as_str)
        .split(['、', ',', '，', ' ', '\n'])
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    for (_, id) in pairs.iter().filter(|(k, _)| k == "row") {
        let level = typed
            .get(&format!("level-{id}"))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty());
        rows.push(SheetRow {
            enrolment_id: id.clone(),
            theory_score: score(typed, &format!("theory-{id}"))?,
            practical_score: score(typed, &format!("practical-{id}"))?,
            level,
        });
    }
    Ok(Sheet {
        assessed_on,
        examiners,
        rows,
    })
}

/// The refusal's fields as the sheet's input names: `rows[2].theory_score` →
/// `theory-<the third row's enrolment>`.
fn errors_of(refused: &[crate::error::FieldError], ids: &[String]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for f in refused {
        let name = f
            .field
            .strip_prefix("rows[")
            .and_then(|rest| rest.split_once("]."))
            .and_then(|(i, field)| {
                let id = ids.get(i.parse::<usize>().ok()?)?;
                let short = field.trim_end_matches("_score");
                Some(format!("{short}-{id}"))
            })
            .unwrap_or_else(|| f.field.clone());
        errors.push(&name, &f.message);
    }
    errors
}

/// Records the sheet in one transaction; a refusal re-shows it with what was typed and
/// each error under its cell.
pub async fn record(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Assessor>,
    jar: CookieJar,
    Path(cohort): Path<String>,
    CheckedForm(pairs): CheckedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed: HashMap<String, String> = pairs.iter().cloned().collect();
    let ids: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "row")
        .map(|(_, v)| v.clone())
        .collect();
    let caller = session.caller.clone();
    let cursor = typed.get("cursor").filter(|c| !c.is_empty()).cloned();
    let recorded = match sheet_of(&pairs, &typed) {
        Ok(sheet) => {
            app.write(async |txn| {
                assessment_sheet::record(txn, &caller, &cohort, sheet, app.now()).await
            })
            .await
        }
        Err(refused) => Err(refused),
    };
    match recorded {
        Ok(done) => {
            let told = format!(
                "已登记 {} 名学员的评价结果{}。",
                done.recorded,
                match done.already {
                    0 => String::new(),
                    n => format!("（另有 {n} 名此前已登记）"),
                }
            );
            let jar = with_flash(jar, &told);
            let to = sheet_path(&cohort, cursor.as_deref());
            Ok((jar, Redirect::to(&to)).into_response())
        }
        Err(AppError::Invalid { fields, .. }) => {
            let errors = errors_of(&fields, &ids);
            render(&app, &session, jar, &cohort, cursor, typed, errors, None).await
        }
        Err(other) => Err(other.into()),
    }
}

/// Issues the certificates the passed assessments earn and shows who got a number and
/// who not, and why.
pub async fn issue(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Assessor>,
    jar: CookieJar,
    Path(cohort): Path<String>,
    CheckedForm(Empty {}): CheckedForm<Empty>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let report = app
        .write(async |txn| {
            assessed::issue_for_cohort(txn, &app.certs, &caller, &cohort, app.now()).await
        })
        .await?;
    let typed = HashMap::new();
    let errors = FieldErrors::default();
    render(
        &app,
        &session,
        jar,
        &cohort,
        None,
        typed,
        errors,
        Some(report),
    )
    .await
}
