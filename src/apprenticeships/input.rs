//! An agreement as the enterprise writes it, checked field by field (every refusal a
//! Chinese rule under its field): the provider, occupation and target level, the period
//! (1–2 years; up to 3 only with a stated reason), the plan's modules and milestones.

use chrono::NaiveDate;
use entities::organisations as organisation;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Deserialize;
use utoipa::ToSchema;

use super::terms;
use crate::{
    error::{AppError, FieldError},
    organisations::{OrgKind, OrgStatus},
    standards::reference,
    stored::Stored,
};

/// One module of the training plan, with its theory and practice hours.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ModuleInput {
    /// 1–40 characters, e.g. `烤饼工艺与质量控制`.
    pub title: String,
    /// 0–2000.
    pub theory_hours: u32,
    /// 0–2000; with the theory hours at least 1.
    pub practice_hours: u32,
}

/// A milestone of the plan, due within the agreement's period.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MilestoneInput {
    /// 1–40 characters, e.g. `独立完成整炉烤制`.
    pub title: String,
    pub due_on: NaiveDate,
}

/// An agreement as the enterprise writes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AgreementInput {
    /// The training provider (an approved 培训机构) that trains jointly with the enterprise.
    pub provider_id: String,
    /// A national occupation code, e.g. `4-03-02-02`.
    pub occupation_code: String,
    /// The target level: `level5` (五级/初级工) … `level1` (一级/高级技师).
    pub target_level: String,
    pub starts_on: NaiveDate,
    /// At least one year after the start and at most two; up to three with
    /// `extension_reason`.
    pub ends_on: NaiveDate,
    /// Why the period runs past two years (required then, 1–500 characters).
    pub extension_reason: Option<String>,
    /// 1–30 modules.
    #[serde(default)]
    pub modules: Vec<ModuleInput>,
    /// 1–20 milestones.
    #[serde(default)]
    pub milestones: Vec<MilestoneInput>,
}

pub(crate) struct Checked {
    pub extension_reason: Option<String>,
    pub modules: Vec<(String, i32, i32)>,
    pub milestones: Vec<(String, NaiveDate)>,
}

async fn check_provider(
    conn: &impl ConnectionTrait,
    id: &str,
    fields: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    let fits = match organisation::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
    {
        Some(p) => {
            OrgKind::read("organisations", &p.id, &p.kind)? == OrgKind::TrainingProvider
                && OrgStatus::read("organisations", &p.id, &p.status)? == OrgStatus::Approved
        }
        None => false,
    };
    if !fits {
        fields.push(FieldError::new(
            "provider_id",
            "unknown",
            "没有这个已批准的培训机构",
        ));
    }
    Ok(())
}

fn check_period(input: &AgreementInput, fields: &mut Vec<FieldError>) -> Option<String> {
    let reason = input
        .extension_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    let (start, end) = (input.starts_on, input.ends_on);
    if !terms::at_least_years(start, end, 1) {
        fields.push(FieldError::new(
            "ends_on",
            "shorter_than_a_year",
            "培养期不得少于1年",
        ));
    } else if !terms::at_most_years(start, end, 3) {
        fields.push(FieldError::new(
            "ends_on",
            "longer_than_three_years",
            "培养期最长3年",
        ));
    } else if !terms::at_most_years(start, end, 2) && reason.is_none() {
        fields.push(FieldError::new(
            "extension_reason",
            "required",
            "培养期超过2年须说明理由（特殊情况最长3年）",
        ));
    }
    if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        fields.push(FieldError::new(
            "extension_reason",
            "too_long",
            "延长理由不超过500个字符",
        ));
    }
    reason
}

pub(crate) async fn check(
    conn: &impl ConnectionTrait,
    input: &AgreementInput,
) -> Result<Checked, AppError> {
    let mut fields = Vec::new();
    check_provider(conn, &input.provider_id, &mut fields).await?;
    if !reference::occupation_exists(conn, &input.occupation_code).await? {
        fields.push(FieldError::new(
            "occupation_code",
            "unknown",
            "没有这个职业（工种）代码",
        ));
    }
    let level = reference::skill_level(conn, &input.target_level).await?;
    if level.is_none_or(|l| l.national_digit.is_none()) {
        fields.push(FieldError::new(
            "target_level",
            "unknown",
            "目标等级须为五级/初级工至一级/高级技师之一",
        ));
    }
    let extension_reason = check_period(input, &mut fields);
    if !(1..=30).contains(&input.modules.len()) {
        fields.push(FieldError::new(
            "modules",
            "count",
            "培养计划须有1–30个模块",
        ));
    }
    let mut modules = Vec::new();
    for (i, m) in input.modules.iter().enumerate() {
        let title = m.title.trim().to_owned();
        if !(1..=40).contains(&title.chars().count()) {
            let field = format!("modules[{i}].title");
            fields.push(FieldError::new(field, "length", "模块名称须为1–40个字符"));
        }
        if m.theory_hours > 2000
            || m.practice_hours > 2000
            || m.theory_hours + m.practice_hours == 0
        {
            fields.push(FieldError::new(
                format!("modules[{i}].practice_hours"),
                "out_of_range",
                "理论与实操学时各为0–2000，合计至少1学时",
            ));
        }
        modules.push((title, m.theory_hours as i32, m.practice_hours as i32));
    }
    if !(1..=20).contains(&input.milestones.len()) {
        fields.push(FieldError::new(
            "milestones",
            "count",
            "培养计划须有1–20个节点",
        ));
    }
    let mut milestones = Vec::new();
    for (i, m) in input.milestones.iter().enumerate() {
        let title = m.title.trim().to_owned();
        if !(1..=40).contains(&title.chars().count()) {
            let field = format!("milestones[{i}].title");
            fields.push(FieldError::new(field, "length", "节点名称须为1–40个字符"));
        }
        if m.due_on < input.starts_on || m.due_on > input.ends_on {
            fields.push(FieldError::new(
                format!("milestones[{i}].due_on"),
                "outside_period",
                "节点日期须在培养期内",
            ));
        }
        milestones.push((title, m.due_on));
    }
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("学徒培养协议无效", fields));
    }
    Ok(Checked {
        extension_reason,
        modules,
        milestones,
    })
}
