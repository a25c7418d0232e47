//! The staff side of the site over HTTP as a browser speaks it: the sign-in form and its
//! CSRF token, the session cookie, the task-list home, changing the password, signing
//! out. (The real-browser journeys are in `browser.rs`.)

use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp};
use crate::visitor::{Visitor, hidden};
use registry::access::Role;

#[tokio::test]
async fn staff_sign_in_with_the_form_and_land_on_their_task_list() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let provider = app
        .organisation(&bureau, "training_provider", "额尔古纳市职业技能培训中心")
        .await;
    app.account("teacher", Role::ProviderStaff, Some(&provider))
        .await;
    let mut browser = Visitor::new(&app);

    // A page that needs a session sends the visitor to sign in, and back afterwards.
    let away = browser.get("/account/password").await;
    assert_eq!(away.status, StatusCode::SEE_OTHER);
    assert_eq!(
        away.location.as_deref(),
        Some("/sign-in?next=%2Faccount%2Fpassword")
    );

    let form = browser.get("/sign-in").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("工作人员登录"), "{}", form.body);
    let signed = browser.sign_in("teacher", PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    assert!(browser.cookies.contains_key("registry_session"));

    let home = browser.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("待办事项"), "{}", home.body);
    assert!(
        home.body.contains("额尔古纳市职业技能培训中心"),
        "the organisation's name"
    );
    assert!(home.body.contains("培训机构工作人员"), "the role");
    assert!(home.body.contains("目前没有待办事项"), "{}", home.body);
}

