//! The XLSX files that go with an enrolment list: the template to fill in, and the
//! report of the rows a check refused (row, name, masked ID number, reason), to correct
//! them in the spreadsheet they came from.

use std::collections::{BTreeMap, HashMap};

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::Upload;
use crate::{error::AppError, error::FieldError, people::CitizenId};

/// The template's columns with their widths (in characters), as the CSV template has
/// them.
const TEMPLATE_COLUMNS: [(&str, f64); 4] = [
    ("姓名", 14.0),
    ("身份证号", 24.0),
    ("手机号", 16.0),
    ("重点群体", 24.0),
];

/// The template's example row.
const EXAMPLE: [&str; 4] = ["娜仁花", "150784199004122224", "13800000000", ""];

/// Rows of the template whose ID and phone columns are formatted as text.
const TEXT_ROWS: u32 = 1_000;

fn internal(e: XlsxError) -> AppError {
    AppError::Internal(e.into())
}

fn bold() -> Format {
    Format::new().set_bold()
}

/// Headers in bold, each column as wide as `columns` says.
fn header(sheet: &mut Worksheet, columns: &[(&str, f64)]) -> Result<(), XlsxError> {
    for (at, (title, width)) in columns.iter().enumerate() {
        let at = at as u16;
        sheet.write_string_with_format(0, at, *title, &bold())?;
        sheet.set_column_width(at, *width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The roster template: the CSV template's headers and example row, with the ID and
/// phone columns formatted as text so that Excel keeps every digit of what is typed.
pub fn template_workbook() -> Result<Vec<u8>, AppError> {
    let write = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("学员名单")?;
        header(sheet, &TEMPLATE_COLUMNS)?;
        let text = Format::new().set_num_format("@");
        for row in 1..=TEXT_ROWS {
            for column in [1, 2] {
                sheet.write_blank(row, column, &text)?;
            }
        }
        for (at, value) in EXAMPLE.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string_with_format(1, at as u16, *value, &text)?;
            }
        }
        book.save_to_buffer()
    };
    write().map_err(internal)
}

/// One refused row of a check, as the problem report lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The spreadsheet's row number.
    pub row: u32,
    /// The name as written.
    pub name: String,
    /// Masked as the report masks it (`150784********123X`); an ID that is not one is
    /// masked the same way, or wholly when it is too short for that.
    pub citizen_id: String,
    /// Every reason the row was refused, in Chinese.
    pub reason: String,
}

/// `text` masked as [`CitizenId::masked`] masks an ID: the first 6 and last 4 characters
/// kept, or none of them when there are fewer than 11.
fn masked(text: &str) -> String {
    if let Ok(id) = CitizenId::parse(text) {
        return id.masked();
    }
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// Who each row of an upload names (name as written, ID masked), kept to report the
/// rows a check refuses: taken before the upload goes to the check, which takes it apart.
pub struct Listed(HashMap<u32, (String, String)>);

impl Listed {
    pub fn of(upload: &Upload) -> Self {
        Self(
            upload
                .rows
                .iter()
                .map(|r| (r.row, (r.name.clone(), masked(&r.citizen_id))))
                .collect(),
        )
    }

    /// The rows that `fields` (a check's refusal) name, in sheet order, each with all
    /// its reasons.
    pub fn problems(&self, fields: &[FieldError]) -> Vec<Problem> {
        let mut reasons: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
        for f in fields {
            if let Some(row) = f.row {
                reasons.entry(row).or_default().push(&f.message);
            }
        }
        reasons
            .into_iter()
            .map(|(row, why)| {
                let (name, citizen_id) = self.0.get(&row).cloned().unwrap_or_default();
                Problem {
                    row,
                    name,
                    citizen_id,
                    reason: why.join("；"),
                }
            })
            .collect()
    }
}

/// The problem report: 行号, 姓名, 身份证号 (masked), 原因, one refused row a line.
pub fn problems_workbook(problems: &[Problem]) -> Result<Vec<u8>, AppError> {
    let write = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("有问题的行")?;
        header(
            sheet,
            &[
                ("行号", 8.0),
                ("姓名", 14.0),
                ("身份证号", 24.0),
                ("原因", 60.0),
            ],
        )?;
        for (at, p) in problems.iter().enumerate() {
            let line = at as u32 + 1;
            sheet.write_number(line, 0, p.row)?;
            sheet.write_string(line, 1, &p.name)?;
            sheet.write_string(line, 2, &p.citizen_id)?;
            sheet.write_string(line, 3, &p.reason)?;
        }
        book.save_to_buffer()
    };
    write().map_err(internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_that_is_not_one_is_masked_as_one_is() {
        assert_eq!(masked("150784199004122224"), "150784********2224");
        assert_eq!(masked("15078419900412222X"), "150784********222X");
        assert_eq!(masked("1507841990"), "**********");
        assert_eq!(masked("15078419900"), "150784*9900");
    }
}
