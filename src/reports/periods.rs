//! Reporting periods: the statistical month (`YYYY-MM`, the 21st of the month before to the
//! 20th), the quarter (`YYYY-Qn`, three statistical months) and the year (`YYYY`, 21
//! December to 20 December), and which of them the bureau has approved and locked.

use std::collections::HashMap;

use chrono::{DateTime, Days, FixedOffset, NaiveDate};
use entities::report_periods as locked;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{months, year_span};
use crate::{
    apprenticeships::terms::Period,
    error::AppError,
    stored::{Stored, stored_enum},
};

stored_enum! {
    /// How long a reporting period is.
    pub enum PeriodKind("report period kind") {
        Month = "month" => "月报",
        Quarter = "quarter" => "季报",
        Year = "year" => "年报",
    }
}

/// A reporting period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReportPeriod {
    pub kind: PeriodKind,
    /// `YYYY-MM`, `YYYY-Qn` or `YYYY`.
    pub code: String,
    /// The statistical year it belongs to.
    pub year: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

impl ReportPeriod {
    /// The period a code names, if it is one (years 2000–2100).
    pub fn parse(code: &str) -> Option<Self> {
        if let Some((y, q)) = code.split_once("-Q") {
            if y.len() != 4 || q.len() != 1 {
                return None;
            }
            return Self::quarter(y.parse().ok()?, q.parse().ok()?);
        }
        if code.len() == 4 {
            return Self::year(code.parse().ok()?);
        }
        let month = Period::parse(code)?;
        let year = month.code[..4].parse().ok()?;
        YEARS.contains(&year).then(|| Self::month(month, year))
    }

    fn month(p: Period, year: i32) -> Self {
        Self {
            kind: PeriodKind::Month,
            code: p.code,
            year,
            starts_on: p.starts_on,
            ends_on: p.ends_on,
        }
    }

    fn quarter(year: i32, q: u32) -> Option<Self> {
        if !YEARS.contains(&year) || !(1..=4).contains(&q) {
            return None;
        }
        let months = months(year);
        let first = months.get(3 * (q as usize - 1))?;
        let last = months.get(3 * q as usize - 1)?;
        Some(Self {
            kind: PeriodKind::Quarter,
            code: format!("{year:04}-Q{q}"),
            year,
            starts_on: first.starts_on,
            ends_on: last.ends_on,
        })
    }

    fn year(year: i32) -> Option<Self> {
        if !YEARS.contains(&year) {
            return None;
        }
        let (starts_on, ends_on) = year_span(year);
        Some(Self {
            kind: PeriodKind::Year,
            code: format!("{year:04}"),
            year,
            starts_on,
            ends_on,
        })
    }

    /// The period of the same kind just before this one.
    pub fn previous(&self) -> Option<Self> {
        let before = self.starts_on.checked_sub_days(Days::new(1))?;
        Self::of(self.kind, before)
    }

    /// The period of `kind` that `day` falls in.
    pub fn of(kind: PeriodKind, day: NaiveDate) -> Option<Self> {
        let month = Self::parse(&Period::of(day).code)?;
        match kind {
            PeriodKind::Month => Some(month),
            PeriodKind::Quarter => {
                let m: u32 = month.code[5..].parse().ok()?;
                Self::quarter(month.year, (m - 1) / 3 + 1)
            }
            PeriodKind::Year => Self::year(month.year),
        }
    }

    /// The periods of a statistical year: twelve months, four quarters, the year.
    pub fn of_year(year: i32) -> Vec<Self> {
        let mut all: Vec<Self> = months(year)
            .into_iter()
            .map(|p| Self::month(p, year))
            .collect();
        all.extend((1..=4).filter_map(|q| Self::quarter(year, q)));
        all.extend(Self::year(year));
        all
    }

    /// How the period reads: "2026年3月", "2026年第1季度", "2026年度".
    pub fn title(&self) -> String {
        match self.kind {
            PeriodKind::Month => {
                let m: u32 = self.code[5..].parse().unwrap_or(0);
                format!("{}年{}月", self.year, m)
            }
            PeriodKind::Quarter => format!("{}年第{}季度", self.year, &self.code[6..]),
            PeriodKind::Year => format!("{}年度", self.year),
        }
    }
}

