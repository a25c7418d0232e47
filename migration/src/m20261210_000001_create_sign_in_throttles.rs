use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Failed sign-ins counted per subject (a login, or a client address), shared by every
/// instance on the database: how many failures in the current window, when the window
/// began and when the last attempt was made, from which the delay or lock follows. A row
/// whose window and lock are both over is stale and may be deleted.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SignInThrottles::Table)
                    .col(string(SignInThrottles::Subject).primary_key())
                    .col(integer(SignInThrottles::Failures))
                    .col(timestamp_with_time_zone(SignInThrottles::WindowStartedAt))
                    .col(timestamp_with_time_zone(SignInThrottles::LastFailureAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sign_in_throttles_last_failure_at")
                    .table(SignInThrottles::Table)
                    .col(SignInThrottles::LastFailureAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SignInThrottles::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SignInThrottles {
    Table,
    Subject,
    Failures,
    WindowStartedAt,
    LastFailureAt,
}
