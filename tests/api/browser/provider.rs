//! A training provider's day in the browser: open a cohort, enrol a person by form (a
//! wrong ID number refused under its field with the name kept), enter the results sheet,
//! issue the completion certificates and read the report, download the PDFs as a ZIP.

use std::io::Cursor;

use thirtyfour::prelude::ElementQueryable;

use super::Browser;
use crate::{
    certificates::chain,
    helpers::{TestApp, citizen_id},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_a_provider_enrols_records_results_issues_and_downloads_the_pdfs() {
    let app = TestApp::spawn().await;
    chain(&app).await;
    let browser = Browser::phone().await;
    browser.sign_in_as(&app, "staff").await;

    browser.open(&format!("{}/cohorts", app.base)).await;
    browser.fits("provider-cohorts-390").await;
    browser
        .eval(
            "const s = document.querySelector('#program_id');
             s.value = [...s.options].find(o => o.text === '民宿主理人培训').value;
             document.querySelector('#starts_on').value = '2026-05-10';
             document.querySelector('#ends_on').value = '2026-06-20';
             return null",
        )
        .await;
    browser.type_into("#code", "MS-2026-09").await;
    browser.type_into("#capacity", "30").await;
    browser.type_into("#location", "拉布大林街道").await;
    browser.submit("#new button[type=submit]").await;
    let text = browser.text().await;
    assert!(text.contains("已开设班次“MS-2026-09”"), "{text}");
    browser.fits("provider-cohort-empty-390").await;

    // A wrong check character: the error under the ID field, the name kept, nobody enrolled.
    let good = citizen_id("19900412", 222);
    let mut wrong = good.clone();
    wrong.replace_range(17.., if good.ends_with('0') { "1" } else { "0" });
    browser.type_into("#name", "娜仁花").await;
    browser.type_into("#citizen_id", &wrong).await;
    browser.submit("#enrol button[type=submit]").await;
    let error = browser
        .wait_for("const e = document.querySelector('#citizen_id-error'); return e && e.innerText")
        .await;
    assert!(
        error.as_str().is_some_and(|e| !e.is_empty()),
        "the error sits under the ID field"
    );
    let kept = browser
        .eval("return document.querySelector('#name').value")
        .await;
    assert_eq!(kept, "娜仁花", "the name is kept");
    browser.fits("provider-enrol-refused-390").await;
    browser.type_into("#citizen_id", &good).await;
    browser.submit("#enrol button[type=submit]").await;
    assert!(browser.text().await.contains("已报名：娜仁花。"));

    // The results sheet: one trainee, one save.
    browser.type_into("input[name$='.hours']", "95").await;
    browser.type_into("input[name$='.theory']", "80").await;
    browser.type_into("input[name$='.practical']", "85").await;
    browser.fits("provider-results-390").await;
    browser.submit("#results button[type=submit]").await;
    assert!(browser.text().await.contains("已保存1名学员的成绩。"));

    // The same sheet in Excel: a score out of range refuses the upload, naming the row.
    let enrolment = browser
        .eval("return document.querySelector(\"input[name$='.hours']\").name.split('.')[1]")
        .await;
    let sheet = app.data_dir.join("results.xlsx");
    results_sheet(&sheet, enrolment.as_str().expect("the enrolment id"), 120);
    browser
        .driver
        .query(thirtyfour::By::Css("#results-file"))
        .first()
        .await
        .expect("the file field")
        .send_keys(sheet.to_str().expect("path"))
        .await
        .expect("chosen");
    browser
        .submit("form[action*='/results.xlsx'] button[type=submit]")
        .await;
    let text = browser.text().await;
    assert!(text.contains("第2行 理论成绩：分数须在0–100之间"), "{text}");
    browser.fits("provider-results-upload-refused-390").await;

    browser
        .submit("form[action$='/certificates'] button[type=submit]")
        .await;
    let report = browser.text().await;
    assert!(report.contains("已获证书（1人）"), "{report}");
    assert!(report.contains("150784-JY-"), "the number: {report}");
    browser.fits("provider-issued-390").await;
    let cohort = browser
        .eval("return document.querySelector(\"a[href^='/cohorts/']\").href")
        .await;
    browser
        .open(cohort.as_str().expect("the cohort's link"))
        .await;
    assert!(browser.text().await.contains("打印全部证书（合并 PDF）"));
    browser.fits("provider-cohort-issued-390").await;

    // The ZIP, fetched with the browser's own session.
    let href = browser
        .eval("return document.querySelector('#zip').href")
        .await;
    let session = browser
        .driver
        .get_named_cookie("registry_session")
        .await
        .expect("the session cookie");
    let zip = reqwest::Client::new()
        .get(href.as_str().expect("a link"))
        .header(
            reqwest::header::COOKIE,
            format!("registry_session={}", session.value),
        )
        .send()
        .await
        .expect("downloaded");
    assert_eq!(
        zip.headers()[reqwest::header::CONTENT_TYPE],
        "application/zip"
    );
    let bytes = zip.bytes().await.expect("bytes").to_vec();
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a ZIP");
    assert_eq!(archive.len(), 1, "one PDF for one certificate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_laptop_the_providers_pages_lay_out_in_full() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    for (name, birth, seq) in [("娜仁花", "19900412", 222), ("巴特尔", "19880101", 111)] {
        app.trainee(
            &c,
            &c.homestay_cohort,
            name,
            &citizen_id(birth, seq),
            serde_json::json!({"attended_hours": 95, "theory_score": 80, "practical_score": 85}),
        )
        .await;
    }
    let browser = Browser::laptop().await;
    browser.sign_in_as(&app, "staff").await;
    for (path, name) in [
        ("/programs".to_owned(), "provider-programs-1280"),
        ("/cohorts".to_owned(), "provider-cohorts-1280"),
        (
            format!("/cohorts/{}", c.homestay_cohort),
            "provider-cohort-1280",
        ),
    ] {
        browser.open(&format!("{}{path}", app.base)).await;
        assert!(!browser.scrolls_sideways().await, "{path} scrolls sideways");
        browser.keep_screenshot(name).await;
    }
    let text = browser.text().await;
    assert!(text.contains("娜仁花") && text.contains("巴特尔"), "{text}");
}

/// A results sheet as rust_xlsxwriter writes it: one trainee with hours 95 and `theory`.
fn results_sheet(path: &std::path::Path, enrolment: &str, theory: u32) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, title) in ["报名编号", "出勤学时", "理论成绩"].iter().enumerate() {
        sheet.write_string(0, col as u16, *title).expect("header");
    }
    sheet.write_string(1, 0, enrolment).expect("id");
    sheet.write_number(1, 1, 95).expect("hours");
    sheet.write_number(1, 2, theory).expect("theory");
    book.save(path).expect("saved");
}

