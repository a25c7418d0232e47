//! Sign-in throttling: a growing delay, then a lock per account and per client address,
//! answered with 429, `Retry-After` and the time to come back; kept in the database, so
//! every instance sees it; and a flood of guesses never holds up anyone else's writes.

use chrono::{Duration, Timelike};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::client_from;
use crate::helpers::{PASSWORD, TestApp};

/// One sign-in attempt: the status, `Retry-After` in seconds and the body.
async fn attempt(
    app: &TestApp,
    client: &reqwest::Client,
    login: &str,
    password: &str,
) -> (StatusCode, Option<i64>, Value) {
    let resp = client
        .post(format!("{}/api/v1/auth/token", app.base))
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .expect("sent");
    let status = resp.status();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (
        status,
        retry_after,
        resp.json().await.unwrap_or(Value::Null),
    )
}

/// Makes `times` failed attempts count, waiting out each delay on the app's clock.
async fn fail(app: &TestApp, client: &reqwest::Client, login: &str, times: usize) {
    for _ in 0..times {
        loop {
            let (status, wait, body) = attempt(app, client, login, "guess").await;
            match status {
                StatusCode::UNAUTHORIZED => break,
                StatusCode::TOO_MANY_REQUESTS => {
                    app.clock
                        .advance(Duration::seconds(wait.expect("Retry-After")));
                }
                other => panic!("{other}: {body}"),
            }
        }
    }
}

/// The `HH:MM` in `请于 HH:MM 后再试`.
fn until_in(message: &str) -> (u32, u32) {
    let rest = message
        .split("请于 ")
        .nth(1)
        .unwrap_or_else(|| panic!("no time in {message:?}"));
    let (hh, mm) = rest[..5].split_once(':').expect("HH:MM");
    assert!(rest[5..].starts_with(" 后再试"), "{message}");
    (hh.parse().expect("hour"), mm.parse().expect("minute"))
}

/// The local time (UTC+8) `seconds` from the app's now, rounded up to the minute.
fn local_minute_after(app: &TestApp, seconds: i64) -> (u32, u32) {
    let at = app.clock.now().at + Duration::seconds(seconds) + Duration::seconds(59);
    let local = at.with_timezone(&app.clock.zone());
    (local.hour(), local.minute())
}

