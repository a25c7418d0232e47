//! The credential attached to a certificate PDF, read from a file anyone may send.
//!
//! lopdf trusts what it loads: a cross-reference stream's field widths and counts are
//! allocated as declared (a 200-byte file asks for 100 GB), object streams are inflated
//! and expanded on load, and every cross-reference entry is parsed. So a PDF is first
//! held to the shape this registry writes — one classic cross-reference table of at most
//! [`MAX_OBJECTS`] entries, no object streams, no earlier revisions, no encryption, at
//! most [`MAX_PDF_BYTES`] — and then loaded with a filter that keeps only what the
//! look-up needs. The attachment itself is inflated to at most [`MAX_CREDENTIAL_BYTES`].
//! A PDF of another shape is refused: whatever it is, it is not a certificate as issued.

use std::cell::Cell;

use lopdf::{Document, LoadOptions, Object, ObjectId};

use crate::{certificates::pdf::ATTACHMENT_NAME, error::AppError};

/// The largest PDF read (a certificate is about 40 KiB; a photo and seals add some).
pub const MAX_PDF_BYTES: usize = 1 << 20;

/// The most objects a PDF may list (a certificate has about 16).
pub const MAX_OBJECTS: usize = 200;

/// What an attached credential may inflate to (one is a few KiB).
pub const MAX_CREDENTIAL_BYTES: usize = 256 << 10;

/// Names that lead lopdf to earlier revisions, object streams or decryption.
const REFUSED_NAMES: [&[u8]; 4] = [b"Prev", b"XRefStm", b"ObjStm", b"Encrypt"];

/// Strings longer than this are dropped on load (the attachment's name is 15 bytes).
const MAX_KEPT_STRING: usize = 1024;

/// A refusal of the file with `reason`, under the subject every PDF refusal shares.
pub(super) fn refusal(reason: &str, message: impl Into<String>) -> AppError {
    AppError::invalid_fields(
        "无法检查该 PDF",
        vec![crate::error::FieldError::new("file", reason, message)],
    )
}

fn unsupported(what: &str) -> AppError {
    refusal(
        "unsupported_pdf",
        format!("该文件{what}，不是本系统签发的证书 PDF 的结构"),
    )
}

/// The bytes of the PDF's attached `credential.json`: `Ok(None)` when it has none; a
/// refusal when the PDF is not of the shape this registry writes or the attachment
/// inflates past [`MAX_CREDENTIAL_BYTES`].
pub fn embedded_credential(pdf: &[u8]) -> Result<Option<Vec<u8>>, AppError> {
    check_shape(pdf)?;
    KEPT.with(|kept| kept.set(0));
    let options = LoadOptions {
        filter: Some(slim),
        max_decompressed_size: Some(MAX_CREDENTIAL_BYTES),
        ..LoadOptions::default()
    };
    let Ok(doc) = Document::load_mem_with_options(pdf, options) else {
        return Ok(None);
    };
    let Some(stream) = attachment(&doc) else {
        return Ok(None);
    };
    match stream.decompressed_content_with_limit(MAX_CREDENTIAL_BYTES) {
        Ok(content) => Ok(Some(content)),
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
            Err(attachment_too_large())
        }
        Err(_) => Ok(None),
    }
}

fn attachment_too_large() -> AppError {
    refusal(
        "attachment_too_large",
        format!(
            "所附凭证解压后超过 {} KiB（一份凭证只有几 KiB），不是本系统签发的证书",
            MAX_CREDENTIAL_BYTES >> 10
        ),
    )
}

/// The stream the name tree files under [`ATTACHMENT_NAME`].
fn attachment(doc: &Document) -> Option<&lopdf::Stream> {
    let deref = |object: &'_ Object| -> Option<Object> {
        match object {
            Object::Reference(id) => doc.get_object(*id).ok().cloned(),
            other => Some(other.clone()),
        }
    };
    let catalog = doc.catalog().ok()?;
    let names = deref(catalog.get(b"Names").ok()?)?;
    let files = deref(names.as_dict().ok()?.get(b"EmbeddedFiles").ok()?)?;
    let list = deref(files.as_dict().ok()?.get(b"Names").ok()?)?;
    for pair in list.as_array().ok()?.chunks(2) {
        let [name, spec] = pair else { continue };
        if deref(name)?.as_str().ok()? != ATTACHMENT_NAME.as_bytes() {
            continue;
        }
        let spec = deref(spec)?;
        let file = spec
            .as_dict()
            .ok()?
            .get(b"EF")
            .ok()?
            .as_dict()
            .ok()?
            .get(b"F")
            .ok()?;
        return doc
            .get_object(file.as_reference().ok()?)
            .ok()?
            .as_stream()
            .ok();
    }
    None
}

