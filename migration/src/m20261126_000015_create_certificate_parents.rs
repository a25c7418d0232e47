use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000014_create_certificates::Certificates;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The chain: which certificates a certificate rests on.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CertificateParents::Table)
                    .col(string(CertificateParents::CertificateId))
                    .col(string(CertificateParents::ParentId))
                    .primary_key(
                        Index::create()
                            .col(CertificateParents::CertificateId)
                            .col(CertificateParents::ParentId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_certificate_parents_child")
                            .from(CertificateParents::Table, CertificateParents::CertificateId)
                            .to(Certificates::Table, Certificates::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_certificate_parents_parent")
                            .from(CertificateParents::Table, CertificateParents::ParentId)
                            .to(Certificates::Table, Certificates::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CertificateParents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CertificateParents {
    Table,
    CertificateId,
    ParentId,
}
