//! The bureau's dashboard for a statistical year: each measure's actual against its target
//! with the share of the year elapsed and the counts per month; person-times by key group
//! and by provider; certificates by kind and status; orders and agreements by stage. A
//! fixed number of grouped queries whatever the number of records.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use entities::{
    apprenticeship_agreements as agreement, orders as order, organisations as organisation,
};
use sea_orm::{
    ConnectionTrait, EntityTrait, QuerySelect,
    sea_query::{Expr, Func},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    Measure,
    actuals::{self, Daily},
    months, tally, targets, year_span,
};
use crate::{
    apprenticeships::AgreementStatus, certificates::CertificateStatus, error::AppError,
    orders::OrderStatus, people::KeyGroup, programs::CertificateKind, stored::Stored,
};

/// One measure: the target (if set), the actual, and the counts per month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Line {
    pub measure: Measure,
    pub label: &'static str,
    pub target: Option<i64>,
    pub actual: i64,
    /// The actual as a share of the target, in percent (none without a target).
    pub percent: Option<i64>,
    /// January to December of the statistical year.
    pub by_month: Vec<i64>,
}

/// A count under a label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Count {
    /// The stored word or id it counts (a key group, a provider, a status).
    pub key: String,
    pub label: String,
    pub count: i64,
}

/// Certificates of one kind issued in the year, by status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindCounts {
    pub kind: CertificateKind,
    pub label: &'static str,
    pub total: i64,
    pub by_status: Vec<Count>,
}

/// The dashboard of a statistical year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    pub year: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The share of the year elapsed on `today`, in percent.
    pub elapsed_percent: i64,
    /// The months' codes, `YYYY-MM`.
    pub months: Vec<String>,
    pub lines: Vec<Line>,
    /// Training person-times (enrolments in cohorts that ended in the year) by key group;
    /// a person in two groups counts in each.
    pub by_key_group: Vec<Count>,
    /// Training person-times by provider.
    pub by_provider: Vec<Count>,
    pub certificates: Vec<KindCounts>,
    pub orders_by_status: Vec<Count>,
    pub agreements_by_status: Vec<Count>,
}

fn percent(part: i64, whole: i64) -> i64 {
    if whole <= 0 { 0 } else { part * 100 / whole }
}

