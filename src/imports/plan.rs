//! Checking an upload's rows against the cohort and the registry before anything is
//! written: the checks of a single enrolment ([`enrolment::enrol`]), with the registry's
//! look-ups made for many rows at once (people by blind index, their enrolments in the
//! cohort). The cohort row is locked first, so imports and enrolments into one cohort
//! take turns, as single enrolments do, also across instances.

use std::collections::HashMap;

use entities::{cohorts as cohort, enrolments, people as person, programs as program};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{
    ImportedRow, Refusal, SkippedRow,
    progress::{Phase, Progress},
    sheet::Row,
};
use crate::{
    access::Caller,
    cohorts::{self, EnrolmentStatus, enrolment},
    db,
    error::AppError,
    people::{
        CitizenId, PiiKeys, batch,
        store::{Identity, IdentityInput},
    },
};

/// How many people one enrolment look-up names.
const LOOKUP_CHUNK: usize = 2_000;

/// What an import will do, once every row is checked.
pub(super) struct Plan {
    /// The cohort, locked.
    pub(super) cohort: cohort::Model,
    /// The rows to enrol, in sheet order.
    pub(super) enrol: Vec<Planned>,
    /// The rows of people enrolled already.
    pub(super) skipped: Vec<SkippedRow>,
    /// The rows refused; when there is one, nothing is written.
    pub(super) refused: Vec<Refusal>,
}

/// A row to enrol, with what the registry knows of the person.
pub(super) struct Planned {
    pub(super) row: u32,
    pub(super) identity: Identity,
    /// The ID's blind index.
    pub(super) index: String,
    /// The person as registered, if they are.
    pub(super) known: Option<person::Model>,
    /// Their withdrawn enrolment in the cohort, made current again rather than anew.
    pub(super) withdrawn: Option<enrolments::Model>,
}

impl Planned {
    /// The row as the report lists it.
    pub(super) fn report(&self, enrolment_id: Option<String>) -> ImportedRow {
        ImportedRow {
            row: self.row,
            enrolment_id,
            name: self.identity.name.as_str().to_owned(),
            citizen_id: self.identity.citizen_id.masked(),
        }
    }
}

/// A row whose fields are valid, not yet compared with the registry.
struct Parsed {
    row: u32,
    identity: Identity,
    index: String,
}

/// Checks every row of `import` against the cohort, which it locks.
pub(super) async fn check(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    cohort_id: &str,
    rows: Vec<Row>,
    progress: &dyn Progress,
) -> Result<Plan, AppError> {
    let cohort = enrolment::lock_cohort(conn, caller, cohort_id).await?;
    let program = db::linked::<program::Entity>(conn, &cohort.program_id, || {
        format!("cohort {} has no program", cohort.id)
    })
    .await?;
    let mut refused = Vec::new();
    let parsed = parse_rows(keys, rows, (&cohort, &program), &mut refused, progress)?;
    progress.start(Phase::LookingUp, parsed.len() as u64);
    let enrolled = cohorts::enrolled_count(conn, &cohort.id).await?;
    let mut seats = (cohort.capacity.max(0) as u64).saturating_sub(enrolled);
    let mut plan = Plan {
        cohort,
        enrol: Vec::new(),
        skipped: Vec::new(),
        refused,
    };
    // The registry is asked about a chunk of rows at a time, so a list of people who are
    // all known (a roster uploaded again) holds one chunk of their records, not all.
    let mut parsed = parsed.into_iter().peekable();
    while parsed.peek().is_some() {
        let chunk: Vec<Parsed> = parsed.by_ref().take(LOOKUP_CHUNK).collect();
        let indexes: Vec<&str> = chunk.iter().map(|p| p.index.as_str()).collect();
        let mut people = batch::find_by_index(conn, &indexes).await?;
        let person_ids: Vec<&str> = people.values().map(|p| p.id.as_str()).collect();
        let mut in_cohort = enrolments_of(conn, &plan.cohort.id, &person_ids).await?;
        for Parsed {
            row,
            identity,
            index,
        } in chunk
        {
            progress.advance(1);
            let known = people.remove(&index);
            if known
                .as_ref()
                .is_some_and(|p| p.name != identity.name.as_str())
            {
                plan.refused.push(refusal(row, enrolment::name_mismatch())?);
                continue;
            }
            let previous = known.as_ref().and_then(|p| in_cohort.remove(&p.id));
            let status = previous.as_ref().map(EnrolmentStatus::of).transpose()?;
            if status == Some(EnrolmentStatus::Enrolled) {
                let masked = identity.citizen_id.masked();
                plan.skipped.push(SkippedRow {
                    row,
                    name: identity.name.as_str().to_owned(),
                    message: format!("该学员（{masked}）已在本班次中，本次跳过"),
                    citizen_id: masked,
                    reason: "already_enrolled",
                });
                continue;
            }
            if seats == 0 {
                let full = refusal(row, enrolment::cohort_full(&plan.cohort))?;
                plan.refused.push(full);
                continue;
            }
            seats -= 1;
            plan.enrol.push(Planned {
                row,
                identity,
                index,
                known,
                withdrawn: previous,
            });
        }
    }
    Ok(plan)
}

