//! Mail, end to end over SMTP: the registry's delivery job talks TCP to a real SMTP server
//! (aiosmtpd, `tests/smtp_sink.py`) started by each test. What arrives is read back from
//! the server's side: headers, bodies, the attached PDF's bytes. The server goes down,
//! refuses a recipient, two workers race, a worker dies mid-send — each message arrives
//! once or is reported. Time is moved, not waited: the job runs at the test's instants.

mod events;
mod notices;
mod reminders;
pub(crate) mod sink;
mod staff;

use std::time::Duration;

use base64::Engine;
use entities::{certificate_files, mail_outbox};
use registry::{
    jobs::{Job, RetryPolicy, Runner},
    mail::{Delivery, Transport, delivery::UNKNOWN_ANSWER},
};
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::{
    certificates::{Chain, chain, passing},
    helpers::{TestApp, citizen_id},
};
use sink::Sink;

const DOMAIN: &str = "registry.example.org";
const FROM: &str = "额尔古纳市职业技能登记 <noreply@registry.example.org>";
const LEASE: Duration = Duration::from_secs(120);

/// The app sending to `sink`, its own background delivery off: the tests run the job.
pub(crate) async fn mail_app(sink: &Sink) -> TestApp {
    let url = sink.url();
    TestApp::spawn_with(move |c| {
        c.smtp_url = Some(url.into());
        c.mail_delivery = false;
        c.mail_from = FROM.into();
    })
    .await
}

pub(crate) fn fresh_sink() -> Sink {
    Sink::new(std::env::temp_dir().join(format!("smtp-sink-{}", uuid::Uuid::new_v4().simple())))
}

/// A delivery worker sending to `url`: five attempts, 30 s apart at first.
pub(crate) fn worker(app: &TestApp, url: &str) -> Runner {
    let transport = Transport::new(Some(url), &app.data_dir).expect("an SMTP URL");
    let delivery = Delivery::new(transport, FROM, DOMAIN)
        .expect("a sender")
        .with_retry(RetryPolicy {
            max_attempts: 5,
            first_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(3600),
        })
        .with_lease(LEASE);
    Runner::new(app.db.clone()).job(delivery).concurrency(2)
}

/// Runs `runner` over every message due now (the app's clock); how many it ran.
pub(crate) async fn deliver(app: &TestApp, runner: &Runner) -> usize {
    runner
        .run_once(Delivery::KIND, app.clock.now().at)
        .await
        .expect("delivery runs")
}

/// Runs `runner` over every message due at `now`; how many it ran.
async fn deliver_at(app: &TestApp, runner: &Runner, now: registry::clock::Now) -> usize {
    let _ = app;
    runner
        .run_once(Delivery::KIND, now.at)
        .await
        .expect("delivery runs")
}

pub(crate) async fn outbox(app: &TestApp) -> Vec<mail_outbox::Model> {
    mail_outbox::Entity::find()
        .order_by_asc(mail_outbox::Column::CreatedAt)
        .order_by_asc(mail_outbox::Column::Id)
        .all(&app.db.read)
        .await
        .expect("the outbox")
}

fn header<'a>(mail: &'a Value, name: &str) -> &'a str {
    mail["headers"][name].as_str().unwrap_or_default()
}

fn to_of(mail: &Value) -> String {
    mail["rcpt_tos"][0].as_str().unwrap_or_default().to_owned()
}

/// The confirmation token in a confirmation mail's text.
fn token_in(mail: &Value) -> String {
    let text = mail["text"].as_str().expect("a text part");
    let (_, rest) = text
        .split_once("/email/confirm/")
        .expect("a confirmation link");
    rest.split(|c: char| c.is_whitespace())
        .next()
        .expect("a token")
        .to_owned()
}

