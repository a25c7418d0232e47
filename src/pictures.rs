//! Pictures people upload (a holder's photo, an organisation's seal), read as hostile files:
//! the bytes are counted before anything else, the format is told from the file's first
//! bytes (never from its name or a header the client chose), the pixel size is read from
//! the image header and refused before a pixel is decoded, and decoding runs with
//! allocation limits, off the async workers, a few at a time and within a time limit
//! (`untrusted::parse`). What each kind of picture must be (which formats, how large) is
//! the caller's [`Bounds`]; the refusals come back as facts ([`Refusal`]) for the caller
//! to word.

use std::{io::Cursor, time::Duration};

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::untrusted::{self, Overrun};

/// How long decoding one picture may take (a 12-megapixel photo takes well under a
/// second).
pub const DECODE_TIME_LIMIT: Duration = Duration::from_secs(10);

/// What a kind of picture may be.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub formats: &'static [ImageFormat],
    pub max_bytes: usize,
    /// Neither side may exceed this many pixels.
    pub max_side: u32,
    /// Width × height may not exceed this.
    pub max_pixels: u64,
    pub min_width: u32,
    pub min_height: u32,
}

/// Why a picture was refused: the facts, for the caller to put in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// More bytes than `Bounds::max_bytes`.
    TooLarge,
    /// Not one of the accepted formats (told from the content).
    Format,
    /// The header declares more pixels than allowed.
    TooManyPixels { width: u32, height: u32 },
    /// Fewer pixels than a print needs.
    TooSmall { width: u32, height: u32 },
    /// The header or the pixel data does not decode.
    Corrupt,
    /// Decoding took longer than [`DECODE_TIME_LIMIT`] or crashed the decoder.
    TooSlow,
}

/// Decodes `bytes` within `bounds`, turning the picture upright when its EXIF data says
/// the camera was held sideways. Blocking: call through [`decode_off_workers`].
pub fn decode(bytes: &[u8], bounds: &Bounds) -> Result<DynamicImage, Refusal> {
    if bytes.len() > bounds.max_bytes {
        return Err(Refusal::TooLarge);
    }
    let format = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Refusal::Corrupt)?
        .format()
        .filter(|f| bounds.formats.contains(f))
        .ok_or(Refusal::Format)?;
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| Refusal::Corrupt)?;
    if width > bounds.max_side
        || height > bounds.max_side
        || u64::from(width) * u64::from(height) > bounds.max_pixels
    {
        return Err(Refusal::TooManyPixels { width, height });
    }
    if width < bounds.min_width || height < bounds.min_height {
        return Err(Refusal::TooSmall { width, height });
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(bounds.max_side);
    limits.max_image_height = Some(bounds.max_side);
    // Room for the decoded pixels at up to 16 bits per RGBA channel, and the decoder's own.
    limits.max_alloc = Some(bounds.max_pixels * 8 + 16 * 1024 * 1024);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| Refusal::Corrupt)?;
    let orientation = decoder.orientation().ok();
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|_| Refusal::Corrupt)?;
    if let Some(orientation) = orientation {
        picture.apply_orientation(orientation);
    }
    Ok(picture)
}

/// Runs `work` (which decodes with [`decode`]) on the blocking pool within
/// [`DECODE_TIME_LIMIT`]; an overrun or a crash of the decoder is [`Refusal::TooSlow`].
pub async fn decode_off_workers<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    match untrusted::parse(DECODE_TIME_LIMIT, work).await {
        Ok(done) => done,
        Err(Overrun::TimedOut | Overrun::Crashed) => Err(Refusal::TooSlow),
    }
}

/// The largest part of `picture` with the proportions `width`:`height`, from its centre.
pub fn crop_to_aspect(picture: &DynamicImage, width: u32, height: u32) -> DynamicImage {
    let (w, h) = (u64::from(picture.width()), u64::from(picture.height()));
    let (aw, ah) = (u64::from(width.max(1)), u64::from(height.max(1)));
    // Too wide: keep the full height; too tall: keep the full width.
    let (cw, ch) = if w * ah > h * aw {
        ((h * aw / ah).max(1), h)
    } else {
        (w, (w * ah / aw).max(1))
    };
    let (x, y) = ((w - cw) / 2, (h - ch) / 2);
    picture.crop_imm(x as u32, y as u32, cw as u32, ch as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, RgbImage, codecs::png::PngEncoder};

    const PNG_ONLY: Bounds = Bounds {
        formats: &[ImageFormat::Png],
        max_bytes: 64 * 1024,
        max_side: 400,
        max_pixels: 100_000,
        min_width: 10,
        min_height: 10,
    };

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        let pixels = RgbImage::new(width, height);
        PngEncoder::new(&mut bytes)
            .write_image(&pixels, width, height, image::ExtendedColorType::Rgb8)
            .unwrap();
        bytes
    }

    #[test]
    fn a_picture_within_bounds_decodes() {
        let picture = decode(&png(40, 30), &PNG_ONLY).unwrap();
        assert_eq!((picture.width(), picture.height()), (40, 30));
    }

    #[test]
    fn each_bound_is_its_own_refusal() {
        assert_eq!(
            decode(&vec![0u8; 70 * 1024], &PNG_ONLY).unwrap_err(),
            Refusal::TooLarge
        );
        assert_eq!(
            decode(b"GIF89a....", &PNG_ONLY).unwrap_err(),
            Refusal::Format
        );
        assert_eq!(
            decode(&png(401, 20), &PNG_ONLY).unwrap_err(),
            Refusal::TooManyPixels {
                width: 401,
                height: 20
            }
        );
        assert_eq!(
            decode(&png(350, 350), &PNG_ONLY).unwrap_err(),
            Refusal::TooManyPixels {
                width: 350,
                height: 350
            }
        );
        assert_eq!(
            decode(&png(9, 20), &PNG_ONLY).unwrap_err(),
            Refusal::TooSmall {
                width: 9,
                height: 20
            }
        );
        let mut cut = png(40, 30);
        cut.truncate(cut.len() - 30);
        assert_eq!(decode(&cut, &PNG_ONLY).unwrap_err(), Refusal::Corrupt);
    }

    #[test]
    fn a_header_that_lies_about_its_size_is_refused_before_decoding() {
        // A PNG header claiming 60000 × 60000 pixels and no pixel data: a decompression
        // bomb's shape. Refused from the header alone.
        let mut bytes = png(20, 20);
        bytes[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        assert!(matches!(
            decode(&bytes, &PNG_ONLY).unwrap_err(),
            Refusal::TooManyPixels { .. } | Refusal::Corrupt
        ));
    }

    #[test]
    fn cropping_keeps_the_centre_in_the_asked_proportions() {
        let wide = DynamicImage::new_rgb8(900, 450);
        let cropped = crop_to_aspect(&wide, 7, 9);
        assert_eq!((cropped.width(), cropped.height()), (350, 450));
        let tall = DynamicImage::new_rgb8(700, 1800);
        let cropped = crop_to_aspect(&tall, 7, 9);
        assert_eq!((cropped.width(), cropped.height()), (700, 900));
    }
}
