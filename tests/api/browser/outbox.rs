//! The outbox page in a browser (issue 16): the provider's staff see a certificate mail
//! the server refused with its answer, send it again from the page, and see it sent once
//! the server takes it. The page fits a phone.

use super::Browser;
use crate::{
    certificates::chain,
    mail::{confirmed_holders, deliver, fresh_sink, issue_cohort, mail_app, outbox, worker},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_see_a_refused_certificate_mail_send_it_again_and_see_it_sent() {
    let mut sink = fresh_sink();
    sink.start(&[]);
    let app = mail_app(&sink).await;
    let c = chain(&app).await;
    let holders = confirmed_holders(&app, &c, &sink, 2).await;
    sink.stop();
    sink.start(&[&holders[0].1]);
    issue_cohort(&app, &c).await;
    assert_eq!(deliver(&app, &worker(&app, &sink.url())).await, 2);
    let failed = outbox(&app)
        .await
        .into_iter()
        .find(|r| r.message == "certificate_issued" && r.status == "failed")
        .expect("the refused certificate mail");

    let b = Browser::phone().await;
    b.sign_in_as(&app, "staff").await;
    b.open(&format!("{}/outbox", app.base)).await;
    let item = format!(
        "return document.querySelector('#mail-{}').innerText",
        failed.id
    );
    let line = b.eval(&item).await.as_str().unwrap_or_default().to_owned();
    assert!(
        line.contains("发送失败") && line.contains(&holders[0].1),
        "{line}"
    );
    assert!(
        line.contains("服务器答复：") && line.contains("550"),
        "{line}"
    );
    assert!(line.contains("重发") && line.contains("放弃"), "{line}");
    b.fits("outbox-failed-390").await;

    // The server takes mail again; the page sends the message again, and it arrives.
    sink.stop();
    sink.start(&[]);
    let before = sink.received().len();
    b.submit(&format!(
        "#mail-{} form[action$='/resend'] button[type=submit]",
        failed.id
    ))
    .await;
    let line = b.eval(&item).await.as_str().unwrap_or_default().to_owned();
    assert!(line.contains("待发送") && !line.contains("重发"), "{line}");
    assert_eq!(deliver(&app, &worker(&app, &sink.url())).await, 1);
    assert_eq!(sink.received().len(), before + 1);
    b.open(&format!("{}/outbox", app.base)).await;
    let line = b.eval(&item).await.as_str().unwrap_or_default().to_owned();
    assert!(line.contains("已发送") && line.contains("250"), "{line}");
    let buttons = "return document.querySelectorAll(\"form[action$='/resend']\").length";
    assert_eq!(b.eval(buttons).await, 0, "nothing left to decide");
    b.fits("outbox-sent-390").await;
}
