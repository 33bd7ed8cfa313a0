//! The NOF method as configuration.
//!
//! Every rule of the method that changes from year to year lives in a TOML file under
//! `data/methodology/`: peer groups, domains, comparator pools, each metric's scoring scheme,
//! the segmentation rule, the financial override, segment 5, the league-table ordering and the
//! likely-range bootstrap. [`Methodology::from_toml`] rejects unknown keys and then validates
//! cross-references and orderings, so a typo fails at load with the key named, never mid-run.
//!
//! Each rule carries `evidence = "stated" | "verified" | "inferred"` (NOF 2025/26 spec, preamble).

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::{Date, PeriodError, Quarter, ReportingPeriod};

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

/// How strong the evidence for a rule is (NOF 2025/26 spec, preamble).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// NHS England says it in so many words.
    Stated,
    /// Reproduced from NHS England's published files.
    Verified,
    /// Our best reading of indirect evidence.
    Inferred,
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
}

/// A check that queries a value that is implausible beside another of the same trust and
/// quarter (a 12-hour share of 0% beside a 4-hour share of 60%). A queried value is scored as
/// published: documents mark it and the validation summary counts it; nothing changes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlausibilityCheck {
    /// Id (`ed_12_hour_vs_4_hour`).
    pub id: String,
    /// The value queried when both conditions hold.
    pub queried: ValueCondition,
    /// The other value it is judged beside.
    pub given: ValueCondition,
    /// Why the pair is implausible, in words a reader can check ("a 12-hour share under 1% is
    /// implausible beside a 4-hour share under 75%").
    pub reason: String,
    /// Evidence for the rule.
    pub evidence: Evidence,
    /// Free-text justification.
    #[serde(default)]
    pub note: String,
}

/// A condition on one value of a trust in a quarter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueCondition {
    /// Raw value id (`OF0014`).
    pub metric: String,
    /// Holds when the value is below this.
    #[serde(default)]
    pub below: Option<f64>,
    /// Holds when the value is above this.
    #[serde(default)]
    pub above: Option<f64>,
}

impl ValueCondition {
    /// Whether `v` meets the condition.
    pub fn holds(&self, v: f64) -> bool {
        self.below.is_none_or(|b| v < b) && self.above.is_none_or(|a| v > a)
    }
}

impl PlausibilityCheck {
    /// Whether the pair (the queried value, the given value) is implausible.
    pub fn queries(&self, queried: f64, given: f64) -> bool {
        self.queried.holds(queried) && self.given.holds(given)
    }
}

/// How "what it would take" chooses its targets (this project's presentation, not NHS
/// England's method).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Improvement {
    /// How far (in average score) inside the next segment's cut-point a path should leave the
    /// unrounded average, where the fewest metrics can: other trusts' scores and the quartile
    /// cut-points move from quarter to quarter, so a path that lands on the cut-point is not
    /// one to plan on. Where the fewest metrics cannot, the path is shown with its margin.
    pub margin: f64,
    /// How far a target may go: never beyond what trusts of the peer group already achieve.
    pub target_bound: TargetBound,
    /// Why.
    pub basis: String,
}

/// The furthest a "what it would take" target may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetBound {
    /// The best value any trust of the peer group has this quarter.
    BestValue,
    /// The value the best quarter of the peer group reach: the quartile on the better side
    /// (linear, as the peer statistics).
    BestQuartile,
}

impl TargetBound {
    /// The bound in words, for documents: "the best value in the peer group this quarter".
    pub fn phrase(self) -> &'static str {
        match self {
            TargetBound::BestValue => "the best value in the peer group this quarter",
            TargetBound::BestQuartile => "the peer group's top-quartile value this quarter",
        }
    }
}

/// Peer statistics are shown only over enough values to mean something: a median of one or a
/// "rank 1 of 1" compares a trust with nobody.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerStatistics {
    /// The fewest values in the peer group for a median, quartiles or a metric rank to be
    /// shown; with fewer, documents say "too few trusts to compare".
    pub minimum_values: usize,
    /// Why.
    pub basis: String,
}

/// Each quarter's data cut-off. A table, letter or chart for a quarter uses only values that
/// existed by its cut-off: a value whose reporting period ends after it (or, for a metric known
/// at the start of its period, starts after it) is excluded from that quarter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsOf {
    /// For a quarter with no configured cut-off: this many days after the quarter's last day.
    pub default_lag_days: u16,
    /// Evidence for the default.
    pub evidence: Evidence,
    /// Why the default is what it is.
    #[serde(default)]
    pub note: String,
    /// Known cut-offs (NHS England's publication dates).
    #[serde(rename = "cut_off", default)]
    pub cut_offs: Vec<CutOff>,
}

/// One quarter's cut-off.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CutOff {
    /// Quarter label ("Q1 2025/26").
    pub quarter: String,
    /// The cut-off date, YYYY-MM-DD: values must have existed by this day.
    pub date: String,
    /// Evidence.
    pub evidence: Evidence,
    /// Where the date comes from.
    #[serde(default)]
    pub note: String,
}

/// When a metric's value exists relative to the period it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KnownAt {
    /// At the end of its period (an outturn: a month's waits, a year's survey).
    #[default]
    PeriodEnd,
    /// At the start of its period (a plan for the year, set before the year begins).
    PeriodStart,
}

