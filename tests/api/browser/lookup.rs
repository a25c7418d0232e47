//! The look-up address printed on every certificate, in a real browser at a phone's size:
//! a stranger checks a paper certificate by number and name, and an e-mailed PDF.

use thirtyfour::prelude::ElementQueryable;

use super::Browser;
use crate::{
    certificates::chain,
    helpers::{TestApp, citizen_id},
    lookup::altered,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_a_stranger_checks_a_paper_certificate_by_number_and_an_altered_pdf() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, _, _) = app
        .completion(&c, "娜仁花", &citizen_id("19900412", 247))
        .await;
    let (_, cert) = app
        .get(&format!("/api/v1/certificates/{id}"), &c.staff)
        .await;
    let number = cert["number"].as_str().expect("number").to_owned();
    let browser = Browser::phone().await;
    let look_up = async |number: &str, name: &str| {
        browser.open(&format!("{}/v/", app.base)).await;
        browser.type_into("#number", number).await;
        browser.type_into("#name", name).await;
        browser.submit("#by-number button[type=submit]").await;
        browser.text().await
    };

    let verdict = look_up(&number, "娜仁花").await;
    assert!(
        verdict.contains("有效") && verdict.contains(&number) && verdict.contains("娜*花"),
        "{verdict}"
    );
    browser.fits("lookup-found-390").await;

    let wrong_name = look_up(&number, "娜仁").await;
    assert!(wrong_name.contains("未找到相符的证书"), "{wrong_name}");
    browser.fits("lookup-wrong-name-390").await;
    let unknown = look_up(&number.replace("-0000", "-9999"), "娜仁花").await;
    let answer = |text: &str| {
        text.lines()
            .find(|l| l.contains("未找到"))
            .map(str::to_owned)
    };
    assert_eq!(
        answer(&wrong_name),
        answer(&unknown),
        "an unknown number and a wrong name read the same"
    );
    browser.fits("lookup-unknown-390").await;
    let malformed = look_up("S0815", "娜仁花").await;
    assert!(
        malformed.contains("职业技能等级证书编号为22位"),
        "{malformed}"
    );
    browser.fits("lookup-malformed-390").await;

    let pdf = app
        .client
        .get(format!("{}/api/v1/certificates/{id}/pdf", app.base))
        .bearer_auth(&c.staff)
        .send()
        .await
        .expect("sent")
        .bytes()
        .await
        .expect("bytes");
    let genuine = app.data_dir.join("genuine.pdf");
    std::fs::write(&genuine, &pdf).expect("written");
    choose(&browser, &app.base, &genuine).await;
    let told = browser.text().await;
    assert!(
        told.contains("真实") && told.contains("eddsa-jcs-2022 + eddsa-rdfc-2022"),
        "{told}"
    );
    browser.fits("lookup-genuine-pdf-390").await;

    let file = app.data_dir.join("emailed.pdf");
    std::fs::write(&file, altered(pdf.to_vec())).expect("written");
    choose(&browser, &app.base, &file).await;
    let told = browser.text().await;
    assert!(
        told.contains("已被修改") && told.contains("PDF 文件内容与签发时不一致"),
        "{told}"
    );
    browser.fits("lookup-altered-pdf-390").await;
}

/// Opens the look-up page and submits `file` as the document to check.
async fn choose(browser: &Browser, base: &str, file: &std::path::Path) {
    browser.open(&format!("{base}/v/")).await;
    browser
        .driver
        .query(thirtyfour::By::Css("#file"))
        .first()
        .await
        .expect("the file field")
        .send_keys(file.to_str().expect("path"))
        .await
        .expect("chosen");
    browser.submit("#document button[type=submit]").await;
}
