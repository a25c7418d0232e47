//! Certificate layouts: where each block of a certificate goes, read from
//! `certs/layouts/<name>.toml`.
//!
//! Every length is in millimetres measured from the top-left corner of the page, the way a
//! designer measures a printed sheet; `canvas` converts to PDF points. Every font size is in
//! points. A layout also carries the content rules its certificate kind must obey (required
//! title, field labels, look-up rows), so the renderer can refuse a document that would print
//! an incomplete certificate.

use std::{collections::BTreeMap, fs, path::Path};

use anyhow::{Context, bail};
use serde::Deserialize;

/// One certificate layout, as written in its TOML file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    pub page: Page,
    #[serde(default)]
    pub rules: Rules,
    #[serde(default)]
    pub frames: Vec<Frame>,
    pub corners: Option<Corners>,
    pub title: Title,
    #[serde(default)]
    pub captions: Vec<Caption>,
    #[serde(default)]
    pub lines: Vec<RuleLine>,
    pub photo: Option<Photo>,
    pub rows: Rows,
    pub number_badge: Option<NumberBadge>,
    pub issuer: Issuer,
    pub seal: Option<Seal>,
    pub qr: Qr,
    pub footer: Footer,
}

/// Page size and the tint laid inside the innermost frame.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub width_mm: f32,
    pub height_mm: f32,
    /// Optional paper tint filling the area inside `background_inset_mm`.
    pub background: Option<Rgb>,
    #[serde(default)]
    pub background_inset_mm: f32,
}

/// Content rules of a certificate kind (e.g. 人社鉴发〔2021〕1号 for skill levels).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// The title must be exactly this text.
    pub required_title: Option<String>,
    /// Field labels that must be present in `CertificateDocument::fields`.
    #[serde(default)]
    pub required_fields: Vec<String>,
    /// Look-up rows (证书查询网址, 机构查询网址) that must be present.
    #[serde(default)]
    pub required_lookups: Vec<String>,
    /// Printed in place of an empty field value ("--" on a skill-level certificate).
    pub empty_value: Option<String>,
    /// The holder's photo must fill the photo frame (a skill-level certificate).
    #[serde(default)]
    pub requires_photo: bool,
}

/// A rectangle parallel to the page edges, `inset_mm` in from them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frame {
    pub inset_mm: f32,
    pub width_mm: f32,
    pub color: Rgb,
}

/// Square ornaments drawn in the four corners, between the frames.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Corners {
    pub inset_mm: f32,
    pub size_mm: f32,
    pub width_mm: f32,
    pub color: Rgb,
}

/// The certificate title (its text comes from the document).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Title {
    /// Baseline, from the top of the page.
    pub baseline_mm: f32,
    pub size_pt: f32,
    /// A longer title shrinks to fit this width.
    pub max_width_mm: f32,
    #[serde(default)]
    pub tracking_em: f32,
    #[serde(default)]
    pub bold: bool,
    pub color: Rgb,
}

/// A fixed line of text, such as the English name of the certificate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Caption {
    pub text: String,
    pub baseline_mm: f32,
    pub size_pt: f32,
    /// Anchor x; the page centre when absent.
    pub x_mm: Option<f32>,
    #[serde(default)]
    pub align: Align,
    #[serde(default)]
    pub tracking_em: f32,
    pub color: Rgb,
}

/// A straight decorative line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleLine {
    pub from_mm: [f32; 2],
    pub to_mm: [f32; 2],
    pub width_mm: f32,
    pub color: Rgb,
}

/// The photo frame: the holder's photo fills it; without one it stays empty, with a label
/// in its middle.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Photo {
    pub x_mm: f32,
    pub top_mm: f32,
    pub width_mm: f32,
    pub height_mm: f32,
    pub width_line_mm: f32,
    pub label: String,
    pub label_size_pt: f32,
    pub color: Rgb,
}

/// The label/value rows in the middle of the page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rows {
    /// Baseline of the first row.
    pub baseline_mm: f32,
    pub pitch_mm: f32,
    /// The last row's baseline may come no lower: more rows than fit close up.
    pub last_baseline_mm: f32,
    pub label_x_mm: f32,
    pub value_x_mm: f32,
    /// Right end of the value column (a row beside the photo stops short of it).
    pub value_end_mm: f32,
    pub label_size_pt: f32,
    pub value_size_pt: f32,
    /// Long values shrink down to this size before they wrap.
    pub min_value_size_pt: f32,
    pub label_color: Rgb,
    pub value_color: Rgb,
    /// Text appended to every label (a full-width colon, say).
    #[serde(default)]
    pub label_suffix: String,
    pub underline: Option<Underline>,
    /// Which rows, in order: `holder_name`, `id_type`, `id_number`, `number`, and `fields`
    /// for the document's own rows.
    pub items: Vec<RowItem>,
    /// Labels of the fixed rows.
    pub labels: BTreeMap<RowItem, String>,
}

