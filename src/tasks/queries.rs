//! The task list's sections, each a count and one page of rows read with joins, so a
//! section costs the same few queries whatever its length.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{
    certificates as certificate, cohorts as cohort, enrolments as enrolment,
    organisations as organisation, people as person,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Query,
};

use super::{
    CompletionsToIssue, EXPIRY_HORIZON_DAYS, FallenGrounds, LicenceExpiring, OrganisationWaiting,
    ResultsMissing, SHOWN, Section,
};
use crate::{
    access::{Caller, rules},
    certificates::CertificateStatus,
    cohorts::EnrolmentStatus,
    error::AppError,
    organisations::{OrgKind, OrgStatus},
    people::mask_name,
    programs::CertificateKind,
    stored::Stored,
};

fn empty<T>() -> Section<T> {
    Section {
        total: 0,
        items: Vec::new(),
    }
}

/// The holder's name as this caller may see it on the issuer's certificate.
fn holder_name(caller: &Caller, issuer_org_id: &str, holder: Option<&person::Model>) -> String {
    match holder {
        Some(p)
            if rules::sees_certificate_holder(caller, issuer_org_id, p.account_id.as_deref()) =>
        {
            p.name.clone()
        }
        Some(p) => mask_name(&p.name),
        None => String::new(),
    }
}

