use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

use super::openapi::{Conflict, NotFound};
use crate::http::{
    AppState,
    api::Created,
    extract::{ApiJson, ApiPath},
    policy::{Allowed, Assessor, Issuers, Licensing, Provider, Stoppers},
};
use crate::{
    access::Caller,
    certificates::{
        Certificate, CertificateSummary, IssueRequest,
        issue::{self, CohortReport},
        lifecycle::{self, StatusChange},
        read,
        renewal::{self, RenewalRequest},
    },
    cohorts::assessment::{self, Assessment, AssessmentInput},
    error::{AppError, ErrorBody},
};

/// Issues one certificate on the given grounds; the same grounds return the same
/// certificate (200) instead of a second one (201 when newly issued). A refusal (422
/// `not_eligible`) lists every missing requirement in `fields`.
#[utoipa::path(post, path = "/api/v1/certificates", operation_id = "certificates_create",
    tag = "certificates", security(("bearer" = [])), request_body = IssueRequest,
    responses((status = 201, description = "The new certificate", body = Certificate), (status = 200, description = "Already issued on these grounds: that certificate", body = Certificate), (status = 404, response = NotFound), (status = 422, description = "Not eligible (`not_eligible`): `fields` lists every missing requirement", body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Issuers>,
    ApiJson(req): ApiJson<IssueRequest>,
) -> Result<Response, AppError> {
    let (created, view) = app
        .write(async |txn| {
            let issued = issue::issue(txn, &app.certs, &caller, &req, app.now()).await?;
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

/// Issues the completion certificate of every eligible enrolment of a cohort, and says
/// per person why the others are not eligible, or why theirs could not be made.
#[utoipa::path(post, path = "/api/v1/cohorts/{id}/certificates", operation_id = "cohort_certificates_create",
    tag = "certificates", security(("bearer" = [])), params(("id" = String, Path, description = "The cohort's id")),
    responses((status = 200, description = "The certificates issued, why each other enrolment is not eligible, and whose certificate could not be made (nothing written for them)", body = CohortReport)))]
pub async fn create_for_cohort(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Provider>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<CohortReport>, AppError> {
    let report = app
        .write(async |txn| issue::issue_for_cohort(txn, &app.certs, &caller, &id, app.now()).await)
        .await?;
    Ok(Json(report))
}

/// A certificate with its chain (holder, issuer, bureau).
#[utoipa::path(get, path = "/api/v1/certificates/{id}", operation_id = "certificates_show",
    tag = "certificates", security(("bearer" = [])), params(("id" = String, Path, description = "The certificate's id")),
    responses((status = 200, description = "The certificate with its chain", body = Certificate)))]
pub async fn show(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Certificate>, AppError> {
    Ok(Json(
        read::get(&app.db.read, &app.certs, &caller, &id, app.now().today).await?,
    ))
}

/// The PDF rendered at issue, byte for byte.
#[utoipa::path(get, path = "/api/v1/certificates/{id}/pdf", operation_id = "certificates_pdf",
    tag = "certificates", security(("bearer" = [])), params(("id" = String, Path, description = "The certificate's id")),
    responses((status = 200, description = "The certificate's PDF, as rendered at issue", content_type = "application/pdf")))]
pub async fn pdf(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, AppError> {
    let (number, bytes) = read::pdf(&app.db.read, &caller, &id).await?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"certificate-{number}.pdf\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The signed credential (Open Badges 3.0, eddsa-jcs-2022), exactly as signed.
#[utoipa::path(get, path = "/api/v1/certificates/{id}/credential", operation_id = "certificates_credential",
    tag = "certificates", security(("bearer" = [])), params(("id" = String, Path, description = "The certificate's id")),
    responses((status = 200, description = "The signed Open Badges 3.0 credential", content_type = "application/vc+ld+json", body = Object)))]
