use sea_orm_migration::{prelude::*, schema::*};

use crate::{m20261126_000008_create_people::People, rewrite::rewrite_people};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// People keep no birth date: it is exactly the part of the ID number that the masked
/// form hides, so storing it let anyone with a copy of the database rebuild every number.
/// Age rules read it from the ID number at enrolment instead.
///
/// Dropping a column leaves its values on disk (SQLite in the pages' free space,
/// PostgreSQL in every row version until the row is rewritten), so the table is rewritten
/// afterwards. Neither `VACUUM` can run inside a transaction; the drop is skipped when it
/// already happened, so a run interrupted between the two steps is simply run again.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(false)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.has_column("people", "birth_date").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(People::Table)
                        .drop_column(People::BirthDate)
                        .to_owned(),
                )
                .await?;
        }
        rewrite_people(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The dates are gone; the column comes back empty.
        manager
            .alter_table(
                Table::alter()
                    .table(People::Table)
                    .add_column(date_null(People::BirthDate))
                    .to_owned(),
            )
            .await
    }
}
