//! Personal names: the checked [`PersonName`] newtype and the masked form (`张*三`) shown
//! on public pages.
//!
//! A name is what a resident ID card prints: Chinese characters, with the middle dot `·`
//! between the parts of a transliterated name (阿拉坦·巴特尔). Rare characters beyond the
//! 通用规范汉字表 are taken (GB 18030-2022 obliges systems to handle them) as far as the
//! certificate fonts print them: `certs/fonts/printable-ideographs.txt` lists those
//! ideographs and is compiled in here, and the certificate renderer refuses to start with
//! fonts that miss one of them. So every name that parses prints on a certificate.

use std::{fmt, sync::LazyLock};

use unicode_normalization::UnicodeNormalization;

/// The interpunct of minority and foreign names (巴特尔·朝鲁), U+00B7 as on ID cards.
const MIDDLE_DOT: char = '·';
const MIN_CHARS: usize = 2;
const MAX_CHARS: usize = 30;

/// Where Chinese characters are encoded: 〇, the CJK unified ideographs (the basic block and
/// Extensions A to I) and the compatibility block, of which only its twelve unified
/// ideographs survive normalisation (the others become their unified twins).
const IDEOGRAPH_BLOCKS: [(u32, u32); 13] = [
    (0x3007, 0x3007),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B820, 0x2CEAF),
    (0x2CEB0, 0x2EBEF),
    (0x2EBF0, 0x2EE5F),
    (0x2F800, 0x2FA1F),
    (0x30000, 0x3134F),
    (0x31350, 0x323AF),
];

/// Unicode's Default_Ignorable_Code_Point (15.0): characters that show nothing, such as
/// zero-width spaces and joiners, bidi controls and variation selectors.
const INVISIBLE: [(u32, u32); 17] = [
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
];

/// What people type where the middle dot belongs: refused with a message naming the dot.
const NOT_THE_DOT: [char; 15] = [
    '.', '。', '．', '｡', '-', '－', '‐', '‑', '–', '—', '_', '＿', '、', ',', '，',
];

/// The ideographs the certificate fonts print, as sorted inclusive ranges.
static PRINTABLE: LazyLock<Vec<(u32, u32)>> =
    LazyLock::new(|| parse_ranges(include_str!("../../certs/fonts/printable-ideographs.txt")));

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

/// A trimmed name of 2 to 30 Chinese characters that the certificate fonts print, with the
/// middle dot of names such as 巴特尔·朝鲁 between characters. It is stored in Unicode
/// normalisation form C (a compatibility ideograph becomes its unified twin), and
/// look-alike dots (`•`, `・`, `･`, `‧`, `∙`, `⋅`, `⸱`, `ꞏ`) are stored as `·`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

/// Why a string is not a person's name. Positions count characters from 1, after trimming.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonNameError {
    /// Fewer than 2 or more than 30 characters; carries the count found.
    #[error("a name has 2 to 30 characters, not {0}")]
    Length(usize),
    /// A character no name holds: a letter of another script, a digit, a symbol, an emoji.
    #[error("character {position} of a name, {ch:?}, is not a Chinese character")]
    Forbidden { ch: char, position: usize },
    /// A character that shows nothing: a control, a zero-width or bidi mark, a variation
    /// selector.
    #[error("character {position} of a name, {ch:?}, is invisible")]
    Invisible { ch: char, position: usize },
    /// A space, full stop, hyphen or comma where the middle dot belongs.
    #[error("character {position} of a name, {ch:?}, stands where a middle dot belongs")]
    NotTheDot { ch: char, position: usize },
    /// A middle dot at the start or end, or two in a row.
    #[error("a middle dot in a name must sit between two characters")]
    MisplacedDot,
    /// A Chinese character that neither certificate font has.
    #[error("character {position} of a name, {ch:?}, is not in the certificate fonts")]
    Unprintable { ch: char, position: usize },
}

