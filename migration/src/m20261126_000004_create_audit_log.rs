use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The audit log and its head. Appenders lock the single head row, so entries from
/// several server instances still form one chain.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big_integer(AuditLog::Seq).primary_key())
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .col(string_null(AuditLog::ActorId))
                    .col(string(AuditLog::ActorLabel))
                    .col(string(AuditLog::Action))
                    .col(string(AuditLog::RecordType))
                    .col(string(AuditLog::RecordId))
                    .col(text(AuditLog::Summary))
                    .col(string(AuditLog::PrevHash))
                    .col(string(AuditLog::Hash))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_log_record")
                    .table(AuditLog::Table)
                    .col(AuditLog::RecordType)
                    .col(AuditLog::RecordId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditHead::Table)
                    .col(integer(AuditHead::Id).primary_key())
                    .col(big_integer(AuditHead::Seq))
                    .col(string(AuditHead::Hash))
                    .to_owned(),
            )
            .await?;
        let genesis = Query::insert()
            .into_table(AuditHead::Table)
            .columns([AuditHead::Id, AuditHead::Seq, AuditHead::Hash])
            .values_panic([1.into(), 0i64.into(), GENESIS_HASH.into()])
            .to_owned();
        manager.exec_stmt(genesis).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditHead::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await
    }
}

/// The `prev_hash` of the first entry: 64 zeros.
const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Seq,
    At,
    ActorId,
    ActorLabel,
    Action,
    RecordType,
    RecordId,
    Summary,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}
