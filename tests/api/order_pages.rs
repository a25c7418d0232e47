//! The training-order pages over HTTP as a browser speaks them: tenants apart (another
//! employer's order is a 404 page, and is not listed), the provider sees an open order
//! without the employer's contacts, a form posted without its CSRF token is refused, and
//! refusals come back under their fields with what was typed kept and nothing written.

use chrono::Duration;
use registry::access::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::{
    certificates::chain,
    helpers::{PASSWORD, TestApp},
    visitor::{Visitor, hidden},
};

#[tokio::test]
async fn order_pages_keep_tenants_apart_and_show_refusals_under_their_fields() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let hotel_org = app
        .organisation(&c.bureau, "employer", "额尔古纳市湿地民宿有限公司")
        .await;
    app.patch(
        &format!("/api/v1/organisations/{hotel_org}"),
        &c.bureau,
        json!({"contact_phone": "13904701234"}),
    )
    .await;
    let hotel = app.account("hotel", Role::Employer, Some(&hotel_org)).await;
    let rival_org = app
        .organisation(&c.bureau, "employer", "额尔古纳市白桦林旅游有限公司")
        .await;
    app.account("rival", Role::Employer, Some(&rival_org)).await;
    let deadline = app.clock.now().today + Duration::days(60);
    let (status, order) = app
        .post(
            "/api/v1/orders",
            &hotel,
            json!({"title": "民宿接待员订单班", "standard_code": "150784-MSZLR",
                   "trainees_wanted": 3, "hire_commitment": 2, "deadline": deadline,
                   "posts": [{"title": "民宿前台接待", "monthly_pay": "4500", "headcount": 2}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let id = order["id"].as_str().expect("id").to_owned();
    let page = format!("/orders/{id}");

    // Another employer finds no such order, and does not see it listed.
    let mut rival = Visitor::new(&app);
    rival.sign_in("rival", PASSWORD).await;
    assert_eq!(rival.get(&page).await.status, StatusCode::NOT_FOUND);
    let list = rival.get("/orders").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains("民宿接待员订单班"), "{}", list.body);

    // A provider does not see a draft; once submitted it is open to offers, without the
    // employer's phone.
    let mut provider = Visitor::new(&app);
    provider.sign_in("staff", PASSWORD).await;
    assert_eq!(provider.get(&page).await.status, StatusCode::NOT_FOUND);
    let mut employer = Visitor::new(&app);
    employer.sign_in("hotel", PASSWORD).await;
    let shown = employer.get(&page).await;
    assert_eq!(shown.status, StatusCode::OK);
    let csrf = hidden(&shown.body, "csrf");
    let unsigned = employer.post(&format!("{page}/submit"), &[]).await;
    assert_eq!(unsigned.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("orders").await, 1);
    let submitted = employer
        .post(&format!("{page}/submit"), &[("csrf", &csrf)])
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    // It waits on the provider's task list (its program fits) and the bureau's.
    let home = provider.get("/").await;
    assert!(
        home.body.contains("等待分派培训机构的订单"),
        "{}",
        home.body
    );
    assert!(home.body.contains("可在订单页申请承接"), "{}", home.body);
    let (_, tasks) = app.get("/api/v1/tasks", &c.bureau).await;
    assert_eq!(tasks["orders_waiting"]["total"], 1, "{tasks}");
    assert_eq!(tasks["orders_waiting"]["items"][0]["order_id"], id.as_str());
    let open = provider.get("/orders").await;
    assert!(open.body.contains("待承接的订单"), "{}", open.body);
    assert!(open.body.contains("民宿接待员订单班"), "{}", open.body);
    let seen = provider.get(&page).await;
    assert!(seen.body.contains("申请承接本订单"), "{}", seen.body);
    assert!(!seen.body.contains("13904701234"), "{}", seen.body);

    // The bureau's assignment with a fee that is not an amount: under its field, the typed
    // fee kept, nothing written.
    let mut bureau = Visitor::new(&app);
    bureau.sign_in("bureau", PASSWORD).await;
    let open = bureau.get(&page).await;
    let csrf_b = hidden(&open.body, "csrf");
    let (_, me) = app.get("/api/v1/auth/me", &c.staff).await;
    let provider_id = me["organisation_id"].as_str().expect("provider").to_owned();
    assert!(
        open.body
            .contains(&format!("<option value=\"{provider_id}\""))
    );
    let refused = bureau
        .post(
            &format!("{page}/assign"),
            &[
                ("csrf", &csrf_b),
                ("provider_id", &provider_id),
                ("training_fee", "三万元"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("id=\"training_fee-error\">培训费须为以元计的金额"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"三万元\""));
    let (_, still) = app.get(&format!("/api/v1/orders/{id}"), &c.bureau).await;
    assert_eq!(still["status"], "submitted");

    // A new order whose post pay is not an amount: the error on its row, the rows kept.
    let form = employer.get("/orders/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let deadline = deadline.to_string();
    let refused = employer
        .post(
            "/orders",
            &[
                ("csrf", &csrf),
                ("title", "第二个订单"),
                ("subject", "s:150784-MSZLR"),
                ("trainees_wanted", "2"),
                ("hire_commitment", "1"),
                ("deadline", &deadline),
                ("hire_certificate_kind", "completion"),
                ("post_title", "民宿管家"),
                ("post_pay", "四千"),
                ("post_headcount", "1"),
                ("post_place", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("月薪须为以元计的金额"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"民宿管家\""));
    assert_eq!(app.count("orders").await, 1);
    // "More rows" shows the form again with the typed rows and three more, saving nothing.
    let more = employer
        .post(
            "/orders",
            &[
                ("csrf", &csrf),
                ("title", "第二个订单"),
                ("post_title", "民宿管家"),
                ("post_pay", "4000"),
                ("post_headcount", "1"),
                ("post_place", ""),
                ("more", "1"),
            ],
        )
        .await;
    assert_eq!(more.status, StatusCode::OK);
    assert_eq!(more.body.matches("name=\"post_title\"").count(), 4);
    assert_eq!(app.count("orders").await, 1);

    // The bureau's funding rules: a share out of range under its field, nothing written;
    // a new year's rule saved and listed. No one else opens the page.
    let rules = bureau.get("/orders/funding-rules").await;
    assert_eq!(rules.status, StatusCode::OK);
    assert!(rules.body.contains("150784 · 2026年"), "{}", rules.body);
    let before = app.count("order_funding_rules").await;
    let refused = bureau
        .post(
            "/orders/funding-rules",
            &[
                ("csrf", &csrf_b),
                ("city_code", "150784"),
                ("year", "2028"),
                ("assignment_share_percent", "60"),
                ("outcome_share_percent", "50"),
                ("outcome_threshold_percent", "80"),
                ("months_employed", "6"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains(
            "id=\"outcome_share_percent-error\">分派时与就业达标后拨付比例之和不得超过100%"
        ),
        "{}",
        refused.body
    );
    assert_eq!(app.count("order_funding_rules").await, before);
    let saved = bureau
        .post(
            "/orders/funding-rules",
            &[
                ("csrf", &csrf_b),
                ("city_code", "150784"),
                ("year", "2028"),
                ("assignment_share_percent", "60"),
                ("outcome_share_percent", "40"),
                ("outcome_threshold_percent", "80"),
                ("months_employed", "6"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let rules = bureau.get("/orders/funding-rules").await;
    assert!(rules.body.contains("150784 · 2028年"), "{}", rules.body);
    assert!(
        rules.body.contains("分派时 60% · 就业达标后 40%"),
        "{}",
        rules.body
    );
    assert_eq!(
        employer.get("/orders/funding-rules").await.status,
        StatusCode::FORBIDDEN
    );
}
