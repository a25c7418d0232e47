//! Read-only look-ups by natural key, so the loader creates only what is missing.

use entities::{
    accounts as account, cohorts as cohort, enrolments as enrolment, organisations as organisation,
    people as person, programs as program,
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
