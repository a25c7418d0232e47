//! Certificate benchmarks (`cargo bench --bench certificates`), on a fresh SQLite
//! database in a temporary directory, release build:
//! 0. load the renderer (font and layouts) and render the sample of every layout, against
//!    the budget: a median render under 2 ms and PDFs of 40 KB on average;
//! 1. render + sign one certificate (freeze: build the credential, sign it with both
//!    proofs, render the PDF), median over many runs, and the sizes of the PDF and the
//!    credential; then signing alone, the same credential with the JCS proof only and
//!    with both (the RDF canonicalization is the difference);
//! 2. issue the completion certificates of a 1,000-enrolment cohort end to end, in one
//!    transaction, as `POST /api/v1/cohorts/{id}/certificates` does.
//!
//! Set `BENCH_DATABASE_URL=postgres://…/db` to run against PostgreSQL instead.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark, like a test: a failed set-up step should stop it"
)]

use std::{
    path::Path,
    time::{Duration, Instant},
};

use chrono::{NaiveDate, Utc};
use registry::{
    access::{Caller, Role},
    audit::Actor,
    auth::accounts,
    certificates::{
        IssueRequest, freeze, grounds,
        issue::issue_for_cohort,
        pdf::{Renderer, samples},
    },
    cohorts::{self, CohortInput, enrolment},
    config::Config,
    organisations::{self, CreditCode, OrgKind, OrgStatus, OrganisationInput},
    people::{CitizenId, store::IdentityInput},
    programs::{self, CertificateKind, CertificateRule, ProgramInput},
    startup,
};
use sea_orm::TransactionTrait;

const COHORT: usize = 1000;
const RENDERS: usize = 300;
/// The render budget: the median render of a sample layout, and the average PDF size.
const BUDGET_MEDIAN: Duration = Duration::from_millis(2);
const BUDGET_AVERAGE_KB: f64 = 40.0;

fn citizen_id(n: usize) -> String {
    let birth = NaiveDate::from_ymd_opt(1980, 1, 1).unwrap() + chrono::Days::new((n * 7) as u64);
    let first17 = format!("150784{}{:03}", birth.format("%Y%m%d"), n % 1000);
    CitizenId::complete(&first17).unwrap().as_str().to_owned()
}

fn name(n: usize) -> String {
    const FAMILY: [&str; 10] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
    const GIVEN: [&str; 10] = [
        "建国",
        "秀英",
        "娜仁",
        "巴特尔",
        "其木格",
        "海燕",
        "志强",
        "桂兰",
        "宝音",
        "丽娟",
    ];
    format!("{}{}", FAMILY[n % 10], GIVEN[(n / 10) % 10])
}

