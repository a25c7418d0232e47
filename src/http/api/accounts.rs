use axum::{Json, extract::State};
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;

use super::openapi::{Conflict, NotFound};
use crate::http::{
    AppState,
    api::Created,
    extract::{ApiJson, ApiQuery},
    policy::{Allowed, Bureau},
};
use crate::{
    access::Role,
    auth::accounts::{self, Account, NewAccount},
    error::AppError,
    pagination::{Page, PageParams},
};

#[derive(Deserialize, ToSchema)]
pub struct AccountRequest {
    login: String,
    #[schema(value_type = String, format = Password)]
    password: SecretString,
    role: Role,
    organisation_id: Option<String>,
    display_name: Option<String>,
}

/// Creates an account of any role (bureau only).
#[utoipa::path(post, path = "/api/v1/accounts", operation_id = "accounts_create", tag = "accounts",
    security(("bearer" = [])), request_body = AccountRequest,
    responses((status = 201, description = "The new account", body = Account), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn create(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiJson(req): ApiJson<AccountRequest>,
) -> Result<Created<Account>, AppError> {
    let new = NewAccount {
        login: req.login,
        password: req.password,
        role: req.role,
        organisation_id: req.organisation_id,
        display_name: req.display_name,
    };
    let account = app
        .write(async |txn| accounts::create(txn, &caller.actor(), new, app.now()).await)
        .await?;
    Ok(Created(account))
}

/// Accounts: all for the bureau (bureau only).
#[utoipa::path(get, path = "/api/v1/accounts", operation_id = "accounts_index", tag = "accounts",
    security(("bearer" = [])), params(PageParams),
    responses((status = 200, description = "A page of accounts", body = Page<Account>)))]
pub async fn index(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<Account>>, AppError> {
    Ok(Json(
        accounts::list(&app.db.read, &caller.scope(), &page).await?,
    ))
}