/// A roster as rust_xlsxwriter writes it: the headers and one row per `(name, ID)`.
fn roster(path: &std::path::Path, rows: &[(&str, &str)]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "姓名").expect("header");
    sheet.write_string(0, 1, "身份证号").expect("header");
    for (i, (name, id)) in rows.iter().enumerate() {
        let r = 1 + i as u32;
        sheet.write_string(r, 0, *name).expect("name");
        sheet.write_string(r, 1, *id).expect("id");
    }
    book.save(path).expect("saved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_a_provider_enrols_a_cohort_from_a_spreadsheet() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let dir = app.data_dir.join("rosters");
    std::fs::create_dir_all(&dir).expect("dir");
    let good = citizen_id("19900412", 222);
    let mut wrong = citizen_id("19880101", 111);
    wrong.replace_range(17.., if wrong.ends_with('0') { "1" } else { "0" });
    let bad_file = dir.join("bad.xlsx");
    roster(&bad_file, &[("娜仁花", &good), ("巴特尔", &wrong)]);
    let good_file = dir.join("good.xlsx");
    roster(
        &good_file,
        &[("娜仁花", &good), ("巴特尔", &citizen_id("19880101", 111))],
    );
    let browser = Browser::phone().await;
    browser.sign_in_as(&app, "staff").await;
    browser
        .open(&format!(
            "{}/cohorts/{}/imports",
            app.base, c.homestay_cohort
        ))
        .await;
    browser.fits("provider-import-390").await;

    let choose = async |file: &std::path::Path| {
        browser
            .driver
            .query(thirtyfour::By::Css("#file"))
            .first()
            .await
            .expect("the file field")
            .send_keys(file.to_str().expect("path"))
            .await
            .expect("chosen");
    };
    choose(&bad_file).await;
    browser.submit("#upload button[type=submit]").await;
    let text = browser.text().await;
    assert!(
        text.contains("有问题的行（1处）") && text.contains("第3行"),
        "{text}"
    );
    browser.fits("provider-import-refused-390").await;
    assert_eq!(app.count("enrolments").await, 0, "nothing written");

    choose(&good_file).await;
    browser.submit("#upload button[type=submit]").await;
    let text = browser.text().await;
    assert!(text.contains("可以报名的行（2行）"), "{text}");
    browser.fits("provider-import-checked-390").await;
    assert_eq!(app.count("enrolments").await, 0, "a check keeps nothing");

    choose(&good_file).await;
    browser.submit("#upload button[type=submit]").await;
    assert!(browser.text().await.contains("已按表格报名2名学员。"));
    assert_eq!(app.count("enrolments").await, 2);
}
