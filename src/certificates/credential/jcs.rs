//! JSON Canonicalization Scheme (RFC 8785): the one byte form of a JSON value that is
//! hashed and signed. A thin wrapper over the `serde_jcs` crate, whose three points that
//! matter for signatures are pinned by the tests below: object keys sorted by UTF-16 code
//! units, numbers written the ECMAScript way, and non-ASCII text written as raw UTF-8.

use serde_json::Value;

/// A value that has no canonical form. `serde_json::Value` cannot hold NaN or infinity,
/// so this only happens with exotic `serde_json` features; it is still an error, never a
/// panic.
#[derive(Debug, thiserror::Error)]
#[error("JSON value has no canonical (RFC 8785) form: {0}")]
pub struct JcsError(#[from] serde_json::Error);

/// The RFC 8785 canonical UTF-8 bytes of `value`.
pub fn canonicalize(value: &Value) -> Result<Vec<u8>, JcsError> {
    Ok(serde_jcs::to_vec(value)?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn canonical(value: &Value) -> String {
        String::from_utf8(canonicalize(value).unwrap()).unwrap()
    }

    fn canonical_of_text(text: &str) -> String {
        canonical(&serde_json::from_str(text).unwrap())
    }

    #[test]
    fn keys_are_sorted_by_utf16_code_units_not_code_points() {
        // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FB33 in UTF-16
        // although its code point is larger: a code-point sort would put 😀 last.
        let value = json!({
            "\u{fb33}": 6, "\u{1f600}": 5, "\u{20ac}": 4, "\u{e9}": 3, "a": 2, "\r": 1, "1": 0
        });
        assert_eq!(
            canonical(&value),
            "{\"\\r\":1,\"1\":0,\"a\":2,\"\u{e9}\":3,\"\u{20ac}\":4,\"\u{1f600}\":5,\"\u{fb33}\":6}"
        );
    }

    #[test]
    fn rfc8785_sorting_example_gives_the_published_order() {
        let input = r#"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#;
        assert_eq!(
            canonical_of_text(input),
            concat!(
                "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",",
                "\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",",
                "\"\u{1f600}\":\"Emoji: Grinning Face\",",
                "\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
            )
        );
    }

    #[test]
    fn numbers_are_serialised_the_ecmascript_way() {
        assert_eq!(canonical(&json!(1e21)), "1e+21");
        assert_eq!(canonical(&json!(1e20)), "100000000000000000000");
        assert_eq!(canonical(&json!(0.1)), "0.1");
        assert_eq!(canonical(&json!(-0.0)), "0");
        assert_eq!(canonical(&json!(0.000001)), "0.000001");
        assert_eq!(canonical(&json!(1e-7)), "1e-7");
        assert_eq!(canonical(&json!(4.50)), "4.5");
        assert_eq!(canonical(&json!(-5)), "-5");
        assert_eq!(
            canonical_of_text(
                "[333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001]"
            ),
            "[333333333.3333333,1e+30,4.5,0.002,1e-27]"
        );
    }

    #[test]
    fn non_ascii_text_is_written_raw_and_only_controls_are_escaped() {
        let value = json!({"name": "职业技能等级证书 · 中式面点师", "c": "\u{7f}/\"\\\n\t\u{1}", "e": "é😀"});
        assert_eq!(
            canonical(&value),
            "{\"c\":\"\u{7f}/\\\"\\\\\\n\\t\\u0001\",\"e\":\"é😀\",\"name\":\"职业技能等级证书 · 中式面点师\"}"
        );
        assert!(
            !canonical(&value).contains("\\u8"),
            "Chinese must not be \\u-escaped"
        );
    }

    #[test]
    fn whitespace_and_nesting_are_normalised() {
        let text = "{ \"b\" : [ 1 , { \"z\" : true , \"y\" : null } ] , \"a\" : \"x\" }";
        assert_eq!(
            canonical_of_text(text),
            "{\"a\":\"x\",\"b\":[1,{\"y\":null,\"z\":true}]}"
        );
    }
}
