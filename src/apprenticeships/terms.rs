//! Dates of an apprenticeship: how long an agreement may run, its apprenticeship years
//! (each begins on an anniversary of the start), and the reporting period a day falls in.

use chrono::{Datelike, Days, Months, NaiveDate};

/// One apprenticeship year: the `number`th, from an anniversary of the start to the day
/// before the next (the last one ends with the agreement), and its whole months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppYear {
    pub number: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub months: u32,
}

/// The day after `day`.
fn next(day: NaiveDate) -> NaiveDate {
    day.checked_add_days(Days::new(1)).unwrap_or(day)
}

/// `day` plus `months` months (the end of the month when it is shorter).
pub fn plus_months(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The whole months from `start` to `end` inclusive (e.g. 2026-03-01 … 2027-02-28 = 12).
pub fn whole_months(start: NaiveDate, end: NaiveDate) -> u32 {
    let after = next(end);
    let mut months = 0;
    while plus_months(start, months + 1) <= after {
        months += 1;
    }
    months
}

/// Whether `start ..= end` lasts at least `years` whole years.
pub fn at_least_years(start: NaiveDate, end: NaiveDate, years: u32) -> bool {
    whole_months(start, end) >= years * 12
}

/// Whether `start ..= end` lasts at most `years` years.
pub fn at_most_years(start: NaiveDate, end: NaiveDate, years: u32) -> bool {
    next(end) <= plus_months(start, years * 12)
}

/// The apprenticeship years of an agreement running `start ..= end`.
pub fn years(start: NaiveDate, end: NaiveDate) -> Vec<AppYear> {
    let mut out = Vec::new();
    let mut number = 0;
    loop {
        let starts_on = plus_months(start, number * 12);
        if starts_on > end || number >= 3 {
            return out;
        }
        let ends_on = plus_months(start, (number + 1) * 12)
            .pred_opt()
            .unwrap_or(end)
            .min(end);
        number += 1;
        out.push(AppYear {
            number: number as i32,
            starts_on,
            ends_on,
            months: whole_months(starts_on, ends_on),
        });
    }
}

/// A reporting period: the 21st of the month before to the 20th of its month, named
/// `YYYY-MM` after the month it ends in (as the HR statistics count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub code: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

impl Period {
    /// The period `day` falls in.
    pub fn of(day: NaiveDate) -> Self {
        let month_start = day.with_day(1).unwrap_or(day);
        let named = if day.day() > 20 {
            plus_months(month_start, 1)
        } else {
            month_start
        };
        Self::named(named)
    }

    /// The period ending on the 20th of `month`'s month.
    fn named(month: NaiveDate) -> Self {
        let ends_on = month.with_day(20).unwrap_or(month);
        let starts_on = next(
            month
                .with_day(1)
                .and_then(|d| d.checked_sub_months(Months::new(1)))
                .and_then(|d| d.with_day(20))
                .unwrap_or(month),
        );
        Self {
            code: format!("{:04}-{:02}", month.year(), month.month()),
            starts_on,
            ends_on,
        }
    }

    /// The period after this one.
    pub fn following(&self) -> Self {
        Self::of(next(self.ends_on))
    }

    /// The period a code names (`YYYY-MM`), if it is one.
    pub fn parse(code: &str) -> Option<Self> {
        let (y, m) = code.split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let first = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)?;
        Some(Self::named(first))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn lengths_count_whole_years_from_the_start() {
        assert!(at_least_years(d("2026-03-01"), d("2027-02-28"), 1));
        assert!(!at_least_years(d("2026-03-01"), d("2027-02-27"), 1));
        assert!(at_most_years(d("2026-03-01"), d("2028-02-29"), 2));
        assert!(!at_most_years(d("2026-03-01"), d("2028-03-01"), 2));
    }

    #[test]
    fn an_eighteen_month_agreement_has_a_full_year_and_a_half_one() {
        let ys = years(d("2026-03-01"), d("2027-08-31"));
        assert_eq!(ys.len(), 2);
        assert_eq!(
            (ys[0].starts_on, ys[0].ends_on, ys[0].months),
            (d("2026-03-01"), d("2027-02-28"), 12)
        );
        assert_eq!(
            (ys[1].starts_on, ys[1].ends_on, ys[1].months),
            (d("2027-03-01"), d("2027-08-31"), 6)
        );
    }

    #[test]
    fn periods_run_from_the_21st_to_the_20th() {
        let p = Period::of(d("2026-12-02"));
        assert_eq!(
            (p.code.as_str(), p.starts_on, p.ends_on),
            ("2026-12", d("2026-11-21"), d("2026-12-20"))
        );
        assert_eq!(Period::of(d("2026-12-21")).code, "2027-01");
        assert_eq!(p.following().code, "2027-01");
        assert_eq!(Period::parse("2027-01"), Some(Period::of(d("2026-12-25"))));
        assert_eq!(Period::parse("2027-13"), None);
    }
}
