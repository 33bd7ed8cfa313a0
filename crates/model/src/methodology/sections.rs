//! The methodology's sections, one type each, as the TOML spells them.

use std::collections::BTreeMap;

use serde::Deserialize;

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
    pub(crate) fn tests_nothing(&self) -> bool {
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

/// The statistics shown beside the ranks (funnel plots, SPC, similar to peers, sensitivity).
/// They never change a segment or a rank: NHS England's method stays the reference.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statistics {
    /// Funnel plots of the proportion metrics with counts.
    pub funnel: FunnelRules,
    /// Statistical process control on each trust's monthly series.
    pub spc: SpcRules,
    /// Each trust's average against its peer group's median.
    pub peers: PeerComparisonRules,
    /// What the method's choices do to the segments.
    pub sensitivity: SensitivityRules,
    /// The measures with monthly counts in the public statistics: funnel plots (proportions)
    /// and SPC charts (all).
    #[serde(rename = "measure")]
    pub measures: Vec<MeasureRule>,
}

/// What a measure's counts are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// A percentage: 100 × numerator ÷ denominator, numerator ≤ denominator; funnel and SPC.
    Proportion,
    /// A mean: numerator (a total) ÷ denominator (how many); SPC only.
    Mean,
}

/// How a quarter's counts are made from its months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuarterCounts {
    /// The three months added up (activity measures).
    Sum,
    /// The quarter's last month (waiting-list snapshots, as the annex takes RTT).
    LastMonth,
}

/// One measure with monthly counts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureRule {
    /// Value id (OF0013).
    pub id: String,
    /// Name as the outputs give it.
    pub name: String,
    /// A few words, for a table row in a letter.
    pub short_name: String,
    /// Percentage or mean.
    pub kind: MeasureKind,
    /// How a quarter is made from months.
    pub quarter: QuarterCounts,
    /// Which way is better.
    pub direction: Direction,
    /// Unit as printed ("%", "minutes").
    pub unit: String,
    /// The operational standard the assurance icon compares with, if any.
    #[serde(default)]
    pub standard: Option<f64>,
    /// Where the standard comes from.
    #[serde(default)]
    pub standard_note: Option<String>,
    /// The publication the counts come from, as the outputs name it.
    pub source: String,
    /// Peer groups it is shown for.
    pub peer_groups: Vec<String>,
}

/// Funnel plot limits, adjusted for over-dispersion (Spiegelhalter 2005).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunnelRules {
    /// The two-sided z values of the inner and outer limits (1.959964: 95%; 3.090232: 99.8%).
    pub z: [f64; 2],
    /// Share of z-scores winsorised in each tail before φ is estimated (0.1).
    pub winsorise: f64,
    /// Whether limits are widened by the random-effects τ² when φ shows over-dispersion.
    pub overdispersion: bool,
    /// Fewest trusts with counts for a funnel to be drawn.
    pub minimum_trusts: usize,
    /// Evidence.
    pub evidence: Evidence,
}

/// Which points count towards the two-of-three rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TwoOfThree {
    /// Every point beyond two sigma, including those beyond the limits (Making Data Count,
    /// November 2023).
    BeyondTwoSigma,
    /// Only points between two sigma and the limits (NHSRplotthedots 0.2.2 and earlier guidance).
    BetweenTwoAndThreeSigma,
}

/// XmR charts as Making Data Count draws them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpcRules {
    /// Process limits at mean ± this × the average moving range (2.66).
    pub limit_factor: f64,
    /// Whether moving ranges of at least `screen_factor` × the average moving range are left
    /// out before the average is recomputed.
    pub screen_moving_ranges: bool,
    /// The screening factor (3.267).
    pub screen_factor: f64,
    /// Fewest points for limits that are not "trial" limits (12).
    pub minimum_points: usize,
    /// Fewest contiguous months up to the quarter's last for a chart to be drawn at all (6):
    /// a shorter series shows no variation worth naming and gives no assurance.
    pub minimum_chart_points: usize,
    /// Most recent months a chart shows and its limits come from (24).
    pub months: usize,
    /// Points in a run on one side of the mean (7; Making Data Count allows 6 to 8).
    pub run_length: usize,
    /// Points in a rising or falling trend (7).
    pub trend_length: usize,
    /// Which points the two-of-three rule counts.
    pub two_of_three: TwoOfThree,
    /// Evidence.
    pub evidence: Evidence,
}

/// Each trust's average against its peer group's median, from the likely-range bootstrap.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerComparisonRules {
    /// Lower percentile of the difference (2.5).
    pub lower_percentile: f64,
    /// Upper percentile of the difference (97.5).
    pub upper_percentile: f64,
    /// Evidence.
    pub evidence: Evidence,
}

/// The alternatives the segments are recomputed under.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitivityRules {
    /// Fixed thresholds for the "fixed thresholds instead of quartiles" alternative (three,
    /// ascending).
    pub fixed_thresholds: [f64; 3],
    /// Where the thresholds come from, as the outputs state it.
    pub fixed_thresholds_note: String,
    /// Evidence.
    pub evidence: Evidence,
}
