//! Enterprise new-style apprenticeships (issue 15): an agreement filed by the bureau,
//! apprentices with both mentors, every refusal with its reason and nothing written, the
//! subsidy ledger of a year in which one apprentice leaves early worked out by hand, a
//! closed period untouched by a late correction, tenants apart, every change audited.

use chrono::{Datelike, Months, NaiveDate};
use registry::access::Role;
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, citizen_id};

pub(crate) struct Setup {
    bureau: String,
    pub(crate) employer: String,
    employer_id: String,
    pub(crate) provider: String,
    provider_id: String,
    other: String,
}

pub(crate) async fn setup(app: &TestApp) -> Setup {
    let bureau = app.bureau().await;
    let provider_id = app
        .organisation(&bureau, "training_provider", "额尔古纳市职业技能培训中心")
        .await;
    let employer_id = app
        .organisation(&bureau, "employer", "额尔古纳市根河湾烤饼有限公司")
        .await;
    let other_id = app
        .organisation(&bureau, "employer", "额尔古纳市湿地民宿有限公司")
        .await;
    Setup {
        provider: app
            .account("staff", Role::ProviderStaff, Some(&provider_id))
            .await,
        employer: app
            .account("employer", Role::Employer, Some(&employer_id))
            .await,
        other: app.account("other", Role::Employer, Some(&other_id)).await,
        bureau,
        employer_id,
        provider_id,
    }
}

fn today(app: &TestApp) -> NaiveDate {
    app.clock.now().today
}

pub(crate) fn months(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_add_months(Months::new(n)).unwrap()
}

/// The day before.
fn pred(day: NaiveDate) -> NaiveDate {
    day.pred_opt().unwrap()
}

/// The reporting period of a day: the 21st of one month to the 20th of the next.
fn period_of(day: NaiveDate) -> String {
    let first = day.with_day(1).unwrap();
    let named = if day.day() > 20 {
        months(first, 1)
    } else {
        first
    };
    named.format("%Y-%m").to_string()
}

fn agreement_body(provider_id: &str, start: NaiveDate, end: NaiveDate) -> Value {
    json!({"provider_id": provider_id, "occupation_code": "4-03-02-02", "target_level": "level4",
           "starts_on": start, "ends_on": end,
           "modules": [{"title": "烤饼原料与发酵", "theory_hours": 40, "practice_hours": 80},
                       {"title": "土炉烤制与质量控制", "theory_hours": 20, "practice_hours": 160}],
           "milestones": [{"title": "独立完成和面发酵", "due_on": months(start, 6)},
                          {"title": "独立完成整炉烤制", "due_on": months(start, 18)}]})
}

/// A filed two-year agreement that began 13 months ago (its second year has begun).
pub(crate) async fn filed_agreement(app: &TestApp, s: &Setup) -> (String, NaiveDate, Value) {
    let start = months(today(app), 0)
        .checked_sub_months(Months::new(13))
        .unwrap();
    let end = pred(months(start, 24));
    let (status, a) = app
        .post(
            "/api/v1/apprenticeships",
            &s.employer,
            agreement_body(&s.provider_id, start, end),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!(
        (a["status"].as_str(), a["theory_hours"].as_i64()),
        (Some("draft"), Some(60))
    );
    assert_eq!(a["target_level_label"], "四级/中级工");
    let id = a["id"].as_str().unwrap().to_owned();
    // Nobody but the enterprise sees a draft.
    let (status, _) = app
        .get(&format!("/api/v1/apprenticeships/{id}"), &s.bureau)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, a) = app
        .post(
            &format!("/api/v1/apprenticeships/{id}/submit"),
            &s.employer,
            json!(null),
        )
        .await;
    assert_eq!(
        (status, a["status"].as_str()),
        (StatusCode::OK, Some("submitted"))
    );
    let (status, a) = app
        .post(
            &format!("/api/v1/apprenticeships/{id}/file"),
            &s.bureau,
            json!(null),
        )
        .await;
    assert_eq!(
        (status, a["status"].as_str()),
        (StatusCode::OK, Some("filed")),
        "{a}"
    );
    (id, start, a)
}

