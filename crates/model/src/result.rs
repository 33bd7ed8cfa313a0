//! What scoring returns. Every figure a report prints comes from these types.

use crate::{Quarter, TrustInQuarter};

/// A likely range (2.5th to 97.5th percentile by default).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// Where a metric score came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreProvenance {
    /// Computed by the engine from the raw value (its comparator pool was in the input).
    Computed,
    /// Taken from NHS England's published score (the pool is wider than the input, or the
    /// metric is only ever published as a score).
    Published,
}

/// One trust's score on one metric in one quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricScore {
    /// Quarter.
    pub quarter: Quarter,
    /// Trust code.
    pub trust: crate::TrustCode,
    /// Score id (OF1061).
    pub metric_id: String,
    /// The raw value the score came from, when there is one.
    pub value: Option<f64>,
    /// Score at full precision (1.0 to 4.0).
    pub score: f64,
    /// Score rounded as published.
    pub score_rounded: f64,
    /// Weight in the average.
    pub weight: f64,
    /// Whether it enters the average.
    pub in_average: bool,
    /// Whether `score` is the engine's or NHS England's.
    pub provenance: ScoreProvenance,
    /// The engine's own score from the raw value (when the comparator pool was in the input),
    /// full precision. Where NHS England's published score exists, that one is used in the
    /// average, because it was computed from unrounded raw values; this one is kept to verify it.
    pub computed: Option<f64>,
    /// Individual-metric rank of the raw value within the trust's peer group (competition
    /// ranking, 1 = best), when there is a raw value.
    pub value_rank: Option<u32>,
    /// Median and quartiles of the raw values in the trust's peer group.
    pub peer_spread: Option<PeerSpread>,
    /// Rank of the score within the peer group (1 = best score).
    pub score_rank: u32,
    /// The least direct provenance among the inputs behind the score (its raw value, its
    /// published score, or for a combined score its components').
    pub data_provenance: crate::Provenance,
    /// The period the score's inputs cover, as their sources state it.
    pub reporting_date: String,
    /// Why the value is queried, when a plausibility check queries it (scored as published
    /// all the same).
    pub queried: Option<String>,
}

/// Median and quartiles of a metric's raw values within a peer group (linear, inclusive, as
/// NHS England publishes them). Named fields, so the three cannot be confused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeerSpread {
    /// Median.
    pub median: f64,
    /// Lower quartile (25th percentile).
    pub lower_quartile: f64,
    /// Upper quartile (75th percentile).
    pub upper_quartile: f64,
}

/// One domain's result for a trust.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainResult {
    /// Domain id.
    pub domain: String,
    /// Mean of the domain's metric scores, rounded.
    pub score: f64,
    /// Domain segment (1–4), derived like the overall segment.
    pub segment: u8,
    /// The domain's own three cut-points the segment was cut at.
    pub cuts: [f64; 3],
    /// Rank of the domain score within the peer group (competition ranking, 1 = best).
    pub rank: u32,
}

/// A trust's result for an earlier quarter, read from the history store of earlier releases:
/// what the intervention rules that span several quarters need when the run itself holds only
/// the latest quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorResult {
    /// The earlier quarter.
    pub quarter: crate::Quarter,
    /// The trust.
    pub trust: crate::TrustCode,
    /// Its segment, 1 to 4, after the financial override.
    pub segment: u8,
    /// In the Recovery Support Programme (segment 5), if known.
    pub in_recovery_support_programme: Option<bool>,
    /// In financial deficit, if known.
    pub in_deficit: Option<bool>,
    /// Planned surplus (+) or deficit (-) as a percentage of income, if known.
    pub planned_surplus: Option<f64>,
    /// The release it was published in (named in the evidence).
    pub release: String,
}

