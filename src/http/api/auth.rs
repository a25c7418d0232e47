use axum::{Json, extract::State, http::StatusCode};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::openapi::{NotFound, TooManyRequests};
use crate::http::{
    AppState,
    api::Created,
    client::ClientAddr,
    extract::{ApiJson, ApiPath},
    policy::{Allowed, Bureau},
    sign_in::sign_in,
};
use crate::{
    access::{Caller, Role},
    auth::{
        self, IssuedToken,
        integration::{self, IntegrationTokenRequest},
    },
    error::{AppError, ErrorBody},
    people::store,
};

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    login: String,
    #[schema(value_type = String, format = Password)]
    password: SecretString,
}

/// Exchanges a login and password for a bearer token. Failed attempts slow down and then
/// lock the login and the client address for a while (429 with `Retry-After` and the time
/// to come back); an unknown login is answered exactly like a wrong password.
#[utoipa::path(post, path = "/api/v1/auth/token", operation_id = "auth_create_token", tag = "auth",
    request_body = LoginRequest,
    responses((status = 200, description = "A new bearer token, and whose it is", body = IssuedToken), (status = 401, description = "Unknown login or wrong password (`unauthenticated`)", body = ErrorBody), (status = 429, response = TooManyRequests)))]
pub async fn create_token(
    State(app): State<AppState>,
    client: ClientAddr,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<IssuedToken>, AppError> {
    Ok(Json(
        sign_in(&app, client, &req.login, &req.password).await?,
    ))
}

/// Revokes the token this request carries.
#[utoipa::path(post, path = "/api/v1/auth/logout", operation_id = "auth_logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "The token this request carried is revoked")))]
pub async fn logout(State(app): State<AppState>, caller: Caller) -> Result<StatusCode, AppError> {
    app.write(async |txn| auth::revoke_token(txn, &caller, &caller.token_id, app.now()).await)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    account_id: String,
    login: String,
    role: Role,
    organisation_id: Option<String>,
    /// For a trainee: the person the account belongs to.
    person_id: Option<String>,
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/auth/me", operation_id = "auth_me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "The caller's account, role and organisation", body = Me)))]
pub async fn me(State(app): State<AppState>, caller: Caller) -> Result<Json<Me>, AppError> {
    let person_id = match caller.role {
        Role::Trainee => store::of_account(&app.db.read, &caller.account_id)
            .await?
            .map(|p| p.id),
        _ => None,
    };
    Ok(Json(Me {
        account_id: caller.account_id,
        login: caller.login,
        role: caller.role,
        organisation_id: caller.organisation_id,
        person_id,
    }))
}

/// Creates a long-lived token for an integration account (bureau only); never for a
/// person's account.
#[utoipa::path(post, path = "/api/v1/tokens", operation_id = "tokens_create", tag = "auth", security(("bearer" = [])),
    request_body = IntegrationTokenRequest,
    responses((status = 201, description = "The new token; its secret is shown this once", body = IssuedToken), (status = 404, response = NotFound)))]
pub async fn create_integration_token(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiJson(req): ApiJson<IntegrationTokenRequest>,
) -> Result<Created<IssuedToken>, AppError> {
    let issued = app
        .write(async |txn| integration::mint(txn, &caller, &req, app.now()).await)
        .await?;
    Ok(Created(issued))
}

/// Revokes a token: the bureau any token, everyone else only their own.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", operation_id = "tokens_revoke", tag = "auth", security(("bearer" = [])),
    params(("id" = String, Path, description = "The token's id")),
    responses((status = 204, description = "The token is revoked (revoking twice is harmless)")))]
pub async fn revoke_token(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    app.write(async |txn| auth::revoke_token(txn, &caller, &id, app.now()).await)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
