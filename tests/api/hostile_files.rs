//! Hostile files (issue 10): spreadsheets and PDFs built to exhaust the server. Each is
//! refused with a 4xx and a Chinese message, nothing is written, and the server still
//! answers `/health` afterwards. The spreadsheets start as rust_xlsxwriter files; the
//! bombs are those files repacked by hand with the `zip` crate.

use std::io::{Read, Write};

use reqwest::{Method, StatusCode};
use rust_xlsxwriter::Workbook;
use sea_orm::ConnectionTrait;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{
    certificates::chain,
    helpers::{TestApp, citizen_id},
    imports::upload,
    verification::post_document,
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

/// A minimal PDF whose attachment `credential.json` is `content`, deflated.
fn pdf_with_attachment(content: &[u8]) -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};
    let mut deflate = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    deflate.write_all(content).expect("deflate");
    let deflated = deflate.finish().expect("deflated");
    let mut doc = Document::with_version("1.7");
    // A classic cross-reference table, as the registry's own PDFs have.
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    let file = doc.add_object(Stream::new(
        dictionary! {"Type" => "EmbeddedFile", "Filter" => "FlateDecode"},
        deflated,
    ));
    let spec = doc.add_object(dictionary! {
        "Type" => "Filespec",
        "F" => Object::string_literal("credential.json"),
        "EF" => dictionary! {"F" => file},
    });
    let pages = doc
        .add_object(dictionary! {"Type" => "Pages", "Kids" => Vec::<Object>::new(), "Count" => 0});
    let catalog = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages,
        "Names" => dictionary! {"EmbeddedFiles" => dictionary! {
            "Names" => vec![Object::string_literal("credential.json"), spec.into()],
        }},
    });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("a PDF");
    bytes
}

#[tokio::test]
async fn an_anonymous_pdf_whose_attachment_is_a_deflate_bomb_is_refused() {
    let app = TestApp::spawn().await;
    // 64 MiB of JSON whitespace (a credential is a few KiB) in a file of about 64 KiB.
    let bomb = pdf_with_attachment(&vec![b' '; 64 << 20]);
    assert!(bomb.len() < 256 * 1024, "a small file: {}", bomb.len());

    let before = app.count("audit_log").await;
    let (status, body) = post_document(&app, bomb, "证书.pdf").await;
    assert_refused(&app, status, &body, "attachment_too_large").await;
    assert_eq!(app.count("audit_log").await, before, "nothing written");
}

#[tokio::test]
async fn a_pdf_with_a_hostile_cross_reference_stream_is_refused() {
    let app = TestApp::spawn().await;
    // A cross-reference stream whose first field is 100 GB wide: lopdf allocates it.
    let body = "1 0 obj\n<< /Type /XRef /Size 2 /W [99999999999 0 0] /Length 0 >>\nstream\n\nendstream\nendobj\n";
    let pdf = format!("%PDF-1.7\n{body}startxref\n9\n%%EOF\n");
    let (status, answer) = post_document(&app, pdf.into_bytes(), "x.pdf").await;
    assert_refused(&app, status, &answer, "unsupported_pdf").await;

    // The same through a /Prev chain from an innocent-looking table.
    let table = "xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /Pr#65v 9 >>\n";
    let pdf = format!("%PDF-1.7\n{body}");
    let start = pdf.len();
    let pdf = format!("{pdf}{table}startxref\n{start}\n%%EOF\n");
    let (status, answer) = post_document(&app, pdf.into_bytes(), "x.pdf").await;
    assert_refused(&app, status, &answer, "unsupported_pdf").await;
}

/// The certificate's PDF as the registry serves it.
async fn certificate_pdf(app: &TestApp, staff: &str, id: &str) -> Vec<u8> {
    app.client
        .get(format!("{}/api/v1/certificates/{id}/pdf", app.base))
        .bearer_auth(staff)
        .send()
        .await
        .expect("sent")
        .bytes()
        .await
        .expect("bytes")
        .to_vec()
}

/// `pdf` with its attached credential's achievement renamed (the signature no longer
/// holds), the attachment stored uncompressed.
fn with_forged_credential(pdf: &[u8]) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(pdf).expect("our own PDF");
    let stream = doc
        .objects
        .values_mut()
        .filter_map(|o| o.as_stream_mut().ok())
        .find(|s| s.dict.has_type(b"EmbeddedFile"))
        .expect("the attachment");
    let credential = stream.decompressed_content().expect("the credential");
    let mut json: Value = serde_json::from_slice(&credential).expect("JSON");
    json["credentialSubject"]["achievement"]["name"] = "结业证书 · 伪造".into();
    stream.dict.remove(b"Filter");
    stream.set_content(json.to_string().into_bytes());
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("saved");
    bytes
}

#[tokio::test]
async fn a_recorded_pdf_claims_a_valid_signature_only_when_its_credential_verifies() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, _, _) = app
        .completion(&c, "萨仁", &citizen_id("19930303", 246))
        .await;
    let pdf = certificate_pdf(&app, &c.staff, &id).await;
    let (status, answer) = post_document(&app, pdf.clone(), "c.pdf").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        (&answer["unaltered"], &answer["credential_signature_valid"]),
        (&Value::Bool(true), &Value::Bool(true)),
        "the genuine PDF: {answer}"
    );

    // The record names a PDF whose credential was forged (a corrupted or edited row):
    // its bytes match, but the signature it carries must still be checked.
    let forged = with_forged_credential(&pdf);
    let hash = hex::encode(Sha256::digest(&forged));
    app.db
        .write
        .execute_unprepared(&format!(
            "UPDATE certificates SET pdf_sha256 = '{hash}' WHERE id = '{id}'"
        ))
        .await
        .expect("update");
    let (status, answer) = post_document(&app, forged, "c.pdf").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["credential_signature_valid"], false, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .is_some_and(|m| m.contains("签名")),
        "{answer}"
    );
}

// Multi-threaded: the test blocks on the command while the server answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_verify_refuses_a_pdf_with_one_changed_byte() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, _, _) = app
        .completion(&c, "斯琴", &citizen_id("19910101", 246))
        .await;
    let pdf = certificate_pdf(&app, &c.staff, &id).await;
    let (_, did) = app
        .call(Method::GET, "/.well-known/did.json", None, None)
        .await;
    let dir = app.data_dir.join("verify-cli");
    std::fs::create_dir_all(&dir).expect("dir");
    let did_path = dir.join("did.json");
    std::fs::write(&did_path, did.to_string()).expect("write did");
    let run = |pdf: &[u8]| {
        let path = dir.join("c.pdf");
        std::fs::write(&path, pdf).expect("write pdf");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_registry"))
            .arg("verify")
            .arg(&path)
            .arg("--did")
            .arg(&did_path)
            .env("REGISTRY_DATA_DIR", dir.join("cli-data"))
            .env("REGISTRY_LOG", "error")
            .output()
            .expect("run registry verify");
        (
            out.status.code(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let (code, out) = run(&pdf);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("PDF 文件：与签发时一致"), "{out}");

    let mut edited = pdf.clone();
    let at = edited.len() / 2;
    edited[at] ^= 0x01;
    let (code, out) = run(&edited);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("PDF 文件已被修改"), "{out}");
}
