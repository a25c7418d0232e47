use axum::{Json, extract::State};
use sea_orm::TransactionTrait;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    AppState, Created,
    extract::{ApiJson, ApiPath, ApiQuery},
    policy::{Allowed, Provider, ProviderOrAssessor, TrainingReaders},
};
use crate::{
    cohorts::{
        self, Cohort, CohortInput,
        enrolment::{self, Enrolment, ResultInput},
    },
    error::{AppError, ErrorBody},
    pagination::{Page, PageParams},
    people::store::IdentityInput,
};

/// Opens a cohort of one of the caller's programs.
#[utoipa::path(post, path = "/api/v1/cohorts", tag = "training", security(("bearer" = [])),
    request_body = CohortInput,
    responses((status = 201, body = Cohort), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Provider>,
    ApiJson(input): ApiJson<CohortInput>,
) -> Result<Created<Cohort>, AppError> {
    let provider = caller
        .organisation_id
        .clone()
        .ok_or_else(AppError::forbidden_role)?;
    let txn = app.db.write.begin().await?;
    let cohort = cohorts::create(&txn, &caller.actor(), &provider, input).await?;
    txn.commit().await?;
    Ok(Created(cohort))
}

/// Cohorts: the provider's own, those an evaluation organisation assesses, all for the
/// bureau.
#[utoipa::path(get, path = "/api/v1/cohorts", tag = "training", security(("bearer" = [])),
    params(PageParams), responses((status = 200, body = Page<Cohort>)))]
pub async fn index(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<TrainingReaders>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<Cohort>>, AppError> {
    Ok(Json(cohorts::list(&app.db.read, &caller, &page).await?))
}

#[utoipa::path(get, path = "/api/v1/cohorts/{id}", tag = "training", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Cohort), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<TrainingReaders>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Cohort>, AppError> {
    Ok(Json(cohorts::get(&app.db.read, &caller, &id).await?))
}

/// Enrols one person: `{name, citizen_id, phone?, key_groups?}`.
#[utoipa::path(post, path = "/api/v1/cohorts/{id}/enrolments", tag = "training", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = IdentityInput,
    responses((status = 201, body = Enrolment), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "cohort full or already enrolled"),
        (status = 422, body = ErrorBody, description = "invalid identity or age outside the program's window")))]
pub async fn enrol(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Provider>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<IdentityInput>,
) -> Result<Created<Enrolment>, AppError> {
    let txn = app.db.write.begin().await?;
    let enrolment = enrolment::enrol(&txn, &app.pii, &caller, &id, input).await?;
    txn.commit().await?;
    Ok(Created(enrolment))
}

/// A cohort's enrolments; identities in full only for the enrolling provider.
#[utoipa::path(get, path = "/api/v1/cohorts/{id}/enrolments", tag = "training", security(("bearer" = [])),
    params(("id" = String, Path), PageParams),
    responses((status = 200, body = Page<Enrolment>), (status = 404, body = ErrorBody)))]
pub async fn enrolments(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<TrainingReaders>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<Enrolment>>, AppError> {
    Ok(Json(
        enrolment::list(&app.db.read, &app.pii, &caller, &id, &page).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/enrolments/{id}", tag = "training", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Enrolment), (status = 404, body = ErrorBody)))]
pub async fn show_enrolment(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<TrainingReaders>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Enrolment>, AppError> {
    Ok(Json(
        enrolment::get(&app.db.read, &app.pii, &caller, &id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct WithdrawRequest {
    reason: String,
}

/// Withdraws an enrolment, with a reason.
#[utoipa::path(post, path = "/api/v1/enrolments/{id}/withdraw", tag = "training", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = WithdrawRequest,
    responses((status = 200, body = Enrolment), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn withdraw(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Provider>,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<WithdrawRequest>,
) -> Result<Json<Enrolment>, AppError> {
    let txn = app.db.write.begin().await?;
    let enrolment = enrolment::withdraw(&txn, &app.pii, &caller, &id, &req.reason).await?;
    txn.commit().await?;
    Ok(Json(enrolment))
}

/// Records attended hours and theory / practical scores.
#[utoipa::path(put, path = "/api/v1/enrolments/{id}/result", tag = "training", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ResultInput,
    responses((status = 200, body = Enrolment), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_result(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<ProviderOrAssessor>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ResultInput>,
) -> Result<Json<Enrolment>, AppError> {
    let txn = app.db.write.begin().await?;
    let enrolment = enrolment::record_result(&txn, &app.pii, &caller, &id, input).await?;
    txn.commit().await?;
    Ok(Json(enrolment))
}
