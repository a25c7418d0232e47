//! PDF certificates: plain certificate data in, the bytes of a one-page A4 PDF out.
//!
//! A [`Renderer`] is built once at start-up from the `certs/` directory: it parses the
//! certificate font (`certs/fonts/*.ttf`), its fallbacks (`certs/fonts/fallback/*.ttf`) and
//! every layout (`certs/layouts/*.toml`), and is then shared by all requests. Each render
//! draws the page as vector operations, subsets each font to the characters it sets on the
//! page, embeds the signed credential JSON as a file attachment and writes deterministic
//! bytes, so the registry can store their SHA-256.
//!
//! Submodules: `layout` (the TOML layout schema), `font` (parse once, subset per document),
//! `canvas` (millimetre drawing surface), `compose` (where each block goes), `qr` (vector
//! drawing), `picture` (the holder's photo and the issuer's uploaded seal as image
//! XObjects) and `seal` (where the seal image goes), `output` (attachment, metadata,
//! compression).

mod canvas;
mod compose;
#[cfg(test)]
mod fallback_tests;
mod font;
mod layout;
mod output;
mod picture;
#[cfg(test)]
mod picture_tests;
mod qr;
pub mod samples;
mod seal;
#[cfg(test)]
mod tests;

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use anyhow::{Context, anyhow, bail};
use printpdf::{
    BlendMode, ExtendedGraphicsState, ExtendedGraphicsStateId, Mm, PdfDocument, PdfFont, PdfPage,
};

use self::{
    canvas::Canvas,
    font::{CertFont, Fonts},
    layout::Layout,
};
use crate::people::PersonName;

pub use self::{font::Unprintable, output::ATTACHMENT_NAME};

/// Everything printed on (or attached to) one certificate, as plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateDocument {
    /// Layout name: a file stem in `certs/layouts/` ("skill_level", "completion", …).
    pub layout: String,
    /// Title, e.g. 职业技能等级证书 (exactly this for a skill-level certificate).
    pub title: String,
    pub holder_name: String,
    /// e.g. 居民身份证.
    pub id_type: String,
    /// Printed as given; callers pass the masked form.
    pub id_number: String,
    /// Label → value rows, in order (职业名称 / 中式面点师, 工种/职业方向 / --, …).
    pub fields: Vec<(String, String)>,
    /// 证书编号.
    pub number: String,
    /// 发证机构 / 评价机构.
    pub issuer_name: String,
    /// e.g. 2026年11月26日; also the PDF's creation date.
    pub issue_date: String,
    /// Encoded in the QR code and printed.
    pub verify_url: String,
    /// 证书查询网址 / 机构查询网址 rows.
    pub lookup_urls: Vec<(String, String)>,
    /// Printed in small type.
    pub credential_sha256: String,
    /// Embedded as the attachment `credential.json` (application/ld+json).
    pub credential_json: Vec<u8>,
    /// The holder's photo as the registry stored it (a JPEG cropped to the photo frame);
    /// required where the layout's rules say so.
    pub photo_jpeg: Option<Vec<u8>>,
    /// The issuer's uploaded seal (a PNG with transparency); no seal is printed without.
    pub seal_png: Option<Vec<u8>>,
}

/// Renders certificates; build once, share everywhere (it is `Send + Sync`).
#[derive(Debug)]
pub struct Renderer {
    fonts: Fonts,
    layouts: BTreeMap<String, Layout>,
}

// Shared by every request: a renderer that stopped being `Send + Sync` must not compile.
const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<Renderer>();
};

/// The stamp's resource name on the page; fixed (printpdf would draw random ones) so output
/// is reproducible. The fonts' are `font::resource_id`.
const STAMP_STATE: &str = "GStamp";
/// The pictures' resource names, fixed for the same reason.
const PHOTO_IMAGE: &str = "ImPhoto";
const SEAL_IMAGE: &str = "ImSeal";

impl Renderer {
    /// Loads `certs_dir/fonts/` (exactly one `.ttf`), the fallback fonts in
    /// `certs_dir/fonts/fallback/` (any number of `.ttf`, tried in file-name order) and every
    /// `certs_dir/layouts/*.toml`. Refuses fonts that miss a character a name may hold
    /// ([`PersonName::printable_characters`]), since such a name would pass enrolment and
    /// then fail its certificate.
    pub fn from_dir(certs_dir: &Path) -> anyhow::Result<Self> {
        let font_dir = certs_dir.join("fonts");
        let [main] = ttf_files(&font_dir)?.try_into().map_err(|found: Vec<_>| {
            anyhow!(
                "expected exactly one .ttf in {}, found {}",
                font_dir.display(),
                found.len()
            )
        })?;
        let fallback_dir = font_dir.join("fallback");
        let fallbacks = if fallback_dir.is_dir() {
            ttf_files(&fallback_dir)?
        } else {
            Vec::new()
        };
        let fonts = Fonts::new(
            CertFont::load(&main)?,
            fallbacks
                .iter()
                .map(|path| CertFont::load(path))
                .collect::<anyhow::Result<_>>()?,
        );
        if let Some(c) = PersonName::printable_characters().find(|&c| !fonts.covers(c)) {
            bail!(
                "the certificate fonts in {} lack {c:?} (U+{:04X}), which a name may hold; \
                 see certs/fonts/README.md",
                font_dir.display(),
                u32::from(c)
            );
        }
        let layouts = layout::load_all(&certs_dir.join("layouts"))?;
        for (name, layout) in &layouts {
            check_layout_text(&fonts, name, layout)?;
        }
        Ok(Self { fonts, layouts })
    }

