//! The rows behind a dashboard figure (docs/DESIGN.md §10): each figure is a [`Slice`] —
//! a measure over the year or one statistical month, person-times of a key group or a
//! provider, certificates of a kind (and status), orders or agreements at a stage — and
//! its rows are read with the very filter the figure was counted with
//! ([`super::actuals`]), so the list is as long as the number. A page is one query in id
//! order (keyset, [`PAGE`] rows) plus a fixed number of batched look-ups; the total is one
//! count. Names and ID numbers are masked; the phone is never read.

mod view;

use chrono::NaiveDate;
use entities::{
    apprentices as apprentice, apprenticeship_agreements as agreement, certificates as certificate,
    cohorts as cohort, enrolments as enrolment, orders as order, organisations as organisation,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub use view::{AgreementRow, ApprenticeRow, CertificateRow, EnrolmentRow, OrderRow};

use super::{
    Measure,
    actuals::{self, Who},
    months, year_span,
};
use crate::{
    apprenticeships::AgreementStatus,
    certificates::CertificateStatus,
    error::{AppError, FieldError},
    orders::OrderStatus,
    pagination::Page,
    people::KeyGroup,
    programs::CertificateKind,
    stored::Stored,
};

/// Rows per page.
pub const PAGE: u64 = 50;

/// What a figure counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slice {
    /// A measure's actual over the year, or over one statistical month (1–12).
    Measure {
        measure: Measure,
        year: i32,
        month: Option<u32>,
    },
    /// Training person-times of one key group.
    KeyGroup { year: i32, group: KeyGroup },
    /// Training person-times of one provider's cohorts.
    Provider { year: i32, provider: String },
    /// Certificates of a kind issued in the year, of one status when given.
    Certificates {
        year: i32,
        kind: CertificateKind,
        status: Option<CertificateStatus>,
    },
    /// Orders at a stage.
    Orders { status: OrderStatus },
    /// Apprenticeship agreements at a stage.
    Agreements { status: AgreementStatus },
}

/// The query string of a figure's rows, as typed: `of` names the figure (`measure`,
/// `key_group`, `provider`, `certificates`, `orders`, `agreements`) and the others its
/// parts.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RowsQuery {
    /// `measure`, `key_group`, `provider`, `certificates`, `orders` or `agreements`.
    pub of: Option<String>,
    /// The statistical year, 2000–2100; the current one when absent.
    pub year: Option<String>,
    /// A statistical month of the year, 1–12 (with `of=measure`).
    pub month: Option<String>,
    /// A measure's word (with `of=measure`).
    pub measure: Option<String>,
    /// A key group's word (with `of=key_group`).
    pub key_group: Option<String>,
    /// A provider's id (with `of=provider`).
    pub provider: Option<String>,
    /// A certificate kind (with `of=certificates`).
    pub kind: Option<String>,
    /// A stage: a certificate's, an order's or an agreement's status word.
    pub status: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn wrong(field: &str, message: &str) -> FieldError {
    FieldError::new(field, "unknown", message)
}

fn required<T: Stored>(word: Option<&str>, field: &str, message: &str) -> Result<T, FieldError> {
    word.and_then(|w| T::parse(w).ok())
        .ok_or_else(|| wrong(field, message))
}

impl Slice {
    /// The figure the query names; a word that names nothing is a 422 naming the field.
    pub fn parse(q: &RowsQuery, this_year: i32) -> Result<Self, AppError> {
        let year = match q.year.as_deref().map(str::trim) {
            None | Some("") => Ok(this_year),
            Some(y) => y
                .parse::<i32>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .ok_or_else(|| wrong("year", "年度须为2000–2100的整数")),
        };
        let status = q.status.as_deref();
        let slice = match q.of.as_deref() {
            Some("measure") => {
                let month = match q.month.as_deref() {
                    None | Some("") => Ok(None),
                    Some(m) => m
                        .parse::<u32>()
                        .ok()
                        .filter(|m| (1..=12).contains(m))
                        .map(Some)
                        .ok_or_else(|| wrong("month", "月份须为1–12")),
                };
                required(q.measure.as_deref(), "measure", "没有这个统计指标").and_then(|measure| {
                    Ok(Slice::Measure {
                        measure,
                        year: year.clone()?,
                        month: month?,
                    })
                })
            }
            Some("key_group") => q
                .key_group
                .as_deref()
                .and_then(KeyGroup::parse)
                .ok_or_else(|| wrong("key_group", "没有这个重点群体"))
                .and_then(|group| {
                    Ok(Slice::KeyGroup {
                        year: year.clone()?,
                        group,
                    })
                }),
            Some("provider") => match q.provider.as_deref().map(str::trim) {
                Some(p) if !p.is_empty() => year.clone().map(|year| Slice::Provider {
                    year,
                    provider: p.to_owned(),
                }),
                _ => Err(wrong("provider", "请指明培训机构")),
            },
            Some("certificates") => {
                let kind = required(q.kind.as_deref(), "kind", "没有这个证书类别");
                let status = match status {
                    None | Some("") => Ok(None),
                    Some(s) => CertificateStatus::parse(s)
                        .map(Some)
                        .map_err(|_| wrong("status", "没有这个证书状态")),
                };
                kind.and_then(|kind| {
                    Ok(Slice::Certificates {
                        year: year.clone()?,
                        kind,
                        status: status?,
                    })
                })
            }
            Some("orders") => required(status, "status", "没有这个订单阶段")
                .map(|status| Slice::Orders { status }),
            Some("agreements") => required(status, "status", "没有这个协议阶段")
                .map(|status| Slice::Agreements { status }),
            _ => Err(wrong("of", "请指明要查看的统计数字")),
        };
        slice.map_err(|f| AppError::invalid_fields("无法列出明细", vec![f]))
    }

