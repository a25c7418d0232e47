//! Loading the cohorts and their trainees — enrolment, results, withdrawals and trainee
//! logins — as the provider's staff account, one transaction per cohort.

use std::collections::BTreeMap;

use anyhow::Context;
use entities::{accounts as account, cohorts as cohort, enrolments};
use sea_orm::{DatabaseTransaction, TransactionTrait};
use secrecy::SecretString;

use super::{
    credentials::Credentials,
    explain, lookup,
    output::{AccountOut, CohortOut, DemoData, ProgramOut, TraineeOut},
    schedule::CohortSpec,
    trainees::{Outcome, Trainee},
};
use crate::{
    access::{Caller, Role},
    clock::Now,
    cohorts::{self, CohortInput, EnrolmentStatus, enrolment},
    db::Db,
    error::AppError,
    people::{PiiKeys, store},
    stored::Stored,
};

/// What one cohort's load needs besides the database.
pub struct Class<'a> {
    pub keys: &'a PiiKeys,
    pub caller: &'a Caller,
    pub program: &'a ProgramOut,
    pub evaluation_org_id: &'a str,
    /// When the cohort is opened and its trainees enrolled (and some withdraw).
    pub opened: Now,
    /// When the results are recorded: the cohort's last day.
    pub closed: Now,
}

/// One trainee's enrolment in a loaded cohort.
#[derive(Debug, Clone)]
pub struct Enrolled {
    pub enrolment_id: String,
    pub person_id: String,
}

/// Creates (or finds, by provider and code) the cohort and brings each trainee to their
/// planned state, in one transaction. Returns the cohort's id and each trainee's
/// enrolment, in the order of `trainees`.
pub async fn load(
    db: &Db,
    cx: &Class<'_>,
    spec: &CohortSpec,
    trainees: &[Trainee],
    credentials: &mut Credentials,
    data: &mut DemoData,
) -> anyhow::Result<(String, Vec<Enrolled>)> {
    let txn = db.write.begin().await?;
    let provider_id = cx.caller.organisation_id.clone().unwrap_or_default();
    let cohort = match lookup::row_where(
        &txn,
        [
            (cohort::Column::ProviderId, provider_id.as_str()),
            (cohort::Column::Code, spec.code.as_str()),
        ],
    )
    .await?
    {
        Some(row) => {
            data.summary.cohorts.present();
            row
        }
        None => {
            let input = CohortInput {
                program_id: cx.program.id.clone(),
                code: spec.code.to_owned(),
                starts_on: spec.starts_on,
                ends_on: spec.ends_on,
                capacity: spec.capacity,
                location: spec.location.clone(),
                teachers: spec.teachers.clone(),
                evaluation_org_id: Some(cx.evaluation_org_id.to_owned()),
            };
            let created = cohorts::create(&txn, &cx.caller.actor(), &provider_id, input, cx.opened)
                .await
                .map_err(explain(format!("opening cohort {}", spec.code)))?;
            data.summary.cohorts.added();
            lookup::row_where(
                &txn,
                [
                    (cohort::Column::ProviderId, provider_id.as_str()),
                    (cohort::Column::Code, created.code.as_str()),
                ],
            )
            .await?
            .context("the cohort just created is missing")?
        }
    };
    let mut enrolled = 0;
    let mut withdrawn = 0;
    let mut enrolments = Vec::with_capacity(trainees.len());
    for trainee in trainees {
        let row = load_trainee(&txn, cx, &cohort.id, trainee, credentials, data)
            .await
            .with_context(|| format!("cohort {}", spec.code))?;
        if EnrolmentStatus::of(&row)? == EnrolmentStatus::Withdrawn {
            withdrawn += 1;
        } else {
            enrolled += 1;
        }
        enrolments.push(Enrolled {
            enrolment_id: row.id,
            person_id: row.person_id,
        });
    }
    txn.commit().await?;
    let id = cohort.id.clone();
    data.cohorts.push(CohortOut {
        id: cohort.id,
        code: cohort.code,
        program_id: cohort.program_id,
        provider_id: cohort.provider_id,
        standard_code: cx.program.standard_code.clone(),
        starts_on: cohort.starts_on,
        ends_on: cohort.ends_on,
        capacity: u32::try_from(cohort.capacity).unwrap_or_default(),
        location: cohort.location,
        evaluation_org_id: cohort.evaluation_org_id,
        enrolled,
        withdrawn,
    });
    Ok((id, enrolments))
}

