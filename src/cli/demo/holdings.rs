//! The certificates the demo's trainees hold, as the `--out` file lists them: read back
//! from the database with their holders' logins and parent links, in a fixed order, so a
//! rerun writes the same file.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use entities::{
    accounts as account, certificate_parents as certificate_parent, certificates as certificate,
    people as person,
};
use sea_orm::ConnectionTrait;

use super::{classes::Enrolled, lookup, output::CertificateOut};
use crate::{certificates::CertificateStatus, programs::CertificateKind, stored::Stored};

/// A loaded cohort's id and its trainees' enrolments.
pub struct CohortEnrolments<'a> {
    pub cohort_id: &'a str,
    pub enrolled: &'a [Enrolled],
}

/// Every certificate issued on these cohorts' enrolments: cohort by cohort, then along
/// the chain (completion, specialty or skill level, licence), then by number.
pub async fn list(
    conn: &impl ConnectionTrait,
    cohorts: &[CohortEnrolments<'_>],
    today: NaiveDate,
) -> anyhow::Result<Vec<CertificateOut>> {
    let cohort_of: BTreeMap<&str, (usize, &str)> = cohorts
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            c.enrolled
                .iter()
                .map(move |e| (e.enrolment_id.as_str(), (i, c.cohort_id)))
        })
        .collect();
    let enrolment_ids = cohort_of.keys().map(|id| (*id).to_owned()).collect();
    let rows = lookup::rows_where_in(conn, certificate::Column::EnrolmentId, enrolment_ids).await?;
    let certificate_ids = rows.iter().map(|r| r.id.clone()).collect();
    let links = lookup::rows_where_in(
        conn,
        certificate_parent::Column::CertificateId,
        certificate_ids,
    )
    .await?;
    let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for link in links {
        parents
            .entry(link.certificate_id)
            .or_default()
            .push(link.parent_id);
    }
    let holder_ids = rows.iter().map(|r| r.person_id.clone()).collect();
    let people: BTreeMap<String, person::Model> =
        lookup::rows_where_in(conn, person::Column::Id, holder_ids)
            .await?
            .into_iter()
            .map(|p| (p.id.clone(), p))
            .collect();
    let account_ids = people
        .values()
        .filter_map(|p| p.account_id.clone())
        .collect();
    let logins: BTreeMap<String, String> =
        lookup::rows_where_in(conn, account::Column::Id, account_ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a.login))
            .collect();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(&(position, cohort_id)) =
            row.enrolment_id.as_deref().and_then(|e| cohort_of.get(e))
        else {
            continue;
        };
        let holder = people.get(&row.person_id);
        let mut parent_ids = parents.remove(&row.id).unwrap_or_default();
        parent_ids.sort();
        let kind = CertificateKind::read("certificates", &row.id, &row.kind)?;
        out.push((
            (position, kind, row.number.clone()),
            CertificateOut {
                status: CertificateStatus::current(&row, today)?,
                holder_login: holder
                    .and_then(|p| p.account_id.as_ref())
                    .and_then(|a| logins.get(a))
                    .cloned(),
                holder_name: holder.map(|p| p.name.clone()).unwrap_or_default(),
                cohort_id: cohort_id.to_owned(),
                enrolment_id: row.enrolment_id.clone().unwrap_or_default(),
                parent_ids,
                id: row.id,
                kind,
                number: row.number,
                token: row.token,
                person_id: row.person_id,
                valid_from: row.valid_from,
                valid_until: row.valid_until,
            },
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out.into_iter().map(|(_, c)| c).collect())
}
