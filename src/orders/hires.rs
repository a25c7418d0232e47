//! Hires against an order: the employer records whom it hired, when and for which post,
//! and later a departure; the provider records a trainee hired by another employer,
//! counted apart. A hire needs a standing certificate of the order's kind.

use chrono::NaiveDate;
use entities::{order_hires as hire, order_posts as post};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Employment, records};
use crate::{
    access::{Caller, Role},
    audit::{self, Change},
    clock::Now,
    error::{AppError, FieldError},
    pagination::new_id,
    programs::CertificateKind,
    stored::Stored,
};

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct HireInput {
    /// A trainee of one of the order's cohorts.
    pub person_id: String,
    /// The employer's post (the employer's hires only).
    pub post_id: Option<String>,
    /// The other employer's name (the provider's records only), 1–60 characters.
    pub other_employer_name: Option<String>,
    /// Not after today.
    pub hired_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hire {
    pub id: String,
    pub order_id: String,
    pub person_id: String,
    pub employment: Employment,
    pub post_id: Option<String>,
    pub other_employer_name: Option<String>,
    pub hired_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
}

pub(crate) fn view(h: hire::Model) -> Result<Hire, AppError> {
    Ok(Hire {
        employment: Employment::read("order_hires", &h.id, &h.employment)?,
        id: h.id,
        order_id: h.order_id,
        person_id: h.person_id,
        post_id: h.post_id,
        other_employer_name: h.other_employer_name,
        hired_on: h.hired_on,
        left_on: h.left_on,
    })
}

/// Who records a hire on this order: the employer's staff its own hires, the assigned
/// provider's staff hires by other employers; anyone else finds no such order.
fn employment_of(caller: &Caller, o: &entities::orders::Model) -> Result<Employment, AppError> {
    match caller.role {
        Role::Employer if caller.belongs_to(&o.employer_id) => Ok(Employment::Own),
        Role::ProviderStaff
            if o.provider_id
                .as_deref()
                .is_some_and(|p| caller.belongs_to(p)) =>
        {
            Ok(Employment::OtherEmployer)
        }
        _ => Err(AppError::NotFound),
    }
}

/// Records a hire; the same hire sent again answers it (`false`: not new).
pub async fn record(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    input: HireInput,
    now: Now,
) -> Result<(Hire, bool), AppError> {
    let row = super::lock(conn, caller, id).await?;
    let employment = employment_of(caller, &row)?;
    let status = super::status_of(&row)?;
    if status != super::OrderStatus::InTraining {
        return Err(super::wrong_status(
            &row,
            status,
            "只有培训中的订单可以登记录用",
        ));
    }
    let other_name = input
        .other_employer_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let mut fields = Vec::new();
    let records = records::load_one(conn, &row.id).await?;
    match employment {
        Employment::Own => {
            let post = match &input.post_id {
                Some(p) => post::Entity::find_by_id(p.clone())
                    .one(conn)
                    .await?
                    .filter(|p| p.order_id == row.id),
                None => None,
            };
            // A post holds its headcount: those hired for it and not gone (a repeat of
            // the same hire is answered below, not refused here).
            if let Some(p) = &post {
                let filled = records
                    .hires
                    .iter()
                    .filter(|h| h.post_id.as_deref() == Some(p.id.as_str()))
                    .filter(|h| h.left_on.is_none() && h.person_id != input.person_id)
                    .count();
                if filled >= usize::try_from(p.headcount).unwrap_or_default() {
                    fields.push(FieldError::new(
                        "post_id",
                        "post_full",
                        format!("岗位“{}”已录满{}人", p.title, p.headcount),
                    ));
                }
            }
            if post.is_none() {
                fields.push(FieldError::new(
                    "post_id",
                    "unknown",
                    "须选择本订单的一个岗位",
                ));
            }
            if other_name.is_some() {
                fields.push(FieldError::new(
                    "other_employer_name",
                    "not_allowed",
                    "订单单位录用时不填其他单位名称",
                ));
            }
        }
        Employment::OtherEmployer => {
            if !other_name
                .as_ref()
                .is_some_and(|n| (1..=60).contains(&n.chars().count()))
            {
                fields.push(FieldError::new(
                    "other_employer_name",
                    "required",
                    "须填写录用单位名称（1–60个字符）",
                ));
            }
            if input.post_id.is_some() {
                fields.push(FieldError::new(
                    "post_id",
                    "not_allowed",
                    "其他单位录用时不选本订单岗位",
                ));
            }
        }
    }
    if input.hired_on > now.today {
        fields.push(FieldError::new(
            "hired_on",
            "in_the_future",
            "录用日期不得晚于今天",
        ));
    }
    let kind = CertificateKind::read("orders", &row.id, &row.hire_certificate_kind)?;
    if !records
        .enrolments
        .iter()
        .any(|e| e.person_id == input.person_id)
    {
        fields.push(FieldError::new(
            "person_id",
            "not_a_trainee",
            "该学员不在本订单关联的班次中",
        ));
    } else if !records
        .holders(kind, now.today)?
        .contains(input.person_id.as_str())
    {
        fields.push(FieldError::new(
            "person_id",
            "certificate_missing",
            format!("录用须持有本订单要求的{}（有效）", kind.label()),
        ));
    }
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("不能登记录用", fields));
    }
    if let Some(h) = records
        .hires
        .into_iter()
        .find(|h| h.person_id == input.person_id)
    {
        let same = h.employment == employment.as_str()
            && h.post_id == input.post_id
            && h.other_employer_name == other_name
            && h.hired_on == input.hired_on;
        if same {
            return Ok((view(h)?, false));
        }
        return Err(AppError::Conflict {
            code: "hired_already",
            message: "该学员已登记录用".into(),
        });
    }
    let h = hire::ActiveModel {
        id: Set(new_id()),
        order_id: Set(row.id.clone()),
        person_id: Set(input.person_id),
        employment: Set(employment.as_str().to_owned()),
        post_id: Set(input.post_id),
        other_employer_name: Set(other_name),
        hired_on: Set(input.hired_on),
        left_on: Set(None),
        recorded_by: Set(caller.login.clone()),
        recorded_at: Set(now.stamp()),
    }
    .insert(conn)
    .await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "order.hire",
            record_type: "order",
            record_id: &row.id,
            summary: serde_json::json!({"hire_id": h.id, "person_id": h.person_id, "employment": h.employment,
                "post_id": h.post_id, "hired_on": h.hired_on}),
        },
    )
    .await?;
    Ok((view(h)?, true))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DepartureInput {
    /// The last day employed: not before the hire, not after today.
    pub left_on: NaiveDate,
}