    /// Names of the loaded layouts.
    pub fn layout_names(&self) -> impl Iterator<Item = &str> {
        self.layouts.keys().map(String::as_str)
    }

    /// Renders `doc` as a one-page PDF with the credential attached.
    pub fn render(&self, doc: &CertificateDocument) -> anyhow::Result<Vec<u8>> {
        let layout = self
            .layouts
            .get(&doc.layout)
            .ok_or_else(|| anyhow!("no certificate layout named {:?}", doc.layout))?;
        check_rules(layout, doc)?;

        let stamp_id = ExtendedGraphicsStateId(STAMP_STATE.to_owned());
        let photo = match (&layout.photo, doc.photo_jpeg.as_deref()) {
            (Some(_), Some(bytes)) => Some(picture::jpeg(PHOTO_IMAGE, bytes)?),
            _ => None,
        };
        let seal = match (&layout.seal, doc.seal_png.as_deref()) {
            (Some(_), Some(bytes)) => Some(picture::png_with_alpha(SEAL_IMAGE, bytes)?),
            _ => None,
        };
        let mut canvas = Canvas::new(&self.fonts, stamp_id.clone(), layout.page.height_mm);
        let pictures = compose::Pictures {
            photo: photo.as_ref(),
            seal: seal.as_ref(),
        };
        compose::compose(&mut canvas, layout, doc, &pictures)?;
        let (ops, chars) = canvas.finish();

        let mut pdf = PdfDocument::new(&doc.title);
        for picture in [photo, seal].into_iter().flatten() {
            pdf.resources
                .xobjects
                .map
                .insert(picture.id, picture.xobject);
        }
        for (face, subset) in self.fonts.subsets(&chars)? {
            pdf.resources
                .fonts
                .map
                .insert(font::resource_id(face), PdfFont::new(subset));
        }
        let stamp = ExtendedGraphicsState::default().with_blend_mode(BlendMode::multiply());
        pdf.resources.extgstates.map.insert(stamp_id, stamp);
        pdf.pages.push(PdfPage::new(
            Mm(layout.page.width_mm),
            Mm(layout.page.height_mm),
            ops,
        ));
        let subject = format!("{} {}", doc.title, doc.number);
        let info = output::Info {
            title: &doc.title,
            subject: &subject,
            author: &doc.issuer_name,
            date: output::pdf_date(&doc.issue_date),
        };
        output::finish(&pdf, &info, &doc.credential_json)
    }
}

/// Refuses a document that would print an incomplete certificate of the layout's kind.
fn check_rules(layout: &Layout, doc: &CertificateDocument) -> anyhow::Result<()> {
    let rules = &layout.rules;
    if let Some(title) = &rules.required_title
        && doc.title != *title
    {
        bail!(
            "a {} certificate must be titled {title:?}, not {:?}",
            doc.layout,
            doc.title
        );
    }
    for label in &rules.required_fields {
        let present = doc
            .fields
            .iter()
            .any(|(l, v)| l == label && (rules.empty_value.is_some() || !v.trim().is_empty()));
        if !present {
            bail!("a {} certificate must show the field {label:?}", doc.layout);
        }
    }
    if rules.requires_photo && doc.photo_jpeg.is_none() {
        bail!("a {} certificate must carry the holder's photo", doc.layout);
    }
    for label in &rules.required_lookups {
        let present = doc
            .lookup_urls
            .iter()
            .any(|(l, url)| l == label && !url.trim().is_empty());
        if !present {
            bail!(
                "a {} certificate must show the look-up address {label:?}",
                doc.layout
            );
        }
    }
    let required = [
        ("holder name", &doc.holder_name),
        ("certificate number", &doc.number),
        ("issuer name", &doc.issuer_name),
        ("issue date", &doc.issue_date),
        ("verification URL", &doc.verify_url),
    ];
    if let Some((what, _)) = required.iter().find(|(_, v)| v.trim().is_empty()) {
        bail!("the certificate has no {what}");
    }
    Ok(())
}

/// The `.ttf` files of `dir`, sorted by name.
fn ttf_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) == Some("ttf") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Every fixed text of a layout must be printable in the fonts.
fn check_layout_text(fonts: &Fonts, name: &str, layout: &Layout) -> anyhow::Result<()> {
    let rows = &layout.rows;
    let texts = layout
        .captions
        .iter()
        .map(|c| c.text.as_str())
        .chain(rows.labels.values().map(String::as_str))
        .chain([rows.label_suffix.as_str()])
        .chain(layout.photo.iter().map(|p| p.label.as_str()))
        .chain(layout.number_badge.iter().map(|b| b.label.as_str()))
        .chain([
            layout.issuer.label.as_str(),
            layout.issuer.date_label.as_str(),
        ])
        .chain([
            layout.qr.caption.as_str(),
            layout.footer.verify_label.as_str(),
        ])
        .chain([layout.footer.hash_label.as_str(), "："]);
    for text in texts {
        if let Some(c) = text.chars().find(|&c| !fonts.covers(c)) {
            bail!("layout {name}: the font has no glyph for {c:?} in {text:?}");
        }
    }
    Ok(())
}
