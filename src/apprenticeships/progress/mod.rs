//! What happens to an apprentice: milestones completed (by the enterprise mentor's side or
//! the provider's), pausing and resuming, leaving early (which books the claw-back), and
//! completing (which books the balance). Each change locks the agreement and is audited.

pub mod assessment;
pub mod view;

use chrono::NaiveDate;
use entities::{
    apprentice_milestones as done, apprentices as apprentice,
    apprenticeship_agreements as agreement, apprenticeship_milestones as milestone,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use serde::Deserialize;
use utoipa::ToSchema;

use self::view::Apprentice;
use super::{AgreementStatus, ApprenticeStatus, MilestoneSide, ledger};
use crate::{
    access::{Caller, Role},
    audit::{self, Change},
    clock::Now,
    error::{AppError, FieldError},
    pagination::new_id,
    people::PiiKeys,
    stored::Stored,
};

/// A day and, where the change needs one, its reason.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DatedInput {
    pub on: NaiveDate,
    /// Required to leave and to pause (1–500 characters).
    #[serde(default)]
    pub reason: String,
}

/// A milestone completed on a day.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MilestoneDoneInput {
    pub completed_on: NaiveDate,
}

pub(crate) async fn find_apprentice(
    conn: &impl ConnectionTrait,
    a: &agreement::Model,
    id: &str,
) -> Result<apprentice::Model, AppError> {
    apprentice::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .filter(|r| r.agreement_id == a.id)
        .ok_or(AppError::NotFound)
}

fn status_of(r: &apprentice::Model) -> Result<ApprenticeStatus, AppError> {
    Ok(ApprenticeStatus::read("apprentices", &r.id, &r.status)?)
}

fn wrong_status(status: ApprenticeStatus, what: &str) -> AppError {
    AppError::Conflict {
        code: "apprentice_status",
        message: format!("学徒当前状态为{}，{what}", status.label()),
    }
}

/// A day within the apprenticeship so far: not before the agreement's start, not after
/// today.
fn check_day(
    a: &agreement::Model,
    on: NaiveDate,
    today: NaiveDate,
    field: &str,
) -> Result<(), AppError> {
    if on > today {
        return Err(AppError::invalid(
            field,
            "in_the_future",
            "日期不能晚于今天",
        ));
    }
    if on < a.starts_on {
        return Err(AppError::invalid(
            field,
            "before_start",
            format!("日期不能早于培养开始之日（{}）", a.starts_on),
        ));
    }
    Ok(())
}

fn reason_of(input: &DatedInput) -> Result<String, AppError> {
    let reason = input.reason.trim().to_owned();
    if !(1..=500).contains(&reason.chars().count()) {
        return Err(AppError::invalid(
            "reason",
            "length",
            "须填写原因（1–500个字符）",
        ));
    }
    Ok(reason)
}

async fn audited(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    action: &str,
    row: &apprentice::Model,
    summary: serde_json::Value,
) -> Result<(), AppError> {
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action,
            record_type: "apprentice",
            record_id: &row.id,
            summary,
        },
    )
    .await?;
    Ok(())
}

/// The agreement (locked) and apprentice a change of the enterprise's is about.
async fn locked(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    agreement_id: &str,
    id: &str,
) -> Result<(agreement::Model, apprentice::Model), AppError> {
    let a = super::lock(conn, caller, agreement_id).await?;
    super::require_employer(caller, &a)?;
    let row = find_apprentice(conn, &a, id).await?;
    Ok((a, row))
}

/// The enterprise records that an apprentice left before the agreement's end; the
/// advance of the year they left in is taken back in the open period. The same departure
/// again answers the apprentice.
pub async fn leave(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    agreement_id: &str,
    id: &str,
    input: DatedInput,
    now: Now,
) -> Result<Apprentice, AppError> {
    let (a, row) = locked(conn, caller, agreement_id, id).await?;
    let status = status_of(&row)?;
    if status == ApprenticeStatus::Left && row.left_on == Some(input.on) {
        return view::one(conn, keys, caller, &a, row).await;
    }
    if !status.is_running() {
        return Err(wrong_status(status, "不能再登记中途退出"));
    }
    check_day(&a, input.on, now.today, "on")?;
    if input.on >= a.ends_on {
        return Err(AppError::invalid(
            "on",
            "not_early",
            "退出日期在培养期结束之后，请登记结业",
        ));
    }
    let reason = reason_of(&input)?;
    let mut active = row.into_active_model();
    active.status = Set(ApprenticeStatus::Left.as_str().to_owned());
    active.left_on = Set(Some(input.on));
    active.leave_reason = Set(Some(reason.clone()));
    active.updated_at = Set(now.stamp());
    let row = active.update(conn).await?;
    let summary = serde_json::json!({"left_on": input.on, "reason": reason});
    audited(conn, caller, "apprentice.leave", &row, summary).await?;
    ledger::book::book_apprentice(conn, &caller.actor(), &a, &row, now).await?;
    view::one(conn, keys, caller, &a, row).await
}

