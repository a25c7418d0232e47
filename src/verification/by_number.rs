//! Look-up by certificate number, for a verifier holding the paper (a damaged QR code, a
//! photocopy): the number plus the holder's name exactly as printed lead to the same
//! verdict as the QR code. A number alone reveals nothing — an unknown number and a wrong
//! name get the same answer — and a number's shape is checked before anything is read.

use chrono::{DateTime, FixedOffset};
use entities::{certificates as certificate, people as person, person_corrections as correction};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{
    corrections::CorrectedField,
    error::{AppError, FieldError},
    people::PersonName,
    stored::Stored,
};

/// The longest number anyone could mean (the registry's own are 22 characters).
const MAX_TYPED: usize = 64;

/// The kinds' letters in the registry's own numbers (`150784-JY-2026-000123`).
const KIND_LETTERS: [&str; 5] = ["JY", "ZX", "DJ", "ZR", "XT"];

/// What a verifier typed: a number and the holder's name.
#[derive(Debug, Clone)]
pub struct NumberQuery {
    pub number: String,
    pub name: String,
}

/// The number as the registry stores it: spaces dropped, full-width characters (typed on
/// a phone's Chinese keyboard) made half-width, letters upper case; refused unless it has
/// the shape of a 职业技能等级证书 number (人社鉴发〔2019〕2号, 22 characters) or of the
/// registry's own.
pub fn parse_number(typed: &str) -> Result<String, FieldError> {
    let number: String = typed
        .chars()
        .take(MAX_TYPED + 1)
        .filter(|c| !c.is_whitespace())
        .map(half_width)
        .collect::<String>()
        .to_uppercase();
    if number.is_empty() {
        return Err(FieldError::new("number", "required", "请填写证书编号"));
    }
    let national = number.starts_with(['S', 'Y']);
    if national {
        if national_shape(&number) {
            return Ok(number);
        }
        return Err(FieldError::new(
            "number",
            "format",
            "职业技能等级证书编号为22位：S或Y加21位数字（第16位是等级，1–5），请核对证书上的编号",
        ));
    }
    if own_shape(&number) {
        return Ok(number);
    }
    Err(FieldError::new(
        "number",
        "format",
        "证书编号格式不正确：应如 150784-JY-2026-000123，或职业技能等级证书的22位编号",
    ))
}

fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '—' | '–' => '-',
        other => other,
    }
}

/// `S`/`Y` + 4-digit organisation code + province + 6-digit site + 2-digit year + level
/// digit 1–5 + 6-digit serial.
fn national_shape(number: &str) -> bool {
    let bytes = number.as_bytes();
    bytes.len() == 22
        && bytes[1..].iter().all(u8::is_ascii_digit)
        && (b'1'..=b'5').contains(&bytes[15])
}

/// Region code, kind letters, year, serial: `150784-JY-2026-000123`.
fn own_shape(number: &str) -> bool {
    let parts: Vec<&str> = number.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    matches!(parts.as_slice(), [region, kind, year, serial]
        if digits(region, 6) && KIND_LETTERS.contains(kind) && digits(year, 4) && digits(serial, 6))
}

/// Checks both fields; every refusal names its field.
pub fn parse(number: &str, name: &str) -> Result<NumberQuery, AppError> {
    let mut fields = Vec::new();
    let number = parse_number(number).map_err(|f| fields.push(f)).ok();
    let name = if name.trim().is_empty() {
        fields.push(FieldError::new(
            "name",
            "required",
            "请填写持证人姓名（与证书上印的完全一致）",
        ));
        None
    } else {
        match PersonName::parse(name) {
            Ok(name) => Some(name.as_str().to_owned()),
            Err(e) => {
                fields.push(FieldError::new("name", e.reason(), e.message()));
                None
            }
        }
    };
    match (number, name) {
        (Some(number), Some(name)) if fields.is_empty() => Ok(NumberQuery { number, name }),
        _ => Err(AppError::invalid_fields("查询条件无效", fields)),
    }
}

/// The key of the number's budget of tries (shared with the holder match's limiters,
/// apart from its tokens).
pub fn budget_key(query: &NumberQuery) -> String {
    format!("number:{}", query.number)
}

/// A certificate found by number and name.
#[derive(Debug, Clone)]
pub struct Found {
    pub id: String,
    /// Its verification token (the QR code's).
    pub token: String,
}

/// The certificate with this number whose paper prints this name; `None` for an unknown
/// number and for a wrong name alike.
pub async fn token_of(
    conn: &impl ConnectionTrait,
    query: &NumberQuery,
) -> Result<Option<Found>, AppError> {
    let found: Option<(String, String, String, DateTime<FixedOffset>)> =
        certificate::Entity::find()
            .select_only()
            .columns([
                certificate::Column::Id,
                certificate::Column::Token,
                certificate::Column::PersonId,
                certificate::Column::IssuedAt,
            ])
            .filter(certificate::Column::Number.eq(&query.number))
            .into_tuple()
            .one(conn)
            .await?;
    let Some((id, token, person_id, issued_at)) = found else {
        return Ok(None);
    };
    let printed = printed_name(conn, &person_id, issued_at).await?;
    Ok((printed.as_deref() == Some(query.name.as_str())).then_some(Found { id, token }))
}

/// The name a certificate issued at `issued_at` prints: the name the person bore then —
/// the old name of the first name correction made after it, or the name now.
async fn printed_name(
    conn: &impl ConnectionTrait,
    person_id: &str,
    issued_at: DateTime<FixedOffset>,
) -> Result<Option<String>, AppError> {
    let later: Option<Option<String>> = correction::Entity::find()
        .select_only()
        .column(correction::Column::OldValue)
        .filter(correction::Column::PersonId.eq(person_id))
        .filter(correction::Column::Field.eq(CorrectedField::Name.as_str()))
        .filter(correction::Column::CorrectedAt.gt(issued_at))
        .order_by_asc(correction::Column::CorrectedAt)
        .into_tuple()
        .one(conn)
        .await?;
    if let Some(old) = later {
        return Ok(old);
    }
    let name: Option<String> = person::Entity::find_by_id(person_id.to_owned())
        .select_only()
        .column(person::Column::Name)
        .into_tuple()
        .one(conn)
        .await?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_tidied_and_checked_for_their_shape() {
        assert_eq!(
            parse_number(" １５０７８４－jy－2026－000123 ").unwrap(),
            "150784-JY-2026-000123"
        );
        assert_eq!(
            parse_number("S0815 15 150784 26 4 000001").unwrap(),
            "S081515150784264000001"
        );
        for bad in [
            "S08151515078426400000",  // 21 characters
            "S081515150784269000001", // level 9
            "Y08151515078426400000X",
        ] {
            assert_eq!(parse_number(bad).unwrap_err().field, "number", "{bad}");
            assert!(parse_number(bad).unwrap_err().message.contains("22位"));
        }
        for bad in [
            "150784-AB-2026-000123",
            "150784-JY-26-000123",
            "abc",
            "150784",
        ] {
            assert!(
                parse_number(bad)
                    .unwrap_err()
                    .message
                    .contains("格式不正确"),
                "{bad}"
            );
        }
        assert_eq!(parse_number("  ").unwrap_err().reason, "required");
        assert!(parse_number(&"1".repeat(10_000)).is_err());
    }

    #[test]
    fn both_fields_are_named_when_both_are_wrong() {
        let AppError::Invalid { fields, .. } = parse("x", "").unwrap_err() else {
            panic!("invalid");
        };
        let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(named, ["number", "name"]);
    }
}
