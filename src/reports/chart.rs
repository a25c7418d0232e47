//! Charts drawn on the server as SVG: twelve monthly bars with the target's monthly pace
//! as a line, sized by a `viewBox` so that they scale to any width (390 px and up) and
//! carry their numbers as text for those who cannot see them.

use std::fmt::Write;

/// A bar chart of `values` (one per month, labelled `labels`), with `target`'s even
/// monthly share drawn as a dashed line when there is one. Escaping is not needed: every
/// text is a number or a month code.
pub fn monthly_bars(values: &[i64], labels: &[String], target: Option<i64>) -> String {
    let (width, height, top, bottom) = (360.0_f64, 160.0_f64, 16.0_f64, 20.0_f64);
    let pace = target.map(|t| t as f64 / values.len().max(1) as f64);
    let peak = values
        .iter()
        .map(|v| *v as f64)
        .fold(pace.unwrap_or(0.0), f64::max)
        .max(1.0);
    let plot = height - top - bottom;
    let slot = width / values.len().max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         preserveAspectRatio=\"xMidYMid meet\">"
    );
    for (i, v) in values.iter().enumerate() {
        let h = plot * (*v as f64) / peak;
        let x = slot * i as f64 + slot * 0.15;
        let y = top + plot - h;
        let w = slot * 0.7;
        let month = labels
            .get(i)
            .map_or("", |l| &l[l.len().saturating_sub(2)..]);
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" class=\"bar\">\
             <title>{}: {v}</title></rect>",
            labels.get(i).map_or("", String::as_str)
        );
        if *v > 0 {
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"value\">{v}</text>",
                x + w / 2.0,
                y - 3.0
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"month\">{}</text>",
            x + w / 2.0,
            height - 6.0,
            month.trim_start_matches('0')
        );
    }
    if let Some(pace) = pace {
        let y = top + plot - plot * pace / peak;
        let _ = write!(
            svg,
            "<line x1=\"0\" y1=\"{y:.1}\" x2=\"{width}\" y2=\"{y:.1}\" class=\"pace\"/>"
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A progress meter: the share of `target` reached (capped at the full width) and a mark
/// at the share of the year elapsed. Attributes, not inline styles, so that the pages'
/// content security policy (no inline styles) leaves it drawn.
pub fn meter(actual: i64, target: i64, elapsed_percent: i64) -> String {
    let done = if target > 0 {
        (actual as f64 / target as f64).clamp(0.0, 1.0) * 100.0
    } else {
        100.0
    };
    let mark = elapsed_percent.clamp(0, 100);
    format!(
        "<svg class=\"meter\" viewBox=\"0 0 100 6\" preserveAspectRatio=\"none\" role=\"img\">\
         <title>完成 {actual} / {target}，年度已过 {mark}%</title>\
         <rect x=\"0\" y=\"1\" width=\"100\" height=\"4\" rx=\"2\" class=\"track\"/>\
         <rect x=\"0\" y=\"1\" width=\"{done:.1}\" height=\"4\" rx=\"2\" class=\"done\"/>\
         <rect x=\"{:.1}\" y=\"0\" width=\"0.8\" height=\"6\" class=\"mark\"/></svg>",
        (mark as f64 - 0.4).max(0.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_carry_their_numbers_and_the_pace_line() {
        let labels: Vec<String> = (1..=12).map(|m| format!("2026-{m:02}")).collect();
        let mut values = vec![0; 12];
        values[2] = 30;
        let svg = monthly_bars(&values, &labels, Some(600));
        assert!(svg.starts_with("<svg"));
        assert_eq!(svg.matches("<rect").count(), 12);
        assert!(svg.contains(">30</text>"));
        assert!(svg.contains("class=\"pace\""));
        assert!(svg.contains("<title>2026-03: 30</title>"));
        assert!(!monthly_bars(&values, &labels, None).contains("pace"));
        assert!(meter(30, 600, 95).contains("width=\"5.0\""));
        assert!(meter(900, 600, 95).contains("width=\"100.0\""));
    }
}
