//! Apprentices under a filed agreement: a person (registered and sealed as trainees are),
//! the enterprise's employee on a labour contract of at least a year covering the
//! agreement's period, at least 16 on the start date, with an enterprise mentor and a
//! school teacher. Each refusal names its rule; nothing is written.

use chrono::NaiveDate;
use entities::{
    accounts as account, apprentices as apprentice, apprenticeship_agreements as agreement,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{AgreementStatus, ApprenticeStatus, terms};
use crate::{
    access::{Caller, Role},
    audit::{self, Change},
    clock::Now,
    error::{AppError, FieldError},
    pagination::new_id,
    people::{
        PiiKeys,
        store::{self, Identity, IdentityInput},
    },
    standards::reference,
    stored::Stored,
};

pub use super::progress::view::{Apprentice, CompletedMilestone, Mentor, Teacher};

/// The enterprise mentor (企业导师).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MentorInput {
    pub name: String,
    /// The mentor's post, e.g. `烘焙车间主任`.
    pub post: String,
    /// The mentor's skill level code (`GET /api/v1/skill-levels`), e.g. `level2`.
    pub skill_level: String,
    /// The mentor's own account (an employer account of the enterprise), optional: milestone
    /// reminders go to its confirmed address.
    #[serde(default)]
    pub account_id: Option<String>,
}

/// The school teacher (院校导师) of the agreement's provider.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TeacherInput {
    pub name: String,
    /// The teacher's own account (a staff account of the agreement's provider), optional:
    /// milestone reminders go to its confirmed address.
    #[serde(default)]
    pub account_id: Option<String>,
}

/// An apprentice as the enterprise registers them.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ApprenticeInput {
    pub name: String,
    pub citizen_id: String,
    pub phone: Option<String>,
    /// The labour contract's first and last day: at least one year, covering the
    /// agreement's period.
    pub contract_starts_on: NaiveDate,
    pub contract_ends_on: NaiveDate,
    pub mentor: Option<MentorInput>,
    pub teacher: Option<TeacherInput>,
}

fn text(value: &str, field: &str, what: &str, fields: &mut Vec<FieldError>) -> String {
    let value = value.trim().to_owned();
    if !(1..=40).contains(&value.chars().count()) {
        fields.push(FieldError::new(
            field,
            "required",
            format!("须填写{what}（1–40个字符）"),
        ));
    }
    value
}

/// The mentor's and teacher's fields, checked.
async fn check_mentors(
    conn: &impl ConnectionTrait,
    input: &ApprenticeInput,
    fields: &mut Vec<FieldError>,
) -> Result<(String, String, String, String), AppError> {
    let (mentor_name, mentor_post, mentor_level) = match &input.mentor {
        None => {
            fields.push(FieldError::new(
                "mentor",
                "required",
                "每名学徒须配备企业导师（企校双师）",
            ));
            Default::default()
        }
        Some(m) => {
            let name = text(&m.name, "mentor.name", "企业导师姓名", fields);
            let post = text(&m.post, "mentor.post", "企业导师岗位", fields);
            if reference::skill_level(conn, &m.skill_level)
                .await?
                .is_none()
            {
                fields.push(FieldError::new(
                    "mentor.skill_level",
                    "unknown",
                    "企业导师的技能等级不在等级序列中",
                ));
            }
            (name, post, m.skill_level.clone())
        }
    };
    let teacher_name = match &input.teacher {
        None => {
            fields.push(FieldError::new(
                "teacher",
                "required",
                "每名学徒须配备培训机构的院校导师（企校双师）",
            ));
            String::new()
        }
        Some(t) => text(&t.name, "teacher.name", "院校导师姓名", fields),
    };
    Ok((mentor_name, mentor_post, mentor_level, teacher_name))
}

/// The mentors' accounts, when given: the mentor's an enabled employer account of the
/// agreement's enterprise, the teacher's an enabled staff account of its provider.
async fn check_mentor_accounts(
    conn: &impl ConnectionTrait,
    a: &agreement::Model,
    input: &ApprenticeInput,
    fields: &mut Vec<FieldError>,
) -> Result<(Option<String>, Option<String>), AppError> {
    let mentor = input.mentor.as_ref().and_then(|m| m.account_id.clone());
    let teacher = input.teacher.as_ref().and_then(|t| t.account_id.clone());
    let wanted: Vec<&str> = [&mentor, &teacher]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if wanted.is_empty() {
        return Ok((None, None));
    }
    let found = account::Entity::find()
        .filter(account::Column::Id.is_in(wanted))
        .filter(account::Column::Disabled.eq(false))
        .all(conn)
        .await?;
    let belongs = |id: &String, role: Role, org: &str| {
        found.iter().any(|f| {
            &f.id == id && f.role == role.as_str() && f.organisation_id.as_deref() == Some(org)
        })
    };
    if let Some(id) = &mentor
        && !belongs(id, Role::Employer, &a.employer_id)
    {
        fields.push(FieldError::new(
            "mentor.account_id",
            "not_of_employer",
            "企业导师的账号须为本企业的有效账号",
        ));
    }
    if let Some(id) = &teacher
        && !belongs(id, Role::ProviderStaff, &a.provider_id)
    {
        fields.push(FieldError::new(
            "teacher.account_id",
            "not_of_provider",
            "院校导师的账号须为协议培训机构工作人员的有效账号",
        ));
    }
    Ok((mentor, teacher))
}

