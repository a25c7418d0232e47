//! A page of a figure's rows as the bureau reads them: each kind of row with its own
//! columns, the names and ID numbers masked, and every related record read in one batched
//! query per table, whatever the number of rows.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{
    apprentices as apprentice, apprenticeship_agreements as agreement, certificates as certificate,
    cohorts as cohort, enrolments as enrolment, occupations as occupation, orders as order,
    organisations as organisation, people as person, programs as program, skill_levels as level,
};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    apprenticeships::AgreementStatus, certificates::CertificateStatus, error::AppError,
    orders::OrderStatus, people::mask_name, programs::CertificateKind, reports::ledger::by_id,
    stored::Stored,
};

/// An enrolment counted as a training person-time.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnrolmentRow {
    pub enrolment_id: String,
    /// Masked, as on public pages (`张*三`).
    pub name: String,
    /// Masked (`150784********123X`).
    pub citizen_id: String,
    pub cohort_id: String,
    pub cohort_code: String,
    pub program: String,
    pub provider: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// An apprentice under a filed agreement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApprenticeRow {
    pub apprentice_id: String,
    pub agreement_id: String,
    pub name: String,
    pub citizen_id: String,
    pub employer: String,
    pub provider: String,
    pub occupation: String,
    pub level: String,
    /// The agreement's start, which dates the count.
    pub starts_on: NaiveDate,
    pub contract_starts_on: NaiveDate,
    pub contract_ends_on: NaiveDate,
}

/// A certificate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CertificateRow {
    pub certificate_id: String,
    pub number: String,
    pub kind: String,
    /// The stored status, in words.
    pub status: String,
    pub name: String,
    pub citizen_id: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
}

/// A training order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderRow {
    pub order_id: String,
    pub title: String,
    pub employer: String,
    pub provider: Option<String>,
    pub status: String,
    pub deadline: NaiveDate,
    pub assigned_on: Option<NaiveDate>,
}

/// An apprenticeship agreement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgreementRow {
    pub agreement_id: String,
    pub employer: String,
    pub provider: String,
    pub occupation: String,
    pub level: String,
    pub status: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

async fn people(
    conn: &impl ConnectionTrait,
    ids: impl Iterator<Item = String>,
) -> Result<HashMap<String, person::Model>, AppError> {
    by_id::<person::Entity, _>(conn, person::Column::Id, ids, |p| p.id.clone()).await
}

async fn org_names(
    conn: &impl ConnectionTrait,
    ids: impl Iterator<Item = String>,
) -> Result<HashMap<String, String>, AppError> {
    let orgs =
        by_id::<organisation::Entity, _>(conn, organisation::Column::Id, ids, |o| o.id.clone())
            .await?;
    Ok(orgs.into_iter().map(|(id, o)| (id, o.name)).collect())
}

/// Occupation names by code, and skill-level labels by code.
async fn occupations_and_levels(
    conn: &impl ConnectionTrait,
    codes: impl Iterator<Item = String>,
) -> Result<(HashMap<String, String>, HashMap<String, String>), AppError> {
    let occupations =
        by_id::<occupation::Entity, _>(conn, occupation::Column::Code, codes, |o| o.code.clone())
            .await?
            .into_iter()
            .map(|(code, o)| (code, o.name))
            .collect();
    let levels = level::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|l| (l.code, l.label))
        .collect();
    Ok((occupations, levels))
}

/// The masked name and ID of `id`; a row without its person is corrupt.
fn masked(people: &HashMap<String, person::Model>, id: &str) -> Result<(String, String), AppError> {
    let p = people
        .get(id)
        .ok_or_else(|| anyhow::anyhow!("person {id} of a counted row is missing"))?;
    Ok((mask_name(&p.name), p.citizen_id_masked.clone()))
}

fn named(names: &HashMap<String, String>, id: &str) -> String {
    names.get(id).cloned().unwrap_or_default()
}

pub(super) async fn enrolments(
    conn: &impl ConnectionTrait,
    rows: Vec<enrolment::Model>,
) -> Result<Vec<EnrolmentRow>, AppError> {
    let people = people(conn, rows.iter().map(|e| e.person_id.clone())).await?;
    let cohorts = by_id::<cohort::Entity, _>(
        conn,
        cohort::Column::Id,
        rows.iter().map(|e| e.cohort_id.clone()),
        |c| c.id.clone(),
    )
    .await?;
    let programs = by_id::<program::Entity, _>(
        conn,
        program::Column::Id,
        cohorts.values().map(|c| c.program_id.clone()),
        |p| p.id.clone(),
    )
    .await?;
    let providers = org_names(conn, cohorts.values().map(|c| c.provider_id.clone())).await?;
    rows.into_iter()
        .map(|e| {
            let (name, citizen_id) = masked(&people, &e.person_id)?;
            let c = cohorts
                .get(&e.cohort_id)
                .ok_or_else(|| anyhow::anyhow!("cohort of enrolment {} is missing", e.id))?;
            Ok(EnrolmentRow {
                name,
                citizen_id,
                cohort_code: c.code.clone(),
                program: programs
                    .get(&c.program_id)
                    .map_or_else(String::new, |p| p.title.clone()),
                provider: named(&providers, &c.provider_id),
                starts_on: c.starts_on,
                ends_on: c.ends_on,
                cohort_id: e.cohort_id,
                enrolment_id: e.id,
            })
        })
        .collect()
}

