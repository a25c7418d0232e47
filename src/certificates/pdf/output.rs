//! Turns the printpdf document into the final bytes: attaches the credential JSON, writes a
//! fixed document information dictionary and file identifier, and compresses.
//!
//! printpdf cannot attach files and draws its file identifier at random, so the last steps
//! run on the lopdf document it produces. Nothing here depends on the clock or on chance:
//! the same certificate always gives the same bytes.

use anyhow::{Context, bail};
use flate2::{Compress, Compression, FlushCompress, Status};
use lopdf::{Dictionary, Document, Object, Stream, StringFormat};
use printpdf::{PdfDocument, PdfSaveOptions, PdfWarnMsg};
use sha2::{Digest, Sha256};

/// File name of the embedded credential.
pub const ATTACHMENT_NAME: &str = "credential.json";
const ATTACHMENT_MIME: &str = "application/ld+json";

/// What goes into the document information dictionary.
pub struct Info<'a> {
    pub title: &'a str,
    pub subject: &'a str,
    pub author: &'a str,
    /// `D:YYYYMMDD…` date, or `None` to leave the dates out.
    pub date: Option<String>,
}

/// Serialises `pdf` with `credential_json` attached.
pub fn finish(
    pdf: &PdfDocument,
    info: &Info<'_>,
    credential_json: &[u8],
) -> anyhow::Result<Vec<u8>> {
    let opts = PdfSaveOptions {
        optimize: false,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut warnings: Vec<PdfWarnMsg> = Vec::new();
    let mut doc = pdf.to_lopdf_document(&opts, &mut warnings);

    if let Some(w) = warnings
        .iter()
        .find(|w| w.severity == printpdf::PdfParseErrorSeverity::Error)
    {
        bail!("printpdf: {}", w.msg);
    }
    // PDF 1.7 for the file specification's /UF and /Desc; /AF is PDF 2.0 and ignored before.
    doc.version = "1.7".into();

    attach(&mut doc, credential_json, info.date.as_deref())?;
    set_info(&mut doc, info)?;
    compress_streams(&mut doc)?;
    set_file_id(&mut doc)?;

    let mut bytes = Vec::with_capacity(64 * 1024);
    doc.save_to(&mut bytes).context("writing the PDF")?;
    Ok(bytes)
}

/// Adds `credential.json` as an embedded file: a name-tree entry under /EmbeddedFiles (what
/// `pdfdetach` and viewers' attachment panes read) and an /AF associated file (PDF/A-3, 2.0).
fn attach(doc: &mut Document, data: &[u8], date: Option<&str>) -> anyhow::Result<()> {
    let mut params = Dictionary::from_iter([("Size", Object::Integer(data.len() as i64))]);
    if let Some(date) = date {
        params.set("ModDate", Object::string_literal(date));
    }
    let file_dict = Dictionary::from_iter([
        ("Type", Object::Name(b"EmbeddedFile".to_vec())),
        ("Subtype", Object::Name(ATTACHMENT_MIME.as_bytes().to_vec())),
        ("Params", Object::Dictionary(params)),
    ]);
    let file_id = doc.add_object(Stream::new(file_dict, data.to_vec()));
    let file_spec = Dictionary::from_iter([
        ("Type", Object::Name(b"Filespec".to_vec())),
        ("F", Object::string_literal(ATTACHMENT_NAME)),
        ("UF", Object::string_literal(ATTACHMENT_NAME)),
        (
            "Desc",
            Object::string_literal("Signed Open Badges 3.0 credential of this certificate"),
        ),
        ("AFRelationship", Object::Name(b"Source".to_vec())),
        (
            "EF",
            Object::Dictionary(Dictionary::from_iter([
                ("F", Object::Reference(file_id)),
                ("UF", Object::Reference(file_id)),
            ])),
        ),
    ]);
    let spec_id = doc.add_object(file_spec);
    let names = Dictionary::from_iter([(
        "EmbeddedFiles",
        Object::Dictionary(Dictionary::from_iter([(
            "Names",
            Object::Array(vec![
                Object::string_literal(ATTACHMENT_NAME),
                Object::Reference(spec_id),
            ]),
        )])),
    )]);
    let catalog = doc.catalog_mut().context("the PDF has no catalog")?;
    catalog.set("Names", Object::Dictionary(names));
    catalog.set("AF", Object::Array(vec![Object::Reference(spec_id)]));
    Ok(())
}

/// Replaces printpdf's information dictionary (which carries 1970 dates) with ours.
fn set_info(doc: &mut Document, info: &Info<'_>) -> anyhow::Result<()> {
    let mut dict = Dictionary::from_iter([
        ("Title", text_string(info.title)),
        ("Subject", text_string(info.subject)),
        ("Author", text_string(info.author)),
        ("Creator", text_string("Erguna skills registry")),
        ("Producer", text_string("printpdf 0.12 + lopdf")),
    ]);
    if let Some(date) = &info.date {
        dict.set("CreationDate", Object::string_literal(date.as_str()));
        dict.set("ModDate", Object::string_literal(date.as_str()));
    }
    let info_id = doc
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .context("the PDF has no information dictionary")?;
    doc.objects.insert(info_id, Object::Dictionary(dict));
    Ok(())
}

/// Deflates every stream that is not compressed yet, at level 1: the font program dominates
/// the file, glyph outlines gain little from harder work (level 6 saves ~10 % of the bytes
/// for three times the time), and one compressor is reused for all streams.
fn compress_streams(doc: &mut Document) -> anyhow::Result<()> {
    let mut deflate = Compress::new(Compression::fast(), true);
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if stream.dict.has(b"Filter") {
            continue;
        }
        deflate.reset();
        let mut packed = Vec::with_capacity(stream.content.len() / 2 + 64);
        loop {
            let consumed = deflate.total_in() as usize;
            let status = deflate
                .compress_vec(
                    &stream.content[consumed..],
                    &mut packed,
                    FlushCompress::Finish,
                )
                .context("deflating a PDF stream")?;
            if status == Status::StreamEnd {
                break;
            }
            packed.reserve(packed.capacity().max(1024));
        }
        if packed.len() < stream.content.len() {
            stream
                .dict
                .set("Filter", Object::Name(b"FlateDecode".to_vec()));
            stream.set_content(packed);
        }
    }
    Ok(())
}

