use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_create_organisations::Organisations;
use crate::m20261126_000008_create_people::People;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Enterprise new-style apprenticeships (企业新型学徒制, docs/DESIGN.md §7): the agreement
/// between an enterprise and a training provider with its training plan (modules with
/// theory and practice hours) and milestones, the apprentices under it with their labour
/// contract and two mentors, and the milestones each apprentice completed.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApprenticeshipAgreements::Table)
                    .col(string(ApprenticeshipAgreements::Id).primary_key())
                    .col(string(ApprenticeshipAgreements::EmployerId))
                    .col(string(ApprenticeshipAgreements::ProviderId))
                    .col(string(ApprenticeshipAgreements::OccupationCode))
                    .col(string(ApprenticeshipAgreements::TargetLevel))
                    .col(date(ApprenticeshipAgreements::StartsOn))
                    .col(date(ApprenticeshipAgreements::EndsOn))
                    .col(text_null(ApprenticeshipAgreements::ExtensionReason))
                    .col(string(ApprenticeshipAgreements::CityCode))
                    .col(string(ApprenticeshipAgreements::Status))
                    .col(text_null(ApprenticeshipAgreements::ReturnReason))
                    .col(timestamp_with_time_zone_null(
                        ApprenticeshipAgreements::SubmittedAt,
                    ))
                    .col(timestamp_with_time_zone_null(
                        ApprenticeshipAgreements::FiledAt,
                    ))
                    .col(string_null(ApprenticeshipAgreements::FiledBy))
                    .col(timestamp_with_time_zone(
                        ApprenticeshipAgreements::CreatedAt,
                    ))
                    .col(timestamp_with_time_zone(
                        ApprenticeshipAgreements::UpdatedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_apprenticeship_agreements_employer")
                            .from(
                                ApprenticeshipAgreements::Table,
                                ApprenticeshipAgreements::EmployerId,
                            )
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_apprenticeship_agreements_provider")
                            .from(
                                ApprenticeshipAgreements::Table,
                                ApprenticeshipAgreements::ProviderId,
                            )
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            (
                "idx_apprenticeship_agreements_employer",
                ApprenticeshipAgreements::EmployerId,
            ),
            (
                "idx_apprenticeship_agreements_provider",
                ApprenticeshipAgreements::ProviderId,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(ApprenticeshipAgreements::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ApprenticeshipModules::Table)
                    .col(string(ApprenticeshipModules::Id).primary_key())
                    .col(string(ApprenticeshipModules::AgreementId))
                    .col(integer(ApprenticeshipModules::Position))
                    .col(string(ApprenticeshipModules::Title))
                    .col(integer(ApprenticeshipModules::TheoryHours))
                    .col(integer(ApprenticeshipModules::PracticeHours))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_apprenticeship_modules_agreement")
                            .from(
                                ApprenticeshipModules::Table,
                                ApprenticeshipModules::AgreementId,
                            )
                            .to(
                                ApprenticeshipAgreements::Table,
                                ApprenticeshipAgreements::Id,
                            ),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApprenticeshipMilestones::Table)
                    .col(string(ApprenticeshipMilestones::Id).primary_key())
                    .col(string(ApprenticeshipMilestones::AgreementId))
                    .col(integer(ApprenticeshipMilestones::Position))
                    .col(string(ApprenticeshipMilestones::Title))
                    .col(date(ApprenticeshipMilestones::DueOn))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_apprenticeship_milestones_agreement")
                            .from(
                                ApprenticeshipMilestones::Table,
                                ApprenticeshipMilestones::AgreementId,
                            )
                            .to(
                                ApprenticeshipAgreements::Table,
                                ApprenticeshipAgreements::Id,
                            ),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, col) in [
            (
                "idx_apprenticeship_modules_agreement",
                ApprenticeshipModules::Table.into_iden(),
                ApprenticeshipModules::AgreementId.into_iden(),
            ),
            (
                "idx_apprenticeship_milestones_agreement",
                ApprenticeshipMilestones::Table.into_iden(),
                ApprenticeshipMilestones::AgreementId.into_iden(),
            ),
        ] {
            manager
                .create_index(Index::create().name(name).table(table).col(col).to_owned())
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Apprentices::Table)
                    .col(string(Apprentices::Id).primary_key())
                    .col(string(Apprentices::AgreementId))
                    .col(string(Apprentices::PersonId))
                    .col(date(Apprentices::ContractStartsOn))
                    .col(date(Apprentices::ContractEndsOn))
                    .col(string(Apprentices::MentorName))
                    .col(string(Apprentices::MentorPost))
                    .col(string(Apprentices::MentorLevel))
                    .col(string(Apprentices::TeacherName))
                    .col(string(Apprentices::Status))
                    .col(date_null(Apprentices::PausedOn))
                    .col(text_null(Apprentices::PauseReason))
                    .col(date_null(Apprentices::LeftOn))
                    .col(text_null(Apprentices::LeaveReason))
                    .col(date_null(Apprentices::CompletedOn))
                    .col(string(Apprentices::CreatedBy))
                    .col(timestamp_with_time_zone(Apprentices::CreatedAt))
                    .col(timestamp_with_time_zone(Apprentices::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_apprentices_agreement")
                            .from(Apprentices::Table, Apprentices::AgreementId)
                            .to(
                                ApprenticeshipAgreements::Table,
                                ApprenticeshipAgreements::Id,
                            ),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_apprentices_person")
                            .from(Apprentices::Table, Apprentices::PersonId)
                            .to(People::Table, People::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_apprentices_agreement_person")
                    .table(Apprentices::Table)
                    .col(Apprentices::AgreementId)
                    .col(Apprentices::PersonId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApprenticeMilestones::Table)
                    .col(string(ApprenticeMilestones::Id).primary_key())
                    .col(string(ApprenticeMilestones::ApprenticeId))
                    .col(string(ApprenticeMilestones::MilestoneId))
                    .col(date(ApprenticeMilestones::CompletedOn))
                    .col(string(ApprenticeMilestones::Side))
                    .col(string(ApprenticeMilestones::RecordedBy))
                    .col(timestamp_with_time_zone(ApprenticeMilestones::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_apprentice_milestones_apprentice")
                            .from(
                                ApprenticeMilestones::Table,
                                ApprenticeMilestones::ApprenticeId,
                            )
                            .to(Apprentices::Table, Apprentices::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_apprentice_milestones_milestone")
                            .from(
                                ApprenticeMilestones::Table,
                                ApprenticeMilestones::MilestoneId,
                            )
                            .to(
                                ApprenticeshipMilestones::Table,
                                ApprenticeshipMilestones::Id,
                            ),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_apprentice_milestones_apprentice_milestone")
                    .table(ApprenticeMilestones::Table)
                    .col(ApprenticeMilestones::ApprenticeId)
                    .col(ApprenticeMilestones::MilestoneId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApprenticeMilestones::Table.into_iden(),
            Apprentices::Table.into_iden(),
            ApprenticeshipMilestones::Table.into_iden(),
            ApprenticeshipModules::Table.into_iden(),
            ApprenticeshipAgreements::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ApprenticeshipAgreements {
    Table,
    Id,
    EmployerId,
    ProviderId,
    OccupationCode,
    TargetLevel,
    StartsOn,
    EndsOn,
    ExtensionReason,
    CityCode,
    Status,
    ReturnReason,
    SubmittedAt,
    FiledAt,
    FiledBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ApprenticeshipModules {
    Table,
    Id,
    AgreementId,
    Position,
    Title,
    TheoryHours,
    PracticeHours,
}

#[derive(DeriveIden)]
pub enum ApprenticeshipMilestones {
    Table,
    Id,
    AgreementId,
    Position,
    Title,
    DueOn,
}

#[derive(DeriveIden)]
pub enum Apprentices {
    Table,
    Id,
    AgreementId,
    PersonId,
    ContractStartsOn,
    ContractEndsOn,
    MentorName,
    MentorPost,
    MentorLevel,
    TeacherName,
    Status,
    PausedOn,
    PauseReason,
    LeftOn,
    LeaveReason,
    CompletedOn,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ApprenticeMilestones {
    Table,
    Id,
    ApprenticeId,
    MilestoneId,
    CompletedOn,
    Side,
    RecordedBy,
    RecordedAt,
}
