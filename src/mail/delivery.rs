//! The `mail.deliver` job: sends one outbox row. The row is marked `sending` and that is
//! committed before the server is spoken to, so a worker that dies mid-send leaves a
//! trace: when the job is claimed again (its lease ran out) and the row still says
//! `sending`, nobody knows whether the server took it, and the row becomes `unknown`
//! instead of being sent a second time.

use std::time::{Duration, SystemTime};

use anyhow::Context;
use chrono::{DateTime, SubsecRound, Utc};
use entities::{certificate_files as file, mail_outbox as outbox};
use lettre::{
    Message,
    message::{Attachment, Mailbox, MultiPart, header::ContentType},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};

use super::{
    outbox::MailStatus,
    transport::{Refusal, Transport},
};
use crate::{
    error::AppError,
    jobs::{Job, JobContext, RetryPolicy},
    stored::Stored,
};

/// What an `unknown` row says: why it was not sent again.
pub const UNKNOWN_ANSWER: &str = "发送过程中断（工作进程的租约已过期），服务器可能已收到此邮件；为避免重复，不会自动重发，请工作人员核实后决定重发或放弃";

/// The delivery job, with the transport and the sender it sends as.
#[derive(Debug, Clone)]
pub struct Delivery {
    transport: Transport,
    from: Mailbox,
    /// The right-hand side of every Message-ID: the registry's public host.
    domain: String,
    retry: RetryPolicy,
    lease: Duration,
}

impl Delivery {
    /// Sends through `transport` as `from` (e.g. `登记系统 <noreply@example.org>`);
    /// Message-IDs end in `@domain`.
    pub fn new(transport: Transport, from: &str, domain: &str) -> anyhow::Result<Self> {
        let from = from
            .parse()
            .with_context(|| format!("REGISTRY_MAIL_FROM {from:?} is not a mailbox"))?;
        Ok(Self {
            transport,
            from,
            domain: domain.to_owned(),
            retry: RetryPolicy::default(),
            lease: crate::jobs::DEFAULT_LEASE,
        })
    }

    /// Retries temporary failures per `retry` instead of the default (about an hour).
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Holds each claim for `lease` instead of the default five minutes.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// The Message-ID of outbox row `id`: the same on every attempt and on a resend.
    pub fn message_id(&self, id: &str) -> String {
        format!("<{id}@{}>", self.domain)
    }

