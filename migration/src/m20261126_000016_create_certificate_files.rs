use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000014_create_certificates::Certificates;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The PDF of each certificate, rendered once at issue. Kept in the database so every
/// instance serves exactly the same bytes.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CertificateFiles::Table)
                    .col(string(CertificateFiles::CertificateId).primary_key())
                    .col(blob(CertificateFiles::Pdf))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_certificate_files_certificate")
                            .from(CertificateFiles::Table, CertificateFiles::CertificateId)
                            .to(Certificates::Table, Certificates::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CertificateFiles::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CertificateFiles {
    Table,
    CertificateId,
    Pdf,
}
