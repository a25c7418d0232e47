//! The employer's part before assignment: writing the order (a draft, changed freely),
//! submitting it, and confirming its posts (岗位前置: no cohort is linked before).

use entities::{order_posts as post, orders as order};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, Set,
};

use super::{
    Fen, Order, OrderStatus,
    input::{OrderInput, check},
};
use crate::{
    access::{Caller, Role},
    audit::{self, Change},
    clock::Now,
    error::{AppError, FieldError},
    pagination::new_id,
    programs::CertificateKind,
    stored::Stored,
};

async fn replace_posts(
    conn: &impl ConnectionTrait,
    order_id: &str,
    posts: Vec<(String, Fen, i32, String)>,
) -> Result<(), AppError> {
    post::Entity::delete_many()
        .filter(post::Column::OrderId.eq(order_id))
        .exec(conn)
        .await?;
    for (i, (title, pay, headcount, place)) in posts.into_iter().enumerate() {
        post::ActiveModel {
            id: Set(new_id()),
            order_id: Set(order_id.to_owned()),
            position: Set(i as i32),
            title: Set(title),
            monthly_pay_fen: Set(pay.0),
            headcount: Set(headcount),
            place: Set(place),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

fn summary(o: &order::Model, posts: usize) -> serde_json::Value {
    serde_json::json!({"title": o.title, "occupation_code": o.occupation_code, "standard_code": o.standard_code,
        "trainees_wanted": o.trainees_wanted, "hire_commitment": o.hire_commitment, "deadline": o.deadline,
        "hire_certificate_kind": o.hire_certificate_kind, "posts": posts})
}

/// A new draft order of the caller's employer.
pub async fn create(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    city_code: &str,
    input: OrderInput,
    now: Now,
) -> Result<Order, AppError> {
    let employer = match (caller.role, &caller.organisation_id) {
        (Role::Employer, Some(org)) => org.clone(),
        _ => return Err(AppError::forbidden_role()),
    };
    let checked = check(conn, &input, now.today).await?;
    let posts = checked.posts.len();
    let row = order::ActiveModel {
        id: Set(new_id()),
        employer_id: Set(employer),
        title: Set(checked.title),
        occupation_code: Set(checked.occupation_code),
        standard_code: Set(checked.standard_code),
        trainees_wanted: Set(input.trainees_wanted as i32),
        hire_commitment: Set(input.hire_commitment as i32),
        deadline: Set(input.deadline),
        notes: Set(checked.notes),
        hire_certificate_kind: Set(input
            .hire_certificate_kind
            .unwrap_or(CertificateKind::Completion)
            .as_str()
            .to_owned()),
        city_code: Set(city_code.to_owned()),
        status: Set(OrderStatus::Draft.as_str().to_owned()),
        outcome: Set(None),
        close_reason: Set(None),
        provider_id: Set(None),
        training_fee_fen: Set(None),
        posts_confirmed_at: Set(None),
        submitted_at: Set(None),
        assigned_at: Set(None),
        assigned_on: Set(None),
        closed_at: Set(None),
        created_at: Set(now.stamp()),
        updated_at: Set(now.stamp()),
    }
    .insert(conn)
    .await?;
    replace_posts(conn, &row.id, checked.posts).await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "order.create",
            record_type: "order",
            record_id: &row.id,
            summary: summary(&row, posts),
        },
    )
    .await?;
    super::view::one(conn, caller, row).await
}

/// Rewrites a draft (its posts included); a submitted order no longer changes.
pub async fn update(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    input: OrderInput,
    now: Now,
) -> Result<Order, AppError> {
    let row = super::lock(conn, caller, id).await?;
    super::require_employer(caller, &row)?;
    let status = super::status_of(&row)?;
    if status != OrderStatus::Draft {
        return Err(super::wrong_status(&row, status, "只有草稿可以修改"));
    }
    let checked = check(conn, &input, now.today).await?;
    let posts = checked.posts.len();
    let mut active = row.into_active_model();
    active.title = Set(checked.title);
    active.occupation_code = Set(checked.occupation_code);
    active.standard_code = Set(checked.standard_code);
    active.trainees_wanted = Set(input.trainees_wanted as i32);
    active.hire_commitment = Set(input.hire_commitment as i32);
    active.deadline = Set(input.deadline);
    active.notes = Set(checked.notes);
    active.hire_certificate_kind = Set(input
        .hire_certificate_kind
        .unwrap_or(CertificateKind::Completion)
        .as_str()
        .to_owned());
    active.updated_at = Set(now.stamp());
    let row = active.update(conn).await?;
    replace_posts(conn, &row.id, checked.posts).await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "order.update",
            record_type: "order",
            record_id: &row.id,
            summary: summary(&row, posts),
        },
    )
    .await?;
    super::view::one(conn, caller, row).await
}

async fn post_count(conn: &impl ConnectionTrait, order_id: &str) -> Result<u64, AppError> {
    Ok(post::Entity::find()
        .filter(post::Column::OrderId.eq(order_id))
        .count(conn)
        .await?)
}

/// Submits a draft to the bureau; submitting again answers the order as it stands.
pub async fn submit(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    now: Now,
) -> Result<Order, AppError> {
    let row = super::lock(conn, caller, id).await?;
    super::require_employer(caller, &row)?;
    if super::status_of(&row)? != OrderStatus::Draft {
        return super::view::one(conn, caller, row).await;
    }
    let mut fields = Vec::new();
    if post_count(conn, &row.id).await? == 0 {
        fields.push(FieldError::new(
            "posts",
            "required",
            "提交前须至少填写一个岗位（岗位前置）",
        ));
    }
    if row.deadline <= now.today {
        fields.push(FieldError::new(
            "deadline",
            "not_in_future",
            "完成期限须晚于今天",
        ));
    }
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("订单不能提交", fields));
    }
    let mut active = row.into_active_model();
    active.status = Set(OrderStatus::Submitted.as_str().to_owned());
    active.submitted_at = Set(Some(now.stamp()));
    active.updated_at = Set(now.stamp());
    let row = active.update(conn).await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "order.submit",
            record_type: "order",
            record_id: &row.id,
            summary: serde_json::json!({"status": row.status}),
        },
    )
    .await?;
    super::view::one(conn, caller, row).await
}

/// The employer confirms the posts (岗位前置) of a submitted order: from then on they do
/// not change, and the provider's cohorts may be linked. Confirming again answers the
/// order as it stands.
pub async fn confirm_posts(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    now: Now,
) -> Result<Order, AppError> {
    let row = super::lock(conn, caller, id).await?;
    super::require_employer(caller, &row)?;
    if row.posts_confirmed_at.is_some() {
        return super::view::one(conn, caller, row).await;
    }
    let status = super::status_of(&row)?;
    if !(status.is_open() || status.is_running()) {
        return Err(super::wrong_status(
            &row,
            status,
            "须先提交订单，结束后不能再确认岗位",
        ));
    }
    let mut active = row.into_active_model();
    active.posts_confirmed_at = Set(Some(now.stamp()));
    active.updated_at = Set(now.stamp());
    let row = active.update(conn).await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "order.confirm_posts",
            record_type: "order",
            record_id: &row.id,
            summary: serde_json::json!({"posts": post_count(conn, &row.id).await?}),
        },
    )
    .await?;
    super::view::one(conn, caller, row).await
}
