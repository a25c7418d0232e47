//! The outbox: messages written in the caller's transaction with the job that delivers
//! them, so a message exists exactly when the event that caused it commits.

use entities::{accounts as account, mail_outbox as outbox, people as person};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, TryInsertResult};

use super::{
    compose::{Compose, Composed},
    delivery::Delivery,
};
use crate::{
    clock::Now,
    error::AppError,
    jobs,
    pagination::new_id,
    stored::{Stored, stored_enum},
};

stored_enum! {
    /// Which message a row is; each has its folder under `templates/mail/`.
    pub enum MailKind("mail message") {
        ConfirmAddress = "confirm_address" => "邮箱确认",
        CertificateIssued = "certificate_issued" => "证书颁发",
        CertificateSuspended = "certificate_suspended" => "证书暂停",
        CertificateRevoked = "certificate_revoked" => "证书撤销",
        EnrolmentConfirmed = "enrolment_confirmed" => "报名确认",
        AccountClaimed = "account_claimed" => "账号开通",
        ExpiryReminder = "expiry_reminder" => "到期提醒",
        OrderDeadline = "order_deadline" => "订单截止提醒",
        MilestoneDue = "milestone_due" => "学徒里程碑提醒",
    }
}

stored_enum! {
    /// Where a message stands.
    pub enum MailStatus("mail status") {
        /// Waiting for its first or next attempt.
        Queued = "queued" => "待发送",
        /// A worker is talking to the server (committed before it starts).
        Sending = "sending" => "发送中",
        /// The server accepted it; `last_answer` is its reply.
        Sent = "sent" => "已发送",
        /// Refused for good, or still refused after the last retry; with the answer.
        Failed = "failed" => "发送失败",
        /// The worker stopped mid-send: the server may or may not have it. Staff decide.
        Unknown = "unknown" => "结果未知",
        /// Staff decided a failed or unknown message is not to be sent again.
        Dropped = "dropped" => "已放弃",
    }
}

impl MailStatus {
    /// The status of a stored row; an unknown word is corrupt data.
    pub fn of(row: &outbox::Model) -> Result<Self, AppError> {
        Ok(Self::read("mail_outbox", &row.id, &row.status)?)
    }
}

/// Who receives a message: a confirmed address and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub address: String,
    pub person_id: Option<String>,
    pub account_id: Option<String>,
}

impl Recipient {
    /// The person's address, when it is confirmed; `None` otherwise (nothing is sent).
    pub fn person(p: &person::Model) -> Option<Self> {
        confirmed(&p.email, &p.email_confirmed_at).map(|address| Self {
            address,
            person_id: Some(p.id.clone()),
            account_id: p.account_id.clone(),
        })
    }

    /// The account's own address, when it is confirmed.
    pub fn account(a: &account::Model) -> Option<Self> {
        confirmed(&a.email, &a.email_confirmed_at).map(|address| Self {
            address,
            person_id: None,
            account_id: Some(a.id.clone()),
        })
    }
}

fn confirmed(
    email: &Option<String>,
    confirmed_at: &Option<sea_orm::prelude::DateTimeWithTimeZone>,
) -> Option<String> {
    email.clone().filter(|_| confirmed_at.is_some())
}

/// A stored PDF of a certificate, attached when sending (never copied into the outbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub certificate_id: String,
    pub file_name: String,
}

/// One message to queue.
pub struct Outgoing<'a> {
    pub kind: MailKind,
    /// What makes the message once-only, e.g. `certificate_issued:<certificate id>`: the
    /// same event recorded twice queues one message.
    pub dedupe_key: String,
    pub to: Recipient,
    /// Whose staff see the message (the organisation whose act caused it).
    pub organisation_id: Option<String>,
    pub facts: &'a (dyn Compose + Sync),
    pub attachment: Option<Attachment>,
}

/// Renders and queues `out` in `conn` (the event's transaction) with its delivery job.
/// `false` when a message with the same key exists already: nothing changes then.
pub async fn queue(
    conn: &impl ConnectionTrait,
    out: Outgoing<'_>,
    now: Now,
) -> Result<bool, AppError> {
    let Composed {
        subject,
        text,
        html,
    } = out.facts.compose()?;
    let id = new_id();
    let (attachment_certificate_id, attachment_name) = match out.attachment {
        Some(a) => (Some(a.certificate_id), Some(a.file_name)),
        None => (None, None),
    };
    let row = outbox::ActiveModel {
        id: Set(id.clone()),
        message: Set(out.kind.as_str().to_owned()),
        dedupe_key: Set(out.dedupe_key),
        recipient: Set(out.to.address),
        person_id: Set(out.to.person_id),
        account_id: Set(out.to.account_id),
        organisation_id: Set(out.organisation_id),
        subject: Set(subject),
        text_body: Set(text),
        html_body: Set(html),
        attachment_certificate_id: Set(attachment_certificate_id),
        attachment_name: Set(attachment_name),
        status: Set(MailStatus::Queued.as_str().to_owned()),
        attempts: Set(0),
        last_answer: Set(None),
        created_at: Set(now.stamp()),
        sending_at: Set(None),
        finished_at: Set(None),
    };
    // ON CONFLICT DO NOTHING: on PostgreSQL a failed insert would abort the caller's
    // whole transaction.
    let inserted = outbox::Entity::insert(row)
        .on_conflict_do_nothing_on([outbox::Column::DedupeKey])
        .exec_without_returning(conn)
        .await?;
    if !matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
        return Ok(false);
    }
    jobs::enqueue::<Delivery>(conn, &id, &id, now.at, now.at).await?;
    Ok(true)
}
