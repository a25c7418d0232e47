//! What the records count toward each measure, per statistical month: one grouped query
//! per measure (counts per day of the year, at most 366 rows whatever the number of
//! records), bucketed into the year's twelve months here. The queries count rows
//! (`COUNT(*)`), not ids, so that an index holding the columns filtered on answers them
//! without reading the table (migration `add_report_count_indexes`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use entities::{
    apprentices as apprentice, apprenticeship_agreements as agreement, certificates as certificate,
    cohorts as cohort, enrolments as enrolment, person_key_groups as tag,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait,
    Select,
    sea_query::{Asterisk, Expr, ExprTrait, Func, Query},
};

use super::{Measure, months, year_span};
use crate::{
    apprenticeships::AgreementStatus, cohorts::EnrolmentStatus, error::AppError, people::KeyGroup,
    programs::CertificateKind, stored::Stored,
};

/// Counts per day, as the database grouped them.
pub type Daily = Vec<(NaiveDate, i64)>;

/// Whose enrolments count: everyone's, those of people with at least one key-group tag,
/// or those of people tagged with one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Everyone,
    KeyGroups,
    Group(KeyGroup),
}

/// The enrolments counted as training person-times within `from..=to` — not withdrawn, in
/// cohorts that ended within the span (the cohort joined) — of `who`. The one definition
/// the counts and the rows behind them share.
pub fn counted_enrolments(
    (from, to): (NaiveDate, NaiveDate),
    who: Who,
) -> Select<enrolment::Entity> {
    let query = enrolment::Entity::find()
        .join(JoinType::InnerJoin, enrolment::Relation::Cohorts.def())
        .filter(enrolment::Column::Status.ne(EnrolmentStatus::Withdrawn.as_str()))
        .filter(cohort::Column::EndsOn.between(from, to));
    let mut tagged = Query::select()
        .expr(Expr::val(1))
        .from(tag::Entity)
        .and_where(
            Expr::col((tag::Entity, tag::Column::PersonId))
                .equals((enrolment::Entity, enrolment::Column::PersonId)),
        )
        .to_owned();
    match who {
        Who::Everyone => query,
        Who::KeyGroups => query.filter(Expr::exists(tagged)),
        Who::Group(group) => {
            tagged.and_where(Expr::col((tag::Entity, tag::Column::KeyGroup)).eq(group.as_str()));
            query.filter(Expr::exists(tagged))
        }
    }
}

/// Certificates issued within `from..=to` (their issue day, `valid_from`), of `kind` when
/// given; a re-issue (a correction or a renewal superseding one) is not counted again.
pub fn counted_certificates(
    (from, to): (NaiveDate, NaiveDate),
    kind: Option<CertificateKind>,
) -> Select<certificate::Entity> {
    let query = certificate::Entity::find()
        .filter(certificate::Column::SupersedesId.is_null())
        .filter(certificate::Column::ValidFrom.between(from, to));
    match kind {
        Some(kind) => query.filter(certificate::Column::Kind.eq(kind.as_str())),
        None => query,
    }
}

/// Apprentices under filed agreements that started within `from..=to` (the agreement
/// joined).
pub fn counted_apprentices((from, to): (NaiveDate, NaiveDate)) -> Select<apprentice::Entity> {
    let under = apprentice::Entity::belongs_to(agreement::Entity)
        .from(apprentice::Column::AgreementId)
        .to(agreement::Column::Id)
        .into();
    apprentice::Entity::find()
        .join(JoinType::InnerJoin, under)
        .filter(agreement::Column::Status.eq(AgreementStatus::Filed.as_str()))
        .filter(agreement::Column::StartsOn.between(from, to))
}

/// The enrolments of cohorts that ended within `span`, per end day; with `key_groups`
/// only those of people with at least one key-group tag.
pub async fn enrolments_by_end(
    conn: &impl ConnectionTrait,
    span: (NaiveDate, NaiveDate),
    key_groups: bool,
) -> Result<Daily, AppError> {
    let who = if key_groups {
        Who::KeyGroups
    } else {
        Who::Everyone
    };
    Ok(counted_enrolments(span, who)
        .select_only()
        .column(cohort::Column::EndsOn)
        .column_as(Expr::from(Func::count(Expr::col(Asterisk))), "n")
        .group_by(cohort::Column::EndsOn)
        .into_tuple()
        .all(conn)
        .await?)
}

