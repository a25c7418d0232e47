//! Tests of citizen ID parsing, completion, masking and the facts the number encodes,
//! taken from GB 11643's worked examples and its edge cases.

use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn today() -> NaiveDate {
    day(2026, 11, 26)
}

fn parse(input: &str) -> Result<CitizenId, CitizenIdError> {
    CitizenId::parse_on(input, today())
}

/// 17 leading digits and their check character, whether or not the date is valid.
fn with_check(prefix: &str) -> String {
    format!("{prefix}{}", CitizenId::check_character_of(prefix).unwrap())
}

#[test]
fn the_standards_worked_examples_are_valid() {
    for id in ["11010519491231002X", "440524188001010014"] {
        assert_eq!(parse(id).map(|c| c.as_str().to_owned()), Ok(id.to_owned()));
    }
}

#[test]
fn completing_the_standards_worked_examples_gives_their_check_characters() {
    for id in ["11010519491231002X", "440524188001010014"] {
        let completed = CitizenId::complete(&id[..17]).map(|c| c.as_str().to_owned());
        assert_eq!(completed, Some(id.to_owned()));
    }
}

#[test]
fn completing_refuses_what_is_not_seventeen_digits_of_a_real_birth_date() {
    assert_eq!(CitizenId::complete("1101051949123100"), None);
    assert_eq!(CitizenId::complete("110105194912310021"), None);
    assert_eq!(CitizenId::complete("11010519491231００2"), None);
    assert_eq!(CitizenId::complete("1101051949123100X"), None);
    assert_eq!(CitizenId::complete("15078420000230123"), None);
    assert_eq!(CitizenId::complete("15078430000101123"), None);
    assert_eq!(
        CitizenId::check_character_of("15078430000101123"),
        Some('1')
    );
    assert_eq!(CitizenId::check_character_of("1101051949123100X"), None);
}

#[test]
fn a_wrong_check_character_is_refused_and_the_right_one_named() {
    let err = parse("110105194912310021").unwrap_err();
    assert_eq!(err, CitizenIdError::CheckCharacter { expected: 'X' });
    assert_eq!(err.reason(), "check_character");
    assert_eq!(err.message(), "身份证号码校验位不正确");
}

#[test]
fn lower_case_and_full_width_x_are_accepted_and_stored_as_x() {
    for input in ["11010519491231002x", "11010519491231002Ｘ"] {
        assert_eq!(parse(input).unwrap().as_str(), "11010519491231002X");
    }
}

#[test]
fn full_width_digits_and_surrounding_spaces_are_accepted() {
    let id = parse("　１１０１０５１９４９１２３１００２Ｘ ").unwrap();
    assert_eq!(id.as_str(), "11010519491231002X");
}

#[test]
fn the_thirtieth_of_february_is_refused() {
    let err = parse(&with_check("15078420000230123")).unwrap_err();
    assert_eq!(err, CitizenIdError::BirthDate);
    assert_eq!(err.reason(), "birth_date");
    assert_eq!(err.message(), "身份证号码中的出生日期无效");
}

#[test]
fn a_leap_day_is_accepted_only_in_a_leap_year() {
    assert!(parse(&with_check("15078420000229123")).is_ok());
    assert_eq!(
        parse(&with_check("15078419000229123")),
        Err(CitizenIdError::BirthDate)
    );
}

#[test]
fn a_birth_date_after_today_is_refused_but_today_is_accepted() {
    let err = parse(&with_check("15078420261127123")).unwrap_err();
    assert_eq!(err, CitizenIdError::FutureBirthDate);
    assert_eq!(err.reason(), "future_birth_date");
    assert!(parse(&with_check("15078420261126123")).is_ok());
}

#[test]
fn an_implausibly_early_year_is_refused() {
    assert_eq!(
        parse(&with_check("15078407990101123")),
        Err(CitizenIdError::BirthDate)
    );
}

#[test]
fn wrong_length_is_refused_with_the_count() {
    let err = parse("11010519491231002").unwrap_err();
    assert_eq!(err, CitizenIdError::Length(17));
    assert_eq!(err.reason(), "length");
    assert_eq!(err.message(), "身份证号码应为18位，实际为17位");
    assert_eq!(parse(""), Err(CitizenIdError::Length(0)));
    assert_eq!(
        parse("11010519491231002X1"),
        Err(CitizenIdError::Length(19))
    );
}

#[test]
fn letters_are_refused_where_digits_belong() {
    let err = parse("1101051949123100XX").unwrap_err();
    assert_eq!(err, CitizenIdError::NotDigits { position: 17 });
    assert_eq!(err.reason(), "charset");
    assert_eq!(
        parse("11甲105194912310021"),
        Err(CitizenIdError::NotDigits { position: 3 })
    );
    assert_eq!(
        parse("11010519491231002A"),
        Err(CitizenIdError::NotDigits { position: 18 })
    );
    assert_eq!(
        parse("11010519491231002甲"),
        Err(CitizenIdError::NotDigits { position: 18 })
    );
}

#[test]
fn the_masked_form_keeps_the_first_six_and_last_four_characters() {
    let id = parse(&with_check("15078419900101123")).unwrap();
    assert_eq!(
        id.masked(),
        format!("150784********123{}", &id.as_str()[17..])
    );
    assert_eq!(
        parse("11010519491231002X").unwrap().masked(),
        "110105********002X"
    );
}

#[test]
fn debug_output_never_shows_the_full_number() {
    let id = parse("11010519491231002X").unwrap();
    let printed = format!("{id:?}");
    assert!(!printed.contains("11010519491231002X"));
    assert!(printed.contains("110105********002X"));
}

#[test]
fn the_seventeenth_digit_gives_the_gender() {
    // 11010519491231002X: 17th digit 2, even.
    assert_eq!(
        parse("11010519491231002X").unwrap().gender(),
        Gender::Female
    );
    // 440524188001010014: 17th digit 1, odd.
    assert_eq!(parse("440524188001010014").unwrap().gender(), Gender::Male);
    assert_eq!(Gender::Male.label(), "男");
    assert_eq!(Gender::Female.as_str(), "female");
    assert_eq!(Gender::parse("male"), Some(Gender::Male));
    assert_eq!(Gender::parse("男"), None);
}

#[test]
fn the_birth_date_is_read_from_positions_seven_to_fourteen() {
    assert_eq!(
        parse("11010519491231002X").unwrap().birth_date(),
        day(1949, 12, 31)
    );
}

#[test]
fn age_counts_a_year_only_once_the_birthday_is_reached() {
    let id = parse(&with_check("15078420000615123")).unwrap();
    assert_eq!(id.age_on(day(2016, 6, 14)), 15);
    assert_eq!(id.age_on(day(2016, 6, 15)), 16);
    assert_eq!(id.age_on(day(2041, 1, 1)), 40);
    assert_eq!(id.age_on(day(1999, 1, 1)), 0);
}

#[test]
fn a_leap_day_birthday_is_reached_on_the_first_of_march_in_common_years() {
    let id = parse(&with_check("15078420000229123")).unwrap();
    assert_eq!(id.age_on(day(2018, 2, 28)), 17);
    assert_eq!(id.age_on(day(2018, 3, 1)), 18);
}

#[test]
fn gender_uses_snake_case_in_serde() {
    use serde::de::{IntoDeserializer, value::Error};
    let female: Result<Gender, Error> = Gender::deserialize("female".into_deserializer());
    assert_eq!(female, Ok(Gender::Female));
}
