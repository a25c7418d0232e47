//! Setting text on the canvas: horizontal runs with alignment, tracking and a stroked
//! "bold", and single rotated characters for the seal. A text whose characters come from
//! several fonts is shown as consecutive pieces, one per font, in one text object.

use printpdf::{DictItem, Op, PdfFontHandle, Pt, TextItem, TextMatrix, TextRenderingMode};

use super::super::{
    font::resource_id,
    layout::{Align, Rgb},
};
use super::{Canvas, mm_to_pt, pt_to_mm, round_to};

/// How a run of text is set.
#[derive(Debug, Clone, Copy)]
pub struct TextStyle {
    pub size_pt: f32,
    pub color: Rgb,
    /// Extra space after each character, in em.
    pub tracking_em: f32,
    /// Emboldened by stroking the outline as well as filling it.
    pub bold: bool,
}

impl TextStyle {
    pub fn plain(size_pt: f32, color: Rgb) -> Self {
        Self {
            size_pt,
            color,
            tracking_em: 0.0,
            bold: false,
        }
    }
}

impl Canvas<'_> {
    /// Width of `text` in millimetres when set in `style`.
    pub fn width_mm(&self, text: &str, style: &TextStyle) -> f32 {
        let glyphs = self.fonts.width_pt(text, style.size_pt);
        let tracking = style.tracking_em * style.size_pt * text.chars().count() as f32;
        // Tracking after the last character is not part of the visible width.
        let trailing = if text.is_empty() {
            0.0
        } else {
            style.tracking_em * style.size_pt
        };
        pt_to_mm(glyphs + tracking - trailing)
    }

    /// Draws `text` with its baseline at `baseline_mm`, anchored at `x_mm`.
    pub fn text(
        &mut self,
        text: &str,
        x_mm: f32,
        baseline_mm: f32,
        align: Align,
        style: &TextStyle,
    ) {
        if text.is_empty() {
            return;
        }
        let left_mm = match align {
            Align::Left => x_mm,
            Align::Center => x_mm - self.width_mm(text, style) / 2.0,
            Align::Right => x_mm - self.width_mm(text, style),
        };
        let matrix = TextMatrix::Translate(mm_to_pt(left_mm), self.y_pt(baseline_mm));
        // Spaced-out text keeps its exact spelling for copy and search.
        let spaced = style.tracking_em != 0.0 && text.chars().count() > 1;
        self.show(text, matrix, style, spaced.then_some(text));
    }

    /// Sets `text`; `actual_text` replaces what text extraction sees.
    fn show(
        &mut self,
        text: &str,
        matrix: TextMatrix,
        style: &TextStyle,
        actual_text: Option<&str>,
    ) {
        self.chars.extend(text.chars());
        if let Some(actual) = actual_text {
            self.ops.push(Op::BeginMarkedContentWithProperties {
                tag: "Span".into(),
                properties: DictItem::Dict {
                    map: [("ActualText".to_owned(), utf16_string(actual))].into(),
                },
            });
        }
        let pieces = self.pieces(text);
        self.ops.push(Op::StartTextSection);
        if let Some(&(face, _)) = pieces.first() {
            self.set_font(face, style.size_pt);
        }
        self.set_fill(style.color);
        if style.bold {
            self.set_stroke(style.color, Pt(round_to(style.size_pt * 0.035, 100.0)));
        }
        if self.pen.bold != style.bold {
            self.pen.bold = style.bold;
            let mode = if style.bold {
                TextRenderingMode::FillStroke
            } else {
                TextRenderingMode::Fill
            };
            self.ops.push(Op::SetTextRenderingMode { mode });
        }
        let spacing = round_to(style.tracking_em * style.size_pt, 100.0);
        if self.pen.char_spacing != spacing {
            self.pen.char_spacing = spacing;
            self.ops.push(Op::SetCharacterSpacing {
                multiplier: spacing,
            });
        }
        self.ops.push(Op::SetTextMatrix { matrix });
        for (face, piece) in pieces {
            self.set_font(face, style.size_pt);
            self.ops.push(Op::ShowText {
                items: vec![TextItem::Text(piece.to_owned())],
            });
        }
        self.ops.push(Op::EndTextSection);
        if actual_text.is_some() {
            self.ops.push(Op::EndMarkedContentWithProperties);
        }
    }
}

impl Canvas<'_> {
    /// `text` cut where the font changes, each piece with the index of its font. A
    /// character no font has goes with the main font; subsetting then refuses the page.
    fn pieces<'t>(&self, text: &'t str) -> Vec<(usize, &'t str)> {
        let mut pieces: Vec<(usize, &'t str)> = Vec::with_capacity(1);
        let mut start = 0;
        for (at, c) in text.char_indices() {
            let face = self.fonts.face_of(c).unwrap_or(0);
            match pieces.last_mut() {
                Some((last, piece)) if *last == face => *piece = &text[start..at + c.len_utf8()],
                _ => {
                    start = at;
                    pieces.push((face, &text[at..at + c.len_utf8()]));
                }
            }
        }
        pieces
    }

    fn set_font(&mut self, face: usize, size_pt: f32) {
        if self.pen.font != Some((face, size_pt)) {
            self.pen.font = Some((face, size_pt));
            self.ops.push(Op::SetFont {
                font: PdfFontHandle::External(resource_id(face)),
                size: Pt(size_pt),
            });
        }
    }
}

/// A PDF text string in UTF-16BE with its byte-order mark.
fn utf16_string(text: &str) -> DictItem {
    let mut data = vec![0xFE, 0xFF];
    data.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    DictItem::String {
        data,
        literal: false,
    }
}
