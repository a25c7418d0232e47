//! Reading an enrolment spreadsheet into rows: XLSX (the first worksheet, see
//! [`super::xlsx`]), or CSV in UTF-8 (with or without a byte-order mark) or GBK/GB 18030,
//! as Excel and WPS save it on a Chinese Windows. The first non-empty row is the header;
//! columns are found by their Chinese (or English) titles, in any order. Row numbers are
//! the spreadsheet's own, so an error message points at the line a user sees.
//!
//! A file is bounded before it is read whole: its size, and how far down and across its
//! cells reach (an enrolment list is at most [`MAX_SHEET_ROWS`] by [`MAX_COLUMNS`]).

use crate::{error::AppError, imports::MAX_ROWS, people::KeyGroup};

use super::xlsx;

/// The largest file read, XLSX or CSV (a list of 2,000 trainees is well under 1 MiB).
pub const MAX_FILE_BYTES: usize = 4 << 20;

/// How far down a sheet's cells may reach: the data rows of one import and the title
/// and header rows above them.
pub const MAX_SHEET_ROWS: u32 = MAX_ROWS as u32 + HEADER_SEARCH_ROWS as u32;

/// How far across a sheet's cells may reach: a list has four columns we read, and offices
/// add a few of their own (序号, 备注, ……).
pub const MAX_COLUMNS: u32 = 50;

/// One data row as written, before any checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The spreadsheet's row number (the header is usually row 1).
    pub row: u32,
    pub name: String,
    pub citizen_id: String,
    /// The ID cell holds a number, not text: Excel keeps 15 significant digits, so the
    /// ID as typed is lost.
    pub citizen_id_is_number: bool,
    pub phone: Option<String>,
    /// Key-group codes where a cell names a known group (by label or code); otherwise
    /// the text as written, which enrolment refuses by name.
    pub key_groups: Vec<String>,
}

/// A cell as read: its text, and whether the spreadsheet stored it as a number.
pub(super) struct Cell {
    pub(super) text: String,
    pub(super) number: bool,
}

/// The non-empty rows of a sheet: the row number and its cells from column A.
pub(super) type Grid = Vec<(u32, Vec<Cell>)>;

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

pub(super) fn file_error(reason: &str, message: impl Into<String>) -> AppError {
    AppError::invalid("file", reason, message)
}

/// The refusal of a sheet whose cells reach past `cell` (an A1-style name).
pub(super) fn sheet_too_large(cell: &str) -> AppError {
    file_error(
        "sheet_too_large",
        format!(
            "表格范围过大：用到了单元格 {cell}，一份名单最多 {MAX_COLUMNS} 列、{MAX_SHEET_ROWS} 行；\
             请删除多余的行和列（或把名单复制到新表格）后重新上传"
        ),
    )
}

/// Whether a cell at (`row`, `column`), both from 0, lies inside the limits.
pub(super) fn within_limits(row: u32, column: u32) -> bool {
    row < MAX_SHEET_ROWS && column < MAX_COLUMNS
}

/// The data rows of a spreadsheet; refused as a whole when it is larger than a list can
/// be, not a spreadsheet we read, or its header lacks the name or ID column.
pub fn read(bytes: &[u8]) -> Result<Vec<Row>, AppError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(file_error(
            "file_too_large",
            format!("文件超过 {} MiB，不像是一份学员名单", MAX_FILE_BYTES >> 20),
        ));
    }
    let grid = if bytes.starts_with(b"PK\x03\x04") {
        xlsx::grid(bytes)?
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(file_error(
            "xls_not_supported",
            "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后再导入",
        ));
    } else {
        csv_grid(&decode_text(bytes))?
    };
    rows_of(grid)
}

/// UTF-8 when the bytes are UTF-8 (a byte-order mark is dropped), otherwise GB 18030,
/// which contains GBK.
fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

fn csv_grid(text: &str) -> Result<Grid, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            file_error(
                "unreadable",
                format!("第{line}行无法按 CSV 读取，请检查引号是否成对"),
            )
        })?;
        let line = record.position().map_or(0, |p| p.line()) as u32;
        let last = record.len().saturating_sub(1) as u32;
        if !within_limits(line.saturating_sub(1), last) {
            return Err(sheet_too_large(&cell_name(line.saturating_sub(1), last)));
        }
        let cells = record
            .iter()
            .map(|text| Cell {
                text: text.trim().to_owned(),
                number: false,
            })
            .collect();
        grid.push((line, cells));
    }
    Ok(grid)
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
    format!(
        "{}{}",
        letters.iter().rev().collect::<String>(),
        u64::from(row) + 1
    )
}

/// How far down the header may be: lists often start with a title row or two.
const HEADER_SEARCH_ROWS: usize = 10;

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

