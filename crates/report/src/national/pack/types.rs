//! The national pack's types: what every renderer draws from.

use std::collections::{BTreeMap, BTreeSet};

use league_model::{LeagueTable, Methodology, Provenance, Quarter, ScoreRun};

use crate::narrative::{percentile_label, thousands};
use crate::table::PackTable;

/// Segment counts for one peer group (the segment chart's data).
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentCounts {
    /// Peer group id.
    pub peer_group: String,
    /// Peer group label ("Acute trust").
    pub label: String,
    /// Trusts in segments 1 to 4 after the financial override (the league order).
    pub counts: [u32; 4],
    /// Of those, trusts in the Recovery Support Programme (segment 5).
    pub recovery_support: u32,
    /// Trusts whose Recovery Support Programme status the input does not give.
    pub programme_not_known: u32,
    /// Trusts moved to a worse segment by the financial override.
    pub capped: u32,
    /// Trusts whose deficit status no real source gives (the override is not applied).
    pub deficit_not_known: u32,
    /// Trusts by NHS England's final segment, 1 to 5 (5 for the Recovery Support Programme,
    /// else the segment after the override), counted only when every trust's programme status
    /// is known.
    pub final_counts: Option<[u32; 5]>,
}

impl SegmentCounts {
    /// Trusts in the peer group.
    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }

    /// Trusts in the Recovery Support Programme as a table cell: the count, "Not known" when
    /// the input gives no trust's status, or the count and how many are not known.
    pub fn programme_cell(&self) -> String {
        match self.programme_not_known {
            0 => self.recovery_support.to_string(),
            n if n == self.total() => "Not known".to_owned(),
            n => format!("{} ({n} not known)", self.recovery_support),
        }
    }
}

impl NationalPack {
    /// The sources the release's figures rest on, as one sentence: NHS England's NOF data files
    /// always; the statistical publications only where some figure was computed from them.
    pub fn sources(&self) -> String {
        let computed = self
            .provenance
            .iter()
            .any(|g| g.real > 0 || g.other_period > 0);
        let mut s = "Sources: NHS England, NHS Oversight Framework segmentation and league tables data files, 2025/26".to_owned();
        if computed {
            s.push_str("; Ambulance Quality Indicators (AmbSYS); NHS Staff Survey 2024");
        }
        s.push_str("; NHS Organisation Data Service (trust codes)");
        if self.other_period_values > 0 {
            s.push_str("; for figures the publications for the quarter do not give, NHS England's publications for another period, as the data provenance note states");
        }
        s.push('.');
        s
    }

    /// Trusts in the release, all peer groups.
    pub fn trusts(&self) -> u32 {
        self.segments.iter().map(SegmentCounts::total).sum()
    }
}

/// The facts of the run that the method text states, so the text is the run's, not prose.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodFacts {
    /// Methodology name and configuration version.
    pub methodology: String,
    /// Bootstrap replicates behind the likely ranges.
    pub replicates: u32,
    /// Bootstrap seed.
    pub seed: u64,
    /// Percentiles that bound a likely range.
    pub percentiles: (f64, f64),
    /// Percentiles that bound the difference from the peer median.
    pub peer_percentiles: (f64, f64),
    /// Worst segment a trust in financial deficit may have.
    pub override_cap: u8,
    /// The segment number of the Recovery Support Programme.
    pub segment5: u8,
    /// Whether segment 5 changes the league rank.
    pub segment5_affects_rank: bool,
    /// Decimal places of the average used in the league order.
    pub average_dp: u32,
    /// Metrics weighted other than 1 in the average: (weight, ids).
    pub weights: Vec<(f64, Vec<String>)>,
    /// Labels of the peer groups in the pack ("Acute trust").
    pub peer_groups: Vec<String>,
    /// The quarter's data cut-off: the day by which every value used existed.
    pub cut_off: league_model::Date,
    /// Whether the cut-off is a configured date (NHS England's publication) rather than the
    /// default lag after the quarter.
    pub cut_off_configured: bool,
}

impl MethodFacts {
    /// When the data are as of, as one clause: "9 September 2025, when NHS England first
    /// published Q1 2025/26".
    pub fn data_as_of(&self, quarter: Quarter) -> String {
        if self.cut_off_configured {
            format!(
                "{}, when NHS England first published {quarter}",
                self.cut_off.long()
            )
        } else {
            format!(
                "{} (NHS England's publication date for {quarter} is not configured: this is the quarter's end plus the usual gap)",
                self.cut_off.long()
            )
        }
    }

