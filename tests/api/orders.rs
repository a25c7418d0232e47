//! Training orders (issue 14): an employer's order from draft to fulfilled with hires and
//! the funding figures worked out by hand; posts first; a missed deadline; tenants apart;
//! trainees masked for the employer; every change audited.

use chrono::{Duration, Months, NaiveDate};
use registry::access::Role;
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{
    certificates::{Chain, chain, passing},
    helpers::{PASSWORD, TestApp, citizen_id},
};

pub(crate) struct Setup {
    pub(crate) c: Chain,
    pub(crate) employer: String,
    pub(crate) provider_id: String,
}

pub(crate) async fn setup(app: &TestApp) -> Setup {
    let c = chain(app).await;
    let employer_org = app
        .organisation(&c.bureau, "employer", "额尔古纳市湿地民宿有限公司")
        .await;
    let employer = app
        .account("employer", Role::Employer, Some(&employer_org))
        .await;
    let (status, org) = app
        .patch(
            &format!("/api/v1/organisations/{employer_org}"),
            &c.bureau,
            json!({"address": "拉布大林街道湿地路8号", "contact_phone": "13904701234"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{org}");
    let (_, me) = app.get("/api/v1/auth/me", &c.staff).await;
    let provider_id = me["organisation_id"].as_str().expect("provider").to_owned();
    Setup {
        c,
        employer,
        provider_id,
    }
}

/// Moves the clock on and signs everyone in again (tokens expire meanwhile).
async fn advance(app: &TestApp, s: &mut Setup, days: i64) {
    app.clock.advance(Duration::days(days));
    s.employer = app.login("employer", PASSWORD).await;
    s.c.bureau = app.login("bureau", PASSWORD).await;
    s.c.staff = app.login("staff", PASSWORD).await;
}

fn today(app: &TestApp) -> NaiveDate {
    app.clock.now().today
}

/// A submitted homestay order of `wanted` trainees, due `days` from today.
pub(crate) async fn submitted_order(app: &TestApp, s: &Setup, wanted: u32, days: i64) -> String {
    let deadline = today(app) + Duration::days(days);
    let (status, order) = app
        .post(
            "/api/v1/orders",
            &s.employer,
            json!({"title": "2027年旺季民宿接待员订单班", "standard_code": "150784-MSZLR",
                   "trainees_wanted": wanted, "hire_commitment": wanted.min(4), "deadline": deadline,
                   "notes": "旺季前到岗",
                   "posts": [{"title": "民宿前台接待", "monthly_pay": "4500", "headcount": 3, "place": "拉布大林"},
                             {"title": "民宿管家", "monthly_pay": "5200.50", "headcount": 2, "place": "黑山头镇"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["status"], "draft");
    assert_eq!(order["hire_certificate_kind"], "completion");
    assert_eq!(order["posts"][1]["monthly_pay"], "5200.50");
    let id = order["id"].as_str().expect("id").to_owned();
    let (status, order) = app
        .post(
            &format!("/api/v1/orders/{id}/submit"),
            &s.employer,
            json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{order}");
    assert_eq!(order["status"], "submitted");
    id
}

pub(crate) async fn assign(app: &TestApp, s: &Setup, id: &str, fee: &str) {
    let (status, order) = app
        .post(
            &format!("/api/v1/orders/{id}/assign"),
            &s.c.bureau,
            json!({"provider_id": s.provider_id, "training_fee": fee}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{order}");
    assert_eq!(order["status"], "assigned");
}

async fn confirm_and_link(app: &TestApp, s: &Setup, id: &str) {
    let (status, order) = app
        .post(
            &format!("/api/v1/orders/{id}/posts/confirm"),
            &s.employer,
            json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{order}");
    assert!(order["posts_confirmed_at"].is_string());
    let (status, order) = app
        .post(
            &format!("/api/v1/orders/{id}/cohorts"),
            &s.c.staff,
            json!({"cohort_id": s.c.homestay_cohort}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{order}");
    assert_eq!(order["status"], "in_training");
}

const NAMES: [&str; 5] = ["张小三", "李四海", "王芳芳", "赵云飞", "孙丽娜"];

/// Enrols `n` passing trainees in the homestay cohort and issues their completion
/// certificates; returns (person id, citizen ID) of each.
async fn certified(app: &TestApp, c: &Chain, n: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, name) in NAMES.iter().take(n).enumerate() {
        let id = citizen_id("19950412", 11 + 2 * i as u32);
        let (_, person) = app
            .trainee(c, &c.homestay_cohort, name, &id, passing())
            .await;
        out.push((person, id));
    }
    let (status, report) = app
        .post(
            &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
            &c.staff,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    out
}

async fn hire(app: &TestApp, token: &str, order: &str, body: Value) -> Value {
    let (status, hire) = app
        .post(&format!("/api/v1/orders/{order}/hires"), token, body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hire}");
    hire
}

#[tokio::test]
async fn an_order_goes_from_draft_to_fulfilled_and_its_funding_follows_the_rule_worked_by_hand() {
    let app = TestApp::spawn().await;
    let mut s = setup(&app).await;
    let id = submitted_order(&app, &s, 5, 60).await;

    // The provider sees the posts and pay, not the employer's contact details, until assigned.
    let (status, seen) = app.get(&format!("/api/v1/orders/{id}"), &s.c.staff).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["posts"][0]["monthly_pay"], "4500.00");
    assert_eq!(seen["employer"]["contact_phone"], Value::Null);
    assert_eq!(seen["employer"]["address"], Value::Null);
    let (status, _) = app
        .post(
            &format!("/api/v1/orders/{id}/offers"),
            &s.c.staff,
            json!({"note": "可于五月开班"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The bureau sees the fitting provider and its offer beside the open order.
    let (_, open) = app.get(&format!("/api/v1/orders/{id}"), &s.c.bureau).await;
    assert_eq!(open["candidates"][0]["provider_id"], s.provider_id.as_str());
    assert_eq!(open["candidates"][0]["programs"], json!(["民宿主理人培训"]));
    assert_eq!(open["offers"][0]["provider_id"], s.provider_id.as_str());

    // 123,456.78 yuan = 12,345,678 fen.
    assign(&app, &s, &id, "123456.78").await;
    let (_, seen) = app.get(&format!("/api/v1/orders/{id}"), &s.c.staff).await;
    assert_eq!(seen["employer"]["contact_phone"], "13904701234");
    assert_eq!(seen["training_fee"], "123456.78");

    // A cohort of another occupation's program does not fit.
    app.post(
        &format!("/api/v1/orders/{id}/posts/confirm"),
        &s.employer,
        json!(null),
    )
    .await;
    let (status, refused) = app
        .post(
            &format!("/api/v1/orders/{id}/cohorts"),
            &s.c.staff,
            json!({"cohort_id": s.c.pastry_cohort}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["fields"][0]["reason"], "program_mismatch");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("专项能力标准不符")
    );
    confirm_and_link(&app, &s, &id).await;

    let people = certified(&app, &s.c, 5).await;
    let (_, posts) = app.get(&format!("/api/v1/orders/{id}"), &s.employer).await;
    let front_desk = posts["posts"][0]["id"].as_str().unwrap().to_owned();
    let housekeeping = posts["posts"][1]["id"].as_str().unwrap().to_owned();
    let hired_on = today(&app);
    let mut own = Vec::new();
    for (i, (person, _)) in people[..4].iter().enumerate() {
        // The front desk holds three; the fourth is refused there and hired for the other post.
        let post = if i < 3 { &front_desk } else { &housekeeping };
        if i == 3 {
            let (status, full) = app
                .post(
                    &format!("/api/v1/orders/{id}/hires"),
                    &s.employer,
                    json!({"person_id": person, "post_id": front_desk, "hired_on": hired_on}),
                )
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{full}");
            assert_eq!(full["fields"][0]["reason"], "post_full");
            assert_eq!(full["fields"][0]["message"], "岗位“民宿前台接待”已录满3人");
        }
        let h = hire(
            &app,
            &s.employer,
            &id,
            json!({"person_id": person, "post_id": post, "hired_on": hired_on}),
        )
        .await;
        assert_eq!(h["employment"], "own");
        own.push(h["id"].as_str().unwrap().to_owned());
    }
    // The same hire sent again is answered, not recorded twice.
    let (status, _) = app
        .post(
            &format!("/api/v1/orders/{id}/hires"),
            &s.employer,
            json!({"person_id": people[0].0, "post_id": front_desk, "hired_on": hired_on}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let other = hire(&app, &s.c.staff, &id,
        json!({"person_id": people[4].0, "other_employer_name": "额尔古纳市白桦林酒店", "hired_on": hired_on})).await;
    assert_eq!(other["employment"], "other_employer");

    // The employer sees progress with its trainees masked, never an ID in full.
    let (status, progress) = app
        .get(&format!("/api/v1/orders/{id}/progress"), &s.employer)
        .await;
    assert_eq!(status, StatusCode::OK, "{progress}");
    assert_eq!(
        (
            progress["enrolled"].as_u64(),
            progress["completed"].as_u64(),
            progress["hired_own"].as_u64(),
            progress["hired_other_employer"].as_u64()
        ),
        (Some(5), Some(5), Some(4), Some(1))
    );
    assert_eq!(
        progress["certified"],
        json!([{"kind": "completion", "label": "结业证书", "count": 5}])
    );
    let text = progress.to_string();
    for (_, full) in &people {
        assert!(!text.contains(full.as_str()), "an ID in full: {text}");
    }
    let zhang = progress["trainees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["person_id"] == people[0].0.as_str())
        .expect("张小三");
    assert_eq!(zhang["name"], "张*三");
    assert_eq!(
        zhang["citizen_id"],
        format!("150784********{}", &people[0].1[14..])
    );
    assert_eq!(zhang["certificates"][0]["status"], "valid");
    // The control: the provider that enrolled them sees the names in full.
    let (_, theirs) = app
        .get(&format!("/api/v1/orders/{id}/progress"), &s.c.staff)
        .await;
    assert!(theirs.to_string().contains("张小三"));

    // On assignment 70 % is due: 12,345,678 × 70 / 100 = 8,641,974 fen (rounded down).
    let funding_url = format!("/api/v1/orders/{id}/funding");
    let (status, f) = app.get(&funding_url, &s.c.bureau).await;
    assert_eq!(status, StatusCode::OK, "{f}");
    assert_eq!(
        (
            f["on_assignment"]["amount"].as_str(),
            f["on_outcome"]["amount"].as_str()
        ),
        (Some("86419.74"), Some("37037.03"))
    ); // 12,345,678 × 30 / 100 = 3,703,703
    assert_eq!(f["on_outcome"]["due"], false);
    assert_eq!(
        (f["due"].as_str(), f["outstanding"].as_str()),
        (Some("86419.74"), Some("86419.74"))
    );
    let pay = |tranche: &str, amount: &str| json!({"tranche": tranche, "amount": amount, "paid_on": today(&app), "note": "国库集中支付"});
    let (status, f) = app
        .post(
            &format!("/api/v1/orders/{id}/payments"),
            &s.c.bureau,
            pay("assignment", "86419.74"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{f}");
    assert_eq!(f["outstanding"], "0.00");
    let (status, early) = app
        .post(
            &format!("/api/v1/orders/{id}/payments"),
            &s.c.bureau,
            pay("outcome", "37037.03"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{early}");
    assert_eq!(early["fields"][0]["reason"], "more_than_due");

    // One own hire leaves after a month; three months on, 3 own + 1 elsewhere = 4 of 5
    // trainees employed = 80 %, the threshold (ceil(5 × 80 / 100) = 4).
    advance(&app, &mut s, 40).await;
    let left_on = hired_on + Duration::days(30);
    let (status, left) = app
        .post(
            &format!("/api/v1/orders/{id}/hires/{}/departure", own[3]),
            &s.employer,
            json!({"left_on": left_on}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{left}");
    assert_eq!(left["left_on"], left_on.to_string());
    let (_, f) = app.get(&funding_url, &s.c.bureau).await;
    assert_eq!(f["on_outcome"]["due"], false, "not three months yet: {f}");
    advance(&app, &mut s, 60).await;
    let mark = hired_on.checked_add_months(Months::new(3)).unwrap();
    let (_, f) = app.get(&funding_url, &s.employer).await;
    assert_eq!(f["outcome_grounds"]["trainees"], 5);
    assert_eq!(f["outcome_grounds"]["required"], 4);
    assert_eq!(f["outcome_grounds"]["employed_own"], 3);
    assert_eq!(f["outcome_grounds"]["employed_other_employer"], 1);
    assert_eq!(f["outcome_grounds"]["reached_on"], mark.to_string());
    assert_eq!(f["on_outcome"]["due"], true);
    assert_eq!(f["on_outcome"]["due_on"], mark.to_string());
    assert_eq!(
        (
            f["due"].as_str(),
            f["paid"].as_str(),
            f["outstanding"].as_str()
        ),
        (Some("123456.77"), Some("86419.74"), Some("37037.03"))
    );
    let (status, f) = app
        .post(
            &format!("/api/v1/orders/{id}/payments"),
            &s.c.bureau,
            pay("outcome", "37037.03"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{f}");
    assert_eq!(
        (f["paid"].as_str(), f["outstanding"].as_str()),
        (Some("123456.77"), Some("0.00"))
    );
    let (_, progress) = app
        .get(&format!("/api/v1/orders/{id}/progress"), &s.employer)
        .await;
    assert_eq!(
        (
            progress["months"].as_u64(),
            progress["still_employed_own"].as_u64(),
            progress["still_employed_other_employer"].as_u64()
        ),
        (Some(3), Some(3), Some(1))
    );

    let (status, closed) = app
        .post(
            &format!("/api/v1/orders/{id}/close"),
            &s.c.bureau,
            json!({"outcome": "fulfilled"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(
        (closed["status"].as_str(), closed["outcome"].as_str()),
        (Some("closed"), Some("fulfilled"))
    );

    // Every change is in the audit log, in order.
    let rows = app
        .db
        .read
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.backend(),
            format!("SELECT action FROM audit_log WHERE record_id = '{id}' ORDER BY seq"),
        ))
        .await
        .unwrap();
    let actions: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "action").unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "order.create",
            "order.submit",
            "order.offer",
            "order.assign",
            "order.confirm_posts",
            "order.link_cohort",
            "order.hire",
            "order.hire",
            "order.hire",
            "order.hire",
            "order.hire",
            "order.payment",
            "order.departure",
            "order.payment",
            "order.close",
        ]
    );
}

#[tokio::test]
async fn a_cohort_is_refused_for_an_order_whose_posts_are_not_confirmed() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let id = submitted_order(&app, &s, 5, 60).await;
    let link = json!({"cohort_id": s.c.homestay_cohort});
    // Not assigned to it yet: only the assigned provider links cohorts.
    let (status, refused) = app
        .post(
            &format!("/api/v1/orders/{id}/cohorts"),
            &s.c.staff,
            link.clone(),
        )
        .await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (StatusCode::CONFLICT, Some("not_assigned"))
    );
    assign(&app, &s, &id, "50000").await;
    let (status, refused) = app
        .post(
            &format!("/api/v1/orders/{id}/cohorts"),
            &s.c.staff,
            link.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["error"], "posts_not_confirmed");
    assert_eq!(
        refused["message"],
        "用人单位确认岗位后才能关联班次（岗位前置）"
    );
    let (_, order) = app.get(&format!("/api/v1/orders/{id}"), &s.c.staff).await;
    assert_eq!(order["status"], "assigned");
    assert_eq!(app.count("order_cohorts").await, 0);
    confirm_and_link(&app, &s, &id).await;
}

#[tokio::test]
async fn an_order_past_its_deadline_is_on_the_task_lists_until_the_bureau_closes_it_not_fulfilled()
{
    let app = TestApp::spawn().await;
    let mut s = setup(&app).await;
    let id = submitted_order(&app, &s, 5, 10).await;
    assign(&app, &s, &id, "50000").await;
    confirm_and_link(&app, &s, &id).await;
    certified(&app, &s.c, 2).await;
    let overdue = async |token: &str| {
        let (status, tasks) = app.get("/api/v1/tasks", token).await;
        assert_eq!(status, StatusCode::OK, "{tasks}");
        tasks["orders_overdue"].clone()
    };
    assert_eq!(overdue(&s.c.bureau).await["total"], 0);
    advance(&app, &mut s, 11).await;
    let mut bureau = crate::visitor::Visitor::new(&app);
    bureau.sign_in("bureau", crate::helpers::PASSWORD).await;
    let home = bureau.get("/").await.body;
    assert!(
        home.contains("已过截止日期的培训订单") && home.contains("已取证 2/"),
        "{home}"
    );
    for token in [&s.c.bureau, &s.c.staff] {
        let section = overdue(token).await;
        assert_eq!(section["total"], 1, "{section}");
        assert_eq!(section["items"][0]["order_id"], id.as_str());
        assert_eq!(section["items"][0]["certified"], 2);
        assert_eq!(section["items"][0]["trainees_wanted"], 5);
    }
    assert_eq!(
        overdue(&s.employer).await,
        Value::Null,
        "not an employer's section"
    );

    let close = format!("/api/v1/orders/{id}/close");
    let (status, refused) = app
        .post(&close, &s.c.bureau, json!({"outcome": "fulfilled"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["fields"][0]["reason"], "not_enough_certified");
    let (status, refused) = app
        .post(&close, &s.c.bureau, json!({"outcome": "not_fulfilled"}))
        .await;
    assert_eq!(
        (status, refused["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
    );
    let reason = "期限内仅2人取得结业证书，少于订单要求的5人";
    let (status, closed) = app
        .post(
            &close,
            &s.c.bureau,
            json!({"outcome": "not_fulfilled", "reason": reason}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(
        (closed["outcome"].as_str(), closed["close_reason"].as_str()),
        (Some("not_fulfilled"), Some(reason))
    );
    // Closing again the same way answers the order; the other way is a conflict.
    let (status, _) = app
        .post(
            &close,
            &s.c.bureau,
            json!({"outcome": "not_fulfilled", "reason": reason}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .post(&close, &s.c.bureau, json!({"outcome": "fulfilled"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(overdue(&s.c.bureau).await["total"], 0);
    assert_eq!(overdue(&s.c.staff).await["total"], 0);
}

#[tokio::test]
async fn another_employer_finds_no_such_order_and_a_draft_is_the_employers_own() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let other_org = app
        .organisation(&s.c.bureau, "employer", "额尔古纳市草原牧歌酒店")
        .await;
    let other = app
        .account("other-employer", Role::Employer, Some(&other_org))
        .await;
    let deadline = today(&app) + Duration::days(30);
    let (_, draft) = app
        .post(
            "/api/v1/orders",
            &s.employer,
            json!({"title": "面点师订单班", "occupation_code": "4-03-02-02", "trainees_wanted": 3,
                     "hire_commitment": 2, "deadline": deadline,
                     "posts": [{"title": "面点师", "monthly_pay": "5000", "headcount": 2}]}),
        )
        .await;
    let draft = draft["id"].as_str().expect("id").to_owned();
    // The employer's home lists its own orders, and no one else's.
    let mut own = crate::visitor::Visitor::new(&app);
    own.sign_in("employer", PASSWORD).await;
    let home = own.get("/").await.body;
    assert!(
        home.contains("本单位的培训订单") && home.contains("面点师订单班"),
        "{home}"
    );
    let mut stranger = crate::visitor::Visitor::new(&app);
    stranger.sign_in("other-employer", PASSWORD).await;
    assert!(!stranger.get("/").await.body.contains("面点师订单班"));
    for token in [&s.c.bureau, &s.c.staff, &other] {
        let (status, _) = app.get(&format!("/api/v1/orders/{draft}"), token).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "a draft is the employer's own"
        );
    }
    let id = submitted_order(&app, &s, 5, 60).await;
    for path in [
        format!("/api/v1/orders/{id}"),
        format!("/api/v1/orders/{id}/progress"),
    ] {
        let (status, body) = app.get(&path, &other).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    let (status, _) = app
        .call(Method::PATCH, &format!("/api/v1/orders/{draft}"), Some(&other),
              Some(json!({"title": "x", "occupation_code": "4-03-02-02", "trainees_wanted": 1, "hire_commitment": 1, "deadline": deadline})))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.get("/api/v1/orders", &other).await;
    assert_eq!(list["items"], json!([]));
    let (_, list) = app.get("/api/v1/orders", &s.employer).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2));
    // A submitted order no longer changes.
    let (status, body) = app
        .call(Method::PATCH, &format!("/api/v1/orders/{id}"), Some(&s.employer),
              Some(json!({"title": "x", "occupation_code": "4-03-02-02", "trainees_wanted": 1, "hire_commitment": 1, "deadline": deadline})))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("order_status"))
    );
}

#[tokio::test]
async fn the_funding_rules_are_seeded_and_the_bureau_edits_them() {
    let app = TestApp::spawn().await;
    let bureau = app.bureau().await;
    let (status, rules) = app.get("/api/v1/order-funding-rules", &bureau).await;
    assert_eq!(status, StatusCode::OK, "{rules}");
    assert!(rules.as_array().unwrap().contains(&json!({"city_code": "150784", "year": 2026,
        "assignment_share_percent": 70, "outcome_share_percent": 30, "outcome_threshold_percent": 80, "months_employed": 3})));
    let url = "/api/v1/order-funding-rules/150784/2028";
    let (status, refused) = app
        .call(
            Method::PUT,
            url,
            Some(&bureau),
            Some(
                json!({"assignment_share_percent": 80, "outcome_share_percent": 30,
            "outcome_threshold_percent": 0, "months_employed": 6}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let mut fields: Vec<&str> = refused["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        ["outcome_share_percent", "outcome_threshold_percent"]
    );
    let (status, rule) = app
        .call(
            Method::PUT,
            url,
            Some(&bureau),
            Some(
                json!({"assignment_share_percent": 60, "outcome_share_percent": 40,
            "outcome_threshold_percent": 75, "months_employed": 6}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rule}");
    assert_eq!(rule["months_employed"], 6);
    assert_eq!(app.count("order_funding_rules").await, 4);
    let (_, log) = app
        .get("/api/v1/audit?record_type=order_funding_rule", &bureau)
        .await;
    assert!(log.to_string().contains("150784/2028"), "{log}");
    // Shares that overflow a machine word are refused, not a crash.
    let (status, _) = app
        .call(
            Method::PUT,
            url,
            Some(&bureau),
            Some(
                json!({"assignment_share_percent": 4294967295u64, "outcome_share_percent": 1,
            "outcome_threshold_percent": 80, "months_employed": 3}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn four_identical_assignments_at_once_assign_once() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let id = submitted_order(&app, &s, 5, 60).await;
    let url = format!("/api/v1/orders/{id}/assign");
    let body = json!({"provider_id": s.provider_id, "training_fee": "80000"});
    let (a, b, c, d) = tokio::join!(
        app.post(&url, &s.c.bureau, body.clone()),
        app.post(&url, &s.c.bureau, body.clone()),
        app.post(&url, &s.c.bureau, body.clone()),
        app.post(&url, &s.c.bureau, body.clone()),
    );
    for (status, order) in [a, b, c, d] {
        assert_eq!(status, StatusCode::OK, "{order}");
        assert_eq!(order["status"], "assigned");
    }
    let rows = app
        .db
        .read
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.backend(),
            format!(
                "SELECT action FROM audit_log WHERE record_id = '{id}' AND action = 'order.assign'"
            ),
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
}

/// The SQL statements a GET ran (the server counts them when configured to).
async fn statements(app: &TestApp, path: &str, token: &str) -> u32 {
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.headers()["x-db-statements"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Each role's order list and an order's progress, with `n` orders and `n` trainees.
async fn order_statements(n: usize) -> Vec<u32> {
    let app = TestApp::spawn_with(|c| c.statement_count_header = true).await;
    let s = setup(&app).await;
    let mut ids = Vec::new();
    for _ in 0..n {
        ids.push(submitted_order(&app, &s, 5, 60).await);
        app.post(
            &format!("/api/v1/orders/{}/offers", ids.last().unwrap()),
            &s.c.staff,
            json!({}),
        )
        .await;
    }
    assign(&app, &s, &ids[0], "50000").await;
    confirm_and_link(&app, &s, &ids[0]).await;
    certified(&app, &s.c, n).await;
    let progress = format!("/api/v1/orders/{}/progress", ids[0]);
    vec![
        statements(&app, "/api/v1/orders", &s.c.bureau).await,
        statements(&app, "/api/v1/orders", &s.employer).await,
        statements(&app, "/api/v1/orders", &s.c.staff).await,
        statements(&app, &progress, &s.employer).await,
        statements(&app, "/api/v1/tasks", &s.c.bureau).await,
    ]
}

#[tokio::test]
async fn order_lists_and_progress_run_as_many_statements_for_5_rows_as_for_2() {
    assert_eq!(order_statements(2).await, order_statements(5).await);
}
