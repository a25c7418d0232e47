use axum::{Json, extract::State};
use serde::Deserialize;
use utoipa::IntoParams;

use super::openapi::Conflict;
use crate::http::{
    AppState,
    api::Created,
    extract::{ApiJson, ApiPath, ApiQuery, MaybeCaller},
    policy::{Allowed, Bureau},
};
use crate::{
    access::Caller,
    error::{AppError, ErrorBody},
    pagination::{Page, PageParams},
    standards::{
        self, Standard, StandardSpec, StatusFilter, Transition,
        reference::{self, Occupation, SkillLevel},
    },
};

/// National occupations with code and name.
#[utoipa::path(get, path = "/api/v1/occupations", operation_id = "occupations_index", tag = "standards",
    responses((status = 200, description = "Every national occupation", body = Vec<Occupation>)))]
pub async fn occupations(State(app): State<AppState>) -> Result<Json<Vec<Occupation>>, AppError> {
    Ok(Json(reference::occupations(&app.db.read).await?))
}

/// The eight-level skill ladder with certificate labels.
#[utoipa::path(get, path = "/api/v1/skill-levels", operation_id = "skill_levels_index", tag = "standards",
    responses((status = 200, description = "The levels of the ladder", body = Vec<SkillLevel>)))]
pub async fn skill_levels(State(app): State<AppState>) -> Result<Json<Vec<SkillLevel>>, AppError> {
    Ok(Json(reference::skill_levels(&app.db.read).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `published` (default: the version in force of each standard), `retired`, `draft`
    /// (bureau only) or `all`.
    #[param(inline)]
    status: Option<StatusFilter>,
    /// Items per page, 1–200 (default 50).
    limit: Option<u64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Local industry standards, each with code, name, version, status and work tasks.
#[utoipa::path(get, path = "/api/v1/standards", operation_id = "standards_index", tag = "standards",
    security((), ("bearer" = [])), params(ListQuery),
    responses((status = 200, description = "A page of standard versions", body = Page<Standard>)))]
pub async fn index(
    State(app): State<AppState>,
    caller: MaybeCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Page<Standard>>, AppError> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    let filter = q.status.unwrap_or_default();
    Ok(Json(
        standards::list(&app.db.read, filter, caller.is_bureau(), &page).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// A specific version; default the published one.
    version: Option<i32>,
}

/// One standard: the version in force, or `?version=`.
#[utoipa::path(get, path = "/api/v1/standards/{code}", operation_id = "standards_show", tag = "standards",
    security((), ("bearer" = [])), params(("code" = String, Path, description = "The standard's code, e.g. `150784-QMY`"), VersionQuery),
    responses((status = 200, description = "The standard at the version asked for", body = Standard)))]
pub async fn show(
    State(app): State<AppState>,
    caller: MaybeCaller,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<Json<Standard>, AppError> {
    Ok(Json(
        standards::get(&app.db.read, &code, q.version, caller.is_bureau()).await?,
    ))
}

/// Drafts a new standard (version 1). Bureau only.
#[utoipa::path(post, path = "/api/v1/standards", operation_id = "standards_create", tag = "standards", security(("bearer" = [])),
    request_body = StandardSpec,
    responses((status = 201, description = "The new draft, version 1", body = Standard), (status = 409, response = Conflict)))]
pub async fn create(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiJson(spec): ApiJson<StandardSpec>,
) -> Result<Created<Standard>, AppError> {
    let standard = app
        .write(async |txn| standards::create_draft(txn, &caller.actor(), spec, app.now()).await)
        .await?;
    Ok(Created(standard))
}

/// Drafts the next version from the newest one. Bureau only.
#[utoipa::path(post, path = "/api/v1/standards/{code}/versions", operation_id = "standard_versions_create",
    tag = "standards", security(("bearer" = [])), params(("code" = String, Path, description = "The standard's code, e.g. `150784-QMY`")),
    responses((status = 201, description = "The new draft version", body = Standard), (status = 409, response = Conflict)))]
pub async fn draft_version(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath(code): ApiPath<String>,
) -> Result<Created<Standard>, AppError> {
    let standard = app
        .write(async |txn| {
            standards::draft_next_version(txn, &caller.actor(), &code, app.now()).await
        })
        .await?;
    Ok(Created(standard))
}

/// Replaces a draft's content; a published version answers 409. Bureau only.
#[utoipa::path(put, path = "/api/v1/standards/{code}/versions/{version}",
    operation_id = "standard_versions_update", tag = "standards", security(("bearer" = [])),
    params(("code" = String, Path, description = "The standard's code, e.g. `150784-QMY`"), ("version" = i32, Path, description = "The version number")), request_body = StandardSpec,
    responses((status = 200, description = "The draft with its new content", body = Standard), (status = 409, description = "The version is not a draft (`conflict`)", body = ErrorBody)))]
pub async fn update_version(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath((code, version)): ApiPath<(String, i32)>,
    ApiJson(spec): ApiJson<StandardSpec>,
) -> Result<Json<Standard>, AppError> {
    let standard = app
        .write(async |txn| {
            standards::update_draft(txn, &caller.actor(), &code, version, spec, app.now()).await
        })
        .await?;
    Ok(Json(standard))
}

/// Publishes a draft, retiring the version it supersedes. Bureau only.
#[utoipa::path(post, path = "/api/v1/standards/{code}/versions/{version}/publish",
    operation_id = "standard_versions_publish", tag = "standards", security(("bearer" = [])), params(("code" = String, Path, description = "The standard's code, e.g. `150784-QMY`"), ("version" = i32, Path, description = "The version number")),
    responses((status = 200, description = "The version, now published", body = Standard), (status = 409, response = Conflict)))]
pub async fn publish(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath(version): ApiPath<(String, i32)>,
) -> Result<Json<Standard>, AppError> {
    transition(app, caller, version, Transition::Publish).await
}

/// Retires a published version. Bureau only.
#[utoipa::path(post, path = "/api/v1/standards/{code}/versions/{version}/retire",
    operation_id = "standard_versions_retire", tag = "standards", security(("bearer" = [])), params(("code" = String, Path, description = "The standard's code, e.g. `150784-QMY`"), ("version" = i32, Path, description = "The version number")),
    responses((status = 200, description = "The version, now retired", body = Standard), (status = 409, response = Conflict)))]
pub async fn retire(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiPath(version): ApiPath<(String, i32)>,
) -> Result<Json<Standard>, AppError> {
    transition(app, caller, version, Transition::Retire).await
}

async fn transition(
    app: AppState,
    caller: Caller,
    (code, version): (String, i32),
    transition: Transition,
) -> Result<Json<Standard>, AppError> {
    let standard = app
        .write(async |txn| {
            let actor = caller.actor();
            standards::transition(txn, &actor, &code, version, transition, app.now()).await
        })
        .await?;
    Ok(Json(standard))
}
