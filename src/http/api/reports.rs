//! The bureau's reports under `/api/v1/reports`: the dashboard of a statistical year, the
//! rows behind each of its figures, and the plan's targets, versioned.

use axum::{Json, extract::State};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::http::{
    AppState,
    api::Created,
    extract::{ApiJson, ApiPath, ApiQuery},
    policy::{Allowed, Bureau},
};
use crate::{
    error::AppError,
    reports::{
        dashboard::{self, Dashboard},
        dispatch::{self, Dispatch, LockInput},
        periods::{self, ReportPeriod, ReportPeriodStatus},
        rows::{self, RowsPage, RowsQuery, Slice},
        targets::{self, Target, TargetInput},
    },
};

/// Which statistical year.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// 2000–2100; the current statistical year (21 December to 20 December) when absent.
    pub year: Option<i32>,
}

fn year_of(app: &AppState, q: &YearQuery) -> Result<i32, AppError> {
    match q.year {
        None => Ok(crate::reports::year_of(app.now().today)),
        Some(y) if (2000..=2100).contains(&y) => Ok(y),
        Some(_) => Err(AppError::invalid(
            "year",
            "out_of_range",
            "年度须为2000–2100",
        )),
    }
}

/// Each measure's actual against its target with the counts per statistical month, the
/// share of the year elapsed, person-times by key group and provider, certificates by kind
/// and status, orders and agreements by stage.
#[utoipa::path(get, path = "/api/v1/reports/dashboard", operation_id = "reports_dashboard", tag = "reports", security(("bearer" = [])),
    params(YearQuery),
    responses((status = 200, description = "The dashboard", body = Dashboard),
        (status = 422, description = "A year outside 2000–2100", body = crate::error::ErrorBody)))]
pub async fn show_dashboard(
    State(app): State<AppState>,
    Allowed(_caller, _): Allowed<Bureau>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Json<Dashboard>, AppError> {
    let year = year_of(&app, &q)?;
    let today = app.now().today;
    Ok(Json(dashboard::get(&app.db.read, year, today).await?))
}

/// The targets of a year as they stand (each measure's latest version).
#[utoipa::path(get, path = "/api/v1/reports/targets", operation_id = "reports_targets_index", tag = "reports", security(("bearer" = [])),
    params(YearQuery),
    responses((status = 200, description = "The year's targets", body = Vec<Target>),
        (status = 422, description = "A year outside 2000–2100", body = crate::error::ErrorBody)))]
pub async fn targets_index(
    State(app): State<AppState>,
    Allowed(_caller, _): Allowed<Bureau>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Json<Vec<Target>>, AppError> {
    let year = year_of(&app, &q)?;
    Ok(Json(targets::current(&app.db.read, year).await?))
}

/// Sets a target: the next version for its year and measure, with its source; audited.
#[utoipa::path(post, path = "/api/v1/reports/targets", operation_id = "reports_targets_set", tag = "reports", security(("bearer" = [])),
    request_body = TargetInput,
    responses((status = 201, description = "The target as it now stands", body = Target),
        (status = 409, description = "Set by someone else at the same moment; read and try again", body = crate::error::ErrorBody),
        (status = 422, description = "A year, figure or source out of bounds", body = crate::error::ErrorBody)))]
pub async fn set_target(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiJson(input): ApiJson<TargetInput>,
) -> Result<Created<Target>, AppError> {
    let target = app
        .write(async |txn| targets::set(txn, &caller, input, app.now()).await)
        .await?;
    Ok(Created(target))
}

/// The reporting periods of a statistical year (twelve months, four quarters, the year),
/// each with its lock once the bureau has approved it.
#[utoipa::path(get, path = "/api/v1/reports/periods", operation_id = "reports_periods_index", tag = "reports", security(("bearer" = [])),
    params(YearQuery),
    responses((status = 200, description = "The year's periods", body = Vec<ReportPeriodStatus>),
        (status = 422, description = "A year outside 2000–2100", body = crate::error::ErrorBody)))]
pub async fn periods_index(
    State(app): State<AppState>,
    Allowed(_caller, _): Allowed<Bureau>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Json<Vec<ReportPeriodStatus>>, AppError> {
    let year = year_of(&app, &q)?;
    Ok(Json(periods::of_year(&app.db.read, year).await?))
}

fn period_of(code: &str) -> Result<ReportPeriod, AppError> {
    ReportPeriod::parse(code).ok_or(AppError::NotFound)
}

/// A period's dispatch: frozen once locked, counted from the records while open (with the
/// adjustments to earlier locked periods it reports).
#[utoipa::path(get, path = "/api/v1/reports/periods/{code}", operation_id = "reports_period_show", tag = "reports", security(("bearer" = [])),
    params(("code" = String, Path, description = "`YYYY-MM` (statistical month), `YYYY-Qn` or `YYYY`")),
    responses((status = 200, description = "The dispatch", body = Dispatch),
        (status = 404, description = "Not a period", body = crate::error::ErrorBody)))]
pub async fn period_show(
    State(app): State<AppState>,
    Allowed(_caller, _): Allowed<Bureau>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Dispatch>, AppError> {
    let period = period_of(&code)?;
    Ok(Json(dispatch::get(&app.db.read, &period).await?))
}

/// Approves and locks a period after it has ended: its figures are frozen, later changes
/// appear as adjustments in the next open period; audited.
#[utoipa::path(post, path = "/api/v1/reports/periods/{code}/lock", operation_id = "reports_period_lock", tag = "reports", security(("bearer" = [])),
    params(("code" = String, Path, description = "`YYYY-MM` (statistical month), `YYYY-Qn` or `YYYY`")),
    request_body = LockInput,
    responses((status = 200, description = "The frozen dispatch", body = Dispatch),
        (status = 404, description = "Not a period", body = crate::error::ErrorBody),
        (status = 409, description = "Already locked", body = crate::error::ErrorBody),
        (status = 422, description = "The period has not ended, or the note is too long", body = crate::error::ErrorBody)))]
pub async fn period_lock(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<LockInput>,
) -> Result<Json<Dispatch>, AppError> {
    let period = period_of(&code)?;
    let dispatch = app
        .write(async |txn| dispatch::lock(txn, &caller, &period, input, app.now()).await)
        .await?;
    Ok(Json(dispatch))
}

/// The rows behind a dashboard figure, 50 a page in id order, names and ID numbers masked:
/// `of` names the figure (`measure` with `measure` and an optional `month`, `key_group`,
/// `provider`, `certificates` with `kind` and an optional `status`, `orders` or
/// `agreements` with `status`); `total` is the figure itself.
#[utoipa::path(get, path = "/api/v1/reports/rows", operation_id = "reports_rows", tag = "reports", security(("bearer" = [])),
    params(RowsQuery),
    responses((status = 200, description = "A page of the figure's rows", body = RowsPage),
        (status = 404, description = "No such provider", body = crate::error::ErrorBody),
        (status = 422, description = "A query that names no figure: the field and the reason", body = crate::error::ErrorBody)))]
pub async fn rows_index(
    State(app): State<AppState>,
    Allowed(_caller, _): Allowed<Bureau>,
    ApiQuery(q): ApiQuery<RowsQuery>,
) -> Result<Json<RowsPage>, AppError> {
    let slice = Slice::parse(&q, crate::reports::year_of(app.now().today))?;
    Ok(Json(
        rows::page(&app.db.read, &slice, q.cursor.as_deref()).await?,
    ))
}
