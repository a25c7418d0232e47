//! Stored enumerations are read strictly (docs/DESIGN.md §2, rule 4): a status, kind or
//! role that nobody wrote answers 500 with the `internal` body — the word itself stays in
//! the log — and is never read as some default. And the JSON says a status with the same
//! word as the page.

use registry::access::Role;
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{
    certificates::chain,
    helpers::{TestApp, citizen_id},
};

const BOGUS: &str = "no_such_word";

/// Writes `BOGUS` into `column` of the row `id` of `table`, behind the registry's back.
async fn corrupt(app: &TestApp, table: &str, column: &str, id: &str) {
    app.db
        .write
        .execute_unprepared(&format!(
            "UPDATE {table} SET {column} = '{BOGUS}' WHERE id = '{id}'"
        ))
        .await
        .expect("corrupt the row");
}

/// A 500 in the error shape that says nothing about the stored word.
fn assert_internal(status: StatusCode, body: &Value, what: &str) {
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{what}: {body}");
    assert_eq!(body["error"], "internal", "{what}");
    assert!(!body.to_string().contains(BOGUS), "{what}: {body}");
}

#[tokio::test]
async fn a_certificate_with_an_unknown_status_or_kind_is_an_internal_error() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, token, _) = app
        .completion(&c, "娜仁花", &citizen_id("19900412", 246))
        .await;
    let (status, before) = app
        .get(&format!("/api/v1/certificates/{id}"), &c.staff)
        .await;
    assert_eq!(
        (status, before["status"].as_str()),
        (StatusCode::OK, Some("valid"))
    );
    let person = before["person_id"].as_str().expect("person id").to_owned();

    corrupt(&app, "certificates", "status", &id).await;
    let (status, body) = app
        .get(&format!("/api/v1/certificates/{id}"), &c.staff)
        .await;
    assert_internal(status, &body, "the certificate");
    let (status, body) = app
        .get(&format!("/api/v1/people/{person}/certificates"), &c.bureau)
        .await;
    assert_internal(status, &body, "the holder's bundle");
    let (status, body) = app
        .post(
            &format!("/api/v1/certificates/{id}/suspend"),
            &c.staff,
            json!({"reason": "核查"}),
        )
        .await;
    assert_internal(status, &body, "a status change");
    // An instance that has not seen the certificate yet reads it from the database.
    let fresh = app.second_instance().await;
    let (status, body) = fresh
        .call(Method::GET, &format!("/api/v1/verify/{token}"), None, None)
        .await;
    assert_internal(status, &body, "verification");

    app.db
        .write
        .execute_unprepared(&format!(
            "UPDATE certificates SET status = 'valid' WHERE id = '{id}'"
        ))
        .await
        .expect("restore the status");
    corrupt(&app, "certificates", "kind", &id).await;
    let (status, body) = app
        .get(&format!("/api/v1/certificates/{id}"), &c.staff)
        .await;
    assert_internal(status, &body, "the certificate's kind");
}

