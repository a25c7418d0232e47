//! The evaluation organisation's examination of the trainees who earned their completion
//! certificate: one examination day a week after the cohort ends, against the program's
//! pinned local standard or its occupation and level, by the program's examiners. Scores
//! come from the cohort's seed; most pass, a few fail a part. Trainees with a login always
//! pass, so each of them holds a whole chain to show.

use std::collections::BTreeSet;

use anyhow::Context;
use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng, rngs::StdRng};
use sea_orm::{DatabaseTransaction, TransactionTrait};

use super::{
    catalogue::{ProgramSpec, Target},
    classes::Enrolled,
    explain, lookup,
    lookup::Subject,
    output::DemoData,
    schedule::CohortSpec,
    trainees::Trainee,
};
use crate::{
    access::Caller,
    clock::Now,
    cohorts::assessment::{self, AssessmentInput, PASS_MARK},
    db::Db,
    error::AppError,
};

/// Days between the last day of training and the examination.
pub const DAYS_TO_EXAMINATION: u64 = 7;

/// One examined enrolment.
pub struct Assessed {
    pub enrolment_id: String,
    pub assessment_id: String,
    pub passed: bool,
}

/// What one cohort's examination needs besides the database.
pub struct Exam<'a> {
    pub assessor: &'a Caller,
    pub cohort: &'a CohortSpec,
    pub program: &'a ProgramSpec,
    /// The program as stored, for its pinned standard.
    pub program_row: &'a entities::programs::Model,
    pub today: NaiveDate,
}

impl Exam<'_> {
    /// The examination day, unless it is still to come.
    pub fn day(&self) -> Option<NaiveDate> {
        self.cohort
            .ends_on
            .checked_add_days(Days::new(DAYS_TO_EXAMINATION))
            .filter(|d| *d <= self.today)
    }

    fn level(&self) -> Option<&'static str> {
        match self.program.target {
            Target::Standard(_) => None,
            Target::Occupation { level, .. } => Some(level),
        }
    }
}

/// Examines every trainee of the cohort whose enrolment is in `completed`, unless already
/// examined that day, in one transaction. Returns the assessments in trainee order.
pub async fn examine(
    db: &Db,
    exam: &Exam<'_>,
    trainees: &[Trainee],
    enrolled: &[Enrolled],
    completed: &BTreeSet<String>,
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<Vec<Assessed>> {
    let Some(day) = exam.day() else {
        return Ok(Vec::new());
    };
    let mut rng = StdRng::seed_from_u64(exam.cohort.seed ^ 0x6578_616d_0000);
    let txn = db.write.begin().await?;
    let mut out = Vec::new();
    for (trainee, enrolment) in trainees.iter().zip(enrolled) {
        if !completed.contains(&enrolment.enrolment_id) {
            continue;
        }
        let (theory, practical) = scores(&mut rng, trainee.login.is_some());
        let row = match existing(&txn, exam, enrolment, day).await? {
            Some(row) => {
                data.summary.assessments.present();
                row
            }
            None => {
                let input = AssessmentInput {
                    enrolment_id: enrolment.enrolment_id.clone(),
                    level: exam.level().map(str::to_owned),
                    theory_score: theory,
                    practical_score: practical,
                    assessed_on: day,
                    examiners: exam
                        .program
                        .examiners
                        .iter()
                        .map(|e| (*e).to_owned())
                        .collect(),
                };
                match assessment::record(&txn, exam.assessor, input, now.back_to(day, 17)).await {
                    Ok(_) => data.summary.assessments.added(),
                    // Recorded between the look-up and now: present all the same.
                    Err(AppError::Conflict {
                        code: "assessment_exists",
                        ..
                    }) => data.summary.assessments.present(),
                    Err(e) => {
                        let who = &trainee.person.name;
                        return Err(explain(format!("assessing {who}"))(e));
                    }
                }
                existing(&txn, exam, enrolment, day)
                    .await?
                    .with_context(|| {
                        format!("the assessment of {} is missing", trainee.person.name)
                    })?
            }
        };
        if !row.passed {
            data.summary.assessments_failed += 1;
        }
        out.push(Assessed {
            enrolment_id: enrolment.enrolment_id.clone(),
            assessment_id: row.id,
            passed: row.passed,
        });
    }
    txn.commit().await?;
    Ok(out)
}

/// The assessment of this enrolment's person on the examination day, if recorded.
async fn existing(
    txn: &DatabaseTransaction,
    exam: &Exam<'_>,
    enrolment: &Enrolled,
    day: NaiveDate,
) -> anyhow::Result<Option<entities::assessments::Model>> {
    let org = exam
        .assessor
        .organisation_id
        .as_deref()
        .context("the assessor has no organisation")?;
    let subject = match (
        exam.level(),
        &exam.program_row.occupation_code,
        &exam.program_row.standard_id,
    ) {
        (Some(level), Some(occupation), _) => Subject::Level { occupation, level },
        (None, _, Some(standard_id)) => Subject::Standard { standard_id },
        _ => anyhow::bail!(
            "program {} has neither a standard nor an occupation",
            exam.program.title
        ),
    };
    Ok(lookup::assessment_of(txn, &enrolment.person_id, org, &subject, day).await?)
}

/// Theory and practical scores: most often in the high 70s; about one in ten fails a
/// part, unless `must_pass`. Always draws the same amount of randomness.
fn scores(rng: &mut StdRng, must_pass: bool) -> (u32, u32) {
    let mut passing = || (rng.gen_range(PASS_MARK..=97) + rng.gen_range(PASS_MARK + 4..=99)) / 2;
    let (mut theory, mut practical) = (passing(), passing());
    let roll = rng.gen_range(0..100);
    let failing = rng.gen_range(38..PASS_MARK);
    match roll {
        _ if must_pass => {}
        0..=5 => theory = failing,
        6..=9 => practical = failing,
        _ => {}
    }
    (theory, practical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_pass_a_few_fail_and_those_who_must_pass_do() {
        let mut rng = StdRng::seed_from_u64(7);
        let results: Vec<(u32, u32)> = (0..1000).map(|_| scores(&mut rng, false)).collect();
        let failed = results
            .iter()
            .filter(|(t, p)| *t < PASS_MARK || *p < PASS_MARK)
            .count();
        assert!((50..=160).contains(&failed), "{failed} of 1000 failed");
        assert!(results.iter().all(|(t, p)| *t <= 100 && *p <= 100));
        let mut rng = StdRng::seed_from_u64(7);
        assert!((0..1000).all(|_| {
            let (t, p) = scores(&mut rng, true);
            t >= PASS_MARK && p >= PASS_MARK
        }));
    }
}