/// Refuses a PDF that is too large or not of the shape lopdf can load within bounds.
fn check_shape(pdf: &[u8]) -> Result<(), AppError> {
    if pdf.len() > MAX_PDF_BYTES {
        return Err(refusal(
            "pdf_too_large",
            format!(
                "PDF 超过 {} MiB（一份证书约 40 KiB），不是本系统签发的证书",
                MAX_PDF_BYTES >> 20
            ),
        ));
    }
    if !pdf.starts_with(b"%PDF-") {
        return Err(unsupported("不以 PDF 文件头开始"));
    }
    if let Some(name) = names(pdf).find(|name| REFUSED_NAMES.contains(&name.as_slice())) {
        return Err(unsupported(&format!(
            "含有 /{}（对象流、增量修订或加密）",
            String::from_utf8_lossy(&name)
        )));
    }
    let table = xref_table(pdf).ok_or_else(|| unsupported("没有可读的交叉引用表"))?;
    // Every entry is digits, spaces and one `n` or `f`; `xref` and the free entry 0
    // add two.
    let entries = table.iter().filter(|b| matches!(b, b'n' | b'f')).count();
    if entries > MAX_OBJECTS + 2 {
        return Err(unsupported(&format!("列出的对象超过 {MAX_OBJECTS} 个")));
    }
    Ok(())
}

/// The bytes from the one `startxref`'s offset up to the `trailer` keyword after it,
/// when that offset starts a classic `xref` table: the only table lopdf will read, since
/// no `/Prev` leads it to another.
fn xref_table(pdf: &[u8]) -> Option<&[u8]> {
    let keyword = b"startxref";
    let mut found = pdf
        .windows(keyword.len())
        .enumerate()
        .filter(|(_, w)| w == keyword);
    let (at, _) = found.next()?;
    if found.next().is_some() {
        return None;
    }
    let digits: Vec<u8> = pdf[at + keyword.len()..]
        .iter()
        .copied()
        .skip_while(u8::is_ascii_whitespace)
        .take_while(u8::is_ascii_digit)
        .collect();
    let offset: usize = std::str::from_utf8(&digits).ok()?.parse().ok()?;
    let table = pdf.get(offset..)?;
    if !table.starts_with(b"xref") {
        return None;
    }
    let end = table.windows(7).position(|w| w == b"trailer")?;
    Some(&table[..end])
}

