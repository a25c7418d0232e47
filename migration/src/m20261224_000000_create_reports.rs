use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, DbBackend, prelude::ChronoDateTimeWithTimeZone},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What the bureau's reports count with:
/// - `person_key_groups`: a person's key-group tags as rows, so that "people with at least
///   one key-group tag" is a join on both databases (the `people.key_groups` JSON list
///   stays as the record's own copy; every write of it writes these rows in the same
///   transaction). Filled here from the JSON lists already stored.
/// - `report_targets`: the plan's yearly targets, versioned: a change is a new row with
///   the next `version` for the year and measure, so that what the target was on any day
///   can be read back. Seeded from the plan (§四(三)10: 600 key-group training
///   person-times a year) for 2025 and 2026.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PersonKeyGroups::Table)
                    .col(string(PersonKeyGroups::PersonId))
                    .col(string(PersonKeyGroups::KeyGroup))
                    .primary_key(
                        Index::create()
                            .col(PersonKeyGroups::PersonId)
                            .col(PersonKeyGroups::KeyGroup),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_person_key_groups_group")
                    .table(PersonKeyGroups::Table)
                    .col(PersonKeyGroups::KeyGroup)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backfill = match db.get_database_backend() {
            DbBackend::Postgres => {
                "INSERT INTO person_key_groups (person_id, key_group) \
                 SELECT DISTINCT p.id, g FROM people p, jsonb_array_elements_text(p.key_groups::jsonb) g"
            }
            _ => {
                "INSERT INTO person_key_groups (person_id, key_group) \
                 SELECT DISTINCT p.id, g.value FROM people p, json_each(p.key_groups) g"
            }
        };
        db.execute_unprepared(backfill).await?;
        manager
            .create_table(
                Table::create()
                    .table(ReportTargets::Table)
                    .col(string(ReportTargets::Id).primary_key())
                    .col(integer(ReportTargets::Year))
                    .col(string(ReportTargets::Measure))
                    .col(integer(ReportTargets::Version))
                    .col(big_integer(ReportTargets::Target))
                    .col(text(ReportTargets::Source))
                    .col(string(ReportTargets::SetBy))
                    .col(timestamp_with_time_zone(ReportTargets::SetAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_report_targets_year_measure_version")
                    .table(ReportTargets::Table)
                    .col(ReportTargets::Year)
                    .col(ReportTargets::Measure)
                    .col(ReportTargets::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for year in [2025, 2026] {
            let set_at = ChronoDateTimeWithTimeZone::parse_from_rfc3339(&format!(
                "{year}-01-01T00:00:00+08:00"
            ))
            .map_err(|e| DbErr::Custom(format!("a target's date: {e}")))?;
            let insert = Query::insert()
                .into_table(ReportTargets::Table)
                .columns([
                    ReportTargets::Id,
                    ReportTargets::Year,
                    ReportTargets::Measure,
                    ReportTargets::Version,
                    ReportTargets::Target,
                    ReportTargets::Source,
                    ReportTargets::SetBy,
                    ReportTargets::SetAt,
                ])
                .values_panic([
                    format!("plan-{year}-key_group_training").into(),
                    year.into(),
                    "key_group_training".into(),
                    1.into(),
                    600i64.into(),
                    "《额尔古纳市促进高质量充分就业实施方案》四（三）10：完成重点群体培训600人次"
                        .into(),
                    "system:plan".into(),
                    set_at.into(),
                ])
                .to_owned();
            manager.exec_stmt(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ReportTargets::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PersonKeyGroups::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PersonKeyGroups {
    Table,
    PersonId,
    KeyGroup,
}

#[derive(DeriveIden)]
enum ReportTargets {
    Table,
    Id,
    Year,
    Measure,
    Version,
    Target,
    Source,
    SetBy,
    SetAt,
}
