use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000008_create_people::People;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Corrections are records, not edits: each correction of a person's name or phone, with
/// the value before and after (a phone number sealed, as in `people`), the reason, the
/// evidence checked, who made it and the certificates re-issued because of it.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PersonCorrections::Table)
                    .col(string(PersonCorrections::Id).primary_key())
                    .col(string(PersonCorrections::PersonId))
                    .col(string(PersonCorrections::Field))
                    .col(text_null(PersonCorrections::OldValue))
                    .col(text(PersonCorrections::NewValue))
                    .col(text(PersonCorrections::Reason))
                    .col(text_null(PersonCorrections::Evidence))
                    .col(text(PersonCorrections::Reissued))
                    .col(string(PersonCorrections::CorrectedBy))
                    .col(string_null(PersonCorrections::OrganisationId))
                    .col(timestamp_with_time_zone(PersonCorrections::CorrectedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_person_corrections_person")
                            .from(PersonCorrections::Table, PersonCorrections::PersonId)
                            .to(People::Table, People::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_person_corrections_person_id")
                    .table(PersonCorrections::Table)
                    .col(PersonCorrections::PersonId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PersonCorrections::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PersonCorrections {
    Table,
    Id,
    PersonId,
    Field,
    OldValue,
    NewValue,
    Reason,
    Evidence,
    Reissued,
    CorrectedBy,
    OrganisationId,
    CorrectedAt,
}
