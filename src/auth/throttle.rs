//! Sign-in throttling, per login and per client address: after `delay_after` failures
//! within the window each further attempt must wait (1 s, then twice as long each time),
//! and after `lock_after` the login or address is locked for `lock_for`. The counts live
//! in the database (`sign_in_throttles`), so every instance on it sees the same ones.
//!
//! An attempt is charged before its password is checked ([`admit`], in a short write
//! transaction that takes the rows' locks), so a burst of concurrent guesses cannot slip
//! past the count; a success takes the charge back ([`succeeded`]) and clears the login's
//! failures. Refusals ([`check`]) only read, so a flood that is already throttled costs
//! no write. Any login is counted, whether or not an account has it, so an unknown login
//! is answered exactly like a wrong password. Logins are stored only as hashes.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use entities::sign_in_throttles as throttle;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    Set,
    sea_query::{Expr, OnConflict},
};
use sha2::{Digest, Sha256};

use crate::{clock::Now, error::AppError};

/// The figures of the throttle (configuration).
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub delay_after: u32,
    pub lock_after: u32,
    pub window: Duration,
    pub lock_for: Duration,
}

impl Policy {
    pub fn new(delay_after: u32, lock_after: u32, window_minutes: u32, lock_minutes: u32) -> Self {
        Self {
            delay_after,
            lock_after,
            window: Duration::minutes(window_minutes.into()),
            lock_for: Duration::minutes(lock_minutes.into()),
        }
    }

    /// The failures of `row` that still count at `now`: none once its window is over,
    /// unless it is locked still.
    fn counted(&self, row: &throttle::Model, now: DateTime<Utc>) -> u32 {
        let failures = u32::try_from(row.failures).unwrap_or(0);
        let locked = failures >= self.lock_after && now < row.last_failure_at + self.lock_for;
        if locked || now < row.window_started_at + self.window {
            failures
        } else {
            0
        }
    }

    /// Until when `row` refuses attempts, if it does at `now`.
    fn refused_until(&self, row: &throttle::Model, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let failures = self.counted(row, now);
        let wait = if failures >= self.lock_after {
            self.lock_for
        } else if failures >= self.delay_after {
            // 1 s after the first failure over the threshold, doubling, never past a lock.
            let doublings = (failures - self.delay_after).min(20);
            Duration::seconds(1 << doublings).min(self.lock_for)
        } else {
            return None;
        };
        Some((row.last_failure_at + wait).with_timezone(&Utc)).filter(|until| *until > now)
    }
}

/// Who a sign-in attempt counts against: the login as typed and the client's address.
#[derive(Debug, Clone)]
pub struct Attempt {
    subjects: [String; 2],
}

impl Attempt {
    /// `client` is the address limits count under (an IPv6 client's /64).
    pub fn new(login: &str, client: std::net::IpAddr) -> Self {
        let login = login.trim().to_lowercase();
        Self {
            subjects: [
                format!("login:{}", hex::encode(Sha256::digest(login.as_bytes()))),
                format!("client:{client}"),
            ],
        }
    }

    /// A claim of an account (`trainees::claim`): counted against the person's ID number
    /// (as a digest of its blind index, never the number) and the client's address, apart
    /// from sign-in's counts.
    pub fn claim(id_index: &str, client: std::net::IpAddr) -> Self {
        Self {
            subjects: [
                format!("claim:{}", hex::encode(Sha256::digest(id_index.as_bytes()))),
                format!("claim-client:{client}"),
            ],
        }
    }

    fn login(&self) -> &str {
        &self.subjects[0]
    }

    fn client(&self) -> &str {
        &self.subjects[1]
    }
}

/// An attempt refused until `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub until: DateTime<Utc>,
}

impl Refused {
    /// The 429 answer: `Retry-After` and the time to come back in the registry's zone
    /// (rounded up to the minute, so "after HH:MM" is always true).
    pub fn into_error(self, zone: FixedOffset, now: Now) -> AppError {
        self.into_error_for("登录", zone, now)
    }

    /// The 429 answer of a refused account claim: "认领失败次数过多，请于 HH:MM 后再试".
    pub fn into_claim_error(self, zone: FixedOffset, now: Now) -> AppError {
        self.into_error_for("认领", zone, now)
    }