/// One row of a league table.
#[derive(Debug, Clone, PartialEq)]
pub struct LeagueRow {
    /// The trust as published in this quarter.
    pub trust: TrustInQuarter,
    /// Number of metrics in the average.
    pub metrics_scored: u32,
    /// Weighted mean of metric scores, full precision.
    pub average_unrounded: f64,
    /// Average metric score, rounded (OF5002).
    pub average: f64,
    /// Likely range of the average.
    pub average_range: Range,
    /// Segment before the override (OF5003).
    pub unadjusted_segment: u8,
    /// Segment after the financial override (OF5000): the one ranks use.
    pub segment: u8,
    /// Segment including 5 for the improvement programme (OF5005); the segment itself where the
    /// programme status is not known.
    pub final_segment: u8,
    /// Financial override flag (OF5004): `None` where the input has no real deficit status for
    /// the trust (the override is then not applied, and outputs say "Not known").
    pub in_deficit: Option<bool>,
    /// Where the deficit flag comes from, when there is one.
    pub deficit_provenance: Option<crate::Provenance>,
    /// Recovery Support Programme flag (OF5007): `None` where the input does not give it (the
    /// outputs then say "Not known" and never place the trust in segment 5).
    pub in_recovery_support_programme: Option<bool>,
    /// League rank within the peer group (competition ranking on segment, then average).
    pub rank: u32,
    /// Rank on the average alone within the peer group (the `Rank` NHS England prints on OF5002).
    pub average_rank: u32,
    /// Likely range of the rank.
    pub rank_range: Range,
    /// Domain results, in the methodology's domain order, for domains with any score.
    pub domains: Vec<DomainResult>,
    /// The score ids in the average (OF1xxx), sorted: what the average rests on.
    pub metrics: Vec<String>,
    /// Scored metrics in the average whose input is synthetic.
    pub synthetic_metrics: u32,
    /// Scored metrics in the average whose input is real but from another period.
    pub other_period_metrics: u32,
    /// Segment chances: the share of bootstrap replicates (whole per cent, summing to 100) in
    /// which the trust's average gives segments 1 to 4 after the override; `None` where the
    /// run did not compute them (a release written before they existed).
    pub segment_chances: Option<[u8; 4]>,
    /// The trust's average against its peer group's median average, from the same bootstrap
    /// replicates as the likely ranges; `None` where the run did not compute it (an earlier
    /// release's row).
    pub versus_peers: Option<VersusPeers>,
}

/// How a trust's average compares with its peer group's median (Fingertips' "similar to
/// benchmark"): the interval of (trust's average − group median) across the bootstrap replicates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VersusPeers {
    /// The interval of the difference, in average-score points (lower is better).
    pub difference: Range,
    /// What the interval shows.
    pub comparison: PeerComparison,
}

/// Better, similar or worse than the peer group's median.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PeerComparison {
    /// The whole interval is below 0 (a lower average is better).
    Better,
    /// The interval includes 0.
    Similar,
    /// The whole interval is above 0.
    Worse,
}

impl PeerComparison {
    /// Of an interval of (average − median), lower being better.
    pub fn of(difference: Range) -> Self {
        if difference.high < 0.0 {
            PeerComparison::Better
        } else if difference.low > 0.0 {
            PeerComparison::Worse
        } else {
            PeerComparison::Similar
        }
    }

    /// As the outputs write it.
    pub fn label(self) -> &'static str {
        match self {
            PeerComparison::Better => "Better",
            PeerComparison::Similar => "Similar",
            PeerComparison::Worse => "Worse",
        }
    }
}

impl LeagueRow {
    /// The deficit flag as the outputs write it: "Yes", "No" or "Not known".
    pub fn deficit_label(&self) -> &'static str {
        match self.in_deficit {
            Some(true) => "Yes",
            Some(false) => "No",
            None => "Not known",
        }
    }

    /// The Recovery Support Programme flag as the outputs write it: "Yes", "No" or "Not known".
    pub fn programme_label(&self) -> &'static str {
        match self.in_recovery_support_programme {
            Some(true) => "Yes",
            Some(false) => "No",
            None => "Not known",
        }
    }
}

