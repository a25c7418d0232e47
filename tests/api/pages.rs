//! How the two sides answer what they do not serve: the browser gets a page in Chinese,
//! an API client the JSON error shape; and a form-style refusal names only the rule that
//! failed, under its field.

use reqwest::{StatusCode, header};
use serde_json::json;

use crate::helpers::TestApp;

/// Fetches `path` as a browser would; returns the status, the content type and the body.
async fn page(app: &TestApp, method: reqwest::Method, path: &str) -> (StatusCode, String, String) {
    let response = app
        .client
        .request(method, format!("{}{path}", app.base))
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .expect("request");
    let status = response.status();
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, response.text().await.expect("body"))
}

#[tokio::test]
async fn the_front_page_is_a_page_with_the_city_standards() {
    let app = TestApp::spawn().await;
    let (status, kind, body) = page(&app, reqwest::Method::GET, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(body.contains("额尔古纳市职业技能培训与证书登记系统"));
    assert!(
        body.contains("骑马游向导服务"),
        "the bundled standards are listed"
    );
    assert!(body.contains("/static/site.css"));
    let (status, kind, css) = page(&app, reqwest::Method::GET, "/static/site.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/css"), "{kind}");
    assert!(css.contains(".banner"));
}

#[tokio::test]
async fn an_unknown_page_is_a_chinese_not_found_page_and_an_unknown_api_path_is_json() {
    let app = TestApp::spawn().await;
    let (status, kind, body) = page(&app, reqwest::Method::GET, "/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(body.contains("页面不存在"), "{body}");
    assert!(body.contains("返回首页"));

    let (status, body) = app
        .call(reqwest::Method::GET, "/api/v1/no-such-thing", None, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
}

#[tokio::test]
async fn a_wrong_method_answers_405_with_the_error_body_or_page() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .call(reqwest::Method::DELETE, "/api/v1/standards", None, None)
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"], "method_not_allowed");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));

    let (status, kind, body) = page(&app, reqwest::Method::DELETE, "/").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(body.contains("此地址不支持该请求方法"), "{body}");
}

#[tokio::test]
async fn a_rate_limited_page_says_how_long_to_wait() {
    let app = TestApp::spawn_with(|c| c.verify_rate_per_minute = 4).await;
    let mut last = (StatusCode::OK, String::new(), String::new());
    for _ in 0..6 {
        last = page(&app, reqwest::Method::GET, "/v/unknown-token").await;
    }
    let (status, kind, body) = last;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(body.contains("请求过于频繁"), "{body}");
    assert!(body.contains("后再试"), "says how long to wait: {body}");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(format!("{}/", app.base))
        .send()
        .await
        .expect("request");
    let headers = response.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .is_ok_and(|v| v.contains("frame-ancestors 'none'"))
    );
}

#[tokio::test]
async fn a_refusal_names_only_the_rule_that_failed_under_its_field() {
    let app = TestApp::spawn().await;
    let t = app.training(10).await;
    let (status, body) = app
        .post(
            "/api/v1/cohorts",
            &t.staff,
            json!({"program_id": t.program, "code": "QMY-2026-09", "starts_on": "2026-07-10",
                   "ends_on": "2026-07-01", "capacity": 20}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields = body["fields"].as_array().expect("fields");
    assert_eq!(fields.len(), 1, "only the broken rule: {body}");
    assert_eq!(fields[0]["field"], "ends_on");
    assert_eq!(fields[0]["reason"], "before_start");
    assert_eq!(fields[0]["message"], "结束日期不得早于开班日期");
    let message = body["message"].as_str().expect("message");
    assert!(message.contains("结束日期不得早于开班日期"), "{message}");
    for other in ["人数上限", "班次编号", "评价机构"] {
        assert!(
            !message.contains(other),
            "names a rule that held: {message}"
        );
    }
}
