//! Expiry reminders: to the holder of each valid certificate whose kind has a schedule
//! (by default licences), on the schedule's steps before and after `valid_until`, each
//! saying how to renew — the next cohort on the certificate's standard (any version of
//! it) or, without one, its occupation, that starts after today — or that none is
//! scheduled.

use std::collections::{HashMap, HashSet};

use entities::{
    certificates as certificate, cohorts as cohort, organisations as organisation,
    people as person, programs as program, standards as standard,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{Reminders, schedule::Schedule};
use crate::{
    certificates::CertificateStatus,
    clock::Now,
    error::AppError,
    mail::{
        MailKind, Outgoing,
        compose::{ExpiryReminder, NextCohort},
        outbox::{self, Recipient},
    },
    programs::CertificateKind,
    stored::Stored,
};

/// Queues the expiry reminders due on `now.today`; how many were queued now.
pub async fn queue_due(
    conn: &impl ConnectionTrait,
    reminders: &Reminders,
    now: Now,
) -> Result<usize, AppError> {
    let mut queued = 0;
    for (kind, schedule) in reminders.schedules.kinds() {
        let Ok(kind) = CertificateKind::parse(kind) else {
            continue;
        };
        queued += queue_kind(conn, reminders, kind, schedule, now).await?;
    }
    Ok(queued)
}

async fn queue_kind(
    conn: &impl ConnectionTrait,
    reminders: &Reminders,
    kind: CertificateKind,
    schedule: &Schedule,
    now: Now,
) -> Result<usize, AppError> {
    let Some((from, to)) = schedule.window(now.today) else {
        return Ok(0);
    };
    // Stored as valid: not suspended, revoked or superseded (a renewed licence is
    // superseded, so its holder hears no more about the old one).
    let rows = certificate::Entity::find()
        .filter(certificate::Column::Kind.eq(kind.as_str()))
        .filter(certificate::Column::Status.eq(CertificateStatus::Valid.as_str()))
        .filter(certificate::Column::ValidUntil.between(from, to))
        .order_by_asc(certificate::Column::Id)
        .all(conn)
        .await?;
    let due: Vec<(certificate::Model, i64)> = rows
        .into_iter()
        .filter_map(|c| {
            let step = schedule.due(c.valid_until?, now.today)?;
            Some((c, step))
        })
        .collect();
    if due.is_empty() {
        return Ok(0);
    }
    let holder_ids: HashSet<&str> = due.iter().map(|(c, _)| c.person_id.as_str()).collect();
    let holders: HashMap<String, person::Model> = person::Entity::find()
        .filter(person::Column::Id.is_in(holder_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let certificates: Vec<&certificate::Model> = due.iter().map(|(c, _)| c).collect();
    let renewals = Renewals::load(conn, &certificates, now).await?;
    let mut queued = 0;
    for (row, step) in &due {
        let Some(to) = holders.get(&row.person_id).and_then(Recipient::person) else {
            continue;
        };
        let Some(valid_until) = row.valid_until else {
            continue;
        };
        let facts = ExpiryReminder {
            holder_name: holders[&row.person_id].name.clone(),
            kind: kind.label().to_owned(),
            number: row.number.clone(),
            issuer_name: row.issuer_name.clone(),
            valid_until: valid_until.to_string(),
            days_left: (valid_until - now.today).num_days(),
            renewal: renewals.next_for(row),
            verify_url: format!("{}/v/{}", reminders.base_url, row.token),
        };
        let out = Outgoing {
            kind: MailKind::ExpiryReminder,
            // Once per certificate and step, whoever runs the job and however often.
            dedupe_key: format!("reminder:{}:{step}", row.id),
            to,
            organisation_id: Some(row.issuer_org_id.clone()),
            facts: &facts,
            attachment: None,
        };
        if outbox::queue(conn, out, now).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// The cohorts starting after today that could renew the certificates at hand, read in
/// four queries for all of them.
struct Renewals {
    /// Standard version id → the standard's code.
    code_of_standard: HashMap<String, String>,
    /// Upcoming cohorts, earliest first, with what they train for and who runs them.
    upcoming: Vec<Upcoming>,
}

struct Upcoming {
    standard_code: Option<String>,
    occupation_code: Option<String>,
    cohort: NextCohort,
}

impl Renewals {
    async fn load(
        conn: &impl ConnectionTrait,
        certificates: &[&certificate::Model],
        now: Now,
    ) -> Result<Self, AppError> {
        let standard_ids: HashSet<&str> = certificates
            .iter()
            .filter_map(|c| c.standard_id.as_deref())
            .collect();
        let occupations: HashSet<&str> = certificates
            .iter()
            .filter_map(|c| c.occupation_code.as_deref())
            .collect();
        let pinned = standard::Entity::find()
            .filter(standard::Column::Id.is_in(standard_ids))
            .all(conn)
            .await?;
        let codes: HashSet<String> = pinned.iter().map(|s| s.code.clone()).collect();
        // Every version of those standards: a cohort on a newer version renews too.
        let versions = standard::Entity::find()
            .filter(standard::Column::Code.is_in(codes))
            .all(conn)
            .await?;
        let code_of_standard: HashMap<String, String> =
            versions.into_iter().map(|s| (s.id, s.code)).collect();
        let programs = program::Entity::find()
            .filter(
                Condition::any()
                    .add(program::Column::StandardId.is_in(code_of_standard.keys()))
                    .add(program::Column::OccupationCode.is_in(occupations)),
            )
            .all(conn)
            .await?;
        let programs: HashMap<String, program::Model> =
            programs.into_iter().map(|p| (p.id.clone(), p)).collect();
        let cohorts = cohort::Entity::find()
            .filter(cohort::Column::ProgramId.is_in(programs.keys()))
            .filter(cohort::Column::StartsOn.gt(now.today))
            .order_by_asc(cohort::Column::StartsOn)
            .order_by_asc(cohort::Column::Id)
            .all(conn)
            .await?;
        let provider_ids: HashSet<&str> = cohorts.iter().map(|c| c.provider_id.as_str()).collect();
        let providers: HashMap<String, String> = organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(provider_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        let upcoming = cohorts
            .into_iter()
            .filter_map(|c| {
                let p = programs.get(&c.program_id)?;
                Some(Upcoming {
                    standard_code: p
                        .standard_id
                        .as_ref()
                        .and_then(|id| code_of_standard.get(id).cloned()),
                    occupation_code: p.occupation_code.clone(),
                    cohort: NextCohort {
                        program: p.title.clone(),
                        cohort: c.code.clone(),
                        provider: providers.get(&c.provider_id).cloned().unwrap_or_default(),
                        starts_on: c.starts_on.to_string(),
                        ends_on: c.ends_on.to_string(),
                    },
                })
            })
            .collect();
        Ok(Self {
            code_of_standard,
            upcoming,
        })
    }

    /// The earliest upcoming cohort on `row`'s standard, or (without a standard) on its
    /// occupation.
    fn next_for(&self, row: &certificate::Model) -> Option<NextCohort> {
        let code = row
            .standard_id
            .as_ref()
            .and_then(|id| self.code_of_standard.get(id));
        self.upcoming
            .iter()
            .find(|u| match code {
                Some(code) => u.standard_code.as_ref() == Some(code),
                None => row.occupation_code.is_some() && u.occupation_code == row.occupation_code,
            })
            .map(|u| u.cohort.clone())
    }
}
