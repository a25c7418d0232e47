//! The 2026 cohorts of the demo programs, kept as data in `cohorts.toml`: dates, places,
//! teachers, how many trainees each has and the seed they are generated from (in
//! [`super::trainees`]).

use anyhow::Context;
use chrono::NaiveDate;
use serde::Deserialize;

/// Where most of a cohort's trainees come from, which shapes their names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Community {
    /// Mostly Han names, some Mongolian and Russian-ethnic ones (the city seat).
    Town,
    /// A pastoral area: many Mongolian names.
    Pastoral,
    /// A Russian-ethnic township (室韦, 恩和): many Russian given names.
    RussianEthnic,
}

/// One cohort of the demo data set.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CohortSpec {
    /// The key of its program in the catalogue.
    pub program: String,
    pub code: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub capacity: u32,
    pub location: String,
    pub teachers: Vec<String>,
    pub community: Community,
    /// Newly generated trainees.
    pub trainees: usize,
    /// Trainees of an earlier cohort who also join this one.
    pub also_from: Option<AlsoFrom>,
    pub withdrawn: usize,
    /// Trainees given their own login.
    pub logins: usize,
    pub seed: u64,
}

/// Trainees of an earlier cohort who also join a later one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlsoFrom {
    /// The earlier cohort's code.
    pub cohort: String,
    /// How many of its trainees (who fit the later program's ages) join.
    pub trainees: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Schedule {
    cohort: Vec<CohortSpec>,
}

/// The cohorts of `cohorts.toml`, in the order they are loaded.
pub fn cohorts() -> anyhow::Result<Vec<CohortSpec>> {
    let schedule: Schedule = toml::from_str(include_str!("cohorts.toml"))
        .context("reading the demo schedule (cli/demo/cohorts.toml)")?;
    Ok(schedule.cohort)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn the_schedule_reads_and_holds_together() {
        let cohorts = cohorts().unwrap();
        assert_eq!(cohorts.len(), 7);
        let mut earlier = BTreeSet::new();
        for c in &cohorts {
            assert!(c.starts_on <= c.ends_on, "{} ends before it starts", c.code);
            assert!(
                c.trainees + c.also_from.as_ref().map_or(0, |a| a.trainees) <= c.capacity as usize,
                "{} is over capacity",
                c.code
            );
            assert!(
                c.withdrawn <= c.trainees && c.logins <= c.trainees,
                "{}",
                c.code
            );
            if let Some(from) = &c.also_from {
                assert!(
                    earlier.contains(&from.cohort),
                    "{} takes from a later cohort",
                    c.code
                );
            }
            assert!(earlier.insert(c.code.clone()), "{} twice", c.code);
        }
        let first = &cohorts[0];
        assert_eq!(first.code, "MSZLR-2026-01");
        assert_eq!(
            first.starts_on,
            NaiveDate::from_ymd_opt(2026, 3, 16).unwrap()
        );
        assert_eq!(first.community, Community::Town);
        assert_eq!(first.teachers, ["刘雅琴", "周晓梅", "白乌云"]);
        assert_eq!(first.seed, 0x4d53_5a4c_5201);
    }

    #[test]
    fn a_misspelt_field_is_an_error_not_a_default() {
        let text = include_str!("cohorts.toml").replacen("\nwithdrawn =", "\nwithdrawals =", 1);
        assert!(toml::from_str::<Schedule>(&text).is_err());
    }
}
