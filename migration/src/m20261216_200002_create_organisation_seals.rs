use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_create_organisations::Organisations;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The seal image an issuing organisation uploaded (a PNG with a transparent background,
/// checked and re-encoded by the registry), printed on the certificates it issues. Public,
/// so not sealed. Replaced when a new one is uploaded; certificates already issued keep
/// the seal they were rendered with.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OrganisationSeals::Table)
                    .col(string(OrganisationSeals::OrganisationId).primary_key())
                    .col(blob(OrganisationSeals::Png))
                    .col(string(OrganisationSeals::Sha256))
                    .col(integer(OrganisationSeals::Width))
                    .col(integer(OrganisationSeals::Height))
                    .col(string(OrganisationSeals::UploadedBy))
                    .col(timestamp_with_time_zone(OrganisationSeals::UploadedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_organisation_seals_organisation")
                            .from(OrganisationSeals::Table, OrganisationSeals::OrganisationId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OrganisationSeals::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum OrganisationSeals {
    Table,
    OrganisationId,
    Png,
    Sha256,
    Width,
    Height,
    UploadedBy,
    UploadedAt,
}
