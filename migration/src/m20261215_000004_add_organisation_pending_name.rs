use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_create_organisations::Organisations;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The name an organisation asked to be known by, until the bureau approves or rejects
/// it; the name in force stays `name` meanwhile.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Organisations::Table)
                    .add_column(string_null(OrganisationPendingName::PendingName))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Organisations::Table)
                    .drop_column(OrganisationPendingName::PendingName)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum OrganisationPendingName {
    PendingName,
}
