//! The checks on a person's trainings taken together: overlapping cohorts, the same
//! occupation and level subsidised twice, more subsidised trainings than the limit.
//!
//! "Subsidised" is a cohort that fulfils a training order (a row of `order_cohorts`): the
//! order's training fee is what the bureau pays (`orders::funding`), and orders are the
//! only subsidy on training the registry records.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use entities::{
    cohorts as cohort, enrolments as enrolment, occupations as occupation, order_cohorts as link,
    programs as program, skill_levels as level,
};
use sea_orm::{
    ConnectionTrait, QueryResult,
    sea_query::{Expr, ExprTrait, Func, JoinType, Order, Query, SelectStatement},
};

use super::{FlagKey, FlagKind, Found, col, current, t};
use crate::error::AppError;

/// `a` and `b`: two enrolments of one person (`a` the smaller id), with their cohorts `ka`
/// and `kb`, both current; with `only`, just the pair it names.
fn pair_of_enrolments(only: Option<&FlagKey>) -> SelectStatement {
    let mut q = Query::select();
    q.expr_as(col("a", enrolment::Column::Id), t("a_id"))
        .expr_as(col("b", enrolment::Column::Id), t("b_id"))
        .from_as(enrolment::Entity, t("a"))
        .join_as(
            JoinType::InnerJoin,
            enrolment::Entity,
            t("b"),
            col("b", enrolment::Column::PersonId)
                .equals((t("a"), enrolment::Column::PersonId))
                .and(col("a", enrolment::Column::Id).lt(col("b", enrolment::Column::Id))),
        )
        .join_as(
            JoinType::InnerJoin,
            cohort::Entity,
            t("ka"),
            col("ka", cohort::Column::Id).equals((t("a"), enrolment::Column::CohortId)),
        )
        .join_as(
            JoinType::InnerJoin,
            cohort::Entity,
            t("kb"),
            col("kb", cohort::Column::Id).equals((t("b"), enrolment::Column::CohortId)),
        )
        .and_where(current("a"))
        .and_where(current("b"))
        .order_by((t("a"), enrolment::Column::Id), Order::Asc)
        .order_by((t("b"), enrolment::Column::Id), Order::Asc);
    if let Some(key) = only {
        q.and_where(col("a", enrolment::Column::Id).eq(key.part(0)))
            .and_where(col("b", enrolment::Column::Id).eq(key.part(1)));
    }
    q
}

fn ids(row: &QueryResult) -> Result<(String, String), AppError> {
    Ok((row.try_get("", "a_id")?, row.try_get("", "b_id")?))
}

/// Two current enrolments of one person whose cohorts' date ranges overlap.
pub(super) async fn overlaps(
    conn: &impl ConnectionTrait,
    only: Option<&FlagKey>,
) -> Result<Vec<Found>, AppError> {
    let mut q = pair_of_enrolments(only);
    for (alias, side) in [("ka", "a"), ("kb", "b")] {
        q.expr_as(col(alias, cohort::Column::Code), t(&format!("{side}_code")))
            .expr_as(
                col(alias, cohort::Column::StartsOn),
                t(&format!("{side}_starts")),
            )
            .expr_as(
                col(alias, cohort::Column::EndsOn),
                t(&format!("{side}_ends")),
            );
    }
    q.and_where(col("ka", cohort::Column::StartsOn).lte(col("kb", cohort::Column::EndsOn)))
        .and_where(col("kb", cohort::Column::StartsOn).lte(col("ka", cohort::Column::EndsOn)));
    let mut out = Vec::new();
    for row in conn.query_all(&q).await? {
        let (a, b) = ids(&row)?;
        let span = |side: &str| -> Result<String, AppError> {
            let code: String = row.try_get("", &format!("{side}_code"))?;
            let from: NaiveDate = row.try_get("", &format!("{side}_starts"))?;
            let to: NaiveDate = row.try_get("", &format!("{side}_ends"))?;
            Ok(format!("班次 {code}（{from}至{to}）"))
        };
        let summary = format!("{}与{}的培训日期重叠", span("a")?, span("b")?);
        let key = FlagKey::new(FlagKind::Overlap, vec![a.clone(), b.clone()]);
        out.push(Found::new(key, summary, vec![a, b]));
    }
    Ok(out)
}

