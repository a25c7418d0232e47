//! Pages under attack: every HTML answer carries the security headers, the verification
//! page refuses bad requests with a Chinese page (never a framework's English text), and
//! one stranger cannot use up a holder-match budget that others need.

use reqwest::{Method, StatusCode, header};
use serde_json::json;

use super::client_from;
use crate::{
    certificates::chain,
    helpers::{TestApp, citizen_id},
};

struct Answer {
    status: StatusCode,
    headers: header::HeaderMap,
    body: String,
}

async fn send(request: reqwest::RequestBuilder) -> Answer {
    let resp = request.send().await.expect("sent");
    Answer {
        status: resp.status(),
        headers: resp.headers().clone(),
        body: resp.text().await.unwrap_or_default(),
    }
}

fn assert_secured(what: &str, a: &Answer) {
    let get = |name: &str| {
        a.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what} ({}): no {name}", a.status))
            .to_owned()
    };
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("referrer-policy"), "no-referrer", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    let csp = get("content-security-policy");
    for directive in [
        "default-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(directive), "{what}: {csp}");
    }
}

fn assert_chinese_page(what: &str, a: &Answer) {
    let kind = a
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(kind.starts_with("text/html"), "{what}: {kind} {:?}", a.body);
    assert!(
        a.body.contains("<html lang=\"zh-CN\">"),
        "{what}: {}",
        a.body
    );
    assert!(a.body.contains("请"), "{what}: {}", a.body);
    for english in [
        "Failed to",
        "Invalid URL",
        "Expected request",
        "length limit",
    ] {
        assert!(!a.body.contains(english), "{what}: {}", a.body);
    }
    assert_secured(what, a);
}

#[tokio::test]
async fn every_page_and_every_error_page_carries_the_security_headers() {
    let app = TestApp::spawn_with(|c| c.verify_rate_per_minute = 4).await;
    let c = chain(&app).await;
    let (_, token, _) = app
        .completion(&c, "娜仁花", &citizen_id("19900412", 246))
        .await;
    let at = |path: &str| format!("{}{path}", app.base);
    let client = &app.client;
    let cases = [
        ("front page", client.get(at("/"))),
        ("verification page", client.get(at(&format!("/v/{token}")))),
        ("unknown token", client.get(at("/v/NoSuchToken0000000000A"))),
        ("unknown page", client.get(at("/no/such/page"))),
        ("wrong method", client.request(Method::DELETE, at("/"))),
        ("style sheet", client.get(at("/static/site.css"))),
        ("health", client.get(at("/health"))),
        ("API error", client.get(at("/api/v1/no-such-thing"))),
    ];
    for (what, request) in cases {
        assert_secured(what, &send(request).await);
    }
    let mut last = None;
    for _ in 0..6 {
        last = Some(send(client_from(61).get(at("/v/NoSuchToken0000000000B"))).await);
    }
    let limited = last.expect("answers");
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_chinese_page("rate-limited page", &limited);
}

#[tokio::test]
async fn the_verification_page_refuses_bad_requests_with_a_chinese_page() {
    let app = TestApp::spawn().await;
    let at = |path: &str| format!("{}{path}", app.base);
    let client = &app.client;
    let form = "application/x-www-form-urlencoded";
    let too_large = format!("name={}&citizen_id=1", "字".repeat(400_000));
    let cases = [
        (
            "duplicate query",
            client.get(at("/v/AnyToken?lang=en&lang=zh")),
            StatusCode::OK,
        ),
        (
            "broken percent-encoding",
            client.get(at("/v/%FF%FE")),
            StatusCode::NOT_FOUND,
        ),
        (
            "JSON body",
            client
                .post(at("/v/AnyToken"))
                .header(header::CONTENT_TYPE, "application/json")
                .body("{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "missing fields",
            client
                .post(at("/v/AnyToken"))
                .header(header::CONTENT_TYPE, form)
                .body("name=x"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "too large",
            client
                .post(at("/v/AnyToken"))
                .header(header::CONTENT_TYPE, form)
                .body(too_large),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "no content type",
            client.post(at("/v/AnyToken")).body("name=x&citizen_id=y"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
    ];
    for (what, request, status) in cases {
        let answer = send(request).await;
        // An unreadable token is simply not found; a bad query falls back to Chinese.
        let expected = if status == StatusCode::OK {
            StatusCode::NOT_FOUND
        } else {
            status
        };
        assert_eq!(answer.status, expected, "{what}: {}", answer.body);
        assert_chinese_page(what, &answer);
    }
}

#[tokio::test]
async fn one_stranger_cannot_use_up_the_holder_match_budget_of_a_certificate() {
    let app = TestApp::spawn_with(|c| {
        c.holder_match_per_hour = 10;
        c.holder_match_per_client_per_hour = 3;
    })
    .await;
    let c = chain(&app).await;
    let id = citizen_id("19910101", 246);
    let (_, token, _) = app.completion(&c, "萨仁", &id).await;
    let ask = |client: reqwest::Client, citizen_id: String| {
        let url = format!("{}/api/v1/verify/{token}/holder", app.base);
        async move {
            let resp = client
                .post(url)
                .json(&json!({"name": "萨仁", "citizen_id": citizen_id}))
                .send()
                .await
                .expect("sent");
            (
                resp.status(),
                resp.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        }
    };
    let stranger = client_from(71);
    let mut statuses = Vec::new();
    for day in 2..=12 {
        let guess = citizen_id(&format!("199101{day:02}"), 246);
        statuses.push(ask(stranger.clone(), guess).await.0);
    }
    let checked = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(checked, 3, "the stranger's own budget: {statuses:?}");
    // An employer checking the holder from elsewhere is still answered.
    let (status, answer) = ask(client_from(72), id.clone()).await;
    assert_eq!((status, answer), (StatusCode::OK, json!({"match": true})));
    // The page answers the same way.
    let resp = client_from(71)
        .post(format!("{}/v/{token}", app.base))
        .form(&[("name", "萨仁"), ("citizen_id", id.as_str())])
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
}
