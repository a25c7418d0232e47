use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn health_answers_when_the_database_does() {
    let app = TestApp::spawn().await;
    let (status, body) = app.call(Method::GET, "/health", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn the_openapi_document_describes_the_endpoints() {
    let app = TestApp::spawn().await;
    let (status, doc) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1"))
    );
    for path in [
        "/api/v1/auth/token",
        "/api/v1/organisations",
        "/api/v1/audit/verify",
        "/health",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

#[tokio::test]
async fn unknown_routes_malformed_and_oversized_bodies_answer_in_the_error_shape() {
    let app = TestApp::spawn_with(|c| c.body_limit_bytes = 2048).await;
    let (status, body) = app
        .call(Method::GET, "/api/v1/nothing-here", None, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");

    let resp = app
        .client
        .post(format!("{}/api/v1/auth/token", app.base))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "malformed");
    assert!(body["fields"].is_array());

    let huge = "x".repeat(10_000);
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"login": huge, "password": "p"})),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"], "too_large");
}
