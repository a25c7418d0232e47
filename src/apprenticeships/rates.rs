//! The subsidy rates as configuration: per city, year and target level, the yearly amount
//! per apprentice and the share paid in advance. Seeded for Erguna with figures the bureau
//! replaces (the migration says where each comes from); the bureau edits them.

use std::collections::HashMap;

use entities::apprenticeship_subsidy_rates as rate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    access::Caller,
    audit::{self, Change},
    error::{AppError, FieldError},
    money::Fen,
    standards::reference,
};

/// A rate: the yearly subsidy per apprentice for a target level in a city and year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rate {
    pub city_code: String,
    pub year: i32,
    pub target_level: String,
    /// Yuan per apprentice and full year.
    pub yearly_amount: String,
    /// At most this share is paid in advance, 0–50.
    pub advance_share_percent: i32,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RateInput {
    /// Yuan, e.g. `"5000"`.
    pub yearly_amount: String,
    /// 0–50.
    pub advance_share_percent: u32,
}

fn view(r: rate::Model) -> Rate {
    Rate {
        city_code: r.city_code,
        year: r.year,
        target_level: r.level_code,
        yearly_amount: Fen(r.yearly_amount_fen).to_string(),
        advance_share_percent: r.advance_share_percent,
    }
}

/// Every rate, by city, year and level.
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<Rate>, AppError> {
    Ok(rate::Entity::find()
        .order_by_asc(rate::Column::CityCode)
        .order_by_asc(rate::Column::Year)
        .order_by_asc(rate::Column::LevelCode)
        .all(conn)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// A city's rates for one level, by year.
pub(crate) async fn by_year(
    conn: &impl ConnectionTrait,
    city: &str,
    level: &str,
) -> Result<HashMap<i32, rate::Model>, AppError> {
    Ok(rate::Entity::find()
        .filter(rate::Column::CityCode.eq(city))
        .filter(rate::Column::LevelCode.eq(level))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.year, r))
        .collect())
}

/// Sets a city's rate for a year and level. Entries already booked follow it when the
/// ledger is generated next: in place while their period is open, as an adjustment in the
/// open period once it is closed.
pub async fn set(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    (city, year, level): (&str, &str, &str),
    input: RateInput,
) -> Result<Rate, AppError> {
    let year: i32 = year
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or(AppError::NotFound)?;
    if city.len() != 6 || !city.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::NotFound);
    }
    if reference::skill_level(conn, level)
        .await?
        .is_none_or(|l| l.national_digit.is_none())
    {
        return Err(AppError::NotFound);
    }
    let mut fields = Vec::new();
    let amount = Fen::parse_yuan(&input.yearly_amount);
    if amount.is_none() {
        fields.push(FieldError::new(
            "yearly_amount",
            "not_an_amount",
            "年补贴标准须为以元计的正数，如 5000",
        ));
    }
    if input.advance_share_percent > 50 {
        fields.push(FieldError::new(
            "advance_share_percent",
            "out_of_range",
            "预拨比例须在0%–50%之间",
        ));
    }
    let Some(amount) = amount.filter(|_| fields.is_empty()) else {
        return Err(AppError::invalid_fields("补贴标准无效", fields));
    };
    let row = rate::ActiveModel {
        city_code: Set(city.to_owned()),
        year: Set(year),
        level_code: Set(level.to_owned()),
        yearly_amount_fen: Set(amount.0),
        advance_share_percent: Set(input.advance_share_percent as i32),
        updated_by: Set(caller.login.clone()),
    };
    let exists = rate::Entity::find_by_id((city.to_owned(), year, level.to_owned()))
        .one(conn)
        .await?
        .is_some();
    let row = if exists {
        row.update(conn).await?
    } else {
        row.insert(conn).await?
    };
    let rate = view(row);
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "apprenticeship_subsidy_rate.set",
            record_type: "apprenticeship_subsidy_rate",
            record_id: &format!("{city}/{year}/{level}"),
            summary: serde_json::to_value(&rate).map_err(anyhow::Error::from)?,
        },
    )
    .await?;
    Ok(rate)
}
