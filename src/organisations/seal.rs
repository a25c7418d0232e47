//! An issuing organisation's seal image: uploaded by its own staff as a PNG with a
//! transparent background, read as a hostile file ([`crate::pictures`]), scaled down and
//! re-encoded, and printed on the certificates it issues from then on. The registry never
//! draws a seal itself; without an uploaded one a certificate prints the issuer's name
//! only. A seal is public (every certificate shows it), so it is stored in clear.

use chrono::{DateTime, FixedOffset};
use entities::{organisation_seals as seal, organisations as organisation};
use image::{
    DynamicImage, ImageEncoder, ImageFormat, codecs::png::PngEncoder, imageops::FilterType,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::{
    access::Caller,
    audit::{self, Change},
    clock::Now,
    error::{AppError, FieldError},
    pictures::{self, Bounds, Refusal},
};

/// The most bytes an uploaded seal image may have.
pub const MAX_BYTES: usize = 512 * 1024;
/// A stored seal is at most this many pixels on its longer side (40 mm at about 380 dpi).
const MAX_STORED_SIDE: u32 = 600;
/// At least this share of a seal image's pixels must be transparent (alpha below
/// [`CLEAR_ALPHA`]): the paper shows around the seal's ring and through it.
const MIN_CLEAR_PERCENT: u64 = 20;
const CLEAR_ALPHA: u8 = 32;

const BOUNDS: Bounds = Bounds {
    formats: &[ImageFormat::Png],
    max_bytes: MAX_BYTES,
    max_side: 4_000,
    max_pixels: 16_000_000,
    min_width: 120,
    min_height: 120,
};

/// An organisation's seal as the API shows it (the image is printed, not served).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Seal {
    pub organisation_id: String,
    /// Pixels of the stored PNG.
    pub width: u32,
    pub height: u32,
    /// Size of the stored PNG.
    pub bytes: usize,
    /// SHA-256 of the stored PNG, hex.
    pub sha256: String,
    pub uploaded_at: DateTime<FixedOffset>,
}

/// A seal image read and re-encoded, not yet stored.
#[derive(Debug)]
pub struct Prepared {
    png: Vec<u8>,
    width: u32,
    height: u32,
}

/// The organisation whose seal the caller may upload: only its own staff. Another
/// tenant's organisation does not exist for the caller; the bureau may see it, but an
/// organisation's seal is its own to give.
pub async fn find_organisation(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    organisation_id: &str,
) -> Result<organisation::Model, AppError> {
    let row = organisation::Entity::find_by_id(organisation_id.to_owned())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if caller.belongs_to(&row.id) {
        Ok(row)
    } else if caller.is_bureau() {
        Err(AppError::Forbidden {
            message: "印章只能由本机构的工作人员上传".into(),
        })
    } else {
        Err(AppError::NotFound)
    }
}

/// Reads an uploaded seal image off the async workers and re-encodes it; `None` is an
/// upload the reader stopped reading at [`MAX_BYTES`].
pub async fn prepare(bytes: Option<Vec<u8>>) -> Result<Prepared, AppError> {
    let bytes = bytes.ok_or_else(|| refusal(Refusal::TooLarge))?;
    pictures::decode_off_workers(move || {
        let picture = pictures::decode(&bytes, &BOUNDS)?;
        Ok(checked(&picture).and_then(|()| reencode(&picture)))
    })
    .await
    .map_err(refusal)?
}

/// A seal must be transparent around and inside its ring, or it would print a blank box
/// over the issuer's name.
fn checked(picture: &DynamicImage) -> Result<(), AppError> {
    if !picture.color().has_alpha() {
        return Err(invalid(
            "no_transparency",
            "印章图片须为带透明背景的 PNG（含 Alpha 通道），不能是白底图片",
        ));
    }
    let rgba = picture.to_rgba8();
    let clear = rgba.pixels().filter(|p| p[3] < CLEAR_ALPHA).count() as u64;
    let total = u64::from(rgba.width()) * u64::from(rgba.height());
    if clear * 100 < total * MIN_CLEAR_PERCENT {
        return Err(invalid(
            "not_transparent",
            format!(
                "印章图片的透明部分不足{MIN_CLEAR_PERCENT}%：印章以外的背景须为透明，否则会遮住证书上的文字"
            ),
        ));
    }
    Ok(())
}

fn reencode(picture: &DynamicImage) -> Result<Prepared, AppError> {
    let longer = picture.width().max(picture.height());
    let scaled = if longer > MAX_STORED_SIDE {
        picture.resize(MAX_STORED_SIDE, MAX_STORED_SIDE, FilterType::CatmullRom)
    } else {
        picture.clone()
    };
    let rgba = scaled.to_rgba8();
    let mut png = Vec::with_capacity(64 * 1024);
    PngEncoder::new(&mut png)
        .write_image(
            &rgba,
            rgba.width(),
            rgba.height(),
            image::ExtendedColorType::Rgba8,
        )
        .map_err(|e| anyhow::anyhow!("encoding a seal as PNG: {e}"))?;
    Ok(Prepared {
        png,
        width: rgba.width(),
        height: rgba.height(),
    })
}

