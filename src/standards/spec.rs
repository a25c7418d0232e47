//! The content of a local industry standard, shaped like a 专项职业能力考核规范, and the
//! three standards the city ships (`data/*.toml`, loaded on first start).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::error::FieldError;

/// Everything a standard version says. Stored as JSON; frozen once published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StandardSpec {
    /// Stable code, e.g. `150784-QMY`.
    pub code: String,
    /// The short trade name, e.g. 骑马游.
    pub short_name: String,
    /// 名称: "product/service + verb", never ending in 工/员/师.
    pub name: String,
    /// The national occupation it belongs to, e.g. `4-07-04-01`.
    pub occupation_code: Option<String>,
    /// 职业领域.
    pub occupational_field: String,
    /// 定义.
    pub definition: String,
    /// 适用对象.
    pub applies_to: String,
    /// 参考培训课时.
    pub reference_hours: u32,
    /// The body that publishes it.
    pub issuer: String,
    pub assessment: AssessmentRequirements,
    /// 工作任务 | 操作规范 | 相关知识 | 考核比重.
    pub tasks: Vec<WorkTask>,
}

/// 考核要求.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AssessmentRequirements {
    /// 申报条件.
    pub eligibility: String,
    /// At least 3.
    pub min_examiners: u32,
    /// 考评人员要求.
    pub examiners: String,
    /// 考核方式.
    pub method: String,
    pub theory_minutes: u32,
    pub practical_minutes: u32,
    /// 考核场地与设备.
    pub venue_equipment: Vec<String>,
}

/// One row of the work-task table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WorkTask {
    /// 工作任务.
    pub name: String,
    /// 操作规范.
    pub norms: Vec<String>,
    /// 相关知识.
    pub knowledge: Vec<String>,
    /// 考核比重 (%); the weights of all tasks sum to 100.
    pub weight: u32,
}

impl StandardSpec {
    /// Every rule a specification must meet, as field errors (empty when valid).
    pub fn problems(&self) -> Vec<FieldError> {
        let mut fields = Vec::new();
        let mut need = |ok: bool, field: String, reason: &str, message: String| {
            if !ok {
                fields.push(FieldError::new(field, reason, message));
            }
        };
        let code_ok = (3..=32).contains(&self.code.len())
            && self
                .code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        need(
            code_ok,
            "code".into(),
            "format",
            "编号须为3–32位大写字母、数字或连字符".into(),
        );
        let a = &self.assessment;
        let texts: [(&str, &str, usize, &str); 9] = [
            ("name", &self.name, 60, "名称"),
            ("short_name", &self.short_name, 20, "简称"),
            (
                "occupational_field",
                &self.occupational_field,
                100,
                "所属职业领域",
            ),
            ("definition", &self.definition, 2000, "定义"),
            ("applies_to", &self.applies_to, 2000, "适用对象"),
            ("issuer", &self.issuer, 100, "发布单位"),
            ("assessment.eligibility", &a.eligibility, 2000, "申报条件"),
            ("assessment.examiners", &a.examiners, 2000, "考评人员要求"),
            ("assessment.method", &a.method, 4000, "考核方式"),
        ];
        for (field, text, max, what) in texts {
            need(
                text_ok(text, max),
                field.into(),
                "length",
                format!("{what}须为1–{max}个字符"),
            );
        }
        need(
            !self.name.trim_end().ends_with(['工', '员', '师']),
            "name".into(),
            "ends_with_job_title",
            "专项职业能力名称不得以“工、员、师”结尾".into(),
        );
        need(
            (1..=2000).contains(&self.reference_hours),
            "reference_hours".into(),
            "out_of_range",
            "参考学时须在1–2000之间".into(),
        );
        need(
            a.min_examiners >= 3,
            "assessment.min_examiners".into(),
            "at_least_3",
            "考评人员不少于3名".into(),
        );
        need(
            a.theory_minutes + a.practical_minutes > 0
                && a.theory_minutes <= 600
                && a.practical_minutes <= 600,
            "assessment.practical_minutes".into(),
            "out_of_range",
            "理论和实操考核时长各不超过600分钟，合计须大于0".into(),
        );
        need(
            !a.venue_equipment.is_empty(),
            "assessment.venue_equipment".into(),
            "required",
            "须列出考核场地与设备".into(),
        );
        need(
            !self.tasks.is_empty(),
            "tasks".into(),
            "required",
            "至少须有一项工作任务".into(),
        );
        for (i, task) in self.tasks.iter().enumerate() {
            need(
                text_ok(&task.name, 60),
                format!("tasks[{i}].name"),
                "length",
                format!("第{}项工作任务的名称须为1–60个字符", i + 1),
            );
            need(
                !task.norms.is_empty(),
                format!("tasks[{i}].norms"),
                "required",
                format!("第{}项工作任务须列出操作规范", i + 1),
            );
            need(
                !task.knowledge.is_empty(),
                format!("tasks[{i}].knowledge"),
                "required",
                format!("第{}项工作任务须列出相关知识", i + 1),
            );
            need(
                (1..=100).contains(&task.weight),
                format!("tasks[{i}].weight"),
                "out_of_range",
                format!("第{}项工作任务的考核比重须在1–100之间", i + 1),
            );
        }
        let total: u32 = self.tasks.iter().map(|t| t.weight).sum();
        need(
            self.tasks.is_empty() || total == 100,
            "tasks".into(),
            "weights_not_100",
            format!("各工作任务考核比重之和须为100（现为{total}）"),
        );
        fields
    }

