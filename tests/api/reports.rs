//! The bureau's reports (issue 17, first increment): the dashboard's figures on
//! purpose-made records equal the counts worked out by hand — key-group person-times
//! counted through the tag rows, a withdrawn trainee left out, the 20th and the 21st of a
//! month in different statistical months — and the targets are versioned, refused with
//! their reason, and shown on the page with a chart.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{PASSWORD, TestApp, citizen_id},
    visitor::{Visitor, download, hidden},
};

pub(crate) async fn cohort(
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
                   "capacity": 10, "location": "黑山头镇", "teachers": ["王建国"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cohort}");
    cohort["id"].as_str().expect("cohort").to_owned()
}

pub(crate) async fn enrol(
    app: &TestApp,
    staff: &str,
    cohort: &str,
    name: &str,
    id: &str,
    groups: &[&str],
) -> String {
    let (status, body) = app
        .post(
            &format!("/api/v1/cohorts/{cohort}/enrolments"),
            staff,
            json!({"name": name, "citizen_id": id, "key_groups": groups}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().expect("enrolment").to_owned()
}

pub(crate) fn line<'a>(d: &'a Value, measure: &str) -> &'a Value {
    d["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["measure"] == measure)
        .unwrap_or_else(|| panic!("no {measure} in {d}"))
}

#[tokio::test]
async fn the_dashboard_counts_what_the_records_hold_month_by_month_against_versioned_targets() {
    let app = TestApp::spawn().await;
    let t = app.training(10).await;
    // Cohorts ending on 20 January (statistical January) and 21 January (February), and
    // the training's own cohort ending 30 June (July).
    let jan = cohort(
        &app,
        &t.staff,
        &t.program,
        "QMY-2026-J1",
        ("2026-01-05", "2026-01-20"),
    )
    .await;
    let feb = cohort(
        &app,
        &t.staff,
        &t.program,
        "QMY-2026-J2",
        ("2026-01-06", "2026-01-21"),
    )
    .await;
    let (a, b, c, d) = (
        citizen_id("19960301", 11),
        citizen_id("19970402", 12),
        citizen_id("19980503", 13),
        citizen_id("19990604", 14),
    );
    enrol(&app, &t.staff, &jan, "娜仁花", &a, &["graduate"]).await;
    enrol(&app, &t.staff, &jan, "巴特尔", &b, &[]).await;
    enrol(
        &app,
        &t.staff,
        &feb,
        "其木格",
        &c,
        &["graduate", "unemployed"],
    )
    .await;
    let gone = enrol(&app, &t.staff, &feb, "乌日娜", &d, &["unemployed"]).await;
    let (status, body) = app
        .post(
            &format!("/api/v1/enrolments/{gone}/withdraw"),
            &t.staff,
            json!({"reason": "外出务工"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    enrol(&app, &t.staff, &t.cohort, "娜仁花", &a, &["graduate"]).await;
    // The tags are rows: one per person and group, whatever the number of enrolments.
    assert_eq!(app.count("person_key_groups").await, 4);

    let (status, dash) = app
        .get("/api/v1/reports/dashboard?year=2026", &t.bureau)
        .await;
    assert_eq!(status, StatusCode::OK, "{dash}");
    assert_eq!(
        (dash["starts_on"].as_str(), dash["ends_on"].as_str()),
        (Some("2025-12-21"), Some("2026-12-20"))
    );
    let key = line(&dash, "key_group_training");
    let mut months = vec![0; 12];
    months[0] = 1; // 娜仁花 in the cohort ending 20 January
    months[1] = 1; // 其木格 in the one ending 21 January (乌日娜 withdrew)
    months[6] = 1; // 娜仁花 again, 30 June
    assert_eq!(key["by_month"], json!(months), "{key}");
    assert_eq!(
        (key["actual"].as_i64(), key["target"].as_i64()),
        (Some(3), Some(600))
    );
    assert_eq!(key["percent"], 0);
    let all = line(&dash, "training");
    assert_eq!(all["actual"], 4, "{all}");
    assert_eq!(all["by_month"][0], 2);
    assert!(all["target"].is_null());
    let groups: Vec<(String, i64)> = dash["by_key_group"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap().to_owned(),
                c["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(groups.len(), 2, "{groups:?}");
    assert!(groups.contains(&("graduate".into(), 3)), "{groups:?}");
    assert!(groups.contains(&("unemployed".into(), 1)), "{groups:?}");
    assert_eq!(dash["by_provider"][0]["count"], 4);
    assert_eq!(
        dash["by_provider"][0]["label"],
        "额尔古纳市职业技能培训中心"
    );

    // Targets are versions: the plan's 600 stays readable as version 1.
    let (status, refused) = app
        .post(
            "/api/v1/reports/targets",
            &t.bureau,
            json!({"year": 2026, "measure": "key_group_training", "target": 650, "source": " "}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["fields"][0]["field"], "source", "{refused}");
    assert_eq!(app.count("report_targets").await, 2);
    let (status, set) = app
        .post(
            "/api/v1/reports/targets",
            &t.bureau,
            json!({"year": 2026, "measure": "key_group_training", "target": 6, "source": "市就业工作领导小组调整"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{set}");
    assert_eq!(
        (set["version"].as_i64(), set["target"].as_i64()),
        (Some(2), Some(6))
    );
    let (_, targets) = app
        .get("/api/v1/reports/targets?year=2026", &t.bureau)
        .await;
    assert_eq!(targets.as_array().map(Vec::len), Some(1), "{targets}");
    assert_eq!(targets[0]["target"], 6);
    let (_, dash) = app
        .get("/api/v1/reports/dashboard?year=2026", &t.bureau)
        .await;
    assert_eq!(line(&dash, "key_group_training")["percent"], 50);
    let (status, _) = app
        .get("/api/v1/reports/dashboard?year=1999", &t.bureau)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The page: each measure with its chart; the form's refusal under its field.
    let mut office = Visitor::new(&app);
    office.sign_in("bureau", PASSWORD).await;
    let page = office.get("/reports?year=2026").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("重点群体培训人次"), "{}", page.body);
    assert!(
        page.body.contains("<strong>3</strong> / 6"),
        "{}",
        page.body
    );
    assert_eq!(page.body.matches("<svg class=\"chart\"").count(), 8);
    let csrf = hidden(&page.body, "csrf");
    let refused = office
        .post(
            "/reports",
            &[
                ("csrf", &csrf),
                ("year", "2026"),
                ("measure", "training"),
                ("target", "很多"),
                ("source", "x"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"target-error\""),
        "{}",
        refused.body
    );
    // Only the bureau reads the reports.
    let mut other = Visitor::new(&app);
    other.sign_in("provider-staff", PASSWORD).await;
    assert_eq!(other.get("/reports").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_certificate_ledger_exports_masked_and_in_full_with_the_full_one_audited() {
    use calamine::{Reader, Xlsx};

    let app = TestApp::spawn().await;
    let c = crate::certificates::chain(&app).await;
    let ids = [citizen_id("19960301", 21), citizen_id("19970402", 22)];
    for (name, id) in ["娜仁花", "巴特尔"].iter().zip(&ids) {
        app.trainee(
            &c,
            &c.homestay_cohort,
            name,
            id,
            crate::certificates::passing(),
        )
        .await;
    }
    let (status, body) = app
        .post(
            &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
            &c.staff,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let year = registry::reports::year_of(app.clock.now().today);
    let mut office = Visitor::new(&app);
    office.sign_in("bureau", PASSWORD).await;

    // Masked CSV: a BOM, the province's header, one line per certificate, no ID in clear.
    let (status, csv) = download(
        &app,
        &office,
        &format!("/reports/certificate-ledger?year={year}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&csv[..3], &[0xEF, 0xBB, 0xBF]);
    let text = String::from_utf8(csv[3..].to_vec()).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "证书序列号,参训人员姓名,身份信息,培训项目名称,培训起止日期,培训机构名称,发证日期"
    );
    assert_eq!(lines.len(), 3, "{text}");
    assert!(text.contains("娜仁花"), "{text}");
    assert!(!ids.iter().any(|id| text.contains(id.as_str())), "{text}");
    assert!(text.contains("150784********"), "{text}");
    let audited = app.count("audit_log").await;

    // The full ledger as XLSX: the IDs in clear, read back as Excel would, and audited.
    let path = format!("/reports/certificate-ledger?year={year}&format=xlsx&full=1");
    let (status, xlsx) = download(&app, &office, &path).await;
    assert_eq!(status, StatusCode::OK);
    let mut book = Xlsx::new(std::io::Cursor::new(xlsx)).expect("an XLSX");
    let first = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&first).expect("a sheet");
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][2], "身份信息");
    let shown: Vec<&str> = rows[1..].iter().map(|r| r[2].as_str()).collect();
    for id in &ids {
        assert!(shown.contains(&id.as_str()), "{shown:?}");
    }
    assert_eq!(app.count("audit_log").await, audited + 1);
    // Only the bureau exports.
    let mut staff = Visitor::new(&app);
    staff.sign_in("staff", PASSWORD).await;
    let (status, _) = download(&app, &staff, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
