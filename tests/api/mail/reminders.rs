//! The reminders job (docs/DESIGN.md §9) run day by day with the test's clock: each step
//! of a licence's expiry schedule queued once, on its day; a stretch with the job down
//! sends only the latest missed step; order deadlines reach both sides' staff once.

use chrono::{Duration, NaiveDate};
use registry::{
    clock::Now,
    reminders::{self, Queued, Reminders, Schedules},
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{deliver_at, fresh_sink, mail_app, outbox, sink::Sink, to_of, token_in, worker};
use crate::{
    certificates::Chain,
    corrections::{id_of, licensed},
    helpers::{TestApp, citizen_id},
};

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

/// Noon of `day` in the registry's time zone.
fn noon(app: &TestApp, day: NaiveDate) -> Now {
    let at = day.and_hms_opt(12, 0, 0).expect("noon") - Duration::hours(8);
    Now::at(at.and_utc(), app.clock.zone())
}

fn job(app: &TestApp) -> Reminders {
    Reminders {
        schedules: Schedules::default(),
        base_url: app.base.clone(),
    }
}

/// Sets `address` for `path` (a person's or one's own) and confirms it through the link
/// mailed to it.
pub(crate) async fn confirm(app: &TestApp, sink: &Sink, path: &str, token: &str, address: &str) {
    let (status, state) = app
        .call(
            Method::PUT,
            path,
            Some(token),
            Some(json!({"email": address})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{state}");
    let before = sink.received().len();
    super::deliver(app, &worker(app, &sink.url())).await;
    let mail = sink.received().pop().expect("the confirmation mail");
    assert_eq!(sink.received().len(), before + 1);
    assert_eq!(to_of(&mail), address);
    let body = json!({"token": token_in(&mail)});
    let (status, state) = app.post("/api/v1/email-confirmations", "", body).await;
    assert_eq!(status, StatusCode::OK, "{state}");
    assert_eq!(state["confirmed"], true);
}

/// A licence valid until 2029-12-31 whose holder's address is confirmed.
async fn licence_with_address(app: &TestApp, c: &Chain, sink: &Sink) -> Value {
    let (person, [_, _, licence]) = licensed(app, c, "娜仁花", &citizen_id("19900412", 222)).await;
    let path = format!("/api/v1/people/{person}/email");
    confirm(app, sink, &path, &c.staff, "naren@example.org").await;
    licence
}

/// Runs the job on every day from `from` for `days` days except those in `down`; the
/// days on which it queued something, with how many.
async fn every_day(
    app: &TestApp,
    from: NaiveDate,
    days: i64,
    down: Option<(NaiveDate, NaiveDate)>,
) -> Vec<(NaiveDate, Queued)> {
    let mut queued = Vec::new();
    for n in 0..days {
        let today = from + Duration::days(n);
        if down.is_some_and(|(a, b)| (a..b).contains(&today)) {
            continue;
        }
        let q = reminders::run(&app.db, &job(app), noon(app, today))
            .await
            .expect("the job runs");
        if q != Queued::default() {
            queued.push((today, q));
        }
    }
    queued
}

fn expiry(n: usize) -> Queued {
    Queued {
        expiry: n,
        order_deadlines: 0,
        milestones: 0,
    }
}

#[tokio::test]
async fn over_a_year_each_expiry_step_is_queued_once_on_its_day_with_the_way_to_renew() {
    let mut sink = fresh_sink();
    sink.start(&[]);
    let app = mail_app(&sink).await;
    let c = crate::certificates::chain(&app).await;
    let licence = licence_with_address(&app, &c, &sink).await;
    // A cohort on the licence's standard starting after the first reminder, before the
    // second: the way to renew in the first, none scheduled in the second.
    let homestay = app
        .get(&format!("/api/v1/cohorts/{}", c.homestay_cohort), &c.staff)
        .await
        .1;
    let (status, cohort) = app
        .post(
            "/api/v1/cohorts",
            &c.staff,
            json!({"program_id": homestay["program_id"], "code": "MS-2029-10", "starts_on": "2029-10-20",
                   "ends_on": "2029-11-30", "capacity": 30, "location": "黑山头镇",
                   "evaluation_org_id": homestay["evaluation_org_id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cohort}");

    let queued = every_day(&app, day("2029-09-01"), 400, None).await;
    let expected: Vec<(NaiveDate, Queued)> = [
        "2029-10-02",
        "2029-12-01",
        "2029-12-24",
        "2029-12-31",
        "2030-01-30",
    ]
    .into_iter()
    .map(|d| (day(d), expiry(1)))
    .collect();
    assert_eq!(queued, expected);
    // A second instance running the same day again queues nothing.
    let again = reminders::run(&app.db, &job(&app), noon(&app, day("2029-12-24"))).await;
    assert_eq!(again.expect("runs"), Queued::default());

    let rows: Vec<_> = outbox(&app)
        .await
        .into_iter()
        .filter(|r| r.message == "expiry_reminder")
        .collect();
    let keys: Vec<String> = rows.iter().map(|r| r.dedupe_key.clone()).collect();
    let id = id_of(&licence);
    let steps = ["90", "30", "7", "0", "-30"];
    assert_eq!(keys, steps.map(|s| format!("reminder:{id}:{s}")));
    assert!(rows.iter().all(|r| r.recipient == "naren@example.org"));
    assert!(
        rows[0].subject.contains("将于90天后到期"),
        "{}",
        rows[0].subject
    );
    assert!(
        rows[0].text_body.contains("MS-2029-10") && rows[0].text_body.contains("2029-10-20"),
        "{}",
        rows[0].text_body
    );
    assert!(
        rows[1].text_body.contains("目前尚无已排期"),
        "{}",
        rows[1].text_body
    );
    assert!(rows[3].subject.contains("今天到期"), "{}", rows[3].subject);
    assert!(
        rows[4].subject.contains("已过期30天"),
        "{}",
        rows[4].subject
    );

    // They are real mail: delivered as any other.
    let before = sink.received().len();
    deliver_at(
        &app,
        &worker(&app, &sink.url()),
        noon(&app, day("2030-03-01")),
    )
    .await;
    let received = &sink.received()[before..];
    assert_eq!(received.len(), 5);
    assert!(received.iter().all(|m| to_of(m) == "naren@example.org"));
}

#[tokio::test]
async fn a_stretch_with_the_job_down_over_two_steps_sends_one_reminder_when_it_is_back() {
    let mut sink = fresh_sink();
    sink.start(&[]);
    let app = mail_app(&sink).await;
    let c = crate::certificates::chain(&app).await;
    let licence = licence_with_address(&app, &c, &sink).await;

    // Down from 2029-11-25 to 2029-12-26: over the 30-day (12-01) and 7-day (12-24) steps.
    let down = (day("2029-11-25"), day("2029-12-26"));
    let queued = every_day(&app, day("2029-09-01"), 400, Some(down)).await;
    let on: Vec<NaiveDate> = queued.iter().map(|(d, _)| *d).collect();
    assert_eq!(
        on,
        ["2029-10-02", "2029-12-26", "2029-12-31", "2030-01-30"].map(day)
    );
    assert!(queued.iter().all(|(_, q)| *q == expiry(1)));
    let keys: Vec<String> = outbox(&app)
        .await
        .into_iter()
        .filter(|r| r.message == "expiry_reminder")
        .map(|r| r.dedupe_key)
        .collect();
    let id = id_of(&licence);
    assert_eq!(
        keys,
        ["90", "7", "0", "-30"].map(|s| format!("reminder:{id}:{s}")),
        "only the latest missed step"
    );

    // A revoked licence hears nothing more.
    let (status, body) = app
        .post(
            &format!("/api/v1/certificates/{id}/revoke"),
            &c.officer,
            json!({"reason": "证件伪造"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = every_day(&app, day("2029-09-01"), 400, None).await;
    assert_eq!(after, []);
}

#[tokio::test]
async fn an_order_deadline_reminds_the_employer_and_the_assigned_provider_once_per_step() {
    let mut sink = fresh_sink();
    sink.start(&[]);
    let app = mail_app(&sink).await;
    let s = crate::orders::setup(&app).await;
    let id = crate::orders::submitted_order(&app, &s, 6, 30).await;
    crate::orders::assign(&app, &s, &id, "12000").await;
    let own = "/api/v1/me/email";
    confirm(&app, &sink, own, &s.employer, "hr@shidi.example.org").await;
    confirm(&app, &sink, own, &s.c.staff, "office@peixun.example.org").await;

    let today = app.clock.now().today;
    let queued = every_day(&app, today, 40, None).await;
    let deadline = |n: i64| (today + Duration::days(30 - n), order_deadlines(2));
    assert_eq!(queued, [deadline(14), deadline(3)]);
    let rows: Vec<_> = outbox(&app)
        .await
        .into_iter()
        .filter(|r| r.message == "order_deadline")
        .collect();
    let mut to: Vec<&str> = rows.iter().map(|r| r.recipient.as_str()).collect();
    to.sort_unstable();
    assert_eq!(
        to,
        [
            "hr@shidi.example.org",
            "hr@shidi.example.org",
            "office@peixun.example.org",
            "office@peixun.example.org"
        ]
    );
    assert!(rows[0].subject.contains("14天后"), "{}", rows[0].subject);
    assert!(
        rows[0].text_body.contains("额尔古纳市职业技能培训中心"),
        "the provider is named: {}",
        rows[0].text_body
    );
    assert!(rows[0].text_body.contains(&format!("/orders/{id}")));
}

fn order_deadlines(n: usize) -> Queued {
    Queued {
        expiry: 0,
        order_deadlines: n,
        milestones: 0,
    }
}

#[tokio::test]
async fn a_milestone_due_reminds_the_mentor_and_the_teacher_through_their_accounts() {
    use crate::apprenticeships::{apprentice_body, filed_agreement, months, setup};
    let mut sink = fresh_sink();
    sink.start(&[]);
    let app = mail_app(&sink).await;
    let s = setup(&app).await;
    let (agreement, start, _) = filed_agreement(&app, &s).await;
    let own = "/api/v1/me/email";
    confirm(&app, &sink, own, &s.employer, "wang@genhewan.example.org").await;
    confirm(&app, &sink, own, &s.provider, "liu@peixun.example.org").await;
    let account = |token: String| {
        let app = &app;
        async move {
            let (_, me) = app.get("/api/v1/auth/me", &token).await;
            me["account_id"].as_str().expect("account").to_owned()
        }
    };
    let (mentor, teacher) = (
        account(s.employer.clone()).await,
        account(s.provider.clone()).await,
    );
    let end = months(start, 24).pred_opt().expect("a day");
    let path = format!("/api/v1/apprenticeships/{agreement}/apprentices");

    // Each account must belong to its side.
    let mut body = apprentice_body("其其格", &citizen_id("20000101", 123), start, end);
    body["mentor"]["account_id"] = json!(teacher);
    body["teacher"]["account_id"] = json!(mentor);
    let (status, refused) = app.post(&path, &s.employer, body.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let reasons = crate::helpers::pluck(&refused["fields"], &["field", "reason"]);
    assert_eq!(
        reasons,
        [
            "mentor.account_id not_of_employer",
            "teacher.account_id not_of_provider"
        ]
    );
    body["mentor"]["account_id"] = json!(mentor);
    body["teacher"]["account_id"] = json!(teacher);
    let (status, apprentice) = app.post(&path, &s.employer, body).await;
    assert_eq!(status, StatusCode::CREATED, "{apprentice}");
    assert_eq!(apprentice["mentor"]["account_id"], json!(mentor));
    assert_eq!(apprentice["teacher"]["account_id"], json!(teacher));

    // The second milestone is due 18 months after the start (the first is long past).
    let due = months(start, 18);
    let today = app.clock.now().today;
    let days = (due - today).num_days() + 10;
    let queued = every_day(&app, today, days, None).await;
    let both = Queued {
        expiry: 0,
        order_deadlines: 0,
        milestones: 2,
    };
    assert_eq!(queued, [(due - Duration::days(7), both), (due, both)]);
    let rows: Vec<_> = outbox(&app)
        .await
        .into_iter()
        .filter(|r| r.message == "milestone_due")
        .collect();
    let mut to: Vec<&str> = rows.iter().map(|r| r.recipient.as_str()).collect();
    to.sort_unstable();
    to.dedup();
    assert_eq!(to, ["liu@peixun.example.org", "wang@genhewan.example.org"]);
    assert!(
        rows[0].subject.contains("独立完成整炉烤制"),
        "{}",
        rows[0].subject
    );
    assert!(
        rows[0].text_body.contains("其其格"),
        "{}",
        rows[0].text_body
    );
}
