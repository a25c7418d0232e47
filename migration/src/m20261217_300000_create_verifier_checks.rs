use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_create_organisations::Organisations;
use crate::m20261126_000014_create_certificates::Certificates;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The certificates an employer has checked (by number, by an uploaded file or by the QR
/// code while signed in), kept for that employer's own records only: one row per
/// organisation and certificate, moved forward each time it is checked again.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(VerifierChecks::Table)
                    .col(string(VerifierChecks::Id).primary_key())
                    .col(string(VerifierChecks::OrganisationId))
                    .col(string(VerifierChecks::CertificateId))
                    .col(string(VerifierChecks::CheckedBy))
                    .col(string(VerifierChecks::Via))
                    .col(integer(VerifierChecks::Times))
                    .col(timestamp_with_time_zone(VerifierChecks::FirstCheckedAt))
                    .col(timestamp_with_time_zone(VerifierChecks::LastCheckedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_verifier_checks_organisation")
                            .from(VerifierChecks::Table, VerifierChecks::OrganisationId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_verifier_checks_certificate")
                            .from(VerifierChecks::Table, VerifierChecks::CertificateId)
                            .to(Certificates::Table, Certificates::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_verifier_checks_organisation_certificate")
                    .table(VerifierChecks::Table)
                    .col(VerifierChecks::OrganisationId)
                    .col(VerifierChecks::CertificateId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_verifier_checks_organisation_last")
                    .table(VerifierChecks::Table)
                    .col(VerifierChecks::OrganisationId)
                    .col(VerifierChecks::LastCheckedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(VerifierChecks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum VerifierChecks {
    Table,
    Id,
    OrganisationId,
    CertificateId,
    CheckedBy,
    Via,
    Times,
    FirstCheckedAt,
    LastCheckedAt,
}
