use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The outbox: one row per message, written in the transaction of the event that causes
/// it (with the `mail.deliver` job that sends it), already rendered — the subject, plain
/// text and HTML as they were at the event — and an attachment named by reference (a
/// certificate's stored PDF), read when sending. `dedupe_key` is unique, so an event
/// recorded twice queues one message. `status`: `queued` → `sending` (set and committed
/// before the server is spoken to) → `sent`, `failed` (a permanent refusal or the last
/// retry, with the server's answer in `last_answer`) or `unknown` (a send whose worker's
/// lease ran out: the server may or may not have taken it; never resent silently).
/// `organisation_id` is whose staff see the message. The Message-ID is derived from `id`.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MailOutbox::Table)
                    .col(string(MailOutbox::Id).primary_key())
                    .col(string(MailOutbox::Message))
                    .col(string_uniq(MailOutbox::DedupeKey))
                    .col(string(MailOutbox::Recipient))
                    .col(string_null(MailOutbox::PersonId))
                    .col(string_null(MailOutbox::AccountId))
                    .col(string_null(MailOutbox::OrganisationId))
                    .col(text(MailOutbox::Subject))
                    .col(text(MailOutbox::TextBody))
                    .col(text(MailOutbox::HtmlBody))
                    .col(string_null(MailOutbox::AttachmentCertificateId))
                    .col(string_null(MailOutbox::AttachmentName))
                    .col(string(MailOutbox::Status))
                    .col(integer(MailOutbox::Attempts))
                    .col(text_null(MailOutbox::LastAnswer))
                    .col(timestamp_with_time_zone(MailOutbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(MailOutbox::SendingAt))
                    .col(timestamp_with_time_zone_null(MailOutbox::FinishedAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_mail_outbox_status", MailOutbox::Status),
            ("idx_mail_outbox_organisation", MailOutbox::OrganisationId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(MailOutbox::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MailOutbox::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Id,
    Message,
    DedupeKey,
    Recipient,
    PersonId,
    AccountId,
    OrganisationId,
    Subject,
    TextBody,
    HtmlBody,
    AttachmentCertificateId,
    AttachmentName,
    Status,
    Attempts,
    LastAnswer,
    CreatedAt,
    SendingAt,
    FinishedAt,
}
