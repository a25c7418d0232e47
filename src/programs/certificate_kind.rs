//! The five kinds of certificate, stored in `certificates.kind` and named in every
//! program's chain rules. Each fact about a kind lives here once: its stored word, its
//! Chinese and English titles, the letters of its registry numbers, its Open Badges
//! achievement type and its PDF layout.
//!
//! It sits with programs rather than under `certificates/` because programs name kinds
//! in their rules and certificates depend on programs (docs/DESIGN.md §2), so this is
//! the lowest module every user of a kind can import.

use crate::stored::{Stored, stored_enum};

stored_enum! {
    /// A kind of certificate. The variants are in the order a chain earns them
    /// (completion first), which `Ord` follows.
    #[derive(PartialOrd, Ord)]
    pub enum CertificateKind("certificate kind") {
        /// 结业证书, by the training provider.
        Completion = "completion" => "结业证书",
        /// 专项职业能力证书, against a local standard version.
        Specialty = "specialty" => "专项职业能力证书",
        /// 职业技能等级证书, by an evaluation organisation.
        SkillLevel = "skill_level" => "职业技能等级证书",
        /// 准入类证书, by a licensing authority.
        Licence = "licence" => "准入类证书",
        /// 学徒培训证书.
        Apprenticeship = "apprenticeship" => "学徒培训证书",
    }
}

impl CertificateKind {
    /// The English title, for verifiers abroad.
    pub fn english_label(self) -> &'static str {
        match self {
            Self::Completion => "Certificate of Completion",
            Self::Specialty => "Specialty Skill Certificate",
            Self::SkillLevel => "Vocational Skill Level Certificate",
            Self::Licence => "Licence",
            Self::Apprenticeship => "Apprenticeship Certificate",
        }
    }

    /// The letters of the kind in registry-format numbers and number counters, e.g.
    /// `JY` in `150784-JY-2026-000123`.
    pub fn number_code(self) -> &'static str {
        match self {
            Self::Completion => "JY",
            Self::Specialty => "ZX",
            Self::SkillLevel => "DJ",
            Self::Licence => "ZR",
            Self::Apprenticeship => "XT",
        }
    }

    /// The Open Badges 3.0 `achievementType` term.
    pub fn achievement_type(self) -> &'static str {
        match self {
            Self::Completion => "CertificateOfCompletion",
            Self::Specialty | Self::SkillLevel => "Certificate",
            Self::Licence => "License",
            Self::Apprenticeship => "ApprenticeshipCertificate",
        }
    }

    /// The PDF layout: a file stem in `certs/layouts/`, named after the stored word.
    pub fn layout(self) -> &'static str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_kind_round_trips_and_an_unknown_word_is_an_error() {
        crate::stored::assert_strict::<CertificateKind>();
    }

    #[test]
    fn titles_and_number_codes_tell_the_kinds_apart() {
        for fact in [
            CertificateKind::label,
            CertificateKind::english_label,
            CertificateKind::number_code,
        ] {
            let distinct: HashSet<&str> = CertificateKind::ALL.iter().map(|&k| fact(k)).collect();
            assert_eq!(distinct.len(), CertificateKind::ALL.len());
        }
    }

    #[test]
    fn every_kind_has_a_layout_in_certs() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("certs/layouts");
        for &kind in CertificateKind::ALL {
            let file = dir.join(format!("{}.toml", kind.layout()));
            assert!(file.is_file(), "{kind:?}: no {}", file.display());
        }
    }
}
