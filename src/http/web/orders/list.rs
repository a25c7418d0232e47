//! The orders the signed-in party may see: an employer's own (and the way to write a new
//! one), the bureau's submitted ones, a provider's assigned ones and those it may offer
//! to take. One page of orders is a fixed number of queries.

use askama::Template;
use axum::{
    extract::{Query, State},
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::{SubjectNames, subject_of};
use crate::{
    access::Role,
    http::{
        AppState,
        policy::OrderParties,
        web::{WebError, html, session::SignedIn, staff::Shell},
    },
    orders::{self, Order},
    pagination::PageParams,
    stored::Stored,
};

pub struct Line {
    order: Order,
    subject: String,
}

#[derive(Template)]
#[template(path = "orders/list.html")]
struct ListPage {
    shell: Shell,
    is_employer: bool,
    is_provider: bool,
    is_bureau: bool,
    open: Vec<Line>,
    mine: Vec<Line>,
    next_page: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
}

/// The orders page.
pub async fn index(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<OrderParties>,
    jar: CookieJar,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let caller = &session.caller;
    let page = PageParams {
        limit: Some(30),
        cursor: q.cursor.filter(|c| !c.is_empty()),
    };
    let list = orders::list(&app.db.read, caller, &page).await?;
    let is_provider = caller.role == Role::ProviderStaff;
    // A provider's page parts the orders waiting for a provider from its own.
    let (open, mine): (Vec<Order>, Vec<Order>) = list
        .items
        .into_iter()
        .partition(|o| is_provider && o.provider_id.is_none());
    let names = SubjectNames::load(&app).await?;
    let line = |order: Order| Line {
        subject: subject_of(&order, &names),
        order,
    };
    let (shell, jar) = Shell::load(&app, &session, "/orders", jar).await?;
    let page = ListPage {
        shell,
        is_employer: caller.role == Role::Employer,
        is_provider,
        is_bureau: caller.role == Role::BureauAdmin,
        open: open.into_iter().map(line).collect(),
        mine: mine.into_iter().map(line).collect(),
        next_page: list.next_cursor.map(|c| {
            format!(
                "/orders?{}",
                serde_urlencoded::to_string([("cursor", c)]).unwrap_or_default()
            )
        }),
    };
    Ok((jar, html(axum::http::StatusCode::OK, page.render())).into_response())
}
