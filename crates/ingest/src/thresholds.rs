//! Warn and fail thresholds for quarantined rows (`data/validation/thresholds.toml`).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::adapters::row::parse_month;
use crate::{Rule, SourceSummary};

/// The threshold file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Plausible months.
    pub periods: PeriodRange,
    /// Threshold for rules not listed under `rule`.
    pub default: Threshold,
    /// Per-rule thresholds, by rule code.
    #[serde(default)]
    pub rule: BTreeMap<String, Threshold>,
    /// Expected-trust coverage: how many trusts of the register may be missing from a
    /// published league table before the run fails.
    #[serde(default)]
    pub coverage: Coverage,
}

/// Expected-trust coverage (`[coverage]`).
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    /// Trusts of the register, of a published peer group, existing in the quarter, that may
    /// have no average before the run fails (default 0: any missing trust fails it).
    pub max_missing: u32,
}

/// Plausible months, `YYYY-MM`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodRange {
    /// First plausible month.
    pub from: String,
    /// Last plausible month.
    pub to: String,
}

/// When quarantined rows warn and when they fail the run.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// Warn at this many rows of one file.
    pub warn_rows: u64,
    /// Fail above this percentage of one file's rows.
    pub fail_percent: f64,
}

/// Why the threshold file is unusable.
#[derive(Debug, thiserror::Error)]
pub enum ThresholdError {
    /// Not valid TOML, or a key is unknown or mistyped.
    #[error("{file}: {message}")]
    Parse {
        /// File.
        file: String,
        /// Parser message, naming the key.
        message: String,
    },
    /// A value is out of range.
    #[error("{file}: {key}: {problem}")]
    Invalid {
        /// File.
        file: String,
        /// The key.
        key: String,
        /// What is wrong.
        problem: String,
    },
}

/// The outcome for one rule in one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Breach {
    /// File.
    pub file: String,
    /// Rule.
    pub rule: Rule,
    /// Rows quarantined by the rule.
    pub rows: u64,
    /// Their share of the file's rows, in percent.
    pub percent: f64,
    /// True when the run must stop.
    pub fails: bool,
}

impl Thresholds {
    /// Parses and checks a threshold file.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, ThresholdError> {
        let t: Thresholds = toml::from_str(text).map_err(|e| ThresholdError::Parse {
            file: file.to_owned(),
            message: e.to_string().trim().to_owned(),
        })?;
        let invalid = |key: String, problem: &str| ThresholdError::Invalid {
            file: file.to_owned(),
            key,
            problem: problem.to_owned(),
        };
        for (key, th) in std::iter::once(("default".to_owned(), &t.default))
            .chain(t.rule.iter().map(|(k, v)| (format!("rule.{k}"), v)))
        {
            if key != "default" && Rule::from_code(&key[5..]).is_none() {
                return Err(invalid(key, "no such rule"));
            }
            if !(0.0..=100.0).contains(&th.fail_percent) {
                return Err(invalid(format!("{key}.fail_percent"), "must be 0 to 100"));
            }
        }
        let (from, to) = t
            .months()
            .ok_or_else(|| invalid("periods".into(), "from and to must be months like 2016-04"))?;
        if from > to {
            return Err(invalid("periods".into(), "from must not be after to"));
        }
        Ok(t)
    }

    /// The plausible range as (year, month) pairs.
    pub fn months(&self) -> Option<((u16, u8), (u16, u8))> {
        Some((
            parse_month(&self.periods.from)?,
            parse_month(&self.periods.to)?,
        ))
    }

    /// The threshold for a rule.
    pub fn for_rule(&self, rule: Rule) -> Threshold {
        self.rule.get(rule.code()).copied().unwrap_or(self.default)
    }

    /// Every rule that reached its warn or fail threshold in a file, in rule order.
    pub fn evaluate(&self, s: &SourceSummary) -> Vec<Breach> {
        s.by_rule
            .iter()
            .filter_map(|(&rule, &rows)| {
                let th = self.for_rule(rule);
                let percent = 100.0 * rows as f64 / s.rows_read.max(1) as f64;
                let fails = percent > th.fail_percent;
                (fails || rows >= th.warn_rows).then(|| Breach {
                    file: s.file.clone(),
                    rule,
                    rows,
                    percent,
                    fails,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../../data/validation/thresholds.toml");

    #[test]
    fn shipped_thresholds_load_and_apply_per_rule() {
        let t = Thresholds::from_toml("thresholds.toml", SHIPPED).expect("valid");
        let mut s = SourceSummary {
            file: "x.csv".into(),
            rows_read: 1000,
            ..SourceSummary::default()
        };
        s.by_rule.insert(Rule::DuplicateKey, 1);
        s.by_rule.insert(Rule::NotANumber, 3);
        let fails = |b: &[Breach], r: Rule| b.iter().find(|x| x.rule == r).expect("breach").fails;
        let b = t.evaluate(&s);
        assert_eq!(b.len(), 2);
        assert!(fails(&b, Rule::DuplicateKey), "any duplicate fails");
        assert!(!fails(&b, Rule::NotANumber), "0.3% non-numeric only warns");
        s.by_rule.insert(Rule::NotANumber, 60);
        assert!(
            fails(&t.evaluate(&s), Rule::NotANumber),
            "6% fails the 5% default"
        );
    }

    #[test]
    fn unknown_rules_and_bad_ranges_are_named() {
        let text = SHIPPED.replace("[rule.duplicate_key]", "[rule.duplicate_keys]");
        let e = Thresholds::from_toml("t.toml", &text).expect_err("unknown rule");
        assert!(
            e.to_string().contains("rule.duplicate_keys: no such rule"),
            "{e}"
        );
        let text = SHIPPED.replace("fail_percent = 5.0", "fail_percent = 500.0");
        let e = Thresholds::from_toml("t.toml", &text).expect_err("range");
        assert!(e.to_string().contains("default.fail_percent"), "{e}");
        let text = SHIPPED.replace(
            "warn_rows = 1\nfail_percent = 5.0",
            "warn_rows = 1\nfail_percent = 5.0\nfial = 1",
        );
        assert!(Thresholds::from_toml("t.toml", &text).is_err());
    }
}