    fn into_error_for(self, what: &str, zone: FixedOffset, now: Now) -> AppError {
        let millis = (self.until - now.at).num_milliseconds().max(1);
        let retry_after_secs = u64::try_from(millis).unwrap_or(1).div_ceil(1000);
        let seconds = self.until.timestamp() + i64::from(self.until.timestamp_subsec_nanos() > 0);
        let minute =
            DateTime::from_timestamp((seconds + 59).div_euclid(60) * 60, 0).unwrap_or(self.until);
        AppError::RateLimited {
            retry_after_secs,
            message: Some(format!(
                "{what}失败次数过多，请于 {} 后再试",
                minute.with_timezone(&zone).format("%H:%M")
            )),
        }
    }
}

/// Whether the attempt would be refused now, by reading alone.
pub async fn check(
    conn: &impl ConnectionTrait,
    policy: &Policy,
    attempt: &Attempt,
    now: Now,
) -> Result<Result<(), Refused>, DbErr> {
    let rows = throttle::Entity::find()
        .filter(throttle::Column::Subject.is_in(attempt.subjects.iter().cloned()))
        .all(conn)
        .await?;
    Ok(refusal(policy, &rows, now))
}

/// The latest refusal among `rows`, if any refuses.
fn refusal(policy: &Policy, rows: &[throttle::Model], now: Now) -> Result<(), Refused> {
    match rows
        .iter()
        .filter_map(|r| policy.refused_until(r, now.at))
        .max()
    {
        Some(until) => Err(Refused { until }),
        None => Ok(()),
    }
}

/// Charges the attempt as a failure under each subject's row lock, unless one refuses
/// it (then nothing is charged: the caller's transaction rolls back on the refusal).
/// Call inside a write transaction, before checking the password.
pub async fn admit(
    conn: &impl ConnectionTrait,
    policy: &Policy,
    attempt: &Attempt,
    now: Now,
) -> Result<Result<(), Refused>, DbErr> {
    let mut rows = Vec::with_capacity(2);
    // Always the login first, then the client, so two attempts never wait on each other
    // in a cycle.
    for subject in &attempt.subjects {
        rows.push(locked(conn, subject, now).await?);
    }
    if let Err(refused) = refusal(policy, &rows, now) {
        return Ok(Err(refused));
    }
    for row in rows {
        let counted = policy.counted(&row, now.at);
        let window_started_at = if counted == 0 {
            now.stamp()
        } else {
            row.window_started_at
        };
        let mut active: throttle::ActiveModel = row.into();
        active.failures = Set(i32::try_from(counted + 1).unwrap_or(i32::MAX));
        active.window_started_at = Set(window_started_at);
        active.last_failure_at = Set(now.stamp());
        active.update(conn).await?;
    }
    Ok(Ok(()))
}

