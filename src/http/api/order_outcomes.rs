//! What follows an order's training: hires and departures, the bureau's payments and
//! closing, and the live progress and funding; the funding rules the bureau configures.

use axum::{
    Json,
    extract::State,
    response::{IntoResponse, Response},
};

use crate::http::{
    AppState,
    api::Created,
    extract::{ApiJson, ApiPath},
    policy::{Allowed, Bureau, HireRecorders, OrderParties},
};
use crate::{
    error::{AppError, ErrorBody},
    orders::{
        Order,
        close::{self, CloseInput},
        funding::{self, Funding, PaymentInput},
        funding_rules::{self, FundingRule, FundingRuleInput},
        hires::{self, DepartureInput, Hire, HireInput},
        progress::{self, Progress},
    },
};

/// The employer records a hire of a trainee holding the order's certificate (its post and
/// date); the assigned provider records one by another employer (its name), counted apart.
#[utoipa::path(post, path = "/api/v1/orders/{id}/hires", operation_id = "orders_hire", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")), request_body = HireInput,
    responses((status = 201, description = "The hire", body = Hire), (status = 200, description = "The same hire recorded before", body = Hire),
        (status = 409, description = "The order is not in training (`order_status`), or the trainee is recorded as hired otherwise (`hired_already`)", body = ErrorBody)))]
pub async fn hire(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<HireRecorders>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<HireInput>,
) -> Result<Response, AppError> {
    let (hire, new) = app
        .write(async |txn| hires::record(txn, &caller, &id, input, app.now()).await)
        .await?;
    Ok(if new {
        Created(hire).into_response()
    } else {
        Json(hire).into_response()
    })
}

/// Records the day a hire left (whoever recorded the hire).
#[utoipa::path(post, path = "/api/v1/orders/{id}/hires/{hire_id}/departure", operation_id = "orders_departure", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id"), ("hire_id" = String, Path, description = "The hire's id")), request_body = DepartureInput,
    responses((status = 200, description = "The hire with `left_on`", body = Hire), (status = 409, description = "A departure on another day is recorded (`departed_already`)", body = ErrorBody)))]
pub async fn departure(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<HireRecorders>,
    ApiPath((id, hire_id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<DepartureInput>,
) -> Result<Json<Hire>, AppError> {
    let hire = app
        .write(async |txn| hires::depart(txn, &caller, &id, &hire_id, input, app.now()).await)
        .await?;
    Ok(Json(hire))
}

/// The bureau records a payment against a tranche that is due (at most what is unpaid).
#[utoipa::path(post, path = "/api/v1/orders/{id}/payments", operation_id = "orders_payment", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")), request_body = PaymentInput,
    responses((status = 201, description = "The order's funding after the payment", body = Funding), (status = 409, description = "Not assigned (`order_not_assigned`) or no funding rule for its year (`no_funding_rule`)", body = ErrorBody)))]
pub async fn payment(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<PaymentInput>,
) -> Result<Created<Funding>, AppError> {
    let funding = app
        .write(async |txn| funding::record_payment(txn, &caller, &id, input, app.now()).await)
        .await?;
    Ok(Created(funding))
}

/// The bureau closes an order: `fulfilled` when enough trainees hold its certificate,
/// `not_fulfilled` with the reason (an order past its deadline).
#[utoipa::path(post, path = "/api/v1/orders/{id}/close", operation_id = "orders_close", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")), request_body = CloseInput,
    responses((status = 200, description = "The order, closed", body = Order), (status = 409, description = "Closed already with the other outcome (`order_status`)", body = ErrorBody)))]
pub async fn close(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<CloseInput>,
) -> Result<Json<Order>, AppError> {
    let order = app
        .write(async |txn| close::close(txn, &caller, &id, input, app.now()).await)
        .await?;
    Ok(Json(order))
}

/// The order's progress against its targets, with its trainees (masked but for the
/// assigned provider) and their certificates' status.
#[utoipa::path(get, path = "/api/v1/orders/{id}/progress", operation_id = "orders_progress", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, description = "The progress as of today", body = Progress)))]
pub async fn show_progress(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<OrderParties>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Progress>, AppError> {
    Ok(Json(
        progress::get(&app.db.read, &caller, &id, app.now().today).await?,
    ))
}

/// What is due on assignment and on the outcome (with its grounds), paid and outstanding.
#[utoipa::path(get, path = "/api/v1/orders/{id}/funding", operation_id = "orders_funding", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, description = "The funding as of today", body = Funding), (status = 409, description = "Not assigned (`order_not_assigned`) or no funding rule for its year (`no_funding_rule`)", body = ErrorBody)))]
pub async fn show_funding(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<OrderParties>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Funding>, AppError> {
    Ok(Json(
        funding::get(&app.db.read, &caller, &id, app.now().today).await?,
    ))
}

/// The funding rules of orders, per city and year.
#[utoipa::path(get, path = "/api/v1/order-funding-rules", operation_id = "order_funding_rules_index", tag = "orders", security(("bearer" = [])),
    responses((status = 200, description = "Every rule", body = Vec<FundingRule>)))]
pub async fn rules(
    State(app): State<AppState>,
    Allowed(_caller, _): Allowed<Bureau>,
) -> Result<Json<Vec<FundingRule>>, AppError> {
    Ok(Json(funding_rules::rules(&app.db.read).await?))
}

/// Sets a city's rule for a year (city: 6 digits; year 2000–2100).
#[utoipa::path(put, path = "/api/v1/order-funding-rules/{city}/{year}", operation_id = "order_funding_rules_set", tag = "orders", security(("bearer" = [])),
    params(("city" = String, Path, description = "The city's 6-digit code, e.g. 150784"), ("year" = String, Path, description = "The year, e.g. 2026")),
    request_body = FundingRuleInput,
    responses((status = 200, description = "The rule", body = FundingRule)))]
pub async fn set_rule(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath((city, year)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<FundingRuleInput>,
) -> Result<Json<FundingRule>, AppError> {
    let rule = app
        .write(async |txn| funding_rules::set_rule(txn, &caller, &city, &year, input).await)
        .await?;
    Ok(Json(rule))
}
