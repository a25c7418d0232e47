//! Sheets of a large cohort come in pages: every trainee can be reached, and saving a
//! page keeps the reader on it.

use reqwest::StatusCode;
use serde_json::json;

use crate::{
    certificates::{Chain, chain},
    helpers::{PASSWORD, TestApp, citizen_id},
    imports::upload,
    visitor::{Visitor, hidden},
};

/// A cohort of the homestay program, assessed by the chain's evaluation organisation,
/// with `n` trainees enrolled from one roster.
pub async fn large_cohort(app: &TestApp, c: &Chain, n: u32) -> String {
    let (_, model) = app
        .get(&format!("/api/v1/cohorts/{}", c.homestay_cohort), &c.staff)
        .await;
    let (status, cohort) = app
        .post(
            "/api/v1/cohorts",
            &c.staff,
            json!({"program_id": model["program_id"], "code": "MS-2026-09", "starts_on": "2026-05-06",
                   "ends_on": "2026-06-20", "capacity": n, "location": "拉布大林街道",
                   "evaluation_org_id": model["evaluation_org_id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cohort}");
    let id = cohort["id"].as_str().expect("id").to_owned();
    const NAMES: [&str; 4] = ["娜仁花", "巴特尔", "王秀英", "其其格"];
    let mut csv = "姓名,身份证号\n".to_owned();
    for i in 0..n {
        let name = NAMES[i as usize % NAMES.len()];
        csv.push_str(&format!("{name},{}\n", citizen_id("19900412", 100 + i)));
    }
    let (status, report) = upload(app, &c.staff, &id, csv.into_bytes(), "名单.csv", false).await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    id
}

fn rows_of(body: &str) -> Vec<String> {
    body.split("name=\"row\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().expect("id").to_owned())
        .collect()
}

/// The `href` of the link labelled `label`.
fn link(body: &str, label: &str) -> Option<String> {
    let end = body.find(&format!("\">{label}</a>"))?;
    let start = body[..end].rfind("href=\"")? + "href=\"".len();
    Some(body[start..end].replace("&amp;", "&"))
}

#[tokio::test]
async fn the_assessment_sheet_of_105_trainees_comes_in_two_pages_and_saving_stays_on_the_page() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let cohort = large_cohort(&app, &c, 105).await;
    let mut assessor = Visitor::new(&app);
    assessor.sign_in("assessor", PASSWORD).await;
    let first = assessor.get(&format!("/assessments/{cohort}")).await.body;
    assert_eq!(rows_of(&first).len(), 100);
    let next = link(&first, "下一页").expect("a next page");
    let second = assessor.get(&next).await.body;
    let rows = rows_of(&second);
    assert_eq!(rows.len(), 5, "{second}");
    assert!(link(&second, "下一页").is_none() && link(&second, "第一页").is_some());
    let cursor = hidden(&second, "cursor");
    let csrf = hidden(&second, "csrf");
    let (theory, practical) = (
        format!("theory-{}", rows[0]),
        format!("practical-{}", rows[0]),
    );
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("cursor", cursor.as_str()),
        ("assessed_on", "2026-06-25"),
        ("examiners", "王建国、其木格、李红梅"),
    ];
    for row in &rows {
        form.push(("row", row));
    }
    form.extend([(theory.as_str(), "80"), (practical.as_str(), "75")]);
    let saved = assessor
        .post(&format!("/assessments/{cohort}"), &form)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location.as_deref(), Some(next.as_str()));
    assert_eq!(app.count("assessments").await, 1);
}

#[tokio::test]
async fn the_cohort_page_of_205_trainees_reaches_everyone_and_saving_stays_on_the_page() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let cohort = large_cohort(&app, &c, 205).await;
    let mut staff = Visitor::new(&app);
    staff.sign_in("staff", PASSWORD).await;
    let results = |body: &str| -> Vec<String> {
        body.split("name=\"rows.")
            .skip(1)
            .filter_map(|rest| rest.split_once(".hours\"").map(|(id, _)| id.to_owned()))
            .collect()
    };
    let mut seen = Vec::new();
    let mut page = staff.get(&format!("/cohorts/{cohort}")).await.body;
    assert!(
        page.contains("在读 205/205 人"),
        "the counts are the cohort's"
    );
    loop {
        seen.extend(results(&page));
        match link(&page, "下一页") {
            Some(next) => page = staff.get(&next).await.body,
            None => break,
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 205, "every trainee on some page, none twice");

    // The last page (5 trainees): saving one row returns to that page.
    let cursor = hidden(&page, "cursor");
    let csrf = hidden(&page, "csrf");
    let row = results(&page)[0].clone();
    let (hours, theory, practical) = (
        format!("rows.{row}.hours"),
        format!("rows.{row}.theory"),
        format!("rows.{row}.practical"),
    );
    let saved = staff
        .post(
            &format!("/cohorts/{cohort}/results"),
            &[
                ("csrf", csrf.as_str()),
                ("cursor", cursor.as_str()),
                (hours.as_str(), "96"),
                (theory.as_str(), "82"),
                (practical.as_str(), "88"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let back = saved.location.expect("back to the page");
    assert!(
        back.contains("cursor=") && back.ends_with("#results"),
        "{back}"
    );
    let again = staff.get(back.trim_end_matches("#results")).await.body;
    assert!(again.contains("已保存1名学员的成绩"), "{again}");
}
