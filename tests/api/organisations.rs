use registry::{
    access::Role,
    audit::Actor,
    auth::accounts,
    organisations::{self, OrgKind, OrgStatus, OrganisationInput},
};
use reqwest::{Method, StatusCode};
use sea_orm::TransactionTrait;
use serde_json::{Value, json};

use crate::{
    certificates::chain,
    helpers::{PASSWORD, TestApp, citizen_id, credit_code},
};

const BUREAU: &str = "额尔古纳市人力资源和社会保障局";

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

#[tokio::test]
async fn the_bureau_cannot_suspend_its_own_organisation_and_lock_itself_out() {
    let app = TestApp::spawn().await;
    let first = app.bureau().await;
    let bureau_org = app.organisation(&first, "bureau", BUREAU).await;
    let chief = app
        .account("chief", Role::BureauAdmin, Some(&bureau_org))
        .await;
    let audit_before = app.count("audit_log").await;

    let (status, body) = app
        .post(
            &format!("/api/v1/organisations/{bureau_org}/suspend"),
            &chief,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["reason"], "own_organisation");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("不能暂停本人所属的机构")),
        "{body}"
    );
    let (status, org) = app
        .get(&format!("/api/v1/organisations/{bureau_org}"), &chief)
        .await;
    assert_eq!(
        (status, org["status"].as_str()),
        (StatusCode::OK, Some("approved")),
        "the bureau's administrators can still act"
    );
    assert_eq!(app.count("audit_log").await, audit_before);
}

/// Registers and approves the bureau's organisation and its only administrator, as
/// `registry org add` and `registry user add` do.
async fn bureau_with_one_administrator(app: &TestApp) -> String {
    let txn = app.db.write.begin().await.expect("begin");
    let actor = Actor::system("cli");
    let input = OrganisationInput {
        kind: OrgKind::Bureau,
        name: BUREAU.into(),
        credit_code: credit_code(),
        address: None,
        contact_phone: None,
        national_code: None,
        site_code: None,
    };
    let now = app.clock.now();
    let org = organisations::create(&txn, &actor, input, now)
        .await
        .expect("bureau");
    organisations::set_status(&txn, &actor, &org.id, OrgStatus::Approved, now)
        .await
        .expect("approved");
    accounts::create(
        &txn,
        &actor,
        accounts::NewAccount {
            login: "chief".into(),
            password: PASSWORD.to_owned().into(),
            role: Role::BureauAdmin,
            organisation_id: Some(org.id.clone()),
            display_name: None,
        },
        now,
    )
    .await
    .expect("administrator");
    txn.commit().await.expect("commit");
    org.id
}

#[tokio::test]
async fn no_suspension_may_leave_the_registry_without_an_active_bureau_administrator() {
    let app = TestApp::spawn().await;
    let bureau_org = bureau_with_one_administrator(&app).await;
    let suspend = async || {
        let txn = app.db.write.begin().await.expect("begin");
        let done = organisations::set_status(
            &txn,
            &Actor::system("cli"),
            &bureau_org,
            OrgStatus::Suspended,
            app.clock.now(),
        )
        .await;
        txn.commit().await.expect("commit");
        done
    };

    let err = suspend()
        .await
        .expect_err("suspending the last administrator's organisation");
    assert_eq!(err.status(), 422);
    assert_eq!(err.body().fields[0].reason, "last_bureau_admin");
    let chief = app.login("chief", PASSWORD).await;
    let (status, _) = app.get("/api/v1/auth/me", &chief).await;
    assert_eq!(status, StatusCode::OK, "the administrator can still act");

    // With another administrator outside it, the organisation may be suspended.
    app.bureau().await;
    let org = suspend().await.expect("another administrator remains");
    assert_eq!(org.status, OrgStatus::Suspended);
}

