//! Reading an enrolment spreadsheet into rows: XLSX (the first worksheet, see
//! [`super::xlsx`]), or CSV in UTF-8 (with or without a byte-order mark) or GBK/GB 18030,
//! as Excel and WPS save it on a Chinese Windows. The first non-empty row is the header;
//! columns are found by their Chinese (or English) titles, in any order. Row numbers are
//! the spreadsheet's own as Excel and WPS show them (blank lines count, a line break
//! inside a quoted cell does not, CRLF is one break), so an error message points at the
//! line a user sees.
//!
//! A file is bounded before it is read whole ([`Limits`]): its size, and how far down and
//! across its cells reach. Lines are read as a stream and turned into rows one by one
//! ([`Rows`]); reading stops at the first line past the limits.

use super::{
    limits::{HEADER_SEARCH_ROWS, Limits},
    table::{self, Cell, Lines, file_error},
};
use crate::{error::AppError, people::KeyGroup};

/// One data row as written, before any checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The spreadsheet's row number (the header is usually row 1).
    pub row: u32,
    pub name: String,
    pub citizen_id: String,
    /// The ID cell holds a number (Excel keeps 15 digits: the ID as typed is lost).
    pub citizen_id_is_number: bool,
    pub phone: Option<String>,
    /// Key-group codes where a cell names a known group (by code, label or a variant);
    /// otherwise the text as written, which enrolment refuses by name.
    pub key_groups: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Column {
    Name,
    CitizenId,
    Phone,
    KeyGroups,
}

impl Column {
    fn of_title(title: &str) -> Option<Self> {
        let title: String = title
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊'))
            .collect::<String>()
            .to_lowercase();
        match title.as_str() {
            "姓名" | "学员姓名" | "name" => Some(Self::Name),
            "身份证号"
            | "身份证号码"
            | "公民身份号码"
            | "居民身份证号码"
            | "证件号码"
            | "citizen_id" => Some(Self::CitizenId),
            "手机号" | "手机号码" | "联系电话" | "电话" | "phone" => Some(Self::Phone),
            "重点群体" | "人员类别" | "key_groups" => Some(Self::KeyGroups),
            _ => None,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::Name => "姓名",
            Self::CitizenId => "身份证号",
            Self::Phone => "手机号",
            Self::KeyGroups => "重点群体",
        }
    }
}

/// The data rows of a spreadsheet; refused as a whole when it is larger than `limits`
/// allow, not a spreadsheet we read, or its header lacks the name or ID column.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Row>, AppError> {
    let mut rows = Rows::new(limits);
    table::read_into(bytes, limits, &mut rows)?;
    rows.finish()
}

fn columns_of(header: &[Cell], header_row: u32) -> Result<Vec<(usize, Column)>, AppError> {
    let mut columns: Vec<(usize, Column)> = Vec::new();
    for (at, cell) in header.iter().enumerate() {
        if let Some(column) = Column::of_title(&cell.text) {
            if columns.iter().any(|(_, c)| *c == column) {
                return Err(file_error(
                    "duplicate_column",
                    format!("表头第{header_row}行有两列“{}”", column.title()),
                ));
            }
            columns.push((at, column));
        }
    }
    Ok(columns)
}

/// The lines of a sheet, top to bottom, turned into data rows as they come: the header
/// is the first of the first [`HEADER_SEARCH_ROWS`] non-empty lines naming both required
/// columns; every later line is a row, mapped through it.
pub(super) struct Rows<'a> {
    limits: &'a Limits,
    /// The first non-empty line, while no header has been found (for the refusal).
    first: Option<(u32, Vec<Cell>)>,
    /// Non-empty lines seen while looking for the header.
    searched: u32,
    columns: Option<Vec<(usize, Column)>>,
    rows: Vec<Row>,
}

impl<'a> Rows<'a> {
    fn new(limits: &'a Limits) -> Self {
        Self {
            limits,
            first: None,
            searched: 0,
            columns: None,
            rows: Vec::new(),
        }
    }

