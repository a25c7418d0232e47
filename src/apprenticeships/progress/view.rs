//! Apprentices as the API shows them: the person (in full for the enterprise, masked for
//! the provider and the bureau), contract, mentors, status and completed milestones, read
//! for a list in a fixed number of queries.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{
    apprentice_milestones as done, apprentices as apprentice,
    apprenticeship_agreements as agreement, apprenticeship_milestones as milestone,
    people as person, skill_levels as level,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    access::{Caller, rules},
    apprenticeships::{ApprenticeStatus, MilestoneSide},
    error::AppError,
    people::{
        PiiKeys,
        store::{self, PersonView},
    },
    stored::Stored,
};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Mentor {
    pub name: String,
    pub post: String,
    pub skill_level: String,
    pub skill_level_label: String,
    /// The mentor's employer account, if one was named.
    pub account_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Teacher {
    pub name: String,
    /// The teacher's provider-staff account, if one was named.
    pub account_id: Option<String>,
}

/// A milestone of the plan and, once completed, when and by whom.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompletedMilestone {
    pub milestone_id: String,
    pub title: String,
    pub due_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub side: Option<MilestoneSide>,
    /// The login that recorded it.
    pub recorded_by: Option<String>,
}

/// An apprentice (学徒) under an agreement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Apprentice {
    pub id: String,
    pub agreement_id: String,
    pub person: PersonView,
    pub contract_starts_on: NaiveDate,
    pub contract_ends_on: NaiveDate,
    pub mentor: Mentor,
    pub teacher: Teacher,
    pub status: ApprenticeStatus,
    pub status_label: &'static str,
    pub paused_on: Option<NaiveDate>,
    pub pause_reason: Option<String>,
    pub left_on: Option<NaiveDate>,
    pub leave_reason: Option<String>,
    pub completed_on: Option<NaiveDate>,
    pub milestones: Vec<CompletedMilestone>,
}

pub(crate) async fn one(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    a: &agreement::Model,
    row: apprentice::Model,
) -> Result<Apprentice, AppError> {
    many(conn, keys, caller, a, vec![row])
        .await?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("an apprentice's view went missing").into())
}

pub(crate) async fn many(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    a: &agreement::Model,
    rows: Vec<apprentice::Model>,
) -> Result<Vec<Apprentice>, AppError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let people: HashMap<String, person::Model> = person::Entity::find()
        .filter(person::Column::Id.is_in(rows.iter().map(|r| r.person_id.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let levels: HashMap<String, String> = level::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|l| (l.code, l.label))
        .collect();
    let plan = milestone::Entity::find()
        .filter(milestone::Column::AgreementId.eq(&a.id))
        .order_by_asc(milestone::Column::Position)
        .all(conn)
        .await?;
    let mut completed: HashMap<(String, String), done::Model> = HashMap::new();
    for d in done::Entity::find()
        .filter(done::Column::ApprenticeId.is_in(rows.iter().map(|r| r.id.as_str())))
        .all(conn)
        .await?
    {
        completed.insert((d.apprentice_id.clone(), d.milestone_id.clone()), d);
    }
    let entitled = rules::sees_apprentice_identity(caller, &a.employer_id);
    rows.into_iter()
        .map(|r| {
            let p = people
                .get(&r.person_id)
                .ok_or_else(|| anyhow::anyhow!("apprentice {} has no person", r.id))?;
            let status = ApprenticeStatus::read("apprentices", &r.id, &r.status)?;
            let milestones = plan
                .iter()
                .map(|m| {
                    let d = completed.get(&(r.id.clone(), m.id.clone()));
                    let side = d
                        .map(|d| MilestoneSide::read("apprentice_milestones", &d.id, &d.side))
                        .transpose()?;
                    Ok(CompletedMilestone {
                        milestone_id: m.id.clone(),
                        title: m.title.clone(),
                        due_on: m.due_on,
                        completed_on: d.map(|d| d.completed_on),
                        side,
                        recorded_by: d.map(|d| d.recorded_by.clone()),
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            Ok(Apprentice {
                person: store::view(keys, p, entitled)?,
                mentor: Mentor {
                    skill_level_label: levels.get(&r.mentor_level).cloned().unwrap_or_default(),
                    name: r.mentor_name,
                    post: r.mentor_post,
                    skill_level: r.mentor_level,
                    account_id: r.mentor_account_id,
                },
                teacher: Teacher {
                    name: r.teacher_name,
                    account_id: r.teacher_account_id,
                },
                status,
                status_label: status.label(),
                milestones,
                id: r.id,
                agreement_id: r.agreement_id,
                contract_starts_on: r.contract_starts_on,
                contract_ends_on: r.contract_ends_on,
                paused_on: r.paused_on,
                pause_reason: r.pause_reason,
                left_on: r.left_on,
                leave_reason: r.leave_reason,
                completed_on: r.completed_on,
            })
        })
        .collect()
}