#[tokio::test]
async fn a_certificate_that_does_not_read_holds_up_no_one_elses_verification() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let holder = citizen_id("19900412", 246);
    let (corrupted, _, _) = app.completion(&c, "娜仁花", &holder).await;
    // The pastry program runs 120 hours, so its 90 % attendance is more than `passing`'s.
    let attended = json!({"attended_hours": 118, "theory_score": 82, "practical_score": 88});
    app.trainee(&c, &c.pastry_cohort, "娜仁花", &holder, attended)
        .await;
    let (_, report) = app
        .post(
            &format!("/api/v1/cohorts/{}/certificates", c.pastry_cohort),
            &c.staff,
            json!({}),
        )
        .await;
    let sibling = report["issued"][0]["certificate_id"]
        .as_str()
        .expect("a second certificate of the same holder")
        .to_owned();
    let (_, view) = app
        .get(&format!("/api/v1/certificates/{sibling}"), &c.staff)
        .await;
    let sibling_token = view["token"].as_str().expect("token").to_owned();
    let (other, other_token, _) = app
        .completion(&c, "其木格", &citizen_id("19920101", 246))
        .await;
    // An instance that applies the audit log only after its own changes.
    let other_instance = app
        .second_instance_with(|config| config.verify_sync_ms = 3_600_000)
        .await;

    // A change to the holder's other certificate, which makes every instance reload the
    // holder; then one of their certificates is corrupted before this instance does.
    let (status, body) = app
        .post(
            &format!("/api/v1/certificates/{sibling}/suspend"),
            &c.staff,
            json!({"reason": "核查"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    corrupt(&app, "certificates", "status", &corrupted).await;
    let (status, body) = other_instance
        .post(
            &format!("/api/v1/certificates/{other}/revoke"),
            &c.staff,
            json!({"reason": "弄虚作假"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let verify = |token: &str| format!("/api/v1/verify/{token}");
    let (status, v) = other_instance
        .call(Method::GET, &verify(&other_token), None, None)
        .await;
    assert_eq!(
        (status, v["status"].as_str()),
        (StatusCode::OK, Some("revoked")),
        "the revocation reached this instance's index"
    );
    let (status, body) = other_instance
        .call(Method::GET, &verify(&sibling_token), None, None)
        .await;
    assert_internal(status, &body, "the corrupt holder's other certificate");
}

#[tokio::test]
async fn an_account_with_an_unknown_role_gets_500_and_never_a_trainees_view() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let provider = app
        .organisation(&bureau, "training_provider", "额尔古纳市职业技能培训学校")
        .await;
    let token = app
        .account("teacher", Role::ProviderStaff, Some(&provider))
        .await;
    let (_, me) = app.get("/api/v1/auth/me", &token).await;
    let account = me["account_id"].as_str().expect("account id").to_owned();

    corrupt(&app, "accounts", "role", &account).await;
    let (status, body) = app.get("/api/v1/auth/me", &token).await;
    assert_internal(status, &body, "a token of the account");
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"login": "teacher", "password": crate::helpers::PASSWORD})),
        )
        .await;
    assert_internal(status, &body, "logging in");
    let (status, body) = app.get("/api/v1/accounts", &bureau).await;
    assert_internal(status, &body, "the account list");
}

#[tokio::test]
async fn an_organisation_with_an_unknown_kind_or_status_is_an_internal_error() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let provider = app
        .organisation(&bureau, "training_provider", "额尔古纳市职业技能培训学校")
        .await;
    let staff = app
        .account("teacher", Role::ProviderStaff, Some(&provider))
        .await;
    let path = format!("/api/v1/organisations/{provider}");

    corrupt(&app, "organisations", "kind", &provider).await;
    let (status, body) = app.get(&path, &bureau).await;
    assert_internal(status, &body, "the organisation's kind");
    let (status, body) = app.get("/api/v1/organisations", &bureau).await;
    assert_internal(status, &body, "the organisation list");

    app.db
        .write
        .execute_unprepared(&format!(
            "UPDATE organisations SET kind = 'training_provider' WHERE id = '{provider}'"
        ))
        .await
        .expect("restore the kind");
    corrupt(&app, "organisations", "status", &provider).await;
    let (status, body) = app.get(&path, &bureau).await;
    assert_internal(status, &body, "the organisation's status");
    // Neither approved nor suspended: its staff's requests are not judged on a guess.
    let (status, body) = app.get("/api/v1/programs", &staff).await;
    assert_internal(status, &body, "a request of its staff");
}

