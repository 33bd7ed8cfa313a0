//! Reporting periods as NHS England writes them ("Jun-25", "Jul 24 - Jun 25", "Q4 2024-25",
//! "Month 3 2025", "3 months to Mar-26" …), read into a typed period with a start and an end,
//! and the calendar dates they are made of.
//!
//! A period is read in the context of the quarter whose publication states it: "Year to date
//! 25/26" in a Q1 2025/26 file ends with June 2025. A label that cannot be read, or that names a
//! date which does not exist ("2025-06-31"), is an error: the caller quarantines its row.

use std::fmt;
use std::str::FromStr;

use crate::Quarter;

/// A calendar date (proleptic Gregorian), checked on construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, 1900 to 2200.
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, 1 to the month's length.
    pub day: u8,
}

/// Days in a month of a year.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

impl Date {
    /// A date, or `None` when it does not exist (the 31st of June, the 29th of February 2025).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        ((1900..=2200).contains(&year)
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day))
        .then_some(Self { year, month, day })
    }

    /// The first day of a month.
    pub fn month_start(year: u16, month: u8) -> Option<Self> {
        Self::new(year, month, 1)
    }

    /// The last day of a month.
    pub fn month_end(year: u16, month: u8) -> Option<Self> {
        Self::new(year, month, days_in_month(year, month))
    }

    /// Days since 1970-01-01 (negative before).
    fn days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    fn from_days(z: i64) -> Option<Self> {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Self::new(
            u16::try_from(y).ok()?,
            u8::try_from(m).ok()?,
            u8::try_from(d).ok()?,
        )
    }

    /// The date `n` days later (earlier for negative `n`), or `None` outside 1900 to 2200.
    pub fn add_days(self, n: i64) -> Option<Self> {
        Self::from_days(self.days() + n)
    }

    /// Days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Date) -> i64 {
        other.days() - self.days()
    }

    /// "9 September 2025".
    pub fn long(self) -> String {
        format!(
            "{} {} {}",
            self.day,
            MONTH_NAMES[usize::from(self.month) - 1],
            self.year
        )
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date that exists, written YYYY-MM-DD")]
pub struct DateParseError(pub String);

impl FromStr for Date {
    type Err = DateParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DateParseError(s.to_owned());
        let t = s.trim();
        let b = t.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err());
        }
        let n = |r: std::ops::Range<usize>| t.get(r).and_then(digits::<u16>);
        let (y, m, d) = (n(0..4), n(5..7), n(8..10));
        match (y, m, d) {
            (Some(y), Some(m), Some(d)) if m <= 12 && d <= 31 => {
                Date::new(y, m as u8, d as u8).ok_or_else(err)
            }
            _ => Err(err()),
        }
    }
}

impl Quarter {
    /// The quarter's first day (1 April 2025 for Q1 2025/26).
    pub fn start_date(self) -> Date {
        let (y, m) = self.months()[0];
        Date::month_start(y, m).expect("a quarter's months exist")
    }

    /// The quarter's last day (30 June 2025 for Q1 2025/26).
    pub fn end_date(self) -> Date {
        let (y, m) = self.months()[2];
        Date::month_end(y, m).expect("a quarter's months exist")
    }
}

/// The period a value covers, as read from its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportingPeriod {
    /// First day covered.
    pub start: Date,
    /// Last day covered; `None` for a window that runs up to the publication itself ("Latest
    /// published if awarded post August 2023": the rating in force when NHS England published).
    pub end: Option<Date>,
}

impl ReportingPeriod {
    /// The whole of a quarter.
    pub fn quarter(q: Quarter) -> Self {
        Self {
            start: q.start_date(),
            end: Some(q.end_date()),
        }
    }
}

/// Why a reporting-period label could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{label}` is not a reporting period this tool can read: {reason}")]
pub struct PeriodError {
    /// The label as given.
    pub label: String,
    /// What is wrong with it.
    pub reason: String,
}

