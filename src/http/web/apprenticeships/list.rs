//! The agreements the signed-in party may see: an enterprise's own (and the way to write
//! a new one), a provider's naming it, the bureau's submitted ones. One page of
//! agreements is a fixed number of queries.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use crate::{
    access::Role,
    apprenticeships::{self, Agreement, due::DueMilestone},
    http::{
        AppState,
        policy::ApprenticeshipParties,
        web::{WebError, html, session::SignedIn, staff::Shell},
    },
    pagination::PageParams,
    stored::Stored,
};

#[derive(Template)]
#[template(path = "apprenticeships/list.html")]
struct ListPage {
    shell: Shell,
    is_employer: bool,
    is_bureau: bool,
    agreements: Vec<Agreement>,
    /// The enterprise's milestones due soon or overdue (a provider's are on its home).
    due: Vec<DueMilestone>,
    next_page: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
}

/// The agreements page.
pub async fn index(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<ApprenticeshipParties>,
    jar: CookieJar,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let caller = &session.caller;
    let page = PageParams {
        limit: Some(30),
        cursor: q.cursor.filter(|c| !c.is_empty()),
    };
    let list = apprenticeships::list(&app.db.read, caller, &page).await?;
    let due = match caller.role {
        Role::Employer => {
            apprenticeships::due::milestones(&app.db.read, caller, app.now().today).await?
        }
        _ => Vec::new(),
    };
    let (shell, jar) = Shell::load(&app, &session, "/apprenticeships", jar).await?;
    let page = ListPage {
        shell,
        is_employer: caller.role == Role::Employer,
        is_bureau: caller.role == Role::BureauAdmin,
        agreements: list.items,
        due,
        next_page: list.next_cursor.map(|c| {
            let query = serde_urlencoded::to_string([("cursor", c)]).unwrap_or_default();
            format!("/apprenticeships?{query}")
        }),
    };
    Ok((jar, html(StatusCode::OK, page.render())).into_response())
}
