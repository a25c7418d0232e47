use axum::{Json, extract::State};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::http::{
    AppState,
    api::Created,
    extract::{ApiJson, ApiPath, ApiQuery},
    policy::{Allowed, Bureau, OrgStaff},
};
use crate::{
    access::Caller,
    error::{AppError, ErrorBody},
    organisations::{self, OrgKind, OrgStatus, Organisation, OrganisationInput, OrganisationPatch},
    pagination::{Page, PageParams},
};

/// Registers an organisation (pending until approved). Bureau only.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", security(("bearer" = [])),
    request_body = OrganisationInput,
    responses((status = 201, body = Organisation), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiJson(input): ApiJson<OrganisationInput>,
) -> Result<Created<Organisation>, AppError> {
    let org = app
        .write(async |txn| organisations::create(txn, &caller.actor(), input, app.now()).await)
        .await?;
    Ok(Created(org))
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    kind: Option<OrgKind>,
    limit: Option<u64>,
    cursor: Option<String>,
}

/// Organisations the caller may see: all for the bureau, otherwise its own.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = Page<Organisation>)))]
pub async fn index(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<OrgStaff>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Page<Organisation>>, AppError> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    Ok(Json(
        organisations::list(&app.db.read, &caller.scope(), q.kind, &page).await?,
    ))
}

/// One organisation; another tenant's is "not found".
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "organisations", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Organisation), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<OrgStaff>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Organisation>, AppError> {
    Ok(Json(
        organisations::get(&app.db.read, &caller.scope(), &id).await?,
    ))
}

/// Updates an organisation's own name, address or phone.
#[utoipa::path(patch, path = "/api/v1/organisations/{id}", tag = "organisations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = OrganisationPatch,
    responses((status = 200, body = Organisation), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<OrgStaff>,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<OrganisationPatch>,
) -> Result<Json<Organisation>, AppError> {
    let org = app
        .write(async |txn| {
            organisations::update(txn, &caller.scope(), &caller.actor(), &id, patch, app.now())
                .await
        })
        .await?;
    Ok(Json(org))
}

async fn set_status(
    app: AppState,
    caller: Caller,
    id: String,
    status: OrgStatus,
) -> Result<Json<Organisation>, AppError> {
    let org = app
        .write(async |txn| {
            organisations::set_status(txn, &caller.actor(), &id, status, app.now()).await
        })
        .await?;
    Ok(Json(org))
}

/// Approves an organisation so its accounts can act. Bureau only.
#[utoipa::path(post, path = "/api/v1/organisations/{id}/approve", tag = "organisations", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Organisation), (status = 404, body = ErrorBody)))]
pub async fn approve(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Organisation>, AppError> {
    set_status(app, caller, id, OrgStatus::Approved).await
}

/// Suspends an organisation: its accounts stop acting at once. Bureau only.
#[utoipa::path(post, path = "/api/v1/organisations/{id}/suspend", tag = "organisations", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Organisation), (status = 404, body = ErrorBody)))]
pub async fn suspend(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Organisation>, AppError> {
    set_status(app, caller, id, OrgStatus::Suspended).await
}
