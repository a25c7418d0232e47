//! The runner: polls the queue for the kinds registered with it and runs what it claims,
//! runs this instance's periodic ticks, and stops gracefully — claiming stops, running
//! jobs get a grace period, and whatever is still held after it is released.

use std::{collections::HashMap, pin::Pin, sync::Arc, time::Duration};

use anyhow::Context;
use chrono::{DateTime, Utc};
use tokio::{
    sync::{Notify, watch},
    task::{Id, JoinSet},
    time::{Instant, MissedTickBehavior},
};

use super::{Claimed, Job, JobContext, RetryPolicy, queue};
use crate::db::Db;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A registered job with its types erased, so one runner holds many kinds.
trait Erased: Send + Sync {
    fn lease(&self) -> Duration;
    fn retry(&self) -> RetryPolicy;
    fn run<'a>(
        &'a self,
        ctx: &'a JobContext,
        payload: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<()>>;
}

impl<J: Job> Erased for J {
    fn lease(&self) -> Duration {
        Job::lease(self)
    }

    fn retry(&self) -> RetryPolicy {
        Job::retry(self)
    }

    fn run<'a>(
        &'a self,
        ctx: &'a JobContext,
        payload: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let payload: J::Payload =
                serde_json::from_str(payload).context("decoding the job's payload")?;
            Job::run(self, ctx, payload).await
        })
    }
}

/// A periodic task this instance runs for itself, with no lease (each instance keeps its
/// own in-memory state current).
#[derive(Clone)]
struct Tick {
    name: &'static str,
    every: Duration,
    run: Arc<dyn Fn() -> BoxFuture<'static, anyhow::Result<()>> + Send + Sync>,
}

/// Wakes a runner's poll loop early, e.g. after a commit that queued a job.
#[derive(Clone, Debug, Default)]
pub struct Waker(Arc<Notify>);

impl Waker {
    /// Makes the runner poll now rather than at its next interval.
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// Runs queued jobs and periodic ticks for one instance. Build it with [`Runner::new`],
/// register with [`Runner::job`] and [`Runner::tick`], then [`Runner::run`] it.
pub struct Runner {
    db: Db,
    owner: String,
    jobs: HashMap<&'static str, Arc<dyn Erased>>,
    ticks: Vec<Tick>,
    poll: Duration,
    concurrency: usize,
    grace: Duration,
    waker: Waker,
}

impl Runner {
    /// A runner on `db` with nothing registered, under a fresh lease-owner name; it polls
    /// every second, runs up to four jobs at once and gives them ten seconds to finish on
    /// shutdown.
    pub fn new(db: Db) -> Self {
        Self {
            db,
            owner: format!("worker-{}", uuid::Uuid::new_v4().simple()),
            jobs: HashMap::new(),
            ticks: Vec::new(),
            poll: Duration::from_secs(1),
            concurrency: 4,
            grace: Duration::from_secs(10),
            waker: Waker::default(),
        }
    }

    /// Registers a kind of queued work.
    pub fn job<J: Job>(mut self, job: J) -> Self {
        self.jobs.insert(J::KIND, Arc::new(job));
        self
    }

    /// Registers a periodic task, run every `every`, the first time one period after start
    /// (what a task catches up on at start is done by start-up itself). A failure is
    /// logged and the next tick runs as usual.
    pub fn tick<F, Fut>(mut self, name: &'static str, every: Duration, run: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.ticks.push(Tick {
            name,
            // A zero period would make the interval panic.
            every: every.max(Duration::from_millis(1)),
            run: Arc::new(move || Box::pin(run())),
        });
        self
    }

    /// How often the queue is polled when idle.
    pub fn poll_every(mut self, poll: Duration) -> Self {
        self.poll = poll;
        self
    }

    /// How many jobs run at once (at least one).
    pub fn concurrency(mut self, jobs: usize) -> Self {
        self.concurrency = jobs.max(1);
        self
    }

    /// How long running jobs and ticks may take to finish once shutdown begins.
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// The name this runner's leases carry.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// A handle that wakes the poll loop.
    pub fn waker(&self) -> Waker {
        self.waker.clone()
    }

    /// Claims every job of `kind` due at `now`, runs them one after another with `now` as
    /// their time, and returns how many ran (succeeded or failed). For tests and the CLI.
    pub async fn run_once(&self, kind: &str, now: DateTime<Utc>) -> anyhow::Result<usize> {
        let job = self
            .jobs
            .get(kind)
            .with_context(|| format!("no job of kind {kind} is registered"))?;
        let mut ran = 0;
        loop {
            let limit = self.concurrency as u64;
            let claimed =
                queue::claim(&self.db.write, kind, &self.owner, job.lease(), limit, now).await?;
            if claimed.is_empty() {
                return Ok(ran);
            }
            for claim in claimed {
                execute(job.as_ref(), &self.db, &claim, now, || now).await?;
                ran += 1;
            }
        }
    }

    /// Runs until `shutdown` resolves: polls the queue for the registered kinds and runs
    /// the ticks. Then stops claiming, lets running jobs and ticks finish within the grace
    /// period, aborts the rest and releases their claims so another worker can take them.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        let (stop, stopped) = watch::channel(false);
        let mut ticks = JoinSet::new();
        for tick in &self.ticks {
            ticks.spawn(tick_loop(tick.clone(), stopped.clone()));
        }
        let mut running = Running::default();
        tokio::pin!(shutdown);
        loop {
            self.claim_into(&mut running).await;
            tokio::select! {
                () = &mut shutdown => break,
                () = self.waker.0.notified() => {}
                () = tokio::time::sleep(self.poll) => {}
                Some(done) = running.tasks.join_next_with_id() => running.finished(&self.db, done).await,
            }
        }
        let _ = stop.send(true);
        let deadline = Instant::now() + self.grace;
        while !running.tasks.is_empty() {
            match tokio::time::timeout_at(deadline, running.tasks.join_next_with_id()).await {
                Ok(Some(done)) => running.finished(&self.db, done).await,
                Ok(None) | Err(_) => break,
            }
        }
        running.abandon(&self.db).await;
        if tokio::time::timeout_at(deadline, async {
            while ticks.join_next().await.is_some() {}
        })
        .await
        .is_err()
        {
            ticks.abort_all();
        }
        tracing::info!(owner = %self.owner, "job runner stopped");
        Ok(())
    }

    /// Claims as many due jobs as there are free slots and starts them.
    async fn claim_into(&self, running: &mut Running) {
        for (kind, job) in &self.jobs {
            let free = self.concurrency.saturating_sub(running.tasks.len());
            if free == 0 {
                return;
            }
            let now = Utc::now();
            let claimed = queue::claim(
                &self.db.write,
                kind,
                &self.owner,
                job.lease(),
                free as u64,
                now,
            );
            let claimed = match claimed.await {
                Ok(claimed) => claimed,
                Err(e) => {
                    tracing::warn!(kind, error = %e, "claiming jobs failed");
                    continue;
                }
            };
            for claim in claimed {
                let (run, db, held) = (Arc::clone(job), self.db.clone(), claim.clone());
                let task = running.tasks.spawn(async move {
                    if let Err(e) = execute(run.as_ref(), &db, &held, Utc::now(), Utc::now).await {
                        tracing::error!(job = %held.id, error = format!("{e:#}"), "recording a job's outcome failed");
                    }
                });
                running.held.insert(task.id(), (claim, Arc::clone(job)));
            }
        }
    }
}

