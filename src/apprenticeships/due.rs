//! What apprenticeships ask of people next, for the task lists: the agreements waiting for
//! the bureau to file them, and the milestones coming due (within [`HORIZON_DAYS`]) or
//! overdue for the running apprentices of an enterprise's or a provider's filed
//! agreements. A fixed number of queries whatever the number of apprentices.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate};
use entities::{
    apprentice_milestones as done, apprentices as apprentice,
    apprenticeship_agreements as agreement, apprenticeship_milestones as milestone,
    occupations as occupation, organisations as organisation, people as person,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use super::{AgreementStatus, ApprenticeStatus};
use crate::{
    access::{Caller, Role, rules},
    error::AppError,
    people::mask_name,
    stored::Stored,
};

/// How far ahead milestones are listed.
pub const HORIZON_DAYS: i64 = 30;

/// A submitted agreement waiting for the bureau.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WaitingAgreement {
    pub agreement_id: String,
    pub employer_name: String,
    pub provider_name: String,
    pub occupation_name: String,
    pub starts_on: NaiveDate,
}

/// A milestone an active apprentice has not completed, due soon or overdue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DueMilestone {
    pub agreement_id: String,
    pub apprentice_id: String,
    /// In full for the enterprise's staff, masked for the provider.
    pub apprentice_name: String,
    pub title: String,
    pub due_on: NaiveDate,
    pub overdue: bool,
}

async fn names(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = String>,
) -> Result<HashMap<String, String>, AppError> {
    let ids: HashSet<String> = ids.into_iter().collect();
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// The submitted agreements, earliest start first (the bureau's list; none for others).
pub async fn waiting(
    conn: &impl ConnectionTrait,
    caller: &Caller,
) -> Result<Vec<WaitingAgreement>, AppError> {
    if caller.role != Role::BureauAdmin {
        return Ok(Vec::new());
    }
    let rows = agreement::Entity::find()
        .filter(agreement::Column::Status.eq(AgreementStatus::Submitted.as_str()))
        .order_by_asc(agreement::Column::StartsOn)
        .order_by_asc(agreement::Column::Id)
        .all(conn)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let orgs = rows
        .iter()
        .flat_map(|a| [a.employer_id.clone(), a.provider_id.clone()]);
    let orgs = names(conn, orgs).await?;
    let occupations: HashMap<String, String> = occupation::Entity::find()
        .filter(occupation::Column::Code.is_in(rows.iter().map(|a| a.occupation_code.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.code, o.name))
        .collect();
    let name = |map: &HashMap<String, String>, k: &str| map.get(k).cloned().unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|a| WaitingAgreement {
            employer_name: name(&orgs, &a.employer_id),
            provider_name: name(&orgs, &a.provider_id),
            occupation_name: name(&occupations, &a.occupation_code),
            starts_on: a.starts_on,
            agreement_id: a.id,
        })
        .collect())
}

/// The milestones due by `today` + [`HORIZON_DAYS`] and not completed, for the active
/// apprentices of the filed agreements of the caller's enterprise or provider, earliest
/// first. A paused apprentice's milestones wait until they resume.
pub async fn milestones(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    today: NaiveDate,
) -> Result<Vec<DueMilestone>, AppError> {
    let Some(org) = caller.organisation_id.as_deref() else {
        return Ok(Vec::new());
    };
    let party = match caller.role {
        Role::Employer => agreement::Column::EmployerId,
        Role::ProviderStaff => agreement::Column::ProviderId,
        _ => return Ok(Vec::new()),
    };
    let agreements = agreement::Entity::find()
        .filter(party.eq(org))
        .filter(agreement::Column::Status.eq(AgreementStatus::Filed.as_str()))
        .all(conn)
        .await?;
    if agreements.is_empty() {
        return Ok(Vec::new());
    }
    let ids = || agreements.iter().map(|a| a.id.as_str());
    let apprentices = apprentice::Entity::find()
        .filter(apprentice::Column::AgreementId.is_in(ids()))
        .filter(apprentice::Column::Status.eq(ApprenticeStatus::Active.as_str()))
        .all(conn)
        .await?;
    if apprentices.is_empty() {
        return Ok(Vec::new());
    }
    let horizon = today + Duration::days(HORIZON_DAYS);
    let plan = milestone::Entity::find()
        .filter(milestone::Column::AgreementId.is_in(ids()))
        .filter(milestone::Column::DueOn.lte(horizon))
        .all(conn)
        .await?;
    let completed: HashSet<(String, String)> = done::Entity::find()
        .filter(done::Column::ApprenticeId.is_in(apprentices.iter().map(|a| a.id.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.apprentice_id, d.milestone_id))
        .collect();
    let people: HashMap<String, String> = person::Entity::find()
        .filter(person::Column::Id.is_in(apprentices.iter().map(|a| a.person_id.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let employer_of: HashMap<&str, &str> = agreements
        .iter()
        .map(|a| (a.id.as_str(), a.employer_id.as_str()))
        .collect();
    let mut due = Vec::new();
    for a in &apprentices {
        let full = people.get(&a.person_id).cloned().unwrap_or_default();
        let entitled = employer_of
            .get(a.agreement_id.as_str())
            .is_some_and(|e| rules::sees_apprentice_identity(caller, e));
        let name = if entitled { full } else { mask_name(&full) };
        for m in plan.iter().filter(|m| m.agreement_id == a.agreement_id) {
            if completed.contains(&(a.id.clone(), m.id.clone())) {
                continue;
            }
            due.push(DueMilestone {
                agreement_id: a.agreement_id.clone(),
                apprentice_id: a.id.clone(),
                apprentice_name: name.clone(),
                title: m.title.clone(),
                due_on: m.due_on,
                overdue: m.due_on < today,
            });
        }
    }
    due.sort_by(|x, y| (x.due_on, &x.apprentice_id).cmp(&(y.due_on, &y.apprentice_id)));
    Ok(due)
}
