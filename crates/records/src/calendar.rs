//! Month boundaries: a record belongs to the month of its period column in England's civil
//! time (Europe/London), as NHS England's monthly statistics count them.

use jiff::civil::date;
use jiff::tz::TimeZone;

use crate::layout::Month;

fn london() -> TimeZone {
    TimeZone::get("Europe/London").expect("the time-zone database is compiled in")
}

/// The month after `m`.
pub(crate) fn next((y, m): Month) -> Month {
    if m == 12 { (y + 1, 1) } else { (y, m + 1) }
}

/// The month `n` months before `m`.
pub(crate) fn back((y, m): Month, n: u16) -> Month {
    let idx = u32::from(y) * 12 + u32::from(m) - 1 - u32::from(n);
    ((idx / 12) as u16, (idx % 12) as u8 + 1)
}

/// A month as one number, for grouping (`year * 12 + month - 1`).
pub(crate) fn index((y, m): Month) -> i32 {
    i32::from(y) * 12 + i32::from(m) - 1
}

/// The start of a London civil month, in microseconds since the epoch (UTC).
fn start_us((y, m): Month) -> i64 {
    date(y as i16, m as i8, 1)
        .at(0, 0, 0, 0)
        .to_zoned(london())
        .expect("a valid civil time")
        .timestamp()
        .as_microsecond()
}

/// `[start, end)` of a London civil month, in UTC microseconds.
pub(crate) fn bounds_us(m: Month) -> (i64, i64) {
    (start_us(m), start_us(next(m)))
}

/// Days since 1970-01-01 of a calendar date.
pub(crate) fn days(y: u16, m: u8, d: u8) -> i32 {
    let s = date(y as i16, m as i8, d as i8)
        .to_zoned(TimeZone::UTC)
        .expect("a valid date")
        .timestamp()
        .as_second();
    (s / 86_400) as i32
}

/// `[first day, first day of the next month)` in days since the epoch.
pub(crate) fn bounds_days(m: Month) -> (i32, i32) {
    let n = next(m);
    (days(m.0, m.1, 1), days(n.0, n.1, 1))
}

/// A timestamp in microseconds as `2025-04-01T10:00:00Z`.
pub(crate) fn show_us(us: i64) -> String {
    jiff::Timestamp::from_microsecond(us).map_or_else(|_| us.to_string(), |t| t.to_string())
}

/// Days since the epoch as `2025-04-30`.
pub(crate) fn show_days(d: i32) -> String {
    jiff::Timestamp::from_second(i64::from(d) * 86_400).map_or_else(
        |_| d.to_string(),
        |t| t.to_zoned(TimeZone::UTC).date().to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn london_months_follow_british_summer_time() {
        // April 2025 begins at 00:00 BST, which is 23:00 UTC on 31 March.
        let (a, b) = bounds_us((2025, 4));
        assert_eq!(show_us(a), "2025-03-31T23:00:00Z");
        assert_eq!(show_us(b), "2025-04-30T23:00:00Z");
        // January is GMT.
        assert_eq!(show_us(bounds_us((2026, 1)).0), "2026-01-01T00:00:00Z");
        assert_eq!(show_days(days(2025, 4, 30)), "2025-04-30");
        assert_eq!(bounds_days((2025, 2)).1 - bounds_days((2025, 2)).0, 28);
        assert_eq!(back((2025, 3), 12), (2024, 3));
        assert_eq!(back((2025, 1), 1), (2024, 12));
        assert!(index((2026, 1)) == index((2025, 12)) + 1);
    }
}