/// The row of `subject`, created empty if missing, locked until the transaction ends.
async fn locked(
    conn: &impl ConnectionTrait,
    subject: &str,
    now: Now,
) -> Result<throttle::Model, DbErr> {
    // A stale row may be pruned between the insert and the read: then insert again.
    for _ in 0..3 {
        throttle::Entity::insert(throttle::ActiveModel {
            subject: Set(subject.to_owned()),
            failures: Set(0),
            window_started_at: Set(now.stamp()),
            last_failure_at: Set(now.stamp()),
        })
        .on_conflict(
            OnConflict::column(throttle::Column::Subject)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
        if let Some(row) = throttle::Entity::find_by_id(subject.to_owned())
            .lock_exclusive()
            .one(conn)
            .await?
        {
            return Ok(row);
        }
    }
    Err(DbErr::RecordNotFound(format!(
        "sign_in_throttles {subject}"
    )))
}

/// After a successful sign-in: the login's failures are cleared and the client's charge
/// for this attempt taken back. Call in the transaction that signs the account in.
pub async fn succeeded(conn: &impl ConnectionTrait, attempt: &Attempt) -> Result<(), DbErr> {
    use sea_orm::sea_query::ExprTrait as _;
    throttle::Entity::delete_by_id(attempt.login().to_owned())
        .exec(conn)
        .await?;
    throttle::Entity::update_many()
        .col_expr(
            throttle::Column::Failures,
            Expr::col(throttle::Column::Failures).sub(1),
        )
        .filter(throttle::Column::Subject.eq(attempt.client()))
        .filter(throttle::Column::Failures.gt(0))
        .exec(conn)
        .await?;
    Ok(())
}

/// Deletes the rows whose window and lock are both over. Returns how many.
pub async fn prune(conn: &impl ConnectionTrait, policy: &Policy, now: Now) -> Result<u64, DbErr> {
    let stale = now.at - policy.window.max(policy.lock_for);
    let deleted = throttle::Entity::delete_many()
        .filter(throttle::Column::LastFailureAt.lt(stale.fixed_offset()))
        .exec(conn)
        .await?;
    Ok(deleted.rows_affected)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn row(failures: i32, window_started: i64, last: i64) -> throttle::Model {
        let at = |s: i64| {
            Utc.timestamp_opt(1_800_000_000 + s, 0)
                .unwrap()
                .fixed_offset()
        };
        throttle::Model {
            subject: "login:x".into(),
            failures,
            window_started_at: at(window_started),
            last_failure_at: at(last),
        }
    }

    fn at(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + s, 0).unwrap()
    }

    #[test]
    fn a_delay_grows_after_the_threshold_and_a_lock_follows() {
        let policy = Policy::new(5, 10, 15, 15);
        assert_eq!(policy.refused_until(&row(4, 0, 10), at(10)), None);
        assert_eq!(policy.refused_until(&row(5, 0, 10), at(10)), Some(at(11)));
        assert_eq!(policy.refused_until(&row(6, 0, 10), at(10)), Some(at(12)));
        assert_eq!(policy.refused_until(&row(9, 0, 10), at(10)), Some(at(26)));
        assert_eq!(policy.refused_until(&row(9, 0, 10), at(26)), None, "waited");
        assert_eq!(policy.refused_until(&row(10, 0, 10), at(10)), Some(at(910)));
        assert_eq!(
            policy.refused_until(&row(10, 0, 10), at(909)),
            Some(at(910))
        );
        assert_eq!(
            policy.refused_until(&row(10, 0, 10), at(910)),
            None,
            "lock over"
        );
    }

    #[test]
    fn failures_outside_the_window_no_longer_count_but_a_lock_lasts_its_time() {
        let policy = Policy::new(5, 10, 15, 30);
        assert_eq!(policy.counted(&row(7, 0, 100), at(899)), 7);
        assert_eq!(policy.counted(&row(7, 0, 100), at(900)), 0);
        // Locked at 800 for 30 minutes: still counted after the window.
        assert_eq!(policy.counted(&row(10, 0, 800), at(1000)), 10);
        assert_eq!(policy.counted(&row(10, 0, 800), at(2600)), 0);
    }

    #[test]
    fn the_answer_says_until_when_rounded_up_to_the_minute_in_the_registry_zone() {
        let zone = FixedOffset::east_opt(8 * 3600).unwrap();
        let now = Now::at(Utc.with_ymd_and_hms(2026, 12, 1, 6, 0, 0).unwrap(), zone);
        let until = Utc.with_ymd_and_hms(2026, 12, 1, 6, 14, 30).unwrap();
        let err = Refused { until }.into_error(zone, now);
        let AppError::RateLimited {
            retry_after_secs,
            message,
        } = err
        else {
            panic!("{err:?}")
        };
        assert_eq!(retry_after_secs, 870);
        assert_eq!(
            message.as_deref(),
            Some("登录失败次数过多，请于 14:15 后再试")
        );
        let exact = Utc.with_ymd_and_hms(2026, 12, 1, 6, 15, 0).unwrap();
        let AppError::RateLimited { message, .. } = Refused { until: exact }.into_error(zone, now)
        else {
            panic!()
        };
        assert_eq!(
            message.as_deref(),
            Some("登录失败次数过多，请于 14:15 后再试")
        );
    }

    #[test]
    fn logins_are_counted_by_hash_whatever_their_case_and_clients_by_address() {
        let ip = "198.51.100.1".parse().unwrap();
        let a = Attempt::new(" Bureau ", ip);
        let b = Attempt::new("bureau", ip);
        assert_eq!(a.login(), b.login());
        assert!(!a.login().contains("bureau"));
        assert_eq!(a.client(), "client:198.51.100.1");
    }
}
