//! The NOF method as configuration.
//!
//! Every rule of the method that changes from year to year lives in a TOML file under
//! `data/methodology/`: peer groups, domains, comparator pools, each metric's scoring scheme,
//! the segmentation rule, the financial override, segment 5, the league-table ordering and the
//! likely-range bootstrap. [`Methodology::from_toml`] rejects unknown keys and then validates
//! cross-references and orderings, so a typo fails at load with the key named, never mid-run.
//!
//! Each rule carries `evidence = "stated" | "verified" | "inferred"` (NOF 2025/26 spec, preamble).

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::{Date, PeriodError, Quarter, ReportingPeriod};

mod sections;
mod validate;

pub use sections::*;
use validate::one_line;

/// A configuration problem: the key path (as in the TOML) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The file is not valid TOML or does not fit the schema (unknown or missing key, bad type).
    #[error("{file}: {message}")]
    Parse {
        /// File name as given.
        file: String,
        /// The TOML parser's message, which names the key and position.
        message: String,
    },
    /// The file parses but a rule is inconsistent.
    #[error("{file}: `{key}`: {problem}")]
    Invalid {
        /// File name as given.
        file: String,
        /// Dotted key path, e.g. `metric[OF1061].domain`.
        key: String,
        /// What is wrong.
        problem: String,
    },
}

/// The complete method for one framework year.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Methodology {
    /// Identification of the framework.
    pub framework: Framework,
    /// Decimal places for scores and averages.
    pub rounding: Rounding,
    /// League-table peer groups (NOF 2025/26 §2).
    #[serde(rename = "peer_group")]
    pub peer_groups: Vec<PeerGroup>,
    /// The five domains (§1.6).
    #[serde(rename = "domain")]
    pub domains: Vec<Domain>,
    /// Comparator pools wider than one peer group (§1.2).
    #[serde(rename = "pool", default)]
    pub pools: Vec<Pool>,
    /// Every metric (§3).
    #[serde(rename = "metric")]
    pub metrics: Vec<Metric>,
    /// Average → segment (§1.3).
    pub segmentation: Segmentation,
    /// Deficit cap (§1.4).
    pub financial_override: FinancialOverride,
    /// Segment 5 (§1.5).
    pub segment5: Segment5,
    /// League-table ordering (§2).
    pub league_table: LeagueTableRule,
    /// Likely ranges by bootstrap (§2).
    pub likely_ranges: LikelyRanges,
    /// Metric ids of the derived outputs (§3 ID convention).
    pub outputs: OutputIds,
    /// What follows from a trust's results: intervention statuses and the rules that assign
    /// them (policy, not NHS England's scoring method).
    pub intervention: Interventions,
    /// Each quarter's data cut-off: what a table for the quarter may use.
    pub as_of: AsOf,
    /// When documents show peer statistics (median, quartiles, a metric's rank).
    pub peer_statistics: PeerStatistics,
    /// How "what it would take" chooses its targets.
    pub improvement: Improvement,
    /// Checks that query an implausible value without changing it.
    #[serde(rename = "plausibility", default)]
    pub plausibility: Vec<PlausibilityCheck>,
    /// The statistics shown beside the ranks, never changing them.
    pub statistics: Statistics,
}

