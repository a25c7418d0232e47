//! The citizen ID number (居民身份证号码, GB 11643-1999): parsing, the facts it encodes
//! (birth date, gender, age) and the masked form shown to everyone but the holder.

use std::fmt;

use chrono::{Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS: &[u8; 11] = b"10X98765432";

/// The earliest birth date accepted. The standard's own worked example
/// (`440524188001010014`) is born in 1880, so the floor sits below it; it still catches
/// typing slips such as a year of `0990` or `1090`.
const EARLIEST_BIRTH_DATE: (i32, u32, u32) = (1800, 1, 1);

/// An 18-character citizen ID number whose birth date is real and whose check character
/// is right. Full-width digits, a lower-case `x` and a full-width `Ｘ` are accepted; the
/// stored form is ASCII with an upper-case `X`.
///
/// `Debug` prints the masked form so the number never reaches a log by accident; there
/// is deliberately no `Display`: call [`CitizenId::as_str`] or [`CitizenId::masked`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CitizenId(String);

/// Why a string is not a citizen ID number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CitizenIdError {
    /// The number does not have 18 characters; carries the count found.
    #[error("a citizen ID has 18 characters, not {0}")]
    Length(usize),
    /// A character that must be a digit (or the final `X`) is not; `position` is 1-based.
    #[error("character {position} of a citizen ID must be a digit")]
    NotDigits { position: usize },
    /// Positions 7–14 are not a real calendar date (or are implausibly early).
    #[error("the birth date in a citizen ID is not a real date")]
    BirthDate,
    /// The birth date lies after today.
    #[error("the birth date in a citizen ID is in the future")]
    FutureBirthDate,
    /// The 18th character does not match the GB 11643 check.
    #[error("the check character should be {expected}")]
    CheckCharacter { expected: char },
}

impl CitizenIdError {
    /// Stable reason code for API errors.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Length(_) => "length",
            Self::NotDigits { .. } => "charset",
            Self::BirthDate => "birth_date",
            Self::FutureBirthDate => "future_birth_date",
            Self::CheckCharacter { .. } => "check_character",
        }
    }

    /// The explanation shown to users.
    pub fn message(&self) -> String {
        match self {
            Self::Length(n) => format!("身份证号码应为18位，实际为{n}位"),
            Self::NotDigits { position: 18 } => "身份证号码第18位应为数字或X".into(),
            Self::NotDigits { position } => format!("身份证号码第{position}位应为数字"),
            Self::BirthDate => "身份证号码中的出生日期无效".into(),
            Self::FutureBirthDate => "身份证号码中的出生日期晚于今天".into(),
            Self::CheckCharacter { .. } => "身份证号码校验位不正确".into(),
        }
    }
}

/// Gender as encoded by the 17th digit of a citizen ID (odd = male).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    /// Both genders, for forms and filters.
    pub const ALL: [Gender; 2] = [Gender::Male, Gender::Female];

    /// Stable code, the same as the serde form: `male` or `female`.
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }

    /// Reads the stable code written by [`Gender::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// The Chinese label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Gender::Male => "男",
            Gender::Female => "女",
        }
    }
}

impl CitizenId {
    /// Parses a citizen ID, refusing birth dates after today's UTC date.
    pub fn parse(input: &str) -> Result<Self, CitizenIdError> {
        Self::parse_on(input, Utc::now().date_naive())
    }

    /// Parses a citizen ID, refusing birth dates after `today`.
    pub fn parse_on(input: &str, today: NaiveDate) -> Result<Self, CitizenIdError> {
        let id: String = input.trim().chars().map(normalise).collect();
        let count = id.chars().count();
        if count != 18 {
            return Err(CitizenIdError::Length(count));
        }
        // Bytes, not chars: everything before the first byte that is not an ASCII digit is
        // one byte per character, so its index is also the character's position.
        let bytes = id.as_bytes();
        if let Some(i) = bytes[..17].iter().position(|b| !b.is_ascii_digit()) {
            return Err(CitizenIdError::NotDigits { position: i + 1 });
        }
        if !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
            return Err(CitizenIdError::NotDigits { position: 18 });
        }
        let birth = birth_date_of(&id).ok_or(CitizenIdError::BirthDate)?;
        if birth > today {
            return Err(CitizenIdError::FutureBirthDate);
        }
        let expected = check_character(&bytes[..17]);
        if char::from(bytes[17]) != expected {
            return Err(CitizenIdError::CheckCharacter { expected });
        }
        Ok(Self(id))
    }

    /// Completes 17 leading digits with their GB 11643 check character, e.g. to mint IDs
    /// for demo data and tests without copying the algorithm; `None` if the prefix is not
    /// 17 ASCII digits or does not make a valid ID (a birth date that is not real or lies
    /// after today's UTC date).
    pub fn complete(first17: &str) -> Option<Self> {
        let check = Self::check_character_of(first17)?;
        Self::parse(&format!("{first17}{check}")).ok()
    }

    /// The GB 11643 check character of 17 leading digits, whatever they encode (tests use
    /// it to build numbers that fail only on their date); `None` unless the prefix is 17
    /// ASCII digits. [`CitizenId::complete`] gives a valid ID instead.
    pub fn check_character_of(first17: &str) -> Option<char> {
        let digits = first17.as_bytes();
        (digits.len() == 17 && digits.iter().all(u8::is_ascii_digit))
            .then(|| check_character(digits))
    }

    /// The normalised 18 characters, e.g. for sealing and the blind index.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date encoded in positions 7–14.
    pub fn birth_date(&self) -> NaiveDate {
        // `parse_on` checked that this is a real date; the fallback is unreachable.
        birth_date_of(&self.0).unwrap_or_default()
    }

    /// The gender encoded by the 17th digit (odd = male).
    pub fn gender(&self) -> Gender {
        if self.0.as_bytes()[16] % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// Age in whole years on `date`: a year is counted only once the birthday is reached
    /// (someone born on 29 February turns a year older on 1 March in common years).
    /// Zero for a date before the birth date.
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        let birth = self.birth_date();
        let mut years = date.year() - birth.year();
        if (date.month(), date.day()) < (birth.month(), birth.day()) {
            years -= 1;
        }
        u32::try_from(years).unwrap_or(0)
    }

    /// The form shown to everyone but the holder and the staff who enrolled them: the
    /// first 6 and the last 4 characters, e.g. `150784********123X`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

impl fmt::Debug for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CitizenId").field(&self.masked()).finish()
    }
}

/// Maps full-width digits and every form of the letter X to ASCII; other characters
/// pass through for the charset check to report.
fn normalise(ch: char) -> char {
    match ch {
        '０'..='９' => char::from_digit(u32::from(ch) - u32::from('０'), 10).unwrap_or(ch),
        'x' | 'Ｘ' | 'ｘ' => 'X',
        _ => ch,
    }
}

/// Reads positions 7–14 of an ID whose first 17 characters are ASCII digits.
fn birth_date_of(id: &str) -> Option<NaiveDate> {
    let year = id.get(6..10)?.parse().ok()?;
    let month = id.get(10..12)?.parse().ok()?;
    let day = id.get(12..14)?.parse().ok()?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let (y, m, d) = EARLIEST_BIRTH_DATE;
    (date >= NaiveDate::from_ymd_opt(y, m, d)?).then_some(date)
}

/// The GB 11643 check character for 17 ASCII digits.
fn check_character(digits: &[u8]) -> char {
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    char::from(CHECK_CHARACTERS[(sum % 11) as usize])
}

#[cfg(test)]
#[path = "citizen_id_tests.rs"]
mod tests;
