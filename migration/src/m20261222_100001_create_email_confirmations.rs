use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Links that confirm an e-mail address: a random token kept only as its SHA-256, for one
/// address of one person or account (`subject_kind` `person` or `account`), usable until
/// `expires_at` and once. A newer link for the same subject makes older ones useless,
/// since confirming checks the address is still the subject's.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EmailConfirmations::Table)
                    .col(string(EmailConfirmations::Id).primary_key())
                    .col(string_uniq(EmailConfirmations::TokenHash))
                    .col(string(EmailConfirmations::SubjectKind))
                    .col(string(EmailConfirmations::SubjectId))
                    .col(string(EmailConfirmations::Address))
                    .col(timestamp_with_time_zone(EmailConfirmations::ExpiresAt))
                    .col(timestamp_with_time_zone_null(
                        EmailConfirmations::ConfirmedAt,
                    ))
                    .col(timestamp_with_time_zone(EmailConfirmations::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_email_confirmations_subject")
                    .table(EmailConfirmations::Table)
                    .col(EmailConfirmations::SubjectKind)
                    .col(EmailConfirmations::SubjectId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EmailConfirmations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum EmailConfirmations {
    Table,
    Id,
    TokenHash,
    SubjectKind,
    SubjectId,
    Address,
    ExpiresAt,
    ConfirmedAt,
    CreatedAt,
}
