//! An e-mail address that lettre will accept as a recipient, checked once.

use crate::error::FieldError;

/// A syntactically valid address (RFC 5321 as lettre reads it), at most 254 characters,
/// kept as typed but without surrounding blanks; the domain is compared without case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// The address in `input`, or the rule it breaks under the field `field`.
    pub fn parse(input: &str, field: &str) -> Result<Self, FieldError> {
        let address = input.trim();
        let refuse = |reason: &str, message: &str| Err(FieldError::new(field, reason, message));
        if address.is_empty() {
            return refuse("required", "请填写电子邮箱地址");
        }
        if address.chars().count() > 254 {
            return refuse("too_long", "电子邮箱地址不能超过254个字符");
        }
        match address.parse::<lettre::Address>() {
            Ok(parsed) if parsed.domain().contains('.') => Ok(Self(format!(
                "{}@{}",
                parsed.user(),
                parsed.domain().to_ascii_lowercase()
            ))),
            _ => refuse("format", "电子邮箱地址格式不正确，应形如 name@example.org"),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_trimmed_and_its_domain_lowercased() {
        let a = EmailAddress::parse("  Wang.Li@Example.ORG ", "email").expect("valid");
        assert_eq!(a.as_str(), "Wang.Li@example.org");
    }

    #[test]
    fn malformed_addresses_are_refused_under_their_field() {
        for bad in [
            "",
            "wang",
            "wang@",
            "@example.org",
            "wang@localhost",
            "a b@example.org",
        ] {
            let e = EmailAddress::parse(bad, "email").expect_err(bad);
            assert_eq!(e.field, "email", "{bad}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(
            EmailAddress::parse(&long, "email")
                .expect_err("long")
                .reason,
            "too_long"
        );
    }
}
