//! The validation rules every adapter applies, each with a stable code used in quarantine files,
//! summaries and the threshold configuration (`data/validation.toml`).

use std::fmt;

/// Why a row was quarantined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// A row has more or fewer fields than the header.
    FieldCount,
    /// A required field is empty.
    MissingValue,
    /// A number field holds text that is not a number.
    NotANumber,
    /// A number is NaN or infinite.
    NotFinite,
    /// A count is negative.
    NegativeCount,
    /// A percentage lies outside 0–100.
    PercentRange,
    /// A numerator exceeds its denominator.
    NumeratorExceedsDenominator,
    /// A value lies outside the range its metric allows (scores 1–4, flags 0/1).
    ValueRange,
    /// The same key (organisation, metric, period) appears twice.
    DuplicateKey,
    /// An organisation code is malformed (not 3–5 capital letters or digits).
    InvalidCode,
    /// A well-formed code that is not in the trust register.
    UnknownOrg,
    /// A code that was closed or merged before the period.
    ClosedOrg,
    /// A period that cannot be read.
    BadPeriod,
    /// A period outside the plausible range configured.
    ImplausiblePeriod,
    /// A metric id that is not in the methodology.
    UnknownMetric,
    /// A label (trust type, standard, provenance) outside the accepted values.
    UnknownLabel,
    /// A text field that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR).
    FormulaText,
    /// Trust details that contradict an earlier row for the same trust and period.
    Inconsistent,
    /// A quoted field is not closed on its line and the lines after it are rows of their own:
    /// the line is quarantined and reading resumes at the next line.
    UnterminatedQuote,
    /// A field holds a control character (NUL, BEL, escape…).
    ControlCharacter,
    /// A field holds a character the reports' fonts cannot draw (CJK, emoji…).
    UnprintableText,
    /// A record's period column is outside the month of the partition it is filed under.
    OutsidePeriod,
    /// An end before its start (departure before arrival, clock start after the snapshot).
    TimeOrder,
}

impl Rule {
    /// Every rule, in code order.
    pub const ALL: [Rule; 23] = [
        Rule::FieldCount,
        Rule::MissingValue,
        Rule::NotANumber,
        Rule::NotFinite,
        Rule::NegativeCount,
        Rule::PercentRange,
        Rule::NumeratorExceedsDenominator,
        Rule::ValueRange,
        Rule::DuplicateKey,
        Rule::InvalidCode,
        Rule::UnknownOrg,
        Rule::ClosedOrg,
        Rule::BadPeriod,
        Rule::ImplausiblePeriod,
        Rule::UnknownMetric,
        Rule::UnknownLabel,
        Rule::FormulaText,
        Rule::Inconsistent,
        Rule::UnterminatedQuote,
        Rule::ControlCharacter,
        Rule::UnprintableText,
        Rule::OutsidePeriod,
        Rule::TimeOrder,
    ];

    /// The stable code (`duplicate_key`).
    pub fn code(self) -> &'static str {
        match self {
            Rule::FieldCount => "field_count",
            Rule::MissingValue => "missing_value",
            Rule::NotANumber => "not_a_number",
            Rule::NotFinite => "not_finite",
            Rule::NegativeCount => "negative_count",
            Rule::PercentRange => "percent_range",
            Rule::NumeratorExceedsDenominator => "numerator_exceeds_denominator",
            Rule::ValueRange => "value_range",
            Rule::DuplicateKey => "duplicate_key",
            Rule::InvalidCode => "invalid_code",
            Rule::UnknownOrg => "unknown_org",
            Rule::ClosedOrg => "closed_org",
            Rule::BadPeriod => "bad_period",
            Rule::ImplausiblePeriod => "implausible_period",
            Rule::UnknownMetric => "unknown_metric",
            Rule::UnknownLabel => "unknown_label",
            Rule::FormulaText => "formula_text",
            Rule::Inconsistent => "inconsistent",
            Rule::UnterminatedQuote => "unterminated_quote",
            Rule::ControlCharacter => "control_character",
            Rule::UnprintableText => "unprintable_text",
            Rule::OutsidePeriod => "outside_period",
            Rule::TimeOrder => "time_order",
        }
    }

    /// The rule with a code.
    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.code() == code)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why a row was left out without being an error: the rule is stated and the rows are counted
/// in the summary, never dropped silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Exclusion {
    /// A provider that is not an NHS trust (independent sector, walk-in centre, ICB, CSU).
    NotATrust,
    /// A value marked suppressed or not available (`*`, `-`, blank, `[c]`, `[x]`).
    Suppressed,
    /// A quarter with fewer than its three months present; no quarterly value is formed.
    IncompleteQuarter,
    /// A regional or national total row.
    Aggregate,
    /// A derived output in a NOF file (OF4xxx, OF5000, OF5002, OF5003, OF5005), which the
    /// engine computes itself.
    DerivedOutput,
    /// A row repeating an earlier row's key and every field the adapter reads.
    ExactDuplicate,
    /// A predecessor's row when its successor has a row of its own for the same period.
    Superseded,
    /// A metric that does not apply to the trust's peer group, or a second unit of a metric.
    NotApplicable,
    /// A value for a trust whose register type belongs to no peer group the framework ranks.
    NoPeerGroup,
    /// A published aggregate whose metric and quarter a record-level extract in the same run
    /// gives (the records' value is used instead).
    ReplacedByRecords,
    /// A value that did not exist by its quarter's data cut-off (its reporting period ends
    /// after it): a quarter uses only what existed by then.
    AfterCutOff,
}

impl Exclusion {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Exclusion::NotATrust => "not_a_trust",
            Exclusion::Suppressed => "suppressed",
            Exclusion::IncompleteQuarter => "incomplete_quarter",
            Exclusion::Aggregate => "aggregate_row",
            Exclusion::DerivedOutput => "derived_output",
            Exclusion::NotApplicable => "not_applicable",
            Exclusion::ExactDuplicate => "exact_duplicate",
            Exclusion::Superseded => "superseded_by_successor",
            Exclusion::NoPeerGroup => "no_peer_group",
            Exclusion::ReplacedByRecords => "replaced_by_records",
            Exclusion::AfterCutOff => "after_cut_off",
        }
    }
}

/// True when a spreadsheet would treat the text as a formula or control sequence.
pub fn looks_like_formula(text: &str) -> bool {
    matches!(
        text.chars().next(),
        Some('=' | '+' | '@' | '\t' | '\r') | Some('-')
    ) && text.parse::<f64>().is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut codes: Vec<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
        for r in Rule::ALL {
            assert_eq!(Rule::from_code(r.code()), Some(r));
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Rule::ALL.len());
    }

    #[test]
    fn formula_like_text_is_recognised_but_negative_numbers_are_not() {
        for t in ["=HYPERLINK(\"x\",\"y\")", "+cmd", "@SUM(A1)", "-2+3", "\tx"] {
            assert!(looks_like_formula(t), "{t}");
        }
        for t in ["-1.5", "Leeds Teaching Hospitals", "", "5"] {
            assert!(!looks_like_formula(t), "{t}");
        }
    }
}
