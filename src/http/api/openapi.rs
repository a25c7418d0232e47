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
        path::ParameterIn,
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
        (name = "trainees", description = "A trainee's own records, and share links for their certificates."),
        (name = "tasks", description = "What each organisation has to do next, computed from the records."),
        (name = "verification", description = "Public verification: by token, holder match and document check."),
        (name = "orders", description = "Training orders (订单式培训): posts, assignment, cohorts, hires, progress and funding."),
        (name = "mail", description = "The outbox as staff see it: messages and their delivery, resending or dropping one that failed."),
        (name = "apprenticeships", description = "Enterprise new-style apprenticeships (企业新型学徒制): agreements, apprentices, milestones and the subsidy ledger."),
        (name = "reports", description = "The bureau's reports: the plan's targets against the records per statistical month (21st to 20th)."),
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
            UnsupportedMediaType,
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

/// The refusals an operation's shape alone decides, said once here rather than in each
/// attribute: an operation that declares `security` may answer 401 (no valid token) and
/// 403 (a role it does not allow, or an organisation that may not act); one with a path
/// parameter 404 (no such record, or one the caller may not see); one with query
/// parameters 422 (a value that does not fit); one with a body 400 (not readable), 413
/// (too large), 415 (not the declared media type) and 422 (a field refused). An
/// attribute that names one of these statuses itself keeps its own description. Applied by
/// [`super::router`] once every handler's operation is in the document.
pub(super) struct RefusalsByShape;

impl Modify for RefusalsByShape {
    fn modify(&self, openapi: &mut openapi::OpenApi) {
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
                for (status, name) in refusals_of(operation) {
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

/// The shared responses `operation` may answer because of its shape, by status.
fn refusals_of(operation: &openapi::path::Operation) -> Vec<(&'static str, String)> {
    let name = |response: (&str, RefOr<openapi::Response>)| response.0.to_owned();
    let has = |place: ParameterIn| {
        operation
            .parameters
            .iter()
            .flatten()
            .any(|p| p.parameter_in == place)
    };
    let mut refusals = Vec::new();
    if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
        refusals.push(("401", name(Unauthorized::response())));
        refusals.push(("403", name(Forbidden::response())));
    }
    if has(ParameterIn::Path) {
        refusals.push(("404", name(NotFound::response())));
    }
    if has(ParameterIn::Query) {
        refusals.push(("422", name(Invalid::response())));
    }
    if operation.request_body.is_some() {
        refusals.push(("400", name(BadRequest::response())));
        refusals.push(("413", name(TooLarge::response())));
        refusals.push(("415", name(UnsupportedMediaType::response())));
        refusals.push(("422", name(Invalid::response())));
    }
    refusals
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

/// The body is not of the media type the operation declares (`unsupported_media_type`).
#[derive(ToResponse)]
pub struct UnsupportedMediaType(pub ErrorBody);

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

/// An image sent as the request body itself (a photo, a seal).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ImageBody(pub Vec<u8>);
