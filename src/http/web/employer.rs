//! The employer's home: check a certificate by number or file (the look-up forms), and
//! the certificates the organisation has checked, for its own records only.

use askama::Template;
use axum::{
    extract::Query,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;

use super::{
    WebError, html,
    lookup::NumberForm,
    session::Session,
    staff::{FieldErrors, Shell},
};
use crate::{
    http::AppState,
    pagination::PageParams,
    stored::Stored,
    verification::checks::{self, CheckedLine},
};

#[derive(Template)]
#[template(path = "employer/home.html")]
struct EmployerHome {
    shell: Shell,
    csrf: String,
    form: NumberForm,
    errors: FieldErrors,
    not_found: bool,
    told: Option<super::lookup::Told>,
    checked: Vec<CheckedLine>,
    next_page: Option<String>,
    /// The organisation's training orders, the newest first (the first 20).
    orders: Vec<crate::orders::Order>,
}

/// The employer's home page, `?cursor=` for older checks.
pub async fn home(
    app: &AppState,
    session: Session,
    jar: CookieJar,
    page: Query<PageParams>,
) -> Result<Response, WebError> {
    let page = PageParams {
        limit: Some(30),
        cursor: page.0.cursor,
    };
    let checked = checks::list(&app.db.read, &session.caller, &page, app.now()).await?;
    let first_orders = PageParams {
        limit: Some(20),
        cursor: None,
    };
    let orders = crate::orders::list(&app.db.read, &session.caller, &first_orders).await?;
    let (shell, jar) = Shell::load(app, &session, "/", jar).await?;
    let next_page = checked.next_cursor.map(|c| {
        format!(
            "/?{}",
            serde_urlencoded::to_string([("cursor", c)]).unwrap_or_default()
        )
    });
    let page = EmployerHome {
        csrf: shell.csrf.clone(),
        shell,
        form: NumberForm::default(),
        errors: FieldErrors::default(),
        not_found: false,
        told: None,
        checked: checked.items,
        next_page,
        orders: orders.items,
    };
    Ok((jar, html(StatusCode::OK, page.render())).into_response())
}
