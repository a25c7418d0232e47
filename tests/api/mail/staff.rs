//! The outbox as staff see it: a message refused for good is sent again once the server
//! takes it (the same Message-ID, one arrival), another is dropped and never sent; other
//! organisations see none of it; every decision is audited.

use entities::mail_outbox;
use registry::access::Role;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::{
    helpers::PASSWORD,
    visitor::{Visitor, hidden},
};

use super::{
    DOMAIN, chain, confirmed_holders, deliver, fresh_sink, header, issue_cohort, mail_app, outbox,
    to_of, worker,
};

#[tokio::test]
async fn staff_send_a_failed_message_again_once_or_drop_it_and_others_see_nothing() {
    let mut sink = fresh_sink();
    sink.start(&[]);
    let app = mail_app(&sink).await;
    let c = chain(&app).await;
    let holders = confirmed_holders(&app, &c, &sink, 2).await;
    sink.stop();
    // The server refuses both holders for good: both certificate mails fail.
    sink.start(&[&holders[0].1, &holders[1].1]);
    issue_cohort(&app, &c).await;
    let runner = worker(&app, &sink.url());
    assert_eq!(deliver(&app, &runner).await, 2);
    let failed: Vec<mail_outbox::Model> = outbox(&app)
        .await
        .into_iter()
        .filter(|r| r.message == "certificate_issued")
        .collect();
    assert!(failed.iter().all(|r| r.status == "failed"), "{failed:?}");

    // The provider that issued them sees them, with the server's answer.
    let (status, page) = app.get("/api/v1/mail/outbox?status=failed", &c.staff).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{page}");
    assert!(items.iter().all(|m| m["decidable"] == true));
    assert!(
        items[0]["last_answer"]
            .as_str()
            .is_some_and(|a| a.contains("550"))
    );
    // Another provider's staff see none of it and cannot decide it.
    let other = app
        .organisation(
            &c.bureau,
            "training_provider",
            "额尔古纳市草原人家职业培训学校",
        )
        .await;
    let stranger = app
        .account("stranger", Role::ProviderStaff, Some(&other))
        .await;
    let (_, theirs) = app.get("/api/v1/mail/outbox", &stranger).await;
    assert_eq!(theirs["items"], serde_json::json!([]));
    let (resend_one, drop_other) = (&failed[0], &failed[1]);
    let resend = format!("/api/v1/mail/outbox/{}/resend", resend_one.id);
    let (status, _) = app.post(&resend, &stranger, serde_json::json!(null)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The server now takes mail: sent again, it arrives once, with the same Message-ID.
    sink.stop();
    sink.start(&[]);
    let before = sink.received().len();
    let (status, line) = app.post(&resend, &c.staff, serde_json::json!(null)).await;
    assert_eq!(status, StatusCode::OK, "{line}");
    assert_eq!(line["status"], "queued");
    let (status, again) = app.post(&resend, &c.staff, serde_json::json!(null)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a second click answers the queued message: {again}"
    );
    assert_eq!(deliver(&app, &runner).await, 1, "one job for the resend");
    let arrived = &sink.received()[before..];
    assert_eq!(arrived.len(), 1);
    assert_eq!(to_of(&arrived[0]), resend_one.recipient);
    assert_eq!(
        header(&arrived[0], "message-id"),
        format!("<{}@{DOMAIN}>", resend_one.id)
    );
    let (status, sent) = app.post(&resend, &c.staff, serde_json::json!(null)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{sent}");
    assert_eq!(sent["error"], "mail_status");

    // The other is dropped: never sent, and no longer to be decided.
    // The bureau drops it on the outbox page (the form's token checked first).
    let mut bureau = Visitor::new(&app);
    bureau.sign_in("bureau", PASSWORD).await;
    let shown = bureau.get("/outbox?status=failed").await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.body.contains("服务器答复：permanent error (550)"),
        "{}",
        shown.body
    );
    assert!(
        shown
            .body
            .contains(&format!("/outbox/{}/drop", drop_other.id))
    );
    let page_drop = format!("/outbox/{}/drop", drop_other.id);
    assert_eq!(
        bureau.post(&page_drop, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let csrf = hidden(&shown.body, "csrf");
    let dropped = bureau.post(&page_drop, &[("csrf", &csrf)]).await;
    assert_eq!(dropped.status, StatusCode::SEE_OTHER, "{}", dropped.body);
    let after = bureau.get("/outbox").await;
    assert!(after.body.contains("已放弃发送"), "{}", after.body);
    let (_, page) = app
        .get("/api/v1/mail/outbox?status=dropped", &c.bureau)
        .await;
    assert_eq!(page["items"][0]["id"], drop_other.id.as_str(), "{page}");
    assert_eq!(page["items"][0]["decidable"], false);
    let (status, _) = app
        .post(
            &format!("/api/v1/mail/outbox/{}/resend", drop_other.id),
            &c.staff,
            serde_json::json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    app.clock.advance(chrono::Duration::hours(3));
    assert_eq!(deliver(&app, &runner).await, 0);
    assert_eq!(sink.received().len(), before + 1);
    let audited = entities::audit_log::Entity::find()
        .filter(entities::audit_log::Column::Action.is_in(["mail.resend", "mail.drop"]))
        .all(&app.db.read)
        .await
        .expect("audit");
    assert_eq!(audited.len(), 2);
}
