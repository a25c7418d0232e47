//! The first worksheet of an XLSX file, read as a stream of cells.
//!
//! An XLSX file is a zip of XML parts, and a small one can unpack to gigabytes or name a
//! cell at XFD1048576 (reading the sheet as a rectangle would allocate 17 billion cells).
//! So the container is checked before calamine opens it — how many parts, and what each
//! unpacks to, declared and actual — as is the shared-string count calamine reserves room
//! for; and the sheet is read cell by cell, each cell's reference checked against the
//! limits before it is kept.

use std::io::{self, Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use quick_xml::events::Event;

use super::{
    limits::Limits,
    table::{Cell, Lines, cell_name, file_error, sheet_too_large},
};
use crate::error::AppError;

/// The most parts one file may hold (Excel and WPS write about a dozen for one sheet).
pub const MAX_ENTRIES: usize = 256;

fn unreadable() -> AppError {
    file_error("unreadable", "无法读取该 Excel 文件，请确认它是 .xlsx 格式")
}

fn unpacked_too_large(limits: &Limits) -> AppError {
    file_error(
        "unpacked_too_large",
        format!(
            "该 Excel 文件解压后超过 {} MiB（一份名单通常不足 1 MiB），无法读取；\
             请把名单复制到新表格，另存为 .xlsx 或 CSV 后重新上传",
            limits.unpacked_bytes() >> 20
        ),
    )
}

/// Reads the first worksheet's cells, row by row, into `rows`; refused before anything
/// large is allocated when the file or the sheet exceeds the limits.
pub(super) fn read(bytes: &[u8], limits: &Limits, rows: &mut impl Lines) -> Result<(), AppError> {
    check_container(bytes, limits)?;
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let first = workbook
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| file_error("empty", "该 Excel 文件中没有工作表"))?;
    let mut cells = workbook
        .worksheet_cells_reader(&first)
        .map_err(|_| unreadable())?;
    // The used range the sheet declares; a cell outside it is still checked below.
    let (end_row, end_column) = cells.dimensions().end;
    if !limits.within(end_row, end_column) {
        return Err(sheet_too_large(limits, &cell_name(end_row, end_column)));
    }
    // Excel and WPS write rows top to bottom (the format requires it), so a row is done
    // when the next one starts.
    let mut line: Option<(u32, Vec<Cell>)> = None;
    while let Some(cell) = cells.next_cell().map_err(|_| unreadable())? {
        let (row, column) = cell.get_position();
        if !limits.within(row, column) {
            return Err(sheet_too_large(limits, &cell_name(row, column)));
        }
        let value = Data::from(cell.get_value().clone());
        if value == Data::Empty {
            continue;
        }
        match &line {
            Some((current, _)) if *current == row => {}
            Some((current, _)) if *current > row => {
                return Err(file_error(
                    "rows_out_of_order",
                    "该 Excel 文件的行顺序异常，无法读取；请用 Excel 或 WPS 打开后另存为 .xlsx 再上传",
                ));
            }
            _ => {
                if let Some((done, done_cells)) = line.take() {
                    rows.line(done + 1, done_cells)?;
                }
                line = Some((row, Vec::new()));
            }
        }
        if let Some((_, cells)) = line.as_mut() {
            let at = column as usize;
            if cells.len() <= at {
                cells.resize_with(at + 1, || Cell {
                    text: String::new(),
                    number: false,
                });
            }
            cells[at] = cell_of(&value);
        }
    }
    if let Some((done, done_cells)) = line {
        rows.line(done + 1, done_cells)?;
    }
    Ok(())
}

fn cell_of(data: &Data) -> Cell {
    let (text, number) = match data {
        Data::String(s) => (s.trim().to_owned(), false),
        Data::Int(i) => (i.to_string(), true),
        // Whole numbers print without a decimal point (a phone typed as a number); 15
        // significant digits is all a float keeps.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => (format!("{}", *f as i64), true),
        Data::Float(f) => (f.to_string(), true),
        Data::Bool(b) => (b.to_string(), false),
        Data::Empty => (String::new(), false),
        other => (other.to_string().trim().to_owned(), false),
    };
    Cell { text, number }
}

