//! Every staff role's home and main work page, on a phone and on a laptop: each fits its
//! window (nothing scrolls sideways) and a screenshot is kept to look at.

use registry::access::Role;
use serde_json::json;

use super::Browser;
use crate::{
    certificates::{chain, passing},
    helpers::{TestApp, citizen_id},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_roles_home_and_main_page_fit_a_phone_and_a_laptop() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    for (i, name) in ["娜仁花", "巴特尔·朝鲁", "其木格"].iter().enumerate() {
        app.trainee(
            &c,
            &c.homestay_cohort,
            name,
            &citizen_id("19900412", 400 + i as u32),
            passing(),
        )
        .await;
    }
    app.post(
        &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
        &c.staff,
        json!({}),
    )
    .await;
    let employer = app
        .organisation(&c.bureau, "employer", "额尔古纳市莫尔道嘎民宿")
        .await;
    app.account("hotel", Role::Employer, Some(&employer)).await;
    app.post(
        "/api/v1/organisations",
        &c.bureau,
        json!({"kind": "employer", "name": "额尔古纳市白桦林旅游有限公司",
               "credit_code": crate::helpers::credit_code()}),
    )
    .await;
    let pages = [
        ("bureau", "/organisations"),
        ("staff", &format!("/cohorts/{}", c.homestay_cohort)),
        ("assessor", &format!("/assessments/{}", c.homestay_cohort)),
        ("officer", "/licences"),
        ("hotel", "/v/"),
    ];
    for (browser, width) in [
        (Browser::phone().await, 390),
        (Browser::laptop().await, 1280),
    ] {
        for (login, main) in &pages {
            browser.sign_in_as(&app, login).await;
            browser.fits(&format!("home-{login}-{width}")).await;
            browser.open(&format!("{}{main}", app.base)).await;
            browser.fits(&format!("main-{login}-{width}")).await;
            browser
                .driver
                .delete_all_cookies()
                .await
                .expect("signed out");
        }
        // The bureau's dashboard: the charts scale to the width.
        browser.sign_in_as(&app, "bureau").await;
        browser.open(&format!("{}/reports", app.base)).await;
        assert!(browser.text().await.contains("重点群体培训人次"));
        browser.fits(&format!("reports-{width}")).await;
        browser
            .driver
            .delete_all_cookies()
            .await
            .expect("signed out");
    }
}
