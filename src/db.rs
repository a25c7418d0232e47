//! Database connections. SQLite gets one writer connection (so write transactions queue
//! in the pool instead of failing with `SQLITE_BUSY`) and a pool of readers; PostgreSQL
//! uses one pool for both.

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend};

/// The connections every capability call goes through.
#[derive(Debug, Clone)]
pub struct Db {
    /// Transactions and writes.
    pub write: DatabaseConnection,
    /// Reads that need no transaction.
    pub read: DatabaseConnection,
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`).
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            let write = Database::connect(sqlite_options(url, 1))
                .await
                .context("opening the SQLite database")?;
            let read = Database::connect(sqlite_options(url, 8))
                .await
                .context("opening the SQLite database for reading")?;
            Ok(Self { write, read })
        } else {
            let mut options = ConnectOptions::new(url.to_owned());
            options
                .max_connections(32)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                .sqlx_logging(false);
            let pool = Database::connect(options)
                .await
                .context("connecting to the database")?;
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
