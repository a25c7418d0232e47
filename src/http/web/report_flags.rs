//! The bureau's data-quality panel (`/reports/flags`): each kind of flag as a section with
//! its count, each flag with the masked rows behind it and, until explained, a form that
//! marks it explained with a reason (the explanation is then shown in its place).

use askama::Template;
use axum::{
    Router,
    extract::State,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use axum_extra::extract::cookie::CookieJar;
use chrono::{DateTime, FixedOffset};

use super::{
    WebError,
    feedback::{Pairs, field},
    html,
    session::{CheckedForm, Session, SignedIn},
    staff::{FieldErrors, Refusal, Shell, with_flash},
};
use crate::{
    error::AppError,
    http::{AppState, policy::Bureau},
    reports::flags::{self, ExplanationInput, Panel, Settings},
    stored::Stored,
};

fn settings(app: &AppState) -> Settings<'_> {
    Settings::of(&app.pii, &app.config)
}

/// The panel's page.
pub fn router() -> Router<AppState> {
    Router::new().route("/reports/flags", get(page).post(explain))
}

#[derive(Template)]
#[template(path = "bureau/report_flags.html")]
struct FlagsPage {
    shell: Shell,
    p: Panel,
    /// The flag whose form was refused, and what was typed in it.
    refused_key: String,
    typed_reason: String,
    errors: FieldErrors,
    /// A refusal that names no field shown under a form (a conflict, an unknown key).
    refusal: Option<String>,
    /// The registry's time zone, for when a flag was explained.
    zone: FixedOffset,
}

impl FlagsPage {
    /// The flag's anchor and the prefix of its form's ids.
    fn anchor(&self, key: &str) -> String {
        format!("flag-{}", key.replace(':', "-"))
    }

    /// A moment as the bureau's clock shows it.
    fn local(&self, at: &DateTime<FixedOffset>) -> String {
        at.with_timezone(&self.zone)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    /// Whether the refused form is this flag's.
    fn refused(&self, key: &str) -> bool {
        self.refused_key == key
    }
}

async fn page(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
) -> Result<Response, WebError> {
    render(
        &app,
        &session,
        jar,
        Refusal::none(),
        (String::new(), String::new()),
    )
    .await
}

async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    refusal: Refusal,
    (refused_key, typed_reason): (String, String),
) -> Result<Response, WebError> {
    let p = flags::panel(&app.db.read, settings(app)).await?;
    let (shell, jar) = Shell::load(app, session, "/reports", jar).await?;
    let status = refusal.status;
    let unknown = refusal.errors.get("key").map(str::to_owned);
    let page = FlagsPage {
        shell,
        p,
        refused_key,
        typed_reason,
        errors: refusal.errors,
        refusal: refusal.message.or(unknown),
        zone: app.now().zone,
    };
    Ok((jar, html(status, page.render())).into_response())
}

async fn explain(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let input = ExplanationInput {
        key: field(&pairs, "key"),
        reason: field(&pairs, "reason"),
    };
    let typed = (input.key.clone(), input.reason.clone());
    let caller = session.caller.clone();
    let outcome = app
        .write(async |txn| {
            flags::explain::explain(txn, &caller, settings(&app), input, app.now()).await
        })
        .await;
    match outcome {
        Ok(done) => {
            let to = format!("/reports/flags#flag-{}", done.key.replace(':', "-"));
            let message = format!("已将“{}”中的一项标记为已说明。", done.kind.label());
            Ok((with_flash(jar, &message), Redirect::to(&to)).into_response())
        }
        Err(refused @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let refusal = Refusal::of(Some(refused))?;
            render(&app, &session, jar, refusal, typed).await
        }
        Err(other) => Err(other.into()),
    }
}
