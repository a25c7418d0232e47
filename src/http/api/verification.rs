//! Public verification as JSON: the answer behind a QR code, the holder match and the
//! document check, each behind the per-client rate limit.

use axum::{
    Json,
    extract::{Multipart, State},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::openapi::{DocumentUpload, NotFound, TooManyRequests};
use crate::{
    error::AppError,
    http::{
        AppState,
        client::ClientAddr,
        extract::{ApiJson, ApiPath, ApiQuery, uploaded_file},
        rate_limit::{WithinRate, match_allowed},
    },
    verification::{
        self, HolderClaim, Verification, by_number,
        document::{self, DocumentCheck},
    },
};

/// The number and name printed on a paper certificate.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NumberParams {
    /// The certificate number as printed: the registry's own (`150784-JY-2026-000123`)
    /// or a 职业技能等级证书's 22 characters.
    number: Option<String>,
    /// The holder's name exactly as printed.
    name: Option<String>,
}

/// Look-up by the number and name printed on a certificate: the same answer as its QR
/// code. An unknown number and a wrong name are the same 404; a number of neither shape
/// is a 422 before anything is looked up. Tries per number are limited like the holder
/// match (per client, and for everyone).
#[utoipa::path(get, path = "/api/v1/verify", operation_id = "verification_by_number", tag = "verification",
    params(NumberParams),
    responses((status = 200, description = "What the certificate says and its current status", body = Verification),
        (status = 404, response = NotFound), (status = 429, response = TooManyRequests)))]
pub async fn by_number(
    State(app): State<AppState>,
    _: WithinRate,
    client: ClientAddr,
    ApiQuery(params): ApiQuery<NumberParams>,
) -> Result<Response, AppError> {
    let query = by_number::parse(
        params.number.as_deref().unwrap_or_default(),
        params.name.as_deref().unwrap_or_default(),
    )?;
    match_allowed(&app, client, &by_number::budget_key(&query))?;
    let found = by_number::token_of(&app.db.read, &query)
        .await?
        .ok_or(AppError::NotFound)?;
    answer(&app, &found.token).await
}

/// The same as the page, as JSON.
#[utoipa::path(get, path = "/api/v1/verify/{token}", operation_id = "verification_show", tag = "verification",
    params(("token" = String, Path, description = "The verification token printed in the QR code")),
    responses((status = 200, description = "What the certificate says and its current status", body = Verification), (status = 429, response = TooManyRequests)))]
pub async fn show(
    State(app): State<AppState>,
    _: WithinRate,
    ApiPath(token): ApiPath<String>,
) -> Result<Response, AppError> {
    answer(&app, &token).await
}

/// The verification of `token` as a JSON body.
async fn answer(app: &AppState, token: &str) -> Result<Response, AppError> {
    let v = app
        .verification
        .lookup(&app.db.read, token, app.now().today)
        .await?;
    // Sized for a certificate with a chain of three, so the body is written in one go.
    let mut body = Vec::with_capacity(2048);
    serde_json::to_writer(&mut body, &v)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("writing a verification: {e}")))?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct MatchAnswer {
    /// Whether the name and ID number are the holder's.
    r#match: bool,
}

/// Confirms (or not) a holder's name and ID number without revealing them.
#[utoipa::path(post, path = "/api/v1/verify/{token}/holder", operation_id = "verification_holder_match",
    tag = "verification", params(("token" = String, Path, description = "The verification token printed in the QR code")), request_body = HolderClaim,
    responses((status = 200, description = "Whether the name and ID number are the holder's", body = MatchAnswer), (status = 429, response = TooManyRequests)))]
pub async fn holder(
    State(app): State<AppState>,
    _: WithinRate,
    client: ClientAddr,
    ApiPath(token): ApiPath<String>,
    ApiJson(claim): ApiJson<HolderClaim>,
) -> Result<Json<MatchAnswer>, AppError> {
    // An unknown token is a 404 whatever the limit says.
    app.verification
        .lookup(&app.db.read, &token, app.now().today)
        .await?;
    match_allowed(&app, client, &token)?;
    let matched = verification::holder_matches(&app.db.read, &app.certs, &token, &claim).await?;
    Ok(Json(MatchAnswer { r#match: matched }))
}

/// Checks an uploaded certificate PDF or credential JSON (multipart field `file`):
/// issued by this registry? unaltered? current status? A PDF not of the shape the
/// registry writes, or whose attachment inflates past the limit, is a 422 on `file`.
#[utoipa::path(post, path = "/api/v1/verify/document", operation_id = "verification_document_check",
    tag = "verification",
    request_body(content_type = "multipart/form-data", content = DocumentUpload,
        description = "The certificate PDF or credential JSON in the field `file`"),
    responses((status = 200, description = "Whether this registry issued it, whether it is unaltered, and its status", body = DocumentCheck), (status = 429, response = TooManyRequests)))]
pub async fn document(
    State(app): State<AppState>,
    _: WithinRate,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Json<DocumentCheck>, AppError> {
    let bytes = uploaded_file(multipart, "证书 PDF 或凭证 JSON").await?;
    Ok(Json(
        document::check(&app.db.read, &app.certs, bytes.into(), app.now().today).await?,
    ))
}
