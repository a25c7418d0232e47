//! What the apprenticeship certificate says, on paper and in its credential: no cohort,
//! no program, but the occupation, the target level, the enterprise (the training
//! provider is the issuer), the agreement's period, the plan's hours and both mentors.
//! The credential's achievement is the apprenticeship in the occupation at the target
//! level over the agreement's period; it asserts no level (the apprentice trained toward
//! it; the skill-level certificate is what attests one).

use chrono::{Datelike, NaiveDate};

use super::Apprenticed;
use crate::standards::reference::{Occupation, SkillLevel};

fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn occupation_name(a: &Apprenticed, occupation: Option<&Occupation>) -> String {
    occupation.map_or_else(|| a.agreement.occupation_code.clone(), |o| o.name.clone())
}

fn level_label(a: &Apprenticed, target: Option<&SkillLevel>) -> String {
    target.map_or_else(|| a.agreement.target_level.clone(), |l| l.label.clone())
}

/// The agreement's period, e.g. `2025年3月1日至2027年2月28日`.
pub fn period(a: &Apprenticed) -> String {
    format!(
        "{}至{}",
        chinese_date(a.agreement.starts_on),
        chinese_date(a.agreement.ends_on)
    )
}

/// The rows the paper prints between the holder and the number.
pub fn fields(
    a: &Apprenticed,
    occupation: Option<&Occupation>,
    target: Option<&SkillLevel>,
) -> Vec<(String, String)> {
    [
        ("培养企业", a.enterprise.name.clone()),
        ("职业（工种）", occupation_name(a, occupation)),
        ("目标等级", level_label(a, target)),
        ("学徒期", period(a)),
        ("培养学时", format!("{}学时", a.hours)),
        ("企业导师", a.apprentice.mentor_name.clone()),
        ("院校导师", a.apprentice.teacher_name.clone()),
    ]
    .into_iter()
    .map(|(label, value)| (label.to_owned(), value))
    .collect()
}

/// The achievement's subject, e.g. `中式面点师（四级/中级工）学徒培养`.
pub fn subject(
    a: &Apprenticed,
    occupation: Option<&Occupation>,
    target: Option<&SkillLevel>,
) -> String {
    format!(
        "{}（{}）学徒培养",
        occupation_name(a, occupation),
        level_label(a, target)
    )
}

/// The achievement's description: who trained the apprentice, where, for what, when.
pub fn description(
    a: &Apprenticed,
    provider: &str,
    occupation: Option<&Occupation>,
    target: Option<&SkillLevel>,
) -> String {
    format!(
        "{}与{}企校双师联合培养：{}，学徒期{}",
        a.enterprise.name,
        provider,
        subject(a, occupation, target),
        period(a)
    )
}

/// How the certificate was earned.
pub fn criteria(
    a: &Apprenticed,
    occupation: Option<&Occupation>,
    target: Option<&SkillLevel>,
) -> String {
    let completed = a
        .apprentice
        .completed_on
        .map_or_else(String::new, |d| format!("，于{}结业", chinese_date(d)));
    format!(
        "在{}以企业新型学徒制完成{}职业学徒培养（目标等级{}，学徒期{}，培养计划{}学时），\
         培养计划的{}个培养节点全部完成{completed}。",
        a.enterprise.name,
        occupation_name(a, occupation),
        level_label(a, target),
        period(a),
        a.hours,
        a.milestones.len()
    )
}
