//! Apprenticeship agreements under `/api/v1/apprenticeships`: the enterprise writes and
//! submits them, the bureau files or returns them. Apprentices are in `apprentices`, the
//! subsidy ledger in `apprenticeship_ledger`.

use axum::{Json, extract::State};

use crate::http::{
    AppState,
    api::Created,
    extract::{ApiJson, ApiPath, ApiQuery},
    policy::{Allowed, ApprenticeshipParties, Bureau, Employer},
};
use crate::{
    apprenticeships::{
        self, Agreement, AgreementInput,
        agreements::{self, ReturnInput},
    },
    error::{AppError, ErrorBody},
    pagination::{Page, PageParams},
};

/// An enterprise's new draft agreement with a training provider: occupation, target level,
/// period (1–2 years; up to 3 with `extension_reason`), the plan's modules and milestones.
#[utoipa::path(post, path = "/api/v1/apprenticeships", operation_id = "apprenticeships_create", tag = "apprenticeships", security(("bearer" = [])),
    request_body = AgreementInput,
    responses((status = 201, description = "The new draft", body = Agreement)))]
pub async fn create(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Employer>,
    ApiJson(input): ApiJson<AgreementInput>,
) -> Result<Created<Agreement>, AppError> {
    let agreement = app
        .write(async |txn| {
            agreements::create(txn, &caller, &app.config.region_code, input, app.now()).await
        })
        .await?;
    Ok(Created(agreement))
}

/// The agreements the caller may see: an enterprise's own, a provider's submitted ones
/// naming it, the bureau's every submitted one.
#[utoipa::path(get, path = "/api/v1/apprenticeships", operation_id = "apprenticeships_index", tag = "apprenticeships", security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, description = "A page of agreements", body = Page<Agreement>)))]
pub async fn index(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<ApprenticeshipParties>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<Agreement>>, AppError> {
    Ok(Json(
        apprenticeships::list(&app.db.read, &caller, &page).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/apprenticeships/{id}", operation_id = "apprenticeships_show",
    summary = "An agreement the caller may see (another enterprise's is not found)", tag = "apprenticeships", security(("bearer" = [])),
    params(("id" = String, Path, description = "The agreement's id")),
    responses((status = 200, description = "The agreement", body = Agreement)))]
pub async fn show(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<ApprenticeshipParties>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Agreement>, AppError> {
    Ok(Json(
        apprenticeships::get(&app.db.read, &caller, &id).await?,
    ))
}

/// Rewrites a draft or a returned agreement, its plan included.
#[utoipa::path(patch, path = "/api/v1/apprenticeships/{id}", operation_id = "apprenticeships_update", tag = "apprenticeships", security(("bearer" = [])),
    params(("id" = String, Path, description = "The agreement's id")), request_body = AgreementInput,
    responses((status = 200, description = "The agreement as rewritten", body = Agreement), (status = 409, description = "Submitted or filed already (`agreement_status`)", body = ErrorBody)))]
pub async fn update(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Employer>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<AgreementInput>,
) -> Result<Json<Agreement>, AppError> {
    let agreement = app
        .write(async |txn| agreements::update(txn, &caller, &id, input, app.now()).await)
        .await?;
    Ok(Json(agreement))
}

/// Submits a draft or returned agreement to the bureau; a submitted one answers as it stands.
#[utoipa::path(post, path = "/api/v1/apprenticeships/{id}/submit", operation_id = "apprenticeships_submit", tag = "apprenticeships", security(("bearer" = [])),
    params(("id" = String, Path, description = "The agreement's id")),
    responses((status = 200, description = "The agreement, submitted", body = Agreement)))]
pub async fn submit(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Employer>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Agreement>, AppError> {
    let agreement = app
        .write(async |txn| agreements::submit(txn, &caller, &id, app.now()).await)
        .await?;
    Ok(Json(agreement))
}

/// The bureau files (approves) a submitted agreement: apprentices may then be registered.
#[utoipa::path(post, path = "/api/v1/apprenticeships/{id}/file", operation_id = "apprenticeships_file", tag = "apprenticeships", security(("bearer" = [])),
    params(("id" = String, Path, description = "The agreement's id")),
    responses((status = 200, description = "The agreement, filed", body = Agreement), (status = 409, description = "Not waiting to be filed (`agreement_status`)", body = ErrorBody)))]
pub async fn file(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Agreement>, AppError> {
    let agreement = app
        .write(async |txn| agreements::file(txn, &caller, &id, app.now()).await)
        .await?;
    Ok(Json(agreement))
}

/// The bureau returns a submitted agreement to the enterprise with its reason.
#[utoipa::path(post, path = "/api/v1/apprenticeships/{id}/return", operation_id = "apprenticeships_return", tag = "apprenticeships", security(("bearer" = [])),
    params(("id" = String, Path, description = "The agreement's id")), request_body = ReturnInput,
    responses((status = 200, description = "The agreement, returned", body = Agreement), (status = 409, description = "Not waiting to be filed (`agreement_status`)", body = ErrorBody)))]
pub async fn return_to_employer(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ReturnInput>,
) -> Result<Json<Agreement>, AppError> {
    let agreement = app
        .write(async |txn| {
            agreements::return_to_employer(txn, &caller, &id, input, app.now()).await
        })
        .await?;
    Ok(Json(agreement))
}