fn rows_of(grid: Grid) -> Result<Vec<Row>, AppError> {
    let lines: Grid = grid
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.text.is_empty()))
        .collect();
    let Some(first_row) = lines.first().map(|(row, _)| *row) else {
        return Err(file_error(
            "empty",
            "表格是空的：应有表头（姓名、身份证号……）和学员数据",
        ));
    };
    // The header is the first row naming both required columns.
    let mut found = None;
    for (i, (row, cells)) in lines.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let columns = columns_of(cells, *row)?;
        let has = |wanted: Column| columns.iter().any(|(_, c)| *c == wanted);
        if has(Column::Name) && has(Column::CitizenId) {
            found = Some((i, columns));
            break;
        }
    }
    let Some((header_at, columns)) = found else {
        let columns = columns_of(&lines[0].1, first_row)?;
        let missing = [Column::Name, Column::CitizenId]
            .into_iter()
            .filter(|wanted| !columns.iter().any(|(_, c)| c == wanted))
            .map(Column::title)
            .collect::<Vec<_>>()
            .join("”“");
        return Err(file_error(
            "missing_column",
            format!(
                "找不到表头：第{first_row}行起缺少“{missing}”列；需要的列：姓名、身份证号，可选：手机号、重点群体"
            ),
        ));
    };
    let lines = lines.into_iter().skip(header_at + 1);
    Ok(lines
        .map(|(row, cells)| {
            let cell = |wanted: Column| {
                columns
                    .iter()
                    .find(|(_, c)| *c == wanted)
                    .and_then(|(at, _)| cells.get(*at))
            };
            let text = |wanted: Column| cell(wanted).map(|c| c.text.clone()).unwrap_or_default();
            Row {
                row,
                name: text(Column::Name),
                citizen_id: text(Column::CitizenId),
                citizen_id_is_number: cell(Column::CitizenId).is_some_and(|c| c.number),
                phone: Some(text(Column::Phone)).filter(|p| !p.is_empty()),
                key_groups: key_groups(&text(Column::KeyGroups)),
            }
        })
        // Lists are often numbered ahead (序号 1–50) with the rest left blank: a row
        // with nothing in the columns we read is not a trainee.
        .filter(|r| {
            !(r.name.is_empty()
                && r.citizen_id.is_empty()
                && r.phone.is_none()
                && r.key_groups.is_empty())
        })
        .collect())
}

/// Key groups as written in one cell, separated by 、，,；; or spaces; each a group's
/// label (高校毕业生, 返岗妇女 or 返岗妇女（妈妈岗）) or code.
fn key_groups(cell: &str) -> Vec<String> {
    cell.split(['、', '，', ',', '；', ';', ' ', '/'])
        .map(str::trim)
        // What people write for "none".
        .filter(|t| !matches!(*t, "" | "无" | "否" | "-" | "—" | "－" | "none"))
        .map(|t| {
            KeyGroup::ALL
                .into_iter()
                .find(|g| {
                    g.as_str() == t || g.label() == t || g.label().split('（').next() == Some(t)
                })
                .map_or_else(|| t.to_owned(), |g| g.as_str().to_owned())
        })
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
        let rows = read(csv.as_bytes()).expect("rows");
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
        let rows = read(&gbk).expect("rows");
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
        let rows = read(csv.as_bytes()).expect("rows");
        assert_eq!(rows.len(), 1);
    }

    #[test]
    fn a_header_without_the_id_column_an_old_xls_and_an_empty_file_are_refused() {
        assert_eq!(
            reason(read("姓名,电话\n张三,1\n".as_bytes()).unwrap_err()),
            "missing_column"
        );
        assert_eq!(
            reason(read(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0]).unwrap_err()),
            "xls_not_supported"
        );
        assert_eq!(reason(read(b"\n,,\n").unwrap_err()), "empty");
        assert_eq!(
            reason(read("姓名,姓名,身份证号\n".as_bytes()).unwrap_err()),
            "duplicate_column"
        );
    }

    #[test]
    fn cells_are_named_as_excel_names_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(9, 25), "Z10");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn a_csv_wider_longer_or_larger_than_a_list_is_refused_before_it_is_read_whole() {
        let header = "姓名,身份证号";
        let wide =
            |more: usize| format!("{header}{}\n张三,150784199001011234\n", ",x".repeat(more));
        assert!(read(wide(MAX_COLUMNS as usize - 2).as_bytes()).is_ok());
        let err = read(wide(MAX_COLUMNS as usize - 1).as_bytes()).unwrap_err();
        assert!(err.to_string().contains("AY1"), "{err}");
        assert_eq!(reason(err), "sheet_too_large");

        let rows = |n: u32| {
            let mut csv = format!("{header}\n");
            for _ in 1..n {
                csv.push_str("张三,150784199001011234\n");
            }
            csv
        };
        assert!(read(rows(MAX_SHEET_ROWS).as_bytes()).is_ok());
        assert_eq!(
            reason(read(rows(MAX_SHEET_ROWS + 1).as_bytes()).unwrap_err()),
            "sheet_too_large"
        );
        assert_eq!(
            reason(read(&vec![b' '; MAX_FILE_BYTES + 1]).unwrap_err()),
            "file_too_large"
        );
    }
}
