//! Names and the certificate (issue 10): enrolment and import take the Chinese characters of
//! a resident ID — rare ones included — and the middle dot, and refuse anything else naming
//! the character; every name they take prints; one name that cannot print (old data) never
//! stops a cohort's issue for the others.

use reqwest::{StatusCode, multipart};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{
    certificates::{chain, passing, pdf_text},
    helpers::{TestApp, citizen_id, pluck},
};

/// The per-field (field, reason) pairs and the messages of a refusal.
fn refusal(body: &Value) -> (Vec<String>, String) {
    let messages = pluck(&body["fields"], &["message"]).join("；");
    (pluck(&body["fields"], &["field", "reason"]), messages)
}

#[tokio::test]
async fn enrolment_refuses_emoji_other_scripts_and_invisible_characters_naming_each() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let cases = [
        ("王😀", "charset", "“😀”(U+1F600)"),
        ("Иван", "charset", "“И”(U+0418)"),
        ("Li Lei", "charset", "“L”(U+004C)"),
        ("张\u{200B}三", "charset", "(U+200B)"),
        ("张三\u{202E}", "charset", "(U+202E)"),
        ("阿拉坦.巴特尔", "charset", "“·”(U+00B7)"),
        // Ext G: a Chinese character, but neither certificate font has it.
        ("王\u{30000}", "unprintable", "(U+30000)"),
    ];
    for (seq, (name, reason, shown)) in (100..).zip(cases) {
        let (status, body) = app
            .enrol(&t.staff, &t.cohort, name, &citizen_id("19900412", seq))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {body}");
        let (fields, message) = refusal(&body);
        assert_eq!(fields, [format!("name {reason}")], "{name}: {body}");
        assert!(message.contains(shown), "{name}: {message}");
    }
    assert_eq!(app.count("people").await, 0, "nobody was enrolled");
}

#[tokio::test]
async fn enrolment_takes_rare_characters_and_stores_a_look_alike_dot_as_the_middle_dot() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    for (seq, (typed, stored)) in (200..).zip([
        ("王𠮷", "王𠮷"),
        ("阿拉坦・巴特尔", "阿拉坦·巴特尔"),
        ("李䶮", "李䶮"),
        ("张\u{FA11}", "张\u{FA11}"),
    ]) {
        let (status, body) = app
            .enrol(&t.staff, &t.cohort, typed, &citizen_id("19900412", seq))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{typed}: {body}");
        assert_eq!(body["person"]["name"], stored, "{body}");
    }
}

#[tokio::test]
async fn an_import_refuses_the_row_whose_name_has_a_character_a_name_cannot_hold() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let csv = format!(
        "姓名,身份证号\n王𠮷,{}\n托娅\u{200D},{}\n",
        citizen_id("19900412", 301),
        citizen_id("19900412", 302)
    );
    let form = multipart::Form::new().part(
        "file",
        multipart::Part::bytes(csv.into_bytes()).file_name("名单.csv"),
    );
    let resp = app
        .client
        .post(format!("{}/api/v1/cohorts/{}/imports", app.base, t.cohort))
        .bearer_auth(&t.staff)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = resp.json().await.expect("JSON");
    assert_eq!(
        pluck(&body["fields"], &["row", "field", "reason"]),
        ["3 name charset"],
        "{body}"
    );
    assert!(refusal(&body).1.contains("(U+200D)"), "{body}");
    assert_eq!(app.count("people").await, 0, "nothing of the file is kept");
}

/// The PDF of the certificate `id`, as its issuer downloads it.
async fn pdf(app: &TestApp, token: &str, id: &str) -> Vec<u8> {
    let resp = app
        .client
        .get(format!("{}/api/v1/certificates/{id}/pdf", app.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::OK);
    resp.bytes().await.expect("PDF").to_vec()
}

#[tokio::test]
async fn a_cohort_of_rare_and_minority_names_issues_pdfs_that_print_every_name() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let names = ["王𠮷", "阿拉坦·巴特尔", "李䶮"];
    for (seq, name) in (400..).zip(names) {
        app.trainee(
            &c,
            &c.homestay_cohort,
            name,
            &citizen_id("19900412", seq),
            passing(),
        )
        .await;
    }
    let (status, report) = app
        .post(
            &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
            &c.staff,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let issued = pluck(&report["issued"], &["certificate_id"]);
    assert_eq!(issued.len(), names.len(), "{report}");
    let mut printed: Vec<&str> = Vec::new();
    for id in &issued {
        let text = pdf_text(&pdf(&app, &c.staff, id).await);
        printed.extend(names.iter().copied().filter(|n| text.contains(n)));
    }
    printed.sort();
    let mut expected = names.to_vec();
    expected.sort();
    assert_eq!(printed, expected, "each name is in the text of its PDF");
}

#[tokio::test]
async fn one_name_that_cannot_print_leaves_that_person_unissued_and_the_rest_issued() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    // Enrolled first, so issued first: a number it took would show as a gap.
    let (_, old_data) = app
        .trainee(
            &c,
            &c.homestay_cohort,
            "巴特尔",
            &citizen_id("19900412", 501),
            passing(),
        )
        .await;
    app.trainee(
        &c,
        &c.homestay_cohort,
        "娜仁花",
        &citizen_id("19900412", 502),
        passing(),
    )
    .await;
    // A name from before names were checked, written behind the registry's back.
    app.db
        .write
        .execute_unprepared(&format!(
            "UPDATE people SET name = '巴特尔😀' WHERE id = '{old_data}'"
        ))
        .await
        .expect("old data");

    let issue = async || {
        app.post(
            &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
            &c.staff,
            json!({}),
        )
        .await
    };
    let (status, report) = issue().await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(pluck(&report["issued"], &["name"]), ["娜*花"], "{report}");
    assert_eq!(
        pluck(&report["not_issued"], &["name"]),
        ["巴**😀"],
        "{report}"
    );
    let reason = pluck(&report["not_issued"][0]["missing"], &["reason", "message"]);
    assert_eq!(reason.len(), 1, "{report}");
    assert!(
        reason[0].starts_with("unprintable ") && reason[0].contains("“😀”(U+1F600)"),
        "{reason:?}"
    );
    let first = report["issued"][0]["number"].as_str().expect("number");
    assert!(first.ends_with("-000001"), "no number was spent: {first}");
    assert_eq!(app.count("certificates").await, 1);
    assert_eq!(app.count("certificate_files").await, 1);

    // Corrected, the person is issued the next number.
    app.db
        .write
        .execute_unprepared(&format!(
            "UPDATE people SET name = '巴特尔' WHERE id = '{old_data}'"
        ))
        .await
        .expect("corrected");
    let (status, report) = issue().await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let numbers = pluck(&report["issued"], &["name", "number", "newly_issued"]);
    assert!(
        numbers
            .iter()
            .any(|l| l.starts_with("巴*尔 ") && l.ends_with("-000002 true")),
        "{numbers:?}"
    );
    assert_eq!(report["not_issued"], json!([]), "{report}");
}
