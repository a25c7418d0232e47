//! What every handler can reach, and the one unit of work every write goes through.

use std::sync::Arc;

use sea_orm::{DatabaseTransaction, TransactionTrait};

use super::{rate_limit::Limiters, serve::Connections};
use crate::{
    auth::{password, throttle},
    certificates::Services,
    clock::{Clock, Now},
    config::Config,
    db::Db,
    error::AppError,
    people::PiiKeys,
};

/// What every handler can reach: one shared allocation, so extracting it is a single
/// reference-count increment.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of the application state.
pub struct Shared {
    pub config: Arc<Config>,
    pub db: Db,
    pub pii: Arc<PiiKeys>,
    pub certs: Arc<Services>,
    /// The rate limits on verification and holder matches.
    pub limiters: Limiters,
    /// The sign-in throttle's figures.
    pub sign_in: throttle::Policy,
    /// Where passwords are checked, a few at a time.
    pub passwords: password::Checker,
    /// The connections being served, for `/health`.
    pub connections: Arc<Connections>,
    /// What verification answers from.
    pub verification: Arc<crate::verification::Index>,
    /// The signed status lists as last built.
    pub status_lists: Arc<crate::certificates::status_lists::Published>,
    /// The time requests act at.
    pub clock: Arc<Clock>,
}

/// Whether a unit of work keeps what it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Commit,
    /// Run every check and write, then roll back: a dry run.
    RollBack,
}

impl AppState {
    /// The moment a request acts at.
    pub fn now(&self) -> Now {
        self.clock.now()
    }

    /// The one way a request writes: begins a transaction on the writer, runs `work` in
    /// it, commits (or rolls back on an error), then runs the after-commit steps, so no
    /// handler can forget them.
    pub async fn write<T>(
        &self,
        work: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        self.unit_of_work(Outcome::Commit, work).await
    }

    /// [`write`](Self::write), or a dry run that rolls back whatever `work` did.
    pub async fn unit_of_work<T>(
        &self,
        outcome: Outcome,
        work: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let txn = self.db.write.begin().await?;
        let done = match work(&txn).await {
            Ok(done) => done,
            Err(e) => {
                txn.rollback().await?;
                return Err(e);
            }
        };
        match outcome {
            Outcome::Commit => {
                txn.commit().await?;
                self.after_commit().await;
            }
            Outcome::RollBack => txn.rollback().await?,
        }
        Ok(done)
    }

    /// What follows every committed change: this instance's verification index takes
    /// it in before the response goes out (other instances follow within one sync
    /// interval).
    async fn after_commit(&self) {
        if let Err(e) = self.verification.catch_up(&self.db.read).await {
            tracing::warn!(error = %e, "updating the verification index failed; the next sync retries");
        }
    }
}