/// Pauses an active apprentice (`on`, `reason`), or resumes a paused one (`on`).
pub async fn pause_or_resume(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    (agreement_id, id): (&str, &str),
    input: DatedInput,
    pause: bool,
    now: Now,
) -> Result<Apprentice, AppError> {
    let (a, row) = locked(conn, caller, agreement_id, id).await?;
    let status = status_of(&row)?;
    let (from, to) = if pause {
        (ApprenticeStatus::Active, ApprenticeStatus::Paused)
    } else {
        (ApprenticeStatus::Paused, ApprenticeStatus::Active)
    };
    if status == to {
        return view::one(conn, keys, caller, &a, row).await;
    }
    if status != from {
        return Err(wrong_status(
            status,
            if pause {
                "不能暂停"
            } else {
                "不能恢复"
            },
        ));
    }
    check_day(&a, input.on, now.today, "on")?;
    if !pause && row.paused_on.is_some_and(|p| input.on < p) {
        return Err(AppError::invalid(
            "on",
            "before_pause",
            "恢复日期不能早于暂停日期",
        ));
    }
    let reason = if pause {
        Some(reason_of(&input)?)
    } else {
        None
    };
    let mut active = row.into_active_model();
    active.status = Set(to.as_str().to_owned());
    active.paused_on = Set(pause.then_some(input.on));
    active.pause_reason = Set(reason.clone());
    active.updated_at = Set(now.stamp());
    let row = active.update(conn).await?;
    let action = if pause {
        "apprentice.pause"
    } else {
        "apprentice.resume"
    };
    let summary = serde_json::json!({"on": input.on, "reason": reason});
    audited(conn, caller, action, &row, summary).await?;
    view::one(conn, keys, caller, &a, row).await
}

/// The enterprise records that an apprentice completed the apprenticeship on a day (the
/// agreement's last day or after); the balance of each year is booked (or held with the failed check's reason). Completing
/// again on the same day answers the apprentice.
pub async fn complete(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    agreement_id: &str,
    id: &str,
    input: DatedInput,
    now: Now,
) -> Result<Apprentice, AppError> {
    let (a, row) = locked(conn, caller, agreement_id, id).await?;
    let status = status_of(&row)?;
    if status == ApprenticeStatus::Completed && row.completed_on == Some(input.on) {
        return view::one(conn, keys, caller, &a, row).await;
    }
    if status != ApprenticeStatus::Active {
        return Err(wrong_status(status, "不能登记结业"));
    }
    check_day(&a, input.on, now.today, "on")?;
    if input.on < a.ends_on {
        return Err(AppError::invalid(
            "on",
            "not_ended",
            format!(
                "培养期至{}结束，之后才能登记结业；提前离开请登记中途退出",
                a.ends_on
            ),
        ));
    }
    let mut active = row.into_active_model();
    active.status = Set(ApprenticeStatus::Completed.as_str().to_owned());
    active.completed_on = Set(Some(input.on));
    active.updated_at = Set(now.stamp());
    let row = active.update(conn).await?;
    let summary = serde_json::json!({"completed_on": input.on});
    audited(conn, caller, "apprentice.complete", &row, summary).await?;
    ledger::book::book_apprentice(conn, &caller.actor(), &a, &row, now).await?;
    view::one(conn, keys, caller, &a, row).await
}

/// A milestone completed: the enterprise records it for its mentor's side, the provider
/// for its teacher's side. Not in the future, not before the apprenticeship started; the
/// same milestone again answers the apprentice as it stands.
pub async fn complete_milestone(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    (agreement_id, id, milestone_id): (&str, &str, &str),
    input: MilestoneDoneInput,
    now: Now,
) -> Result<Apprentice, AppError> {
    let a = super::lock(conn, caller, agreement_id).await?;
    let side = match caller.role {
        Role::Employer if caller.belongs_to(&a.employer_id) => MilestoneSide::EnterpriseMentor,
        Role::ProviderStaff if caller.belongs_to(&a.provider_id) => MilestoneSide::Provider,
        _ => return Err(AppError::NotFound),
    };
    if super::status_of(&a)? != AgreementStatus::Filed {
        return Err(AppError::NotFound);
    }
    let row = find_apprentice(conn, &a, id).await?;
    let m = milestone::Entity::find_by_id(milestone_id.to_owned())
        .one(conn)
        .await?
        .filter(|m| m.agreement_id == a.id)
        .ok_or(AppError::NotFound)?;
    let before = done::Entity::find()
        .filter(done::Column::ApprenticeId.eq(&row.id))
        .filter(done::Column::MilestoneId.eq(&m.id))
        .one(conn)
        .await?;
    if before.is_some() {
        return view::one(conn, keys, caller, &a, row).await;
    }
    let status = status_of(&row)?;
    if status == ApprenticeStatus::Left {
        return Err(wrong_status(status, "不能再登记培养节点"));
    }
    if input.completed_on > now.today {
        let message = "完成日期不能晚于今天";
        return Err(AppError::invalid_fields(
            "培养节点不能登记",
            vec![FieldError::new("completed_on", "in_the_future", message)],
        ));
    }
    if input.completed_on < a.starts_on {
        return Err(AppError::invalid_fields(
            "培养节点不能登记",
            vec![FieldError::new(
                "completed_on",
                "before_start",
                format!("完成日期不能早于学徒培养开始之日（{}）", a.starts_on),
            )],
        ));
    }
    done::ActiveModel {
        id: Set(new_id()),
        apprentice_id: Set(row.id.clone()),
        milestone_id: Set(m.id.clone()),
        completed_on: Set(input.completed_on),
        side: Set(side.as_str().to_owned()),
        recorded_by: Set(caller.login.clone()),
        recorded_at: Set(now.stamp()),
    }
    .insert(conn)
    .await?;
    let summary = serde_json::json!({"milestone_id": m.id, "title": m.title,
        "completed_on": input.completed_on, "side": side.as_str()});
    audited(conn, caller, "apprentice.milestone", &row, summary).await?;
    view::one(conn, keys, caller, &a, row).await
}
