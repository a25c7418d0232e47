//! Trainees on their own: claiming an account, their records, and share links for their
//! certificates.

use axum::{Json, extract::State, http::StatusCode};

use super::openapi::{NotFound, TooManyRequests};
use crate::http::{
    AppState,
    api::Created,
    claim,
    client::ClientAddr,
    extract::{ApiJson, ApiPath},
    policy::{Allowed, Trainees},
};
use crate::{
    error::{AppError, ErrorBody},
    trainees::{
        claim::{ClaimInput, Claimed},
        records::{self, MyRecords},
        shares::{self, NewShare, Share, ShareInput},
    },
};

/// Claims one's own trainee account without staff help: name as recorded, citizen ID,
/// and one certificate number or enrolment id of theirs. All three must name one person;
/// every mismatch is the same 422 (`claim: no_match`), whichever part was wrong. Misses
/// slow down and then lock per ID and per client address, as signing in does (429 with
/// `Retry-After` and the time to come back). The new account is signed in: the answer
/// carries its token.
#[utoipa::path(post, path = "/api/v1/auth/claim", operation_id = "auth_claim", tag = "auth",
    request_body = ClaimInput,
    responses((status = 201, description = "The account, linked to the person, and a token for it", body = Claimed),
        (status = 409, description = "Already claimed (`already_claimed`: sign in, or ask the provider), or the chosen login is taken (`login_taken`)", body = ErrorBody),
        (status = 422, description = "A malformed field, or no person matches all three parts (`claim: no_match`)", body = ErrorBody),
        (status = 429, response = TooManyRequests)))]
pub async fn claim(
    State(app): State<AppState>,
    client: ClientAddr,
    ApiJson(input): ApiJson<ClaimInput>,
) -> Result<Created<Claimed>, AppError> {
    Ok(Created(claim::claim(&app, client, input).await?))
}

/// The caller's own records: every enrolment (program, cohort dates, hours, scores, and
/// for each certificate not yet held why not), and their certificates as chains.
#[utoipa::path(get, path = "/api/v1/me/records", operation_id = "me_records", tag = "trainees", security(("bearer" = [])),
    responses((status = 200, description = "The trainee's enrolments and certificate chains", body = MyRecords), (status = 404, response = NotFound)))]
pub async fn my_records(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Trainees>,
) -> Result<Json<MyRecords>, AppError> {
    Ok(Json(
        records::mine(&app.db.read, &app.certs, &caller, app.now().today).await?,
    ))
}

/// Makes a share link for one's own certificate: `{days}` (1–365) or `{expires_on}`,
/// 28 days when neither. The token and address are in this answer only.
#[utoipa::path(post, path = "/api/v1/certificates/{id}/shares", operation_id = "certificate_shares_create", tag = "trainees", security(("bearer" = [])),
    params(("id" = String, Path, description = "The certificate's id")), request_body = ShareInput,
    responses((status = 201, description = "The new link, with its token and address (shown this once)", body = NewShare)))]
pub async fn create_share(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Trainees>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ShareInput>,
) -> Result<Created<NewShare>, AppError> {
    let base = &app.certs.base_url;
    let made = app
        .write(async |txn| shares::create(txn, base, &caller, &id, &input, app.now()).await)
        .await?;
    Ok(Created(made))
}

/// The share links of one's own certificate, newest first, each with its state and when
/// it was last opened.
#[utoipa::path(get, path = "/api/v1/certificates/{id}/shares", operation_id = "certificate_shares_index", tag = "trainees", security(("bearer" = [])),
    params(("id" = String, Path, description = "The certificate's id")),
    responses((status = 200, description = "The links", body = [Share])))]
pub async fn shares_index(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Trainees>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<Share>>, AppError> {
    Ok(Json(
        shares::list(&app.db.read, &caller, &id, app.now().today).await?,
    ))
}

/// Revokes a share link of one's own certificate; it then answers 410. Revoking twice
/// is harmless.
#[utoipa::path(delete, path = "/api/v1/certificates/{id}/shares/{share}", operation_id = "certificate_shares_delete", tag = "trainees", security(("bearer" = [])),
    params(("id" = String, Path, description = "The certificate's id"), ("share" = String, Path, description = "The link's id")),
    responses((status = 204, description = "The link is revoked")))]
pub async fn revoke_share(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Trainees>,
    ApiPath((id, share)): ApiPath<(String, String)>,
) -> Result<StatusCode, AppError> {
    app.write(async |txn| shares::revoke(txn, &caller, &id, &share, app.now()).await)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