/// The intervention statuses, in order: a trust takes the first whose rule holds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interventions {
    /// The metric whose value is the planned surplus (+) or deficit (−) as a share of income.
    pub planned_surplus_metric: String,
    /// The statuses, most severe first; the last must have no conditions (the default).
    #[serde(rename = "status")]
    pub statuses: Vec<InterventionRule>,
    /// The board capability assessment (NOF §1.5): its areas and rating scale.
    pub board_capability: BoardCapability,
}

/// The board capability assessment's shape: the areas a board is rated on and the ratings it
/// may get. NHS England does not publish the ratings; they come, per trust, from their own
/// input file, and a trust without one is "not assessed".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardCapability {
    /// Areas, in the order documents list them.
    pub areas: Vec<CapabilityArea>,
    /// Ratings, best first.
    pub ratings: Vec<String>,
    /// Where the areas and scale come from.
    pub basis: String,
}

/// One area of the board capability assessment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilityArea {
    /// Stable id used in the input file (`quality_of_care`).
    pub id: String,
    /// As documents name it.
    pub name: String,
}

/// One status and the conditions that put a trust in it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterventionRule {
    /// Stable id (`earned_autonomy`).
    pub id: String,
    /// As the letter names it ("Earned autonomy").
    pub label: String,
    /// The status applies when any one of these holds; none means it always applies.
    #[serde(default)]
    pub any: Vec<InterventionCondition>,
    /// Where the rule comes from.
    pub basis: String,
}

/// A conjunction of tests on a trust's results, each held in every one of the last
/// `quarters` quarters (this one included).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InterventionCondition {
    /// Final segment (1 to 5, segment 5 being the Recovery Support Programme) at least this.
    pub segment_at_least: Option<u8>,
    /// Final segment at most this.
    pub segment_at_most: Option<u8>,
    /// In the Recovery Support Programme (or not).
    pub programme: Option<bool>,
    /// In financial deficit (or not).
    pub in_deficit: Option<bool>,
    /// A planned deficit beyond this percentage of income.
    pub planned_deficit_beyond_percent: Option<f64>,
    /// The board capability assessment's overall view rated this or lower (a rating of
    /// `[intervention.board_capability]`).
    pub capability_at_most: Option<String>,
    /// Quarters the condition must hold in, ending with this one (default 1).
    #[serde(default = "one_quarter")]
    pub quarters: u32,
}

fn one_quarter() -> u32 {
    1
}

impl InterventionCondition {
    /// True when the condition has no test (whatever its number of quarters).
    fn tests_nothing(&self) -> bool {
        self.segment_at_least.is_none()
            && self.segment_at_most.is_none()
            && self.programme.is_none()
            && self.in_deficit.is_none()
            && self.planned_deficit_beyond_percent.is_none()
            && self.capability_at_most.is_none()
    }
}

/// Which framework and year this file describes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// "NHS Oversight Framework".
    pub name: String,
    /// "2025/26".
    pub year: String,
    /// Version of this configuration file; recorded with every output.
    pub config_version: String,
    /// Where the method is documented.
    pub specification: String,
}

/// Rounding rules (§1.2, §1.3: 2 dp).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rounding {
    /// Decimal places of a metric score.
    pub score_dp: u32,
    /// Decimal places of the average and domain scores.
    pub average_dp: u32,
    /// Evidence for the rule.
    pub evidence: Evidence,
    /// Published scores that enter the averages at their published precision, rather than as
    /// the full-precision value recovered from the rank grid.
    #[serde(default)]
    pub as_published: Vec<AsPublished>,
}

/// Metrics whose published scores NHS England averaged as rounded, in one quarter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsPublished {
    /// Quarter label ("Q1 2025/26").
    pub quarter: String,
    /// Score ids (OF1xxx).
    pub metrics: Vec<String>,
    /// Evidence.
    pub evidence: Evidence,
    /// How this was established.
    #[serde(default)]
    pub note: String,
}

/// A league-table peer group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerGroup {
    /// Short id used in this file and in output paths (`acute`).
    pub id: String,
    /// NHS England's `Trust_type` label ("Acute trust").
    pub label: String,
    /// A short name for worksheet names and chart panels ("MH and community").
    pub short_label: String,
    /// Trust types in the trust register (`trusts_reference.csv`) that belong here.
    pub register_types: Vec<String>,
}

/// A domain of the framework.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    /// Short id (`access`).
    pub id: String,
    /// NHS England's domain name ("Access to services").
    pub name: String,
    /// Metric id of the domain score (OF4000).
    pub score_id: String,
    /// Metric id of the domain segment (OF4100).
    pub segment_id: String,
}

/// A named comparator pool spanning several peer groups.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    /// Pool id referenced by metrics.
    pub id: String,
    /// Peer groups whose trusts are ranked together.
    pub peer_groups: Vec<String>,
    /// Evidence for the pool.
    pub evidence: Evidence,
    /// Why we believe this pool.
    #[serde(default)]
    pub note: String,
}

/// Which trusts a metric is ranked among.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolRef {
    /// Only trusts of the same peer group.
    PeerGroup,
    /// A named [`Pool`].
    Named(String),
}

impl<'de> Deserialize<'de> for PoolRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(if s == "peer_group" {
            PoolRef::PeerGroup
        } else {
            PoolRef::Named(s)
        })
    }
}

