//! Certificates in the browser: an assessor records a cohort's sheet and issues the
//! specialty certificates it earns; an assessor revokes a specialty certificate on its page
//! with a reason; the licensing officer, who issued the licence from the list of
//! qualifying holders, finds the licence resting on it suspended on the
//! task list, opens it and revokes it with a reason. Every page fits a phone.

use super::Browser;
use crate::{
    certificate_pages::specialised,
    certificates::chain,
    corrections::{id_of, show},
    helpers::{TestApp, citizen_id},
};

impl Browser {
    async fn sign_out(&self) {
        self.submit("nav.staff form[action='/sign-out'] button")
            .await;
    }
}

async fn revoke_and_follow(browser: Browser, width: &str) {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let enrolment = specialised(&app, &c, "娜仁花", 222).await;

    // The licensing officer finds the qualifying holder and issues the licence.
    browser.sign_in_as(&app, "officer").await;
    browser.open(&format!("{}/licences", app.base)).await;
    browser.fits("the qualifying holders").await;
    browser.keep_screenshot(&format!("licences-{width}")).await;
    browser
        .click(&format!("input[name='enrolment'][value='{enrolment}']"))
        .await;
    browser
        .eval("document.querySelector('#valid_until').value = '2029-12-31'; return null")
        .await;
    browser
        .submit("form[action='/licences'] button[type=submit]")
        .await;
    let text = browser.text().await;
    assert!(
        text.contains("发证结果") && text.contains("150784-ZR-"),
        "{text}"
    );
    browser.fits("the licences issued").await;
    browser.sign_out().await;
    let (_, bundle) = app
        .get(&format!("/api/v1/enrolments/{enrolment}"), &c.staff)
        .await;
    let person = bundle["person"]["id"].as_str().expect("person").to_owned();
    let (_, certs) = app
        .get(&format!("/api/v1/people/{person}/certificates"), &c.staff)
        .await;
    let of_kind = |kind: &str| {
        certs
            .as_array()
            .and_then(|l| l.iter().find(|x| x["kind"] == kind))
            .cloned()
            .expect("certificate")
    };
    let (specialty, licence) = (of_kind("specialty"), of_kind("licence"));

    browser.sign_in_as(&app, "assessor").await;
    browser
        .open(&format!("{}/certificates/{}", app.base, id_of(&specialty)))
        .await;
    browser.fits("the certificate page").await;
    browser
        .keep_screenshot(&format!("certificate-{width}"))
        .await;
    // Without a reason the revocation is refused under its field.
    browser.submit("#revoke button[type=submit]").await;
    let error = browser
        .wait_for(
            "const e = document.querySelector('#revoke-reason-error'); return e && e.innerText",
        )
        .await;
    assert_eq!(error, "请填写原因（1–200字）");
    browser.fits("the refused form").await;
    browser
        .type_into("#revoke-reason", "考核舞弊，成绩作废")
        .await;
    browser.submit("#revoke button[type=submit]").await;
    let text = browser.text().await;
    assert!(
        text.contains("已撤销") && text.contains("考核舞弊，成绩作废"),
        "{text}"
    );
    browser.sign_out().await;

    browser.sign_in_as(&app, "officer").await;
    let home = browser.text().await;
    assert!(home.contains("依据证书失效的证书"), "{home}");
    browser.fits("the task list").await;
    browser
        .keep_screenshot(&format!("tasks-fallen-{width}"))
        .await;
    browser
        .click(&format!("a[href='/certificates/{}']", id_of(&licence)))
        .await;
    browser
        .wait_for_path(&format!("/certificates/{}", id_of(&licence)))
        .await;
    let page = browser.text().await;
    assert!(
        page.contains("已暂停") && page.contains("因所依据的证书失效而暂停"),
        "{page}"
    );
    browser.fits("the suspended licence").await;
    browser
        .keep_screenshot(&format!("licence-suspended-{width}"))
        .await;
    browser
        .type_into("#revoke-reason", "依据证书已撤销，核实后撤销")
        .await;
    browser.submit("#revoke button[type=submit]").await;
    assert!(browser.text().await.contains("已撤销"));
    assert_eq!(
        show(&app, &c.officer, id_of(&licence)).await["status"],
        "revoked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_an_assessor_revokes_and_the_licensing_officer_revokes_the_licence_that_fell() {
    revoke_and_follow(Browser::phone().await, "390").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_laptop_the_same_revocation_reaches_the_licence() {
    revoke_and_follow(Browser::laptop().await, "1280").await;
}

async fn record_and_issue(browser: Browser, width: &str) {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (enrolment, _) = app
        .trainee(
            &c,
            &c.homestay_cohort,
            "娜仁花",
            &citizen_id("19900412", 222),
            crate::certificates::passing(),
        )
        .await;
    app.post(
        &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
        &c.staff,
        serde_json::json!({}),
    )
    .await;

    browser.sign_in_as(&app, "assessor").await;
    browser.open(&format!("{}/assessments", app.base)).await;
    browser.fits("the assessor's cohorts").await;
    browser
        .click(&format!("a[href='/assessments/{}']", c.homestay_cohort))
        .await;
    browser
        .wait_for_path(&format!("/assessments/{}", c.homestay_cohort))
        .await;
    browser
        .eval("document.querySelector('#assessed_on').value = '2026-06-25'; return null")
        .await;
    browser
        .type_into("#examiners", "王建国、其木格、李红梅")
        .await;
    browser
        .type_into(&format!("input[name='theory-{enrolment}']"), "78")
        .await;
    browser
        .type_into(&format!("input[name='practical-{enrolment}']"), "84")
        .await;
    browser.fits("the filled sheet").await;
    browser.keep_screenshot(&format!("sheet-{width}")).await;
    browser
        .submit("form[action^='/assessments/'] button[type=submit]")
        .await;
    let text = browser.text().await;
    assert!(
        text.contains("已登记 1 名学员") && text.contains("合格"),
        "{text}"
    );
    browser.submit("#issue").await;
    let text = browser.text().await;
    assert!(
        text.contains("发证结果") && text.contains("150784-ZX-"),
        "{text}"
    );
    browser.fits("the report").await;
    browser
        .keep_screenshot(&format!("sheet-report-{width}"))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_an_assessor_records_the_cohorts_sheet_and_issues_specialty_certificates() {
    record_and_issue(Browser::phone().await, "390").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_laptop_an_assessor_records_the_cohorts_sheet_and_issues_specialty_certificates() {
    record_and_issue(Browser::laptop().await, "1280").await;
}
