use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Reporting periods the bureau has approved and locked:
/// - `report_periods`: one row per locked period (a statistical month `YYYY-MM`, quarter
///   `YYYY-Qn` or year `YYYY`), unique per kind and code so that a period is locked once;
///   `figures` is the period's dispatch frozen at the lock (JSON), from which every later
///   export of the period is written, byte for byte.
/// - `report_period_rows`: the records a locked period counted, per measure — the baseline
///   against which later changes are found. When a later period is locked, the adjustments
///   it took in are applied here, so that each change is reported once.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReportPeriods::Table)
                    .col(string(ReportPeriods::Id).primary_key())
                    .col(string(ReportPeriods::Kind))
                    .col(string(ReportPeriods::Code))
                    .col(date(ReportPeriods::StartsOn))
                    .col(date(ReportPeriods::EndsOn))
                    .col(text(ReportPeriods::Note))
                    .col(text(ReportPeriods::Figures))
                    .col(string(ReportPeriods::LockedBy))
                    .col(timestamp_with_time_zone(ReportPeriods::LockedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_report_periods_kind_code")
                    .table(ReportPeriods::Table)
                    .col(ReportPeriods::Kind)
                    .col(ReportPeriods::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReportPeriodRows::Table)
                    .col(string(ReportPeriodRows::PeriodId))
                    .col(string(ReportPeriodRows::Measure))
                    .col(string(ReportPeriodRows::RowId))
                    .col(date(ReportPeriodRows::Day))
                    .primary_key(
                        Index::create()
                            .col(ReportPeriodRows::PeriodId)
                            .col(ReportPeriodRows::Measure)
                            .col(ReportPeriodRows::RowId),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ReportPeriodRows::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ReportPeriods::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ReportPeriods {
    Table,
    Id,
    Kind,
    Code,
    StartsOn,
    EndsOn,
    Note,
    Figures,
    LockedBy,
    LockedAt,
}

#[derive(DeriveIden)]
enum ReportPeriodRows {
    Table,
    PeriodId,
    Measure,
    RowId,
    Day,
}