/// Whether higher or lower raw values are better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher values are better (e.g. % seen within 4 hours).
    HigherIsBetter,
    /// Lower values are better (e.g. sickness absence).
    LowerIsBetter,
}

impl Direction {
    /// True when `a` is strictly better than `b`.
    pub fn better(self, a: f64, b: f64) -> bool {
        match self {
            Direction::HigherIsBetter => a > b,
            Direction::LowerIsBetter => a < b,
        }
    }
}

/// What a metric's score does in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricStatus {
    /// Scored and counted in the average.
    Scored,
    /// Scored, but only as an input to another metric (OF1079 and OF1081 feed OF1080).
    Component,
    /// Published for context, never scored (§1.2).
    Contextual,
}

/// One band of a bespoke banded score.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// The band's score.
    pub score: f64,
    /// The value must be at least this (for higher-is-better) or at most this (lower-is-better);
    /// absent on the last, catch-all band.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// The value must be strictly better than the threshold (a value on it falls to the next
    /// band).
    #[serde(default)]
    pub strict: bool,
}

/// How a metric's value becomes a score of 1 to 4 (§1.2).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "scheme", rename_all = "snake_case", deny_unknown_fields)]
pub enum Scoring {
    /// Scheme A: rank all N; `1 + 3(p−1)/(N−1)`.
    Rank,
    /// Scheme B: meeting the standard scores 1; others ranked `2 + 2(p−1)/(M−1)`.
    Standard {
        /// The operating standard, in the metric's unit.
        standard: f64,
    },
    /// Scheme C: failing the floor scores 4; others ranked `1 + 2(p−1)/(M−1)`.
    Floor {
        /// The floor, in the metric's unit.
        floor: f64,
    },
    /// Bespoke bands: the first band whose threshold the value reaches, best first.
    Bands {
        /// Bands from best to worst; the last has no threshold.
        bands: Vec<Band>,
    },
    /// Bespoke mapping from a published category to a score (CQC ratings).
    Mapping {
        /// Category → score.
        categories: BTreeMap<String, f64>,
    },
    /// Combination of two component scores through a 4×4 matrix (combined finance, OF1080).
    Matrix {
        /// Score id giving the row (1–4).
        row: String,
        /// Score id giving the column (1–4).
        column: String,
        /// `table[row-1][column-1]`.
        table: Vec<Vec<f64>>,
    },
    /// The score is only ever supplied already scored by NHS England (e.g. the CQC community
    /// mental health survey banding, computed by CQC).
    Published,
}

/// One metric of the framework.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    /// Score id (`OF1061`): the id of the 1–4 score.
    pub id: String,
    /// Raw value id (`OF0061`), when the value is published separately from the score.
    #[serde(default)]
    pub value_id: Option<String>,
    /// Description as NHS England publishes it.
    pub name: String,
    /// Domain id.
    pub domain: String,
    /// Sub-domain name as published.
    pub sub_domain: String,
    /// Better direction of the raw value.
    pub direction: Direction,
    /// Unit of the raw value as NHS England's data file gives it ("%", "out of 10", "count"):
    /// it picks the row where a metric is published in several units.
    pub unit: String,
    /// The unit as documents write it, where it differs from the file's ("infections" for a
    /// count of infections).
    #[serde(default)]
    pub unit_label: Option<String>,
    /// A sentence about the unit, shown where the metric's value is (a rate whose denominator
    /// NHS England does not give).
    #[serde(default)]
    pub unit_note: Option<String>,
    /// The range a raw value can take (a share in per cent: 0 to 100); values outside it are
    /// quarantined on input. Absent: any finite number.
    #[serde(default)]
    pub valid_range: Option<[f64; 2]>,
    /// Peer groups the metric applies to.
    pub peer_groups: Vec<String>,
    /// Comparator pool for ranking.
    pub pool: PoolRef,
    /// Role in the model.
    pub status: MetricStatus,
    /// Weight in the average (1, or 1/3 for each infection metric).
    #[serde(default = "one")]
    pub weight: f64,
    /// Scoring scheme.
    pub scoring: Scoring,
    /// Evidence for the scheme, pool and direction.
    pub evidence: Evidence,
    /// Free-text justification.
    #[serde(default)]
    pub note: String,
    /// When the value exists relative to its period: at the end (default), or at the start
    /// for a plan. Decides the as-of check against a quarter's cut-off.
    #[serde(default)]
    pub known_at: KnownAt,
    /// The value changes only once a year (an annual survey or collection): a target on it
    /// cannot be met by the next quarter, and documents say so beside it.
    #[serde(default)]
    pub annual: bool,
    /// Decimal places the value is shown at (a count: 0). A target beyond a peer's value is
    /// the next value at these places, so that it never ties a peer's published value.
    #[serde(default = "two")]
    pub value_dp: u8,
}

fn two() -> u8 {
    2
}

impl Metric {
    /// The unit as documents write it.
    pub fn shown_unit(&self) -> &str {
        self.unit_label.as_deref().unwrap_or(&self.unit)
    }
}

fn one() -> f64 {
    1.0
}

/// How averages become segments 1–4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentMethod {
    /// Quartiles of the averages over the pool (2025/26).
    Quartiles,
    /// Fixed thresholds from configuration (2026/27 style).
    Thresholds,
}

