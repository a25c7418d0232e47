//! The apprenticeship subsidy ledger under `/api/v1/apprenticeships/…`: entries, the
//! bureau's generation run, per-enterprise figures, periods and their closing, payments,
//! and the rates per city, year and target level.

use axum::{Json, extract::State};

use crate::http::{
    AppState,
    api::Created,
    extract::{ApiJson, ApiPath, ApiQuery},
    policy::{Allowed, Bureau, LedgerReaders},
};
use crate::{
    apprenticeships::{
        ledger::{
            self, Booked, Entry, LedgerQuery, generate,
            summary::{self, Summary, SummaryQuery},
        },
        periods::{self, PaymentInput, PeriodView},
        rates::{self, Rate, RateInput},
    },
    error::AppError,
    pagination::Page,
};

/// Ledger entries: the bureau's every one (filtered by `employer_id`), an enterprise's own.
#[utoipa::path(get, path = "/api/v1/apprenticeships/ledger", operation_id = "apprenticeship_ledger_index", tag = "apprenticeships", security(("bearer" = [])),
    params(LedgerQuery),
    responses((status = 200, description = "A page of entries", body = Page<Entry>)))]
pub async fn index(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<LedgerReaders>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> Result<Json<Page<Entry>>, AppError> {
    Ok(Json(ledger::list(&app.db.read, &caller, &q).await?))
}

/// The bureau books the ledger as of today for every apprentice of every filed agreement;
/// running it again books nothing twice.
#[utoipa::path(post, path = "/api/v1/apprenticeships/ledger/generate", operation_id = "apprenticeship_ledger_generate", tag = "apprenticeships", security(("bearer" = [])),
    responses((status = 200, description = "What the run booked, held, released, corrected and adjusted", body = Booked)))]
pub async fn generate(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
) -> Result<Json<Booked>, AppError> {
    let booked = app
        .write(async |txn| generate::generate(txn, &caller, app.now()).await)
        .await?;
    Ok(Json(booked))
}

/// Per enterprise and rate year: due, paid, to pay, to recover, held.
#[utoipa::path(get, path = "/api/v1/apprenticeships/ledger/summary", operation_id = "apprenticeship_ledger_summary", tag = "apprenticeships", security(("bearer" = [])),
    params(SummaryQuery),
    responses((status = 200, description = "The figures of each enterprise (an enterprise: its own)", body = Vec<Summary>)))]
pub async fn show_summary(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<LedgerReaders>,
    ApiQuery(q): ApiQuery<SummaryQuery>,
) -> Result<Json<Vec<Summary>>, AppError> {
    Ok(Json(summary::list(&app.db.read, &caller, q.year).await?))
}

/// The reporting periods the ledger has used.
#[utoipa::path(get, path = "/api/v1/apprenticeships/periods", operation_id = "apprenticeship_periods_index", tag = "apprenticeships", security(("bearer" = [])),
    responses((status = 200, description = "The periods, oldest first", body = Vec<PeriodView>)))]
pub async fn periods_index(
    State(app): State<AppState>,
    Allowed(_caller, _): Allowed<Bureau>,
) -> Result<Json<Vec<PeriodView>>, AppError> {
    Ok(Json(periods::list(&app.db.read).await?))
}

/// The bureau closes a period that has begun (`YYYY-MM`); it never changes after.
#[utoipa::path(post, path = "/api/v1/apprenticeships/periods/{code}/close", operation_id = "apprenticeship_periods_close", tag = "apprenticeships", security(("bearer" = [])),
    params(("code" = String, Path, description = "The period, `YYYY-MM` (the month it ends in)")),
    responses((status = 200, description = "The period, closed", body = PeriodView), (status = 422, description = "The period has not begun", body = crate::error::ErrorBody)))]
pub async fn close_period(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<PeriodView>, AppError> {
    let period = app
        .write(async |txn| periods::close(txn, &caller, &code, app.now()).await)
        .await?;
    Ok(Json(period))
}

/// The bureau records a payment to an enterprise (or a recovery, `recovered: true`) in
/// the open period.
#[utoipa::path(post, path = "/api/v1/apprenticeships/payments", operation_id = "apprenticeship_payments_create", tag = "apprenticeships", security(("bearer" = [])),
    request_body = PaymentInput,
    responses((status = 201, description = "The enterprise's figures for the year after the payment", body = Summary)))]
pub async fn payment(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiJson(input): ApiJson<PaymentInput>,
) -> Result<Created<Summary>, AppError> {
    let summary = app
        .write(async |txn| periods::record_payment(txn, &caller, input, app.now()).await)
        .await?;
    Ok(Created(summary))
}

/// The subsidy rates per city, year and target level.
#[utoipa::path(get, path = "/api/v1/apprenticeships/rates", operation_id = "apprenticeship_rates_index", tag = "apprenticeships", security(("bearer" = [])),
    responses((status = 200, description = "Every rate", body = Vec<Rate>)))]
pub async fn rates_index(
    State(app): State<AppState>,
    Allowed(_caller, _): Allowed<LedgerReaders>,
) -> Result<Json<Vec<Rate>>, AppError> {
    Ok(Json(rates::list(&app.db.read).await?))
}

/// Sets a rate (city: 6 digits; year 2000–2100; level `level5` … `level1`).
#[utoipa::path(put, path = "/api/v1/apprenticeships/rates/{city}/{year}/{level}", operation_id = "apprenticeship_rates_set", tag = "apprenticeships", security(("bearer" = [])),
    params(("city" = String, Path, description = "The city's 6-digit code, e.g. 150784"), ("year" = String, Path, description = "The year, e.g. 2026"), ("level" = String, Path, description = "The target level, e.g. level4")),
    request_body = RateInput,
    responses((status = 200, description = "The rate", body = Rate)))]
pub async fn set_rate(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath((city, year, level)): ApiPath<(String, String, String)>,
    ApiJson(input): ApiJson<RateInput>,
) -> Result<Json<Rate>, AppError> {
    let keys = (city.as_str(), year.as_str(), level.as_str());
    let rate = app
        .write(async |txn| rates::set(txn, &caller, keys, input).await)
        .await?;
    Ok(Json(rate))
}
