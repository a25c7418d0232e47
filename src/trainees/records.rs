//! A trainee's own records: every enrolment with its program, cohort dates, hours and
//! scores, and for each certificate the program leads to but they do not hold, why not —
//! in the chain rules' own words (`certificates::requirements`); and their certificates
//! grouped as chains (completion → specialty / skill level → licence). A fixed number of
//! queries, however many enrolments and certificates.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entities::{
    certificates as certificate, cohorts as cohort, enrolments as enrolment, programs as program,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    access::{Caller, Role},
    certificates::{
        CertificateStatus, CertificateSummary, Missing, Services,
        read::{linked, summaries},
        requirements,
    },
    cohorts::EnrolmentStatus,
    error::AppError,
    people::store,
    programs::{CertificateKind, CertificateRule},
    stored::Stored,
};

/// A certificate the program leads to that this enrolment has not brought yet, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Pending {
    pub kind: CertificateKind,
    /// e.g. 结业证书.
    pub title: String,
    /// Every unmet requirement, in the words issuing would refuse with.
    pub missing: Vec<Missing>,
    /// Nothing is missing that the registry can see: it waits for the issuer (for an
    /// assessed kind, the assessment too).
    pub waiting_for_issuer: bool,
}

/// One enrolment of the trainee.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnrolmentRecord {
    pub enrolment_id: String,
    pub program_title: String,
    pub program_hours: u32,
    pub cohort_code: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: EnrolmentStatus,
    pub attended_hours: Option<i32>,
    pub theory_score: Option<i32>,
    pub practical_score: Option<i32>,
    /// The certificates issued on this enrolment (ids).
    pub certificate_ids: Vec<String>,
    pub pending: Vec<Pending>,
}

/// A certificate of the trainee, with the addresses to fetch and show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyCertificate {
    #[serde(flatten)]
    pub summary: CertificateSummary,
    /// The status in Chinese.
    pub status_label: String,
    /// The public page the QR code opens.
    pub verify_url: String,
}

/// One chain: certificates linked by their grounds, parents first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Chain {
    pub certificates: Vec<MyCertificate>,
}

/// Everything a trainee has in the registry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyRecords {
    pub person_id: String,
    pub name: String,
    pub enrolments: Vec<EnrolmentRecord>,
    pub chains: Vec<Chain>,
}

/// Where a kind stands in the chain: completion first, licences last.
fn rank(kind: CertificateKind) -> u8 {
    match kind {
        CertificateKind::Completion | CertificateKind::Apprenticeship => 0,
        CertificateKind::Specialty | CertificateKind::SkillLevel => 1,
        CertificateKind::Licence => 2,
    }
}

