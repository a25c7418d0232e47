use axum::{Json, extract::State};

use crate::http::{
    AppState,
    policy::{Allowed, OrgStaff},
};
use crate::{
    error::AppError,
    tasks::{self, TaskList},
};

/// What the caller's organisation has to do next: certificates whose grounds fell,
/// cohorts missing results, licences expiring within 90 days, organisations waiting for
/// the bureau — each section with its total and first 20 rows.
#[utoipa::path(get, path = "/api/v1/tasks", operation_id = "tasks_index", tag = "tasks", security(("bearer" = [])),
    responses((status = 200, description = "The caller's task list; sections that do not apply to the role are absent", body = TaskList)))]
pub async fn index(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<OrgStaff>,
) -> Result<Json<TaskList>, AppError> {
    Ok(Json(
        tasks::for_caller(&app.db.read, &caller, app.now()).await?,
    ))
}