/// Stores the organisation's seal, replacing the one before, and audits it.
pub async fn store(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    organisation_id: &str,
    prepared: &Prepared,
    now: Now,
) -> Result<Seal, AppError> {
    let org = find_organisation(conn, caller, organisation_id).await?;
    let sha256 = hex::encode(Sha256::digest(&prepared.png));
    let actor = caller.actor();
    let fresh = seal::ActiveModel {
        organisation_id: Set(org.id.clone()),
        png: Set(prepared.png.clone()),
        sha256: Set(sha256.clone()),
        width: Set(prepared.width as i32),
        height: Set(prepared.height as i32),
        uploaded_by: Set(actor.label.clone()),
        uploaded_at: Set(now.stamp()),
    };
    let row = match seal::Entity::find_by_id(org.id.clone()).one(conn).await? {
        Some(old) => {
            let mut active = old.into_active_model();
            active.png = fresh.png;
            active.sha256 = fresh.sha256;
            active.width = fresh.width;
            active.height = fresh.height;
            active.uploaded_by = fresh.uploaded_by;
            active.uploaded_at = fresh.uploaded_at;
            active.update(conn).await?
        }
        None => fresh.insert(conn).await?,
    };
    audit::append(
        conn,
        &actor,
        Change {
            action: "organisation.seal",
            record_type: "organisation_seal",
            record_id: &org.id,
            summary: serde_json::json!({"sha256": sha256, "width": row.width, "height": row.height}),
        },
    )
    .await?;
    Ok(Seal {
        organisation_id: row.organisation_id,
        width: row.width as u32,
        height: row.height as u32,
        bytes: row.png.len(),
        sha256: row.sha256,
        uploaded_at: row.uploaded_at,
    })
}

/// The organisation's seal image (PNG), if it uploaded one.
pub async fn png_of(
    conn: &impl ConnectionTrait,
    organisation_id: &str,
) -> Result<Option<Vec<u8>>, AppError> {
    Ok(seal::Entity::find_by_id(organisation_id.to_owned())
        .one(conn)
        .await?
        .map(|row| row.png))
}

fn invalid(reason: &str, message: impl Into<String>) -> AppError {
    let message = message.into();
    AppError::Invalid {
        message: message.clone(),
        fields: vec![FieldError::new("file", reason, message)],
    }
}

/// A refused upload as a 422 on `file` naming the rule.
fn refusal(why: Refusal) -> AppError {
    match why {
        Refusal::TooLarge => invalid(
            "too_large",
            format!("印章图片不得超过{} KiB", MAX_BYTES / 1024),
        ),
        Refusal::Format => invalid("format", "印章图片须为带透明背景的 PNG"),
        Refusal::TooManyPixels { width, height } => invalid(
            "too_many_pixels",
            format!(
                "印章图片为{width}×{height}像素，超过上限（每边不超过{}像素）",
                BOUNDS.max_side
            ),
        ),
        Refusal::TooSmall { width, height } => invalid(
            "too_small",
            format!(
                "印章图片为{width}×{height}像素，太小，打印不清；至少须{}×{}像素",
                BOUNDS.min_width, BOUNDS.min_height
            ),
        ),
        Refusal::Corrupt => invalid("corrupt", "印章图片文件已损坏或不完整，无法读取"),
        Refusal::TooSlow => invalid(
            "too_slow",
            format!(
                "印章图片未能在{}秒内读完，请换一个文件",
                pictures::DECODE_TIME_LIMIT.as_secs()
            ),
        ),
    }
}

/// Refuses an upload whose declared type is not PNG before it is read.
pub fn check_content_type(content_type: Option<&str>) -> Result<(), AppError> {
    let declared = content_type
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase());
    if declared.as_deref() == Some("image/png") {
        Ok(())
    } else {
        Err(refusal(Refusal::Format))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgba, RgbaImage};

    fn picture(paint: impl Fn(u32, u32) -> Rgba<u8>) -> DynamicImage {
        DynamicImage::ImageRgba8(RgbaImage::from_fn(200, 200, paint))
    }

    #[test]
    fn a_ring_on_a_transparent_background_passes_and_a_white_square_does_not() {
        let ring = picture(|x, y| {
            let d = ((x as f32 - 100.0).powi(2) + (y as f32 - 100.0).powi(2)).sqrt();
            if (80.0..90.0).contains(&d) {
                Rgba([192, 39, 45, 255])
            } else {
                Rgba([0, 0, 0, 0])
            }
        });
        assert!(checked(&ring).is_ok());
        let white = picture(|_, _| Rgba([255, 255, 255, 255]));
        let err = checked(&white).unwrap_err();
        assert_eq!(err.body().fields[0].reason, "not_transparent");
        let opaque = DynamicImage::new_rgb8(200, 200);
        assert_eq!(
            checked(&opaque).unwrap_err().body().fields[0].reason,
            "no_transparency"
        );
    }
}
