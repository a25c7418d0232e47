//! What a demo run hands back: the ids, logins and passwords written by `--out` (docs/API.md
//! "registry demo --out"), and the counts printed as a Chinese summary.

use std::{fmt, path::Path};

use chrono::NaiveDate;
use serde::Serialize;

use crate::{
    access::Role, certificates::CertificateStatus, organisations::OrgKind,
    programs::CertificateKind,
};

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
    /// Every certificate of the demo trainees: cohort by cohort, completion, specialty or
    /// skill level, licence, each kind in number order.
    pub certificates: Vec<CertificateOut>,
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

#[derive(Debug, Clone, Serialize)]
pub struct CertificateOut {
    pub id: String,
    pub kind: CertificateKind,
    pub number: String,
    /// The token in the QR code: `/v/{token}` is the certificate's verification page.
    pub token: String,
    /// As of the run's day.
    pub status: CertificateStatus,
    /// The holder's trainee login; `null` when the holder has none.
    pub holder_login: Option<String>,
    pub holder_name: String,
    pub person_id: String,
    pub cohort_id: String,
    pub enrolment_id: String,
    /// The certificates this one rests on.
    pub parent_ids: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
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

/// Certificates of one kind: how many there are, how many this run issued, and how many
/// requests the registry refused as not eligible.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Issued {
    pub count: Count,
    pub refused: usize,
}

impl Issued {
    fn line(self, label: &str) -> String {
        format!(
            "  {label}：{} 张（本次新增 {}；不符合条件未颁发 {} 人次）",
            self.count.total, self.count.created, self.refused
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
    /// Holders given a confirmed address (under example.org).
    pub addresses: Count,
    pub assessments: Count,
    /// Assessments not passed (among `assessments`).
    pub assessments_failed: usize,
    pub completion: Issued,
    pub specialty: Issued,
    pub skill_level: Issued,
    pub licence: Issued,
    pub suspended: Count,
    pub revoked: Count,
    /// Holders' photos uploaded (for the skill-level certificates).
    pub photos: Count,
    /// Issuing organisations' seal images uploaded.
    pub seals: Count,
    /// Training orders and the hires recorded against them.
    pub orders: Count,
    pub hires: Count,
    /// Apprenticeships: agreements, apprentices, apprenticeship certificates (their
    /// skill-level certificates count with the others) and the bureau's subsidy payments.
    pub apprenticeship_agreements: Count,
    pub apprentices: Count,
    pub apprenticeship: Issued,
    pub subsidy_payments: Count,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let suspended = format!("{}的证书", CertificateStatus::Suspended.label());
        let revoked = format!("{}的证书", CertificateStatus::Revoked.label());
        let lines = [
            self.organisations.line("机构", "个"),
            self.staff_accounts.line("工作人员账号", "个"),
            self.programs.line("培训项目", "个"),
            self.cohorts.line("培训班次", "个"),
            self.enrolments.line("报名", "人次"),
            self.withdrawals.line("退学", "人次"),
            self.results.line("已登记成绩", "条"),
            self.trainee_logins.line("学员登录账号", "个"),
            self.addresses.line("已确认邮箱的学员", "人"),
            self.seals.line("机构印章图片", "个"),
            self.photos.line("持证人照片", "张"),
            format!(
                "  考核评价：{} 人次（本次新增 {}；未通过 {}）",
                self.assessments.total, self.assessments.created, self.assessments_failed
            ),
            self.completion.line(CertificateKind::Completion.label()),
            self.specialty.line(CertificateKind::Specialty.label()),
            self.skill_level.line(CertificateKind::SkillLevel.label()),
            self.licence.line(CertificateKind::Licence.label()),
            self.suspended.line(&suspended, "张"),
            self.revoked.line(&revoked, "张"),
            self.orders.line("培训订单", "个"),
            self.hires.line("订单录用", "人"),
            self.apprenticeship_agreements.line("学徒培养协议", "份"),
            self.apprentices.line("学徒", "人"),
            self.apprenticeship
                .line(CertificateKind::Apprenticeship.label()),
            self.subsidy_payments.line("学徒培训补贴拨付", "笔"),
        ];
        writeln!(f, "演示数据已就绪（额尔古纳市）：")?;
        writeln!(f, "  学员：{} 人", self.people)?;
        write!(f, "{}", lines.join("\n"))
    }
}

/// Writes `data` as JSON to `path`, readable by the owner only: it holds passwords.
pub fn write(data: &DemoData, path: &Path) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(data)?;
    crate::private_files::replace(path, text.as_bytes())?;
    Ok(())
}
