//! The data-quality panel under `/api/v1/reports/flags`: what an auditor would flag, with
//! the masked rows behind each flag, and the bureau's explanations.

use axum::{Json, extract::State};

use crate::http::{
    AppState,
    api::Created,
    extract::ApiJson,
    policy::{Allowed, Bureau},
};
use crate::{
    error::AppError,
    reports::flags::{self, Explanation, ExplanationInput, Panel, Settings},
};

fn settings(app: &AppState) -> Settings<'_> {
    Settings::of(&app.pii, &app.config)
}

/// Every flag kind with its flags: overlapping cohorts, the same occupation and level
/// subsidised twice, more subsidised trainings than `REGISTRY_SUBSIDY_LIMIT`, certificates
/// dated before the training ended, ages outside the program's window, withdrawn
/// enrolments with results; each flag with its key, the masked rows and, once explained,
/// the explanation.
#[utoipa::path(get, path = "/api/v1/reports/flags", operation_id = "reports_flags_index", tag = "reports", security(("bearer" = [])),
    responses((status = 200, description = "The panel", body = Panel)))]
pub async fn index(
    State(app): State<AppState>,
    Allowed(_caller, _): Allowed<Bureau>,
) -> Result<Json<Panel>, AppError> {
    Ok(Json(flags::panel(&app.db.read, settings(&app)).await?))
}

/// Marks a flag explained, with the reason; audited. The flag stays listed, explained.
#[utoipa::path(post, path = "/api/v1/reports/flags/explanations", operation_id = "reports_flags_explain", tag = "reports", security(("bearer" = [])),
    request_body = ExplanationInput,
    responses((status = 201, description = "The explanation as kept", body = Explanation),
        (status = 409, description = "The flag is explained already", body = crate::error::ErrorBody),
        (status = 422, description = "No reason (1–500 characters), or a key that names no flag found now", body = crate::error::ErrorBody)))]
pub async fn explain(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Bureau>,
    ApiJson(input): ApiJson<ExplanationInput>,
) -> Result<Created<Explanation>, AppError> {
    let done = app
        .write(async |txn| {
            flags::explain::explain(txn, &caller, settings(&app), input, app.now()).await
        })
        .await?;
    Ok(Created(done))
}
