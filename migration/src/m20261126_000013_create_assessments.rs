use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261126_000001_create_organisations::Organisations, m20261126_000008_create_people::People,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An evaluation organisation's assessment of one person: against a local standard
/// version (specialty ability) or an occupation and level (skill level).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Assessments::Table)
                    .col(string(Assessments::Id).primary_key())
                    .col(string(Assessments::PersonId))
                    .col(string_null(Assessments::EnrolmentId))
                    .col(string(Assessments::EvaluationOrgId))
                    .col(string(Assessments::SubjectKey))
                    .col(string_null(Assessments::StandardId))
                    .col(string_null(Assessments::OccupationCode))
                    .col(string_null(Assessments::LevelCode))
                    .col(integer(Assessments::TheoryScore))
                    .col(integer(Assessments::PracticalScore))
                    .col(boolean(Assessments::Passed))
                    .col(date(Assessments::AssessedOn))
                    .col(text(Assessments::Examiners))
                    .col(string(Assessments::RecordedBy))
                    .col(timestamp_with_time_zone(Assessments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_assessments_person")
                            .from(Assessments::Table, Assessments::PersonId)
                            .to(People::Table, People::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_assessments_org")
                            .from(Assessments::Table, Assessments::EvaluationOrgId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_assessments_person_subject_date")
                    .table(Assessments::Table)
                    .col(Assessments::PersonId)
                    .col(Assessments::EvaluationOrgId)
                    .col(Assessments::SubjectKey)
                    .col(Assessments::AssessedOn)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Assessments::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Assessments {
    Table,
    Id,
    PersonId,
    EnrolmentId,
    EvaluationOrgId,
    SubjectKey,
    StandardId,
    OccupationCode,
    LevelCode,
    TheoryScore,
    PracticalScore,
    Passed,
    AssessedOn,
    Examiners,
    RecordedBy,
    CreatedAt,
}
