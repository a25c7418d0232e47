//! Minting the identifiers demo data needs: unified social credit codes derived from a
//! fixed string (so every run mints the same code) and citizen ID numbers (their check
//! characters come from [`CreditCode::complete`] and [`CitizenId::complete`]).

use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};

use crate::{
    organisations::CreditCode,
    people::{CitizenId, Gender},
};

/// Weights of the 8-character body of an organisation code (GB 11714-1997).
const ORG_CODE_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// A credit code for `registration` (two characters: registering authority and type,
/// e.g. `11` an organ of state, `12` a public institution, `52` a private non-enterprise
/// unit, `91` a company) in administrative `region`, whose organisation code is derived
/// from `seed`. The embedded organisation code carries its own GB 11714 check character,
/// as real codes do.
pub fn credit_code(registration: &str, region: &str, seed: &str) -> anyhow::Result<CreditCode> {
    let digest = Sha256::digest(seed.as_bytes());
    let body: Vec<u32> = digest.iter().take(8).map(|b| u32::from(*b) % 10).collect();
    let sum: u32 = body.iter().zip(ORG_CODE_WEIGHTS).map(|(v, w)| v * w).sum();
    let check = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).unwrap_or('0'),
    };
    let body: String = body
        .iter()
        .filter_map(|d| char::from_digit(*d, 10))
        .collect();
    let prefix = format!("{registration}{region}{body}{check}");
    CreditCode::complete(&prefix).with_context(|| format!("minting a credit code from {prefix}"))
}

/// The citizen ID of someone born on `birth` in `region`, with sequence number `serial`
/// (0–499): the three-digit sequence is odd for men and even for women.
pub fn citizen_id(
    region: &str,
    birth: NaiveDate,
    serial: u32,
    gender: Gender,
) -> anyhow::Result<CitizenId> {
    let sequence = 2 * (serial % 500)
        + match gender {
            Gender::Male => 1,
            Gender::Female => 0,
        };
    let first17 = format!(
        "{region}{:04}{:02}{:02}{sequence:03}",
        birth.year(),
        birth.month(),
        birth.day()
    );
    CitizenId::complete(&first17).with_context(|| format!("minting a citizen ID from {first17}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standards_worked_example_gets_its_check_character() {
        let birth = NaiveDate::from_ymd_opt(1949, 12, 31).unwrap();
        // 110105 19491231 002 → X
        let id = citizen_id("110105", birth, 1, Gender::Female).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn minted_ids_encode_gender_and_birth_date() {
        let birth = NaiveDate::from_ymd_opt(1990, 2, 28).unwrap();
        let id = citizen_id("150784", birth, 37, Gender::Male).unwrap();
        assert_eq!(id.gender(), Gender::Male);
        assert_eq!(id.birth_date(), birth);
        assert!(id.as_str().starts_with("15078419900228"));
    }

    #[test]
    fn the_same_seed_mints_the_same_valid_code() {
        let a = credit_code("91", "150784", "demo:bakery").unwrap();
        let b = credit_code("91", "150784", "demo:bakery").unwrap();
        let c = credit_code("91", "150784", "demo:homestay").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.as_str().starts_with("91150784"));
        assert!(CreditCode::parse(a.as_str()).is_ok());
    }

    #[test]
    fn the_embedded_organisation_code_passes_gb_11714() {
        let code = credit_code("12", "150784", "demo:centre").unwrap();
        let org: Vec<char> = code.as_str()[8..17].chars().collect();
        let sum: u32 = org[..8]
            .iter()
            .zip(ORG_CODE_WEIGHTS)
            .map(|(c, w)| c.to_digit(10).unwrap() * w)
            .sum();
        let expected = match 11 - sum % 11 {
            10 => 'X',
            11 => '0',
            n => char::from_digit(n, 10).unwrap(),
        };
        assert_eq!(org[8], expected);
    }
}
