//! Lays one certificate out on the page: frame, title, the label/value rows, photo box,
//! issuer and date, the issuer's seal image, QR code and the small print, each where its
//! layout puts it.

use super::{
    CertificateDocument,
    canvas::{Canvas, TextStyle},
    layout::{Align, Layout, RowItem, Rows},
    picture::Picture,
    qr, seal,
};

/// The pictures of one certificate, registered on its document.
#[derive(Default)]
pub struct Pictures<'p> {
    pub photo: Option<&'p Picture>,
    pub seal: Option<&'p Picture>,
}

const MM_PER_PT: f32 = 25.4 / 72.0;

/// Draws the whole certificate onto `canvas`.
pub fn compose(
    canvas: &mut Canvas<'_>,
    layout: &Layout,
    doc: &CertificateDocument,
    pictures: &Pictures<'_>,
) -> anyhow::Result<()> {
    draw_frame(canvas, layout);
    draw_heading(canvas, layout, &doc.title);
    draw_photo(canvas, layout, pictures.photo);
    draw_rows(canvas, layout, doc);
    if let Some(badge) = &layout.number_badge {
        let style = TextStyle::plain(badge.size_pt, badge.color);
        let text = format!("{}{}", badge.label, doc.number);
        canvas.text(&text, badge.x_mm, badge.baseline_mm, badge.align, &style);
    }
    draw_issuer(canvas, layout, doc);
    if let (Some(s), Some(image)) = (&layout.seal, pictures.seal) {
        seal::draw(canvas, s, image);
    }
    qr::draw(canvas, &layout.qr, &doc.verify_url)?;
    draw_footer(canvas, layout, doc);
    Ok(())
}

fn draw_frame(canvas: &mut Canvas<'_>, layout: &Layout) {
    let (w, h) = (layout.page.width_mm, layout.page.height_mm);
    if let Some(tint) = layout.page.background {
        let inset = layout.page.background_inset_mm;
        canvas.fill_rect(inset, inset, w - 2.0 * inset, h - 2.0 * inset, tint);
    }
    for frame in &layout.frames {
        let i = frame.inset_mm;
        canvas.stroke_rect(i, i, w - 2.0 * i, h - 2.0 * i, frame.width_mm, frame.color);
    }
    if let Some(c) = &layout.corners {
        let (i, s) = (c.inset_mm, c.size_mm);
        for (x, y) in [
            (i, i),
            (w - i - s, i),
            (i, h - i - s),
            (w - i - s, h - i - s),
        ] {
            canvas.stroke_rect(x, y, s, s, c.width_mm, c.color);
            let q = s * 0.25;
            canvas.stroke_rect(x + q, y + q, s - 2.0 * q, s - 2.0 * q, c.width_mm, c.color);
        }
    }
    for line in &layout.lines {
        canvas.line(line.from_mm, line.to_mm, line.width_mm, line.color);
    }
}

fn draw_heading(canvas: &mut Canvas<'_>, layout: &Layout, title: &str) {
    let t = &layout.title;
    let mut style = TextStyle {
        size_pt: t.size_pt,
        color: t.color,
        tracking_em: t.tracking_em,
        bold: t.bold,
    };
    let width = canvas.width_mm(title, &style);
    if width > t.max_width_mm {
        style.size_pt *= t.max_width_mm / width;
    }
    let centre = layout.page.width_mm / 2.0;
    canvas.text(title, centre, t.baseline_mm, Align::Center, &style);
    for caption in &layout.captions {
        let style = TextStyle {
            tracking_em: caption.tracking_em,
            ..TextStyle::plain(caption.size_pt, caption.color)
        };
        let x = caption.x_mm.unwrap_or(centre);
        canvas.text(&caption.text, x, caption.baseline_mm, caption.align, &style);
    }
}

/// The holder's photo filling the frame (it was cropped to the frame's proportions when
/// uploaded), or the empty frame with its label.
fn draw_photo(canvas: &mut Canvas<'_>, layout: &Layout, photo: Option<&Picture>) {
    let Some(p) = &layout.photo else { return };
    if let Some(photo) = photo {
        canvas.image(&photo.id, p.x_mm, p.top_mm, p.width_mm, p.height_mm);
    }
    canvas.stroke_rect(
        p.x_mm,
        p.top_mm,
        p.width_mm,
        p.height_mm,
        p.width_line_mm,
        p.color,
    );
    if photo.is_some() {
        return;
    }
    let style = TextStyle::plain(p.label_size_pt, p.color);
    let baseline = p.top_mm + p.height_mm / 2.0 + p.label_size_pt * MM_PER_PT * 0.35;
    canvas.text(
        &p.label,
        p.x_mm + p.width_mm / 2.0,
        baseline,
        Align::Center,
        &style,
    );
}

/// The rows to print, in layout order, with empty values replaced as the rules say.
fn row_entries<'a>(layout: &'a Layout, doc: &'a CertificateDocument) -> Vec<(&'a str, &'a str)> {
    let rows = &layout.rows;
    let label = |item: RowItem| rows.labels.get(&item).map_or("", String::as_str);
    let mut entries = Vec::new();
    for &item in &rows.items {
        match item {
            RowItem::HolderName => entries.push((label(item), doc.holder_name.as_str())),
            RowItem::IdType => entries.push((label(item), doc.id_type.as_str())),
            RowItem::IdNumber => entries.push((label(item), doc.id_number.as_str())),
            RowItem::Number => entries.push((label(item), doc.number.as_str())),
            RowItem::Fields => {
                entries.extend(doc.fields.iter().map(|(l, v)| (l.as_str(), v.as_str())));
            }
        }
    }
    let empty = layout.rules.empty_value.as_deref();
    entries
        .into_iter()
        .map(|(l, v)| match empty {
            Some(placeholder) if v.trim().is_empty() => (l, placeholder),
            _ => (l, v),
        })
        .collect()
}

