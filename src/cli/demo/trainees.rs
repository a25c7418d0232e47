//! Generating each cohort's trainees from its fixed seed: identity (name, citizen ID,
//! phone, key groups) that fits the program's age window on the first day, and what
//! becomes of them (results, a missing practical score, a failure or a withdrawal).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, bail};
use chrono::{Datelike, Days, NaiveDate};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};

use super::{catalogue::ProgramSpec, codes, names, schedule::CohortSpec};
use crate::{
    cohorts::enrolment::ResultInput,
    people::{CitizenId, Gender, KeyGroup, store::IdentityInput},
};

/// Address codes of birth places: Erguna most of all, then other Hulunbuir places
/// (海拉尔区, 满洲里市, 根河市, 陈巴尔虎旗).
const REGIONS: &[(&str, u32)] = &[
    ("150784", 76),
    ("150702", 8),
    ("150781", 6),
    ("150785", 6),
    ("150725", 4),
];

const PHONE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "177", "180", "181", "182", "183", "185", "186",
    "187", "188", "189", "191", "199",
];

const WITHDRAW_REASONS: &[&str] = &[
    "外出务工，无法继续参加培训",
    "家中牧场转场，时间冲突",
    "身体原因，本人申请退学",
    "已被企业录用，提前离班",
];

/// Who a trainee is.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub citizen_id: String,
    pub phone: Option<String>,
    pub key_groups: Vec<KeyGroup>,
}

impl Person {
    pub fn identity(&self) -> IdentityInput {
        IdentityInput {
            name: self.name.clone(),
            citizen_id: self.citizen_id.clone(),
            phone: self.phone.clone(),
            key_groups: self
                .key_groups
                .iter()
                .map(|g| g.as_str().to_owned())
                .collect(),
        }
    }

    /// Whether the registry would enrol this person in a program with this age window
    /// starting on `start` (age and key groups judged on that day).
    fn fits(&self, start: NaiveDate, min_age: u32, max_age: u32) -> bool {
        let age_ok = CitizenId::parse(&self.citizen_id)
            .is_ok_and(|id| (min_age..=max_age).contains(&id.age_on(start)));
        age_ok && self.identity().parse(start).is_ok()
    }
}

/// What becomes of one enrolment.
#[derive(Debug, Clone)]
pub enum Outcome {
    Result(ResultInput),
    Withdrawn(&'static str),
}

#[derive(Debug, Clone)]
pub struct Trainee {
    pub person: Person,
    pub outcome: Outcome,
    /// The trainee login to give this person, if any.
    pub login: Option<String>,
}

/// Generates every cohort's trainees in catalogue order; a cohort that takes trainees
/// from an earlier one reuses those people exactly.
pub fn generate_all(
    cohorts: &[CohortSpec],
    program_of: impl Fn(&str) -> Option<&'static ProgramSpec>,
) -> anyhow::Result<BTreeMap<&str, Vec<Trainee>>> {
    let mut taken = BTreeSet::new();
    let mut all: BTreeMap<&str, Vec<Trainee>> = BTreeMap::new();
    for spec in cohorts {
        let program = program_of(&spec.program)
            .with_context(|| format!("cohort {} names an unknown program", spec.code))?;
        let earlier: Vec<Person> = match &spec.also_from {
            Some(from) => all
                .get(from.cohort.as_str())
                .with_context(|| {
                    format!(
                        "cohort {} takes trainees from unknown {}",
                        spec.code, from.cohort
                    )
                })?
                .iter()
                .map(|t| t.person.clone())
                .collect(),
            None => vec![],
        };
        let trainees = generate(spec, program, &earlier, &mut taken)
            .with_context(|| format!("generating trainees of {}", spec.code))?;
        all.insert(&spec.code, trainees);
    }
    Ok(all)
}

fn generate(
    spec: &CohortSpec,
    program: &ProgramSpec,
    earlier: &[Person],
    taken: &mut BTreeSet<String>,
) -> anyhow::Result<Vec<Trainee>> {
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let start = spec.starts_on;
    let mut people = Vec::with_capacity(spec.trainees);
    for _ in 0..spec.trainees {
        people.push(person(&mut rng, spec, program, taken)?);
    }
    let shared = spec.also_from.as_ref().map_or(0, |from| from.trainees);
    people.extend(
        earlier
            .iter()
            .filter(|p| p.fits(start, program.min_age, program.max_age))
            .take(shared)
            .cloned(),
    );
    let withdrawn: BTreeSet<usize> =
        rand::seq::index::sample(&mut rng, spec.trainees, spec.withdrawn.min(spec.trainees))
            .into_iter()
            .collect();
    let mut trainees: Vec<Trainee> = people
        .into_iter()
        .enumerate()
        .map(|(i, person)| {
            let outcome = if withdrawn.contains(&i) {
                Outcome::Withdrawn(
                    WITHDRAW_REASONS
                        .choose(&mut rng)
                        .copied()
                        .unwrap_or("个人原因"),
                )
            } else {
                Outcome::Result(result(&mut rng, program.hours))
            };
            Trainee {
                person,
                outcome,
                login: None,
            }
        })
        .collect();
    let passers = trainees[..spec.trainees]
        .iter_mut()
        .enumerate()
        .filter(|(_, t)| matches!(&t.outcome, Outcome::Result(r) if passes(r, program.hours)));
    for (i, trainee) in passers.take(spec.logins) {
        trainee.login = Some(format!(
            "xy.{}.{:02}",
            spec.code.to_ascii_lowercase(),
            i + 1
        ));
    }
    Ok(trainees)
}

/// Whether a result meets the demo programs' completion rule (90 %, 60, 60).
pub fn passes(result: &ResultInput, hours: u32) -> bool {
    result.attended_hours * 10 >= hours * 9
        && result.theory_score.is_some_and(|s| s >= 60)
        && result.practical_score.is_some_and(|s| s >= 60)
}

fn person(
    rng: &mut StdRng,
    spec: &CohortSpec,
    program: &ProgramSpec,
    taken: &mut BTreeSet<String>,
) -> anyhow::Result<Person> {
    let start = spec.starts_on;
    for _ in 0..100 {
        let gender = if rng.gen_bool(0.5) {
            Gender::Male
        } else {
            Gender::Female
        };
        let age = age(rng, program.min_age, program.max_age);
        let Some(birth) =
            NaiveDate::from_ymd_opt(start.year() - age as i32, start.month(), start.day())
                .and_then(|d| d.checked_sub_days(Days::new(rng.gen_range(0..=360))))
        else {
            continue;
        };
        let region = region(rng);
        let id = codes::citizen_id(region, birth, rng.gen_range(1..500), gender)?;
        let name = names::name(rng, spec.community, gender);
        let phone = rng.gen_bool(0.92).then(|| phone(rng));
        let key_groups = key_groups(rng, spec, age, gender);
        let person = Person {
            name,
            citizen_id: id.as_str().to_owned(),
            phone,
            key_groups,
        };
        if person.fits(start, program.min_age, program.max_age)
            && taken.insert(person.citizen_id.clone())
        {
            return Ok(person);
        }
    }
    bail!("could not generate a trainee who fits the program")
}

/// An age in the window, mostly in its middle years.
fn age(rng: &mut StdRng, min: u32, max: u32) -> u32 {
    let a = rng.gen_range(min..=max);
    let b = rng.gen_range(min..=max);
    (a + b) / 2
}

fn region(rng: &mut StdRng) -> &'static str {
    let total: u32 = REGIONS.iter().map(|(_, w)| w).sum();
    let mut roll = rng.gen_range(0..total);
    for (code, weight) in REGIONS {
        if roll < *weight {
            return code;
        }
        roll -= weight;
    }
    "150784"
}