/// Records that a hire left; the same departure sent again answers the hire.
pub async fn depart(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    hire_id: &str,
    input: DepartureInput,
    now: Now,
) -> Result<Hire, AppError> {
    let row = super::lock(conn, caller, id).await?;
    let employment = employment_of(caller, &row)?;
    let h = hire::Entity::find_by_id(hire_id.to_owned())
        .filter(hire::Column::OrderId.eq(&row.id))
        .one(conn)
        .await?
        .filter(|h| h.employment == employment.as_str())
        .ok_or(AppError::NotFound)?;
    if let Some(left) = h.left_on {
        if left == input.left_on {
            return view(h);
        }
        return Err(AppError::Conflict {
            code: "departed_already",
            message: format!("已登记该学员于 {left} 离职"),
        });
    }
    if input.left_on < h.hired_on || input.left_on > now.today {
        return Err(AppError::invalid(
            "left_on",
            "out_of_range",
            format!("离职日期须在录用日期（{}）与今天之间", h.hired_on),
        ));
    }
    let mut active = h.into_active_model();
    active.left_on = Set(Some(input.left_on));
    let h = active.update(conn).await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "order.departure",
            record_type: "order",
            record_id: &row.id,
            summary: serde_json::json!({"hire_id": h.id, "person_id": h.person_id, "left_on": h.left_on}),
        },
    )
    .await?;
    view(h)
}