/// Where a quarter's cut-points came from.
#[derive(Debug, Clone, PartialEq)]
pub enum CutPointSource {
    /// Given on the command line.
    CommandLine,
    /// From the methodology's published cut-points for the quarter.
    Configured,
    /// Fixed thresholds of the method.
    Thresholds,
    /// Quartiles computed over these peer groups' averages in the input.
    Quartiles(Vec<String>),
}

/// The cut-points used for one quarter (and peer group, when segmentation is per group).
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentCuts {
    /// Quarter.
    pub quarter: Quarter,
    /// Peer group, when cut-points are per peer group; `None` when shared.
    pub peer_group: Option<String>,
    /// The three ascending cut-points.
    pub cuts: [f64; 3],
    /// Their origin.
    pub source: CutPointSource,
}

/// One peer group's league table for one quarter, rows in rank order.
#[derive(Debug, Clone, PartialEq)]
pub struct LeagueTable {
    /// Quarter.
    pub quarter: Quarter,
    /// Peer group id.
    pub peer_group: String,
    /// NHS England's trust-type label for the group.
    pub peer_group_label: String,
    /// Rows sorted by rank, then trust code.
    pub rows: Vec<LeagueRow>,
}

/// Everything one scoring run produces.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRun {
    /// League tables, by quarter then the methodology's peer-group order.
    pub tables: Vec<LeagueTable>,
    /// Every metric score used, sorted by quarter, trust, metric.
    pub metric_scores: Vec<MetricScore>,
    /// Cut-points used.
    pub cuts: Vec<SegmentCuts>,
    /// Bootstrap seed and replicate count used.
    pub seed: u64,
    /// Bootstrap replicates used.
    pub replicates: u32,
    /// Each trust's intervention status, in table order.
    pub interventions: Vec<InterventionStatus>,
    /// What it would take each trust to reach the next segment, in table order.
    pub next_segment_plans: Vec<NextSegmentPlan>,
    /// League tables of earlier quarters the run does not hold, as earlier releases published
    /// them (read from the history store), for the packs' and letters' trends only: never
    /// written as this run's tables. Rows carry what the league tables show (segments, ranks,
    /// averages and their likely ranges); `average_rank` is the rank and `domains` is empty.
    pub earlier: Vec<LeagueTable>,
    /// The release each earlier quarter's tables come from.
    pub earlier_from: Vec<(Quarter, String)>,
    /// Every trust's segment and rank under each alternative to the method's choices, by
    /// quarter then alternative (statistics beside the tables; they change nothing in them).
    pub sensitivity: Vec<Alternative>,
    /// Funnel plots of each proportion measure's quarter counts, by quarter, measure, peer group.
    pub funnels: Vec<FunnelPlot>,
    /// SPC charts of each trust's monthly series, by quarter, trust, measure.
    pub spc: Vec<SpcSeries>,
}

/// Where a trust sits against one pair of funnel limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FunnelPosition {
    /// Below the lower limit.
    Below,
    /// On or inside the limits.
    Within,
    /// Above the upper limit.
    Above,
}

impl FunnelPosition {
    /// As the outputs write it.
    pub fn label(self) -> &'static str {
        match self {
            FunnelPosition::Below => "Below",
            FunnelPosition::Within => "Within",
            FunnelPosition::Above => "Above",
        }
    }
}

/// One trust on a funnel plot.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelPoint {
    /// Trust code.
    pub trust: crate::TrustCode,
    /// Numerator of the quarter.
    pub numerator: f64,
    /// Denominator of the quarter.
    pub denominator: f64,
    /// numerator ÷ denominator (a proportion, 0 to 1).
    pub proportion: f64,
    /// (lower, upper) limits as proportions at the inner and outer z.
    pub limits: [(f64, f64); 2],
    /// Position against the inner and outer limits.
    pub position: [FunnelPosition; 2],
}