#[tokio::test]
async fn repeated_wrong_passwords_slow_down_then_lock_the_account_until_a_stated_time() {
    let app = TestApp::spawn().await;
    app.bureau().await;
    let client = client_from(11);
    for n in 1..=5 {
        let (status, _, body) = attempt(&app, &client, "bureau", "wrong password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {n}: {body}");
    }
    // From the sixth on, each guess waits longer than the one before.
    let mut waits = Vec::new();
    for n in 6..=10 {
        let (status, wait, body) = attempt(&app, &client, "bureau", "wrong password").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "attempt {n}: {body}");
        assert_eq!(body["error"], "rate_limited");
        let wait = wait.expect("Retry-After");
        waits.push(wait);
        app.clock.advance(Duration::seconds(wait));
        let (status, _, body) = attempt(&app, &client, "bureau", "wrong password").await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "attempt {n} after waiting: {body}"
        );
    }
    assert!(waits.windows(2).all(|w| w[0] < w[1]), "growing: {waits:?}");

    // Ten failures: locked, even for the right password, and the answer says until when.
    let (status, wait, body) = attempt(&app, &client, "bureau", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let wait = wait.expect("Retry-After");
    assert!(
        (14 * 60..=15 * 60).contains(&wait),
        "a 15-minute lock: {wait}"
    );
    let message = body["message"].as_str().expect("message");
    assert!(message.contains("登录失败次数过多"), "{message}");
    // The test reads its clock after the server answered, and Retry-After is in whole
    // seconds: the stated minute may be one either side of the one computed here.
    let stated = until_in(message);
    let near: Vec<_> = [-60, 0, 60]
        .into_iter()
        .map(|shift| local_minute_after(&app, wait + shift))
        .collect();
    assert!(near.contains(&stated), "{message}: {near:?}");
    // Another address gets the same answer for this account.
    let (status, _, _) = attempt(&app, &client_from(12), "bureau", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    app.clock.advance(Duration::minutes(15));
    let (status, _, body) = attempt(&app, &client, "bureau", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "the lock is over: {body}");
}

#[tokio::test]
async fn a_successful_sign_in_clears_the_account_failures() {
    let app = TestApp::spawn().await;
    app.bureau().await;
    for _ in 0..4 {
        let (status, _, _) = attempt(&app, &client_from(21), "bureau", "wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _, _) = attempt(&app, &client_from(21), "bureau", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    // Counted afresh: five more failures (from elsewhere) and still no delay.
    for n in 1..=5 {
        let (status, _, body) = attempt(&app, &client_from(22), "bureau", "wrong").await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "failure {n} after success: {body}"
        );
    }
}

#[tokio::test]
async fn an_address_guessing_at_many_logins_is_locked_and_unknown_logins_answer_alike() {
    let app = TestApp::spawn().await;
    app.bureau().await;
    let guesser = client_from(31);
    let mut answers = Vec::new();
    for n in 0..10 {
        // Alternately a login that does not exist and a wrong password for one that does.
        let (login, password) = if n % 2 == 0 {
            (format!("nobody-{n}"), "guess")
        } else {
            ("bureau".to_owned(), "guess")
        };
        let (mut status, wait, mut body) = attempt(&app, &guesser, &login, password).await;
        if let Some(wait) = wait.filter(|_| status == StatusCode::TOO_MANY_REQUESTS) {
            app.clock.advance(Duration::seconds(wait));
            (status, _, body) = attempt(&app, &guesser, &login, password).await;
        }
        answers.push((status, body));
    }
    let (first, rest) = answers.split_first().expect("answers");
    assert!(
        rest.iter().all(|a| a == first),
        "an unknown login answers exactly as a wrong password: {answers:?}"
    );
    assert_eq!(first.0, StatusCode::UNAUTHORIZED);

    // The address is locked now, whatever login it tries.
    let (status, _, body) = attempt(&app, &guesser, "bureau", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let (status, _, _) = attempt(&app, &guesser, "nobody-else", "guess").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // An unknown login is locked by its own failures as a real one is.
    fail(&app, &client_from(32), "ghost", 10).await;
    let (status, _, ghost) = attempt(&app, &client_from(33), "ghost", "guess").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{ghost}");
    assert_eq!(ghost["error"], "rate_limited");
    // Everyone else signs in as usual.
    let (status, _, _) = attempt(&app, &client_from(34), "bureau", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_flood_of_wrong_passwords_does_not_hold_up_other_writes() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    app.account("victim", registry::access::Role::BureauAdmin, None)
        .await;
    let flooder = client_from(41);
    let mut flood = tokio::task::JoinSet::new();
    for _ in 0..60 {
        let (client, url) = (flooder.clone(), format!("{}/api/v1/auth/token", app.base));
        flood.spawn(async move {
            let body = json!({"login": "victim", "password": "guess"});
            client
                .post(url)
                .json(&body)
                .send()
                .await
                .expect("sent")
                .status()
        });
    }
    let (status, org) = app
        .post(
            "/api/v1/organisations",
            &bureau,
            json!({"kind": "employer", "name": "额尔古纳市某牧家乐", "credit_code": crate::helpers::credit_code()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "the write went through: {org}");
    let answers = flood.join_all().await;
    let checked = answers
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = answers
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        checked + refused,
        answers.len(),
        "only 401 and 429: {answers:?}"
    );
    assert!(checked <= 10, "at most ten guesses were checked: {checked}");
}

#[tokio::test]
async fn the_lock_holds_across_instances() {
    let app = TestApp::spawn().await;
    app.bureau().await;
    let second = app.second_instance().await;
    fail(&app, &client_from(51), "bureau", 10).await;
    second.clock.advance(Duration::minutes(1));
    let (status, wait, body) = attempt(&second, &client_from(52), "bureau", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(wait.is_some());
}
