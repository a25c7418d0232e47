use axum::{Json, extract::State};
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;

use super::openapi::Conflict;
use crate::http::{
    AppState,
    api::Created,
    extract::{ApiJson, ApiPath},
    policy::{Allowed, PersonReaders, Provider},
};
use crate::{
    auth::accounts::Account,
    error::AppError,
    people::store::{self, PersonView},
};

/// A person: in full for the holder and the providers that enrolled them, masked for the
/// bureau, "not found" for everyone else.
#[utoipa::path(get, path = "/api/v1/people/{id}", operation_id = "people_show", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, description = "The person's id")),
    responses((status = 200, description = "The person, masked as far as the caller's role requires", body = PersonView)))]
pub async fn show(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<PersonReaders>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PersonView>, AppError> {
    Ok(Json(
        store::get(&app.db.read, &app.pii, &caller, &id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    login: String,
    #[schema(value_type = String, format = Password)]
    password: SecretString,
}

/// Gives an enrolled person a trainee login (the enrolling provider only).
#[utoipa::path(post, path = "/api/v1/people/{id}/account", operation_id = "people_create_login",
    tag = "people", security(("bearer" = [])), params(("id" = String, Path, description = "The person's id")), request_body = LoginRequest,
    responses((status = 201, description = "The person's new trainee account", body = Account), (status = 409, response = Conflict)))]
pub async fn create_login(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Provider>,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Created<Account>, AppError> {
    let account = app
        .write(async |txn| {
            store::create_login(txn, &caller, &id, req.login, req.password, app.now()).await
        })
        .await?;
    Ok(Created(account))
}