/// Which averages the quartiles are taken over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentPool {
    /// Every provider of every peer group (observed in 2025/26).
    AllProviders,
    /// Each peer group separately (the manual's wording).
    PeerGroup,
}

/// Where a value lying exactly on a cut-point goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentBoundary {
    /// To the better (lower-numbered) segment: `avg <= cut`.
    BetterSegment,
    /// To the worse segment: `avg < cut`.
    WorseSegment,
}

/// Cut-points published (or implied) for a quarter, used when the input cannot reproduce the
/// pool the quartiles were taken over.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedCutPoints {
    /// Quarter label ("Q1 2025/26").
    pub quarter: String,
    /// The three cut-points, ascending.
    pub cut_points: Vec<f64>,
    /// Evidence.
    pub evidence: Evidence,
    /// Where they come from.
    #[serde(default)]
    pub note: String,
    /// Cut-points for the domain segments (§1.6), by domain id, for the same quarter.
    #[serde(default)]
    pub domains: BTreeMap<String, Vec<f64>>,
}

/// Segmentation rule (§1.3).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segmentation {
    /// Quartiles or fixed thresholds.
    pub method: SegmentMethod,
    /// Pool for quartiles.
    pub pool: SegmentPool,
    /// Boundary handling.
    pub boundary: SegmentBoundary,
    /// Thresholds for `method = "thresholds"` (ascending).
    #[serde(default)]
    pub thresholds: Vec<f64>,
    /// Known cut-points per quarter; take precedence over quartiles of an incomplete input.
    #[serde(default)]
    pub published_cut_points: Vec<PublishedCutPoints>,
    /// Evidence for method and pool.
    pub evidence: Evidence,
}

/// The financial override (§1.4).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinancialOverride {
    /// Input flag id (OF5004), 1 = in deficit or receiving deficit support.
    pub flag_id: String,
    /// A flagged trust in a better segment than this is moved to it (3).
    pub cap_segment: u8,
    /// Evidence.
    pub evidence: Evidence,
}

/// Segment 5 (§1.5).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segment5 {
    /// Input flag id (OF5007), 1 = in the improvement programme.
    pub flag_id: String,
    /// The segment given (5).
    pub segment: u8,
    /// Whether segment 5 changes the league rank (it does not in 2025/26).
    pub affects_rank: bool,
    /// Evidence.
    pub evidence: Evidence,
}

/// League-table ordering (§2).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeagueTableRule {
    /// Sort keys in order; 2025/26 is `["segment", "average"]`.
    pub order: Vec<String>,
    /// Tie handling; only `competition` ("1224") is defined.
    pub ties: String,
    /// Evidence.
    pub evidence: Evidence,
}

/// Likely ranges by bootstrap (§2).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LikelyRanges {
    /// Bootstrap replicates (at least 2,000 for publication).
    pub replicates: u32,
    /// Default seed; the CLI's `--seed` overrides it.
    pub seed: u64,
    /// Lower percentile (2.5).
    pub lower_percentile: f64,
    /// Upper percentile (97.5).
    pub upper_percentile: f64,
    /// Evidence.
    pub evidence: Evidence,
}

