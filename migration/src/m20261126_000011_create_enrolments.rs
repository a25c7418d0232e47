use sea_orm_migration::{prelude::*, schema::*};

use crate::{m20261126_000008_create_people::People, m20261126_000010_create_cohorts::Cohorts};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One person in one cohort (at most once), with attendance and scores.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Enrolments::Table)
                    .col(string(Enrolments::Id).primary_key())
                    .col(string(Enrolments::CohortId))
                    .col(string(Enrolments::PersonId))
                    .col(string(Enrolments::ProviderId))
                    .col(string(Enrolments::Status))
                    .col(integer_null(Enrolments::AttendedHours))
                    .col(integer_null(Enrolments::TheoryScore))
                    .col(integer_null(Enrolments::PracticalScore))
                    .col(timestamp_with_time_zone_null(Enrolments::ResultRecordedAt))
                    .col(timestamp_with_time_zone(Enrolments::EnrolledAt))
                    .col(timestamp_with_time_zone_null(Enrolments::WithdrawnAt))
                    .col(string_null(Enrolments::WithdrawReason))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enrolments_cohort")
                            .from(Enrolments::Table, Enrolments::CohortId)
                            .to(Cohorts::Table, Cohorts::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enrolments_person")
                            .from(Enrolments::Table, Enrolments::PersonId)
                            .to(People::Table, People::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_enrolments_cohort_person")
                    .table(Enrolments::Table)
                    .col(Enrolments::CohortId)
                    .col(Enrolments::PersonId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_enrolments_person")
                    .table(Enrolments::Table)
                    .col(Enrolments::PersonId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Enrolments::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Enrolments {
    Table,
    Id,
    CohortId,
    PersonId,
    ProviderId,
    Status,
    AttendedHours,
    TheoryScore,
    PracticalScore,
    ResultRecordedAt,
    EnrolledAt,
    WithdrawnAt,
    WithdrawReason,
}
