//! The key groups (重点群体) a trainee can be tagged with: what to write for each.

use axum::Json;

use crate::people::key_groups::{self, KeyGroupEntry};

/// Every key group: its code, Chinese label, the other names accepted for it (on the
/// enrolment API and in spreadsheets) and what the ID number must show for it to apply.
#[utoipa::path(get, path = "/api/v1/key-groups", operation_id = "key_groups_index", tag = "people",
    responses((status = 200, description = "Every key group, in list order", body = Vec<KeyGroupEntry>)))]
pub async fn index() -> Json<Vec<KeyGroupEntry>> {
    Json(key_groups::published())
}
