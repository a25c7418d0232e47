use axum::{Json, extract::State};

use super::{AppState, extract::ApiQuery};
use crate::{
    audit::{self, AuditPage, AuditQuery, ChainReport},
    auth::{Caller, Role},
    error::{AppError, ErrorBody},
};

/// Recomputes the audit chain and names the first broken entry (bureau only).
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = ChainReport), (status = 403, body = ErrorBody)))]
pub async fn verify(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Json<ChainReport>, AppError> {
    caller.require(&[Role::BureauAdmin])?;
    Ok(Json(audit::verify(&app.db.read).await?))
}

/// Audit entries in order, optionally for one record (bureau only).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 403, body = ErrorBody)))]
pub async fn index(
    State(app): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, AppError> {
    caller.require(&[Role::BureauAdmin])?;
    Ok(Json(audit::list(&app.db.read, &q).await?))
}
