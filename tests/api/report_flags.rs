//! The data-quality panel (issue 17): on purpose-made records each of the six flags is
//! found with the rows behind it, masked, and nothing is flagged while the records are
//! clean; a flag is explained once (audited, shown as explained and still listed), a
//! second explanation is a 409 and a bad one a 422 with nothing written; the page shows
//! the flags to the bureau only and its forms need the CSRF token.

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::{
    certificates::{chain, passing},
    helpers::{PASSWORD, TestApp, citizen_id},
    orders::{Setup, assign, setup, submitted_order},
    visitor::{Visitor, hidden},
};

/// Runs a statement on the test's own connection: for the states the API refuses to
/// make (see each caller).
async fn write_directly(app: &TestApp, sql: &str) {
    let backend = app.db.write.get_database_backend();
    let done = app
        .db
        .write
        .execute_raw(Statement::from_string(backend, sql))
        .await
        .expect("the direct write");
    assert_eq!(done.rows_affected(), 1, "{sql}");
}

async fn program_of(app: &TestApp, token: &str, cohort: &str) -> String {
    let (status, c) = app.get(&format!("/api/v1/cohorts/{cohort}"), token).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    c["program_id"].as_str().expect("program").to_owned()
}

async fn cohort(
    app: &TestApp,
    staff: &str,
    program: &str,
    code: &str,
    span: (&str, &str),
) -> String {
    let (status, cohort) = app
        .post(
            "/api/v1/cohorts",
            staff,
            json!({"program_id": program, "code": code, "starts_on": span.0, "ends_on": span.1,
                   "capacity": 10, "location": "拉布大林街道", "teachers": ["王建国"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cohort}");
    cohort["id"].as_str().expect("cohort").to_owned()
}

/// Enrols a person; returns (enrolment id, person id).
async fn enrol(app: &TestApp, staff: &str, cohort: &str, name: &str, id: &str) -> (String, String) {
    let (status, e) = app.enrol(staff, cohort, name, id).await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    (
        e["id"].as_str().expect("id").to_owned(),
        e["person"]["id"].as_str().expect("person").to_owned(),
    )
}

async fn withdraw(app: &TestApp, staff: &str, enrolment: &str) {
    let (status, body) = app
        .post(
            &format!("/api/v1/enrolments/{enrolment}/withdraw"),
            staff,
            json!({"reason": "外出务工"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn record_result(app: &TestApp, staff: &str, enrolment: &str) {
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/enrolments/{enrolment}/result"),
            Some(staff),
            Some(passing()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// A submitted order for the pastry occupation (the chain's skill-level program).
async fn pastry_order(app: &TestApp, s: &Setup) -> String {
    let deadline = app.clock.now().today + chrono::Duration::days(60);
    let (status, order) = app
        .post(
            "/api/v1/orders",
            &s.employer,
            json!({"title": "烤饼坊面点师订单班", "occupation_code": "4-03-02-02",
                   "trainees_wanted": 4, "hire_commitment": 2, "deadline": deadline, "notes": "",
                   "posts": [{"title": "面点师", "monthly_pay": "4800", "headcount": 4, "place": "拉布大林"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let id = order["id"].as_str().expect("id").to_owned();
    let (status, order) = app
        .post(
            &format!("/api/v1/orders/{id}/submit"),
            &s.employer,
            json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{order}");
    id
}

/// Assigns the order to the chain's provider, confirms its posts and links the cohorts:
/// from then on they are subsidised training.
async fn fulfil_with(app: &TestApp, s: &Setup, order: &str, cohorts: &[&str]) {
    assign(app, s, order, "12000").await;
    let (status, body) = app
        .post(
            &format!("/api/v1/orders/{order}/posts/confirm"),
            &s.employer,
            json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for cohort in cohorts {
        let (status, body) = app
            .post(
                &format!("/api/v1/orders/{order}/cohorts"),
                &s.c.staff,
                json!({"cohort_id": cohort}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

fn section<'a>(panel: &'a Value, kind: &str) -> &'a Value {
    panel["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .find(|s| s["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {panel}"))
}

/// The flags of a kind as (key, the ids of their rows).
fn flags_of(panel: &Value, kind: &str) -> Vec<(String, Vec<String>)> {
    section(panel, kind)["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .map(|f| {
            let rows = f["rows"].as_array().expect("rows");
            let ids = rows
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned())
                .collect();
            (f["key"].as_str().unwrap().to_owned(), ids)
        })
        .collect()
}

fn pair(a: &str, b: &str) -> (String, String) {
    if a < b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

#[tokio::test]
async fn every_flag_is_found_with_its_rows_on_purpose_made_records_and_none_while_they_are_clean() {
    let app = TestApp::spawn_with(|c| c.subsidy_limit = 2).await;
    let s = setup(&app).await;
    let staff = s.c.staff.clone();
    let homestay = program_of(&app, &staff, &s.c.homestay_cohort).await;
    let pastry = program_of(&app, &staff, &s.c.pastry_cohort).await;
    let (ms1, md1) = (s.c.homestay_cohort.clone(), s.c.pastry_cohort.clone());
    // The chain's cohorts run 6 May to 20 June 2026.
    let ms2 = cohort(
        &app,
        &staff,
        &homestay,
        "MS-2026-02",
        ("2026-07-01", "2026-07-31"),
    )
    .await;
    let md2 = cohort(
        &app,
        &staff,
        &pastry,
        "MD-2026-02",
        ("2026-08-03", "2026-08-31"),
    )
    .await;
    let md3 = cohort(
        &app,
        &staff,
        &pastry,
        "MD-2026-03",
        ("2026-06-01", "2026-06-30"),
    )
    .await;
    let (status, ages) = app
        .post(
            "/api/v1/programs",
            &staff,
            json!({"title": "民宿管家培训", "hours": 100, "standard_code": "150784-MSZLR",
                   "min_age": 18, "max_age": 55,
                   "certificates": [{"kind": "completion", "min_attendance_percent": 90}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ages}");
    let ages = ages["id"].as_str().unwrap().to_owned();
    let ag1 = cohort(
        &app,
        &staff,
        &ages,
        "MG-2026-01",
        ("2026-10-01", "2026-10-30"),
    )
    .await;
    let homestay_order = submitted_order(&app, &s, 5, 60).await;
    fulfil_with(&app, &s, &homestay_order, &[&ms1, &ms2]).await;
    let pastry_order = pastry_order(&app, &s).await;
    fulfil_with(&app, &s, &pastry_order, &[&md1, &md2]).await;

    // Clean records: two subsidised trainings each (the limit), never overlapping, never
    // the same occupation and level twice; a certificate after the end; ages inside the
    // window; a withdrawal without results.
    let (p1_ms1, _) = enrol(&app, &staff, &ms1, "张小三", &citizen_id("19950412", 11)).await;
    record_result(&app, &staff, &p1_ms1).await;
    let (status, report) = app
        .post(
            &format!("/api/v1/cohorts/{ms1}/certificates"),
            &staff,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let certificate = report["issued"][0]["certificate_id"]
        .as_str()
        .expect("issued")
        .to_owned();
    enrol(&app, &staff, &md2, "张小三", &citizen_id("19950412", 11)).await;
    enrol(&app, &staff, &ms1, "李四海", &citizen_id("19900101", 13)).await;
    enrol(&app, &staff, &ms2, "李四海", &citizen_id("19900101", 13)).await;
    let (quit, _) = enrol(&app, &staff, &ms2, "王芳芳", &citizen_id("19920202", 14)).await;
    withdraw(&app, &staff, &quit).await;
    enrol(&app, &staff, &ag1, "赵云飞", &citizen_id("19960301", 15)).await; // 30 on 1 October
    let (old, _) = enrol(&app, &staff, &ag1, "孙丽娜", &citizen_id("19860615", 16)).await; // 40
    // Overlapping dates, but one of the two enrolments is withdrawn.
    let (left, _) = enrol(&app, &staff, &md1, "周海燕", &citizen_id("19930303", 18)).await;
    withdraw(&app, &staff, &left).await;
    enrol(&app, &staff, &md3, "周海燕", &citizen_id("19930303", 18)).await;

    let (status, clean) = app.get("/api/v1/reports/flags", &s.c.bureau).await;
    assert_eq!(status, StatusCode::OK, "{clean}");
    assert_eq!(clean["count"], 0, "{clean}");
    assert_eq!(clean["subsidy_limit"], 2);
    assert_eq!(clean["sections"].as_array().map(Vec::len), Some(6));

    // Now each flag on purpose.
    // 1. 娜仁花 in the chain's homestay cohort and the pastry cohort of June.
    let (a1, _) = enrol(&app, &staff, &ms1, "娜仁花", &citizen_id("19960520", 21)).await;
    let (a2, _) = enrol(&app, &staff, &md3, "娜仁花", &citizen_id("19960520", 21)).await;
    // 2. 巴特尔 in both pastry cohorts linked to the order: 4-03-02-02 at level 4 twice.
    let (b1, _) = enrol(&app, &staff, &md1, "巴特尔", &citizen_id("19970402", 23)).await;
    let (b2, _) = enrol(&app, &staff, &md2, "巴特尔", &citizen_id("19970402", 23)).await;
    // 3. 其木格 in three subsidised cohorts, one more than the limit of 2.
    let mut c = Vec::new();
    for k in [&ms1, &ms2, &md2] {
        c.push(enrol(&app, &staff, k, "其木格", &citizen_id("19980503", 24)).await);
    }
    // 4. The certificate dated before the cohort ended: the API dates a certificate on the
    // day it is issued and refuses to issue one before the end, so the date is written.
    write_directly(
        &app,
        &format!("UPDATE certificates SET valid_from = '2026-06-10' WHERE id = '{certificate}'"),
    )
    .await;
    // 5. The program's window narrowed after enrolment: the registry has no program edit
    // and checks ages when enrolling, so the edit is written.
    write_directly(
        &app,
        &format!("UPDATE programs SET max_age = 35 WHERE id = '{ages}'"),
    )
    .await;
    // 6. Results recorded, then withdrawn (the API allows both, in that order).
    let (g, _) = enrol(&app, &staff, &ms2, "乌日娜", &citizen_id("19990604", 26)).await;
    record_result(&app, &staff, &g).await;
    withdraw(&app, &staff, &g).await;

    let (status, panel) = app.get("/api/v1/reports/flags", &s.c.bureau).await;
    assert_eq!(status, StatusCode::OK, "{panel}");
    assert_eq!(
        (panel["count"].as_i64(), panel["open"].as_i64()),
        (Some(6), Some(6)),
        "{panel}"
    );
    let (x, y) = pair(&a1, &a2);
    assert_eq!(
        flags_of(&panel, "overlap"),
        [(format!("overlap:{x}:{y}"), vec![x, y])]
    );
    let (x, y) = pair(&b1, &b2);
    assert_eq!(
        flags_of(&panel, "same_level_twice"),
        [(format!("same_level_twice:{x}:{y}"), vec![x, y])]
    );
    let over = &section(&panel, "over_limit")["flags"][0];
    let person = &c[0].1;
    assert_eq!(over["key"], format!("over_limit:{person}:3"), "{over}");
    let mut ids: Vec<String> = c.iter().map(|(e, _)| e.clone()).collect();
    ids.sort();
    assert_eq!(flags_of(&panel, "over_limit")[0].1, ids);
    assert!(
        over["summary"].as_str().unwrap().contains("超过每人2次"),
        "{over}"
    );
    assert_eq!(
        flags_of(&panel, "early_certificate"),
        [(
            format!("early_certificate:{certificate}"),
            vec![p1_ms1.clone(), certificate.clone()]
        )]
    );
    let early = &section(&panel, "early_certificate")["flags"][0];
    assert!(
        early["summary"]
            .as_str()
            .unwrap()
            .contains("2026-06-10 早于培训结束日 2026-06-20"),
        "{early}"
    );
    assert_eq!(early["rows"][1]["record"], "certificate");
    assert_eq!(
        flags_of(&panel, "age_outside_window"),
        [(format!("age_outside_window:{old}"), vec![old.clone()])]
    );
    let age = &section(&panel, "age_outside_window")["flags"][0];
    assert!(
        age["summary"]
            .as_str()
            .unwrap()
            .contains("40周岁，不在项目要求的18–35周岁"),
        "{age}"
    );
    assert_eq!(
        flags_of(&panel, "withdrawn_with_results"),
        [(format!("withdrawn_with_results:{g}"), vec![g.clone()])]
    );
    let quitter = &section(&panel, "withdrawn_with_results")["flags"][0];
    assert_eq!(quitter["rows"][0]["status"], "已退出");
    assert!(
        quitter["summary"]
            .as_str()
            .unwrap()
            .contains("已录入的成绩"),
        "{quitter}"
    );
    // The rows are masked: no name or ID number in clear anywhere in the panel.
    let text = panel.to_string();
    assert!(
        text.contains("娜*花") && text.contains("150784********"),
        "{text}"
    );
    for clear in ["娜仁花", "巴特尔", "其木格", &citizen_id("19960520", 21)] {
        assert!(!text.contains(clear), "{clear} in {text}");
    }
}

/// The chain and two people each in two overlapping cohorts: two flags.
async fn two_overlaps(app: &TestApp) -> (crate::certificates::Chain, Vec<String>) {
    let c = chain(app).await;
    let pastry = program_of(app, &c.staff, &c.pastry_cohort).await;
    let june = cohort(
        app,
        &c.staff,
        &pastry,
        "MD-2026-03",
        ("2026-06-01", "2026-06-30"),
    )
    .await;
    for (name, id) in [
        ("娜仁花", citizen_id("19960520", 21)),
        ("巴特尔", citizen_id("19970402", 23)),
    ] {
        enrol(app, &c.staff, &c.homestay_cohort, name, &id).await;
        enrol(app, &c.staff, &june, name, &id).await;
    }
    let (_, panel) = app.get("/api/v1/reports/flags", &c.bureau).await;
    let keys = flags_of(&panel, "overlap")
        .into_iter()
        .map(|(k, _)| k)
        .collect::<Vec<_>>();
    assert_eq!(keys.len(), 2, "{panel}");
    (c, keys)
}

async fn audited_explanations(app: &TestApp) -> i64 {
    let backend = app.db.read.get_database_backend();
    let row = app
        .db
        .read
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'report_flag.explain'",
        ))
        .await
        .expect("count")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("n")
}

#[tokio::test]
async fn a_flag_is_explained_once_with_its_reason_audited_and_stays_listed_as_explained() {
    let app = TestApp::spawn().await;
    let (c, keys) = two_overlaps(&app).await;
    let explain = |key: &str, reason: &str| {
        let body = json!({"key": key, "reason": reason});
        let bureau = c.bureau.clone();
        let app = &app;
        async move {
            app.post("/api/v1/reports/flags/explanations", &bureau, body)
                .await
        }
    };
    let audited = app.count("audit_log").await;

    // Refused with its reason, nothing written: no reason; a key naming no flag; not a key.
    let (status, refused) = explain(&keys[0], "  ").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["fields"][0]["field"], "reason", "{refused}");
    assert!(
        refused["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("说明理由")
    );
    let swapped = {
        let parts: Vec<&str> = keys[0].split(':').collect();
        format!("overlap:{}:{}", parts[2], parts[1])
    };
    for key in [swapped.as_str(), "overlap:x:y", "overlap", "<script>"] {
        let (status, refused) = explain(key, "已电话核实").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{key}: {refused}");
        assert_eq!(refused["fields"][0]["field"], "key", "{refused}");
        assert!(
            refused["fields"][0]["message"]
                .as_str()
                .unwrap()
                .contains("没有这个待核查问题")
        );
    }
    assert_eq!(app.count("report_flag_explanations").await, 0);
    assert_eq!(app.count("audit_log").await, audited);
    // Only the bureau.
    let (status, _) = app
        .post(
            "/api/v1/reports/flags/explanations",
            &c.staff,
            json!({"key": keys[0], "reason": "已核实"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get("/api/v1/reports/flags", &c.staff).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let reason = "经电话核实，6月为线上理论课，与实操班不冲突";
    let (status, done) = explain(&keys[0], reason).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    assert_eq!(
        (done["key"].as_str(), done["reason"].as_str()),
        (Some(keys[0].as_str()), Some(reason))
    );
    assert_eq!(done["explained_by"], "bureau");
    assert_eq!(audited_explanations(&app).await, 1);
    let (status, again) = explain(&keys[0], "再说明一次").await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["error"], "already_explained");
    assert_eq!(app.count("report_flag_explanations").await, 1);
    assert_eq!(audited_explanations(&app).await, 1);

    let (_, panel) = app.get("/api/v1/reports/flags", &c.bureau).await;
    assert_eq!(
        (panel["count"].as_i64(), panel["open"].as_i64()),
        (Some(2), Some(1)),
        "{panel}"
    );
    let listed = section(&panel, "overlap")["flags"]
        .as_array()
        .unwrap()
        .clone();
    let explained: Vec<&Value> = listed
        .iter()
        .filter(|f| !f["explanation"].is_null())
        .collect();
    assert_eq!(explained.len(), 1);
    assert_eq!(explained[0]["key"], keys[0].as_str());
    assert_eq!(explained[0]["explanation"]["reason"], reason);

    // The page: both flags, the explained one with its reason, a form for the other.
    let mut office = Visitor::new(&app);
    office.sign_in("bureau", PASSWORD).await;
    let reports = office.get("/reports").await;
    assert!(
        reports.body.contains("href=\"/reports/flags\""),
        "{}",
        reports.body
    );
    let page = office.get("/reports/flags").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("同一学员参加时间重叠的班次（2）"),
        "{}",
        page.body
    );
    assert!(page.body.contains(reason), "{}", page.body);
    assert!(
        page.body.contains("娜*花") && !page.body.contains("娜仁花"),
        "{}",
        page.body
    );
    assert_eq!(
        page.body.matches("name=\"key\"").count(),
        1,
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!("value=\"{}\"", keys[1])),
        "{}",
        page.body
    );
    let anchor = format!("flag-{}", keys[1].replace(':', "-"));

    // Without the CSRF token: refused, nothing written.
    let forged = office
        .post("/reports/flags", &[("key", &keys[1]), ("reason", "已核实")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("report_flag_explanations").await, 1);
    // No reason: the message under the field of that flag's form.
    let csrf = hidden(&page.body, "csrf");
    let refused = office
        .post(
            "/reports/flags",
            &[("csrf", &csrf), ("key", &keys[1]), ("reason", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains(&format!("id=\"{anchor}-reason-error\"")),
        "{}",
        refused.body
    );
    // Explained from the page: back to the panel, both explained.
    let done = office
        .post(
            "/reports/flags",
            &[
                ("csrf", &csrf),
                ("key", &keys[1]),
                ("reason", "系同一机构的连续课程，已核实"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some(format!("/reports/flags#{anchor}").as_str())
    );
    let page = office.get("/reports/flags").await;
    assert_eq!(
        page.body.matches("name=\"key\"").count(),
        0,
        "{}",
        page.body
    );
    assert!(
        page.body.contains("系同一机构的连续课程，已核实"),
        "{}",
        page.body
    );
    assert_eq!(audited_explanations(&app).await, 2);
    // The same form sent again: a 409 shown on the page.
    let twice = office
        .post(
            "/reports/flags",
            &[("csrf", &csrf), ("key", &keys[1]), ("reason", "再次")],
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(twice.body.contains("不能重复说明"), "{}", twice.body);

    // A provider's staff: no page.
    let mut provider = Visitor::new(&app);
    provider.sign_in("staff", PASSWORD).await;
    assert_eq!(
        provider.get("/reports/flags").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_demo_data_set_raises_no_flag() {
    let app = TestApp::spawn().await;
    let out = app.data_dir.join("demo-out.json");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_registry"))
        .args(["demo", "--out"])
        .arg(&out)
        .env("REGISTRY_DATA_DIR", &app.data_dir)
        .env("DATABASE_URL", &app.database_url)
        .env("REGISTRY_BASE_URL", &app.base)
        .output()
        .expect("run registry demo");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let demo: Value = serde_json::from_slice(&std::fs::read(&out).expect("out")).expect("json");
    let bureau = demo["accounts"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["role"] == "bureau_admin"))
        .expect("a bureau account");
    let token = app
        .login(
            bureau["login"].as_str().unwrap(),
            bureau["password"].as_str().unwrap(),
        )
        .await;
    let (status, panel) = app.get("/api/v1/reports/flags", &token).await;
    assert_eq!(status, StatusCode::OK, "{panel}");
    assert_eq!(panel["count"], 0, "{panel:#}");
    // The control: the same panel does see a flag once the demo holds one (a program's
    // window narrowed below its trainees' ages, written directly as no API edits programs).
    write_directly(&app, "UPDATE programs SET max_age = 17 WHERE id = (SELECT MIN(id) FROM programs WHERE id IN (SELECT program_id FROM cohorts))").await;
    let (_, panel) = app.get("/api/v1/reports/flags", &token).await;
    assert!(
        section(&panel, "age_outside_window")["count"].as_i64() > Some(0),
        "{panel}"
    );
}
