//! Hostile files (issue 10): spreadsheets built to exhaust the server. Each is
//! refused with a 4xx and a Chinese message, nothing is written, and the server still
//! answers `/health` afterwards. The spreadsheets start as rust_xlsxwriter files; the
//! bombs are those files repacked by hand with the `zip` crate.

use std::io::{Read, Write};

use reqwest::{Method, StatusCode};
use rust_xlsxwriter::Workbook;
use serde_json::Value;

use crate::{
    helpers::{TestApp, citizen_id},
    imports::upload,
};

/// An enrolment list (header and two trainees) as rust_xlsxwriter writes it, with
/// whatever `more` adds to the sheet.
fn list_xlsx(more: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (col, title) in ["姓名", "身份证号"].iter().enumerate() {
        sheet.write_string(0, col as u16, *title).expect("header");
    }
    for (row, (name, id)) in [
        ("娜仁花", citizen_id("19900412", 246)),
        ("巴特尔", citizen_id("19951231", 135)),
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(row as u32 + 1, 0, *name).expect("name");
        sheet.write_string(row as u32 + 1, 1, id).expect("id");
    }
    more(sheet);
    book.save_to_buffer().expect("xlsx bytes")
}

/// `xlsx` unpacked and packed again (deflated), each entry passed through `patch`, and
/// `padding` more (empty) entries added.
fn repack(xlsx: &[u8], patch: impl Fn(&str, Vec<u8>) -> Vec<u8>, padding: usize) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("a zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("an entry");
        let name = entry.name().to_owned();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).expect("entry bytes");
        out.start_file(name.as_str(), options).expect("start");
        out.write_all(&patch(&name, content)).expect("write");
    }
    for i in 0..padding {
        out.start_file(format!("customXml/item{i}.xml"), options)
            .expect("start");
    }
    out.finish().expect("finish").into_inner()
}

/// `xml` with `from` replaced by `to`, which must occur.
fn replaced(xml: Vec<u8>, from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(xml).expect("UTF-8 XML");
    assert!(text.contains(from), "{from} not in {text}");
    text.replacen(from, to, 1).into_bytes()
}

/// Rows of the tables an import or a check would write.
async fn written(app: &TestApp) -> [i64; 3] {
    [
        app.count("enrolments").await,
        app.count("people").await,
        app.count("audit_log").await,
    ]
}

/// A refusal with `reason` and a Chinese message, and a server that still answers.
async fn assert_refused(app: &TestApp, status: StatusCode, body: &Value, reason: &str) {
    assert!(status.is_client_error(), "{status} {body}");
    assert_eq!(body["fields"][0]["reason"], reason, "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "a Chinese message: {body}"
    );
    let (status, health) = app.call(Method::GET, "/health", None, None).await;
    assert_eq!(status, StatusCode::OK, "{health}");
}

#[tokio::test]
async fn an_xlsx_reaching_cell_xfd1048576_is_refused_before_the_sheet_is_allocated() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    // Excel's last cell: a rectangle from A1 to it is 17 billion cells.
    let file = list_xlsx(|sheet| {
        sheet
            .write_string(1_048_575, 16_383, "x")
            .expect("XFD1048576");
    });
    assert!(file.len() < 16 * 1024, "a small file: {}", file.len());
    let before = written(&app).await;

    let (status, body) = upload(&app, &t.staff, &t.cohort, file, "名单.xlsx", false).await;
    assert_refused(&app, status, &body, "sheet_too_large").await;
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("XFD1048576")),
        "{body}"
    );
    assert_eq!(written(&app).await, before, "nothing written");
}

#[tokio::test]
async fn an_xlsx_whose_sheet_unpacks_to_a_hundred_megabytes_is_refused_by_its_unpacked_size() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    // The probe's file: a used range to XFD1048576 and a sheet that deflates ~1000:1.
    let padding = " ".repeat(96 << 20);
    let file = repack(
        &list_xlsx(|_| {}),
        |name, xml| {
            if name != "xl/worksheets/sheet1.xml" {
                return xml;
            }
            let xml = replaced(
                xml,
                "<dimension ref=\"A1:B3\"/>",
                "<dimension ref=\"A1:XFD1048576\"/>",
            );
            replaced(xml, "</sheetData>", &format!("{padding}</sheetData>"))
        },
        0,
    );
    assert!(file.len() < 1 << 20, "under the body limit: {}", file.len());
    let before = written(&app).await;

    let (status, body) = upload(&app, &t.staff, &t.cohort, file, "名单.xlsx", false).await;
    assert_refused(&app, status, &body, "unpacked_too_large").await;
    assert_eq!(written(&app).await, before, "nothing written");
}

#[tokio::test]
async fn an_xlsx_whose_string_table_claims_trillions_of_strings_is_refused() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    // calamine reserves room for `uniqueCount` strings before reading one.
    let file = repack(
        &list_xlsx(|_| {}),
        |name, xml| {
            if name != "xl/sharedStrings.xml" {
                return xml;
            }
            let text = String::from_utf8(xml).expect("UTF-8");
            let at = text.find("uniqueCount=\"").expect("uniqueCount") + "uniqueCount=\"".len();
            let end = at + text[at..].find('"').expect("closing quote");
            format!("{}99999999999999{}", &text[..at], &text[end..]).into_bytes()
        },
        0,
    );

    let (status, body) = upload(&app, &t.staff, &t.cohort, file, "名单.xlsx", false).await;
    assert_refused(&app, status, &body, "too_many_strings").await;
    assert_eq!(app.count("enrolments").await, 0);
}

#[tokio::test]
async fn an_xlsx_of_thousands_of_zip_entries_and_a_csv_of_thousands_of_columns_are_refused() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let file = repack(&list_xlsx(|_| {}), |_, xml| xml, 5_000);
    let (status, body) = upload(&app, &t.staff, &t.cohort, file, "名单.xlsx", false).await;
    assert_refused(&app, status, &body, "too_many_entries").await;

    let mut csv = String::from("姓名,身份证号");
    csv.push_str(&",备注".repeat(5_000));
    csv.push_str(&format!("\n娜仁花,{}\n", citizen_id("19900412", 246)));
    let (status, body) = upload(
        &app,
        &t.staff,
        &t.cohort,
        csv.into_bytes(),
        "名单.csv",
        false,
    )
    .await;
    assert_refused(&app, status, &body, "sheet_too_large").await;
    assert_eq!(app.count("enrolments").await, 0);
}
