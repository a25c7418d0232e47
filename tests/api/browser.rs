//! The verification page in a real browser: headless Chromium driven over the WebDriver
//! protocol (chromedriver), at a phone's size. Needs the Debian packages chromium and
//! chromium-driver (`.ci/run` installs them).

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::{Value, json};

use crate::{
    certificates::chain,
    helpers::{TestApp, citizen_id},
};

/// A chromedriver process and one browser session; both end when this drops.
struct Browser {
    driver: Child,
    client: reqwest::Client,
    session: String,
}

impl Browser {
    /// Chromium with the metrics of a 390 × 844 phone (CSS pixels, 3× density).
    async fn phone() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs (Debian package chromium-driver)");
        let client = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if client.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let created: Value = client
            .post(format!("{base}/session"))
            .json(&json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": "/usr/bin/chromium",
                    "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                    "mobileEmulation": {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3.0, "mobile": true, "touch": true}}
                }
            }}}))
            .send()
            .await
            .expect("session request")
            .json()
            .await
            .expect("session answer");
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {created}"))
            .to_owned();
        Self {
            driver,
            client,
            session: format!("{base}/session/{session}"),
        }
    }

    async fn command(&self, path: &str, body: Value) -> Value {
        let answer: Value = self
            .client
            .post(format!("{}{path}", self.session))
            .json(&body)
            .send()
            .await
            .expect("WebDriver command")
            .json()
            .await
            .expect("WebDriver answer");
        answer["value"].clone()
    }

    async fn open(&self, url: &str) {
        self.command("/url", json!({ "url": url })).await;
    }

    /// Runs `script` in the page and returns what it returns.
    async fn eval(&self, script: &str) -> Value {
        self.command("/execute/sync", json!({"script": script, "args": []}))
            .await
    }

    /// Runs `script` until it returns something other than null (up to 5 s).
    async fn wait_for(&self, script: &str) -> Value {
        for _ in 0..50 {
            let value = self.eval(script).await;
            // Null: not there yet; an error object: the page was between loads.
            if !value.is_null() && value.get("error").is_none() {
                return value;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Value::Null
    }

    async fn element(&self, css: &str) -> String {
        let found = self
            .command("/element", json!({"using": "css selector", "value": css}))
            .await;
        found["element-6066-11e4-a52e-4f735466cecf"]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_owned()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        self.command(&format!("/element/{id}/value"), json!({ "text": text }))
            .await;
    }

    async fn click(&self, css: &str) {
        let id = self.element(css).await;
        self.command(&format!("/element/{id}/click"), json!({}))
            .await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The page's layout as the browser sees it.
const LAYOUT: &str = "const banner = document.querySelector('.banner').getBoundingClientRect();
    return {width: window.innerWidth, scroll: document.documentElement.scrollWidth,
            bannerTop: banner.top, bannerBottom: banner.bottom,
            state: document.querySelector('.banner .state').innerText,
            lang: document.documentElement.lang};";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_page_fits_the_screen_says_valid_first_and_checks_the_holder() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let id_number = citizen_id("19900412", 246);
    let (_, token, _) = app.completion(&c, "娜仁花", &id_number).await;
    let browser = Browser::phone().await;

    browser.open(&format!("{}/v/{token}", app.base)).await;
    let layout = browser.eval(LAYOUT).await;
    let px = |v: &Value, key: &str| v[key].as_f64().unwrap_or_else(|| panic!("{key}: {v}"));
    assert_eq!(px(&layout, "width"), 390.0, "{layout}");
    assert!(
        px(&layout, "scroll") <= px(&layout, "width"),
        "nothing scrolls sideways on a phone: {layout}"
    );
    assert_eq!(layout["state"], "有效");
    assert!(
        px(&layout, "bannerBottom") < 844.0 / 2.0,
        "the verdict is in the top half of the first screen: {layout}"
    );

    browser.type_into("#name", "娜仁花").await;
    browser.type_into("#citizen_id", &id_number).await;
    browser.click("form button").await;
    // The form posts and a new page loads; wait for its answer.
    let answer = browser
        .wait_for("return document.querySelector('.answer') && document.querySelector('.answer').innerText")
        .await;
    assert!(
        answer.as_str().is_some_and(|a| a.starts_with("一致")),
        "the match is confirmed: {answer}"
    );
    let shown = browser.eval("return document.body.innerText").await;
    assert!(
        !shown.as_str().unwrap_or("").contains(&id_number),
        "the ID number is never displayed"
    );

    browser
        .eval("[...document.querySelectorAll('a')].find(a => a.textContent.trim() === 'English').click(); return null")
        .await;
    browser
        .wait_for("return document.documentElement.lang === 'en' || null")
        .await;
    let layout = browser.eval(LAYOUT).await;
    assert_eq!(
        (layout["lang"].as_str(), layout["state"].as_str()),
        (Some("en"), Some("Valid"))
    );
    assert!(
        layout["scroll"].as_u64() <= layout["width"].as_u64(),
        "{layout}"
    );
}
