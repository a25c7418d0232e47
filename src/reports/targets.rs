//! The plan's yearly targets, versioned: setting one writes the next version for its year
//! and measure (audited), so the earlier figure and who set it stay readable. Two bureau
//! staff setting the same target at once: the second is a 409 (the version's unique key).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use entities::report_targets as target;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Measure;
use crate::{
    access::Caller,
    audit::{self, Change},
    clock::Now,
    error::{AppError, FieldError},
    pagination::new_id,
    stored::Stored,
};

/// A target as it stands (its latest version).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Target {
    pub year: i32,
    pub measure: Measure,
    pub measure_label: &'static str,
    pub target: i64,
    pub version: i32,
    /// Where the figure comes from (the plan's clause, a bureau decision).
    pub source: String,
    pub set_by: String,
    pub set_at: DateTime<FixedOffset>,
}

/// A target the bureau sets.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TargetInput {
    pub year: i32,
    pub measure: Measure,
    /// 0–10,000,000.
    pub target: i64,
    /// 1–500 characters: the plan's clause or the decision it comes from.
    pub source: String,
}

fn view(row: target::Model) -> Result<Target, AppError> {
    let measure = Measure::read("report_targets", &row.id, &row.measure)?;
    Ok(Target {
        year: row.year,
        measure,
        measure_label: measure.label(),
        target: row.target,
        version: row.version,
        source: row.source,
        set_by: row.set_by,
        set_at: row.set_at,
    })
}

/// The targets of `year` as they stand, one per measure, in the measures' order.
pub async fn current(conn: &impl ConnectionTrait, year: i32) -> Result<Vec<Target>, AppError> {
    let rows = target::Entity::find()
        .filter(target::Column::Year.eq(year))
        .order_by_asc(target::Column::Version)
        .all(conn)
        .await?;
    let mut latest: BTreeMap<usize, target::Model> = BTreeMap::new();
    for row in rows {
        let measure = Measure::read("report_targets", &row.id, &row.measure)?;
        let order = Measure::ALL.iter().position(|m| *m == measure).unwrap_or(0);
        latest.insert(order, row);
    }
    latest.into_values().map(view).collect()
}

/// Sets a target: the next version for its year and measure.
pub async fn set(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    input: TargetInput,
    now: Now,
) -> Result<Target, AppError> {
    if !caller.is_bureau() {
        return Err(AppError::forbidden_role());
    }
    let mut fields = Vec::new();
    if !(2000..=2100).contains(&input.year) {
        fields.push(FieldError::new("year", "out_of_range", "年度须为2000–2100"));
    }
    if !(0..=10_000_000).contains(&input.target) {
        let message = "目标须为0–10000000的整数";
        fields.push(FieldError::new("target", "out_of_range", message));
    }
    let source = input.source.trim().to_owned();
    if !(1..=500).contains(&source.chars().count()) {
        let message = "须写明目标的依据（1–500个字符），如实施方案的条款";
        fields.push(FieldError::new("source", "required", message));
    }
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("目标无效", fields));
    }
    let version = target::Entity::find()
        .filter(target::Column::Year.eq(input.year))
        .filter(target::Column::Measure.eq(input.measure.as_str()))
        .order_by_desc(target::Column::Version)
        .one(conn)
        .await?
        .map_or(1, |t| t.version + 1);
    let row = target::ActiveModel {
        id: Set(new_id()),
        year: Set(input.year),
        measure: Set(input.measure.as_str().to_owned()),
        version: Set(version),
        target: Set(input.target),
        source: Set(source),
        set_by: Set(caller.login.clone()),
        set_at: Set(now.stamp()),
    }
    .insert(conn)
    .await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "report_target.set",
            record_type: "report_target",
            record_id: &row.id,
            summary: serde_json::json!({"year": row.year, "measure": row.measure,
                "version": row.version, "target": row.target}),
        },
    )
    .await?;
    view(row)
}
