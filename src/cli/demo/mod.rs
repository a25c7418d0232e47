//! `registry demo`: a realistic, fictional data set for Erguna — the bureau, two training
//! providers, an evaluation organisation, a licensing authority and two employers with
//! their staff; programs on the three local standards and one occupation; seven 2026
//! cohorts with generated trainees, results, withdrawals and a few trainee logins; their
//! certificate chains — completion, the evaluation organisation's assessments, specialty
//! or skill-level certificates, homestay licences — with one certificate suspended and
//! one revoked; two training orders, one in training with its cohort, hires and the
//! assignment share paid, one waiting for the bureau to assign it; two apprenticeship
//! agreements, one ended (an apprentice with both the apprenticeship and the skill-level
//! certificate, one completed, one who left early) and one under way, with the subsidy
//! ledger's rates, advances, claw-back and balances, a closed period and a payment. The
//! issuing
//! organisations upload their seal images and the holders of skill-level certificates
//! have (generated) photos, so every certificate's paper is whole.
//!
//! Everything goes through the capability functions, so every rule is checked and every
//! change is in the audit log. The data comes from fixed seeds and each record is looked
//! up by its natural key before it is created, so running the command again adds
//! nothing (certificates are found by their grounds). Passwords are random; they are
//! kept in `<data_dir>/demo/credentials.json` (mode 0600) so a rerun can report them
//! again.

mod addresses;
mod apprentice_ledger;
mod apprentice_progress;
mod apprenticeships;
mod assessments;
mod awards;
mod catalogue;
mod classes;
mod codes;
mod credentials;
mod holdings;
mod lookup;
mod names;
mod orders;
mod output;
mod pictures;
mod schedule;
mod setup;
mod trainees;

use std::{collections::BTreeMap, path::Path, sync::Arc};

use anyhow::Context;
use chrono::{Days, Months, NaiveDate};

use crate::{
    access::Caller,
    audit::Actor,
    certificates::Services,
    clock::Now,
    config::Config,
    db::Db,
    error::AppError,
    instance::{self, Shared},
    people::PiiKeys,
    programs::CertificateKind,
    startup::{certificate_services, open_database, pii_keys},
};
use assessments::Exam;
use awards::Issuers;
use catalogue::{PROGRAMS, ProgramSpec, Target};
use classes::Enrolled;
use credentials::Credentials;
use holdings::CohortEnrolments;
pub use output::{Count, DemoData, Summary};
use schedule::CohortSpec;
use trainees::Trainee;

/// How long the demo's licences are valid.
const LICENCE_YEARS: u32 = 3;

/// How the demo dates each step, in days after the cohort's last day (the examination is
/// [`assessments::DAYS_TO_EXAMINATION`] days after it): completion certificates the next
/// morning; specialty and skill-level certificates a week after the examination, licences
/// two weeks after it. The organisations and programs are set up a month before the first
/// cohort, and each cohort is opened, and its trainees enrolled, ten days before it starts.
const DAYS_TO_COMPLETION: u64 = 1;
const DAYS_FROM_EXAM_TO_CERTIFICATE: u64 = 7;
const DAYS_FROM_EXAM_TO_LICENCE: u64 = 14;
const DAYS_OF_SETUP_BEFORE_FIRST_COHORT: u64 = 30;
const DAYS_OF_ENROLMENT_BEFORE_START: u64 = 10;

/// Loads the demo data set into the configured database, prints a summary and, with
/// `out`, writes the logins, passwords and ids as JSON.
pub async fn run(config: &Config, out: Option<&Path>, now: Now) -> anyhow::Result<()> {
    let db = open_database(config).await?;
    let keys: Arc<PiiKeys> = pii_keys(config)?.into();
    let services = certificate_services(config, keys)?;
    instance::ensure_shared(&db, &Shared::of(&services), now).await?;
    let data = load(&db, &services, &config.data_dir, now).await?;
    println!("{}", data.summary);
    let missing = data
        .accounts
        .iter()
        .filter(|a| a.password.is_none())
        .count();
    if missing > 0 {
        println!(
            "  注意：{missing} 个账号已存在，但数据目录中没有其密码（{}），输出中密码为 null",
            Credentials::load(&config.data_dir)?.path().display()
        );
    }
    let default_out = config.data_dir.join("demo.json");
    let path = out.unwrap_or(&default_out);
    output::write(&data, path)?;
    println!("账号、密码和编号已写入 {}", path.display());
    Ok(())
}