    /// The query string that names this figure (the web page's and the API's).
    pub fn query(&self) -> String {
        match self {
            Slice::Measure {
                measure,
                year,
                month,
            } => {
                let month = month.map_or_else(String::new, |m| format!("&month={m}"));
                format!("of=measure&year={year}&measure={}{month}", measure.as_str())
            }
            Slice::KeyGroup { year, group } => {
                format!("of=key_group&year={year}&key_group={}", group.as_str())
            }
            Slice::Provider { year, provider } => {
                format!("of=provider&year={year}&provider={provider}")
            }
            Slice::Certificates { year, kind, status } => {
                let status = status.map_or_else(String::new, |s| format!("&status={}", s.as_str()));
                format!("of=certificates&year={year}&kind={}{status}", kind.as_str())
            }
            Slice::Orders { status } => format!("of=orders&status={}", status.as_str()),
            Slice::Agreements { status } => format!("of=agreements&status={}", status.as_str()),
        }
    }

    /// The page that lists this figure's rows.
    pub fn href(&self) -> String {
        format!("/reports/rows?{}", self.query())
    }

    /// The days the figure counts over: the year, or the month.
    fn span(&self) -> (NaiveDate, NaiveDate) {
        match self {
            Slice::Measure {
                year,
                month: Some(m),
                ..
            } => months(*year)
                .get(*m as usize - 1)
                .map_or_else(|| year_span(*year), |p| (p.starts_on, p.ends_on)),
            Slice::Measure { year, .. }
            | Slice::KeyGroup { year, .. }
            | Slice::Provider { year, .. }
            | Slice::Certificates { year, .. } => year_span(*year),
            Slice::Orders { .. } | Slice::Agreements { .. } => (NaiveDate::MIN, NaiveDate::MAX),
        }
    }
}

/// The rows of one page, of whichever kind the figure counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "kind", content = "items", rename_all = "snake_case")]
pub enum Rows {
    Enrolments(Vec<EnrolmentRow>),
    Apprentices(Vec<ApprenticeRow>),
    Certificates(Vec<CertificateRow>),
    Orders(Vec<OrderRow>),
    Agreements(Vec<AgreementRow>),
}

/// A page of a figure's rows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowsPage {
    /// What the figure counts, in words.
    pub title: String,
    /// How many rows the figure counts: the number on the dashboard.
    pub total: u64,
    /// The query string naming the figure (for the next page's link).
    pub query: String,
    pub rows: Rows,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Which rows of `E` the figure counts.
enum Source {
    Enrolments(Select<enrolment::Entity>),
    Apprentices(Select<apprentice::Entity>),
    Certificates(Select<certificate::Entity>),
    Orders(Select<order::Entity>),
    Agreements(Select<agreement::Entity>),
}

