//! The reminders job (DESIGN §9): certificates about to expire (or just expired), order
//! deadlines and apprenticeship milestones approaching. Schedules are data ([`Schedules`], `REGISTRY_REMINDERS`). The
//! job is a function of the day: [`run`] queues, in the outbox, every reminder due on
//! `now.today` that was not queued before — each under a key naming its record, step and
//! recipient, so however many instances run it and however often, a step is queued
//! once. Each step stays due until the next step's day, so a step missed while nothing
//! ran goes out once when the job runs again; of several missed steps, only the latest.
//! Every instance's runner ticks it hourly (harmless: it is idempotent), so a reminder
//! goes out within the hour its day begins.

pub mod deadlines;
pub mod expiry;
pub mod milestones;
pub mod schedule;

use sea_orm::TransactionTrait;

use crate::{clock::Now, db::Db, error::AppError};

pub use schedule::{Schedule, Schedules};

/// What the job needs: the schedules and the public base URL (for links).
#[derive(Debug, Clone)]
pub struct Reminders {
    pub schedules: Schedules,
    /// `REGISTRY_BASE_URL`, without a trailing slash.
    pub base_url: String,
}

/// How many reminders one run queued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Queued {
    pub expiry: usize,
    pub order_deadlines: usize,
    pub milestones: usize,
}

/// Queues every reminder due on `now.today`: each kind in one transaction of its own, so
/// a message and its delivery job are written together or not at all.
pub async fn run(db: &Db, reminders: &Reminders, now: Now) -> Result<Queued, AppError> {
    let txn = db.write.begin().await?;
    let expiry = expiry::queue_due(&txn, reminders, now).await?;
    txn.commit().await?;
    let txn = db.write.begin().await?;
    let order_deadlines = deadlines::queue_due(&txn, reminders, now).await?;
    txn.commit().await?;
    let txn = db.write.begin().await?;
    let milestones = milestones::queue_due(&txn, reminders, now).await?;
    txn.commit().await?;
    Ok(Queued {
        expiry,
        order_deadlines,
        milestones,
    })
}
