//! No page runs one query per row: every list page runs the same number of SQL statements
//! for a cohort of 40 as for a cohort of 2 (and a training order of 40 hired trainees as
//! for one of 2) (the server counts them per request,
//! `statement_count_header`).

use reqwest::StatusCode;
use serde_json::json;

use crate::{
    certificates::{chain, passing},
    helpers::{PASSWORD, TestApp, citizen_id},
    visitor::Visitor,
};

/// `n` distinct two-character names.
fn names(n: usize) -> Vec<String> {
    let family = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄"];
    let given = ["明", "华", "兰", "军", "芳"];
    family
        .iter()
        .flat_map(|f| given.iter().map(move |g| format!("{f}{g}")))
        .take(n)
        .collect()
}

/// A chain with `n` trainees in the homestay cohort, each with results, a completion
/// certificate, a passed assessment and a specialty certificate (so each qualifies for a
/// licence); answers each list page with the statements it ran.
async fn statements_with(n: usize) -> Vec<(String, u32)> {
    let app = TestApp::spawn_with(|c| c.statement_count_header = true).await;
    let c = chain(&app).await;
    let mut enrolments = Vec::new();
    for (i, name) in names(n).iter().enumerate() {
        let id = citizen_id("19900412", 300 + i as u32);
        let (enrolment, _) = app
            .trainee(&c, &c.homestay_cohort, name, &id, passing())
            .await;
        enrolments.push(enrolment);
    }
    let (status, _) = app
        .post(
            &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
            &c.staff,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for enrolment in &enrolments {
        let assessment = app.assess(&c, enrolment, None, 80, 80).await;
        let (status, body) = app
            .post(
                "/api/v1/certificates",
                &c.assessor,
                json!({"kind": "specialty", "enrolment_id": enrolment, "assessment_id": assessment}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // A training order fulfilled by the cohort, with every trainee hired.
    let employer = app
        .organisation(&c.bureau, "employer", "额尔古纳市湿地民宿有限公司")
        .await;
    let hotel = app
        .account("hotel", registry::access::Role::Employer, Some(&employer))
        .await;
    let deadline = app.clock.now().today + chrono::Duration::days(60);
    let (_, order) = app
        .post(
            "/api/v1/orders",
            &hotel,
            json!({"title": "民宿接待员订单班", "standard_code": "150784-MSZLR",
                   "trainees_wanted": n, "hire_commitment": n, "deadline": deadline,
                   "posts": [{"title": "民宿前台接待", "monthly_pay": "4500", "headcount": n}]}),
        )
        .await;
    let order_id = order["id"].as_str().expect("order").to_owned();
    let post_id = order["posts"][0]["id"].as_str().expect("post").to_owned();
    let (_, me) = app.get("/api/v1/auth/me", &c.staff).await;
    for (token, step, body) in [
        (&hotel, "submit", json!(null)),
        (&hotel, "posts/confirm", json!(null)),
        (
            &c.bureau,
            "assign",
            json!({"provider_id": me["organisation_id"], "training_fee": "30000"}),
        ),
        (&c.staff, "cohorts", json!({"cohort_id": c.homestay_cohort})),
    ] {
        let (status, body) = app
            .post(&format!("/api/v1/orders/{order_id}/{step}"), token, body)
            .await;
        assert_eq!(status, StatusCode::OK, "{step}: {body}");
    }
    let (_, progress) = app
        .get(&format!("/api/v1/orders/{order_id}/progress"), &hotel)
        .await;
    for t in progress["trainees"].as_array().expect("trainees") {
        let (status, body) = app
            .post(
                &format!("/api/v1/orders/{order_id}/hires"),
                &hotel,
                json!({"person_id": t["person_id"], "post_id": post_id, "hired_on": app.clock.now().today}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // An apprenticeship agreement with every apprentice's milestone met, the ledger booked.
    let today = app.clock.now().today;
    let months = |n: u32| {
        today
            .checked_add_months(chrono::Months::new(n))
            .expect("date")
    };
    let (_, agreement) = app
        .post(
            "/api/v1/apprenticeships",
            &hotel,
            json!({"provider_id": me["organisation_id"], "occupation_code": "4-03-02-02",
                   "target_level": "level4", "starts_on": today, "ends_on": months(12),
                   "modules": [{"title": "烤饼原料与发酵", "theory_hours": 40, "practice_hours": 80}],
                   "milestones": [{"title": "独立完成和面发酵", "due_on": today}]}),
        )
        .await;
    let agreement_id = agreement["id"].as_str().expect("agreement").to_owned();
    let milestone = agreement["milestones"][0]["id"]
        .as_str()
        .expect("milestone")
        .to_owned();
    for (token, step) in [(&hotel, "submit"), (&c.bureau, "file")] {
        let path = format!("/api/v1/apprenticeships/{agreement_id}/{step}");
        let (status, body) = app.post(&path, token, json!(null)).await;
        assert_eq!(status, StatusCode::OK, "{step}: {body}");
    }
    for (i, name) in names(n).iter().enumerate() {
        let path = format!("/api/v1/apprenticeships/{agreement_id}/apprentices");
        let (status, body) = app
            .post(
                &path,
                &hotel,
                json!({"name": name, "citizen_id": citizen_id("19920101", 300 + i as u32),
                       "contract_starts_on": today, "contract_ends_on": months(24),
                       "mentor": {"name": "王师傅", "post": "主管", "skill_level": "level2"},
                       "teacher": {"name": "刘老师"}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let done = format!(
            "{path}/{}/milestones/{milestone}",
            body["id"].as_str().expect("id")
        );
        let (status, body) = app
            .post(&done, &c.staff, json!({"completed_on": today}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let rate = format!(
        "/api/v1/apprenticeships/rates/150784/{}/level4",
        today.format("%Y")
    );
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            &rate,
            Some(&c.bureau),
            Some(json!({"yearly_amount": "5000", "advance_share_percent": 50})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .post(
            "/api/v1/apprenticeships/ledger/generate",
            &c.bureau,
            json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let agreement = format!("/apprenticeships/{agreement_id}");
    let order = format!("/orders/{order_id}");
    let cohort = format!("/cohorts/{}", c.homestay_cohort);
    let sheet = format!("/assessments/{}", c.homestay_cohort);
    let results = format!("{cohort}/results.xlsx");
    let printed = format!("{cohort}/certificates.pdf");
    let pages: [(&str, Vec<&str>); 5] = [
        (
            "staff",
            vec![
                "/",
                "/cohorts",
                &cohort,
                &results,
                &printed,
                "/orders",
                &order,
                "/apprenticeships",
                &agreement,
            ],
        ),
        ("assessor", vec!["/", "/assessments", &sheet]),
        ("officer", vec!["/", "/licences"]),
        (
            "bureau",
            vec![
                "/",
                "/audit",
                "/organisations",
                "/accounts",
                "/orders",
                &order,
                "/apprenticeships",
                &agreement,
                "/apprenticeships/ledger",
            ],
        ),
        (
            "hotel",
            vec![
                "/",
                "/orders",
                &order,
                "/apprenticeships",
                &agreement,
                "/apprenticeships/ledger",
            ],
        ),
    ];
    let mut counted = Vec::new();
    for (login, paths) in pages {
        let mut visitor = Visitor::new(&app);
        visitor.sign_in(login, PASSWORD).await;
        for path in paths {
            let page = visitor.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{login} {path}: {}", page.body);
            let label = format!(
                "{login} {}",
                path.replace(&c.homestay_cohort, "{cohort}")
                    .replace(&order_id, "{order}")
                    .replace(&agreement_id, "{agreement}")
            );
            counted.push((label, page.statements.expect("the statement count")));
        }
    }
    counted
}

#[tokio::test]
async fn every_list_page_runs_as_many_statements_for_40_rows_as_for_2() {
    let few = statements_with(2).await;
    let many = statements_with(40).await;
    assert_eq!(few, many, "statements per page, 2 rows vs 40 rows");
}
