use registry::access::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, credit_code};

#[tokio::test]
async fn another_tenants_organisation_is_not_found_for_reads_and_writes_and_stays_unchanged() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let mine = app
        .organisation(&bureau, "training_provider", "额尔古纳市第一培训学校")
        .await;
    let theirs = app
        .organisation(&bureau, "training_provider", "额尔古纳市第二培训学校")
        .await;
    let token = app
        .account("staff-a", Role::ProviderStaff, Some(&mine))
        .await;

    let (status, own) = app
        .get(&format!("/api/v1/organisations/{mine}"), &token)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(own["name"], "额尔古纳市第一培训学校");

    let (status, body) = app
        .get(&format!("/api/v1/organisations/{theirs}"), &token)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (missing_status, missing_body) = app.get("/api/v1/organisations/no-such-id", &token).await;
    assert_eq!(
        (status, &body),
        (missing_status, &missing_body),
        "another tenant's record must look like no record"
    );

    let audit_before = app.count("audit_log").await;
    let (status, _) = app
        .patch(
            &format!("/api/v1/organisations/{theirs}"),
            &token,
            json!({"name": "被篡改的名称"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, after) = app
        .get(&format!("/api/v1/organisations/{theirs}"), &bureau)
        .await;
    assert_eq!(after["name"], "额尔古纳市第二培训学校");
    assert_eq!(app.count("audit_log").await, audit_before);

    let (_, list) = app.get("/api/v1/organisations", &token).await;
    let ids: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    assert_eq!(ids, vec![mine.as_str()]);

    let (status, updated) = app
        .patch(
            &format!("/api/v1/organisations/{mine}"),
            &token,
            json!({"contact_phone": "0470-6812345"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["contact_phone"], "0470-6812345");
}

#[tokio::test]
async fn an_invalid_credit_code_is_refused_naming_the_field_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let orgs_before = app.count("organisations").await;
    let audit_before = app.count("audit_log").await;
    for (code, reason) in [
        ("91110108551385082A", "check_character"),
        ("9111010855138508", "length"),
        ("9111010855138508IQ", "charset"),
    ] {
        let (status, body) = app
            .post(
                "/api/v1/organisations",
                &bureau,
                json!({"kind": "employer", "name": "某公司", "credit_code": code}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{code}: {body}");
        assert_eq!(body["error"], "invalid");
        assert_eq!(body["fields"][0]["field"], "credit_code");
        assert_eq!(body["fields"][0]["reason"], reason);
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("统一社会信用代码"))
        );
    }
    assert_eq!(app.count("organisations").await, orgs_before);
    assert_eq!(app.count("audit_log").await, audit_before);
}

#[tokio::test]
async fn an_unknown_kind_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let (status, body) = app
        .post(
            "/api/v1/organisations",
            &bureau,
            json!({"kind": "bank", "name": "某银行", "credit_code": credit_code()}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "kind");
}

#[tokio::test]
async fn a_credit_code_registered_twice_is_a_conflict() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let code = credit_code();
    let body = json!({"kind": "employer", "name": "额尔古纳某酒店", "credit_code": code});
    let (first, _) = app
        .post("/api/v1/organisations", &bureau, body.clone())
        .await;
    let (second, answer) = app.post("/api/v1/organisations", &bureau, body).await;
    assert_eq!(first, StatusCode::CREATED);
    assert_eq!(second, StatusCode::CONFLICT);
    assert_eq!(answer["error"], "credit_code_taken");
}

#[tokio::test]
async fn new_organisations_are_pending_until_the_bureau_approves_them() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let (status, org) = app
        .post(
            "/api/v1/organisations",
            &bureau,
            json!({"kind": "evaluation_org", "name": "某评价机构", "credit_code": credit_code()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(org["status"], "pending");
    let id = org["id"].as_str().expect("id");
    let (_, approved) = app
        .post(
            &format!("/api/v1/organisations/{id}/approve"),
            &bureau,
            json!({}),
        )
        .await;
    assert_eq!(approved["status"], "approved");
}
