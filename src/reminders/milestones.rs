//! Apprenticeship milestones due: to the enterprise mentor and the school teacher of each
//! active apprentice who has not completed the milestone, through the accounts named on
//! the apprentice (`mentor_account_id`, `teacher_account_id`) with a confirmed address,
//! on the `milestone` schedule's steps before the milestone's due day, once per
//! (apprentice, milestone, step, account).

use std::collections::{HashMap, HashSet};

use entities::{
    accounts as account, apprentice_milestones as done, apprentices as apprentice,
    apprenticeship_agreements as agreement, apprenticeship_milestones as milestone,
    organisations as organisation, people as person,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{Reminders, schedule::MILESTONE};
use crate::{
    apprenticeships::ApprenticeStatus,
    clock::Now,
    error::AppError,
    mail::{
        MailKind, Outgoing,
        compose::MilestoneDue,
        outbox::{self, Recipient},
    },
    stored::Stored,
};

/// Queues the milestone reminders due on `now.today`; how many were queued now.
pub async fn queue_due(
    conn: &impl ConnectionTrait,
    reminders: &Reminders,
    now: Now,
) -> Result<usize, AppError> {
    let Some(schedule) = reminders.schedules.of(MILESTONE) else {
        return Ok(0);
    };
    let Some((from, to)) = schedule.window(now.today) else {
        return Ok(0);
    };
    let due: Vec<(milestone::Model, i64)> = milestone::Entity::find()
        .filter(milestone::Column::DueOn.between(from, to))
        .order_by_asc(milestone::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|m| schedule.due(m.due_on, now.today).map(|step| (m, step)))
        .collect();
    if due.is_empty() {
        return Ok(0);
    }
    let agreement_ids: HashSet<&str> = due.iter().map(|(m, _)| m.agreement_id.as_str()).collect();
    let agreements: HashMap<String, agreement::Model> = agreement::Entity::find()
        .filter(agreement::Column::Id.is_in(agreement_ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let apprentices = apprentice::Entity::find()
        .filter(apprentice::Column::AgreementId.is_in(agreement_ids))
        .filter(apprentice::Column::Status.eq(ApprenticeStatus::Active.as_str()))
        .order_by_asc(apprentice::Column::Id)
        .all(conn)
        .await?;
    let apprentice_ids: Vec<&str> = apprentices.iter().map(|a| a.id.as_str()).collect();
    let completed: HashSet<(String, String)> = done::Entity::find()
        .filter(done::Column::ApprenticeId.is_in(apprentice_ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.apprentice_id, d.milestone_id))
        .collect();
    let names: HashMap<String, String> = person::Entity::find()
        .filter(person::Column::Id.is_in(apprentices.iter().map(|a| a.person_id.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let account_ids = apprentices
        .iter()
        .flat_map(|a| [&a.mentor_account_id, &a.teacher_account_id])
        .flatten()
        .map(String::as_str);
    let accounts: HashMap<String, account::Model> = account::Entity::find()
        .filter(account::Column::Id.is_in(account_ids))
        .filter(account::Column::Disabled.eq(false))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let orgs: HashMap<String, String> = organisation::Entity::find()
        .filter(
            organisation::Column::Id.is_in(
                agreements
                    .values()
                    .flat_map(|a| [a.employer_id.as_str(), a.provider_id.as_str()]),
            ),
        )
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let mut queued = 0;
    for (m, step) in &due {
        let Some(a) = agreements.get(&m.agreement_id) else {
            continue;
        };
        let open = apprentices.iter().filter(|p| {
            p.agreement_id == m.agreement_id && !completed.contains(&(p.id.clone(), m.id.clone()))
        });
        for p in open {
            let sides = [&p.mentor_account_id, &p.teacher_account_id];
            for staff in sides
                .into_iter()
                .flatten()
                .filter_map(|id| accounts.get(id))
            {
                let Some(to) = Recipient::account(staff) else {
                    continue;
                };
                let facts = MilestoneDue {
                    name: staff.display_name.clone(),
                    apprentice: names.get(&p.person_id).cloned().unwrap_or_default(),
                    title: m.title.clone(),
                    due_on: m.due_on.to_string(),
                    days_left: (m.due_on - now.today).num_days(),
                    employer: orgs.get(&a.employer_id).cloned().unwrap_or_default(),
                    provider: orgs.get(&a.provider_id).cloned().unwrap_or_default(),
                };
                let out = Outgoing {
                    kind: MailKind::MilestoneDue,
                    dedupe_key: format!("reminder:milestone:{}:{}:{step}:{}", p.id, m.id, staff.id),
                    to,
                    organisation_id: staff.organisation_id.clone(),
                    facts: &facts,
                    attachment: None,
                };
                if outbox::queue(conn, out, now).await? {
                    queued += 1;
                }
            }
        }
    }
    Ok(queued)
}
