//! A small drawing surface over printpdf's page operations: millimetres from the top-left
//! corner in, PDF points from the bottom-left corner out.
//!
//! It also records every character drawn, so the fonts can be subset to exactly those glyphs
//! once the page is complete. Text drawing lives in `text`.

mod text;

use std::collections::BTreeSet;

use printpdf::{
    Color, ExtendedGraphicsStateId, Line, LinePoint, Mm, Op, PaintMode, Point, Pt, Rect, XObjectId,
    XObjectTransform,
};

pub use self::text::TextStyle;
use super::{font::Fonts, layout::Rgb};

/// Page operations under construction.
pub struct Canvas<'f> {
    fonts: &'f Fonts,
    /// Graphics state that multiplies ink onto the page, as a stamp does.
    stamp_state: ExtendedGraphicsStateId,
    page_height_mm: f32,
    ops: Vec<Op>,
    chars: BTreeSet<char>,
    pen: Pen,
}

/// The graphics and text state last written, so unchanged values are not written again.
/// (Text state survives `BT`/`ET`; only `q`/`Q` brackets it, see [`Canvas::stamped`].)
#[derive(Debug, Clone, Default)]
struct Pen {
    fill: Option<Rgb>,
    stroke: Option<Rgb>,
    line_pt: Option<f32>,
    /// The font (its index in [`Fonts`]) and size.
    font: Option<(usize, f32)>,
    char_spacing: f32,
    bold: bool,
}

impl<'f> Canvas<'f> {
    pub fn new(
        fonts: &'f Fonts,
        stamp_state: ExtendedGraphicsStateId,
        page_height_mm: f32,
    ) -> Self {
        Self {
            fonts,
            stamp_state,
            page_height_mm,
            ops: Vec::with_capacity(256),
            chars: BTreeSet::new(),
            pen: Pen::default(),
        }
    }

    /// The finished operations and the characters they use.
    pub fn finish(self) -> (Vec<Op>, BTreeSet<char>) {
        (self.ops, self.chars)
    }

    /// Strokes the rectangle with top-left corner (`x_mm`, `top_mm`).
    pub fn stroke_rect(
        &mut self,
        x_mm: f32,
        top_mm: f32,
        w_mm: f32,
        h_mm: f32,
        line_mm: f32,
        rgb: Rgb,
    ) {
        self.rect(x_mm, top_mm, w_mm, h_mm, PaintMode::Stroke, line_mm, rgb);
    }

