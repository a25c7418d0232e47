//! The verification link's QR code as an SVG, drawn on the server for a phone to show:
//! the `qrcode` crate makes the symbol (level M, as the paper prints), each run of dark
//! modules in a row becomes one rectangle of the path, inside a four-module quiet zone.

use qrcode::{Color, EcLevel, QrCode};

use crate::error::AppError;

/// An SVG image of the QR code holding `data`, `size` CSS pixels square.
pub fn svg(data: &str, size: u32) -> Result<String, AppError> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| anyhow::anyhow!("a QR code for {data}: {e}"))?;
    let width = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] != Color::Dark {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] == Color::Dark {
                x += 1;
            }
            path.push_str(&format!(
                "M{} {}h{}v1h-{}z",
                start + 4,
                y + 4,
                x - start,
                x - start
            ));
        }
    }
    let full = width + 8;
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {full} {full}\" width=\"{size}\" height=\"{size}\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"核验二维码\"><rect width=\"{full}\" height=\"{full}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_draws_every_dark_module_and_nothing_else() {
        let url = "https://jineng.erguna.gov.cn/v/abcdefghijklmnopqrstuv";
        let svg = svg(url, 240).unwrap();
        let code = QrCode::with_error_correction_level(url, EcLevel::M).unwrap();
        let dark = code
            .to_colors()
            .iter()
            .filter(|c| **c == Color::Dark)
            .count();
        let path = svg.split("d=\"").nth(1).unwrap().split('"').next().unwrap();
        let drawn: usize = path
            .split('h')
            .skip(1)
            .filter_map(|run| run.split('v').next()?.parse::<usize>().ok())
            .sum();
        assert_eq!(drawn, dark);
        assert!(svg.starts_with("<svg") && svg.contains("width=\"240\""));
    }
}
