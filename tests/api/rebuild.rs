//! The attack the privacy probe made: rebuild people's full citizen IDs from a copy of the
//! database (without the PII key) or from what a role receives from the API. A masked ID
//! (`150784********123X`) hides exactly the birth date; everything else shown — region,
//! sequence, check character, gender, the program's age window — still leaves every
//! real date of birth in that window whose check character matches, over a thousand
//! numbers. The test enumerates them, narrows them by whatever the attacker sees (a full
//! number, a birth date in any written form, a birth year, an age) and requires that no
//! one is pinned down; the roles entitled to the full number are the positive control.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use registry::{access::Role, people::CitizenId};
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::certificates::{Chain, chain, passing, pdf_text};
use crate::helpers::{PASSWORD, TestApp, citizen_id, credit_code};

/// Fewer candidates than this and a person's number is as good as known: the holder match
/// on the verification page confirms ten guesses an hour. With nothing of the birth date
/// shown about 1,400 remain for an 18–60 window; a birth year alone would leave about 33.
const ENOUGH_CANDIDATES: usize = 100;

/// The homestay program's age window and first day (tests/api/certificates.rs `chain`).
const MIN_AGE: i32 = 18;
const MAX_AGE: i32 = 60;
const STARTS_ON: (i32, u32, u32) = (2026, 5, 6);

struct Someone {
    name: &'static str,
    citizen_id: String,
    phone: &'static str,
    birth: NaiveDate,
    person_id: String,
    enrolment_id: String,
}

impl Someone {
    fn masked(&self) -> String {
        format!(
            "{}********{}",
            &self.citizen_id[..6],
            &self.citizen_id[14..]
        )
    }

    /// The birth date as the API, the database and the certificates could write it.
    fn birth_date_forms(&self) -> [String; 3] {
        date_forms(self.birth)
    }
}

fn date_forms(d: NaiveDate) -> [String; 3] {
    [
        d.format("%Y-%m-%d").to_string(),
        d.format("%Y%m%d").to_string(),
        format!("{}年{}月{}日", d.year(), d.month(), d.day()),
    ]
}

/// What an attacker reads out of some text: every ID-shaped string, every date written as
/// a date, and any birth year or age a JSON document states.
struct Seen {
    text: String,
    ids: HashSet<String>,
    dates: HashSet<NaiveDate>,
    birth_years: HashSet<i64>,
    ages: HashSet<i64>,
}

impl Seen {
    fn new(text: String) -> Self {
        let mut ids = HashSet::new();
        let mut dates = HashSet::new();
        // Digits only count as a date when written as one (`1990-04-12`, `1990年4月12日`) or
        // inside an ID-shaped run: any eight digits of a hash could read as a date.
        for run in text
            .split(|ch: char| !(ch.is_ascii_digit() || ch == 'X'))
            .filter(|run| run.len() >= 18)
        {
            for start in 0..=run.len() - 18 {
                ids.insert(run[start..start + 18].to_owned());
            }
        }
        for (at, _) in text.match_indices('-') {
            let iso = text.get(at.saturating_sub(4)..at + 6).unwrap_or_default();
            if let Ok(day) = NaiveDate::parse_from_str(iso, "%Y-%m-%d") {
                dates.insert(day);
            }
        }
        for (at, _) in text.match_indices('年') {
            let year = text.get(at.saturating_sub(4)..at).unwrap_or_default();
            let rest = &text[at + '年'.len_utf8()..];
            let written = rest.split_once('日').map(|(md, _)| md).unwrap_or_default();
            if let Some((month, day)) = written.split_once('月')
                && let (Ok(y), Ok(m), Ok(d)) = (year.parse(), month.parse(), day.parse())
                && let Some(day) = NaiveDate::from_ymd_opt(y, m, d)
            {
                dates.insert(day);
            }
        }
        Self {
            ids,
            dates,
            birth_years: numbers_after(&text, "\"birth_year\":"),
            ages: numbers_after(&text, "\"age\":"),
            text,
        }
    }

    fn contains(&self, s: &str) -> bool {
        self.text.contains(s)
    }
}

