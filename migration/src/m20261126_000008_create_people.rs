use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_accounts::Accounts;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Trainees. The citizen ID is stored only sealed (AES-256-GCM) and as a keyed blind
/// index (HMAC-SHA-256) for look-up; `citizen_id_masked` is the form everyone may see.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(People::Table)
                    .col(string(People::Id).primary_key())
                    .col(string(People::Name))
                    .col(text(People::CitizenIdSealed))
                    .col(string_uniq(People::CitizenIdIndex))
                    .col(string(People::CitizenIdMasked))
                    .col(string(People::Gender))
                    .col(date(People::BirthDate))
                    .col(string_null(People::Phone))
                    .col(text(People::KeyGroups))
                    .col(string_null(People::AccountId).unique_key())
                    .col(timestamp_with_time_zone(People::CreatedAt))
                    .col(timestamp_with_time_zone(People::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_people_account")
                            .from(People::Table, People::AccountId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(People::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum People {
    Table,
    Id,
    Name,
    CitizenIdSealed,
    CitizenIdIndex,
    CitizenIdMasked,
    Gender,
    BirthDate,
    Phone,
    KeyGroups,
    AccountId,
    CreatedAt,
    UpdatedAt,
}
