//! The certificate fonts: read and parsed once at start-up, cut down per document to the
//! glyphs that document uses. [`Fonts`] is the main font and its fallbacks: each character
//! is set in the first of them that has it, and measured in that one.
//!
//! printpdf subsets fonts itself only with its `text_layout` feature, which pulls in a whole
//! layout engine. Without it printpdf embeds whatever font program it is handed, so we hand it
//! a subset made here with `subsetter`, plus the char → glyph map and advances of that subset.
//! printpdf then writes the font as a CID font with a ToUnicode map built from that char map,
//! which keeps the text extractable.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::Path,
};

use anyhow::{Context, anyhow, bail};
use printpdf::{FontId, ParsedFont};
use subsetter::GlyphRemapper;

/// A character that no certificate font has: the certificate is refused rather than
/// printed with a blank box where a name should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("character {0:?} (U+{code:04X}) is not in the certificate fonts", code = u32::from(*.0))]
pub struct Unprintable(pub char);

/// The main font first, then the fallbacks, in the order they are tried.
#[derive(Debug)]
pub struct Fonts {
    main: CertFont,
    fallbacks: Vec<CertFont>,
}

impl Fonts {
    pub fn new(main: CertFont, fallbacks: Vec<CertFont>) -> Self {
        Self { main, fallbacks }
    }

    /// The index of the first font that has `c` (0 is the main font).
    pub fn face_of(&self, c: char) -> Option<usize> {
        if self.main.covers(c) {
            return Some(0);
        }
        self.fallbacks
            .iter()
            .position(|f| f.covers(c))
            .map(|i| i + 1)
    }

    /// Whether some font has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.face_of(c).is_some()
    }

    /// Advance width of `text` set at `size_pt`, in points, each character measured in the
    /// font that sets it.
    pub fn width_pt(&self, text: &str, size_pt: f32) -> f32 {
        let mut main_units = 0;
        let mut fallback_pt = 0.0;
        for c in text.chars() {
            if let Some(units) = self.main.advance(c) {
                main_units += units;
            } else if let Some(pt) = self
                .fallbacks
                .iter()
                .find_map(|f| f.advance(c).map(|units| f.points(units, size_pt)))
            {
                fallback_pt += pt;
            }
        }
        self.main.points(main_units, size_pt) + fallback_pt
    }

    /// One subset per font that sets some of `chars`, with that font's index. Fails on a
    /// character no font has.
    pub fn subsets(&self, chars: &BTreeSet<char>) -> anyhow::Result<Vec<(usize, ParsedFont)>> {
        let mut by_face: BTreeMap<usize, BTreeSet<char>> = BTreeMap::new();
        for &c in chars {
            let face = self.face_of(c).ok_or(Unprintable(c))?;
            by_face.entry(face).or_default().insert(c);
        }
        by_face
            .into_iter()
            .map(|(face, chars)| Ok((face, self.face(face).subset(&chars)?)))
            .collect()
    }

    fn face(&self, index: usize) -> &CertFont {
        match index.checked_sub(1) {
            None => &self.main,
            Some(i) => self.fallbacks.get(i).unwrap_or(&self.main),
        }
    }
}

/// The page resource name of font `face`: fixed (printpdf would draw random ones) so
/// output is reproducible.
pub fn resource_id(face: usize) -> FontId {
    FontId(match face {
        0 => "FCert".to_owned(),
        n => format!("FCert{n}"),
    })
}

/// A TrueType font parsed once and shared by every render.
#[derive(Debug)]
pub struct CertFont {
    /// The parsed whole font: char map, advances and metrics.
    base: ParsedFont,
    /// PostScript name written (behind a subset tag) into the PDF.
    postscript_name: String,
}

