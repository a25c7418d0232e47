use axum::{Json, extract::State};
use serde::Deserialize;
use utoipa::IntoParams;

use super::openapi::{Conflict, ImageBody, Invalid};
use crate::http::{
    AppState,
    api::Created,
    extract::{ApiJson, ApiPath, ApiQuery, raw_body_within},
    policy::{Allowed, Bureau, OrgStaff},
};
use crate::{
    access::Caller,
    error::AppError,
    organisations::{
        self, OrgKind, OrgStatus, Organisation, OrganisationInput, OrganisationPatch, renames, seal,
    },
    pagination::{Page, PageParams},
};

/// Registers an organisation (pending until approved). Bureau only.
#[utoipa::path(post, path = "/api/v1/organisations", operation_id = "organisations_create",
    tag = "organisations", security(("bearer" = [])), request_body = OrganisationInput,
    responses((status = 201, description = "The new organisation, pending approval", body = Organisation), (status = 409, response = Conflict)))]
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
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only organisations of this kind.
    #[param(inline)]
    kind: Option<OrgKind>,
    /// Items per page, 1–200 (default 50).
    limit: Option<u64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Organisations the caller may see: all for the bureau, otherwise its own.
#[utoipa::path(get, path = "/api/v1/organisations", operation_id = "organisations_index",
    tag = "organisations", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, description = "A page of the organisations the caller may see", body = Page<Organisation>)))]
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
        organisations::list(&app.db.read, &caller.scope(), q.kind, false, &page).await?,
    ))
}

/// One organisation; another tenant's is "not found".
#[utoipa::path(get, path = "/api/v1/organisations/{id}", operation_id = "organisations_show",
    tag = "organisations", security(("bearer" = [])), params(("id" = String, Path, description = "The organisation's id")),
    responses((status = 200, description = "The organisation", body = Organisation)))]
pub async fn show(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<OrgStaff>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Organisation>, AppError> {
    Ok(Json(
        organisations::get(&app.db.read, &caller.scope(), &id).await?,
    ))
}

/// Updates an organisation's address or phone, and its name: at once from the bureau;
/// from the organisation itself as `pending_name`, which the bureau approves or rejects.
#[utoipa::path(patch, path = "/api/v1/organisations/{id}", operation_id = "organisations_update",
    tag = "organisations", security(("bearer" = [])), params(("id" = String, Path, description = "The organisation's id")), request_body = OrganisationPatch,
    responses((status = 200, description = "The organisation as updated (a rename by the organisation itself shows as `pending_name`)", body = Organisation)))]
pub async fn update(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<OrgStaff>,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<OrganisationPatch>,
) -> Result<Json<Organisation>, AppError> {
    let org = app
        .write(async |txn| organisations::update(txn, &caller, &id, patch, app.now()).await)
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
#[utoipa::path(post, path = "/api/v1/organisations/{id}/approve", operation_id = "organisations_approve",
    tag = "organisations", security(("bearer" = [])), params(("id" = String, Path, description = "The organisation's id")),
    responses((status = 200, description = "The organisation, now approved", body = Organisation), (status = 422, response = Invalid)))]
pub async fn approve(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Organisation>, AppError> {
    set_status(app, caller, id, OrgStatus::Approved).await
}

/// Suspends an organisation: its accounts stop acting at once. Bureau only; never the
/// administrator's own organisation, nor one whose suspension would leave no active
/// bureau administrator.
#[utoipa::path(post, path = "/api/v1/organisations/{id}/suspend", operation_id = "organisations_suspend",
    tag = "organisations", security(("bearer" = [])), params(("id" = String, Path, description = "The organisation's id")),
    responses((status = 200, description = "The organisation, now suspended", body = Organisation), (status = 422, response = Invalid)))]
pub async fn suspend(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Organisation>, AppError> {
    set_status(app, caller, id, OrgStatus::Suspended).await
}

/// Approves the name an organisation asked for: it becomes the name in force. Bureau only.
#[utoipa::path(post, path = "/api/v1/organisations/{id}/name/approve", operation_id = "organisations_approve_name",
    tag = "organisations", security(("bearer" = [])), params(("id" = String, Path, description = "The organisation's id")),
    responses((status = 200, description = "The organisation under its new name", body = Organisation), (status = 409, response = Conflict), (status = 422, response = Invalid)))]
pub async fn approve_name(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Organisation>, AppError> {
    let org = app
        .write(async |txn| renames::approve(txn, &caller.actor(), &id, app.now()).await)
        .await?;
    Ok(Json(org))
}

/// Rejects the name an organisation asked for: its name stays. Bureau only.
#[utoipa::path(post, path = "/api/v1/organisations/{id}/name/reject", operation_id = "organisations_reject_name",
    tag = "organisations", security(("bearer" = [])), params(("id" = String, Path, description = "The organisation's id")),
    responses((status = 200, description = "The organisation, with no name pending", body = Organisation), (status = 409, response = Conflict)))]
pub async fn reject_name(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Organisation>, AppError> {
    let org = app
        .write(async |txn| renames::reject(txn, &caller.actor(), &id, app.now()).await)
        .await?;
    Ok(Json(org))
}

/// Uploads (or replaces) the organisation's seal image, as the raw body (`image/png` with a
/// transparent background, at most 512 KiB): printed on the certificates it issues from
/// now on, fitted in a 40 mm square over the issuer lines. The registry never draws a seal;
/// without one a certificate prints the issuer's name only. The organisation's own staff
/// only; a refused picture is a 422 on `file` and nothing is kept.
#[utoipa::path(put, path = "/api/v1/organisations/{id}/seal", operation_id = "organisations_update_seal",
    tag = "organisations", security(("bearer" = [])), params(("id" = String, Path, description = "The organisation's id")),
    request_body(content = ImageBody, content_type = "image/png", description = "The seal image itself"),
    responses((status = 200, description = "The stored seal (its size and digest)", body = seal::Seal), (status = 422, response = Invalid)))]
pub async fn update_seal(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<OrgStaff>,
    ApiPath(id): ApiPath<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Json<seal::Seal>, AppError> {
    // An organisation the caller may not give a seal is refused before the body is read;
    // the picture is read before the writer's transaction opens.
    seal::find_organisation(&app.db.read, &caller, &id).await?;
    let declared = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    seal::check_content_type(declared)?;
    let bytes = raw_body_within(body, seal::MAX_BYTES).await?;
    let prepared = seal::prepare(bytes).await?;
    let stored = app
        .write(async |txn| seal::store(txn, &caller, &id, &prepared, app.now()).await)
        .await?;
    Ok(Json(stored))
}
