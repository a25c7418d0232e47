use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261126_000001_create_organisations::Organisations,
    m20261126_000009_create_programs::Programs,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Cohorts::Table)
                    .col(string(Cohorts::Id).primary_key())
                    .col(string(Cohorts::ProgramId))
                    .col(string(Cohorts::ProviderId))
                    .col(string(Cohorts::Code))
                    .col(date(Cohorts::StartsOn))
                    .col(date(Cohorts::EndsOn))
                    .col(integer(Cohorts::Capacity))
                    .col(string(Cohorts::Location))
                    .col(text(Cohorts::Teachers))
                    .col(string_null(Cohorts::EvaluationOrgId))
                    .col(timestamp_with_time_zone(Cohorts::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cohorts_program")
                            .from(Cohorts::Table, Cohorts::ProgramId)
                            .to(Programs::Table, Programs::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cohorts_provider")
                            .from(Cohorts::Table, Cohorts::ProviderId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cohorts_evaluation_org")
                            .from(Cohorts::Table, Cohorts::EvaluationOrgId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_cohorts_provider_code")
                    .table(Cohorts::Table)
                    .col(Cohorts::ProviderId)
                    .col(Cohorts::Code)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Cohorts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Cohorts {
    Table,
    Id,
    ProgramId,
    ProviderId,
    Code,
    StartsOn,
    EndsOn,
    Capacity,
    Location,
    Teachers,
    EvaluationOrgId,
    CreatedAt,
}