/// The enrolment of this trainee in the cohort, if there is one already.
async fn existing_enrolment(
    txn: &DatabaseTransaction,
    keys: &PiiKeys,
    cohort_id: &str,
    trainee: &Trainee,
) -> anyhow::Result<Option<enrolments::Model>> {
    let Some(person) = lookup::person_by_citizen_id(txn, keys, &trainee.person.citizen_id).await?
    else {
        return Ok(None);
    };
    Ok(lookup::row_where(
        txn,
        [
            (enrolments::Column::CohortId, cohort_id),
            (enrolments::Column::PersonId, person.id.as_str()),
        ],
    )
    .await?)
}

/// Enrols the trainee unless enrolled (or withdrawn) already, then withdraws them or
/// records their result if that has not happened yet. Returns the enrolment, with its
/// status as it is now.
async fn load_trainee(
    txn: &DatabaseTransaction,
    cx: &Class<'_>,
    cohort_id: &str,
    trainee: &Trainee,
    credentials: &mut Credentials,
    data: &mut DemoData,
) -> anyhow::Result<enrolments::Model> {
    let who = &trainee.person.name;
    let mut row = match existing_enrolment(txn, cx.keys, cohort_id, trainee).await? {
        Some(row) => {
            data.summary.enrolments.present();
            row
        }
        None => {
            match enrolment::enrol(
                txn,
                cx.keys,
                cx.caller,
                cohort_id,
                trainee.person.identity(),
                cx.opened,
            )
            .await
            {
                Ok(_) => data.summary.enrolments.added(),
                // Someone enrolled them between the look-up and now: present all the same.
                Err(AppError::Conflict {
                    code: "already_enrolled",
                    ..
                }) => data.summary.enrolments.present(),
                Err(e) => return Err(explain(format!("enrolling {who}"))(e)),
            }
            existing_enrolment(txn, cx.keys, cohort_id, trainee)
                .await?
                .with_context(|| format!("the enrolment of {who} is missing after enrolling"))?
        }
    };
    let enrolled = EnrolmentStatus::of(&row)? == EnrolmentStatus::Enrolled;
    match &trainee.outcome {
        Outcome::Withdrawn(reason) if enrolled => {
            let view = enrolment::withdraw(txn, cx.keys, cx.caller, &row.id, reason, cx.opened)
                .await
                .map_err(explain(format!("withdrawing {who}")))?;
            data.summary.withdrawals.added();
            row.status = view.status.as_str().to_owned();
        }
        Outcome::Withdrawn(_) => data.summary.withdrawals.present(),
        Outcome::Result(result) if enrolled && row.result_recorded_at.is_none() => {
            enrolment::record_result(txn, cx.keys, cx.caller, &row.id, result.clone(), cx.closed)
                .await
                .map_err(explain(format!("recording the result of {who}")))?;
            data.summary.results.added();
        }
        Outcome::Result(_) if row.result_recorded_at.is_some() => data.summary.results.present(),
        Outcome::Result(_) => {}
    }
    if let Some(login) = &trainee.login {
        trainee_login(txn, cx, &row, trainee, login, credentials, data).await?;
    }
    Ok(row)
}

/// Gives the trainee their login unless they have one.
async fn trainee_login(
    txn: &DatabaseTransaction,
    cx: &Class<'_>,
    row: &enrolments::Model,
    trainee: &Trainee,
    login: &str,
    credentials: &mut Credentials,
    data: &mut DemoData,
) -> anyhow::Result<()> {
    let password = match lookup::row_where(txn, [(account::Column::Login, login)]).await? {
        Some(account) if Role::read("accounts", &account.id, &account.role)? == Role::Trainee => {
            data.summary.trainee_logins.present();
            credentials.get(login)
        }
        Some(account) => anyhow::bail!(
            "login {login} already belongs to a {} account",
            account.role
        ),
        None => {
            let password = credentials.get_or_generate(login);
            credentials.save()?;
            store::create_login(
                txn,
                cx.caller,
                &row.person_id,
                login.to_owned(),
                SecretString::from(password.clone()),
                cx.opened,
            )
            .await
            .map_err(explain(format!("giving {} a login", trainee.person.name)))?;
            data.summary.trainee_logins.added();
            Some(password)
        }
    };
    data.accounts.push(AccountOut {
        login: login.to_owned(),
        password: password.clone(),
        role: Role::Trainee,
        organisation_id: None,
        display_name: trainee.person.name.clone(),
    });
    data.trainees.push(TraineeOut {
        login: login.to_owned(),
        password,
        name: trainee.person.name.clone(),
        person_id: row.person_id.clone(),
        cohort_id: row.cohort_id.clone(),
        enrolment_id: row.id.clone(),
    });
    Ok(())
}

/// Distinct people across the data set, by citizen ID.
pub fn people_count(all: &BTreeMap<&str, Vec<Trainee>>) -> usize {
    let mut ids: Vec<&str> = all
        .values()
        .flatten()
        .map(|t| t.person.citizen_id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}
