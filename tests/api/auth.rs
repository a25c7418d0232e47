use registry::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn logging_in_gives_a_token_that_identifies_the_account() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let provider = app
        .organisation(&bureau, "training_provider", "额尔古纳市职业技能培训学校")
        .await;
    let token = app
        .account("teacher", Role::ProviderStaff, Some(&provider))
        .await;
    let (status, me) = app.get("/api/v1/auth/me", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["login"], "teacher");
    assert_eq!(me["role"], "provider_staff");
    assert_eq!(me["organisation_id"], provider.as_str());
}

#[tokio::test]
async fn a_wrong_password_gets_the_same_answer_as_an_unknown_login() {
    let app = TestApp::spawn().await;
    app.bureau().await;
    let login = |login: &'static str, password: &'static str| {
        app.call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"login": login, "password": password})),
        )
    };
    let (wrong_status, wrong_body) = login("bureau", "not the password").await;
    let (unknown_status, unknown_body) = login("nobody", "not the password").await;
    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_body, unknown_body);
    assert_eq!(wrong_body["message"], "登录名或密码错误");
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = TestApp::spawn_with(|c| c.token_ttl_seconds = 3600).await;
    let token = app.bureau().await;
    app.clock.advance(chrono::Duration::minutes(59));
    let (status, _) = app.get("/api/v1/auth/me", &token).await;
    assert_eq!(status, StatusCode::OK, "still valid a minute before expiry");
    app.clock.advance(chrono::Duration::minutes(2));
    let (status, body) = app.get("/api/v1/auth/me", &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "unauthenticated");
}