/// Refuses a zip with too many parts, parts that unpack (by their headers, or in fact)
/// past [`Limits::unpacked_bytes`], or a string table announcing more than
/// [`Limits::shared_strings`] strings. Every part is inflated once, into nothing.
fn check_container(bytes: &[u8], limits: &Limits) -> Result<(), AppError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    if archive.len() > MAX_ENTRIES {
        return Err(file_error(
            "too_many_entries",
            format!(
                "该 Excel 文件由 {} 个部件组成（最多 {MAX_ENTRIES} 个），不像是一份名单；\
                 请把名单复制到新表格后重新上传",
                archive.len()
            ),
        ));
    }
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|_| unreadable())?;
        declared = declared.saturating_add(entry.size());
    }
    if declared > limits.unpacked_bytes() {
        return Err(unpacked_too_large(limits));
    }
    let mut unpacked: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|_| unreadable())?;
        let budget = limits.unpacked_bytes() - unpacked;
        // One byte past the budget tells "too large" from "exactly at the limit".
        let mut part = (&mut entry).take(budget + 1);
        if is_string_table(part.get_ref().name()) {
            check_string_table(&mut part, limits.shared_strings())?;
        }
        io::copy(&mut part, &mut io::sink()).map_err(|_| unreadable())?;
        let size = budget + 1 - part.limit();
        if size > budget || size > entry.size() {
            return Err(unpacked_too_large(limits));
        }
        unpacked += size;
    }
    Ok(())
}

/// Whether a part is the shared-string table as calamine finds it (any case, either slash).
fn is_string_table(name: &str) -> bool {
    name.replace('\\', "/")
        .eq_ignore_ascii_case("xl/sharedStrings.xml")
}

