//! Building and running the application: data directory, database, migrations, router.
//! Tests call [`Application::build`] with their own [`Config`] and port 0.

use std::{net::SocketAddr, time::Duration};

use anyhow::Context;
use secrecy::ExposeSecret;
use tokio::{net::TcpListener, sync::watch};

use std::sync::Arc;

use sea_orm::TransactionTrait;

use crate::{
    auth::{password, throttle},
    certificates::{
        Services,
        credential::{KeyRing, did_web},
        pdf::Renderer,
    },
    clock::{Clock, Now},
    config::Config,
    db::Db,
    http::{
        self, AppState,
        rate_limit::Limiters,
        serve::{Connections, Limits},
    },
    instance::{self, Shared},
    jobs::Runner,
    mail::{Delivery, Transport},
    people::{self, PiiKeys},
    private_files,
    reminders::{self, Reminders},
    reports, standards,
    verification::{self, Index},
};

/// Creates the data directory (readable by its owner only), connects to the database,
/// applies migrations and seals what earlier versions stored in clear.
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    private_files::create_dir(&config.data_dir)?;
    let db = Db::connect(config.database_url.expose_secret()).await?;
    db.migrate().await?;
    people::at_rest::seal_clear_phones(&db, || pii_keys(config)).await?;
    load_reference_data(&db, Clock::system(config.utc_offset).now()).await?;
    Ok(db)
}

/// Loads the bundled standards the database lacks, in one transaction. When another
/// instance loads them at the same moment, the unique index refuses ours and the retry
/// finds them present.
async fn load_reference_data(db: &Db, now: Now) -> anyhow::Result<()> {
    let mut attempts = 0;
    loop {
        let txn = db.write.begin().await?;
        match standards::load_bundled(&txn, now).await {
            Ok(loaded) => {
                txn.commit().await?;
                if loaded > 0 {
                    tracing::info!(loaded, "bundled local standards loaded");
                }
                return Ok(());
            }
            Err(e) if attempts == 0 => {
                attempts += 1;
                tracing::warn!(error = %e, "loading bundled standards failed; retrying once");
                txn.rollback().await?;
            }
            Err(e) => return Err(e),
        }
    }
}

/// The keys that seal citizen IDs: from configuration, or the data directory's key file.
pub fn pii_keys(config: &Config) -> anyhow::Result<PiiKeys> {
    match &config.pii_key {
        Some(key) => PiiKeys::from_base64(key.expose_secret()).context("REGISTRY_PII_KEY"),
        None => PiiKeys::load_or_create(&config.data_dir),
    }
}

/// The credential signing keys: from configuration, or the data directory.
pub fn signing_keys(config: &Config) -> anyhow::Result<KeyRing> {
    match &config.signing_key {
        Some(key) => {
            let (id, secret) = key
                .expose_secret()
                .split_once(':')
                .context("REGISTRY_SIGNING_KEY must be <key id>:<secretKeyMultibase>")?;
            KeyRing::from_secret_multibase(id, secret)
                .map_err(|e| anyhow::anyhow!("REGISTRY_SIGNING_KEY: {e}"))
        }
        None => KeyRing::load_or_create(&config.data_dir)
            .map_err(|e| anyhow::anyhow!("signing keys: {e}")),
    }
}

/// Everything issuing needs: keys, renderer, public addresses.
pub fn certificate_services(config: &Config, pii: Arc<PiiKeys>) -> anyhow::Result<Services> {
    let renderer = Renderer::from_dir(&config.certs_dir).with_context(|| {
        format!(
            "loading certificate layouts from {}",
            config.certs_dir.display()
        )
    })?;
    Ok(Services {
        pii,
        signing: signing_keys(config)?,
        renderer,
        did: did_web(&config.base_url),
        base_url: config.base_url.clone(),
        region_code: config.region_code.clone(),
        pinned_standards: Default::default(),
    })
}