/// Certificates of `kind` issued within `span`, per issue day.
pub async fn certificates_by_issue(
    conn: &impl ConnectionTrait,
    span: (NaiveDate, NaiveDate),
    kind: CertificateKind,
) -> Result<Daily, AppError> {
    Ok(counted_certificates(span, Some(kind))
        .select_only()
        .column(certificate::Column::ValidFrom)
        .column_as(Expr::from(Func::count(Expr::col(Asterisk))), "n")
        .group_by(certificate::Column::ValidFrom)
        .into_tuple()
        .all(conn)
        .await?)
}

/// Apprentices under filed agreements that started within `span`, per start day.
pub async fn apprentices_by_start(
    conn: &impl ConnectionTrait,
    span: (NaiveDate, NaiveDate),
) -> Result<Daily, AppError> {
    Ok(counted_apprentices(span)
        .select_only()
        .column(agreement::Column::StartsOn)
        .column_as(Expr::from(Func::count(Expr::col(Asterisk))), "n")
        .group_by(agreement::Column::StartsOn)
        .into_tuple()
        .all(conn)
        .await?)
}

/// The kind of certificate a measure counts, if it counts certificates.
pub fn certificate_kind(measure: Measure) -> Option<CertificateKind> {
    match measure {
        Measure::KeyGroupTraining | Measure::Training | Measure::Apprentices => None,
        Measure::CompletionCertificates => Some(CertificateKind::Completion),
        Measure::SkillLevelCertificates => Some(CertificateKind::SkillLevel),
        Measure::SpecialtyCertificates => Some(CertificateKind::Specialty),
        Measure::Licences => Some(CertificateKind::Licence),
        Measure::ApprenticeshipCertificates => Some(CertificateKind::Apprenticeship),
    }
}

/// A measure's counts per day over `span`.
pub async fn daily(
    conn: &impl ConnectionTrait,
    measure: Measure,
    span: (NaiveDate, NaiveDate),
) -> Result<Daily, AppError> {
    let kind = match measure {
        Measure::KeyGroupTraining => return enrolments_by_end(conn, span, true).await,
        Measure::Training => return enrolments_by_end(conn, span, false).await,
        Measure::Apprentices => return apprentices_by_start(conn, span).await,
        other => certificate_kind(other),
    };
    let Some(kind) = kind else {
        return Ok(Daily::new());
    };
    certificates_by_issue(conn, span, kind).await
}

/// The counts of `year`'s twelve statistical months, January first.
pub fn by_month(year: i32, daily: &Daily) -> [i64; 12] {
    let ends: BTreeMap<NaiveDate, usize> = months(year)
        .iter()
        .enumerate()
        .map(|(i, p)| (p.ends_on, i))
        .collect();
    let mut counts = [0; 12];
    for (day, n) in daily {
        if let Some((_, &i)) = ends.range(*day..).next() {
            counts[i] += n;
        }
    }
    counts
}

/// A measure's counts for each of `year`'s months.
pub async fn monthly(
    conn: &impl ConnectionTrait,
    measure: Measure,
    year: i32,
) -> Result<[i64; 12], AppError> {
    let daily = daily(conn, measure, year_span(year)).await?;
    Ok(by_month(year, &daily))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_20th_and_the_21st_fall_in_different_months() {
        let daily = vec![
            (d("2025-12-21"), 1),
            (d("2026-01-20"), 2),
            (d("2026-01-21"), 4),
            (d("2026-12-20"), 8),
        ];
        let months = by_month(2026, &daily);
        assert_eq!((months[0], months[1], months[11]), (3, 4, 8));
        assert_eq!(months.iter().sum::<i64>(), 15);
    }
}
