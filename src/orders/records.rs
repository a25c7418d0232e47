//! What an order's figures are computed from, loaded for many orders at once (five
//! queries whatever their number): the linked cohorts, their current enrolments, the
//! certificates those trainees earned from the cohorts' programs, and the hires.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Months, NaiveDate};
use entities::{
    certificates as certificate, cohorts as cohort, enrolments as enrolment, order_cohorts as link,
    order_hires as hire,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::Employment;
use crate::{
    certificates::status::CertificateStatus, cohorts::EnrolmentStatus, error::AppError,
    programs::CertificateKind, stored::Stored,
};

/// One order's records.
#[derive(Debug, Default)]
pub(crate) struct Records {
    pub cohorts: Vec<cohort::Model>,
    /// Current (not withdrawn) enrolments in the linked cohorts.
    pub enrolments: Vec<enrolment::Model>,
    /// Certificates of those trainees from the linked cohorts' programs.
    pub certificates: Vec<certificate::Model>,
    pub hires: Vec<hire::Model>,
}

/// How many hires count as employed after the months, and since when each does.
#[derive(Debug, Default)]
pub(crate) struct Employed {
    pub own: u64,
    pub other: u64,
    /// The day each counted hire reached the months, earliest first.
    pub since: Vec<NaiveDate>,
}

pub(crate) async fn load(
    conn: &impl ConnectionTrait,
    order_ids: &[&str],
) -> Result<HashMap<String, Records>, AppError> {
    let mut out: HashMap<String, Records> = order_ids
        .iter()
        .map(|id| ((*id).to_owned(), Records::default()))
        .collect();
    if order_ids.is_empty() {
        return Ok(out);
    }
    let links = link::Entity::find()
        .filter(link::Column::OrderId.is_in(order_ids.iter().copied()))
        .all(conn)
        .await?;
    let order_of: HashMap<&str, &str> = links
        .iter()
        .map(|l| (l.cohort_id.as_str(), l.order_id.as_str()))
        .collect();
    let cohorts = cohort::Entity::find()
        .filter(cohort::Column::Id.is_in(order_of.keys().copied()))
        .order_by_asc(cohort::Column::Id)
        .all(conn)
        .await?;
    let enrolments = enrolment::Entity::find()
        .filter(enrolment::Column::CohortId.is_in(order_of.keys().copied()))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::Enrolled.as_str()))
        .order_by_asc(enrolment::Column::Id)
        .all(conn)
        .await?;
    let people: HashSet<&str> = enrolments.iter().map(|e| e.person_id.as_str()).collect();
    let programs: HashSet<&str> = cohorts.iter().map(|c| c.program_id.as_str()).collect();
    let certificates = if people.is_empty() {
        Vec::new()
    } else {
        certificate::Entity::find()
            .filter(certificate::Column::PersonId.is_in(people.iter().copied()))
            .filter(certificate::Column::ProgramId.is_in(programs.iter().copied()))
            .order_by_asc(certificate::Column::IssuedAt)
            .all(conn)
            .await?
    };
    let hires = hire::Entity::find()
        .filter(hire::Column::OrderId.is_in(order_ids.iter().copied()))
        .order_by_asc(hire::Column::HiredOn)
        .all(conn)
        .await?;
    let mut programs_of: HashMap<&str, HashSet<String>> = HashMap::new();
    let mut people_of: HashMap<&str, HashSet<String>> = HashMap::new();
    for c in &cohorts {
        if let Some(order) = order_of.get(c.id.as_str()) {
            programs_of
                .entry(order)
                .or_default()
                .insert(c.program_id.clone());
        }
    }
    for e in &enrolments {
        if let Some(order) = order_of.get(e.cohort_id.as_str()) {
            people_of
                .entry(order)
                .or_default()
                .insert(e.person_id.clone());
        }
    }
    for c in &certificates {
        for (order, people) in &people_of {
            let from_program = c
                .program_id
                .as_ref()
                .is_some_and(|p| programs_of.get(order).is_some_and(|ps| ps.contains(p)));
            if from_program
                && people.contains(&c.person_id)
                && let Some(r) = out.get_mut(*order)
            {
                r.certificates.push(c.clone());
            }
        }
    }
    for e in enrolments.iter() {
        if let Some(r) = order_of
            .get(e.cohort_id.as_str())
            .and_then(|o| out.get_mut(*o))
        {
            r.enrolments.push(e.clone());
        }
    }
    for c in cohorts {
        let order = order_of.get(c.id.as_str()).map(|o| (*o).to_owned());
        if let Some(r) = order.and_then(|o| out.get_mut(&o)) {
            r.cohorts.push(c);
        }
    }
    for h in hires {
        if let Some(r) = out.get_mut(&h.order_id) {
            r.hires.push(h);
        }
    }
    Ok(out)
}

impl Records {
    pub fn enrolled(&self) -> u64 {
        let people: HashSet<&str> = self
            .enrolments
            .iter()
            .map(|e| e.person_id.as_str())
            .collect();
        people.len() as u64
    }

    /// The people holding a certificate of `kind` that stands today.
    pub fn holders(
        &self,
        kind: CertificateKind,
        today: NaiveDate,
    ) -> Result<HashSet<&str>, AppError> {
        let mut out = HashSet::new();
        for c in &self.certificates {
            if CertificateKind::read("certificates", &c.id, &c.kind)? == kind
                && CertificateStatus::current(c, today)? == CertificateStatus::Valid
            {
                out.insert(c.person_id.as_str());
            }
        }
        Ok(out)
    }

    /// How many trainees hold a standing certificate of each kind.
    pub fn certified_by_kind(
        &self,
        today: NaiveDate,
    ) -> Result<BTreeMap<CertificateKind, u64>, AppError> {
        let mut out = BTreeMap::new();
        for kind in CertificateKind::ALL {
            let n = self.holders(*kind, today)?.len() as u64;
            if n > 0 {
                out.insert(*kind, n);
            }
        }
        Ok(out)
    }

    /// Hires still employed `months` after they were hired, as of `today`: a departure
    /// before that day takes the hire out.
    pub fn employed_after(&self, months: u32, today: NaiveDate) -> Result<Employed, AppError> {
        let mut out = Employed::default();
        for h in &self.hires {
            let Some(mark) = h.hired_on.checked_add_months(Months::new(months)) else {
                continue;
            };
            if mark > today || h.left_on.is_some_and(|left| left < mark) {
                continue;
            }
            match Employment::read("order_hires", &h.id, &h.employment)? {
                Employment::Own => out.own += 1,
                Employment::OtherEmployer => out.other += 1,
            }
            out.since.push(mark);
        }
        out.since.sort();
        Ok(out)
    }

    /// Hires (own, other employer) recorded, whether or not they stayed.
    pub fn hired(&self) -> Result<(u64, u64), AppError> {
        let (mut own, mut other) = (0, 0);
        for h in &self.hires {
            match Employment::read("order_hires", &h.id, &h.employment)? {
                Employment::Own => own += 1,
                Employment::OtherEmployer => other += 1,
            }
        }
        Ok((own, other))
    }
}

/// One order's records.
pub(crate) async fn load_one(
    conn: &impl ConnectionTrait,
    order_id: &str,
) -> Result<Records, AppError> {
    Ok(load(conn, &[order_id])
        .await?
        .remove(order_id)
        .unwrap_or_default())
}
