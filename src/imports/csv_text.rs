//! CSV files as Excel and WPS save them: UTF-8 (with or without a byte-order mark) or
//! GB 18030, which contains GBK; records numbered as the sheet shows them.

use std::borrow::Cow;

use super::table::{Cell, Lines, cell_name, file_error, sheet_too_large};
use crate::error::AppError;

/// UTF-8 when the bytes are UTF-8 (a byte-order mark is dropped), otherwise GB 18030,
/// which contains GBK.
pub(super) fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => encoding_rs::GB18030.decode(bytes).0,
    }
}

/// Reads the records of `text` into `rows`, each with its sheet row number.
pub(super) fn read(text: &str, rows: &mut impl Lines) -> Result<(), AppError> {
    let bytes = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut lines = SheetLines::default();
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader.read_record(&mut record).map_err(|_| {
            file_error(
                "unreadable",
                format!(
                    "第{}行无法按 CSV 读取，请检查引号是否成对",
                    lines.next_row(bytes, reader.position().byte())
                ),
            )
        })?;
        if !more {
            return Ok(());
        }
        let start = record.position().map_or(0, |p| p.byte());
        let row = lines.row_at(bytes, start);
        lines.ended_at(bytes, reader.position().byte());
        let last = record.len().saturating_sub(1) as u32;
        if !rows.limits().within(row.saturating_sub(1), last) {
            return Err(sheet_too_large(
                rows.limits(),
                &cell_name(row.saturating_sub(1), last),
            ));
        }
        let cells = record
            .iter()
            .map(|text| Cell {
                text: text.trim().to_owned(),
                number: false,
            })
            .collect();
        rows.line(row, cells)?;
    }
}

/// Sheet row numbers of CSV records, as Excel and WPS number them. The csv reader's own
/// line count is no help: it counts a CRLF's `\n` in the next record and blank lines not
/// at all. So the line breaks between one record's content and the next are counted
/// here: each `\r\n`, `\n` or `\r` is one row.
#[derive(Default)]
struct SheetLines {
    /// The row of the last record read (0 before the first).
    row: u32,
    /// Where the last record's content ended, before its line break.
    content_end: u64,
}

impl SheetLines {
    /// The row of the record the reader found at byte `start` (which may still be the
    /// tail of the previous line break, or blank lines).
    fn row_at(&mut self, bytes: &[u8], start: u64) -> u32 {
        let from = (self.content_end as usize).min(bytes.len());
        let skip = bytes[(start as usize).min(bytes.len())..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        let to = (start as usize + skip).min(bytes.len());
        let breaks = line_breaks(&bytes[from..to]);
        self.row = if self.row == 0 {
            1 + breaks
        } else {
            self.row + breaks
        };
        self.row
    }

    /// Notes that the record just read ended (its line break included, in part or in
    /// whole) at byte `end`.
    fn ended_at(&mut self, bytes: &[u8], end: u64) {
        let end = (end as usize).min(bytes.len());
        let trailing = bytes[..end]
            .iter()
            .rev()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        self.content_end = (end - trailing) as u64;
    }

    /// The row a record starting at or after byte `at` would have: for naming a line
    /// that could not be read.
    fn next_row(&self, bytes: &[u8], at: u64) -> u32 {
        let mut copy = Self {
            row: self.row,
            content_end: self.content_end,
        };
        copy.row_at(bytes, at.max(self.content_end))
    }
}

/// How many line breaks `gap` (nothing but `\r` and `\n`) holds; `\r\n` is one.
fn line_breaks(gap: &[u8]) -> u32 {
    let mut breaks = 0;
    let mut at = 0;
    while at < gap.len() {
        at += if gap[at..].starts_with(b"\r\n") { 2 } else { 1 };
        breaks += 1;
    }
    breaks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imports::{Limits, sheet};

    #[test]
    fn csv_rows_are_numbered_as_excel_shows_them_whatever_the_line_ends() {
        let id = "150784199001011234";
        let rows_of = |csv: String| -> Vec<u32> {
            sheet::read(csv.as_bytes(), &Limits::default())
                .expect("rows")
                .iter()
                .map(|r| r.row)
                .collect()
        };
        for end in ["\n", "\r\n", "\r"] {
            let csv = [
                "姓名,身份证号".to_owned(),
                format!("张三,{id}"),
                format!("李四,{id}"),
                String::new(),
                format!("\"王\n五\",{id}"),
                format!("赵六,{id}"),
            ]
            .join(end);
            // The quoted name holds a line break: one row in Excel, as here.
            assert_eq!(rows_of(csv), [2, 3, 5, 6], "{end:?}");
            let with_title = format!("名单{end}{end}姓名,身份证号{end}张三,{id}{end}");
            assert_eq!(rows_of(with_title), [4], "{end:?}");
        }
    }

    #[test]
    fn line_breaks_count_a_crlf_once() {
        assert_eq!(line_breaks(b""), 0);
        assert_eq!(line_breaks(b"\r\n\r\n"), 2);
        assert_eq!(line_breaks(b"\n\r\n\r"), 3);
        assert_eq!(line_breaks(b"\n\n"), 2);
    }
}
