//! A person's photo, as the skill-level certificate prints it (人社鉴发〔2021〕1号): uploaded
//! by staff of a provider that enrolled them or by the bureau, read as a hostile file
//! ([`crate::pictures`]), cropped from its centre to the certificate's photo box (a small
//! 2-inch photo, 35 mm × 45 mm), scaled down to 300 dpi, re-encoded as JPEG and sealed at
//! rest like the ID number. A certificate freezes the photo it was rendered with; a new
//! upload replaces the stored one for certificates issued afterwards.

use chrono::{DateTime, FixedOffset};
use entities::{people as person, person_photos as photo};
use image::{DynamicImage, ImageFormat, RgbImage, codecs::jpeg::JpegEncoder, imageops::FilterType};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::PiiKeys;
use crate::{
    access::{Caller, rules},
    audit::{self, Change},
    clock::Now,
    error::{AppError, FieldError},
    pictures::{self, Bounds, Refusal},
};

/// The most bytes an uploaded photo may have (a phone camera's JPEG fits).
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// The photo as stored and printed: 35 mm × 45 mm at 300 dpi.
pub const WIDTH: u32 = 413;
pub const HEIGHT: u32 = 531;
/// The most bytes a stored photo may have after re-encoding.
const MAX_STORED_BYTES: usize = 200 * 1024;

const BOUNDS: Bounds = Bounds {
    formats: &[ImageFormat::Jpeg, ImageFormat::Png],
    max_bytes: MAX_BYTES,
    max_side: 8_000,
    max_pixels: 24_000_000,
    min_width: 150,
    min_height: 190,
};

/// What the registry keeps of a person's photo, as the API shows it (never the image).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Photo {
    pub person_id: String,
    /// Pixels of the stored JPEG (413 × 531 unless the upload was smaller).
    pub width: u32,
    pub height: u32,
    /// Size of the stored JPEG.
    pub bytes: usize,
    /// SHA-256 of the stored JPEG, hex.
    pub sha256: String,
    pub uploaded_at: DateTime<FixedOffset>,
}

/// A photo read and re-encoded, not yet stored.
#[derive(Debug)]
pub struct Prepared {
    jpeg: Vec<u8>,
    width: u32,
    height: u32,
}

/// The person whose photo the caller may upload: staff of a provider that enrolled them,
/// or the bureau. Anyone else is told the person does not exist.
pub async fn find_person(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    person_id: &str,
) -> Result<person::Model, AppError> {
    let row = person::Entity::find_by_id(person_id.to_owned())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if caller.is_bureau() || rules::entitled_to_person(conn, caller, &row).await? {
        Ok(row)
    } else {
        Err(AppError::NotFound)
    }
}

/// Reads an uploaded photo off the async workers and makes the stored JPEG of it; `None`
/// is an upload the reader stopped reading at [`MAX_BYTES`].
pub async fn prepare(bytes: Option<Vec<u8>>) -> Result<Prepared, AppError> {
    let bytes = bytes.ok_or_else(|| refusal(Refusal::TooLarge))?;
    pictures::decode_off_workers(move || {
        let picture = pictures::decode(&bytes, &BOUNDS)?;
        Ok(reencode(&picture))
    })
    .await
    .map_err(refusal)?
}

