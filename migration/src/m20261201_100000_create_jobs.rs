use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Queued background work, written in the same transaction as the change that causes it
/// and claimed by workers with a lease. `(kind, dedupe_key)` is unique, so enqueueing the
/// same thing twice leaves one row. A row is due while `finished_at` is empty, `run_at` has
/// passed and no unexpired lease holds it; a finished row with a `last_error` is one that
/// gave up, and is kept with its error.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .col(string(Jobs::Id).primary_key())
                    .col(string(Jobs::Kind))
                    .col(string(Jobs::DedupeKey))
                    .col(text(Jobs::Payload))
                    .col(timestamp_with_time_zone(Jobs::RunAt))
                    .col(integer(Jobs::Attempts))
                    .col(string_null(Jobs::LeaseOwner))
                    .col(timestamp_with_time_zone_null(Jobs::LeaseExpiresAt))
                    .col(timestamp_with_time_zone_null(Jobs::FinishedAt))
                    .col(text_null(Jobs::LastError))
                    .col(timestamp_with_time_zone(Jobs::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_jobs_kind_dedupe_key")
                    .table(Jobs::Table)
                    .col(Jobs::Kind)
                    .col(Jobs::DedupeKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_due")
                    .table(Jobs::Table)
                    .col(Jobs::Kind)
                    .col(Jobs::FinishedAt)
                    .col(Jobs::RunAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Jobs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    DedupeKey,
    Payload,
    RunAt,
    Attempts,
    LeaseOwner,
    LeaseExpiresAt,
    FinishedAt,
    LastError,
    CreatedAt,
}