impl Methodology {
    /// Parses and validates a methodology file. `file` is used in error messages only.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, ConfigError> {
        let m: Methodology = toml::from_str(text).map_err(|e| ConfigError::Parse {
            file: file.to_owned(),
            message: one_line(&e.to_string()),
        })?;
        m.validate()
            .map_err(|(key, problem)| ConfigError::Invalid {
                file: file.to_owned(),
                key,
                problem,
            })?;
        Ok(m)
    }

    /// The metric with this score id.
    pub fn metric(&self, id: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.id == id)
    }

    /// The peer group with this id.
    pub fn peer_group(&self, id: &str) -> Option<&PeerGroup> {
        self.peer_groups.iter().find(|p| p.id == id)
    }

    /// The peer group whose NHS England label is `label` ("Acute trust").
    pub fn peer_group_by_label(&self, label: &str) -> Option<&PeerGroup> {
        self.peer_groups.iter().find(|p| p.label == label)
    }

    /// The named pool.
    pub fn pool(&self, id: &str) -> Option<&Pool> {
        self.pools.iter().find(|p| p.id == id)
    }

    /// Ids the engine derives itself: never accepted from input as answers.
    pub fn derived_ids(&self) -> BTreeSet<&str> {
        let o = &self.outputs;
        let mut s: BTreeSet<&str> = [
            &o.average,
            &o.adjusted_segment,
            &o.unadjusted_segment,
            &o.final_segment,
        ]
        .into_iter()
        .map(String::as_str)
        .collect();
        for d in &self.domains {
            s.insert(&d.score_id);
            s.insert(&d.segment_id);
        }
        s
    }

    /// Every id an input row may carry: raw values, scores, input flags and derived outputs
    /// (the last are recognised so they can be set aside, not rejected as unknown).
    pub fn known_ids(&self) -> BTreeSet<&str> {
        let mut s = self.derived_ids();
        for m in &self.metrics {
            s.insert(&m.id);
            if let Some(v) = &m.value_id {
                s.insert(v);
            }
        }
        s.insert(&self.financial_override.flag_id);
        s.insert(&self.segment5.flag_id);
        s
    }

    /// Whether a published score of `score_id` enters the averages as published in `quarter`.
    pub fn averaged_as_published(&self, quarter: &str, score_id: &str) -> bool {
        self.rounding
            .as_published
            .iter()
            .any(|a| a.quarter == quarter && a.metrics.iter().any(|m| m == score_id))
    }

    /// The configured cut-points for a quarter, if any.
    pub fn published_cut_points(&self, quarter: &str) -> Option<&PublishedCutPoints> {
        self.segmentation
            .published_cut_points
            .iter()
            .find(|c| c.quarter == quarter)
    }

    /// The quarter's data cut-off: the configured date, else the quarter's last day plus the
    /// default lag. Returns the date and whether it was configured.
    pub fn cut_off(&self, quarter: Quarter) -> (Date, bool) {
        let label = quarter.to_string();
        match self.as_of.cut_offs.iter().find(|c| c.quarter == label) {
            Some(c) => (c.date.parse().expect("validated on load"), true),
            None => (
                quarter
                    .end_date()
                    .add_days(i64::from(self.as_of.default_lag_days))
                    .expect("a quarter's cut-off is within the calendar"),
                false,
            ),
        }
    }

    /// When a value of `metric_id` (a raw value, score or flag id) covering `period` existed:
    /// its period's end, or its start for a metric known at the start (a plan). `None` for a
    /// window that runs up to the publication itself.
    pub fn known_from(&self, metric_id: &str, period: &ReportingPeriod) -> Option<Date> {
        let at_start = self
            .metrics
            .iter()
            .find(|m| m.id == metric_id || m.value_id.as_deref() == Some(metric_id))
            .is_some_and(|m| m.known_at == KnownAt::PeriodStart);
        if at_start {
            Some(period.start)
        } else {
            period.end
        }
    }

    /// True when a value of `metric_id` covering `period` did not exist by `quarter`'s cut-off.
    pub fn after_cut_off(
        &self,
        metric_id: &str,
        period: &ReportingPeriod,
        quarter: Quarter,
    ) -> bool {
        self.known_from(metric_id, period)
            .is_some_and(|d| d > self.cut_off(quarter).0)
    }

    /// Checks a reporting-date label as the outputs write it against `quarter`'s cut-off: one
    /// period, or the periods of a combined score's inputs joined by "; " ("2025/26; Month 3
    /// 2025"), each of which must have existed by the cut-off as one of the combined metric's
    /// inputs (each input is also written, and checked, on a row of its own). Returns the
    /// first part that did not exist by then.
    pub fn label_after_cut_off(
        &self,
        metric_id: &str,
        label: &str,
        quarter: Quarter,
    ) -> Result<Option<String>, PeriodError> {
        let mut ids = vec![metric_id];
        if let Some(x) = self
            .metrics
            .iter()
            .find(|x| x.id == metric_id || x.value_id.as_deref() == Some(metric_id))
            && let Scoring::Matrix { row, column, .. } = &x.scoring
        {
            ids.push(row);
            ids.push(column);
        }
        for part in label.split("; ") {
            let p = ReportingPeriod::parse(part, quarter)?;
            if ids.iter().all(|id| self.after_cut_off(id, &p, quarter)) {
                return Ok(Some(part.to_owned()));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests;
