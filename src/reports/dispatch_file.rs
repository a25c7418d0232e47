//! A dispatch as a file the province's forms take: CSV (UTF-8 with a BOM) or XLSX, one
//! sheet of blocks — the heading, the measures, by key group, by standard, the adjustments.
//! Written only from the dispatch itself (a locked period's frozen figures), with the
//! workbook's creation date set to the lock's day, so that the same period gives the same
//! bytes however often it is exported.

use chrono::Datelike;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

use super::dispatch::Dispatch;
use crate::error::AppError;

/// The dispatch as rows of text cells (blocks separated by an empty row).
pub fn rows(d: &Dispatch) -> Vec<Vec<String>> {
    let mut rows = vec![
        vec![format!(
            "额尔古纳市职业技能培训统计{}",
            d.period.kind.label()
        )],
        vec![
            "统计期".into(),
            d.title.clone(),
            format!("{}至{}", d.period.starts_on, d.period.ends_on),
        ],
        match &d.lock {
            Some(l) => vec![
                "状态".into(),
                "已审核锁定".into(),
                format!(
                    "{} 于 {} 锁定{}",
                    l.locked_by,
                    l.locked_at.format("%Y-%m-%d %H:%M"),
                    if l.note.is_empty() {
                        String::new()
                    } else {
                        format!("；备注：{}", l.note)
                    }
                ),
            ],
            None => vec![
                "状态".into(),
                "未锁定".into(),
                "数字随记录变化，锁定后固定".into(),
            ],
        },
        vec![],
        [
            "指标",
            "年度目标",
            "本期",
            "本期调整",
            "本期合计",
            "本年累计",
            "年度完成率",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for l in &d.lines {
        rows.push(vec![
            l.label.clone(),
            l.target.map_or_else(String::new, |t| t.to_string()),
            l.count.to_string(),
            signed(l.adjustment),
            (l.count + l.adjustment).to_string(),
            l.year_to_date.to_string(),
            match l.target {
                Some(t) if t > 0 => format!("{}%", l.year_to_date * 100 / t),
                _ => String::new(),
            },
        ]);
    }
    rows.push(vec![]);
    rows.push(vec!["重点群体".into(), "本期人次".into()]);
    rows.extend(
        d.by_key_group
            .iter()
            .map(|c| vec![c.label.clone(), c.count.to_string()]),
    );
    rows.push(vec![]);
    rows.push(vec!["标准或职业".into(), "本期培训人次".into()]);
    rows.extend(
        d.by_standard
            .iter()
            .map(|c| vec![c.label.clone(), c.count.to_string()]),
    );
    rows.push(vec![]);
    rows.push(
        ["调整明细：原统计期", "指标", "记录", "增减", "原因"]
            .map(String::from)
            .to_vec(),
    );
    if d.adjustments.is_empty() {
        rows.push(vec!["无".into()]);
    }
    rows.extend(d.adjustments.iter().map(|a| {
        vec![
            a.period.clone(),
            a.measure_label.clone(),
            a.record.clone(),
            signed(a.delta),
            a.reason.clone(),
        ]
    }));
    rows
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

/// The file's name: `2026-03 统计月报.csv`.
pub fn file_name(d: &Dispatch, ext: &str) -> String {
    format!("{}{}.{ext}", d.title, d.period.kind.label())
}

/// The dispatch as CSV in UTF-8 with a byte-order mark.
pub fn csv(d: &Dispatch) -> Result<Vec<u8>, AppError> {
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(vec![0xEF, 0xBB, 0xBF]);
    let internal = |e: csv::Error| AppError::Internal(anyhow::anyhow!("writing a dispatch: {e}"));
    for row in rows(d) {
        if row.is_empty() {
            out.write_record([""]).map_err(internal)?;
        } else {
            out.write_record(&row).map_err(internal)?;
        }
    }
    out.into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("writing a dispatch: {e}")))
}

/// The dispatch as an XLSX workbook (every cell text), created on the lock's day (or the
/// period's last day while it is open).
pub fn xlsx(d: &Dispatch) -> Result<Vec<u8>, AppError> {
    let day = d
        .lock
        .as_ref()
        .map_or(d.period.ends_on, |l| l.locked_at.date_naive());
    let write = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let created =
            ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)?;
        book.set_properties(&DocProperties::new().set_creation_datetime(&created));
        let sheet = book.add_worksheet();
        sheet.set_name(format!("{}{}", d.period.code, d.period.kind.label()))?;
        let text = Format::new().set_num_format("@");
        let bold = Format::new().set_bold();
        sheet.set_column_width(0, 28)?;
        sheet.set_column_width(2, 22)?;
        sheet.set_column_width(4, 30)?;
        for (at, row) in rows(d).iter().enumerate() {
            let heading = at == 0 || row.first().is_some_and(|c| c == "指标");
            for (col, cell) in row.iter().enumerate() {
                let format = if heading { &bold } else { &text };
                sheet.write_string_with_format(at as u32, col as u16, cell, format)?;
            }
        }
        book.save_to_buffer()
    };
    write().map_err(|e| AppError::Internal(anyhow::anyhow!("writing a dispatch: {e}")))
}