    /// The message for `row`, its attachment read from the stored PDF. A recipient or
    /// attachment that can never be sent is `Err(Permanent)`.
    async fn build(
        &self,
        conn: &impl ConnectionTrait,
        row: &outbox::Model,
        now: DateTime<Utc>,
    ) -> Result<Result<Message, Refusal>, AppError> {
        let to: Mailbox = match row.recipient.parse() {
            Ok(to) => to,
            Err(e) => return Ok(Err(Refusal::Permanent(format!("收件地址无效：{e}")))),
        };
        let body = MultiPart::alternative_plain_html(row.text_body.clone(), row.html_body.clone());
        let body = match (&row.attachment_certificate_id, &row.attachment_name) {
            (Some(certificate_id), Some(name)) => {
                let Some(pdf) = file::Entity::find_by_id(certificate_id.clone())
                    .one(conn)
                    .await?
                else {
                    return Ok(Err(Refusal::Permanent(format!(
                        "附件所需的证书文件 {certificate_id} 不存在"
                    ))));
                };
                let pdf_type = ContentType::parse("application/pdf")
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("content type: {e}")))?;
                MultiPart::mixed()
                    .multipart(body)
                    .singlepart(Attachment::new(name.clone()).body(pdf.pdf, pdf_type))
            }
            _ => body,
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(self.message_id(&row.id)))
            .date(SystemTime::from(now))
            .multipart(body);
        Ok(message.map_err(|e| Refusal::Permanent(format!("邮件无法组装：{e}"))))
    }

    /// One delivery attempt of row `id` at `now`, the job's `attempt`-th run.
    async fn deliver(
        &self,
        conn: &impl ConnectionTrait,
        id: &str,
        attempt: u32,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let Some(row) = outbox::Entity::find_by_id(id.to_owned()).one(conn).await? else {
            anyhow::bail!("outbox row {id} is missing");
        };
        match MailStatus::of(&row)? {
            MailStatus::Sent | MailStatus::Failed | MailStatus::Unknown | MailStatus::Dropped => {
                return Ok(());
            }
            MailStatus::Sending => {
                let answer = Some(UNKNOWN_ANSWER);
                move_to(
                    conn,
                    id,
                    MailStatus::Sending,
                    MailStatus::Unknown,
                    answer,
                    now,
                )
                .await?;
                tracing::warn!(
                    mail = id,
                    "a send was interrupted; outcome unknown, not resent"
                );
                return Ok(());
            }
            MailStatus::Queued => {}
        }
        let message = match self.build(conn, &row, now).await? {
            Ok(message) => message,
            Err(Refusal::Permanent(answer) | Refusal::Temporary(answer)) => {
                let failed = MailStatus::Failed;
                move_to(conn, id, MailStatus::Queued, failed, Some(&answer), now).await?;
                return Ok(());
            }
        };
        if !start_sending(conn, id, now).await? {
            // Another worker moved the row on meanwhile; it is theirs.
            return Ok(());
        }
        match self.transport.send(message).await {
            Ok(answer) => {
                let sent = MailStatus::Sent;
                move_to(conn, id, MailStatus::Sending, sent, Some(&answer), now).await?;
                Ok(())
            }
            Err(Refusal::Permanent(answer)) => {
                let failed = MailStatus::Failed;
                move_to(conn, id, MailStatus::Sending, failed, Some(&answer), now).await?;
                Ok(())
            }
            Err(Refusal::Temporary(answer)) if self.retry.next_run(attempt, now).is_none() => {
                let answer = format!("第{attempt}次尝试后放弃：{answer}");
                let failed = MailStatus::Failed;
                move_to(conn, id, MailStatus::Sending, failed, Some(&answer), now).await?;
                Ok(())
            }
            Err(Refusal::Temporary(answer)) => {
                let queued = MailStatus::Queued;
                move_to(conn, id, MailStatus::Sending, queued, Some(&answer), now).await?;
                anyhow::bail!("temporary failure, retried later: {answer}")
            }
        }
    }
}

impl Job for Delivery {
    const KIND: &'static str = "mail.deliver";
    /// The outbox row's id.
    type Payload = String;

    fn retry(&self) -> RetryPolicy {
        self.retry
    }

    fn lease(&self) -> Duration {
        self.lease
    }

    async fn run(&self, ctx: &JobContext, id: String) -> anyhow::Result<()> {
        self.deliver(&ctx.db.write, &id, ctx.attempt, ctx.now).await
    }
}

/// `queued` → `sending`, counting the attempt; `false` when the row was not `queued`.
async fn start_sending(
    conn: &impl ConnectionTrait,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let done = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::Status,
            Expr::value(MailStatus::Sending.as_str()),
        )
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).add(1),
        )
        .col_expr(outbox::Column::SendingAt, Expr::value(stored(now)))
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::Status.eq(MailStatus::Queued.as_str()))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Moves row `id` from `from` to `to` with the server's `answer`; a final status stamps
/// `finished_at`. `false` when the row was not in `from`.
async fn move_to(
    conn: &impl ConnectionTrait,
    id: &str,
    from: MailStatus,
    to: MailStatus,
    answer: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let finished = (to != MailStatus::Queued).then(|| stored(now));
    let done = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(to.as_str()))
        .col_expr(
            outbox::Column::LastAnswer,
            Expr::value(answer.map(str::to_owned)),
        )
        .col_expr(outbox::Column::FinishedAt, Expr::value(finished))
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::Status.eq(from.as_str()))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// A time as stored: UTC, to the microsecond (PostgreSQL's precision).
fn stored(at: DateTime<Utc>) -> DateTime<chrono::FixedOffset> {
    at.trunc_subsecs(6).fixed_offset()
}
