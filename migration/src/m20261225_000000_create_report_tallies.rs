use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, DbBackend},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The dashboard's counts kept as they change, so that a year's figures are read from a
/// few thousand rows rather than counted again from a million (benches/reports.sh):
/// - `report_certificate_tallies`: certificates by kind, issue day and status, re-issues
///   not counted (the measures' `counted_certificates`);
/// - `report_enrolment_tallies`: enrolments not withdrawn by cohort and `key_group` — ''
///   for every enrolment, '*' for those of people with at least one key-group tag, a
///   group's word for those of people tagged with it (the measures' `counted_enrolments`;
///   the cohort's end day and provider are joined when read, so moving a cohort needs no
///   tally of its own).
///
/// Each row is a change (+1 or -1), appended by triggers on `certificates`, `enrolments`
/// and `person_key_groups` in the writing transaction itself, so no write path of the
/// registry can forget it and no two writers wait on one counter row; the reports job
/// folds the rows into one per key from time to time (`reports::tally::fold`). Filled
/// here from what is stored.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CertificateTallies::Table)
                    .col(big_pk_auto(CertificateTallies::Id))
                    .col(string(CertificateTallies::Kind))
                    .col(date(CertificateTallies::ValidFrom))
                    .col(string(CertificateTallies::Status))
                    .col(big_integer(CertificateTallies::N))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_report_certificate_tallies_day")
                    .table(CertificateTallies::Table)
                    .col(CertificateTallies::ValidFrom)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EnrolmentTallies::Table)
                    .col(big_pk_auto(EnrolmentTallies::Id))
                    .col(string(EnrolmentTallies::CohortId))
                    .col(string(EnrolmentTallies::KeyGroup))
                    .col(big_integer(EnrolmentTallies::N))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_report_enrolment_tallies_cohort")
                    .table(EnrolmentTallies::Table)
                    .col(EnrolmentTallies::CohortId)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let statements = match db.get_database_backend() {
            DbBackend::Postgres => POSTGRES,
            _ => SQLITE,
        };
        for statement in statements.iter().chain(FILL) {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements = match db.get_database_backend() {
            DbBackend::Postgres => POSTGRES_DOWN,
            _ => SQLITE_DOWN,
        };
        for statement in statements {
            db.execute_unprepared(statement).await?;
        }
        for table in [
            EnrolmentTallies::Table.into_iden(),
            CertificateTallies::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// What is stored, tallied once.
const FILL: &[&str] = &[
    "INSERT INTO report_certificate_tallies (kind, valid_from, status, n) \
     SELECT kind, valid_from, status, COUNT(*) FROM certificates \
     WHERE supersedes_id IS NULL GROUP BY kind, valid_from, status",
    "INSERT INTO report_enrolment_tallies (cohort_id, key_group, n) \
     SELECT cohort_id, '', COUNT(*) FROM enrolments WHERE status <> 'withdrawn' GROUP BY cohort_id",
    "INSERT INTO report_enrolment_tallies (cohort_id, key_group, n) \
     SELECT e.cohort_id, '*', COUNT(*) FROM enrolments e WHERE e.status <> 'withdrawn' \
     AND EXISTS (SELECT 1 FROM person_key_groups t WHERE t.person_id = e.person_id) \
     GROUP BY e.cohort_id",
    "INSERT INTO report_enrolment_tallies (cohort_id, key_group, n) \
     SELECT e.cohort_id, t.key_group, COUNT(*) FROM enrolments e \
     JOIN person_key_groups t ON t.person_id = e.person_id \
     WHERE e.status <> 'withdrawn' GROUP BY e.cohort_id, t.key_group",
];

/// SQLite's triggers: one per table and kind of change, the change's rows appended by
/// one INSERT … SELECT whose WHERE clauses say which of them apply.
const SQLITE: &[&str] = &[
    "CREATE TRIGGER report_tally_certificate_insert AFTER INSERT ON certificates \
     WHEN NEW.supersedes_id IS NULL BEGIN \
     INSERT INTO report_certificate_tallies (kind, valid_from, status, n) \
     VALUES (NEW.kind, NEW.valid_from, NEW.status, 1); END",
    "CREATE TRIGGER report_tally_certificate_update \
     AFTER UPDATE OF kind, valid_from, status, supersedes_id ON certificates \
     WHEN OLD.kind IS NOT NEW.kind OR OLD.valid_from IS NOT NEW.valid_from \
     OR OLD.status IS NOT NEW.status OR OLD.supersedes_id IS NOT NEW.supersedes_id BEGIN \
     INSERT INTO report_certificate_tallies (kind, valid_from, status, n) \
     SELECT OLD.kind, OLD.valid_from, OLD.status, -1 WHERE OLD.supersedes_id IS NULL \
     UNION ALL SELECT NEW.kind, NEW.valid_from, NEW.status, 1 WHERE NEW.supersedes_id IS NULL; \
     END",
    "CREATE TRIGGER report_tally_certificate_delete AFTER DELETE ON certificates \
     WHEN OLD.supersedes_id IS NULL BEGIN \
     INSERT INTO report_certificate_tallies (kind, valid_from, status, n) \
     VALUES (OLD.kind, OLD.valid_from, OLD.status, -1); END",
    "CREATE TRIGGER report_tally_enrolment_insert AFTER INSERT ON enrolments \
     WHEN NEW.status <> 'withdrawn' BEGIN \
     INSERT INTO report_enrolment_tallies (cohort_id, key_group, n) \
     SELECT NEW.cohort_id, '', 1 \
     UNION ALL SELECT NEW.cohort_id, '*', 1 \
     WHERE EXISTS (SELECT 1 FROM person_key_groups WHERE person_id = NEW.person_id) \
     UNION ALL SELECT NEW.cohort_id, key_group, 1 FROM person_key_groups \
     WHERE person_id = NEW.person_id; END",
    "CREATE TRIGGER report_tally_enrolment_update \
     AFTER UPDATE OF status, cohort_id, person_id ON enrolments \
     WHEN (OLD.status = 'withdrawn') IS NOT (NEW.status = 'withdrawn') \
     OR OLD.cohort_id IS NOT NEW.cohort_id OR OLD.person_id IS NOT NEW.person_id BEGIN \
     INSERT INTO report_enrolment_tallies (cohort_id, key_group, n) \
     SELECT OLD.cohort_id, '', -1 WHERE OLD.status <> 'withdrawn' \
     UNION ALL SELECT OLD.cohort_id, '*', -1 WHERE OLD.status <> 'withdrawn' \
     AND EXISTS (SELECT 1 FROM person_key_groups WHERE person_id = OLD.person_id) \
     UNION ALL SELECT OLD.cohort_id, key_group, -1 FROM person_key_groups \
     WHERE person_id = OLD.person_id AND OLD.status <> 'withdrawn' \
     UNION ALL SELECT NEW.cohort_id, '', 1 WHERE NEW.status <> 'withdrawn' \
     UNION ALL SELECT NEW.cohort_id, '*', 1 WHERE NEW.status <> 'withdrawn' \
     AND EXISTS (SELECT 1 FROM person_key_groups WHERE person_id = NEW.person_id) \
     UNION ALL SELECT NEW.cohort_id, key_group, 1 FROM person_key_groups \
     WHERE person_id = NEW.person_id AND NEW.status <> 'withdrawn'; END",
    "CREATE TRIGGER report_tally_enrolment_delete AFTER DELETE ON enrolments \
     WHEN OLD.status <> 'withdrawn' BEGIN \
     INSERT INTO report_enrolment_tallies (cohort_id, key_group, n) \
     SELECT OLD.cohort_id, '', -1 \
     UNION ALL SELECT OLD.cohort_id, '*', -1 \
     WHERE EXISTS (SELECT 1 FROM person_key_groups WHERE person_id = OLD.person_id) \
     UNION ALL SELECT OLD.cohort_id, key_group, -1 FROM person_key_groups \
     WHERE person_id = OLD.person_id; END",
    // A tag counts for every current enrolment of its person; the person's first tag
    // (the only one after the insert) also makes them count as '*'.
    "CREATE TRIGGER report_tally_tag_insert AFTER INSERT ON person_key_groups BEGIN \
     INSERT INTO report_enrolment_tallies (cohort_id, key_group, n) \
     SELECT cohort_id, NEW.key_group, 1 FROM enrolments \
     WHERE person_id = NEW.person_id AND status <> 'withdrawn' \
     UNION ALL SELECT cohort_id, '*', 1 FROM enrolments \
     WHERE person_id = NEW.person_id AND status <> 'withdrawn' \
     AND (SELECT COUNT(*) FROM person_key_groups WHERE person_id = NEW.person_id) = 1; END",
    "CREATE TRIGGER report_tally_tag_delete AFTER DELETE ON person_key_groups BEGIN \
     INSERT INTO report_enrolment_tallies (cohort_id, key_group, n) \
     SELECT cohort_id, OLD.key_group, -1 FROM enrolments \
     WHERE person_id = OLD.person_id AND status <> 'withdrawn' \
     UNION ALL SELECT cohort_id, '*', -1 FROM enrolments \
     WHERE person_id = OLD.person_id AND status <> 'withdrawn' \
     AND NOT EXISTS (SELECT 1 FROM person_key_groups WHERE person_id = OLD.person_id); END",
    // A changed tag is the old one removed and the new one added.
    "CREATE TRIGGER report_tally_tag_update AFTER UPDATE ON person_key_groups \
     WHEN OLD.person_id IS NOT NEW.person_id OR OLD.key_group IS NOT NEW.key_group BEGIN \
     INSERT INTO report_enrolment_tallies (cohort_id, key_group, n) \
     SELECT cohort_id, OLD.key_group, -1 FROM enrolments \
     WHERE person_id = OLD.person_id AND status <> 'withdrawn' \
     UNION ALL SELECT cohort_id, '*', -1 FROM enrolments \
     WHERE person_id = OLD.person_id AND status <> 'withdrawn' AND OLD.person_id <> NEW.person_id \
     AND NOT EXISTS (SELECT 1 FROM person_key_groups WHERE person_id = OLD.person_id) \
     UNION ALL SELECT cohort_id, NEW.key_group, 1 FROM enrolments \
     WHERE person_id = NEW.person_id AND status <> 'withdrawn' \
     UNION ALL SELECT cohort_id, '*', 1 FROM enrolments \
     WHERE person_id = NEW.person_id AND status <> 'withdrawn' AND OLD.person_id <> NEW.person_id \
     AND (SELECT COUNT(*) FROM person_key_groups WHERE person_id = NEW.person_id) = 1; END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS report_tally_certificate_insert",
    "DROP TRIGGER IF EXISTS report_tally_certificate_update",
    "DROP TRIGGER IF EXISTS report_tally_certificate_delete",
    "DROP TRIGGER IF EXISTS report_tally_enrolment_insert",
    "DROP TRIGGER IF EXISTS report_tally_enrolment_update",
    "DROP TRIGGER IF EXISTS report_tally_enrolment_delete",
    "DROP TRIGGER IF EXISTS report_tally_tag_insert",
    "DROP TRIGGER IF EXISTS report_tally_tag_delete",
    "DROP TRIGGER IF EXISTS report_tally_tag_update",
];

/// PostgreSQL's triggers: a function per table taking the old row away and adding the new
/// one, whatever the change; tags per statement (below). The functions look
/// rows up by person through the indexes whatever the statistics say: a large import
/// into a young database (statistics of near-empty tables) otherwise scanned the growing
/// `enrolments` and `person_key_groups` tables once per row — 100,000 rows took 153 s
/// instead of 9 s (benches/import_roster.sh).
const POSTGRES: &[&str] = &[
    "CREATE FUNCTION report_tally_certificate() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
     BEGIN
       IF TG_OP IN ('UPDATE', 'DELETE') THEN
         IF OLD.supersedes_id IS NULL THEN
           INSERT INTO report_certificate_tallies (kind, valid_from, status, n)
           VALUES (OLD.kind, OLD.valid_from, OLD.status, -1);
         END IF;
       END IF;
       IF TG_OP IN ('INSERT', 'UPDATE') THEN
         IF NEW.supersedes_id IS NULL THEN
           INSERT INTO report_certificate_tallies (kind, valid_from, status, n)
           VALUES (NEW.kind, NEW.valid_from, NEW.status, 1);
         END IF;
       END IF;
       RETURN NULL;
     END $$",
    "CREATE TRIGGER report_tally_certificate_row AFTER INSERT OR DELETE ON certificates \
     FOR EACH ROW EXECUTE FUNCTION report_tally_certificate()",
    "CREATE TRIGGER report_tally_certificate_update \
     AFTER UPDATE OF kind, valid_from, status, supersedes_id ON certificates FOR EACH ROW \
     WHEN (OLD.kind IS DISTINCT FROM NEW.kind OR OLD.valid_from IS DISTINCT FROM NEW.valid_from \
     OR OLD.status IS DISTINCT FROM NEW.status OR OLD.supersedes_id IS DISTINCT FROM NEW.supersedes_id) \
     EXECUTE FUNCTION report_tally_certificate()",
    "CREATE FUNCTION report_tally_enrolment() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
     BEGIN
       IF TG_OP IN ('UPDATE', 'DELETE') THEN
         IF OLD.status <> 'withdrawn' THEN
           INSERT INTO report_enrolment_tallies (cohort_id, key_group, n)
           SELECT OLD.cohort_id, '', -1
           UNION ALL SELECT OLD.cohort_id, '*', -1
           WHERE EXISTS (SELECT 1 FROM person_key_groups WHERE person_id = OLD.person_id)
           UNION ALL SELECT OLD.cohort_id, key_group, -1 FROM person_key_groups
           WHERE person_id = OLD.person_id;
         END IF;
       END IF;
       IF TG_OP IN ('INSERT', 'UPDATE') THEN
         IF NEW.status <> 'withdrawn' THEN
           INSERT INTO report_enrolment_tallies (cohort_id, key_group, n)
           SELECT NEW.cohort_id, '', 1
           UNION ALL SELECT NEW.cohort_id, '*', 1
           WHERE EXISTS (SELECT 1 FROM person_key_groups WHERE person_id = NEW.person_id)
           UNION ALL SELECT NEW.cohort_id, key_group, 1 FROM person_key_groups
           WHERE person_id = NEW.person_id;
         END IF;
       END IF;
       RETURN NULL;
     END $$",
    "CREATE TRIGGER report_tally_enrolment_row AFTER INSERT OR DELETE ON enrolments \
     FOR EACH ROW EXECUTE FUNCTION report_tally_enrolment()",
    "CREATE TRIGGER report_tally_enrolment_update \
     AFTER UPDATE OF status, cohort_id, person_id ON enrolments FOR EACH ROW \
     WHEN ((OLD.status = 'withdrawn') IS DISTINCT FROM (NEW.status = 'withdrawn') \
     OR OLD.cohort_id IS DISTINCT FROM NEW.cohort_id OR OLD.person_id IS DISTINCT FROM NEW.person_id) \
     EXECUTE FUNCTION report_tally_enrolment()",
    // Tags are tallied per statement, from its transition tables: PostgreSQL fires row
    // triggers after the whole statement, so a row trigger adding two tags of one person
    // in one INSERT would see both and never find the person's first. A person counts as
    // '*' from the statement that gives them their first tag to the one that takes their
    // last: tags before = tags now - added + removed.
    "CREATE FUNCTION report_tally_tags_added() RETURNS trigger LANGUAGE plpgsql \
     SET enable_seqscan = off AS $$
     BEGIN
       INSERT INTO report_enrolment_tallies (cohort_id, key_group, n)
       SELECT e.cohort_id, a.key_group, 1 FROM added a
       JOIN enrolments e ON e.person_id = a.person_id WHERE e.status <> 'withdrawn'
       UNION ALL SELECT e.cohort_id, '*', 1
       FROM (SELECT person_id, COUNT(*) AS k FROM added GROUP BY person_id) a
       JOIN enrolments e ON e.person_id = a.person_id WHERE e.status <> 'withdrawn'
       AND (SELECT COUNT(*) FROM person_key_groups t WHERE t.person_id = a.person_id) = a.k;
       RETURN NULL;
     END $$",
    "CREATE FUNCTION report_tally_tags_removed() RETURNS trigger LANGUAGE plpgsql \
     SET enable_seqscan = off AS $$
     BEGIN
       INSERT INTO report_enrolment_tallies (cohort_id, key_group, n)
       SELECT e.cohort_id, r.key_group, -1 FROM removed r
       JOIN enrolments e ON e.person_id = r.person_id WHERE e.status <> 'withdrawn'
       UNION ALL SELECT e.cohort_id, '*', -1
       FROM (SELECT DISTINCT person_id FROM removed) r
       JOIN enrolments e ON e.person_id = r.person_id WHERE e.status <> 'withdrawn'
       AND NOT EXISTS (SELECT 1 FROM person_key_groups t WHERE t.person_id = r.person_id);
       RETURN NULL;
     END $$",
    "CREATE FUNCTION report_tally_tags_changed() RETURNS trigger LANGUAGE plpgsql \
     SET enable_seqscan = off AS $$
     BEGIN
       INSERT INTO report_enrolment_tallies (cohort_id, key_group, n)
       SELECT e.cohort_id, r.key_group, -1 FROM removed r
       JOIN enrolments e ON e.person_id = r.person_id WHERE e.status <> 'withdrawn'
       UNION ALL SELECT e.cohort_id, a.key_group, 1 FROM added a
       JOIN enrolments e ON e.person_id = a.person_id WHERE e.status <> 'withdrawn'
       UNION ALL SELECT e.cohort_id, '*', CASE WHEN c.now > 0 THEN 1 ELSE -1 END
       FROM (SELECT p.person_id,
               (SELECT COUNT(*) FROM person_key_groups t WHERE t.person_id = p.person_id) AS now,
               (SELECT COUNT(*) FROM added a WHERE a.person_id = p.person_id) AS plus,
               (SELECT COUNT(*) FROM removed r WHERE r.person_id = p.person_id) AS minus
             FROM (SELECT person_id FROM added UNION SELECT person_id FROM removed) p) c
       JOIN enrolments e ON e.person_id = c.person_id WHERE e.status <> 'withdrawn'
       AND (c.now > 0) <> (c.now - c.plus + c.minus > 0);
       RETURN NULL;
     END $$",
    "CREATE TRIGGER report_tally_tags_added AFTER INSERT ON person_key_groups \
     REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION report_tally_tags_added()",
    "CREATE TRIGGER report_tally_tags_removed AFTER DELETE ON person_key_groups \
     REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION report_tally_tags_removed()",
    "CREATE TRIGGER report_tally_tags_changed AFTER UPDATE ON person_key_groups \
     REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT \
     EXECUTE FUNCTION report_tally_tags_changed()",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS report_tally_certificate_row ON certificates",
    "DROP TRIGGER IF EXISTS report_tally_certificate_update ON certificates",
    "DROP TRIGGER IF EXISTS report_tally_enrolment_row ON enrolments",
    "DROP TRIGGER IF EXISTS report_tally_enrolment_update ON enrolments",
    "DROP TRIGGER IF EXISTS report_tally_tags_added ON person_key_groups",
    "DROP TRIGGER IF EXISTS report_tally_tags_removed ON person_key_groups",
    "DROP TRIGGER IF EXISTS report_tally_tags_changed ON person_key_groups",
    "DROP FUNCTION IF EXISTS report_tally_certificate()",
    "DROP FUNCTION IF EXISTS report_tally_enrolment()",
    "DROP FUNCTION IF EXISTS report_tally_tags_added()",
    "DROP FUNCTION IF EXISTS report_tally_tags_removed()",
    "DROP FUNCTION IF EXISTS report_tally_tags_changed()",
];

#[derive(DeriveIden)]
enum CertificateTallies {
    #[sea_orm(iden = "report_certificate_tallies")]
    Table,
    Id,
    Kind,
    ValidFrom,
    Status,
    N,
}

#[derive(DeriveIden)]
enum EnrolmentTallies {
    #[sea_orm(iden = "report_enrolment_tallies")]
    Table,
    Id,
    CohortId,
    KeyGroup,
    N,
}
