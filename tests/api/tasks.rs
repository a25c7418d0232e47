//! The task list (`GET /api/v1/tasks`): what each organisation has to do next, read from
//! the records. Certificates whose grounds fell are tested with the chain in `grounds.rs`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::certificates::{chain, passing};
use crate::helpers::{TestApp, citizen_id, credit_code};

#[tokio::test]
async fn a_provider_sees_its_started_cohorts_that_still_miss_results() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    app.trainee(
        &c,
        &c.pastry_cohort,
        "娜仁花",
        &citizen_id("19900412", 222),
        Value::Null,
    )
    .await;
    app.trainee(
        &c,
        &c.pastry_cohort,
        "巴特尔",
        &citizen_id("19880101", 111),
        Value::Null,
    )
    .await;
    app.trainee(
        &c,
        &c.homestay_cohort,
        "其木格",
        &citizen_id("19920101", 246),
        passing(),
    )
    .await;

    let (status, tasks) = app.get("/api/v1/tasks", &c.staff).await;
    assert_eq!(status, StatusCode::OK, "{tasks}");
    let missing = &tasks["results_missing"];
    assert_eq!(
        missing["total"], 1,
        "only the cohort without results: {tasks}"
    );
    assert_eq!(missing["items"][0]["cohort_id"], c.pastry_cohort.as_str());
    assert_eq!(missing["items"][0]["cohort_code"], "MD-2026-01");
    assert_eq!(missing["items"][0]["without_result"], 2);
    assert!(
        tasks.get("organisations_waiting").is_none(),
        "a provider decides no organisation: {tasks}"
    );
    // The homestay cohort has ended with a result recorded and no certificate yet.
    let to_issue = &tasks["completions_to_issue"];
    assert_eq!(to_issue["total"], 1, "{tasks}");
    assert_eq!(
        to_issue["items"][0]["cohort_id"],
        c.homestay_cohort.as_str()
    );
    assert_eq!(to_issue["items"][0]["without_certificate"], 1);
    let (status, report) = app
        .post(
            &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
            &c.staff,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let (_, tasks) = app.get("/api/v1/tasks", &c.staff).await;
    assert_eq!(tasks["completions_to_issue"]["total"], 0, "issued: {tasks}");

    // Another provider's staff sees none of it.
    let other = app
        .organisation(
            &c.bureau,
            "training_provider",
            "额尔古纳市蒙兀室韦职业培训学校",
        )
        .await;
    let token = app
        .account(
            "other-staff",
            registry::access::Role::ProviderStaff,
            Some(&other),
        )
        .await;
    let (_, theirs) = app.get("/api/v1/tasks", &token).await;
    assert_eq!(theirs["results_missing"]["total"], 0, "{theirs}");
}

#[tokio::test]
async fn the_bureau_sees_organisations_waiting_for_approval_and_renames() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let (status, pending) = app
        .post(
            "/api/v1/organisations",
            &bureau,
            json!({"kind": "employer", "name": "额尔古纳市白桦林旅游有限公司", "credit_code": credit_code()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pending}");
    app.organisation(&bureau, "training_provider", "额尔古纳市职业技能培训中心")
        .await;

    let (status, tasks) = app.get("/api/v1/tasks", &bureau).await;
    assert_eq!(status, StatusCode::OK, "{tasks}");
    let waiting = &tasks["organisations_waiting"];
    assert_eq!(
        waiting["total"], 1,
        "the approved one is not waiting: {tasks}"
    );
    assert_eq!(waiting["items"][0]["organisation_id"], pending["id"]);
    assert_eq!(waiting["items"][0]["waiting_for"], "approval");
    assert_eq!(waiting["items"][0]["kind_label"], "用人单位");

    let (status, _) = app
        .post(
            &format!(
                "/api/v1/organisations/{}/approve",
                pending["id"].as_str().expect("id")
            ),
            &bureau,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, tasks) = app.get("/api/v1/tasks", &bureau).await;
    assert_eq!(tasks["organisations_waiting"]["total"], 0, "{tasks}");
}

#[tokio::test]
async fn a_licensing_authority_sees_its_licences_expiring_within_ninety_days() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let today = app.clock.now().today;
    let mut issued = Vec::new();
    for (name, id, days) in [
        ("娜仁花", citizen_id("19900412", 222), 30),
        ("巴特尔", citizen_id("19880101", 111), 400),
    ] {
        let (enrolment, _) = app
            .trainee(&c, &c.homestay_cohort, name, &id, passing())
            .await;
        issued.push((enrolment, days));
    }
    let (status, report) = app
        .post(
            &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
            &c.staff,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let mut soon = String::new();
    for (enrolment, days) in &issued {
        let assessment = app.assess(&c, enrolment, None, 78, 84).await;
        let (status, specialty) = app
            .post(
                "/api/v1/certificates",
                &c.assessor,
                json!({"kind": "specialty", "enrolment_id": enrolment, "assessment_id": assessment}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{specialty}");
        let until = today + chrono::Duration::days(*days);
        let (status, licence) = app
            .post(
                "/api/v1/certificates",
                &c.officer,
                json!({"kind": "licence", "enrolment_id": enrolment, "valid_until": until.to_string()}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{licence}");
        if *days == 30 {
            soon = licence["id"].as_str().expect("id").to_owned();
        }
    }

    let (status, tasks) = app.get("/api/v1/tasks", &c.officer).await;
    assert_eq!(status, StatusCode::OK, "{tasks}");
    let expiring = &tasks["licences_expiring"];
    assert_eq!(expiring["total"], 1, "only the one within 90 days: {tasks}");
    assert_eq!(expiring["items"][0]["certificate_id"], soon.as_str());
    assert_eq!(expiring["items"][0]["days_left"], 30);
    assert_eq!(expiring["items"][0]["holder_name"], "娜仁花");

    let (_, bureau) = app.get("/api/v1/tasks", &c.bureau).await;
    assert_eq!(bureau["licences_expiring"]["total"], 1, "{bureau}");
    assert_eq!(
        bureau["licences_expiring"]["items"][0]["holder_name"], "娜*花",
        "the bureau is not the issuer: the name is masked"
    );
}
