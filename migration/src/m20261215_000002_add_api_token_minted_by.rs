use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000003_create_api_tokens::ApiTokens;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Who made a token for another account (an integration token made by a bureau
/// administrator); empty for a token its own account signed in for.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApiTokens::Table)
                    .add_column(string_null(ApiTokenMintedBy::MintedBy))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApiTokens::Table)
                    .drop_column(ApiTokenMintedBy::MintedBy)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ApiTokenMintedBy {
    MintedBy,
}
