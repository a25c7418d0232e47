//! The writers the exports share: a header and lines of text as CSV (UTF-8 with a byte-order
//! mark, so that Excel and WPS open it as Chinese) or as an XLSX workbook of one sheet whose
//! every cell is text (so that no ID, number or amount loses a digit or a leading zero).

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::error::AppError;

fn failed(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("writing {what}: {e}"))
}

/// The header and the lines as CSV in UTF-8 with a byte-order mark; `what` names the file
/// in an error.
pub fn csv<L: AsRef<[String]>>(
    what: &str,
    header: &[&str],
    lines: &[L],
) -> Result<Vec<u8>, AppError> {
    let mut out = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    out.write_record(header).map_err(|e| failed(what, e))?;
    for line in lines {
        out.write_record(line.as_ref())
            .map_err(|e| failed(what, e))?;
    }
    out.into_inner().map_err(|e| failed(what, e))
}

/// The header (bold, frozen) and the lines as one sheet named `sheet`, each column as wide
/// as `widths` says (18 characters where it says nothing).
pub fn xlsx<L: AsRef<[String]>>(
    sheet: &str,
    header: &[&str],
    widths: &[f64],
    lines: &[L],
) -> Result<Vec<u8>, AppError> {
    let write = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let page = book.add_worksheet();
        page.set_name(sheet)?;
        let text = Format::new().set_num_format("@");
        let bold = Format::new().set_bold();
        for (at, title) in header.iter().enumerate() {
            page.write_string_with_format(0, at as u16, *title, &bold)?;
            page.set_column_width(at as u16, widths.get(at).copied().unwrap_or(18.0))?;
        }
        for (row, line) in lines.iter().enumerate() {
            for (at, value) in line.as_ref().iter().enumerate() {
                page.write_string_with_format(row as u32 + 1, at as u16, value, &text)?;
            }
        }
        page.set_freeze_panes(1, 0)?;
        book.save_to_buffer()
    };
    write().map_err(|e| failed(sheet, e))
}
