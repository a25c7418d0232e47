//! Closing an order (the bureau: fulfilled, or not with the reason) and the orders past
//! their deadline without enough certified trainees, for the task lists.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{orders as order, organisations as organisation};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Order, OrderOutcome, OrderStatus, records, view};
use crate::{
    access::{Caller, Role},
    audit::{self, Change},
    clock::Now,
    error::{AppError, FieldError},
    programs::CertificateKind,
    stored::Stored,
};

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CloseInput {
    pub outcome: OrderOutcome,
    /// Required when not fulfilled, 1–200 characters.
    #[serde(default)]
    pub reason: String,
}

/// The bureau closes an order: fulfilled only when enough trainees hold the certificate
/// the order asks for; not fulfilled with the reason. Closing again the same way answers
/// the order.
pub async fn close(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    input: CloseInput,
    now: Now,
) -> Result<Order, AppError> {
    let row = super::lock(conn, caller, id).await?;
    let status = super::status_of(&row)?;
    if status == OrderStatus::Closed {
        if row.outcome.as_deref() == Some(input.outcome.as_str()) {
            return view::one(conn, caller, row).await;
        }
        return Err(super::wrong_status(&row, status, "不能改为另一结果"));
    }
    let reason = input.reason.trim().to_owned();
    let mut fields = Vec::new();
    if reason.chars().count() > 200 {
        fields.push(FieldError::new("reason", "too_long", "原因不超过200个字符"));
    }
    let kind = CertificateKind::read("orders", &row.id, &row.hire_certificate_kind)?;
    let certified = records::load_one(conn, &row.id)
        .await?
        .holders(kind, now.today)?
        .len() as u64;
    match input.outcome {
        OrderOutcome::Fulfilled if certified < row.trainees_wanted as u64 => {
            fields.push(FieldError::new(
                "outcome",
                "not_enough_certified",
                format!(
                    "取得{}的学员{}人，少于订单要求的{}人，不能按已完成结束",
                    kind.label(),
                    certified,
                    row.trainees_wanted
                ),
            ));
        }
        OrderOutcome::NotFulfilled if reason.is_empty() => {
            fields.push(FieldError::new(
                "reason",
                "required",
                "未完成结束须写明原因",
            ));
        }
        _ => {}
    }
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("不能结束订单", fields));
    }
    let mut active = row.into_active_model();
    active.status = Set(OrderStatus::Closed.as_str().to_owned());
    active.outcome = Set(Some(input.outcome.as_str().to_owned()));
    active.close_reason = Set((!reason.is_empty()).then_some(reason));
    active.closed_at = Set(Some(now.stamp()));
    active.updated_at = Set(now.stamp());
    let row = active.update(conn).await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "order.close",
            record_type: "order",
            record_id: &row.id,
            summary: serde_json::json!({"outcome": row.outcome, "reason": row.close_reason, "certified": certified}),
        },
    )
    .await?;
    view::one(conn, caller, row).await
}

/// An order past its deadline without enough certified trainees.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueOrder {
    pub order_id: String,
    pub title: String,
    pub employer_name: String,
    pub deadline: NaiveDate,
    pub trainees_wanted: u32,
    /// Trainees holding the certificate the order asks for.
    pub certified: u64,
}

/// The overdue orders the caller answers for (the bureau: all; a provider: those assigned
/// to it), oldest deadline first, in a fixed number of queries.
pub async fn overdue(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    today: NaiveDate,
) -> Result<Vec<OverdueOrder>, AppError> {
    let query = order::Entity::find()
        .filter(order::Column::Deadline.lt(today))
        .filter(order::Column::Status.is_in([
            OrderStatus::Submitted.as_str(),
            OrderStatus::Assigned.as_str(),
            OrderStatus::InTraining.as_str(),
        ]))
        .order_by_asc(order::Column::Deadline);
    let query = match (caller.role, &caller.organisation_id) {
        (Role::BureauAdmin, _) => query,
        (Role::ProviderStaff, Some(org)) => query.filter(order::Column::ProviderId.eq(org)),
        _ => return Ok(Vec::new()),
    };
    let rows = query.all(conn).await?;
    let ids: Vec<&str> = rows.iter().map(|o| o.id.as_str()).collect();
    let mut records = records::load(conn, &ids).await?;
    let names: HashMap<String, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(rows.iter().map(|o| o.employer_id.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let mut out = Vec::new();
    for o in rows {
        let kind = CertificateKind::read("orders", &o.id, &o.hire_certificate_kind)?;
        let certified = match records.remove(&o.id) {
            Some(r) => r.holders(kind, today)?.len() as u64,
            None => 0,
        };
        if certified >= o.trainees_wanted as u64 {
            continue;
        }
        out.push(OverdueOrder {
            employer_name: names.get(&o.employer_id).cloned().unwrap_or_default(),
            order_id: o.id,
            title: o.title,
            deadline: o.deadline,
            trainees_wanted: u32::try_from(o.trainees_wanted).unwrap_or_default(),
            certified,
        });
    }
    Ok(out)
}
