use axum::{Json, extract::State};

use crate::http::{
    AppState,
    api::Created,
    extract::{ApiJson, ApiPath, ApiQuery},
    policy::{Allowed, Provider, ProviderOrBureau},
};
use crate::{
    error::AppError,
    pagination::{Page, PageParams},
    programs::{self, Program, ProgramInput},
};

/// Creates a training program of the caller's provider.
#[utoipa::path(post, path = "/api/v1/programs", operation_id = "programs_create", tag = "training", security(("bearer" = [])),
    request_body = ProgramInput,
    responses((status = 201, description = "The new program", body = Program)))]
pub async fn create(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Provider>,
    ApiJson(input): ApiJson<ProgramInput>,
) -> Result<Created<Program>, AppError> {
    let provider = caller
        .organisation_id
        .clone()
        .ok_or_else(AppError::forbidden_role)?;
    let program = app
        .write(async |txn| {
            programs::create(txn, &caller.actor(), &provider, input, app.now()).await
        })
        .await?;
    Ok(Created(program))
}

/// Programs: the provider's own; all for the bureau.
#[utoipa::path(get, path = "/api/v1/programs", operation_id = "programs_index", tag = "training", security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, description = "A page of the programs the caller may see", body = Page<Program>)))]
pub async fn index(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<ProviderOrBureau>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<Program>>, AppError> {
    Ok(Json(
        programs::list(&app.db.read, &caller.scope(), &page).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/programs/{id}", operation_id = "programs_show",
    summary = "A program: the provider's own; any for the bureau", tag = "training", security(("bearer" = [])),
    params(("id" = String, Path, description = "The program's id")),
    responses((status = 200, description = "The program", body = Program)))]
pub async fn show(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<ProviderOrBureau>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Program>, AppError> {
    Ok(Json(
        programs::get(&app.db.read, &caller.scope(), &id).await?,
    ))
}
