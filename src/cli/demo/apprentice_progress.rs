//! The demo apprentices' progress, dated: milestones on their due days (the mentor's side
//! and the teacher's in turn), leaving or completing, and for a certified completion the
//! apprenticeship certificate, the evaluation organisation's assessment, the photo and
//! the skill-level certificate. Every step is idempotent.

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::NaiveDate;

use super::{
    acting,
    apprenticeships::{AgreementSpec, ApprenticeSpec, Fate},
    classes::Enrolled,
    lookup,
    orders::{day, step},
    output::{DemoData, Issued},
    pictures,
};
use crate::{
    access::Caller,
    apprenticeships::{
        self, ApprenticeStatus,
        apprentices::Apprentice,
        progress::{
            self, DatedInput, MilestoneDoneInput,
            assessment::{self, ApprenticeAssessmentInput},
        },
    },
    certificates::{
        Services,
        apprenticed::{self, ApprenticeCertificateRequest},
    },
    clock::Now,
    db::Db,
    programs::CertificateKind,
};

/// Milestones (the mentor's side first, then the teacher's, each on its due day), then
/// leaving or completing, then the certificates of a certified completion.
#[expect(
    clippy::too_many_arguments,
    reason = "the demo's context, the agreement and the apprentice: each is needed"
)]
pub(super) async fn progress_of(
    db: &Db,
    services: &Services,
    callers: &BTreeMap<&'static str, Caller>,
    spec: &AgreementSpec,
    agreement: &apprenticeships::Agreement,
    a: &ApprenticeSpec,
    row: &Apprentice,
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<()> {
    let keys = services.pii.as_ref();
    let employer = acting(callers, spec.employer)?;
    let provider = acting(callers, spec.provider)?;
    let done = match a.fate {
        Fate::Training(n) | Fate::Left(_, _, n) => n,
        Fate::Completed(..) => agreement.milestones.len(),
    };
    for (i, m) in agreement.milestones.iter().take(done).enumerate() {
        if m.due_on > now.today {
            break;
        }
        let by = if i % 2 == 0 { employer } else { provider };
        let input = MilestoneDoneInput {
            completed_on: m.due_on,
        };
        let ids = (agreement.id.as_str(), row.id.as_str(), m.id.as_str());
        step(db, "completing a milestone", async |txn| {
            progress::complete_milestone(txn, keys, by, ids, input, now.back_to(m.due_on, 17)).await
        })
        .await?;
    }
    let (on, reason, certified) = match a.fate {
        Fate::Training(_) => return Ok(()),
        Fate::Left(on, reason, _) => (day(on)?, reason, false),
        Fate::Completed(on, certified) => (day(on)?, "", certified),
    };
    if on > now.today {
        return Ok(());
    }
    let input = DatedInput {
        on,
        reason: reason.into(),
    };
    let dated = now.back_to(on, 16);
    let leaving = matches!(a.fate, Fate::Left(..));
    let after = step(db, "recording an apprentice's end", async |txn| {
        if leaving {
            progress::leave(txn, keys, employer, &agreement.id, &row.id, input, dated).await
        } else {
            progress::complete(txn, keys, employer, &agreement.id, &row.id, input, dated).await
        }
    })
    .await?;
    if certified && after.status == ApprenticeStatus::Completed {
        certify(
            db, services, callers, spec, agreement, &after, on, data, now,
        )
        .await?;
    }
    Ok(())
}

/// The apprenticeship certificate three days after completion, the evaluation
/// organisation's assessment ten days after it, the photo and the skill-level
/// certificate a week after the assessment.
#[expect(
    clippy::too_many_arguments,
    reason = "the demo's context, the agreement and the apprentice: each is needed"
)]
async fn certify(
    db: &Db,
    services: &Services,
    callers: &BTreeMap<&'static str, Caller>,
    spec: &AgreementSpec,
    agreement: &apprenticeships::Agreement,
    row: &Apprentice,
    completed: NaiveDate,
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<()> {
    let after = |days: u64, hour: u32| -> anyhow::Result<Now> {
        let d = completed
            .checked_add_days(chrono::Days::new(days))
            .context("a date")?;
        Ok(now.back_to(d, hour))
    };
    let ids = (agreement.id.as_str(), row.id.as_str());
    let provider = acting(callers, spec.provider)?;
    let assessor = acting(callers, "evaluator")?;
    let request = |kind| ApprenticeCertificateRequest {
        kind,
        assessment_id: None,
    };
    let issued_on = after(3, 10)?;
    if issued_on.today > now.today {
        return Ok(());
    }
    let issued = step(db, "issuing an apprenticeship certificate", async |txn| {
        apprenticed::issue(
            txn,
            services,
            provider,
            ids,
            &request(CertificateKind::Apprenticeship),
            issued_on,
        )
        .await
    })
    .await?;
    count(&mut data.summary.apprenticeship, issued.created);
    let assessed = after(10, 9)?;
    let org = assessor.organisation_id.clone().context("the evaluator")?;
    let subject = lookup::Subject::Level {
        occupation: spec.occupation,
        level: spec.level,
    };
    let existing =
        lookup::assessment_of(&db.read, &row.person.id, &org, &subject, assessed.today).await?;
    if existing.is_none() {
        let input = ApprenticeAssessmentInput {
            theory_score: 84,
            practical_score: 90,
            assessed_on: assessed.today,
            examiners: vec!["杨立新".into(), "吴秀英".into(), "宝音".into()],
        };
        step(db, "assessing an apprentice", async |txn| {
            assessment::record(txn, assessor, ids, input, assessed).await
        })
        .await?;
        data.summary.assessments.added();
    } else {
        data.summary.assessments.present();
    }
    let certified = after(17, 10)?;
    let holder = [Enrolled {
        enrolment_id: String::new(),
        person_id: row.person.id.clone(),
    }];
    let bureau = acting(callers, "bureau")?;
    pictures::photos(db, services.pii.as_ref(), bureau, &holder, data, certified).await?;
    let issued = step(
        db,
        "issuing an apprentice's skill-level certificate",
        async |txn| {
            apprenticed::issue(
                txn,
                services,
                assessor,
                ids,
                &request(CertificateKind::SkillLevel),
                certified,
            )
            .await
        },
    )
    .await?;
    count(&mut data.summary.skill_level, issued.created);
    Ok(())
}

fn count(issued: &mut Issued, created: bool) {
    if created {
        issued.count.added();
    } else {
        issued.count.present();
    }
}
