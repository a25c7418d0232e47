//! Adjustments: what changed in locked periods after they were locked. A locked period keeps
//! the records it counted (`report_period_rows`); the first open period after a run of
//! locked ones compares them with what the same rules count now and reports each record
//! that came in or went out as a row of ±1 with its reason. Locking that period takes the
//! adjustments in: they are frozen in its dispatch and applied to the baselines, so that
//! each change is reported once.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset, NaiveDate};
use entities::{
    apprentices as apprentice, apprenticeship_agreements as agreement, certificates as certificate,
    cohorts as cohort, enrolments as enrolment, people as person, report_period_rows as baseline,
    report_periods as locked,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Measure, members, periods::ReportPeriod};
use crate::{
    apprenticeships::AgreementStatus, cohorts::EnrolmentStatus, error::AppError, people::mask_name,
    stored::Stored,
};

/// A record that came into or went out of a locked period's count after the lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Adjustment {
    /// The locked period whose count it changes.
    pub period: String,
    pub measure: Measure,
    pub measure_label: String,
    /// What the record is (班期与学员、证书编号、学徒), names masked.
    pub record: String,
    /// +1 came in, −1 went out.
    pub delta: i64,
    pub reason: String,
    /// The record's id and the day that places it (for the baseline, not shown).
    #[serde(skip)]
    pub row_id: String,
    #[serde(skip)]
    pub day: NaiveDate,
    #[serde(skip)]
    pub period_id: String,
}

/// One change found, before it is described.
struct Change {
    at: usize,
    measure: Measure,
    row_id: String,
    day: NaiveDate,
    delta: i64,
    /// Where it was counted before, or is counted now, when it moved between periods.
    moved: Option<usize>,
}

/// The adjustments `period` reports: the changes in the run of locked periods just
/// before it.
pub async fn pending(
    conn: &impl ConnectionTrait,
    run: &[(ReportPeriod, locked::Model)],
) -> Result<Vec<Adjustment>, AppError> {
    let (Some(latest), Some(earliest)) = (run.first(), run.last()) else {
        return Ok(Vec::new());
    };
    let span = (earliest.0.starts_on, latest.0.ends_on);
    let now = members::of_span(conn, span).await?;
    let place = |day: NaiveDate| {
        run.iter()
            .position(|(p, _)| p.starts_on <= day && day <= p.ends_on)
    };
    let ids: Vec<String> = run.iter().map(|(_, row)| row.id.clone()).collect();
    let at_of: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut before: HashMap<(Measure, String), (usize, NaiveDate)> = HashMap::new();
    for row in baseline::Entity::find()
        .filter(baseline::Column::PeriodId.is_in(ids.clone()))
        .all(conn)
        .await?
    {
        let measure = Measure::read("report_period_rows", &row.row_id, &row.measure)?;
        let at = at_of.get(row.period_id.as_str()).copied().unwrap_or(0);
        before.insert((measure, row.row_id), (at, row.day));
    }
    let mut changes = Vec::new();
    let mut still = HashSet::new();
    for m in now.rows {
        let Some(at) = place(m.day) else { continue };
        match before.get(&(m.measure, m.row_id.clone())) {
            Some(&(was, _)) if was == at => {}
            was => changes.push(Change {
                at,
                measure: m.measure,
                row_id: m.row_id.clone(),
                day: m.day,
                delta: 1,
                moved: was.map(|w| w.0),
            }),
        }
        still.insert((m.measure, m.row_id, at));
    }
    for ((measure, row_id), (at, day)) in before {
        if !still.contains(&(measure, row_id.clone(), at)) {
            changes.push(Change {
                at,
                measure,
                row_id,
                day,
                delta: -1,
                moved: None,
            });
        }
    }
    changes.sort_by(|a, b| {
        (run.len() - a.at, a.measure.as_str(), a.delta, &a.row_id).cmp(&(
            run.len() - b.at,
            b.measure.as_str(),
            b.delta,
            &b.row_id,
        ))
    });
    describe(conn, run, changes).await
}