fn phone(rng: &mut StdRng) -> String {
    let prefix = PHONE_PREFIXES.choose(rng).copied().unwrap_or("138");
    format!("{prefix}{:08}", rng.gen_range(0..100_000_000u32))
}

/// Tags that fit the person; the age- and gender-bound ones only where the registry
/// allows them.
fn key_groups(rng: &mut StdRng, spec: &CohortSpec, age: u32, gender: Gender) -> Vec<KeyGroup> {
    let homestay = spec.program == "mszlr";
    let riding = spec.program == "qmy";
    let mut groups = Vec::new();
    let mut maybe = |group, percent: u32, applies: bool| {
        if applies && rng.gen_range(0..100) < percent {
            groups.push(group);
        }
    };
    maybe(
        KeyGroup::NewFarmerHerder,
        if riding { 50 } else { 30 },
        (16..=40).contains(&age),
    );
    maybe(KeyGroup::Graduate, 35, (21..=29).contains(&age));
    maybe(
        KeyGroup::WomanReturningToWork,
        30,
        gender == Gender::Female && (24..=45).contains(&age),
    );
    maybe(
        KeyGroup::ReturningEntrepreneur,
        if homestay { 25 } else { 8 },
        age >= 25,
    );
    maybe(KeyGroup::Unemployed, 15, true);
    maybe(KeyGroup::LowIncomeRural, 8, true);
    let older = match gender {
        Gender::Female => age >= 40,
        Gender::Male => age >= 50,
    };
    maybe(KeyGroup::OlderWorker, 40, older);
    maybe(KeyGroup::VeteranOrMilitaryFamily, 5, age >= 22);
    maybe(KeyGroup::ZeroEmploymentHousehold, 3, true);
    maybe(KeyGroup::Disabled, 2, true);
    groups
}

/// Attendance and scores: most pass; some attend too little, fail a part, or miss the
/// practical assessment.
fn result(rng: &mut StdRng, hours: u32) -> ResultInput {
    let enough = (hours * 9).div_ceil(10);
    let attended = rng.gen_range(enough..=hours);
    let theory = passing_score(rng);
    let practical = passing_score(rng);
    let mut result = ResultInput {
        attended_hours: attended,
        theory_score: Some(theory),
        practical_score: Some(practical),
    };
    match rng.gen_range(0..100) {
        0..=4 => result.attended_hours = rng.gen_range(hours * 6 / 10..enough),
        5..=8 => result.theory_score = Some(rng.gen_range(38..60)),
        9..=11 => result.practical_score = Some(rng.gen_range(42..60)),
        12..=15 => result.practical_score = None,
        _ => {}
    }
    result
}

/// A passing score, most often in the high 70s.
fn passing_score(rng: &mut StdRng) -> u32 {
    (rng.gen_range(60..=98) + rng.gen_range(60..=98)) / 2
}
