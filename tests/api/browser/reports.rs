//! The bureau's reports in a browser, over the demo data set: the dashboard on a phone and
//! on a laptop (the charts scale, nothing scrolls sideways), and a statistical month
//! approved and locked through its page.

use serde_json::Value;

use super::Browser;
use crate::{demo::run_demo, helpers::TestApp};

/// Signs in through the form with a demo account's own password.
async fn sign_in(browser: &Browser, app: &TestApp, login: &str, password: &str) {
    browser.open(&format!("{}/sign-in", app.base)).await;
    browser.type_into("#login", login).await;
    browser.type_into("#password", password).await;
    browser.submit("form button[type=submit]").await;
    browser.wait_for_path("/").await;
}

// One thread: the server stands still while `registry demo` writes to the same SQLite file
// (in WAL mode a writer that read first gives way to a write it did not see).
#[tokio::test]
async fn the_bureau_reads_the_dashboard_and_locks_a_month_over_the_demo() {
    let app = TestApp::spawn().await;
    let out = app.data_dir.join("demo-out.json");
    run_demo(&app, &out);
    let demo: Value = serde_json::from_slice(&std::fs::read(&out).expect("out")).expect("json");
    let bureau = demo["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["role"] == "bureau_admin")
        .expect("a bureau account");
    let (login, password) = (
        bureau["login"].as_str().expect("login"),
        bureau["password"].as_str().expect("password"),
    );
    let year = registry::reports::year_of(app.clock.now().today);
    for (browser, width) in [
        (Browser::phone().await, 390),
        (Browser::laptop().await, 1280),
    ] {
        sign_in(&browser, &app, login, password).await;
        browser
            .open(&format!("{}/reports?year={year}", app.base))
            .await;
        let text = browser.text().await;
        assert!(text.contains("重点群体培训人次"), "{text}");
        browser.fits(&format!("reports-demo-{width}")).await;
        // The rows behind the first figure that has any, and the red-flag panel.
        let rows = browser
            .eval(r#"return document.querySelector('a[href^="/reports/rows?"]').getAttribute('href');"#)
            .await;
        let rows = rows.as_str().expect("a drill-down link on the dashboard");
        browser.open(&format!("{}{rows}", app.base)).await;
        browser.fits(&format!("report-rows-{width}")).await;
        browser
            .open(&format!("{}/reports/flags?year={year}", app.base))
            .await;
        let text = browser.text().await;
        assert!(text.contains("数据质量核查"), "{text}");
        browser.fits(&format!("report-flags-{width}")).await;
        browser
            .open(&format!("{}/reports/periods?year={year}", app.base))
            .await;
        browser.fits(&format!("report-periods-{width}")).await;
        browser
            .driver
            .delete_all_cookies()
            .await
            .expect("signed out");
    }
    // On a phone: open a month from the list and lock it with a note.
    let browser = Browser::phone().await;
    sign_in(&browser, &app, login, password).await;
    browser
        .open(&format!("{}/reports/periods?year={year}", app.base))
        .await;
    browser
        .click(&format!("a[href='/reports/periods/{year}-06']"))
        .await;
    browser
        .wait_for_path(&format!("/reports/periods/{year}-06"))
        .await;
    browser.type_into("#note", "已与各机构花名册核对").await;
    browser.submit("#lock form button[type=submit]").await;
    let locked = browser
        .wait_for("return document.body.innerText.includes('已审核锁定') || null")
        .await;
    assert!(!locked.is_null(), "{}", browser.text().await);
    let text = browser.text().await;
    assert!(text.contains("已与各机构花名册核对"), "{text}");
    assert!(!text.contains("审核并锁定"), "{text}");
    browser.fits("report-period-locked-390").await;
}
