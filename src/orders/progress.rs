//! An order's progress against its targets, live from the records: enrolled, completed,
//! certified by kind, hired (own and by other employers), still employed after the
//! funding rule's months; and its trainees, masked for all but the assigned provider,
//! with their certificates' status.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::people as person;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;

use super::{funding_rules, hires::Hire, records};
use crate::{
    access::{Caller, rules},
    certificates::status::CertificateStatus,
    error::AppError,
    people::mask_name,
    programs::CertificateKind,
    stored::Stored,
};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindCount {
    pub kind: CertificateKind,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TraineeCertificate {
    pub kind: CertificateKind,
    pub number: String,
    pub status: CertificateStatus,
    pub status_label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Trainee {
    pub person_id: String,
    /// `张*三` unless the caller is the assigned provider.
    pub name: String,
    /// Always masked here: `150784********123X`.
    pub citizen_id: String,
    pub citizen_id_masked: bool,
    pub cohort_id: String,
    pub certificates: Vec<TraineeCertificate>,
    pub hire: Option<Hire>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Progress {
    pub order_id: String,
    pub as_of: NaiveDate,
    pub trainees_wanted: u32,
    pub hire_commitment: u32,
    pub enrolled: u64,
    /// Trainees holding a standing completion certificate.
    pub completed: u64,
    pub certified: Vec<KindCount>,
    /// Trainees holding the certificate the order's hires require.
    pub certified_for_hire: u64,
    pub hired_own: u64,
    pub hired_other_employer: u64,
    /// The funding rule's months (none before the order is assigned or without a rule).
    pub months: Option<u32>,
    pub still_employed_own: Option<u64>,
    pub still_employed_other_employer: Option<u64>,
    pub trainees: Vec<Trainee>,
}

/// The order's progress as of `today`.
pub async fn get(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    today: NaiveDate,
) -> Result<Progress, AppError> {
    let row = super::find(conn, caller, id).await?;
    let records = records::load_one(conn, &row.id).await?;
    let kind = CertificateKind::read("orders", &row.id, &row.hire_certificate_kind)?;
    let certified = records.certified_by_kind(today)?;
    let (hired_own, hired_other_employer) = records.hired()?;
    let rule = funding_rules::rule_of(conn, &row).await?;
    let employed = match &rule {
        Some(r) => Some(records.employed_after(r.months_employed as u32, today)?),
        None => None,
    };
    let full = rules::sees_order_trainees(caller, row.provider_id.as_deref());
    let people: HashMap<String, person::Model> = person::Entity::find()
        .filter(person::Column::Id.is_in(records.enrolments.iter().map(|e| e.person_id.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let mut trainees = Vec::with_capacity(records.enrolments.len());
    for e in &records.enrolments {
        let Some(p) = people.get(&e.person_id) else {
            continue;
        };
        let mut certificates = Vec::new();
        for c in records.certificates.iter().filter(|c| c.person_id == p.id) {
            let status = CertificateStatus::current(c, today)?;
            certificates.push(TraineeCertificate {
                kind: CertificateKind::read("certificates", &c.id, &c.kind)?,
                number: c.number.clone(),
                status_label: status.label().into(),
                status,
            });
        }
        let hire = records
            .hires
            .iter()
            .find(|h| h.person_id == p.id)
            .cloned()
            .map(super::hires::view)
            .transpose()?;
        trainees.push(Trainee {
            person_id: p.id.clone(),
            name: if full {
                p.name.clone()
            } else {
                mask_name(&p.name)
            },
            citizen_id: p.citizen_id_masked.clone(),
            citizen_id_masked: true,
            cohort_id: e.cohort_id.clone(),
            certificates,
            hire,
        });
    }
    Ok(Progress {
        order_id: row.id.clone(),
        as_of: today,
        trainees_wanted: u32::try_from(row.trainees_wanted).unwrap_or_default(),
        hire_commitment: u32::try_from(row.hire_commitment).unwrap_or_default(),
        enrolled: records.enrolled(),
        completed: certified
            .get(&CertificateKind::Completion)
            .copied()
            .unwrap_or_default(),
        certified_for_hire: certified.get(&kind).copied().unwrap_or_default(),
        certified: certified
            .into_iter()
            .map(|(kind, count)| KindCount {
                kind,
                label: kind.label().into(),
                count,
            })
            .collect(),
        hired_own,
        hired_other_employer,
        months: rule.as_ref().map(|r| r.months_employed as u32),
        still_employed_own: employed.as_ref().map(|e| e.own),
        still_employed_other_employer: employed.as_ref().map(|e| e.other),
        trainees,
    })
}
