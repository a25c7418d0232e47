//! The job queue and runner: leases, idempotent enqueueing, retries, transactions and
//! graceful shutdown, on whichever engine the tests run against. Time is moved, not waited.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use entities::jobs as job;
use registry::{
    db::Db,
    jobs::{self, Job, JobContext, RetryPolicy, Runner},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use tokio::sync::{Notify, oneshot};

use crate::helpers::TestApp;

const LEASE: Duration = Duration::from_secs(120);

/// A job that records its runs by key; it fails when told to, and with a gate it says
/// when it starts and then waits to be let through.
#[derive(Clone, Default)]
struct Probe {
    runs: Arc<Mutex<HashMap<String, u32>>>,
    fails: bool,
    gate: Option<Gate>,
}

#[derive(Clone, Default)]
struct Gate {
    started: Arc<Notify>,
    proceed: Arc<Notify>,
}

impl Job for Probe {
    const KIND: &'static str = "test.probe";
    type Payload = String;

    fn retry(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            first_delay: Duration::from_secs(60),
            max_delay: Duration::from_secs(3600),
        }
    }

    fn lease(&self) -> Duration {
        LEASE
    }

    async fn run(&self, _ctx: &JobContext, key: String) -> anyhow::Result<()> {
        if let Some(gate) = &self.gate {
            gate.started.notify_one();
            gate.proceed.notified().await;
        }
        // Lets a concurrent worker in between claim and completion.
        tokio::task::yield_now().await;
        *self.runs.lock().unwrap().entry(key).or_default() += 1;
        if self.fails {
            anyhow::bail!("the server answered 451");
        }
        Ok(())
    }
}