/// The months' names in English, January first.
pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A whole number written only in ASCII digits: no sign, no space, nothing else (`+1`, ` 1`
/// and `1_0` are not numbers in a period or a date).
pub fn digits<T: FromStr>(s: &str) -> Option<T> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// A month name or its three-letter abbreviation, any case ("Jun", "june", "Sept").
fn month_number(s: &str) -> Option<u8> {
    let s = s.to_ascii_lowercase();
    if s.len() < 3 {
        return None;
    }
    MONTH_NAMES
        .iter()
        .position(|n| {
            let n = n.to_ascii_lowercase();
            n == s || n[..3] == s || (s == "sept" && n.starts_with("sep"))
        })
        .map(|i| i as u8 + 1)
}

/// A year written with two or four digits ("25", "2025").
fn year(s: &str) -> Option<u16> {
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match s.len() {
        2 => digits::<u16>(s).map(|y| 2000 + y),
        4 => digits::<u16>(s).filter(|y| (1900..=2200).contains(y)),
        _ => None,
    }
}

/// "Jun-25", "Jun 25", "June 2025": (year, month).
fn month(s: &str) -> Option<(u16, u8)> {
    let s = s.trim();
    let (m, y) = s.split_once(['-', ' '])?;
    Some((year(y.trim())?, month_number(m.trim())?))
}

/// "2025/26", "2024-25", "25/26": the financial year's first calendar year, the second part
/// checked to follow the first.
fn financial_year(s: &str) -> Option<u16> {
    let (a, b) = s.trim().split_once(['/', '-'])?;
    let first = year(a)?;
    let second: u16 = if b.len() == 2 || b.len() == 4 {
        digits(b)?
    } else {
        return None;
    };
    ((first + 1) % 100 == second % 100 && (b.len() == 2 || second == first + 1)).then_some(first)
}

/// The calendar month (year, month) of financial month `n` (1 = April) of the year starting
/// in `fy_start`.
fn financial_month(fy_start: u16, n: u8) -> Option<(u16, u8)> {
    if !(1..=12).contains(&n) {
        return None;
    }
    let m = n + 3;
    Some(if m > 12 {
        (fy_start + 1, m - 12)
    } else {
        (fy_start, m)
    })
}

fn span(from: (u16, u8), to: (u16, u8)) -> Option<ReportingPeriod> {
    let start = Date::month_start(from.0, from.1)?;
    let end = Date::month_end(to.0, to.1)?;
    (start <= end).then_some(ReportingPeriod {
        start,
        end: Some(end),
    })
}

/// "13 Feb 24": a day, a month and a year.
fn day_month_year(s: &str) -> Option<Date> {
    let mut parts = s.split_whitespace();
    let d: u8 = digits(parts.next()?)?;
    let m = month_number(parts.next()?)?;
    let y = year(parts.next()?)?;
    if parts.next().is_some() {
        return None;
    }
    Date::new(y, m, d)
}

impl ReportingPeriod {
    /// "Latest published if awarded post <month>" or "… between <date> and <date>": the
    /// window an award counts in.
    fn awarded(rest: &str, err: &dyn Fn(&str) -> PeriodError) -> Result<Self, PeriodError> {
        if let Some(m) = rest.strip_prefix("post ") {
            let (y, m) = month(m).ok_or_else(|| err("the month after \"post\" is unreadable"))?;
            let start = Date::month_end(y, m)
                .and_then(|d| d.add_days(1))
                .ok_or_else(|| err("the month after \"post\" is unreadable"))?;
            return Ok(Self { start, end: None });
        }
        if let Some(m) = rest.strip_prefix("between ") {
            let (a, b) = m
                .split_once(" and ")
                .ok_or_else(|| err("expected \"between <date> and <date>\""))?;
            let (start, end) = day_month_year(a)
                .zip(day_month_year(b))
                .ok_or_else(|| err("a date of the window does not exist"))?;
            if start > end {
                return Err(err("the window ends before it starts"));
            }
            return Ok(Self {
                start,
                end: Some(end),
            });
        }
        Err(err(
            "expected \"post <month>\" or \"between <date> and <date>\"",
        ))
    }

    /// "Year to date <financial year>": from April to the publication's quarter's end (or the
    /// year's, if sooner).
    fn year_to_date(
        fy: &str,
        quarter: Quarter,
        err: &dyn Fn(&str) -> PeriodError,
    ) -> Result<Self, PeriodError> {
        let fy = financial_year(fy).ok_or_else(|| err("the financial year is unreadable"))?;
        let start = Date::month_start(fy, 4).ok_or_else(|| err("year out of range"))?;
        let year_end = Date::month_end(fy + 1, 3).ok_or_else(|| err("year out of range"))?;
        let end = quarter.end_date().min(year_end);
        if end < start {
            return Err(err("the year starts after the publication's quarter"));
        }
        Ok(Self {
            start,
            end: Some(end),
        })
    }

    /// Reads a label in the context of the quarter whose publication states it.
    ///
    /// Forms read (case-insensitive), each as NHS England or this project's adapters write it:
    /// - blank: not stated; the publication's quarter (NHS England leaves flags such as OF5007
    ///   without a reporting date);
    /// - a month, "Jun-25", "Jun 25", "June 2025";
    /// - a span of months, "Jul 24 - Jun 25", "Apr-25 to Jun-25", and a comparison "Jun 24 - Jun
    ///   25 vs Jun 23 - Jun 24" (the period is the first, later span);
    /// - "3 months to Mar-26": the months ending with the one named;
    /// - a quarter "Q1 2025/26", "Q4 2024-25", and "Q1 2025", which NHS England writes for the
    ///   financial quarter starting in that year (inferred: it appears beside "Q1 2025/26" for
    ///   monthly A&E figures of April to June 2025);
    /// - "Month 3 2025": financial month 3 of 2025/26 (June 2025);
    /// - "To M12 2024/25 vs 2023/24": April 2024 to financial month 12 (March 2025);
    /// - a calendar year "2024"; a financial year "2025/26" or "2024-25";
    /// - "Year to date 25/26": April 2025 to the end of the publication's quarter;
    /// - "YYYY-MM-DD": one day, which must exist;
    /// - "Latest published if awarded post August 2023": from September 2023 up to the
    ///   publication; "… if awarded between 13 Feb 24 and 12 Feb 26": that window.
    pub fn parse(label: &str, quarter: Quarter) -> Result<Self, PeriodError> {
        let err = |reason: &str| PeriodError {
            label: label.to_owned(),
            reason: reason.to_owned(),
        };
        let t = label.trim();
        if t.is_empty() {
            return Ok(Self::quarter(quarter));
        }
        let lower = t.to_ascii_lowercase();
        // A comparison: the period is the first span.
        let t = match lower.find(" vs ") {
            Some(i) => t[..i].trim(),
            None => t,
        };
        let lower = t.to_ascii_lowercase();

        if let Some(rest) = lower.strip_prefix("latest published if awarded ") {
            return Self::awarded(rest, &err);
        }
        if let Some(fy) = lower.strip_prefix("year to date ") {
            return Self::year_to_date(fy, quarter, &err);
        }
        if let Some(rest) = lower.strip_prefix("to m") {
            // "To M12 2024/25"
            let (n, fy) = rest
                .split_once(' ')
                .ok_or_else(|| err("expected \"To M<n> <year>\""))?;
            let n: u8 = digits(n).ok_or_else(|| err("the month number is unreadable"))?;
            let fy = financial_year(fy).ok_or_else(|| err("the financial year is unreadable"))?;
            let to =
                financial_month(fy, n).ok_or_else(|| err("the month number must be 1 to 12"))?;
            return span((fy, 4), to).ok_or_else(|| err("year out of range"));
        }
        if let Some(rest) = lower.strip_prefix("month ") {
            // "Month 3 2025"
            let (n, y) = rest
                .split_once(' ')
                .ok_or_else(|| err("expected \"Month <n> <year>\""))?;
            let n: u8 = digits(n).ok_or_else(|| err("the month number is unreadable"))?;
            let fy = year(y)
                .or_else(|| financial_year(y))
                .ok_or_else(|| err("the year is unreadable"))?;
            let m =
                financial_month(fy, n).ok_or_else(|| err("the month number must be 1 to 12"))?;
            return span(m, m).ok_or_else(|| err("year out of range"));
        }
        if let Some((n, m)) = lower.split_once(" months to ") {
            let n: u8 = digits(n.trim())
                .filter(|n| (1..=24).contains(n))
                .ok_or_else(|| err("the number of months must be 1 to 24"))?;
            let (y, mo) = month(m).ok_or_else(|| err("the last month is unreadable"))?;
            let back = i32::from(y) * 12 + i32::from(mo) - 1 - (i32::from(n) - 1);
            let from = ((back / 12) as u16, (back % 12) as u8 + 1);
            return span(from, (y, mo)).ok_or_else(|| err("year out of range"));
        }
        if let Some(rest) = lower.strip_prefix('q') {
            let (n, y) = rest
                .split_once(' ')
                .ok_or_else(|| err("expected a quarter like Q1 2025/26"))?;
            let n: u8 = digits(n)
                .filter(|n| (1..=4).contains(n))
                .ok_or_else(|| err("the quarter must be Q1 to Q4"))?;
            let fy = financial_year(y)
                .or_else(|| year(y).filter(|_| y.len() == 4))
                .ok_or_else(|| err("the year is unreadable"))?;
            let q = Quarter::new(fy, n).ok_or_else(|| err("the quarter must be Q1 to Q4"))?;
            return Ok(Self::quarter(q));
        }
        // A span of months: "Jul 24 - Jun 25", "Apr-25 to Jun-25".
        for sep in [" to ", " - ", " – "] {
            if let Some((a, b)) = t.split_once(sep) {
                let (a, b) = month(a)
                    .zip(month(b))
                    .ok_or_else(|| err("a month of the span is unreadable"))?;
                return span(a, b).ok_or_else(|| err("the span ends before it starts"));
            }
        }
        if t.len() == 10 && t.as_bytes()[4] == b'-' {
            let d: Date = t.parse().map_err(|_| err("the date does not exist"))?;
            return Ok(Self {
                start: d,
                end: Some(d),
            });
        }
        if let Some(fy) = financial_year(t) {
            return span((fy, 4), (fy + 1, 3)).ok_or_else(|| err("year out of range"));
        }
        if t.len() == 4
            && let Some(y) = year(t)
        {
            return span((y, 1), (y, 12)).ok_or_else(|| err("year out of range"));
        }
        if let Some((y, m)) = month(t) {
            return span((y, m), (y, m)).ok_or_else(|| err("year out of range"));
        }
        Err(err(
            "no known form (a month, a span of months, a quarter, a year, \"N months to\", \"Month N\", \"Year to date\", a date)",
        ))
    }

    /// The label in the form this project writes: "Q1 2025/26" for a quarter, "Jun-25" for a
    /// month, "Jul-24 to Jun-25" for a span of whole months, "2024" or "2024/25" for a year,
    /// "from Sep-23" for a window up to the publication, else "YYYY-MM-DD to YYYY-MM-DD".
    pub fn label(&self) -> String {
        let short =
            |y: u16, m: u8| format!("{}-{:02}", &MONTH_NAMES[usize::from(m) - 1][..3], y % 100);
        let Some(end) = self.end else {
            return format!("from {}", short(self.start.year, self.start.month));
        };
        let whole_months = self.start.day == 1 && end.day == days_in_month(end.year, end.month);
        if !whole_months {
            return if self.start == end {
                self.start.to_string()
            } else {
                format!("{} to {end}", self.start)
            };
        }
        let months = (i32::from(end.year) - i32::from(self.start.year)) * 12 + i32::from(end.month)
            - i32::from(self.start.month)
            + 1;
        if months == 1 {
            return short(end.year, end.month);
        }
        if months == 3
            && let Some(q) = Quarter::of_month(self.start.year, self.start.month)
            && Self::quarter(q) == *self
        {
            return q.to_string();
        }
        if months == 12 && self.start.month == 1 {
            return self.start.year.to_string();
        }
        if months == 12 && self.start.month == 4 {
            return format!("{}/{:02}", self.start.year, (self.start.year + 1) % 100);
        }
        format!(
            "{} to {}",
            short(self.start.year, self.start.month),
            short(end.year, end.month)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quarter {
        s.parse().expect("valid")
    }

    fn d(s: &str) -> Date {
        s.parse().expect("valid")
    }

    fn p(label: &str) -> ReportingPeriod {
        ReportingPeriod::parse(label, q("Q1 2025/26")).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn every_form_nhs_england_writes_is_read() {
        let cases = [
            ("Jun-25", "2025-06-01", "2025-06-30"),
            ("Mar-26", "2026-03-01", "2026-03-31"),
            ("Jul 24 - Jun 25", "2024-07-01", "2025-06-30"),
            ("Apr 24 - Mar 25", "2024-04-01", "2025-03-31"),
            ("Apr-25 to Jun-25", "2025-04-01", "2025-06-30"),
            (
                "Jun 24 - Jun 25 vs Jun 23 - Jun 24",
                "2024-06-01",
                "2025-06-30",
            ),
            (
                "Jan 25 - Dec 25 vs Jan 24 - Dec 24",
                "2025-01-01",
                "2025-12-31",
            ),
            ("Q4 2024-25", "2025-01-01", "2025-03-31"),
            ("Q1 2025/26", "2025-04-01", "2025-06-30"),
            ("Q1 2025", "2025-04-01", "2025-06-30"),
            ("Month 3 2025", "2025-06-01", "2025-06-30"),
            ("Month 9 2025", "2025-12-01", "2025-12-31"),
            ("To M12 2024/25 vs 2023/24", "2024-04-01", "2025-03-31"),
            ("2024", "2024-01-01", "2024-12-31"),
            ("2023/24", "2023-04-01", "2024-03-31"),
            ("2025/26", "2025-04-01", "2026-03-31"),
            ("3 months to Mar-26", "2026-01-01", "2026-03-31"),
            ("3 months to Feb-26", "2025-12-01", "2026-02-28"),
            ("Year to date 25/26", "2025-04-01", "2025-06-30"),
            ("", "2025-04-01", "2025-06-30"),
            ("2025-06-30", "2025-06-30", "2025-06-30"),
            (
                "Latest published if awarded between 13 Feb 24 and 12 Feb 26",
                "2024-02-13",
                "2026-02-12",
            ),
        ];
        for (label, start, end) in cases {
            let got = p(label);
            assert_eq!((got.start, got.end), (d(start), Some(d(end))), "{label}");
        }
        let window = p("Latest published if awarded post August 2023");
        assert_eq!((window.start, window.end), (d("2023-09-01"), None));
    }

    #[test]
    fn year_to_date_ends_with_the_publications_quarter() {
        let got = ReportingPeriod::parse("Year to date 25/26", q("Q3 2025/26")).expect("valid");
        assert_eq!(got.end, Some(d("2025-12-31")));
    }

    #[test]
    fn unreadable_labels_and_dates_that_do_not_exist_are_errors() {
        for bad in [
            "2025-06-31",
            "2025-02-29",
            "Jum-25",
            "Q5 2025/26",
            "Q1 2025/27",
            "Month 13 2025",
            "Jun 25 - Jan 25",
            "soon",
            "Latest published if awarded post Smarch 2023",
            "Latest published if awarded between 30 Feb 24 and 12 Feb 26",
            "0 months to Mar-26",
            // Sign characters are not digits (issue 27: these read as Q1 2025/26 before).
            "Q+1 2025/26",
            "Q1 2025/+6",
            "Q1 +025/26",
            "2025-06-+1",
            "+025-06-01",
            "Month +3 2025",
            "To M+3 2025/26",
            "+3 months to Mar-26",
            "Jun-+5",
            "Latest published if awarded between +3 Feb 24 and 12 Feb 26",
        ] {
            assert!(
                ReportingPeriod::parse(bad, q("Q1 2025/26")).is_err(),
                "{bad}"
            );
        }
        for bad in ["Q+1 2025/26", "Q1 2025/+6", "2025-+6-Q1", "Q1 +025/26"] {
            assert!(bad.parse::<Quarter>().is_err(), "{bad}");
        }
        assert!("2025-06-+1".parse::<Date>().is_err());
        assert!("2024-02-29".parse::<Date>().is_ok());
        assert!("2100-02-29".parse::<Date>().is_err());
    }

    #[test]
    fn labels_are_written_in_one_form() {
        for (label, want) in [
            ("Q1 2025", "Q1 2025/26"),
            ("Q4 2024-25", "Q4 2024/25"),
            ("Jun-25", "Jun-25"),
            ("Jul 24 - Jun 25", "Jul-24 to Jun-25"),
            ("2024", "2024"),
            ("2024-25", "2024/25"),
            ("3 months to Mar-26", "Q4 2025/26"),
            (
                "Latest published if awarded post August 2023",
                "from Sep-23",
            ),
        ] {
            assert_eq!(p(label).label(), want, "{label}");
        }
    }

    #[test]
    fn day_arithmetic_round_trips() {
        let a = d("2025-06-30");
        assert_eq!(a.add_days(71), Some(d("2025-09-09")));
        assert_eq!(a.days_until(d("2025-09-09")), 71);
        assert_eq!(d("2024-02-28").add_days(1), Some(d("2024-02-29")));
        assert_eq!(d("2025-12-31").add_days(1), Some(d("2026-01-01")));
        assert_eq!(d("2025-09-09").long(), "9 September 2025");
    }

    #[test]
    fn quarters_know_their_dates() {
        assert_eq!(q("Q4 2025/26").end_date(), d("2026-03-31"));
        assert_eq!(q("Q2 2025/26").start_date(), d("2025-07-01"));
    }
}