    /// SHA-256 of the specification's JSON, hex: what a certificate pins.
    pub fn sha256(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        hex::encode(Sha256::digest(json.as_bytes()))
    }
}

fn text_ok(text: &str, max_chars: usize) -> bool {
    let n = text.trim().chars().count();
    n > 0 && n <= max_chars
}

/// A bundled standard file: the specification and its version number.
#[derive(Debug, Deserialize)]
struct Bundled {
    version: i32,
    #[serde(flatten)]
    spec: StandardSpec,
}

const BUNDLED: [(&str, &str); 3] = [
    ("150784-QMY.toml", include_str!("data/150784-QMY.toml")),
    ("150784-TLKB.toml", include_str!("data/150784-TLKB.toml")),
    ("150784-MSZLR.toml", include_str!("data/150784-MSZLR.toml")),
];

/// The city's three standards as shipped, each with its version.
pub fn bundled() -> anyhow::Result<Vec<(i32, StandardSpec)>> {
    BUNDLED
        .iter()
        .map(|(file, text)| {
            let b: Bundled = toml::from_str(text).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
            Ok((b.version, b.spec))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_standards_are_complete_and_valid() {
        let standards = bundled().expect("bundled standards parse");
        assert_eq!(standards.len(), 3);
        for (version, spec) in &standards {
            assert_eq!(*version, 1);
            assert_eq!(spec.problems(), vec![], "{}", spec.code);
            assert!(
                spec.tasks.len() >= 6,
                "{} has {} tasks",
                spec.code,
                spec.tasks.len()
            );
        }
    }

    #[test]
    fn weights_must_sum_to_100_and_names_must_not_be_job_titles() {
        let (_, mut spec) = bundled().expect("bundled").remove(0);
        spec.tasks[0].weight += 1;
        spec.name = "骑马向导员".into();
        let reasons: Vec<String> = spec
            .problems()
            .into_iter()
            .map(|f| format!("{}:{}", f.field, f.reason))
            .collect();
        assert!(
            reasons.contains(&"tasks:weights_not_100".to_owned()),
            "{reasons:?}"
        );
        assert!(
            reasons.contains(&"name:ends_with_job_title".to_owned()),
            "{reasons:?}"
        );
    }
}
