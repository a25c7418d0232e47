//! The certificate page over HTTP as a browser speaks it: the record with its chain,
//! history and files for those the API shows it to; the issuer's and the bureau's status
//! changes as forms with a required reason; renewal of a licence. (The real-browser
//! journey is in `browser/certificates.rs`.)

use reqwest::StatusCode;
use serde_json::json;

use crate::certificates::chain;
use crate::corrections::{id_of, licensed, show};
use crate::helpers::{PASSWORD, TestApp, citizen_id};
use crate::visitor::{Visitor, hidden};

#[tokio::test]
async fn the_issuer_sees_the_record_its_chain_and_history_and_downloads_the_stored_files() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (_, [completion, specialty, licence]) =
        licensed(&app, &c, "娜仁花", &citizen_id("19900412", 222)).await;
    let mut officer = Visitor::new(&app);
    officer.sign_in("officer", PASSWORD).await;

    let page = officer
        .get(&format!("/certificates/{}", id_of(&licence)))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert!(body.contains(licence["number"].as_str().expect("n")));
    assert!(body.contains("娜仁花"), "the issuer sees the holder's name");
    assert!(body.contains("额尔古纳市文化旅游和体育局"), "the issuer");
    assert!(body.contains("2029-12-31"), "valid until");
    for parent in [&completion, &specialty] {
        assert!(
            body.contains(&format!("href=\"/certificates/{}\"", id_of(parent))),
            "the chain links {parent}"
        );
    }
    assert!(
        body.contains("状态记录") && body.contains("签发"),
        "history"
    );
    assert!(body.contains("id=\"renew\""), "a licence may be renewed");
    assert!(!body.contains("id=\"reinstate\""), "nothing to reinstate");

    let pdf = officer
        .get(&format!("/certificates/{}/pdf", id_of(&licence)))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF"), "the stored PDF");
    let credential = officer
        .get(&format!("/certificates/{}/credential", id_of(&licence)))
        .await;
    let signed: serde_json::Value = serde_json::from_str(&credential.body).expect("json");
    assert!(signed["proof"].is_array(), "the signed credential");

    // The bureau sees it with the holder masked; another issuer's staff does not see it.
    let mut bureau = Visitor::new(&app);
    bureau.sign_in("bureau", PASSWORD).await;
    let seen = bureau
        .get(&format!("/certificates/{}", id_of(&licence)))
        .await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(!seen.body.contains("娜仁花"), "masked for the bureau");
    assert!(seen.body.contains("id=\"revoke\"") && !seen.body.contains("id=\"renew\""));
    let mut staff = Visitor::new(&app);
    staff.sign_in("staff", PASSWORD).await;
    for path in ["", "/pdf", "/credential"] {
        let hidden_page = staff
            .get(&format!("/certificates/{}{path}", id_of(&licence)))
            .await;
        assert_eq!(hidden_page.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn a_status_change_without_a_reason_is_refused_under_its_field_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (_, [_, specialty, licence]) =
        licensed(&app, &c, "娜仁花", &citizen_id("19900412", 222)).await;
    let mut assessor = Visitor::new(&app);
    assessor.sign_in("assessor", PASSWORD).await;
    let path = format!("/certificates/{}", id_of(&specialty));
    let csrf = hidden(&assessor.get(&path).await.body, "csrf");

    let refused = assessor
        .post(
            &format!("{path}/suspend"),
            &[("csrf", &csrf), ("reason", "  ")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("id=\"suspend-reason-error\">请填写原因（1–200字）"),
        "{}",
        refused.body
    );
    assert_eq!(
        show(&app, &c.assessor, id_of(&specialty)).await["status"],
        "valid"
    );

    let done = assessor
        .post(
            &format!("{path}/suspend"),
            &[("csrf", &csrf), ("reason", "考核材料待复核")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some(path.as_str()));
    let page = assessor.get(&path).await.body;
    assert!(page.contains("已暂停") && page.contains("原因：考核材料待复核"));
    assert!(page.contains("id=\"reinstate\""), "the issuer may lift it");
    let licence_now = show(&app, &c.officer, id_of(&licence)).await;
    assert_eq!(licence_now["status"], "suspended", "its licence follows");

    // Revoking after a suspension lifted and a double revoke are told, not crashed.
    let lifted = assessor
        .post(
            &format!("{path}/reinstate"),
            &[("csrf", &csrf), ("reason", "复核无误")],
        )
        .await;
    assert_eq!(lifted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        show(&app, &c.officer, id_of(&licence)).await["status"],
        "valid"
    );
    for _ in 0..2 {
        let revoked = assessor
            .post(
                &format!("{path}/revoke"),
                &[("csrf", &csrf), ("reason", "考核舞弊")],
            )
            .await;
        assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    }
    let after = assessor
        .post(
            &format!("{path}/reinstate"),
            &[("csrf", &csrf), ("reason", "x")],
        )
        .await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    let page = assessor.get(&path).await.body;
    assert!(
        page.contains("不能执行此操作"),
        "a conflict is told: {page}"
    );
    assert_eq!(
        page.matches("<strong>撤销</strong>").count(),
        1,
        "revoked once"
    );
}

#[tokio::test]
async fn the_bureau_suspends_or_revokes_any_certificate_and_the_log_names_the_bureau() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (_, [completion, _, _]) = licensed(&app, &c, "娜仁花", &citizen_id("19900412", 222)).await;
    let id = id_of(&completion);

    // Over the API: suspend and revoke, not reinstate.
    let reason = json!({"reason": "伪造培训记录"});
    let (status, body) = app
        .post(
            &format!("/api/v1/certificates/{id}/suspend"),
            &c.bureau,
            reason.clone(),
        )
        .await;
    assert_eq!(
        (status, &body["status"]),
        (StatusCode::OK, &json!("suspended"))
    );
    let (status, _) = app
        .post(
            &format!("/api/v1/certificates/{id}/reinstate"),
            &c.bureau,
            reason.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, log) = app
        .get(&format!("/api/v1/audit?record_id={id}"), &c.bureau)
        .await;
    let last = log["items"]
        .as_array()
        .and_then(|l| l.last())
        .cloned()
        .expect("an entry");
    assert_eq!(last["action"], "certificate.suspend");
    assert_eq!(last["actor"], "bureau", "{last}");

    // On the page: the bureau revokes with a reason.
    let mut bureau = Visitor::new(&app);
    bureau.sign_in("bureau", PASSWORD).await;
    let path = format!("/certificates/{id}");
    let page = bureau.get(&path).await.body;
    assert!(!page.contains("id=\"reinstate\"") && !page.contains("id=\"supersede\""));
    let csrf = hidden(&page, "csrf");
    let refused = bureau
        .post(
            &format!("{path}/reinstate"),
            &[("csrf", &csrf), ("reason", "x")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let done = bureau
        .post(
            &format!("{path}/revoke"),
            &[("csrf", &csrf), ("reason", "伪造培训记录")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(show(&app, &c.staff, id).await["status"], "revoked");
}

#[tokio::test]
async fn a_licence_is_renewed_on_its_page_and_a_bad_date_is_shown_under_its_field() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (_, [_, _, licence]) = licensed(&app, &c, "娜仁花", &citizen_id("19900412", 222)).await;
    let mut officer = Visitor::new(&app);
    officer.sign_in("officer", PASSWORD).await;
    let path = format!("/certificates/{}", id_of(&licence));
    let csrf = hidden(&officer.get(&path).await.body, "csrf");

    let refused = officer
        .post(
            &format!("{path}/renewal"),
            &[
                ("csrf", &csrf),
                ("valid_until", "2028-01-01"),
                ("reason", "复审合格"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains(
            "id=\"renew-valid_until-error\">续期后的有效期截止日期须晚于原证书的截止日期"
        )
    );
    assert!(
        refused.body.contains("value=\"复审合格\""),
        "what was typed is kept"
    );

    let renewed = officer
        .post(
            &format!("{path}/renewal"),
            &[
                ("csrf", &csrf),
                ("valid_until", "2032-12-31"),
                ("reason", "复审合格"),
            ],
        )
        .await;
    assert_eq!(renewed.status, StatusCode::SEE_OTHER, "{}", renewed.body);
    let new_page = renewed.location.expect("to the new licence");
    assert_ne!(new_page, path);
    let page = officer.get(&new_page).await.body;
    assert!(
        page.contains("已续期") && page.contains("2032-12-31"),
        "{page}"
    );
    assert_eq!(
        show(&app, &c.officer, id_of(&licence)).await["status"],
        "superseded"
    );
}

#[tokio::test]
async fn the_task_list_links_a_licence_whose_grounds_fell_to_its_page() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (_, [_, specialty, licence]) =
        licensed(&app, &c, "娜仁花", &citizen_id("19900412", 222)).await;
    let (status, _) = app
        .post(
            &format!("/api/v1/certificates/{}/revoke", id_of(&specialty)),
            &c.assessor,
            json!({"reason": "考核舞弊"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut officer = Visitor::new(&app);
    officer.sign_in("officer", PASSWORD).await;
    let home = officer.get("/").await.body;
    let link = format!("href=\"/certificates/{}\"", id_of(&licence));
    assert!(home.contains(&link), "{home}");
    let page = officer
        .get(&format!("/certificates/{}", id_of(&licence)))
        .await
        .body;
    assert!(page.contains("因所依据的证书失效而暂停"), "{page}");
    assert!(page.contains(&format!("href=\"/certificates/{}\"", id_of(&specialty))));
}

/// The enrolment ids of the sheet's rows, in order.
fn rows_of(body: &str) -> Vec<String> {
    body.split("name=\"row\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn an_assessor_records_a_cohorts_sheet_at_once_and_issues_what_the_passes_earn() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    for (name, seq) in [("娜仁花", 222), ("巴特尔", 333)] {
        app.trainee(
            &c,
            &c.homestay_cohort,
            name,
            &citizen_id("19900412", seq),
            crate::certificates::passing(),
        )
        .await;
    }
    let (status, _) = app
        .post(
            &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
            &c.staff,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut assessor = Visitor::new(&app);
    assessor.sign_in("assessor", PASSWORD).await;
    let list = assessor.get("/assessments").await.body;
    assert!(
        list.contains("MS-2026-01") && list.contains("MD-2026-01"),
        "{list}"
    );

    let path = format!("/assessments/{}", c.homestay_cohort);
    let sheet = assessor.get(&path).await.body;
    let csrf = hidden(&sheet, "csrf");
    let rows = rows_of(&sheet);
    assert_eq!(rows.len(), 2, "{sheet}");
    let (first, second) = (&rows[0], &rows[1]);
    let post = |theory2: &'static str| {
        vec![
            ("csrf".to_owned(), csrf.clone()),
            ("assessed_on".to_owned(), "2026-06-25".to_owned()),
            ("examiners".to_owned(), "王建国、其木格、李红梅".to_owned()),
            ("row".to_owned(), first.clone()),
            (format!("theory-{first}"), "78".to_owned()),
            (format!("practical-{first}"), "84".to_owned()),
            ("row".to_owned(), second.clone()),
            (format!("theory-{second}"), theory2.to_owned()),
            (format!("practical-{second}"), "90".to_owned()),
        ]
    };

    // A score out of range refuses the whole sheet, under its cell; nothing is written.
    let bad = post("120");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let refused = assessor.post(&path, &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains(&format!("id=\"theory-{second}-error\">分数须在0–100之间")),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"王建国、其木格、李红梅\""),
        "kept"
    );
    assert_eq!(app.count("assessments").await, 0, "nothing half-written");

    let good = post("50");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let done = assessor.post(&path, &good).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(assessor.get(&path).await.body.contains("已登记 2 名学员"));
    let again = assessor.post(&path, &good).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(
        assessor
            .get(&path)
            .await
            .body
            .contains("另有 2 名此前已登记")
    );
    assert_eq!(app.count("assessments").await, 2, "a retry adds nothing");

    let issued = assessor
        .post(&format!("{path}/certificates"), &[("csrf", &csrf)])
        .await;
    assert_eq!(issued.status, StatusCode::OK);
    assert!(issued.body.contains("150784-ZX-"), "{}", issued.body);
    assert_eq!(
        issued.body.matches("href=\"/certificates/").count(),
        1,
        "the pass only"
    );
}

#[tokio::test]
async fn a_skill_level_sheet_shows_who_lacks_a_photo_and_the_report_says_why_not() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (enrolment, _) = app
        .trainee(
            &c,
            &c.pastry_cohort,
            "娜仁花",
            &citizen_id("19900412", 222),
            json!({"attended_hours": 118, "theory_score": 82, "practical_score": 88}),
        )
        .await;
    app.post(
        &format!("/api/v1/cohorts/{}/certificates", c.pastry_cohort),
        &c.staff,
        json!({}),
    )
    .await;
    app.assess(&c, &enrolment, Some("level4"), 75, 80).await;
    let mut assessor = Visitor::new(&app);
    assessor.sign_in("assessor", PASSWORD).await;
    let path = format!("/assessments/{}", c.pastry_cohort);
    let sheet = assessor.get(&path).await.body;
    assert!(sheet.contains("缺少照片"), "{sheet}");
    let issued = assessor
        .post(
            &format!("{path}/certificates"),
            &[("csrf", &hidden(&sheet, "csrf"))],
        )
        .await;
    assert!(
        issued
            .body
            .contains("未发证 — 职业技能等级证书须印有持证人照片"),
        "{}",
        issued.body
    );
    assert_eq!(app.count("certificates").await, 1, "the completion only");
}

/// A homestay trainee with completion and specialty certificates but no licence yet;
/// returns the enrolment id.
pub async fn specialised(
    app: &TestApp,
    c: &crate::certificates::Chain,
    name: &str,
    seq: u32,
) -> String {
    let (enrolment, _) = app
        .trainee(
            c,
            &c.homestay_cohort,
            name,
            &citizen_id("19900412", seq),
            crate::certificates::passing(),
        )
        .await;
    app.post(
        &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
        &c.staff,
        json!({}),
    )
    .await;
    let assessment = app.assess(c, &enrolment, None, 78, 84).await;
    let (status, specialty) = app
        .post(
            "/api/v1/certificates",
            &c.assessor,
            json!({"kind": "specialty", "enrolment_id": enrolment, "assessment_id": assessment}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{specialty}");
    enrolment
}

#[tokio::test]
async fn the_licensing_officer_sees_who_qualifies_and_licenses_several_at_once() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let first = specialised(&app, &c, "娜仁花", 222).await;
    let second = specialised(&app, &c, "巴特尔", 333).await;
    // A holder already licensed does not qualify again.
    licensed(&app, &c, "其木格", &citizen_id("19900412", 444)).await;
    let mut officer = Visitor::new(&app);
    officer.sign_in("officer", PASSWORD).await;
    let page = officer.get("/licences").await.body;
    assert_eq!(page.matches("name=\"enrolment\"").count(), 2, "{page}");
    assert!(page.contains("民宿经营接待从业资格证") && !page.contains("其*格"));
    let csrf = hidden(&page, "csrf");

    let refused = officer
        .post(
            "/licences",
            &[("csrf", &csrf), ("enrolment", &first), ("valid_until", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("id=\"valid_until-error\">请填写有效期截止日期")
    );
    assert_eq!(app.count("certificates").await, 7, "nothing issued");

    let done = officer
        .post(
            "/licences",
            &[
                ("csrf", &csrf),
                ("enrolment", &first),
                ("enrolment", &second),
                ("valid_until", "2029-12-31"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body.matches("150784-ZR-").count(), 2, "{}", done.body);
    assert!(
        done.body.contains("目前没有符合条件的持证人"),
        "both licensed"
    );
    assert_eq!(app.count("certificates").await, 9);
}