#[tokio::test]
async fn a_wrong_password_is_shown_under_its_field_and_the_login_is_kept() {
    let app = TestApp::spawn().await;
    app.bureau().await;
    let mut browser = Visitor::new(&app);
    let refused = browser.sign_in("bureau", "not the password").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(
        refused
            .body
            .contains("id=\"password-error\">登录名或密码不正确"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"bureau\""),
        "the login is kept"
    );
    assert!(!browser.cookies.contains_key("registry_session"));

    let empty = browser.sign_in("", "").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("id=\"login-error\">请填写登录名"));
    assert!(empty.body.contains("id=\"password-error\">请填写密码"));
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    app.bureau().await;
    let mut browser = Visitor::new(&app);
    browser.get("/sign-in").await;
    let forged = browser
        .post("/sign-in", &[("login", "bureau"), ("password", PASSWORD)])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(forged.body.contains("页面已过期或来源不明"));
    assert!(!browser.cookies.contains_key("registry_session"));

    // Signed in, a form's token is the session's: another session's token does not do.
    let signed = browser.sign_in("bureau", PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    let wrong = browser
        .post("/sign-out", &[("csrf", "0123456789abcdef0123456789abcdef")])
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let home = browser.get("/").await;
    assert!(home.body.contains("待办事项"), "still signed in");
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    app.bureau().await;
    let mut browser = Visitor::new(&app);
    browser.sign_in("bureau", PASSWORD).await;
    let session = browser.cookies["registry_session"].clone();
    let home = browser.get("/").await;
    let csrf = hidden(&home.body, "csrf");
    let out = browser.post("/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location.as_deref(), Some("/sign-in"));
    let notice = browser.get("/sign-in").await;
    assert!(notice.body.contains("您已退出登录"), "{}", notice.body);

    // The old cookie, replayed, is worth nothing: the token behind it is revoked.
    let (status, _) = app.get("/api/v1/auth/me", &session).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    browser.cookies.insert("registry_session".into(), session);
    let replay = browser.get("/account/password").await;
    assert_eq!(replay.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn changing_the_password_checks_the_current_one_and_ends_other_sessions() {
    let app = TestApp::spawn().await;
    let other_device = app.bureau().await;
    let mut browser = Visitor::new(&app);
    browser.sign_in("bureau", PASSWORD).await;
    let page = browser.get("/account/password").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = hidden(&page.body, "csrf");

    let wrong = browser
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", "wrong password"),
                ("new", "新的密码很长很长"),
                ("repeat", "新的密码很长很长"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("id=\"current-error\">当前密码不正确"));
    let short = browser
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", "short"),
                ("repeat", "shorter"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short.body.contains("id=\"new-error\">新密码至少8位"),
        "{}",
        short.body
    );
    assert!(
        short
            .body
            .contains("id=\"repeat-error\">两次输入的新密码不一致")
    );

    let changed = browser
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", "新的密码很长很长"),
                ("repeat", "新的密码很长很长"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let home = browser.get("/").await;
    assert!(home.body.contains("密码已修改"), "{}", home.body);
    let (status, _) = app.get("/api/v1/auth/me", &other_device).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the other device is signed out"
    );
    app.login("bureau", "新的密码很长很长").await;
}

#[tokio::test]
async fn the_bureau_registers_approves_and_suspends_organisations_in_pages() {
    let app = TestApp::spawn().await;
    app.bureau().await;
    let mut browser = Visitor::new(&app);
    browser.sign_in("bureau", PASSWORD).await;
    let list = browser.get("/organisations").await;
    assert_eq!(list.status, StatusCode::OK);
    let csrf = hidden(&list.body, "csrf");

    // A bad credit code: its error under the field, the name typed kept, nothing written.
    let before = app.count("organisations").await;
    let refused = browser
        .post(
            "/organisations",
            &[
                ("csrf", &csrf),
                ("kind", "employer"),
                ("name", "额尔古纳市白桦林旅游有限公司"),
                ("credit_code", "91150784MA0N000000"),
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
        refused.body.contains("id=\"credit_code-error\""),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("value=\"额尔古纳市白桦林旅游有限公司\"")
    );
    assert_eq!(app.count("organisations").await, before);

    let code = crate::helpers::credit_code();
    let created = browser
        .post(
            "/organisations",
            &[
                ("csrf", &csrf),
                ("kind", "employer"),
                ("name", "额尔古纳市白桦林旅游有限公司"),
                ("credit_code", &code),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let list = browser.get("/organisations?kind=employer").await;
    assert!(
        list.body
            .contains("已登记“额尔古纳市白桦林旅游有限公司”，待审核。"),
        "{}",
        list.body
    );
    assert!(list.body.contains("待审核"));
    let marker = "action=\"/organisations/";
    let start = list.body.find(marker).expect("an action") + marker.len();
    let id = list.body[start..].split('/').next().expect("id").to_owned();

    // The task list links to it among those waiting, and only those.
    let home = browser.get("/").await.body;
    assert!(
        home.contains(&format!("href=\"/organisations?waiting=1#org-{id}\"")),
        "{home}"
    );
    let waiting = browser.get("/organisations?waiting=1").await.body;
    assert!(waiting.contains(&format!("id=\"org-{id}\"")));
    assert_eq!(waiting.matches("<li id=\"org-").count(), 1, "{waiting}");

    let approved = browser
        .post(&format!("/organisations/{id}/approve"), &[("csrf", &csrf)])
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);
    let list = browser.get("/organisations").await;
    assert!(
        list.body.contains("已批准“额尔古纳市白桦林旅游有限公司”。"),
        "{}",
        list.body
    );
    let waiting = browser.get("/organisations?waiting=1").await.body;
    assert!(!waiting.contains(&format!("id=\"org-{id}\"")), "{waiting}");

    // The bureau's own organisation cannot be suspended by itself: the reason, as a flash.
    let (_, me) = app
        .get("/api/v1/auth/me", &app.login("bureau", PASSWORD).await)
        .await;
    if let Some(own) = me["organisation_id"].as_str() {
        browser
            .post(&format!("/organisations/{own}/suspend"), &[("csrf", &csrf)])
            .await;
        let list = browser.get("/organisations").await;
        assert!(list.body.contains("flash flash-error"), "{}", list.body);
    }

    // Other roles are refused the page.
    let bureau = app.login("bureau", PASSWORD).await;
    let provider = app
        .organisation(&bureau, "training_provider", "额尔古纳市职业技能培训中心")
        .await;
    app.account("teacher", Role::ProviderStaff, Some(&provider))
        .await;
    let mut teacher = Visitor::new(&app);
    teacher.sign_in("teacher", PASSWORD).await;
    let forbidden = teacher.get("/organisations").await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}
