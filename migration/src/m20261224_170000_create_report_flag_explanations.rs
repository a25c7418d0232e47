use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The bureau's explanations of the data-quality panel's flags: one row per flag instance
/// (`flag_key`, e.g. `overlap:{enrolment}:{enrolment}`), written once and never edited, so
/// that what was explained, why, by whom and when stays readable. The flags themselves are
/// computed from the records each time; only the explanations are stored.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReportFlagExplanations::Table)
                    .col(string(ReportFlagExplanations::Id).primary_key())
                    .col(string(ReportFlagExplanations::FlagKey).unique_key())
                    .col(string(ReportFlagExplanations::Kind))
                    .col(text(ReportFlagExplanations::Reason))
                    .col(string(ReportFlagExplanations::ExplainedBy))
                    .col(timestamp_with_time_zone(
                        ReportFlagExplanations::ExplainedAt,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(ReportFlagExplanations::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ReportFlagExplanations {
    Table,
    Id,
    FlagKey,
    Kind,
    Reason,
    ExplainedBy,
    ExplainedAt,
}
