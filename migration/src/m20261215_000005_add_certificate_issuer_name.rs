use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

use crate::m20261126_000014_create_certificates::Certificates;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The issuer's name as it stood when the certificate was issued, as the signed
/// credential states it (`issuer.name`): an organisation renamed later does not rename
/// the certificates it already issued. Existing rows take it from their credential.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Certificates::Table)
                    .add_column(string(CertificateIssuerName::IssuerName).default(""))
                    .to_owned(),
            )
            .await?;
        let from_credential = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "(credential::jsonb) -> 'issuer' ->> 'name'",
            _ => "json_extract(credential, '$.issuer.name')",
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "UPDATE certificates SET issuer_name = COALESCE({from_credential}, '')"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Certificates::Table)
                    .drop_column(CertificateIssuerName::IssuerName)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum CertificateIssuerName {
    IssuerName,
}
