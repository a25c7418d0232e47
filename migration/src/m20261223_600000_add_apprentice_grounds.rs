use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000014_create_certificates::Certificates;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A certificate's training is an enrolment or an apprenticeship (docs/DESIGN.md §5, §7):
/// `certificates.apprentice_id` names the apprentice an apprenticeship certificate, or a
/// skill-level certificate on an apprentice's assessment, rests on, and
/// `assessments.apprentice_id` the apprentice an evaluation organisation assessed. Both
/// are nullable: every existing row rests on an enrolment and stays as it is.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Certificates::Table)
                    .add_column(string_null(ApprenticeGrounds::ApprenticeId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApprenticeGrounds::Assessments)
                    .add_column(string_null(ApprenticeGrounds::ApprenticeId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_certificates_apprentice")
                    .table(Certificates::Table)
                    .col(ApprenticeGrounds::ApprenticeId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_assessments_apprentice")
                    .table(ApprenticeGrounds::Assessments)
                    .col(ApprenticeGrounds::ApprenticeId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (index, table) in [
            (
                "idx_certificates_apprentice",
                Certificates::Table.into_iden(),
            ),
            (
                "idx_assessments_apprentice",
                ApprenticeGrounds::Assessments.into_iden(),
            ),
        ] {
            manager
                .drop_index(Index::drop().name(index).table(table).to_owned())
                .await?;
        }
        for table in [
            Certificates::Table.into_iden(),
            ApprenticeGrounds::Assessments.into_iden(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(ApprenticeGrounds::ApprenticeId)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ApprenticeGrounds {
    Assessments,
    ApprenticeId,
}
