//! The one list of background work (DESIGN §2 rule 3, §3): queued jobs are rows of the
//! `jobs` table, written in the caller's transaction by [`enqueue`] and claimed by workers
//! with a lease; the [`Runner`] polls and runs them, runs each instance's own periodic
//! [ticks](Runner::tick), and on shutdown finishes or releases what it holds.
//!
//! Written here rather than taken from a crate. apalis (`apalis-postgres` and
//! `apalis-sqlite` 1.0, on our sqlx 0.9) and underway (PostgreSQL only, sqlx 0.8) enqueue
//! through their own sqlx executor, and a sea-orm transaction does not hand out its sqlx
//! connection, so neither can write a job in the caller's sea-orm transaction — which the
//! mail outbox needs. Both also bring their own migrations and schema (a second migration
//! history beside SeaORM's), apalis one backend crate per database where we choose the
//! database at run time, and both read the clock inside SQL (`NOW()`, worker heartbeats),
//! so tests could not move time. The queue below is one table and five statements.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Serialize, de::DeserializeOwned};

use crate::db::Db;

mod queue;
mod runner;

pub use queue::{Claimed, claim, complete, enqueue, fail, release};
pub use runner::{Runner, Waker};

/// How long a claim lasts unless a job says otherwise: long enough for a slow SMTP server,
/// short enough that a crashed instance's work is picked up soon.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(5 * 60);

/// One kind of queued work. Implementations hold the services they need (a mail
/// transport, a renderer); each row carries a [`Job::Payload`].
pub trait Job: Send + Sync + 'static {
    /// The name stored in the row's `kind`; never renamed once rows exist.
    const KIND: &'static str;
    /// What one row carries, stored as JSON.
    type Payload: Serialize + DeserializeOwned + Send + 'static;

    /// When a failed run is tried again, and when to give up.
    fn retry(&self) -> RetryPolicy {
        RetryPolicy::default()
    }

    /// How long a claim lasts before another worker may take the job over. A run that
    /// may take longer must be safe to run twice.
    fn lease(&self) -> Duration {
        DEFAULT_LEASE
    }

    /// Does the work. An error is recorded on the row and retried per [`Job::retry`];
    /// the job must be idempotent, since a lease can expire mid-run.
    fn run(
        &self,
        ctx: &JobContext,
        payload: Self::Payload,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;
}

/// What a running job knows about its run.
#[derive(Debug, Clone)]
pub struct JobContext {
    /// The connections; a job opens its own transactions on `db.write`.
    pub db: Db,
    /// The time the run is for (the runner's clock, or the test's).
    pub now: DateTime<Utc>,
    /// The row's id, e.g. to derive a Message-ID that stays the same on every retry.
    pub job_id: String,
    /// The key the job was queued under.
    pub dedupe_key: String,
    /// 1 on the first run, 2 on the first retry, …
    pub attempt: u32,
}

/// Exponential backoff: the n-th failure waits `first_delay · 2ⁿ⁻¹`, at most `max_delay`;
/// the `max_attempts`-th failure gives up and leaves the row with its error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Runs in all, the first included.
    pub max_attempts: u32,
    /// The wait after the first failure.
    pub first_delay: Duration,
    /// The longest wait between two runs.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Eight attempts over about an hour: 30 s, 1, 2, 4, 8, 16 and 32 min apart.
    fn default() -> Self {
        Self {
            max_attempts: 8,
            first_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(60 * 60),
        }
    }
}

impl RetryPolicy {
    /// The wait after the `attempt`-th failure (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.first_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// When a job that failed on its `attempt`-th run at `now` runs again; `None` gives up.
    pub fn next_run(&self, attempt: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        (attempt < self.max_attempts).then(|| after(now, self.backoff(attempt)))
    }
}

/// `now + wait`, saturating at the end of time instead of overflowing.
pub(crate) fn after(now: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(wait)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            first_delay: Duration::from_secs(10),
            max_delay: Duration::from_secs(35),
        }
    }

    #[test]
    fn backoff_doubles_from_the_first_delay_and_stops_at_the_cap() {
        let waits: Vec<u64> = (1..=5).map(|n| policy().backoff(n).as_secs()).collect();
        assert_eq!(waits, [10, 20, 35, 35, 35]);
    }

    #[test]
    fn backoff_saturates_instead_of_overflowing() {
        let p = RetryPolicy {
            max_attempts: u32::MAX,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::MAX,
        };
        assert!(p.backoff(200) >= Duration::from_secs(u64::from(u32::MAX)));
        let at = p.next_run(200, Utc::now()).expect("still retrying");
        assert!(at > Utc::now());
    }

    #[test]
    fn the_last_attempt_gives_up() {
        let now = Utc::now();
        assert_eq!(
            policy().next_run(1, now),
            Some(now + TimeDelta::seconds(10))
        );
        assert_eq!(
            policy().next_run(3, now),
            Some(now + TimeDelta::seconds(35))
        );
        assert_eq!(policy().next_run(4, now), None);
        assert_eq!(policy().next_run(9, now), None);
    }

    #[test]
    fn the_default_policy_retries_for_about_an_hour() {
        let p = RetryPolicy::default();
        let total: u64 = (1..p.max_attempts).map(|n| p.backoff(n).as_secs()).sum();
        assert_eq!(total, 30 * 127);
    }
}
