//! The outbox for staff under `/api/v1/mail/outbox`: the messages the caller's
//! organisation caused (the bureau: every one), and deciding a failed or unknown one.

use axum::{Json, extract::State};

use super::openapi::NotFound;
use crate::http::{
    AppState,
    extract::{ApiPath, ApiQuery},
    policy::{Allowed, OrgStaff},
};
use crate::{
    error::{AppError, ErrorBody},
    mail::staff::{self, OutboxFilter, OutboxLine},
    pagination::{Page, PageParams},
};

/// The messages the caller may see, oldest first: the bureau every one, other staff those
/// their organisation's acts caused; `?status=` narrows to one state.
#[utoipa::path(get, path = "/api/v1/mail/outbox", operation_id = "mail_outbox_index", tag = "mail", security(("bearer" = [])),
    params(OutboxFilter, PageParams),
    responses((status = 200, description = "A page of messages", body = Page<OutboxLine>)))]
pub async fn index(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<OrgStaff>,
    ApiQuery(filter): ApiQuery<OutboxFilter>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<OutboxLine>>, AppError> {
    Ok(Json(
        staff::list(&app.db.read, &caller, &filter, &page).await?,
    ))
}

/// Sends a failed or unknown message again, to the recipient's address as confirmed now,
/// with the same Message-ID; while it is queued or sending this answers it as it is.
#[utoipa::path(post, path = "/api/v1/mail/outbox/{id}/resend", operation_id = "mail_outbox_resend", tag = "mail", security(("bearer" = [])),
    params(("id" = String, Path, description = "The message's id")),
    responses((status = 200, description = "The message, queued", body = OutboxLine),
        (status = 404, response = NotFound),
        (status = 409, description = "Sent or dropped already (`mail_status`), or the recipient has no confirmed address now (`no_confirmed_address`)", body = ErrorBody)))]
pub async fn resend(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<OrgStaff>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<OutboxLine>, AppError> {
    let line = app
        .write(async |txn| staff::resend(txn, &caller, &id, app.now()).await)
        .await?;
    Ok(Json(line))
}

/// Drops a failed or unknown message: it is never sent again.
#[utoipa::path(post, path = "/api/v1/mail/outbox/{id}/drop", operation_id = "mail_outbox_drop", tag = "mail", security(("bearer" = [])),
    params(("id" = String, Path, description = "The message's id")),
    responses((status = 200, description = "The message, dropped", body = OutboxLine),
        (status = 404, response = NotFound),
        (status = 409, description = "Not failed nor unknown (`mail_status`)", body = ErrorBody)))]
pub async fn drop(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<OrgStaff>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<OutboxLine>, AppError> {
    let line = app
        .write(async |txn| staff::drop(txn, &caller, &id).await)
        .await?;
    Ok(Json(line))
}
