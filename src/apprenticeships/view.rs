//! Agreements as the API shows them, read for a page of agreements in a fixed number of
//! queries (the agreements, their parties, modules, milestones, occupations and levels).

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use entities::{
    apprenticeship_agreements as agreement, apprenticeship_milestones as milestone,
    apprenticeship_modules as module, occupations as occupation, organisations as organisation,
    skill_levels as level,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use super::AgreementStatus;
use crate::error::AppError;

/// An organisation party to the agreement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Party {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Module {
    pub id: String,
    pub title: String,
    pub theory_hours: i32,
    pub practice_hours: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Milestone {
    pub id: String,
    pub title: String,
    pub due_on: NaiveDate,
}

/// An apprenticeship agreement (学徒培养协议).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Agreement {
    pub id: String,
    pub employer: Party,
    pub provider: Party,
    pub occupation_code: String,
    pub occupation_name: String,
    pub target_level: String,
    /// As a certificate prints it, e.g. `四级/中级工`.
    pub target_level_label: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub extension_reason: Option<String>,
    pub status: AgreementStatus,
    pub status_label: &'static str,
    /// The bureau's reason when it returned the agreement.
    pub return_reason: Option<String>,
    pub modules: Vec<Module>,
    pub theory_hours: i32,
    pub practice_hours: i32,
    pub milestones: Vec<Milestone>,
    pub submitted_at: Option<DateTime<FixedOffset>>,
    pub filed_at: Option<DateTime<FixedOffset>>,
}

pub(crate) async fn one(
    conn: &impl ConnectionTrait,
    row: agreement::Model,
) -> Result<Agreement, AppError> {
    let mut views = many(conn, vec![row]).await?;
    views
        .pop()
        .ok_or_else(|| anyhow::anyhow!("an agreement's view went missing").into())
}

pub(crate) async fn many(
    conn: &impl ConnectionTrait,
    rows: Vec<agreement::Model>,
) -> Result<Vec<Agreement>, AppError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let org_ids: Vec<&str> = rows
        .iter()
        .flat_map(|r| [r.employer_id.as_str(), r.provider_id.as_str()])
        .collect();
    let names: HashMap<String, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let occupations: HashMap<String, String> = occupation::Entity::find()
        .filter(occupation::Column::Code.is_in(rows.iter().map(|r| r.occupation_code.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.code, o.name))
        .collect();
    let levels: HashMap<String, String> = level::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|l| (l.code, l.label))
        .collect();
    let mut modules: HashMap<String, Vec<Module>> = HashMap::new();
    for m in module::Entity::find()
        .filter(module::Column::AgreementId.is_in(ids.clone()))
        .order_by_asc(module::Column::Position)
        .all(conn)
        .await?
    {
        modules.entry(m.agreement_id).or_default().push(Module {
            id: m.id,
            title: m.title,
            theory_hours: m.theory_hours,
            practice_hours: m.practice_hours,
        });
    }
    let mut milestones: HashMap<String, Vec<Milestone>> = HashMap::new();
    for m in milestone::Entity::find()
        .filter(milestone::Column::AgreementId.is_in(ids))
        .order_by_asc(milestone::Column::Position)
        .all(conn)
        .await?
    {
        milestones
            .entry(m.agreement_id)
            .or_default()
            .push(Milestone {
                id: m.id,
                title: m.title,
                due_on: m.due_on,
            });
    }
    let party = |id: &str| Party {
        id: id.to_owned(),
        name: names.get(id).cloned().unwrap_or_default(),
    };
    rows.into_iter()
        .map(|r| {
            let status = super::status_of(&r)?;
            let modules = modules.remove(&r.id).unwrap_or_default();
            Ok(Agreement {
                employer: party(&r.employer_id),
                provider: party(&r.provider_id),
                occupation_name: occupations
                    .get(&r.occupation_code)
                    .cloned()
                    .unwrap_or_default(),
                target_level_label: levels.get(&r.target_level).cloned().unwrap_or_default(),
                theory_hours: modules.iter().map(|m| m.theory_hours).sum(),
                practice_hours: modules.iter().map(|m| m.practice_hours).sum(),
                modules,
                milestones: milestones.remove(&r.id).unwrap_or_default(),
                status,
                status_label: status.label(),
                id: r.id,
                occupation_code: r.occupation_code,
                target_level: r.target_level,
                starts_on: r.starts_on,
                ends_on: r.ends_on,
                extension_reason: r.extension_reason,
                return_reason: r.return_reason,
                submitted_at: r.submitted_at,
                filed_at: r.filed_at,
            })
        })
        .collect()
}
