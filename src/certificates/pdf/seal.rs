//! A seal-like ring: the issuer's name set along the upper arc of a red circle, with a star
//! in the middle, as on a Chinese official seal. Pure vector drawing; it is decoration, not a
//! signature (the credential's proof is the signature).

use super::{
    canvas::{Canvas, TextStyle},
    layout::Seal,
};

const MM_PER_PT: f32 = 25.4 / 72.0;

/// Draws the ring, the name along its arc and the star, multiplied onto the page like ink.
pub fn draw(canvas: &mut Canvas<'_>, seal: &Seal, issuer_name: &str) {
    canvas.stamped(|canvas| draw_inked(canvas, seal, issuer_name));
}

fn draw_inked(canvas: &mut Canvas<'_>, seal: &Seal, issuer_name: &str) {
    let [cx, cy] = seal.center_mm;
    canvas.circle(seal.center_mm, seal.radius_mm, seal.width_mm, seal.color);

    let chars: Vec<char> = issuer_name.chars().filter(|c| !c.is_whitespace()).collect();
    if !chars.is_empty() {
        let size_mm = seal.text_size_pt * MM_PER_PT;
        let text_radius = seal.radius_mm - seal.width_mm - 0.9 - size_mm / 2.0;
        let steps = chars.len().saturating_sub(1).max(1) as f32;
        let span = if chars.len() == 1 { 0.0 } else { seal.arc_deg };
        let step_deg = span / steps;
        // Shrink the type when the name is too long for the arc.
        let room_mm = text_radius * step_deg.to_radians();
        let size_pt = if chars.len() > 1 && room_mm < size_mm * 1.05 {
            room_mm / 1.05 / MM_PER_PT
        } else {
            seal.text_size_pt
        };
        let style = TextStyle {
            bold: true,
            ..TextStyle::plain(size_pt, seal.color)
        };
        for (i, &c) in chars.iter().enumerate() {
            // Angles anticlockwise from three o'clock; the name runs left to right over the top.
            let theta = 90.0 + span / 2.0 - i as f32 * step_deg;
            let (sin, cos) = theta.to_radians().sin_cos();
            let x = cx + text_radius * cos;
            let y = cy - text_radius * sin;
            canvas.rotated_char(c, x, y, theta - 90.0, &style);
        }
    }

    if seal.star_mm > 0.0 {
        canvas.fill_polygons([star([cx, cy], seal.star_mm)], seal.color);
    }
}

/// A five-pointed star with one point up, as page-space corners (y grows downwards).
fn star(center: [f32; 2], outer_mm: f32) -> Vec<[f32; 2]> {
    let inner_mm = outer_mm * 0.381_966;
    (0..10)
        .map(|i| {
            let radius = if i % 2 == 0 { outer_mm } else { inner_mm };
            let theta = (90.0 + 36.0 * i as f32).to_radians();
            [
                center[0] + radius * theta.cos(),
                center[1] - radius * theta.sin(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_has_its_first_point_straight_up() {
        let corners = star([50.0, 50.0], 10.0);
        assert_eq!(corners.len(), 10);
        assert!((corners[0][0] - 50.0).abs() < 1e-4);
        assert!((corners[0][1] - 40.0).abs() < 1e-4);
    }
}
