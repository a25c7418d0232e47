//! Database connections. SQLite gets one writer connection (so write transactions queue
//! in the pool instead of failing with `SQLITE_BUSY`) and a pool of readers; PostgreSQL
//! uses one pool for both. Also [`linked`], reading the row a foreign key points to.

use std::{cell::Cell, time::Duration};

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, EntityTrait,
    PrimaryKeyTrait,
};

use crate::{error::AppError, private_files};

/// The connections every capability call goes through.
#[derive(Debug, Clone)]
pub struct Db {
    /// Transactions and writes.
    pub write: DatabaseConnection,
    /// Reads that need no transaction.
    pub read: DatabaseConnection,
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`). A SQLite file that does not
    /// exist yet is created readable by its owner only (SQLite gives its `-wal` and `-shm`
    /// files the same mode).
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            if let Some(path) = sqlite_file(url) {
                private_files::create_once(&path, b"")
                    .with_context(|| format!("creating the database file {}", path.display()))?;
            }
            let mut write = Database::connect(sqlite_options(url, 1))
                .await
                .context("opening the SQLite database")?;
            let mut read = Database::connect(sqlite_options(url, 8))
                .await
                .context("opening the SQLite database for reading")?;
            counted(&mut write);
            counted(&mut read);
            Ok(Self { write, read })
        } else {
            let mut options = ConnectOptions::new(url.to_owned());
            options
                .max_connections(32)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                .sqlx_logging(false);
            let mut pool = Database::connect(options)
                .await
                .context("connecting to the database")?;
            counted(&mut pool);
            Ok(Self {
                write: pool.clone(),
                read: pool,
            })
        }
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        Migrator::up(&self.write, None)
            .await
            .context("applying database migrations")
    }

    pub fn backend(&self) -> DbBackend {
        self.write.get_database_backend()
    }
}

tokio::task_local! {
    /// The statements the task has run inside [`count_statements`].
    static STATEMENTS: Cell<u32>;
}

/// Runs `work` and counts the SQL statements it runs in this task (transactions included;
/// work handed to another task is not counted).
pub async fn count_statements<T>(work: impl Future<Output = T>) -> (T, u32) {
    STATEMENTS
        .scope(Cell::new(0), async move {
            let done = work.await;
            (done, STATEMENTS.with(Cell::get))
        })
        .await
}

/// Every statement through `conn` counts toward the running task's [`count_statements`],
/// if any.
fn counted(conn: &mut DatabaseConnection) {
    conn.set_metric_callback(|_| {
        let _ = STATEMENTS.try_with(|n| n.set(n.get() + 1));
    });
}

/// The row of `E` a foreign key points to. The schema guarantees it, so a missing one is
/// corrupt data: an internal error, described by `broken`.
pub async fn linked<E>(
    conn: &impl ConnectionTrait,
    id: &str,
    broken: impl FnOnce() -> String,
) -> Result<E::Model, AppError>
where
    E: EntityTrait,
    String: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    E::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!(broken())))
}

/// The file a `sqlite:` URL names, unless it is an in-memory database.
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let (path, options) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory =
        path.is_empty() || path == ":memory:" || options.split('&').any(|o| o == "mode=memory");
    (!in_memory).then(|| std::path::PathBuf::from(path))
}

fn sqlite_options(url: &str, max_connections: u32) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts: SqliteConnectOptions| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
        });
    options
}

/// The most bound parameters one statement carries: below both SQLite's limit (32,766
/// since 3.32) and PostgreSQL's (65,535).
pub const MAX_BOUND_PARAMETERS: usize = 30_000;

/// How many rows of `columns` columns one multi-row insert may carry.
pub fn rows_per_insert(columns: usize) -> usize {
    (MAX_BOUND_PARAMETERS / columns.max(1)).max(1)
}