    /// Takes the next line (row number, cells from column A); refused when the header
    /// cannot be found in time or the rows exceed the limit.
    fn take(&mut self, row: u32, cells: Vec<Cell>) -> Result<(), AppError> {
        if cells.iter().all(|c| c.text.is_empty()) {
            return Ok(());
        }
        let Some(columns) = &self.columns else {
            return self.header_search(row, cells);
        };
        let cell = |wanted: Column| {
            columns
                .iter()
                .find(|(_, c)| *c == wanted)
                .and_then(|(at, _)| cells.get(*at))
        };
        let text = |wanted: Column| cell(wanted).map(|c| c.text.clone()).unwrap_or_default();
        let read = Row {
            row,
            name: text(Column::Name),
            citizen_id: text(Column::CitizenId),
            citizen_id_is_number: cell(Column::CitizenId).is_some_and(|c| c.number),
            phone: Some(text(Column::Phone)).filter(|p| !p.is_empty()),
            key_groups: key_groups(&text(Column::KeyGroups)),
        };
        // Lists are often numbered ahead (序号 1–50) with the rest left blank: a row
        // with nothing in the columns we read is not a trainee.
        if read.name.is_empty()
            && read.citizen_id.is_empty()
            && read.phone.is_none()
            && read.key_groups.is_empty()
        {
            return Ok(());
        }
        if self.rows.len() == self.limits.max_rows() {
            return Err(file_error(
                "too_many_rows",
                format!(
                    "表格的学员数据超过{}行（第{row}行已是第{}行数据），一次最多导入{}行；请分成几份上传",
                    self.limits.max_rows(),
                    self.limits.max_rows() + 1,
                    self.limits.max_rows()
                ),
            ));
        }
        self.rows.push(read);
        Ok(())
    }

    fn header_search(&mut self, row: u32, cells: Vec<Cell>) -> Result<(), AppError> {
        let columns = columns_of(&cells, row)?;
        let has = |wanted: Column| columns.iter().any(|(_, c)| *c == wanted);
        if has(Column::Name) && has(Column::CitizenId) {
            self.columns = Some(columns);
            self.first = None;
            return Ok(());
        }
        self.searched += 1;
        if self.first.is_none() {
            self.first = Some((row, cells));
        }
        if self.searched == HEADER_SEARCH_ROWS {
            return Err(self.missing_header());
        }
        Ok(())
    }

    fn missing_header(&self) -> AppError {
        let Some((first_row, first)) = &self.first else {
            return file_error(
                "empty",
                "表格是空的：应有表头（姓名、身份证号……）和学员数据",
            );
        };
        let columns = columns_of(first, *first_row).unwrap_or_default();
        let missing = [Column::Name, Column::CitizenId]
            .into_iter()
            .filter(|wanted| !columns.iter().any(|(_, c)| c == wanted))
            .map(Column::title)
            .collect::<Vec<_>>()
            .join("”“");
        file_error(
            "missing_column",
            format!(
                "找不到表头：第{first_row}行起缺少“{missing}”列；需要的列：姓名、身份证号，可选：手机号、重点群体"
            ),
        )
    }

    /// The data rows, once every line is in; refused when no header was found.
    fn finish(self) -> Result<Vec<Row>, AppError> {
        if self.columns.is_none() {
            return Err(self.missing_header());
        }
        Ok(self.rows)
    }
}

impl Lines for Rows<'_> {
    fn limits(&self) -> &Limits {
        self.limits
    }

    fn line(&mut self, row: u32, cells: Vec<Cell>) -> Result<(), AppError> {
        self.take(row, cells)
    }
}

