use axum::{Json, extract::State};

use crate::http::{
    AppState,
    extract::ApiQuery,
    policy::{Allowed, Bureau},
};
use crate::{
    audit::{self, AuditPage, AuditQuery, ChainReport},
    error::AppError,
};

/// Recomputes the audit chain and names the first broken entry (bureau only).
#[utoipa::path(get, path = "/api/v1/audit/verify", operation_id = "audit_verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, description = "Whether the chain is intact, and its first broken entry if not", body = ChainReport)))]
pub async fn verify(
    State(app): State<AppState>,
    Allowed(_caller, _): Allowed<Bureau>,
) -> Result<Json<ChainReport>, AppError> {
    Ok(Json(audit::verify(&app.db.read).await?))
}

/// Audit entries in order, optionally for one record (bureau only).
#[utoipa::path(get, path = "/api/v1/audit", operation_id = "audit_index", tag = "audit", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, description = "A page of audit entries", body = AuditPage)))]
pub async fn index(
    State(app): State<AppState>,
    Allowed(_caller, _): Allowed<Bureau>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, AppError> {
    Ok(Json(audit::list(&app.db.read, &q).await?))
}
