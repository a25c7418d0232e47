//! The 公示 list: the public notice put up before a subsidy is paid, for a statistical
//! year or one of its months — one line per subsidised item with the person's name and ID
//! number masked, the item, the provider or enterprise, the statistical month and the
//! amount in yuan.
//!
//! Order training: each trainee of an order's cohorts (current enrolments, counted once
//! per order as the order's funding counts them) with the order's training fee shared
//! equally among them, to the fen (the remainder goes a fen each to the first trainees in
//! id order, so the lines add up to the fee), in the month the trainee's cohort ended.
//! Apprenticeships: each booked entry of the subsidy ledger (advance, balance, claw-back,
//! adjustment — a claw-back negative) in the month it is booked in. A fixed number of
//! queries whatever the number of lines.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use entities::{
    apprentices as apprentice, apprenticeship_agreements as agreement,
    apprenticeship_subsidy_entries as entry, cohorts as cohort, enrolments as enrolment,
    occupations as occupation, order_cohorts as link, orders as order,
    organisations as organisation, people as person, programs as program, skill_levels as level,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{ledger::by_id, months, sheet};
use crate::{
    apprenticeships::{EntryKind, EntryStatus, terms::Period},
    cohorts::EnrolmentStatus,
    error::AppError,
    money::Fen,
    people::mask_name,
    stored::Stored,
};

/// The notice's columns.
pub const COLUMNS: [&str; 7] = [
    "姓名",
    "身份信息",
    "补贴类别",
    "补贴项目",
    "培训机构或企业",
    "统计月份",
    "补贴金额（元）",
];

/// One line of the notice.
pub type Line = [String; 7];

/// The statistical months the notice covers: the year's twelve, or one of them.
fn covered(year: i32, month: Option<u32>) -> Vec<Period> {
    let all = months(year);
    match month {
        Some(m) => all.into_iter().skip(m as usize - 1).take(1).collect(),
        None => all,
    }
}

/// The notice's lines for `year` (or its month `month`, 1–12), order training first,
/// each part in month order.
pub async fn lines(
    conn: &impl ConnectionTrait,
    year: i32,
    month: Option<u32>,
) -> Result<Vec<Line>, AppError> {
    let periods = covered(year, month);
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
        return Ok(Vec::new());
    };
    let mut out = orders(conn, (first.starts_on, last.ends_on)).await?;
    let codes: Vec<String> = periods.iter().map(|p| p.code.clone()).collect();
    out.extend(apprenticeships(conn, codes).await?);
    Ok(out)
}

/// `fee` shared among `n` trainees, to the fen: the share of the `at`-th (from 0).
fn share(fee: i64, n: usize, at: usize) -> Fen {
    let n = n.max(1) as i64;
    let extra = i64::from((at as i64) < fee % n);
    Fen(fee / n + extra)
}

async fn orders(
    conn: &impl ConnectionTrait,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<Line>, AppError> {
    let orders: HashMap<String, order::Model> = order::Entity::find()
        .filter(order::Column::TrainingFeeFen.is_not_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    let links = link::Entity::find()
        .filter(link::Column::OrderId.is_in(orders.keys().cloned()))
        .all(conn)
        .await?;
    let order_of: HashMap<&str, &str> = links
        .iter()
        .map(|l| (l.cohort_id.as_str(), l.order_id.as_str()))
        .collect();
    let cohorts = by_id::<cohort::Entity, _>(
        conn,
        cohort::Column::Id,
        order_of.keys().map(|c| (*c).to_owned()),
        |c| c.id.clone(),
    )
    .await?;
    let enrolments = enrolment::Entity::find()
        .filter(enrolment::Column::CohortId.is_in(order_of.keys().copied()))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::Enrolled.as_str()))
        .order_by_asc(enrolment::Column::Id)
        .all(conn)
        .await?;
    // Each order's trainees, once each, in person id order, with the cohort of theirs
    // that ends last (the training the subsidy pays for is over when it ends).
    let mut trainees: BTreeMap<&str, BTreeMap<&str, &cohort::Model>> = BTreeMap::new();
    for e in &enrolments {
        let (Some(order), Some(c)) = (
            order_of.get(e.cohort_id.as_str()),
            cohorts.get(&e.cohort_id),
        ) else {
            continue;
        };
        let theirs = trainees.entry(order).or_default();
        let last = theirs.entry(e.person_id.as_str()).or_insert(c);
        if c.ends_on > last.ends_on {
            *last = c;
        }
    }
    let shown: HashSet<String> = trainees
        .values()
        .flat_map(|t| t.iter())
        .filter(|(_, c)| (from..=to).contains(&c.ends_on))
        .map(|(p, _)| (*p).to_owned())
        .collect();
    let people =
        by_id::<person::Entity, _>(conn, person::Column::Id, shown, |p| p.id.clone()).await?;
    let programs = by_id::<program::Entity, _>(
        conn,
        program::Column::Id,
        cohorts.values().map(|c| c.program_id.clone()),
        |p| p.id.clone(),
    )
    .await?;
    let providers = names(conn, cohorts.values().map(|c| c.provider_id.clone())).await?;
    let mut out = Vec::new();
    for (order_id, theirs) in &trainees {
        let Some(o) = orders.get(*order_id) else {
            continue;
        };
        let fee = o.training_fee_fen.unwrap_or_default();
        for (at, (person_id, c)) in theirs.iter().enumerate() {
            if !(from..=to).contains(&c.ends_on) {
                continue;
            }
            let p = people
                .get(*person_id)
                .ok_or_else(|| anyhow::anyhow!("trainee {person_id} is missing"))?;
            let program = programs.get(&c.program_id).map_or("", |p| p.title.as_str());
            out.push((
                c.ends_on,
                [
                    mask_name(&p.name),
                    p.citizen_id_masked.clone(),
                    "订单式培训".to_owned(),
                    format!("{}：{program}（班次 {}）", o.title, c.code),
                    providers.get(&c.provider_id).cloned().unwrap_or_default(),
                    Period::of(c.ends_on).code,
                    share(fee, theirs.len(), at).yuan(),
                ],
            ));
        }
    }
    out.sort_by(|a, b| (a.0, &a.1[3], &a.1[1]).cmp(&(b.0, &b.1[3], &b.1[1])));
    Ok(out.into_iter().map(|(_, line)| line).collect())
}

