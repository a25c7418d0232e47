//! Checking grounds against the program's rule: every unmet requirement becomes a
//! [`Missing`] with the figures, and the parent certificates that meet the rule's
//! requirements are found among the holder's valid certificates. The paper's own needs
//! are checked here too: a skill-level certificate prints the holder's photo, a licence
//! its own name; the pictures are read once, for the freezer ([`Paper`]).

use sea_orm::ConnectionTrait;

use super::{
    CertificateStatus,
    apprenticed::checks,
    freeze::Paper,
    grounds::{Grounds, Missing, Training, missing},
};
use crate::{
    cohorts::{EnrolmentStatus, assessment::PASS_MARK},
    error::AppError,
    organisations::seal,
    people::photo,
    programs::{CertificateKind, CertificateRule},
    standards::{self, reference},
    stored::Stored,
};
use chrono::NaiveDate;
use entities::{cohorts as cohort, enrolments as enrolment, programs as program};

fn score_checks(
    out: &mut Vec<Missing>,
    prefix: &str,
    rule: &CertificateRule,
    theory: Option<i32>,
    practical: Option<i32>,
) {
    for (name, label, min, got) in [
        ("theory_score", "理论成绩", rule.min_theory_score, theory),
        (
            "practical_score",
            "实操成绩",
            rule.min_practical_score,
            practical,
        ),
    ] {
        let Some(min) = min else { continue };
        let field = format!("{prefix}.{name}");
        match got {
            None => out.push(missing(&field, "not_recorded", format!("尚未登记{label}"))),
            Some(s) if (s as u32) < min => out.push(missing(
                &field,
                "below_minimum",
                format!("{label}{s}分，低于要求的{min}分"),
            )),
            Some(_) => {}
        }
    }
}

/// The outcome of checking grounds: what is missing (empty when the certificate may be
/// issued) and the parent certificates the rule's requirements are met by.
pub struct Check {
    pub missing: Vec<Missing>,
    pub parents: Vec<String>,
    /// The pictures the paper prints.
    pub paper: Paper,
}

/// Checks every requirement of the program's rule against the grounds.
pub async fn check(
    conn: &impl ConnectionTrait,
    g: &Grounds,
    today: NaiveDate,
) -> Result<Check, AppError> {
    let mut out = Vec::new();
    let mut parents = Vec::new();
    let required = match &g.training {
        Training::Enrolment(e) => {
            let Some(rule) = &g.rule else {
                out.push(not_offered(g.kind));
                return Ok(Check {
                    missing: out,
                    parents,
                    paper: Paper::default(),
                });
            };
            out.extend(enrolment_checks(
                g.kind,
                rule,
                &e.program,
                &e.cohort,
                &e.enrolment,
                today,
            )?);
            required_parents(g.kind, rule)
        }
        Training::Apprenticeship(a) => {
            out.extend(checks::apprenticeship_checks(g.kind, a)?);
            checks::required_parents(g.kind)
        }
    };
    let rule = g.rule.as_ref();
    match g.kind {
        CertificateKind::Completion | CertificateKind::Apprenticeship => {}
        CertificateKind::Specialty | CertificateKind::SkillLevel => {
            check_assessment(conn, g, rule, &mut out).await?
        }
        CertificateKind::Licence => match g.valid_until {
            None => out.push(missing(
                "valid_until",
                "required",
                "请填写准入类证书的有效期截止日期",
            )),
            Some(d) if d <= today => out.push(missing(
                "valid_until",
                "in_the_past",
                "有效期截止日期须晚于今天",
            )),
            Some(_) => {}
        },
    }
    for kind in required {
        match parent_for(conn, g, kind, today).await? {
            Some(id) => parents.push(id),
            None => out.push(missing_parent(kind, &parent_description(g, kind))),
        }
    }
    let paper = paper_of(conn, g, rule, &mut out).await?;
    Ok(Check {
        missing: out,
        parents,
        paper,
    })
}

/// The kinds a certificate of `kind` under `rule` rests on: the rule's own, and a
/// completion certificate under every skill-level certificate.
pub fn required_parents(kind: CertificateKind, rule: &CertificateRule) -> Vec<CertificateKind> {
    let mut required = rule.requires.clone();
    if kind == CertificateKind::SkillLevel && !required.contains(&CertificateKind::Completion) {
        required.push(CertificateKind::Completion);
    }
    required
}

