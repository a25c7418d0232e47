//! The provider's spreadsheets and the printable PDF over HTTP as a browser speaks them:
//! the roster template as XLSX, the problem report of a refused roster as XLSX, the
//! results sheet downloaded and uploaded back as XLSX (all or nothing, bounded like a
//! roster), and a cohort's certificates merged into one PDF.

use std::io::{Cursor, Write};

use calamine::{Data, Reader, Xlsx};
use reqwest::{Method, StatusCode, header};
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};

use crate::certificates::{Chain, chain, pdf_text};
use crate::helpers::{PASSWORD, TestApp, citizen_id};
use crate::visitor::{Visitor, hidden};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn signed_in<'a>(app: &'a TestApp, login: &str) -> Visitor<'a> {
    let mut browser = Visitor::new(app);
    let signed = browser.sign_in(login, PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    browser
}

/// A download as the signed-in browser makes it: status, media type, bytes.
struct Download {
    status: StatusCode,
    content_type: String,
    location: Option<String>,
    bytes: Vec<u8>,
}

impl Download {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// Sends `request` with the browser's cookies and keeps those it is given (a flash).
async fn fetch(browser: &mut Visitor<'_>, request: reqwest::RequestBuilder) -> Download {
    let jar: Vec<String> = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let response = request
        .header(header::COOKIE, jar.join("; "))
        .send()
        .await
        .expect("sent");
    for set in response.headers().get_all(header::SET_COOKIE) {
        let pair = set
            .to_str()
            .expect("ascii")
            .split(';')
            .next()
            .expect("pair");
        let (name, value) = pair.split_once('=').expect("name=value");
        browser.cookies.insert(name.to_owned(), value.to_owned());
    }
    let text = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &header::HeaderValue| v.to_str().expect("ascii").to_owned())
    };
    Download {
        status: response.status(),
        content_type: text(header::CONTENT_TYPE).unwrap_or_default(),
        location: text(header::LOCATION),
        bytes: response.bytes().await.expect("bytes").to_vec(),
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn download(app: &TestApp, browser: &mut Visitor<'_>, path: &str) -> Download {
    fetch(browser, client().get(format!("{}{path}", app.base))).await
}

/// Posts `file` with the page's CSRF token (and `fields`) as a browser posts a form
/// with a file.
async fn post_file(
    app: &TestApp,
    browser: &mut Visitor<'_>,
    path: &str,
    csrf: &str,
    file: Vec<u8>,
    name: &str,
) -> Download {
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_owned())
        .text("dry_run", "true")
        .part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name(name.to_owned()),
        );
    let request = client().post(format!("{}{path}", app.base)).multipart(form);
    fetch(browser, request).await
}

/// The first sheet's cells as text, row by row.
fn cells(xlsx: &[u8]) -> Vec<Vec<Data>> {
    let mut book = Xlsx::new(Cursor::new(xlsx.to_vec())).expect("opens with calamine");
    let first = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&first).expect("the first sheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(cell: &Data) -> String {
    cell.to_string()
}

async fn csrf_of(browser: &mut Visitor<'_>, path: &str) -> String {
    let page = browser.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    hidden(&page.body, "csrf")
}

