//! What a demo run hands back: the ids, logins and passwords written by `--out` (API.md
//! "registry demo --out"), and the counts printed as a Chinese summary.

use std::{fmt, path::Path};

use anyhow::Context;
use chrono::NaiveDate;
use serde::Serialize;

use crate::{auth::Role, organisations::OrgKind};

/// Everything the demo data set consists of, as written by `--out`.
#[derive(Debug, Default, Serialize)]
pub struct DemoData {
    pub organisations: Vec<OrganisationOut>,
    /// Every demo login, staff and trainees. `password` is `null` only for an account that
    /// exists but whose password is not in the data directory's demo credentials.
    pub accounts: Vec<AccountOut>,
    pub programs: Vec<ProgramOut>,
    pub cohorts: Vec<CohortOut>,
    /// The trainees who have a login, with the person and enrolment behind it.
    pub trainees: Vec<TraineeOut>,
    /// Filled once certificates exist.
    pub certificates: Vec<serde_json::Value>,
    #[serde(skip)]
    pub summary: Summary,
}

#[derive(Debug, Serialize)]
pub struct OrganisationOut {
    pub id: String,
    pub kind: OrgKind,
    pub name: String,
    pub credit_code: String,
}

#[derive(Debug, Serialize)]
pub struct AccountOut {
    pub login: String,
    pub password: Option<String>,
    pub role: Role,
    pub organisation_id: Option<String>,
    pub display_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgramOut {
    pub id: String,
    pub provider_id: String,
    pub title: String,
    pub hours: u32,
    pub standard_code: Option<String>,
    pub standard_version: Option<i32>,
    pub occupation_code: Option<String>,
    pub level: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CohortOut {
    pub id: String,
    pub code: String,
    pub program_id: String,
    pub provider_id: String,
    /// The local standard the program trains for; `null` for an occupation program.
    pub standard_code: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: u32,
    pub location: String,
    pub evaluation_org_id: Option<String>,
    /// Active enrolments.
    pub enrolled: usize,
    pub withdrawn: usize,
}

#[derive(Debug, Serialize)]
pub struct TraineeOut {
    pub login: String,
    pub password: Option<String>,
    pub name: String,
    pub person_id: String,
    pub cohort_id: String,
    pub enrolment_id: String,
}

/// How many of a kind of record the data set has, and how many this run added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Count {
    pub total: usize,
    pub created: usize,
}

impl Count {
    pub fn present(&mut self) {
        self.total += 1;
    }

    pub fn added(&mut self) {
        self.total += 1;
        self.created += 1;
    }

    /// `label：total unit（本次新增 created）`, one summary line.
    fn line(self, label: &str, unit: &str) -> String {
        format!(
            "  {label}：{} {unit}（本次新增 {}）",
            self.total, self.created
        )
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub organisations: Count,
    pub staff_accounts: Count,
    pub programs: Count,
    pub cohorts: Count,
    /// Distinct people enrolled.
    pub people: usize,
    pub enrolments: Count,
    pub withdrawals: Count,
    pub results: Count,
    pub trainee_logins: Count,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines = [
            self.organisations.line("机构", "个"),
            self.staff_accounts.line("工作人员账号", "个"),
            self.programs.line("培训项目", "个"),
            self.cohorts.line("培训班次", "个"),
            self.enrolments.line("报名", "人次"),
            self.withdrawals.line("退学", "人次"),
            self.results.line("已登记成绩", "条"),
            self.trainee_logins.line("学员登录账号", "个"),
        ];
        writeln!(f, "演示数据已就绪（额尔古纳市）：")?;
        writeln!(f, "  学员：{} 人", self.people)?;
        write!(f, "{}", lines.join("\n"))
    }
}

/// Writes `data` as JSON to `path`, readable by the owner only: it holds passwords.
pub fn write(data: &DemoData, path: &Path) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(data)?;
    let _ = std::fs::remove_file(path);
    super::credentials::write_private_file(path, text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}
