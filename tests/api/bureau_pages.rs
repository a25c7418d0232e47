//! The bureau's pages over HTTP: accounts, standards drafts and their work tasks, the
//! audit log and its chain check. (Organisations are in `staff_pages.rs`; the browser
//! journey in `browser/bureau.rs`.)

use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp};
use crate::visitor::{Visitor, hidden};

async fn bureau(app: &TestApp) -> Visitor<'_> {
    app.bureau().await;
    let mut browser = Visitor::new(app);
    let signed = browser.sign_in("bureau", PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    browser
}

#[tokio::test]
async fn the_bureau_creates_a_staff_account_and_a_refusal_keeps_the_form() {
    let app = TestApp::spawn().await;
    let mut browser = bureau(&app).await;
    let token = app.login("bureau", PASSWORD).await;
    let provider = app
        .organisation(&token, "training_provider", "额尔古纳市职业技能培训中心")
        .await;
    let page = browser.get("/accounts").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("额尔古纳市职业技能培训中心"),
        "the organisation to choose"
    );
    let csrf = hidden(&page.body, "csrf");

    let before = app.count("accounts").await;
    let short = browser
        .post(
            "/accounts",
            &[
                ("csrf", &csrf),
                ("login", "wang.li"),
                ("display_name", "王丽"),
                ("role", "provider_staff"),
                ("organisation_id", &provider),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(
        short.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        short.body
    );
    assert!(
        short.body.contains("id=\"password-error\">密码至少8位"),
        "{}",
        short.body
    );
    assert!(
        short.body.contains("value=\"wang.li\""),
        "the login is kept"
    );
    assert_eq!(app.count("accounts").await, before, "nothing written");

    let created = browser
        .post(
            "/accounts",
            &[
                ("csrf", &csrf),
                ("login", "wang.li"),
                ("display_name", "王丽"),
                ("role", "provider_staff"),
                ("organisation_id", &provider),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let list = browser.get("/accounts").await;
    assert!(
        list.body
            .contains("已创建账号“wang.li”（培训机构工作人员）。")
    );
    app.login("wang.li", PASSWORD).await;
}

#[tokio::test]
async fn a_standard_is_drafted_its_tasks_edited_row_by_row_and_published() {
    let app = TestApp::spawn().await;
    let mut browser = bureau(&app).await;
    let list = browser.get("/standards").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("150784-MSZLR"), "{}", list.body);
    let csrf = hidden(&list.body, "csrf");

    let drafted = browser
        .post("/standards/150784-MSZLR/draft", &[("csrf", &csrf)])
        .await;
    assert_eq!(drafted.status, StatusCode::SEE_OTHER);
    let path = drafted.location.expect("to the draft");
    assert_eq!(path, "/standards/150784-MSZLR/2");
    let draft = browser.get(&path).await;
    assert!(draft.body.contains("已起草第2版"), "{}", draft.body);
    assert!(draft.body.contains("比重合计：100%"), "{}", draft.body);
    assert!(draft.body.contains("/static/weights.js"));

    // Weights that do not sum to 100, and one that is not a number: each said where it is.
    let refused = browser
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("task_name", "接待与入住"),
                ("task_norms", "迎客\n登记"),
                ("task_knowledge", "礼仪"),
                ("task_weight", "60"),
                ("task_name", "客房清洁"),
                ("task_norms", "整理"),
                ("task_knowledge", "卫生规范"),
                ("task_weight", "三十"),
                ("task_name", ""),
                ("task_norms", ""),
                ("task_knowledge", ""),
                ("task_weight", ""),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("第2项工作任务的考核比重须为1–100的整数"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"三十\""),
        "what was typed is kept"
    );
    let sums = browser
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("task_name", "接待与入住"),
                ("task_norms", "迎客\n登记"),
                ("task_knowledge", "礼仪"),
                ("task_weight", "60"),
                ("task_name", "客房清洁"),
                ("task_norms", "整理"),
                ("task_knowledge", "卫生规范"),
                ("task_weight", "30"),
            ],
        )
        .await;
    assert_eq!(sums.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        sums.body
            .contains("各工作任务考核比重之和须为100（现为90）"),
        "{}",
        sums.body
    );

    let saved = browser
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("task_name", "接待与入住"),
                ("task_norms", "迎客\n登记"),
                ("task_knowledge", "礼仪"),
                ("task_weight", "60"),
                ("task_name", "客房清洁"),
                ("task_norms", "整理"),
                ("task_knowledge", "卫生规范"),
                ("task_weight", "40"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let published = browser
        .post(&format!("{path}/publish"), &[("csrf", &csrf)])
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    let (status, api) = app
        .call(
            reqwest::Method::GET,
            "/api/v1/standards/150784-MSZLR",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(api["version"], 2, "{api}");
    assert_eq!(api["tasks"][0]["norms"][1], "登记");
    assert_eq!(api["tasks"][1]["weight"], 40);
}

#[tokio::test]
async fn the_audit_log_page_lists_entries_and_checks_the_chain() {
    let app = TestApp::spawn().await;
    let mut browser = bureau(&app).await;
    let page = browser.get("/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("token.issue"), "{}", page.body);
    let checked = browser.get("/audit?check=1").await;
    assert!(checked.body.contains("完整：已校验"), "{}", checked.body);

    // An edited row is found and named.
    use sea_orm::ConnectionTrait;
    app.db
        .write
        .execute_unprepared("UPDATE audit_log SET action = 'x' WHERE seq = 2")
        .await
        .expect("tamper");
    let checked = browser.get("/audit?check=1").await;
    assert!(
        checked.body.contains("发现断点：第 2 条（该条内容被修改）"),
        "{}",
        checked.body
    );
}
