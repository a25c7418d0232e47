//! The notices that came late: a certificate suspended because its ground fell mails its
//! holder the reason, as a suspension by hand does; an enrolment by spreadsheet sends the
//! enrolment mail an enrolment by form does.

use reqwest::StatusCode;
use serde_json::json;

use super::{
    confirmed_holders, deliver, fresh_sink, header, mail_app, outbox, reminders::confirm, to_of,
    worker,
};
use crate::{
    certificates::chain,
    corrections::{id_of, licensed},
    helpers::citizen_id,
    imports::{upload, xlsx},
};

#[tokio::test]
async fn a_licence_suspended_because_its_ground_fell_mails_the_holder_the_reason() {
    let mut sink = fresh_sink();
    sink.start(&[]);
    let app = mail_app(&sink).await;
    let c = chain(&app).await;
    let (person, [_, specialty, licence]) =
        licensed(&app, &c, "娜仁花", &citizen_id("19900412", 222)).await;
    let path = format!("/api/v1/people/{person}/email");
    confirm(&app, &sink, &path, &c.staff, "naren@example.org").await;

    let (status, body) = app
        .post(
            &format!("/api/v1/certificates/{}/suspend", id_of(&specialty)),
            &c.assessor,
            json!({"reason": "考核材料核查中"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows: Vec<_> = outbox(&app)
        .await
        .into_iter()
        .filter(|r| r.message == "certificate_suspended")
        .collect();
    assert_eq!(
        rows.len(),
        2,
        "the specialty by hand, the licence by its fall"
    );
    let before = sink.received().len();
    assert_eq!(deliver(&app, &worker(&app, &sink.url())).await, 2);
    let received = &sink.received()[before..];
    let licence_number = licence["number"].as_str().expect("number");
    let fallen = received
        .iter()
        .find(|m| header(m, "subject").contains(licence_number))
        .expect("the licence's mail");
    assert_eq!(to_of(fallen), "naren@example.org");
    let why = format!(
        "依据证书已暂停（{}）",
        specialty["number"].as_str().expect("number")
    );
    assert!(
        fallen["text"].as_str().expect("text").contains(&why),
        "{fallen}"
    );
    let direct = received
        .iter()
        .find(|m| !header(m, "subject").contains(licence_number))
        .expect("the specialty's mail");
    assert!(
        direct["text"]
            .as_str()
            .expect("text")
            .contains("考核材料核查中")
    );
}

#[tokio::test]
async fn an_enrolment_by_spreadsheet_sends_the_enrolment_mail_to_a_confirmed_address() {
    let mut sink = fresh_sink();
    sink.start(&[]);
    let app = mail_app(&sink).await;
    let c = chain(&app).await;
    // 王小明 has a confirmed address; the other is new to the registry and has none.
    let (_, address) = confirmed_holders(&app, &c, &sink, 1).await.remove(0);
    let known = citizen_id("19900101", 300);
    let new = citizen_id("19920202", 404);
    let sheet = xlsx(
        &[
            ["王小明", &known, "13904701234", ""],
            ["李新来", &new, "13904705678", ""],
        ],
        false,
    );
    let (status, report) =
        upload(&app, &c.staff, &c.pastry_cohort, sheet, "名单.xlsx", false).await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let rows: Vec<_> = outbox(&app)
        .await
        .into_iter()
        .filter(|r| r.message == "enrolment_confirmed")
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let before = sink.received().len();
    assert_eq!(deliver(&app, &worker(&app, &sink.url())).await, 1);
    let mail = sink.received().pop().expect("the enrolment mail");
    assert_eq!(sink.received().len(), before + 1);
    assert_eq!(to_of(&mail), address);
    assert!(header(&mail, "subject").starts_with("报名成功："), "{mail}");
    let enrolment = report["enrolled"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["name"] == "王小明"))
        .and_then(|r| r["enrolment_id"].as_str())
        .expect("the enrolment")
        .to_owned();
    assert!(mail["text"].as_str().expect("text").contains(&enrolment));
}