/// Signing alone, over the unsigned credential of a frozen certificate: one JCS proof
/// (as before the RDF proof) against both proofs, median over [`RENDERS`] runs each.
fn sign_alone(services: &registry::certificates::Services, signed: &str) -> anyhow::Result<()> {
    use registry::certificates::credential::{Cryptosuite, add_proofs};
    let mut unsigned: serde_json::Value = serde_json::from_str(signed)?;
    unsigned.as_object_mut().expect("an object").remove("proof");
    let key = services.signing.current();
    let method = services.signing.verification_method(&services.did);
    for (label, suites) in [
        ("eddsa-jcs-2022 only", &[Cryptosuite::EddsaJcs2022][..]),
        ("both proofs", &Cryptosuite::ALL[..]),
    ] {
        let mut times = Vec::with_capacity(RENDERS);
        let mut size = 0;
        for _ in 0..RENDERS {
            let t = Instant::now();
            let signed = add_proofs(&unsigned, key, &method, Utc::now(), suites)
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            times.push(t.elapsed());
            size = signed.to_string().len();
        }
        println!(
            "sign one credential, {label}: median {:.2?}, fastest {:.2?}, credential {size} bytes",
            median(times.clone()),
            times.iter().min().copied().unwrap_or_default(),
        );
    }
    Ok(())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Loads the renderer and renders every layout's sample, each as a different certificate.
fn render_samples() -> anyhow::Result<()> {
    let started = Instant::now();
    let renderer = Renderer::from_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("certs"))?;
    let load = started.elapsed();
    let docs = samples::all();
    for doc in &docs {
        renderer.render(doc)?; // warm-up
    }
    let mut times = Vec::with_capacity(RENDERS);
    let mut bytes = 0usize;
    for i in 0..RENDERS {
        let mut doc = docs[i % docs.len()].clone();
        doc.number.push_str(&i.to_string());
        let t = Instant::now();
        bytes += renderer.render(&doc)?.len();
        times.push(t.elapsed());
    }
    times.sort();
    let median = times[RENDERS / 2];
    let average_kb = bytes as f64 / RENDERS as f64 / 1024.0;
    let verdict = if median < BUDGET_MEDIAN && average_kb < BUDGET_AVERAGE_KB {
        "within"
    } else {
        "OVER"
    };
    println!(
        "load the renderer: {load:.1?}; render the {} sample layouts: median {median:.2?}, \
         p90 {:.2?}, max {:.2?}, mean PDF size {average_kb:.1} KB over {RENDERS} runs \
         ({verdict} the budget of {BUDGET_MEDIAN:?} and {BUDGET_AVERAGE_KB} KB)",
        docs.len(),
        times[RENDERS * 9 / 10],
        times[RENDERS - 1],
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let now =
        registry::clock::Clock::system(chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
            .now();
    // 0. Render only, every layout, no database.
    render_samples()?;

    let dir =
        std::env::temp_dir().join(format!("registry-bench-{}", uuid::Uuid::new_v4().simple()));
    let config = Config::for_data_dir(dir.clone(), std::env::var("BENCH_DATABASE_URL").ok());
    let db = startup::open_database(&config).await?;
    let pii = std::sync::Arc::new(startup::pii_keys(&config)?);
    let services = startup::certificate_services(&config, pii.clone())?;
    let actor = Actor::system("bench");

    let txn = db.write.begin().await?;
    let provider = organisations::create(
        &txn,
        &actor,
        OrganisationInput {
            kind: OrgKind::TrainingProvider,
            name: "额尔古纳市职业技能培训中心".into(),
            credit_code: CreditCode::complete("52150784MJY000001")
                .expect("code")
                .to_string(),
            address: None,
            contact_phone: None,
            national_code: None,
            site_code: None,
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    organisations::set_status(&txn, &actor, &provider.id, OrgStatus::Approved, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let account = accounts::create(
        &txn,
        &actor,
        accounts::NewAccount {
            login: "bench-staff".into(),
            password: "bench password".to_owned().into(),
            role: Role::ProviderStaff,
            organisation_id: Some(provider.id.clone()),
            display_name: None,
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let caller = Caller {
        account_id: account.id,
        login: account.login,
        role: Role::ProviderStaff,
        organisation_id: Some(provider.id.clone()),
        token_id: "bench".into(),
        minted_by: None,
    };
    let program = programs::create(
        &txn,
        &actor,
        &provider.id,
        ProgramInput {
            title: "民宿主理人培训".into(),
            hours: 100,
            standard_code: Some("150784-MSZLR".into()),
            occupation_code: None,
            level: None,
            min_age: Some(16),
            max_age: Some(65),
            certificates: vec![CertificateRule {
                kind: CertificateKind::Completion,
                min_attendance_percent: Some(90),
                min_theory_score: Some(60),
                min_practical_score: Some(60),
                requires: vec![],
                licensed_activity: None,
                licence_title: None,
            }],
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let cohort = cohorts::create(
        &txn,
        &actor,
        &provider.id,
        CohortInput {
            program_id: program.id.clone(),
            code: "BENCH-1000".into(),
            starts_on: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            ends_on: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
            capacity: COHORT as u32,
            location: "拉布大林街道".into(),
            teachers: vec![],
            evaluation_org_id: None,
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    txn.commit().await?;

    let started = Instant::now();
    let txn = db.write.begin().await?;
    let mut first_enrolment = None;
    for n in 0..COHORT {
        let e = enrolment::enrol(
            &txn,
            &pii,
            &caller,
            &cohort.id,
            IdentityInput {
                name: name(n),
                citizen_id: citizen_id(n),
                phone: None,
                key_groups: vec![],
            },
            now,
        )
        .await
        .map_err(|e| anyhow::anyhow!("enrolling {n}: {e:?}"))?;
        enrolment::record_result(
            &txn,
            &pii,
            &caller,
            &e.id,
            enrolment::ResultInput {
                attended_hours: 96,
                theory_score: Some(80),
                practical_score: Some(85),
            },
            now,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        first_enrolment.get_or_insert(e.id);
    }
    txn.commit().await?;
    println!(
        "setup: {COHORT} enrolments with results in {:.1?}",
        started.elapsed()
    );

    // 1. Render + sign, on real grounds, without storing.
    let txn = db.write.begin().await?;
    let request = IssueRequest {
        kind: CertificateKind::Completion,
        enrolment_id: first_enrolment.expect("an enrolment"),
        assessment_id: None,
        parent_ids: vec![],
        valid_until: None,
    };
    let g = grounds::resolve(&txn, &caller, &request, now.today)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    txn.rollback().await?;
    let mut times = Vec::with_capacity(RENDERS);
    let mut sizes = 0usize;
    let mut credential_sizes = 0usize;
    let mut last_credential = String::new();
    for i in 0..RENDERS {
        let id = uuid::Uuid::now_v7().to_string();
        let number = format!("150784-JY-2026-{:06}", i + 1);
        let token = registry::certificates::numbering::new_token();
        let t = Instant::now();
        let frozen = freeze::freeze(
            &services,
            &freeze::FreezeInput {
                id: &id,
                number: &number,
                token: &token,
                status_index: i as i64,
                grounds: &g,
                occupation: None,
                level: None,
                target: None,
                valid_from: Utc::now().date_naive(),
                valid_until: None,
                issued_at: Utc::now(),
                paper: &freeze::Paper::default(),
            },
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        times.push(t.elapsed());
        sizes += frozen.pdf.len();
        credential_sizes += frozen.credential_json.len();
        last_credential = frozen.credential_json;
    }
    println!(
        "render + sign one certificate (both proofs): median {:.2?}, fastest {:.2?}, mean PDF size {:.1} KB, credential {:.1} KB over {RENDERS} runs",
        median(times.clone()),
        times.iter().min().copied().unwrap_or_default(),
        sizes as f64 / RENDERS as f64 / 1024.0,
        credential_sizes as f64 / RENDERS as f64 / 1024.0
    );
    sign_alone(&services, &last_credential)?;

    // 2. Whole-cohort issuance, end to end, in one transaction.
    let started = Instant::now();
    let txn = db.write.begin().await?;
    let report = issue_for_cohort(&txn, &services, &caller, &cohort.id, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    txn.commit().await?;
    let issued = report.issued.len();
    let elapsed = started.elapsed();
    println!(
        "issue a {COHORT}-enrolment cohort: {issued} certificates in {:.2?} ({:.2?} per certificate)",
        elapsed,
        elapsed / issued.max(1) as u32
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
