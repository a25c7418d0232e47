//! Reminder schedules as data: for each kind of date (a certificate kind's `valid_until`,
//! an order's deadline, an apprenticeship milestone's due day) the days before it (after
//! it, when negative) on which a reminder goes out. Read from `REGISTRY_REMINDERS`, e.g.
//! `licence=90,30,7,0,-30; order_deadline=14,3; milestone=7,0`; a kind not named keeps its default, a
//! kind named with nothing after `=` gets no reminders.

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::{Days, NaiveDate};

/// The key of order-deadline reminders in [`Schedules`].
pub const ORDER_DEADLINE: &str = "order_deadline";
/// The key of apprenticeship-milestone reminders in [`Schedules`].
pub const MILESTONE: &str = "milestone";

/// How long the last step of a schedule can still be sent after its day, e.g. after the
/// server was down over it. Earlier steps can be sent until the next step's day.
pub const LAST_STEP_GRACE_DAYS: i64 = 30;

/// One schedule: the steps in days before the date (negative: after), kept sorted from
/// the earliest day to the latest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule(Vec<i64>);

impl Schedule {
    /// A schedule of these steps (days before the date; duplicates dropped).
    pub fn new(mut steps: Vec<i64>) -> Self {
        steps.sort_unstable_by(|a, b| b.cmp(a));
        steps.dedup();
        Self(steps)
    }

    /// The steps, from the earliest day (most days before) to the latest.
    pub fn steps(&self) -> &[i64] {
        &self.0
    }

    /// The step to send on `today` for a date `date`: the latest step whose day has come,
    /// while the next step's day has not (the last step: for [`LAST_STEP_GRACE_DAYS`]).
    /// So a step missed while nothing ran is sent once when work resumes, and of several
    /// missed steps only the latest.
    pub fn due(&self, date: NaiveDate, today: NaiveDate) -> Option<i64> {
        let days_left = (date - today).num_days();
        let step = self.0.iter().copied().rfind(|s| *s >= days_left)?;
        let last = *self.0.last()?;
        (step != last || days_left >= last - LAST_STEP_GRACE_DAYS).then_some(step)
    }

    /// The dates that may have a step due on `today`: from `today` − (last step's lateness
    /// + grace) to `today` + the first step.
    pub fn window(&self, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let (first, last) = (*self.0.first()?, *self.0.last()?);
        Some((
            shift(today, last - LAST_STEP_GRACE_DAYS),
            shift(today, first),
        ))
    }
}

fn shift(day: NaiveDate, by: i64) -> NaiveDate {
    let moved = if by >= 0 {
        day.checked_add_days(Days::new(by.unsigned_abs()))
    } else {
        day.checked_sub_days(Days::new(by.unsigned_abs()))
    };
    moved.unwrap_or(day)
}

/// Every kind's schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedules(BTreeMap<String, Schedule>);

impl Default for Schedules {
    /// Licences: 90, 30, 7 and 0 days before expiry and 30 days after; order deadlines:
    /// 14 and 3 days before; apprenticeship milestones: 7 days before and on the day.
    fn default() -> Self {
        let mut map = BTreeMap::new();
        map.insert("licence".to_owned(), Schedule::new(vec![90, 30, 7, 0, -30]));
        map.insert(ORDER_DEADLINE.to_owned(), Schedule::new(vec![14, 3]));
        map.insert(MILESTONE.to_owned(), Schedule::new(vec![7, 0]));
        Self(map)
    }
}

impl Schedules {
    /// The defaults with the kinds named in `spec` replaced (`kind=steps; kind=steps`).
    pub fn parse(spec: &str) -> anyhow::Result<Self> {
        let mut schedules = Self::default();
        for part in spec.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (kind, steps) = part
                .split_once('=')
                .with_context(|| format!("REGISTRY_REMINDERS: {part:?} is not kind=days,…"))?;
            let steps = steps
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<i64>()
                        .ok()
                        .filter(|d| d.abs() <= 3650)
                        .with_context(|| {
                            format!("REGISTRY_REMINDERS: {s:?} is not a number of days")
                        })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            schedules
                .0
                .insert(kind.trim().to_owned(), Schedule::new(steps));
        }
        Ok(schedules)
    }

    /// The schedule of `kind`; `None` (no reminders) when it has none or an empty one.
    pub fn of(&self, kind: &str) -> Option<&Schedule> {
        self.0.get(kind).filter(|s| !s.0.is_empty())
    }

    /// The kinds with a non-empty schedule, with it.
    pub fn kinds(&self) -> impl Iterator<Item = (&str, &Schedule)> {
        self.0
            .iter()
            .filter(|(_, s)| !s.0.is_empty())
            .map(|(k, s)| (k.as_str(), s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn each_step_is_due_from_its_day_until_the_next_one() {
        let s = Schedules::default();
        let licence = s.of("licence").expect("licences have a schedule");
        let until = day("2030-01-31");
        assert_eq!(licence.due(until, day("2029-11-01")), None);
        assert_eq!(licence.due(until, day("2029-11-02")), Some(90));
        assert_eq!(licence.due(until, day("2030-01-01")), Some(30));
        assert_eq!(licence.due(until, day("2030-01-23")), Some(30));
        assert_eq!(licence.due(until, day("2030-01-24")), Some(7));
        assert_eq!(licence.due(until, day("2030-01-31")), Some(0));
        assert_eq!(licence.due(until, day("2030-03-02")), Some(-30));
        assert_eq!(licence.due(until, day("2030-04-01")), Some(-30));
        assert_eq!(licence.due(until, day("2030-04-02")), None, "grace over");
        let (from, to) = licence.window(day("2030-01-01")).expect("a window");
        assert_eq!((from, to), (day("2029-11-02"), day("2030-04-01")));
    }

    #[test]
    fn a_spec_replaces_the_kinds_it_names_and_refuses_nonsense() {
        let s =
            Schedules::parse(" licence = 60, 0 ; skill_level=30;order_deadline=").expect("valid");
        assert_eq!(s.of("licence").map(Schedule::steps), Some(&[60, 0][..]));
        assert_eq!(s.of("skill_level").map(Schedule::steps), Some(&[30][..]));
        assert_eq!(s.of(ORDER_DEADLINE), None);
        assert_eq!(s.of(MILESTONE).map(Schedule::steps), Some(&[7, 0][..]));
        assert!(Schedules::parse("licence").is_err());
        assert!(Schedules::parse("licence=soon").is_err());
    }
}
