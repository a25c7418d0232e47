//! The look-up address printed on every certificate (`/v/`): check a paper certificate
//! by its number and the holder's name, or an e-mailed PDF (or credential JSON) by
//! uploading it. Public, phone-first, behind the verification page's rate limits; an
//! employer's account signed in keeps a record of what it checked.

use askama::Template;
use axum::{
    Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::{
    WebError, html,
    session::{
        CheckedForm, CheckedUpload, MaybeSession, Session, anonymous_form_token, secure_cookies,
    },
    staff::FieldErrors,
    verify::PageRate,
};
use crate::{
    certificates::CertificateStatus,
    error::AppError,
    http::{AppState, client::ClientAddr, rate_limit::match_allowed},
    verification::{
        by_number,
        checks::{self, Via},
        document::{self, DocumentCheck},
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v", get(|| async { Redirect::permanent("/v/") }))
        .route("/v/", get(page).post(by_number))
        .route("/v/document", post(check_document))
}

/// The number form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct NumberForm {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub name: String,
}

/// A document check told in words.
pub struct Told {
    /// `yes` or `no` (the style of the banner).
    pub class: &'static str,
    pub verdict: &'static str,
    pub lines: Vec<(&'static str, String)>,
    pub verify_url: Option<String>,
}

impl Told {
    fn of(check: DocumentCheck) -> Self {
        let genuine = check.issued_by_registry && check.unaltered;
        let verdict = match (check.issued_by_registry, check.unaltered) {
            (true, true) => "真实：本系统签发，内容未被修改",
            (true, false) => "已被修改：与本系统签发的不一致",
            (false, _) => "不是本系统签发的证书",
        };
        let mut lines = vec![
            (
                "文件类型",
                if check.document == "pdf" {
                    "PDF 证书".to_owned()
                } else {
                    "电子凭证（JSON）".to_owned()
                },
            ),
            (
                "是否本系统签发",
                if check.issued_by_registry {
                    "是"
                } else {
                    "否"
                }
                .to_owned(),
            ),
        ];
        if check.issued_by_registry {
            let whole = match (check.document.as_str(), check.unaltered) {
                (_, true) => "完整，与签发时一致".to_owned(),
                ("pdf", false) => "PDF 文件内容与签发时不一致（内嵌的电子凭证本身完好）".to_owned(),
                _ => "凭证内容与签名不符，已被篡改".to_owned(),
            };
            lines.push(("文件是否完整", whole));
        }
        let suites = if check.proofs_checked.is_empty() {
            String::new()
        } else {
            format!("；已校验签名：{}", check.proofs_checked.join(" + "))
        };
        let signature = match (&check.signing_key, check.signing_key_current) {
            (Some(key), Some(true)) => {
                format!("校验通过，签名密钥：{key}（当前使用的密钥）{suites}")
            }
            (Some(key), _) => {
                format!(
                    "校验通过，签名密钥：{key}（已轮换的旧密钥，对其签发的证书仍然有效）{suites}"
                )
            }
            (None, _) if check.credential_signature_valid == Some(false) => "校验未通过".to_owned(),
            (None, _) if check.issued_by_registry => "校验未通过".to_owned(),
            (None, _) => "文件不含可校验的本系统签名".to_owned(),
        };
        lines.push(("电子签名", signature));
        if let Some(number) = check.number {
            lines.push(("证书编号", number));
        }
        if let Some(status) = check.status {
            lines.push(("当前状态", status.label().to_owned()));
        }
        lines.push(("说明", check.message));
        Self {
            class: if genuine && check.status == Some(CertificateStatus::Valid) {
                "yes"
            } else {
                "no"
            },
            verdict,
            lines,
            verify_url: check.verify_url,
        }
    }
}

#[derive(Template)]
#[template(path = "verify/lookup.html")]
struct LookupPage {
    csrf: String,
    signed_in: bool,
    form: NumberForm,
    errors: FieldErrors,
    /// The number look-up's answer when nothing matched.
    not_found: bool,
    told: Option<Told>,
}

/// The page, with what the form posted and what it got.
fn render(
    app: &AppState,
    jar: CookieJar,
    session: Option<&Session>,
    status: StatusCode,
    page: LookupPage,
) -> Response {
    let (jar, csrf) = match session {
        Some(s) => (jar, s.csrf.clone()),
        None => anonymous_form_token(jar, secure_cookies(app)),
    };
    let page = LookupPage {
        csrf,
        signed_in: session.is_some(),
        ..page
    };
    (jar, html(status, page.render())).into_response()
}

fn blank() -> LookupPage {
    LookupPage {
        csrf: String::new(),
        signed_in: false,
        form: NumberForm::default(),
        errors: FieldErrors::default(),
        not_found: false,
        told: None,
    }
}

/// The look-up forms.
pub async fn page(
    State(app): State<AppState>,
    session: Result<MaybeSession, Response>,
    jar: CookieJar,
) -> Response {
    let session = session.ok().and_then(|MaybeSession(s)| s);
    render(&app, jar, session.as_ref(), StatusCode::OK, blank())
}

/// Looks a certificate up by number and name: on a match, on to its verification page
/// (the QR code's); otherwise the same words for an unknown number and a wrong name.
pub async fn by_number(
    State(app): State<AppState>,
    _: PageRate,
    client: ClientAddr,
    session: Result<MaybeSession, Response>,
    jar: CookieJar,
    CheckedForm(form): CheckedForm<NumberForm>,
) -> Result<Response, WebError> {
    let session = session.ok().and_then(|MaybeSession(s)| s);
    let query = match by_number::parse(&form.number, &form.name) {
        Ok(query) => query,
        Err(AppError::Invalid { fields, .. }) => {
            let page = LookupPage {
                errors: FieldErrors::from_fields(&fields),
                form,
                ..blank()
            };
            return Ok(render(
                &app,
                jar,
                session.as_ref(),
                StatusCode::UNPROCESSABLE_ENTITY,
                page,
            ));
        }
        Err(other) => return Err(other.into()),
    };
    match_allowed(&app, client, &by_number::budget_key(&query))?;
    let Some(found) = by_number::token_of(&app.db.read, &query).await? else {
        let page = LookupPage {
            not_found: true,
            form,
            ..blank()
        };
        return Ok(render(
            &app,
            jar,
            session.as_ref(),
            StatusCode::NOT_FOUND,
            page,
        ));
    };
    let caller = session.as_ref().map(|s| &s.caller);
    app.write(async |txn| checks::note(txn, caller, &found.id, Via::Number, app.now()).await)
        .await?;
    Ok(Redirect::to(&format!("/v/{}", found.token)).into_response())
}

/// Checks an uploaded PDF or credential JSON and tells the answer in words.
pub async fn check_document(
    State(app): State<AppState>,
    _: PageRate,
    session: Result<MaybeSession, Response>,
    jar: CookieJar,
    upload: CheckedUpload,
) -> Result<Response, WebError> {
    let session = session.ok().and_then(|MaybeSession(s)| s);
    let Some(file) = upload.file else {
        let mut errors = FieldErrors::default();
        errors.push("file", "请选择要核验的证书 PDF 或凭证 JSON 文件");
        let page = LookupPage { errors, ..blank() };
        return Ok(render(
            &app,
            jar,
            session.as_ref(),
            StatusCode::UNPROCESSABLE_ENTITY,
            page,
        ));
    };
    let checked = document::check(&app.db.read, &app.certs, file.into(), app.now().today).await;
    let check = match checked {
        Ok(check) => check,
        Err(AppError::Invalid { fields, .. }) => {
            let page = LookupPage {
                errors: FieldErrors::from_fields(&fields),
                ..blank()
            };
            return Ok(render(
                &app,
                jar,
                session.as_ref(),
                StatusCode::UNPROCESSABLE_ENTITY,
                page,
            ));
        }
        Err(other) => return Err(other.into()),
    };
    if let (Some(number), Some(session)) = (&check.number, &session) {
        let caller = &session.caller;
        app.write(async |txn| {
            checks::note_number(txn, caller, number, Via::Document, app.now()).await
        })
        .await?;
    }
    let page = LookupPage {
        told: Some(Told::of(check)),
        ..blank()
    };
    Ok(render(&app, jar, session.as_ref(), StatusCode::OK, page))
}