pub(crate) fn apprentice_body(name: &str, id: &str, start: NaiveDate, end: NaiveDate) -> Value {
    json!({"name": name, "citizen_id": id, "phone": "13904701234",
           "contract_starts_on": months(start, 0).checked_sub_months(Months::new(1)).unwrap(),
           "contract_ends_on": months(end, 12),
           "mentor": {"name": "王师傅", "post": "烤饼车间主任", "skill_level": "level2"},
           "teacher": {"name": "刘老师"}})
}

async fn count(app: &TestApp, table: &str) -> i64 {
    app.count(table).await
}

#[tokio::test]
async fn an_agreement_longer_than_two_years_needs_a_reason_and_never_runs_past_three() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let start = months(today(&app), 1);
    let refused = [
        (
            pred(months(start, 11)),
            None,
            "ends_on",
            "shorter_than_a_year",
        ),
        (
            pred(months(start, 30)),
            None,
            "extension_reason",
            "required",
        ),
        (
            months(start, 36),
            Some("复杂工艺需延长"),
            "ends_on",
            "longer_than_three_years",
        ),
    ];
    for (end, reason, field, why) in refused {
        let mut body = agreement_body(&s.provider_id, start, end);
        body["extension_reason"] = json!(reason);
        let (status, answer) = app.post("/api/v1/apprenticeships", &s.employer, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["fields"][0]["field"], field, "{answer}");
        assert_eq!(answer["fields"][0]["reason"], why, "{answer}");
        assert!(
            answer["message"].as_str().unwrap().contains("培养期"),
            "{answer}"
        );
    }
    assert_eq!(count(&app, "apprenticeship_agreements").await, 0);
    // Two and a half years with a stated reason is allowed.
    let mut body = agreement_body(&s.provider_id, start, pred(months(start, 30)));
    body["extension_reason"] = json!("高级工艺需跨三个生产季");
    let (status, a) = app.post("/api/v1/apprenticeships", &s.employer, body).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!(a["extension_reason"], "高级工艺需跨三个生产季");
    // The bureau returns it with a reason; the enterprise sees why.
    let id = a["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/apprenticeships/{id}/submit"),
        &s.employer,
        json!(null),
    )
    .await;
    let (status, a) = app
        .post(
            &format!("/api/v1/apprenticeships/{id}/return"),
            &s.bureau,
            json!({"reason": "培养计划缺少安全生产模块"}),
        )
        .await;
    assert_eq!(
        (status, a["status"].as_str()),
        (StatusCode::OK, Some("returned"))
    );
    let (_, seen) = app
        .get(&format!("/api/v1/apprenticeships/{id}"), &s.employer)
        .await;
    assert_eq!(seen["return_reason"], "培养计划缺少安全生产模块");
}

