//! The `jobs` table's statements: enqueue in the caller's transaction, claim with a lease,
//! and complete, fail or release a claim. Every completion names the lease owner, so a
//! worker whose lease was taken over changes nothing. Times are stored in UTC to the
//! microsecond, so both engines compare them the same way.

use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use entities::jobs;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, TryInsertResult,
    sea_query::{Expr, ExprTrait, LockBehavior, LockType},
};

use super::{Job, after};
use crate::{error::AppError, pagination::new_id};

/// A job one worker holds until `lease_expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: String,
    pub kind: String,
    pub dedupe_key: String,
    /// The payload as stored (JSON).
    pub payload: String,
    /// How many claims this job has had, this one included.
    pub attempt: u32,
    /// Who holds the lease.
    pub owner: String,
    pub lease_expires_at: DateTime<Utc>,
}

/// Queues a `J` job to run at `run_at`, inside `conn` — the caller's transaction, so the
/// job exists exactly when the change that caused it commits. Returns whether this call
/// queued it: when a job of this kind with `dedupe_key` already exists (queued, running or
/// finished), nothing changes and the answer is `false`.
pub async fn enqueue<J: Job>(
    conn: &impl ConnectionTrait,
    dedupe_key: &str,
    payload: &J::Payload,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let payload = serde_json::to_string(payload)
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("encoding a job payload")))?;
    let row = jobs::ActiveModel {
        id: Set(new_id()),
        kind: Set(J::KIND.to_owned()),
        dedupe_key: Set(dedupe_key.to_owned()),
        payload: Set(payload),
        run_at: Set(stored(run_at)),
        attempts: Set(0),
        lease_owner: Set(None),
        lease_expires_at: Set(None),
        finished_at: Set(None),
        last_error: Set(None),
        created_at: Set(stored(now)),
    };
    // ON CONFLICT DO NOTHING rather than catching the unique violation: on PostgreSQL a
    // failed statement would abort the caller's whole transaction.
    let inserted = jobs::Entity::insert(row)
        .on_conflict_do_nothing_on([jobs::Column::Kind, jobs::Column::DedupeKey])
        .exec_without_returning(conn)
        .await?;
    Ok(matches!(inserted, TryInsertResult::Inserted(n) if n > 0))
}

