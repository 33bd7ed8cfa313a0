//! Financial-year quarters as NHS England writes them: "Q1 2025/26" is April to June 2025.

use std::fmt;
use std::str::FromStr;

/// A quarter of an NHS financial year (April to March). Orders chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    /// Calendar year in which the financial year starts (2025 for 2025/26).
    pub fy_start: u16,
    /// Quarter number, 1 to 4 (Q1 = April to June).
    pub q: u8,
}

/// Why a quarter label could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a quarter like \"Q3 2025/26\": {reason}")]
pub struct QuarterParseError {
    /// The text that was offered.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Quarter {
    /// Builds a quarter, checking the quarter number.
    pub fn new(fy_start: u16, q: u8) -> Option<Self> {
        (1..=4).contains(&q).then_some(Self { fy_start, q })
    }

    /// The quarter containing a calendar month (1–12): June 2025 is Q1 2025/26.
    pub fn of_month(year: u16, month: u8) -> Option<Self> {
        if !(1..=12).contains(&month) {
            return None;
        }
        let (fy_start, q) = if month >= 4 {
            (year, (month - 4) / 3 + 1)
        } else {
            (year.checked_sub(1)?, 4)
        };
        Self::new(fy_start, q)
    }

    /// The three calendar months (year, month) of the quarter, in order.
    pub fn months(self) -> [(u16, u8); 3] {
        let first = 4 + 3 * (self.q - 1);
        std::array::from_fn(|i| {
            let m = first + i as u8;
            if m > 12 {
                (self.fy_start + 1, m - 12)
            } else {
                (self.fy_start, m)
            }
        })
    }

    /// The quarter before this one.
    pub fn previous(self) -> Self {
        if self.q == 1 {
            Self {
                fy_start: self.fy_start - 1,
                q: 4,
            }
        } else {
            Self {
                fy_start: self.fy_start,
                q: self.q - 1,
            }
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Q{} {}/{:02}",
            self.q,
            self.fy_start,
            (self.fy_start + 1) % 100
        )
    }
}

impl FromStr for Quarter {
    type Err = QuarterParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason| QuarterParseError {
            input: s.to_owned(),
            reason,
        };
        let t = s.trim();
        // The form the tool writes in its own folder names, "2025-26-Q1", is read as "Q1 2025/26".
        let slug;
        let t = match t.rsplit_once("-Q") {
            Some((fy, q)) if fy.len() == 7 && fy.as_bytes()[4] == b'-' => {
                slug = format!("Q{q} {}/{}", &fy[..4], &fy[5..]);
                slug.as_str()
            }
            _ => t,
        };
        let (q, fy) = t
            .split_once(' ')
            .ok_or_else(|| err("expected a quarter like Q1 2025/26 or 2025-26-Q1"))?;
        let q = q
            .strip_prefix('Q')
            .and_then(crate::period::digits::<u8>)
            .filter(|n| (1..=4).contains(n))
            .ok_or_else(|| err("the quarter must be Q1 to Q4"))?;
        let (start, end) = fy
            .split_once('/')
            .ok_or_else(|| err("the year must be like 2025/26"))?;
        let start: u16 = crate::period::digits(start)
            .filter(|y| (1990..=2200).contains(y))
            .ok_or_else(|| err("the first year must be four digits"))?;
        let end: u16 =
            crate::period::digits(end).ok_or_else(|| err("the second year must be two digits"))?;
        if end.to_string().len() > 2 || end != (start + 1) % 100 || fy.len() != 7 {
            return Err(err("the second year must follow the first, as in 2025/26"));
        }
        Ok(Quarter { fy_start: start, q })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_folder_form_reads_as_the_quarter() {
        let q = |s: &str| s.parse::<Quarter>().expect("quarter");
        assert_eq!(q("2025-26-Q1"), q("Q1 2025/26"));
        assert_eq!(q("2025-26-Q4"), q("Q4 2025/26"));
        for bad in ["2025-27-Q1", "2025-26-Q5", "25-26-Q1", "2025-26Q1"] {
            assert!(bad.parse::<Quarter>().is_err(), "{bad}");
        }
    }

    #[test]
    fn months_map_to_financial_quarters() {
        let q = |s: &str| s.parse::<Quarter>().expect("quarter");
        assert_eq!(Quarter::of_month(2025, 4), Some(q("Q1 2025/26")));
        assert_eq!(Quarter::of_month(2025, 6), Some(q("Q1 2025/26")));
        assert_eq!(Quarter::of_month(2025, 12), Some(q("Q3 2025/26")));
        assert_eq!(Quarter::of_month(2026, 3), Some(q("Q4 2025/26")));
        assert_eq!(Quarter::of_month(2026, 13), None);
        assert_eq!(q("Q4 2025/26").months(), [(2026, 1), (2026, 2), (2026, 3)]);
        assert_eq!(q("Q1 2025/26").months(), [(2025, 4), (2025, 5), (2025, 6)]);
        for (y, m) in q("Q3 2025/26").months() {
            assert_eq!(Quarter::of_month(y, m), Some(q("Q3 2025/26")));
        }
    }

    use super::*;

    #[test]
    fn parses_and_prints_round_trip() {
        let q: Quarter = "Q3 2025/26".parse().expect("valid");
        assert_eq!(
            q,
            Quarter {
                fy_start: 2025,
                q: 3
            }
        );
        assert_eq!(q.to_string(), "Q3 2025/26");
        assert_eq!(
            "Q4 2099/00"
                .parse::<Quarter>()
                .expect("century")
                .to_string(),
            "Q4 2099/00"
        );
    }

    #[test]
    fn rejects_malformed_labels() {
        for bad in [
            "Q5 2025/26",
            "Q1 2025/27",
            "Q1 2025",
            "2025/26",
            "Q1 25/26",
            "Q1 2025/026",
            "",
        ] {
            assert!(bad.parse::<Quarter>().is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn orders_chronologically_and_steps_back() {
        let q1: Quarter = "Q1 2025/26".parse().expect("valid");
        let q4: Quarter = "Q4 2024/25".parse().expect("valid");
        assert!(q4 < q1);
        assert_eq!(q1.previous(), q4);
    }
}