fn source(slice: &Slice) -> Source {
    let span = slice.span();
    match slice {
        Slice::Measure { measure, .. } => match (measure, actuals::certificate_kind(*measure)) {
            (Measure::KeyGroupTraining, _) => {
                Source::Enrolments(actuals::counted_enrolments(span, Who::KeyGroups))
            }
            (Measure::Apprentices, _) => Source::Apprentices(actuals::counted_apprentices(span)),
            (_, Some(kind)) => {
                Source::Certificates(actuals::counted_certificates(span, Some(kind)))
            }
            (_, None) => Source::Enrolments(actuals::counted_enrolments(span, Who::Everyone)),
        },
        Slice::KeyGroup { group, .. } => {
            Source::Enrolments(actuals::counted_enrolments(span, Who::Group(*group)))
        }
        Slice::Provider { provider, .. } => Source::Enrolments(
            actuals::counted_enrolments(span, Who::Everyone)
                .filter(cohort::Column::ProviderId.eq(provider.as_str())),
        ),
        Slice::Certificates { kind, status, .. } => {
            let query = actuals::counted_certificates(span, Some(*kind));
            Source::Certificates(match status {
                Some(s) => query.filter(certificate::Column::Status.eq(s.as_str())),
                None => query,
            })
        }
        Slice::Orders { status } => {
            Source::Orders(order::Entity::find().filter(order::Column::Status.eq(status.as_str())))
        }
        Slice::Agreements { status } => Source::Agreements(
            agreement::Entity::find().filter(agreement::Column::Status.eq(status.as_str())),
        ),
    }
}

/// The total and one page of `query` in order of `id`, after `cursor`.
async fn page_of<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    query: Select<E>,
    id: E::Column,
    cursor: Option<&str>,
    id_of: impl Fn(&E::Model) -> String,
) -> Result<(u64, Page<E::Model>), AppError>
where
    E::Model: Sync,
{
    let total = query.clone().count(conn).await?;
    let mut query = query.order_by_asc(id);
    if let Some(after) = cursor {
        query = query.filter(id.gt(after));
    }
    let rows = query.limit(PAGE + 1).all(conn).await?;
    Ok((total, Page::from_rows(rows, PAGE, id_of)))
}

/// The figure's title, its total and the page of rows after `cursor`.
pub async fn page(
    conn: &impl ConnectionTrait,
    slice: &Slice,
    cursor: Option<&str>,
) -> Result<RowsPage, AppError> {
    let title = title(conn, slice).await?;
    let (total, rows, next_cursor) = match source(slice) {
        Source::Enrolments(q) => {
            let (total, p) =
                page_of(conn, q, enrolment::Column::Id, cursor, |m| m.id.clone()).await?;
            let rows = Rows::Enrolments(view::enrolments(conn, p.items).await?);
            (total, rows, p.next_cursor)
        }
        Source::Apprentices(q) => {
            let (total, p) =
                page_of(conn, q, apprentice::Column::Id, cursor, |m| m.id.clone()).await?;
            let rows = Rows::Apprentices(view::apprentices(conn, p.items).await?);
            (total, rows, p.next_cursor)
        }
        Source::Certificates(q) => {
            let (total, p) =
                page_of(conn, q, certificate::Column::Id, cursor, |m| m.id.clone()).await?;
            let rows = Rows::Certificates(view::certificates(conn, p.items).await?);
            (total, rows, p.next_cursor)
        }
        Source::Orders(q) => {
            let (total, p) = page_of(conn, q, order::Column::Id, cursor, |m| m.id.clone()).await?;
            let rows = Rows::Orders(view::orders(conn, p.items).await?);
            (total, rows, p.next_cursor)
        }
        Source::Agreements(q) => {
            let (total, p) =
                page_of(conn, q, agreement::Column::Id, cursor, |m| m.id.clone()).await?;
            let rows = Rows::Agreements(view::agreements(conn, p.items).await?);
            (total, rows, p.next_cursor)
        }
    };
    Ok(RowsPage {
        title,
        total,
        query: slice.query(),
        rows,
        next_cursor,
    })
}

/// What the figure counts, in words; an unknown provider is not found.
async fn title(conn: &impl ConnectionTrait, slice: &Slice) -> Result<String, AppError> {
    let (from, to) = slice.span();
    Ok(match slice {
        Slice::Measure {
            measure,
            year,
            month,
        } => match month {
            Some(m) => format!("{year} 年度 {m} 月 · {}（{from} 至 {to}）", measure.label()),
            None => format!("{year} 年度 · {}（{from} 至 {to}）", measure.label()),
        },
        Slice::KeyGroup { year, group } => {
            format!("{year} 年度 · 重点群体培训人次 · {}", group.label())
        }
        Slice::Provider { year, provider } => {
            let org = organisation::Entity::find_by_id(provider.clone())
                .one(conn)
                .await?
                .ok_or(AppError::NotFound)?;
            format!("{year} 年度 · 培训人次 · {}", org.name)
        }
        Slice::Certificates { year, kind, status } => match status {
            Some(s) => format!("{year} 年度 · {} · {}", kind.label(), s.label()),
            None => format!("{year} 年度 · {}", kind.label()),
        },
        Slice::Orders { status } => format!("培训订单 · {}", status.label()),
        Slice::Agreements { status } => format!("学徒培养协议 · {}", status.label()),
    })
}
