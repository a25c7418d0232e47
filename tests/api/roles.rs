//! The role matrix: every operation the OpenAPI document marks as needing a token, called
//! by each role and anonymously. The operations come from the document, so a new secured
//! endpoint without a row here fails the test instead of going unchecked; the allowed roles
//! are read from each handler's `Allowed<Policy>` (src/http/policy.rs).

use std::collections::BTreeSet;

use registry::{access::Role, stored::Stored};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    helpers::TestApp,
    openapi::{self, Operation},
};

/// An id that names nothing.
const NONE: &str = "00000000-0000-0000-0000-000000000000";

/// How to call one secured operation, and which roles it is for.
#[derive(Debug)]
struct Row {
    method: Method,
    /// The path template as the document writes it.
    path: &'static str,
    body: Value,
    allowed: Vec<Role>,
}

fn row(method: Method, path: &'static str, body: Value, allowed: &[Role]) -> Row {
    Row {
        method,
        path,
        body,
        allowed: allowed.to_vec(),
    }
}

fn table() -> Vec<Row> {
    use Role::*;
    let readers = [ProviderStaff, BureauAdmin, Assessor];
    let staff = [
        BureauAdmin,
        ProviderStaff,
        Assessor,
        LicensingOfficer,
        Employer,
    ];
    let issuers = [ProviderStaff, Assessor, LicensingOfficer];
    let order_parties = [Employer, ProviderStaff, BureauAdmin];
    let everyone = Role::ALL;
    let none = json!(null);
    let reason = json!({"reason": "x"});
    vec![
        row(Method::GET, "/api/v1/auth/me", none.clone(), everyone),
        row(Method::POST, "/api/v1/auth/logout", json!({}), everyone),
        row(
            Method::POST,
            "/api/v1/organisations",
            json!({"kind": "employer", "name": "x", "credit_code": "bad"}),
            &[BureauAdmin],
        ),
        row(Method::GET, "/api/v1/organisations", none.clone(), &staff),
        row(
            Method::GET,
            "/api/v1/organisations/{id}",
            none.clone(),
            &staff,
        ),
        row(
            Method::PATCH,
            "/api/v1/organisations/{id}",
            json!({}),
            &staff,
        ),
        row(
            Method::POST,
            "/api/v1/organisations/{id}/approve",
            json!({}),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/organisations/{id}/name/approve",
            json!({}),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/organisations/{id}/name/reject",
            json!({}),
            &[BureauAdmin],
        ),
        row(
            Method::PUT,
            "/api/v1/organisations/{id}/seal",
            json!({}),
            &staff,
        ),
        row(
            Method::POST,
            "/api/v1/organisations/{id}/suspend",
            json!({}),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/accounts",
            json!({"login": "x", "password": "short", "role": "trainee"}),
            &[BureauAdmin],
        ),
        row(
            Method::GET,
            "/api/v1/accounts",
            none.clone(),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/tokens",
            json!({"account_id": "none", "label": "x", "expires_in_days": 1}),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/tokens/{id}/revoke",
            json!({}),
            everyone,
        ),
        row(Method::GET, "/api/v1/audit", none.clone(), &[BureauAdmin]),
        row(Method::GET, "/api/v1/tasks", none.clone(), &staff),
        row(Method::GET, "/api/v1/me/records", none.clone(), &[Trainee]),
        row(Method::GET, "/api/v1/me/email", none.clone(), everyone),
        row(Method::GET, "/api/v1/mail/outbox", none.clone(), &staff),
        row(
            Method::POST,
            "/api/v1/mail/outbox/{id}/resend",
            none.clone(),
            &staff,
        ),
        row(
            Method::POST,
            "/api/v1/mail/outbox/{id}/drop",
            none.clone(),
            &staff,
        ),
        row(
            Method::PUT,
            "/api/v1/me/email",
            json!({"email": "bad"}),
            everyone,
        ),
        row(
            Method::PUT,
            "/api/v1/people/{id}/email",
            json!({"email": "bad"}),
            &[ProviderStaff, Trainee],
        ),
        row(
            Method::POST,
            "/api/v1/certificates/{id}/shares",
            json!({}),
            &[Trainee],
        ),
        row(
            Method::GET,
            "/api/v1/certificates/{id}/shares",
            none.clone(),
            &[Trainee],
        ),
        row(
            Method::DELETE,
            "/api/v1/certificates/{id}/shares/{share}",
            none.clone(),
            &[Trainee],
        ),
        row(
            Method::GET,
            "/api/v1/audit/verify",
            none.clone(),
            &[BureauAdmin],
        ),
        row(Method::POST, "/api/v1/standards", json!({}), &[BureauAdmin]),
        row(
            Method::POST,
            "/api/v1/standards/{code}/versions",
            json!({}),
            &[BureauAdmin],
        ),
        row(
            Method::PUT,
            "/api/v1/standards/{code}/versions/{version}",
            json!({}),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/standards/{code}/versions/{version}/publish",
            json!({}),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/standards/{code}/versions/{version}/retire",
            json!({}),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/programs",
            json!({}),
            &[ProviderStaff],
        ),
        row(
            Method::GET,
            "/api/v1/programs",
            none.clone(),
            &[ProviderStaff, BureauAdmin],
        ),
        row(
            Method::GET,
            "/api/v1/programs/{id}",
            none.clone(),
            &[ProviderStaff, BureauAdmin],
        ),
        row(Method::POST, "/api/v1/cohorts", json!({}), &[ProviderStaff]),
        row(Method::GET, "/api/v1/cohorts", none.clone(), &readers),
        row(Method::GET, "/api/v1/cohorts/{id}", none.clone(), &readers),
        row(
            Method::POST,
            "/api/v1/cohorts/{id}/enrolments",
            json!({}),
            &[ProviderStaff],
        ),
        row(
            Method::GET,
            "/api/v1/cohorts/{id}/enrolments",
            none.clone(),
            &readers,
        ),
        row(
            Method::POST,
            "/api/v1/cohorts/{id}/imports",
            json!({}),
            &[ProviderStaff],
        ),
        row(
            Method::GET,
            "/api/v1/enrolments/{id}",
            none.clone(),
            &readers,
        ),
        row(
            Method::POST,
            "/api/v1/enrolments/{id}/withdraw",
            reason.clone(),
            &[ProviderStaff],
        ),
        row(
            Method::PUT,
            "/api/v1/enrolments/{id}/result",
            json!({"attended_hours": 1}),
            &[ProviderStaff, Assessor],
        ),
        row(
            Method::GET,
            "/api/v1/people/{id}",
            none.clone(),
            &[BureauAdmin, ProviderStaff, Trainee],
        ),
        row(
            Method::POST,
            "/api/v1/people/{id}/account",
            json!({"login": "abc", "password": "12345678"}),
            &[ProviderStaff],
        ),
        row(
            Method::PUT,
            "/api/v1/people/{id}/photo",
            json!({}),
            &[ProviderStaff, BureauAdmin],
        ),
        row(Method::POST, "/api/v1/assessments", json!({}), &[Assessor]),
        row(
            Method::GET,
            "/api/v1/assessments/{id}",
            none.clone(),
            everyone,
        ),
        row(Method::POST, "/api/v1/certificates", json!({}), &issuers),
        row(
            Method::POST,
            "/api/v1/cohorts/{id}/certificates",
            json!({}),
            &[ProviderStaff],
        ),
        row(
            Method::GET,
            "/api/v1/certificates/{id}",
            none.clone(),
            everyone,
        ),
        row(
            Method::GET,
            "/api/v1/certificates/{id}/pdf",
            none.clone(),
            everyone,
        ),
        row(
            Method::GET,
            "/api/v1/certificates/{id}/credential",
            none.clone(),
            everyone,
        ),
        row(
            Method::GET,
            "/api/v1/people/{id}/certificates",
            none.clone(),
            everyone,
        ),
        row(
            Method::POST,
            "/api/v1/certificates/{id}/revoke",
            reason.clone(),
            &[ProviderStaff, Assessor, LicensingOfficer, BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/certificates/{id}/suspend",
            reason.clone(),
            &[ProviderStaff, Assessor, LicensingOfficer, BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/certificates/{id}/reinstate",
            reason.clone(),
            &issuers,
        ),
        row(
            Method::POST,
            "/api/v1/certificates/{id}/supersede",
            reason,
            &issuers,
        ),
        row(
            Method::POST,
            "/api/v1/certificates/{id}/renewal",
            json!({"valid_until": "2030-01-01"}),
            &[LicensingOfficer],
        ),
        row(
            Method::POST,
            "/api/v1/people/{id}/corrections",
            json!({"field": "phone", "value": "13904701234", "reason": "x"}),
            &[ProviderStaff, BureauAdmin],
        ),
        row(
            Method::GET,
            "/api/v1/people/{id}/corrections",
            none.clone(),
            &[BureauAdmin, ProviderStaff, Trainee],
        ),
        row(Method::POST, "/api/v1/orders", json!({}), &[Employer]),
        row(Method::GET, "/api/v1/orders", none.clone(), &order_parties),
        row(
            Method::GET,
            "/api/v1/orders/{id}",
            none.clone(),
            &order_parties,
        ),
        row(Method::PATCH, "/api/v1/orders/{id}", json!({}), &[Employer]),
        row(
            Method::POST,
            "/api/v1/orders/{id}/submit",
            none.clone(),
            &[Employer],
        ),
        row(
            Method::POST,
            "/api/v1/orders/{id}/posts/confirm",
            none.clone(),
            &[Employer],
        ),
        row(
            Method::POST,
            "/api/v1/orders/{id}/offers",
            json!({}),
            &[ProviderStaff],
        ),
        row(
            Method::POST,
            "/api/v1/orders/{id}/assign",
            json!({}),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/orders/{id}/cohorts",
            json!({}),
            &[ProviderStaff],
        ),
        row(
            Method::POST,
            "/api/v1/orders/{id}/hires",
            json!({}),
            &[Employer, ProviderStaff],
        ),
        row(
            Method::POST,
            "/api/v1/orders/{id}/hires/{hire_id}/departure",
            json!({}),
            &[Employer, ProviderStaff],
        ),
        row(
            Method::POST,
            "/api/v1/orders/{id}/payments",
            json!({}),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/orders/{id}/close",
            json!({}),
            &[BureauAdmin],
        ),
        row(
            Method::GET,
            "/api/v1/orders/{id}/progress",
            none.clone(),
            &order_parties,
        ),
        row(
            Method::GET,
            "/api/v1/orders/{id}/funding",
            none.clone(),
            &order_parties,
        ),
        row(
            Method::GET,
            "/api/v1/order-funding-rules",
            none.clone(),
            &[BureauAdmin],
        ),
        row(
            Method::PUT,
            "/api/v1/order-funding-rules/{city}/{year}",
            json!({}),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/apprenticeships",
            json!({}),
            &[Employer],
        ),
        row(
            Method::GET,
            "/api/v1/apprenticeships",
            none.clone(),
            &order_parties,
        ),
        row(
            Method::GET,
            "/api/v1/apprenticeships/{id}",
            none.clone(),
            &order_parties,
        ),
        row(
            Method::PATCH,
            "/api/v1/apprenticeships/{id}",
            json!({}),
            &[Employer],
        ),
        row(
            Method::POST,
            "/api/v1/apprenticeships/{id}/submit",
            none.clone(),
            &[Employer],
        ),
        row(
            Method::POST,
            "/api/v1/apprenticeships/{id}/file",
            none.clone(),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/apprenticeships/{id}/return",
            json!({}),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/apprenticeships/{id}/apprentices",
            json!({}),
            &[Employer],
        ),
        row(
            Method::GET,
            "/api/v1/apprenticeships/{id}/apprentices",
            none.clone(),
            &order_parties,
        ),
        row(
            Method::GET,
            "/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}",
            none.clone(),
            &order_parties,
        ),
        row(
            Method::POST,
            "/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}/leave",
            json!({}),
            &[Employer],
        ),
        row(
            Method::POST,
            "/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}/pause",
            json!({}),
            &[Employer],
        ),
        row(
            Method::POST,
            "/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}/resume",
            json!({}),
            &[Employer],
        ),
        row(
            Method::POST,
            "/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}/complete",
            json!({}),
            &[Employer],
        ),
        row(
            Method::POST,
            "/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}/milestones/{milestone_id}",
            json!({}),
            &[Employer, ProviderStaff],
        ),
        row(
            Method::POST,
            "/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}/assessments",
            json!({}),
            &[Assessor],
        ),
        row(
            Method::POST,
            "/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}/certificates",
            json!({}),
            &[ProviderStaff, Assessor],
        ),
        row(
            Method::GET,
            "/api/v1/apprenticeships/ledger",
            none.clone(),
            &[Employer, BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/apprenticeships/ledger/generate",
            none.clone(),
            &[BureauAdmin],
        ),
        row(
            Method::GET,
            "/api/v1/apprenticeships/ledger/summary",
            none.clone(),
            &[Employer, BureauAdmin],
        ),
        row(
            Method::GET,
            "/api/v1/apprenticeships/periods",
            none.clone(),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/apprenticeships/periods/{code}/close",
            none.clone(),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/apprenticeships/payments",
            json!({}),
            &[BureauAdmin],
        ),
        row(
            Method::GET,
            "/api/v1/apprenticeships/rates",
            none.clone(),
            &[Employer, BureauAdmin],
        ),
        row(
            Method::PUT,
            "/api/v1/apprenticeships/rates/{city}/{year}/{level}",
            json!({}),
            &[BureauAdmin],
        ),
        row(
            Method::GET,
            "/api/v1/reports/dashboard",
            none.clone(),
            &[BureauAdmin],
        ),
        row(
            Method::GET,
            "/api/v1/reports/rows",
            none.clone(),
            &[BureauAdmin],
        ),
        row(
            Method::GET,
            "/api/v1/reports/targets",
            none.clone(),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/reports/targets",
            json!({}),
            &[BureauAdmin],
        ),
        row(
            Method::GET,
            "/api/v1/reports/periods",
            none.clone(),
            &[BureauAdmin],
        ),
        row(
            Method::GET,
            "/api/v1/reports/periods/{code}",
            none.clone(),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/reports/periods/{code}/lock",
            json!({}),
            &[BureauAdmin],
        ),
        row(
            Method::GET,
            "/api/v1/reports/flags",
            none.clone(),
            &[BureauAdmin],
        ),
        row(
            Method::POST,
            "/api/v1/reports/flags/explanations",
            json!({}),
            &[BureauAdmin],
        ),
    ]
}

/// The table's rows for the document's secured operations, in the document's order; or
/// every secured operation without a row and every row that names no secured operation.
fn matrix(operations: &[Operation]) -> Result<Vec<Row>, String> {
    let mut rows = table();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    let mut matched = Vec::new();
    for op in operations.iter().filter(|op| op.needs_login) {
        seen.insert((op.method.clone(), op.path.clone()));
        match rows
            .iter()
            .position(|r| r.method == op.method && r.path == op.path)
        {
            Some(i) => matched.push(rows.swap_remove(i)),
            None => problems.push(format!(
                "{} {} ({}) is secured but has no row in the role table",
                op.method, op.path, op.id
            )),
        }
    }
    for r in rows {
        let why = if seen.contains(&(r.method.clone(), r.path.to_owned())) {
            "a second row for the same operation"
        } else {
            "names no secured operation of the OpenAPI document"
        };
        problems.push(format!("role table row {} {}: {why}", r.method, r.path));
    }
    if problems.is_empty() {
        Ok(matched)
    } else {
        Err(problems.join("\n"))
    }
}

/// A path template with every parameter filled by a value that names nothing.
fn filled(template: &str) -> String {
    template
        .split('/')
        .map(|segment| match segment {
            "{version}" => "99",
            "{code}" => "NOPE",
            s if s.starts_with('{') => NONE,
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn the_role_table_has_a_row_for_every_secured_operation_and_no_other() {
    let app = TestApp::spawn().await;
    let doc = openapi::document(&app).await;
    let mut operations = openapi::operations(&doc);
    let rows = matrix(&operations).unwrap_or_else(|problems| panic!("{problems}"));
    assert!(rows.len() >= 45, "only {} secured operations", rows.len());

    // The check can fail: move one secured operation to a path the table does not know.
    let moved = operations
        .iter_mut()
        .find(|op| op.needs_login)
        .expect("a secured operation");
    let was = format!("{} {}", moved.method, moved.path);
    moved.path.push_str("/unlisted");
    let problems = matrix(&operations).expect_err("an operation without a row is refused");
    assert!(
        problems.contains(&format!("{was}/unlisted")) && problems.contains("has no row"),
        "{problems}"
    );
    assert!(
        problems.contains(&format!("row {was}: names no secured operation")),
        "{problems}"
    );
}

#[tokio::test]
async fn every_endpoint_refuses_the_roles_it_is_not_for_and_anonymous_callers() {
    let app = TestApp::spawn().await;
    let rows = matrix(&openapi::operations(&openapi::document(&app).await))
        .unwrap_or_else(|problems| panic!("{problems}"));
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
    for Row {
        method,
        path,
        body,
        allowed,
    } in rows
    {
        let path = filled(path);
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
