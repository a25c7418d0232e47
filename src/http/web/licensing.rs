//! The licensing officer's page: the holders who qualify for a licence, issued one by
//! one or several together with one validity date, with what each came to.

use askama::Template;
use axum::{
    Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use axum_extra::extract::cookie::CookieJar;
use chrono::NaiveDate;

use super::{
    WebError, html,
    session::{CheckedForm, Session, SignedIn},
    staff::{FieldErrors, Shell},
};
use crate::{
    certificates::licensing::{self, Licensed, Qualifying},
    http::{AppState, policy::Licensing},
};

/// The licensing officer's pages.
pub fn router() -> Router<AppState> {
    Router::new().route("/licences", get(index).post(create))
}

/// One line of the outcome of a batch.
pub struct OutcomeLine {
    name: String,
    licensed: Licensed,
}

#[derive(Template)]
#[template(path = "licensing/index.html")]
struct LicencesPage {
    shell: Shell,
    qualifying: Vec<Qualifying>,
    valid_until: String,
    errors: FieldErrors,
    outcome: Vec<OutcomeLine>,
}

async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    valid_until: String,
    errors: FieldErrors,
    outcome: Vec<OutcomeLine>,
) -> Result<Response, WebError> {
    let qualifying = licensing::qualifying(&app.db.read, &session.caller, app.now().today).await?;
    let (shell, jar) = Shell::load(app, session, "/licences", jar).await?;
    let status = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = LicencesPage {
        shell,
        qualifying,
        valid_until,
        errors,
        outcome,
    };
    Ok((jar, html(status, page.render())).into_response())
}

/// The holders who qualify, each with a box to tick.
pub async fn index(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Licensing>,
    jar: CookieJar,
) -> Result<Response, WebError> {
    render(
        &app,
        &session,
        jar,
        String::new(),
        FieldErrors::default(),
        Vec::new(),
    )
    .await
}

/// Issues the licences of the ticked holders (`enrolment`, repeated) valid until
/// `valid_until`, and shows what each came to.
pub async fn create(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Licensing>,
    jar: CookieJar,
    CheckedForm(pairs): CheckedForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = pairs
        .iter()
        .find(|(k, _)| k == "valid_until")
        .map_or("", |(_, v)| v.trim())
        .to_owned();
    let ids: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "enrolment")
        .map(|(_, v)| v.clone())
        .collect();
    let mut errors = FieldErrors::default();
    let Ok(valid_until) = NaiveDate::parse_from_str(&typed, "%Y-%m-%d") else {
        errors.push("valid_until", "请填写有效期截止日期（如 2029-12-31）");
        return render(&app, &session, jar, typed, errors, Vec::new()).await;
    };
    if ids.is_empty() {
        errors.push("enrolment", "请至少选择一名持证人");
        return render(&app, &session, jar, typed, errors, Vec::new()).await;
    }
    let names = licensing::qualifying(&app.db.read, &session.caller, app.now().today).await?;
    let caller = session.caller.clone();
    let done = app
        .write(async |txn| {
            licensing::issue_many(txn, &app.certs, &caller, &ids, valid_until, app.now()).await
        })
        .await?;
    let outcome = done
        .into_iter()
        .map(|(id, licensed)| OutcomeLine {
            name: names
                .iter()
                .find(|q| q.enrolment_id == id)
                .map_or_else(|| "—".to_owned(), |q| q.holder_name.clone()),
            licensed,
        })
        .collect();
    render(&app, &session, jar, typed, errors, outcome).await
}