/// What is known now about the records that changed.
struct Known {
    enrolments: HashMap<String, enrolment::Model>,
    cohorts: HashMap<String, cohort::Model>,
    people: HashMap<String, String>,
    certificates: HashMap<String, certificate::Model>,
    apprentices: HashMap<String, apprentice::Model>,
    agreements: HashMap<String, agreement::Model>,
}

async fn known(conn: &impl ConnectionTrait, changes: &[Change]) -> Result<Known, AppError> {
    let of = |pick: fn(Measure) -> bool| -> Vec<String> {
        changes
            .iter()
            .filter(|c| pick(c.measure))
            .map(|c| c.row_id.clone())
            .collect()
    };
    let enrolments: HashMap<String, enrolment::Model> = enrolment::Entity::find()
        .filter(enrolment::Column::Id.is_in(of(is_enrolment)))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.id.clone(), e))
        .collect();
    let cohorts = cohort::Entity::find()
        .filter(cohort::Column::Id.is_in(enrolments.values().map(|e| e.cohort_id.clone())))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let certificates = certificate::Entity::find()
        .filter(certificate::Column::Id.is_in(of(is_certificate)))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let apprentices: HashMap<String, apprentice::Model> = apprentice::Entity::find()
        .filter(apprentice::Column::Id.is_in(of(|m| m == Measure::Apprentices)))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let agreements = agreement::Entity::find()
        .filter(agreement::Column::Id.is_in(apprentices.values().map(|a| a.agreement_id.clone())))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let person_ids: Vec<String> = enrolments
        .values()
        .map(|e| e.person_id.clone())
        .chain(apprentices.values().map(|a| a.person_id.clone()))
        .collect();
    let people = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .column(person::Column::Name)
        .filter(person::Column::Id.is_in(person_ids))
        .order_by_asc(person::Column::Id)
        .into_tuple::<(String, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    Ok(Known {
        enrolments,
        cohorts,
        people,
        certificates,
        apprentices,
        agreements,
    })
}

fn is_enrolment(m: Measure) -> bool {
    matches!(m, Measure::Training | Measure::KeyGroupTraining)
}

fn is_certificate(m: Measure) -> bool {
    !is_enrolment(m) && m != Measure::Apprentices
}

async fn describe(
    conn: &impl ConnectionTrait,
    run: &[(ReportPeriod, locked::Model)],
    changes: Vec<Change>,
) -> Result<Vec<Adjustment>, AppError> {
    let k = known(conn, &changes).await?;
    let trained_now: HashSet<(&str, usize)> = changes
        .iter()
        .filter(|c| c.measure == Measure::Training && c.delta > 0)
        .map(|c| (c.row_id.as_str(), c.at))
        .collect();
    let mut out = Vec::new();
    for c in &changes {
        let (period, row) = &run[c.at];
        let (record, reason) = if is_enrolment(c.measure) {
            let e = k.enrolments.get(&c.row_id);
            let cohort = e.and_then(|e| k.cohorts.get(&e.cohort_id));
            let name = e
                .and_then(|e| k.people.get(&e.person_id))
                .map(|n| mask_name(n));
            let record = match (cohort, name) {
                (Some(c), Some(n)) => format!("班期 {} · 学员 {n}", c.code),
                _ => format!("报名 {}", c.row_id),
            };
            let tag_only = c.measure == Measure::KeyGroupTraining
                && !trained_now.contains(&(c.row_id.as_str(), c.at));
            (
                record,
                enrolment_reason(c, e, cohort, row.locked_at, tag_only, run),
            )
        } else if is_certificate(c.measure) {
            let cert = k.certificates.get(&c.row_id);
            let record = cert.map_or_else(
                || format!("证书 {}", c.row_id),
                |x| format!("证书 {}", x.number),
            );
            let reason = match (c.delta, cert) {
                (1, Some(x)) if x.issued_at > row.locked_at => {
                    format!("锁定后登记的证书（发证日期 {}）", x.valid_from)
                }
                (1, _) => "锁定后证书记录变更".to_owned(),
                (_, None) => "证书记录已不存在".to_owned(),
                (_, Some(_)) => "证书记录已变更".to_owned(),
            };
            (record, reason)
        } else {
            let a = k.apprentices.get(&c.row_id);
            let ag = a.and_then(|a| k.agreements.get(&a.agreement_id));
            let record = a.and_then(|a| k.people.get(&a.person_id)).map_or_else(
                || format!("学徒 {}", c.row_id),
                |n| format!("学徒 {}", mask_name(n)),
            );
            (record, apprentice_reason(c, a, ag, row.locked_at, run))
        };
        out.push(Adjustment {
            period: period.code.clone(),
            measure: c.measure,
            measure_label: c.measure.label().to_owned(),
            record,
            delta: c.delta,
            reason,
            row_id: c.row_id.clone(),
            day: c.day,
            period_id: row.id.clone(),
        });
    }
    Ok(out)
}