    /// How likely ranges are made, as one clause.
    pub fn likely_ranges(&self) -> String {
        format!(
            "the {} and {} percentiles of {} bootstrap replicates (seed {})",
            percentile_label(self.percentiles.0),
            percentile_label(self.percentiles.1),
            thousands(self.replicates),
            self.seed
        )
    }

    /// The difference-from-the-peer-median interval's coverage: "95%".
    pub fn peer_interval(&self) -> String {
        format!("{}%", self.peer_percentiles.1 - self.peer_percentiles.0)
    }

    /// How the league is ordered, as one sentence.
    pub fn league_order(&self) -> String {
        format!(
            "Rank is the position within the peer group: segment (1 to 4, after the financial override) first, then average score (1 best, 4 worst) to {} decimal places; trusts with equal segment and average share the best rank.",
            self.average_dp
        )
    }
}

/// One note, with a stable id that sheets and sections refer to (never its position).
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// Stable id ("method", "likely_ranges").
    pub id: &'static str,
    /// Subject, shown as its heading.
    pub subject: String,
    /// The note.
    pub text: String,
}

/// One trust on a ranked chart: figures as the tables show them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartPoint {
    /// League rank.
    pub rank: u32,
    /// Average score.
    pub average: f64,
    /// Likely range of the average.
    pub low: f64,
    /// See `low`.
    pub high: f64,
    /// True when the financial override moved the trust to a worse segment.
    pub capped: bool,
}

/// A peer group's ranked chart: every trust in league order with its likely range.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedChart {
    /// Peer group id.
    pub peer_group: String,
    /// Peer group label.
    pub label: String,
    /// Segment cut-points used for the group, when known.
    pub cuts: Option<[f64; 3]>,
    /// Trusts in league order.
    pub points: Vec<ChartPoint>,
    /// Widest likely range of the average.
    pub widest: f64,
}

/// A change of league position since the previous quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct Movement {
    /// Peer group label.
    pub group: String,
    /// Trust code.
    pub code: String,
    /// Trust name.
    pub name: String,
    /// Rank in the previous quarter.
    pub before: u32,
    /// Rank now.
    pub now: u32,
    /// True when the likely ranges of rank do not overlap.
    pub significant: bool,
}

/// How many trusts of a peer group moved since the previous quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendSummary {
    /// Peer group label.
    pub label: String,
    /// Previous quarter.
    pub previous: Quarter,
    /// Trusts in both quarters.
    pub compared: u32,
    /// Of those, trusts whose rank changed.
    pub moved: u32,
    /// Of the moves, those whose likely ranges of rank do not overlap.
    pub significant: u32,
    /// Trusts whose segment changed.
    pub segment_changed: u32,
}

/// The whole pack for one quarter: the only thing renderers read.
#[derive(Debug, Clone, PartialEq)]
pub struct NationalPack {
    /// The quarter.
    pub quarter: Quarter,
    /// The previous quarter, when the run or an earlier release (the history store) holds it.
    pub previous: Option<Quarter>,
    /// Every quarter of the run up to this one, oldest first (the trend's columns).
    pub history: Vec<Quarter>,
    /// The segment cut-points of each quarter in `history` (the first peer group's, when they
    /// are per group).
    pub history_cuts: Vec<(Quarter, [f64; 3])>,
    /// Quarters in `history` the run does not hold, with the earlier release each comes from.
    pub earlier_from: Vec<(Quarter, String)>,
    /// The facts of the method as run.
    pub method: MethodFacts,
    /// League tables by peer group (in the methodology's order).
    pub league: Vec<PackTable>,
    /// One ranking per scored metric.
    pub metrics: Vec<PackTable>,
    /// Segment and rank over the quarters and movement since the previous one, per peer group
    /// (empty without a previous quarter).
    pub movement: Vec<PackTable>,
    /// What the method's choices do to the segments: the summary, then every trust under each
    /// alternative (empty when the run has no alternatives).
    pub sensitivity: Vec<PackTable>,
    /// The summary's figures, for the PDF and the findings.
    pub sensitivity_summary: Vec<super::AlternativeSummary>,
    /// Funnel plot tables (one per measure and peer group), then the SPC summary and series.
    pub statistics: Vec<PackTable>,
    /// What the PDF draws of each funnel.
    pub funnel_charts: Vec<super::FunnelChart>,
    /// Segment counts per peer group.
    pub segments: Vec<SegmentCounts>,
    /// Ranked charts per peer group.
    pub charts: Vec<RankedChart>,
    /// Largest movements in each direction, per peer group.
    pub largest_moves: Vec<Movement>,
    /// Movement counts per peer group (empty without a previous quarter).
    pub trend: Vec<TrendSummary>,
    /// Scored values resting on synthetic inputs, and on real inputs from another period.
    pub synthetic_values: u32,
    /// See `synthetic_values`.
    pub other_period_values: u32,
    /// Where each peer group's averaged scores come from.
    pub provenance: Vec<GroupProvenance>,
    /// What each league table's averages rest on, in league-table order.
    pub basis: Vec<Basis>,
    /// Notes shared by every rendering (workbook Notes sheet, PDF method section).
    pub notes: Vec<Note>,
    /// Key findings, as every rendering states them.
    pub key_findings: Vec<String>,
}

