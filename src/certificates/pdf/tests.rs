//! Renders real certificates and reads them back the way a person's tools would: poppler's
//! `pdftotext`, `pdffonts`, `pdfinfo`, `pdfdetach` and `pdftoppm`, and zbar's `zbarimg`
//! (Debian packages poppler-utils and zbar-tools).

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{
        OnceLock,
        atomic::{AtomicUsize, Ordering},
    },
};

use super::{CertificateDocument, Renderer, samples};

pub(super) fn renderer() -> &'static Renderer {
    static RENDERER: OnceLock<Renderer> = OnceLock::new();
    RENDERER.get_or_init(|| {
        Renderer::from_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/certs")))
            .expect("certs/ loads")
    })
}

/// A fresh directory under the system temp dir, removed when dropped.
pub(super) struct Scratch(pub(super) PathBuf);

impl Scratch {
    pub(super) fn new() -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("cert-pdf-test-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub(super) fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Renders `doc` into a scratch directory; returns the directory and the PDF's path.
pub(super) fn write_pdf(doc: &CertificateDocument) -> (Scratch, PathBuf) {
    let dir = Scratch::new();
    let pdf = dir.join("certificate.pdf");
    std::fs::write(&pdf, renderer().render(doc).unwrap()).unwrap();
    (dir, pdf)
}

/// Runs a command and returns its standard output; missing tools fail loudly.
pub(super) fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {program} ({e}); install poppler-utils and zbar-tools")
        });
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

pub(super) fn text_of(doc: &CertificateDocument) -> String {
    let (_dir, pdf) = write_pdf(doc);
    run("pdftotext", &[pdf.to_str().unwrap(), "-"])
}

/// What a phone reads from the QR code: the first page rasterised at 150 dpi, decoded by
/// `zbarimg`.
fn qr_code_of(doc: &CertificateDocument) -> String {
    let (dir, pdf) = write_pdf(doc);
    let prefix = dir.join("page");
    let args = [
        "-r",
        "150",
        "-png",
        pdf.to_str().unwrap(),
        prefix.to_str().unwrap(),
    ];
    run("pdftoppm", &args);
    let png = dir.join("page-1.png");
    let decoded = run("zbarimg", &["--quiet", "--raw", png.to_str().unwrap()]);
    decoded.trim_end().to_owned()
}

#[test]
fn every_layout_renders_one_a4_portrait_page() {
    let names: Vec<&str> = renderer().layout_names().collect();
    assert_eq!(
        names,
        [
            "apprenticeship",
            "completion",
            "licence",
            "skill_level",
            "specialty"
        ]
    );
    for doc in samples::all() {
        let (_dir, pdf) = write_pdf(&doc);
        let info = run("pdfinfo", &[pdf.to_str().unwrap()]);
        assert!(
            info.contains("Pages:           1"),
            "{}: {info}",
            doc.layout
        );
        assert!(
            info.contains("595.276 x 841.89 pts (A4)"),
            "{}: {info}",
            doc.layout
        );
        let text = run("pdftotext", &[pdf.to_str().unwrap(), "-"]);
        for expected in [&doc.title, &doc.holder_name, &doc.number, &doc.issuer_name] {
            assert!(
                text.contains(expected.as_str()),
                "{}: no {expected} in {text}",
                doc.layout
            );
        }
    }
}

#[test]
fn a_skill_level_certificate_shows_everything_the_national_rule_requires() {
    let doc = samples::skill_level();
    let text = text_of(&doc);
    let required = [
        "职业技能等级证书",
        "姓名",
        "张小三",
        "证件类型",
        "居民身份证",
        "证件号码",
        "150784********123X",
        "职业名称",
        "中式面点师",
        "工种/职业方向",
        "--",
        "职业技能等级",
        "四级/中级工",
        "证书编号",
        "S000115150784264000001",
        "评价机构：额尔古纳市职业技能评价中心",
        "发证日期：2026年11月26日",
        "扫码验证",
        "证书查询网址：http://jndj.osta.org.cn",
        "机构查询网址：http://pjjg.osta.org.cn",
        &doc.verify_url,
        &doc.credential_sha256,
    ];
    for expected in required {
        assert!(text.contains(expected), "no {expected:?} in:\n{text}");
    }
}

#[test]
fn names_come_back_exactly_from_text_extraction() {
    // The last three hold characters of the fallback font (Ext B, Ext B, basic block + Ext A).
    let rare = ["王𠮷", "张\u{2A6A5}", "刘丟䲜"];
    for name in ["张小三", "巴特尔·朝鲁", "欧阳娜仁", "吕丽娟", "乌云其木格"]
        .into_iter()
        .chain(rare)
    {
        let doc = CertificateDocument {
            holder_name: name.to_owned(),
            ..samples::skill_level()
        };
        let text = text_of(&doc);
        assert!(
            text.lines().any(|line| line == name),
            "{name} not a line of:\n{text}"
        );
    }
}

#[test]
fn the_font_is_embedded_as_a_subset_with_a_unicode_map() {
    let (_dir, pdf) = write_pdf(&samples::skill_level());
    let fonts = run("pdffonts", &[pdf.to_str().unwrap()]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 1, "{fonts}");
    let columns: Vec<&str> = rows[0].split_whitespace().collect();
    let (tag, name) = columns[0].split_once('+').expect("subset tag");
    assert!(
        tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()),
        "{fonts}"
    );
    assert_eq!(name, "ErgunaCertKai-Regular");
    // type, encoding, then the emb / sub / uni flags
    assert_eq!(
        columns[1..7],
        ["CID", "TrueType", "Identity-H", "yes", "yes", "yes"],
        "{fonts}"
    );
}

