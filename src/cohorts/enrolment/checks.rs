//! The rules an enrolment is checked against, shared by single enrolments and spreadsheet
//! imports (`imports::plan`), and the cohort lock both take first.

use entities::{cohorts as cohort, enrolments as enrolment, programs as program};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};

use crate::{
    access::{Caller, rules},
    clock::Now,
    cohorts::EnrolmentStatus,
    error::AppError,
    pagination::new_id,
    people::store::Identity,
    stored::Stored,
};

/// The cohort, if the caller may see it, locked for the rest of the transaction so that
/// enrolments into it take turns: `SELECT … FOR UPDATE` on PostgreSQL. SQLite has no row
/// locks; there a write that changes nothing, made before anything is read, takes the
/// database's write lock (waiting its turn), so another instance's enrolment queues
/// behind this one instead of failing on what it read before.
pub(crate) async fn lock_cohort(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    cohort_id: &str,
) -> Result<cohort::Model, AppError> {
    if conn.get_database_backend() == DbBackend::Sqlite {
        cohort::Entity::update_many()
            .col_expr(cohort::Column::Id, Expr::col(cohort::Column::Id))
            .filter(cohort::Column::Id.eq(cohort_id))
            .exec(conn)
            .await?;
    }
    cohort::Entity::find_by_id(cohort_id.to_owned())
        .lock_exclusive()
        .one(conn)
        .await?
        .filter(|c| rules::may_see_cohort(caller, c))
        .ok_or(AppError::NotFound)
}

/// Refused unless the person is within the program's age window on the cohort's first
/// day.
pub(crate) fn check_age(
    cohort: &cohort::Model,
    program: &program::Model,
    identity: &Identity,
) -> Result<(), AppError> {
    let age = identity.citizen_id.age_on(cohort.starts_on);
    if age < program.min_age as u32 || age > program.max_age as u32 {
        return Err(AppError::invalid(
            "citizen_id",
            "age_out_of_range",
            format!(
                "开班日（{}）该学员{}周岁，不在本项目要求的{}–{}周岁范围内",
                cohort.starts_on, age, program.min_age, program.max_age
            ),
        ));
    }
    Ok(())
}

/// The refusal of a known ID number given with another name.
pub(crate) fn name_mismatch() -> AppError {
    AppError::invalid(
        "name",
        "mismatch_with_registered",
        "该身份证号码已登记在册，但姓名与登记信息不一致，请核对",
    )
}

/// The refusal of one more enrolment in a full cohort.
pub(crate) fn cohort_full(cohort: &cohort::Model) -> AppError {
    AppError::Conflict {
        code: "cohort_full",
        message: format!(
            "班次 {} 已满（{}人），不能再报名",
            cohort.code, cohort.capacity
        ),
    }
}

/// A new, current enrolment of `person_id` in `cohort`.
pub(crate) fn new_enrolment(cohort: &cohort::Model, person_id: &str, now: Now) -> enrolment::Model {
    enrolment::Model {
        id: new_id(),
        cohort_id: cohort.id.clone(),
        person_id: person_id.to_owned(),
        provider_id: cohort.provider_id.clone(),
        status: EnrolmentStatus::Enrolled.as_str().to_owned(),
        attended_hours: None,
        theory_score: None,
        practical_score: None,
        result_recorded_at: None,
        enrolled_at: now.stamp(),
        withdrawn_at: None,
        withdraw_reason: None,
    }
}
