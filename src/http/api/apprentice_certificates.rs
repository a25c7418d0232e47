//! What an apprenticeship ends in, under
//! `/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}`: an evaluation
//! organisation's assessments of the apprentice, and the certificates — the
//! apprenticeship certificate by the agreement's provider, the skill-level certificate by
//! the evaluation organisation on its passed assessment.

use axum::{
    Json,
    extract::State,
    response::{IntoResponse, Response},
};

use super::openapi::NotFound;
use crate::http::{
    AppState,
    api::Created,
    extract::{ApiJson, ApiPath},
    policy::{Allowed, ApprenticeIssuers, Assessor},
};
use crate::{
    apprenticeships::progress::assessment::{self, ApprenticeAssessmentInput},
    certificates::{
        Certificate,
        apprenticed::{self, ApprenticeCertificateRequest},
        read,
    },
    cohorts::assessment::Assessment,
    error::{AppError, ErrorBody},
};

/// Records an assessment of the apprentice by the caller's evaluation organisation, at the
/// agreement's occupation and target level (during the apprenticeship or at its end).
#[utoipa::path(post, path = "/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}/assessments", operation_id = "apprentices_assessments_create", tag = "apprenticeships", security(("bearer" = [])),
    params(("id" = String, Path, description = "The agreement's id (filed)"), ("apprentice_id" = String, Path, description = "The apprentice's id")),
    request_body = ApprenticeAssessmentInput,
    responses((status = 201, description = "The recorded assessment", body = Assessment),
        (status = 409, description = "The same assessment on that day is recorded already (`assessment_exists`)", body = ErrorBody)))]
pub async fn create_assessment(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Assessor>,
    ApiPath((id, apprentice_id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<ApprenticeAssessmentInput>,
) -> Result<Created<Assessment>, AppError> {
    let ids = (id.as_str(), apprentice_id.as_str());
    let recorded = app
        .write(async |txn| assessment::record(txn, &caller, ids, input, app.now()).await)
        .await?;
    Ok(Created(recorded))
}

/// Issues the apprenticeship certificate (`kind: apprenticeship`, by the agreement's
/// provider, once the apprentice completed with every milestone) or the skill-level
/// certificate (`kind: skill_level`, by the evaluation organisation on its passed
/// assessment, resting on the apprenticeship certificate). The same grounds return the
/// same certificate (200) instead of a second one (201 when newly issued).
#[utoipa::path(post, path = "/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}/certificates", operation_id = "apprentices_certificates_create", tag = "apprenticeships", security(("bearer" = [])),
    params(("id" = String, Path, description = "The agreement's id"), ("apprentice_id" = String, Path, description = "The apprentice's id")),
    request_body = ApprenticeCertificateRequest,
    responses((status = 201, description = "The new certificate", body = Certificate), (status = 200, description = "Already issued on these grounds: that certificate", body = Certificate),
        (status = 404, response = NotFound),
        (status = 422, description = "Not eligible (`not_eligible`): `fields` lists every missing requirement (not completed, a milestone open, left, no passed assessment, no apprenticeship certificate, no photo), or a kind an apprenticeship does not lead to", body = ErrorBody)))]
pub async fn create_certificate(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<ApprenticeIssuers>,
    ApiPath((id, apprentice_id)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<ApprenticeCertificateRequest>,
) -> Result<Response, AppError> {
    let ids = (id.as_str(), apprentice_id.as_str());
    let (created, view) = app
        .write(async |txn| {
            let issued = apprenticed::issue(txn, &app.certs, &caller, ids, &req, app.now()).await?;
            let view = read::view(
                txn,
                &app.certs,
                &caller,
                issued.certificate,
                app.now().today,
            )
            .await?;
            Ok((issued.created, view))
        })
        .await?;
    Ok(if created {
        Created(view).into_response()
    } else {
        Json(view).into_response()
    })
}