#[tokio::test]
async fn a_standard_version_with_an_unknown_status_is_an_internal_error() {
    let app = TestApp::spawn().await;
    let (status, standard) = app
        .call(Method::GET, "/api/v1/standards/150784-QMY", None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{standard}");
    let id = standard["id"].as_str().expect("id").to_owned();

    corrupt(&app, "standards", "status", &id).await;
    let (status, body) = app
        .call(
            Method::GET,
            "/api/v1/standards/150784-QMY?version=1",
            None,
            None,
        )
        .await;
    assert_internal(status, &body, "the version, read anonymously");
    let bureau = app.bureau().await;
    let (status, body) = app.get("/api/v1/standards?status=all", &bureau).await;
    assert_internal(status, &body, "the bureau's list of every version");
}

#[tokio::test]
async fn an_enrolment_with_an_unknown_status_is_an_internal_error() {
    let app = TestApp::spawn().await;
    let t = app.training(10).await;
    let (status, enrolment) = app
        .enrol(&t.staff, &t.cohort, "巴特尔", &citizen_id("19950505", 135))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{enrolment}");
    let id = enrolment["id"].as_str().expect("id").to_owned();

    corrupt(&app, "enrolments", "status", &id).await;
    let (status, body) = app.get(&format!("/api/v1/enrolments/{id}"), &t.staff).await;
    assert_internal(status, &body, "the enrolment");
    let (status, body) = app
        .post(
            &format!("/api/v1/enrolments/{id}/withdraw"),
            &t.staff,
            json!({"reason": "个人原因"}),
        )
        .await;
    assert_internal(status, &body, "a withdrawal");
}

#[tokio::test]
async fn a_person_with_an_unknown_gender_or_key_group_is_an_internal_error() {
    let app = TestApp::spawn().await;
    let t = app.training(10).await;
    let (status, enrolment) = app
        .enrol(&t.staff, &t.cohort, "其木格", &citizen_id("19930303", 246))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{enrolment}");
    let person = enrolment["person"]["id"]
        .as_str()
        .expect("person id")
        .to_owned();
    let path = format!("/api/v1/people/{person}");
    let (status, shown) = app.get(&path, &t.staff).await;
    assert_eq!(
        (status, shown["gender"].as_str()),
        (StatusCode::OK, Some("female"))
    );

    corrupt(&app, "people", "gender", &person).await;
    let (status, body) = app.get(&path, &t.staff).await;
    assert_internal(status, &body, "the person's gender");

    app.db
        .write
        .execute_unprepared(&format!(
            "UPDATE people SET gender = 'female', key_groups = '[\"{BOGUS}\"]' WHERE id = '{person}'"
        ))
        .await
        .expect("tag the person with an unknown group");
    let (status, body) = app.get(&path, &t.staff).await;
    assert_internal(status, &body, "the person's key groups");
}

#[tokio::test]
async fn a_cohort_whose_teachers_do_not_read_is_an_internal_error() {
    let app = TestApp::spawn().await;
    let t = app.training(10).await;
    let path = format!("/api/v1/cohorts/{}", t.cohort);
    let (status, cohort) = app.get(&path, &t.staff).await;
    assert_eq!(status, StatusCode::OK, "{cohort}");
    assert_eq!(cohort["teachers"], json!(["王建国", "其木格"]));

    corrupt(&app, "cohorts", "teachers", &t.cohort).await;
    let (status, body) = app.get(&path, &t.staff).await;
    assert_internal(status, &body, "the cohort's teachers");
}

#[tokio::test]
async fn the_json_says_a_status_in_the_same_word_as_the_page() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, token, _) = app
        .completion(&c, "其木格", &citizen_id("19920101", 246))
        .await;
    let (status, suspended) = app
        .post(
            &format!("/api/v1/certificates/{id}/suspend"),
            &c.staff,
            json!({"reason": "证书信息核查中"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{suspended}");

    let (_, v) = app
        .call(Method::GET, &format!("/api/v1/verify/{token}"), None, None)
        .await;
    assert_eq!(v["status"], "suspended");
    let label = v["status_label"].as_str().expect("a label");
    assert_eq!(label, "已暂停");
    let html = app
        .client
        .get(format!("{}/v/{token}", app.base))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    assert!(
        html.contains(&format!("<div class=\"state\">{label}</div>")),
        "{html}"
    );
}
