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
    enrolled_all(conn, cohort, program, &[(holder, row.id.as_str())], now).await
}

/// Queues "enrolment confirmed" to each (holder, enrolment id) of `cohort` whose address
/// is confirmed — the same message an enrolment by form sends, for a spreadsheet's rows.
pub async fn enrolled_all(
    conn: &impl ConnectionTrait,
    cohort: &cohort::Model,
    program: &program::Model,
    enrolled: &[(&person::Model, &str)],
    now: Now,
) -> Result<(), AppError> {
    let recipients: Vec<_> = enrolled
        .iter()
        .filter_map(|(holder, id)| Recipient::person(holder).map(|to| (*holder, *id, to)))
        .collect();
    if recipients.is_empty() {
        return Ok(());
    }
    let provider = organisation::Entity::find_by_id(cohort.provider_id.clone())
        .one(conn)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    for (holder, enrolment_id, to) in recipients {
        let facts = EnrolmentConfirmed {
            name: holder.name.clone(),
            program: program.title.clone(),
            provider: provider.clone(),
            cohort: cohort.code.clone(),
            starts_on: cohort.starts_on.to_string(),
            ends_on: cohort.ends_on.to_string(),
            location: cohort.location.clone(),
            enrolment_id: enrolment_id.to_owned(),
        };
        let out = Outgoing {
            kind: MailKind::EnrolmentConfirmed,
            // A re-enrolment after a withdrawal is a new event on the same enrolment.
            dedupe_key: format!(
                "enrolment_confirmed:{enrolment_id}:{}",
                now.at.timestamp_micros()
            ),
            to,
            organisation_id: Some(cohort.provider_id.clone()),
            facts: &facts,
            attachment: None,
        };
        outbox::queue(conn, out, now).await?;
    }
    Ok(())
}
