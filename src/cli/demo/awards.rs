//! Issuing the demo's certificates through the issuing capability, each step in a
//! transaction: a cohort's completion certificates (as its provider), the specialty or
//! skill-level certificate of each passed assessment (as the evaluation organisation's
//! assessor), and the licence of each holder of the homestay specialty certificate (as
//! the licensing officer). Issuing is idempotent by its grounds, so a rerun is handed
//! what exists; a refusal is counted, not fatal. Then a couple of status changes, so the
//! verification pages have a suspended and a revoked certificate to show.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, TransactionTrait};

use super::{
    assessments::Assessed,
    explain,
    output::{DemoData, Issued, Summary},
};
use crate::{
    access::Caller,
    certificates::{
        CertificateStatus, IssueRequest, Services,
        issue::{self, issue_for_cohort},
        lifecycle::{self, StatusChange},
    },
    clock::Now,
    db::Db,
    error::AppError,
    programs::CertificateKind,
};

/// The callers that issue the assessed kinds and the licence, and what issuing needs.
pub struct Issuers<'a> {
    pub services: &'a Services,
    pub assessor: &'a Caller,
    pub officer: &'a Caller,
}

/// Issues the completion certificates the cohort's enrolments have earned, as the
/// provider. Returns the enrolments that hold one.
pub async fn completion(
    db: &Db,
    services: &Services,
    provider: &Caller,
    cohort: (&str, &str),
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<BTreeSet<String>> {
    let (code, id) = cohort;
    let txn = db.write.begin().await?;
    let report = issue_for_cohort(&txn, services, provider, id, now)
        .await
        .map_err(explain(format!(
            "issuing the completion certificates of {code}"
        )))?;
    txn.commit().await?;
    let tally = &mut data.summary.completion;
    for line in &report.issued {
        if line.newly_issued {
            tally.count.added();
        } else {
            tally.count.present();
        }
    }
    tally.refused += report.not_eligible.len();
    Ok(report.issued.into_iter().map(|l| l.enrolment_id).collect())
}

/// Issues a certificate of `kind` (specialty or skill level) on each passed assessment,
/// as the assessor. Returns the certificate ids by enrolment.
pub async fn on_assessments(
    db: &Db,
    issuers: &Issuers<'_>,
    kind: CertificateKind,
    assessed: &[Assessed],
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<BTreeMap<String, String>> {
    let txn = db.write.begin().await?;
    let mut held = BTreeMap::new();
    for a in assessed.iter().filter(|a| a.passed) {
        let request = IssueRequest {
            kind,
            enrolment_id: a.enrolment_id.clone(),
            assessment_id: Some(a.assessment_id.clone()),
            parent_ids: Vec::new(),
            valid_until: None,
        };
        if let Some(id) = issue_one(
            &txn,
            issuers.services,
            issuers.assessor,
            &request,
            data,
            now,
        )
        .await?
        {
            held.insert(a.enrolment_id.clone(), id);
        }
    }
    txn.commit().await?;
    Ok(held)
}

/// Issues the licence of each of these enrolments, valid until `valid_until`, as the
/// licensing officer.
pub async fn licences<'e>(
    db: &Db,
    issuers: &Issuers<'_>,
    enrolment_ids: impl IntoIterator<Item = &'e String>,
    valid_until: NaiveDate,
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<()> {
    let txn = db.write.begin().await?;
    for enrolment_id in enrolment_ids {
        let request = IssueRequest {
            kind: CertificateKind::Licence,
            enrolment_id: enrolment_id.clone(),
            assessment_id: None,
            parent_ids: Vec::new(),
            valid_until: Some(valid_until),
        };
        issue_one(&txn, issuers.services, issuers.officer, &request, data, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Issues one certificate, or finds the one its grounds already gave. Returns its id, or
/// `None` when the registry refuses it as not eligible.
async fn issue_one(
    conn: &impl ConnectionTrait,
    services: &Services,
    caller: &Caller,
    request: &IssueRequest,
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<Option<String>> {
    let tally = tally_of(&mut data.summary, request.kind);
    match issue::issue(conn, services, caller, request, now).await {
        Ok(issued) => {
            if issued.created {
                tally.count.added();
            } else {
                tally.count.present();
            }
            Ok(Some(issued.certificate.id))
        }
        Err(AppError::NotEligible { .. }) => {
            tally.refused += 1;
            Ok(None)
        }
        Err(e) => Err(explain(format!(
            "issuing a {} on enrolment {}",
            request.kind.label(),
            request.enrolment_id
        ))(e)),
    }
}

fn tally_of(summary: &mut Summary, kind: CertificateKind) -> &mut Issued {
    match kind {
        CertificateKind::Completion | CertificateKind::Apprenticeship => &mut summary.completion,
        CertificateKind::Specialty => &mut summary.specialty,
        CertificateKind::SkillLevel => &mut summary.skill_level,
        CertificateKind::Licence => &mut summary.licence,
    }
}

/// A status change the demo makes, on the last certificate of a kind in a cohort whose
/// holder has no login (so every trainee login shows an intact chain).
struct StatusExample {
    cohort: &'static str,
    kind: CertificateKind,
    change: StatusChange,
    reason: &'static str,
}

const STATUS_EXAMPLES: &[StatusExample] = &[
    StatusExample {
        cohort: "QMY-2026-02",
        kind: CertificateKind::Specialty,
        change: StatusChange::Revoke,
        reason: "考核材料弄虚作假，经查实撤销",
    },
    StatusExample {
        cohort: "MSZLR-2026-02",
        kind: CertificateKind::Licence,
        change: StatusChange::Suspend,
        reason: "证书信息核查中",
    },
];

/// Applies the status examples, in one transaction, and brings `certificates` up to
/// date. A change that already holds changes nothing.
pub async fn status_examples(
    db: &Db,
    issuers: &Issuers<'_>,
    today: NaiveDate,
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<()> {
    let txn = db.write.begin().await?;
    for example in STATUS_EXAMPLES {
        let Some(cohort_id) = data
            .cohorts
            .iter()
            .find(|c| c.code == example.cohort)
            .map(|c| c.id.clone())
        else {
            continue;
        };
        let Some(certificate) = data.certificates.iter_mut().rev().find(|c| {
            c.cohort_id == cohort_id && c.kind == example.kind && c.holder_login.is_none()
        }) else {
            continue;
        };
        let (target, count) = match example.change {
            StatusChange::Suspend => (CertificateStatus::Suspended, &mut data.summary.suspended),
            StatusChange::Revoke => (CertificateStatus::Revoked, &mut data.summary.revoked),
            StatusChange::Reinstate => continue,
        };
        let caller = match example.kind {
            CertificateKind::Licence => issuers.officer,
            _ => issuers.assessor,
        };
        let row = lifecycle::change(
            &txn,
            issuers.services,
            caller,
            &certificate.id,
            example.change,
            example.reason,
            now,
        )
        .await
        .map_err(explain(format!(
            "changing the status of certificate {}",
            certificate.number
        )))?;
        if certificate.status == target {
            count.present();
        } else {
            count.added();
        }
        certificate.status = CertificateStatus::current(&row, today)?;
    }
    txn.commit().await?;
    Ok(())
}