fn check_contract(a: &agreement::Model, input: &ApprenticeInput, fields: &mut Vec<FieldError>) {
    let (start, end) = (input.contract_starts_on, input.contract_ends_on);
    if !terms::at_least_years(start, end, 1) {
        fields.push(FieldError::new(
            "contract_ends_on",
            "shorter_than_a_year",
            "劳动合同期限不得少于1年",
        ));
    }
    if start > a.starts_on || end < a.ends_on {
        fields.push(FieldError::new(
            "contract_ends_on",
            "not_covering_period",
            format!("劳动合同须覆盖培养期（{} 至 {}）", a.starts_on, a.ends_on),
        ));
    }
}

fn check_identity(
    a: &agreement::Model,
    input: &ApprenticeInput,
    fields: &mut Vec<FieldError>,
) -> Option<Identity> {
    let identity = IdentityInput {
        name: input.name.clone(),
        citizen_id: input.citizen_id.clone(),
        phone: input.phone.clone(),
        key_groups: Vec::new(),
    }
    .parse(a.starts_on);
    match identity {
        Ok(identity) => {
            if identity.citizen_id.age_on(a.starts_on) < 16 {
                fields.push(FieldError::new(
                    "citizen_id",
                    "under_16",
                    "学徒在培养开始之日须年满16周岁",
                ));
            }
            Some(identity)
        }
        Err(AppError::Invalid { fields: mine, .. }) => {
            fields.extend(mine);
            None
        }
        Err(_) => None,
    }
}

/// Registers an apprentice under a filed agreement of the caller's enterprise.
pub async fn add(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    agreement_id: &str,
    input: ApprenticeInput,
    now: Now,
) -> Result<Apprentice, AppError> {
    let a = super::lock(conn, caller, agreement_id).await?;
    super::require_employer(caller, &a)?;
    let status = super::status_of(&a)?;
    if status != AgreementStatus::Filed {
        return Err(super::wrong_status(status, "协议备案后才能登记学徒"));
    }
    let mut fields = Vec::new();
    let identity = check_identity(&a, &input, &mut fields);
    check_contract(&a, &input, &mut fields);
    let (mentor_name, mentor_post, mentor_level, teacher_name) =
        check_mentors(conn, &input, &mut fields).await?;
    let (mentor_account_id, teacher_account_id) =
        check_mentor_accounts(conn, &a, &input, &mut fields).await?;
    let identity = match identity {
        Some(identity) if fields.is_empty() => identity,
        _ => return Err(AppError::invalid_fields("学徒信息无效", fields)),
    };
    let actor = caller.actor();
    let person = store::find_or_register(conn, keys, &actor, &identity, now).await?;
    let exists = apprentice::Entity::find()
        .filter(apprentice::Column::AgreementId.eq(&a.id))
        .filter(apprentice::Column::PersonId.eq(&person.id))
        .one(conn)
        .await?;
    if exists.is_some() {
        return Err(AppError::Conflict {
            code: "already_apprentice",
            message: format!("该人员（{}）已是本协议的学徒", person.citizen_id_masked),
        });
    }
    let row = apprentice::ActiveModel {
        id: Set(new_id()),
        agreement_id: Set(a.id.clone()),
        person_id: Set(person.id.clone()),
        contract_starts_on: Set(input.contract_starts_on),
        contract_ends_on: Set(input.contract_ends_on),
        mentor_name: Set(mentor_name),
        mentor_post: Set(mentor_post),
        mentor_level: Set(mentor_level),
        teacher_name: Set(teacher_name),
        mentor_account_id: Set(mentor_account_id),
        teacher_account_id: Set(teacher_account_id),
        status: Set(ApprenticeStatus::Active.as_str().to_owned()),
        paused_on: Set(None),
        pause_reason: Set(None),
        left_on: Set(None),
        leave_reason: Set(None),
        completed_on: Set(None),
        created_by: Set(caller.login.clone()),
        created_at: Set(now.stamp()),
        updated_at: Set(now.stamp()),
    }
    .insert(conn)
    .await?;
    audit::append(
        conn,
        &actor,
        Change {
            action: "apprentice.create",
            record_type: "apprentice",
            record_id: &row.id,
            summary: serde_json::json!({"agreement_id": a.id, "person_id": person.id,
                "citizen_id": person.citizen_id_masked, "contract_starts_on": row.contract_starts_on,
                "contract_ends_on": row.contract_ends_on}),
        },
    )
    .await?;
    super::progress::view::one(conn, keys, caller, &a, row).await
}

/// The apprentices of an agreement the caller may see.
pub async fn list(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    agreement_id: &str,
) -> Result<Vec<Apprentice>, AppError> {
    let a = super::find(conn, caller, agreement_id).await?;
    let rows = apprentice::Entity::find()
        .filter(apprentice::Column::AgreementId.eq(&a.id))
        .all(conn)
        .await?;
    super::progress::view::many(conn, keys, caller, &a, rows).await
}

/// One apprentice of an agreement the caller may see.
pub async fn get(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    agreement_id: &str,
    id: &str,
) -> Result<Apprentice, AppError> {
    let a = super::find(conn, caller, agreement_id).await?;
    let row = super::progress::find_apprentice(conn, &a, id).await?;
    super::progress::view::one(conn, keys, caller, &a, row).await
}
