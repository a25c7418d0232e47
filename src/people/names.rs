//! Personal names: the checked [`PersonName`] newtype and the masked form (`张*三`) shown
//! on public pages.

use std::fmt;

/// The interpunct of minority and foreign names (巴特尔·朝鲁), U+00B7 as on ID cards.
const MIDDLE_DOT: char = '·';
const MIN_CHARS: usize = 2;
const MAX_CHARS: usize = 30;

/// Masks a name for public pages, counting characters rather than bytes: one character
/// becomes `*`; two keep the first (`张*`); longer names keep the first and the last
/// (`张*三`, `欧**明`).
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.as_slice() {
        [] => String::new(),
        [_] => "*".into(),
        [first, _] => format!("{first}*"),
        [first, middle @ .., last] => format!("{first}{}{last}", "*".repeat(middle.len())),
    }
}

/// A trimmed name of 2 to 30 characters without digits or control characters. The
/// middle dot of names such as 巴特尔·朝鲁 is allowed between characters; look-alike dots
/// (`•`, `・`, `･`, `‧`, `∙`, `⋅`) are stored as `·`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

/// Why a string is not a person's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonNameError {
    /// Fewer than 2 or more than 30 characters; carries the count found.
    #[error("a name has 2 to 30 characters, not {0}")]
    Length(usize),
    /// A digit at the 1-based character `position`.
    #[error("character {position} of a name is a digit")]
    Digit { position: usize },
    /// A control character at the 1-based character `position`.
    #[error("character {position} of a name is a control character")]
    ControlCharacter { position: usize },
    /// A middle dot at the start or end, or two in a row.
    #[error("a middle dot in a name must sit between two characters")]
    MisplacedDot,
}

impl PersonNameError {
    /// Stable reason code for API errors.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Length(_) => "length",
            Self::Digit { .. } | Self::ControlCharacter { .. } | Self::MisplacedDot => "charset",
        }
    }

    /// The explanation shown to users.
    pub fn message(&self) -> String {
        match self {
            Self::Length(n) => format!("姓名应为{MIN_CHARS}至{MAX_CHARS}个字符，实际为{n}个"),
            Self::Digit { .. } => "姓名不能包含数字".into(),
            Self::ControlCharacter { .. } => "姓名含有不可见的控制字符".into(),
            Self::MisplacedDot => "姓名中的间隔号“·”只能用在两个字之间".into(),
        }
    }
}

impl PersonName {
    /// Parses a name as typed into a form or a spreadsheet cell.
    pub fn parse(input: &str) -> Result<Self, PersonNameError> {
        let name: String = input.trim().chars().map(normalise_dot).collect();
        let count = name.chars().count();
        if !(MIN_CHARS..=MAX_CHARS).contains(&count) {
            return Err(PersonNameError::Length(count));
        }
        for (i, ch) in name.chars().enumerate() {
            if ch.is_ascii_digit() || ('０'..='９').contains(&ch) {
                return Err(PersonNameError::Digit { position: i + 1 });
            }
            if ch.is_control() {
                return Err(PersonNameError::ControlCharacter { position: i + 1 });
            }
        }
        if name.starts_with(MIDDLE_DOT) || name.ends_with(MIDDLE_DOT) || name.contains("··") {
            return Err(PersonNameError::MisplacedDot);
        }
        Ok(Self(name))
    }

    /// The name as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form shown on public pages; see [`mask_name`].
    pub fn masked(&self) -> String {
        mask_name(&self.0)
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Input methods offer several dots that look like the interpunct; store one of them.
fn normalise_dot(ch: char) -> char {
    match ch {
        '•' | '・' | '･' | '‧' | '∙' | '⋅' => MIDDLE_DOT,
        _ => ch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_the_first_and_last_character_of_longer_names() {
        assert_eq!(mask_name("张小三"), "张*三");
        assert_eq!(mask_name("欧阳小明"), "欧**明");
        assert_eq!(mask_name("巴特尔·朝鲁"), "巴****鲁");
    }

    #[test]
    fn masking_a_two_character_name_keeps_only_the_first() {
        assert_eq!(mask_name("张三"), "张*");
    }

    #[test]
    fn masking_a_single_character_hides_it_entirely() {
        assert_eq!(mask_name("张"), "*");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn masking_counts_characters_not_bytes() {
        assert_eq!(mask_name("Li"), "L*");
        assert_eq!(mask_name("王é"), "王*");
    }

    #[test]
    fn a_name_is_trimmed_and_kept() {
        let name = PersonName::parse("　张小三 ").unwrap();
        assert_eq!(name.as_str(), "张小三");
        assert_eq!(name.masked(), "张*三");
        assert_eq!(name.to_string(), "张小三");
    }

    #[test]
    fn a_minority_name_with_a_middle_dot_is_accepted() {
        assert_eq!(
            PersonName::parse("巴特尔·朝鲁").unwrap().as_str(),
            "巴特尔·朝鲁"
        );
    }

    #[test]
    fn look_alike_dots_are_stored_as_the_middle_dot() {
        for input in ["巴特尔•朝鲁", "巴特尔・朝鲁", "巴特尔･朝鲁"] {
            assert_eq!(PersonName::parse(input).unwrap().as_str(), "巴特尔·朝鲁");
        }
    }

    #[test]
    fn a_dot_at_either_end_or_doubled_is_refused() {
        for input in ["·朝鲁", "巴特尔·", "巴特尔··朝鲁"] {
            let err = PersonName::parse(input).unwrap_err();
            assert_eq!(err, PersonNameError::MisplacedDot, "{input}");
            assert_eq!(err.reason(), "charset");
        }
    }

    #[test]
    fn one_character_or_more_than_thirty_is_refused() {
        let err = PersonName::parse(" 张 ").unwrap_err();
        assert_eq!(err, PersonNameError::Length(1));
        assert_eq!(err.reason(), "length");
        assert_eq!(err.message(), "姓名应为2至30个字符，实际为1个");
        assert!(PersonName::parse(&"阿".repeat(30)).is_ok());
        assert_eq!(
            PersonName::parse(&"阿".repeat(31)),
            Err(PersonNameError::Length(31))
        );
    }

    #[test]
    fn digits_of_either_width_are_refused() {
        let err = PersonName::parse("张三3").unwrap_err();
        assert_eq!(err, PersonNameError::Digit { position: 3 });
        assert_eq!(err.reason(), "charset");
        assert_eq!(err.message(), "姓名不能包含数字");
        assert_eq!(
            PersonName::parse("张３"),
            Err(PersonNameError::Digit { position: 2 })
        );
    }

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(
            PersonName::parse("张\u{7}三"),
            Err(PersonNameError::ControlCharacter { position: 2 })
        );
        assert_eq!(
            PersonName::parse("张\n三").map_err(|e| e.reason()),
            Err("charset")
        );
    }
}
