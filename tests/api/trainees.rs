//! Trainees on their own: claiming an account (right, each part wrong with the same
//! answer, already claimed, locked after misses), their records (another's certificate is
//! not found), and share links (made, opened, last opened, expired, revoked).

use chrono::{Duration, NaiveDate};
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};

use crate::{
    certificates::{Chain, chain},
    helpers::{PASSWORD, TestApp, citizen_id},
};

/// A claim's body.
fn claim_of(name: &str, id: &str, reference: &str) -> Value {
    json!({"name": name, "citizen_id": id, "reference": reference, "password": PASSWORD})
}

async fn claim(app: &TestApp, body: Value) -> (StatusCode, Option<i64>, Value) {
    let resp = app
        .client
        .post(format!("{}/api/v1/auth/claim", app.base))
        .json(&body)
        .send()
        .await
        .expect("sent");
    let status = resp.status();
    let wait = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok()?.parse().ok());
    (status, wait, resp.json().await.unwrap_or(Value::Null))
}

/// A trainee with a completion certificate: (chain, certificate id, its number, the ID).
async fn holder(app: &TestApp, name: &str, birth: &str) -> (Chain, String, String, String) {
    let c = chain(app).await;
    let id = citizen_id(birth, 135);
    let (certificate, _, _) = app.completion(&c, name, &id).await;
    let (_, view) = app
        .get(&format!("/api/v1/certificates/{certificate}"), &c.staff)
        .await;
    let number = view["number"].as_str().expect("number").to_owned();
    (c, certificate, number, id)
}

#[tokio::test]
async fn a_trainee_claims_their_account_with_a_certificate_number_and_is_signed_in() {
    let app = TestApp::spawn().await;
    let (_, certificate, number, id) = holder(&app, "娜仁花", "19920305").await;
    let mut body = claim_of("娜仁花", &id, &number);
    body["login"] = json!("narenhua");
    body["email"] = json!("naren@example.com");
    body["phone"] = json!("13812345678");
    let (status, _, claimed) = claim(&app, body).await;
    assert_eq!(status, StatusCode::CREATED, "{claimed}");
    assert_eq!(claimed["login"], "narenhua");
    assert_eq!(claimed["role"], "trainee");
    let token = claimed["token"].as_str().expect("a token");

    let (_, me) = app.get("/api/v1/auth/me", token).await;
    assert_eq!(me["role"], "trainee");
    assert_eq!(me["person_id"], claimed["person_id"]);
    let (status, records) = app.get("/api/v1/me/records", token).await;
    assert_eq!(status, StatusCode::OK, "{records}");
    assert_eq!(records["chains"][0]["certificates"][0]["id"], certificate);
    assert_eq!(records["enrolments"][0]["attended_hours"], 96);
    // The password chosen signs in too; the phone is kept sealed on the account, the
    // e-mail on the person (the holder), unconfirmed until the link mailed to it is opened.
    app.login("narenhua", PASSWORD).await;
    let phone = app
        .db
        .read
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.backend(),
            "SELECT p.email, p.email_confirmed_at IS NULL AS unconfirmed, a.phone_sealed \
             FROM accounts a JOIN people p ON p.account_id = a.id WHERE a.login = 'narenhua'",
        ))
        .await
        .expect("query")
        .expect("the account");
    assert_eq!(
        phone.try_get::<String>("", "email").expect("email"),
        "naren@example.com"
    );
    assert!(
        phone
            .try_get::<bool>("", "unconfirmed")
            .expect("unconfirmed")
    );
    let sealed: String = phone.try_get("", "phone_sealed").expect("phone");
    assert!(!sealed.contains("13812345678") && !sealed.is_empty());
}