/// Enrols `n` trainees with passing results in the homestay cohort and gives each an
/// address confirmed through the link mailed to it; returns (person id, address) pairs.
pub(crate) async fn confirmed_holders(
    app: &TestApp,
    c: &Chain,
    sink: &Sink,
    n: usize,
) -> Vec<(String, String)> {
    const NAMES: [&str; 4] = ["王小明", "李春梅", "张建国", "赵丽华"];
    let mut holders = Vec::new();
    for (i, name) in NAMES.iter().take(n).enumerate() {
        let id = citizen_id(&format!("1990010{}", i + 1), 300 + i as u32);
        let (_, person) = app
            .trainee(c, &c.homestay_cohort, name, &id, passing())
            .await;
        let address = format!("holder{}@example.org", i + 1);
        let (status, state) = app
            .call(
                Method::PUT,
                &format!("/api/v1/people/{person}/email"),
                Some(&c.staff),
                Some(json!({"email": address})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{state}");
        assert_eq!(state["confirmed"], false);
        holders.push((person, address));
    }
    let before = sink.received().len();
    assert_eq!(deliver(app, &worker(app, &sink.url())).await, n);
    let received = sink.received();
    assert_eq!(received.len(), before + n);
    for mail in &received[before..] {
        let (status, state) = app
            .post(
                "/api/v1/email-confirmations",
                "",
                json!({"token": token_in(mail)}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{state}");
        assert_eq!(state["confirmed"], true);
        assert_eq!(state["email"], to_of(mail));
    }
    holders
}

/// Issues the homestay cohort's completion certificates; their ids.
pub(crate) async fn issue_cohort(app: &TestApp, c: &Chain) -> Vec<String> {
    let (status, report) = app
        .post(
            &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
            &c.staff,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    report["issued"]
        .as_array()
        .expect("issued")
        .iter()
        .map(|l| l["certificate_id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn the_certificate_mail_carries_the_stored_pdf_the_verification_link_and_its_own_message_id()
{
    let mut sink = fresh_sink();
    sink.start(&[]);
    let app = mail_app(&sink).await;
    let c = chain(&app).await;
    let holders = confirmed_holders(&app, &c, &sink, 1).await;
    let certificate = issue_cohort(&app, &c).await.remove(0);
    let (_, view) = app
        .get(&format!("/api/v1/certificates/{certificate}"), &c.staff)
        .await;
    let number = view["number"].as_str().expect("number");
    let verify_url = format!("{}/v/{}", app.base, view["token"].as_str().expect("token"));

    assert_eq!(deliver(&app, &worker(&app, &sink.url())).await, 1);
    let received = sink.received();
    let mail = received.last().expect("the certificate mail");
    let row = outbox(&app)
        .await
        .into_iter()
        .find(|r| r.message == "certificate_issued")
        .expect("an outbox row");
    assert_eq!(row.status, "sent");
    assert!(
        row.last_answer
            .as_deref()
            .unwrap_or_default()
            .starts_with("250"),
        "{row:?}"
    );
    assert_eq!(to_of(mail), holders[0].1);
    assert_eq!(header(mail, "to"), holders[0].1);
    assert_eq!(mail["mail_from"], "noreply@registry.example.org");
    assert!(
        header(mail, "from").contains("额尔古纳市职业技能登记"),
        "{mail}"
    );
    assert_eq!(header(mail, "message-id"), format!("<{}@{DOMAIN}>", row.id));
    assert_eq!(
        header(mail, "subject"),
        format!("您的结业证书已颁发（编号 {number}）")
    );
    let text = mail["text"].as_str().expect("text").replace("\r\n", "\n");
    assert!(text.starts_with("王小明，您好："), "{text}");
    assert!(
        text.contains(number) && text.contains(&verify_url),
        "{text}"
    );
    let html = mail["html"].as_str().expect("html");
    assert!(html.contains(&format!("href=\"{verify_url}\"")), "{html}");

    let attachments = mail["attachments"].as_array().expect("attachments");
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0]["filename"], format!("{number}.pdf"));
    assert_eq!(attachments[0]["content_type"], "application/pdf");
    let sent = base64::engine::general_purpose::STANDARD
        .decode(attachments[0]["base64"].as_str().expect("bytes"))
        .expect("base64");
    let stored = certificate_files::Entity::find_by_id(certificate.clone())
        .one(&app.db.read)
        .await
        .expect("query")
        .expect("the stored PDF");
    assert_eq!(
        sent, stored.pdf,
        "the attachment is the stored PDF, byte for byte"
    );

    // Suspension and revocation tell the holder why.
    for (action, reason, subject) in [
        ("suspend", "核查培训记录期间暂停", "已被暂停"),
        ("revoke", "培训记录经核查不实", "已被撤销"),
    ] {
        let (status, body) = app
            .post(
                &format!("/api/v1/certificates/{certificate}/{action}"),
                &c.staff,
                json!({"reason": reason}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(deliver(&app, &worker(&app, &sink.url())).await, 1);
        let mail = sink.received().pop().expect("a notice");
        assert!(header(&mail, "subject").ends_with(subject), "{mail}");
        assert!(
            mail["text"].as_str().expect("text").contains(reason),
            "{mail}"
        );
        assert!(mail["attachments"].as_array().expect("list").is_empty());
    }
    assert_eq!(
        sink.received().len(),
        4,
        "a confirmation, the certificate, two notices"
    );
}

#[tokio::test]
async fn an_unconfirmed_address_gets_the_confirmation_link_and_nothing_else() {
    let mut sink = fresh_sink();
    sink.start(&[]);
    let app = mail_app(&sink).await;
    let c = chain(&app).await;
    let id = citizen_id("19930415", 401);
    let (_, person) = app
        .trainee(&c, &c.homestay_cohort, "王小明", &id, passing())
        .await;
    let path = format!("/api/v1/people/{person}/email");
    let put = |email: &'static str| {
        app.call(
            Method::PUT,
            &path,
            Some(&c.staff),
            Some(json!({"email": email})),
        )
    };
    let (status, refused) = put("wang at example").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["fields"][0]["field"], "email", "{refused}");
    let (status, _) = put("wang@example.org").await;
    assert_eq!(status, StatusCode::OK);
    // The same address sent again (a double click) mails one link.
    let (status, _) = put("wang@example.org").await;
    assert_eq!(status, StatusCode::OK);
    issue_cohort(&app, &c).await;
    assert_eq!(deliver(&app, &worker(&app, &sink.url())).await, 1);
    let received = sink.received();
    assert_eq!(received.len(), 1, "only the confirmation link");
    assert_eq!(
        header(&received[0], "subject"),
        "请确认电子邮箱 wang@example.org"
    );
    let messages: Vec<String> = outbox(&app).await.into_iter().map(|r| r.message).collect();
    assert_eq!(messages, ["confirm_address"]);

    let (status, body) = app
        .post(
            "/api/v1/email-confirmations",
            "",
            json!({"token": "nonsense"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["reason"], "unknown");
    // A week and a day later the link has expired.
    app.clock.advance(chrono::Duration::days(8));
    let token = token_in(&received[0]);
    let (status, body) = app
        .post("/api/v1/email-confirmations", "", json!({"token": token}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["reason"], "expired", "{body}");
}

#[tokio::test]
async fn mail_waits_while_the_server_is_down_and_then_every_message_arrives_once() {
    let mut sink = fresh_sink();
    sink.start(&[]);
    let app = mail_app(&sink).await;
    let c = chain(&app).await;
    confirmed_holders(&app, &c, &sink, 3).await;
    sink.stop();
    let before = sink.received().len();
    issue_cohort(&app, &c).await;
    let runner = worker(&app, &sink.url());

    assert_eq!(
        deliver(&app, &runner).await,
        3,
        "three attempts, refused connections"
    );
    let waiting: Vec<_> = outbox(&app)
        .await
        .into_iter()
        .filter(|r| r.message == "certificate_issued")
        .collect();
    assert_eq!(waiting.len(), 3);
    for row in &waiting {
        assert_eq!(
            (row.status.as_str(), row.attempts),
            ("queued", 1),
            "{row:?}"
        );
        assert!(row.last_answer.is_some(), "the connection error is kept");
    }
    app.clock.advance(chrono::Duration::seconds(10));
    assert_eq!(deliver(&app, &runner).await, 0, "not before the backoff");
    app.clock.advance(chrono::Duration::seconds(25));
    assert_eq!(
        deliver(&app, &runner).await,
        3,
        "the second attempt, still down"
    );
    sink.start(&[]);
    app.clock.advance(chrono::Duration::seconds(61));
    assert_eq!(deliver(&app, &runner).await, 3);
    app.clock.advance(chrono::Duration::hours(3));
    assert_eq!(deliver(&app, &runner).await, 0, "nothing left to send");

    let arrived = &sink.received()[before..];
    assert_eq!(arrived.len(), 3, "each certificate mail once");
    let mut ids: Vec<&str> = arrived.iter().map(|m| header(m, "message-id")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    for row in outbox(&app)
        .await
        .iter()
        .filter(|r| r.message == "certificate_issued")
    {
        assert_eq!((row.status.as_str(), row.attempts), ("sent", 3), "{row:?}");
    }
}

#[tokio::test]
async fn a_permanently_refused_recipient_fails_with_the_answer_and_the_others_arrive() {
    let mut sink = fresh_sink();
    sink.start(&[]);
    let app = mail_app(&sink).await;
    let c = chain(&app).await;
    let holders = confirmed_holders(&app, &c, &sink, 3).await;
    sink.stop();
    sink.start(&[&holders[1].1]);
    let before = sink.received().len();
    issue_cohort(&app, &c).await;
    let runner = worker(&app, &sink.url());
    assert_eq!(deliver(&app, &runner).await, 3);
    app.clock.advance(chrono::Duration::hours(2));
    assert_eq!(deliver(&app, &runner).await, 0, "a 5xx is not retried");

    let rows: Vec<_> = outbox(&app)
        .await
        .into_iter()
        .filter(|r| r.message == "certificate_issued")
        .collect();
    for row in &rows {
        if row.recipient == holders[1].1 {
            assert_eq!(row.status, "failed");
            let answer = row.last_answer.as_deref().unwrap_or_default();
            assert!(
                answer.contains("550") && answer.contains("mailbox unavailable"),
                "{answer}"
            );
        } else {
            assert_eq!(row.status, "sent", "{row:?}");
        }
    }
    let mut arrived: Vec<String> = sink.received()[before..].iter().map(to_of).collect();
    arrived.sort();
    assert_eq!(arrived, [holders[0].1.clone(), holders[2].1.clone()]);
}

#[tokio::test]
async fn two_workers_at_once_deliver_each_message_once() {
    let mut sink = fresh_sink();
    sink.start(&[]);
    let app = mail_app(&sink).await;
    let c = chain(&app).await;
    const N: usize = 12;
    for i in 0..N {
        let id = citizen_id("19900202", 500 + i as u32);
        let (_, person) = app
            .trainee(&c, &c.pastry_cohort, "王小明", &id, Value::Null)
            .await;
        let (status, body) = app
            .call(
                Method::PUT,
                &format!("/api/v1/people/{person}/email"),
                Some(&c.staff),
                Some(json!({"email": format!("t{i}@example.org")})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (a, b) = (worker(&app, &sink.url()), worker(&app, &sink.url()));
    let (ran_a, ran_b) = tokio::join!(deliver(&app, &a), deliver(&app, &b));
    assert_eq!(
        ran_a + ran_b,
        N,
        "every message ran once ({ran_a} + {ran_b})"
    );

    let received = sink.received();
    assert_eq!(received.len(), N, "each message arrived once");
    let mut ids: Vec<&str> = received.iter().map(|m| header(m, "message-id")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), N);
    for row in outbox(&app).await {
        assert_eq!((row.status.as_str(), row.attempts), ("sent", 1), "{row:?}");
    }
}

#[tokio::test]
async fn a_worker_that_dies_mid_send_leaves_the_message_outcome_unknown_never_resent() {
    let mut sink = fresh_sink();
    sink.start(&[]);
    let app = mail_app(&sink).await;
    let c = chain(&app).await;
    let id = citizen_id("19910707", 601);
    let (_, person) = app
        .trainee(&c, &c.pastry_cohort, "王小明", &id, Value::Null)
        .await;
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/people/{person}/email"),
            Some(&c.staff),
            Some(json!({"email": "wang@example.org"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // A server that accepts the connection and never answers: the send hangs, and the
    // worker is killed while it does.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let silent_url = format!("smtp://{}", silent.local_addr().expect("addr"));
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((conn, _)) = silent.accept().await {
            open.push(conn);
        }
    });
    let doomed = worker(&app, &silent_url);
    let started = app.clock.now().at;
    let dying = tokio::spawn(async move { doomed.run_once(Delivery::KIND, started).await });
    let mut status = String::new();
    for _ in 0..200 {
        status = outbox(&app).await[0].status.clone();
        if status == "sending" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        status, "sending",
        "the row is marked before the server is spoken to"
    );
    dying.abort();
    let _ = dying.await;
    held.abort();

    let runner = worker(&app, &sink.url());
    assert_eq!(
        deliver(&app, &runner).await,
        0,
        "the dead worker's lease still holds"
    );
    app.clock
        .advance(chrono::Duration::from_std(LEASE).expect("lease") + chrono::Duration::seconds(1));
    assert_eq!(deliver(&app, &runner).await, 1, "the job is taken over");
    app.clock.advance(chrono::Duration::hours(3));
    assert_eq!(deliver(&app, &runner).await, 0);
    let row = outbox(&app).await.remove(0);
    assert_eq!(row.status, "unknown");
    assert_eq!(row.last_answer.as_deref(), Some(UNKNOWN_ANSWER));
    assert!(sink.received().is_empty(), "never resent silently");
}

#[tokio::test]
async fn without_an_smtp_server_messages_are_written_as_eml_files_in_the_data_directory() {
    let app = TestApp::spawn_with(|c| c.mail_delivery = false).await;
    let c = chain(&app).await;
    let id = citizen_id("19920808", 701);
    let (_, person) = app
        .trainee(&c, &c.pastry_cohort, "王小明", &id, Value::Null)
        .await;
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/people/{person}/email"),
            Some(&c.staff),
            Some(json!({"email": "wang@example.org"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let transport = Transport::new(None, &app.data_dir).expect("the file transport");
    let runner =
        Runner::new(app.db.clone()).job(Delivery::new(transport, FROM, DOMAIN).expect("sender"));
    assert_eq!(
        runner
            .run_once(Delivery::KIND, app.clock.now().at)
            .await
            .expect("runs"),
        1
    );
    let files: Vec<_> = std::fs::read_dir(app.data_dir.join("mail"))
        .expect("data/mail")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].extension().is_some_and(|e| e == "eml"));
    let eml = std::fs::read_to_string(&files[0]).expect("read");
    let row = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Status.eq("sent"))
        .one(&app.db.read)
        .await
        .expect("query")
        .expect("sent");
    assert!(
        eml.contains(&format!("Message-ID: <{}@{DOMAIN}>", row.id)),
        "{eml}"
    );
    assert!(eml.contains("To: wang@example.org"), "{eml}");
}
