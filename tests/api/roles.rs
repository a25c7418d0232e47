use registry::{access::Role, stored::Stored};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Every endpoint that needs a login, with the roles allowed to use it.
const NONE: &str = "00000000-0000-0000-0000-000000000000";

fn endpoints() -> Vec<(Method, String, Value, Vec<Role>)> {
    use Role::*;
    let readers = vec![ProviderStaff, BureauAdmin, Assessor];
    let staff = vec![
        BureauAdmin,
        ProviderStaff,
        Assessor,
        LicensingOfficer,
        Employer,
    ];
    let everyone = Role::ALL.to_vec();
    vec![
        (
            Method::GET,
            "/api/v1/auth/me".into(),
            json!(null),
            everyone.clone(),
        ),
        (
            Method::POST,
            "/api/v1/organisations".into(),
            json!({"kind": "employer", "name": "x", "credit_code": "bad"}),
            vec![BureauAdmin],
        ),
        (
            Method::GET,
            "/api/v1/organisations".into(),
            json!(null),
            staff.clone(),
        ),
        (
            Method::GET,
            "/api/v1/organisations/00000000-0000-0000-0000-000000000000".into(),
            json!(null),
            staff.clone(),
        ),
        (
            Method::PATCH,
            "/api/v1/organisations/00000000-0000-0000-0000-000000000000".into(),
            json!({}),
            staff.clone(),
        ),
        (
            Method::POST,
            "/api/v1/organisations/00000000-0000-0000-0000-000000000000/approve".into(),
            json!({}),
            vec![BureauAdmin],
        ),
        (
            Method::POST,
            "/api/v1/organisations/00000000-0000-0000-0000-000000000000/suspend".into(),
            json!({}),
            vec![BureauAdmin],
        ),
        (
            Method::POST,
            "/api/v1/accounts".into(),
            json!({"login": "x", "password": "short", "role": "trainee"}),
            vec![BureauAdmin],
        ),
        (
            Method::GET,
            "/api/v1/accounts".into(),
            json!(null),
            vec![BureauAdmin],
        ),
        (
            Method::POST,
            "/api/v1/tokens".into(),
            json!({"account_id": "none", "label": "x", "expires_in_days": 1}),
            vec![BureauAdmin],
        ),
        (
            Method::POST,
            "/api/v1/tokens/00000000-0000-0000-0000-000000000000/revoke".into(),
            json!({}),
            everyone.clone(),
        ),
        (
            Method::GET,
            "/api/v1/audit".into(),
            json!(null),
            vec![BureauAdmin],
        ),
        (
            Method::GET,
            "/api/v1/audit/verify".into(),
            json!(null),
            vec![BureauAdmin],
        ),
        (
            Method::POST,
            "/api/v1/standards".into(),
            json!({}),
            vec![BureauAdmin],
        ),
        (
            Method::POST,
            "/api/v1/standards/NOPE/versions".into(),
            json!({}),
            vec![BureauAdmin],
        ),
        (
            Method::PUT,
            "/api/v1/standards/NOPE/versions/99".into(),
            json!({}),
            vec![BureauAdmin],
        ),
        (
            Method::POST,
            "/api/v1/standards/NOPE/versions/99/publish".into(),
            json!({}),
            vec![BureauAdmin],
        ),
        (
            Method::POST,
            "/api/v1/standards/NOPE/versions/99/retire".into(),
            json!({}),
            vec![BureauAdmin],
        ),
        (
            Method::POST,
            "/api/v1/programs".into(),
            json!({}),
            vec![ProviderStaff],
        ),
        (
            Method::GET,
            "/api/v1/programs".into(),
            json!(null),
            vec![ProviderStaff, BureauAdmin],
        ),
        (
            Method::GET,
            format!("/api/v1/programs/{NONE}"),
            json!(null),
            vec![ProviderStaff, BureauAdmin],
        ),
        (
            Method::POST,
            "/api/v1/cohorts".into(),
            json!({}),
            vec![ProviderStaff],
        ),
        (
            Method::GET,
            "/api/v1/cohorts".into(),
            json!(null),
            readers.clone(),
        ),
        (
            Method::GET,
            format!("/api/v1/cohorts/{NONE}"),
            json!(null),
            readers.clone(),
        ),
        (
            Method::POST,
            format!("/api/v1/cohorts/{NONE}/enrolments"),
            json!({}),
            vec![ProviderStaff],
        ),
        (
            Method::GET,
            format!("/api/v1/cohorts/{NONE}/enrolments"),
            json!(null),
            readers.clone(),
        ),
        (
            Method::POST,
            format!("/api/v1/cohorts/{NONE}/imports"),
            json!({}),
            vec![ProviderStaff],
        ),
        (
            Method::GET,
            format!("/api/v1/enrolments/{NONE}"),
            json!(null),
            readers.clone(),
        ),
        (
            Method::POST,
            format!("/api/v1/enrolments/{NONE}/withdraw"),
            json!({"reason": "x"}),
            vec![ProviderStaff],
        ),
        (
            Method::PUT,
            format!("/api/v1/enrolments/{NONE}/result"),
            json!({"attended_hours": 1}),
            vec![ProviderStaff, Assessor],
        ),
        (
            Method::GET,
            format!("/api/v1/people/{NONE}"),
            json!(null),
            vec![BureauAdmin, ProviderStaff, Trainee],
        ),
        (
            Method::POST,
            format!("/api/v1/people/{NONE}/account"),
            json!({"login": "abc", "password": "12345678"}),
            vec![ProviderStaff],
        ),
        (
            Method::POST,
            "/api/v1/auth/logout".into(),
            json!({}),
            everyone,
        ),
    ]
}

#[tokio::test]
async fn every_endpoint_refuses_the_roles_it_is_not_for_and_anonymous_callers() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let provider = app
        .organisation(&bureau, "training_provider", "培训机构")
        .await;
    let evaluator = app
        .organisation(&bureau, "evaluation_org", "评价机构")
        .await;
    let licensing = app
        .organisation(&bureau, "licensing_authority", "市场监督管理局")
        .await;
    let employer = app.organisation(&bureau, "employer", "用人单位").await;
    let mut tokens = vec![(Role::BureauAdmin, bureau.clone())];
    for (role, org) in [
        (Role::ProviderStaff, Some(&provider)),
        (Role::Assessor, Some(&evaluator)),
        (Role::LicensingOfficer, Some(&licensing)),
        (Role::Employer, Some(&employer)),
        (Role::Trainee, None),
    ] {
        tokens.push((
            role,
            app.account(role.as_str(), role, org.map(String::as_str))
                .await,
        ));
    }
    for (method, path, body, allowed) in endpoints() {
        let body = (!body.is_null()).then_some(body);
        let (status, answer) = app.call(method.clone(), &path, None, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "anonymous {method} {path}: {answer}"
        );
        for (role, token) in &tokens {
            // logout revokes the token it carries; use a fresh one for it.
            let token = if path.ends_with("/logout") {
                app.login(&login_of(*role), crate::helpers::PASSWORD).await
            } else {
                token.clone()
            };
            let (status, answer) = app
                .call(method.clone(), &path, Some(&token), body.clone())
                .await;
            if allowed.contains(role) {
                assert!(
                    status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                    "{role:?} should reach {method} {path}, got {status}: {answer}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{role:?} on {method} {path}: {answer}"
                );
                assert_eq!(answer["error"], "forbidden");
            }
        }
    }
}

/// The login the test gave each role's account.
fn login_of(role: Role) -> String {
    match role {
        Role::BureauAdmin => "bureau".into(),
        other => other.as_str().into(),
    }
}
