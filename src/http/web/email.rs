//! E-mail pages: a trainee's own address (`/me/email`: where their certificates are
//! mailed, and whether it is confirmed), and the public page the confirmation link opens
//! (`/email/confirm/{token}`), which confirms only when its button is pressed, so a mail
//! scanner that fetches links confirms nothing.

use askama::Template;
use axum::{
    Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::{
    WebError, html,
    session::{CheckedForm, SignedIn, anonymous_form_token, secure_cookies},
    staff::{FieldErrors, Shell, with_flash},
};
use crate::{
    error::AppError,
    http::{AppState, policy::Trainees},
    mail::confirm::{self, AddressState},
    people::email::{self, EmailInput},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/email", get(show).post(update))
        .route(
            "/email/confirm/{token}",
            get(confirm_page).post(confirm_address),
        )
}

#[derive(Default, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

#[derive(Template)]
#[template(path = "trainee/email.html")]
struct EmailPage {
    shell: Shell,
    state: AddressState,
    /// What was typed, shown again with its error.
    typed: String,
    errors: FieldErrors,
}

/// The trainee's address and the form to change it.
async fn show(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Trainees>,
    jar: CookieJar,
) -> Result<Response, WebError> {
    let state = email::show_own(&app.db.read, &session.caller).await?;
    let (shell, jar) = Shell::load(&app, &session, "/me/email", jar).await?;
    let typed = state.email.clone().unwrap_or_default();
    let page = EmailPage {
        shell,
        state,
        typed,
        errors: FieldErrors::default(),
    };
    Ok((jar, html(StatusCode::OK, page.render())).into_response())
}

/// Sets the address and mails the link; a refused address is shown under the field.
async fn update(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Trainees>,
    jar: CookieJar,
    CheckedForm(form): CheckedForm<EmailForm>,
) -> Result<Response, WebError> {
    let input = EmailInput {
        email: form.email.clone(),
    };
    let base = app.config.base_url.as_str();
    let caller = &session.caller;
    let result = app
        .write(async |txn| email::set_own(txn, caller, &input, base, app.now()).await)
        .await;
    match result {
        Ok(state) => {
            let message = if state.confirmed {
                "电子邮箱已确认，无需再次确认。".to_owned()
            } else {
                format!(
                    "确认邮件已发送至 {}，请打开邮件中的链接完成确认；确认之前不会向此邮箱发送证书。",
                    state.email.unwrap_or_default()
                )
            };
            Ok((with_flash(jar, &message), Redirect::to("/me/email")).into_response())
        }
        Err(AppError::Invalid { fields, .. }) => {
            let state = email::show_own(&app.db.read, caller).await?;
            let (shell, jar) = Shell::load(&app, &session, "/me/email", jar).await?;
            let page = EmailPage {
                shell,
                state,
                typed: form.email,
                errors: FieldErrors::from_fields(&fields),
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            Ok((jar, html(status, page.render())).into_response())
        }
        Err(e) => Err(WebError(e)),
    }
}

#[derive(Template)]
#[template(path = "trainee/confirm_email.html")]
struct ConfirmPage {
    csrf: String,
    token: String,
    /// The confirmed address, once confirmed.
    confirmed: Option<String>,
    refusal: Option<String>,
}

/// The page the mailed link opens: one button that confirms.
async fn confirm_page(
    State(app): State<AppState>,
    Path(token): Path<String>,
    jar: CookieJar,
) -> Response {
    let (jar, csrf) = anonymous_form_token(jar, secure_cookies(&app));
    let page = ConfirmPage {
        csrf,
        token,
        confirmed: None,
        refusal: None,
    };
    (jar, html(StatusCode::OK, page.render())).into_response()
}

#[derive(Deserialize)]
pub struct ConfirmForm {}

/// Confirms the address, or says why the link no longer works.
async fn confirm_address(
    State(app): State<AppState>,
    Path(token): Path<String>,
    jar: CookieJar,
    CheckedForm(ConfirmForm {}): CheckedForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let result = app
        .write(async |txn| confirm::confirm(txn, &token, app.now()).await)
        .await;
    let (status, confirmed, refusal) = match result {
        Ok(state) => (StatusCode::OK, state.email, None),
        Err(AppError::Invalid { fields, .. }) => {
            let message = fields.first().map(|f| f.message.clone());
            (StatusCode::UNPROCESSABLE_ENTITY, None, message)
        }
        Err(e) => return Err(WebError(e)),
    };
    let (jar, csrf) = anonymous_form_token(jar, secure_cookies(&app));
    let page = ConfirmPage {
        csrf,
        token,
        confirmed,
        refusal,
    };
    Ok((jar, html(status, page.render())).into_response())
}
