use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A certificate suspended because a certificate it rests on was revoked or suspended
/// names that parent here; reinstating the parent reinstates exactly these.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Certificates::Table)
                    .add_column(string_null(Certificates::GroundsFellId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_certificates_grounds_fell_id")
                    .table(Certificates::Table)
                    .col(Certificates::GroundsFellId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_certificates_grounds_fell_id")
                    .table(Certificates::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Certificates::Table)
                    .drop_column(Certificates::GroundsFellId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    GroundsFellId,
}
