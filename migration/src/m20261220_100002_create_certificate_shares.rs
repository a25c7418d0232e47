use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000014_create_certificates::Certificates;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Share links a holder makes for one certificate: each its own random token, stored only
/// as its SHA-256 (`token_hash`), viewable through `expires_on` (a day in the registry's
/// zone) unless revoked first; `last_opened_at` is written at most once a minute per link.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CertificateShares::Table)
                    .col(string(CertificateShares::Id).primary_key())
                    .col(string(CertificateShares::CertificateId))
                    .col(string_uniq(CertificateShares::TokenHash))
                    .col(date(CertificateShares::ExpiresOn))
                    .col(string(CertificateShares::CreatedBy))
                    .col(timestamp_with_time_zone(CertificateShares::CreatedAt))
                    .col(timestamp_with_time_zone_null(CertificateShares::RevokedAt))
                    .col(timestamp_with_time_zone_null(
                        CertificateShares::LastOpenedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_certificate_shares_certificate")
                            .from(CertificateShares::Table, CertificateShares::CertificateId)
                            .to(Certificates::Table, Certificates::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_certificate_shares_certificate")
                    .table(CertificateShares::Table)
                    .col(CertificateShares::CertificateId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CertificateShares::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CertificateShares {
    Table,
    Id,
    CertificateId,
    TokenHash,
    ExpiresOn,
    CreatedBy,
    CreatedAt,
    RevokedAt,
    LastOpenedAt,
}
