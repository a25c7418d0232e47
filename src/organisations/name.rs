//! An organisation's name: the checked [`OrgName`] newtype, and the rule that no two
//! active organisations share one. The name is printed on certificates and shown on every
//! verification page, so nothing in it may be invisible: a control character cannot be
//! printed (issuing failed on it), and a zero-width or bidirectional mark, a blank other
//! than the plain space, or a space at either end would let one name pass for another.

use std::fmt;

use entities::organisations as organisation;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::OrgStatus;
use crate::{
    error::{AppError, FieldError},
    stored::Stored,
};

const MIN_CHARS: usize = 2;
const MAX_CHARS: usize = 100;

/// A name of 2 to 100 characters, every one of them visible, the plain space allowed only
/// between words.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgName(String);

/// Why a string is not an organisation's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgNameError {
    /// Fewer than 2 or more than 100 characters; carries the count found.
    #[error("an organisation's name has 2 to 100 characters, not {0}")]
    Length(usize),
    /// A blank at the start or the end.
    #[error("an organisation's name starts or ends with a blank")]
    Untrimmed,
    /// An invisible character at the 1-based character `position`.
    #[error("character {position} of an organisation's name is invisible (U+{:04X})", u32::from(*.character))]
    Invisible { position: usize, character: char },
}

impl OrgNameError {
    /// Stable reason code for API errors.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Length(_) => "length",
            Self::Untrimmed => "untrimmed",
            Self::Invisible { .. } => "invisible_character",
        }
    }

    /// The explanation shown to users, naming the character.
    pub fn message(&self) -> String {
        match self {
            Self::Length(n) => {
                format!("机构名称须为{MIN_CHARS}–{MAX_CHARS}个字符，实际为{n}个")
            }
            Self::Untrimmed => "机构名称首尾不能有空格或其他空白字符".into(),
            Self::Invisible {
                position,
                character,
            } => format!(
                "机构名称第{position}个字符是不可见字符 U+{:04X}（{}），请删除",
                u32::from(*character),
                kind_of(*character)
            ),
        }
    }
}

impl OrgName {
    /// Parses a name as typed. Nothing is trimmed or dropped silently: what is stored is
    /// what was typed, or the input is refused.
    pub fn parse(input: &str) -> Result<Self, OrgNameError> {
        let count = input.chars().count();
        if !(MIN_CHARS..=MAX_CHARS).contains(&count) {
            return Err(OrgNameError::Length(count));
        }
        if let Some((i, character)) = input
            .chars()
            .enumerate()
            .find(|&(_, c)| is_invisible(c) && c != ' ')
        {
            return Err(OrgNameError::Invisible {
                position: i + 1,
                character,
            });
        }
        if input.starts_with(' ') || input.ends_with(' ') {
            return Err(OrgNameError::Untrimmed);
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as a refusal of `field`, for a form.
    pub fn field_error(field: &str, err: &OrgNameError) -> FieldError {
        FieldError::new(field, err.reason(), err.message())
    }
}

impl fmt::Display for OrgName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `c` prints as nothing (or as a blank): control characters, format characters
/// (zero-width, joiners, bidirectional marks, the byte-order mark, tags), every blank,
/// the line and paragraph separators, and private-use characters (no font has them).
fn is_invisible(c: char) -> bool {
    c.is_control()
        || c.is_whitespace()
        || matches!(c,
            '\u{00A0}' | '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}'
            | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{2000}'..='\u{200F}'
            | '\u{202A}'..='\u{202F}' | '\u{205F}'..='\u{206F}' | '\u{2800}' | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}'
            | '\u{E000}'..='\u{F8FF}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}'
            | '\u{F0000}'..='\u{10FFFF}')
}

/// What kind of invisible character `c` is, in Chinese.
fn kind_of(c: char) -> &'static str {
    if c.is_control() {
        "控制字符"
    } else if c.is_whitespace() || matches!(c, '\u{00A0}' | '\u{2000}'..='\u{200A}') {
        "空白字符"
    } else if matches!(c, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{10FFFF}') {
        "私用区字符"
    } else {
        "格式字符"
    }
}

/// Refuses `name` when an active (not suspended) organisation other than `except` already
/// bears it, the bureau's included. Call after the change is written and the audit entry
/// appended: appending holds the audit head's row lock until commit, so two requests
/// racing for one name are serialised there, and the second sees the first's name.
pub async fn ensure_free(
    conn: &impl ConnectionTrait,
    name: &str,
    except: &str,
) -> Result<(), AppError> {
    let holders = organisation::Entity::find()
        .filter(organisation::Column::Name.eq(name))
        .filter(organisation::Column::Id.ne(except))
        .all(conn)
        .await?;
    for holder in holders {
        if OrgStatus::read("organisations", &holder.id, &holder.status)? != OrgStatus::Suspended {
            return Err(AppError::invalid_fields(
                "机构名称无效",
                vec![FieldError::new(
                    "name",
                    "taken",
                    format!("机构名称“{name}”已被其他机构使用"),
                )],
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ordinary_name_is_kept_as_typed() {
        for name in [
            "额尔古纳市职业技能培训中心",
            "Erguna Horse Club",
            "呼伦贝尔·草原牧家乐",
        ] {
            assert_eq!(OrgName::parse(name).unwrap().as_str(), name);
        }
    }

    #[test]
    fn a_control_character_is_refused_naming_it_and_where_it_is() {
        let err = OrgName::parse("某培训\u{7}学校").unwrap_err();
        assert_eq!(
            err,
            OrgNameError::Invisible {
                position: 4,
                character: '\u{7}'
            }
        );
        assert_eq!(err.reason(), "invisible_character");
        assert_eq!(
            err.message(),
            "机构名称第4个字符是不可见字符 U+0007（控制字符），请删除"
        );
    }

    #[test]
    fn zero_width_bidirectional_and_unusual_blank_characters_are_refused() {
        for (input, code) in [
            ("某培训\u{200B}学校", 0x200B),
            ("某培训\u{202E}学校", 0x202E),
            ("某培训\u{FEFF}学校", 0xFEFF),
            ("某培训\u{3000}学校", 0x3000),
            ("某培训\u{00A0}学校", 0xA0),
            ("某培训\n学校", 0x0A),
            ("某培训\u{E000}学校", 0xE000),
        ] {
            match OrgName::parse(input) {
                Err(OrgNameError::Invisible { character, .. }) => {
                    assert_eq!(u32::from(character), code, "{input:?}");
                }
                other => panic!("{input:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_blank_at_either_end_is_refused_rather_than_trimmed() {
        for input in [
            " 某培训学校",
            "某培训学校 ",
            "某培训学校\t",
            "\u{3000}某培训学校",
        ] {
            let err = OrgName::parse(input).unwrap_err();
            assert!(
                matches!(err.reason(), "untrimmed" | "invisible_character"),
                "{input:?}: {err:?}"
            );
        }
        assert_eq!(OrgName::parse(" 某培训学校"), Err(OrgNameError::Untrimmed));
    }

    #[test]
    fn a_name_of_one_character_or_over_a_hundred_is_refused() {
        assert_eq!(OrgName::parse("某"), Err(OrgNameError::Length(1)));
        assert!(OrgName::parse(&"某".repeat(100)).is_ok());
        assert_eq!(
            OrgName::parse(&"某".repeat(101)),
            Err(OrgNameError::Length(101))
        );
    }
}
