use axum::{
    Json,
    extract::State,
    response::{IntoResponse, Response},
};
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;

use super::openapi::{Conflict, ImageBody, Invalid};
use crate::http::{
    AppState,
    api::Created,
    extract::{ApiJson, ApiPath, raw_body_within},
    policy::{Allowed, PersonReaders, Provider, ProviderOrBureau},
};
use crate::{
    auth::accounts::Account,
    corrections::{self, Correction, CorrectionInput},
    error::AppError,
    people::{
        photo,
        store::{self, PersonView},
    },
};

/// A person: in full for the holder and the providers that enrolled them, masked for the
/// bureau, "not found" for everyone else.
#[utoipa::path(get, path = "/api/v1/people/{id}", operation_id = "people_show", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, description = "The person's id")),
    responses((status = 200, description = "The person, masked as far as the caller's role requires", body = PersonView)))]
pub async fn show(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<PersonReaders>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PersonView>, AppError> {
    Ok(Json(
        store::get(&app.db.read, &app.pii, &caller, &id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    login: String,
    #[schema(value_type = String, format = Password)]
    password: SecretString,
}

/// Gives an enrolled person a trainee login (the enrolling provider only).
#[utoipa::path(post, path = "/api/v1/people/{id}/account", operation_id = "people_create_login",
    tag = "people", security(("bearer" = [])), params(("id" = String, Path, description = "The person's id")), request_body = LoginRequest,
    responses((status = 201, description = "The person's new trainee account", body = Account), (status = 409, response = Conflict)))]
pub async fn create_login(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<Provider>,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Created<Account>, AppError> {
    let account = app
        .write(async |txn| {
            store::create_login(txn, &caller, &id, req.login, req.password, app.now()).await
        })
        .await?;
    Ok(Created(account))
}

/// Corrects a person's name or phone number, with the reason (and, for a name, the
/// evidence checked): staff of a provider that enrolled them, or the bureau. A corrected
/// name re-issues every standing certificate of theirs in the same transaction. The same
/// correction sent again answers the one made (200).
#[utoipa::path(post, path = "/api/v1/people/{id}/corrections", operation_id = "people_corrections_create",
    tag = "people", security(("bearer" = [])), params(("id" = String, Path, description = "The person's id")), request_body = CorrectionInput,
    responses((status = 201, description = "The correction, with the certificates re-issued because of it", body = Correction),
        (status = 200, description = "This correction was already made: the record", body = Correction)))]
pub async fn create_correction(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<ProviderOrBureau>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<CorrectionInput>,
) -> Result<Response, AppError> {
    let corrected = app
        .write(async |txn| {
            corrections::correct(txn, &app.certs, &caller, &id, input, app.now()).await
        })
        .await?;
    Ok(if corrected.created {
        Created(corrected.correction).into_response()
    } else {
        Json(corrected.correction).into_response()
    })
}

/// Every correction of a person, oldest first, for those who may see the person (values
/// masked as the person is).
#[utoipa::path(get, path = "/api/v1/people/{id}/corrections", operation_id = "people_corrections_index",
    tag = "people", security(("bearer" = [])), params(("id" = String, Path, description = "The person's id")),
    responses((status = 200, description = "The person's corrections, oldest first", body = Vec<Correction>)))]
pub async fn corrections(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<PersonReaders>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<Correction>>, AppError> {
    Ok(Json(
        corrections::index(&app.db.read, &app.pii, &caller, &id).await?,
    ))
}

/// Uploads (or replaces) the person's photo, as the raw body (`image/jpeg` or `image/png`,
/// at most 2 MiB and 24 megapixels): cropped from its centre to the certificate's photo
/// frame (35 mm × 45 mm), scaled down to 300 dpi, re-encoded as JPEG and sealed at rest.
/// A skill-level certificate is not issued without one. Staff of a provider that enrolled
/// the person, or the bureau; a refused picture is a 422 on `file` and nothing is kept.
#[utoipa::path(put, path = "/api/v1/people/{id}/photo", operation_id = "people_update_photo",
    tag = "people", security(("bearer" = [])), params(("id" = String, Path, description = "The person's id")),
    request_body(content((ImageBody = "image/jpeg"), (ImageBody = "image/png")), description = "The photo itself"),
    responses((status = 200, description = "The stored photo (its size and digest; the image is printed, never served)", body = photo::Photo), (status = 422, response = Invalid)))]
pub async fn update_photo(
    State(app): State<AppState>,
    Allowed(caller, _): Allowed<ProviderOrBureau>,
    ApiPath(id): ApiPath<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Json<photo::Photo>, AppError> {
    // An unknown person is a 404 before the body is read; the picture is read before the
    // writer's transaction opens.
    photo::find_person(&app.db.read, &caller, &id).await?;
    photo::check_content_type(content_type(&headers))?;
    let bytes = raw_body_within(body, photo::MAX_BYTES).await?;
    let prepared = photo::prepare(bytes).await?;
    let stored = app
        .write(async |txn| photo::store(txn, &app.pii, &caller, &id, &prepared, app.now()).await)
        .await?;
    Ok(Json(stored))
}

fn content_type(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
}
