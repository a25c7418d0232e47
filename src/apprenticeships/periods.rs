//! The ledger's reporting periods (the 21st of one month to the 20th of the next, named
//! after the month they end in) and the bureau's payments. New entries and payments go into
//! the open period: the period of today, or the first one after it the bureau has not
//! closed. A closed period never changes.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{
    apprenticeship_subsidy_payments as payment, apprenticeship_subsidy_periods as period,
    organisations as organisation,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{status::PeriodStatus, terms::Period};
use crate::{
    access::Caller,
    audit::{self, Change},
    clock::Now,
    error::{AppError, FieldError},
    money::Fen,
    organisations::OrgKind,
    pagination::new_id,
    stored::Stored,
};

/// A reporting period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodView {
    /// `YYYY-MM`, the month it ends in.
    pub code: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: PeriodStatus,
    pub closed_by: Option<String>,
}

fn view(p: period::Model) -> Result<PeriodView, AppError> {
    Ok(PeriodView {
        status: PeriodStatus::read("apprenticeship_subsidy_periods", &p.code, &p.status)?,
        code: p.code,
        starts_on: p.starts_on,
        ends_on: p.ends_on,
        closed_by: p.closed_by,
    })
}

/// Whether each known period is closed.
pub(crate) async fn closed(conn: &impl ConnectionTrait) -> Result<HashMap<String, bool>, AppError> {
    period::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|p| {
            let status = PeriodStatus::read("apprenticeship_subsidy_periods", &p.code, &p.status)?;
            Ok((p.code, status == PeriodStatus::Closed))
        })
        .collect()
}

/// The open period as of `today` (its row written when it has none yet).
pub(crate) async fn open_period(
    conn: &impl ConnectionTrait,
    today: NaiveDate,
) -> Result<String, AppError> {
    let closed = closed(conn).await?;
    let mut p = Period::of(today);
    while closed.get(&p.code) == Some(&true) {
        p = p.following();
    }
    if !closed.contains_key(&p.code) {
        period::ActiveModel {
            code: Set(p.code.clone()),
            starts_on: Set(p.starts_on),
            ends_on: Set(p.ends_on),
            status: Set(PeriodStatus::Open.as_str().to_owned()),
            closed_at: Set(None),
            closed_by: Set(None),
        }
        .insert(conn)
        .await?;
    }
    Ok(p.code)
}

/// The periods the ledger has used, oldest first.
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<PeriodView>, AppError> {
    period::Entity::find()
        .order_by_asc(period::Column::Code)
        .all(conn)
        .await?
        .into_iter()
        .map(view)
        .collect()
}

/// The bureau closes a period that has begun; closing it again answers it as it stands.
/// Must be called under the ledger's lock ([`super::ledger::lock_ledger`]).
pub async fn close(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    code: &str,
    now: Now,
) -> Result<PeriodView, AppError> {
    let p = Period::parse(code).ok_or(AppError::NotFound)?;
    if p.starts_on > now.today {
        return Err(AppError::invalid(
            "code",
            "not_begun",
            "尚未开始的结算期不能结账",
        ));
    }
    super::ledger::lock_ledger(conn).await?;
    let existing = period::Entity::find_by_id(p.code.clone()).one(conn).await?;
    if let Some(row) = &existing
        && row.status == PeriodStatus::Closed.as_str()
    {
        return view(row.clone());
    }
    let row = period::ActiveModel {
        code: Set(p.code.clone()),
        starts_on: Set(p.starts_on),
        ends_on: Set(p.ends_on),
        status: Set(PeriodStatus::Closed.as_str().to_owned()),
        closed_at: Set(Some(now.stamp())),
        closed_by: Set(Some(caller.login.clone())),
    };
    let row = if existing.is_some() {
        row.update(conn).await?
    } else {
        row.insert(conn).await?
    };
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "apprenticeship_subsidy_period.close",
            record_type: "apprenticeship_subsidy_period",
            record_id: &row.code,
            summary: serde_json::json!({"starts_on": row.starts_on, "ends_on": row.ends_on}),
        },
    )
    .await?;
    view(row)
}

/// A payment the bureau made to an enterprise, or money it recovered from one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PaymentInput {
    pub employer_id: String,
    /// The rate year the payment settles.
    pub year: i32,
    /// Yuan, e.g. `"2500.00"`.
    pub amount: String,
    /// `true` when the bureau recovered the amount from the enterprise (a claw-back repaid).
    #[serde(default)]
    pub recovered: bool,
    pub paid_on: NaiveDate,
    #[serde(default)]
    pub note: String,
}

/// Records a payment (or a recovery) in the open period; answers the enterprise's summary
/// for the year.
pub async fn record_payment(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    input: PaymentInput,
    now: Now,
) -> Result<super::ledger::summary::Summary, AppError> {
    let mut fields = Vec::new();
    let employer = organisation::Entity::find_by_id(input.employer_id.clone())
        .one(conn)
        .await?;
    let is_employer = match &employer {
        Some(o) => OrgKind::read("organisations", &o.id, &o.kind)? == OrgKind::Employer,
        None => false,
    };
    if !is_employer {
        fields.push(FieldError::new(
            "employer_id",
            "unknown",
            "没有这个用人单位",
        ));
    }
    let amount = Fen::parse_yuan(&input.amount);
    if amount.is_none() {
        fields.push(FieldError::new(
            "amount",
            "not_an_amount",
            "金额须为以元计的正数，如 2500 或 2500.50",
        ));
    }
    if input.paid_on > now.today {
        fields.push(FieldError::new(
            "paid_on",
            "in_the_future",
            "支付日期不能晚于今天",
        ));
    }
    if !(2000..=2100).contains(&input.year) {
        fields.push(FieldError::new(
            "year",
            "out_of_range",
            "年度须在2000–2100之间",
        ));
    }
    let note = input.note.trim().to_owned();
    if note.chars().count() > 500 {
        fields.push(FieldError::new("note", "too_long", "备注不超过500个字符"));
    }
    let Some(amount) = amount.filter(|_| fields.is_empty()) else {
        return Err(AppError::invalid_fields("支付记录无效", fields));
    };
    super::ledger::lock_ledger(conn).await?;
    let signed = if input.recovered { -amount.0 } else { amount.0 };
    let code = open_period(conn, now.today).await?;
    let row = payment::ActiveModel {
        id: Set(new_id()),
        employer_id: Set(input.employer_id.clone()),
        year: Set(input.year),
        period: Set(code),
        amount_fen: Set(signed),
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
            action: "apprenticeship_subsidy.payment",
            record_type: "apprenticeship_subsidy_payment",
            record_id: &row.id,
            summary: serde_json::json!({"employer_id": row.employer_id, "year": row.year,
                "period": row.period, "amount": Fen(row.amount_fen).to_string(), "paid_on": row.paid_on}),
        },
    )
    .await?;
    super::ledger::summary::for_employer(conn, &input.employer_id, input.year).await
}
