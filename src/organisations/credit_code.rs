//! The unified social credit code (统一社会信用代码, GB 32100-2015).

use std::fmt;

/// The 31 characters a code may use (no I, O, S, V, Z), in value order.
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// An 18-character code whose check character is right. Lower-case input is accepted
/// and stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("a credit code has 18 characters, not {0}")]
    Length(usize),
    #[error("character {position} is not allowed in a credit code")]
    Charset { position: usize },
    #[error("the check character should be {expected}")]
    CheckCharacter { expected: char },
}

impl CreditCodeError {
    /// Stable reason code for API errors.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Length(_) => "length",
            Self::Charset { .. } => "charset",
            Self::CheckCharacter { .. } => "check_character",
        }
    }

    /// The explanation shown to users.
    pub fn message(&self) -> String {
        match self {
            Self::Length(n) => format!("统一社会信用代码应为18位，实际为{n}位"),
            Self::Charset { position } => {
                format!("统一社会信用代码第{position}位含有不允许的字符（不使用 I、O、S、V、Z）")
            }
            Self::CheckCharacter { .. } => "统一社会信用代码校验位不正确".into(),
        }
    }
}

impl CreditCode {
    pub fn parse(input: &str) -> Result<Self, CreditCodeError> {
        let code = input.trim().to_ascii_uppercase();
        let count = code.chars().count();
        if count != 18 {
            return Err(CreditCodeError::Length(count));
        }
        let mut values = [0u32; 18];
        for (i, ch) in code.chars().enumerate() {
            let value = CHARSET
                .iter()
                .position(|&c| char::from(c) == ch)
                .ok_or(CreditCodeError::Charset { position: i + 1 })?;
            values[i] = value as u32;
        }
        let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
        let check = (31 - sum % 31) % 31;
        if values[17] != check {
            return Err(CreditCodeError::CheckCharacter {
                expected: char::from(CHARSET[check as usize]),
            });
        }
        Ok(Self(code))
    }

    /// Completes 17 leading characters with their check character, e.g. to mint codes for
    /// demo data; `None` if the prefix is not 17 allowed characters.
    pub fn complete(prefix: &str) -> Option<Self> {
        if prefix.chars().count() != 17 {
            return None;
        }
        let total: u32 = prefix
            .chars()
            .zip(WEIGHTS)
            .map(|(ch, w)| {
                CHARSET
                    .iter()
                    .position(|&c| char::from(c) == ch)
                    .map(|v| v as u32 * w)
            })
            .sum::<Option<u32>>()?;
        let check = char::from(CHARSET[((31 - total % 31) % 31) as usize]);
        Self::parse(&format!("{prefix}{check}")).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_examples_are_valid() {
        for code in [
            "91350100M000100Y43",
            "91110108551385082Q",
            "91440300708461136T",
        ] {
            assert_eq!(
                CreditCode::parse(code).map(|c| c.to_string()),
                Ok(code.to_owned())
            );
        }
    }

    #[test]
    fn completing_a_prefix_gives_the_published_check_character() {
        assert_eq!(
            CreditCode::complete("91350100M000100Y4").map(|c| c.to_string()),
            Some("91350100M000100Y43".to_owned())
        );
        assert_eq!(CreditCode::complete("91350100M000100I4"), None);
    }

    #[test]
    fn lower_case_is_accepted_and_stored_upper_case() {
        assert_eq!(
            CreditCode::parse("91110108551385082q").map(|c| c.to_string()),
            Ok("91110108551385082Q".to_owned())
        );
    }

    #[test]
    fn a_wrong_check_character_is_refused_and_the_right_one_named() {
        assert_eq!(
            CreditCode::parse("91110108551385082A"),
            Err(CreditCodeError::CheckCharacter { expected: 'Q' })
        );
    }

    #[test]
    fn wrong_length_and_forbidden_letters_are_refused() {
        assert_eq!(
            CreditCode::parse("9111010855138508"),
            Err(CreditCodeError::Length(16))
        );
        assert_eq!(
            CreditCode::parse("9111010855138508IQ"),
            Err(CreditCodeError::Charset { position: 17 })
        );
        assert_eq!(
            CreditCode::parse("91110108551385082甲"),
            Err(CreditCodeError::Charset { position: 18 })
        );
    }
}
