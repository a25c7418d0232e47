//! Money, shared by orders and apprenticeship subsidies: stored as integer fen, written in
//! the API as a decimal string of yuan (`"4500"`, `"4500.5"` or `"4500.50"` in; always
//! `"4500.00"` out).

use std::fmt;

/// An amount of money in fen (分), never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Fen(pub i64);

/// The most any amount may be: 1 亿元.
const MAX_FEN: i64 = 100_000_000 * 100;

impl Fen {
    /// Parses yuan with at most two decimals, between 0.01 and 100,000,000.
    pub fn parse_yuan(text: &str) -> Option<Self> {
        let text = text.trim();
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || whole.len() > 9 || !digits(whole) || frac.len() > 2 || !digits(frac)
        {
            return None;
        }
        if text.contains('.') && frac.is_empty() {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let frac: i64 = format!("{frac:0<2}").parse().ok()?;
        let fen = whole * 100 + frac;
        (1..=MAX_FEN).contains(&fen).then_some(Self(fen))
    }

    /// `percent` % of this amount, rounded down to the fen.
    pub fn share(self, percent: i32) -> Self {
        Self(self.0 * i64::from(percent) / 100)
    }

    pub fn yuan(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_parse_to_fen_and_print_with_two_decimals() {
        assert_eq!(Fen::parse_yuan("4500"), Some(Fen(450_000)));
        assert_eq!(Fen::parse_yuan("4500.5"), Some(Fen(450_050)));
        assert_eq!(Fen::parse_yuan(" 0.01 "), Some(Fen(1)));
        assert_eq!(Fen(450_050).to_string(), "4500.50");
        assert_eq!(Fen(7).to_string(), "0.07");
        assert_eq!(Fen(-7).to_string(), "-0.07");
        for bad in [
            "",
            "0",
            "-1",
            "1.234",
            "1.",
            ".5",
            "1e3",
            "１２",
            "1000000001",
        ] {
            assert_eq!(Fen::parse_yuan(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_share_rounds_down_to_the_fen() {
        assert_eq!(Fen(1_234_567).share(70), Fen(864_196));
        assert_eq!(Fen(1_234_567).share(30), Fen(370_370));
    }
}
