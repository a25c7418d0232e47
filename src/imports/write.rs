//! Writing a checked import: new people, the new key groups and phones of known ones,
//! the enrolments, and their audit entries, in multi-row statements inside the caller's
//! transaction. The rows and entries are those single enrolments would write, one by one.

use entities::{cohorts as cohort, enrolments, people as person, programs};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Iterable, Set, TryInsertResult,
};

use super::{
    ImportedRow,
    plan::Planned,
    progress::{Phase, Progress},
};
use crate::{
    access::Caller,
    audit::{self, Change},
    clock::Now,
    cohorts::{EnrolmentStatus, enrolment, notices},
    db,
    error::AppError,
    people::{PiiKeys, batch},
    stored::Stored,
};

/// How many rows are written together: the memory an import holds beyond its rows.
const WRITE_CHUNK: usize = 2_000;

/// A known person's record, and what enrolling them adds to it.
struct Update<'a> {
    row: &'a person::Model,
    change: batch::ContactUpdate,
}

/// Writes every planned row, a chunk at a time; the enrolments, in sheet order.
pub(super) async fn write(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    cohort: &cohort::Model,
    rows: &[Planned],
    progress: &dyn Progress,
    now: Now,
) -> Result<Vec<ImportedRow>, AppError> {
    progress.start(Phase::Writing, rows.len() as u64);
    let actor = caller.actor();
    let mut audit = audit::Appender::lock(conn).await?;
    let mut report = Vec::with_capacity(rows.len());
    let mut program = None;
    for chunk in rows.chunks(WRITE_CHUNK) {
        let written = write_chunk(conn, keys, cohort, chunk, now).await?;
        audit.append(conn, &actor, written.changes()).await?;
        notify(
            conn,
            cohort,
            &mut program,
            chunk,
            &written.enrolment_ids,
            now,
        )
        .await?;
        report.extend(
            chunk
                .iter()
                .zip(&written.enrolment_ids)
                .map(|(planned, id)| planned.report(Some(id.clone()))),
        );
        progress.advance(chunk.len() as u64);
    }
    Ok(report)
}

/// Queues the enrolment mail a single enrolment sends to each known person of `rows` with
/// a confirmed address (people registered by the import have no address yet). The
/// cohort's program is read once, when the first such person turns up.
async fn notify(
    conn: &impl ConnectionTrait,
    cohort: &cohort::Model,
    program: &mut Option<programs::Model>,
    rows: &[Planned],
    enrolment_ids: &[String],
    now: Now,
) -> Result<(), AppError> {
    let enrolled: Vec<(&person::Model, &str)> = rows
        .iter()
        .zip(enrolment_ids)
        .filter_map(|(planned, id)| planned.known.as_ref().map(|p| (p, id.as_str())))
        .filter(|(p, _)| p.email.is_some() && p.email_confirmed_at.is_some())
        .collect();
    if enrolled.is_empty() {
        return Ok(());
    }
    if program.is_none() {
        *program = programs::Entity::find_by_id(cohort.program_id.clone())
            .one(conn)
            .await?;
    }
    let Some(program) = program.as_ref() else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "cohort {} has no program",
            cohort.id
        )));
    };
    notices::enrolled_all(conn, cohort, program, &enrolled, now).await
}

