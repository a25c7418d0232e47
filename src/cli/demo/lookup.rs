//! Read-only look-ups by natural key, so the loader creates only what is missing.

use chrono::NaiveDate;
use entities::{
    accounts as account, assessments as assessment, certificate_parents as certificate_parent,
    certificates as certificate, cohorts as cohort, enrolments as enrolment,
    organisations as organisation, people as person, programs as program,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::people::PiiKeys;

pub async fn organisation_by_credit_code(
    conn: &impl ConnectionTrait,
    credit_code: &str,
) -> Result<Option<organisation::Model>, DbErr> {
    organisation::Entity::find()
        .filter(organisation::Column::CreditCode.eq(credit_code))
        .one(conn)
        .await
}

pub async fn account_by_login(
    conn: &impl ConnectionTrait,
    login: &str,
) -> Result<Option<account::Model>, DbErr> {
    account::Entity::find()
        .filter(account::Column::Login.eq(login))
        .one(conn)
        .await
}

pub async fn program_by_title(
    conn: &impl ConnectionTrait,
    provider_id: &str,
    title: &str,
) -> Result<Option<program::Model>, DbErr> {
    program::Entity::find()
        .filter(program::Column::ProviderId.eq(provider_id))
        .filter(program::Column::Title.eq(title))
        .one(conn)
        .await
}

pub async fn program_by_id(
    conn: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<program::Model>, DbErr> {
    program::Entity::find_by_id(id.to_owned()).one(conn).await
}

pub async fn cohort_by_code(
    conn: &impl ConnectionTrait,
    provider_id: &str,
    code: &str,
) -> Result<Option<cohort::Model>, DbErr> {
    cohort::Entity::find()
        .filter(cohort::Column::ProviderId.eq(provider_id))
        .filter(cohort::Column::Code.eq(code))
        .one(conn)
        .await
}

/// The person with this citizen ID, found through the blind index.
pub async fn person_by_citizen_id(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    citizen_id: &str,
) -> Result<Option<person::Model>, DbErr> {
    person::Entity::find()
        .filter(person::Column::CitizenIdIndex.eq(keys.blind_index(citizen_id)))
        .one(conn)
        .await
}

/// The enrolment of this person in this cohort, in any status.
pub async fn enrolment_of(
    conn: &impl ConnectionTrait,
    cohort_id: &str,
    person_id: &str,
) -> Result<Option<enrolment::Model>, DbErr> {
    enrolment::Entity::find()
        .filter(enrolment::Column::CohortId.eq(cohort_id))
        .filter(enrolment::Column::PersonId.eq(person_id))
        .one(conn)
        .await
}

/// Some person already in the database, if any.
pub async fn any_person(conn: &impl ConnectionTrait) -> Result<Option<person::Model>, DbErr> {
    person::Entity::find().one(conn).await
}

/// What an assessment examined: a local standard version, or an occupation at a level.
pub enum Subject<'a> {
    Standard { standard_id: &'a str },
    Level { occupation: &'a str, level: &'a str },
}

/// The assessment of this person by this organisation on this subject and day — the
/// natural key the registry refuses to record twice.
pub async fn assessment_of(
    conn: &impl ConnectionTrait,
    person_id: &str,
    evaluation_org_id: &str,
    subject: &Subject<'_>,
    assessed_on: NaiveDate,
) -> Result<Option<assessment::Model>, DbErr> {
    let query = assessment::Entity::find()
        .filter(assessment::Column::PersonId.eq(person_id))
        .filter(assessment::Column::EvaluationOrgId.eq(evaluation_org_id))
        .filter(assessment::Column::AssessedOn.eq(assessed_on));
    let query = match subject {
        Subject::Standard { standard_id } => {
            query.filter(assessment::Column::StandardId.eq(*standard_id))
        }
        Subject::Level { occupation, level } => query
            .filter(assessment::Column::OccupationCode.eq(*occupation))
            .filter(assessment::Column::LevelCode.eq(*level)),
    };
    query.one(conn).await
}

/// Every certificate issued on one of these enrolments.
pub async fn certificates_of_enrolments(
    conn: &impl ConnectionTrait,
    enrolment_ids: Vec<String>,
) -> Result<Vec<certificate::Model>, DbErr> {
    certificate::Entity::find()
        .filter(certificate::Column::EnrolmentId.is_in(enrolment_ids))
        .all(conn)
        .await
}

/// The parent links of these certificates, as (certificate, parent) pairs.
pub async fn parents_of(
    conn: &impl ConnectionTrait,
    certificate_ids: Vec<String>,
) -> Result<Vec<certificate_parent::Model>, DbErr> {
    certificate_parent::Entity::find()
        .filter(certificate_parent::Column::CertificateId.is_in(certificate_ids))
        .all(conn)
        .await
}

pub async fn people_by_ids(
    conn: &impl ConnectionTrait,
    ids: Vec<String>,
) -> Result<Vec<person::Model>, DbErr> {
    person::Entity::find()
        .filter(person::Column::Id.is_in(ids))
        .all(conn)
        .await
}

pub async fn accounts_by_ids(
    conn: &impl ConnectionTrait,
    ids: Vec<String>,
) -> Result<Vec<account::Model>, DbErr> {
    account::Entity::find()
        .filter(account::Column::Id.is_in(ids))
        .all(conn)
        .await
}
