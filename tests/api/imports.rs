//! Spreadsheet enrolment: real XLSX files (written by rust_xlsxwriter, as Excel reads
//! them) and CSV files in UTF-8 and GBK.

use reqwest::{StatusCode, multipart};
use rust_xlsxwriter::Workbook;
use serde_json::Value;

use crate::helpers::{TestApp, citizen_id, pluck};

/// An XLSX file: a title row the way offices write them, then the header and `rows`.
/// IDs are written as text, except where `id_as_number` asks for a number cell.
pub(crate) fn xlsx(rows: &[[&str; 4]], id_as_number: bool) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .write_string(0, 0, "2026年骑马游向导培训班学员名单")
        .expect("title");
    for (col, title) in ["序号", "姓名", "身份证号码", "手机号", "重点群体"]
        .iter()
        .enumerate()
    {
        sheet.write_string(2, col as u16, *title).expect("header");
    }
    for (i, row) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        sheet.write_number(r, 0, (i + 1) as f64).expect("serial");
        sheet.write_string(r, 1, row[0]).expect("name");
        if id_as_number {
            let id: f64 = row[1].parse().expect("a numeric ID");
            sheet.write_number(r, 2, id).expect("id");
        } else {
            sheet.write_string(r, 2, row[1]).expect("id");
        }
        if let Ok(phone) = row[2].parse::<f64>() {
            sheet.write_number(r, 3, phone).expect("phone");
        }
        sheet.write_string(r, 4, row[3]).expect("groups");
    }
    book.save_to_buffer().expect("xlsx bytes")
}

pub(crate) async fn upload(
    app: &TestApp,
    staff: &str,
    cohort: &str,
    bytes: Vec<u8>,
    file: &str,
    dry_run: bool,
) -> (StatusCode, Value) {
    let form = multipart::Form::new().part(
        "file",
        multipart::Part::bytes(bytes).file_name(file.to_owned()),
    );
    let resp = app
        .client
        .post(format!(
            "{}/api/v1/cohorts/{cohort}/imports?dry_run={dry_run}",
            app.base
        ))
        .bearer_auth(staff)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

pub(crate) fn rows_and_reasons(body: &Value) -> Vec<String> {
    pluck(&body["fields"], &["row", "field", "reason"])
}

#[tokio::test]
async fn an_xlsx_list_is_checked_by_a_dry_run_then_enrolled_all_at_once() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let (a, b, c) = (
        citizen_id("19900412", 246),
        citizen_id("19951231", 135),
        citizen_id("19880101", 302),
    );
    let file = xlsx(
        &[
            ["娜仁花", &a, "13947012345", "新生农牧民"],
            ["巴特尔", &b, "", "退役军人及军属、高校毕业生"],
            ["王秀英", &c, "", "返岗妇女"],
        ],
        false,
    );

    let (status, report) = upload(&app, &t.staff, &t.cohort, file.clone(), "名单.xlsx", true).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["dry_run"].as_bool(), report["rows"].as_u64()),
        (Some(true), Some(3))
    );
    assert_eq!(report["enrolled"][0]["row"], 4, "rows are the sheet's own");
    assert!(report["enrolled"][0]["enrolment_id"].is_null());
    assert_eq!(app.count("enrolments").await, 0, "a dry run keeps nothing");

    let (status, report) = upload(&app, &t.staff, &t.cohort, file, "名单.xlsx", false).await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert_eq!(report["enrolled"].as_array().map(Vec::len), Some(3));
    let (_, list) = app
        .get(
            &format!("/api/v1/cohorts/{}/enrolments", t.cohort),
            &t.staff,
        )
        .await;
    let people: Vec<(String, String)> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["person"]["name"].as_str().unwrap_or("").to_owned(),
                e["person"]["phone"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert!(
        people.contains(&("娜仁花".into(), "13947012345".into())),
        "{people:?}"
    );
    assert!(list.to_string().contains("veteran_or_military_family"));
}