/// Key groups as written in one cell, separated by 、，,；; / or spaces; each a group's
/// code, label or variant ([`KeyGroup::read`]).
fn key_groups(cell: &str) -> Vec<String> {
    cell.split(['、', '，', ',', '；', ';', ' ', '/'])
        .map(str::trim)
        // What people write for "none".
        .filter(|t| !matches!(*t, "" | "无" | "否" | "-" | "—" | "－" | "none"))
        .map(|t| KeyGroup::read(t).map_or_else(|| t.to_owned(), |g| g.as_str().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(err: AppError) -> String {
        match err {
            AppError::Invalid { fields, .. } => fields[0].reason.clone(),
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn a_utf8_csv_with_a_bom_and_columns_in_any_order_reads_with_sheet_row_numbers() {
        let csv = "\u{feff}手机号,身份证号码,姓名,重点群体\n\
                   13800000000,15078419900101123X,张三,高校毕业生、返岗妇女\n\
                   ,,,\n\
                   ,150784199202021234,李四,\n";
        let rows = read(csv.as_bytes(), &Limits::default()).expect("rows");
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].row, rows[0].name.as_str(), rows[0].phone.as_deref()),
            (2, "张三", Some("13800000000"))
        );
        assert_eq!(rows[0].key_groups, ["graduate", "woman_returning_to_work"]);
        assert_eq!((rows[1].row, rows[1].phone.as_deref()), (4, None));
    }

    #[test]
    fn a_gbk_csv_as_excel_saves_it_on_chinese_windows_reads_the_same() {
        let text = "姓名,身份证号\n乌日娜,150784199001011234\n";
        let (gbk, _, lossy) = encoding_rs::GBK.encode(text);
        assert!(!lossy && std::str::from_utf8(&gbk).is_err());
        let rows = read(&gbk, &Limits::default()).expect("rows");
        assert_eq!(rows[0].name, "乌日娜");
        assert_eq!(rows[0].citizen_id, "150784199001011234");
    }

    #[test]
    fn unknown_key_group_text_is_kept_for_enrolment_to_refuse_by_name() {
        assert_eq!(
            key_groups("新生农牧民；贫困户"),
            ["new_farmer_herder", "贫困户"]
        );
        assert!(key_groups("无").is_empty() && key_groups(" - ").is_empty());
    }

    #[test]
    fn rows_numbered_ahead_but_left_blank_are_not_trainees() {
        let csv = "序号,姓名,身份证号\n1,张三,150784199001011234\n2,,\n3,,\n";
        let rows = read(csv.as_bytes(), &Limits::default()).expect("rows");
        assert_eq!(rows.len(), 1);
    }

    #[test]
    fn a_header_without_the_id_column_an_old_xls_and_an_empty_file_are_refused() {
        let limits = Limits::default();
        assert_eq!(
            reason(read("姓名,电话\n张三,1\n".as_bytes(), &limits).unwrap_err()),
            "missing_column"
        );
        assert_eq!(
            reason(read(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0], &limits).unwrap_err()),
            "xls_not_supported"
        );
        assert_eq!(reason(read(b"\n,,\n", &limits).unwrap_err()), "empty");
        assert_eq!(
            reason(read("姓名,姓名,身份证号\n".as_bytes(), &limits).unwrap_err()),
            "duplicate_column"
        );
    }

    #[test]
    fn a_csv_wider_longer_or_larger_than_a_list_is_refused_before_it_is_read_whole() {
        use crate::imports::limits::MAX_COLUMNS;
        let limits = Limits::default();
        let header = "姓名,身份证号";
        let wide =
            |more: usize| format!("{header}{}\n张三,150784199001011234\n", ",x".repeat(more));
        assert!(read(wide(MAX_COLUMNS as usize - 2).as_bytes(), &limits).is_ok());
        let err = read(wide(MAX_COLUMNS as usize - 1).as_bytes(), &limits).unwrap_err();
        assert!(err.to_string().contains("AY1"), "{err}");
        assert_eq!(reason(err), "sheet_too_large");
        assert_eq!(
            reason(read(&vec![b' '; limits.file_bytes() + 1], &limits).unwrap_err()),
            "file_too_large"
        );
    }

    #[test]
    fn rows_past_the_limit_are_refused_naming_the_limit() {
        let three = Limits::rows(3);
        let list = |rows: usize, blank_lines: usize| {
            let mut csv = format!("姓名,身份证号\n{}", "\n".repeat(blank_lines));
            for _ in 0..rows {
                csv.push_str("张三,150784199001011234\n");
            }
            csv
        };
        assert_eq!(read(list(3, 0).as_bytes(), &three).expect("rows").len(), 3);
        let err = read(list(4, 0).as_bytes(), &three).unwrap_err();
        assert!(err.to_string().contains("一次最多导入3行"), "{err}");
        assert_eq!(reason(err), "too_many_rows");
        // The sheet may reach row 13 (3 data rows, 10 for titles and the header).
        assert!(read(list(1, 11).as_bytes(), &three).is_ok());
        assert_eq!(
            reason(read(list(1, 12).as_bytes(), &three).unwrap_err()),
            "sheet_too_large"
        );
    }
}