async fn names(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = String>,
) -> Result<HashMap<String, String>, AppError> {
    Ok(
        by_id::<organisation::Entity, _>(conn, organisation::Column::Id, ids, |o| o.id.clone())
            .await?
            .into_iter()
            .map(|(id, o)| (id, o.name))
            .collect(),
    )
}

async fn apprenticeships(
    conn: &impl ConnectionTrait,
    periods: Vec<String>,
) -> Result<Vec<Line>, AppError> {
    let entries = entry::Entity::find()
        .filter(entry::Column::Status.eq(EntryStatus::Booked.as_str()))
        .filter(entry::Column::Period.is_in(periods))
        .order_by_asc(entry::Column::Period)
        .order_by_asc(entry::Column::Id)
        .all(conn)
        .await?;
    let apprentices = by_id::<apprentice::Entity, _>(
        conn,
        apprentice::Column::Id,
        entries.iter().map(|e| e.apprentice_id.clone()),
        |a| a.id.clone(),
    )
    .await?;
    let people = by_id::<person::Entity, _>(
        conn,
        person::Column::Id,
        apprentices.values().map(|a| a.person_id.clone()),
        |p| p.id.clone(),
    )
    .await?;
    let agreements = by_id::<agreement::Entity, _>(
        conn,
        agreement::Column::Id,
        entries.iter().map(|e| e.agreement_id.clone()),
        |a| a.id.clone(),
    )
    .await?;
    let occupations = by_id::<occupation::Entity, _>(
        conn,
        occupation::Column::Code,
        agreements.values().map(|a| a.occupation_code.clone()),
        |o| o.code.clone(),
    )
    .await?;
    let levels: HashMap<String, String> = level::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|l| (l.code, l.label))
        .collect();
    let employers = names(conn, entries.iter().map(|e| e.employer_id.clone())).await?;
    let table = "apprenticeship_subsidy_entries";
    entries
        .into_iter()
        .map(|e| {
            let p = apprentices
                .get(&e.apprentice_id)
                .and_then(|a| people.get(&a.person_id))
                .ok_or_else(|| anyhow::anyhow!("{table} {}: no apprentice", e.id))?;
            let g = agreements
                .get(&e.agreement_id)
                .ok_or_else(|| anyhow::anyhow!("{table} {}: no agreement", e.id))?;
            let kind = EntryKind::read(table, &e.id, &e.kind)?;
            let occupation = occupations
                .get(&g.occupation_code)
                .map_or(g.occupation_code.as_str(), |o| o.name.as_str());
            let level = levels.get(&g.target_level).map_or("", String::as_str);
            Ok([
                mask_name(&p.name),
                p.citizen_id_masked.clone(),
                "企业新型学徒制".to_owned(),
                format!(
                    "{occupation}（{level}）第{}学徒年{}",
                    e.apprenticeship_year,
                    kind.label()
                ),
                employers.get(&e.employer_id).cloned().unwrap_or_default(),
                e.period.clone().unwrap_or_default(),
                Fen(e.amount_fen).yuan(),
            ])
        })
        .collect()
}

/// The lines as CSV in UTF-8 with a byte-order mark.
pub fn csv(lines: &[Line]) -> Result<Vec<u8>, AppError> {
    sheet::csv("the public notice", &COLUMNS, lines)
}

/// The lines as an XLSX workbook, every cell text.
pub fn xlsx(lines: &[Line], year: i32) -> Result<Vec<u8>, AppError> {
    let widths = [12.0, 22.0, 16.0, 40.0, 28.0, 12.0, 16.0];
    sheet::xlsx(&format!("{year}年补贴公示名单"), &COLUMNS, &widths, lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fee_shared_among_trainees_adds_up_to_the_fee_to_the_fen() {
        let shares: Vec<i64> = (0..3).map(|at| share(1_000_001, 3, at).0).collect();
        assert_eq!(shares, vec![333_334, 333_334, 333_333]);
        assert_eq!(shares.iter().sum::<i64>(), 1_000_001);
        assert_eq!(covered(2026, Some(2))[0].code, "2026-02");
        assert_eq!(covered(2026, None).len(), 12);
    }
}