/// Ids of the outputs the engine derives. The engine never takes these from its input.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputIds {
    /// Average metric score (OF5002).
    pub average: String,
    /// Adjusted segment (OF5000).
    pub adjusted_segment: String,
    /// Unadjusted segment (OF5003).
    pub unadjusted_segment: String,
    /// Final segment including 5 (OF5005).
    pub final_segment: String,
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

    fn validate(&self) -> Result<(), (String, String)> {
        let err = |k: String, p: &str| Err((k, p.to_owned()));
        let ids = self.known_ids();
        for (i, c) in self.plausibility.iter().enumerate() {
            let key = format!("plausibility[{i}]");
            for (part, v) in [("queried", &c.queried), ("given", &c.given)] {
                if !ids.contains(v.metric.as_str()) {
                    return err(
                        format!("{key}.{part}.metric"),
                        "not a metric id of this methodology",
                    );
                }
                if v.below.is_none() && v.above.is_none() {
                    return err(format!("{key}.{part}"), "needs below or above");
                }
            }
        }
        if !(0.0..0.5).contains(&self.improvement.margin) {
            return err(
                "improvement.margin".into(),
                "a margin in average score from 0 up to 0.5",
            );
        }
        if self.peer_statistics.minimum_values < 2 {
            return err(
                "peer_statistics.minimum_values".into(),
                "a comparison needs at least 2 values",
            );
        }
        let mut seen = BTreeSet::new();
        for (i, c) in self.as_of.cut_offs.iter().enumerate() {
            let key = format!("as_of.cut_off[{i}]");
            let q: Quarter = match c.quarter.parse() {
                Ok(q) => q,
                Err(_) => {
                    return err(
                        format!("{key}.quarter"),
                        "not a quarter like \"Q1 2025/26\"",
                    );
                }
            };
            if !seen.insert(q) {
                return err(format!("{key}.quarter"), "a quarter has one cut-off");
            }
            match c.date.parse::<Date>() {
                Ok(d) if d > q.end_date() => {}
                Ok(_) => {
                    return err(
                        format!("{key}.date"),
                        "a cut-off falls after the quarter's last day",
                    );
                }
                Err(_) => {
                    return err(
                        format!("{key}.date"),
                        "not a date that exists, written YYYY-MM-DD",
                    );
                }
            }
        }
        let groups: BTreeSet<&str> = self.peer_groups.iter().map(|p| p.id.as_str()).collect();
        if groups.len() != self.peer_groups.len() || groups.is_empty() {
            return err(
                "peer_group".into(),
                "peer group ids must be present and unique",
            );
        }
        let domains: BTreeSet<&str> = self.domains.iter().map(|d| d.id.as_str()).collect();
        if domains.len() != self.domains.len() || domains.is_empty() {
            return err("domain".into(), "domain ids must be present and unique");
        }
        let mut pools = BTreeSet::new();
        for p in &self.pools {
            if p.id == "peer_group" || !pools.insert(p.id.as_str()) {
                return err(
                    format!("pool[{}].id", p.id),
                    "pool ids must be unique and not `peer_group`",
                );
            }
            for g in &p.peer_groups {
                if !groups.contains(g.as_str()) {
                    return err(
                        format!("pool[{}].peer_groups", p.id),
                        &format!("unknown peer group `{g}`"),
                    );
                }
            }
        }
        let mut ids = BTreeSet::new();
        for m in &self.metrics {
            let k = |f: &str| format!("metric[{}].{f}", m.id);
            if !is_metric_id(&m.id) || !ids.insert(m.id.as_str()) {
                return err(k("id"), "metric ids must look like OF1234 and be unique");
            }
            if let Some(v) = &m.value_id
                && (!is_metric_id(v) || !ids.insert(v.as_str()))
            {
                return err(
                    k("value_id"),
                    "value ids must look like OF0123 and be unique",
                );
            }
            if !domains.contains(m.domain.as_str()) {
                return err(k("domain"), &format!("unknown domain `{}`", m.domain));
            }
            if m.peer_groups.is_empty() {
                return err(
                    k("peer_groups"),
                    "a metric must apply to at least one peer group",
                );
            }
            for g in &m.peer_groups {
                if !groups.contains(g.as_str()) {
                    return err(k("peer_groups"), &format!("unknown peer group `{g}`"));
                }
            }
            if let PoolRef::Named(p) = &m.pool {
                let Some(pool) = self.pool(p) else {
                    return err(k("pool"), &format!("unknown pool `{p}`"));
                };
                if let Some(g) = m.peer_groups.iter().find(|g| !pool.peer_groups.contains(g)) {
                    return err(
                        k("pool"),
                        &format!("pool `{p}` does not include peer group `{g}`"),
                    );
                }
            }
            if let Some([lo, hi]) = m.valid_range
                && !(lo.is_finite() && hi.is_finite() && lo < hi)
            {
                return err(k("valid_range"), "must be [low, high] with low < high");
            }
            if !(m.weight.is_finite() && m.weight > 0.0) {
                return err(k("weight"), "weights must be positive");
            }
            self.validate_scoring(m).map_err(|p| (k("scoring"), p))?;
        }
        for m in &self.metrics {
            if let Scoring::Matrix { row, column, .. } = &m.scoring {
                for c in [row, column] {
                    match self.metric(c) {
                        Some(x) if x.status == MetricStatus::Component => {}
                        _ => {
                            return err(
                                format!("metric[{}].scoring", m.id),
                                &format!(
                                    "matrix input `{c}` must be a metric with status = \"component\""
                                ),
                            );
                        }
                    }
                }
            }
        }
        for a in &self.rounding.as_published {
            let key = format!("rounding.as_published[{}]", a.quarter);
            if a.quarter.parse::<crate::Quarter>().is_err() {
                return err(key, "quarter must be like \"Q1 2025/26\"");
            }
            for id in &a.metrics {
                if !self.metrics.iter().any(|m| &m.id == id) {
                    return err(format!("{key}.metrics"), &format!("no such metric `{id}`"));
                }
            }
        }
        let s = &self.segmentation;
        if s.method == SegmentMethod::Thresholds {
            check_cuts(&s.thresholds).map_err(|p| ("segmentation.thresholds".to_owned(), p))?;
        }
        for c in &s.published_cut_points {
            let key = format!("segmentation.published_cut_points[{}]", c.quarter);
            if c.quarter.parse::<crate::Quarter>().is_err() {
                return err(key, "quarter must be like \"Q1 2025/26\"");
            }
            check_cuts(&c.cut_points).map_err(|p| (key.clone(), p))?;
            for (d, cuts) in &c.domains {
                let key = format!("{key}.domains.{d}");
                if !self.domains.iter().any(|x| &x.id == d) {
                    return err(key, "no such domain");
                }
                check_cuts(cuts).map_err(|p| (key, p))?;
            }
        }
        if !(1..=4).contains(&self.financial_override.cap_segment) {
            return err("financial_override.cap_segment".into(), "must be 1 to 4");
        }
        if self.league_table.order != ["segment", "average"]
            || self.league_table.ties != "competition"
        {
            return err(
                "league_table".into(),
                "only order = [\"segment\", \"average\"] with ties = \"competition\" is implemented",
            );
        }
        let l = &self.likely_ranges;
        if l.replicates < 100 {
            return err(
                "likely_ranges.replicates".into(),
                "at least 100 replicates are needed",
            );
        }
        if !(0.0 < l.lower_percentile
            && l.lower_percentile < l.upper_percentile
            && l.upper_percentile < 100.0)
        {
            return err(
                "likely_ranges".into(),
                "percentiles must satisfy 0 < lower < upper < 100",
            );
        }
        if self.rounding.score_dp > 6 || self.rounding.average_dp > 6 {
            return err("rounding".into(), "at most 6 decimal places");
        }
        self.validate_interventions()
    }

    fn validate_interventions(&self) -> Result<(), (String, String)> {
        let err = |k: String, p: &str| Err((k, p.to_owned()));
        let iv = &self.intervention;
        if !self
            .metrics
            .iter()
            .any(|m| m.value_id.as_deref() == Some(iv.planned_surplus_metric.as_str()))
        {
            return err(
                "intervention.planned_surplus_metric".into(),
                "must be the value id of a configured metric",
            );
        }
        let Some((last, rest)) = iv.statuses.split_last() else {
            return err(
                "intervention.status".into(),
                "at least one status is needed",
            );
        };
        if !last.any.is_empty() {
            return err(
                format!("intervention.status[{}]", last.id),
                "the last status is the default and has no conditions",
            );
        }
        let mut ids = BTreeSet::new();
        for s in &iv.statuses {
            if !ids.insert(s.id.as_str()) {
                return err(format!("intervention.status[{}]", s.id), "duplicate id");
            }
        }
        let bc = &iv.board_capability;
        let mut areas = BTreeSet::new();
        for a in &bc.areas {
            if a.id == "overall" || !areas.insert(a.id.as_str()) {
                return err(
                    format!("intervention.board_capability.areas[{}]", a.id),
                    "area ids must be unique and not \"overall\" (the overall view's id)",
                );
            }
        }
        let mut ratings = BTreeSet::new();
        if bc.areas.is_empty()
            || bc.ratings.is_empty()
            || !bc.ratings.iter().all(|r| ratings.insert(r.to_lowercase()))
        {
            return err(
                "intervention.board_capability".into(),
                "needs at least one area and one rating, ratings unique ignoring case",
            );
        }
        for s in rest {
            if s.any.is_empty() {
                return err(
                    format!("intervention.status[{}].any", s.id),
                    "only the last status may have no conditions",
                );
            }
            for c in &s.any {
                let segments_ok = [c.segment_at_least, c.segment_at_most]
                    .iter()
                    .flatten()
                    .all(|x| (1..=5).contains(x));
                if !segments_ok || c.quarters == 0 || c.tests_nothing() {
                    return err(
                        format!("intervention.status[{}].any", s.id),
                        "each condition tests something, segments are 1 to 5 and quarters at least 1",
                    );
                }
                if let Some(r) = &c.capability_at_most
                    && !iv
                        .board_capability
                        .ratings
                        .iter()
                        .any(|x| x.eq_ignore_ascii_case(r))
                {
                    return err(
                        format!("intervention.status[{}].any.capability_at_most", s.id),
                        "must be one of intervention.board_capability.ratings",
                    );
                }
            }
        }
        Ok(())
    }

    fn validate_scoring(&self, m: &Metric) -> Result<(), String> {
        let finite = |x: f64, what: &str| {
            if x.is_finite() {
                Ok(())
            } else {
                Err(format!("{what} must be a finite number"))
            }
        };
        match &m.scoring {
            Scoring::Rank | Scoring::Published => Ok(()),
            Scoring::Standard { standard } => finite(*standard, "standard"),
            Scoring::Floor { floor } => finite(*floor, "floor"),
            Scoring::Bands { bands } => {
                let (last, rest) = bands.split_last().ok_or("bands must not be empty")?;
                if last.threshold.is_some() || rest.iter().any(|b| b.threshold.is_none()) {
                    return Err(
                        "every band but the last needs a threshold; the last has none".into(),
                    );
                }
                let t: Vec<f64> = rest.iter().filter_map(|b| b.threshold).collect();
                let ordered = t.windows(2).all(|w| match m.direction {
                    Direction::HigherIsBetter => w[0] > w[1],
                    Direction::LowerIsBetter => w[0] < w[1],
                });
                if !ordered {
                    return Err("band thresholds must run from best to worst".into());
                }
                bands.iter().try_for_each(|b| score_ok(b.score))
            }
            Scoring::Mapping { categories } => {
                if categories.is_empty() {
                    return Err("mapping needs at least one category".into());
                }
                categories.values().try_for_each(|s| score_ok(*s))
            }
            Scoring::Matrix { table, .. } => {
                if table.len() != 4 || table.iter().any(|r| r.len() != 4) {
                    return Err("matrix table must be 4 rows of 4".into());
                }
                table.iter().flatten().try_for_each(|s| score_ok(*s))
            }
        }
    }
}