/// The caller's own records (trainees only; an account linked to nobody has none).
pub async fn mine(
    conn: &impl ConnectionTrait,
    services: &Services,
    caller: &Caller,
    today: NaiveDate,
) -> Result<MyRecords, AppError> {
    if caller.role != Role::Trainee {
        return Err(AppError::forbidden_role());
    }
    let person = store::of_account(conn, &caller.account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = certificate::Entity::find()
        .filter(certificate::Column::PersonId.eq(&person.id))
        .order_by_asc(certificate::Column::IssuedAt)
        .all(conn)
        .await?;
    let enrolments = enrolment::Entity::find()
        .filter(enrolment::Column::PersonId.eq(&person.id))
        .order_by_asc(enrolment::Column::EnrolledAt)
        .all(conn)
        .await?;
    let cohorts: HashMap<String, cohort::Model> = cohort::Entity::find()
        .filter(cohort::Column::Id.is_in(enrolments.iter().map(|e| e.cohort_id.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let programs: HashMap<String, program::Model> = program::Entity::find()
        .filter(program::Column::Id.is_in(cohorts.values().map(|c| c.program_id.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let held: Vec<(Option<String>, CertificateKind, bool)> = rows
        .iter()
        .map(|r| {
            let kind = CertificateKind::read("certificates", &r.id, &r.kind)?;
            let valid = CertificateStatus::current(r, today)? == CertificateStatus::Valid;
            Ok((r.enrolment_id.clone(), kind, valid))
        })
        .collect::<Result<_, AppError>>()?;
    let mut records = Vec::with_capacity(enrolments.len());
    for e in enrolments {
        let cohort = cohorts
            .get(&e.cohort_id)
            .ok_or_else(|| anyhow::anyhow!("enrolment {}: no cohort", e.id))?;
        let program = programs
            .get(&cohort.program_id)
            .ok_or_else(|| anyhow::anyhow!("cohort {}: no program", cohort.id))?;
        records.push(record(e, cohort, program, &rows, &held, today)?);
    }
    let urls: HashMap<String, String> = rows
        .iter()
        .map(|r| (r.id.clone(), services.verify_url(&r.token)))
        .collect();
    let bundle = summaries(conn, rows, today).await?;
    Ok(MyRecords {
        person_id: person.id,
        name: person.name,
        enrolments: records,
        chains: chains(&urls, bundle),
    })
}

fn record(
    e: enrolment::Model,
    cohort: &cohort::Model,
    program: &program::Model,
    rows: &[certificate::Model],
    held: &[(Option<String>, CertificateKind, bool)],
    today: NaiveDate,
) -> Result<EnrolmentRecord, AppError> {
    let rules: Vec<CertificateRule> =
        serde_json::from_str(&program.certificates).map_err(|err| {
            anyhow::anyhow!(
                "programs {}: unreadable certificate rules: {err}",
                program.id
            )
        })?;
    let mine = |kind: CertificateKind| {
        held.iter()
            .any(|(on, k, _)| on.as_deref() == Some(e.id.as_str()) && *k == kind)
    };
    let mut pending = Vec::new();
    for rule in &rules {
        if mine(rule.kind) {
            continue;
        }
        let mut missing =
            requirements::enrolment_checks(rule.kind, rule, program, cohort, &e, today)?;
        for parent in requirements::required_parents(rule.kind, rule) {
            let valid_parent = held.iter().any(|(on, k, valid)| {
                *k == parent
                    && *valid
                    && (parent != CertificateKind::Completion
                        || on.as_deref() == Some(e.id.as_str()))
            });
            if !valid_parent {
                let description = if parent == CertificateKind::Completion {
                    format!("{}（本次培训）", parent.label())
                } else {
                    parent.label().to_owned()
                };
                missing.push(requirements::missing_parent(parent, &description));
            }
        }
        pending.push(Pending {
            kind: rule.kind,
            title: rule.kind.label().to_owned(),
            waiting_for_issuer: missing.is_empty(),
            missing,
        });
    }
    Ok(EnrolmentRecord {
        status: EnrolmentStatus::of(&e)?,
        certificate_ids: rows
            .iter()
            .filter(|r| r.enrolment_id.as_deref() == Some(e.id.as_str()))
            .map(|r| r.id.clone())
            .collect(),
        enrolment_id: e.id,
        program_title: program.title.clone(),
        program_hours: program.hours as u32,
        cohort_code: cohort.code.clone(),
        starts_on: cohort.starts_on,
        ends_on: cohort.ends_on,
        attended_hours: e.attended_hours,
        theory_score: e.theory_score,
        practical_score: e.practical_score,
        pending,
    })
}

/// The bundle as chains, each ordered completion → specialty / skill level → licence,
/// in the order the first of each was issued.
fn chains(urls: &HashMap<String, String>, bundle: Vec<CertificateSummary>) -> Vec<Chain> {
    let mut placed: HashSet<usize> = HashSet::new();
    let mut out = Vec::new();
    for at in 0..bundle.len() {
        if placed.contains(&at) {
            continue;
        }
        let mut members = linked(
            at,
            &bundle,
            |c| &c.id,
            |c| {
                c.parent_ids
                    .iter()
                    .map(String::as_str)
                    .chain(c.supersedes_id.as_deref())
            },
        );
        members.retain(|i| placed.insert(*i));
        members.sort_by_key(|i| (rank(bundle[*i].kind), *i));
        out.push(Chain {
            certificates: members
                .into_iter()
                .map(|i| {
                    let summary = bundle[i].clone();
                    MyCertificate {
                        status_label: summary.status.label().to_owned(),
                        verify_url: urls.get(&summary.id).cloned().unwrap_or_default(),
                        summary,
                    }
                })
                .collect(),
        });
    }
    out
}