/// Averaged scores of one peer group by where their inputs come from, and trusts without a
/// real deficit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupProvenance {
    /// Peer group id.
    pub peer_group: String,
    /// Peer group label ("Acute trust").
    pub label: String,
    /// As NHS England published them.
    pub published: u32,
    /// Computed from real publications for the quarter.
    pub real: u32,
    /// Real, but for another period.
    pub other_period: u32,
    /// Generated by this project (tests and benchmarks only).
    pub synthetic: u32,
    /// Trusts whose deficit status no real source gives.
    pub deficit_not_known: u32,
    /// Trusts whose deficit status comes from a publication for another period.
    pub deficit_other_period: u32,
}

impl GroupProvenance {
    /// One plain-English sentence: what this peer group's averages rest on.
    pub fn sentence(&self) -> String {
        let total = self.published + self.real + self.other_period + self.synthetic;
        let mut parts = Vec::new();
        for (n, what) in [
            (self.published, "as NHS England published them"),
            (
                self.real,
                "computed here from the public statistics NHS England uses for the quarter",
            ),
            (
                self.other_period,
                "from real publications for another period",
            ),
            (
                self.synthetic,
                "synthetic, generated by this project: not real figures for any trust",
            ),
        ] {
            if n > 0 {
                parts.push(format!("{} {what}", thousands(n)));
            }
        }
        let mut s = format!(
            "{}s: the averages rest on {} metric scores, {}.",
            self.label,
            thousands(total),
            parts.join(", ")
        );
        if self.deficit_other_period > 0 {
            s.push_str(&format!(
                " The deficit status of {} comes from a real publication for another period.",
                self.deficit_other_period
            ));
        }
        if self.deficit_not_known > 0 {
            s.push_str(&format!(
                " No real source gives the deficit status of {} of them: it shows as \"Not known\" and the financial override is not applied.",
                self.deficit_not_known
            ));
        }
        s
    }
}

impl NationalPack {
    /// The caveat every rendering opens with.
    pub fn caveat(&self) -> String {
        let mut s =
            "This release reproduces NHS England's method; it is not NHS England's publication."
                .to_owned();
        if self.synthetic_values > 0 {
            s.push_str(&format!(
                " {} scored values rest on synthetic inputs generated by this project: they are not real figures for any trust.",
                thousands(self.synthetic_values)
            ));
        }
        if self.other_period_values > 0 {
            s.push_str(&format!(
                " {} scored values rest on real inputs from another period; the league tables count them for each trust.",
                thousands(self.other_period_values)
            ));
        }
        s.push_str(" Where no real value exists for a trust and metric, the metric is not scored for that trust; each league table lists the metrics its averages rest on.");
        for b in self.basis.iter().filter(|b| b.reconstructed > 0) {
            let label = self
                .segments
                .iter()
                .find(|g| g.peer_group == b.peer_group)
                .map_or_else(|| b.peer_group.clone(), |g| g.label.to_lowercase());
            s.push_str(&format!(
                " The {label} segments and ranks are reconstructed by this project from public statistics (this project does not have NHS England's data file for them); NHS England's results may differ."
            ));
        }
        s
    }

    /// Every table, in workbook order.
    pub fn tables(&self) -> impl Iterator<Item = &PackTable> {
        self.league
            .iter()
            .chain(self.movement.iter())
            .chain(self.metrics.iter())
            .chain(self.sensitivity.iter())
            .chain(self.statistics.iter())
    }