/// Claims up to `limit` due jobs of `kind` for `owner` until `now + lease`. Due: not
/// finished, `run_at` reached, and no lease or an expired one. On PostgreSQL the rows are
/// picked `FOR UPDATE SKIP LOCKED`, so concurrent claimers never wait for nor share a
/// row; SQLite has one writer, so the statement runs alone.
pub async fn claim(
    conn: &impl ConnectionTrait,
    kind: &str,
    owner: &str,
    lease: Duration,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Vec<Claimed>, AppError> {
    let now = stored(now);
    let due = jobs::Entity::find()
        .select_only()
        .column(jobs::Column::Id)
        .filter(jobs::Column::Kind.eq(kind))
        .filter(jobs::Column::FinishedAt.is_null())
        .filter(jobs::Column::RunAt.lte(now))
        .filter(
            Condition::any()
                .add(jobs::Column::LeaseExpiresAt.is_null())
                .add(jobs::Column::LeaseExpiresAt.lte(now)),
        )
        .order_by_asc(jobs::Column::RunAt)
        .order_by_asc(jobs::Column::Id)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .into_query();
    let rows = jobs::Entity::update_many()
        .col_expr(jobs::Column::LeaseOwner, Expr::value(owner))
        .col_expr(
            jobs::Column::LeaseExpiresAt,
            Expr::value(stored(after(now.to_utc(), lease))),
        )
        .col_expr(
            jobs::Column::Attempts,
            Expr::col(jobs::Column::Attempts).add(1),
        )
        .filter(jobs::Column::Id.in_subquery(due))
        .exec_with_returning(conn)
        .await?;
    let mut claimed: Vec<Claimed> = rows
        .into_iter()
        .map(Claimed::try_from)
        .collect::<Result<_, _>>()?;
    claimed.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(claimed)
}

/// Marks a claimed job done. `false` when the claim was no longer this worker's (its lease
/// expired and another worker took the job): nothing is changed then.
pub async fn complete(
    conn: &impl ConnectionTrait,
    job: &Claimed,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let done = jobs::Entity::update_many()
        .col_expr(jobs::Column::FinishedAt, Expr::value(stored(now)))
        .col_expr(jobs::Column::LastError, Expr::value(None::<String>))
        .col_expr(jobs::Column::LeaseOwner, Expr::value(None::<String>))
        .col_expr(
            jobs::Column::LeaseExpiresAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .filter(held_by(job))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Records a failed run: `retry_at` queues it again then (clearing the lease), `None` gives
/// up — the row is finished and keeps `error`. `false` when the claim was no longer ours.
pub async fn fail(
    conn: &impl ConnectionTrait,
    job: &Claimed,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let mut update = jobs::Entity::update_many()
        .col_expr(jobs::Column::LastError, Expr::value(error))
        .col_expr(jobs::Column::LeaseOwner, Expr::value(None::<String>))
        .col_expr(
            jobs::Column::LeaseExpiresAt,
            Expr::value(None::<DateTime<Utc>>),
        );
    update = match retry_at {
        Some(at) => update.col_expr(jobs::Column::RunAt, Expr::value(stored(at))),
        None => update.col_expr(jobs::Column::FinishedAt, Expr::value(stored(now))),
    };
    let failed = update.filter(held_by(job)).exec(conn).await?;
    Ok(failed.rows_affected == 1)
}

/// Gives a claim back unfinished, as if it had not been made (the attempt is not counted),
/// so another worker can take the job at once. `false` when it was no longer ours.
pub async fn release(conn: &impl ConnectionTrait, job: &Claimed) -> Result<bool, AppError> {
    let released = jobs::Entity::update_many()
        .col_expr(jobs::Column::LeaseOwner, Expr::value(None::<String>))
        .col_expr(
            jobs::Column::LeaseExpiresAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(
            jobs::Column::Attempts,
            Expr::col(jobs::Column::Attempts).sub(1),
        )
        .filter(held_by(job))
        .exec(conn)
        .await?;
    Ok(released.rows_affected == 1)
}

/// The row of `job`, still unfinished and still leased to the same owner. The expiry is
/// compared too: a lease that expired and was re-claimed by the same owner is a new claim.
fn held_by(job: &Claimed) -> Condition {
    Condition::all()
        .add(jobs::Column::Id.eq(job.id.as_str()))
        .add(jobs::Column::FinishedAt.is_null())
        .add(jobs::Column::LeaseOwner.eq(job.owner.as_str()))
        .add(jobs::Column::LeaseExpiresAt.eq(stored(job.lease_expires_at)))
}

/// A time as stored: UTC, to the microsecond (PostgreSQL's precision).
fn stored(at: DateTime<Utc>) -> DateTime<chrono::FixedOffset> {
    at.trunc_subsecs(6).fixed_offset()
}

impl TryFrom<jobs::Model> for Claimed {
    type Error = AppError;

    fn try_from(row: jobs::Model) -> Result<Self, AppError> {
        let corrupt = |what: &str| {
            AppError::Internal(anyhow::anyhow!("job {}: {what} after a claim", row.id))
        };
        let owner = row
            .lease_owner
            .clone()
            .ok_or_else(|| corrupt("no lease owner"))?;
        let expires = row
            .lease_expires_at
            .ok_or_else(|| corrupt("no lease expiry"))?;
        let attempt =
            u32::try_from(row.attempts).map_err(|_| corrupt("a negative attempt count"))?;
        Ok(Self {
            id: row.id,
            kind: row.kind,
            dedupe_key: row.dedupe_key,
            payload: row.payload,
            attempt,
            owner,
            lease_expires_at: expires.to_utc(),
        })
    }
}
