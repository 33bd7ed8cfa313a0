//! Plain types shared by every stage of the league-tables pipeline.
//!
//! Nothing here does I/O beyond parsing a configuration string, and nothing depends on polars: the
//! ingest, score and report crates exchange these types.
//!
//! - [`Quarter`] is a financial-year quarter ("Q3 2025/26"); [`TrustCode`] a validated ODS code.
//! - [`Dataset`] is what ingestion hands to scoring: the trusts present in each quarter
//!   ([`TrustInQuarter`]) and their metric [`Observation`]s.
//! - [`Methodology`] is the NOF method as configuration (`data/methodology/*.toml`), loaded with
//!   unknown keys rejected and validated on load ([`ConfigError`] names the key and the problem).
//! - [`ScoreRun`] is what scoring returns: one [`LeagueTable`] per peer group and quarter plus the
//!   [`MetricScore`]s behind them. Every figure a report prints comes from these.
//! - [`ReportingPeriod`] reads the periods NHS England's labels name ("Jul 24 - Jun 25") into
//!   dates; [`Methodology::cut_off`] is what a quarter's tables may use.
//! - [`text`] escapes text a spreadsheet would run as a formula.
//! - [`number`] holds the rounding and number-formatting rules NHS England's files follow.

mod capability;
mod dataset;
mod methodology;
pub mod number;
mod period;
mod quarter;
mod result;
pub mod text;
mod trust;

pub use capability::BoardAssessment;
pub use dataset::{
    Addressee, Dataset, MonthlyCount, Observation, Provenance, SourceRef, TrustInQuarter,
};
pub use methodology::{
    AsOf, Band, ConfigError, CutOff, Direction, Domain, Evidence, FinancialOverride, FunnelRules,
    Improvement, InterventionCondition, InterventionRule, Interventions, KnownAt, LeagueTableRule,
    LikelyRanges, MeasureKind, MeasureRule, Methodology, Metric, MetricStatus, OutputIds,
    PeerComparisonRules, PeerGroup, PeerStatistics, PlausibilityCheck, Pool, PoolRef,
    PublishedCutPoints, QuarterCounts, Rounding, Scoring, Segment5, SegmentBoundary, SegmentMethod,
    SegmentPool, Segmentation, SensitivityRules, SpcRules, Statistics, TargetBound, TwoOfThree,
    ValueCondition,
};
pub use period::{
    Date, DateParseError, MONTH_NAMES, PeriodError, ReportingPeriod, days_in_month, digits,
};
pub use quarter::{Quarter, QuarterParseError};
pub use result::{
    Alternative, AlternativeOutcome, Assurance, CutPointSource, DomainResult, FunnelPlot,
    FunnelPoint, FunnelPosition, InterventionStatus, LeagueRow, LeagueTable, MetricScore,
    NextSegmentPlan, NextSegmentStep, PeerComparison, PeerSpread, PlanOutcome, PriorResult, Range,
    ScoreProvenance, ScoreRun, SegmentCuts, SpcFlags, SpcSeries, Variation, VersusPeers,
};
pub use trust::{TrustCode, TrustCodeError};
