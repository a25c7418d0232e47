use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The outcome-linked funding of training orders as configuration, per city and year:
/// the share of the training fee due on assignment, the share due on the outcome, the
/// share of trainees who must be employed, and after how many months employment counts.
/// Seeded for Erguna (150784) 2025–2027 with the Liaoning figures (70 % / 30 % at 80 %
/// employed after 3 months); the bureau edits them.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OrderFundingRules::Table)
                    .col(string(OrderFundingRules::CityCode))
                    .col(integer(OrderFundingRules::Year))
                    .col(integer(OrderFundingRules::AssignmentSharePercent))
                    .col(integer(OrderFundingRules::OutcomeSharePercent))
                    .col(integer(OrderFundingRules::OutcomeThresholdPercent))
                    .col(integer(OrderFundingRules::MonthsEmployed))
                    .col(string(OrderFundingRules::UpdatedBy))
                    .primary_key(
                        Index::create()
                            .col(OrderFundingRules::CityCode)
                            .col(OrderFundingRules::Year),
                    )
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert()
            .into_table(OrderFundingRules::Table)
            .columns([
                OrderFundingRules::CityCode,
                OrderFundingRules::Year,
                OrderFundingRules::AssignmentSharePercent,
                OrderFundingRules::OutcomeSharePercent,
                OrderFundingRules::OutcomeThresholdPercent,
                OrderFundingRules::MonthsEmployed,
                OrderFundingRules::UpdatedBy,
            ])
            .to_owned();
        for year in 2025..=2027 {
            insert.values_panic([
                "150784".into(),
                year.into(),
                70.into(),
                30.into(),
                80.into(),
                3.into(),
                "migration".into(),
            ]);
        }
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OrderFundingRules::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum OrderFundingRules {
    Table,
    CityCode,
    Year,
    AssignmentSharePercent,
    OutcomeSharePercent,
    OutcomeThresholdPercent,
    MonthsEmployed,
    UpdatedBy,
}
