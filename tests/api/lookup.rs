//! The look-up address printed on every certificate: by number and name (the page and its
//! JSON twin), a document check told in words, and the employer's record of its checks.

use registry::access::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::{
    certificates::chain,
    helpers::{PASSWORD, TestApp, citizen_id},
    visitor::{Visitor, hidden},
};

/// A completion certificate: its id, number and verification token.
async fn issued(
    app: &TestApp,
    c: &crate::certificates::Chain,
    name: &str,
    seq: u32,
) -> (String, String, String) {
    let (id, token, _) = app.completion(c, name, &citizen_id("19930303", seq)).await;
    let (_, cert) = app
        .get(&format!("/api/v1/certificates/{id}"), &c.staff)
        .await;
    (
        id,
        cert["number"].as_str().expect("number").to_owned(),
        token,
    )
}

async fn by_number(app: &TestApp, number: &str, name: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .get(format!("{}/api/v1/verify", app.base))
        .query(&[("number", number), ("name", name)])
        .send()
        .await
        .expect("sent");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

#[tokio::test]
async fn a_number_with_the_printed_name_gets_the_verdict_and_a_number_alone_nothing() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (_, number, _) = issued(&app, &c, "萨仁", 301).await;

    let (status, found) = by_number(&app, &number, "萨仁").await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["number"], number.as_str());
    assert_eq!(found["status"], "valid");
    assert_eq!(found["holder_name"], "萨*");
    // Typed on a phone: full-width digits, lower case, spaces.
    let typed = format!(" {} ", number.to_lowercase().replace('1', "１"));
    assert_eq!(by_number(&app, &typed, "萨仁").await.0, StatusCode::OK);

    let (wrong_status, wrong) = by_number(&app, &number, "萨日").await;
    let unknown_number = number.replace("-0000", "-9999");
    let (unknown_status, unknown) = by_number(&app, &unknown_number, "萨仁").await;
    assert_eq!(
        (wrong_status, unknown_status),
        (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND)
    );
    assert_eq!(
        wrong, unknown,
        "a wrong name and an unknown number read the same"
    );

    let (status, refused) = by_number(&app, "S08151515078426900000", "萨仁").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["fields"][0]["field"], "number");
    assert!(
        refused["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("22位"),
        "{refused}"
    );
    let (status, refused) = by_number(&app, &number, "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["fields"][0]["field"], "name");
    let response = app
        .client
        .get(format!("{}/api/v1/verify", app.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Guessing names for one number runs out: five tries per client and number an hour.
    let mut statuses = Vec::new();
    for guess in ["萨一", "萨二", "萨三", "萨四"] {
        statuses.push(by_number(&app, &number, guess).await.0);
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let (status, _) = by_number(&app, &number, "萨仁").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_look_up_page_goes_on_to_the_verdict_and_says_the_same_for_every_miss() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (_, number, _) = issued(&app, &c, "萨仁", 302).await;
    let mut visitor = Visitor::new(&app);
    let form = visitor.get("/v/").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("按证书编号查询") && form.body.contains("核验电子证书文件"));
    let csrf = hidden(&form.body, "csrf");
    assert_eq!(visitor.get("/v").await.location.as_deref(), Some("/v/"));

    let forged = visitor
        .post("/v/", &[("number", &number), ("name", "萨仁")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let found = visitor
        .post(
            "/v/",
            &[("csrf", &csrf), ("number", &number), ("name", "萨仁")],
        )
        .await;
    assert_eq!(found.status, StatusCode::SEE_OTHER, "{}", found.body);
    let to = found.location.expect("a verification page");
    let verdict = visitor.get(&to).await;
    assert!(verdict.body.contains(&number) && verdict.body.contains("有效"));

    let missed = visitor
        .post(
            "/v/",
            &[("csrf", &csrf), ("number", &number), ("name", "萨日")],
        )
        .await;
    assert_eq!(missed.status, StatusCode::NOT_FOUND);
    assert!(missed.body.contains("未找到相符的证书"));
    assert!(
        missed.body.contains(&format!("value=\"{number}\"")),
        "the number typed is kept"
    );

    let malformed = visitor
        .post(
            "/v/",
            &[("csrf", &csrf), ("number", "S123"), ("name", "萨仁")],
        )
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        malformed
            .body
            .contains("id=\"number-error\">职业技能等级证书编号为22位")
    );
}

/// Posts `bytes` to the page's document form.
async fn upload(
    visitor: &mut Visitor<'_>,
    app: &TestApp,
    csrf: &str,
    bytes: Vec<u8>,
    file: &str,
) -> crate::visitor::Answer {
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(file.to_owned()),
        );
    let request = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(format!("{}/v/document", app.base))
        .multipart(form);
    visitor.send(request).await
}

/// The certificate's stored PDF.
async fn pdf_of(app: &TestApp, token: &str, id: &str) -> Vec<u8> {
    app.client
        .get(format!("{}/api/v1/certificates/{id}/pdf", app.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("sent")
        .bytes()
        .await
        .expect("bytes")
        .to_vec()
}

/// The PDF with one character of its creation date changed: still a PDF of the
/// registry's shape, its credential intact, its bytes no longer the issued ones.
pub fn altered(mut pdf: Vec<u8>) -> Vec<u8> {
    let at = pdf
        .windows(4)
        .position(|w| w == b"D:20")
        .expect("a creation date");
    pdf[at + 2] = b'1';
    pdf
}

#[tokio::test]
async fn an_uploaded_pdf_is_told_genuine_or_altered_in_words() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, number, _) = issued(&app, &c, "萨仁", 303).await;
    let pdf = pdf_of(&app, &c.staff, &id).await;
    let mut visitor = Visitor::new(&app);
    let csrf = hidden(&visitor.get("/v/").await.body, "csrf");

    let genuine = upload(&mut visitor, &app, &csrf, pdf.clone(), "c.pdf").await;
    assert_eq!(genuine.status, StatusCode::OK, "{}", genuine.body);
    assert!(
        genuine.body.contains("真实：本系统签发，内容未被修改"),
        "{}",
        genuine.body
    );
    assert!(genuine.body.contains(&number) && genuine.body.contains("当前使用的密钥"));
    assert!(
        genuine
            .body
            .contains("已校验签名：eddsa-jcs-2022 + eddsa-rdfc-2022"),
        "the page names the proofs it checked"
    );

    let edited = upload(&mut visitor, &app, &csrf, altered(pdf), "c.pdf").await;
    assert_eq!(edited.status, StatusCode::OK);
    assert!(edited.body.contains("已被修改"), "{}", edited.body);
    assert!(
        edited
            .body
            .contains("PDF 文件内容与签发时不一致（内嵌的电子凭证本身完好）")
    );

    let none = upload(&mut visitor, &app, &csrf, Vec::new(), "c.pdf").await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("id=\"file-error\">请选择"));
    let junk = upload(
        &mut visitor,
        &app,
        &csrf,
        b"%PDF-1.7 not ours".to_vec(),
        "x.pdf",
    )
    .await;
    assert_eq!(junk.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(junk.body.contains("id=\"file-error\""));
}

#[tokio::test]
async fn an_employer_keeps_a_masked_record_of_what_it_checked_and_no_one_else_does() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, number, _) = issued(&app, &c, "萨仁", 304).await;
    let (_, other_number, qr) = issued(&app, &c, "乌兰", 305).await;
    for (login, name) in [
        ("hotel", "额尔古纳市莫尔道嘎民宿"),
        ("ranch", "额尔古纳市牧场马队"),
    ] {
        let org = app.organisation(&c.bureau, "employer", name).await;
        app.account(login, Role::Employer, Some(&org)).await;
    }
    let mut hotel = Visitor::new(&app);
    hotel.sign_in("hotel", PASSWORD).await;
    let home = hotel.get("/").await;
    assert!(
        home.body.contains("证书查验") && home.body.contains("还没有查验记录"),
        "{}",
        home.body
    );
    let csrf = hidden(&home.body, "csrf");
    let found = hotel
        .post(
            "/v/",
            &[("csrf", &csrf), ("number", &number), ("name", "萨仁")],
        )
        .await;
    assert_eq!(found.status, StatusCode::SEE_OTHER);
    let pdf = pdf_of(&app, &c.staff, &id).await;
    assert_eq!(
        upload(&mut hotel, &app, &csrf, pdf, "c.pdf").await.status,
        StatusCode::OK
    );
    // A QR code opened in the signed-in browser.
    assert_eq!(hotel.get(&format!("/v/{qr}")).await.status, StatusCode::OK);

    let home = hotel.get("/").await.body;
    assert!(
        home.contains(&number) && home.contains("萨*") && !home.contains("萨仁"),
        "{home}"
    );
    assert!(
        home.contains("上传文件核验") && home.contains("共查验 2 次"),
        "{home}"
    );
    assert!(
        home.contains(&other_number) && home.contains("扫码查验"),
        "{home}"
    );

    let mut ranch = Visitor::new(&app);
    ranch.sign_in("ranch", PASSWORD).await;
    let theirs = ranch.get("/").await.body;
    assert!(!theirs.contains(&number) && theirs.contains("还没有查验记录"));

    // Staff who look a certificate up leave no record.
    let mut staff = Visitor::new(&app);
    staff.sign_in("staff", PASSWORD).await;
    let csrf = hidden(&staff.get("/v/").await.body, "csrf");
    staff
        .post(
            "/v/",
            &[("csrf", &csrf), ("number", &number), ("name", "萨仁")],
        )
        .await;
    assert_eq!(app.count("verifier_checks").await, 2);
}

#[tokio::test]
async fn after_a_name_correction_each_paper_is_found_by_the_name_it_prints() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (old_id, old_number, _) = issued(&app, &c, "娜仁花", 306).await;
    let (_, cert) = app
        .get(&format!("/api/v1/certificates/{old_id}"), &c.staff)
        .await;
    let person = cert["person_id"].as_str().expect("person").to_owned();
    let (status, done) = app
        .post(
            &format!("/api/v1/people/{person}/corrections"),
            &c.staff,
            crate::corrections::name_correction("娜仁高娃"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    let new_id = done["reissued"][0]["new_id"].as_str().expect("new id");
    let (_, new) = app
        .get(&format!("/api/v1/certificates/{new_id}"), &c.staff)
        .await;
    let new_number = new["number"].as_str().expect("number");

    let (status, old) = by_number(&app, &old_number, "娜仁花").await;
    assert_eq!(
        (status, old["status"].as_str()),
        (StatusCode::OK, Some("superseded"))
    );
    assert_eq!(
        by_number(&app, &old_number, "娜仁高娃").await.0,
        StatusCode::NOT_FOUND
    );
    let (status, new) = by_number(&app, new_number, "娜仁高娃").await;
    assert_eq!(
        (status, new["status"].as_str()),
        (StatusCode::OK, Some("valid"))
    );
    assert_eq!(
        by_number(&app, new_number, "娜仁花").await.0,
        StatusCode::NOT_FOUND
    );
}
