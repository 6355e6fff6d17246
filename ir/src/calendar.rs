//! Dates and durations as the language sees them.
//!
//! A [`Date`] is a day number (days since 1970-01-01, proleptic Gregorian), so comparisons and
//! day arithmetic are integer operations. A [`Duration`] keeps months and days apart because
//! calendar arithmetic needs them apart: `as_of - 1y` is the same day one year earlier, not 365
//! days earlier. Durations *compare* by nominal length (a month is 30.4375 days), which makes
//! `12m == 1y` and `3m > 90d`, the answers an officer expects.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar date, stored as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date(pub i32);

/// The earliest and latest years a date may have; far beyond any real fact, small enough that
/// every day number and every month count fits comfortably in an `i32`.
pub const MIN_YEAR: i32 = 1;
/// See [`MIN_YEAR`].
pub const MAX_YEAR: i32 = 9999;

impl Date {
    /// The date for a year, month (1–12) and day (1–31), or `None` when there is no such day.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// Year, month and day of this date.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// Parses `YYYY-MM-DD` exactly (no time, no zone).
    pub fn parse_iso(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let mut v = 0u32;
            for &c in b.get(r)? {
                if !c.is_ascii_digit() {
                    return None;
                }
                v = v * 10 + u32::from(c - b'0');
            }
            Some(v)
        };
        let year = i32::try_from(num(0..4)?).ok()?;
        Date::from_ymd(year, num(5..7)?, num(8..10)?)
    }

    /// Adds a calendar duration: months first (clamping to the end of the month, so
    /// 2024-03-31 - 1m is 2024-02-29), then days. `None` when the result leaves the supported
    /// range.
    pub fn checked_add(self, d: Duration) -> Option<Date> {
        let (y, m, day) = self.ymd();
        let total = i64::from(y) * 12 + i64::from(m) - 1 + i64::from(d.months);
        let ny = i32::try_from(total.div_euclid(12)).ok()?;
        let nm = u32::try_from(total.rem_euclid(12) + 1).ok()?;
        if !(MIN_YEAR..=MAX_YEAR).contains(&ny) {
            return None;
        }
        let nd = day.min(days_in_month(ny, nm));
        let base = days_from_civil(ny, nm, nd);
        let out = base.checked_add(d.days)?;
        let out = Date(out);
        let (oy, _, _) = out.ymd();
        (MIN_YEAR..=MAX_YEAR).contains(&oy).then_some(out)
    }

    /// Subtracts a calendar duration; see [`Date::add`].
    pub fn checked_sub(self, d: Duration) -> Option<Date> {
        self.checked_add(Duration { months: d.months.checked_neg()?, days: d.days.checked_neg()? })
    }

    /// The Japanese fiscal year (年度) the date falls in: April to March, named by the year
    /// it starts in.
    pub fn fiscal_year(self) -> i32 {
        let (y, m, _) = self.ymd();
        if m >= 4 { y } else { y - 1 }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// Whether `year` is a leap year in the Gregorian calendar.
pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days in a month of a year.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days: exact, branch-light integer algorithms.
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A calendar duration: whole months plus days. `1y` is twelve months, `2w` fourteen days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Duration {
    /// Whole months (a year is twelve).
    pub months: i32,
    /// Days on top of the months.
    pub days: i32,
}

impl Duration {
    /// A duration of whole days.
    pub const fn days(days: i32) -> Duration {
        Duration { months: 0, days }
    }

    /// A duration of whole months.
    pub const fn months(months: i32) -> Duration {
        Duration { months, days: 0 }
    }

    /// The nominal length in sixteenths of a day (a month is 30.4375 = 487/16 days), the key
    /// by which durations compare.
    pub fn nominal_sixteenths(self) -> i64 {
        i64::from(self.months) * 487 + i64::from(self.days) * 16
    }

    /// Parses a duration literal such as `90d`, `2w`, `6m` or `1y`.
    pub fn parse_literal(s: &str) -> Option<Duration> {
        let (num, unit) = s.split_at(s.len().checked_sub(1)?);
        let n: i32 = num.parse().ok()?;
        match unit {
            "d" => Some(Duration::days(n)),
            "w" => n.checked_mul(7).map(Duration::days),
            "m" => Some(Duration::months(n)),
            "y" => n.checked_mul(12).map(Duration::months),
            _ => None,
        }
    }

    /// Packs the duration into one 64-bit word (months high, days low).
    pub fn to_bits(self) -> u64 {
        (u64::from(self.months as u32) << 32) | u64::from(self.days as u32)
    }

    /// Unpacks [`Duration::to_bits`].
    pub fn from_bits(bits: u64) -> Duration {
        Duration { months: (bits >> 32) as u32 as i32, days: bits as u32 as i32 }
    }
}

impl fmt::Display for Duration {
    /// The canonical literal form: `1y`, `18m`, `90d`, `1y30d`; zero is `0d`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Duration { months, days } = *self;
        if months == 0 && days == 0 {
            return f.write_str("0d");
        }
        if months != 0 {
            if months % 12 == 0 {
                write!(f, "{}y", months / 12)?;
            } else {
                write!(f, "{months}m")?;
            }
        }
        if days != 0 {
            if days % 7 == 0 && months == 0 {
                write!(f, "{}w", days / 7)?;
            } else {
                write!(f, "{days}d")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_day_of_a_leap_century() {
        let start = Date::from_ymd(1999, 12, 31).unwrap();
        for n in 0..(366 * 101) {
            let d = Date(start.0 + n);
            let (y, m, day) = d.ymd();
            assert_eq!(Date::from_ymd(y, m, day), Some(d));
            assert_eq!(Date::parse_iso(&d.to_string()), Some(d));
        }
    }

    #[test]
    fn calendar_arithmetic_clamps_to_month_end() {
        let d = Date::parse_iso("2024-03-31").unwrap();
        assert_eq!(d.checked_sub(Duration::months(1)).unwrap().to_string(), "2024-02-29");
        assert_eq!(d.checked_sub(Duration::months(12)).unwrap().to_string(), "2023-03-31");
        let leap = Date::parse_iso("2024-02-29").unwrap();
        assert_eq!(leap.checked_add(Duration::months(12)).unwrap().to_string(), "2025-02-28");
        assert_eq!(d.checked_add(Duration::days(1)).unwrap().to_string(), "2024-04-01");
    }

    #[test]
    fn rejects_impossible_dates() {
        for s in ["2023-02-29", "2024-13-01", "2024-00-10", "0000-01-01", "2024-1-01", "abcd-ef-gh"] {
            assert_eq!(Date::parse_iso(s), None, "{s}");
        }
    }

    #[test]
    fn durations_compare_nominally_and_print_canonically() {
        let y = Duration::parse_literal("1y").unwrap();
        assert_eq!(y.nominal_sixteenths(), Duration::months(12).nominal_sixteenths());
        assert!(Duration::months(3).nominal_sixteenths() > Duration::days(90).nominal_sixteenths());
        assert_eq!(Duration::parse_literal("2w").unwrap().to_string(), "2w");
        assert_eq!(Duration::months(18).to_string(), "18m");
        assert_eq!(Duration::from_bits(Duration { months: -3, days: 7 }.to_bits()), Duration { months: -3, days: 7 });
    }

    #[test]
    fn fiscal_year_starts_in_april() {
        assert_eq!(Date::parse_iso("2025-03-31").unwrap().fiscal_year(), 2024);
        assert_eq!(Date::parse_iso("2025-04-01").unwrap().fiscal_year(), 2025);
    }
}
