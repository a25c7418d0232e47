//! A cohort's results sheet as a spreadsheet: written as XLSX with every enrolled
//! trainee (报名编号, 姓名, 出勤学时, 理论成绩, 实操成绩, pre-filled with what is recorded),
//! and read back from the lines of an uploaded table (bounded and read by the caller),
//! then saved as the page's table is saved ([`results::record_many`]): every row or
//! none. A blank cell leaves its value as recorded; each refusal names its row and
//! column ("第3行 理论成绩：……").

use std::collections::HashMap;

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use sea_orm::ConnectionTrait;

use super::{
    EnrolmentStatus,
    enrolment::{self, Enrolment, ResultInput},
    results::{self, SheetRow},
};
use crate::{
    access::Caller,
    clock::Now,
    error::{AppError, FieldError},
    people::PiiKeys,
};

/// How many more data rows than the cohort's capacity an upload may hold (a trainee
/// listed twice, a total line): anything longer is not this cohort's sheet.
pub const EXTRA_ROWS: usize = 20;

/// How far down the header may be.
const HEADER_SEARCH_LINES: usize = 10;

/// The sheet's columns: title, width in characters.
const COLUMNS: [(&str, f64); 5] = [
    ("报名编号", 40.0),
    ("姓名", 14.0),
    ("出勤学时", 10.0),
    ("理论成绩", 10.0),
    ("实操成绩", 10.0),
];

/// The columns read back, by the field each fills.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Column {
    Enrolment,
    Hours,
    Theory,
    Practical,
}

impl Column {
    fn of_title(title: &str) -> Option<Self> {
        let title: String = title
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊'))
            .collect();
        match title.as_str() {
            "报名编号" | "enrolment_id" => Some(Self::Enrolment),
            "出勤学时" | "学时" | "attended_hours" => Some(Self::Hours),
            "理论成绩" | "理论" | "theory_score" => Some(Self::Theory),
            "实操成绩" | "实操" | "practical_score" => Some(Self::Practical),
            _ => None,
        }
    }

    fn field(self) -> &'static str {
        match self {
            Self::Enrolment => "enrolment",
            Self::Hours => "attended_hours",
            Self::Theory => "theory_score",
            Self::Practical => "practical_score",
        }
    }
}

/// The column a refusal's field is shown under.
fn title_of(field: &str) -> &'static str {
    match field {
        "attended_hours" => "出勤学时",
        "theory_score" => "理论成绩",
        "practical_score" => "实操成绩",
        _ => "报名编号",
    }
}

/// The sheet of `trainees` (those enrolled; the withdrawn take no results), as XLSX.
pub fn workbook(trainees: &[Enrolment]) -> Result<Vec<u8>, AppError> {
    let write = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("成绩表")?;
        let bold = Format::new().set_bold();
        for (at, (title, width)) in COLUMNS.iter().enumerate() {
            sheet.write_string_with_format(0, at as u16, *title, &bold)?;
            sheet.set_column_width(at as u16, *width)?;
        }
        sheet.set_freeze_panes(1, 2)?;
        let enrolled = trainees
            .iter()
            .filter(|e| e.status == EnrolmentStatus::Enrolled);
        for (at, e) in enrolled.enumerate() {
            let row = at as u32 + 1;
            sheet.write_string(row, 0, &e.id)?;
            sheet.write_string(row, 1, &e.person.name)?;
            for (column, value) in [
                (2, e.attended_hours),
                (3, e.theory_score),
                (4, e.practical_score),
            ] {
                if let Some(value) = value {
                    sheet.write_number(row, column, value)?;
                }
            }
        }
        book.save_to_buffer()
    };
    write().map_err(|e| AppError::Internal(e.into()))
}

/// One data row as typed: `None` where a cell is blank.
#[derive(Debug, PartialEq, Eq)]
struct Typed {
    row: u32,
    enrolment_id: String,
    hours: Option<u32>,
    theory: Option<u32>,
    practical: Option<u32>,
}

fn file_error(reason: &str, message: impl Into<String>) -> AppError {
    AppError::invalid("file", reason, message)
}

