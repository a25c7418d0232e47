//! The dashboard's counts as the database keeps them (migration `create_report_tallies`):
//! triggers on certificates, enrolments and key-group tags append a row of +1 or -1 for
//! every change to what [`super::actuals`] counts, in the writing transaction itself, and
//! [`fold`] sums those rows into one per key from time to time. A year's dashboard then
//! reads a few thousand rows, not a million.
//!
//! The tallies follow the measures' definitions: certificates counted as
//! [`actuals::counted_certificates`] counts them (re-issues not), by kind, issue day and
//! status; enrolments counted as [`actuals::counted_enrolments`] counts them (not
//! withdrawn), by cohort — whose end day and provider are joined here — and by key group
//! (`''` everyone, `'*'` anyone with a tag, else the group). `tests/api/report_tallies.rs`
//! holds them against the live counts after every kind of change.
//!
//! [`actuals::counted_certificates`]: super::actuals::counted_certificates
//! [`actuals::counted_enrolments`]: super::actuals::counted_enrolments

use chrono::NaiveDate;
use entities::{
    cohorts as cohort, report_certificate_tallies as certificate_tally,
    report_enrolment_tallies as enrolment_tally,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, JoinType,
    QueryFilter, QuerySelect, Statement, TransactionTrait,
    sea_query::{Alias, Expr, Func},
};

use crate::error::AppError;

/// The key-group word of every enrolment counted.
pub const EVERYONE: &str = "";
/// The key-group word of the enrolments of people with at least one key-group tag.
pub const ANY_GROUP: &str = "*";

/// `SUM(n)` as a 64-bit integer on both databases (PostgreSQL sums `bigint` to `numeric`).
fn total<C: ColumnTrait>(n: C) -> Expr {
    Func::cast_as(Func::sum(Expr::col(n)), Alias::new("bigint")).into()
}

/// Certificates issued within `from..=to`, re-issues not counted: (kind, issue day,
/// status, count), counts of zero left out.
pub async fn certificates(
    conn: &impl ConnectionTrait,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<(String, NaiveDate, String, i64)>, AppError> {
    let rows: Vec<(String, NaiveDate, String, i64)> = certificate_tally::Entity::find()
        .select_only()
        .column(certificate_tally::Column::Kind)
        .column(certificate_tally::Column::ValidFrom)
        .column(certificate_tally::Column::Status)
        .column_as(total(certificate_tally::Column::N), "n")
        .filter(certificate_tally::Column::ValidFrom.between(from, to))
        .group_by(certificate_tally::Column::Kind)
        .group_by(certificate_tally::Column::ValidFrom)
        .group_by(certificate_tally::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().filter(|r| r.3 != 0).collect())
}

/// Enrolments not withdrawn in cohorts that ended within `from..=to`: (end day, provider,
/// key-group word, count), counts of zero left out.
pub async fn enrolments(
    conn: &impl ConnectionTrait,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<(NaiveDate, String, String, i64)>, AppError> {
    let of_cohort = enrolment_tally::Entity::belongs_to(cohort::Entity)
        .from(enrolment_tally::Column::CohortId)
        .to(cohort::Column::Id)
        .into();
    let rows: Vec<(NaiveDate, String, String, i64)> = enrolment_tally::Entity::find()
        .select_only()
        .column(cohort::Column::EndsOn)
        .column(cohort::Column::ProviderId)
        .column(enrolment_tally::Column::KeyGroup)
        .column_as(total(enrolment_tally::Column::N), "n")
        .join(JoinType::InnerJoin, of_cohort)
        .filter(cohort::Column::EndsOn.between(from, to))
        .group_by(cohort::Column::EndsOn)
        .group_by(cohort::Column::ProviderId)
        .group_by(enrolment_tally::Column::KeyGroup)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().filter(|r| r.3 != 0).collect())
}

/// How many rows more than keys a tally holds before the periodic fold writes: below it
/// reading the rows costs less than the write, which on SQLite would contend with every
/// other writer (another instance's requests included).
pub const FOLD_SURPLUS: u64 = 1_000;

/// Sums the rows of each tally holding at least `surplus` rows more than it has keys into
/// one row per key (dropping keys that sum to zero), so reading stays quick; safe beside
/// writers and another instance folding at the same time.
pub async fn fold(conn: &DatabaseConnection, surplus: u64) -> Result<(), AppError> {
    for (table, key) in [
        ("report_certificate_tallies", "kind, valid_from, status"),
        ("report_enrolment_tallies", "cohort_id, key_group"),
    ] {
        let count = |sql: String| async move {
            let row = conn
                .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
                .await?;
            Ok::<_, AppError>(
                row.and_then(|r| r.try_get::<i64>("", "n").ok())
                    .unwrap_or(0),
            )
        };
        let rows = count(format!("SELECT COUNT(*) AS n FROM {table}")).await?;
        let keys = count(format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM {table} GROUP BY {key}) AS k"
        ))
        .await?;
        if rows.saturating_sub(keys) < surplus as i64 {
            continue;
        }
        let txn = conn.begin().await?;
        let sum = format!("INSERT INTO {table} ({key}, n) SELECT {key}, SUM(n)");
        let group = format!("GROUP BY {key} HAVING SUM(n) <> 0");
        match txn.get_database_backend() {
            // One statement, one snapshot: the rows it deletes are the rows it sums; rows
            // committed meanwhile are neither, and wait for the next fold. A second fold
            // at the same time finds the rows gone and deletes nothing twice.
            DbBackend::Postgres => {
                txn.execute_unprepared(&format!(
                    "WITH gone AS (DELETE FROM {table} RETURNING {key}, n) {sum} FROM gone {group}"
                ))
                .await?;
            }
            // SQLite: take the write lock first (a statement that writes, here nothing),
            // so that no other connection writes between reading the newest row and
            // deleting up to it.
            _ => {
                txn.execute_unprepared(&format!("DELETE FROM {table} WHERE id < 0"))
                    .await?;
                let newest = txn
                    .query_one_raw(Statement::from_string(
                        DbBackend::Sqlite,
                        format!("SELECT MAX(id) AS newest FROM {table}"),
                    ))
                    .await?
                    .and_then(|row| row.try_get::<Option<i64>>("", "newest").ok())
                    .flatten();
                let Some(newest) = newest else {
                    txn.rollback().await?;
                    continue;
                };
                txn.execute_unprepared(&format!("{sum} FROM {table} WHERE id <= {newest} {group}"))
                    .await?;
                txn.execute_unprepared(&format!("DELETE FROM {table} WHERE id <= {newest}"))
                    .await?;
            }
        }
        txn.commit().await?;
    }
    Ok(())
}