/// Each row's own checks: an ID stored as a number, the same ID twice in the file, the
/// identity fields and key groups, the program's age window. Refused rows go to
/// `refused`; the rest come back with their blind index.
fn parse_rows(
    keys: &PiiKeys,
    rows: Vec<Row>,
    (cohort, program): (&cohort::Model, &program::Model),
    refused: &mut Vec<Refusal>,
    progress: &dyn Progress,
) -> Result<Vec<Parsed>, AppError> {
    progress.start(Phase::Checking, rows.len() as u64);
    let mut parsed = Vec::with_capacity(rows.len());
    let mut first_row_of: HashMap<String, u32> = HashMap::with_capacity(rows.len());
    for row in rows {
        progress.advance(1);
        if row.citizen_id_is_number {
            refused.push(Refusal::of(
                row.row,
                "citizen_id",
                "stored_as_number",
                "身份证号被表格存成了数字，末尾几位已丢失；请把该列设为“文本”格式后重新填写",
            ));
            continue;
        }
        if let Ok(id) = CitizenId::parse(&row.citizen_id) {
            if let Some(first) = first_row_of.get(id.as_str()) {
                refused.push(Refusal::of(
                    row.row,
                    "citizen_id",
                    "duplicate_in_file",
                    &format!("身份证号与第{first}行重复"),
                ));
                continue;
            }
            first_row_of.insert(id.as_str().to_owned(), row.row);
        }
        let input = IdentityInput {
            name: row.name,
            citizen_id: row.citizen_id,
            phone: row.phone,
            key_groups: row.key_groups,
        };
        let checked = input.parse(cohort.starts_on).and_then(|identity| {
            enrolment::check_age(cohort, program, &identity).map(|()| identity)
        });
        match checked {
            Ok(identity) => parsed.push(Parsed {
                row: row.row,
                index: keys.blind_index(identity.citizen_id.as_str()),
                identity,
            }),
            Err(e) => refused.push(refusal(row.row, e)?),
        }
    }
    Ok(parsed)
}

/// Row `row` refused as a single enrolment would be; an error that is no refusal (the
/// database failing) stays an error.
fn refusal(row: u32, error: AppError) -> Result<Refusal, AppError> {
    match error {
        AppError::Invalid { message, fields } => Ok(Refusal::from_error(row, &message, fields)),
        AppError::Conflict { code, message } => {
            let field = if code == "cohort_full" {
                "cohort"
            } else {
                "citizen_id"
            };
            Ok(Refusal::of(row, field, code, &message))
        }
        other => Err(other),
    }
}

/// The enrolments in `cohort_id` of the people `person_ids`, by person.
async fn enrolments_of(
    conn: &impl ConnectionTrait,
    cohort_id: &str,
    person_ids: &[&str],
) -> Result<HashMap<String, enrolments::Model>, AppError> {
    let mut found = HashMap::new();
    for chunk in person_ids.chunks(LOOKUP_CHUNK) {
        let rows = enrolments::Entity::find()
            .filter(enrolments::Column::CohortId.eq(cohort_id))
            .filter(enrolments::Column::PersonId.is_in(chunk.iter().copied()))
            .all(conn)
            .await?;
        found.extend(rows.into_iter().map(|e| (e.person_id.clone(), e)));
    }
    Ok(found)
}
