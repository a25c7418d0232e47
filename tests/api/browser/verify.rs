//! The verification page in a real browser at a phone's size.

use serde_json::Value;

use super::Browser;
use crate::{
    certificates::chain,
    helpers::{TestApp, citizen_id},
};

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
