//! Pictures on the page: the holder's photo and the issuer's seal, as PDF image XObjects.
//!
//! The photo is the JPEG the registry stored (already cropped to the photo box and
//! re-encoded), passed through as it is (`/DCTDecode`): no second loss of quality, and the
//! same bytes give the same PDF. The seal is the PNG the issuer uploaded (re-encoded by
//! the registry): its colour goes in one image and its alpha channel in a soft mask
//! (`/SMask`), so the paper shows around and through it. Both were checked at upload; they
//! are still read within limits here, since a PDF must never be built from bytes nobody
//! looked at.

use std::{collections::BTreeMap, io::Cursor};

use anyhow::{Context, bail};
use image::{ColorType, ImageDecoder, ImageFormat, ImageReader, Limits};
use printpdf::{DictItem, ExternalStream, ExternalXObject, XObject, XObjectId};

/// Pictures larger than this (on either side) are not what the registry stores.
const MAX_SIDE: u32 = 4_000;

/// An image XObject ready to be registered on the document, with its pixel size.
pub struct Picture {
    pub id: XObjectId,
    pub xobject: XObject,
    pub width: u32,
    pub height: u32,
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(64 * 1024 * 1024);
    limits
}

fn name(text: &str) -> DictItem {
    DictItem::Name(text.as_bytes().to_vec())
}

fn image_dict(width: u32, height: u32, colour_space: &str) -> BTreeMap<String, DictItem> {
    BTreeMap::from([
        ("Type".to_owned(), name("XObject")),
        ("Subtype".to_owned(), name("Image")),
        ("Width".to_owned(), DictItem::Int(i64::from(width))),
        ("Height".to_owned(), DictItem::Int(i64::from(height))),
        ("ColorSpace".to_owned(), name(colour_space)),
        ("BitsPerComponent".to_owned(), DictItem::Int(8)),
    ])
}

fn external(dict: BTreeMap<String, DictItem>, content: Vec<u8>) -> XObject {
    XObject::External(ExternalXObject {
        stream: ExternalStream {
            dict,
            content,
            // `output::finish` deflates what has no filter yet.
            compress: false,
        },
        width: None,
        height: None,
        dpi: None,
    })
}

/// The photo: a baseline JPEG, embedded as it is.
pub fn jpeg(id: &str, bytes: &[u8]) -> anyhow::Result<Picture> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), ImageFormat::Jpeg);
    reader.limits(limits());
    let decoder = reader
        .into_decoder()
        .context("reading the photo's header")?;
    let (width, height) = decoder.dimensions();
    let colour_space = match decoder.color_type() {
        ColorType::Rgb8 => "DeviceRGB",
        ColorType::L8 => "DeviceGray",
        other => bail!("the photo is a {other:?} JPEG; only RGB or grey ones print"),
    };
    let mut dict = image_dict(width, height, colour_space);
    dict.insert("Filter".to_owned(), name("DCTDecode"));
    Ok(Picture {
        id: XObjectId(id.to_owned()),
        xobject: external(dict, bytes.to_vec()),
        width,
        height,
    })
}

/// The seal: a PNG with transparency, as colour plus a soft mask.
pub fn png_with_alpha(id: &str, bytes: &[u8]) -> anyhow::Result<Picture> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), ImageFormat::Png);
    reader.limits(limits());
    let rgba = reader
        .decode()
        .context("decoding the seal image")?
        .to_rgba8();
    let (width, height) = rgba.dimensions();
    let pixels = rgba.as_raw();
    let colour: Vec<u8> = pixels
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let alpha: Vec<u8> = pixels.chunks_exact(4).map(|p| p[3]).collect();
    let mask = DictItem::Stream {
        stream: ExternalStream {
            dict: image_dict(width, height, "DeviceGray"),
            content: alpha,
            compress: false,
        },
    };
    let mut dict = image_dict(width, height, "DeviceRGB");
    dict.insert("SMask".to_owned(), mask);
    Ok(Picture {
        id: XObjectId(id.to_owned()),
        xobject: external(dict, colour),
        width,
        height,
    })
}