/// Refuses a string table whose `<sst uniqueCount>` is not a plain number within
/// `most`; reads only up to its opening tag.
fn check_string_table(part: &mut impl Read, most: u64) -> Result<(), AppError> {
    let mut xml = quick_xml::Reader::from_reader(io::BufReader::new(part));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|_| unreadable())? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"sst" => {
                for attribute in e.attributes() {
                    let attribute = attribute.map_err(|_| unreadable())?;
                    if attribute.key.as_ref() != b"uniqueCount" {
                        continue;
                    }
                    let count = std::str::from_utf8(&attribute.value)
                        .ok()
                        .filter(|v| v.bytes().all(|b| b.is_ascii_digit()))
                        .and_then(|v| v.parse::<u64>().ok());
                    if count.is_none_or(|n| n > most) {
                        return Err(file_error(
                            "too_many_strings",
                            format!(
                                "该 Excel 文件的字符串表声称有 {} 条（最多 {most} 条），无法读取；\
                                 请把名单复制到新表格后重新上传",
                                String::from_utf8_lossy(&attribute.value)
                            ),
                        ));
                    }
                }
                return Ok(());
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// A zip of `parts` (name, content), deflated.
    fn zipped(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in parts {
            out.start_file(*name, options).expect("start");
            out.write_all(content).expect("write");
        }
        out.finish().expect("finish").into_inner()
    }

    fn reason(result: Result<(), AppError>) -> String {
        match result {
            Err(AppError::Invalid { fields, .. }) => fields[0].reason.clone(),
            other => format!("{other:?}"),
        }
    }

    /// A workbook of one sheet whose `<sheetData>` is `rows`, with no `<dimension>`.
    fn workbook(rows: &str) -> Vec<u8> {
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        let rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let book = format!(
            r#"<workbook xmlns="{main}" xmlns:r="{rels}"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>"#
        );
        let book_rels = format!(
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rels}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
        );
        let sheet =
            format!(r#"<worksheet xmlns="{main}"><sheetData>{rows}</sheetData></worksheet>"#);
        zipped(&[
            ("xl/workbook.xml", book.as_bytes()),
            ("xl/_rels/workbook.xml.rels", book_rels.as_bytes()),
            ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
        ])
    }

    fn text(at: &str, text: &str) -> String {
        format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    }

    fn rows_of(file: &[u8]) -> Result<Vec<(u32, String)>, AppError> {
        Ok(super::super::sheet::read(file, &Limits::default())?
            .into_iter()
            .map(|r| (r.row, r.name))
            .collect())
    }

    #[test]
    fn every_cell_is_checked_against_the_limits_even_without_a_declared_range() {
        let header = format!(
            r#"<row r="1">{}{}</row>"#,
            text("A1", "姓名"),
            text("B1", "身份证号")
        );
        let trainee = format!(
            r#"<row r="3">{}{}</row>"#,
            text("A3", "张三"),
            text("B3", "150784199001011234")
        );
        let list = workbook(&format!("{header}{trainee}"));
        assert_eq!(
            rows_of(&list).expect("a sheet within the limits"),
            [(3, "张三".to_owned())]
        );
        for far in ["XFD1048576", "AY1", "A2011"] {
            let file = workbook(&format!(r#"{header}<row r="2">{}</row>"#, text(far, "x")));
            match rows_of(&file) {
                Err(AppError::Invalid { message, fields }) => {
                    assert_eq!(fields[0].reason, "sheet_too_large");
                    assert!(message.contains(far), "{message}");
                }
                other => panic!("{far}: {other:?}"),
            }
        }
    }

    #[test]
    fn rows_written_out_of_order_are_refused_rather_than_misnumbered() {
        let file = workbook(&format!(
            r#"<row r="2">{}{}</row><row r="1">{}</row>"#,
            text("A2", "姓名"),
            text("B2", "身份证号"),
            text("A1", "x")
        ));
        match rows_of(&file) {
            Err(AppError::Invalid { fields, .. }) => {
                assert_eq!(fields[0].reason, "rows_out_of_order")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parts_are_bounded_in_number_and_in_what_they_unpack_to() {
        let limits = Limits::default();
        let check = |file: &[u8]| check_container(file, &limits);
        let fine = vec![b' '; 1 << 20];
        assert_eq!(reason(check(&zipped(&[("a.xml", &fine)]))), "Ok(())");
        let big = vec![b' '; limits.unpacked_bytes() as usize / 2 + 1];
        assert_eq!(
            reason(check(&zipped(&[("a.xml", &big), ("b.xml", &big)]))),
            "unpacked_too_large"
        );
        let names: Vec<String> = (0..=MAX_ENTRIES).map(|i| format!("p{i}.xml")).collect();
        let parts: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
        assert_eq!(reason(check(&zipped(&parts))), "too_many_entries");
    }

    #[test]
    fn a_part_that_unpacks_to_more_than_its_header_declares_is_refused() {
        let content = vec![b' '; 100_000];
        let mut file = zipped(&[("xl/a.xml", &content)]);
        // The uncompressed size sits at offset 22 of the local header and 24 of the
        // central one; declare 1,000 bytes in both.
        let central = file
            .windows(4)
            .rposition(|w| w == b"PK\x01\x02")
            .expect("central header");
        for at in [22, central + 24] {
            file[at..at + 4].copy_from_slice(&1_000u32.to_le_bytes());
        }
        let result = check_container(&file, &Limits::default());
        assert!(
            matches!(reason(result).as_str(), "unpacked_too_large" | "unreadable"),
            "refused either way"
        );
    }

    #[test]
    fn a_string_table_may_announce_what_a_list_needs_but_not_more() {
        let table = |count: &str| {
            format!(
                r#"<?xml version="1.0"?><sst xmlns="x" count="1" uniqueCount="{count}"><si><t>a</t></si></sst>"#
            )
        };
        let check = |count: &str| {
            let xml = table(count);
            reason(check_container(
                &zipped(&[("xl/sharedStrings.xml", xml.as_bytes())]),
                &Limits::default(),
            ))
        };
        assert_eq!(check("500000"), "Ok(())");
        assert_eq!(check("500001"), "too_many_strings");
        assert_eq!(check("99999999999999"), "too_many_strings");
        assert_eq!(check("+5"), "too_many_strings");
        let other = table("99999999999999");
        assert_eq!(
            reason(check_container(
                &zipped(&[("xl/other.xml", other.as_bytes())]),
                &Limits::default()
            )),
            "Ok(())",
            "only the string table is read for it"
        );
    }
}