impl Probe {
    fn runs(&self) -> HashMap<String, u32> {
        self.runs.lock().unwrap().clone()
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
}

fn later(secs: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(secs)
}

async fn enqueue(db: &Db, key: &str, at: DateTime<Utc>) -> bool {
    jobs::enqueue::<Probe>(&db.write, key, &key.to_owned(), at, at)
        .await
        .expect("enqueue")
}

/// Queues a probe due at t0 in `conn`, which may be a transaction.
async fn enqueue_in(conn: &impl ConnectionTrait, key: &str, payload: &str) -> bool {
    jobs::enqueue::<Probe>(conn, key, &payload.to_owned(), t0(), t0())
        .await
        .expect("enqueue")
}

async fn rows(db: &Db) -> Vec<job::Model> {
    job::Entity::find()
        .filter(job::Column::Kind.eq(Probe::KIND))
        .order_by_asc(job::Column::DedupeKey)
        .all(&db.read)
        .await
        .expect("read jobs")
}

async fn claim(db: &Db, owner: &str, now: DateTime<Utc>) -> Vec<jobs::Claimed> {
    jobs::claim(&db.write, Probe::KIND, owner, LEASE, 10, now)
        .await
        .expect("claim")
}

async fn complete(db: &Db, claimed: &jobs::Claimed, at: DateTime<Utc>) -> bool {
    jobs::complete(&db.write, claimed, at)
        .await
        .expect("complete")
}

#[tokio::test]
async fn a_job_claimed_by_one_worker_is_not_claimed_by_another() {
    let app = TestApp::spawn().await;
    enqueue(&app.db, "mail-1", t0()).await;

    let first = claim(&app.db, "worker-a", t0()).await;
    assert_eq!(first.len(), 1);
    assert_eq!((first[0].attempt, first[0].owner.as_str()), (1, "worker-a"));
    assert!(claim(&app.db, "worker-b", t0()).await.is_empty());
    assert!(claim(&app.db, "worker-b", later(119)).await.is_empty());

    assert!(complete(&app.db, &first[0], later(1)).await);
    assert!(
        claim(&app.db, "worker-b", later(500)).await.is_empty(),
        "a finished job is never claimed"
    );
}

#[tokio::test]
async fn an_expired_lease_is_claimed_again_and_the_first_worker_can_no_longer_finish_it() {
    let app = TestApp::spawn().await;
    enqueue(&app.db, "mail-1", t0()).await;
    let stale = claim(&app.db, "worker-a", t0()).await.remove(0);

    let taken = claim(&app.db, "worker-b", later(120)).await;
    assert_eq!(taken.len(), 1, "the lease ran out at t0 + 120 s");
    assert_eq!((taken[0].attempt, taken[0].owner.as_str()), (2, "worker-b"));

    assert!(!complete(&app.db, &stale, later(121)).await);
    assert!(
        !jobs::fail(&app.db.write, &stale, "late", None, later(121))
            .await
            .expect("fail")
    );
    assert!(!jobs::release(&app.db.write, &stale).await.expect("release"));
    let row = &rows(&app.db).await[0];
    assert_eq!(
        (row.finished_at, row.lease_owner.as_deref()),
        (None, Some("worker-b"))
    );

    assert!(complete(&app.db, &taken[0], later(122)).await);
    let row = &rows(&app.db).await[0];
    assert_eq!(row.finished_at, Some(later(122).fixed_offset()));
    assert_eq!((row.lease_owner.as_deref(), row.attempts), (None, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_running_at_once_run_each_job_exactly_once() {
    let app = TestApp::spawn().await;
    // The second worker has its own connections, as another instance would.
    let other = Db::connect(&app.database_url)
        .await
        .expect("second connection");
    for n in 0..40 {
        enqueue(&app.db, &format!("mail-{n:02}"), t0()).await;
    }
    let probe = Probe::default();
    let a = Runner::new(app.db.clone())
        .job(probe.clone())
        .concurrency(2);
    let b = Runner::new(other).job(probe.clone()).concurrency(2);

    let a = tokio::spawn(async move { a.run_once(Probe::KIND, later(1)).await });
    let b = tokio::spawn(async move { b.run_once(Probe::KIND, later(1)).await });
    let (a, b) = (
        a.await.unwrap().expect("a ran"),
        b.await.unwrap().expect("b ran"),
    );

    assert_eq!(a + b, 40, "a ran {a}, b ran {b}");
    let runs = probe.runs();
    assert_eq!(runs.len(), 40);
    assert!(runs.values().all(|&n| n == 1), "{runs:?}");
    let rows = rows(&app.db).await;
    assert!(
        rows.iter()
            .all(|r| r.finished_at.is_some() && r.attempts == 1)
    );
}

#[tokio::test]
async fn enqueueing_the_same_key_twice_leaves_one_row() {
    let app = TestApp::spawn().await;
    assert!(enqueue(&app.db, "certificate-7", t0()).await);
    assert!(!enqueue(&app.db, "certificate-7", later(60)).await);
    assert!(enqueue(&app.db, "certificate-8", t0()).await);

    // A duplicate inside a transaction leaves the transaction usable (no failed statement).
    let txn = app.db.write.begin().await.expect("begin");
    assert!(!enqueue_in(&txn, "certificate-7", "x").await);
    assert!(
        enqueue_in(&txn, "certificate-9", "y").await,
        "usable after a duplicate"
    );
    txn.commit().await.expect("commit");

    let rows = rows(&app.db).await;
    let keys: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.dedupe_key.as_str(), r.payload.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("certificate-7", "\"certificate-7\""),
            ("certificate-8", "\"certificate-8\""),
            ("certificate-9", "\"y\"")
        ]
    );
    assert_eq!(
        rows[0].run_at,
        t0().fixed_offset(),
        "the first enqueue stands"
    );
}

#[tokio::test]
async fn a_rolled_back_transaction_leaves_no_job() {
    let app = TestApp::spawn().await;
    let txn = app.db.write.begin().await.expect("begin");
    assert!(enqueue_in(&txn, "mail-1", "m").await);
    txn.rollback().await.expect("rollback");
    assert_eq!(app.count("jobs").await, 0);

    let txn = app.db.write.begin().await.expect("begin");
    assert!(
        enqueue_in(&txn, "mail-1", "m").await,
        "the rolled-back row left no key behind"
    );
    txn.commit().await.expect("commit");
    assert_eq!(app.count("jobs").await, 1);
}

#[tokio::test]
async fn a_failing_job_is_retried_after_the_backoff_and_gives_up_after_the_maximum() {
    let app = TestApp::spawn().await;
    enqueue(&app.db, "mail-1", t0()).await;
    let probe = Probe {
        fails: true,
        ..Probe::default()
    };
    let runner = Runner::new(app.db.clone()).job(probe.clone());
    let run = |at| runner.run_once(Probe::KIND, at);

    assert_eq!(run(t0()).await.expect("run"), 1);
    let row = &rows(&app.db).await[0];
    assert_eq!(
        row.run_at,
        later(60).fixed_offset(),
        "first retry after 60 s"
    );
    assert_eq!(row.last_error.as_deref(), Some("the server answered 451"));
    assert_eq!(
        (row.attempts, row.finished_at, row.lease_owner.as_deref()),
        (1, None, None)
    );

    assert_eq!(
        run(later(59)).await.expect("run"),
        0,
        "not before the backoff"
    );
    assert_eq!(run(later(60)).await.expect("run"), 1);
    assert_eq!(
        rows(&app.db).await[0].run_at,
        later(60 + 120).fixed_offset(),
        "then twice as long"
    );
    assert_eq!(run(later(179)).await.expect("run"), 0);
    assert_eq!(run(later(180)).await.expect("run"), 1);

    let row = &rows(&app.db).await[0];
    assert_eq!(row.attempts, 3);
    assert_eq!(
        row.finished_at,
        Some(later(180).fixed_offset()),
        "gave up after the third"
    );
    assert_eq!(
        row.last_error.as_deref(),
        Some("the server answered 451"),
        "the error is kept"
    );
    assert_eq!(run(later(100_000)).await.expect("run"), 0);
    assert_eq!(probe.runs()["mail-1"], 3);
}

/// Starts `runner` with `probe`'s gate and waits until its job has started; returns the
/// trigger for shutdown and the running runner.
async fn start_gated(
    runner: Runner,
    gate: &Gate,
) -> (
    oneshot::Sender<()>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(runner.run(async {
        let _ = stopped.await;
    }));
    tokio::time::timeout(Duration::from_secs(30), gate.started.notified())
        .await
        .expect("the runner claimed and started the job");
    (stop, handle)
}

#[tokio::test]
async fn shutdown_releases_a_claimed_job_so_another_worker_can_take_it() {
    let app = TestApp::spawn().await;
    enqueue(&app.db, "mail-1", Utc::now() - TimeDelta::seconds(1)).await;
    let gate = Gate::default();
    let stuck = Probe {
        gate: Some(gate.clone()),
        ..Probe::default()
    };
    let runner = Runner::new(app.db.clone())
        .job(stuck.clone())
        .poll_every(Duration::from_millis(20))
        .grace(Duration::from_millis(50));
    let owner = runner.owner().to_owned();
    let (stop, handle) = start_gated(runner, &gate).await;
    assert_eq!(
        rows(&app.db).await[0].lease_owner.as_deref(),
        Some(owner.as_str())
    );
    assert!(
        claim(&app.db, "worker-b", Utc::now()).await.is_empty(),
        "held while running"
    );

    stop.send(()).expect("signal shutdown");
    handle.await.unwrap().expect("the runner stops");
    let row = &rows(&app.db).await[0];
    assert_eq!(
        (
            row.lease_owner.as_deref(),
            row.lease_expires_at,
            row.finished_at
        ),
        (None, None, None)
    );
    assert_eq!(row.attempts, 0, "a released claim is not an attempt");
    assert!(stuck.runs().is_empty());

    let next = Probe::default();
    let other = Runner::new(app.db.clone()).job(next.clone());
    assert_eq!(
        other.run_once(Probe::KIND, Utc::now()).await.expect("run"),
        1,
        "taken at once, not after the lease"
    );
    assert_eq!(next.runs()["mail-1"], 1);
}

#[tokio::test]
async fn shutdown_lets_a_running_job_finish_within_the_grace_period() {
    let app = TestApp::spawn().await;
    enqueue(&app.db, "mail-1", Utc::now() - TimeDelta::seconds(1)).await;
    let gate = Gate::default();
    let probe = Probe {
        gate: Some(gate.clone()),
        ..Probe::default()
    };
    let runner = Runner::new(app.db.clone())
        .job(probe.clone())
        .poll_every(Duration::from_millis(20))
        .grace(Duration::from_secs(30));
    let (stop, handle) = start_gated(runner, &gate).await;

    stop.send(()).expect("signal shutdown");
    gate.proceed.notify_one();
    handle.await.unwrap().expect("the runner stops");
    let row = &rows(&app.db).await[0];
    assert!(row.finished_at.is_some(), "finished, not released: {row:?}");
    assert_eq!(probe.runs()["mail-1"], 1);
}