/// A funnel plot of one measure in one peer group and quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelPlot {
    /// Quarter.
    pub quarter: Quarter,
    /// Measure id (OF0013).
    pub measure: String,
    /// Peer group id.
    pub peer_group: String,
    /// The months the counts cover ("Apr-25 to Jun-25", or one month for a snapshot).
    pub period: String,
    /// The pooled proportion of the group, Σr/Σn.
    pub target: f64,
    /// Over-dispersion ratio φ.
    pub phi: f64,
    /// Between-trust variance τ² on the arcsine square-root scale.
    pub tau2: f64,
    /// z of the inner and outer limits.
    pub z: [f64; 2],
    /// Trusts with counts, by trust code.
    pub points: Vec<FunnelPoint>,
    /// The limits drawn as curves: (denominator, limits at the inner and outer z), at evenly
    /// spaced denominators from the smallest trust's to the largest's.
    pub curve: Vec<(f64, [(f64, f64); 2])>,
}

/// The special-cause rules one point of an SPC chart is part of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpcFlags {
    /// Outside the process limits.
    pub outside: bool,
    /// Part of a run on one side of the mean.
    pub run: bool,
    /// Part of a rising or falling trend.
    pub trend: bool,
    /// Part of two of three beyond two sigma.
    pub two_of_three: bool,
}

impl SpcFlags {
    /// Whether any rule flags the point.
    pub fn any(self) -> bool {
        self.outside || self.run || self.trend || self.two_of_three
    }

    /// The rules as the outputs list them ("outside limits; run"), "" for none.
    pub fn label(self) -> String {
        [
            (self.outside, "outside limits"),
            (self.run, "run"),
            (self.trend, "trend"),
            (self.two_of_three, "two of three beyond two sigma"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, l)| *l)
        .collect::<Vec<_>>()
        .join("; ")
    }
}

/// The variation of a point (Making Data Count's variation icons).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variation {
    /// No rule flags it.
    CommonCause,
    /// Special cause on the better side.
    Improvement,
    /// Special cause on the worse side.
    Concern,
}

impl Variation {
    /// As the outputs write it.
    pub fn label(self) -> &'static str {
        match self {
            Variation::CommonCause => "Common cause variation",
            Variation::Improvement => "Special cause: improvement",
            Variation::Concern => "Special cause: concern",
        }
    }
}

/// Whether the process meets its standard (Making Data Count's assurance icons).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assurance {
    /// The standard is beyond the worse process limit: the process will not meet it.
    ConsistentlyFailing,
    /// The standard is beyond the better process limit: the process will meet it.
    ConsistentlyPassing,
    /// The standard lies between the limits: met in some months, missed in others.
    HitAndMiss,
}

impl Assurance {
    /// As the outputs write it.
    pub fn label(self) -> &'static str {
        match self {
            Assurance::ConsistentlyFailing => "Consistently failing the standard",
            Assurance::ConsistentlyPassing => "Consistently passing the standard",
            Assurance::HitAndMiss => "Hit and miss against the standard",
        }
    }
}

/// One trust's SPC chart of one measure, months up to the quarter's last.
#[derive(Debug, Clone, PartialEq)]
pub struct SpcSeries {
    /// Quarter.
    pub quarter: Quarter,
    /// Trust code.
    pub trust: crate::TrustCode,
    /// Measure id.
    pub measure: String,
    /// Months, oldest first, contiguous, ending with the quarter's last month.
    pub months: Vec<(u16, u8)>,
    /// The measure's value each month.
    pub values: Vec<f64>,
    /// The rules each point is part of.
    pub rules: Vec<SpcFlags>,
    /// Centre line.
    pub mean: f64,
    /// Lower and upper process limits.
    pub limits: (f64, f64),
    /// Lower and upper two-sigma lines.
    pub two_sigma: (f64, f64),
    /// Fewer points than the configured minimum: trial limits.
    pub trial: bool,
    /// The latest point's variation.
    pub variation: Variation,
    /// Against the measure's standard, where it has one.
    pub assurance: Option<Assurance>,
}