impl PersonNameError {
    /// Stable reason code for API errors.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Length(_) => "length",
            Self::Unprintable { .. } => "unprintable",
            Self::Forbidden { .. }
            | Self::Invisible { .. }
            | Self::NotTheDot { .. }
            | Self::MisplacedDot => "charset",
        }
    }

    /// The explanation shown to users, naming the character at fault.
    pub fn message(&self) -> String {
        match *self {
            Self::Length(n) => format!("姓名应为{MIN_CHARS}至{MAX_CHARS}个字符，实际为{n}个"),
            Self::Forbidden { ch, .. } => format!(
                "姓名含有不能使用的字符“{ch}”({})：姓名只能由汉字和间隔号“·”组成",
                code_point(ch)
            ),
            Self::Invisible { ch, .. } => {
                format!("姓名含有看不见的字符({})，请删除后重新输入", code_point(ch))
            }
            Self::NotTheDot { ch, .. } if ch.is_whitespace() => format!(
                "姓名中间不能有空格({})；少数民族姓名各部分之间请用间隔号“·”(U+00B7)",
                code_point(ch)
            ),
            Self::NotTheDot { ch, .. } => format!(
                "姓名中的“{ch}”({})不是间隔号；少数民族姓名各部分之间请用间隔号“·”(U+00B7)",
                code_point(ch)
            ),
            Self::MisplacedDot => "姓名中的间隔号“·”只能用在两个字之间".into(),
            Self::Unprintable { ch, .. } => format!(
                "姓名中的“{ch}”({})是证书字体尚未收录的生僻字，无法打印在证书上，请联系管理员",
                code_point(ch)
            ),
        }
    }
}

impl PersonName {
    /// Parses a name as typed into a form or a spreadsheet cell.
    pub fn parse(input: &str) -> Result<Self, PersonNameError> {
        let name: String = input.trim().nfc().map(normalise_dot).collect();
        for (i, ch) in name.chars().enumerate() {
            check_character(ch, i + 1)?;
        }
        let count = name.chars().count();
        if !(MIN_CHARS..=MAX_CHARS).contains(&count) {
            return Err(PersonNameError::Length(count));
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

    /// Every character a name may hold: the fonts that print certificates must cover each.
    pub fn printable_characters() -> impl Iterator<Item = char> {
        PRINTABLE
            .iter()
            .flat_map(|&(lo, hi)| lo..=hi)
            .filter_map(char::from_u32)
            .chain([MIDDLE_DOT])
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn check_character(ch: char, position: usize) -> Result<(), PersonNameError> {
    if within(&IDEOGRAPH_BLOCKS, ch) {
        return if within(&PRINTABLE, ch) {
            Ok(())
        } else {
            Err(PersonNameError::Unprintable { ch, position })
        };
    }
    match ch {
        MIDDLE_DOT => Ok(()),
        _ if ch.is_whitespace() || NOT_THE_DOT.contains(&ch) => {
            Err(PersonNameError::NotTheDot { ch, position })
        }
        _ if ch.is_control() || within(&INVISIBLE, ch) => {
            Err(PersonNameError::Invisible { ch, position })
        }
        _ => Err(PersonNameError::Forbidden { ch, position }),
    }
}

/// Whether `ch` lies in one of `ranges`, which are sorted and do not overlap.
fn within(ranges: &[(u32, u32)], ch: char) -> bool {
    let cp = u32::from(ch);
    let i = ranges.partition_point(|&(_, hi)| hi < cp);
    ranges.get(i).is_some_and(|&(lo, _)| lo <= cp)
}

/// Reads lines of `XXXX` or `XXXX..YYYY` (hexadecimal code points); `#` starts a comment.
/// A line that does not parse is left out, so a damaged list can only refuse characters.
fn parse_ranges(text: &str) -> Vec<(u32, u32)> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter(|line| !line.is_empty())
        .filter_map(|line| {
            let (lo, hi) = line.split_once("..").unwrap_or((line, line));
            Some((
                u32::from_str_radix(lo, 16).ok()?,
                u32::from_str_radix(hi, 16).ok()?,
            ))
        })
        .collect()
}

fn code_point(ch: char) -> String {
    format!("U+{:04X}", u32::from(ch))
}

/// Input methods offer several dots that look like the interpunct; store one of them.
fn normalise_dot(ch: char) -> char {
    match ch {
        '•' | '・' | '･' | '‧' | '∙' | '⋅' | '⸱' | 'ꞏ' => MIDDLE_DOT,
        _ => ch,
    }
}

#[cfg(test)]
#[path = "names_tests.rs"]
mod tests;
