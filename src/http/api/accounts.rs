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
    auth::accounts::{self, Account, NewAccount, NewIntegrationAccount},
    error::AppError,
    pagination::{Page, PageParams},
};

#[derive(Deserialize, ToSchema)]
pub struct AccountRequest {
    login: String,
    /// A person's password; an integration account has none.
    #[schema(value_type = Option<String>, format = Password)]
    password: Option<SecretString>,
    role: Role,
    organisation_id: Option<String>,
    display_name: Option<String>,
    /// An account for another system: no password, it acts only with integration tokens
    /// (`POST /api/v1/tokens`). Not for the bureau's or a trainee's role.
    #[serde(default)]
    integration: bool,
}

/// Creates an account of any role, or an integration account (bureau only).
#[utoipa::path(post, path = "/api/v1/accounts", operation_id = "accounts_create", tag = "accounts",
    security(("bearer" = [])), request_body = AccountRequest,
    responses((status = 201, description = "The new account", body = Account), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn create(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiJson(req): ApiJson<AccountRequest>,
) -> Result<Created<Account>, AppError> {
    let (actor, now) = (caller.actor(), app.now());
    let account = match (req.integration, req.password, req.organisation_id) {
        (false, Some(password), organisation_id) => {
            let new = NewAccount {
                login: req.login,
                password,
                role: req.role,
                organisation_id,
                display_name: req.display_name,
            };
            app.write(async |txn| accounts::create(txn, &actor, new, now).await)
                .await?
        }
        (true, None, Some(organisation_id)) => {
            let new = NewIntegrationAccount {
                login: req.login,
                role: req.role,
                organisation_id,
                display_name: req.display_name,
            };
            app.write(async |txn| accounts::create_integration(txn, &actor, new, now).await)
                .await?
        }
        (false, None, _) => return Err(AppError::invalid("password", "required", "请设置密码")),
        (true, Some(_), _) => {
            return Err(AppError::invalid(
                "password",
                "not_allowed",
                "集成账号不设密码，只用人社局签发的令牌",
            ));
        }
        (true, None, None) => {
            return Err(AppError::invalid(
                "organisation_id",
                "required",
                "集成账号须属于一个机构",
            ));
        }
    };
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
