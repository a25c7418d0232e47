use axum::{Json, extract::State};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;

use super::openapi::Internal;
use crate::error::AppError;
use crate::http::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
    /// `ready` once the verification index is filled (until then look-ups read the
    /// database), `filling` before.
    verification_index: &'static str,
    connections: ConnectionCount,
}

/// The connections this instance serves at once.
#[derive(Serialize, ToSchema)]
pub struct ConnectionCount {
    /// Open now, this request's included.
    open: usize,
    /// At most (`REGISTRY_MAX_CONNECTIONS`); more wait to be accepted.
    limit: usize,
}

/// 200 when the database answers.
#[utoipa::path(get, path = "/health", operation_id = "health_show", tag = "health",
    responses((status = 200, description = "The database answers", body = Health), (status = 500, response = Internal)))]
pub async fn show(State(app): State<AppState>) -> Result<Json<Health>, AppError> {
    app.db.read.execute_unprepared("SELECT 1").await?;
    Ok(Json(Health {
        status: "ok",
        verification_index: if app.verification.is_filled() {
            "ready"
        } else {
            "filling"
        },
        connections: ConnectionCount {
            open: app.connections.open(),
            limit: app.connections.limit(),
        },
    }))
}
