//! The issuer's seal: the image the issuing organisation uploaded, fitted in the layout's
//! square and inked in "multiply" so the issuer lines under it stay legible. The registry
//! never draws a seal of its own: a certificate whose issuer uploaded none prints the
//! issuer's name only. A seal is decoration the issuer vouches for, not a signature (the
//! credential's proof is the signature).

use super::{canvas::Canvas, layout::Seal, picture::Picture};

/// Places the seal image, its proportions kept, centred on the layout's seal position.
pub fn draw(canvas: &mut Canvas<'_>, seal: &Seal, image: &Picture) {
    let [cx, cy] = seal.center_mm;
    let (w, h) = (image.width.max(1) as f32, image.height.max(1) as f32);
    let scale = seal.size_mm / w.max(h);
    let (w_mm, h_mm) = (w * scale, h * scale);
    canvas.stamped(|canvas| {
        canvas.image(&image.id, cx - w_mm / 2.0, cy - h_mm / 2.0, w_mm, h_mm);
    });
}
