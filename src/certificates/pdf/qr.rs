//! The verification QR code, drawn as vector rectangles.
//!
//! Error correction level M. Runs of dark modules become rectangles (runs repeated in the
//! rows below are merged into taller ones), filled in one colour on a white quiet zone.
//!
//! The symbol is built with the `qrcode` crate's own encoder and canvas; only the choice of
//! mask is made here. `qrcode` scores the eight candidate masks with a boxed closure per
//! module, which took a quarter of a whole render (~0.4 ms). [`penalty`] applies the same
//! ISO/IEC 18004 rules, with the same numbers, on a plain bit map, and the tests check that
//! the result is module for module what `QrCode::with_error_correction_level` produces.

use anyhow::Context;
use qrcode::{
    Color, EcLevel,
    canvas::{Canvas as QrCanvas, MaskPattern},
};

use super::{
    canvas::{Canvas, TextStyle},
    layout::{Align, Qr, Rgb},
};

const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The modules of the level-M symbol for `data` (row-major, `true` = dark) and its width.
pub fn modules(data: &str) -> anyhow::Result<(Vec<bool>, usize)> {
    let too_long = "the verification URL does not fit in a QR code";
    let bits = qrcode::bits::encode_auto(data.as_bytes(), EcLevel::M).context(too_long)?;
    let version = bits.version();
    let (data_codewords, ec_codewords) =
        qrcode::ec::construct_codewords(&bits.into_bytes(), version, EcLevel::M)
            .context(too_long)?;
    let mut canvas = QrCanvas::new(version, EcLevel::M);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data_codewords, &ec_codewords);
    let width = version.width().unsigned_abs() as usize;

    let mut best: Option<(u32, Vec<bool>)> = None;
    for mask in MASKS {
        let mut masked = canvas.clone();
        masked.apply_mask(mask);
        let dark: Vec<bool> = masked
            .into_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect();
        let score = penalty(&dark, width);
        // Strictly lower only: ties keep the earlier mask, as `qrcode` does.
        if best.as_ref().is_none_or(|(s, _)| score < *s) {
            best = Some((score, dark));
        }
    }
    let (_, dark) = best.context("no QR mask was tried")?;
    Ok((dark, width))
}

/// ISO/IEC 18004 mask penalty (N1 runs, N2 blocks, N3 finder look-alikes, N4 balance).
fn penalty(dark: &[bool], width: usize) -> u32 {
    // Columns copied out once, so both directions are scanned as contiguous slices.
    let mut columns = vec![false; dark.len()];
    for (row, cells) in dark.chunks(width).enumerate() {
        for (col, &cell) in cells.iter().enumerate() {
            columns[col * width + row] = cell;
        }
    }
    let lines = dark.chunks(width).chain(columns.chunks(width));
    let mut score: u32 = lines.map(line_penalty).sum();
    for pair in dark.chunks(width).collect::<Vec<_>>().windows(2) {
        let (upper, lower) = (pair[0], pair[1]);
        for col in 0..width - 1 {
            let c = upper[col];
            if upper[col + 1] == c && lower[col] == c && lower[col + 1] == c {
                score += 3;
            }
        }
    }
    let dark_count = dark.iter().filter(|&&d| d).count();
    let ratio = (dark_count * 200 / dark.len()) as u32;
    score + ratio.abs_diff(100)
}

/// N1 and N3 for one row or column.
fn line_penalty(line: &[bool]) -> u32 {
    const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
    let mut score = 0;
    for run in line.chunk_by(|a, b| a == b) {
        if run.len() >= 5 {
            score += run.len() as u32 - 2;
        }
    }
    for (j, window) in line.windows(7).enumerate() {
        if window != FINDER {
            continue;
        }
        let dark_before = line[j.saturating_sub(4)..j].contains(&true);
        let dark_after = line[j + 7..(j + 11).min(line.len())].contains(&true);
        if !dark_before || !dark_after {
            score += 40;
        }
    }
    score
}