#[tokio::test]
async fn a_revoked_token_is_refused_and_other_tokens_still_work() {
    let app = TestApp::spawn().await;
    let first = app.bureau().await;
    let second = app.login("bureau", PASSWORD).await;
    let (status, _) = app.post("/api/v1/auth/logout", &first, json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get("/api/v1/auth/me", &first).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.get("/api/v1/auth/me", &second).await;
    assert_eq!(status, StatusCode::OK);
}

/// An integration account of a new employer, created by the bureau; returns (employer id,
/// account id).
async fn integration_account(app: &TestApp, bureau: &str, login: &str) -> (String, String) {
    let employer = app
        .organisation(bureau, "employer", "额尔古纳市某牧家乐")
        .await;
    let (status, account) = app
        .post(
            "/api/v1/accounts",
            bureau,
            json!({"login": login, "role": "employer", "organisation_id": employer, "integration": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    assert_eq!(account["integration"], true);
    (employer, account["id"].as_str().expect("id").to_owned())
}

#[tokio::test]
async fn an_integration_token_works_until_the_bureau_revokes_it() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let (_, hr_id) = integration_account(&app, &bureau, "hr-system").await;
    let (status, issued) = app
        .post(
            "/api/v1/tokens",
            &bureau,
            json!({"account_id": hr_id, "label": "HR 系统对接", "expires_in_days": 30}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    let token = issued["token"].as_str().expect("token");
    let (status, me) = app.get("/api/v1/auth/me", token).await;
    assert_eq!(
        (status, me["login"].as_str()),
        (StatusCode::OK, Some("hr-system"))
    );
    let token_id = issued["token_id"].as_str().expect("id");
    let (status, _) = app
        .post(
            &format!("/api/v1/tokens/{token_id}/revoke"),
            &bureau,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get("/api/v1/auth/me", token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_bureau_cannot_mint_a_token_to_act_as_a_person() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let employer = app
        .organisation(&bureau, "employer", "额尔古纳市某牧家乐")
        .await;
    app.account("hr-manager", Role::Employer, Some(&employer))
        .await;
    app.account("deputy", Role::BureauAdmin, None).await;
    let (_, accounts) = app.get("/api/v1/accounts", &bureau).await;
    let tokens_before = app.count("api_tokens").await;
    for login in ["hr-manager", "deputy"] {
        let person = accounts["items"]
            .as_array()
            .and_then(|a| a.iter().find(|a| a["login"] == login))
            .and_then(|a| a["id"].as_str())
            .expect("listed");
        let (status, body) = app
            .post(
                "/api/v1/tokens",
                &bureau,
                json!({"account_id": person, "label": "代为操作", "expires_in_days": 366}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{login}: {body}");
        assert_eq!(body["fields"][0]["field"], "account_id");
        assert_eq!(body["fields"][0]["reason"], "not_integration");
    }
    assert_eq!(app.count("api_tokens").await, tokens_before);
}

#[tokio::test]
async fn what_an_integration_token_does_is_audited_as_its_account_and_names_who_minted_it() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let (employer, hr_id) = integration_account(&app, &bureau, "hr-system").await;
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"login": "hr-system", "password": ""})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "an integration account never signs in"
    );
    let (_, issued) = app
        .post(
            "/api/v1/tokens",
            &bureau,
            json!({"account_id": hr_id, "label": "HR 系统对接", "expires_in_days": 366}),
        )
        .await;
    let token = issued["token"].as_str().expect("token");
    let (status, _) = app
        .patch(
            &format!("/api/v1/organisations/{employer}"),
            token,
            json!({"contact_phone": "0470-6812345"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (_, me) = app.get("/api/v1/auth/me", &bureau).await;
    let (_, log) = app
        .get(&format!("/api/v1/audit?record_id={employer}"), &bureau)
        .await;
    let update = log["items"]
        .as_array()
        .and_then(|items| items.iter().find(|e| e["action"] == "organisation.update"))
        .expect("the update is logged");
    assert_eq!(
        (
            update["actor"].as_str(),
            update["actor_id"].as_str(),
            update["minted_by"].as_str(),
            update["minted_by_id"].as_str(),
        ),
        (
            Some("hr-system"),
            Some(hr_id.as_str()),
            Some("bureau"),
            me["account_id"].as_str(),
        ),
        "{update}"
    );
    let (_, report) = app.get("/api/v1/audit/verify", &bureau).await;
    assert_eq!(
        report["intact"], true,
        "the minter is part of the chain: {report}"
    );
}

#[tokio::test]
async fn an_integration_account_has_no_password_and_is_never_the_bureaus() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let employer = app
        .organisation(&bureau, "employer", "额尔古纳市某牧家乐")
        .await;
    for (body, field, reason) in [
        (
            json!({"login": "hr-system", "role": "employer", "organisation_id": employer, "integration": true, "password": "a long enough password"}),
            "password",
            "not_allowed",
        ),
        (
            json!({"login": "bureau-bot", "role": "bureau_admin", "integration": true, "organisation_id": employer}),
            "role",
            "not_for_integration",
        ),
        (
            json!({"login": "hr-person", "role": "employer", "organisation_id": employer}),
            "password",
            "required",
        ),
    ] {
        let (status, answer) = app.post("/api/v1/accounts", &bureau, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(
            (
                answer["fields"][0]["field"].as_str(),
                answer["fields"][0]["reason"].as_str()
            ),
            (Some(field), Some(reason)),
            "{answer}"
        );
    }
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes() {
    let app = TestApp::spawn().await;
    let token = app.bureau().await;
    let (status, _) = app.get("/api/v1/auth/me", &token).await;
    assert_eq!(status, StatusCode::OK);
    let rows = app
        .db
        .read
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.backend(),
            "SELECT token_hash FROM api_tokens",
        ))
        .await
        .expect("query");
    use sea_orm::ConnectionTrait as _;
    let hashes: Vec<String> = rows
        .iter()
        .map(|r| r.try_get("", "token_hash").expect("hash"))
        .collect();
    assert!(!hashes.is_empty());
    assert!(
        hashes
            .iter()
            .all(|h| h.len() == 64 && !token.contains(h.as_str()) && h != &token)
    );
}

#[tokio::test]
async fn accounts_of_an_unapproved_or_suspended_organisation_cannot_act() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let provider = app
        .organisation(&bureau, "training_provider", "呼伦贝尔某培训中心")
        .await;
    let token = app
        .account("staff", Role::ProviderStaff, Some(&provider))
        .await;
    let (status, _) = app
        .post(
            &format!("/api/v1/organisations/{provider}/suspend"),
            &bureau,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.get("/api/v1/auth/me", &token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["message"].as_str().is_some_and(|m| m.contains("机构")));
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"login": "staff", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
