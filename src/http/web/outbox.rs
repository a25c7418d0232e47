//! The outbox page: the messages the caller's organisation caused (the bureau: every one),
//! by state, each with the server's answer; a failed or unknown one can be sent again to
//! the address confirmed now, or dropped.

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::{
    WebError, html,
    session::{CheckedForm, SignedIn},
    staff::{Shell, with_flash, with_flash_error},
};
use crate::{
    error::AppError,
    http::{AppState, policy::OrgStaff},
    mail::{
        MailStatus,
        staff::{self, OutboxFilter, OutboxLine},
    },
    pagination::PageParams,
    stored::Stored,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/outbox", get(index))
        .route("/outbox/{id}/resend", post(resend))
        .route("/outbox/{id}/drop", post(drop))
}

#[derive(Template)]
#[template(path = "staff/outbox.html")]
struct OutboxPage {
    shell: Shell,
    /// Each message with when it was written, in the registry's time zone.
    lines: Vec<(OutboxLine, String)>,
    /// `(word, label, current)` of each state filter; the first is "all".
    filters: Vec<(&'static str, &'static str, bool)>,
    next_page: Option<String>,
}

#[derive(Deserialize)]
pub struct OutboxQuery {
    status: Option<String>,
    cursor: Option<String>,
}

/// The outbox page, `?status=` for one state.
pub async fn index(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<OrgStaff>,
    jar: CookieJar,
    Query(q): Query<OutboxQuery>,
) -> Result<Response, WebError> {
    let status = q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| MailStatus::parse(s).ok());
    let page = PageParams {
        limit: Some(50),
        cursor: q.cursor.filter(|c| !c.is_empty()),
    };
    let filter = OutboxFilter { status };
    let list = staff::list(&app.db.read, &session.caller, &filter, &page).await?;
    let mut filters = vec![("", "全部", status.is_none())];
    filters.extend(
        MailStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(), status == Some(*s))),
    );
    let next_page = list.next_cursor.map(|c| {
        let mut pairs = vec![("cursor", c)];
        if let Some(s) = status {
            pairs.push(("status", s.as_str().to_owned()));
        }
        format!(
            "/outbox?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    });
    let (shell, jar) = Shell::load(&app, &session, "/outbox", jar).await?;
    let zone = app.clock.zone();
    let page = OutboxPage {
        shell,
        lines: list
            .items
            .into_iter()
            .map(|m| {
                let at = m.created_at.with_timezone(&zone).format("%Y-%m-%d %H:%M");
                let at = at.to_string();
                (m, at)
            })
            .collect(),
        filters,
        next_page,
    };
    Ok((jar, html(StatusCode::OK, page.render())).into_response())
}

#[derive(Deserialize)]
pub struct Empty {}

async fn decided(
    jar: CookieJar,
    done: Result<OutboxLine, AppError>,
    said: &str,
) -> Result<Response, WebError> {
    let jar = match done {
        Ok(line) => with_flash(
            jar,
            &format!("{said}：{}（{}）", line.subject, line.recipient),
        ),
        Err(e @ AppError::Conflict { .. }) => with_flash_error(jar, &e.body().message),
        Err(other) => return Err(other.into()),
    };
    Ok((jar, Redirect::to("/outbox")).into_response())
}

/// Sends a failed or unknown message again.
pub async fn resend(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<OrgStaff>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(_): CheckedForm<Empty>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let done = app
        .write(async |txn| staff::resend(txn, &caller, &id, app.now()).await)
        .await;
    decided(jar, done, "已重新排队发送").await
}

/// Drops a failed or unknown message.
pub async fn drop(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<OrgStaff>,
    jar: CookieJar,
    Path(id): Path<String>,
    CheckedForm(_): CheckedForm<Empty>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let done = app
        .write(async |txn| staff::drop(txn, &caller, &id).await)
        .await;
    decided(jar, done, "已放弃发送").await
}