fn score_ok(s: f64) -> Result<(), String> {
    if (1.0..=4.0).contains(&s) {
        Ok(())
    } else {
        Err(format!("score {s} is outside 1 to 4"))
    }
}

fn check_cuts(c: &[f64]) -> Result<(), String> {
    if c.len() != 3 {
        return Err(format!("three cut-points are needed, found {}", c.len()));
    }
    if !c.iter().all(|x| x.is_finite()) || !c.windows(2).all(|w| w[0] < w[1]) {
        return Err("cut-points must be finite and strictly ascending".into());
    }
    Ok(())
}

/// `OF` followed by four digits.
pub(crate) fn is_metric_id(s: &str) -> bool {
    s.len() == 6 && s.starts_with("OF") && s[2..].bytes().all(|b| b.is_ascii_digit())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../../data/methodology/nof-2025-26.toml");

    #[test]
    fn a_quarters_cut_off_is_configured_or_follows_the_default_lag() {
        let m = load(SHIPPED).expect("valid");
        let q = |s: &str| s.parse::<Quarter>().expect("valid");
        assert_eq!(
            m.cut_off(q("Q1 2025/26")),
            ("2025-09-09".parse().expect("valid"), true)
        );
        assert_eq!(
            m.cut_off(q("Q3 2025/26")),
            ("2026-03-12".parse().expect("valid"), false)
        );
        let p = |l: &str| ReportingPeriod::parse(l, q("Q1 2025/26")).expect("valid");
        // A plan for the year exists before the year: NHS England's own Q1 values stand.
        assert!(!m.after_cut_off("OF0079", &p("2025/26"), q("Q1 2025/26")));
        // An outturn for the same year does not.
        assert!(m.after_cut_off("OF0081", &p("2025/26"), q("Q1 2025/26")));
        assert!(m.after_cut_off("OF0082", &p("3 months to Mar-26"), q("Q1 2025/26")));
        assert!(m.after_cut_off("OF5004", &p("Q3 2025/26"), q("Q1 2025/26")));
        assert!(!m.after_cut_off("OF0082", &p("Q4 2024-25"), q("Q1 2025/26")));
        // Data for the quarter's own months that appeared before the cut-off stand.
        assert!(!m.after_cut_off("OF0013", &p("Jul-25"), q("Q1 2025/26")));
        assert!(!m.after_cut_off(
            "OF1067",
            &p("Latest published if awarded post August 2023"),
            q("Q1 2025/26")
        ));
        // A combined score's label joins its inputs' periods; each is judged as an input.
        let q1 = q("Q1 2025/26");
        assert_eq!(
            m.label_after_cut_off("OF1080", "Q1 2025/26; 2025/26; Month 3 2025", q1),
            Ok(None)
        );
        assert_eq!(
            m.label_after_cut_off("OF1080", "Q1 2025/26; Q3 2025/26", q1),
            Ok(Some("Q3 2025/26".to_owned()))
        );
        assert!(
            m.label_after_cut_off("OF1080", "Q1 2025/26; 2025-06-31", q1)
                .is_err()
        );
    }

    #[test]
    fn cut_offs_that_cannot_hold_are_refused() {
        for (from, to, key) in [
            (
                "date = \"2025-09-09\"",
                "date = \"2025-09-31\"",
                "as_of.cut_off[0].date",
            ),
            (
                "date = \"2025-09-09\"",
                "date = \"2025-06-01\"",
                "as_of.cut_off[0].date",
            ),
            (
                "quarter = \"Q2 2025/26\"\ndate",
                "quarter = \"Q1 2025/26\"\ndate",
                "as_of.cut_off[1].quarter",
            ),
        ] {
            assert!(SHIPPED.contains(from), "{from}");
            let e = load(&SHIPPED.replacen(from, to, 1)).expect_err("refused");
            assert!(e.to_string().contains(key), "{e}");
        }
    }

    #[test]
    fn a_plausibility_check_queries_only_the_pair_it_describes_and_names_known_metrics() {
        let m = load(SHIPPED).expect("shipped");
        let c = &m.plausibility[0];
        assert_eq!(
            (c.queried.metric.as_str(), c.given.metric.as_str()),
            ("OF0014", "OF0013")
        );
        assert!(c.queries(0.0, 59.5));
        assert!(
            !c.queries(0.0, 88.5),
            "a specialist trust's 0% beside a high 4-hour share"
        );
        assert!(!c.queries(5.0, 59.5));
        for (from, to, key) in [
            (
                "metric = \"OF0014\", below",
                "metric = \"OF9999\", below",
                "plausibility[0].queried.metric",
            ),
            (
                "{ metric = \"OF0013\", below = 75.0 }",
                "{ metric = \"OF0013\" }",
                "plausibility[0].given",
            ),
            ("margin = 0.02", "margin = 0.7", "improvement.margin"),
        ] {
            assert!(SHIPPED.contains(from), "{from}");
            assert_eq!(invalid_key(&SHIPPED.replacen(from, to, 1)), key);
        }
    }

    fn load(text: &str) -> Result<Methodology, ConfigError> {
        Methodology::from_toml("test.toml", text)
    }

    fn invalid_key(text: &str) -> String {
        match load(text) {
            Err(ConfigError::Invalid { key, .. }) => key,
            other => panic!("expected an Invalid error, got {other:?}"),
        }
    }

    #[test]
    fn shipped_methodology_loads() {
        let m = load(SHIPPED).expect("shipped config is valid");
        assert_eq!(m.peer_groups.len(), 3);
        assert_eq!(m.domains.len(), 5);
        let infections: f64 = ["OF1020", "OF1048", "OF1088"]
            .iter()
            .map(|id| m.metric(id).expect("infection metric").weight)
            .sum();
        assert!(
            (infections - 1.0).abs() < 1e-12,
            "infections together weigh one metric"
        );
        assert!(m.derived_ids().contains("OF5002"));
        assert!(m.known_ids().contains("OF0061"));
        assert!(!m.known_ids().contains("OF0999"));
    }

    #[test]
    fn unknown_keys_are_rejected_with_the_key_named() {
        let text = SHIPPED.replace("cap_segment = 3", "cap_segment = 3\ncap_segmnet = 2");
        match load(&text) {
            Err(ConfigError::Parse { message, .. }) => {
                assert!(message.contains("cap_segmnet"), "{message}")
            }
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn intervention_rules_are_checked_on_load() {
        let m = load(SHIPPED).expect("shipped");
        let ids: Vec<&str> = m
            .intervention
            .statuses
            .iter()
            .map(|s| s.id.as_str())
            .collect();
        assert_eq!(
            ids,
            [
                "recovery_support",
                "leadership_review",
                "turnaround_support",
                "enhanced_support",
                "earned_autonomy",
                "standard_oversight"
            ]
        );
        for (from, to, key) in [
            // The default must come last and test nothing.
            (
                "basis = \"Brief: every other trust",
                "any = [ { segment_at_most = 2 } ]\nbasis = \"Brief: every other trust",
                "standard_oversight",
            ),
            (
                "any = [ { segment_at_least = 3 } ]",
                "any = [ { segment_at_least = 7 } ]",
                "enhanced_support",
            ),
            (
                "any = [ { segment_at_least = 3 } ]",
                "any = [ { quarters = 2 } ]",
                "enhanced_support",
            ),
            (
                "planned_surplus_metric = \"OF0079\"",
                "planned_surplus_metric = \"OF0999\"",
                "planned_surplus_metric",
            ),
        ] {
            assert!(SHIPPED.contains(from), "{from}");
            match load(&SHIPPED.replacen(from, to, 1)) {
                Err(ConfigError::Invalid { key: k, .. }) => assert!(k.contains(key), "{k}"),
                other => panic!("{key}: expected an invalid-config error, got {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_domain_is_named() {
        let text = SHIPPED.replacen("domain = \"patient_safety\"", "domain = \"safety\"", 1);
        assert_eq!(invalid_key(&text), "metric[OF1061].domain");
    }

    #[test]
    fn domain_cut_points_name_a_known_domain_in_order() {
        let text = SHIPPED.replacen("access = [1.935,", "acess = [1.935,", 1);
        assert_eq!(
            invalid_key(&text),
            "segmentation.published_cut_points[Q1 2025/26].domains.acess"
        );
        let text = SHIPPED.replacen("access = [1.935, 2.365,", "access = [2.365, 1.935,", 1);
        assert_eq!(
            invalid_key(&text),
            "segmentation.published_cut_points[Q1 2025/26].domains.access"
        );
    }

    #[test]
    fn as_published_exceptions_name_known_metrics() {
        let text = SHIPPED.replacen("metrics = [\"OF1003\",", "metrics = [\"OF1999\",", 1);
        assert_eq!(
            invalid_key(&text),
            "rounding.as_published[Q1 2025/26].metrics"
        );
        let m = load(SHIPPED).expect("shipped config");
        assert!(m.averaged_as_published("Q1 2025/26", "OF1016"));
        assert!(!m.averaged_as_published("Q2 2025/26", "OF1016"));
        assert!(!m.averaged_as_published("Q1 2025/26", "OF1082"));
    }

    #[test]
    fn non_positive_weight_is_rejected() {
        let text = SHIPPED.replacen("weight = 0.3333333333333333", "weight = 0.0", 1);
        assert_eq!(invalid_key(&text), "metric[OF1020].weight");
    }

    #[test]
    fn unordered_thresholds_are_rejected() {
        let text = SHIPPED.replace(
            "cut_points = [2.055, 2.325, 2.605]",
            "cut_points = [2.325, 2.055, 2.605]",
        );
        assert_eq!(
            invalid_key(&text),
            "segmentation.published_cut_points[Q1 2025/26]"
        );
        let text = SHIPPED.replacen(
            "{ score = 2.0, threshold = -1.0, strict = true }",
            "{ score = 2.0, threshold = 1.0, strict = true }",
            1,
        );
        assert_eq!(invalid_key(&text), "metric[OF1079].scoring");
    }

    #[test]
    fn matrix_inputs_must_be_components() {
        let text = SHIPPED.replacen("row = \"OF1079\"", "row = \"OF1061\"", 1);
        assert_eq!(invalid_key(&text), "metric[OF1080].scoring");
    }

    #[test]
    fn pool_must_cover_the_metric_peer_groups() {
        let text = SHIPPED.replacen(
            "peer_groups = [\"acute\", \"mh_community\", \"ambulance\"]\nevidence = \"inferred\"\nnote = \"Sickness",
            "peer_groups = [\"acute\"]\nevidence = \"inferred\"\nnote = \"Sickness",
            1,
        );
        assert_eq!(invalid_key(&text), "metric[OF1082].pool");
    }

    #[test]
    fn direction_decides_better() {
        assert!(Direction::HigherIsBetter.better(2.0, 1.0));
        assert!(Direction::LowerIsBetter.better(1.0, 2.0));
        assert!(!Direction::LowerIsBetter.better(1.0, 1.0));
    }
}