#[tokio::test]
async fn each_refused_apprentice_gets_its_reason_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let (id, start, a) = filed_agreement(&app, &s).await;
    let end: NaiveDate = a["ends_on"].as_str().unwrap().parse().unwrap();
    let adult = citizen_id("19980305", 11);
    let born_15_years_before = start.checked_sub_months(Months::new(15 * 12)).unwrap();
    let minor = citizen_id(&born_15_years_before.format("%Y%m%d").to_string(), 13);
    let ok = apprentice_body("张小三", &adult, start, end);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut body = ok.clone();
        f(&mut body);
        body
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            with(&|b| {
                b["contract_starts_on"] = json!(start);
                b["contract_ends_on"] = json!(pred(months(start, 10)));
            }),
            "contract_ends_on",
            "shorter_than_a_year",
        ),
        (
            with(&|b| {
                b["contract_starts_on"] = json!(months(start, 1));
                b["contract_ends_on"] = json!(months(end, 3));
            }),
            "contract_ends_on",
            "not_covering_period",
        ),
        (
            with(&|b| b["citizen_id"] = json!(minor)),
            "citizen_id",
            "under_16",
        ),
        (with(&|b| b["mentor"] = Value::Null), "mentor", "required"),
        (with(&|b| b["teacher"] = Value::Null), "teacher", "required"),
        (
            with(&|b| b["mentor"]["skill_level"] = json!("grandmaster")),
            "mentor.skill_level",
            "unknown",
        ),
    ];
    let people = count(&app, "people").await;
    let audit = count(&app, "audit_log").await;
    for (body, field, reason) in cases {
        let (status, answer) = app
            .post(
                &format!("/api/v1/apprenticeships/{id}/apprentices"),
                &s.employer,
                body,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {answer}"
        );
        let fields: Vec<(&str, &str)> = answer["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["field"].as_str().unwrap(), f["reason"].as_str().unwrap()))
            .collect();
        assert!(
            fields.contains(&(field, reason)),
            "{field} {reason}: {answer}"
        );
        let message = answer["message"].as_str().unwrap();
        assert!(message.starts_with("学徒信息无效："), "{message}");
    }
    assert_eq!(count(&app, "apprentices").await, 0);
    assert_eq!(count(&app, "people").await, people);
    assert_eq!(count(&app, "audit_log").await, audit);

    // The same person is then registered with both mentors; the provider sees them masked.
    let (status, p) = app
        .post(
            &format!("/api/v1/apprenticeships/{id}/apprentices"),
            &s.employer,
            ok.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    assert_eq!(p["person"]["citizen_id"], adult.as_str());
    assert_eq!(
        (
            p["mentor"]["skill_level_label"].as_str(),
            p["teacher"]["name"].as_str()
        ),
        (Some("二级/技师"), Some("刘老师"))
    );
    let (status, seen) = app
        .get(
            &format!("/api/v1/apprenticeships/{id}/apprentices"),
            &s.provider,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen[0]["person"]["citizen_id_masked"], true);
    assert_eq!(seen[0]["person"]["name"], "张*三");
    let (status, again) = app
        .post(
            &format!("/api/v1/apprenticeships/{id}/apprentices"),
            &s.employer,
            ok,
        )
        .await;
    assert_eq!(
        (status, again["error"].as_str()),
        (StatusCode::CONFLICT, Some("already_apprentice")),
        "{again}"
    );

    // Milestones: never in the future, never before the start.
    let apprentice = p["id"].as_str().unwrap();
    let m = p["milestones"][0]["milestone_id"].as_str().unwrap();
    let path = format!("/api/v1/apprenticeships/{id}/apprentices/{apprentice}/milestones/{m}");
    let tomorrow = today(&app).succ_opt().unwrap();
    for (day, reason) in [(tomorrow, "in_the_future"), (pred(start), "before_start")] {
        let (status, answer) = app
            .post(&path, &s.provider, json!({"completed_on": day}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["fields"][0]["reason"], reason, "{answer}");
    }
    assert_eq!(count(&app, "apprentice_milestones").await, 0);
    let (status, done) = app
        .post(
            &path,
            &s.provider,
            json!({"completed_on": months(start, 5)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["milestones"][0]["side"], "provider");
    assert_eq!(done["milestones"][0]["recorded_by"], "staff");

    // Another enterprise sees none of it.
    for path in [
        format!("/api/v1/apprenticeships/{id}"),
        format!("/api/v1/apprenticeships/{id}/apprentices"),
        format!("/api/v1/apprenticeships/{id}/apprentices/{apprentice}"),
    ] {
        let (status, _) = app.get(&path, &s.other).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _) = app
        .post(
            &format!("/api/v1/apprenticeships/{id}/apprentices/{apprentice}/leave"),
            &s.other,
            json!({"on": today(&app), "reason": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.get("/api/v1/apprenticeships", &s.other).await;
    assert_eq!(list["items"], json!([]));
}

/// Entries of the ledger by (apprentice, kind, year, adjusts).
fn entry<'a>(entries: &'a [Value], apprentice: &str, kind: &str, year: i64) -> &'a Value {
    entries
        .iter()
        .find(|e| {
            e["apprentice_id"] == apprentice
                && e["kind"] == kind
                && e["apprenticeship_year"] == year
        })
        .unwrap_or_else(|| panic!("no {kind} of year {year} for {apprentice}: {entries:?}"))
}

async fn ledger(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, page) = app
        .get("/api/v1/apprenticeships/ledger?limit=200", token)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().unwrap().clone()
}

async fn summary(app: &TestApp, token: &str, year: i32) -> Value {
    let (status, list) = app
        .get(
            &format!("/api/v1/apprenticeships/ledger/summary?year={year}"),
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list[0].clone()
}

async fn set_rate(app: &TestApp, s: &Setup, year: i32, amount: &str, share: u32) {
    let (status, rate) = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/apprenticeships/rates/150784/{year}/level4"),
            Some(&s.bureau),
            Some(json!({"yearly_amount": amount, "advance_share_percent": share})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rate}");
}

#[tokio::test]
async fn the_ledger_of_a_year_in_which_one_apprentice_leaves_matches_the_figures_worked_by_hand() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let (id, start, a) = filed_agreement(&app, &s).await;
    let end: NaiveDate = a["ends_on"].as_str().unwrap().parse().unwrap();
    let (y1, y2) = (start.year(), start.year() + 1);
    // Year 1: 6,000 yuan, half in advance; year 2: 7,200 yuan, 40 % in advance.
    set_rate(&app, &s, y1, "6000", 50).await;
    set_rate(&app, &s, y2, "7200", 40).await;
    let mut ids = Vec::new();
    for (name, seq) in [("张小三", 11), ("李四海", 13)] {
        let body = apprentice_body(name, &citizen_id("19980305", seq), start, end);
        let (status, p) = app
            .post(
                &format!("/api/v1/apprenticeships/{id}/apprentices"),
                &s.employer,
                body,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
        ids.push(p);
    }
    let (stays, leaves) = (
        ids[0]["id"].as_str().unwrap(),
        ids[1]["id"].as_str().unwrap(),
    );
    // Only the one who stays meets the first milestone (due 6 months in), on the mentor's side.
    let m1 = ids[0]["milestones"][0]["milestone_id"].as_str().unwrap();
    let (status, done) = app
        .post(
            &format!("/api/v1/apprenticeships/{id}/apprentices/{stays}/milestones/{m1}"),
            &s.employer,
            json!({"completed_on": months(start, 5)}),
        )
        .await;
    assert_eq!(
        (status, done["milestones"][0]["side"].as_str()),
        (StatusCode::OK, Some("enterprise_mentor"))
    );

    let (status, run) = app
        .post(
            "/api/v1/apprenticeships/ledger/generate",
            &s.bureau,
            json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(
        (run["booked"].as_i64(), run["held"].as_i64()),
        (Some(3), Some(1)),
        "{run}"
    );
    let (_, again) = app
        .post(
            "/api/v1/apprenticeships/ledger/generate",
            &s.bureau,
            json!(null),
        )
        .await;
    assert_eq!(
        again,
        json!({"booked": 0, "held": 0, "released": 0, "corrected": 0, "adjusted": 0})
    );
    let first = period_of(today(&app));
    let entries = ledger(&app, &s.bureau).await;
    assert_eq!(entries.len(), 4);
    // 6,000.00 × 50 % = 3,000.00 each for year 1.
    for who in [stays, leaves] {
        let e = entry(&entries, who, "advance", 1);
        assert_eq!(
            (
                e["amount"].as_str(),
                e["status"].as_str(),
                e["period"].as_str()
            ),
            (Some("3000.00"), Some("booked"), Some(first.as_str()))
        );
        assert_eq!(
            e["checks"],
            json!([
                "rate_configured",
                "contract_covers_period",
                "mentor_assigned",
                "employed_at_start",
                "milestones_met"
            ])
        );
    }
    // 7,200.00 × 40 % = 2,880.00 for year 2; held for the one who missed the milestone.
    let e = entry(&entries, stays, "advance", 2);
    assert_eq!(
        (
            e["amount"].as_str(),
            e["status"].as_str(),
            e["rate_year"].as_i64()
        ),
        (Some("2880.00"), Some("booked"), Some(i64::from(y2)))
    );
    let held = entry(&entries, leaves, "advance", 2);
    assert_eq!(
        (
            held["amount"].as_str(),
            held["status"].as_str(),
            held["period"].as_str()
        ),
        (Some("2880.00"), Some("held"), None)
    );
    assert_eq!(held["held_reason"], "此前到期的培养节点未全部完成");

    // The bureau pays year 1's advances and closes the period.
    let (status, paid) = app
        .post("/api/v1/apprenticeships/payments", &s.bureau,
            json!({"employer_id": s.employer_id, "year": y1, "amount": "6000", "paid_on": today(&app)}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{paid}");
    assert_eq!(
        (
            paid["due"].as_str(),
            paid["paid"].as_str(),
            paid["to_pay"].as_str()
        ),
        (Some("6000.00"), Some("6000.00"), Some("0.00"))
    );
    let (status, closed) = app
        .post(
            &format!("/api/v1/apprenticeships/periods/{first}/close"),
            &s.bureau,
            json!(null),
        )
        .await;
    assert_eq!(
        (status, closed["status"].as_str()),
        (StatusCode::OK, Some("closed")),
        "{closed}"
    );

    // The second apprentice left eight months in: year 1's advance comes back, negative,
    // in the next period.
    let left_on = months(start, 8);
    let (status, left) = app
        .post(
            &format!("/api/v1/apprenticeships/{id}/apprentices/{leaves}/leave"),
            &s.employer,
            json!({"on": left_on, "reason": "个人原因离职"}),
        )
        .await;
    assert_eq!(
        (status, left["status"].as_str()),
        (StatusCode::OK, Some("left")),
        "{left}"
    );
    let next = {
        let p: NaiveDate = format!("{first}-20").parse().unwrap();
        period_of(p.succ_opt().unwrap())
    };
    let entries = ledger(&app, &s.bureau).await;
    let back = entry(&entries, leaves, "clawback", 1);
    assert_eq!(
        (back["amount"].as_str(), back["period"].as_str()),
        (Some("-3000.00"), Some(next.as_str()))
    );
    assert_eq!(back["checks"], json!(["left_early"]));
    let figures = summary(&app, &s.employer, y1).await;
    assert_eq!(
        (
            figures["due"].as_str(),
            figures["paid"].as_str(),
            figures["to_recover"].as_str()
        ),
        (Some("3000.00"), Some("6000.00"), Some("3000.00"))
    );

    // A late correction: year 1's rate was 6,600. The closed period keeps its entries; the
    // difference (+300.00 each) is an adjustment in the open period, and the claw-back, still
    // open, becomes -3,300.00.
    let before: Vec<Value> = entries
        .iter()
        .filter(|e| e["period"] == first.as_str())
        .cloned()
        .collect();
    set_rate(&app, &s, y1, "6600", 50).await;
    let (_, run) = app
        .post(
            "/api/v1/apprenticeships/ledger/generate",
            &s.bureau,
            json!(null),
        )
        .await;
    assert_eq!(
        (run["adjusted"].as_i64(), run["corrected"].as_i64()),
        (Some(2), Some(1)),
        "{run}"
    );
    let entries = ledger(&app, &s.bureau).await;
    let after: Vec<Value> = entries
        .iter()
        .filter(|e| e["period"] == first.as_str())
        .cloned()
        .collect();
    assert_eq!(before, after, "a closed period never changes");
    for who in [stays, leaves] {
        let adj = entry(&entries, who, "adjustment", 1);
        assert_eq!(
            (
                adj["amount"].as_str(),
                adj["adjusts"].as_str(),
                adj["period"].as_str()
            ),
            (Some("300.00"), Some("advance"), Some(next.as_str()))
        );
    }
    assert_eq!(entry(&entries, leaves, "clawback", 1)["amount"], "-3300.00");
    // Due for year 1: 3,000 + 300 (stays) + 3,000 + 300 - 3,300 (left) = 3,300.00.
    let figures = summary(&app, &s.bureau, y1).await;
    assert_eq!(
        (
            figures["due"].as_str(),
            figures["paid"].as_str(),
            figures["to_recover"].as_str(),
            figures["to_pay"].as_str()
        ),
        (
            Some("3300.00"),
            Some("6000.00"),
            Some("2700.00"),
            Some("0.00")
        )
    );
    let figures = summary(&app, &s.bureau, y2).await;
    assert_eq!(
        (figures["due"].as_str(), figures["held"].as_str()),
        (Some("2880.00"), Some("2880.00"))
    );
    // Another enterprise sees no entry and no figures.
    assert!(ledger(&app, &s.other).await.is_empty());
    let (_, none) = app
        .get(
            &format!("/api/v1/apprenticeships/ledger/summary?year={y1}"),
            &s.other,
        )
        .await;
    assert_eq!(none, json!([]));

    // Every change is in the audit log.
    let actions = |record: String| {
        let app = &app;
        async move {
            app.db
                .read
                .query_all_raw(sea_orm::Statement::from_string(
                    app.db.backend(),
                    format!(
                        "SELECT action FROM audit_log WHERE record_id = '{record}' ORDER BY seq"
                    ),
                ))
                .await
                .unwrap()
                .iter()
                .map(|r| r.try_get::<String>("", "action").unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        actions(id.clone()).await,
        [
            "apprenticeship.create",
            "apprenticeship.submit",
            "apprenticeship.file"
        ]
    );
    assert_eq!(
        actions(leaves.to_owned()).await,
        ["apprentice.create", "apprentice.leave"]
    );
    assert_eq!(
        actions(stays.to_owned()).await,
        ["apprentice.create", "apprentice.milestone"]
    );
    let held_id = held["id"].as_str().unwrap().to_owned();
    assert_eq!(actions(held_id).await, ["apprenticeship_subsidy.hold"]);
    let claw_id = back["id"].as_str().unwrap().to_owned();
    assert_eq!(
        actions(claw_id).await,
        [
            "apprenticeship_subsidy.book",
            "apprenticeship_subsidy.correct"
        ]
    );
    assert_eq!(
        actions(first.clone()).await,
        ["apprenticeship_subsidy_period.close"]
    );
    assert_eq!(
        actions(format!("150784/{y1}/level4")).await,
        [
            "apprenticeship_subsidy_rate.set",
            "apprenticeship_subsidy_rate.set"
        ]
    );
    let booked = app
        .count("audit_log WHERE action = 'apprenticeship_subsidy.adjust'")
        .await;
    assert_eq!(booked, 2);
}

#[tokio::test]
async fn a_completed_apprenticeship_books_each_years_balance_once_every_milestone_is_met() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    // A two-year agreement that ended last month.
    let start = today(&app).checked_sub_months(Months::new(25)).unwrap();
    let end = pred(months(start, 24));
    let (status, a) = app
        .post(
            "/api/v1/apprenticeships",
            &s.employer,
            agreement_body(&s.provider_id, start, end),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let id = a["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/apprenticeships/{id}/submit"),
        &s.employer,
        json!(null),
    )
    .await;
    app.post(
        &format!("/api/v1/apprenticeships/{id}/file"),
        &s.bureau,
        json!(null),
    )
    .await;
    let (y1, y2) = (start.year(), start.year() + 1);
    set_rate(&app, &s, y1, "6000", 50).await;
    set_rate(&app, &s, y2, "7200", 40).await;
    let body = apprentice_body("王芳芳", &citizen_id("19990101", 22), start, end);
    let (status, p) = app
        .post(
            &format!("/api/v1/apprenticeships/{id}/apprentices"),
            &s.employer,
            body,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    let who = p["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/apprenticeships/{id}/apprentices/{who}");
    let m1 = p["milestones"][0]["milestone_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let m2 = p["milestones"][1]["milestone_id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("{base}/milestones/{m1}"),
        &s.employer,
        json!({"completed_on": months(start, 5)}),
    )
    .await;
    let (status, paused) = app
        .post(
            &format!("{base}/pause"),
            &s.employer,
            json!({"on": months(start, 2), "reason": "设备检修停工"}),
        )
        .await;
    assert_eq!(
        (status, paused["status"].as_str()),
        (StatusCode::OK, Some("paused")),
        "{paused}"
    );
    let (status, _) = app
        .post(&format!("{base}/complete"), &s.employer, json!({"on": end}))
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a paused apprentice does not complete"
    );
    let (status, resumed) = app
        .post(
            &format!("{base}/resume"),
            &s.employer,
            json!({"on": months(start, 1)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{resumed}");
    assert_eq!(resumed["fields"][0]["reason"], "before_pause");
    let (status, resumed) = app
        .post(
            &format!("{base}/resume"),
            &s.employer,
            json!({"on": months(start, 3)}),
        )
        .await;
    assert_eq!(
        (status, resumed["status"].as_str()),
        (StatusCode::OK, Some("active")),
        "{resumed}"
    );
    let (status, early) = app
        .post(
            &format!("{base}/complete"),
            &s.employer,
            json!({"on": pred(end)}),
        )
        .await;
    assert_eq!(
        (status, early["fields"][0]["reason"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("not_ended")),
        "{early}"
    );
    let (status, done) = app
        .post(&format!("{base}/complete"), &s.employer, json!({"on": end}))
        .await;
    assert_eq!(
        (status, done["status"].as_str()),
        (StatusCode::OK, Some("completed")),
        "{done}"
    );

    // Advances: 3,000.00 and 2,880.00 (the milestone due in year 1 was met). Balances:
    // 6,000 - 3,000 = 3,000.00 and 7,200 - 2,880 = 4,320.00, held while the second
    // milestone is missing.
    let entries = ledger(&app, &s.employer).await;
    assert_eq!(entries.len(), 4, "{entries:?}");
    assert_eq!(entry(&entries, &who, "advance", 1)["amount"], "3000.00");
    assert_eq!(entry(&entries, &who, "advance", 2)["amount"], "2880.00");
    for (year, amount) in [(1, "3000.00"), (2, "4320.00")] {
        let e = entry(&entries, &who, "balance", year);
        assert_eq!(
            (e["amount"].as_str(), e["status"].as_str()),
            (Some(amount), Some("held")),
            "{e}"
        );
        assert_eq!(e["held_reason"], "培养计划的节点未全部完成");
    }
    // The provider records the second milestone; the next run releases both balances.
    let (status, _) = app
        .post(
            &format!("{base}/milestones/{m2}"),
            &s.provider,
            json!({"completed_on": months(start, 17)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, run) = app
        .post(
            "/api/v1/apprenticeships/ledger/generate",
            &s.bureau,
            json!(null),
        )
        .await;
    assert_eq!(run["released"], 2, "{run}");
    let entries = ledger(&app, &s.employer).await;
    let open = period_of(today(&app));
    for (year, amount) in [(1, "3000.00"), (2, "4320.00")] {
        let e = entry(&entries, &who, "balance", year);
        assert_eq!(
            (
                e["amount"].as_str(),
                e["status"].as_str(),
                e["period"].as_str()
            ),
            (Some(amount), Some("booked"), Some(open.as_str())),
            "{e}"
        );
        assert_eq!(
            e["checks"],
            json!([
                "rate_configured",
                "contract_covers_period",
                "mentor_assigned",
                "still_employed_at_anniversary",
                "milestones_met"
            ])
        );
    }
    let figures = summary(&app, &s.bureau, y2).await;
    assert_eq!(
        (figures["due"].as_str(), figures["to_pay"].as_str()),
        (Some("7200.00"), Some("7200.00"))
    );
}
