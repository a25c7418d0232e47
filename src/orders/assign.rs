//! Who fulfils an order: a provider's offer, the bureau's assignment (with the training
//! fee), and the assigned provider's cohorts linked to it once the posts are confirmed.

use std::collections::HashMap;

use entities::{
    cohorts as cohort, order_cohorts as link, order_offers as offer, orders as order,
    organisations as organisation, programs as program, standards as standard,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Fen, Order, OrderStatus, view};
use crate::{
    access::{Caller, Role},
    audit::{self, Change},
    clock::Now,
    error::{AppError, FieldError},
    organisations::{OrgKind, OrgStatus},
    pagination::new_id,
    stored::Stored,
};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OfferInput {
    /// What the provider proposes, up to 500 characters.
    #[serde(default)]
    pub note: String,
}

/// A provider offers to take an open order; offering again answers the order.
pub async fn offer(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    input: OfferInput,
    now: Now,
) -> Result<Order, AppError> {
    let row = super::lock(conn, caller, id).await?;
    let provider = match (caller.role, &caller.organisation_id) {
        (Role::ProviderStaff, Some(org)) => org.clone(),
        _ => return Err(AppError::NotFound),
    };
    let status = super::status_of(&row)?;
    if !status.is_open() {
        return Err(super::wrong_status(
            &row,
            status,
            "只有待分派的订单可以申请承接",
        ));
    }
    let note = input.note.trim().to_owned();
    if note.chars().count() > 500 {
        return Err(AppError::invalid("note", "too_long", "说明不超过500个字符"));
    }
    let exists = offer::Entity::find()
        .filter(offer::Column::OrderId.eq(&row.id))
        .filter(offer::Column::ProviderId.eq(&provider))
        .one(conn)
        .await?
        .is_some();
    if !exists {
        let o = offer::ActiveModel {
            id: Set(new_id()),
            order_id: Set(row.id.clone()),
            provider_id: Set(provider.clone()),
            note: Set(note),
            offered_by: Set(caller.login.clone()),
            offered_at: Set(now.stamp()),
        }
        .insert(conn)
        .await?;
        audit::append(
            conn,
            &caller.actor(),
            Change {
                action: "order.offer",
                record_type: "order",
                record_id: &row.id,
                summary: serde_json::json!({"offer_id": o.id, "provider_id": provider}),
            },
        )
        .await?;
    }
    view::one(conn, caller, row).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AssignInput {
    /// The training provider (one that offered, or any whose programs fit).
    pub provider_id: String,
    /// The total training fee in yuan as a decimal string, e.g. `"120000"`.
    pub training_fee: String,
}

/// The bureau assigns an open order to a provider running a fitting program, with the
/// training fee. Assigning the same provider again answers the order; another provider
/// once assigned is a 409.
pub async fn assign(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    input: AssignInput,
    now: Now,
) -> Result<Order, AppError> {
    let row = super::lock(conn, caller, id).await?;
    let status = super::status_of(&row)?;
    if let Some(current) = &row.provider_id {
        if *current == input.provider_id {
            return view::one(conn, caller, row).await;
        }
        return Err(AppError::Conflict {
            code: "order_assigned_already",
            message: format!("订单“{}”已分派给其他培训机构", row.title),
        });
    }
    if !status.is_open() {
        return Err(super::wrong_status(
            &row,
            status,
            "只有待分派的订单可以分派",
        ));
    }
    let mut fields = Vec::new();
    let fee = Fen::parse_yuan(&input.training_fee);
    if fee.is_none() {
        fields.push(FieldError::new(
            "training_fee",
            "not_an_amount",
            "培训费须为以元计的金额，如 120000 或 120000.50",
        ));
    }
    let provider = organisation::Entity::find_by_id(input.provider_id.clone())
        .one(conn)
        .await?;
    let approved_provider = match &provider {
        Some(p) => {
            OrgKind::read("organisations", &p.id, &p.kind)? == OrgKind::TrainingProvider
                && OrgStatus::read("organisations", &p.id, &p.status)? == OrgStatus::Approved
        }
        None => false,
    };
    if !approved_provider {
        fields.push(FieldError::new(
            "provider_id",
            "unknown_or_not_approved",
            "培训机构不存在或尚未获批准",
        ));
    } else {
        let fitting = view::fitting_programs(conn, &[&row]).await?;
        let runs = fitting
            .get(&row.id)
            .is_some_and(|ps| ps.iter().any(|p| p.provider_id == input.provider_id));
        if !runs {
            fields.push(FieldError::new(
                "provider_id",
                "no_fitting_program",
                "该培训机构没有与订单职业（工种）或专项能力标准相符的培训项目",
            ));
        }
    }
    let (Some(fee), true) = (fee, fields.is_empty()) else {
        return Err(AppError::invalid_fields("不能分派", fields));
    };
    let offered = offer::Entity::find()
        .filter(offer::Column::OrderId.eq(&row.id))
        .filter(offer::Column::ProviderId.eq(&input.provider_id))
        .one(conn)
        .await?
        .map(|o| o.id);
    let mut active = row.into_active_model();
    active.provider_id = Set(Some(input.provider_id.clone()));
    active.training_fee_fen = Set(Some(fee.0));
    active.status = Set(OrderStatus::Assigned.as_str().to_owned());
    active.assigned_at = Set(Some(now.stamp()));
    active.assigned_on = Set(Some(now.today));
    active.updated_at = Set(now.stamp());
    let row = active.update(conn).await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "order.assign",
            record_type: "order",
            record_id: &row.id,
            summary: serde_json::json!({"provider_id": input.provider_id, "training_fee_fen": fee.0, "offer_id": offered}),
        },
    )
    .await?;
    view::one(conn, caller, row).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct LinkInput {
    /// One of the provider's cohorts, of a program fitting the order.
    pub cohort_id: String,
}