/// The integers written right after each occurrence of `key` in `text`.
fn numbers_after(text: &str, key: &str) -> HashSet<i64> {
    text.match_indices(key)
        .filter_map(|(at, _)| {
            let digits: String = text[at + key.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect()
}

/// Every citizen ID consistent with `masked`, with a birth date inside the program's age
/// window, narrowed by what `seen` shows.
fn candidates(masked: &str, seen: &Seen, today: NaiveDate) -> Vec<String> {
    let (region, rest) = masked.split_at(6);
    let (sequence, check) = rest.trim_start_matches('*').split_at(3);
    let (y, m, d) = STARTS_ON;
    let earliest = NaiveDate::from_ymd_opt(y - MAX_AGE - 1, m, d)
        .and_then(|day| day.succ_opt())
        .unwrap();
    let latest = NaiveDate::from_ymd_opt(y - MIN_AGE, m, d).unwrap();
    let all: Vec<(NaiveDate, String)> = earliest
        .iter_days()
        .take_while(|day| *day <= latest)
        .filter_map(|day| {
            let first17 = format!("{region}{}{sequence}", day.format("%Y%m%d"));
            let right = CitizenId::check_character_of(&first17)?.to_string() == check;
            right.then(|| (day, format!("{first17}{check}")))
        })
        .collect();
    let narrowed = narrow(all, |(_, id)| seen.ids.contains(id));
    let narrowed = narrow(narrowed, |(day, _)| seen.dates.contains(day));
    let narrowed = narrow(narrowed, |(day, _)| {
        seen.birth_years.contains(&i64::from(day.year()))
    });
    let narrowed = narrow(narrowed, |(day, _)| {
        seen.ages.contains(&i64::from(age_on(*day, today)))
    });
    narrowed.into_iter().map(|(_, id)| id).collect()
}

/// The candidates `evidence` points at, if it points at any; otherwise all of them.
fn narrow<T>(all: Vec<T>, evidence: impl Fn(&T) -> bool) -> Vec<T> {
    if all.iter().any(&evidence) {
        all.into_iter().filter(|c| evidence(c)).collect()
    } else {
        all
    }
}

fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let years = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        years - 1
    } else {
        years
    }
}

/// Six trainees of the homestay cohort with phones and results, completion certificates
/// for all, specialty certificates and licences for two, and a trainee login for the first.
struct Scene {
    chain: Chain,
    people: Vec<Someone>,
    certificates: Vec<(String, String)>,
    assessments: Vec<String>,
    tokens: Vec<(&'static str, String)>,
}

async fn scene(app: &TestApp) -> Scene {
    let c = chain(app).await;
    let specs = [
        ("娜仁花", "19900412", 222, "13847001234"),
        ("巴特尔", "19851130", 317, "15847002345"),
        ("其其格", "20000229", 408, "18647003456"),
        ("王建华", "19720705", 131, "13904704567"),
        ("斯琴高娃", "19950101", 246, "15004705678"),
        ("阿拉坦仓", "19880808", 559, "17704706789"),
    ];
    let mut people = Vec::new();
    for (name, birth, seq, phone) in specs {
        let id = citizen_id(birth, seq);
        let (status, e) = app
            .post(
                &format!("/api/v1/cohorts/{}/enrolments", c.homestay_cohort),
                &c.staff,
                json!({"name": name, "citizen_id": id, "phone": phone}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{e}");
        let enrolment_id = e["id"].as_str().unwrap().to_owned();
        let (status, r) = app
            .call(
                reqwest::Method::PUT,
                &format!("/api/v1/enrolments/{enrolment_id}/result"),
                Some(&c.staff),
                Some(passing()),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{r}");
        people.push(Someone {
            name,
            birth: NaiveDate::parse_from_str(birth, "%Y%m%d").unwrap(),
            citizen_id: id,
            phone,
            person_id: e["person"]["id"].as_str().unwrap().to_owned(),
            enrolment_id,
        });
    }
    let (status, report) = app
        .post(
            &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
            &c.staff,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let mut certificates: Vec<String> = report["issued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["certificate_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(certificates.len(), people.len(), "{report}");
    let mut assessments = Vec::new();
    for someone in &people[..2] {
        let assessment = app.assess(&c, &someone.enrolment_id, None, 78, 84).await;
        let (status, specialty) = app
            .post(
                "/api/v1/certificates",
                &c.assessor,
                json!({"kind": "specialty", "enrolment_id": someone.enrolment_id, "assessment_id": assessment}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{specialty}");
        let (status, licence) = app
            .post(
                "/api/v1/certificates",
                &c.officer,
                json!({"kind": "licence", "enrolment_id": someone.enrolment_id, "valid_until": "2029-12-31"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{licence}");
        assessments.push(assessment);
        certificates.push(specialty["id"].as_str().unwrap().to_owned());
        certificates.push(licence["id"].as_str().unwrap().to_owned());
    }
    let mut with_tokens = Vec::new();
    for id in certificates {
        let (status, view) = app
            .get(&format!("/api/v1/certificates/{id}"), &c.bureau)
            .await;
        assert_eq!(status, StatusCode::OK, "{view}");
        let token = view["token"].as_str().unwrap().to_owned();
        with_tokens.push((id, token));
    }
    let (status, account) = app
        .post(
            &format!("/api/v1/people/{}/account", people[0].person_id),
            &c.staff,
            json!({"login": "naren", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    let trainee = app.login("naren", PASSWORD).await;
    let employer_org = employer(app, &c.bureau).await;
    let employer = app
        .account("employer-hr", Role::Employer, Some(&employer_org))
        .await;
    let other_provider = app
        .organisation(&c.bureau, "training_provider", "额尔古纳市家政服务培训学校")
        .await;
    let other_staff = app
        .account("other-staff", Role::ProviderStaff, Some(&other_provider))
        .await;
    let tokens = vec![
        ("bureau_admin", c.bureau.clone()),
        ("provider_staff", c.staff.clone()),
        ("provider_staff (another provider)", other_staff),
        ("assessor", c.assessor.clone()),
        ("licensing_officer", c.officer.clone()),
        ("employer", employer),
        ("trainee", trainee),
    ];
    Scene {
        chain: c,
        people,
        certificates: with_tokens,
        assessments,
        tokens,
    }
}

async fn employer(app: &TestApp, bureau: &str) -> String {
    let (status, org) = app
        .post(
            "/api/v1/organisations",
            bureau,
            json!({"kind": "employer", "name": "额尔古纳市草原之家民宿有限公司", "credit_code": credit_code()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{org}");
    let id = org["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/organisations/{id}/approve"),
        bureau,
        json!({}),
    )
    .await;
    id
}

/// Every path through which the API shows these people, their enrolments, assessments
/// and certificates (lists, records, bundles, credentials, PDFs, the audit log and the
/// public verification page and JSON).
fn paths(s: &Scene) -> Vec<String> {
    let cohort = &s.chain.homestay_cohort;
    let mut paths = vec![
        "/api/v1/auth/me".to_owned(),
        "/api/v1/cohorts".to_owned(),
        format!("/api/v1/cohorts/{cohort}"),
        format!("/api/v1/cohorts/{cohort}/enrolments?limit=100"),
        "/api/v1/audit?limit=500".to_owned(),
    ];
    for p in &s.people {
        paths.push(format!("/api/v1/people/{}", p.person_id));
        paths.push(format!("/api/v1/people/{}/certificates", p.person_id));
        paths.push(format!("/api/v1/enrolments/{}", p.enrolment_id));
    }
    for a in &s.assessments {
        paths.push(format!("/api/v1/assessments/{a}"));
    }
    for (id, token) in &s.certificates {
        paths.push(format!("/api/v1/certificates/{id}"));
        paths.push(format!("/api/v1/certificates/{id}/credential"));
        paths.push(format!("/api/v1/certificates/{id}/pdf"));
        paths.push(format!("/api/v1/verify/{token}"));
        paths.push(format!("/v/{token}"));
    }
    paths
}

/// Everything `token` (or anyone, without one) receives from `paths`, as text (a PDF as its extracted text).
async fn received(app: &TestApp, token: Option<&str>, paths: &[String]) -> String {
    let mut all = String::new();
    for path in paths {
        let mut request = app.client.get(format!("{}{path}", app.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let resp = request.send().await.unwrap();
        assert_ne!(resp.status(), StatusCode::TOO_MANY_REQUESTS, "{path}");
        let pdf = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .is_some_and(|t| t.as_bytes().starts_with(b"application/pdf"));
        let bytes = resp.bytes().await.unwrap();
        if pdf {
            all.push_str(&pdf_text(&bytes));
        } else {
            // JSON as the server wrote it, and again compact so `"key":value` reads alike.
            let text = String::from_utf8_lossy(&bytes);
            all.push_str(&text);
            if let Ok(value) = serde_json::from_str::<Value>(&text) {
                all.push_str(&value.to_string());
            }
        }
        all.push('\n');
    }
    all
}

/// The database as someone without the key holds it: on SQLite the file and its
/// write-ahead log byte for byte, on PostgreSQL every row of every table.
async fn database_copy(app: &TestApp) -> String {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        app.db
            .write
            .execute_unprepared("PRAGMA wal_checkpoint(FULL)")
            .await
            .unwrap();
        let mut bytes = Vec::new();
        for file in ["registry.db", "registry.db-wal"] {
            if let Ok(b) = std::fs::read(app.data_dir.join(file)) {
                bytes.extend(b);
            }
        }
        return String::from_utf8_lossy(&bytes).into_owned();
    }
    let backend = app.db.backend();
    let tables = app
        .db
        .read
        .query_all_raw(sea_orm::Statement::from_string(
            backend,
            "SELECT table_name::text AS t FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        ))
        .await
        .unwrap();
    let mut dump = String::new();
    for table in tables {
        let table: String = table.try_get("", "t").unwrap();
        let rows = app
            .db
            .read
            .query_all_raw(sea_orm::Statement::from_string(
                backend,
                format!("SELECT row_to_json(r)::text AS j FROM \"{table}\" r"),
            ))
            .await
            .unwrap();
        for row in rows {
            dump.push_str(&row.try_get::<String>("", "j").unwrap());
            dump.push('\n');
        }
    }
    dump
}

/// Whether what `who` holds rebuilds nobody's ID and shows no full ID, phone number or
/// birth date, except the people listed in `entitled`, whose full ID must be in it.
fn assert_nobody_rebuilt(
    who: &str,
    seen: &Seen,
    people: &[Someone],
    entitled: &[&str],
    today: NaiveDate,
) {
    for p in people {
        let rebuilt = candidates(&p.masked(), seen, today);
        assert!(
            rebuilt.contains(&p.citizen_id),
            "{who}: the enumeration lost {}'s true number",
            p.name
        );
        if entitled.contains(&p.person_id.as_str()) {
            assert_eq!(
                rebuilt,
                std::slice::from_ref(&p.citizen_id),
                "{who} sees {} in full",
                p.name
            );
            continue;
        }
        assert!(
            rebuilt.len() >= ENOUGH_CANDIDATES,
            "{who}: {}'s ID narrows to {} candidates",
            p.name,
            rebuilt.len()
        );
        assert!(
            !seen.contains(&p.citizen_id),
            "{who} holds {}'s full ID",
            p.name
        );
        assert!(
            !seen.contains(p.phone),
            "{who} holds {}'s full phone number",
            p.name
        );
        for form in p.birth_date_forms() {
            assert!(
                !seen.contains(&form),
                "{who} holds {}'s birth date as {form}",
                p.name
            );
        }
    }
}

#[tokio::test]
async fn no_citizen_id_can_be_rebuilt_from_a_copy_of_the_database() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let today = app.clock.now().today;
    let copy = Seen::new(database_copy(&app).await);
    assert!(
        s.people.iter().all(|p| copy.contains(p.name)),
        "the copy is read in full: every name is stored in clear"
    );
    assert!(
        s.people.iter().all(|p| copy.contains(&p.masked())),
        "the copy holds the masked IDs"
    );
    assert_nobody_rebuilt("a copy of the database", &copy, &s.people, &[], today);
}

#[tokio::test]
async fn no_role_receives_enough_to_rebuild_a_citizen_id_it_is_not_entitled_to() {
    // Every role reads every verification page: no limit, so none of them reads a 429.
    let app = TestApp::spawn_with(|c| c.verify_rate_per_minute = 0).await;
    let s = scene(&app).await;
    let today = app.clock.now().today;
    let paths = paths(&s);
    let everyone: Vec<&str> = s.people.iter().map(|p| p.person_id.as_str()).collect();
    for (role, token) in &s.tokens {
        let seen = Seen::new(received(&app, Some(token), &paths).await);
        let entitled: &[&str] = match *role {
            // The provider that enrolled them, and the trainee themself.
            "provider_staff" => &everyone,
            "trainee" => &everyone[..1],
            _ => &[],
        };
        if *role == "provider_staff" {
            assert!(
                s.people.iter().all(|p| seen.contains(p.phone)),
                "the enrolling provider sees the full phone numbers"
            );
        }
        if ["bureau_admin", "assessor"].contains(role) {
            let masked_phone = |p: &Someone| format!("{}****{}", &p.phone[..3], &p.phone[7..]);
            assert!(
                s.people
                    .iter()
                    .all(|p| seen.contains(&p.masked()) && seen.contains(&masked_phone(p))),
                "{role} sees everyone masked"
            );
        }
        assert_nobody_rebuilt(role, &seen, &s.people, entitled, today);
    }
    let public = Seen::new(received(&app, None, &paths).await);
    assert!(
        public.contains(&s.people[0].masked()),
        "the verification page shows the holder's masked ID"
    );
    assert_nobody_rebuilt("anyone (verification)", &public, &s.people, &[], today);
}