/// Dark runs as (row, first column, length).
fn module_runs(dark: &[bool], width: usize) -> Vec<(usize, usize, usize)> {
    let mut runs = Vec::new();
    for (row, cells) in dark.chunks(width).enumerate() {
        let mut col = 0;
        while col < width {
            let start = col;
            while col < width && cells[col] {
                col += 1;
            }
            if col > start {
                runs.push((row, start, col - start));
            }
            col += 1;
        }
    }
    runs
}

/// Joins runs repeated in the rows below into taller rectangles: (row, column, length, rows).
fn merge_rows(runs: Vec<(usize, usize, usize)>) -> Vec<(usize, usize, usize, usize)> {
    let mut merged: Vec<(usize, usize, usize, usize)> = Vec::with_capacity(runs.len());
    // Index of the latest rectangle for each (column, length).
    let mut open: std::collections::HashMap<(usize, usize), usize> = Default::default();
    for (row, col, len) in runs {
        match open.get(&(col, len)) {
            Some(&i) if merged[i].0 + merged[i].3 == row => merged[i].3 += 1,
            _ => {
                open.insert((col, len), merged.len());
                merged.push((row, col, len, 1));
            }
        }
    }
    merged
}

/// Draws the symbol with its quiet zone on a white square, and the caption under it.
pub fn draw(canvas: &mut Canvas<'_>, layout: &Qr, data: &str) -> anyhow::Result<()> {
    let (dark, width) = modules(data)?;
    let quiet = usize::from(layout.quiet_modules);
    let module_mm = layout.size_mm / (width + 2 * quiet) as f32;
    let origin_x = layout.x_mm + quiet as f32 * module_mm;
    let origin_y = layout.top_mm + quiet as f32 * module_mm;

    // The quiet zone must be white even on a tinted page.
    let white = Rgb([1.0, 1.0, 1.0]);
    canvas.fill_rect(
        layout.x_mm,
        layout.top_mm,
        layout.size_mm,
        layout.size_mm,
        white,
    );
    let rects = merge_rows(module_runs(&dark, width))
        .into_iter()
        .map(|(row, col, len, rows)| {
            [
                origin_x + col as f32 * module_mm,
                origin_y + row as f32 * module_mm,
                len as f32 * module_mm,
                rows as f32 * module_mm,
            ]
        });
    canvas.fill_rects(rects, layout.color);

    let style = TextStyle::plain(layout.caption_size_pt, layout.color);
    let caption_baseline = layout.top_mm + layout.size_mm + layout.caption_size_pt * 0.3528 + 1.0;
    let centre = layout.x_mm + layout.size_mm / 2.0;
    canvas.text(
        &layout.caption,
        centre,
        caption_baseline,
        Align::Center,
        &style,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrcode::QrCode;

    const URLS: [&str; 4] = [
        "https://jineng.erguna.gov.cn/verify/S000115150784264000001",
        "https://example.org/v/1",
        "HTTPS://JINENG.ERGUNA.GOV.CN/V/ABC",
        "https://jineng.erguna.gov.cn/verify/S000115150784264000001?lang=zh-CN&bundle=1234567",
    ];

    #[test]
    fn symbols_match_the_qrcode_crate_module_for_module() {
        for url in URLS {
            let (ours, width) = modules(url).unwrap();
            let theirs = QrCode::with_error_correction_level(url, EcLevel::M).unwrap();
            assert_eq!(width, theirs.width(), "{url}");
            let theirs: Vec<bool> = theirs
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect();
            assert_eq!(ours, theirs, "{url}");
        }
    }

    #[test]
    fn merged_rectangles_paint_exactly_the_dark_modules() {
        let (dark, width) = modules(URLS[0]).unwrap();
        let runs = module_runs(&dark, width);
        let rects = merge_rows(runs.clone());
        assert!(rects.len() < runs.len());
        let mut painted = vec![false; width * width];
        for (row, col, len, rows) in rects {
            for r in row..row + rows {
                for c in col..col + len {
                    assert!(!painted[r * width + c], "module painted twice");
                    painted[r * width + c] = true;
                }
            }
        }
        assert_eq!(painted, dark);
    }
}
