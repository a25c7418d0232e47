//! The dispatch of a reporting period (统计月报、季报、年报): each measure's yearly target,
//! the period's count, the adjustments to earlier locked periods it reports, and the year to
//! date; person-times by key group and by standard; the adjustments row by row. An open
//! period's dispatch is counted from the records as they are; locking the period (the
//! bureau's approval) freezes it — the figures are stored and every later export is written
//! from them, byte for byte — and keeps the records it counted as the baseline that later
//! changes are measured against.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use entities::{report_period_rows as baseline, report_periods as locked};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    Measure, actuals,
    adjust::{self, Adjustment},
    dashboard::Count,
    members,
    periods::{self, Lock, ReportPeriod},
    targets,
};
use crate::{
    access::Caller,
    audit::{self, Change},
    clock::Now,
    error::{AppError, FieldError},
    pagination::new_id,
    people::KeyGroup,
    stored::Stored,
};

/// One measure in a dispatch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DispatchLine {
    pub measure: Measure,
    pub label: String,
    /// The statistical year's target, as it stood.
    pub target: Option<i64>,
    /// The period's own count.
    pub count: i64,
    /// The sum of the adjustments this period reports for the measure.
    pub adjustment: i64,
    /// From the start of the statistical year to the period's end.
    pub year_to_date: i64,
}

/// A period's dispatch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Dispatch {
    #[serde(flatten)]
    pub period: ReportPeriod,
    pub title: String,
    /// Set once the period is locked: the figures below are then frozen.
    pub lock: Option<Lock>,
    pub lines: Vec<DispatchLine>,
    /// The key-group measure's person-times by key group (a person in two groups counts
    /// in each).
    pub by_key_group: Vec<Count>,
    /// Training person-times by standard (or occupation, when the program names none).
    pub by_standard: Vec<Count>,
    /// Records that came into or went out of earlier locked periods after their lock.
    pub adjustments: Vec<Adjustment>,
}

/// What a live count gives besides the dispatch: the records, for the baseline.
struct Counted {
    dispatch: Dispatch,
    members: Vec<members::Member>,
}

async fn count(conn: &impl ConnectionTrait, period: &ReportPeriod) -> Result<Counted, AppError> {
    let span = (period.starts_on, period.ends_on);
    let members = members::of_span(conn, span).await?;
    let run = periods::locked_run_before(conn, period).await?;
    let adjustments = adjust::pending(conn, &run).await?;
    let targets: HashMap<Measure, i64> = targets::current(conn, period.year)
        .await?
        .into_iter()
        .map(|t| (t.measure, t.target))
        .collect();
    let year_start = super::year_span(period.year).0;
    let mut lines = Vec::new();
    for &measure in Measure::ALL {
        let to_date = actuals::daily(conn, measure, (year_start, period.ends_on)).await?;
        lines.push(DispatchLine {
            measure,
            label: measure.label().to_owned(),
            target: targets.get(&measure).copied(),
            count: members.rows.iter().filter(|m| m.measure == measure).count() as i64,
            adjustment: adjustments
                .iter()
                .filter(|a| a.measure == measure)
                .map(|a| a.delta)
                .sum(),
            year_to_date: to_date.iter().map(|(_, n)| n).sum(),
        });
    }
    let mut groups: BTreeMap<String, i64> = BTreeMap::new();
    let mut standards: BTreeMap<String, i64> = BTreeMap::new();
    for m in &members.rows {
        match m.measure {
            Measure::KeyGroupTraining => {
                for g in &m.key_groups {
                    *groups.entry(g.clone()).or_default() += 1;
                }
            }
            Measure::Training => {
                let key = m.standard.clone().unwrap_or_default();
                *standards.entry(key).or_default() += 1;
            }
            _ => {}
        }
    }
    let mut by_key_group: Vec<Count> = KeyGroup::ALL
        .iter()
        .filter_map(|g| {
            let count = groups.remove(g.as_str())?;
            Some(Count {
                key: g.as_str().to_owned(),
                label: g.label().to_owned(),
                count,
            })
        })
        .collect();
    by_key_group.extend(groups.into_iter().map(|(key, count)| Count {
        label: key.clone(),
        key,
        count,
    }));
    let mut by_standard: Vec<Count> = standards
        .into_iter()
        .map(|(key, count)| Count {
            label: members.standards.get(&key).cloned().unwrap_or_default(),
            key,
            count,
        })
        .collect();
    by_standard.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    Ok(Counted {
        dispatch: Dispatch {
            title: period.title(),
            period: period.clone(),
            lock: None,
            lines,
            by_key_group,
            by_standard,
            adjustments,
        },
        members: members.rows,
    })
}

