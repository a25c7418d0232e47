use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Versioned local industry standards (专项职业能力考核规范). The specification itself is
/// one JSON document per version; a published version never changes.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Standards::Table)
                    .col(string(Standards::Id).primary_key())
                    .col(string(Standards::Code))
                    .col(integer(Standards::Version))
                    .col(string(Standards::Status))
                    .col(string(Standards::Name))
                    .col(string(Standards::ShortName))
                    .col(string_null(Standards::OccupationCode))
                    .col(string(Standards::Issuer))
                    .col(integer(Standards::ReferenceHours))
                    .col(text(Standards::Spec))
                    .col(string(Standards::SpecHash))
                    .col(string_null(Standards::SupersedesId))
                    .col(timestamp_with_time_zone_null(Standards::PublishedAt))
                    .col(timestamp_with_time_zone_null(Standards::RetiredAt))
                    .col(timestamp_with_time_zone(Standards::CreatedAt))
                    .col(timestamp_with_time_zone(Standards::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_standards_code_version")
                    .table(Standards::Table)
                    .col(Standards::Code)
                    .col(Standards::Version)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Standards::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Standards {
    Table,
    Id,
    Code,
    Version,
    Status,
    Name,
    ShortName,
    OccupationCode,
    Issuer,
    ReferenceHours,
    Spec,
    SpecHash,
    SupersedesId,
    PublishedAt,
    RetiredAt,
    CreatedAt,
    UpdatedAt,
}