    /// The note with this id. Panics on an id the pack does not make: a bug.
    pub fn note(&self, id: &str) -> &Note {
        self.notes
            .iter()
            .find(|n| n.id == id)
            .unwrap_or_else(|| panic!("the pack makes note {id}"))
    }

    /// "[note 3]" for the note with this id (numbered in the order of `notes`).
    pub fn note_ref(&self, id: &str) -> String {
        let i = self
            .notes
            .iter()
            .position(|n| n.id == id)
            .unwrap_or_else(|| panic!("the pack makes note {id}"));
        format!("[note {}]", i + 1)
    }
}

/// What a league table's averages rest on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    /// Peer group id.
    pub peer_group: String,
    /// Trusts in the table.
    pub trusts: usize,
    /// Fewest and most metric scores in one trust's average.
    pub per_trust: (u32, u32),
    /// Each metric in the averages, in the methodology's order: id, name, trusts with it.
    pub metrics: Vec<(String, String, u32)>,
    /// Averaged scores whose input is not NHS England's published NOF value: scored here from
    /// other public statistics, so the table is this project's reconstruction.
    pub reconstructed: u32,
    /// Trusts whose deficit status is not known (their segments are provisional).
    pub deficit_not_known: u32,
    /// The financial override's cap segment.
    pub cap: u8,
}

impl Basis {
    pub(super) fn of(t: &LeagueTable, m: &Methodology, run: &ScoreRun) -> Self {
        let codes: BTreeSet<&str> = t.rows.iter().map(|r| r.trust.code.as_str()).collect();
        let reconstructed = run
            .metric_scores
            .iter()
            .filter(|s| {
                s.quarter == t.quarter
                    && s.in_average
                    && s.data_provenance != Provenance::Published
                    && codes.contains(s.trust.as_str())
            })
            .count() as u32;
        let deficit_not_known = t.rows.iter().filter(|r| r.in_deficit.is_none()).count() as u32;
        let mut count: BTreeMap<&str, u32> = BTreeMap::new();
        for id in t.rows.iter().flat_map(|r| &r.metrics) {
            *count.entry(id.as_str()).or_default() += 1;
        }
        let metrics = m
            .metrics
            .iter()
            .filter_map(|x| {
                count
                    .get(x.id.as_str())
                    .map(|&n| (x.id.clone(), x.name.clone(), n))
            })
            .collect();
        let scored = t.rows.iter().map(|r| r.metrics_scored);
        Basis {
            peer_group: t.peer_group.clone(),
            trusts: t.rows.len(),
            per_trust: (scored.clone().min().unwrap_or(0), scored.max().unwrap_or(0)),
            metrics,
            reconstructed,
            deficit_not_known,
            cap: m.financial_override.cap_segment,
        }
    }

    /// How many metrics, how many per trust, and, where so, that the table is this project's
    /// reconstruction and which segments are provisional.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "The averages in this table rest on {} metrics, {} to {} per trust.",
            self.metrics.len(),
            self.per_trust.0,
            self.per_trust.1
        );
        if self.reconstructed > 0 {
            s.push_str(&format!(
                " This project does not have NHS England's data file for this peer group: {} of the averaged scores were computed by this project from public statistics, with scoring rules partly inferred, so its segments and ranks are reconstructed by this project; NHS England's results may differ.",
                thousands(self.reconstructed)
            ));
        }
        if self.deficit_not_known > 0 {
            s.push_str(&format!(
                " The deficit status of {} {} is not known, so {} segments are provisional: the financial override could place a trust in deficit no better than segment {}.",
                self.deficit_not_known,
                if self.deficit_not_known == 1 { "trust" } else { "trusts" },
                if self.deficit_not_known == 1 { "its" } else { "their" },
                self.cap
            ));
        }
        s
    }

    /// The summary and every metric with the number of trusts that have it.
    pub fn sentence(&self) -> String {
        let parts: Vec<String> = self
            .metrics
            .iter()
            .map(|(id, name, n)| format!("{name} ({id}, {n} of {})", self.trusts))
            .collect();
        format!(
            "{} Metric (id, trusts with it): {}.",
            self.summary(),
            parts.join("; ")
        )
    }
}

/// Excel's worksheet-name limit is 31 characters.
pub(super) fn truncate_sheet(s: &str) -> String {
    s.chars().take(31).collect()
}