fn enrolment_reason(
    c: &Change,
    e: Option<&enrolment::Model>,
    cohort: Option<&cohort::Model>,
    locked_at: DateTime<FixedOffset>,
    tag_only: bool,
    run: &[(ReportPeriod, locked::Model)],
) -> String {
    let (Some(e), Some(cohort)) = (e, cohort) else {
        return "报名记录已不存在".to_owned();
    };
    if c.delta > 0 {
        if let Some(was) = c.moved {
            return format!(
                "班期结束日期改为 {}（原计入 {}）",
                cohort.ends_on, run[was].0.code
            );
        }
        if e.enrolled_at > locked_at {
            return "锁定后补录的报名".to_owned();
        }
        if c.measure == Measure::KeyGroupTraining && tag_only {
            return "锁定后补记重点群体标签".to_owned();
        }
        return "锁定后报名记录变更（如恢复报名）".to_owned();
    }
    if e.status == EnrolmentStatus::Withdrawn.as_str() {
        let why = e.withdraw_reason.as_deref().unwrap_or("");
        return format!(
            "学员已退出{}",
            if why.is_empty() {
                String::new()
            } else {
                format!("：{why}")
            }
        );
    }
    let (period, _) = &run[c.at];
    if cohort.ends_on < period.starts_on || cohort.ends_on > period.ends_on {
        return format!("班期结束日期改为 {}", cohort.ends_on);
    }
    if c.measure == Measure::KeyGroupTraining {
        return "重点群体标签已移除".to_owned();
    }
    "报名记录已变更".to_owned()
}

fn apprentice_reason(
    c: &Change,
    a: Option<&apprentice::Model>,
    ag: Option<&agreement::Model>,
    locked_at: DateTime<FixedOffset>,
    run: &[(ReportPeriod, locked::Model)],
) -> String {
    let (Some(_), Some(ag)) = (a, ag) else {
        return "学徒记录已不存在".to_owned();
    };
    if c.delta > 0 {
        if let Some(was) = c.moved {
            return format!(
                "协议开始日期改为 {}（原计入 {}）",
                ag.starts_on, run[was].0.code
            );
        }
        if ag.filed_at.is_some_and(|at| at > locked_at) {
            return format!("锁定后备案的学徒协议（开始于 {}）", ag.starts_on);
        }
        return "锁定后登记的学徒".to_owned();
    }
    if ag.status != AgreementStatus::Filed.as_str() {
        return "学徒协议已不在备案状态".to_owned();
    }
    format!("协议开始日期改为 {}", ag.starts_on)
}

/// Applies adjustments taken in by a lock to the baselines of the periods they change.
pub async fn apply(
    conn: &impl ConnectionTrait,
    adjustments: &[Adjustment],
) -> Result<(), AppError> {
    for a in adjustments {
        let key = baseline::Entity::delete_many()
            .filter(baseline::Column::PeriodId.eq(&a.period_id))
            .filter(baseline::Column::Measure.eq(a.measure.as_str()))
            .filter(baseline::Column::RowId.eq(&a.row_id));
        key.exec(conn).await?;
        if a.delta > 0 {
            super::dispatch::keep(conn, &a.period_id, [(a.measure, a.row_id.clone(), a.day)])
                .await?;
        }
    }
    Ok(())
}
