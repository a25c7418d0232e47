//! Training orders under `/api/v1/orders`: writing, submitting and confirming posts (the
//! employer), offers (providers), assignment (the bureau), linking cohorts (the assigned
//! provider). Hires, payments, closing, progress and funding are in `order_outcomes`.

use axum::{Json, extract::State};

use super::openapi::Conflict;
use crate::http::{
    AppState,
    api::Created,
    extract::{ApiJson, ApiPath, ApiQuery},
    policy::{Allowed, Bureau, Employer, OrderParties, Provider},
};
use crate::{
    error::AppError,
    orders::{
        self, Order,
        assign::{self, AssignInput, LinkInput, OfferInput},
        draft,
        input::OrderInput,
    },
    pagination::{Page, PageParams},
};

/// An employer's new draft order: occupation or standard, trainees wanted, deadline, hire
/// commitment, posts (monthly pay in yuan as a decimal string).
#[utoipa::path(post, path = "/api/v1/orders", operation_id = "orders_create", tag = "orders", security(("bearer" = [])),
    request_body = OrderInput,
    responses((status = 201, description = "The new draft", body = Order)))]
pub async fn create(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Employer>,
    ApiJson(input): ApiJson<OrderInput>,
) -> Result<Created<Order>, AppError> {
    let order = app
        .write(async |txn| {
            draft::create(txn, &caller, &app.config.region_code, input, app.now()).await
        })
        .await?;
    Ok(Created(order))
}

/// The orders the caller may see: an employer's own, the bureau's every submitted one
/// (with, while open, the fitting providers and their offers), a provider's assigned ones
/// and those waiting for a provider.
#[utoipa::path(get, path = "/api/v1/orders", operation_id = "orders_index", tag = "orders", security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, description = "A page of orders", body = Page<Order>)))]
pub async fn index(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<OrderParties>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<Order>>, AppError> {
    Ok(Json(orders::list(&app.db.read, &caller, &page).await?))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", operation_id = "orders_show",
    summary = "An order the caller may see (another employer's is not found)", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, description = "The order", body = Order)))]
pub async fn show(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<OrderParties>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Order>, AppError> {
    Ok(Json(orders::get(&app.db.read, &caller, &id).await?))
}

/// Rewrites a draft, its posts included.
#[utoipa::path(patch, path = "/api/v1/orders/{id}", operation_id = "orders_update", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")), request_body = OrderInput,
    responses((status = 200, description = "The draft as rewritten", body = Order), (status = 409, description = "The order is submitted already (`order_status`)", body = crate::error::ErrorBody)))]
pub async fn update(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Employer>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<OrderInput>,
) -> Result<Json<Order>, AppError> {
    let order = app
        .write(async |txn| draft::update(txn, &caller, &id, input, app.now()).await)
        .await?;
    Ok(Json(order))
}

/// Submits a draft to the bureau (it needs a post and a deadline after today); a
/// submitted order answers as it stands.
#[utoipa::path(post, path = "/api/v1/orders/{id}/submit", operation_id = "orders_submit", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, description = "The order, submitted", body = Order), (status = 422, description = "No post, or the deadline has passed", body = crate::error::ErrorBody)))]
pub async fn submit(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Employer>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Order>, AppError> {
    let order = app
        .write(async |txn| draft::submit(txn, &caller, &id, app.now()).await)
        .await?;
    Ok(Json(order))
}

/// The employer confirms the posts (岗位前置): from then on cohorts may be linked.
#[utoipa::path(post, path = "/api/v1/orders/{id}/posts/confirm", operation_id = "orders_confirm_posts", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, description = "The order with `posts_confirmed_at`", body = Order), (status = 409, response = Conflict)))]
pub async fn confirm_posts(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Employer>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Order>, AppError> {
    let order = app
        .write(async |txn| draft::confirm_posts(txn, &caller, &id, app.now()).await)
        .await?;
    Ok(Json(order))
}

/// A provider offers to take an order waiting for one; the bureau sees the offer beside
/// the order and confirms it by assigning.
#[utoipa::path(post, path = "/api/v1/orders/{id}/offers", operation_id = "orders_offer", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")), request_body = OfferInput,
    responses((status = 200, description = "The order", body = Order), (status = 409, response = Conflict)))]
pub async fn offer(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Provider>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<OfferInput>,
) -> Result<Json<Order>, AppError> {
    let order = app
        .write(async |txn| assign::offer(txn, &caller, &id, input, app.now()).await)
        .await?;
    Ok(Json(order))
}

/// The bureau assigns an open order to a provider whose programs fit it, with the total
/// training fee (yuan); the same assignment again answers the order.
#[utoipa::path(post, path = "/api/v1/orders/{id}/assign", operation_id = "orders_assign", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")), request_body = AssignInput,
    responses((status = 200, description = "The order, assigned", body = Order), (status = 409, description = "Assigned to another provider already (`order_assigned_already`), or not open (`order_status`)", body = crate::error::ErrorBody)))]
pub async fn assign(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<AssignInput>,
) -> Result<Json<Order>, AppError> {
    let order = app
        .write(async |txn| assign::assign(txn, &caller, &id, input, app.now()).await)
        .await?;
    Ok(Json(order))
}

/// The assigned provider links one of its cohorts of a fitting program, once the posts
/// are confirmed; the order is then in training.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cohorts", operation_id = "orders_link_cohort", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "The order's id")), request_body = LinkInput,
    responses((status = 200, description = "The order, in training", body = Order), (status = 409, description = "Posts not confirmed (`posts_not_confirmed`), not the assigned provider (`not_assigned`), the cohort linked to another order (`cohort_linked_elsewhere`), or the order closed (`order_status`)", body = crate::error::ErrorBody)))]
pub async fn link_cohort(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Provider>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<LinkInput>,
) -> Result<Json<Order>, AppError> {
    let order = app
        .write(async |txn| assign::link_cohort(txn, &caller, &id, input, app.now()).await)
        .await?;
    Ok(Json(order))
}
