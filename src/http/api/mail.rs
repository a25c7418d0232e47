//! E-mail addresses: setting one (the holder's own, or a provider's for a person it
//! enrolled; anyone's for their own account) and confirming it by the mailed link.

use axum::{Json, extract::State};

use super::openapi::NotFound;
use crate::http::{
    AppState,
    extract::{ApiJson, ApiPath},
    policy::{Allowed, EmailSetters},
};
use crate::{
    access::Caller,
    error::{AppError, ErrorBody},
    mail::confirm::{self, AddressState},
    people::email::{self, EmailInput},
};

/// Sets a person's e-mail address (the person themself, or staff of a provider that
/// enrolled them). It is kept unconfirmed and a confirmation link is mailed to it; until
/// the link is opened nothing else is sent there. The same address again changes nothing
/// (and mails no second link within ten minutes).
#[utoipa::path(put, path = "/api/v1/people/{id}/email", operation_id = "people_set_email", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, description = "The person's id")), request_body = EmailInput,
    responses((status = 200, description = "The address, unconfirmed unless it was confirmed already", body = AddressState),
        (status = 404, response = NotFound), (status = 422, description = "Not an e-mail address (`email: format`)", body = ErrorBody)))]
pub async fn set_person_email(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<EmailSetters>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<EmailInput>,
) -> Result<Json<AddressState>, AppError> {
    let base = app.config.base_url.as_str();
    let state = app
        .write(async |txn| email::set_for_person(txn, &caller, &id, &input, base, app.now()).await)
        .await?;
    Ok(Json(state))
}

/// The caller's own address: a trainee's is where their certificates are mailed.
#[utoipa::path(get, path = "/api/v1/me/email", operation_id = "me_email", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "The address and whether it is confirmed", body = AddressState), (status = 404, response = NotFound)))]
pub async fn show_own_email(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Json<AddressState>, AppError> {
    Ok(Json(email::show_own(&app.db.read, &caller).await?))
}

/// Sets the caller's own address, unconfirmed, and mails it the confirmation link.
#[utoipa::path(put, path = "/api/v1/me/email", operation_id = "me_set_email", tag = "auth", security(("bearer" = [])),
    request_body = EmailInput,
    responses((status = 200, description = "The address, unconfirmed unless it was confirmed already", body = AddressState),
        (status = 404, response = NotFound), (status = 422, description = "Not an e-mail address (`email: format`)", body = ErrorBody)))]
pub async fn set_own_email(
    State(app): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<EmailInput>,
) -> Result<Json<AddressState>, AppError> {
    let base = app.config.base_url.as_str();
    let state = app
        .write(async |txn| email::set_own(txn, &caller, &input, base, app.now()).await)
        .await?;
    Ok(Json(state))
}

/// What the confirmation link carries.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct ConfirmInput {
    /// The token at the end of the mailed link `/email/confirm/{token}`.
    pub token: String,
}

/// Confirms an address with the token of the link mailed to it (no sign-in: the token is
/// the proof). A link works once, until it expires, and only while the address is still
/// its owner's; opening a used link again answers the same.
#[utoipa::path(post, path = "/api/v1/email-confirmations", operation_id = "email_confirm", tag = "auth",
    request_body = ConfirmInput,
    responses((status = 200, description = "The address, confirmed", body = AddressState),
        (status = 422, description = "An unknown (`token: unknown`), expired (`token: expired`) or superseded (`token: replaced`) link", body = ErrorBody)))]
pub async fn confirm_email(
    State(app): State<AppState>,
    ApiJson(input): ApiJson<ConfirmInput>,
) -> Result<Json<AddressState>, AppError> {
    let state = app
        .write(async |txn| confirm::confirm(txn, &input.token, app.now()).await)
        .await?;
    Ok(Json(state))
}