pub async fn credential(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, AppError> {
    let json = read::credential(&app.db.read, &caller, &id).await?;
    Ok(([(header::CONTENT_TYPE, "application/vc+ld+json")], json).into_response())
}

/// Every certificate of a person, with parent links: the whole 一培多证 chain.
#[utoipa::path(get, path = "/api/v1/people/{id}/certificates", operation_id = "person_certificates_index",
    tag = "certificates", security(("bearer" = [])), params(("id" = String, Path, description = "The person's id")),
    responses((status = 200, description = "The person's certificates, with parent links", body = Vec<CertificateSummary>)))]
pub async fn bundle(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<CertificateSummary>>, AppError> {
    Ok(Json(
        read::bundle(&app.db.read, &caller, &id, app.now().today).await?,
    ))
}

/// Records an assessment of an enrolled person by the caller's evaluation organisation.
#[utoipa::path(post, path = "/api/v1/assessments", operation_id = "assessments_create",
    tag = "certificates", security(("bearer" = [])), request_body = AssessmentInput,
    responses((status = 201, description = "The recorded assessment", body = Assessment), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn create_assessment(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Assessor>,
    ApiJson(input): ApiJson<AssessmentInput>,
) -> Result<Created<Assessment>, AppError> {
    let recorded = app
        .write(async |txn| assessment::record(txn, &caller, input, app.now()).await)
        .await?;
    Ok(Created(recorded))
}

#[utoipa::path(get, path = "/api/v1/assessments/{id}", operation_id = "assessments_show",
    summary = "An assessment: the bureau's, or one by the caller's evaluation organisation",
    tag = "certificates", security(("bearer" = [])), params(("id" = String, Path, description = "The assessment's id")),
    responses((status = 200, description = "The assessment", body = Assessment)))]
pub async fn show_assessment(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Assessment>, AppError> {
    Ok(Json(assessment::get(&app.db.read, &caller, &id).await?))
}

/// The issuer's DID document: current and retired signing keys.
#[utoipa::path(get, path = "/.well-known/did.json", operation_id = "did_document_show", tag = "certificates",
    responses((status = 200, description = "The issuer's DID document", content_type = "application/did+json", body = Object)))]
pub async fn did_document(State(app): State<AppState>) -> Response {
    let doc = app.certs.signing.did_document(&app.certs.did);
    (
        [(header::CONTENT_TYPE, "application/did+json")],
        doc.to_string(),
    )
        .into_response()
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct ReasonRequest {
    reason: String,
}

async fn change_status(
    app: AppState,
    caller: Caller,
    id: String,
    change: StatusChange,
    reason: String,
) -> Result<Json<Certificate>, AppError> {
    let view = app
        .write(async |txn| {
            let row = lifecycle::change(txn, &app.certs, &caller, &id, change, &reason, app.now())
                .await?;
            read::view(txn, &app.certs, &caller, row, app.now().today).await
        })
        .await?;
    Ok(Json(view))
}

/// Revokes a certificate for good, with the reason (the issuer, or the bureau).
#[utoipa::path(post, path = "/api/v1/certificates/{id}/revoke", operation_id = "certificates_revoke",
    tag = "certificates", security(("bearer" = [])), params(("id" = String, Path, description = "The certificate's id")), request_body = ReasonRequest,
    responses((status = 200, description = "The certificate, now revoked", body = Certificate), (status = 409, response = Conflict)))]
pub async fn revoke(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Stoppers>,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> Result<Json<Certificate>, AppError> {
    change_status(app, caller, id, StatusChange::Revoke, req.reason).await
}

/// Suspends a certificate, with the reason (the issuer, or the bureau).
#[utoipa::path(post, path = "/api/v1/certificates/{id}/suspend", operation_id = "certificates_suspend",
    tag = "certificates", security(("bearer" = [])), params(("id" = String, Path, description = "The certificate's id")), request_body = ReasonRequest,
    responses((status = 200, description = "The certificate, now suspended", body = Certificate), (status = 409, response = Conflict)))]
