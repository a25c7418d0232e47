//! The funding rules of training orders as configuration, per city and year: the shares
//! of the training fee due on assignment and on the outcome, the share of trainees who
//! must be employed and after how many months. Seeded with 70 % / 30 % at 80 % after 3
//! months; the bureau edits them.

use chrono::Datelike;
use entities::{order_funding_rules as rule, orders as order};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    access::Caller,
    audit::{self, Change},
    error::{AppError, FieldError},
};

/// A funding rule: the shares of the training fee due on assignment and on the outcome,
/// the share of trainees who must be employed, and after how many months.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FundingRule {
    pub city_code: String,
    pub year: i32,
    pub assignment_share_percent: u32,
    pub outcome_share_percent: u32,
    pub outcome_threshold_percent: u32,
    pub months_employed: u32,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct FundingRuleInput {
    /// 0–100; with the outcome share at most 100.
    pub assignment_share_percent: u32,
    pub outcome_share_percent: u32,
    /// 1–100.
    pub outcome_threshold_percent: u32,
    /// 0–36.
    pub months_employed: u32,
}

pub(crate) fn rule_view(r: rule::Model) -> FundingRule {
    FundingRule {
        city_code: r.city_code,
        year: r.year,
        assignment_share_percent: r.assignment_share_percent as u32,
        outcome_share_percent: r.outcome_share_percent as u32,
        outcome_threshold_percent: r.outcome_threshold_percent as u32,
        months_employed: r.months_employed as u32,
    }
}

/// Every rule, by city and year.
pub async fn rules(conn: &impl ConnectionTrait) -> Result<Vec<FundingRule>, AppError> {
    Ok(rule::Entity::find()
        .order_by_asc(rule::Column::CityCode)
        .order_by_asc(rule::Column::Year)
        .all(conn)
        .await?
        .into_iter()
        .map(rule_view)
        .collect())
}

/// Sets a city's rule for a year (a new year's or a change); orders assigned that year
/// follow it from then on.
pub async fn set_rule(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    city: &str,
    year: &str,
    input: FundingRuleInput,
) -> Result<FundingRule, AppError> {
    let year: i32 = year
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or(AppError::NotFound)?;
    if city.len() != 6 || !city.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::NotFound);
    }
    let mut fields = Vec::new();
    if u64::from(input.assignment_share_percent) + u64::from(input.outcome_share_percent) > 100 {
        fields.push(FieldError::new(
            "outcome_share_percent",
            "over_100",
            "分派时与就业达标后拨付比例之和不得超过100%",
        ));
    }
    if !(1..=100).contains(&input.outcome_threshold_percent) {
        fields.push(FieldError::new(
            "outcome_threshold_percent",
            "out_of_range",
            "就业达标比例须在1%–100%之间",
        ));
    }
    if input.months_employed > 36 {
        fields.push(FieldError::new(
            "months_employed",
            "out_of_range",
            "在岗月数须在0–36之间",
        ));
    }
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("资金规则无效", fields));
    }
    let row = rule::ActiveModel {
        city_code: Set(city.to_owned()),
        year: Set(year),
        assignment_share_percent: Set(input.assignment_share_percent as i32),
        outcome_share_percent: Set(input.outcome_share_percent as i32),
        outcome_threshold_percent: Set(input.outcome_threshold_percent as i32),
        months_employed: Set(input.months_employed as i32),
        updated_by: Set(caller.login.clone()),
    };
    let exists = rule::Entity::find_by_id((city.to_owned(), year))
        .one(conn)
        .await?
        .is_some();
    let row = if exists {
        row.update(conn).await?
    } else {
        row.insert(conn).await?
    };
    let view = rule_view(row);
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "order_funding_rule.set",
            record_type: "order_funding_rule",
            record_id: &format!("{city}/{year}"),
            summary: serde_json::to_value(&view).map_err(anyhow::Error::from)?,
        },
    )
    .await?;
    Ok(view)
}

/// The rule an order follows: its city's for the year it was assigned.
pub(crate) async fn rule_of(
    conn: &impl ConnectionTrait,
    o: &order::Model,
) -> Result<Option<rule::Model>, AppError> {
    let Some(on) = o.assigned_on else {
        return Ok(None);
    };
    Ok(rule::Entity::find_by_id((o.city_code.clone(), on.year()))
        .one(conn)
        .await?)
}
