//! The reports' exports streamed (issue 17): a ledger of several chunks comes out whole and
//! in order from the page as CSV and XLSX, and `registry report ledger` writes the same
//! file — the same bytes for CSV, the same cells for XLSX — auditing the full ledger under
//! the bureau account it is made as; `registry report dashboard` prints what the API
//! answers.

use std::process::Output;

use calamine::{Reader, Xlsx};
use chrono::NaiveDate;
use entities::{certificates as certificate, cohorts as cohort};
use reqwest::StatusCode;
use sea_orm::{ActiveValue::NotSet, EntityTrait, Set};
use serde_json::{Value, json};

use crate::{
    helpers::{PASSWORD, TestApp, citizen_id},
    visitor::{Visitor, download},
};

/// More than two chunks of the ledger (1,000 certificates each).
const MANY: usize = 2500;

/// Runs `registry` with `args` against the app's database.
pub(crate) fn registry(app: &TestApp, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_registry"))
        .args(args)
        .env("REGISTRY_DATA_DIR", &app.data_dir)
        .env("DATABASE_URL", &app.database_url)
        .env("REGISTRY_LOG", "error")
        .output()
        .expect("registry runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An XLSX file's cells as text, row by row.
fn cells(xlsx: Vec<u8>) -> Vec<Vec<String>> {
    let mut book = Xlsx::new(std::io::Cursor::new(xlsx)).expect("an XLSX");
    let first = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&first).expect("a sheet");
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// A completion certificate of `person`'s enrolment, written straight into the table (the
/// API issues one per enrolment; the ledger's chunks need thousands).
fn certificate(
    i: usize,
    grounds: (&str, &str, &str, &str),
    on: NaiveDate,
    kind: &str,
    status: &str,
) -> certificate::ActiveModel {
    let (person, enrolment, program, issuer) = grounds;
    let stamp = chrono::DateTime::parse_from_rfc3339("2026-01-01T08:00:00+08:00").expect("time");
    certificate::ActiveModel {
        id: Set(format!("ledger-cert-{i:05}")),
        number: Set(format!("JY2026{i:06}")),
        kind: Set(kind.to_owned()),
        status: Set(status.to_owned()),
        person_id: Set(person.to_owned()),
        issuer_org_id: Set(issuer.to_owned()),
        program_id: Set(Some(program.to_owned())),
        enrolment_id: Set(Some(enrolment.to_owned())),
        assessment_id: Set(None),
        standard_id: Set(None),
        occupation_code: Set(None),
        level_code: Set(None),
        grounds_key: Set(format!("ledger-test-{i}")),
        token: Set(format!("ledger-token-{i}")),
        status_index: Set(1_000_000 + i as i64),
        valid_from: Set(on),
        valid_until: Set(None),
        credential: Set("{}".to_owned()),
        credential_sha256: Set(String::new()),
        pdf_sha256: Set(String::new()),
        issued_by: Set("test".to_owned()),
        issued_at: Set(stamp),
        suspended_at: Set(None),
        suspend_reason: Set(None),
        revoked_at: Set(None),
        revoke_reason: Set(None),
        supersedes_id: Set(None),
        superseded_by_id: Set(None),
        superseded_at: Set(None),
        updated_at: Set(stamp),
        grounds_fell_id: Set(None),
        issuer_name: Set("额尔古纳市职业技能培训中心".to_owned()),
        apprentice_id: NotSet,
    }
}

// Multi-threaded: the test blocks on the command while the server answers its requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ledger_of_several_chunks_streams_whole_and_in_order_and_the_command_writes_the_same_file()
 {
    let app = TestApp::spawn().await;
    let c = crate::certificates::chain(&app).await;
    let id = citizen_id("19960301", 31);
    let (enrolment, person) = app
        .trainee(
            &c,
            &c.homestay_cohort,
            "娜仁花",
            &id,
            crate::certificates::passing(),
        )
        .await;
    let k = cohort::Entity::find_by_id(c.homestay_cohort.clone())
        .one(&app.db.read)
        .await
        .expect("read")
        .expect("the cohort");
    let today = app.clock.now().today;
    let year = registry::reports::year_of(today);
    let grounds = (
        person.as_str(),
        enrolment.as_str(),
        k.program_id.as_str(),
        k.provider_id.as_str(),
    );
    // Written in reverse, so the ledger's order is its own (the certificates' ids), and
    // with three that it leaves out: a revoked one, a skill-level certificate and one of
    // the year before.
    let mut rows: Vec<_> = (0..MANY)
        .rev()
        .map(|i| certificate(i, grounds, today, "completion", "valid"))
        .collect();
    let before = registry::reports::year_span(year).0 - chrono::Duration::days(1);
    rows.push(certificate(MANY, grounds, today, "completion", "revoked"));
    rows.push(certificate(
        MANY + 1,
        grounds,
        today,
        "skill_level",
        "valid",
    ));
    rows.push(certificate(
        MANY + 2,
        grounds,
        before,
        "completion",
        "valid",
    ));
    for batch in rows.chunks(500) {
        certificate::Entity::insert_many(batch.to_vec())
            .exec(&app.db.write)
            .await
            .expect("certificates written");
    }
    let numbers: Vec<String> = (0..MANY).map(|i| format!("JY2026{i:06}")).collect();

    let mut office = Visitor::new(&app);
    office.sign_in("bureau", PASSWORD).await;
    let (status, csv) = download(
        &app,
        &office,
        &format!("/reports/certificate-ledger?year={year}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&csv[..3], &[0xEF, 0xBB, 0xBF]);
    let body = String::from_utf8(csv[3..].to_vec()).expect("UTF-8");
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), MANY + 1, "the header and every certificate");
    assert!(lines[0].starts_with("证书序列号,"), "{}", lines[0]);
    let listed: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().expect("a number"))
        .collect();
    assert_eq!(listed, numbers);
    assert!(lines[MANY].contains("娜仁花"), "{}", lines[MANY]);
    assert!(!body.contains(id.as_str()), "masked");

    let (status, xlsx) = download(
        &app,
        &office,
        &format!("/reports/certificate-ledger?year={year}&format=xlsx"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let sheet = cells(xlsx);
    assert_eq!(sheet.len(), MANY + 1);
    assert_eq!(sheet[0][0], "证书序列号");
    let listed: Vec<&str> = sheet[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(listed, numbers);
    assert_eq!(
        sheet[MANY][1..],
        lines[MANY]
            .split(',')
            .skip(1)
            .map(str::to_owned)
            .collect::<Vec<_>>()[..]
    );

    // The command line writes the same files.
    let dir = crate::imports::tempfile_dir();
    let out = dir.join("台账.csv");
    let year_arg = year.to_string();
    let done = registry(
        &app,
        &[
            "report",
            "ledger",
            "--year",
            &year_arg,
            "--out",
            out.to_str().expect("path"),
        ],
    );
    assert!(done.status.success(), "{}", text(&done.stderr));
    assert!(
        text(&done.stdout).contains("2500 行"),
        "{}",
        text(&done.stdout)
    );
    assert_eq!(std::fs::read(&out).expect("the file"), csv);
    let out = dir.join("台账.xlsx");
    let args = ["report", "ledger", "--year", &year_arg, "--format", "xlsx"];
    let done = registry(
        &app,
        &[&args[..], &["--out", out.to_str().expect("path")]].concat(),
    );
    assert!(done.status.success(), "{}", text(&done.stderr));
    assert_eq!(cells(std::fs::read(&out).expect("the file")), sheet);

    // The full ledger: only as a bureau administrator, named and audited as from the page.
    let audited = app.count("audit_log").await;
    let full = dir.join("full.csv");
    let full_args = ["report", "ledger", "--year", &year_arg, "--full"];
    let path = ["--out", full.to_str().expect("path")];
    let refused = registry(&app, &[&full_args[..], &path].concat());
    assert!(!refused.status.success(), "--full needs --as");
    let refused = registry(&app, &[&full_args[..], &path, &["--as", "staff"]].concat());
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("人社局管理员"),
        "{}",
        text(&refused.stderr)
    );
    assert!(!full.exists());
    assert_eq!(app.count("audit_log").await, audited);
    let done = registry(&app, &[&full_args[..], &path, &["--as", "bureau"]].concat());
    assert!(done.status.success(), "{}", text(&done.stderr));
    let file = text(&std::fs::read(&full).expect("the file"));
    assert_eq!(file.matches(id.as_str()).count(), MANY);
    let entry = entities::audit_log::Entity::find()
        .all(&app.db.read)
        .await
        .expect("audit")
        .into_iter()
        .rev()
        .find(|e| e.action == "report.full_ledger_export")
        .expect("the export audited");
    assert_eq!(entry.actor_label, "bureau", "{entry:?}");
    let summary: Value = serde_json::from_str(&entry.summary).expect("JSON");
    assert_eq!(summary, json!({"year": year, "rows": MANY}));
    assert_eq!(app.count("audit_log").await, audited + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_report_dashboard_prints_what_the_api_answers() {
    let app = TestApp::spawn().await;
    let t = app.training(10).await;
    let (status, body) = app
        .post(
            &format!("/api/v1/cohorts/{}/enrolments", t.cohort),
            &t.staff,
            json!({"name": "巴特尔", "citizen_id": citizen_id("19970402", 12), "key_groups": ["graduate"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, mut api) = app
        .get("/api/v1/reports/dashboard?year=2026", &t.bureau)
        .await;
    assert_eq!(status, StatusCode::OK, "{api}");

    let done = registry(&app, &["report", "dashboard", "--year", "2026", "--json"]);
    assert!(done.status.success(), "{}", text(&done.stderr));
    let mut printed: Value = serde_json::from_slice(&done.stdout).expect("JSON");
    // The share of the year elapsed is the command's own day, not the test clock's.
    for d in [&mut api, &mut printed] {
        d["elapsed_percent"] = Value::Null;
    }
    assert_eq!(printed, api);
    assert_eq!(api["lines"][1]["actual"], 1, "{api}");

    let done = registry(&app, &["report", "dashboard", "--year", "2026"]);
    assert!(done.status.success(), "{}", text(&done.stderr));
    let table = text(&done.stdout);
    assert!(table.contains("职业技能培训人次：1"), "{table}");
    assert!(table.contains("额尔古纳市职业技能培训中心 1"), "{table}");
    let refused = registry(&app, &["report", "dashboard", "--year", "1999"]);
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("年度须为2000–2100"));
}
