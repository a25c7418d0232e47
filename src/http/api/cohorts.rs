use axum::{
    Json,
    extract::{Multipart, State},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::openapi::{Conflict, NotFound, SpreadsheetUpload};
use crate::http::{
    AppState,
    api::Created,
    extract::{ApiJson, ApiPath, ApiQuery, uploaded_file},
    policy::{Allowed, Provider, ProviderOrAssessor, TrainingReaders},
    state::Outcome,
};
use crate::{
    cohorts::{
        self, Cohort, CohortInput,
        enrolment::{self, Enrolment, ResultInput},
    },
    error::{AppError, ErrorBody},
    imports::{self, Import, ImportReport},
    pagination::{Page, PageParams},
    people::store::IdentityInput,
};

/// Opens a cohort of one of the caller's programs.
#[utoipa::path(post, path = "/api/v1/cohorts", operation_id = "cohorts_create", tag = "training", security(("bearer" = [])),
    request_body = CohortInput,
    responses((status = 201, description = "The new cohort", body = Cohort), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn create(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Provider>,
    ApiJson(input): ApiJson<CohortInput>,
) -> Result<Created<Cohort>, AppError> {
    let provider = caller
        .organisation_id
        .clone()
        .ok_or_else(AppError::forbidden_role)?;
    let cohort = app
        .write(async |txn| cohorts::create(txn, &caller.actor(), &provider, input, app.now()).await)
        .await?;
    Ok(Created(cohort))
}

/// Cohorts: the provider's own, those an evaluation organisation assesses, all for the
/// bureau.
#[utoipa::path(get, path = "/api/v1/cohorts", operation_id = "cohorts_index", tag = "training", security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, description = "A page of the cohorts the caller may see", body = Page<Cohort>)))]
pub async fn index(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<TrainingReaders>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<Cohort>>, AppError> {
    Ok(Json(cohorts::list(&app.db.read, &caller, &page).await?))
}

#[utoipa::path(get, path = "/api/v1/cohorts/{id}", operation_id = "cohorts_show",
    summary = "A cohort the caller may see", tag = "training", security(("bearer" = [])),
    params(("id" = String, Path, description = "The cohort's id")),
    responses((status = 200, description = "The cohort", body = Cohort)))]
pub async fn show(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<TrainingReaders>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Cohort>, AppError> {
    Ok(Json(cohorts::get(&app.db.read, &caller, &id).await?))
}

/// Enrols one person: `{name, citizen_id, phone?, key_groups?}`.
#[utoipa::path(post, path = "/api/v1/cohorts/{id}/enrolments", operation_id = "enrolments_create",
    tag = "training", security(("bearer" = [])), params(("id" = String, Path, description = "The cohort's id")), request_body = IdentityInput,
    responses((status = 201, description = "The new enrolment", body = Enrolment), (status = 409, description = "The cohort is full, or the person is enrolled already", body = ErrorBody), (status = 422, description = "An invalid identity, or an age outside the program's window", body = ErrorBody)))]
pub async fn enrol(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Provider>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<IdentityInput>,
) -> Result<Created<Enrolment>, AppError> {
    let enrolment = app
        .write(async |txn| enrolment::enrol(txn, &app.pii, &caller, &id, input, app.now()).await)
        .await?;
    Ok(Created(enrolment))
}

/// A cohort's enrolments; identities in full only for the enrolling provider.
#[utoipa::path(get, path = "/api/v1/cohorts/{id}/enrolments", operation_id = "enrolments_index",
    tag = "training", security(("bearer" = [])), params(("id" = String, Path, description = "The cohort's id"), PageParams),
    responses((status = 200, description = "A page of the cohort's enrolments", body = Page<Enrolment>)))]
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