/// One cohort as loaded: its spec, program, id and each trainee's enrolment.
struct Loaded<'a> {
    spec: &'a CohortSpec,
    program: &'static ProgramSpec,
    program_id: String,
    id: String,
    trainees: &'a [Trainee],
    enrolled: Vec<Enrolled>,
}

/// Brings the database to the demo data set and describes it. Safe to call again: what
/// exists is found, not duplicated. The PII keys are those of `services`.
pub async fn load(
    db: &Db,
    services: &Services,
    data_dir: &Path,
    now: Now,
) -> anyhow::Result<DemoData> {
    let keys = services.pii.as_ref();
    check_keys(db, keys).await?;
    let actor = Actor::system("demo");
    let mut credentials = Credentials::load(data_dir)?;
    let mut data = DemoData::default();
    let cohorts = schedule::cohorts()?;
    let founded = cohorts
        .iter()
        .map(|c| c.starts_on)
        .min()
        .and_then(|d| d.checked_sub_days(Days::new(DAYS_OF_SETUP_BEFORE_FIRST_COHORT)))
        .map_or(now, |d| now.back_to(d, 9));
    let orgs = setup::organisations(db, &actor, &mut data, founded).await?;
    let callers = setup::staff(db, &actor, &orgs, &mut credentials, &mut data, founded).await?;
    let programs = setup::programs(db, &callers, &mut data, founded).await?;
    pictures::seals(db, &callers, &mut data, founded).await?;
    let all = trainees::generate_all(&cohorts, |key| PROGRAMS.iter().find(|p| p.key == key))?;
    let evaluation_org_id = orgs
        .get("evaluator")
        .context("no evaluation organisation")?;
    let mut loaded = Vec::with_capacity(cohorts.len());
    for spec in &cohorts {
        let program_spec = PROGRAMS
            .iter()
            .find(|p| p.key == spec.program)
            .with_context(|| format!("cohort {} names an unknown program", spec.code))?;
        let program = programs
            .get(spec.program.as_str())
            .with_context(|| format!("program {} was not loaded", spec.program))?;
        let class = classes::Class {
            keys,
            caller: acting(&callers, program_spec.provider)?,
            program,
            evaluation_org_id,
            opened: now.back_to(
                days_from(spec.starts_on, -(DAYS_OF_ENROLMENT_BEFORE_START as i64))?,
                10,
            ),
            closed: now.back_to(spec.ends_on, 16),
        };
        let trainees = all
            .get(spec.code.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let (id, enrolled) =
            classes::load(db, &class, spec, trainees, &mut credentials, &mut data).await?;
        loaded.push(Loaded {
            spec,
            program: program_spec,
            program_id: program.id.clone(),
            id,
            trainees,
            enrolled,
        });
    }
    data.summary.people = classes::people_count(&all);
    let enrolled = loaded.iter().flat_map(|c| c.enrolled.iter());
    addresses::confirmed(db, &actor, enrolled, &mut data, founded).await?;
    let issuers = Issuers {
        services,
        assessor: acting(&callers, "evaluator")?,
        officer: acting(&callers, "licensing")?,
    };
    let today = now.today;
    for cohort in &loaded {
        let provider = acting(&callers, cohort.program.provider)?;
        award(db, &issuers, provider, cohort, today, &mut data, now)
            .await
            .with_context(|| format!("certificates of cohort {}", cohort.spec.code))?;
    }
    let enrolments: Vec<CohortEnrolments<'_>> = loaded
        .iter()
        .map(|c| CohortEnrolments {
            cohort_id: &c.id,
            enrolled: &c.enrolled,
        })
        .collect();
    data.certificates = holdings::list(&db.read, &enrolments, today).await?;
    awards::status_examples(db, &issuers, today, &mut data, now).await?;
    let cohort_ids: BTreeMap<&str, String> = loaded
        .iter()
        .map(|c| (c.spec.code.as_str(), c.id.clone()))
        .collect();
    orders::load(
        db,
        &services.region_code,
        &callers,
        &cohort_ids,
        &mut data,
        now,
    )
    .await?;
    apprenticeships::load(db, services, &callers, &mut data, now).await?;
    Ok(data)
}

/// The caller an organisation of the catalogue acts as.
fn acting<'c>(
    callers: &'c BTreeMap<&'static str, Caller>,
    org: &str,
) -> anyhow::Result<&'c Caller> {
    callers
        .get(org)
        .with_context(|| format!("no account acts for {org}"))
}

