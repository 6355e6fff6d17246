//! Fixed-point decimals: exact, deterministic, one machine word.
//!
//! Policies compare quantities such as capacities and rates; binary floating point would make
//! `0.1 + 0.2 == 0.3` false and reports platform-dependent. A decimal is an `i64` count of
//! millionths, which covers ±9.2 × 10^12 with six fractional digits.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A decimal number stored as millionths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Decimal(pub i64);

impl Decimal {
    /// The number of millionths in one.
    pub const SCALE: i64 = 1_000_000;
    /// Fractional digits kept.
    pub const DIGITS: usize = 6;

    /// The decimal equal to an integer, or `None` if it does not fit.
    pub fn from_int(i: i64) -> Option<Decimal> {
        i.checked_mul(Self::SCALE).map(Decimal)
    }

    /// Parses `-12.5`, `3`, `0.000001`; more than six fractional digits or an out-of-range
    /// value is `None` (never silently rounded).
    pub fn parse(s: &str) -> Option<Decimal> {
        let (neg, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        if int_part.is_empty() || frac_part.len() > Self::DIGITS {
            return None;
        }
        if !int_part.bytes().all(|b| b.is_ascii_digit()) || !frac_part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if body.contains('.') && frac_part.is_empty() {
            return None;
        }
        let int: i64 = int_part.parse().ok()?;
        let mut frac: i64 = if frac_part.is_empty() { 0 } else { frac_part.parse().ok()? };
        for _ in frac_part.len()..Self::DIGITS {
            frac *= 10;
        }
        let v = int.checked_mul(Self::SCALE)?.checked_add(frac)?;
        Some(Decimal(if neg { -v } else { v }))
    }

    /// The decimal nearest to a floating-point number (used only when decoding JSON numbers
    /// that carry an exponent), or `None` when out of range or not finite.
    pub fn from_f64(f: f64) -> Option<Decimal> {
        let scaled = (f * Self::SCALE as f64).round();
        if scaled.is_finite() && scaled >= i64::MIN as f64 + 1.0 && scaled <= i64::MAX as f64 {
            Some(Decimal(scaled as i64))
        } else {
            None
        }
    }

    /// Exact product rounded toward zero to six digits; `None` on overflow.
    pub fn checked_mul(self, other: Decimal) -> Option<Decimal> {
        let p = i128::from(self.0) * i128::from(other.0) / i128::from(Self::SCALE);
        i64::try_from(p).ok().map(Decimal)
    }

    /// Quotient rounded toward zero to six digits; `None` on division by zero or overflow.
    pub fn checked_div(self, other: Decimal) -> Option<Decimal> {
        if other.0 == 0 {
            return None;
        }
        let q = i128::from(self.0) * i128::from(Self::SCALE) / i128::from(other.0);
        i64::try_from(q).ok().map(Decimal)
    }
}

impl fmt::Display for Decimal {
    /// Shortest exact form: `1.5`, `-0.25`, `3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = i128::from(self.0);
        let sign = if v < 0 { "-" } else { "" };
        let a = v.unsigned_abs();
        let int = a / Self::SCALE as u128;
        let frac = a % Self::SCALE as u128;
        if frac == 0 {
            return write!(f, "{sign}{int}");
        }
        let digits = format!("{frac:06}");
        write!(f, "{sign}{int}.{}", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::Decimal;

    #[test]
    fn parses_and_prints_exactly() {
        for (s, out) in [("1.5", "1.5"), ("-0.25", "-0.25"), ("3", "3"), ("0.000001", "0.000001"), ("10.100", "10.1")] {
            assert_eq!(Decimal::parse(s).unwrap().to_string(), out);
        }
        for bad in ["", ".5", "1.", "1.0000001", "1e3", "--1", "99999999999999999999"] {
            assert_eq!(Decimal::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn arithmetic_is_exact_to_six_digits() {
        let a = Decimal::parse("0.1").unwrap();
        let b = Decimal::parse("0.2").unwrap();
        assert_eq!(Decimal(a.0 + b.0), Decimal::parse("0.3").unwrap());
        assert_eq!(a.checked_mul(b).unwrap().to_string(), "0.02");
        assert_eq!(
            Decimal::parse("1").unwrap().checked_div(Decimal::parse("3").unwrap()).unwrap().to_string(),
            "0.333333"
        );
        assert_eq!(a.checked_div(Decimal(0)), None);
    }
}
