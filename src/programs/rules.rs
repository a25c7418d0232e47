//! The checks a program's certificate rules must pass: kinds, thresholds, parents, and a
//! licence's title and 准入事项.

use super::*;

pub(super) fn rule_problems(
    rules: &[CertificateRule],
    has_standard: bool,
    has_level: bool,
) -> Vec<FieldError> {
    let mut fields = Vec::new();
    if rules.is_empty() {
        fields.push(FieldError::new(
            "certificates",
            "required",
            "至少须有一种证书规则",
        ));
    }
    for (i, rule) in rules.iter().enumerate() {
        let at = |f: &str| format!("certificates[{i}].{f}");
        if rules[..i].iter().any(|r| r.kind == rule.kind) {
            fields.push(FieldError::new(
                at("kind"),
                "duplicate",
                format!("{}的规则重复", rule.kind.label()),
            ));
        }
        if rule.kind == CertificateKind::Specialty && !has_standard {
            fields.push(FieldError::new(
                at("kind"),
                "needs_standard",
                "专项职业能力证书须依据专项职业能力考核规范",
            ));
        }
        if rule.kind == CertificateKind::SkillLevel && !has_level {
            fields.push(FieldError::new(
                at("kind"),
                "needs_occupation_and_level",
                "职业技能等级证书须指明职业和等级",
            ));
        }
        if rule.min_attendance_percent.is_some_and(|p| p > 100) {
            fields.push(FieldError::new(
                at("min_attendance_percent"),
                "out_of_range",
                "出勤率要求须在0–100%之间",
            ));
        }
        for (name, score) in [
            ("min_theory_score", rule.min_theory_score),
            ("min_practical_score", rule.min_practical_score),
        ] {
            if score.is_some_and(|s| s > 100) {
                fields.push(FieldError::new(
                    at(name),
                    "out_of_range",
                    "分数要求须在0–100之间",
                ));
            }
        }
        if rule.requires.contains(&rule.kind) {
            fields.push(FieldError::new(
                at("requires"),
                "requires_itself",
                "证书不能以自身为依据",
            ));
        }
        if let Some(activity) = &rule.licensed_activity {
            if rule.kind != CertificateKind::Licence {
                fields.push(FieldError::new(
                    at("licensed_activity"),
                    "licence_only",
                    "只有准入类证书可以写明准入事项",
                ));
            } else if !(2..=40).contains(&activity.trim().chars().count()) {
                fields.push(FieldError::new(
                    at("licensed_activity"),
                    "length",
                    "准入事项须为2–40个字符",
                ));
            }
        }
        fields.extend(licence_title_problems(rule, &at("licence_title")));
    }
    fields
}

/// A licence is titled by its own name, which only a licence rule carries.
fn licence_title_problems(rule: &CertificateRule, field: &str) -> Option<FieldError> {
    let title = rule.licence_title.as_deref().map(str::trim);
    match (rule.kind == CertificateKind::Licence, title) {
        (false, None) => None,
        (false, Some(_)) => Some(FieldError::new(
            field,
            "licence_only",
            "只有准入类证书可以写明证书名称",
        )),
        (true, None) => Some(FieldError::new(
            field,
            "required",
            "准入类证书须写明证书名称（印在证书标题处），如“民宿经营接待从业资格证”",
        )),
        (true, Some(t)) if !(4..=MAX_LICENCE_TITLE_CHARS).contains(&t.chars().count()) => {
            Some(FieldError::new(
                field,
                "length",
                format!("准入类证书名称须为4–{MAX_LICENCE_TITLE_CHARS}个字符"),
            ))
        }
        (true, Some(t)) if !(t.ends_with('证') || t.ends_with("证书")) => Some(FieldError::new(
            field,
            "not_a_licence_name",
            "准入类证书名称须以“证”或“证书”结尾，如“民宿经营接待从业资格证”",
        )),
        (true, Some(t)) if t.chars().any(|c| c.is_control() || c.is_whitespace()) => {
            Some(FieldError::new(
                field,
                "invalid_characters",
                "准入类证书名称不能含空格或控制字符",
            ))
        }
        (true, Some(_)) => None,
    }
}