/// The holder lacks a valid parent of `kind` (`description` names it).
pub fn missing_parent(kind: CertificateKind, description: &str) -> Missing {
    missing(
        &format!("parents.{}", kind.as_str()),
        "missing",
        format!("缺少有效的前置证书：{description}"),
    )
}

/// A program without a rule for `kind` does not lead to it.
pub fn not_offered(kind: CertificateKind) -> Missing {
    missing(
        "kind",
        "not_offered",
        format!("该培训项目不颁发{}", kind.label()),
    )
}

/// What the enrolment's own record lacks for a certificate of `kind` under `rule`: the
/// trainee withdrew; for a completion (or apprenticeship) certificate, the cohort has not
/// ended, or the attendance or scores fall short. Reads nothing, so a list of enrolments
/// (a trainee's records) is judged by the same words without a query per row.
pub fn enrolment_checks(
    kind: CertificateKind,
    rule: &CertificateRule,
    program: &program::Model,
    cohort: &cohort::Model,
    enrolment: &enrolment::Model,
    today: NaiveDate,
) -> Result<Vec<Missing>, AppError> {
    let mut out = Vec::new();
    if EnrolmentStatus::of(enrolment)? == EnrolmentStatus::Withdrawn {
        out.push(missing("enrolment.status", "withdrawn", "学员已退学"));
    }
    if !matches!(
        kind,
        CertificateKind::Completion | CertificateKind::Apprenticeship
    ) {
        return Ok(out);
    }
    if today < cohort.ends_on {
        out.push(missing(
            "cohort.ends_on",
            "not_ended",
            format!("班期{}结束，结束前不能颁发{}", cohort.ends_on, kind.label()),
        ));
    }
    if let Some(pct) = rule.min_attendance_percent {
        let needed = (program.hours as u32 * pct).div_ceil(100);
        match enrolment.attended_hours {
            None => out.push(missing(
                "enrolment.attended_hours",
                "not_recorded",
                "尚未登记出勤学时",
            )),
            Some(h) if (h as u32) < needed => out.push(missing(
                "enrolment.attended_hours",
                "below_minimum",
                format!(
                    "出勤{h}学时，不足要求的{needed}学时（项目{}学时的{pct}%）",
                    program.hours
                ),
            )),
            Some(_) => {}
        }
    }
    score_checks(
        &mut out,
        "enrolment",
        rule,
        enrolment.theory_score,
        enrolment.practical_score,
    );
    Ok(out)
}

/// Reads the pictures the paper prints, and refuses a certificate whose paper would lack
/// what its kind must show.
async fn paper_of(
    conn: &impl ConnectionTrait,
    g: &Grounds,
    rule: Option<&CertificateRule>,
    out: &mut Vec<Missing>,
) -> Result<Paper, AppError> {
    let photo_sealed = photo::sealed_of(conn, &g.person.id).await?;
    if g.kind == CertificateKind::SkillLevel && photo_sealed.is_none() {
        out.push(missing(
            "person.photo",
            "missing",
            "职业技能等级证书须印有持证人照片（人社鉴发〔2021〕1号），请先上传该学员的照片",
        ));
    }
    if g.kind == CertificateKind::Licence && rule.is_none_or(|r| r.licence_title.is_none()) {
        out.push(missing(
            "rule.licence_title",
            "missing",
            "培训项目的准入类证书规则未写明证书名称，无法印制证书标题",
        ));
    }
    Ok(Paper {
        photo_sealed,
        seal_png: seal::png_of(conn, &g.issuer.id).await?,
    })
}

/// The pictures a certificate on `g` prints, read without judging them: a re-issue
/// prints the holder's photo and the issuer's seal as they are now.
pub async fn pictures(conn: &impl ConnectionTrait, g: &Grounds) -> Result<Paper, AppError> {
    Ok(Paper {
        photo_sealed: photo::sealed_of(conn, &g.person.id).await?,
        seal_png: seal::png_of(conn, &g.issuer.id).await?,
    })
}

