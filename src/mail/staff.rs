//! The outbox as staff see it: the bureau every message, an organisation's staff the
//! messages its own acts caused. A message that failed, or whose outcome is unknown (a
//! worker stopped mid-send), is for staff to decide: send it again — to the recipient's
//! address as confirmed now, with the same Message-ID, so a server that did take it the
//! first time can tell the two apart — or drop it. Both are audited and take effect once:
//! each is a conditional update of the row's status.

use chrono::{DateTime, FixedOffset};
use entities::{accounts as account, mail_outbox as outbox, people as person};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    delivery::Delivery,
    outbox::{MailKind, MailStatus, Recipient},
};
use crate::{
    access::Caller,
    audit::{self, Change},
    clock::Now,
    error::AppError,
    jobs,
    pagination::{self, Page, PageParams, new_id},
    stored::Stored,
};

/// One message as staff see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutboxLine {
    pub id: String,
    pub message: MailKind,
    pub message_label: String,
    pub recipient: String,
    pub subject: String,
    pub status: MailStatus,
    pub status_label: String,
    pub attempts: u32,
    /// The server's last answer (or why nothing was sent).
    pub last_answer: Option<String>,
    /// Whether staff may send it again or drop it (`failed` or `unknown`).
    pub decidable: bool,
    pub created_at: DateTime<FixedOffset>,
    pub finished_at: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxFilter {
    /// Only messages in this state.
    pub status: Option<MailStatus>,
}

fn line(row: outbox::Model) -> Result<OutboxLine, AppError> {
    let status = MailStatus::of(&row)?;
    let message = MailKind::read("mail_outbox", &row.id, &row.message)?;
    Ok(OutboxLine {
        message_label: message.label().into(),
        status_label: status.label().into(),
        decidable: matches!(status, MailStatus::Failed | MailStatus::Unknown),
        message,
        status,
        attempts: u32::try_from(row.attempts).unwrap_or_default(),
        id: row.id,
        recipient: row.recipient,
        subject: row.subject,
        last_answer: row.last_answer,
        created_at: row.created_at,
        finished_at: row.finished_at,
    })
}

fn visible(caller: &Caller, row: &outbox::Model) -> bool {
    caller.is_bureau()
        || row
            .organisation_id
            .as_deref()
            .is_some_and(|o| caller.belongs_to(o))
}

/// The messages the caller may see, oldest first, a page at a time.
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    filter: &OutboxFilter,
    page: &PageParams,
) -> Result<Page<OutboxLine>, AppError> {
    let mut query = outbox::Entity::find();
    if !caller.is_bureau() {
        let Some(org) = &caller.organisation_id else {
            return Ok(Page::empty());
        };
        query = query.filter(outbox::Column::OrganisationId.eq(org));
    }
    if let Some(status) = filter.status {
        query = query.filter(outbox::Column::Status.eq(status.as_str()));
    }
    let rows = pagination::fetch(conn, query, outbox::Column::Id, page).await?;
    Ok(Page {
        items: rows.items.into_iter().map(line).collect::<Result<_, _>>()?,
        next_cursor: rows.next_cursor,
    })
}

async fn find(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
) -> Result<outbox::Model, AppError> {
    outbox::Entity::find_by_id(id.to_owned())
        .lock_exclusive()
        .one(conn)
        .await?
        .filter(|row| visible(caller, row))
        .ok_or(AppError::NotFound)
}

fn undecidable(status: MailStatus) -> AppError {
    AppError::Conflict {
        code: "mail_status",
        message: format!(
            "邮件当前状态为“{}”，只有发送失败或结果未知的邮件可以重发或放弃",
            status.label()
        ),
    }
}

/// The recipient's address as confirmed now: the person's, else the account's.
async fn confirmed_now(
    conn: &impl ConnectionTrait,
    row: &outbox::Model,
) -> Result<Option<Recipient>, AppError> {
    if let Some(p) = &row.person_id {
        let found = person::Entity::find_by_id(p.clone()).one(conn).await?;
        return Ok(found.as_ref().and_then(Recipient::person));
    }
    if let Some(a) = &row.account_id {
        let found = account::Entity::find_by_id(a.clone()).one(conn).await?;
        return Ok(found.as_ref().and_then(Recipient::account));
    }
    Ok(None)
}

/// Sends a failed or unknown message again, to the address confirmed now, with the same
/// Message-ID. Sent again while it is queued or sending, it answers the message as it is.
pub async fn resend(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    now: Now,
) -> Result<OutboxLine, AppError> {
    let row = find(conn, caller, id).await?;
    let status = MailStatus::of(&row)?;
    match status {
        MailStatus::Queued | MailStatus::Sending => return line(row),
        MailStatus::Failed | MailStatus::Unknown => {}
        MailStatus::Sent | MailStatus::Dropped => return Err(undecidable(status)),
    }
    let Some(to) = confirmed_now(conn, &row).await? else {
        return Err(AppError::Conflict {
            code: "no_confirmed_address",
            message: "收件人目前没有已确认的电子邮箱，不能重发".into(),
        });
    };
    let moved = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::Status,
            Expr::value(MailStatus::Queued.as_str()),
        )
        .col_expr(outbox::Column::Recipient, Expr::value(to.address.clone()))
        .col_expr(
            outbox::Column::FinishedAt,
            Expr::value(None::<DateTime<FixedOffset>>),
        )
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::Status.eq(status.as_str()))
        .exec(conn)
        .await?;
    if moved.rows_affected == 0 {
        // Another request decided meanwhile (SQLite reads take no row lock).
        return line(reread(conn, id).await?);
    }
    // A job of its own: the first one is finished (the key names this resend).
    jobs::enqueue::<Delivery>(conn, &format!("{id}:{}", new_id()), &row.id, now.at, now.at).await?;
    record(conn, caller, &row, "mail.resend", status, &to.address).await?;
    line(reread(conn, id).await?)
}

/// Drops a failed or unknown message: it is never sent again. Dropped again, it answers
/// the message.
pub async fn drop(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
) -> Result<OutboxLine, AppError> {
    let row = find(conn, caller, id).await?;
    let status = MailStatus::of(&row)?;
    match status {
        MailStatus::Dropped => return line(row),
        MailStatus::Failed | MailStatus::Unknown => {}
        other => return Err(undecidable(other)),
    }
    let moved = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::Status,
            Expr::value(MailStatus::Dropped.as_str()),
        )
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::Status.eq(status.as_str()))
        .exec(conn)
        .await?;
    if moved.rows_affected == 0 {
        return line(reread(conn, id).await?);
    }
    record(conn, caller, &row, "mail.drop", status, &row.recipient).await?;
    line(reread(conn, id).await?)
}

async fn reread(conn: &impl ConnectionTrait, id: &str) -> Result<outbox::Model, AppError> {
    outbox::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .ok_or_else(|| anyhow::anyhow!("an outbox row vanished").into())
}

async fn record(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    row: &outbox::Model,
    action: &'static str,
    was: MailStatus,
    to: &str,
) -> Result<(), AppError> {
    // The audit log keeps the address's domain only, as address changes do.
    let domain = to.rsplit_once('@').map_or("", |(_, d)| d);
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action,
            record_type: "mail",
            record_id: &row.id,
            summary: serde_json::json!({"message": row.message, "was": was.as_str(), "domain": domain}),
        },
    )
    .await?;
    Ok(())
}
