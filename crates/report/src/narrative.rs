//! Plain-English pieces every document's prose shares: months and quarters, ordinals,
//! percentiles, counts in words, lists joined with "and", numbers with thousands separators.

use league_model::Quarter;

pub(crate) const MONTHS: [&str; 12] = [
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

/// "April to June 2025" for a quarter (the Analysis Function's date style, never "Q1").
pub fn quarter_months(q: Quarter) -> String {
    let [a, _, c] = q.months();
    if a.0 == c.0 {
        format!(
            "{} to {} {}",
            MONTHS[usize::from(a.1) - 1],
            MONTHS[usize::from(c.1) - 1],
            c.0
        )
    } else {
        format!(
            "{} {} to {} {}",
            MONTHS[usize::from(a.1) - 1],
            a.0,
            MONTHS[usize::from(c.1) - 1],
            c.0
        )
    }
}

/// "2.5th", "97.5th", "50th".
pub(crate) fn percentile_label(p: f64) -> String {
    if p.fract() == 0.0 && p >= 0.0 {
        ordinal(p as u32)
    } else {
        format!("{p}th")
    }
}

/// "one", "two", ... for small counts in prose; digits beyond ten.
pub(crate) fn count_word(n: usize) -> String {
    const W: [&str; 11] = [
        "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    W.get(n).map_or_else(|| n.to_string(), |w| (*w).to_owned())
}

/// A segment cut-point as configured or computed, never rounded so that it contradicts the
/// table: "2.605" (the cut between 2.60 in segment 3 and 2.61 in segment 4), "2.07".
pub(crate) fn cut_label(cut: f64) -> String {
    let three = format!("{cut:.3}");
    match three.strip_suffix('0') {
        Some(two) => two.to_owned(),
        None => three,
    }
}

/// A number to at most two places, without trailing zeros ("16", "16.33").
pub(crate) fn trim_number(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// "one metric", "three metrics": a count in words with its noun.
pub(crate) fn counted(n: usize, noun: &str) -> String {
    format!("{} {noun}{}", count_word(n), if n == 1 { "" } else { "s" })
}

/// "a, b and c".
pub(crate) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// "1,234".
pub(crate) fn thousands(n: u32) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "2025_26_q1": a quarter in a machine-readable column name.
pub(crate) fn quarter_key(q: Quarter) -> String {
    format!("{}_{:02}_q{}", q.fy_start, (q.fy_start + 1) % 100, q.q)
}

pub(crate) fn fmt_weight(w: f64) -> String {
    if (w - 1.0 / 3.0).abs() < 1e-9 {
        "one third".to_owned()
    } else if (w - 0.5).abs() < 1e-9 {
        "one half".to_owned()
    } else {
        format!("{w}")
    }
}

/// "1st", "22nd", "113th".
pub(crate) fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A figure to two decimal places.
pub(crate) fn fmt2(v: f64) -> String {
    format!("{v:.2}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_points_keep_their_third_place() {
        assert_eq!(cut_label(2.605), "2.605");
        assert_eq!(cut_label(2.055), "2.055");
        assert_eq!(cut_label(2.07), "2.07");
        assert_eq!(cut_label(2.0), "2.00");
    }

    #[test]
    fn quarters_are_written_as_months() {
        let q = |s: &str| s.parse::<Quarter>().expect("quarter");
        assert_eq!(quarter_months(q("Q1 2025/26")), "April to June 2025");
        assert_eq!(quarter_months(q("Q4 2025/26")), "January to March 2026");
    }

    #[test]
    fn ordinals_and_percentiles() {
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(22), "22nd");
        assert_eq!(ordinal(113), "113th");
        assert_eq!(percentile_label(2.5), "2.5th");
        assert_eq!(percentile_label(97.5), "97.5th");
        assert_eq!(percentile_label(5.0), "5th");
        assert_eq!(percentile_label(1.0), "1st");
        assert_eq!(
            and_list(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
    }
}