/// The dispatch of `period`: frozen if it is locked, counted now if not.
pub async fn get(conn: &impl ConnectionTrait, period: &ReportPeriod) -> Result<Dispatch, AppError> {
    match periods::locked_row(conn, period).await? {
        Some(row) => frozen(&row),
        None => Ok(count(conn, period).await?.dispatch),
    }
}

fn frozen(row: &locked::Model) -> Result<Dispatch, AppError> {
    serde_json::from_str(&row.figures)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("report period {} figures: {e}", row.id)))
}

/// What the bureau writes when it approves and locks a period.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct LockInput {
    /// 0–500 characters: what was checked (optional).
    #[serde(default)]
    pub note: String,
}

/// Approves and locks `period`: its dispatch is frozen as counted now (with the
/// adjustments it reports, which the baselines then take in), the records it counted are
/// kept, and the lock is audited. Refused before the period has ended; a second lock is
/// a 409 (the period's unique key).
pub async fn lock(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    period: &ReportPeriod,
    input: LockInput,
    now: Now,
) -> Result<Dispatch, AppError> {
    if !caller.is_bureau() {
        return Err(AppError::forbidden_role());
    }
    let note = input.note.trim().to_owned();
    if note.chars().count() > 500 {
        let field = FieldError::new("note", "too_long", "备注不超过500个字符");
        return Err(AppError::invalid_fields("无法锁定", vec![field]));
    }
    if now.today <= period.ends_on {
        return Err(AppError::invalid(
            "period",
            "not_ended",
            format!(
                "{}至{}结束，{}起才能审核锁定",
                period.title(),
                period.ends_on,
                period.ends_on.succ_opt().unwrap_or(period.ends_on)
            ),
        ));
    }
    if let Some(row) = periods::locked_row(conn, period).await? {
        return Err(already_locked(period, &row));
    }
    let Counted {
        mut dispatch,
        members,
    } = count(conn, period).await?;
    let id = new_id();
    dispatch.lock = Some(Lock {
        locked_by: caller.login.clone(),
        locked_at: now.stamp(),
        note: note.clone(),
    });
    let figures = serde_json::to_string(&dispatch)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("freezing a dispatch: {e}")))?;
    locked::ActiveModel {
        id: Set(id.clone()),
        kind: Set(period.kind.as_str().to_owned()),
        code: Set(period.code.clone()),
        starts_on: Set(period.starts_on),
        ends_on: Set(period.ends_on),
        note: Set(note),
        figures: Set(figures),
        locked_by: Set(caller.login.clone()),
        locked_at: Set(now.stamp()),
    }
    .insert(conn)
    .await?;
    keep(
        conn,
        &id,
        members.into_iter().map(|m| (m.measure, m.row_id, m.day)),
    )
    .await?;
    adjust::apply(conn, &dispatch.adjustments).await?;
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "report_period.lock",
            record_type: "report_period",
            record_id: &id,
            summary: serde_json::json!({
                "kind": period.kind.as_str(), "code": period.code,
                "counts": dispatch.lines.iter().map(|l| (l.measure.as_str(), l.count)).collect::<BTreeMap<_, _>>(),
                "adjustments": dispatch.adjustments.len(),
            }),
        },
    )
    .await?;
    Ok(dispatch)
}

fn already_locked(period: &ReportPeriod, row: &locked::Model) -> AppError {
    AppError::Conflict {
        code: "period_locked",
        message: format!(
            "{}已由 {} 于 {} 锁定，数字不再变化",
            period.title(),
            row.locked_by,
            row.locked_at.format("%Y-%m-%d %H:%M")
        ),
    }
}

/// Adds records to a locked period's baseline, in batches.
pub async fn keep(
    conn: &impl ConnectionTrait,
    period_id: &str,
    rows: impl IntoIterator<Item = (Measure, String, NaiveDate)>,
) -> Result<(), AppError> {
    let mut batch = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        batch.clear();
        batch.extend(
            rows.by_ref()
                .take(500)
                .map(|(measure, row_id, day)| baseline::ActiveModel {
                    period_id: Set(period_id.to_owned()),
                    measure: Set(measure.as_str().to_owned()),
                    row_id: Set(row_id),
                    day: Set(day),
                }),
        );
        baseline::Entity::insert_many(batch.drain(..))
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}
