use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What the reports' grouped counts read, each from an index alone (benches/reports.sh,
/// over 1,000,000 certificates and 500,000 enrolments):
/// - certificates by kind and issue day, with the status and the certificate a re-issue
///   supersedes: the measures per kind and the year's certificates by kind and status;
/// - cohorts by their end day: the year's cohorts, whose enrolments count;
/// - enrolments by cohort with their status and person: those not withdrawn, and whether
///   the person has a key-group tag.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_certificates_kind_valid_from")
                    .table(Certificates::Table)
                    .col(Certificates::Kind)
                    .col(Certificates::ValidFrom)
                    .col(Certificates::Status)
                    .col(Certificates::SupersedesId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cohorts_ends_on")
                    .table(Cohorts::Table)
                    .col(Cohorts::EndsOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_enrolments_cohort_status_person")
                    .table(Enrolments::Table)
                    .col(Enrolments::CohortId)
                    .col(Enrolments::Status)
                    .col(Enrolments::PersonId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in [
            (
                "idx_enrolments_cohort_status_person",
                Enrolments::Table.into_iden(),
            ),
            ("idx_cohorts_ends_on", Cohorts::Table.into_iden()),
            (
                "idx_certificates_kind_valid_from",
                Certificates::Table.into_iden(),
            ),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Kind,
    ValidFrom,
    Status,
    SupersedesId,
}

#[derive(DeriveIden)]
enum Cohorts {
    Table,
    EndsOn,
}

#[derive(DeriveIden)]
enum Enrolments {
    Table,
    CohortId,
    Status,
    PersonId,
}
