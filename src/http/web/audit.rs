//! The bureau's audit-log page: the latest entries (or one record's), earlier and later
//! pages, and the chain check on demand.

use askama::Template;
use axum::{
    Router,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::{WebError, html, session::SignedIn, staff::Shell};
use crate::{
    audit::{self, AuditQuery},
    error::AppError,
    http::{AppState, policy::Bureau},
};

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(index))
}

/// Entries per page.
const PER_PAGE: i64 = 100;

pub struct EntryRow {
    seq: i64,
    at: String,
    actor: String,
    minted_by: Option<String>,
    action: String,
    record_type: String,
    record_id: String,
    summary: String,
}

pub struct Broken {
    seq: i64,
    reason_label: &'static str,
}

pub struct Report {
    intact: bool,
    entries: u64,
    first_broken: Option<Broken>,
}

#[derive(Template)]
#[template(path = "bureau/audit.html")]
struct AuditLogPage {
    shell: Shell,
    report: Option<Report>,
    record_type: String,
    record_id: String,
    rows: Vec<EntryRow>,
    earlier: Option<String>,
    later: Option<String>,
}

#[derive(Deserialize)]
pub struct AuditParams {
    after: Option<i64>,
    #[serde(default)]
    record_type: String,
    #[serde(default)]
    record_id: String,
    check: Option<String>,
}

fn link(after: i64, p: &AuditParams) -> String {
    let mut query = vec![("after", after.to_string())];
    if !p.record_type.is_empty() {
        query.push(("record_type", p.record_type.clone()));
    }
    if !p.record_id.is_empty() {
        query.push(("record_id", p.record_id.clone()));
    }
    format!(
        "/audit?{}",
        serde_urlencoded::to_string(query).unwrap_or_default()
    )
}

/// The newest page unless `after` says otherwise; `check=1` recomputes the chain.
pub async fn index(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Query(p): Query<AuditParams>,
) -> Result<Response, WebError> {
    let conn = &app.db.read;
    let filtered = !p.record_type.is_empty() || !p.record_id.is_empty();
    let head = audit::head_seq(conn).await.map_err(AppError::from)?;
    // One record's history reads from its start; the whole log from its newest page.
    let after = p
        .after
        .unwrap_or(if filtered { 0 } else { head - PER_PAGE })
        .clamp(0, head.max(0));
    let page = audit::list(
        conn,
        &AuditQuery {
            after: Some(after),
            limit: Some(PER_PAGE as u64),
            record_type: Some(p.record_type.trim().to_owned()).filter(|t| !t.is_empty()),
            record_id: Some(p.record_id.trim().to_owned()).filter(|t| !t.is_empty()),
        },
    )
    .await
    .map_err(AppError::from)?;
    let zone = app.clock.zone();
    let rows: Vec<EntryRow> = page
        .items
        .into_iter()
        .map(|e| EntryRow {
            seq: e.seq,
            at: e
                .at
                .with_timezone(&zone)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            actor: e.actor,
            minted_by: e.minted_by,
            action: e.action,
            record_type: e.record_type,
            record_id: e.record_id,
            summary: e.summary.to_string(),
        })
        .collect();
    let earlier = (!filtered && after > 0).then(|| link((after - PER_PAGE).max(0), &p));
    let later = page
        .next_cursor
        .as_ref()
        .map(|_| link(rows.last().map_or(after, |r| r.seq), &p));
    let report = match p.check.as_deref() {
        Some("1") => {
            let r = audit::verify(conn).await.map_err(AppError::from)?;
            Some(Report {
                intact: r.intact,
                entries: r.entries,
                first_broken: r.first_broken.map(|b| Broken {
                    seq: b.seq,
                    reason_label: match b.reason.as_str() {
                        "hash_mismatch" => "该条内容被修改",
                        "link_mismatch" => "其前的记录被删除或替换",
                        "head_mismatch" => "末尾的记录被删除",
                        _ => "无法核对",
                    },
                }),
            })
        }
        _ => None,
    };
    let (shell, jar) = Shell::load(&app, &session, "/audit", jar).await?;
    let page = AuditLogPage {
        shell,
        report,
        record_type: p.record_type.clone(),
        record_id: p.record_id.clone(),
        rows,
        earlier,
        later,
    };
    Ok((jar, html(StatusCode::OK, page.render())).into_response())
}
