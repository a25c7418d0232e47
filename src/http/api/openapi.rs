//! The parts of the OpenAPI document that no single handler owns: the document's head
//! (title, tags, the bearer scheme), the error answers every operation shares, the
//! multipart upload forms, and the rule that every operation asking for a token may answer
//! 401 and 403. Handlers describe themselves in their `#[utoipa::path]` attributes; [`router`]
//! collects them.
//!
//! [`router`]: super::router

use utoipa::{
    Modify, OpenApi, ToResponse, ToSchema,
    openapi::{
        self, Ref, RefOr,
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

use crate::error::ErrorBody;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "额尔古纳市职业技能培训与证书登记系统 API",
        description = "Erguna skills-training and certification registry (docs/API.md). \
            Errors: `{error, message, fields}`; lists: `?limit=&cursor=` with `next_cursor`.",
        version = "1"
    ),
    tags(
        (name = "health", description = "Whether the service answers."),
        (name = "auth", description = "Bearer tokens: signing in and out, integration tokens."),
        (name = "organisations", description = "Providers, evaluation organisations, employers, licensing authorities and the bureau."),
        (name = "accounts", description = "Accounts of every role (bureau only)."),
        (name = "audit", description = "The hash-chained audit log (bureau only)."),
        (name = "standards", description = "Occupations, skill levels and local industry standards."),
        (name = "training", description = "Programs, cohorts, enrolments and results."),
        (name = "people", description = "Trainees: identity, as far as the caller may see it."),
        (name = "certificates", description = "Assessments, issuing, the certificate lifecycle and status lists."),
        (name = "verification", description = "Public verification: by token, holder match and document check."),
    ),
    modifiers(&BearerAuth),
    components(
        schemas(ErrorBody),
        responses(
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            Conflict,
            TooLarge,
            Invalid,
            TooManyRequests,
            Internal
        )
    )
)]
pub(super) struct ApiDoc;

/// The `bearer` scheme every secured operation names.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// Every operation that declares `security` may answer 401 (no valid token) and 403 (a
/// role it does not allow, or an organisation that may not act), so the document says so
/// once here rather than in each attribute. Applied by [`super::router`] once every
/// handler's operation is in the document.
pub(super) struct RefusalsWhereSecured;

impl Modify for RefusalsWhereSecured {
    fn modify(&self, openapi: &mut openapi::OpenApi) {
        let refusals = [
            ("401", <Unauthorized as ToResponse>::response().0),
            ("403", <Forbidden as ToResponse>::response().0),
        ];
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    for (status, name) in refusals {
                        operation
                            .responses
                            .responses
                            .entry(status.to_owned())
                            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
                    }
                }
            }
        }
    }
}

/// The request is malformed: a body that is not JSON, or an upload that is not
/// `multipart/form-data` with a `file` field (`malformed`).
#[derive(ToResponse)]
pub struct BadRequest(pub ErrorBody);

/// No valid bearer token: none given where one is needed, or one that is unknown, expired
/// or revoked (`unauthenticated`).
#[derive(ToResponse)]
pub struct Unauthorized(pub ErrorBody);

/// The caller's role may not use this operation (checked before the body is read), or the
/// caller's organisation is not approved or is suspended (`forbidden`).
#[derive(ToResponse)]
pub struct Forbidden(pub ErrorBody);

/// No such record, or one the caller may not see: another organisation's records are "not
/// found" too (`not_found`).
#[derive(ToResponse)]
pub struct NotFound(pub ErrorBody);

/// The record's current state forbids the change, or it exists already; `error` names the
/// rule that was broken.
#[derive(ToResponse)]
pub struct Conflict(pub ErrorBody);

/// The body or the uploaded file is over the size limit (`too_large`).
#[derive(ToResponse)]
pub struct TooLarge(pub ErrorBody);

/// An input value is refused (`invalid`): `fields` names each offending field (and, for
/// spreadsheets, its row) with the reason.
#[derive(ToResponse)]
pub struct Invalid(pub ErrorBody);

/// Too many requests from this client (`rate_limited`); try again after `Retry-After`
/// seconds.
#[derive(ToResponse)]
#[response(headers(("Retry-After" = u64, description = "Seconds to wait before trying again")))]
pub struct TooManyRequests(pub ErrorBody);

/// The server failed; the details are logged, never shown (`internal`).
#[derive(ToResponse)]
pub struct Internal(pub ErrorBody);

/// A spreadsheet upload (`multipart/form-data`).
#[derive(ToSchema)]
pub struct SpreadsheetUpload {
    /// XLSX, or CSV in UTF-8 or GBK; columns 姓名, 身份证号, optional 手机号, 重点群体.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<u8>,
}

/// A certificate to check (`multipart/form-data`).
#[derive(ToSchema)]
pub struct DocumentUpload {
    /// A certificate PDF as issued, or its credential JSON.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<u8>,
}
