use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_create_organisations::Organisations;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Accounts::Table)
                    .col(string(Accounts::Id).primary_key())
                    .col(string_uniq(Accounts::Login))
                    .col(string(Accounts::PasswordHash))
                    .col(string(Accounts::Role))
                    .col(string_null(Accounts::OrganisationId))
                    .col(string(Accounts::DisplayName))
                    .col(boolean(Accounts::Disabled).default(false))
                    .col(timestamp_with_time_zone(Accounts::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_accounts_organisation")
                            .from(Accounts::Table, Accounts::OrganisationId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_accounts_organisation")
                    .table(Accounts::Table)
                    .col(Accounts::OrganisationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Accounts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Accounts {
    Table,
    Id,
    Login,
    PasswordHash,
    Role,
    OrganisationId,
    DisplayName,
    Disabled,
    CreatedAt,
}