pub(super) async fn fallen_grounds(
    conn: &impl ConnectionTrait,
    caller: &Caller,
) -> Result<Section<FallenGrounds>, AppError> {
    let query = certificate::Entity::find()
        .filter(certificate::Column::Status.eq(CertificateStatus::Suspended.as_str()))
        .filter(certificate::Column::GroundsFellId.is_not_null());
    let Some(query) = caller
        .scope()
        .apply(query, certificate::Column::IssuerOrgId)
    else {
        return Ok(empty());
    };
    let total = query.clone().count(conn).await?;
    let rows: Vec<(certificate::Model, Option<person::Model>)> = query
        .find_also_related(person::Entity)
        .order_by_asc(certificate::Column::SuspendedAt)
        .order_by_asc(certificate::Column::Number)
        .limit(SHOWN)
        .all(conn)
        .await?;
    let parent_ids: Vec<String> = rows
        .iter()
        .filter_map(|(c, _)| c.grounds_fell_id.clone())
        .collect();
    let parents: HashMap<String, String> = certificate::Entity::find()
        .select_only()
        .columns([certificate::Column::Id, certificate::Column::Number])
        .filter(certificate::Column::Id.is_in(parent_ids))
        .into_tuple::<(String, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let mut items = Vec::with_capacity(rows.len());
    for (row, holder) in rows {
        let kind = CertificateKind::read("certificates", &row.id, &row.kind)?;
        let parent_id = row.grounds_fell_id.clone().unwrap_or_default();
        items.push(FallenGrounds {
            holder_name: holder_name(caller, &row.issuer_org_id, holder.as_ref()),
            kind_label: kind.label().to_owned(),
            reason: row.suspend_reason.clone().unwrap_or_default(),
            parent_number: parents.get(&parent_id).cloned().unwrap_or_default(),
            parent_id,
            suspended_on: row
                .suspended_at
                .map_or(row.valid_from, |at| at.date_naive()),
            certificate_id: row.id,
            number: row.number,
        });
    }
    Ok(Section { total, items })
}

/// A caller's cohorts (narrowed by `cohorts`) with enrolments matching `matching`: how
/// many such cohorts in all, and the first [`SHOWN`] with their count of matching
/// enrolments, by end date — one count and one grouped query.
async fn cohorts_with(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    cohorts: Condition,
    matching: Condition,
) -> Result<Section<(String, String, NaiveDate, NaiveDate, u64)>, AppError> {
    let query = cohort::Entity::find().filter(cohorts);
    let Some(query) = caller.scope().apply(query, cohort::Column::ProviderId) else {
        return Ok(empty());
    };
    let total = query
        .clone()
        .filter(
            cohort::Column::Id.in_subquery(
                Query::select()
                    .column(enrolment::Column::CohortId)
                    .from(enrolment::Entity)
                    .cond_where(matching.clone())
                    .to_owned(),
            ),
        )
        .count(conn)
        .await?;
    let rows: Vec<(String, String, NaiveDate, NaiveDate, i64)> = query
        .select_only()
        .columns([
            cohort::Column::Id,
            cohort::Column::Code,
            cohort::Column::StartsOn,
            cohort::Column::EndsOn,
        ])
        .column_as(enrolment::Column::Id.count(), "matching")
        .inner_join(enrolment::Entity)
        .filter(matching)
        .group_by(cohort::Column::Id)
        .group_by(cohort::Column::Code)
        .group_by(cohort::Column::StartsOn)
        .group_by(cohort::Column::EndsOn)
        .order_by_asc(cohort::Column::EndsOn)
        .order_by_asc(cohort::Column::Code)
        .limit(SHOWN)
        .into_tuple()
        .all(conn)
        .await?;
    let items = rows
        .into_iter()
        .map(|(id, code, starts, ends, n)| (id, code, starts, ends, u64::try_from(n).unwrap_or(0)))
        .collect();
    Ok(Section { total, items })
}

pub(super) async fn results_missing(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    today: NaiveDate,
) -> Result<Section<ResultsMissing>, AppError> {
    let started = Condition::all().add(cohort::Column::StartsOn.lte(today));
    let pending = Condition::all()
        .add(enrolment::Column::Status.eq(EnrolmentStatus::Enrolled.as_str()))
        .add(enrolment::Column::ResultRecordedAt.is_null());
    let found = cohorts_with(conn, caller, started, pending).await?;
    Ok(Section {
        total: found.total,
        items: found
            .items
            .into_iter()
            .map(
                |(cohort_id, cohort_code, starts_on, ends_on, n)| ResultsMissing {
                    cohort_id,
                    cohort_code,
                    starts_on,
                    ends_on,
                    without_result: n,
                },
            )
            .collect(),
    })
}

pub(super) async fn completions_to_issue(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    today: NaiveDate,
) -> Result<Section<CompletionsToIssue>, AppError> {
    let ended = Condition::all().add(cohort::Column::EndsOn.lt(today));
    let waiting = Condition::all()
        .add(enrolment::Column::Status.eq(EnrolmentStatus::Enrolled.as_str()))
        .add(enrolment::Column::ResultRecordedAt.is_not_null())
        .add(
            enrolment::Column::Id.not_in_subquery(
                Query::select()
                    .column(certificate::Column::EnrolmentId)
                    .from(certificate::Entity)
                    .and_where(certificate::Column::Kind.eq(CertificateKind::Completion.as_str()))
                    .and_where(certificate::Column::EnrolmentId.is_not_null())
                    .to_owned(),
            ),
        );
    let found = cohorts_with(conn, caller, ended, waiting).await?;
    Ok(Section {
        total: found.total,
        items: found
            .items
            .into_iter()
            .map(
                |(cohort_id, cohort_code, _, ends_on, n)| CompletionsToIssue {
                    cohort_id,
                    cohort_code,
                    ends_on,
                    without_certificate: n,
                },
            )
            .collect(),
    })
}

pub(super) async fn licences_expiring(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    today: NaiveDate,
) -> Result<Section<LicenceExpiring>, AppError> {
    let horizon = today + chrono::Duration::days(EXPIRY_HORIZON_DAYS);
    let query = certificate::Entity::find()
        .filter(certificate::Column::Kind.eq(CertificateKind::Licence.as_str()))
        .filter(certificate::Column::Status.eq(CertificateStatus::Valid.as_str()))
        .filter(certificate::Column::ValidUntil.gte(today))
        .filter(certificate::Column::ValidUntil.lte(horizon));
    let Some(query) = caller
        .scope()
        .apply(query, certificate::Column::IssuerOrgId)
    else {
        return Ok(empty());
    };
    let total = query.clone().count(conn).await?;
    let rows = query
        .find_also_related(person::Entity)
        .order_by_asc(certificate::Column::ValidUntil)
        .order_by_asc(certificate::Column::Number)
        .limit(SHOWN)
        .all(conn)
        .await?;
    let items = rows
        .into_iter()
        .filter_map(|(row, holder)| {
            let until = row.valid_until?;
            Some(LicenceExpiring {
                holder_name: holder_name(caller, &row.issuer_org_id, holder.as_ref()),
                days_left: (until - today).num_days(),
                valid_until: until,
                certificate_id: row.id,
                number: row.number,
            })
        })
        .collect();
    Ok(Section { total, items })
}

pub(super) async fn organisations_waiting(
    conn: &impl ConnectionTrait,
) -> Result<Section<OrganisationWaiting>, AppError> {
    let query = organisation::Entity::find().filter(
        Condition::any()
            .add(organisation::Column::Status.eq(OrgStatus::Pending.as_str()))
            .add(organisation::Column::PendingName.is_not_null()),
    );
    let total = query.clone().count(conn).await?;
    let rows = query
        .order_by_asc(organisation::Column::UpdatedAt)
        .order_by_asc(organisation::Column::Name)
        .limit(SHOWN)
        .all(conn)
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let kind = OrgKind::read("organisations", &row.id, &row.kind)?;
        let status = OrgStatus::read("organisations", &row.id, &row.status)?;
        items.push(OrganisationWaiting {
            waiting_for: if status == OrgStatus::Pending {
                "approval"
            } else {
                "rename"
            }
            .to_owned(),
            kind_label: kind.label().to_owned(),
            pending_name: row.pending_name,
            organisation_id: row.id,
            name: row.name,
        });
    }
    Ok(Section { total, items })
}