#[tokio::test]
async fn one_bad_row_in_a_gbk_csv_refuses_the_whole_file_and_names_every_bad_row() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    let good = citizen_id("19900412", 246);
    let mut wrong_check = citizen_id("19920101", 111);
    wrong_check.replace_range(17.., if wrong_check.ends_with('1') { "2" } else { "1" });
    let too_old = citizen_id("19500101", 123);
    let csv = format!(
        "姓名,身份证号,手机号,重点群体\n\
         娜仁花,{good},,\n\
         巴特尔,{wrong_check},,\n\
         娜仁花,{good},,\n\
         其其格,{too_old},,\n\
         阿拉坦,{},,贫困户\n",
        citizen_id("19990909", 555)
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
    let before = app.count("audit_log").await;
    let (status, body) = upload(
        &app,
        &t.staff,
        &t.cohort,
        gbk.into_owned(),
        "名单.csv",
        false,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let found = rows_and_reasons(&body);
    for expected in [
        "3 citizen_id check_character",
        "4 citizen_id duplicate_in_file",
        "5 citizen_id age_out_of_range",
        "6 key_groups[0] unknown",
    ] {
        assert!(
            found.iter().any(|f| f == expected),
            "{expected} not in {found:?}"
        );
    }
    let message = body["message"].as_str().expect("message");
    assert!(
        message.contains("第3行")
            && message.contains("第4行")
            && message.contains("未导入任何学员"),
        "{message}"
    );
    assert_eq!(
        app.count("enrolments").await,
        0,
        "nothing of the file is kept"
    );
    assert_eq!(app.count("people").await, 0);
    assert_eq!(app.count("audit_log").await, before);
}

#[tokio::test]
async fn an_id_excel_stored_as_a_number_and_rows_beyond_capacity_are_named() {
    let app = TestApp::spawn().await;
    let t = app.training(2).await;
    let ids: Vec<String> = (0..3).map(|i| citizen_id("19900101", 200 + i)).collect();
    let numeric: Vec<String> = ids
        .iter()
        .filter(|id| !id.ends_with('X'))
        .cloned()
        .collect();
    let file = xlsx(&[["张三", &numeric[0], "", ""]], true);
    let (status, body) = upload(&app, &t.staff, &t.cohort, file, "名单.xlsx", false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(rows_and_reasons(&body), ["4 citizen_id stored_as_number"]);
    assert!(body["message"].as_str().is_some_and(|m| m.contains("文本")));

    let file = xlsx(
        &[
            ["张三", &ids[0], "", ""],
            ["李四", &ids[1], "", ""],
            ["王五", &ids[2], "", ""],
        ],
        false,
    );
    let (status, body) = upload(&app, &t.staff, &t.cohort, file, "名单.xlsx", false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(rows_and_reasons(&body), ["6 cohort cohort_full"]);
    assert_eq!(app.count("enrolments").await, 0);
}

#[tokio::test]
async fn files_that_are_not_enrolment_lists_are_refused_with_a_reason() {
    let app = TestApp::spawn().await;
    let t = app.training(30).await;
    for (bytes, reason) in [
        (
            "姓名,电话\n张三,13900000000\n".as_bytes().to_vec(),
            "missing_column",
        ),
        ("姓名,身份证号\n".as_bytes().to_vec(), "no_rows"),
        (
            vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
            "xls_not_supported",
        ),
        (b"PK\x03\x04 not really a zip".to_vec(), "unreadable"),
    ] {
        let (status, body) = upload(&app, &t.staff, &t.cohort, bytes, "x", false).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["fields"][0]["reason"], reason, "{body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (status, _) = upload(
        &app,
        &t.staff,
        "00000000-0000-0000-0000-000000000000",
        b"x".to_vec(),
        "x",
        false,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let resp = app
        .client
        .post(format!("{}/api/v1/cohorts/{}/imports", app.base, t.cohort))
        .bearer_auth(&t.staff)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.expect("the error shape");
    assert_eq!(body["error"], "malformed");
}

pub(crate) fn tempfile_dir() -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("registry-import-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
