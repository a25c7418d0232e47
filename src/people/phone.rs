//! Mainland China mobile phone numbers: the checked [`MobilePhone`] newtype and its masked
//! form (`138****5678`).

use std::fmt;

/// An 11-digit mainland mobile number, `1[3-9]` and nine more digits, stored without
/// country code, spaces or hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MobilePhone(String);

/// Why a string is not a mainland mobile number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MobilePhoneError {
    /// Not 11 digits starting with 13–19 once spaces, hyphens and +86 are removed.
    #[error("not an 11-digit mainland China mobile number")]
    Format,
}

impl MobilePhoneError {
    /// Stable reason code for API errors.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Format => "format",
        }
    }

    /// The explanation shown to users.
    pub fn message(&self) -> String {
        match self {
            Self::Format => "手机号码应为11位中国大陆手机号".into(),
        }
    }
}

impl MobilePhone {
    /// Parses a number as typed: spaces and hyphens are ignored, full-width digits are
    /// read as digits, and a `+86`, `0086` or `86` country code is dropped.
    pub fn parse(input: &str) -> Result<Self, MobilePhoneError> {
        let compact: String = input
            .chars()
            .filter(|ch| !(ch.is_whitespace() || matches!(ch, '-' | '－')))
            .map(|ch| match ch {
                '０'..='９' => {
                    char::from_digit(u32::from(ch) - u32::from('０'), 10).unwrap_or(ch)
                }
                '＋' => '+',
                _ => ch,
            })
            .collect();
        let number = ["+86", "0086", "86"]
            .iter()
            .find_map(|prefix| compact.strip_prefix(prefix).filter(|rest| rest.len() == 11))
            .unwrap_or(&compact);
        let bytes = number.as_bytes();
        let valid = bytes.len() == 11
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1])
            && bytes.iter().all(u8::is_ascii_digit);
        if !valid {
            return Err(MobilePhoneError::Format);
        }
        Ok(Self(number.to_owned()))
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 3 and last 4 digits, e.g. `138****5678`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Display for MobilePhone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(input: &str) -> Result<String, MobilePhoneError> {
        MobilePhone::parse(input).map(|p| p.as_str().to_owned())
    }

    #[test]
    fn a_plain_eleven_digit_number_is_accepted() {
        assert_eq!(parsed("13812345678"), Ok("13812345678".into()));
        assert_eq!(parsed("19900001111"), Ok("19900001111".into()));
    }

    #[test]
    fn spaces_hyphens_and_full_width_digits_are_ignored() {
        assert_eq!(parsed(" 138-1234-5678 "), Ok("13812345678".into()));
        assert_eq!(parsed("138 1234 5678"), Ok("13812345678".into()));
        assert_eq!(parsed("１３８１２３４５６７８"), Ok("13812345678".into()));
    }

    #[test]
    fn the_country_code_is_dropped() {
        for input in [
            "+86 138 1234 5678",
            "+8613812345678",
            "8613812345678",
            "0086-13812345678",
        ] {
            assert_eq!(parsed(input), Ok("13812345678".into()), "{input}");
        }
    }

    #[test]
    fn numbers_that_are_not_mainland_mobiles_are_refused() {
        for input in [
            "",
            "1381234567",
            "138123456789",
            "12812345678",
            "23812345678",
            "0470-6812345",
            "1381234567a",
            "+85213812345678",
            "86138123456",
        ] {
            assert_eq!(parsed(input), Err(MobilePhoneError::Format), "{input}");
        }
    }

    #[test]
    fn the_error_names_the_expected_format_in_chinese() {
        let err = MobilePhone::parse("12345").unwrap_err();
        assert_eq!(err.reason(), "format");
        assert_eq!(err.message(), "手机号码应为11位中国大陆手机号");
    }

    #[test]
    fn the_masked_form_hides_the_middle_four_digits() {
        assert_eq!(
            MobilePhone::parse("13812345678").unwrap().masked(),
            "138****5678"
        );
    }
}
