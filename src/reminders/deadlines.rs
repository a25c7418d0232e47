//! Order deadlines approaching: to every enabled staff account of the employer and of the
//! assigned provider that has a confirmed address, on the `order_deadline` schedule's
//! steps, once per (order, step, account). Orders still open only (submitted, assigned,
//! in training): a draft is the employer's own, a closed one is over.

use std::collections::{HashMap, HashSet};

use entities::{accounts as account, orders as order, organisations as organisation};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{Reminders, schedule::ORDER_DEADLINE};
use crate::{
    access::Role,
    clock::Now,
    error::AppError,
    mail::{
        MailKind, Outgoing,
        compose::OrderDeadline,
        outbox::{self, Recipient},
    },
    orders::OrderStatus,
    stored::Stored,
};

/// Queues the order-deadline reminders due on `now.today`; how many were queued now.
pub async fn queue_due(
    conn: &impl ConnectionTrait,
    reminders: &Reminders,
    now: Now,
) -> Result<usize, AppError> {
    let Some(schedule) = reminders.schedules.of(ORDER_DEADLINE) else {
        return Ok(0);
    };
    let Some((from, to)) = schedule.window(now.today) else {
        return Ok(0);
    };
    let open = [
        OrderStatus::Submitted,
        OrderStatus::Assigned,
        OrderStatus::InTraining,
    ]
    .map(OrderStatus::as_str);
    let due: Vec<(order::Model, i64)> = order::Entity::find()
        .filter(order::Column::Status.is_in(open))
        .filter(order::Column::Deadline.between(from, to))
        .order_by_asc(order::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|o| schedule.due(o.deadline, now.today).map(|step| (o, step)))
        .collect();
    if due.is_empty() {
        return Ok(0);
    }
    let organisations: HashSet<&str> = due
        .iter()
        .flat_map(|(o, _)| [Some(o.employer_id.as_str()), o.provider_id.as_deref()])
        .flatten()
        .collect();
    let names: HashMap<String, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(organisations.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let mut staff: HashMap<String, Vec<account::Model>> = HashMap::new();
    for a in account::Entity::find()
        .filter(account::Column::OrganisationId.is_in(organisations))
        .filter(
            account::Column::Role.is_in([Role::Employer, Role::ProviderStaff].map(Role::as_str)),
        )
        .filter(account::Column::Disabled.eq(false))
        .filter(account::Column::EmailConfirmedAt.is_not_null())
        .order_by_asc(account::Column::Id)
        .all(conn)
        .await?
    {
        if let Some(org) = a.organisation_id.clone() {
            staff.entry(org).or_default().push(a);
        }
    }
    let mut queued = 0;
    for (row, step) in &due {
        let status = OrderStatus::read("orders", &row.id, &row.status)?;
        let sides = [
            (Some(&row.employer_id), Role::Employer),
            (row.provider_id.as_ref(), Role::ProviderStaff),
        ];
        for (org, role) in sides {
            let Some(org) = org else { continue };
            let accounts = staff.get(org).into_iter().flatten();
            for a in accounts.filter(|a| a.role == role.as_str()) {
                let Some(to) = Recipient::account(a) else {
                    continue;
                };
                let facts = OrderDeadline {
                    name: a.display_name.clone(),
                    title: row.title.clone(),
                    employer: names.get(&row.employer_id).cloned().unwrap_or_default(),
                    provider: row.provider_id.as_ref().and_then(|p| names.get(p).cloned()),
                    status: status.label().to_owned(),
                    deadline: row.deadline.to_string(),
                    days_left: (row.deadline - now.today).num_days(),
                    link: format!("{}/orders/{}", reminders.base_url, row.id),
                };
                let out = Outgoing {
                    kind: MailKind::OrderDeadline,
                    dedupe_key: format!("reminder:order:{}:{step}:{}", row.id, a.id),
                    to,
                    organisation_id: Some(org.clone()),
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