#[tokio::test]
async fn an_enrolment_id_serves_as_well_and_a_login_is_made_up_when_none_is_chosen() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let id = citizen_id("19880707", 211);
    let (enrolment, _) = app
        .trainee(&c, &c.homestay_cohort, "巴特尔", &id, Value::Null)
        .await;
    let (status, _, claimed) = claim(&app, claim_of("巴特尔", &id, &enrolment)).await;
    assert_eq!(status, StatusCode::CREATED, "{claimed}");
    let login = claimed["login"].as_str().expect("login");
    assert!(
        login.starts_with("xy") && login.len() == 10,
        "a made-up login: {login}"
    );
    // Without a certificate, the record says why not, in the chain rule's words.
    let token = claimed["token"].as_str().expect("token");
    let (_, records) = app.get("/api/v1/me/records", token).await;
    let pending = &records["enrolments"][0]["pending"][0];
    assert_eq!(pending["kind"], "completion");
    let reasons: Vec<&str> = pending["missing"]
        .as_array()
        .expect("missing")
        .iter()
        .filter_map(|m| m["message"].as_str())
        .collect();
    assert!(reasons.contains(&"尚未登记出勤学时"), "{reasons:?}");
}

#[tokio::test]
async fn every_mismatch_is_answered_in_the_same_words() {
    let app = TestApp::spawn().await;
    let (c, _, number, id) = holder(&app, "娜仁花", "19920305").await;
    let other_id = citizen_id("19851111", 357);
    let (_, other_number, _) = {
        let (cert, _, _) = app.completion(&c, "其木格", &other_id).await;
        let (_, view) = app
            .get(&format!("/api/v1/certificates/{cert}"), &c.staff)
            .await;
        (cert, view["number"].as_str().expect("n").to_owned(), ())
    };
    let tries = [
        claim_of("娜仁", &id, &number),
        claim_of("娜仁花", &citizen_id("19920306", 135), &number),
        claim_of("娜仁花", &id, "JY-NOT-A-NUMBER"),
        claim_of("娜仁花", &id, &other_number),
    ];
    let mut answers = Vec::new();
    for body in tries {
        let (status, _, answer) = claim(&app, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        answers.push(answer);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    assert_eq!(answers[0]["fields"][0]["field"], "claim");
    assert_eq!(answers[0]["fields"][0]["reason"], "no_match");
    // A malformed field is a field error, and costs no attempt.
    let (status, _, answer) = claim(&app, claim_of("娜仁花", "12345", &number)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["fields"][0]["field"], "citizen_id");
    let (status, _, answer) = claim(&app, claim_of("娜仁花", &id, &number)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

#[tokio::test]
async fn a_claimed_account_is_refused_with_a_pointer_to_sign_in() {
    let app = TestApp::spawn().await;
    let (_, _, number, id) = holder(&app, "娜仁花", "19920305").await;
    let (status, _, _) = claim(&app, claim_of("娜仁花", &id, &number)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, answer) = claim(&app, claim_of("娜仁花", &id, &number)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["error"], "already_claimed");
    let message = answer["message"].as_str().expect("message");
    assert!(
        message.contains("直接登录") && message.contains("培训机构"),
        "{message}"
    );
}

#[tokio::test]
async fn repeated_misses_lock_the_claim_for_that_id_and_say_until_when() {
    let app = TestApp::spawn().await;
    let (_, _, number, id) = holder(&app, "娜仁花", "19920305").await;
    let mut misses = 0;
    while misses < 10 {
        let (status, wait, body) = claim(&app, claim_of("娜仁花", &id, "JY-WRONG")).await;
        match status {
            StatusCode::UNPROCESSABLE_ENTITY => misses += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                app.clock
                    .advance(Duration::seconds(wait.expect("Retry-After")));
            }
            other => panic!("{other}: {body}"),
        }
    }
    // Locked: even the right claim waits, and the answer says until when.
    let (status, wait, body) = claim(&app, claim_of("娜仁花", &id, &number)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let wait = wait.expect("Retry-After");
    assert!((14 * 60..=15 * 60).contains(&wait), "{wait}");
    let message = body["message"].as_str().expect("message");
    assert!(
        message.starts_with("认领失败次数过多，请于 ") && message.ends_with(" 后再试"),
        "{message}"
    );
    app.clock.advance(Duration::minutes(16));
    let (status, _, body) = claim(&app, claim_of("娜仁花", &id, &number)).await;
    assert_eq!(status, StatusCode::CREATED, "the lock is over: {body}");
}

#[tokio::test]
async fn a_trainee_account_needs_a_person_and_the_provider_can_still_make_one() {
    let app = TestApp::spawn().await;
    let (c, _, _, _) = holder(&app, "娜仁花", "19920305").await;
    let (status, body) = app
        .post(
            "/api/v1/accounts",
            &c.bureau,
            json!({"login": "loner", "password": PASSWORD, "role": "trainee"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["reason"], "person_required");
}

/// Claims the holder's account and returns its token.
async fn claimed(app: &TestApp, name: &str, id: &str, number: &str) -> String {
    let mut body = claim_of(name, id, number);
    body["login"] = json!("holder");
    let (status, _, body) = claim(app, body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["token"].as_str().expect("token").to_owned()
}

async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let resp = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("sent");
    (resp.status(), resp.text().await.expect("body"))
}

#[tokio::test]
async fn a_share_link_shows_the_certificate_until_it_expires_and_records_when_it_was_opened() {
    let app = TestApp::spawn().await;
    let (_, certificate, number, id) = holder(&app, "娜仁花", "19920305").await;
    let token = claimed(&app, "娜仁花", &id, &number).await;
    let shares = format!("/api/v1/certificates/{certificate}/shares");
    let (status, made) = app.post(&shares, &token, json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let today = app.clock.now().today;
    let until = today + Duration::days(28);
    assert_eq!(made["expires_on"], until.to_string());
    let url = made["url"].as_str().expect("url");
    let path = url.strip_prefix(&app.base).expect("on this registry");
    let (_, listed) = app.get(&shares, &token).await;
    assert_eq!(listed[0]["last_opened_at"], Value::Null);
    assert!(listed[0].get("token").is_none(), "the token is not kept");

    let (status, html) = page(&app, path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!(
        "此链接可查看至 {until}（链接的有效期不是证书的有效期）"
    )));
    assert!(html.contains(&number) && html.contains("娜*花") && !html.contains("娜仁花"));
    assert!(html.contains("og:image") && html.contains("/static/share-card.png"));
    let (_, listed) = app.get(&shares, &token).await;
    let first = listed[0]["last_opened_at"].clone();
    assert!(first.is_string(), "{listed}");
    // Within the minute another opening writes nothing; after it, it is recorded again.
    app.clock.advance(Duration::seconds(20));
    page(&app, path).await;
    let (_, listed) = app.get(&shares, &token).await;
    assert_eq!(listed[0]["last_opened_at"], first);
    app.clock.advance(Duration::minutes(2));
    page(&app, path).await;
    let (_, listed) = app.get(&shares, &token).await;
    assert_ne!(listed[0]["last_opened_at"], first);

    // The last day still opens; the day after, the link is gone (and says so).
    let days_left = (until - app.clock.now().today).num_days();
    app.clock.advance(Duration::days(days_left));
    assert_eq!(page(&app, path).await.0, StatusCode::OK);
    app.clock.advance(Duration::days(1));
    let (status, html) = page(&app, path).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(html.contains(&format!("已于 {until} 过期")), "{html}");
    assert!(!html.contains(&number), "no certificate once expired");
    // (The session from the claim has expired meanwhile: sign in again.)
    let token = app.login("holder", PASSWORD).await;
    let (_, listed) = app.get(&shares, &token).await;
    assert_eq!(listed[0]["state"], "expired");
}

#[tokio::test]
async fn a_revoked_share_link_is_gone_and_expiries_are_bounded() {
    let app = TestApp::spawn().await;
    let (_, certificate, number, id) = holder(&app, "娜仁花", "19920305").await;
    let token = claimed(&app, "娜仁花", &id, &number).await;
    let shares = format!("/api/v1/certificates/{certificate}/shares");
    let today = app.clock.now().today;
    let on = |d: NaiveDate| json!({"expires_on": d.to_string()});
    for (body, field) in [
        (json!({"days": 0}), "days"),
        (json!({"days": 366}), "days"),
        (on(today), "expires_on"),
        (on(today + Duration::days(366)), "expires_on"),
    ] {
        let (status, answer) = app.post(&shares, &token, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["fields"][0]["field"], field);
    }
    let (_, week) = app.post(&shares, &token, json!({"days": 7})).await;
    let (status, year) = app
        .post(&shares, &token, on(today + Duration::days(365)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{year}");
    let (_, listed) = app.get(&shares, &token).await;
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(2),
        "several per certificate"
    );

    let share = week["id"].as_str().expect("id");
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("{shares}/{share}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let path = week["url"].as_str().expect("url").replace(&app.base, "");
    let (status, html) = page(&app, &path).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(html.contains("已被证书持有人撤销") && !html.contains(&number));
    let other = year["url"].as_str().expect("url").replace(&app.base, "");
    assert_eq!(
        page(&app, &other).await.0,
        StatusCode::OK,
        "the other lives"
    );
    assert_eq!(
        page(&app, "/s/not-a-share-token").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_trainee_sees_only_their_own_certificates() {
    let app = TestApp::spawn().await;
    let (c, mine, number, id) = holder(&app, "娜仁花", "19920305").await;
    let other_id = citizen_id("19851111", 357);
    let (theirs, _, _) = app.completion(&c, "其木格", &other_id).await;
    let token = claimed(&app, "娜仁花", &id, &number).await;
    for path in [
        format!("/api/v1/certificates/{theirs}"),
        format!("/api/v1/certificates/{theirs}/pdf"),
        format!("/api/v1/certificates/{theirs}/credential"),
        format!("/api/v1/certificates/{theirs}/shares"),
    ] {
        let (status, _) = app.get(&path, &token).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _) = app
        .post(
            &format!("/api/v1/certificates/{theirs}/shares"),
            &token,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get(&format!("/api/v1/certificates/{mine}/pdf"), &token)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, records) = app.get("/api/v1/me/records", &token).await;
    let ids: Vec<&Value> = records["chains"]
        .as_array()
        .expect("chains")
        .iter()
        .flat_map(|c| c["certificates"].as_array().expect("list"))
        .map(|c| &c["id"])
        .collect();
    assert_eq!(ids, [&json!(mine)]);
    // Staff cannot make share links for a holder.
    let (status, _) = app
        .post(
            &format!("/api/v1/certificates/{mine}/shares"),
            &c.staff,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_claim_page_refuses_in_one_sentence_keeps_what_was_typed_and_signs_in() {
    use crate::visitor::{Visitor, hidden};
    let app = TestApp::spawn().await;
    let (_, certificate, number, id) = holder(&app, "娜仁花", "19920305").await;
    let mut visitor = Visitor::new(&app);
    let form = visitor.get("/claim").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = hidden(&form.body, "csrf");
    let form_of = |name: &str, reference: &str| -> Vec<(&'static str, String)> {
        vec![
            ("csrf", csrf.clone()),
            ("name", name.to_owned()),
            ("citizen_id", id.clone()),
            ("reference", reference.to_owned()),
            ("login", "narenhua".to_owned()),
            ("password", PASSWORD.to_owned()),
            ("repeat", PASSWORD.to_owned()),
        ]
    };
    let wrong = form_of("娜仁", "JY-NOPE");
    let wrong: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = visitor.post("/claim", &wrong).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("未能对应到同一位学员"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"JY-NOPE\""),
        "the number is kept"
    );
    assert!(
        !refused.body.contains(&id),
        "the ID number is never shown back"
    );

    // Without the form's token the post never reaches the claim.
    let forged: Vec<(&str, &str)> = wrong
        .iter()
        .copied()
        .filter(|(k, _)| *k != "csrf")
        .collect();
    assert_eq!(
        visitor.post("/claim", &forged).await.status,
        StatusCode::FORBIDDEN
    );

    let right = form_of("娜仁花", &number);
    let right: Vec<(&str, &str)> = right.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = visitor.post("/claim", &right).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/me"));
    let me = visitor.get("/me").await;
    assert!(me.body.contains("narenhua") && me.body.contains(&number));
    let page = visitor
        .get(&format!("/me/certificates/{certificate}"))
        .await;
    assert!(page.body.contains("<svg") && page.body.contains("生成分享链接"));
    // Home is "我的证书" for a trainee.
    assert_eq!(visitor.get("/").await.location.as_deref(), Some("/me"));
}

/// Runs `registry user add` with `args`, the password on stdin, against the app's database.
fn user_add(app: &TestApp, args: &[&str]) -> std::process::Output {
    use std::io::Write as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_registry"))
        .args(["user", "add"])
        .args(args)
        .env("REGISTRY_DATA_DIR", &app.data_dir)
        .env("DATABASE_URL", &app.database_url)
        .env("REGISTRY_LOG", "error")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("registry user add runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .expect("password written");
    child.wait_with_output().expect("finished")
}

#[tokio::test]
async fn registry_user_add_makes_a_trainee_account_only_for_a_person() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (_, person) = app
        .trainee(
            &c,
            &c.homestay_cohort,
            "巴特尔",
            &citizen_id("19880707", 211),
            Value::Null,
        )
        .await;
    let refused = user_add(&app, &["--login", "loner", "--role", "trainee"]);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("--person"), "{said}");
    let made = user_add(
        &app,
        &[
            "--login", "bateer", "--role", "trainee", "--person", &person,
        ],
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let token = app.login("bateer", PASSWORD).await;
    let (_, me) = app.get("/api/v1/auth/me", &token).await;
    assert_eq!(me["person_id"], person);
    // A person has one account: a second is refused.
    let again = user_add(
        &app,
        &[
            "--login", "bateer2", "--role", "trainee", "--person", &person,
        ],
    );
    assert!(!again.status.success());
}

#[tokio::test]
async fn my_pages_run_as_many_statements_for_a_long_record_as_for_a_short_one() {
    use crate::{certificates::passing, visitor::Visitor};
    let app = TestApp::spawn_with(|c| c.statement_count_header = true).await;
    let c = chain(&app).await;
    // One enrolment and one certificate ...
    let short_id = citizen_id("19920305", 135);
    let (short_cert, _, _) = app.completion(&c, "娜仁花", &short_id).await;
    // ... against two enrolments, two certificates and two share links.
    let long_id = citizen_id("19851111", 357);
    let (long_cert, _, _) = app.completion(&c, "其木格", &long_id).await;
    let (enrolment, _) = {
        let (_, view) = app
            .get(&format!("/api/v1/certificates/{long_cert}"), &c.staff)
            .await;
        (
            view["enrolment_id"].as_str().expect("enrolment").to_owned(),
            (),
        )
    };
    let assessment = app.assess(&c, &enrolment, None, 80, 80).await;
    let (status, body) = app
        .post(
            "/api/v1/certificates",
            &c.assessor,
            json!({"kind": "specialty", "enrolment_id": enrolment, "assessment_id": assessment}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.trainee(&c, &c.pastry_cohort, "其木格", &long_id, passing())
        .await;
    let number_of = async |id: &str| {
        let (_, view) = app
            .get(&format!("/api/v1/certificates/{id}"), &c.staff)
            .await;
        view["number"].as_str().expect("number").to_owned()
    };
    let mut counts = Vec::new();
    for (name, id, cert, login, shares) in [
        ("娜仁花", &short_id, &short_cert, "short", 0),
        ("其木格", &long_id, &long_cert, "long", 2),
    ] {
        let mut body = claim_of(name, id, &number_of(cert).await);
        body["login"] = json!(login);
        let (status, _, claimed) = claim(&app, body).await;
        assert_eq!(status, StatusCode::CREATED, "{claimed}");
        let token = claimed["token"].as_str().expect("token");
        for _ in 0..shares {
            let path = format!("/api/v1/certificates/{cert}/shares");
            assert_eq!(
                app.post(&path, token, json!({})).await.0,
                StatusCode::CREATED
            );
        }
        let mut visitor = Visitor::new(&app);
        visitor.sign_in(login, PASSWORD).await;
        let mut counted = Vec::new();
        for path in ["/me".to_owned(), format!("/me/certificates/{cert}")] {
            let page = visitor.get(&path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            counted.push(page.statements.expect("the statement count"));
        }
        counts.push(counted);
    }
    assert_eq!(counts[0], counts[1], "short, long: {counts:?}");
}
