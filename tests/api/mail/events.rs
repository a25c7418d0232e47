//! The other events' mail (enrolment, claim) and the pages where a trainee enters an
//! address and confirms it.

use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use super::{
    confirmed_holders, deliver, fresh_sink, header, mail_app, outbox, to_of, token_in, worker,
};
use crate::{
    certificates::chain,
    helpers::{PASSWORD, citizen_id},
    visitor::{Visitor, hidden},
};

#[tokio::test]
async fn enrolment_and_claim_are_mailed_to_the_confirmed_address_and_a_new_one_waits_for_its_link()
{
    let mut sink = fresh_sink();
    sink.start(&[]);
    let app = mail_app(&sink).await;
    let c = chain(&app).await;
    let (_, address) = confirmed_holders(&app, &c, &sink, 1).await.remove(0);
    let id = citizen_id("19900101", 300);
    let (status, enrolment) = app.enrol(&c.staff, &c.pastry_cohort, "王小明", &id).await;
    assert_eq!(status, StatusCode::CREATED, "{enrolment}");
    let enrolment = enrolment["id"].as_str().expect("id").to_owned();
    let runner = worker(&app, &sink.url());
    assert_eq!(deliver(&app, &runner).await, 1);
    let mail = sink.received().pop().expect("the enrolment mail");
    assert_eq!(to_of(&mail), address);
    assert!(header(&mail, "subject").starts_with("报名成功："), "{mail}");
    assert!(mail["text"].as_str().expect("text").contains(&enrolment));

    let (status, claimed) = app
        .post(
            "/api/v1/auth/claim",
            "",
            json!({"name": "王小明", "citizen_id": id, "reference": enrolment,
                   "password": PASSWORD, "email": "wang.new@example.org"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{claimed}");
    assert_eq!(deliver(&app, &runner).await, 2);
    let received = sink.received();
    let last_two: Vec<(String, &str)> = received[received.len() - 2..]
        .iter()
        .map(|m| (to_of(m), header(m, "subject")))
        .collect();
    let login = claimed["login"].as_str().expect("login");
    assert!(
        last_two.contains(&(address.clone(), &format!("您的学员账号 {login} 已开通"))),
        "the old address hears of the claim: {last_two:?}"
    );
    assert!(
        last_two.contains(&(
            "wang.new@example.org".to_owned(),
            "请确认电子邮箱 wang.new@example.org"
        )),
        "{last_two:?}"
    );
    // The new address is not confirmed yet: the certificate waits for nobody.
    let token = claimed["token"].as_str().expect("token");
    let (_, me) = app.get("/api/v1/me/email", token).await;
    assert_eq!(me["email"], "wang.new@example.org");
    assert_eq!(me["confirmed"], false);
    let (status, report) = app
        .post(
            &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
            &c.staff,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let certificate_mail = outbox(&app)
        .await
        .into_iter()
        .filter(|r| r.message == "certificate_issued")
        .count();
    assert_eq!(certificate_mail, 0);
}

#[tokio::test]
async fn a_trainee_enters_an_address_and_the_mailed_link_confirms_it_only_when_its_button_is_pressed()
 {
    let mut sink = fresh_sink();
    sink.start(&[]);
    let app = mail_app(&sink).await;
    let c = chain(&app).await;
    let id = citizen_id("19940909", 801);
    let (status, enrolment) = app.enrol(&c.staff, &c.pastry_cohort, "王小明", &id).await;
    assert_eq!(status, StatusCode::CREATED, "{enrolment}");
    let (status, claimed) = app
        .post(
            "/api/v1/auth/claim",
            "",
            json!({"name": "王小明", "citizen_id": id, "reference": enrolment["id"],
                   "login": "wangxm", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{claimed}");

    let mut trainee = Visitor::new(&app);
    trainee.sign_in("wangxm", PASSWORD).await;
    let page = trainee.get("/me/email").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("您还没有登记电子邮箱"), "{}", page.body);
    let csrf = hidden(&page.body, "csrf");
    let refused = trainee
        .post("/me/email", &[("csrf", &csrf), ("email", "wang@")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("电子邮箱地址格式不正确"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"wang@\""),
        "what was typed stays"
    );
    let saved = trainee
        .post(
            "/me/email",
            &[("csrf", &csrf), ("email", "wang@example.org")],
        )
        .await;
    assert_eq!(saved.location.as_deref(), Some("/me/email"));
    let page = trainee.get("/me/email").await;
    assert!(
        page.body.contains("确认邮件已发送至 wang@example.org"),
        "{}",
        page.body
    );
    assert!(page.body.contains("待确认"));

    assert_eq!(deliver(&app, &worker(&app, &sink.url())).await, 1);
    let mail = sink.received().pop().expect("the link");
    let link = format!("/email/confirm/{}", token_in(&mail));
    assert!(mail["html"].as_str().expect("html").contains(&link));
    let mut reader = Visitor::new(&app);
    let opened = reader.get(&link).await;
    assert_eq!(opened.status, StatusCode::OK);
    assert!(
        opened.body.contains("确认电子邮箱</button>"),
        "{}",
        opened.body
    );
    let person = entities::people::Entity::find()
        .all(&app.db.read)
        .await
        .expect("people")
        .into_iter()
        .find(|p| p.email.as_deref() == Some("wang@example.org"))
        .expect("the person");
    assert!(
        person.email_confirmed_at.is_none(),
        "opening the link confirms nothing"
    );
    let csrf = hidden(&opened.body, "csrf");
    let confirmed = reader.post(&link, &[("csrf", &csrf)]).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert!(
        confirmed.body.contains("电子邮箱 wang@example.org 已确认"),
        "{}",
        confirmed.body
    );
    let page = trainee.get("/me/email").await;
    assert!(page.body.contains("已确认"), "{}", page.body);
    let (_, me) = app
        .get(
            "/api/v1/me/email",
            claimed["token"].as_str().expect("token"),
        )
        .await;
    assert_eq!(
        (me["email"].clone(), me["confirmed"].clone()),
        (json!("wang@example.org"), Value::Bool(true))
    );
}