/// The jobs a runner has started and not yet seen finish.
#[derive(Default)]
struct Running {
    tasks: JoinSet<()>,
    held: HashMap<Id, (Claimed, Arc<dyn Erased>)>,
}

impl Running {
    /// Forgets a finished task; one that panicked counts as a failed run.
    async fn finished(&mut self, db: &Db, done: Result<(Id, ()), tokio::task::JoinError>) {
        let id = match &done {
            Ok((id, ())) => *id,
            Err(e) => e.id(),
        };
        let Some((claim, job)) = self.held.remove(&id) else {
            return;
        };
        if let Err(e) = done
            && e.is_panic()
        {
            let now = Utc::now();
            let retry_at = job.retry().next_run(claim.attempt, now);
            tracing::error!(job = %claim.id, kind = %claim.kind, "job panicked");
            if let Err(e) = queue::fail(&db.write, &claim, "panicked", retry_at, now).await {
                tracing::error!(job = %claim.id, error = %e, "recording a panicked job failed");
            }
        }
    }

    /// Aborts what is still running after the grace period and releases its claims.
    async fn abandon(&mut self, db: &Db) {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
        for (claim, _) in std::mem::take(&mut self.held).into_values() {
            match queue::release(&db.write, &claim).await {
                Ok(true) => {
                    tracing::warn!(job = %claim.id, kind = %claim.kind, "job stopped by shutdown; released")
                }
                Ok(false) => {}
                Err(e) => tracing::error!(job = %claim.id, error = %e, "releasing a job failed"),
            }
        }
    }
}

/// Runs one claimed job as of `now` and records the outcome as of `finished()`: done, or
/// failed with a retry time.
async fn execute(
    job: &dyn Erased,
    db: &Db,
    claim: &Claimed,
    now: DateTime<Utc>,
    finished: impl FnOnce() -> DateTime<Utc>,
) -> anyhow::Result<()> {
    let ctx = JobContext {
        db: db.clone(),
        now,
        job_id: claim.id.clone(),
        dedupe_key: claim.dedupe_key.clone(),
        attempt: claim.attempt,
    };
    let outcome = job.run(&ctx, &claim.payload).await;
    let finished = finished();
    let still_ours = match outcome {
        Ok(()) => queue::complete(&db.write, claim, finished).await?,
        Err(e) => {
            let error = format!("{e:#}");
            let retry_at = job.retry().next_run(claim.attempt, finished);
            tracing::warn!(job = %claim.id, kind = %claim.kind, attempt = claim.attempt, retry_at = ?retry_at, error, "job failed");
            queue::fail(&db.write, claim, &error, retry_at, finished).await?
        }
    };
    if !still_ours {
        tracing::warn!(job = %claim.id, kind = %claim.kind, "job's lease was taken over before it finished; outcome not recorded");
    }
    Ok(())
}

/// Runs `tick` every `tick.every` until `stopped` turns true; a running tick is finished.
async fn tick_loop(tick: Tick, mut stopped: watch::Receiver<bool>) {
    let mut interval = tokio::time::interval_at(Instant::now() + tick.every, tick.every);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
        if let Err(e) = (tick.run)().await {
            tracing::warn!(
                tick = tick.name,
                error = format!("{e:#}"),
                "periodic task failed"
            );
        }
    }
}