pub(super) async fn apprentices(
    conn: &impl ConnectionTrait,
    rows: Vec<apprentice::Model>,
) -> Result<Vec<ApprenticeRow>, AppError> {
    let people = people(conn, rows.iter().map(|a| a.person_id.clone())).await?;
    let agreements = by_id::<agreement::Entity, _>(
        conn,
        agreement::Column::Id,
        rows.iter().map(|a| a.agreement_id.clone()),
        |a| a.id.clone(),
    )
    .await?;
    let orgs = org_names(
        conn,
        agreements
            .values()
            .flat_map(|a| [a.employer_id.clone(), a.provider_id.clone()]),
    )
    .await?;
    let codes = agreements.values().map(|a| a.occupation_code.clone());
    let (occupations, levels) = occupations_and_levels(conn, codes).await?;
    rows.into_iter()
        .map(|a| {
            let (name, citizen_id) = masked(&people, &a.person_id)?;
            let g = agreements
                .get(&a.agreement_id)
                .ok_or_else(|| anyhow::anyhow!("agreement of apprentice {} is missing", a.id))?;
            Ok(ApprenticeRow {
                name,
                citizen_id,
                employer: named(&orgs, &g.employer_id),
                provider: named(&orgs, &g.provider_id),
                occupation: named(&occupations, &g.occupation_code),
                level: named(&levels, &g.target_level),
                starts_on: g.starts_on,
                contract_starts_on: a.contract_starts_on,
                contract_ends_on: a.contract_ends_on,
                agreement_id: a.agreement_id,
                apprentice_id: a.id,
            })
        })
        .collect()
}

pub(super) async fn certificates(
    conn: &impl ConnectionTrait,
    rows: Vec<certificate::Model>,
) -> Result<Vec<CertificateRow>, AppError> {
    let people = people(conn, rows.iter().map(|c| c.person_id.clone())).await?;
    rows.into_iter()
        .map(|c| {
            let (name, citizen_id) = masked(&people, &c.person_id)?;
            let kind = CertificateKind::read("certificates", &c.id, &c.kind)?;
            let status = CertificateStatus::read("certificates", &c.id, &c.status)?;
            Ok(CertificateRow {
                kind: kind.label().to_owned(),
                status: status.label().to_owned(),
                name,
                citizen_id,
                number: c.number,
                issuer: c.issuer_name,
                issued_on: c.valid_from,
                certificate_id: c.id,
            })
        })
        .collect()
}

pub(super) async fn orders(
    conn: &impl ConnectionTrait,
    rows: Vec<order::Model>,
) -> Result<Vec<OrderRow>, AppError> {
    let orgs = org_names(
        conn,
        rows.iter()
            .flat_map(|o| std::iter::once(o.employer_id.clone()).chain(o.provider_id.clone())),
    )
    .await?;
    rows.into_iter()
        .map(|o| {
            let status = OrderStatus::read("orders", &o.id, &o.status)?;
            Ok(OrderRow {
                employer: named(&orgs, &o.employer_id),
                provider: o.provider_id.as_deref().map(|p| named(&orgs, p)),
                status: status.label().to_owned(),
                title: o.title,
                deadline: o.deadline,
                assigned_on: o.assigned_on,
                order_id: o.id,
            })
        })
        .collect()
}

pub(super) async fn agreements(
    conn: &impl ConnectionTrait,
    rows: Vec<agreement::Model>,
) -> Result<Vec<AgreementRow>, AppError> {
    let orgs = org_names(
        conn,
        rows.iter()
            .flat_map(|a| [a.employer_id.clone(), a.provider_id.clone()]),
    )
    .await?;
    let codes = rows.iter().map(|a| a.occupation_code.clone());
    let (occupations, levels) = occupations_and_levels(conn, codes).await?;
    rows.into_iter()
        .map(|a| {
            let status = AgreementStatus::read("apprenticeship_agreements", &a.id, &a.status)?;
            Ok(AgreementRow {
                employer: named(&orgs, &a.employer_id),
                provider: named(&orgs, &a.provider_id),
                occupation: named(&occupations, &a.occupation_code),
                level: named(&levels, &a.target_level),
                status: status.label().to_owned(),
                starts_on: a.starts_on,
                ends_on: a.ends_on,
                agreement_id: a.id,
            })
        })
        .collect()
}
