//! The achievement image an Open Badges wallet shows beside a credential: a small SVG
//! medal, its colour from the certificate kind, its words the kind and the issuer, carried
//! in the credential itself as a `data:` URI (OB 3.0 allows one as an `Image` id), so it
//! is frozen with the credential and shows without the registry being reachable.

use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};

use crate::programs::CertificateKind;

/// At most this many characters of the issuer's name fit the medal; longer names end
/// with an ellipsis.
const ISSUER_CHARS: usize = 12;

/// The kind's colour: the registry's page colours for the five kinds.
fn colour(kind: CertificateKind) -> &'static str {
    match kind {
        CertificateKind::Completion => "#2f6f4f",
        CertificateKind::Specialty => "#8a5a12",
        CertificateKind::SkillLevel => "#1d4e89",
        CertificateKind::Licence => "#8c2d2d",
        CertificateKind::Apprenticeship => "#5b3f86",
    }
}

/// The SVG for `kind` issued by `issuer`; `title` is the words on the medal (the kind's
/// label, or a licence's own name).
pub fn svg(kind: CertificateKind, title: &str, issuer: &str) -> String {
    let issuer: String = if issuer.chars().count() > ISSUER_CHARS {
        issuer.chars().take(ISSUER_CHARS - 1).chain(['…']).collect()
    } else {
        issuer.to_owned()
    };
    // Eight characters at 18 px fill the medal's width; longer titles are set smaller.
    let title_size = match title.chars().count() {
        0..=8 => 18,
        9..=10 => 15,
        _ => 12,
    };
    format!(
        concat!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200">"##,
            r##"<circle cx="100" cy="100" r="98" fill="{colour}"/>"##,
            r##"<circle cx="100" cy="100" r="86" fill="none" stroke="#ffffff" stroke-width="3"/>"##,
            r##"<path d="M100 38l7 14 15 2-11 11 3 15-14-7-14 7 3-15-11-11 15-2z" fill="#f3d27a"/>"##,
            r##"<g fill="#ffffff" text-anchor="middle" font-family="sans-serif">"##,
            r##"<text x="100" y="112" font-size="{title_size}" font-weight="bold">{title}</text>"##,
            r##"<text x="100" y="138" font-size="11">{issuer}</text>"##,
            r##"</g></svg>"##
        ),
        colour = colour(kind),
        title_size = title_size,
        title = escape(title),
        issuer = escape(&issuer),
    )
}

/// The OB 3.0 `Image` of the achievement: the SVG as a base64 `data:` URI and a caption.
pub fn image(kind: CertificateKind, title: &str, issuer: &str) -> Value {
    json!({
        "id": format!(
            "data:image/svg+xml;base64,{}",
            STANDARD.encode(svg(kind, title, issuer))
        ),
        "type": "Image",
        "caption": format!("{title} · {issuer}"),
    })
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stored::Stored;

    #[test]
    fn the_medal_names_kind_and_issuer_and_escapes_them() {
        let svg = svg(
            CertificateKind::SkillLevel,
            "职业技能等级证书",
            "额尔古纳市<职业>技能评价中心&有限公司",
        );
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains(">职业技能等级证书</text>"));
        assert!(svg.contains("额尔古纳市&lt;职业&gt;技能…"));
        assert!(!svg.contains("<职业>"));
        assert!(svg.contains(colour(CertificateKind::SkillLevel)));
    }

    #[test]
    fn each_kind_has_its_own_colour_and_the_image_is_a_data_uri() {
        let colours: std::collections::HashSet<_> =
            CertificateKind::ALL.iter().map(|k| colour(*k)).collect();
        assert_eq!(colours.len(), CertificateKind::ALL.len());
        let image = image(
            CertificateKind::Licence,
            "民宿经营接待从业资格证",
            "额尔古纳市文旅局",
        );
        let id = image["id"].as_str().unwrap();
        let encoded = id.strip_prefix("data:image/svg+xml;base64,").unwrap();
        let svg = String::from_utf8(STANDARD.decode(encoded).unwrap()).unwrap();
        assert!(
            svg.contains("font-size=\"12\""),
            "a long title is set smaller"
        );
        assert_eq!(image["type"], "Image");
        assert_eq!(
            image["caption"],
            "民宿经营接待从业资格证 · 额尔古纳市文旅局"
        );
    }
}