#[tokio::test]
async fn the_roster_template_as_xlsx_has_the_csv_headers_and_its_example_row_checks() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let mut browser = signed_in(&app, "staff").await;
    let page_path = format!("/cohorts/{}/imports", c.homestay_cohort);
    let page = browser.get(&page_path).await;
    assert!(
        page.body.contains("imports/template.xlsx") && page.body.contains("imports/template.csv"),
        "both templates are linked: {}",
        page.body
    );
    let template = download(&app, &mut browser, &format!("{page_path}/template.xlsx")).await;
    assert_eq!(template.status, StatusCode::OK, "{}", template.text());
    assert_eq!(template.content_type, XLSX);
    let rows = cells(&template.bytes);
    let csv = download(&app, &mut browser, &format!("{page_path}/template.csv")).await;
    let csv_header = csv
        .text()
        .lines()
        .next()
        .expect("a header")
        .replace('\u{feff}', "");
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(header.join(","), csv_header, "the CSV template's headers");
    assert_eq!(rows[1][0], Data::String("娜仁花".into()));
    assert!(
        matches!(&rows[1][1], Data::String(id) if id.len() == 18),
        "the ID is text, every digit kept: {:?}",
        rows[1][1]
    );

    let csrf = hidden(&page.body, "csrf");
    let checked = post_file(
        &app,
        &mut browser,
        &page_path,
        &csrf,
        template.bytes,
        "模板.xlsx",
    )
    .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.text());
    assert!(
        checked.text().contains("可以报名的行（1行）"),
        "the template's example row checks as one trainee: {}",
        checked.text()
    );
    assert_eq!(app.count("enrolments").await, 0, "a check keeps nothing");
}

#[tokio::test]
async fn the_problem_report_lists_each_refused_row_masked_and_a_clean_file_gets_the_page() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let mut browser = signed_in(&app, "staff").await;
    let page_path = format!("/cohorts/{}/imports", c.homestay_cohort);
    let csrf = csrf_of(&mut browser, &page_path).await;
    let mut wrong = citizen_id("19880101", 111);
    wrong.replace_range(17.., if wrong.ends_with('0') { "1" } else { "0" });
    let bad = format!(
        "姓名,身份证号\n娜仁花,{}\n巴特尔,{wrong}\n其木格,123\n",
        citizen_id("19900412", 222)
    );
    let refused = post_file(
        &app,
        &mut browser,
        &page_path,
        &csrf,
        bad.clone().into(),
        "a.csv",
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .contains(&format!("formaction=\"{page_path}/problems.xlsx\"")),
        "the report's button sits in the upload form: {}",
        refused.text()
    );

    let report = post_file(
        &app,
        &mut browser,
        &format!("{page_path}/problems.xlsx"),
        &csrf,
        bad.into(),
        "a.csv",
    )
    .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text());
    assert_eq!(report.content_type, XLSX);
    let rows = cells(&report.bytes);
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(header, ["行号", "姓名", "身份证号", "原因"]);
    assert_eq!(rows.len(), 3, "the two refused rows: {rows:?}");
    assert_eq!(text(&rows[1][0]), "3");
    assert_eq!(text(&rows[1][1]), "巴特尔");
    let masked = format!("{}********{}", &wrong[..6], &wrong[14..]);
    assert_eq!(text(&rows[1][2]), masked, "masked as the report masks it");
    assert!(!text(&rows[1][3]).is_empty(), "a reason: {rows:?}");
    assert_eq!(
        (text(&rows[2][0]), text(&rows[2][2])),
        ("4".to_owned(), "***".to_owned())
    );
    let all: String = rows.iter().flatten().map(text).collect();
    assert!(!all.contains(&wrong), "no ID in full");
    assert_eq!(app.count("enrolments").await, 0, "nothing written");
    assert_eq!(app.count("people").await, 0, "nothing written");

    let good = format!("姓名,身份证号\n娜仁花,{}\n", citizen_id("19900412", 222));
    let clean = post_file(
        &app,
        &mut browser,
        &format!("{page_path}/problems.xlsx"),
        &csrf,
        good.into(),
        "b.csv",
    )
    .await;
    assert_eq!(clean.status, StatusCode::OK);
    assert!(clean.content_type.starts_with("text/html"));
    assert!(
        clean.text().contains("该表格没有不能报名的行"),
        "{}",
        clean.text()
    );
    assert_eq!(app.count("enrolments").await, 0);
}