impl CertFont {
    /// Reads and parses `path`; the file stem is used as the PostScript name.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let bytes = fs::read(path).with_context(|| format!("reading font {}", path.display()))?;
        let mut warnings = Vec::new();
        let base = ParsedFont::from_bytes(&bytes, 0, &mut warnings)
            .ok_or_else(|| anyhow!("{} is not a usable TrueType font", path.display()))?;
        if !warnings.is_empty() {
            bail!("font {} parsed with warnings: {warnings:?}", path.display());
        }
        if base.units_per_em == 0 {
            bail!("font {} has zero units per em", path.display());
        }
        let postscript_name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .filter(|s| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .ok_or_else(|| anyhow!("font file name must be a PostScript name (A-Z a-z 0-9 -)"))?
            .to_owned();
        Ok(Self {
            base,
            postscript_name,
        })
    }

    /// Whether the font has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.glyph(c).is_some()
    }

    /// Advance width of `c` in font units.
    fn advance(&self, c: char) -> Option<u32> {
        self.glyph(c)
            .and_then(|gid| self.base.get_glyph_width(gid))
            .map(u32::from)
    }

    /// `units` of this font at `size_pt`, in points.
    fn points(&self, units: u32, size_pt: f32) -> f32 {
        units as f32 * size_pt / f32::from(self.base.units_per_em)
    }

    /// A font holding only the glyphs of `chars` (plus `.notdef`), renumbered from 1, with
    /// the char map and advances printpdf needs to encode text and write `/W` and
    /// `/ToUnicode`. Fails if a character has no glyph: a certificate must never print a
    /// blank box where a name should be.
    fn subset(&self, chars: &BTreeSet<char>) -> anyhow::Result<ParsedFont> {
        let mut used = BTreeMap::new();
        for &c in chars {
            used.insert(c, self.glyph(c).ok_or(Unprintable(c))?);
        }

        let mut remapper = GlyphRemapper::new();
        for &gid in used.values().collect::<BTreeSet<_>>() {
            remapper.remap(gid);
        }
        let program = subsetter::subset(&self.base.original_bytes, 0, &remapper)
            .map_err(|e| anyhow!("subsetting the certificate font: {e}"))?;

        let mut codepoint_to_glyph = BTreeMap::new();
        let mut glyph_widths = BTreeMap::new();
        for (&c, &gid) in &used {
            let new_gid = remapper
                .get(gid)
                .ok_or_else(|| anyhow!("glyph {gid} was lost in subsetting"))?;
            codepoint_to_glyph.insert(u32::from(c), new_gid);
            glyph_widths.insert(new_gid, self.base.get_glyph_width(gid).unwrap_or(0));
        }

        Ok(ParsedFont {
            original_bytes: program,
            font_index: 0,
            font_name: Some(format!(
                "{}+{}",
                subset_tag(&codepoint_to_glyph),
                self.postscript_name
            )),
            codepoint_to_glyph,
            glyph_widths,
            units_per_em: self.base.units_per_em,
            font_metrics: self.base.font_metrics.clone(),
            font_type: self.base.font_type,
            pdf_font_metrics: self.base.pdf_font_metrics.clone(),
        })
    }

    fn glyph(&self, c: char) -> Option<u16> {
        self.base
            .lookup_glyph_index(u32::from(c))
            .filter(|&gid| gid != 0)
    }
}

/// The six capital letters that mark a subset font (ISO 32000-1, 9.6.4), derived from the
/// subset's contents so the same text always yields the same bytes.
fn subset_tag(codepoint_to_glyph: &BTreeMap<u32, u16>) -> String {
    // FNV-1a: stable across Rust versions, unlike `DefaultHasher`.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (&cp, &gid) in codepoint_to_glyph {
        for byte in cp.to_le_bytes().into_iter().chain(gid.to_le_bytes()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    (0..6)
        .map(|i| {
            let letter = (hash >> (i * 8)) % 26;
            char::from(b'A' + letter as u8)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_tag_is_six_capitals_and_stable() {
        let map = BTreeMap::from([(0x5F20, 3), (0x4E09, 7)]);
        let tag = subset_tag(&map);
        assert_eq!(tag.len(), 6);
        assert!(tag.chars().all(|c| c.is_ascii_uppercase()));
        assert_eq!(tag, subset_tag(&map.clone()));
        assert_ne!(tag, subset_tag(&BTreeMap::from([(0x5F20, 3)])));
    }
}
