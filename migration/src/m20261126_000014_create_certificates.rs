use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261126_000001_create_organisations::Organisations, m20261126_000008_create_people::People,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Issued certificates. `grounds_key` makes issuing idempotent (the same grounds never
/// give two certificates); the signed credential is frozen in `credential`.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Certificates::Table)
                    .col(string(Certificates::Id).primary_key())
                    .col(string_uniq(Certificates::Number))
                    .col(string(Certificates::Kind))
                    .col(string(Certificates::Status))
                    .col(string(Certificates::PersonId))
                    .col(string(Certificates::IssuerOrgId))
                    .col(string_null(Certificates::ProgramId))
                    .col(string_null(Certificates::EnrolmentId))
                    .col(string_null(Certificates::AssessmentId))
                    .col(string_null(Certificates::StandardId))
                    .col(string_null(Certificates::OccupationCode))
                    .col(string_null(Certificates::LevelCode))
                    .col(string_uniq(Certificates::GroundsKey))
                    .col(string_uniq(Certificates::Token))
                    .col(big_integer_uniq(Certificates::StatusIndex))
                    .col(date(Certificates::ValidFrom))
                    .col(date_null(Certificates::ValidUntil))
                    .col(text(Certificates::Credential))
                    .col(string(Certificates::CredentialSha256))
                    .col(string(Certificates::PdfSha256))
                    .col(string(Certificates::IssuedBy))
                    .col(timestamp_with_time_zone(Certificates::IssuedAt))
                    .col(timestamp_with_time_zone_null(Certificates::SuspendedAt))
                    .col(string_null(Certificates::SuspendReason))
                    .col(timestamp_with_time_zone_null(Certificates::RevokedAt))
                    .col(string_null(Certificates::RevokeReason))
                    .col(string_null(Certificates::SupersedesId))
                    .col(string_null(Certificates::SupersededById))
                    .col(timestamp_with_time_zone_null(Certificates::SupersededAt))
                    .col(timestamp_with_time_zone(Certificates::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_certificates_person")
                            .from(Certificates::Table, Certificates::PersonId)
                            .to(People::Table, People::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_certificates_issuer")
                            .from(Certificates::Table, Certificates::IssuerOrgId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_certificates_person")
                    .table(Certificates::Table)
                    .col(Certificates::PersonId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Certificates::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Certificates {
    Table,
    Id,
    Number,
    Kind,
    Status,
    PersonId,
    IssuerOrgId,
    ProgramId,
    EnrolmentId,
    AssessmentId,
    StandardId,
    OccupationCode,
    LevelCode,
    GroundsKey,
    Token,
    StatusIndex,
    ValidFrom,
    ValidUntil,
    Credential,
    CredentialSha256,
    PdfSha256,
    IssuedBy,
    IssuedAt,
    SuspendedAt,
    SuspendReason,
    RevokedAt,
    RevokeReason,
    SupersedesId,
    SupersededById,
    SupersededAt,
    UpdatedAt,
}
