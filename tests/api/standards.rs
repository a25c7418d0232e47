use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::TestApp;

async fn anonymous(app: &TestApp, path: &str) -> (StatusCode, Value) {
    app.call(Method::GET, path, None, None).await
}

#[tokio::test]
async fn a_fresh_start_serves_the_three_complete_city_standards() {
    let app = TestApp::spawn().await;
    let (status, list) = anonymous(&app, "/api/v1/standards").await;
    assert_eq!(status, StatusCode::OK);
    let items = list["items"].as_array().expect("items");
    let mut codes: Vec<&str> = items.iter().filter_map(|s| s["code"].as_str()).collect();
    codes.sort();
    assert_eq!(codes, ["150784-MSZLR", "150784-QMY", "150784-TLKB"]);
    for s in items {
        assert_eq!(s["version"], 1);
        assert_eq!(s["status"], "published");
        let tasks = s["tasks"].as_array().expect("tasks");
        assert!(tasks.len() >= 6);
        let total: i64 = tasks
            .iter()
            .map(|t| t["weight"].as_i64().expect("weight"))
            .sum();
        assert_eq!(total, 100);
        assert!(
            tasks
                .iter()
                .all(|t| !t["norms"].as_array().expect("norms").is_empty())
        );
        assert!(
            s["assessment"]["min_examiners"]
                .as_i64()
                .expect("examiners")
                >= 3
        );
        assert!(s["definition"].as_str().is_some_and(|d| !d.is_empty()));
        assert!(s["reference_hours"].as_i64().expect("hours") > 0);
    }
    let short: Vec<&str> = items
        .iter()
        .filter_map(|s| s["short_name"].as_str())
        .collect();
    for name in ["骑马游", "土炉烤饼", "民宿主理人"] {
        assert!(short.contains(&name), "{name} missing");
    }
}

#[tokio::test]
async fn each_standard_is_retrievable_by_code_and_by_version() {
    let app = TestApp::spawn().await;
    for code in ["150784-QMY", "150784-TLKB", "150784-MSZLR"] {
        let (status, by_code) = anonymous(&app, &format!("/api/v1/standards/{code}")).await;
        assert_eq!(status, StatusCode::OK);
        let (status, by_version) =
            anonymous(&app, &format!("/api/v1/standards/{code}?version=1")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(by_code, by_version);
    }
    let (status, _) = anonymous(&app, "/api/v1/standards/150784-QMY?version=9").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_second_start_does_not_load_the_standards_again() {
    let app = TestApp::spawn().await;
    registry::startup::open_database(&registry::config::Config::for_data_dir(
        app.data_dir.clone(),
        Some(app.database_url.clone()),
    ))
    .await
    .expect("second start");
    assert_eq!(app.count("standards").await, 3);
}

#[tokio::test]
async fn publishing_a_new_version_leaves_the_old_one_readable_and_unchanged() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let (_, v1) = anonymous(&app, "/api/v1/standards/150784-TLKB").await;

    let (status, draft) = app
        .post(
            "/api/v1/standards/150784-TLKB/versions",
            &bureau,
            Value::Null,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    assert_eq!(draft["version"], 2);
    assert_eq!(draft["status"], "draft");
    let (status, _) = anonymous(&app, "/api/v1/standards/150784-TLKB?version=2").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "drafts are not public");

    let mut spec = draft.clone();
    spec["reference_hours"] = 96.into();
    spec["tasks"][0]["norms"]
        .as_array_mut()
        .expect("norms")
        .push("面粉开袋后密封存放并标注开封日期。".into());
    let (status, edited) = app
        .call(
            Method::PUT,
            "/api/v1/standards/150784-TLKB/versions/2",
            Some(&bureau),
            Some(spec),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");

    let (status, published) = app
        .post(
            "/api/v1/standards/150784-TLKB/versions/2/publish",
            &bureau,
            Value::Null,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(published["status"], "published");
    assert_eq!(published["supersedes_id"], v1["id"]);

    let (_, current) = anonymous(&app, "/api/v1/standards/150784-TLKB").await;
    assert_eq!(current["version"], 2);
    assert_eq!(current["reference_hours"], 96);
    let (status, old) = anonymous(&app, "/api/v1/standards/150784-TLKB?version=1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(old["status"], "retired");
    for field in [
        "tasks",
        "assessment",
        "reference_hours",
        "definition",
        "spec_sha256",
        "name",
    ] {
        assert_eq!(old[field], v1[field], "{field} of version 1 changed");
    }
}

#[tokio::test]
async fn changing_a_published_version_is_refused() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let (_, v1) = anonymous(&app, "/api/v1/standards/150784-QMY").await;
    let mut spec = v1.clone();
    spec["reference_hours"] = 10.into();
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/standards/150784-QMY/versions/1",
            Some(&bureau),
            Some(spec),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"], "standard_frozen");
    let (_, after) = anonymous(&app, "/api/v1/standards/150784-QMY").await;
    assert_eq!(after, v1);
}

#[tokio::test]
async fn a_draft_with_bad_weights_or_too_few_examiners_is_refused_naming_the_fields() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let (_, v1) = anonymous(&app, "/api/v1/standards/150784-MSZLR").await;
    let mut spec = v1.clone();
    spec["code"] = "150784-TEST".into();
    spec["tasks"][0]["weight"] = 50.into();
    spec["assessment"]["min_examiners"] = 2.into();
    spec["name"] = "民宿管家员".into();
    let before = app.count("standards").await;
    let (status, body) = app.post("/api/v1/standards", &bureau, spec).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<String> = body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["field"].as_str().unwrap_or(""),
                f["reason"].as_str().unwrap_or("")
            )
        })
        .collect();
    for expected in [
        "tasks:weights_not_100",
        "assessment.min_examiners:at_least_3",
        "name:ends_with_job_title",
    ] {
        assert!(
            fields.contains(&expected.to_owned()),
            "{expected} not in {fields:?}"
        );
    }
    assert_eq!(app.count("standards").await, before);
}

#[tokio::test]
async fn only_the_bureau_drafts_and_publishes() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let provider = app
        .organisation(&bureau, "training_provider", "培训学校")
        .await;
    let staff = app
        .account(
            "staff",
            registry::access::Role::ProviderStaff,
            Some(&provider),
        )
        .await;
    let (status, _) = app
        .post("/api/v1/standards/150784-QMY/versions", &staff, Value::Null)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .post(
            "/api/v1/standards/150784-QMY/versions/1/retire",
            &staff,
            Value::Null,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn occupations_and_the_eight_levels_are_listed() {
    let app = TestApp::spawn().await;
    let (_, occupations) = anonymous(&app, "/api/v1/occupations").await;
    let occupations = occupations.as_array().expect("list");
    assert!(
        occupations
            .iter()
            .any(|o| o["code"] == "4-03-02-02" && o["name"] == "中式面点师")
    );
    assert!(
        occupations
            .iter()
            .any(|o| o["code"] == "4-07-04-01" && o["name"] == "导游")
    );
    let (_, levels) = anonymous(&app, "/api/v1/skill-levels").await;
    let labels: Vec<&str> = levels
        .as_array()
        .expect("levels")
        .iter()
        .filter_map(|l| l["label"].as_str())
        .collect();
    assert_eq!(
        labels,
        [
            "学徒工",
            "五级/初级工",
            "四级/中级工",
            "三级/高级工",
            "二级/技师",
            "一级/高级技师",
            "特级技师",
            "首席技师"
        ]
    );
}
