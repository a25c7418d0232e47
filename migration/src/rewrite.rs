//! Rewriting the people table so that values it no longer holds (a dropped column, the
//! previous version of an updated row) are gone from the database files too, for the
//! migrations that remove personal data and for the start-up step that seals what earlier
//! versions stored in clear.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, DbErr};

/// `VACUUM` and an emptied write-ahead log on SQLite; `VACUUM FULL people` on PostgreSQL,
/// whose rewrite also stores a dropped column as null. Neither runs inside a transaction.
pub async fn rewrite_people(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            db.execute_unprepared("VACUUM").await?;
            db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                .await?;
        }
        DbBackend::Postgres => {
            db.execute_unprepared("VACUUM FULL people").await?;
        }
        _ => {}
    }
    Ok(())
}