async fn check_assessment(
    conn: &impl ConnectionTrait,
    g: &Grounds,
    rule: Option<&CertificateRule>,
    out: &mut Vec<Missing>,
) -> Result<(), AppError> {
    let Some(a) = &g.assessment else {
        out.push(missing(
            "assessment_id",
            "required",
            "缺少评价记录（请先登记考核成绩）",
        ));
        return Ok(());
    };
    if a.person_id != g.person.id {
        out.push(missing(
            "assessment.person",
            "mismatch",
            "评价记录不属于该学员",
        ));
    }
    let program_standard = g.enrolled().and_then(|e| e.program.standard_id.as_ref());
    if g.kind == CertificateKind::Specialty {
        if program_standard.is_none() || a.standard_id.as_ref() != program_standard {
            out.push(missing(
                "assessment.standard",
                "mismatch",
                "评价记录所依据的考核规范版本与培训项目不一致",
            ));
        }
    } else {
        if a.occupation_code.is_none() || a.occupation_code.as_deref() != g.occupation_code() {
            out.push(missing(
                "assessment.occupation",
                "mismatch",
                match g.apprenticed() {
                    Some(_) => "评价记录的职业与学徒培养协议的职业不一致",
                    None => "评价记录的职业与培训项目不一致",
                },
            ));
        }
        if let Some(apprenticed) = g.apprenticed() {
            checks::assessment_checks(conn, apprenticed, a, out).await?;
        }
        let level = match &a.level_code {
            Some(code) => reference::skill_level(conn, code).await?,
            None => None,
        };
        if level.as_ref().and_then(|l| l.national_digit).is_none() {
            out.push(missing(
                "assessment.level",
                "no_national_level",
                "职业技能等级证书仅适用于五级至一级",
            ));
        }
        if g.issuer.national_code.is_none() || g.issuer.site_code.is_none() {
            out.push(missing(
                "issuer.national_code",
                "missing",
                "评价机构尚未登记机构代码和评价站点代码，无法编制证书编号",
            ));
        }
    }
    if !a.passed {
        out.push(missing(
            "assessment.passed",
            "not_passed",
            format!(
                "评价未通过（理论{}分、实操{}分，及格线{PASS_MARK}分）",
                a.theory_score, a.practical_score
            ),
        ));
    }
    if let Some(rule) = rule {
        score_checks(
            out,
            "assessment",
            rule,
            Some(a.theory_score),
            Some(a.practical_score),
        );
    }
    Ok(())
}

/// The holder's valid certificate of `kind` that meets the requirement, if any.
async fn parent_for(
    conn: &impl ConnectionTrait,
    g: &Grounds,
    kind: CertificateKind,
    today: NaiveDate,
) -> Result<Option<String>, AppError> {
    for parent in &g.parents {
        let usable = CertificateKind::read("certificates", &parent.id, &parent.kind)? == kind
            && CertificateStatus::current(parent, today)? == CertificateStatus::Valid;
        if !usable {
            continue;
        }
        let matches = match kind {
            CertificateKind::Completion => g
                .enrolled()
                .is_some_and(|e| parent.enrolment_id.as_deref() == Some(e.enrolment.id.as_str())),
            CertificateKind::Specialty => match (&parent.standard_id, &g.standard) {
                (Some(id), Some(wanted)) => standards::by_id(conn, id)
                    .await?
                    .is_some_and(|s| s.spec.code == wanted.spec.code),
                _ => false,
            },
            CertificateKind::SkillLevel => {
                parent.occupation_code.is_some()
                    && parent.occupation_code.as_deref() == g.occupation_code()
            }
            CertificateKind::Apprenticeship => g
                .apprenticed()
                .is_none_or(|a| parent.apprentice_id.as_deref() == Some(a.apprentice.id.as_str())),
            CertificateKind::Licence => true,
        };
        if matches {
            return Ok(Some(parent.id.clone()));
        }
    }
    Ok(None)
}

fn parent_description(g: &Grounds, kind: CertificateKind) -> String {
    match (kind, &g.standard) {
        (CertificateKind::Specialty, Some(s)) => format!("{}（{}）", kind.label(), s.spec.name),
        (CertificateKind::Completion, _) => format!("{}（本次培训）", kind.label()),
        (CertificateKind::Apprenticeship, _) if g.apprenticed().is_some() => {
            format!("{}（本次学徒培养）", kind.label())
        }
        _ => kind.label().to_owned(),
    }
}
