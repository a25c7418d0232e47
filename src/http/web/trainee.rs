//! A trainee's pages: claiming the account (`/claim`, public) and "我的证书" (`/me`): the
//! enrolments with why a certificate is not there yet, and the certificates as chains.
//! Each certificate's own page (QR code, downloads, share links) is in `shares`.

use askama::Template;
use axum::{
    Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use axum_extra::extract::cookie::CookieJar;
use secrecy::SecretString;
use serde::Deserialize;

use super::{
    WebError, html,
    session::{
        CheckedForm, MaybeSession, SignedIn, anonymous_form_token, secure_cookies, session_cookie,
    },
    shares,
    staff::{FieldErrors, Shell, with_flash},
};
use crate::{
    access::Role,
    cohorts::EnrolmentStatus,
    error::AppError,
    http::{AppState, claim, client::ClientAddr, policy::Trainees},
    stored::Stored,
    trainees::{
        claim::ClaimInput,
        records::{self, EnrolmentRecord, MyRecords},
    },
};

/// The trainee's pages, and the share pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/claim", get(claim_page).post(claim_account))
        .route("/me", get(me))
        .merge(shares::router())
}

#[derive(Default, Deserialize)]
pub struct ClaimForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    citizen_id: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
}

#[derive(Template)]
#[template(path = "trainee/claim.html")]
struct ClaimPage {
    csrf: String,
    /// What was typed (never the ID number or the passwords, which are typed again).
    form: ClaimForm,
    errors: FieldErrors,
    refusal: Option<String>,
}

/// The claim form; someone already signed in goes to their own page.
async fn claim_page(
    State(app): State<AppState>,
    MaybeSession(session): MaybeSession,
    jar: CookieJar,
) -> Response {
    if session.is_some() {
        return Redirect::to("/me").into_response();
    }
    let (jar, csrf) = anonymous_form_token(jar, secure_cookies(&app));
    let page = ClaimPage {
        csrf,
        form: ClaimForm::default(),
        errors: FieldErrors::default(),
        refusal: None,
    };
    (jar, html(StatusCode::OK, page.render())).into_response()
}

/// Claims the account: on success the browser is signed in and lands on "我的证书"; a
/// refusal re-renders the form with each field's message, or the one answer to a
/// mismatch above it.
async fn claim_account(
    State(app): State<AppState>,
    client: ClientAddr,
    jar: CookieJar,
    CheckedForm(form): CheckedForm<ClaimForm>,
) -> Response {
    let secure = secure_cookies(&app);
    let mut errors = FieldErrors::default();
    let mut refusal = None;
    let status = if form.password != form.repeat {
        errors.push("repeat", "两次输入的密码不一致");
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        let input = ClaimInput {
            name: form.name.clone(),
            citizen_id: form.citizen_id.clone(),
            reference: form.reference.clone(),
            login: Some(form.login.clone()),
            password: SecretString::from(form.password.clone()),
            email: Some(form.email.clone()),
            phone: Some(form.phone.clone()),
        };
        match claim::claim(&app, client, input).await {
            Ok(claimed) => {
                let jar = jar.add(session_cookie(claimed.token.token, secure));
                let message = format!(
                    "账号已开通，您的登录名是 {}，请牢记。以后用它和您设置的密码登录。",
                    claimed.login
                );
                return (with_flash(jar, &message), Redirect::to("/me")).into_response();
            }
            Err(AppError::Invalid { fields, message }) => {
                if fields.iter().any(|f| f.field == "claim") {
                    refusal = Some(message);
                }
                errors = FieldErrors::from_fields(&fields);
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Err(AppError::Conflict {
                code: "login_taken",
                message,
            }) => {
                errors.push("login", &message);
                StatusCode::CONFLICT
            }
            Err(AppError::Conflict { message, .. }) => {
                refusal = Some(message);
                StatusCode::CONFLICT
            }
            Err(AppError::RateLimited { message, .. }) => {
                refusal = Some(message.unwrap_or_else(|| "尝试次数过多，请稍后再试。".into()));
                StatusCode::TOO_MANY_REQUESTS
            }
            Err(e) => return WebError(e).into_response(),
        }
    };
    let (jar, csrf) = anonymous_form_token(jar, secure);
    let page = ClaimPage {
        csrf,
        form: ClaimForm {
            citizen_id: String::new(),
            password: String::new(),
            repeat: String::new(),
            ..form
        },
        errors,
        refusal,
    };
    (jar, html(status, page.render())).into_response()
}

/// An enrolment as the page shows it.
struct EnrolmentLine {
    r: EnrolmentRecord,
    withdrawn: bool,
}

#[derive(Template)]
#[template(path = "trainee/me.html")]
struct MePage {
    shell: Shell,
    records: MyRecords,
    enrolments: Vec<EnrolmentLine>,
}

/// "我的证书": the trainee's certificates as chains, and every enrolment.
async fn me(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Trainees>,
    jar: CookieJar,
) -> Result<Response, WebError> {
    let mut records =
        records::mine(&app.db.read, &app.certs, &session.caller, app.now().today).await?;
    let enrolments = std::mem::take(&mut records.enrolments)
        .into_iter()
        .map(|r| EnrolmentLine {
            withdrawn: r.status == EnrolmentStatus::Withdrawn,
            r,
        })
        .collect();
    let (shell, jar) = Shell::load(&app, &session, "/me", jar).await?;
    let page = MePage {
        shell,
        records,
        enrolments,
    };
    Ok((jar, html(StatusCode::OK, page.render())).into_response())
}

/// Where a signed-in trainee's home is.
pub fn home_of(role: Role) -> Option<&'static str> {
    (role == Role::Trainee).then_some("/me")
}
