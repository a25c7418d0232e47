//! The bureau's reporting periods: `/reports/periods` lists a statistical year's months,
//! quarters and the year with their locks; `/reports/periods/{code}` shows a period's
//! dispatch (counted now while open, frozen once locked, with the adjustments it reports),
//! the form that approves and locks it, and its export as XLSX or CSV.

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::{
    WebError,
    feedback::{Pairs, field},
    html,
    reports::YearParam,
    session::{CheckedForm, Session, SignedIn},
    staff::{FieldErrors, Refusal, Shell, with_flash},
};
use crate::{
    error::AppError,
    http::{AppState, policy::Bureau},
    reports::{
        self,
        dispatch::{self, Dispatch, LockInput},
        dispatch_file,
        periods::{self, ReportPeriod, ReportPeriodStatus},
    },
};

/// The period pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/periods", get(list))
        .route("/reports/periods/{code}", get(show))
        .route("/reports/periods/{code}/lock", post(lock))
        .route("/reports/periods/{code}/dispatch", get(export))
}

#[derive(Template)]
#[template(path = "bureau/report_periods.html")]
struct ListPage {
    shell: Shell,
    year: i32,
    periods: Vec<ReportPeriodStatus>,
    today: chrono::NaiveDate,
}

async fn list(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Query(q): Query<YearParam>,
) -> Result<Response, WebError> {
    let today = app.now().today;
    let year = q.year().unwrap_or_else(|| reports::year_of(today));
    let periods = periods::of_year(&app.db.read, year).await?;
    let (shell, jar) = Shell::load(&app, &session, "/reports", jar).await?;
    let page = ListPage {
        shell,
        year,
        periods,
        today,
    };
    Ok((jar, html(axum::http::StatusCode::OK, page.render())).into_response())
}

#[derive(Template)]
#[template(path = "bureau/report_period.html")]
struct PeriodPage {
    shell: Shell,
    d: Dispatch,
    /// The period has ended, so it can be locked.
    ended: bool,
    errors: FieldErrors,
    refusal: Option<String>,
    note: String,
}

fn period_of(code: &str) -> Result<ReportPeriod, WebError> {
    ReportPeriod::parse(code).ok_or_else(|| AppError::NotFound.into())
}

async fn show(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let period = period_of(&code)?;
    render(&app, &session, jar, &period, Refusal::none(), String::new()).await
}

async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    period: &ReportPeriod,
    refusal: Refusal,
    note: String,
) -> Result<Response, WebError> {
    let d = dispatch::get(&app.db.read, period).await?;
    let (shell, jar) = Shell::load(app, session, "/reports", jar).await?;
    let status = refusal.status;
    let page = PeriodPage {
        shell,
        ended: app.now().today > period.ends_on,
        d,
        errors: refusal.errors,
        refusal: refusal.message,
        note,
    };
    Ok((jar, html(status, page.render())).into_response())
}

async fn lock(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Path(code): Path<String>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let period = period_of(&code)?;
    let note = field(&pairs, "note");
    let caller = session.caller.clone();
    let input = LockInput { note: note.clone() };
    let outcome = app
        .write(async |txn| dispatch::lock(txn, &caller, &period, input, app.now()).await)
        .await;
    match outcome {
        Ok(d) => {
            let done = format!("{}已审核锁定，数字不再变化。", d.title);
            let to = format!("/reports/periods/{}", period.code);
            Ok((with_flash(jar, &done), Redirect::to(&to)).into_response())
        }
        Err(refused @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let refusal = Refusal::of(Some(refused))?;
            render(&app, &session, jar, &period, refusal, note).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct FormatParam {
    /// `xlsx` (the default) or `csv`.
    format: Option<String>,
}

/// The period's dispatch as XLSX or CSV: a locked period's from its frozen figures, the
/// same bytes every time.
async fn export(
    State(app): State<AppState>,
    SignedIn(_session, _): SignedIn<Bureau>,
    Path(code): Path<String>,
    Query(q): Query<FormatParam>,
) -> Result<Response, WebError> {
    let period = period_of(&code)?;
    let xlsx = match q.format.as_deref() {
        None | Some("xlsx") => true,
        Some("csv") => false,
        Some(_) => return Err(AppError::NotFound.into()),
    };
    let d = dispatch::get(&app.db.read, &period).await?;
    let named = dispatch_file::file_name(&d, if xlsx { "xlsx" } else { "csv" });
    let file = format!(
        "dispatch-{}.{}",
        period.code,
        if xlsx { "xlsx" } else { "csv" }
    );
    let bytes = tokio::task::spawn_blocking(move || match xlsx {
        true => dispatch_file::xlsx(&d),
        false => dispatch_file::csv(&d),
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("writing a dispatch: {e}")))??;
    let kind = match xlsx {
        true => super::provider::XLSX,
        false => "text/csv; charset=utf-8",
    };
    Ok(super::provider::attachment(kind, &file, &named, bytes))
}