/// Crops `picture` to the photo box, scales it down to 300 dpi, lays it on white (a PNG
/// may be transparent) and encodes it as JPEG.
fn reencode(picture: &DynamicImage) -> Result<Prepared, AppError> {
    let cropped = pictures::crop_to_aspect(picture, WIDTH, HEIGHT);
    let scaled = if cropped.width() > WIDTH {
        cropped.resize_exact(WIDTH, HEIGHT, FilterType::CatmullRom)
    } else {
        cropped
    };
    let rgba = scaled.to_rgba8();
    let mut rgb = RgbImage::new(rgba.width(), rgba.height());
    for (x, y, p) in rgba.enumerate_pixels() {
        let alpha = u32::from(p[3]);
        let over_white = |c: u8| ((u32::from(c) * alpha + 255 * (255 - alpha)) / 255) as u8;
        rgb.put_pixel(
            x,
            y,
            image::Rgb([over_white(p[0]), over_white(p[1]), over_white(p[2])]),
        );
    }
    for quality in [88, 75, 60] {
        let mut jpeg = Vec::with_capacity(64 * 1024);
        JpegEncoder::new_with_quality(&mut jpeg, quality)
            .encode_image(&rgb)
            .map_err(|e| anyhow::anyhow!("encoding a photo as JPEG: {e}"))?;
        if jpeg.len() <= MAX_STORED_BYTES {
            return Ok(Prepared {
                jpeg,
                width: rgb.width(),
                height: rgb.height(),
            });
        }
    }
    Err(anyhow::anyhow!(
        "a {}×{} photo stays over {MAX_STORED_BYTES} bytes",
        rgb.width(),
        rgb.height()
    )
    .into())
}

/// Stores the person's photo (sealed), replacing the one before, and audits it.
pub async fn store(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    person_id: &str,
    prepared: &Prepared,
    now: Now,
) -> Result<Photo, AppError> {
    let person = find_person(conn, caller, person_id).await?;
    let sealed = keys
        .seal_bytes(&prepared.jpeg)
        .map_err(|e| anyhow::anyhow!("sealing the photo of person {}: {e}", person.id))?;
    let sha256 = hex::encode(Sha256::digest(&prepared.jpeg));
    let actor = caller.actor();
    let row = photo::ActiveModel {
        person_id: Set(person.id.clone()),
        jpeg_sealed: Set(sealed),
        sha256: Set(sha256.clone()),
        width: Set(prepared.width as i32),
        height: Set(prepared.height as i32),
        uploaded_by: Set(actor.label.clone()),
        uploaded_at: Set(now.stamp()),
    };
    let existing = photo::Entity::find_by_id(person.id.clone())
        .one(conn)
        .await?;
    let row = match existing {
        Some(old) => {
            let mut active = old.into_active_model();
            active.jpeg_sealed = row.jpeg_sealed;
            active.sha256 = row.sha256;
            active.width = row.width;
            active.height = row.height;
            active.uploaded_by = row.uploaded_by;
            active.uploaded_at = row.uploaded_at;
            active.update(conn).await?
        }
        None => row.insert(conn).await?,
    };
    audit::append(
        conn,
        &actor,
        Change {
            action: "person.photo",
            record_type: "person",
            record_id: &person.id,
            summary: serde_json::json!({"sha256": sha256, "width": row.width, "height": row.height}),
        },
    )
    .await?;
    Ok(Photo {
        person_id: row.person_id,
        width: row.width as u32,
        height: row.height as u32,
        bytes: prepared.jpeg.len(),
        sha256: row.sha256,
        uploaded_at: row.uploaded_at,
    })
}

/// The person's photo as stored (sealed), if one was uploaded.
pub async fn sealed_of(
    conn: &impl ConnectionTrait,
    person_id: &str,
) -> Result<Option<Vec<u8>>, AppError> {
    Ok(photo::Entity::find_by_id(person_id.to_owned())
        .one(conn)
        .await?
        .map(|row| row.jpeg_sealed))
}

/// Opens a photo sealed by [`store`]: the JPEG bytes.
pub fn open(keys: &PiiKeys, person_id: &str, sealed: &[u8]) -> anyhow::Result<Vec<u8>> {
    keys.open_bytes(sealed)
        .map_err(|e| anyhow::anyhow!("opening the sealed photo of person {person_id}: {e}"))
}

