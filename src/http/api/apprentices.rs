//! Apprentices of an agreement under `/api/v1/apprenticeships/{id}/apprentices`: the
//! enterprise registers them and records leaving, pausing, resuming and completing; the
//! enterprise (mentor side) and the provider (teacher side) record milestones.

use axum::{Json, extract::State};

use crate::http::{
    AppState,
    api::Created,
    extract::{ApiJson, ApiPath},
    policy::{Allowed, ApprenticeshipParties, Employer, MilestoneRecorders},
};
use crate::{
    apprenticeships::{
        apprentices::{self, Apprentice, ApprenticeInput},
        progress::{self, DatedInput, MilestoneDoneInput},
    },
    error::{AppError, ErrorBody},
};

/// The enterprise registers an apprentice under a filed agreement: identity, labour
/// contract (at least a year, covering the period), at least 16 on the start date, an
/// enterprise mentor and a school teacher. Every refusal is a 422 under its field.
#[utoipa::path(post, path = "/api/v1/apprenticeships/{id}/apprentices", operation_id = "apprentices_create", tag = "apprenticeships", security(("bearer" = [])),
    params(("id" = String, Path, description = "The agreement's id")), request_body = ApprenticeInput,
    responses((status = 201, description = "The apprentice", body = Apprentice),
        (status = 409, description = "The agreement is not filed (`agreement_status`), or the person is its apprentice already (`already_apprentice`)", body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Employer>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ApprenticeInput>,
) -> Result<Created<Apprentice>, AppError> {
    let apprentice = app
        .write(async |txn| apprentices::add(txn, &app.pii, &caller, &id, input, app.now()).await)
        .await?;
    Ok(Created(apprentice))
}

/// The agreement's apprentices (identity in full for the enterprise, masked otherwise).
#[utoipa::path(get, path = "/api/v1/apprenticeships/{id}/apprentices", operation_id = "apprentices_index", tag = "apprenticeships", security(("bearer" = [])),
    params(("id" = String, Path, description = "The agreement's id")),
    responses((status = 200, description = "The apprentices", body = Vec<Apprentice>)))]
pub async fn index(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<ApprenticeshipParties>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<Apprentice>>, AppError> {
    Ok(Json(
        apprentices::list(&app.db.read, &app.pii, &caller, &id).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}", operation_id = "apprentices_show",
    summary = "One apprentice with the plan's milestones and which are completed", tag = "apprenticeships", security(("bearer" = [])),
    params(("id" = String, Path, description = "The agreement's id"), ("apprentice_id" = String, Path, description = "The apprentice's id")),
    responses((status = 200, description = "The apprentice", body = Apprentice)))]
pub async fn show(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<ApprenticeshipParties>,
    ApiPath((id, apprentice_id)): ApiPath<(String, String)>,
) -> Result<Json<Apprentice>, AppError> {
    Ok(Json(
        apprentices::get(&app.db.read, &app.pii, &caller, &id, &apprentice_id).await?,
    ))
}

/// The apprentice left before the agreement's end (`on`, `reason`); the advance of that
/// year is taken back as a negative entry in the open period.
#[utoipa::path(post, path = "/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}/leave", operation_id = "apprentices_leave", tag = "apprenticeships", security(("bearer" = [])),
    params(("id" = String, Path, description = "The agreement's id"), ("apprentice_id" = String, Path, description = "The apprentice's id")), request_body = DatedInput,
    responses((status = 200, description = "The apprentice, left", body = Apprentice), (status = 409, description = "Left or completed already (`apprentice_status`)", body = ErrorBody)))]
pub async fn leave(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Employer>,
    ApiPath((id, apprentice_id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<DatedInput>,
) -> Result<Json<Apprentice>, AppError> {
    let apprentice = app
        .write(async |txn| {
            progress::leave(
                txn,
                &app.pii,
                &caller,
                &id,
                &apprentice_id,
                input,
                app.now(),
            )
            .await
        })
        .await?;
    Ok(Json(apprentice))
}

/// Pauses an active apprentice (`on`, `reason`).
#[utoipa::path(post, path = "/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}/pause", operation_id = "apprentices_pause", tag = "apprenticeships", security(("bearer" = [])),
    params(("id" = String, Path, description = "The agreement's id"), ("apprentice_id" = String, Path, description = "The apprentice's id")), request_body = DatedInput,
    responses((status = 200, description = "The apprentice, paused", body = Apprentice), (status = 409, description = "Not active (`apprentice_status`)", body = ErrorBody)))]