#[utoipa::path(get, path = "/api/v1/enrolments/{id}", operation_id = "enrolments_show",
    summary = "An enrolment; the identity in full only for the enrolling provider", tag = "training",
    security(("bearer" = [])), params(("id" = String, Path, description = "The enrolment's id")),
    responses((status = 200, description = "The enrolment", body = Enrolment)))]
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
#[utoipa::path(post, path = "/api/v1/enrolments/{id}/withdraw", operation_id = "enrolments_withdraw",
    tag = "training", security(("bearer" = [])), params(("id" = String, Path, description = "The enrolment's id")), request_body = WithdrawRequest,
    responses((status = 200, description = "The enrolment, now withdrawn", body = Enrolment)))]
pub async fn withdraw(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Provider>,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<WithdrawRequest>,
) -> Result<Json<Enrolment>, AppError> {
    let enrolment = app
        .write(async |txn| {
            enrolment::withdraw(txn, &app.pii, &caller, &id, &req.reason, app.now()).await
        })
        .await?;
    Ok(Json(enrolment))
}

/// Records attended hours and theory / practical scores.
#[utoipa::path(put, path = "/api/v1/enrolments/{id}/result", operation_id = "enrolments_record_result",
    tag = "training", security(("bearer" = [])), params(("id" = String, Path, description = "The enrolment's id")), request_body = ResultInput,
    responses((status = 200, description = "The enrolment with its result", body = Enrolment), (status = 409, response = Conflict)))]
pub async fn record_result(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<ProviderOrAssessor>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ResultInput>,
) -> Result<Json<Enrolment>, AppError> {
    let enrolment = app
        .write(async |txn| {
            enrolment::record_result(txn, &app.pii, &caller, &id, input, app.now()).await
        })
        .await?;
    Ok(Json(enrolment))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true`: check every row and keep nothing.
    #[serde(default)]
    dry_run: bool,
}

/// Enrols a cohort from a spreadsheet (multipart field `file`: XLSX, or CSV in UTF-8 or
/// GBK; columns 姓名, 身份证号, optional 手机号, 重点群体), all or nothing: any refused row
/// is a 422 naming each row and field, and nothing is kept. People already enrolled in the
/// cohort are listed in `skipped` and left as they were, so an extended list can be
/// uploaded again. A file past the limits of a list (size, rows — `REGISTRY_IMPORT_MAX_ROWS`
/// —, columns, an XLSX's parts and unpacked size) is a 422 on `file`.
#[utoipa::path(post, path = "/api/v1/cohorts/{id}/imports", operation_id = "enrolment_imports_create",
    tag = "training", security(("bearer" = [])), params(("id" = String, Path, description = "The cohort's id"), ImportQuery),
    request_body(content_type = "multipart/form-data", content = SpreadsheetUpload,
        description = "The spreadsheet in the field `file`"),
    responses((status = 201, description = "Every row is enrolled, or skipped as enrolled already (also when all are)", body = ImportReport), (status = 200, description = "Dry run: every row could be enrolled or would be skipped; nothing is kept", body = ImportReport), (status = 409, description = "A person on the list was registered by another request meanwhile (`registered_meanwhile`); nothing is kept, upload again", body = ErrorBody), (status = 422, description = "Rows are refused (`fields` names each row and field), or the file exceeds a limit of a list (`file`); nothing is kept", body = ErrorBody)))]
pub async fn import(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Provider>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let bytes = uploaded_file(multipart, "学员名单表格（.xlsx 或 .csv）").await?;
    // An unknown cohort is a 404 before the file is read; the file is read before the
    // writer's transaction opens.
    cohorts::find(&app.db.read, &caller, &id).await?;
    let limits = imports::Limits::rows(app.config.import_max_rows);
    let upload = imports::read(bytes.into(), limits).await?;
    let outcome = if q.dry_run {
        Outcome::RollBack
    } else {
        Outcome::Commit
    };
    let import = Import {
        cohort_id: &id,
        upload,
        dry_run: q.dry_run,
        progress: &imports::Silent,
    };
    let now = app.now();
    let report = app
        .unit_of_work(outcome, async |txn| {
            imports::enrol_all(txn, &app.pii, &caller, import, now).await
        })
        .await?;
    Ok(match outcome {
        Outcome::RollBack => Json(report).into_response(),
        Outcome::Commit => Created(report).into_response(),
    })
}