#[tokio::test]
async fn a_provider_cannot_rename_itself_to_the_bureaus_name_or_without_the_bureaus_approval() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    app.organisation(&bureau, "bureau", BUREAU).await;
    let provider = app
        .organisation(&bureau, "training_provider", "额尔古纳市第一培训学校")
        .await;
    let staff = app
        .account("staff", Role::ProviderStaff, Some(&provider))
        .await;
    let path = format!("/api/v1/organisations/{provider}");
    let audit_before = app.count("audit_log").await;

    let (status, body) = app.patch(&path, &staff, json!({"name": BUREAU})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        (
            body["fields"][0]["field"].as_str(),
            body["fields"][0]["reason"].as_str()
        ),
        (Some("name"), Some("taken"))
    );
    assert_eq!(
        app.count("audit_log").await,
        audit_before,
        "nothing written"
    );

    let (status, org) = app
        .patch(&path, &staff, json!({"name": "额尔古纳市新华培训学校"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{org}");
    assert_eq!(org["name"], "额尔古纳市第一培训学校", "not renamed yet");
    assert_eq!(org["pending_name"], "额尔古纳市新华培训学校");

    let (status, _) = app
        .post(&format!("{path}/name/approve"), &staff, json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an organisation cannot approve itself"
    );
    let (status, org) = app
        .post(&format!("{path}/name/approve"), &bureau, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{org}");
    assert_eq!(org["name"], "额尔古纳市新华培训学校");
    assert_eq!(org["pending_name"], Value::Null);

    app.patch(&path, &staff, json!({"name": "额尔古纳市某某学校"}))
        .await;
    let (status, org) = app
        .post(&format!("{path}/name/reject"), &bureau, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{org}");
    assert_eq!(
        (org["name"].as_str(), &org["pending_name"]),
        (Some("额尔古纳市新华培训学校"), &Value::Null)
    );
    let (status, body) = app
        .post(&format!("{path}/name/approve"), &bureau, json!({}))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("no_pending_name"))
    );

    let (_, log) = app
        .get(&format!("/api/v1/audit?record_id={provider}"), &bureau)
        .await;
    let renames: Vec<(&str, &str)> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| Some((e["action"].as_str()?, e["actor"].as_str()?)))
        .filter(|(action, _)| action.starts_with("organisation.rename"))
        .collect();
    assert_eq!(
        renames,
        [
            ("organisation.rename_request", "staff"),
            ("organisation.rename_approve", "bureau"),
            ("organisation.rename_request", "staff"),
            ("organisation.rename_reject", "bureau"),
        ]
    );
}

#[tokio::test]
async fn the_bureau_renames_directly_but_never_to_another_active_organisations_name() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let first = app
        .organisation(&bureau, "training_provider", "额尔古纳市第一培训学校")
        .await;
    let second = app
        .organisation(&bureau, "employer", "额尔古纳市某牧家乐")
        .await;

    let (status, org) = app
        .patch(
            &format!("/api/v1/organisations/{first}"),
            &bureau,
            json!({"name": "额尔古纳市第一职业培训学校"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{org}");
    assert_eq!(
        (org["name"].as_str(), &org["pending_name"]),
        (Some("额尔古纳市第一职业培训学校"), &Value::Null)
    );

    let (status, body) = app
        .patch(
            &format!("/api/v1/organisations/{second}"),
            &bureau,
            json!({"name": "额尔古纳市第一职业培训学校"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["reason"], "taken");
    let orgs_before = app.count("organisations").await;
    let (status, body) = app
        .post(
            "/api/v1/organisations",
            &bureau,
            json!({"kind": "employer", "name": "额尔古纳市某牧家乐", "credit_code": credit_code()}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["reason"], "taken");
    assert_eq!(app.count("organisations").await, orgs_before);
}

#[tokio::test]
async fn invisible_characters_in_an_organisations_name_are_refused_naming_the_character() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let existing = app
        .organisation(&bureau, "training_provider", "额尔古纳市第一培训学校")
        .await;
    let orgs_before = app.count("organisations").await;
    let audit_before = app.count("audit_log").await;
    for (name, reason, named) in [
        ("额尔古纳市\u{7}培训学校", "invisible_character", "U+0007"),
        (
            "额尔古纳市\u{200B}培训学校",
            "invisible_character",
            "U+200B",
        ),
        (
            "额尔古纳市\u{202E}校学训培",
            "invisible_character",
            "U+202E",
        ),
        ("额尔古纳市培训学校\n", "invisible_character", "U+000A"),
        (" 额尔古纳市培训学校", "untrimmed", "首尾"),
    ] {
        let (status, body) = app
            .post(
                "/api/v1/organisations",
                &bureau,
                json!({"kind": "employer", "name": name, "credit_code": credit_code()}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}: {body}");
        assert_eq!(body["fields"][0]["field"], "name");
        assert_eq!(body["fields"][0]["reason"], reason, "{name:?}");
        assert!(
            body["message"].as_str().is_some_and(|m| m.contains(named)),
            "{name:?}: {body}"
        );
        let (status, body) = app
            .patch(
                &format!("/api/v1/organisations/{existing}"),
                &bureau,
                json!({"name": name}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}: {body}");
        assert_eq!(body["fields"][0]["reason"], reason, "{name:?}");
    }
    assert_eq!(app.count("organisations").await, orgs_before);
    assert_eq!(app.count("audit_log").await, audit_before);
}

#[tokio::test]
async fn a_certificate_shows_the_issuers_name_it_was_issued_under_and_the_current_one_beside() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, token, _) = app
        .completion(&c, "娜仁花", &citizen_id("19900412", 246))
        .await;
    let (_, me) = app.get("/api/v1/auth/me", &c.staff).await;
    let provider = me["organisation_id"].as_str().expect("provider").to_owned();
    let (status, _) = app
        .patch(
            &format!("/api/v1/organisations/{provider}"),
            &c.bureau,
            json!({"name": "额尔古纳市新华职业培训学校"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (_, verified) = app
        .call(Method::GET, &format!("/api/v1/verify/{token}"), None, None)
        .await;
    assert_eq!(
        verified["issuer_name"], "额尔古纳市职业技能培训中心",
        "{verified}"
    );
    assert_eq!(
        verified["issuer_current_name"],
        "额尔古纳市新华职业培训学校"
    );
    let (_, shown) = app
        .get(&format!("/api/v1/certificates/{id}"), &c.staff)
        .await;
    assert_eq!(
        shown["issuer_name"], "额尔古纳市职业技能培训中心",
        "{shown}"
    );
    assert_eq!(shown["issuer_current_name"], "额尔古纳市新华职业培训学校");
    let page = app
        .client
        .get(format!("{}/v/{token}", app.base))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("page");
    assert!(page.contains("额尔古纳市职业技能培训中心"), "{page}");
    assert!(
        page.contains("发证机构现名：额尔古纳市新华职业培训学校"),
        "{page}"
    );

    let (later, _, _) = app
        .completion(&c, "巴特尔", &citizen_id("19880203", 137))
        .await;
    let (_, later) = app
        .get(&format!("/api/v1/certificates/{later}"), &c.staff)
        .await;
    assert_eq!(
        (later["issuer_name"].as_str(), &later["issuer_current_name"]),
        (Some("额尔古纳市新华职业培训学校"), &Value::Null),
        "a certificate issued after the rename prints the new name: {later}"
    );
}
