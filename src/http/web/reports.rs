//! The bureau's dashboard (`/reports`): each target against the records with the share of
//! the statistical year elapsed and a chart per month drawn on the server, the breakdowns
//! beside it, and the form that sets a target (a new version, with its source).

use askama::Template;
use axum::{
    Router,
    body::Body,
    extract::{Query, State},
    response::{IntoResponse, Response},
    routing::get,
};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use tokio_stream::wrappers::ReceiverStream;

use super::{
    WebError, html,
    report_rows::Links,
    session::{CheckedForm, Session, SignedIn},
    staff::{FieldErrors, Refusal, Shell, with_flash},
};
use crate::{
    error::AppError,
    http::{AppState, policy::Bureau},
    reports::{
        self, Measure, chart,
        dashboard::{self, Dashboard, Line},
        export::{self, Format},
        ledger,
        targets::{self, TargetInput},
    },
    stored::Stored,
};

/// The reports pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(page).post(set_target))
        .route("/reports/certificate-ledger", get(ledger_export))
}

#[derive(Template)]
#[template(path = "bureau/reports.html")]
struct ReportsPage {
    shell: Shell,
    d: Dashboard,
    /// Where each figure's rows are listed.
    links: Links,
    charts: Vec<String>,
    meters: Vec<Option<String>>,
    measures: Vec<(&'static str, &'static str)>,
    errors: FieldErrors,
    refusal: Option<String>,
    typed: Vec<(String, String)>,
}

impl ReportsPage {
    fn typed(&self, name: &str) -> &str {
        self.typed
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// How far the actual is behind the year's pace (the elapsed share of the target).
    fn behind(&self, line: &Line) -> bool {
        line.target
            .is_some_and(|t| line.actual * 100 < t * self.d.elapsed_percent)
    }
}

#[derive(Deserialize)]
pub struct YearParam {
    year: Option<i32>,
}

impl YearParam {
    /// The year asked for, if it is one the reports know (2000–2100).
    pub fn year(&self) -> Option<i32> {
        self.year.filter(|y| (2000..=2100).contains(y))
    }
}

async fn page(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Query(q): Query<YearParam>,
) -> Result<Response, WebError> {
    let year = q.year();
    render(&app, &session, jar, year, Refusal::none(), Vec::new()).await
}

async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    year: Option<i32>,
    refusal: Refusal,
    typed: Vec<(String, String)>,
) -> Result<Response, WebError> {
    let today = app.now().today;
    let year = year.unwrap_or_else(|| reports::year_of(today));
    let d = dashboard::get(&app.db.read, year, today).await?;
    let charts = d
        .lines
        .iter()
        .map(|l| chart::monthly_bars(&l.by_month, &d.months, l.target))
        .collect();
    let meters = d
        .lines
        .iter()
        .map(|l| {
            l.target
                .map(|t| chart::meter(l.actual, t, d.elapsed_percent))
        })
        .collect();
    let (shell, jar) = Shell::load(app, session, "/reports", jar).await?;
    let status = refusal.status;
    let page = ReportsPage {
        shell,
        links: Links { year: d.year },
        d,
        charts,
        meters,
        measures: Measure::ALL
            .iter()
            .map(|m| (m.as_str(), m.label()))
            .collect(),
        errors: refusal.errors,
        refusal: refusal.message,
        typed,
    };
    Ok((jar, html(status, page.render())).into_response())
}

async fn set_target(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    CheckedForm(pairs): CheckedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut errors = FieldErrors::default();
    let year = field("year").parse::<i32>().ok();
    if year.is_none() {
        errors.push("year", "请填写年度，如 2026");
    }
    let measure = Measure::parse(&field("measure")).ok();
    if measure.is_none() {
        errors.push("measure", "请选择指标");
    }
    let target = field("target").parse::<i64>().ok();
    if target.is_none() {
        errors.push("target", "请填写不带小数的整数");
    }
    let outcome = match (year, measure, target) {
        (Some(year), Some(measure), Some(target)) => {
            let input = TargetInput {
                year,
                measure,
                target,
                source: field("source"),
            };
            let caller = session.caller.clone();
            app.write(async |txn| targets::set(txn, &caller, input, app.now()).await)
                .await
        }
        _ => Err(AppError::invalid_fields(
            "表单填写有误",
            errors.into_fields(),
        )),
    };
    match outcome {
        Ok(t) => {
            let done = format!(
                "已设定 {} 年度“{}”目标 {}（第{}版）。",
                t.year, t.measure_label, t.target, t.version
            );
            let to = format!("/reports?year={}", t.year);
            Ok((with_flash(jar, &done), axum::response::Redirect::to(&to)).into_response())
        }
        Err(refused @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let refusal = Refusal::of(Some(refused))?;
            render(&app, &session, jar, year, refusal, pairs).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct LedgerParams {
    year: Option<i32>,
    /// `csv` (the default) or `xlsx`.
    format: Option<String>,
    /// `1`: the ID numbers in clear (audited).
    full: Option<String>,
}

/// The 培训合格证书 ledger of a year as CSV or XLSX, streamed as it is written; with
/// `full=1` the ID numbers in clear, the export audited (with the number of lines of the
/// snapshot it is read from) before its first byte.
async fn ledger_export(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    Query(q): Query<LedgerParams>,
) -> Result<Response, WebError> {
    let year = q
        .year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| reports::year_of(app.now().today));
    let full = q.full.as_deref() == Some("1");
    let format = match q.format.as_deref() {
        None | Some("csv") => Format::Csv,
        Some("xlsx") => Format::Xlsx,
        Some(_) => return Err(AppError::NotFound.into()),
    };
    let reading = ledger::Reading::open(&app.db, app.pii.clone(), year, full).await?;
    if full {
        let (caller, lines) = (session.caller.clone(), reading.lines());
        app.write(async |txn| ledger::audit_full(txn, &caller, year, lines).await)
            .await?;
    }
    let pieces = export::spawn(reading, ledger::table(year), format, |_| {});
    let which = if full { "（含身份证号）" } else { "" };
    let kind = match format {
        Format::Xlsx => super::provider::XLSX,
        Format::Csv => "text/csv; charset=utf-8",
    };
    let ext = format.extension();
    let named = format!("{year}年培训合格证书台账{which}.{ext}");
    let file = format!("certificate-ledger-{year}.{ext}");
    let body = Body::from_stream(ReceiverStream::new(pieces));
    Ok(super::provider::attachment(kind, &file, &named, body))
}