fn row_error(row: u32, column: Column, reason: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        row: Some(row),
        ..FieldError::new(column.field(), reason, message)
    }
}

fn refused(mut fields: Vec<FieldError>) -> AppError {
    fields.sort_by_key(|f| f.row);
    AppError::invalid_fields("成绩表未保存", fields)
}

/// The data rows of `lines` (row number, cells' text), mapped through the header: the
/// first of the first lines naming 报名编号. Rows that fill no cell are left out; more
/// than `max_rows` that do is refused as a whole.
fn typed_rows(lines: Vec<(u32, Vec<String>)>, max_rows: usize) -> Result<Vec<Typed>, AppError> {
    let mut lines = lines.into_iter();
    let mut columns = None;
    for (_, cells) in lines.by_ref().take(HEADER_SEARCH_LINES) {
        let found: Vec<(usize, Column)> = cells
            .iter()
            .enumerate()
            .filter_map(|(at, c)| Some((at, Column::of_title(c)?)))
            .collect();
        if found.iter().any(|(_, c)| *c == Column::Enrolment) {
            columns = Some(found);
            break;
        }
    }
    let Some(columns) = columns else {
        return Err(file_error(
            "missing_column",
            "找不到表头“报名编号”：请使用从本班次页面下载的成绩表（.xlsx），填写后上传",
        ));
    };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (row, cells) in lines {
        let cell = |wanted: Column| {
            columns
                .iter()
                .find(|(_, c)| *c == wanted)
                .and_then(|(at, _)| cells.get(*at))
                .map_or("", |c| c.trim())
        };
        let mut number = |column: Column| {
            let text = cell(column);
            if text.is_empty() {
                return None;
            }
            text.parse::<u32>().ok().or_else(|| {
                let message = "请填写不带小数的非负整数";
                errors.push(row_error(row, column, "not_a_number", message));
                None
            })
        };
        let typed = Typed {
            row,
            hours: number(Column::Hours),
            theory: number(Column::Theory),
            practical: number(Column::Practical),
            enrolment_id: cell(Column::Enrolment).to_owned(),
        };
        let blank = [
            cell(Column::Hours),
            cell(Column::Theory),
            cell(Column::Practical),
        ]
        .iter()
        .all(|c| c.is_empty());
        if blank {
            continue;
        }
        if rows.len() == max_rows {
            return Err(file_error(
                "too_many_rows",
                format!(
                    "成绩表超过{max_rows}行数据（本班次最多{max_rows}行），请使用本班次下载的成绩表"
                ),
            ));
        }
        rows.push(typed);
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(refused(errors))
    }
}

/// Saves the rows of an uploaded results sheet of the cohort (`lines` as read, each
/// with its row number), at most `max_rows` of them, as the page's table is saved: every
/// row in the caller's transaction, or a refusal naming each bad row and column and
/// nothing kept. A blank cell keeps its recorded value; a row with nothing typed is left
/// as it is.
pub async fn save(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    cohort_id: &str,
    lines: Vec<(u32, Vec<String>)>,
    max_rows: usize,
    now: Now,
) -> Result<Vec<Enrolment>, AppError> {
    let typed = typed_rows(lines, max_rows)?;
    let recorded: HashMap<String, Enrolment> = enrolment::all(conn, keys, caller, cohort_id)
        .await?
        .into_iter()
        .map(|e| (e.id.clone(), e))
        .collect();
    let mut row_of: HashMap<String, u32> = HashMap::new();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for t in typed {
        let Some(e) = recorded.get(&t.enrolment_id) else {
            let message = if t.enrolment_id.is_empty() {
                "请填写报名编号（下载的成绩表中已有）".to_owned()
            } else {
                format!("本班次没有报名编号“{}”", t.enrolment_id)
            };
            errors.push(row_error(
                t.row,
                Column::Enrolment,
                "not_in_cohort",
                message,
            ));
            continue;
        };
        if let Some(first) = row_of.insert(t.enrolment_id.clone(), t.row) {
            let message = format!("报名编号与第{first}行重复");
            errors.push(row_error(t.row, Column::Enrolment, "duplicate", message));
            continue;
        }
        let kept = |v: Option<i32>| v.and_then(|n| u32::try_from(n).ok());
        let Some(attended_hours) = t.hours.or(kept(e.attended_hours)) else {
            errors.push(row_error(
                t.row,
                Column::Hours,
                "required",
                "请填写出勤学时",
            ));
            continue;
        };
        rows.push(SheetRow {
            enrolment_id: t.enrolment_id,
            result: ResultInput {
                attended_hours,
                theory_score: t.theory.or(kept(e.theory_score)),
                practical_score: t.practical.or(kept(e.practical_score)),
            },
        });
    }
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    results::record_many(conn, keys, caller, cohort_id, rows, now)
        .await
        .map_err(|e| by_row(e, &row_of))
}

