use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organisations::Table)
                    .col(string(Organisations::Id).primary_key())
                    .col(string(Organisations::Kind))
                    .col(string(Organisations::Name))
                    .col(string_uniq(Organisations::CreditCode))
                    .col(string(Organisations::Status))
                    .col(string_null(Organisations::Address))
                    .col(string_null(Organisations::ContactPhone))
                    .col(timestamp_with_time_zone(Organisations::CreatedAt))
                    .col(timestamp_with_time_zone(Organisations::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_organisations_kind")
                    .table(Organisations::Table)
                    .col(Organisations::Kind)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Organisations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Organisations {
    Table,
    Id,
    Kind,
    Name,
    CreditCode,
    Status,
    Address,
    ContactPhone,
    CreatedAt,
    UpdatedAt,
}