/// A bound, migrated, ready-to-serve registry.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let db = open_database(&config).await?;
        let listener = TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("binding {}", config.bind))?;
        let pii: Arc<PiiKeys> = pii_keys(&config)?.into();
        let clock = Arc::new(Clock::system(config.utc_offset));
        let certs = certificate_services(&config, Arc::clone(&pii))?;
        instance::ensure_shared(&db, &Shared::of(&certs), clock.now()).await?;
        let limiters = Limiters::new(
            config.verify_rate_per_minute,
            config.holder_match_per_hour,
            config.holder_match_per_client_per_hour,
        );
        let sign_in = throttle::Policy::new(
            config.sign_in_delay_after,
            config.sign_in_lock_after,
            config.sign_in_window_minutes,
            config.sign_in_lock_minutes,
        );
        let connections = Arc::new(Connections::new(config.max_connections));
        let certs: Arc<Services> = certs.into();
        let verification = Index::new(&db.read, Arc::clone(&certs))
            .await
            .context("preparing the verification index")?;
        let state = AppState::new(http::Shared {
            config: config.into(),
            db,
            pii,
            certs,
            limiters,
            sign_in,
            passwords: password::Checker::per_core(),
            connections,
            verification: verification.into(),
            status_lists: Default::default(),
            clock,
        });
        Ok(Self { listener, state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| self.state.config.bind)
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    pub fn pii(&self) -> &PiiKeys {
        &self.state.pii
    }

    /// The clock requests act at; tests move it instead of sleeping.
    pub fn clock(&self) -> Arc<Clock> {
        Arc::clone(&self.state.clock)
    }

    /// Serves HTTP and runs this instance's background work until Ctrl-C or SIGTERM. Both
    /// stop on the same signal: the server finishes its requests, the runner its jobs
    /// (within its grace period), releasing what it could not finish.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        verification::index::spawn_fill(
            Arc::clone(&self.state.verification),
            self.state.db.read.clone(),
        );
        // Rows written straight into the database (a restore, a bulk load) are tallied
        // by its triggers unfolded: folded once now rather than at the first tick.
        let folding = self.state.db.write.clone();
        tokio::spawn(async move {
            if let Err(e) = reports::tally::fold(&folding, reports::tally::FOLD_SURPLUS).await {
                tracing::warn!(error = %e, "folding the report tallies at start");
            }
        });
        let runner = background_work(&self.state)?;
        let stop = Arc::new(watch::Sender::new(false));
        let stopping = stop.subscribe();
        let on_signal = Arc::clone(&stop);
        tokio::spawn(async move {
            shutdown_signal().await;
            on_signal.send_replace(true);
        });
        let config = &self.state.config;
        let limits = Limits {
            header_read: config.header_read_timeout,
            body_read: config.body_read_timeout,
            idle: config.idle_timeout,
            max_connections: config.max_connections,
        };
        let connections = Arc::clone(&self.state.connections);
        let router = http::router(self.state);
        let serve = http::serve::serve(
            self.listener,
            router,
            limits,
            connections,
            stopped(stopping.clone()),
        );
        // Whatever ends the server ends the runner too.
        let serve = async move {
            serve.await;
            stop.send_replace(true);
        };
        let ((), ran) = tokio::join!(serve, runner.run(stopped(stopping)));
        ran.context("running background jobs")
    }
}

/// The mail delivery job as configured: SMTP from `REGISTRY_SMTP_URL`, else `.eml` files
/// under the data directory's `mail/`.
pub fn mail_delivery(config: &Config) -> anyhow::Result<Delivery> {
    let url = config
        .smtp_url
        .as_ref()
        .map(|u| u.expose_secret().to_owned());
    let transport = Transport::new(url.as_deref(), &config.data_dir)?;
    Delivery::new(transport, &config.mail_from, &config.mail_domain())
}

/// The job runner of one instance, with every queued job kind and periodic tick
/// registered: mail delivery (unless `REGISTRY_MAIL_DELIVERY=0`). Each instance keeps its
/// own verification index current from the audit log, and prunes its rate limiters and the
/// sign-in throttle's stale rows. Every hour each instance queues the reminders due
/// today (idempotent, so several instances and restarts queue each once); every five
/// minutes it folds the report tallies (safe beside another instance doing the same).
fn background_work(state: &AppState) -> anyhow::Result<Runner> {
    let (index, conn) = (Arc::clone(&state.verification), state.db.read.clone());
    let limited = state.clone();
    let reminding = state.clone();
    let folding = state.db.write.clone();
    let mut runner = Runner::new(state.db.clone());
    if state.config.mail_delivery {
        runner = runner.job(mail_delivery(&state.config)?);
    }
    Ok(runner
        .tick(
            "verification-index",
            Duration::from_millis(state.config.verify_sync_ms),
            move || {
                let (index, conn) = (Arc::clone(&index), conn.clone());
                async move {
                    index
                        .catch_up(&conn)
                        .await
                        .context("applying the audit log to the verification index")
                }
            },
        )
        .tick("reminders", Duration::from_secs(60 * 60), move || {
            let state = reminding.clone();
            async move {
                let reminders = Reminders {
                    schedules: state.config.reminders.clone(),
                    base_url: state.config.base_url.clone(),
                };
                reminders::run(&state.db, &reminders, state.now())
                    .await
                    .context("queueing the reminders due today")?;
                Ok(())
            }
        })
        .tick("report-tallies", Duration::from_secs(5 * 60), move || {
            let db = folding.clone();
            async move {
                reports::tally::fold(&db, reports::tally::FOLD_SURPLUS)
                    .await
                    .context("folding the report tallies")
            }
        })
        .tick("rate-limiters", Duration::from_secs(60), move || {
            let state = limited.clone();
            async move {
                state.limiters.prune();
                throttle::prune(&state.db.write, &state.sign_in, state.now())
                    .await
                    .context("pruning the sign-in throttle")?;
                Ok(())
            }
        }))
}

/// Resolves once the shutdown signal has been given.
async fn stopped(mut stopping: watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
