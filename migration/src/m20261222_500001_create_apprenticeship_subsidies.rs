use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_create_organisations::Organisations;
use crate::m20261222_500000_create_apprenticeships::Apprentices;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The yearly subsidy per apprentice and target level, as a city's and a year's figure
/// (yuan, and the share paid in advance). Seeded for Erguna (150784), 2025–2027, with
/// figures the bureau is expected to replace: 5,000 yuan for 四级/中级工 and 6,000 for
/// 三级/高级工 as in the provinces that pay by level (domain facts), 4,000 for 五级/初级工
/// (the 2018 floor), 7,000 for 二级/技师 and 8,000 for 一级/高级技师 (plausible steps, no
/// source), 50 % in advance (the usual ceiling).
const RATES: &[(&str, i64)] = &[
    ("level5", 400_000),
    ("level4", 500_000),
    ("level3", 600_000),
    ("level2", 700_000),
    ("level1", 800_000),
];

/// The apprenticeship subsidy ledger (docs/DESIGN.md §7): the rates above; the reporting
/// periods (21st to 20th), open until the bureau closes them; the entries, one per
/// apprentice, apprenticeship year and kind (`slot` tells an adjustment's period apart),
/// booked into a period or held with a reason; and the bureau's payments.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApprenticeshipSubsidyRates::Table)
                    .col(string(ApprenticeshipSubsidyRates::CityCode))
                    .col(integer(ApprenticeshipSubsidyRates::Year))
                    .col(string(ApprenticeshipSubsidyRates::LevelCode))
                    .col(big_integer(ApprenticeshipSubsidyRates::YearlyAmountFen))
                    .col(integer(ApprenticeshipSubsidyRates::AdvanceSharePercent))
                    .col(string(ApprenticeshipSubsidyRates::UpdatedBy))
                    .primary_key(
                        Index::create()
                            .col(ApprenticeshipSubsidyRates::CityCode)
                            .col(ApprenticeshipSubsidyRates::Year)
                            .col(ApprenticeshipSubsidyRates::LevelCode),
                    )
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert()
            .into_table(ApprenticeshipSubsidyRates::Table)
            .columns([
                ApprenticeshipSubsidyRates::CityCode,
                ApprenticeshipSubsidyRates::Year,
                ApprenticeshipSubsidyRates::LevelCode,
                ApprenticeshipSubsidyRates::YearlyAmountFen,
                ApprenticeshipSubsidyRates::AdvanceSharePercent,
                ApprenticeshipSubsidyRates::UpdatedBy,
            ])
            .to_owned();
        for year in 2025..=2027 {
            for (level, fen) in RATES {
                insert.values_panic([
                    "150784".into(),
                    year.into(),
                    (*level).into(),
                    (*fen).into(),
                    50.into(),
                    "migration".into(),
                ]);
            }
        }
        manager.exec_stmt(insert).await?;
        manager
            .create_table(
                Table::create()
                    .table(ApprenticeshipSubsidyPeriods::Table)
                    .col(string(ApprenticeshipSubsidyPeriods::Code).primary_key())
                    .col(date(ApprenticeshipSubsidyPeriods::StartsOn))
                    .col(date(ApprenticeshipSubsidyPeriods::EndsOn))
                    .col(string(ApprenticeshipSubsidyPeriods::Status))
                    .col(timestamp_with_time_zone_null(
                        ApprenticeshipSubsidyPeriods::ClosedAt,
                    ))
                    .col(string_null(ApprenticeshipSubsidyPeriods::ClosedBy))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApprenticeshipSubsidyEntries::Table)
                    .col(string(ApprenticeshipSubsidyEntries::Id).primary_key())
                    .col(string(ApprenticeshipSubsidyEntries::ApprenticeId))
                    .col(string(ApprenticeshipSubsidyEntries::AgreementId))
                    .col(string(ApprenticeshipSubsidyEntries::EmployerId))
                    .col(integer(ApprenticeshipSubsidyEntries::ApprenticeshipYear))
                    .col(integer(ApprenticeshipSubsidyEntries::RateYear))
                    .col(string(ApprenticeshipSubsidyEntries::Kind))
                    .col(string_null(ApprenticeshipSubsidyEntries::Adjusts))
                    .col(string(ApprenticeshipSubsidyEntries::Slot))
                    .col(big_integer(ApprenticeshipSubsidyEntries::AmountFen))
                    .col(string(ApprenticeshipSubsidyEntries::Status))
                    .col(string_null(ApprenticeshipSubsidyEntries::Period))
                    .col(text(ApprenticeshipSubsidyEntries::Checks))
                    .col(text_null(ApprenticeshipSubsidyEntries::HeldReason))
                    .col(timestamp_with_time_zone(
                        ApprenticeshipSubsidyEntries::CreatedAt,
                    ))
                    .col(timestamp_with_time_zone(
                        ApprenticeshipSubsidyEntries::UpdatedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_apprenticeship_subsidy_entries_apprentice")
                            .from(
                                ApprenticeshipSubsidyEntries::Table,
                                ApprenticeshipSubsidyEntries::ApprenticeId,
                            )
                            .to(Apprentices::Table, Apprentices::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_apprenticeship_subsidy_entries_period")
                            .from(
                                ApprenticeshipSubsidyEntries::Table,
                                ApprenticeshipSubsidyEntries::Period,
                            )
                            .to(
                                ApprenticeshipSubsidyPeriods::Table,
                                ApprenticeshipSubsidyPeriods::Code,
                            ),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_apprenticeship_subsidy_entries_slot")
                    .table(ApprenticeshipSubsidyEntries::Table)
                    .col(ApprenticeshipSubsidyEntries::ApprenticeId)
                    .col(ApprenticeshipSubsidyEntries::ApprenticeshipYear)
                    .col(ApprenticeshipSubsidyEntries::Kind)
                    .col(ApprenticeshipSubsidyEntries::Slot)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_apprenticeship_subsidy_entries_employer")
                    .table(ApprenticeshipSubsidyEntries::Table)
                    .col(ApprenticeshipSubsidyEntries::EmployerId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApprenticeshipSubsidyPayments::Table)
                    .col(string(ApprenticeshipSubsidyPayments::Id).primary_key())
                    .col(string(ApprenticeshipSubsidyPayments::EmployerId))
                    .col(integer(ApprenticeshipSubsidyPayments::Year))
                    .col(string(ApprenticeshipSubsidyPayments::Period))
                    .col(big_integer(ApprenticeshipSubsidyPayments::AmountFen))
                    .col(date(ApprenticeshipSubsidyPayments::PaidOn))
                    .col(text(ApprenticeshipSubsidyPayments::Note))
                    .col(string(ApprenticeshipSubsidyPayments::RecordedBy))
                    .col(timestamp_with_time_zone(
                        ApprenticeshipSubsidyPayments::RecordedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_apprenticeship_subsidy_payments_employer")
                            .from(
                                ApprenticeshipSubsidyPayments::Table,
                                ApprenticeshipSubsidyPayments::EmployerId,
                            )
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_apprenticeship_subsidy_payments_period")
                            .from(
                                ApprenticeshipSubsidyPayments::Table,
                                ApprenticeshipSubsidyPayments::Period,
                            )
                            .to(
                                ApprenticeshipSubsidyPeriods::Table,
                                ApprenticeshipSubsidyPeriods::Code,
                            ),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_apprenticeship_subsidy_payments_employer")
                    .table(ApprenticeshipSubsidyPayments::Table)
                    .col(ApprenticeshipSubsidyPayments::EmployerId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApprenticeshipSubsidyPayments::Table.into_iden(),
            ApprenticeshipSubsidyEntries::Table.into_iden(),
            ApprenticeshipSubsidyPeriods::Table.into_iden(),
            ApprenticeshipSubsidyRates::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ApprenticeshipSubsidyRates {
    Table,
    CityCode,
    Year,
    LevelCode,
    YearlyAmountFen,
    AdvanceSharePercent,
    UpdatedBy,
}

#[derive(DeriveIden)]
enum ApprenticeshipSubsidyPeriods {
    Table,
    Code,
    StartsOn,
    EndsOn,
    Status,
    ClosedAt,
    ClosedBy,
}

#[derive(DeriveIden)]
enum ApprenticeshipSubsidyEntries {
    Table,
    Id,
    ApprenticeId,
    AgreementId,
    EmployerId,
    ApprenticeshipYear,
    RateYear,
    Kind,
    Adjusts,
    Slot,
    AmountFen,
    Status,
    Period,
    Checks,
    HeldReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ApprenticeshipSubsidyPayments {
    Table,
    Id,
    EmployerId,
    Year,
    Period,
    AmountFen,
    PaidOn,
    Note,
    RecordedBy,
    RecordedAt,
}
