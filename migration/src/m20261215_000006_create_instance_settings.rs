use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What every instance on this database must share, as the first instance recorded it:
/// a check value of the PII key (never the key), the signing key ring's public keys and
/// the public base URL, one row per setting. An instance whose own differ refuses to
/// start.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InstanceSettings::Table)
                    .col(string(InstanceSettings::Name).primary_key())
                    .col(text(InstanceSettings::Value))
                    .col(timestamp_with_time_zone(InstanceSettings::RecordedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(InstanceSettings::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum InstanceSettings {
    Table,
    Name,
    Value,
    RecordedAt,
}
