//! The bureau in the browser: approving an organisation and publishing a standard
//! version whose work-task weights are summed as they are typed.

use serde_json::json;

use super::Browser;
use crate::helpers::{PASSWORD, TestApp, credit_code};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_laptop_the_bureau_approves_an_organisation_and_publishes_a_standard() {
    let app = TestApp::spawn().await;
    let token = app.bureau().await;
    let (_, pending) = app
        .post(
            "/api/v1/organisations",
            &token,
            json!({"kind": "employer", "name": "额尔古纳市白桦林旅游有限公司", "credit_code": credit_code()}),
        )
        .await;
    let browser = Browser::laptop().await;
    browser.open(&format!("{}/sign-in", app.base)).await;
    browser.type_into("#login", "bureau").await;
    browser.type_into("#password", PASSWORD).await;
    browser.submit("form button[type=submit]").await;
    let home = browser.text().await;
    assert!(home.contains("等待审核的单位"), "{home}");
    browser.keep_screenshot("bureau-home-1280").await;

    browser.open(&format!("{}/organisations", app.base)).await;
    browser
        .submit(&format!(
            "form[action='/organisations/{}/approve'] button",
            pending["id"].as_str().expect("id")
        ))
        .await;
    assert!(
        browser
            .text()
            .await
            .contains("已批准“额尔古纳市白桦林旅游有限公司”。")
    );

    browser.open(&format!("{}/standards", app.base)).await;
    browser
        .submit("form[action='/standards/150784-MSZLR/draft'] button")
        .await;
    browser.wait_for_path("/standards/150784-MSZLR/2").await;
    // The total follows the typing before anything is sent.
    browser.type_into("#task-weight-0", "5").await;
    let total = browser
        .eval("return document.getElementById('weight-total').textContent")
        .await;
    assert!(
        total.as_str().is_some_and(|t| t.contains("须为100%")),
        "the sum is checked as it is typed: {total}"
    );
    browser.keep_screenshot("standard-draft-1280").await;
    browser.submit("#tasks-form button[type=submit]").await;
    assert!(
        browser
            .text()
            .await
            .contains("各工作任务考核比重之和须为100"),
        "and on the server"
    );
    browser
        .open(&format!("{}/standards/150784-MSZLR/2", app.base))
        .await;
    browser
        .submit("form[action='/standards/150784-MSZLR/2/publish'] button")
        .await;
    assert!(browser.text().await.contains("第2版已发布"));
    let (_, api) = app
        .call(
            reqwest::Method::GET,
            "/api/v1/standards/150784-MSZLR",
            None,
            None,
        )
        .await;
    assert_eq!(api["version"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_bureau_pages_fit_the_screen() {
    let app = TestApp::spawn().await;
    app.bureau().await;
    let browser = Browser::phone().await;
    browser.open(&format!("{}/sign-in", app.base)).await;
    browser.type_into("#login", "bureau").await;
    browser.type_into("#password", PASSWORD).await;
    browser.submit("form button[type=submit]").await;
    for (path, name) in [
        ("/", "bureau-home-390"),
        ("/organisations", "organisations-390"),
        ("/accounts", "accounts-390"),
        ("/standards", "standards-390"),
        ("/standards/150784-QMY/1", "standard-390"),
        ("/audit", "audit-390"),
    ] {
        browser.open(&format!("{}{path}", app.base)).await;
        assert!(!browser.scrolls_sideways().await, "{path} scrolls sideways");
        browser.keep_screenshot(name).await;
    }
}