    /// Fills the rectangle with top-left corner (`x_mm`, `top_mm`).
    pub fn fill_rect(&mut self, x_mm: f32, top_mm: f32, w_mm: f32, h_mm: f32, rgb: Rgb) {
        self.rect(x_mm, top_mm, w_mm, h_mm, PaintMode::Fill, 0.0, rgb);
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "a rectangle is four numbers plus paint"
    )]
    fn rect(
        &mut self,
        x_mm: f32,
        top_mm: f32,
        w_mm: f32,
        h_mm: f32,
        mode: PaintMode,
        line_mm: f32,
        rgb: Rgb,
    ) {
        self.paint(mode, line_mm, rgb);
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: mm_to_pt(x_mm),
                y: self.y_pt(top_mm + h_mm),
                width: mm_to_pt(w_mm),
                height: mm_to_pt(h_mm),
                mode: Some(mode),
                winding_order: None,
            },
        });
    }

    /// Strokes a straight line.
    pub fn line(&mut self, from_mm: [f32; 2], to_mm: [f32; 2], line_mm: f32, rgb: Rgb) {
        self.paint(PaintMode::Stroke, line_mm, rgb);
        let points = [from_mm, to_mm]
            .into_iter()
            .map(|[x, y]| LinePoint {
                p: self.point(x, y),
                bezier: false,
            })
            .collect();
        self.ops.push(Op::DrawLine {
            line: Line {
                points,
                is_closed: false,
            },
        });
    }

    /// Fills rectangles given as `[x, top, width, height]`, all in one colour.
    pub fn fill_rects(&mut self, rects: impl IntoIterator<Item = [f32; 4]>, rgb: Rgb) {
        self.paint(PaintMode::Fill, 0.0, rgb);
        for [x_mm, top_mm, w_mm, h_mm] in rects {
            self.ops.push(Op::DrawRectangle {
                rectangle: Rect {
                    x: mm_to_pt(x_mm),
                    y: self.y_pt(top_mm + h_mm),
                    width: mm_to_pt(w_mm),
                    height: mm_to_pt(h_mm),
                    mode: Some(PaintMode::Fill),
                    winding_order: None,
                },
            });
        }
    }

    /// Draws a registered image into the rectangle with top-left corner (`x_mm`, `top_mm`),
    /// stretched to fill it (callers keep the proportions).
    pub fn image(&mut self, id: &XObjectId, x_mm: f32, top_mm: f32, w_mm: f32, h_mm: f32) {
        self.ops.push(Op::UseXobject {
            id: id.clone(),
            transform: XObjectTransform {
                translate_x: Some(mm_to_pt(x_mm)),
                translate_y: Some(self.y_pt(top_mm + h_mm)),
                scale_x: Some(mm_to_pt(w_mm).0),
                scale_y: Some(mm_to_pt(h_mm).0),
                // An image maps onto the unit square; the scale above is its whole size.
                no_auto_scale: true,
                ..XObjectTransform::default()
            },
        });
    }

    /// Draws with ink that multiplies onto what is below, as a stamp does.
    pub fn stamped(&mut self, draw: impl FnOnce(&mut Self)) {
        let saved = self.pen.clone();
        self.ops.push(Op::SaveGraphicsState);
        self.ops.push(Op::LoadGraphicsState {
            gs: self.stamp_state.clone(),
        });
        draw(self);
        self.ops.push(Op::RestoreGraphicsState);
        self.pen = saved;
    }

    fn paint(&mut self, mode: PaintMode, line_mm: f32, rgb: Rgb) {
        match mode {
            PaintMode::Fill => self.set_fill(rgb),
            _ => self.set_stroke(rgb, mm_to_pt(line_mm)),
        }
    }

    fn set_fill(&mut self, rgb: Rgb) {
        if self.pen.fill != Some(rgb) {
            self.pen.fill = Some(rgb);
            self.ops.push(Op::SetFillColor { col: color(rgb) });
        }
    }

    fn set_stroke(&mut self, rgb: Rgb, width: Pt) {
        if self.pen.stroke != Some(rgb) {
            self.pen.stroke = Some(rgb);
            self.ops.push(Op::SetOutlineColor { col: color(rgb) });
        }
        if self.pen.line_pt != Some(width.0) {
            self.pen.line_pt = Some(width.0);
            self.ops.push(Op::SetOutlineThickness { pt: width });
        }
    }

    fn point(&self, x_mm: f32, y_mm: f32) -> Point {
        Point {
            x: mm_to_pt(x_mm),
            y: self.y_pt(y_mm),
        }
    }

    fn y_pt(&self, y_mm: f32) -> Pt {
        mm_to_pt(self.page_height_mm - y_mm)
    }
}

/// Millimetres to points, rounded to 1/100 pt (far below what a printer resolves), which
/// keeps the content stream short.
fn mm_to_pt(mm: f32) -> Pt {
    Pt(round_to(Mm(mm).into_pt().0, 100.0))
}

fn round_to(value: f32, steps_per_unit: f32) -> f32 {
    (value * steps_per_unit).round() / steps_per_unit
}

fn pt_to_mm(pt: f32) -> f32 {
    pt * 25.4 / 72.0
}

fn color(rgb: Rgb) -> Color {
    let [r, g, b] = rgb.0;
    Color::Rgb(printpdf::Rgb {
        r,
        g,
        b,
        icc_profile: None,
    })
}