/// Every name in the file (`/Type`, `/Pr#65v` …) as lopdf reads it, `#xx` decoded.
/// Names inside strings and stream data are included: a false alarm refuses a file,
/// a miss never happens.
fn names(pdf: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    let regular = |b: u8| !b.is_ascii_whitespace() && !b"()<>[]{}/%".contains(&b) && b != 0;
    pdf.iter()
        .enumerate()
        .filter(|(_, b)| **b == b'/')
        .map(move |(at, _)| {
            let raw: Vec<u8> = pdf[at + 1..]
                .iter()
                .copied()
                .take_while(|b| regular(*b))
                .collect();
            let mut name = Vec::with_capacity(raw.len());
            let mut i = 0;
            while i < raw.len() {
                let hex = raw
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match (raw[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
                    (b'#', Some(byte)) => {
                        name.push(byte);
                        i += 3;
                    }
                    (byte, _) => {
                        name.push(byte);
                        i += 1;
                    }
                }
            }
            name
        })
}

thread_local! {
    /// Attachment bytes the load on this thread has kept so far.
    static KEPT: Cell<usize> = const { Cell::new(0) };
}

/// The load filter: keeps the dictionaries, strings and attachments the look-up reads
/// and drops the rest as it is parsed (page content, fonts, images, object streams,
/// long strings), so what a load keeps is bounded whatever the file holds.
fn slim(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(stream) = object {
        if stream.dict.has_type(b"ObjStm") {
            return None;
        }
        let keep = stream.dict.has_type(b"EmbeddedFile")
            && KEPT.with(|kept| {
                let total = kept.get() + stream.content.len();
                kept.set(total);
                total <= 4 * MAX_CREDENTIAL_BYTES
            });
        if !keep {
            stream.content = Vec::new();
            // An empty stream would otherwise be read again from the file.
            stream.start_position = None;
        }
    }
    drop_long_strings(object);
    Some((id, object.clone()))
}

fn drop_long_strings(object: &mut Object) {
    match object {
        Object::String(bytes, _) if bytes.len() > MAX_KEPT_STRING => *bytes = Vec::new(),
        Object::Array(items) => items.iter_mut().for_each(drop_long_strings),
        Object::Dictionary(dict) => dict.iter_mut().for_each(|(_, v)| drop_long_strings(v)),
        Object::Stream(stream) => stream
            .dict
            .iter_mut()
            .for_each(|(_, v)| drop_long_strings(v)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(result: Result<Option<Vec<u8>>, AppError>) -> String {
        match result {
            Err(AppError::Invalid { fields, .. }) => fields[0].reason.clone(),
            Ok(found) => format!("found: {}", found.is_some()),
            Err(other) => format!("{other:?}"),
        }
    }

    /// `%PDF-1.7`, the objects, and a classic table listing them; `trailer` extra.
    fn pdf(objects: &[&[u8]], trailer: &str) -> Vec<u8> {
        let mut out = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend(*body);
            out.extend(b"\nendobj\n");
        }
        let start = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for offset in offsets {
            out.extend(format!("{offset:010} 00000 n \n").as_bytes());
        }
        out.extend(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R {trailer} >>\nstartxref\n{start}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    const CATALOG: &[u8] =
        b"<< /Type /Catalog /Names << /EmbeddedFiles << /Names [(credential.json) 2 0 R] >> >> >>";
    const SPEC: &[u8] = b"<< /Type /Filespec /F (credential.json) /EF << /F 3 0 R >> >>";

    /// An attachment stream holding `content` under `filter` (e.g. `/Filter /FlateDecode`).
    fn attached(content: &[u8], filter: &str) -> Vec<u8> {
        let head = format!(
            "<< /Type /EmbeddedFile {filter} /Length {} >>\nstream\n",
            content.len()
        );
        [head.as_bytes(), content, b"\nendstream"].concat()
    }

    #[test]
    fn a_stored_attachment_is_read_and_an_absent_one_is_none() {
        let with = pdf(&[CATALOG, SPEC, &attached(b"{}", "")], "");
        assert_eq!(
            embedded_credential(&with).expect("read"),
            Some(b"{}".to_vec())
        );
        let without = pdf(&[b"<< /Type /Catalog >>"], "");
        assert_eq!(reason(embedded_credential(&without)), "found: false");
    }

    #[test]
    fn earlier_revisions_object_streams_encryption_and_escaped_names_are_refused() {
        for trailer in ["/Prev 9", "/Pr#65v 9", "/XRefStm 9", "/Encrypt 5 0 R"] {
            let file = pdf(&[CATALOG], trailer);
            assert_eq!(
                reason(embedded_credential(&file)),
                "unsupported_pdf",
                "{trailer}"
            );
        }
        let object_stream = b"<< /Type /Obj#53tm /N 1 /First 4 /Length 0 >>\nstream\n\nendstream";
        let file = pdf(&[CATALOG, object_stream], "");
        assert_eq!(reason(embedded_credential(&file)), "unsupported_pdf");
    }

    #[test]
    fn a_table_that_is_not_classic_or_too_long_or_a_file_too_large_is_refused() {
        let mut two = pdf(&[CATALOG], "");
        two.extend(b"startxref\n9\n%%EOF\n");
        assert_eq!(reason(embedded_credential(&two)), "unsupported_pdf");
        let stream_table = b"%PDF-1.7\n1 0 obj\n<< /Size 2 /W [99999999999 0 0] /Length 0 >>\nstream\n\nendstream\nendobj\nstartxref\n9\n%%EOF\n";
        assert_eq!(reason(embedded_credential(stream_table)), "unsupported_pdf");
        let many: Vec<&[u8]> = vec![b"<< >>"; MAX_OBJECTS + 5];
        assert_eq!(
            reason(embedded_credential(&pdf(&many, ""))),
            "unsupported_pdf"
        );
        let mut large = pdf(&[CATALOG], "");
        large.resize(MAX_PDF_BYTES + 1, b' ');
        assert_eq!(reason(embedded_credential(&large)), "pdf_too_large");
    }

    #[test]
    fn an_attachment_that_inflates_or_is_stored_past_the_limit_is_refused() {
        use std::io::Write;
        let mut deflate = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        deflate
            .write_all(&vec![b' '; MAX_CREDENTIAL_BYTES + 1])
            .expect("deflate");
        let bomb = attached(&deflate.finish().expect("deflated"), "/Filter /FlateDecode");
        let file = pdf(&[CATALOG, SPEC, &bomb], "");
        assert_eq!(reason(embedded_credential(&file)), "attachment_too_large");
        let stored = attached(&vec![b' '; MAX_CREDENTIAL_BYTES + 1], "");
        let file = pdf(&[CATALOG, SPEC, &stored], "");
        assert_eq!(reason(embedded_credential(&file)), "attachment_too_large");
    }
}