/// Two current enrolments of one person, both in cohorts linked to an order, whose
/// programs have the same occupation and level (a program without either never matches).
pub(super) async fn same_level_twice(
    conn: &impl ConnectionTrait,
    only: Option<&FlagKey>,
) -> Result<Vec<Found>, AppError> {
    let mut q = pair_of_enrolments(only);
    for (linked, cohort_alias) in [("oa", "ka"), ("ob", "kb")] {
        q.join_as(
            JoinType::InnerJoin,
            link::Entity,
            t(linked),
            col(linked, link::Column::CohortId).equals((t(cohort_alias), cohort::Column::Id)),
        );
    }
    for (alias, cohort_alias) in [("pa", "ka"), ("pb", "kb")] {
        q.join_as(
            JoinType::InnerJoin,
            program::Entity,
            t(alias),
            col(alias, program::Column::Id).equals((t(cohort_alias), cohort::Column::ProgramId)),
        );
    }
    q.join_as(
        JoinType::LeftJoin,
        occupation::Entity,
        t("oc"),
        col("oc", occupation::Column::Code).equals((t("pa"), program::Column::OccupationCode)),
    )
    .join_as(
        JoinType::LeftJoin,
        level::Entity,
        t("lv"),
        col("lv", level::Column::Code).equals((t("pa"), program::Column::LevelCode)),
    )
    .expr_as(col("pa", program::Column::OccupationCode), t("occupation"))
    .expr_as(col("oc", occupation::Column::Name), t("occupation_name"))
    .expr_as(col("lv", level::Column::Label), t("level_label"))
    .expr_as(col("pa", program::Column::LevelCode), t("level"))
    .and_where(
        col("pa", program::Column::OccupationCode)
            .equals((t("pb"), program::Column::OccupationCode)),
    )
    .and_where(col("pa", program::Column::LevelCode).equals((t("pb"), program::Column::LevelCode)));
    let mut out = Vec::new();
    for row in conn.query_all(&q).await? {
        let (a, b) = ids(&row)?;
        let code: String = row.try_get("", "occupation")?;
        let name: Option<String> = row.try_get("", "occupation_name")?;
        let level: String = row.try_get("", "level")?;
        let label: Option<String> = row.try_get("", "level_label")?;
        let summary = format!(
            "职业（工种）{} {}、等级{}两次享受补贴培训",
            code,
            name.unwrap_or_default(),
            label.unwrap_or(level)
        );
        let key = FlagKey::new(FlagKind::SameLevelTwice, vec![a.clone(), b.clone()]);
        out.push(Found::new(key, summary, vec![a, b]));
    }
    Ok(out)
}

/// People with more current enrolments in order-linked cohorts than `limit`, each with
/// all those enrolments; the key counts them, so one more training is a new flag.
pub(super) async fn over_limit(
    conn: &impl ConnectionTrait,
    limit: u32,
    only: Option<&FlagKey>,
) -> Result<Vec<Found>, AppError> {
    let subsidised = |alias: &str, linked: &str| {
        let mut q = Query::select();
        q.from_as(enrolment::Entity, t(alias))
            .join_as(
                JoinType::InnerJoin,
                link::Entity,
                t(linked),
                col(linked, link::Column::CohortId).equals((t(alias), enrolment::Column::CohortId)),
            )
            .and_where(current(alias));
        if let Some(key) = only {
            q.and_where(col(alias, enrolment::Column::PersonId).eq(key.part(0)));
        }
        q
    };
    let mut over = subsidised("s", "so");
    over.column((t("s"), enrolment::Column::PersonId))
        .group_by_col((t("s"), enrolment::Column::PersonId))
        .and_having(Expr::from(Func::count(col("s", enrolment::Column::Id))).gt(i64::from(limit)));
    let mut q = subsidised("e", "o");
    q.expr_as(col("e", enrolment::Column::Id), t("e_id"))
        .expr_as(col("e", enrolment::Column::PersonId), t("person_id"))
        .and_where(col("e", enrolment::Column::PersonId).in_subquery(over))
        .order_by((t("e"), enrolment::Column::PersonId), Order::Asc)
        .order_by((t("e"), enrolment::Column::Id), Order::Asc);
    let mut by_person: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in conn.query_all(&q).await? {
        let person: String = row.try_get("", "person_id")?;
        by_person
            .entry(person)
            .or_default()
            .push(row.try_get("", "e_id")?);
    }
    Ok(by_person
        .into_iter()
        .map(|(person, enrolments)| {
            let n = enrolments.len();
            let key = FlagKey::new(FlagKind::OverLimit, vec![person, n.to_string()]);
            let summary = format!("享受补贴培训{n}次，超过每人{limit}次的上限");
            Found::new(key, summary, enrolments)
        })
        .collect())
}