pub async fn suspend(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Stoppers>,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> Result<Json<Certificate>, AppError> {
    change_status(app, caller, id, StatusChange::Suspend, req.reason).await
}

/// Lifts a suspension (the issuer only).
#[utoipa::path(post, path = "/api/v1/certificates/{id}/reinstate", operation_id = "certificates_reinstate",
    tag = "certificates", security(("bearer" = [])), params(("id" = String, Path, description = "The certificate's id")), request_body = ReasonRequest,
    responses((status = 200, description = "The certificate, valid again", body = Certificate), (status = 409, response = Conflict)))]
pub async fn reinstate(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Issuers>,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> Result<Json<Certificate>, AppError> {
    change_status(app, caller, id, StatusChange::Reinstate, req.reason).await
}

/// A W3C Bitstring Status List credential: `revocation` or `suspension`.
#[utoipa::path(get, path = "/api/v1/status-lists/{purpose}", operation_id = "status_lists_show",
    tag = "certificates",
    params(("purpose" = String, Path, description = "`revocation` or `suspension`")),
    responses((status = 200, description = "The status list credential", content_type = "application/vc+ld+json", body = Object)))]
pub async fn status_list(
    State(app): State<AppState>,
    ApiPath(purpose): ApiPath<String>,
) -> Result<Response, AppError> {
    let generation = app.verification.generation();
    let list = app
        .status_lists
        .get(&app.db.read, &app.certs, &purpose, generation)
        .await?;
    Ok((
        [(header::CONTENT_TYPE, "application/vc+ld+json")],
        list.to_string(),
    )
        .into_response())
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Superseded {
    /// The old certificate, now `superseded`.
    old: Certificate,
    /// Its corrected replacement.
    new: Certificate,
}

/// Re-issues a certificate with corrections; the old one is marked superseded by the new
/// one (the issuer only).
#[utoipa::path(post, path = "/api/v1/certificates/{id}/supersede", operation_id = "certificates_supersede",
    tag = "certificates", security(("bearer" = [])), params(("id" = String, Path, description = "The certificate's id")), request_body = ReasonRequest,
    responses((status = 200, description = "The old certificate and its corrected replacement", body = Superseded), (status = 409, response = Conflict)))]
pub async fn supersede(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Issuers>,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> Result<Json<Superseded>, AppError> {
    let (old, new) = app
        .write(async |txn| {
            let (old, new) =
                lifecycle::supersede(txn, &app.certs, &caller, &id, &req.reason, app.now()).await?;
            let old = read::view(txn, &app.certs, &caller, old, app.now().today).await?;
            let new = read::view(txn, &app.certs, &caller, new, app.now().today).await?;
            Ok((old, new))
        })
        .await?;
    Ok(Json(Superseded { old, new }))
}

/// Renews a licence with a new validity period (the issuing licensing authority only): a
/// new licence, numbered anew and valid from today, supersedes it and rests on the same
/// grounds. An expired licence may be renewed; a suspended, revoked or superseded one
/// may not. The same renewal sent again answers the one made (200).
#[utoipa::path(post, path = "/api/v1/certificates/{id}/renewal", operation_id = "certificates_renew",
    tag = "certificates", security(("bearer" = [])), params(("id" = String, Path, description = "The licence's id")), request_body = RenewalRequest,
    responses((status = 201, description = "The old licence, now superseded, and the renewed one", body = Superseded),
        (status = 200, description = "Already renewed to this date: the same pair", body = Superseded),
        (status = 409, response = Conflict)))]
pub async fn renew(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Licensing>,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<RenewalRequest>,
) -> Result<Response, AppError> {
    let (created, pair) = app
        .write(async |txn| {
            let renewed = renewal::renew(txn, &app.certs, &caller, &id, &req, app.now()).await?;
            let r = renewed.replaced;
            let old = read::view(txn, &app.certs, &caller, r.old, app.now().today).await?;
            let new = read::view(txn, &app.certs, &caller, r.new, app.now().today).await?;
            Ok((renewed.created, Superseded { old, new }))
        })
        .await?;
    Ok(if created {
        Created(pair).into_response()
    } else {
        Json(pair).into_response()
    })
}
