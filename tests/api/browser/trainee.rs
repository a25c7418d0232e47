//! A trainee in the browser, at a phone's width: claims the account with a certificate
//! number, sees the chain, downloads the PDF, makes a share link and opens it signed out.
//! Every page fits the screen.

use super::Browser;
use crate::{
    certificate_pages::specialised,
    certificates::chain,
    helpers::{PASSWORD, TestApp, citizen_id},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trainee_claims_the_account_sees_the_chain_and_shares_a_certificate() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let enrolment = specialised(&app, &c, "娜仁花", 222).await;
    let (_, view) = app
        .get(&format!("/api/v1/enrolments/{enrolment}"), &c.staff)
        .await;
    let person = view["person"]["id"].as_str().expect("person").to_owned();
    let (_, certs) = app
        .get(&format!("/api/v1/people/{person}/certificates"), &c.staff)
        .await;
    let completion = certs
        .as_array()
        .and_then(|l| l.iter().find(|x| x["kind"] == "completion"))
        .cloned()
        .expect("a completion certificate");
    let number = completion["number"].as_str().expect("number");
    let browser = Browser::phone().await;

    // The claim: name, ID, the number on the paper, a password.
    browser.open(&format!("{}/sign-in", app.base)).await;
    browser
        .eval("[...document.querySelectorAll('a')].find(a => a.textContent.includes('认领学员账号')).click(); return null")
        .await;
    browser.wait_for_path("/claim").await;
    // A number that is not theirs: one sentence above the form, whichever part was wrong.
    browser.type_into("#name", "娜仁花").await;
    browser
        .type_into("#citizen_id", &citizen_id("19900412", 222))
        .await;
    browser
        .type_into("#reference", "150784-JY-2026-999999")
        .await;
    browser.type_into("#password", PASSWORD).await;
    browser.type_into("#repeat", PASSWORD).await;
    browser
        .submit("form[action='/claim'] button[type=submit]")
        .await;
    let refusal = browser
        .eval("const e = document.querySelector('.answer.no'); return e && e.innerText")
        .await;
    assert!(
        refusal
            .as_str()
            .is_some_and(|r| r.contains("未能对应到同一位学员")),
        "{refusal}"
    );
    browser.fits("trainee-claim-refused").await;

    browser
        .type_into("#citizen_id", &citizen_id("19900412", 222))
        .await;
    browser.type_into("#reference", number).await;
    browser.type_into("#login", "narenhua").await;
    browser.type_into("#password", PASSWORD).await;
    browser.type_into("#repeat", PASSWORD).await;
    browser.fits("trainee-claim").await;
    browser
        .submit("form[action='/claim'] button[type=submit]")
        .await;
    browser.wait_for_path("/me").await;

    // "我的证书": the chain, completion first, then the specialty certificate.
    let text = browser.text().await;
    assert!(text.contains("登录名是 narenhua"), "{text}");
    let completion_at = text.find("结业证书").expect("the completion certificate");
    let specialty_at = text.find("专项职业能力证书").expect("the specialty one");
    assert!(completion_at < specialty_at, "{text}");
    assert!(text.contains(number) && text.contains("培训记录"), "{text}");
    browser.fits("trainee-my-certificates").await;

    // The PDF link gives the stored PDF (fetched with the browser's session: the page's
    // policy lets no script fetch).
    let href = browser
        .eval(&format!(
            "const a = document.querySelector(\"a[href='/certificates/{}/pdf']\"); return a && a.href",
            completion["id"].as_str().expect("id")
        ))
        .await;
    let session = browser
        .driver
        .get_named_cookie("registry_session")
        .await
        .expect("the session cookie");
    let pdf = app
        .client
        .get(href.as_str().expect("a PDF link"))
        .header("cookie", format!("registry_session={}", session.value))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        pdf.headers()["content-type"].to_str().ok(),
        Some("application/pdf")
    );
    assert!(pdf.bytes().await.expect("bytes").starts_with(b"%PDF-"));

    // Its own page: the QR code, then a share link.
    browser
        .click(&format!(
            "a[href='/me/certificates/{}']",
            completion["id"].as_str().expect("id")
        ))
        .await;
    browser
        .wait_for("return document.querySelector('.qr svg') || null")
        .await;
    browser.fits("trainee-certificate").await;
    browser.submit("#shares button[type=submit]").await;
    let url = browser
        .wait_for("const f = document.querySelector('#share-url'); return f && f.value")
        .await;
    let url = url.as_str().expect("a share address").to_owned();
    assert!(url.starts_with(&format!("{}/s/", app.base)), "{url}");
    let linkedin = browser
        .eval("return [...document.querySelectorAll('a')].find(a => a.textContent === '添加到领英').href")
        .await;
    let linkedin = linkedin.as_str().expect("a LinkedIn link");
    assert!(
        linkedin.contains("certId=") && linkedin.contains("certUrl="),
        "{linkedin}"
    );
    browser.click("button[data-copy]").await;
    let said = browser
        .wait_for("const b = document.querySelector('button[data-copy]'); return b.textContent === '复制链接' ? null : b.textContent")
        .await;
    assert!(
        said == "已复制" || said == "请长按链接复制",
        "the copy button answers: {said}"
    );
    browser.fits("trainee-share-made").await;

    // Signed out, the link shows the certificate and until when the link works.
    browser
        .submit("nav.staff form[action='/sign-out'] button")
        .await;
    browser.open(&url).await;
    let text = browser.text().await;
    assert!(text.contains("此链接可查看至"), "{text}");
    assert!(text.contains("链接的有效期不是证书的有效期"), "{text}");
    assert!(text.contains(number) && text.contains("娜*花"), "{text}");
    browser.fits("trainee-share-page").await;
}
