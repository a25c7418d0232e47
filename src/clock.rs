//! The registry's clock. Capabilities never read the system time: they are handed a
//! [`Now`] (an instant and the day it falls on in the registry's time zone), so tests
//! move time instead of sleeping, and a date means the same day a person in Erguna sees
//! on their calendar (UTC+8 by default), not the day in Greenwich.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};

/// The moment something happens: the instant and the local calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    pub at: DateTime<Utc>,
    pub today: NaiveDate,
    /// The time zone `today` is read in.
    pub zone: FixedOffset,
}

impl Now {
    /// `at`, with its calendar day in the time zone `zone`.
    pub fn at(at: DateTime<Utc>, zone: FixedOffset) -> Self {
        Self {
            at,
            today: at.with_timezone(&zone).date_naive(),
            zone,
        }
    }

    /// `hour` o'clock local time on `day`, for replaying the past (the demo dates each step
    /// as it would have happened); never later than `self`, so nothing is dated in the
    /// future.
    pub fn back_to(self, day: NaiveDate, hour: u32) -> Self {
        let then = day
            .and_hms_opt(hour.min(23), 0, 0)
            .and_then(|local| local.and_local_timezone(self.zone).single())
            .map(|t| t.with_timezone(&Utc));
        match then {
            Some(then) if then < self.at => Self::at(then, self.zone),
            _ => self,
        }
    }

    /// The instant as stored in timestamp columns.
    pub fn stamp(&self) -> DateTime<FixedOffset> {
        self.at.fixed_offset()
    }
}

/// The system clock, moved on by a fixed amount when a test (or a demo that replays the
/// past) asks it to.
#[derive(Debug)]
pub struct Clock {
    zone: FixedOffset,
    shift_ms: AtomicI64,
}

impl Clock {
    /// The system clock, reading calendar days in `zone`.
    pub fn system(zone: FixedOffset) -> Self {
        Self {
            zone,
            shift_ms: AtomicI64::new(0),
        }
    }

    pub fn now(&self) -> Now {
        let shift = Duration::milliseconds(self.shift_ms.load(Ordering::Relaxed));
        Now::at(Utc::now() + shift, self.zone)
    }

    /// Moves the clock on by `by` (backwards when negative) for everything that asks it
    /// from now on.
    pub fn advance(&self, by: Duration) {
        self.shift_ms
            .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }

    /// The registry's time zone.
    pub fn zone(&self) -> FixedOffset {
        self.zone
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_day_is_the_local_calendar_day() {
        let zone = FixedOffset::east_opt(8 * 3600).expect("a valid offset");
        // 2026-12-01 17:30 UTC is already 2 December in Erguna.
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 17, 30, 0).unwrap();
        assert_eq!(
            Now::at(at, zone).today,
            NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
        );
    }

    #[test]
    fn going_back_lands_on_the_local_hour_and_never_in_the_future() {
        let zone = FixedOffset::east_opt(8 * 3600).expect("a valid offset");
        let now = Now::at(Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap(), zone);
        let day = NaiveDate::from_ymd_opt(2026, 3, 28).unwrap();
        let then = now.back_to(day, 16);
        assert_eq!(then.today, day);
        assert_eq!(then.at, Utc.with_ymd_and_hms(2026, 3, 28, 8, 0, 0).unwrap());
        let later = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(now.back_to(later, 9), now, "the future is now");
    }

    #[test]
    fn advancing_moves_every_later_reading() {
        let clock = Clock::system(FixedOffset::east_opt(0).expect("a valid offset"));
        let before = clock.now();
        clock.advance(Duration::days(3));
        let after = clock.now();
        assert!(after.at - before.at >= Duration::days(3));
        assert!(after.at - before.at < Duration::days(3) + Duration::minutes(1));
    }
}
