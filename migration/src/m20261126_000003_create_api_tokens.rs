use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_accounts::Accounts;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(string(ApiTokens::Id).primary_key())
                    .col(string(ApiTokens::AccountId))
                    .col(string_uniq(ApiTokens::TokenHash))
                    .col(string(ApiTokens::Label))
                    .col(timestamp_with_time_zone(ApiTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                    .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_tokens_account")
                            .from(ApiTokens::Table, ApiTokens::AccountId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_api_tokens_account")
                    .table(ApiTokens::Table)
                    .col(ApiTokens::AccountId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiTokens::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum ApiTokens {
    Table,
    Id,
    AccountId,
    TokenHash,
    Label,
    ExpiresAt,
    RevokedAt,
    CreatedAt,
}
