//! The mail enrolment sends the trainee (to a confirmed address only): "you are
//! enrolled", with the cohort's dates and place and the enrolment number that opens their
//! account. Queued in the enrolment's transaction.

use entities::{
    cohorts as cohort, enrolments as enrolment, organisations as organisation, people as person,
    programs as program,
};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::{
    clock::Now,
    error::AppError,
    mail::{
        MailKind, Outgoing,
        compose::EnrolmentConfirmed,
        outbox::{self, Recipient},
    },
};

/// Queues "enrolment confirmed" for `row` to `holder`, if their address is confirmed.
pub async fn enrolled(
    conn: &impl ConnectionTrait,
    holder: &person::Model,
    cohort: &cohort::Model,
    program: &program::Model,
    row: &enrolment::Model,
    now: Now,
) -> Result<(), AppError> {
    let Some(to) = Recipient::person(holder) else {
        return Ok(());
    };
    let provider = organisation::Entity::find_by_id(cohort.provider_id.clone())
        .one(conn)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let facts = EnrolmentConfirmed {
        name: holder.name.clone(),
        program: program.title.clone(),
        provider,
        cohort: cohort.code.clone(),
        starts_on: cohort.starts_on.to_string(),
        ends_on: cohort.ends_on.to_string(),
        location: cohort.location.clone(),
        enrolment_id: row.id.clone(),
    };
    let out = Outgoing {
        kind: MailKind::EnrolmentConfirmed,
        // A re-enrolment after a withdrawal is a new event on the same enrolment.
        dedupe_key: format!(
            "enrolment_confirmed:{}:{}",
            row.id,
            now.at.timestamp_micros()
        ),
        to,
        organisation_id: Some(cohort.provider_id.clone()),
        facts: &facts,
        attachment: None,
    };
    outbox::queue(conn, out, now).await?;
    Ok(())
}