/// Who locked a period, when, and what they noted.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Lock {
    pub locked_by: String,
    pub locked_at: DateTime<FixedOffset>,
    pub note: String,
}

/// A period and, once locked, its lock.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportPeriodStatus {
    #[serde(flatten)]
    pub period: ReportPeriod,
    pub title: String,
    pub lock: Option<Lock>,
}

fn lock_of(row: &locked::Model) -> Lock {
    Lock {
        locked_by: row.locked_by.clone(),
        locked_at: row.locked_at,
        note: row.note.clone(),
    }
}

/// The periods of `year` with their locks.
pub async fn of_year(
    conn: &impl ConnectionTrait,
    year: i32,
) -> Result<Vec<ReportPeriodStatus>, AppError> {
    let (from, to) = year_span(year);
    let rows: HashMap<(String, String), locked::Model> = locked::Entity::find()
        .filter(locked::Column::StartsOn.between(from, to))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| ((r.kind.clone(), r.code.clone()), r))
        .collect();
    Ok(ReportPeriod::of_year(year)
        .into_iter()
        .map(|period| {
            let key = (period.kind.as_str().to_owned(), period.code.clone());
            ReportPeriodStatus {
                title: period.title(),
                lock: rows.get(&key).map(lock_of),
                period,
            }
        })
        .collect())
}

/// The locked row of `period`, if it is locked.
pub async fn locked_row(
    conn: &impl ConnectionTrait,
    period: &ReportPeriod,
) -> Result<Option<locked::Model>, AppError> {
    Ok(locked::Entity::find()
        .filter(locked::Column::Kind.eq(period.kind.as_str()))
        .filter(locked::Column::Code.eq(&period.code))
        .one(conn)
        .await?)
}

/// The locked periods of `period`'s kind just before it, latest first, up to the first
/// one that is open: the periods whose later changes `period` reports as adjustments.
pub async fn locked_run_before(
    conn: &impl ConnectionTrait,
    period: &ReportPeriod,
) -> Result<Vec<(ReportPeriod, locked::Model)>, AppError> {
    let rows: HashMap<String, locked::Model> = locked::Entity::find()
        .filter(locked::Column::Kind.eq(period.kind.as_str()))
        .filter(locked::Column::EndsOn.lt(period.starts_on))
        .order_by_desc(locked::Column::StartsOn)
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.code.clone(), r))
        .collect();
    let mut run = Vec::new();
    let mut at = period.previous();
    while let Some(p) = at {
        let Some(row) = rows.get(&p.code) else { break };
        at = p.previous();
        run.push((p, row.clone()));
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_read_and_follow_each_other() {
        let m = ReportPeriod::parse("2026-03").unwrap();
        assert_eq!((m.starts_on, m.ends_on), (d("2026-02-21"), d("2026-03-20")));
        assert_eq!(m.previous().unwrap().code, "2026-02");
        assert_eq!(
            ReportPeriod::parse("2026-01")
                .unwrap()
                .previous()
                .unwrap()
                .code,
            "2025-12"
        );
        let q = ReportPeriod::parse("2026-Q1").unwrap();
        assert_eq!((q.starts_on, q.ends_on), (d("2025-12-21"), d("2026-03-20")));
        assert_eq!(q.previous().unwrap().code, "2025-Q4");
        assert_eq!(q.title(), "2026年第1季度");
        let y = ReportPeriod::parse("2026").unwrap();
        assert_eq!((y.starts_on, y.ends_on), (d("2025-12-21"), d("2026-12-20")));
        assert_eq!(y.previous().unwrap().code, "2025");
        assert_eq!(
            ReportPeriod::of(PeriodKind::Quarter, d("2026-12-21"))
                .unwrap()
                .code,
            "2027-Q1"
        );
        for bad in ["2026-13", "2026-Q5", "1999", "2026-Q", "26-01", "x"] {
            assert!(ReportPeriod::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(ReportPeriod::of_year(2026).len(), 17);
        crate::stored::assert_strict::<PeriodKind>();
    }
}