/// A file identifier derived from the content, in place of printpdf's random one.
fn set_file_id(doc: &mut Document) -> anyhow::Result<()> {
    let mut hasher = Sha256::new();
    for (id, object) in &doc.objects {
        hasher.update(id.0.to_le_bytes());
        if let Object::Stream(stream) = object {
            hasher.update(&stream.content);
        }
    }
    let digest = hasher.finalize();
    let id = Object::String(digest[..16].to_vec(), StringFormat::Hexadecimal);
    doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    Ok(())
}

/// A PDF text string: literal when ASCII, UTF-16BE with a byte-order mark otherwise.
fn text_string(text: &str) -> Object {
    if text.is_ascii() {
        return Object::string_literal(text);
    }
    let mut data = vec![0xFE, 0xFF];
    data.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    Object::String(data, StringFormat::Hexadecimal)
}

/// `2026年11月26日` → `D:20261126000000+08'00'` (China Standard Time); `None` otherwise.
pub fn pdf_date(issue_date: &str) -> Option<String> {
    let rest = issue_date.trim();
    let (year, rest) = rest.split_once('年')?;
    let (month, rest) = rest.split_once('月')?;
    let day = rest.strip_suffix('日')?;
    let year: u16 = year.trim().parse().ok()?;
    let month: u8 = month.trim().parse().ok()?;
    let day: u8 = day.trim().parse().ok()?;
    let valid =
        (1000..=9999).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day);
    valid.then(|| format!("D:{year:04}{month:02}{day:02}000000+08'00'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_dates_become_pdf_dates() {
        assert_eq!(
            pdf_date("2026年11月26日").as_deref(),
            Some("D:20261126000000+08'00'")
        );
        assert_eq!(
            pdf_date("2026年1月5日").as_deref(),
            Some("D:20260105000000+08'00'")
        );
        assert_eq!(pdf_date("2026-11-26"), None);
        assert_eq!(pdf_date("2026年13月1日"), None);
    }
}
