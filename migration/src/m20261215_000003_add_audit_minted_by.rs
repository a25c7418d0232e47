use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// For an entry written with a token that someone else made (an integration token): the
/// account that made it, beside the token's own account, which is the actor.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        for column in [AuditMintedBy::MintedById, AuditMintedBy::MintedByLabel] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditMintedBy::AuditLog)
                        .add_column(string_null(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [AuditMintedBy::MintedById, AuditMintedBy::MintedByLabel] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditMintedBy::AuditLog)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AuditMintedBy {
    AuditLog,
    MintedById,
    MintedByLabel,
}