/// One alternative to the method's choices and what it gives every trust of a quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    /// Quarter.
    pub quarter: Quarter,
    /// Stable id (`no_override`, `drop_OF1061`, `fixed_thresholds`, ...).
    pub id: String,
    /// What changes, in plain English.
    pub label: String,
    /// The cut-points the alternative segments at, in words ("2.06, 2.33, 2.61 over all trusts").
    pub cuts: String,
    /// Each trust's result under it, by peer group then trust code. A trust with no average under
    /// the alternative (its only metric dropped) has none.
    pub outcomes: Vec<AlternativeOutcome>,
}

/// A trust's result under an alternative.
#[derive(Debug, Clone, PartialEq)]
pub struct AlternativeOutcome {
    /// Trust code.
    pub trust: crate::TrustCode,
    /// Peer group id.
    pub peer_group: String,
    /// The average under the alternative, rounded as published.
    pub average: f64,
    /// The segment 1–4 under the alternative (after the override, unless the alternative drops it).
    pub segment: u8,
    /// The league rank within the peer group under the alternative.
    pub rank: u32,
}

/// What it would take a trust to move into the next better segment, found by re-scoring its
/// metrics with better values (the rank-based schemes re-ranked with the new value) at the
/// quarter's cut-points.
#[derive(Debug, Clone, PartialEq)]
pub struct NextSegmentPlan {
    /// Quarter.
    pub quarter: Quarter,
    /// Trust code.
    pub trust: crate::TrustCode,
    /// Segment 1–4 now (after the financial override).
    pub segment: u8,
    /// What the re-scoring found.
    pub outcome: PlanOutcome,
    /// Metrics in the average that could not be re-scored, with why (score id, reason).
    pub not_modelled: Vec<(String, String)>,
}

/// The result of searching for the smallest set of improvements.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanOutcome {
    /// Already in segment 1.
    AlreadyBest,
    /// In financial deficit and at the cap: no metric improvement alone moves the trust above
    /// the cap segment, whatever its average.
    CappedByOverride {
        /// The cap segment.
        cap: u8,
        /// The segment the trust's average gives.
        before_override: u8,
    },
    /// The fewest metric improvements that reach `target`.
    Path {
        /// Segment reached.
        target: u8,
        /// The improvements, in metric id order.
        steps: Vec<NextSegmentStep>,
        /// The average after them, rounded as published.
        new_average: f64,
        /// The average after them before rounding.
        exact_average: f64,
        /// The cut-point the average must stay on the better side of: the upper bound of
        /// segment `target`.
        cut_point: f64,
    },
    /// No combination of the modelled metrics reaches the next segment.
    NoPath {
        /// The segment that could not be reached.
        target: u8,
        /// The best average the modelled metrics can give, rounded as published.
        best_average: f64,
    },
}

/// One metric improvement of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct NextSegmentStep {
    /// Score id (OF1061).
    pub metric_id: String,
    /// Raw value id (OF0061).
    pub value_id: String,
    /// The value now.
    pub from_value: f64,
    /// The value to reach (at least as good as this).
    pub to_value: f64,
    /// The score now, as averaged.
    pub from_score: f64,
    /// The score at the target value.
    pub to_score: f64,
    /// The metric's weight in the average.
    pub weight: f64,
}

/// A trust's intervention status in a quarter: the first configured status whose rule holds.
#[derive(Debug, Clone, PartialEq)]
pub struct InterventionStatus {
    /// Quarter.
    pub quarter: Quarter,
    /// Trust code.
    pub trust: crate::TrustCode,
    /// Status id (`earned_autonomy`).
    pub id: String,
    /// Status as the letter names it.
    pub label: String,
    /// The condition that held, in plain English (empty for the default status).
    pub rule: String,
    /// The figures that show it held, one per quarter and test.
    pub evidence: Vec<String>,
    /// More severe or earlier statuses whose rules the input could not assess, with why.
    pub not_assessed: Vec<String>,
}