/// A thin line under each value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Underline {
    pub offset_mm: f32,
    pub width_mm: f32,
    pub color: Rgb,
}

/// A row of the `rows` block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowItem {
    HolderName,
    IdType,
    IdNumber,
    Number,
    Fields,
}

/// The certificate number printed apart from the rows (top right, say).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberBadge {
    pub x_mm: f32,
    pub baseline_mm: f32,
    pub size_pt: f32,
    #[serde(default)]
    pub align: Align,
    pub label: String,
    pub color: Rgb,
}

/// Issuing organisation and issue date, bottom right.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    pub x_mm: f32,
    pub baseline_mm: f32,
    pub pitch_mm: f32,
    pub size_pt: f32,
    /// A longer organisation name shrinks both lines to fit this width.
    pub max_width_mm: f32,
    #[serde(default)]
    pub align: Align,
    pub label: String,
    pub date_label: String,
    pub color: Rgb,
}

/// Where the issuer's uploaded seal image goes: fitted in a square of `size_mm`, centred on
/// `center_mm`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seal {
    pub center_mm: [f32; 2],
    pub size_mm: f32,
}

/// The verification QR code and its caption.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qr {
    pub x_mm: f32,
    pub top_mm: f32,
    /// Side of the symbol including its quiet zone.
    pub size_mm: f32,
    pub quiet_modules: u8,
    pub caption: String,
    pub caption_size_pt: f32,
    pub color: Rgb,
}

/// Small print at the bottom: look-up addresses, verification URL, credential digest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Footer {
    pub x_mm: f32,
    pub baseline_mm: f32,
    pub pitch_mm: f32,
    pub size_pt: f32,
    #[serde(default)]
    pub align: Align,
    pub verify_label: String,
    pub hash_label: String,
    pub hash_size_pt: f32,
    pub color: Rgb,
}

/// Horizontal alignment of a text anchor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// An sRGB colour written `"#rrggbb"` in the layout file.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(try_from = "String")]
pub struct Rgb(pub [f32; 3]);

impl TryFrom<String> for Rgb {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        let hex = text
            .strip_prefix('#')
            .filter(|h| h.len() == 6 && h.is_ascii())
            .ok_or_else(|| format!("colour {text:?} is not of the form #rrggbb"))?;
        let channel = |i: usize| {
            // Three decimals are finer than any press, and keep the content stream short.
            u8::from_str_radix(&hex[i..i + 2], 16)
                .map(|v| (f32::from(v) / 255.0 * 1000.0).round() / 1000.0)
                .map_err(|_| format!("colour {text:?} is not hexadecimal"))
        };
        Ok(Self([channel(0)?, channel(2)?, channel(4)?]))
    }
}

/// Reads every `*.toml` in `dir`, keyed by file stem.
pub fn load_all(dir: &Path) -> anyhow::Result<BTreeMap<String, Layout>> {
    let mut layouts = BTreeMap::new();
    let entries = fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            bail!("layout file name {} is not UTF-8", path.display());
        };
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let layout: Layout =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        layout
            .check()
            .with_context(|| format!("checking {}", path.display()))?;
        layouts.insert(name.to_owned(), layout);
    }
    if layouts.is_empty() {
        bail!("no layouts (*.toml) in {}", dir.display());
    }
    Ok(layouts)
}

impl Layout {
    /// Catches layout mistakes at start-up rather than on the first certificate.
    fn check(&self) -> anyhow::Result<()> {
        if self.rows.items.is_empty() {
            bail!("rows.items is empty");
        }
        for item in &self.rows.items {
            if *item != RowItem::Fields && !self.rows.labels.contains_key(item) {
                bail!("rows.labels has no label for {item:?}");
            }
        }
        if self.rows.last_baseline_mm <= self.rows.baseline_mm {
            bail!("rows.last_baseline_mm must lie below rows.baseline_mm");
        }
        if self.rows.value_end_mm <= self.rows.value_x_mm {
            bail!("rows.value_end_mm must lie right of rows.value_x_mm");
        }
        if self.rows.min_value_size_pt <= 0.0
            || self.rows.min_value_size_pt > self.rows.value_size_pt
        {
            bail!("rows.min_value_size_pt must be positive and at most rows.value_size_pt");
        }
        if self.qr.size_mm <= 0.0 {
            bail!("qr.size_mm must be positive");
        }
        if self.rules.requires_photo && self.photo.is_none() {
            bail!("rules.requires_photo needs a [photo] frame");
        }
        if self.seal.as_ref().is_some_and(|s| s.size_mm <= 0.0) {
            bail!("seal.size_mm must be positive");
        }
        Ok(())
    }
}
