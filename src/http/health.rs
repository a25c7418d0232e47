use axum::{Json, extract::State};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use crate::error::AppError;

#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
}

/// 200 when the database answers.
#[utoipa::path(get, path = "/health", tag = "health",
    responses((status = 200, body = Health), (status = 500, body = crate::error::ErrorBody)))]
pub async fn show(State(app): State<AppState>) -> Result<Json<Health>, AppError> {
    app.db.read.execute_unprepared("SELECT 1").await?;
    Ok(Json(Health { status: "ok" }))
}