/// The certificates of one cohort, step by step: completion as the provider, the
/// examination, the specialty or skill-level certificate of each pass, and the licence of
/// each specialty holder where the program leads to one.
async fn award(
    db: &Db,
    issuers: &Issuers<'_>,
    provider: &Caller,
    cohort: &Loaded<'_>,
    today: NaiveDate,
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<()> {
    let offers = |kind| cohort.program.certificates.contains(&kind);
    let ended = days_from(cohort.spec.ends_on, DAYS_TO_COMPLETION as i64)?;
    if ended > now.today {
        return Ok(());
    }
    let completed = awards::completion(
        db,
        issuers.services,
        provider,
        (&cohort.spec.code, &cohort.id),
        data,
        now.back_to(ended, 10),
    )
    .await?;
    let assessed_kind = match cohort.program.target {
        Target::Standard(_) => CertificateKind::Specialty,
        Target::Occupation { .. } => CertificateKind::SkillLevel,
    };
    if !offers(assessed_kind) {
        return Ok(());
    }
    let program_row = lookup::row_where(
        &db.read,
        [(entities::programs::Column::Id, cohort.program_id.as_str())],
    )
    .await?
    .context("the cohort's program is missing")?;
    let exam = Exam {
        assessor: issuers.assessor,
        cohort: cohort.spec,
        program: cohort.program,
        program_row: &program_row,
        today,
    };
    let assessed = assessments::examine(
        db,
        &exam,
        cohort.trainees,
        &cohort.enrolled,
        &completed,
        data,
        now,
    )
    .await?;
    let Some(exam_day) = exam.day() else {
        return Ok(());
    };
    let certified = now.back_to(
        days_from(exam_day, DAYS_FROM_EXAM_TO_CERTIFICATE as i64)?,
        10,
    );
    if assessed_kind == CertificateKind::SkillLevel {
        // The skill-level certificate prints the holder's photo: the provider uploads them.
        let passed: Vec<&str> = assessed
            .iter()
            .filter(|a| a.passed)
            .map(|a| a.enrolment_id.as_str())
            .collect();
        let holders = cohort
            .enrolled
            .iter()
            .filter(|e| passed.contains(&e.enrolment_id.as_str()));
        let keys = issuers.services.pii.as_ref();
        pictures::photos(db, keys, provider, holders, data, certified).await?;
    }
    let held =
        awards::on_assessments(db, issuers, assessed_kind, &assessed, data, certified).await?;
    if offers(CertificateKind::Licence) {
        let holders = assessed
            .iter()
            .map(|a| &a.enrolment_id)
            .filter(|e| held.contains_key(*e));
        let licensed = now.back_to(days_from(exam_day, DAYS_FROM_EXAM_TO_LICENCE as i64)?, 10);
        let until = licence_until(licensed.today)?;
        awards::licences(db, issuers, holders, until, data, licensed).await?;
    }
    Ok(())
}

/// `day` moved by `days` (back when negative).
fn days_from(day: NaiveDate, days: i64) -> anyhow::Result<NaiveDate> {
    let moved = if days < 0 {
        day.checked_sub_days(Days::new(days.unsigned_abs()))
    } else {
        day.checked_add_days(Days::new(days as u64))
    };
    moved.context("a demo date out of range")
}

/// The last day of a licence issued today.
fn licence_until(today: NaiveDate) -> anyhow::Result<NaiveDate> {
    today
        .checked_add_months(Months::new(12 * LICENCE_YEARS))
        .and_then(|d| d.pred_opt())
        .context("licence validity out of range")
}

/// Refuses to go on with PII keys that do not open the people already registered: the
/// blind index would not find them, and the demo would register everyone a second time.
async fn check_keys(db: &Db, keys: &PiiKeys) -> anyhow::Result<()> {
    if let Some(person) = lookup::any_person(&db.read).await?
        && keys.open(&person.citizen_id_sealed).is_err()
    {
        anyhow::bail!(
            "个人信息密钥（REGISTRY_PII_KEY 或数据目录中的 keys/pii.key）与数据库中已登记人员所用的\
             密钥不一致，无法识别已有学员；请使用原来的数据目录或密钥"
        );
    }
    Ok(())
}

/// Turns a refusal from a capability into an error that says what was being done and
/// which fields were refused.
fn explain(doing: String) -> impl FnOnce(AppError) -> anyhow::Error {
    move |e| match e {
        AppError::Internal(inner) => inner.context(doing),
        other => {
            let body = other.body();
            let fields: Vec<String> = body
                .fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.reason))
                .collect();
            anyhow::anyhow!(
                "{doing}: {} [{}] {}",
                body.error,
                fields.join(", "),
                body.message
            )
        }
    }
}
