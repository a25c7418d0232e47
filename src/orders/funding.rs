//! Outcome-linked funding of orders: the rules per city and year (configuration the
//! bureau edits), and per order the amounts due on assignment and on the outcome with
//! their grounds, the payments the bureau recorded, and what is outstanding. Money is
//! integer fen; the API writes yuan.

use chrono::{Datelike, NaiveDate};
use entities::{order_payments as payment, orders as order};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    Fen, Tranche,
    funding_rules::{FundingRule, rule_of, rule_view},
    records,
};
use crate::{
    access::Caller,
    audit::{self, Change},
    clock::Now,
    error::{AppError, FieldError},
    pagination::new_id,
    stored::Stored,
};

/// Why the outcome share is due, or not yet.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomeGrounds {
    /// Trainees of the order's cohorts (current enrolments).
    pub trainees: u64,
    /// How many must be employed: the threshold of the trainees, rounded up.
    pub required: u64,
    pub threshold_percent: u32,
    pub months: u32,
    /// Employed `months` after their hire and not left before: by the employer, by others.
    pub employed_own: u64,
    pub employed_other_employer: u64,
    pub as_of: NaiveDate,
    /// The day the required number was reached, when it was.
    pub reached_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Due {
    /// Yuan.
    pub amount: String,
    pub due: bool,
    pub due_on: Option<NaiveDate>,
    /// Paid against this tranche, yuan.
    pub paid: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Payment {
    pub id: String,
    pub tranche: Tranche,
    pub amount: String,
    pub paid_on: NaiveDate,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Funding {
    pub order_id: String,
    pub training_fee: String,
    pub rule: FundingRule,
    pub on_assignment: Due,
    pub on_outcome: Due,
    pub outcome_grounds: OutcomeGrounds,
    /// What is due now, paid in all, and due but not paid (never below zero), yuan.
    pub due: String,
    pub paid: String,
    pub outstanding: String,
    pub payments: Vec<Payment>,
}

struct Figures {
    funding: Funding,
    due_assignment: Fen,
    due_outcome: Fen,
    paid_assignment: Fen,
    paid_outcome: Fen,
}

async fn figures(
    conn: &impl ConnectionTrait,
    o: &order::Model,
    today: NaiveDate,
) -> Result<Figures, AppError> {
    let (Some(fee), Some(assigned_on)) = (o.training_fee_fen, o.assigned_on) else {
        return Err(AppError::Conflict {
            code: "order_not_assigned",
            message: "订单尚未分派，没有培训费".into(),
        });
    };
    let Some(r) = rule_of(conn, o).await? else {
        return Err(AppError::Conflict {
            code: "no_funding_rule",
            message: format!(
                "未配置{}市{}年的订单培训资金规则",
                o.city_code,
                assigned_on.year()
            ),
        });
    };
    let fee = Fen(fee);
    let records = records::load_one(conn, &o.id).await?;
    let months = r.months_employed as u32;
    let employed = records.employed_after(months, today)?;
    let trainees = records.enrolled();
    let threshold = r.outcome_threshold_percent as u64;
    let required = (trainees * threshold).div_ceil(100);
    let reached_on = if trainees > 0 && required > 0 {
        employed.since.get(required as usize - 1).copied()
    } else {
        None
    };
    let payments = payment::Entity::find()
        .filter(payment::Column::OrderId.eq(&o.id))
        .order_by_asc(payment::Column::PaidOn)
        .all(conn)
        .await?;
    let (mut paid_assignment, mut paid_outcome) = (Fen(0), Fen(0));
    let mut list = Vec::with_capacity(payments.len());
    for p in payments {
        let tranche = Tranche::read("order_payments", &p.id, &p.tranche)?;
        match tranche {
            Tranche::Assignment => paid_assignment.0 += p.amount_fen,
            Tranche::Outcome => paid_outcome.0 += p.amount_fen,
        }
        list.push(Payment {
            id: p.id,
            tranche,
            amount: Fen(p.amount_fen).yuan(),
            paid_on: p.paid_on,
            note: p.note,
        });
    }
    let on_assignment = fee.share(r.assignment_share_percent);
    let on_outcome = fee.share(r.outcome_share_percent);
    let due_assignment = on_assignment;
    let due_outcome = if reached_on.is_some() {
        on_outcome
    } else {
        Fen(0)
    };
    let due = Fen(due_assignment.0 + due_outcome.0);
    let paid = Fen(paid_assignment.0 + paid_outcome.0);
    let outstanding = Fen((due.0 - paid.0).max(0));
    Ok(Figures {
        funding: Funding {
            order_id: o.id.clone(),
            training_fee: fee.yuan(),
            on_assignment: Due {
                amount: on_assignment.yuan(),
                due: true,
                due_on: Some(assigned_on),
                paid: paid_assignment.yuan(),
            },
            on_outcome: Due {
                amount: on_outcome.yuan(),
                due: reached_on.is_some(),
                due_on: reached_on,
                paid: paid_outcome.yuan(),
            },
            outcome_grounds: OutcomeGrounds {
                trainees,
                required,
                threshold_percent: r.outcome_threshold_percent as u32,
                months,
                employed_own: employed.own,
                employed_other_employer: employed.other,
                as_of: today,
                reached_on,
            },
            rule: rule_view(r),
            due: due.yuan(),
            paid: paid.yuan(),
            outstanding: outstanding.yuan(),
            payments: list,
        },
        due_assignment,
        due_outcome,
        paid_assignment,
        paid_outcome,
    })
}

/// The order's funding as of `today`.
pub async fn get(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    today: NaiveDate,
) -> Result<Funding, AppError> {
    let row = super::find(conn, caller, id).await?;
    Ok(figures(conn, &row, today).await?.funding)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PaymentInput {
    pub tranche: Tranche,
    /// Yuan as a decimal string; at most what is due and unpaid for the tranche.
    pub amount: String,
    /// Not after today.
    pub paid_on: NaiveDate,
    #[serde(default)]
    pub note: String,
}

/// The bureau records a payment against a tranche that is due; the funding after it.
pub async fn record_payment(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    input: PaymentInput,
    now: Now,
) -> Result<Funding, AppError> {
    let row = super::lock(conn, caller, id).await?;
    let f = figures(conn, &row, now.today).await?;
    let (due, paid) = match input.tranche {
        Tranche::Assignment => (f.due_assignment, f.paid_assignment),
        Tranche::Outcome => (f.due_outcome, f.paid_outcome),
    };
    let left = Fen((due.0 - paid.0).max(0));
    let mut fields = Vec::new();
    match Fen::parse_yuan(&input.amount) {
        None => fields.push(FieldError::new(
            "amount",
            "not_an_amount",
            "金额须为以元计的金额，如 84000 或 84000.50",
        )),
        Some(a) if a > left => fields.push(FieldError::new(
            "amount",
            "more_than_due",
            format!("金额超过{}应付未付的 {} 元", input.tranche.label(), left),
        )),
        Some(_) => {}
    }
    if input.paid_on > now.today {
        fields.push(FieldError::new(
            "paid_on",
            "in_the_future",
            "付款日期不得晚于今天",
        ));
    }
    let note = input.note.trim().to_owned();
    if note.chars().count() > 200 {
        fields.push(FieldError::new("note", "too_long", "备注不超过200个字符"));
    }
    let amount = match (Fen::parse_yuan(&input.amount), fields.is_empty()) {
        (Some(a), true) => a,
        _ => return Err(AppError::invalid_fields("不能登记付款", fields)),
    };
    let p = payment::ActiveModel {
        id: Set(new_id()),
        order_id: Set(row.id.clone()),
        tranche: Set(input.tranche.as_str().to_owned()),
        amount_fen: Set(amount.0),
        paid_on: Set(input.paid_on),
        note: Set(note),
        recorded_by: Set(caller.login.clone()),
        recorded_at: Set(now.stamp()),
    }
    .insert(conn)
    .await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "order.payment",
            record_type: "order",
            record_id: &row.id,
            summary: serde_json::json!({"payment_id": p.id, "tranche": p.tranche, "amount_fen": p.amount_fen, "paid_on": p.paid_on}),
        },
    )
    .await?;
    Ok(figures(conn, &row, now.today).await?.funding)
}