/// A refusal of [`results::record_many`] (fields `rows.<enrolment id>.<field>`) with
/// each field numbered by the sheet's row instead.
fn by_row(error: AppError, row_of: &HashMap<String, u32>) -> AppError {
    let AppError::Invalid { fields, .. } = error else {
        return error;
    };
    let fields = fields
        .into_iter()
        .map(|f| {
            let (id, field) = f
                .field
                .strip_prefix("rows.")
                .and_then(|rest| rest.rsplit_once('.'))
                .unwrap_or(("", f.field.as_str()));
            let (row, field) = (row_of.get(id).copied(), field.to_owned());
            FieldError { row, field, ..f }
        })
        .collect();
    refused(fields)
}

/// Each refusal of a results sheet as a sentence: "第3行 理论成绩：……", or the message
/// alone for the file as a whole.
pub fn described(fields: &[FieldError]) -> Vec<String> {
    fields
        .iter()
        .map(|f| match f.row {
            Some(row) => format!("第{row}行 {}：{}", title_of(&f.field), f.message),
            None => f.message.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(row: u32, cells: &[&str]) -> (u32, Vec<String>) {
        (row, cells.iter().map(|c| (*c).to_owned()).collect())
    }

    #[test]
    fn rows_are_read_through_the_header_and_blank_rows_are_left_out() {
        let lines = vec![
            line(1, &["成绩表"]),
            line(2, &["姓名", "报名编号", "理论成绩", "出勤学时"]),
            line(3, &["张三", "e1", "80", "95"]),
            line(4, &["李四", "e2", "", ""]),
            line(5, &["王五", "e3", "", "90"]),
        ];
        let rows = typed_rows(lines, 3).expect("rows");
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0],
            Typed {
                row: 3,
                enrolment_id: "e1".into(),
                hours: Some(95),
                theory: Some(80),
                practical: None
            }
        );
        assert_eq!((rows[1].row, rows[1].theory), (5, None));
    }

    #[test]
    fn a_cell_that_is_no_whole_number_is_refused_naming_its_row_and_column() {
        let lines = vec![
            line(1, &["报名编号", "出勤学时", "理论成绩"]),
            line(2, &["e1", "95", "八十"]),
            line(3, &["e2", "90.5", "70"]),
        ];
        match typed_rows(lines, 5) {
            Err(AppError::Invalid { fields, .. }) => assert_eq!(
                described(&fields),
                [
                    "第2行 理论成绩：请填写不带小数的非负整数",
                    "第3行 出勤学时：请填写不带小数的非负整数"
                ]
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_sheet_without_the_id_column_or_with_too_many_rows_is_refused_whole() {
        let reason = |r: Result<Vec<Typed>, AppError>| match r {
            Err(AppError::Invalid { fields, .. }) => fields[0].reason.clone(),
            other => format!("{other:?}"),
        };
        assert_eq!(
            reason(typed_rows(vec![line(1, &["姓名", "出勤学时"])], 5)),
            "missing_column"
        );
        let mut lines = vec![line(1, &["报名编号", "出勤学时"])];
        lines.extend((2..=4).map(|r| line(r, &["e", "1"])));
        assert_eq!(reason(typed_rows(lines, 2)), "too_many_rows");
    }
}