/// A refused upload as a 422 on `file` naming the rule.
fn refusal(why: Refusal) -> AppError {
    let (reason, message) = match why {
        Refusal::TooLarge => (
            "too_large",
            format!("照片文件不得超过{} MiB", MAX_BYTES / 1024 / 1024),
        ),
        Refusal::Format => ("format", "照片须为 JPEG 或 PNG 图片".to_owned()),
        Refusal::TooManyPixels { width, height } => (
            "too_many_pixels",
            format!(
                "照片为{width}×{height}像素，超过上限（每边不超过{}像素、共不超过{}万像素）",
                BOUNDS.max_side,
                BOUNDS.max_pixels / 10_000
            ),
        ),
        Refusal::TooSmall { width, height } => (
            "too_small",
            format!(
                "照片为{width}×{height}像素，太小，打印不清；至少须{}×{}像素",
                BOUNDS.min_width, BOUNDS.min_height
            ),
        ),
        Refusal::Corrupt => ("corrupt", "照片文件已损坏或不完整，无法读取".to_owned()),
        Refusal::TooSlow => (
            "too_slow",
            format!(
                "照片未能在{}秒内读完，请换一张照片",
                pictures::DECODE_TIME_LIMIT.as_secs()
            ),
        ),
    };
    AppError::Invalid {
        message: message.clone(),
        fields: vec![FieldError::new("file", reason, message)],
    }
}

/// Refuses an upload whose declared type is not JPEG or PNG before it is read.
pub fn check_content_type(content_type: Option<&str>) -> Result<(), AppError> {
    let declared = content_type
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase());
    match declared.as_deref() {
        Some("image/jpeg" | "image/png") => Ok(()),
        _ => Err(refusal(Refusal::Format)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, Rgba, RgbaImage, codecs::png::PngEncoder};

    fn png(width: u32, height: u32, paint: impl Fn(u32, u32) -> Rgba<u8>) -> Vec<u8> {
        let pixels = RgbaImage::from_fn(width, height, paint);
        let mut bytes = Vec::new();
        PngEncoder::new(&mut bytes)
            .write_image(&pixels, width, height, image::ExtendedColorType::Rgba8)
            .unwrap();
        bytes
    }

    #[tokio::test]
    async fn a_wide_photo_is_cropped_from_its_centre_to_the_box_and_scaled_to_300_dpi() {
        // Red on the left and right thirds, blue in the middle: the crop keeps the middle.
        let bytes = png(1800, 900, |x, _| {
            if (600..1200).contains(&x) {
                Rgba([0, 0, 255, 255])
            } else {
                Rgba([255, 0, 0, 255])
            }
        });
        let prepared = prepare(Some(bytes)).await.unwrap();
        assert_eq!((prepared.width, prepared.height), (WIDTH, HEIGHT));
        let back = image::load_from_memory_with_format(&prepared.jpeg, ImageFormat::Jpeg)
            .unwrap()
            .to_rgb8();
        let centre = back.get_pixel(WIDTH / 2, HEIGHT / 2);
        assert!(centre[2] > 200 && centre[0] < 60, "{centre:?}");
        assert!(prepared.jpeg.len() <= MAX_STORED_BYTES);
    }

    #[tokio::test]
    async fn a_transparent_background_becomes_white_not_black() {
        let prepared = prepare(Some(png(300, 400, |_, _| Rgba([0, 0, 0, 0]))))
            .await
            .unwrap();
        let back = image::load_from_memory(&prepared.jpeg).unwrap().to_rgb8();
        assert!(back.get_pixel(5, 5)[0] > 240);
        assert_eq!((prepared.width, prepared.height), (300, 385));
    }

    #[test]
    fn only_jpeg_and_png_may_be_declared() {
        assert!(check_content_type(Some("image/jpeg")).is_ok());
        assert!(check_content_type(Some("image/png; charset=binary")).is_ok());
        for other in [Some("image/gif"), Some("application/json"), None] {
            let err = check_content_type(other).unwrap_err();
            assert_eq!(err.body().fields[0].reason, "format");
        }
    }
}