#[test]
fn the_qr_code_scans_to_the_verification_url() {
    for doc in [samples::skill_level(), samples::apprenticeship()] {
        assert_eq!(qr_code_of(&doc), doc.verify_url);
    }
}

#[test]
fn the_credential_json_is_attached_byte_for_byte() {
    let json = "{\"name\":\"巴特尔·朝鲁\",\"proof\":{\"proofValue\":\"z3FXQjecWufY46\"}}\n";
    let doc = CertificateDocument {
        credential_json: json.as_bytes().to_vec(),
        ..samples::specialty()
    };
    let (dir, pdf) = write_pdf(&doc);
    let listing = run("pdfdetach", &["-list", pdf.to_str().unwrap()]);
    assert!(listing.contains("1 embedded files"), "{listing}");
    assert!(listing.contains("1: credential.json"), "{listing}");
    let saved = dir.join("saved.json");
    run(
        "pdfdetach",
        &[
            "-save",
            "1",
            "-o",
            saved.to_str().unwrap(),
            pdf.to_str().unwrap(),
        ],
    );
    assert_eq!(std::fs::read(saved).unwrap(), json.as_bytes());
}

#[test]
fn the_same_certificate_always_gives_the_same_bytes() {
    for doc in samples::all() {
        let first = renderer().render(&doc).unwrap();
        let second = renderer().render(&doc.clone()).unwrap();
        assert_eq!(first, second, "{} is not reproducible", doc.layout);
    }
    let other = CertificateDocument {
        number: "S000115150784264000002".to_owned(),
        ..samples::skill_level()
    };
    assert_ne!(
        renderer().render(&samples::skill_level()).unwrap(),
        renderer().render(&other).unwrap()
    );
}

#[test]
fn the_pdf_is_dated_with_the_issue_date() {
    let (_dir, pdf) = write_pdf(&samples::skill_level());
    let info = run("pdfinfo", &["-isodates", pdf.to_str().unwrap()]);
    let created = info
        .lines()
        .find(|l| l.starts_with("CreationDate:"))
        .unwrap();
    assert!(created.ends_with(" 2026-11-26T00:00:00+08"), "{info}");
}

#[test]
fn a_skill_level_certificate_must_carry_its_required_fields() {
    let mut doc = samples::skill_level();
    doc.fields.retain(|(label, _)| label != "工种/职业方向");
    let err = renderer().render(&doc).unwrap_err().to_string();
    assert!(err.contains("工种/职业方向"), "{err}");

    let mut doc = samples::skill_level();
    doc.lookup_urls.retain(|(label, _)| label != "机构查询网址");
    let err = renderer().render(&doc).unwrap_err().to_string();
    assert!(err.contains("机构查询网址"), "{err}");

    let doc = CertificateDocument {
        title: "职业资格证书".to_owned(),
        ..samples::skill_level()
    };
    let err = renderer().render(&doc).unwrap_err().to_string();
    assert!(err.contains("职业技能等级证书"), "{err}");
}

#[test]
fn an_empty_occupation_direction_is_printed_as_two_dashes() {
    let mut doc = samples::skill_level();
    for (label, value) in &mut doc.fields {
        if label == "工种/职业方向" {
            value.clear();
        }
    }
    let text = text_of(&doc);
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    let label_at = lines.iter().position(|l| *l == "工种/职业方向").unwrap();
    assert_eq!(lines[label_at + 1], "--", "{text}");
}

#[test]
fn a_long_value_still_prints_in_full() {
    let long = "额尔古纳市拉布大林民宿管理有限公司与呼伦贝尔技师学院联合培养民宿管家方向学徒";
    let mut doc = samples::apprenticeship();
    doc.fields[0].1 = long.to_owned();
    let text: String = text_of(&doc).lines().collect();
    assert!(text.contains(long), "{text}");
}

#[test]
fn a_character_missing_from_every_font_is_refused_rather_than_printed_blank() {
    let doc = CertificateDocument {
        holder_name: "张\u{30000}".to_owned(), // CJK Extension G: in neither font
        ..samples::skill_level()
    };
    let err = renderer().render(&doc).unwrap_err();
    assert_eq!(
        err.downcast_ref::<super::Unprintable>(),
        Some(&super::Unprintable('\u{30000}'))
    );
    assert!(err.to_string().contains("U+30000"), "{err}");
}

#[test]
fn an_unknown_layout_is_an_error() {
    let doc = CertificateDocument {
        layout: "diploma".to_owned(),
        ..samples::skill_level()
    };
    let err = renderer().render(&doc).unwrap_err().to_string();
    assert!(err.contains("diploma"), "{err}");
}

#[test]
fn many_rows_close_up_instead_of_running_into_the_qr_code() {
    let mut doc = samples::apprenticeship();
    for i in 0..8 {
        doc.fields
            .push((format!("附加事项{i}"), format!("第{i}项内容")));
    }
    let text = text_of(&doc);
    assert!(
        text.contains("附加事项7") && text.contains("第7项内容"),
        "{text}"
    );
    assert_eq!(qr_code_of(&doc), doc.verify_url);
}
