//! Dates that happened (docs/DESIGN.md §5): no result before the cohort has started, no
//! completion certificate before it has ended, no assessment dated before the cohort
//! started or in the future; a certificate is dated the day it was issued.

use chrono::{Days, NaiveDate};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::certificates::{chain, fields_of as fields, passing};
use crate::helpers::{PASSWORD, TestApp, citizen_id};

fn after(day: NaiveDate, days: u64) -> String {
    (day + Days::new(days)).to_string()
}

#[tokio::test]
async fn results_wait_for_the_start_and_completion_for_the_end_of_the_cohort() {
    let app = TestApp::spawn().await;
    let t = app.training(10).await;
    let today = app.clock.now().today;
    let (status, cohort) = app
        .post(
            "/api/v1/cohorts",
            &t.staff,
            json!({"program_id": t.program, "code": "QMY-2027-01", "starts_on": after(today, 5),
                   "ends_on": after(today, 20), "capacity": 10, "location": "黑山头镇", "teachers": ["王建国"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cohort}");
    let cohort = cohort["id"].as_str().expect("id");
    let (status, e) = app
        .enrol(&t.staff, cohort, "乌日娜", &citizen_id("19950505", 505))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    let enrolment = e["id"].as_str().expect("id").to_owned();
    // Tokens expire as the clock moves on; the staff signs in again each time.
    let record = async |app: &TestApp, staff: &str| {
        app.call(
            Method::PUT,
            &format!("/api/v1/enrolments/{enrolment}/result"),
            Some(staff),
            Some(passing()),
        )
        .await
    };

    let (status, body) = record(&app, &t.staff).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"], "cohort_not_started");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("开班前不能登记成绩")),
        "{body}"
    );

    app.clock.advance(chrono::Duration::days(6));
    let staff = app.login("provider-staff", PASSWORD).await;
    let (status, body) = record(&app, &staff).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "once the cohort has started: {body}"
    );

    let issue = async |app: &TestApp, staff: &str| {
        app.post(
            "/api/v1/certificates",
            staff,
            json!({"kind": "completion", "enrolment_id": enrolment}),
        )
        .await
    };
    let (status, body) = issue(&app, &staff).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        fields(&body),
        ["cohort.ends_on:not_ended"],
        "only the date rule failed: {body}"
    );
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("结束前不能颁发结业证书")),
        "{body}"
    );

    app.clock.advance(chrono::Duration::days(15));
    let staff = app.login("provider-staff", PASSWORD).await;
    let (status, cert) = issue(&app, &staff).await;
    assert_eq!(status, StatusCode::CREATED, "on the last day: {cert}");
    assert_eq!(
        cert["valid_from"],
        app.clock.now().today.to_string(),
        "dated the day it was issued"
    );
}

#[tokio::test]
async fn an_assessment_is_dated_within_the_cohort_and_not_in_the_future() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (enrolment, _) = app
        .trainee(
            &c,
            &c.homestay_cohort,
            "其其格",
            &citizen_id("19920202", 202),
            passing(),
        )
        .await;
    let (_, cohort) = app
        .get(&format!("/api/v1/cohorts/{}", c.homestay_cohort), &c.staff)
        .await;
    let starts: NaiveDate = cohort["starts_on"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .expect("date");
    let today = app.clock.now().today;
    for (day, rule) in [
        (
            (starts - Days::new(1)).to_string(),
            "assessed_on:before_cohort",
        ),
        (after(today, 1), "assessed_on:in_the_future"),
    ] {
        let (status, body) = app
            .post(
                "/api/v1/assessments",
                &c.assessor,
                json!({"enrolment_id": enrolment, "theory_score": 80, "practical_score": 80,
                       "assessed_on": day, "examiners": ["王建国", "其木格", "李红梅"]}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{day}: {body}");
        assert_eq!(fields(&body), [rule], "{body}");
    }
    let (status, body) = app
        .post(
            "/api/v1/assessments",
            &c.assessor,
            json!({"enrolment_id": enrolment, "theory_score": 80, "practical_score": 80,
                   "assessed_on": starts.to_string(), "examiners": ["王建国", "其木格", "李红梅"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "on the first day: {body}");
}
