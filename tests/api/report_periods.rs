//! Reporting periods (issue 17): the 21st–20th boundary, a period approved and locked, its
//! export byte-identical before and after a later change, the change reported once — as an
//! adjustment with its reason in the next open period — and the refusals.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{PASSWORD, TestApp, citizen_id},
    reports::{cohort, enrol, line},
    visitor::{Visitor, download, hidden},
};

fn adjustments(d: &Value) -> Vec<(String, String, i64, String)> {
    d["adjustments"]
        .as_array()
        .expect("adjustments")
        .iter()
        .map(|a| {
            (
                a["period"].as_str().unwrap().to_owned(),
                a["measure"].as_str().unwrap().to_owned(),
                a["delta"].as_i64().unwrap(),
                a["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_locked_period_keeps_its_figures_and_later_changes_come_once_as_adjustments() {
    let app = TestApp::spawn().await;
    let t = app.training(10).await;
    // One cohort ends on 20 January (statistical 2026-01), one on 21 January (2026-02).
    let jan = cohort(
        &app,
        &t.staff,
        &t.program,
        "QMY-J1",
        ("2026-01-05", "2026-01-20"),
    )
    .await;
    let feb = cohort(
        &app,
        &t.staff,
        &t.program,
        "QMY-J2",
        ("2026-01-06", "2026-01-21"),
    )
    .await;
    let ids: Vec<String> = (0..5).map(|i| citizen_id("19960301", 30 + i)).collect();
    let naren = enrol(&app, &t.staff, &jan, "娜仁花", &ids[0], &["graduate"]).await;
    enrol(&app, &t.staff, &jan, "巴特尔", &ids[1], &[]).await;
    enrol(
        &app,
        &t.staff,
        &feb,
        "其木格",
        &ids[2],
        &["veteran_or_military_family"],
    )
    .await;

    let (status, january) = app.get("/api/v1/reports/periods/2026-01", &t.bureau).await;
    assert_eq!(status, StatusCode::OK, "{january}");
    assert_eq!(
        (january["starts_on"].as_str(), january["ends_on"].as_str()),
        (Some("2025-12-21"), Some("2026-01-20"))
    );
    assert_eq!(line(&january, "training")["count"], 2);
    assert_eq!(line(&january, "key_group_training")["count"], 1);
    assert_eq!(line(&january, "key_group_training")["target"], 600);
    assert!(january["lock"].is_null());
    let (_, february) = app.get("/api/v1/reports/periods/2026-02", &t.bureau).await;
    assert_eq!(line(&february, "training")["count"], 1, "{february}");
    assert_eq!(line(&february, "training")["year_to_date"], 3);
    assert_eq!(
        february["by_key_group"],
        json!([{"key": "veteran_or_military_family", "label": "退役军人及军属", "count": 1}])
    );

    // Refusals: a period not yet ended, one that is not a period, a second lock.
    let (status, body) = app
        .post("/api/v1/reports/periods/2026-12/lock", &t.bureau, json!({}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(app.count("report_periods").await, 0);
    let (status, _) = app
        .post("/api/v1/reports/periods/2026-13/lock", &t.bureau, json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .post("/api/v1/reports/periods/2026-01/lock", &t.staff, json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The bureau locks January on the page (CSRF checked) and exports it.
    let mut office = Visitor::new(&app);
    office.sign_in("bureau", PASSWORD).await;
    let page = office.get("/reports/periods/2026-01").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("审核并锁定"), "{}", page.body);
    let csrf = hidden(&page.body, "csrf");
    let forged = office
        .post(
            "/reports/periods/2026-01/lock",
            &[("csrf", "x"), ("note", "")],
        )
        .await;
    assert_ne!(forged.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("report_periods").await, 0);
    let audited = app.count("audit_log").await;
    let locked = office
        .post(
            "/reports/periods/2026-01/lock",
            &[("csrf", &csrf), ("note", "已核对花名册")],
        )
        .await;
    assert_eq!(locked.status, StatusCode::SEE_OTHER, "{}", locked.body);
    let page = office.get("/reports/periods/2026-01").await;
    assert!(page.body.contains("已审核锁定"), "{}", page.body);
    assert!(!page.body.contains("审核并锁定</button>"), "{}", page.body);
    assert_eq!(app.count("audit_log").await, audited + 1);
    assert_eq!(
        app.count("report_period_rows").await,
        3,
        "two trainees, one tagged"
    );
    let (status, body) = app
        .post("/api/v1/reports/periods/2026-01/lock", &t.bureau, json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (_, periods) = app
        .get("/api/v1/reports/periods?year=2026", &t.bureau)
        .await;
    let listed: Vec<&Value> = periods
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["lock"].is_null())
        .collect();
    assert_eq!(listed.len(), 1, "{periods}");
    assert_eq!(listed[0]["code"], "2026-01");
    assert_eq!(listed[0]["lock"]["note"], "已核对花名册");

    let csv_path = "/reports/periods/2026-01/dispatch?format=csv";
    let xlsx_path = "/reports/periods/2026-01/dispatch?format=xlsx";
    let (status, csv_before) = download(&app, &office, csv_path).await;
    assert_eq!(status, StatusCode::OK);
    let (_, xlsx_before) = download(&app, &office, xlsx_path).await;
    let text = String::from_utf8(csv_before[3..].to_vec()).expect("UTF-8");
    assert!(text.contains("重点群体培训人次,600,1,0,1,1,0%"), "{text}");
    assert!(text.contains("已审核锁定"), "{text}");

    // Later changes to January: 娜仁花 withdraws; a trainee is added to the cohort.
    let (status, body) = app
        .post(
            &format!("/api/v1/enrolments/{naren}/withdraw"),
            &t.staff,
            json!({"reason": "外出务工"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    enrol(&app, &t.staff, &jan, "乌日娜", &ids[3], &["unemployed"]).await;

    // January's export is the same, byte for byte; its figures are unchanged.
    let (_, csv_after) = download(&app, &office, csv_path).await;
    let (_, xlsx_after) = download(&app, &office, xlsx_path).await;
    assert_eq!(csv_before, csv_after);
    assert_eq!(xlsx_before, xlsx_after);
    // The command line writes the same file.
    let out = app.data_dir.join("dispatch-2026-01.csv");
    let ran = crate::report_exports::registry(
        &app,
        &[
            "report",
            "dispatch",
            "--period",
            "2026-01",
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    assert_eq!(std::fs::read(&out).expect("the file"), csv_before);
    let ran = crate::report_exports::registry(
        &app,
        &["report", "dispatch", "--period", "2026-13", "--out", "x"],
    );
    assert!(!ran.status.success());
    assert!(String::from_utf8_lossy(&ran.stderr).contains("统计期 2026-13 无效"));
    let (_, still) = app.get("/api/v1/reports/periods/2026-01", &t.bureau).await;
    assert_eq!(line(&still, "training")["count"], 2);
    // The dashboard counts the records as they are.
    let (_, dash) = app
        .get("/api/v1/reports/dashboard?year=2026", &t.bureau)
        .await;
    assert_eq!(line(&dash, "training")["by_month"][0], 2);

    // February, the next open period, reports the changes with their reasons.
    let (_, february) = app.get("/api/v1/reports/periods/2026-02", &t.bureau).await;
    let mut found = adjustments(&february);
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                "2026-01".into(),
                "key_group_training".into(),
                -1,
                "学员已退出：外出务工".into()
            ),
            (
                "2026-01".into(),
                "key_group_training".into(),
                1,
                "锁定后补录的报名".into()
            ),
            (
                "2026-01".into(),
                "training".into(),
                -1,
                "学员已退出：外出务工".into()
            ),
            (
                "2026-01".into(),
                "training".into(),
                1,
                "锁定后补录的报名".into()
            ),
        ],
        "{february}"
    );
    assert_eq!(line(&february, "training")["count"], 1);
    assert_eq!(line(&february, "training")["adjustment"], 0);
    assert!(
        february["adjustments"][0]["record"]
            .as_str()
            .unwrap()
            .contains("QMY-J1")
    );
    assert!(!february.to_string().contains("娜仁花"), "names are masked");

    // Locking February takes the adjustments in: March reports nothing for January …
    let (status, body) = app
        .post(
            "/api/v1/reports/periods/2026-02/lock",
            &t.bureau,
            json!({"note": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(adjustments(&body).len(), 4);
    let (_, march) = app.get("/api/v1/reports/periods/2026-03", &t.bureau).await;
    assert_eq!(adjustments(&march), vec![], "{march}");
    // … until something else changes: 巴特尔 withdraws, reported once, in March.
    let (_, roster) = app
        .get(&format!("/api/v1/cohorts/{jan}/enrolments"), &t.staff)
        .await;
    let bater = roster["items"]
        .as_array()
        .or(roster.as_array())
        .expect("enrolments")
        .iter()
        .find(|e| e["status"] != "withdrawn" && e.to_string().contains("巴"))
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .expect("巴特尔");
    let (status, body) = app
        .post(
            &format!("/api/v1/enrolments/{bater}/withdraw"),
            &t.staff,
            json!({"reason": "身体原因"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, march) = app.get("/api/v1/reports/periods/2026-03", &t.bureau).await;
    assert_eq!(
        adjustments(&march),
        vec![(
            "2026-01".into(),
            "training".into(),
            -1,
            "学员已退出：身体原因".into()
        )],
        "{march}"
    );
    assert_eq!(line(&march, "training")["adjustment"], -1);
    let page = office.get("/reports/periods/2026-03").await;
    assert!(page.body.contains("学员已退出：身体原因"), "{}", page.body);
    assert_eq!(
        office.get("/reports/periods?year=2026").await.status,
        StatusCode::OK
    );
    let mut staff = Visitor::new(&app);
    staff.sign_in("provider-staff", PASSWORD).await;
    assert_eq!(
        staff.get("/reports/periods/2026-01").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn quarters_and_years_lock_on_their_own_and_the_not_ended_refusal_shows_on_the_page() {
    let app = TestApp::spawn().await;
    let t = app.training(10).await;
    let jan = cohort(
        &app,
        &t.staff,
        &t.program,
        "QMY-J1",
        ("2026-01-05", "2026-01-20"),
    )
    .await;
    enrol(
        &app,
        &t.staff,
        &jan,
        "娜仁花",
        &citizen_id("19960301", 41),
        &["graduate"],
    )
    .await;
    enrol(
        &app,
        &t.staff,
        &t.cohort,
        "巴特尔",
        &citizen_id("19970402", 42),
        &[],
    )
    .await;
    let (_, q1) = app.get("/api/v1/reports/periods/2026-Q1", &t.bureau).await;
    assert_eq!(
        (q1["starts_on"].as_str(), q1["ends_on"].as_str()),
        (Some("2025-12-21"), Some("2026-03-20"))
    );
    assert_eq!(line(&q1, "training")["count"], 1, "{q1}");
    // Each month's dispatch counts what the dashboard counts for that month.
    let (_, dash) = app
        .get("/api/v1/reports/dashboard?year=2026", &t.bureau)
        .await;
    for month in 1..=12 {
        let (_, d) = app
            .get(
                &format!("/api/v1/reports/periods/2026-{month:02}"),
                &t.bureau,
            )
            .await;
        for l in dash["lines"].as_array().unwrap() {
            let measure = l["measure"].as_str().unwrap();
            assert_eq!(
                line(&d, measure)["count"],
                l["by_month"][month - 1],
                "{measure} {month}"
            );
        }
    }
    assert_eq!(
        line(&dash, "training")["actual"],
        2,
        "January and the training's own cohort"
    );
    let (status, body) = app
        .post("/api/v1/reports/periods/2026-Q1/lock", &t.bureau, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The month is still open: locking a quarter does not lock its months.
    let (_, jan_period) = app.get("/api/v1/reports/periods/2026-01", &t.bureau).await;
    assert!(jan_period["lock"].is_null());
    let (status, _) = app.get("/api/v1/reports/periods/2026-Q5", &t.bureau).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The year 2026 ends on 20 December: not yet.
    let mut office = Visitor::new(&app);
    office.sign_in("bureau", PASSWORD).await;
    let page = office.get("/reports/periods/2026").await;
    assert!(page.body.contains("结束后才能审核锁定"), "{}", page.body);
    let (status, body) = app
        .post(
            "/api/v1/reports/periods/2026/lock",
            &t.bureau,
            json!({"note": "年报"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("2026-12-21"), "{body}");
    let long = "很".repeat(501);
    let (status, _) = app
        .post(
            "/api/v1/reports/periods/2026-02/lock",
            &t.bureau,
            json!({"note": long}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("report_periods").await, 1);
}
