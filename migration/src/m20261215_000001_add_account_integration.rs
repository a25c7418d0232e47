use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_accounts::Accounts;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Marks the accounts that stand for another system rather than a person: they have no
/// password, never sign in, and act only with tokens the bureau makes for them.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .add_column(boolean(AccountIntegration::Integration).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .drop_column(AccountIntegration::Integration)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum AccountIntegration {
    Integration,
}
