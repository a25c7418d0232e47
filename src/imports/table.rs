//! A spreadsheet's lines, read within [`Limits`]: the file's size first, then XLSX (see
//! [`super::xlsx`]) or CSV (see [`super::csv_text`]) line by line, each cell checked
//! against how far down and across a sheet may reach. The enrolment list maps the lines
//! through its header ([`super::sheet`]); [`read_table`] hands them, as text, to a reader
//! of another table (a cohort's results sheet), with the same bounds and off the async
//! workers.

use super::{
    csv_text,
    limits::{Limits, MAX_COLUMNS},
    xlsx,
};
use crate::error::AppError;

/// A cell as read: its text, and whether the spreadsheet stored it as a number.
pub(super) struct Cell {
    pub(super) text: String,
    pub(super) number: bool,
}

/// Where a sheet's lines go, top to bottom.
pub(super) trait Lines {
    /// The bounds every cell is checked against.
    fn limits(&self) -> &Limits;

    /// Takes the next line (its row number as the sheet shows it, cells from column A).
    fn line(&mut self, row: u32, cells: Vec<Cell>) -> Result<(), AppError>;
}

pub(super) fn file_error(reason: &str, message: impl Into<String>) -> AppError {
    AppError::invalid("file", reason, message)
}

/// The refusal of a sheet whose cells reach past `cell` (an A1-style name).
pub(super) fn sheet_too_large(limits: &Limits, cell: &str) -> AppError {
    file_error(
        "sheet_too_large",
        format!(
            "表格范围过大：用到了单元格 {cell}，一份表格最多 {MAX_COLUMNS} 列、{} 行\
             （最多 {} 行数据）；请删除多余的行和列（或把内容复制到新表格、分成几份）后重新上传",
            limits.sheet_rows(),
            limits.max_rows()
        ),
    )
}

/// The A1-style name of the cell at (`row`, `column`), both from 0: (0, 16383) is XFD1.
pub(super) fn cell_name(row: u32, column: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(column) + 1;
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    let column: String = letters.iter().rev().collect();
    format!("{column}{}", u64::from(row) + 1)
}

/// Reads the lines of an XLSX or CSV file into `lines`; refused before it is read whole
/// when it is larger than `limits` allow or not a spreadsheet we read.
pub(super) fn read_into(
    bytes: &[u8],
    limits: &Limits,
    lines: &mut impl Lines,
) -> Result<(), AppError> {
    if bytes.len() > limits.file_bytes() {
        return Err(file_error(
            "file_too_large",
            format!(
                "文件超过 {} MiB，不像是本系统的表格",
                limits.file_bytes() >> 20
            ),
        ));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        xlsx::read(bytes, limits, lines)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Err(file_error(
            "xls_not_supported",
            "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后再上传",
        ))
    } else {
        csv_text::read(&csv_text::decode(bytes), lines)
    }
}

/// One non-empty line of a table: its row number as the sheet shows it, and its cells'
/// text from column A (an empty cell is an empty string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableLine {
    pub row: u32,
    pub cells: Vec<String>,
}

struct Collected<'a> {
    limits: &'a Limits,
    lines: Vec<TableLine>,
}

impl Lines for Collected<'_> {
    fn limits(&self) -> &Limits {
        self.limits
    }

    fn line(&mut self, row: u32, cells: Vec<Cell>) -> Result<(), AppError> {
        if cells.iter().any(|c| !c.text.is_empty()) {
            let cells = cells.into_iter().map(|c| c.text).collect();
            self.lines.push(TableLine { row, cells });
        }
        Ok(())
    }
}

/// The non-empty lines of an uploaded table (XLSX or CSV), read off the async workers
/// within `limits`: its size, what it unpacks to, how far its cells reach and how long
/// reading may take, as an enrolment list is read. What the lines mean is the caller's.
pub async fn read_table(bytes: Vec<u8>, limits: Limits) -> Result<Vec<TableLine>, AppError> {
    super::bounded(limits, move || {
        let mut collected = Collected {
            limits: &limits,
            lines: Vec::new(),
        };
        read_into(&bytes, &limits, &mut collected)?;
        Ok(collected.lines)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_named_as_excel_names_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(9, 25), "Z10");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }

    #[tokio::test]
    async fn a_table_reads_as_its_non_empty_lines_within_the_limits() {
        let csv = "报名编号,姓名\n\ne1,张三\n,\n";
        let lines = read_table(csv.as_bytes().to_vec(), Limits::rows(3))
            .await
            .expect("lines");
        assert_eq!(
            lines.iter().map(|l| l.row).collect::<Vec<_>>(),
            [1, 3],
            "blank lines are left out but counted"
        );
        assert_eq!(lines[1].cells, ["e1", "张三"]);
        let long = format!("a\n{}", "b\n".repeat(20));
        assert!(
            read_table(long.into_bytes(), Limits::rows(3))
                .await
                .is_err()
        );
    }
}
