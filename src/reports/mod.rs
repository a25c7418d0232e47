//! The bureau's reports (docs/DESIGN.md §10): the plan's yearly targets as versioned data,
//! what the records count toward each per statistical month (the 21st of the month before
//! to the 20th, as the HR statistics count), and the dashboard that sets them side by side.
//! Every figure is counted in the database with grouped queries — a fixed number whatever
//! the number of rows — and bucketed into months here.

pub mod actuals;
pub mod adjust;
pub mod chart;
pub mod dashboard;
pub mod dispatch;
pub mod dispatch_file;
pub mod export;
pub mod flags;
pub mod ledger;
pub mod members;
pub mod notice;
pub mod periods;
pub mod rows;
pub mod sheet;
pub mod tally;
pub mod targets;

use chrono::{Datelike, NaiveDate};

use crate::{apprenticeships::terms::Period, stored::stored_enum};

stored_enum! {
    /// What a target counts.
    pub enum Measure("report measure") {
        /// Enrolments (not withdrawn) of people with at least one key-group tag in cohorts
        /// that ended in the period: the plan's 重点群体培训人次.
        KeyGroupTraining = "key_group_training" => "重点群体培训人次",
        /// Every enrolment (not withdrawn) in cohorts that ended in the period.
        Training = "training" => "职业技能培训人次",
        /// Apprentices under filed agreements that started in the period.
        Apprentices = "apprentices" => "新型学徒制学徒人数",
        /// Completion certificates issued in the period (re-issues not counted again).
        CompletionCertificates = "completion_certificates" => "结业证书",
        /// Skill-level certificates issued in the period.
        SkillLevelCertificates = "skill_level_certificates" => "职业技能等级证书",
        /// Specialty certificates issued in the period.
        SpecialtyCertificates = "specialty_certificates" => "专项职业能力证书",
        /// Licences issued in the period.
        Licences = "licences" => "准入类证书",
        /// Apprenticeship certificates issued in the period.
        ApprenticeshipCertificates = "apprenticeship_certificates" => "学徒培训证书",
    }
}

/// The twelve statistical months of `year`: `YYYY-01` (21 December of the year before to
/// 20 January) to `YYYY-12` (21 November to 20 December).
pub fn months(year: i32) -> Vec<Period> {
    (1..=12)
        .filter_map(|m| Period::parse(&format!("{year:04}-{m:02}")))
        .collect()
}

/// The statistical year's first and last day.
pub fn year_span(year: i32) -> (NaiveDate, NaiveDate) {
    let months = months(year);
    let first = months.first().map_or(NaiveDate::MIN, |p| p.starts_on);
    let last = months.last().map_or(NaiveDate::MIN, |p| p.ends_on);
    (first, last)
}

/// The statistical year `day` counts in.
pub fn year_of(day: NaiveDate) -> i32 {
    let code = Period::of(day).code;
    code[..4].parse().unwrap_or(day.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_statistical_year_runs_from_21_december_to_20_december() {
        assert_eq!(year_span(2026), (d("2025-12-21"), d("2026-12-20")));
        assert_eq!(year_of(d("2026-12-20")), 2026);
        assert_eq!(year_of(d("2026-12-21")), 2027);
        assert_eq!(months(2026)[1].starts_on, d("2026-01-21"));
        assert_eq!(months(2026).len(), 12);
        crate::stored::assert_strict::<Measure>();
    }
}
