use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261126_000001_create_organisations::Organisations,
    m20261126_000007_create_standards::Standards,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Training programs of a provider: what they train for and which certificates they
/// lead to under which rules (`certificates`, JSON).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Programs::Table)
                    .col(string(Programs::Id).primary_key())
                    .col(string(Programs::ProviderId))
                    .col(string(Programs::Title))
                    .col(integer(Programs::Hours))
                    .col(string_null(Programs::StandardId))
                    .col(string_null(Programs::OccupationCode))
                    .col(string_null(Programs::LevelCode))
                    .col(integer(Programs::MinAge))
                    .col(integer(Programs::MaxAge))
                    .col(text(Programs::Certificates))
                    .col(timestamp_with_time_zone(Programs::CreatedAt))
                    .col(timestamp_with_time_zone(Programs::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_programs_provider")
                            .from(Programs::Table, Programs::ProviderId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_programs_standard")
                            .from(Programs::Table, Programs::StandardId)
                            .to(Standards::Table, Standards::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_programs_provider")
                    .table(Programs::Table)
                    .col(Programs::ProviderId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Programs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Programs {
    Table,
    Id,
    ProviderId,
    Title,
    Hours,
    StandardId,
    OccupationCode,
    LevelCode,
    MinAge,
    MaxAge,
    Certificates,
    CreatedAt,
    UpdatedAt,
}
