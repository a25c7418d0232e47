//! The apprenticeship pages over HTTP as a browser speaks them (issue 15): tenants apart,
//! a form posted without its CSRF token refused, refusals under their fields with what
//! was typed kept and nothing written, the bureau's return with its reason, and the
//! apprentice's own page with their plan and progress.

use chrono::Months;
use registry::access::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::{
    helpers::{PASSWORD, TestApp, citizen_id},
    visitor::{Visitor, hidden},
};

#[tokio::test]
async fn apprenticeship_pages_keep_tenants_apart_and_show_refusals_under_their_fields() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let provider_id = app
        .organisation(&bureau, "training_provider", "额尔古纳市职业技能培训中心")
        .await;
    let bakery_id = app
        .organisation(&bureau, "employer", "额尔古纳市根河湾烤饼有限公司")
        .await;
    let bakery = app
        .account("bakery", Role::Employer, Some(&bakery_id))
        .await;
    let rival_id = app
        .organisation(&bureau, "employer", "额尔古纳市湿地民宿有限公司")
        .await;
    app.account("rival", Role::Employer, Some(&rival_id)).await;
    let today = app.clock.now().today;
    let year_on = |n: u32| today.checked_add_months(Months::new(n)).expect("date");

    // A period shorter than a year: refused under its field, the plan typed kept, nothing
    // written.
    let mut employer = Visitor::new(&app);
    employer.sign_in("bakery", PASSWORD).await;
    let form = employer.get("/apprenticeships/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = hidden(&form.body, "csrf");
    let (starts, short_end, end) = (
        today.to_string(),
        year_on(6).to_string(),
        year_on(24).pred_opt().expect("end").to_string(),
    );
    let due = (today + chrono::Duration::days(20)).to_string();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("provider_id", provider_id.as_str()),
        ("occupation_code", "4-03-02-02"),
        ("target_level", "level4"),
        ("starts_on", starts.as_str()),
        ("ends_on", short_end.as_str()),
        ("module_title", "烤饼原料与发酵"),
        ("module_theory", "40"),
        ("module_practice", "八十"),
        ("milestone_title", "独立完成和面发酵"),
        ("milestone_due_on", due.as_str()),
    ];
    let refused = employer.post("/apprenticeships", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("学时须为不带小数的非负整数"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"烤饼原料与发酵\""),
        "{}",
        refused.body
    );
    fields[8] = ("module_practice", "80");
    let refused = employer.post("/apprenticeships", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("培养期不得少于1年"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("id=\"ends_on-error\""),
        "{}",
        refused.body
    );
    assert_eq!(app.count("apprenticeship_agreements").await, 0);
    fields[5] = ("ends_on", end.as_str());
    let saved = employer.post("/apprenticeships", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = saved.location.expect("to the agreement");
    let id = page.rsplit('/').next().expect("id").to_owned();
    let shown = employer.get(&page).await;
    assert!(shown.body.contains("理论 40 · 实操 80"), "{}", shown.body);

    // Another enterprise finds no such agreement and does not see it listed; the provider
    // does not see a draft.
    let mut rival = Visitor::new(&app);
    rival.sign_in("rival", PASSWORD).await;
    assert_eq!(rival.get(&page).await.status, StatusCode::NOT_FOUND);
    assert!(
        !rival
            .get("/apprenticeships")
            .await
            .body
            .contains("4-03-02-02")
    );
    app.account("staff", Role::ProviderStaff, Some(&provider_id))
        .await;
    let mut provider = Visitor::new(&app);
    provider.sign_in("staff", PASSWORD).await;
    assert_eq!(provider.get(&page).await.status, StatusCode::NOT_FOUND);

    // Submitting needs the form's token.
    let unsigned = employer.post(&format!("{page}/submit"), &[]).await;
    assert_eq!(unsigned.status, StatusCode::FORBIDDEN);
    let submitted = employer
        .post(&format!("{page}/submit"), &[("csrf", &csrf)])
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );

    // The bureau returns it: without a reason refused under the field; with one the
    // enterprise reads it and may rewrite.
    let mut office = Visitor::new(&app);
    office.sign_in("bureau", PASSWORD).await;
    let open = office.get(&page).await;
    let csrf_b = hidden(&open.body, "csrf");
    let refused = office
        .post(
            &format!("{page}/return"),
            &[("csrf", &csrf_b), ("reason", " ")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"reason-error\""),
        "{}",
        refused.body
    );
    let returned = office
        .post(
            &format!("{page}/return"),
            &[("csrf", &csrf_b), ("reason", "培养计划缺少安全生产模块")],
        )
        .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER);
    let back = employer.get(&page).await;
    assert!(
        back.body.contains("培养计划缺少安全生产模块"),
        "{}",
        back.body
    );
    assert!(back.body.contains("修改协议"), "{}", back.body);
    employer
        .post(&format!("{page}/submit"), &[("csrf", &csrf)])
        .await;
    // It waits on the bureau's task list.
    let (_, tasks) = app.get("/api/v1/tasks", &bureau).await;
    assert_eq!(tasks["agreements_waiting"]["total"], 1, "{tasks}");
    assert_eq!(
        tasks["agreements_waiting"]["items"][0]["agreement_id"],
        id.as_str()
    );
    let home = office.get("/").await;
    assert!(home.body.contains("待备案的学徒培养协议"), "{}", home.body);
    let filed = office
        .post(&format!("{page}/file"), &[("csrf", &csrf_b)])
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);

    // An apprentice under 16 on the start: the rule under the ID, nothing written.
    let young = citizen_id(
        &year_on(0)
            .checked_sub_months(Months::new(15 * 12))
            .expect("birth")
            .format("%Y%m%d")
            .to_string(),
        11,
    );
    let contract_start = today.to_string();
    let contract_end = year_on(36).to_string();
    let apprentice = [
        ("csrf", csrf.as_str()),
        ("name", "小巴图"),
        ("citizen_id", young.as_str()),
        ("contract_starts_on", contract_start.as_str()),
        ("contract_ends_on", contract_end.as_str()),
        ("mentor_name", "王师傅"),
        ("mentor_post", "烤饼车间主任"),
        ("mentor_skill_level", "level2"),
        ("teacher_name", "刘老师"),
    ];
    let refused = employer
        .post(&format!("{page}/apprentices"), &apprentice)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("学徒在培养开始之日须年满16周岁"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"小巴图\""),
        "{}",
        refused.body
    );
    assert_eq!(app.count("apprentices").await, 0);

    // A trainee who is an apprentice sees their plan and progress; the provider sees the
    // apprentice masked.
    app.trainee_account("wuriina").await;
    let seq = "wuriina".bytes().map(u32::from).sum::<u32>() % 900 + 1;
    let (status, added) = app
        .post(
            &format!("/api/v1/apprenticeships/{id}/apprentices"),
            &bakery,
            json!({"name": "测试学员", "citizen_id": citizen_id("19950101", seq),
                   "contract_starts_on": today, "contract_ends_on": year_on(36),
                   "mentor": {"name": "王师傅", "post": "烤饼车间主任", "skill_level": "level2"},
                   "teacher": {"name": "刘老师"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let mut trainee = Visitor::new(&app);
    trainee.sign_in("wuriina", PASSWORD).await;
    let mine = trainee.get("/me/apprenticeships").await;
    assert_eq!(mine.status, StatusCode::OK);
    for shown in [
        "额尔古纳市根河湾烤饼有限公司",
        "烤饼原料与发酵",
        "独立完成和面发酵",
        "节点完成 0/1",
        "王师傅",
    ] {
        assert!(mine.body.contains(shown), "{shown}: {}", mine.body);
    }
    // The milestone due in 20 days is on the provider's task list (masked) and on the
    // enterprise's apprenticeships page (in full), until it is completed.
    let staff = app.login("staff", PASSWORD).await;
    let (_, tasks) = app.get("/api/v1/tasks", &staff).await;
    assert_eq!(tasks["milestones_due"]["total"], 1, "{tasks}");
    assert_eq!(
        tasks["milestones_due"]["items"][0]["apprentice_name"],
        "测**员"
    );
    assert_eq!(tasks["milestones_due"]["items"][0]["overdue"], false);
    let own = employer.get("/apprenticeships").await;
    assert!(own.body.contains("临近或逾期的培养节点"), "{}", own.body);
    assert!(own.body.contains("测试学员"), "{}", own.body);
    let apprentice_id = added["id"].as_str().expect("apprentice");
    let milestone = added["milestones"][0]["milestone_id"]
        .as_str()
        .expect("milestone");
    let (status, body) = app
        .post(
            &format!(
                "/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}/milestones/{milestone}"
            ),
            &staff,
            json!({"completed_on": today}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, tasks) = app.get("/api/v1/tasks", &staff).await;
    assert_eq!(tasks["milestones_due"]["total"], 0, "{tasks}");
    let listed = provider.get(&page).await;
    assert!(listed.body.contains("测**员"), "{}", listed.body);
    assert!(!listed.body.contains("测试学员"), "{}", listed.body);
    // The provider issues the apprenticeship certificate from the apprentice's page once
    // the enterprise has recorded the completion; asked before, the missing requirement is
    // shown under the form and nothing is issued.
    let apprentice_page = format!("{page}/apprentices/{apprentice_id}");
    let shown = provider.get(&apprentice_page).await;
    assert!(
        !shown.body.contains("颁发学徒培训证书</button>"),
        "{}",
        shown.body
    );
    let csrf_p = hidden(&shown.body, "csrf");
    let early = provider
        .post(
            &format!("{apprentice_page}/certificate"),
            &[("csrf", &csrf_p)],
        )
        .await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        early.body
    );
    assert_eq!(app.count("certificates").await, 0);
    app.clock.advance(chrono::Duration::days(2 * 366));
    // Two years on, everyone signs in again.
    let bakery = app.login("bakery", PASSWORD).await;
    let mut provider = Visitor::new(&app);
    provider.sign_in("staff", PASSWORD).await;
    let mut employer = Visitor::new(&app);
    employer.sign_in("bakery", PASSWORD).await;
    let (status, body) = app
        .post(
            &format!("/api/v1/apprenticeships/{id}/apprentices/{apprentice_id}/complete"),
            &bakery,
            json!({"on": end}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let shown = provider.get(&apprentice_page).await;
    assert!(
        shown.body.contains("颁发学徒培训证书</button>"),
        "{}",
        shown.body
    );
    let csrf_p = hidden(&shown.body, "csrf");
    let issued = provider
        .post(
            &format!("{apprentice_page}/certificate"),
            &[("csrf", &csrf_p)],
        )
        .await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER, "{}", issued.body);
    let shown = provider.get(&apprentice_page).await;
    assert!(shown.body.contains("已颁发学徒培训证书"), "{}", shown.body);
    assert!(shown.body.contains("学徒培训证书 "), "{}", shown.body);
    assert_eq!(app.count("certificates").await, 1);
    // Staff have no apprentice page of their own.
    assert_eq!(
        employer.get("/me/apprenticeships").await.status,
        StatusCode::FORBIDDEN
    );
}