/// The dashboard of `year` as of `today`. Three lanes of queries run side by side, each
/// on a connection of its own: the enrolments', the certificates', and the rest.
pub async fn get(
    conn: &impl ConnectionTrait,
    year: i32,
    today: NaiveDate,
) -> Result<Dashboard, AppError> {
    let span = year_span(year);
    // Enrolments and certificates come from the tallies the database keeps (one query
    // each over a few thousand rows); the rest is counted as it stands.
    let enrolments = async {
        let mut training = Daily::new();
        let mut key_group_training = Daily::new();
        let mut by_key_group: BTreeMap<String, i64> = BTreeMap::new();
        let mut by_provider: HashMap<String, i64> = HashMap::new();
        for (day, provider, group, n) in tally::enrolments(conn, span).await? {
            match group.as_str() {
                tally::EVERYONE => {
                    training.push((day, n));
                    *by_provider.entry(provider).or_default() += n;
                }
                tally::ANY_GROUP => key_group_training.push((day, n)),
                _ => *by_key_group.entry(group).or_default() += n,
            }
        }
        let counts = HashMap::from([
            (Measure::Training, actuals::by_month(year, &training)),
            (
                Measure::KeyGroupTraining,
                actuals::by_month(year, &key_group_training),
            ),
        ]);
        Ok::<_, AppError>((counts, by_key_group, by_provider))
    };
    let certificates = async {
        let rows = tally::certificates(conn, span).await?;
        let mut counts = HashMap::new();
        for &measure in Measure::ALL {
            if let Some(kind) = actuals::certificate_kind(measure) {
                let daily: Daily = rows
                    .iter()
                    .filter(|(k, ..)| k == kind.as_str())
                    .map(|&(_, day, _, n)| (day, n))
                    .collect();
                counts.insert(measure, actuals::by_month(year, &daily));
            }
        }
        Ok::<_, AppError>((counts, by_kind_and_status(rows)))
    };
    let rest = async {
        let targets: HashMap<Measure, i64> = targets::current(conn, year)
            .await?
            .into_iter()
            .map(|t| (t.measure, t.target))
            .collect();
        let apprentices = actuals::monthly(conn, Measure::Apprentices, year).await?;
        let names: HashMap<String, String> = organisation::Entity::find()
            .all(conn)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        let orders = stages(
            conn,
            (order::Entity, order::Column::Status),
            OrderStatus::ALL.iter().map(|s| (s.as_str(), s.label())),
        )
        .await?;
        let agreements = stages(
            conn,
            (agreement::Entity, agreement::Column::Status),
            AgreementStatus::ALL.iter().map(|s| (s.as_str(), s.label())),
        )
        .await?;
        Ok::<_, AppError>((targets, apprentices, names, orders, agreements))
    };
    let (
        (mut counts, by_key_group, by_provider),
        (certificate_counts, certificates),
        (targets, apprentices, names, orders_by_status, agreements_by_status),
    ) = tokio::try_join!(enrolments, certificates, rest)?;
    counts.extend(certificate_counts);
    counts.insert(Measure::Apprentices, apprentices);
    let mut lines = Vec::new();
    for &measure in Measure::ALL {
        let by_month = counts.get(&measure).copied().unwrap_or_default();
        let actual = by_month.iter().sum();
        let target = targets.get(&measure).copied();
        lines.push(Line {
            measure,
            label: measure.label(),
            percent: target.map(|t| percent(actual, t)),
            target,
            actual,
            by_month: by_month.to_vec(),
        });
    }
    let days = (span.1 - span.0).num_days() + 1;
    let elapsed = (today.clamp(span.0, span.1) - span.0).num_days() + i64::from(today >= span.0);
    let by_key_group = by_key_group
        .into_iter()
        .map(|(key, count)| Count {
            label: KeyGroup::parse(&key).map_or_else(|| key.clone(), |g| g.label().to_owned()),
            key,
            count,
        })
        .collect();
    let mut by_provider: Vec<Count> = by_provider
        .into_iter()
        .map(|(key, count)| Count {
            label: names.get(&key).cloned().unwrap_or_default(),
            key,
            count,
        })
        .collect();
    by_provider.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    Ok(Dashboard {
        year,
        starts_on: span.0,
        ends_on: span.1,
        elapsed_percent: percent(elapsed, days),
        months: months(year).into_iter().map(|p| p.code).collect(),
        lines,
        by_key_group,
        by_provider,
        certificates,
        orders_by_status,
        agreements_by_status,
    })
}

/// The year's certificates by kind and status, from the tallies' (kind, day, status,
/// count) rows.
fn by_kind_and_status(rows: Vec<(String, NaiveDate, String, i64)>) -> Vec<KindCounts> {
    let mut totals: HashMap<(String, String), i64> = HashMap::new();
    for (kind, _, status, n) in rows {
        *totals.entry((kind, status)).or_default() += n;
    }
    let mut kinds = Vec::new();
    for &kind in CertificateKind::ALL {
        let mut by_status = Vec::new();
        for &status in CertificateStatus::ALL {
            let key = (kind.as_str().to_owned(), status.as_str().to_owned());
            let count = totals.get(&key).copied().unwrap_or(0);
            if count > 0 {
                by_status.push(Count {
                    key: status.as_str().to_owned(),
                    label: status.label().to_owned(),
                    count,
                });
            }
        }
        kinds.push(KindCounts {
            kind,
            label: kind.label(),
            total: by_status.iter().map(|c| c.count).sum(),
            by_status,
        });
    }
    kinds
}

/// Rows of `entity` by their stage in `column`, every stage of `words` listed.
async fn stages<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    (entity, column): (E, E::Column),
    words: impl Iterator<Item = (&'static str, &'static str)>,
) -> Result<Vec<Count>, AppError> {
    let rows: Vec<(String, i64)> = E::find()
        .select_only()
        .column(column)
        .column_as(Expr::from(Func::count(Expr::col((entity, column)))), "n")
        .group_by(column)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(words
        .map(|(word, label)| Count {
            key: word.to_owned(),
            label: label.to_owned(),
            count: rows.iter().find(|(k, _)| k == word).map_or(0, |(_, n)| *n),
        })
        .collect())
}