/// The assigned provider links one of its cohorts, of a program fitting the order, once
/// the employer has confirmed the posts (岗位前置); the order is then in training.
/// Linking the same cohort again answers the order.
pub async fn link_cohort(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    input: LinkInput,
    now: Now,
) -> Result<Order, AppError> {
    let row = super::lock(conn, caller, id).await?;
    let existing = link::Entity::find_by_id(input.cohort_id.clone())
        .one(conn)
        .await?;
    if existing.as_ref().is_some_and(|l| l.order_id == row.id) {
        return view::one(conn, caller, row).await;
    }
    let assigned = row
        .provider_id
        .as_deref()
        .is_some_and(|p| caller.belongs_to(p));
    if !assigned {
        return Err(AppError::Conflict {
            code: "not_assigned",
            message: "只有受派承接本订单的培训机构可以关联班次".into(),
        });
    }
    let status = super::status_of(&row)?;
    if !status.is_running() {
        return Err(super::wrong_status(&row, status, "不能再关联班次"));
    }
    if row.posts_confirmed_at.is_none() {
        return Err(AppError::Conflict {
            code: "posts_not_confirmed",
            message: "用人单位确认岗位后才能关联班次（岗位前置）".into(),
        });
    }
    let cohort = cohort::Entity::find_by_id(input.cohort_id.clone())
        .one(conn)
        .await?
        .filter(|c| caller.belongs_to(&c.provider_id))
        .ok_or_else(|| AppError::invalid("cohort_id", "unknown", "本机构没有这个班次"))?;
    if !fits(conn, &row, &cohort).await? {
        return Err(AppError::invalid(
            "cohort_id",
            "program_mismatch",
            "该班次的培训项目与订单的职业（工种）或专项能力标准不符",
        ));
    }
    if existing.is_some() {
        return Err(AppError::Conflict {
            code: "cohort_linked_elsewhere",
            message: format!("班次 {} 已关联其他订单", cohort.code),
        });
    }
    link::ActiveModel {
        cohort_id: Set(cohort.id.clone()),
        order_id: Set(row.id.clone()),
        linked_by: Set(caller.login.clone()),
        linked_at: Set(now.stamp()),
    }
    .insert(conn)
    .await?;
    let mut active = row.into_active_model();
    active.status = Set(OrderStatus::InTraining.as_str().to_owned());
    active.updated_at = Set(now.stamp());
    let row = active.update(conn).await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "order.link_cohort",
            record_type: "order",
            record_id: &row.id,
            summary: serde_json::json!({"cohort_id": cohort.id, "cohort_code": cohort.code}),
        },
    )
    .await?;
    view::one(conn, caller, row).await
}

async fn fits(
    conn: &impl ConnectionTrait,
    o: &order::Model,
    c: &cohort::Model,
) -> Result<bool, AppError> {
    let Some(p) = program::Entity::find_by_id(c.program_id.clone())
        .one(conn)
        .await?
    else {
        return Ok(false);
    };
    let mut standards = HashMap::new();
    if let Some(sid) = &p.standard_id
        && let Some(s) = standard::Entity::find_by_id(sid.clone()).one(conn).await?
    {
        standards.insert(s.id, s.code);
    }
    Ok(view::fits(o, &p, &standards))
}
