//! The value model: every value is one 64-bit [`Word`], interpreted by its static type.
//!
//! Types are known at compile time, so a word needs no tag. This keeps facts compact (a record
//! is a run of words) and is what a native code tier can load and compare directly.
//!
//! | type | encoding |
//! |---|---|
//! | `bool` | 0 or 1 |
//! | `int` | two's complement `i64` (`i64::MIN` is reserved) |
//! | `decimal` | millionths as `i64` |
//! | `date` | days since 1970-01-01, sign-extended |
//! | `duration` | months (high 32 bits) and days (low 32) |
//! | `string` | interned symbol |
//! | enum | variant index |
//! | record | offset of the record's header word in its heap |
//! | `list` / `set` | index of the list header (sets are sorted and de-duplicated) |
//! | `T?` | a `T`, or [`NONE`] |
//!
//! INVARIANT (none-sentinel): no encoding of a present value equals [`NONE`]. Decoding rejects
//! `i64::MIN` integers and the one duration that would collide; arithmetic that would produce
//! `i64::MIN` reports overflow.

use okite_ir::{Date, Decimal, Duration};

/// A value of any type.
pub type Word = u64;

/// The word of `none`.
pub const NONE: Word = i64::MIN as u64;

/// Encodes a bool.
pub fn from_bool(b: bool) -> Word {
    Word::from(b)
}

/// Encodes an int; `None` for the reserved `i64::MIN`.
pub fn from_int(i: i64) -> Option<Word> {
    (i != i64::MIN).then_some(i as u64)
}

/// Decodes an int.
pub fn to_int(w: Word) -> i64 {
    w as i64
}

/// Encodes a decimal; `None` for the reserved value.
pub fn from_decimal(d: Decimal) -> Option<Word> {
    from_int(d.0)
}

/// Decodes a decimal.
pub fn to_decimal(w: Word) -> Decimal {
    Decimal(w as i64)
}

/// Encodes a date.
pub fn from_date(d: Date) -> Word {
    i64::from(d.0) as u64
}

/// Decodes a date.
pub fn to_date(w: Word) -> Date {
    Date(w as i64 as i32)
}

/// Encodes a duration; `None` for the one duration that would collide with [`NONE`].
pub fn from_duration(d: Duration) -> Option<Word> {
    let w = d.to_bits();
    (w != NONE).then_some(w)
}

/// Decodes a duration.
pub fn to_duration(w: Word) -> Duration {
    Duration::from_bits(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_round_trip_and_avoid_none() {
        for i in [0, 1, -1, i64::MAX, i64::MIN + 1] {
            assert_eq!(to_int(from_int(i).unwrap_or(NONE)), i);
        }
        assert_eq!(from_int(i64::MIN), None);
        let d = Date::parse_iso("1900-02-28").unwrap_or(Date(0));
        assert_eq!(to_date(from_date(d)), d);
        assert_ne!(from_date(d), NONE);
        let dur = Duration { months: -5, days: 3 };
        assert_eq!(to_duration(from_duration(dur).unwrap_or(NONE)), dur);
        assert_eq!(from_duration(Duration { months: i32::MIN, days: 0 }), None);
    }
}