pub async fn pause(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Employer>,
    ApiPath((id, apprentice_id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<DatedInput>,
) -> Result<Json<Apprentice>, AppError> {
    let ids = (id.as_str(), apprentice_id.as_str());
    let apprentice = app
        .write(async |txn| {
            progress::pause_or_resume(txn, &app.pii, &caller, ids, input, true, app.now()).await
        })
        .await?;
    Ok(Json(apprentice))
}

/// Resumes a paused apprentice (`on`, not before the pause).
#[utoipa::path(post, path = "/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}/resume", operation_id = "apprentices_resume", tag = "apprenticeships", security(("bearer" = [])),
    params(("id" = String, Path, description = "The agreement's id"), ("apprentice_id" = String, Path, description = "The apprentice's id")), request_body = DatedInput,
    responses((status = 200, description = "The apprentice, active again", body = Apprentice), (status = 409, description = "Not paused (`apprentice_status`)", body = ErrorBody)))]
pub async fn resume(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Employer>,
    ApiPath((id, apprentice_id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<DatedInput>,
) -> Result<Json<Apprentice>, AppError> {
    let ids = (id.as_str(), apprentice_id.as_str());
    let apprentice = app
        .write(async |txn| {
            progress::pause_or_resume(txn, &app.pii, &caller, ids, input, false, app.now()).await
        })
        .await?;
    Ok(Json(apprentice))
}

/// The apprentice completed the apprenticeship (`on`); each year's balance is booked, or
/// held while a milestone is missing.
#[utoipa::path(post, path = "/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}/complete", operation_id = "apprentices_complete", tag = "apprenticeships", security(("bearer" = [])),
    params(("id" = String, Path, description = "The agreement's id"), ("apprentice_id" = String, Path, description = "The apprentice's id")), request_body = DatedInput,
    responses((status = 200, description = "The apprentice, completed", body = Apprentice), (status = 409, description = "Not active (`apprentice_status`)", body = ErrorBody)))]
pub async fn complete(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Employer>,
    ApiPath((id, apprentice_id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<DatedInput>,
) -> Result<Json<Apprentice>, AppError> {
    let apprentice = app
        .write(async |txn| {
            progress::complete(
                txn,
                &app.pii,
                &caller,
                &id,
                &apprentice_id,
                input,
                app.now(),
            )
            .await
        })
        .await?;
    Ok(Json(apprentice))
}

/// A milestone completed (`completed_on`, neither in the future nor before the start),
/// recorded for the enterprise mentor's side or the provider's by whoever calls.
#[utoipa::path(post, path = "/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}/milestones/{milestone_id}", operation_id = "apprentices_milestone", tag = "apprenticeships", security(("bearer" = [])),
    params(("id" = String, Path, description = "The agreement's id"), ("apprentice_id" = String, Path, description = "The apprentice's id"), ("milestone_id" = String, Path, description = "The plan's milestone")),
    request_body = MilestoneDoneInput,
    responses((status = 200, description = "The apprentice with the milestone completed", body = Apprentice), (status = 409, description = "The apprentice left (`apprentice_status`)", body = ErrorBody)))]
pub async fn milestone(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<MilestoneRecorders>,
    ApiPath((id, apprentice_id, milestone_id)): ApiPath<(String, String, String)>,
    ApiJson(input): ApiJson<MilestoneDoneInput>,
) -> Result<Json<Apprentice>, AppError> {
    let ids = (id.as_str(), apprentice_id.as_str(), milestone_id.as_str());
    let apprentice = app
        .write(async |txn| {
            progress::complete_milestone(txn, &app.pii, &caller, ids, input, app.now()).await
        })
        .await?;
    Ok(Json(apprentice))
}