/// Writes the people and enrolments of `rows`; what was written, for the audit log.
async fn write_chunk<'a>(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    cohort: &'a cohort::Model,
    rows: &'a [Planned],
    now: Now,
) -> Result<Written<'a>, AppError> {
    let mut person_ids = Vec::with_capacity(rows.len());
    let mut registered = Vec::new();
    let mut updated = Vec::new();
    for planned in rows {
        match &planned.known {
            None => {
                let record =
                    batch::new_record(keys, &planned.identity, planned.index.clone(), now)?;
                person_ids.push(record.id.clone());
                registered.push((record, planned));
            }
            Some(row) => {
                person_ids.push(row.id.clone());
                if let Some(change) = batch::contact_update(keys, row, &planned.identity)? {
                    updated.push(Update { row, change });
                }
            }
        }
    }
    register(conn, &registered).await?;
    let mut tags = Vec::new();
    for (p, planned) in &registered {
        tags.extend(
            planned
                .identity
                .key_groups
                .iter()
                .map(|g| (p.id.clone(), g.as_str())),
        );
    }
    for u in &updated {
        tags.extend(u.change.key_groups.iter().map(|g| (u.row.id.clone(), *g)));
    }
    crate::people::tags::write(conn, tags).await?;
    for update in &updated {
        let mut active: person::ActiveModel = update.row.clone().into();
        active.key_groups = Set(serde_json::json!(update.change.key_groups).to_string());
        if let Some(phone) = &update.change.phone_sealed {
            active.phone_sealed = Set(Some(phone.clone()));
        }
        active.updated_at = Set(now.stamp());
        active.update(conn).await?;
    }
    let mut created = Vec::new();
    let mut enrolment_ids = Vec::with_capacity(rows.len());
    for (planned, person_id) in rows.iter().zip(&person_ids) {
        match &planned.withdrawn {
            // Re-enrolling after a withdrawal makes the same enrolment current again, as
            // a single enrolment does.
            Some(old) => {
                let mut active: enrolments::ActiveModel = old.clone().into();
                active.status = Set(EnrolmentStatus::Enrolled.as_str().to_owned());
                active.withdrawn_at = Set(None);
                active.withdraw_reason = Set(None);
                active.update(conn).await?;
                enrolment_ids.push(old.id.clone());
            }
            None => {
                let row = enrolment::new_enrolment(cohort, person_id, now);
                enrolment_ids.push(row.id.clone());
                created.push(row);
            }
        }
    }
    let per_insert = db::rows_per_insert(enrolments::Column::iter().count());
    for chunk in created.chunks(per_insert) {
        enrolments::Entity::insert_many(
            chunk
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model),
        )
        .exec_without_returning(conn)
        .await?;
    }
    Ok(Written {
        cohort_id: &cohort.id,
        rows,
        registered,
        updated,
        person_ids,
        enrolment_ids,
    })
}

/// Inserts the people not registered yet. One registered meanwhile by another import or
/// enrolment (the checks saw no such person) makes the whole import a 409 to retry.
async fn register(
    conn: &impl ConnectionTrait,
    people: &[(person::Model, &Planned)],
) -> Result<(), AppError> {
    let per_insert = db::rows_per_insert(person::Column::iter().count());
    for chunk in people.chunks(per_insert) {
        let inserted =
            person::Entity::insert_many(chunk.iter().map(|(p, _)| p.clone().into_active_model()))
                .on_conflict_do_nothing_on([person::Column::CitizenIdIndex])
                .exec_without_returning(conn)
                .await?;
        if !matches!(inserted, TryInsertResult::Inserted(n) if n == chunk.len() as u64) {
            return Err(AppError::Conflict {
                code: "registered_meanwhile",
                message: "名单中有学员刚刚由另一项操作登记，本次未导入任何学员；请重新上传".into(),
            });
        }
    }
    Ok(())
}

/// What a chunk of rows wrote, for its audit entries.
struct Written<'a> {
    cohort_id: &'a str,
    rows: &'a [Planned],
    registered: Vec<(person::Model, &'a Planned)>,
    updated: Vec<Update<'a>>,
    /// The person of each row.
    person_ids: Vec<String>,
    /// The enrolment of each row.
    enrolment_ids: Vec<String>,
}

impl Written<'_> {
    /// The audit entries single enrolments would have written: people registered,
    /// people updated, enrolments made or made current again.
    fn changes(&self) -> Vec<Change<'_>> {
        let mut changes =
            Vec::with_capacity(self.registered.len() + self.updated.len() + self.rows.len());
        changes.extend(self.registered.iter().map(|(person, planned)| {
            let groups: Vec<&str> = planned.identity.key_groups.iter().map(|g| g.as_str()).collect();
            Change {
                action: "person.register",
                record_type: "person",
                record_id: &person.id,
                summary: serde_json::json!({"citizen_id": person.citizen_id_masked, "key_groups": groups}),
            }
        }));
        changes.extend(self.updated.iter().map(|u| Change {
            action: "person.update",
            record_type: "person",
            record_id: &u.row.id,
            summary: serde_json::json!({"key_groups": u.change.key_groups, "phone_changed": u.change.phone_sealed.is_some()}),
        }));
        let of_rows = self
            .rows
            .iter()
            .zip(&self.person_ids)
            .zip(&self.enrolment_ids);
        changes.extend(of_rows.map(|((planned, person_id), enrolment_id)| Change {
            action: if planned.withdrawn.is_some() {
                "enrolment.reactivate"
            } else {
                "enrolment.create"
            },
            record_type: "enrolment",
            record_id: enrolment_id,
            summary: serde_json::json!({"cohort_id": self.cohort_id, "person_id": person_id, "citizen_id": planned.identity.citizen_id.masked()}),
        }));
        changes
    }
}
