use axum::{Json, extract::State};

use crate::http::{
    AppState,
    extract::ApiQuery,
    policy::{Allowed, Bureau},
};
use crate::{
    audit::{self, AuditPage, AuditQuery, ChainReport},
    error::{AppError, ErrorBody},
};

/// Recomputes the audit chain and names the first broken entry (bureau only).
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = ChainReport), (status = 403, body = ErrorBody)))]
pub async fn verify(
    State(app): State<AppState>,
    Allowed(_caller, _): Allowed<Bureau>,
) -> Result<Json<ChainReport>, AppError> {
    Ok(Json(audit::verify(&app.db.read).await?))
}

/// Audit entries in order, optionally for one record (bureau only).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 403, body = ErrorBody)))]
pub async fn index(
    State(app): State<AppState>,
    Allowed(_caller, _): Allowed<Bureau>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, AppError> {
    Ok(Json(audit::list(&app.db.read, &q).await?))
}