fn draw_rows(canvas: &mut Canvas<'_>, layout: &Layout, doc: &CertificateDocument) {
    let rows = &layout.rows;
    let entries = row_entries(layout, doc);
    // Many rows close up rather than run into the blocks below.
    let span = (entries.len().max(2) - 1) as f32;
    let pitch = rows
        .pitch_mm
        .min((rows.last_baseline_mm - rows.baseline_mm) / span);
    // ...and their type shrinks with them, though less.
    let scale = (pitch / rows.pitch_mm).sqrt();
    let label_room = rows.value_x_mm - rows.label_x_mm - 2.0;
    let mut baseline = rows.baseline_mm;
    for (label, value) in entries {
        let text = format!("{label}{}", rows.label_suffix);
        let mut label_style = TextStyle::plain(rows.label_size_pt * scale, rows.label_color);
        let label_width = canvas.width_mm(&text, &label_style);
        if label_width > label_room {
            label_style.size_pt *= label_room / label_width;
        }
        canvas.text(&text, rows.label_x_mm, baseline, Align::Left, &label_style);
        let end = value_end(layout, baseline, pitch);
        let lines = fit_value(canvas, rows, scale, value, end - rows.value_x_mm);
        let line_pitch = lines.size_pt * MM_PER_PT * 1.3;
        for (i, line) in lines.lines.iter().enumerate() {
            let y = baseline + i as f32 * line_pitch;
            let style = TextStyle::plain(lines.size_pt, rows.value_color);
            canvas.text(line, rows.value_x_mm, y, Align::Left, &style);
            if let Some(u) = &rows.underline {
                let uy = y + u.offset_mm;
                canvas.line([rows.value_x_mm, uy], [end, uy], u.width_mm, u.color);
            }
        }
        baseline += pitch + (lines.lines.len() - 1) as f32 * line_pitch;
    }
}

/// Right end of a value on the row at `baseline`: short of the photo when beside it.
fn value_end(layout: &Layout, baseline: f32, pitch: f32) -> f32 {
    let rows = &layout.rows;
    match &layout.photo {
        Some(p) if baseline > p.top_mm && baseline - pitch < p.top_mm + p.height_mm => {
            rows.value_end_mm.min(p.x_mm - 4.0)
        }
        _ => rows.value_end_mm,
    }
}

struct FittedValue {
    size_pt: f32,
    lines: Vec<String>,
}

/// Shrinks a long value down to the minimum size, then wraps it.
fn fit_value(
    canvas: &Canvas<'_>,
    rows: &Rows,
    scale: f32,
    value: &str,
    room_mm: f32,
) -> FittedValue {
    let (size_pt, min_size_pt) = (rows.value_size_pt * scale, rows.min_value_size_pt * scale);
    let full = TextStyle::plain(size_pt, rows.value_color);
    let width = canvas.width_mm(value, &full);
    if width <= room_mm {
        return FittedValue {
            size_pt,
            lines: vec![value.to_owned()],
        };
    }
    let shrunk = size_pt * room_mm / width;
    if shrunk >= min_size_pt {
        return FittedValue {
            size_pt: shrunk,
            lines: vec![value.to_owned()],
        };
    }
    let style = TextStyle::plain(min_size_pt, rows.value_color);
    let mut lines = vec![String::new()];
    for c in value.chars() {
        let mut candidate = lines.last().cloned().unwrap_or_default();
        candidate.push(c);
        if canvas.width_mm(&candidate, &style) > room_mm && candidate.chars().count() > 1 {
            lines.push(c.to_string());
        } else if let Some(last) = lines.last_mut() {
            *last = candidate;
        }
    }
    FittedValue {
        size_pt: min_size_pt,
        lines,
    }
}

fn draw_issuer(canvas: &mut Canvas<'_>, layout: &Layout, doc: &CertificateDocument) {
    let issuer = &layout.issuer;
    let mut style = TextStyle::plain(issuer.size_pt, issuer.color);
    let name_line = format!("{}{}", issuer.label, doc.issuer_name);
    let date_line = format!("{}{}", issuer.date_label, doc.issue_date);
    let widest = canvas
        .width_mm(&name_line, &style)
        .max(canvas.width_mm(&date_line, &style));
    if widest > issuer.max_width_mm {
        style.size_pt *= issuer.max_width_mm / widest;
    }
    canvas.text(
        &name_line,
        issuer.x_mm,
        issuer.baseline_mm,
        issuer.align,
        &style,
    );
    let date_baseline = issuer.baseline_mm + issuer.pitch_mm;
    canvas.text(&date_line, issuer.x_mm, date_baseline, issuer.align, &style);
}

fn draw_footer(canvas: &mut Canvas<'_>, layout: &Layout, doc: &CertificateDocument) {
    let footer = &layout.footer;
    let style = TextStyle::plain(footer.size_pt, footer.color);
    let mut baseline = footer.baseline_mm;
    let lookups = doc.lookup_urls.iter().map(|(l, u)| format!("{l}：{u}"));
    let verify = std::iter::once(format!("{}{}", footer.verify_label, doc.verify_url));
    for line in lookups.chain(verify) {
        canvas.text(&line, footer.x_mm, baseline, footer.align, &style);
        baseline += footer.pitch_mm;
    }
    let hash_style = TextStyle::plain(footer.hash_size_pt, footer.color);
    let hash_line = format!("{}{}", footer.hash_label, doc.credential_sha256);
    canvas.text(&hash_line, footer.x_mm, baseline, footer.align, &hash_style);
}
