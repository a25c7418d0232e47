//! Staff in the browser: signing in on a phone and a laptop, the task list as home,
//! signing out, and the lock after repeated wrong passwords.

use chrono::Duration;
use registry::access::Role;

use super::Browser;
use crate::{
    certificates::chain,
    helpers::{PASSWORD, TestApp, citizen_id},
};

impl Browser {
    /// Saves a screenshot under `$REGISTRY_SCREENSHOTS` when that is set (to look at).
    pub async fn keep_screenshot(&self, name: &str) {
        let Ok(dir) = std::env::var("REGISTRY_SCREENSHOTS") else {
            return;
        };
        let png = self.driver.screenshot_as_png().await.expect("screenshot");
        std::fs::create_dir_all(&dir).expect("screenshot directory");
        std::fs::write(format!("{dir}/{name}.png"), png).expect("screenshot written");
    }

    /// The refusal above the sign-in form (a lock or a wait), if the page shows one; a
    /// wrong password shows under its field instead.
    async fn refusal(&self) -> Option<String> {
        let shown = self
            .eval("const e = document.querySelector('.answer.no'); return e && e.innerText")
            .await;
        shown.as_str().map(str::to_owned)
    }

    async fn sign_in_with(&self, app: &TestApp, login: &str, password: &str) {
        self.open(&format!("{}/sign-in", app.base)).await;
        self.type_into("#login", login).await;
        self.type_into("#password", password).await;
        self.submit("form button[type=submit]").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_staff_sign_in_see_their_tasks_and_sign_out() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    app.trainee(
        &c,
        &c.pastry_cohort,
        "娜仁花",
        &citizen_id("19900412", 222),
        serde_json::Value::Null,
    )
    .await;
    app.account(
        "teacher",
        Role::ProviderStaff,
        Some(&provider_of(&app, &c).await),
    )
    .await;
    let browser = Browser::phone().await;

    browser.open(&format!("{}/sign-in", app.base)).await;
    assert!(
        !browser.scrolls_sideways().await,
        "the sign-in page fits a phone"
    );
    browser.keep_screenshot("sign-in-390").await;
    browser
        .sign_in_with(&app, "teacher", "not my password")
        .await;
    let error = browser
        .wait_for("const e = document.querySelector('#password-error'); return e && e.innerText")
        .await;
    assert_eq!(
        error, "登录名或密码不正确",
        "the error sits under the password"
    );
    let kept = browser
        .eval("return document.querySelector('#login').value")
        .await;
    assert_eq!(kept, "teacher", "the login is kept");

    browser.type_into("#password", PASSWORD).await;
    browser.submit("form button[type=submit]").await;
    browser.wait_for_path("/").await;
    let text = browser.text().await;
    assert!(text.contains("待办事项"), "{text}");
    assert!(text.contains("缺少成绩的班级"), "{text}");
    assert!(text.contains("MD-2026-01"), "{text}");
    assert!(
        !browser.scrolls_sideways().await,
        "the task list fits a phone"
    );
    browser.keep_screenshot("provider-home-390").await;

    browser.submit("button.link").await;
    browser.wait_for_path("/sign-in").await;
    assert!(browser.text().await.contains("您已退出登录"));
    browser
        .open(&format!("{}/account/password", app.base))
        .await;
    browser.wait_for_path("/sign-in").await;
}

/// The provider organisation of the test chain (its staff member `c.staff` belongs to it).
async fn provider_of(app: &TestApp, c: &crate::certificates::Chain) -> String {
    let (_, me) = app.get("/api/v1/auth/me", &c.staff).await;
    me["organisation_id"]
        .as_str()
        .expect("organisation")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_laptop_repeated_wrong_passwords_slow_down_then_lock_with_the_time_to_return() {
    let app = TestApp::spawn().await;
    app.bureau().await;
    let browser = Browser::laptop().await;
    // Wrong passwords, each answered under the field, until the answer is to wait (the
    // sixth comes within its second unless the browser was slower than that).
    let mut failures = 0;
    let mut slowed = None;
    while slowed.is_none() {
        browser.sign_in_with(&app, "bureau", "wrong password").await;
        match browser.refusal().await {
            Some(message) => slowed = Some(message),
            None => failures += 1,
        }
        assert!(failures <= 9, "never slowed down after {failures} failures");
    }
    let slowed = slowed.unwrap_or_default();
    assert!(failures >= 5, "slowed only after five failures: {failures}");
    assert!(
        slowed.contains("后再试"),
        "with the time to come back: {slowed}"
    );
    // Waiting out each delay, the tenth failure locks the account.
    while failures < 10 {
        app.clock.advance(Duration::seconds(40));
        browser.sign_in_with(&app, "bureau", "wrong password").await;
        assert_eq!(
            browser.refusal().await,
            None,
            "after waiting, checked again"
        );
        failures += 1;
    }
    app.clock.advance(Duration::seconds(40));
    browser.sign_in_with(&app, "bureau", PASSWORD).await;
    let locked = browser.refusal().await.unwrap_or_default();
    assert!(locked.contains("登录失败次数过多"), "{locked}");
    assert!(
        locked.contains(':') || locked.contains('：'),
        "says until when: {locked}"
    );
    browser.keep_screenshot("sign-in-locked-1280").await;

    app.clock.advance(Duration::minutes(16));
    browser.sign_in_with(&app, "bureau", PASSWORD).await;
    browser.wait_for_path("/").await;
}
