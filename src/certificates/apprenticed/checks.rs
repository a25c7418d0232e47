//! What an apprenticeship lacks for a certificate: the agreement filed, the apprentice
//! not gone, and for the apprenticeship certificate the apprenticeship completed with
//! every milestone of the plan; for the skill-level certificate an assessment of this
//! apprentice at the agreement's occupation and target level, and the apprenticeship
//! certificate it rests on. Each refusal names what is missing, in Chinese.

use entities::assessments as assessment;
use sea_orm::ConnectionTrait;

use super::Apprenticed;
use crate::{
    apprenticeships::{AgreementStatus, ApprenticeStatus},
    certificates::grounds::{Missing, missing},
    error::AppError,
    programs::CertificateKind,
    standards::reference,
    stored::Stored,
};

/// What the agreement and the apprentice's record lack for a certificate of `kind`.
pub fn apprenticeship_checks(
    kind: CertificateKind,
    a: &Apprenticed,
) -> Result<Vec<Missing>, AppError> {
    let mut out = Vec::new();
    let agreement = AgreementStatus::read(
        "apprenticeship_agreements",
        &a.agreement.id,
        &a.agreement.status,
    )?;
    if agreement != AgreementStatus::Filed {
        out.push(missing(
            "agreement.status",
            "not_filed",
            format!("学徒培养协议当前状态为{}，尚未备案", agreement.label()),
        ));
    }
    let status = ApprenticeStatus::read("apprentices", &a.apprentice.id, &a.apprentice.status)?;
    if status == ApprenticeStatus::Left {
        let on = a
            .apprentice
            .left_on
            .map_or_else(String::new, |d| format!("已于{d}"));
        out.push(missing(
            "apprentice.status",
            "left",
            format!("学徒{on}中途退出，不能颁发{}", kind.label()),
        ));
        return Ok(out);
    }
    if kind != CertificateKind::Apprenticeship {
        return Ok(out);
    }
    if a.apprentice.completed_on.is_none() {
        out.push(missing(
            "apprentice.completed_on",
            "not_completed",
            format!(
                "学徒尚未登记结业（培养期至{}，当前状态为{}）",
                a.agreement.ends_on,
                status.label()
            ),
        ));
    }
    for m in &a.milestones {
        if !a.done.iter().any(|d| d.milestone_id == m.id) {
            out.push(missing(
                &format!("milestones.{}", m.position),
                "not_completed",
                format!("培养节点“{}”（应于{}完成）尚未完成", m.title, m.due_on),
            ));
        }
    }
    Ok(out)
}

/// The kinds a certificate of `kind` on an apprenticeship rests on: the skill-level
/// certificate on the apprenticeship certificate, as a cohort's on its completion.
pub fn required_parents(kind: CertificateKind) -> Vec<CertificateKind> {
    match kind {
        CertificateKind::SkillLevel => vec![CertificateKind::Apprenticeship],
        _ => Vec::new(),
    }
}

/// What an assessment lacks to ground the skill-level certificate of this apprenticeship:
/// it assessed this apprentice, at the agreement's target level.
pub async fn assessment_checks(
    conn: &impl ConnectionTrait,
    a: &Apprenticed,
    assessed: &assessment::Model,
    out: &mut Vec<Missing>,
) -> Result<(), AppError> {
    if assessed.apprentice_id.as_deref() != Some(a.apprentice.id.as_str()) {
        out.push(missing(
            "assessment.apprentice",
            "mismatch",
            "评价记录不是对该学徒的评价",
        ));
    }
    if assessed.level_code.as_deref() != Some(a.agreement.target_level.as_str()) {
        let target = reference::skill_level(conn, &a.agreement.target_level)
            .await?
            .map_or_else(|| a.agreement.target_level.clone(), |l| l.label);
        out.push(missing(
            "assessment.level",
            "mismatch",
            format!("评价记录的等级与学徒培养的目标等级（{target}）不一致"),
        ));
    }
    Ok(())
}
