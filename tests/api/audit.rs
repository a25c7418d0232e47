use registry::access::Role;
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_audit_chain_holds_then_names_the_entry_edited_in_the_database() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let provider = app
        .organisation(&bureau, "training_provider", "额尔古纳市职业培训中心")
        .await;
    app.account("staff", Role::ProviderStaff, Some(&provider))
        .await;
    app.patch(
        &format!("/api/v1/organisations/{provider}"),
        &bureau,
        json!({"address": "拉布大林街道"}),
    )
    .await;

    let (status, report) = app.get("/api/v1/audit/verify", &bureau).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["intact"], true, "{report}");
    let entries = report["entries"].as_i64().expect("entries");
    assert!(entries >= 6, "every change is logged: {report}");

    let (_, log) = app
        .get(&format!("/api/v1/audit?record_id={provider}"), &bureau)
        .await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "organisation.create",
            "organisation.set_status",
            "organisation.update"
        ]
    );
    let edited = log["items"][1]["seq"].as_i64().expect("seq");

    app.db
        .write
        .execute_unprepared(&format!(
            "UPDATE audit_log SET summary = '{{\"from\":\"pending\",\"to\":\"suspended\"}}' WHERE seq = {edited}"
        ))
        .await
        .expect("edit a row behind the registry's back");

    let (_, report) = app.get("/api/v1/audit/verify", &bureau).await;
    assert_eq!(report["intact"], false);
    assert_eq!(report["first_broken"]["seq"], edited);
    assert_eq!(report["first_broken"]["reason"], "hash_mismatch");

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_registry"))
        .args(["audit", "verify"])
        .env("REGISTRY_DATA_DIR", &app.data_dir)
        .env("DATABASE_URL", &app.database_url)
        .output()
        .expect("run registry audit verify");
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(&format!("第 {edited} 条")), "{stdout}");
}

#[tokio::test]
async fn a_deleted_entry_breaks_the_chain_at_the_next_one() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    app.organisation(&bureau, "employer", "某民宿").await;
    app.db
        .write
        .execute_unprepared("DELETE FROM audit_log WHERE seq = 2")
        .await
        .expect("delete a row");
    let (_, report) = app.get("/api/v1/audit/verify", &bureau).await;
    assert_eq!(report["intact"], false);
    assert_eq!(report["first_broken"]["seq"], 3);
    assert_eq!(report["first_broken"]["reason"], "link_mismatch");
}

#[tokio::test]
async fn concurrent_changes_still_form_one_chain() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let org = app.organisation(&bureau, "employer", "某牧场").await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/organisations/{org}", app.base);
        let token = bureau.clone();
        tasks.push(tokio::spawn(async move {
            client
                .patch(url)
                .bearer_auth(token)
                .json(&json!({"address": format!("地址{i}")}))
                .send()
                .await
                .map(|r| r.status())
        }));
    }
    for task in tasks {
        assert_eq!(task.await.expect("joined").expect("sent"), StatusCode::OK);
    }
    let (_, report) = app.get("/api/v1/audit/verify", &bureau).await;
    assert_eq!(report["intact"], true, "{report}");
}