/// Two trainees in the homestay cohort, the first with results recorded.
async fn two_trainees(app: &TestApp, c: &Chain) -> (String, String) {
    let (first, _) = app
        .trainee(
            c,
            &c.homestay_cohort,
            "娜仁花",
            &citizen_id("19900412", 222),
            json!({"attended_hours": 95, "theory_score": 80, "practical_score": 85}),
        )
        .await;
    let (second, _) = app
        .trainee(
            c,
            &c.homestay_cohort,
            "巴特尔",
            &citizen_id("19880101", 111),
            Value::Null,
        )
        .await;
    (first, second)
}

/// A results sheet as a provider fills it in Excel: the header and `rows` of text.
fn filled(rows: &[[&str; 5]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (col, title) in ["报名编号", "姓名", "出勤学时", "理论成绩", "实操成绩"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, *title).expect("header");
    }
    for (at, row) in rows.iter().enumerate() {
        for (col, value) in row.iter().enumerate() {
            let (r, c) = (at as u32 + 1, col as u16);
            match value.parse::<f64>() {
                Ok(n) if col >= 2 => sheet.write_number(r, c, n).map(|_| ()),
                _ if value.is_empty() => Ok(()),
                _ => sheet.write_string(r, c, *value).map(|_| ()),
            }
            .expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}

async fn results_of(app: &TestApp, c: &Chain, enrolment: &str) -> [Value; 3] {
    let (_, e) = app
        .get(&format!("/api/v1/enrolments/{enrolment}"), &c.staff)
        .await;
    [
        e["attended_hours"].clone(),
        e["theory_score"].clone(),
        e["practical_score"].clone(),
    ]
}

#[tokio::test]
async fn the_results_sheet_goes_out_as_xlsx_and_comes_back_recorded() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (first, second) = two_trainees(&app, &c).await;
    let mut browser = signed_in(&app, "staff").await;
    let path = format!("/cohorts/{}", c.homestay_cohort);
    let page = browser.get(&path).await;
    assert!(
        page.body.contains(&format!("href=\"{path}/results.xlsx\"")),
        "{}",
        page.body
    );
    let csrf = hidden(&page.body, "csrf");

    let sheet = download(&app, &mut browser, &format!("{path}/results.xlsx")).await;
    assert_eq!(sheet.status, StatusCode::OK, "{}", sheet.text());
    assert_eq!(sheet.content_type, XLSX);
    let rows = cells(&sheet.bytes);
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(
        header,
        ["报名编号", "姓名", "出勤学时", "理论成绩", "实操成绩"]
    );
    assert_eq!(rows.len(), 3, "every enrolled trainee: {rows:?}");
    let line = |id: &str| {
        rows.iter()
            .find(|r| text(&r[0]) == id)
            .map(|r| r.iter().map(text).collect::<Vec<_>>())
            .expect("the trainee's row")
    };
    assert_eq!(line(&first), [first.as_str(), "娜仁花", "95", "80", "85"]);
    assert_eq!(line(&second), [second.as_str(), "巴特尔", "", "", ""]);

    // The first keeps hours and theory (blank cells) and gets a new practical score.
    let upload = filled(&[
        [&first, "娜仁花", "", "", "60"],
        [&second, "巴特尔", "90", "70", "75"],
    ]);
    let saved = post_file(
        &app,
        &mut browser,
        &format!("{path}/results.xlsx"),
        &csrf,
        upload,
        "成绩表.xlsx",
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert_eq!(
        results_of(&app, &c, &first).await,
        [json!(95), json!(80), json!(60)]
    );
    assert_eq!(
        results_of(&app, &c, &second).await,
        [json!(90), json!(70), json!(75)]
    );
    let page = browser.get(&path).await;
    assert!(
        page.body.contains("已按上传的成绩表保存2名学员的成绩。"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_bad_row_in_an_uploaded_results_sheet_saves_nothing_and_names_its_row() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (first, second) = two_trainees(&app, &c).await;
    let (elsewhere, _) = app
        .trainee(
            &c,
            &c.pastry_cohort,
            "其木格",
            &citizen_id("19920303", 224),
            Value::Null,
        )
        .await;
    let mut browser = signed_in(&app, "staff").await;
    let path = format!("/cohorts/{}", c.homestay_cohort);
    let csrf = csrf_of(&mut browser, &path).await;
    let audit = app.count("audit_log").await;
    let mut upload = async |rows: &[[&str; 5]]| {
        post_file(
            &app,
            &mut browser,
            &format!("{path}/results.xlsx"),
            &csrf,
            filled(rows),
            "成绩表.xlsx",
        )
        .await
    };

    let out_of_range = upload(&[
        [&first, "娜仁花", "96", "81", "86"],
        [&second, "巴特尔", "90", "120", "75"],
    ])
    .await;
    assert_eq!(out_of_range.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        out_of_range
            .text()
            .contains("第3行 理论成绩：分数须在0–100之间"),
        "{}",
        out_of_range.text()
    );
    assert!(
        out_of_range
            .text()
            .contains("id=\"results-upload-problems\"")
    );

    let foreign = upload(&[
        [&first, "娜仁花", "96", "81", "86"],
        [&elsewhere, "其木格", "90", "70", "75"],
    ])
    .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        foreign
            .text()
            .contains(&format!("第3行 报名编号：本班次没有报名编号“{elsewhere}”")),
        "{}",
        foreign.text()
    );

    let unreadable = upload(&[[&first, "娜仁花", "九十六", "", ""]]).await;
    assert!(
        unreadable
            .text()
            .contains("第2行 出勤学时：请填写不带小数的非负整数"),
        "{}",
        unreadable.text()
    );

    assert_eq!(
        results_of(&app, &c, &first).await,
        [json!(95), json!(80), json!(85)]
    );
    assert_eq!(
        results_of(&app, &c, &second).await,
        [Value::Null, Value::Null, Value::Null]
    );
    assert_eq!(app.count("audit_log").await, audit, "nothing written");
}

/// `xlsx` with one more part that deflates from `unpacked` bytes to almost nothing.
fn with_bomb(xlsx: &[u8], unpacked: usize) -> Vec<u8> {
    let mut out = zip::ZipWriter::new_append(Cursor::new(xlsx.to_vec())).expect("a zip");
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    out.start_file("xl/media/padding.xml", options)
        .expect("start");
    let block = vec![b' '; 1 << 20];
    for _ in 0..unpacked >> 20 {
        out.write_all(&block).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

#[tokio::test]
async fn a_hostile_results_sheet_is_refused_with_nothing_written_and_the_server_answers() {
    // A body limit above the sheet's own, so that the sheet's bound is what refuses an
    // oversize file (and the whole body is read: no reset while it is still being sent).
    let app = TestApp::spawn_with(|c| c.body_limit_bytes = 16 << 20).await;
    let c = chain(&app).await;
    let (first, _) = two_trainees(&app, &c).await;
    let mut browser = signed_in(&app, "staff").await;
    let path = format!("/cohorts/{}", c.homestay_cohort);
    let csrf = csrf_of(&mut browser, &path).await;
    let audit = app.count("audit_log").await;
    let sheet = filled(&[[&first, "娜仁花", "50", "50", "50"]]);
    let mut post = async |file: Vec<u8>| {
        post_file(
            &app,
            &mut browser,
            &format!("{path}/results.xlsx"),
            &csrf,
            file,
            "成绩表.xlsx",
        )
        .await
    };

    let bomb = with_bomb(&sheet, 64 << 20);
    assert!(bomb.len() < 1 << 20, "a small file: {}", bomb.len());
    let refused = post(bomb).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("解压后超过"), "{}", refused.text());

    let oversize = post(vec![b'x'; 5 << 20]).await;
    assert_eq!(oversize.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        oversize.text().contains("文件超过 4 MiB"),
        "{}",
        oversize.text()
    );

    let far = {
        let mut book = Workbook::new();
        let s = book.add_worksheet();
        s.write_string(0, 0, "报名编号").expect("header");
        s.write_string(5_000, 0, "x").expect("far down");
        book.save_to_buffer().expect("xlsx")
    };
    let long = post(far).await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(long.text().contains("表格范围过大"), "{}", long.text());

    assert_eq!(
        results_of(&app, &c, &first).await,
        [json!(95), json!(80), json!(85)]
    );
    assert_eq!(app.count("audit_log").await, audit, "nothing written");
    let (status, _) = app.call(Method::GET, "/health", None, None).await;
    assert_eq!(status, StatusCode::OK, "the server still answers");
}

/// The page count `pdfinfo` reads.
fn pages_of(pdf: &[u8]) -> usize {
    let file = std::env::temp_dir().join(format!("merged-{}.pdf", uuid::Uuid::new_v4()));
    std::fs::write(&file, pdf).expect("write");
    let output = std::process::Command::new("pdfinfo")
        .arg(&file)
        .output()
        .expect("pdfinfo (poppler-utils) runs");
    std::fs::remove_file(&file).ok();
    assert!(output.status.success(), "pdfinfo reads it");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a page count")
}

#[tokio::test]
async fn the_merged_pdf_holds_every_certificate_in_enrolment_order_and_none_says_so() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    for (name, id) in [
        ("娜仁花", citizen_id("19900412", 222)),
        ("巴特尔", citizen_id("19880101", 111)),
        ("其木格", citizen_id("19920303", 224)),
    ] {
        app.trainee(
            &c,
            &c.homestay_cohort,
            name,
            &id,
            json!({"attended_hours": 95, "theory_score": 80, "practical_score": 85}),
        )
        .await;
    }
    let mut browser = signed_in(&app, "staff").await;
    let path = format!("/cohorts/{}", c.homestay_cohort);
    let csrf = csrf_of(&mut browser, &path).await;

    let none = download(&app, &mut browser, &format!("{path}/certificates.pdf")).await;
    assert_eq!(none.status, StatusCode::SEE_OTHER, "not an empty PDF");
    assert!(!none.content_type.contains("pdf"));
    let page = browser
        .get(none.location.as_deref().expect("back to the cohort"))
        .await;
    assert!(
        page.body
            .contains("本班次还没有颁发结业证书，没有可打印的证书"),
        "{}",
        page.body
    );

    let issued = browser
        .post(&format!("{path}/certificates"), &[("csrf", &csrf)])
        .await;
    assert!(issued.body.contains("已获证书（3人）"), "{}", issued.body);
    let page = browser.get(&path).await;
    assert!(page.body.contains("id=\"print-pdf\""), "{}", page.body);
    // The cohort page lists trainees in enrolment order, each with their number.
    let numbers: Vec<&str> = page
        .body
        .match_indices("150784-JY-")
        .map(|(at, _)| {
            let rest = &page.body[at..];
            &rest[..rest.find('<').expect("end of the number")]
        })
        .collect();
    assert_eq!(numbers.len(), 3, "{}", page.body);

    let merged = download(&app, &mut browser, &format!("{path}/certificates.pdf")).await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.text());
    assert_eq!(merged.content_type, "application/pdf");
    assert_eq!(pages_of(&merged.bytes), 3, "a page per certificate");
    let text = pdf_text(&merged.bytes);
    let places: Vec<usize> = numbers
        .iter()
        .map(|n| text.find(n).unwrap_or_else(|| panic!("{n} in {text}")))
        .collect();
    assert!(
        places.windows(2).all(|w| w[0] < w[1]),
        "in enrolment order: {numbers:?} at {places:?}"
    );

    let mut assessor = signed_in(&app, "assessor").await;
    assert_eq!(
        assessor
            .get(&format!("{path}/certificates.pdf"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        assessor.get(&format!("{path}/results.xlsx")).await.status,
        StatusCode::FORBIDDEN
    );
}
