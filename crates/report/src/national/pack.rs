//! The national pack as plain tables: what every renderer (Excel, PDF, CSV, Parquet) draws from,
//! so the figures cannot disagree between them.

use std::collections::{BTreeMap, BTreeSet};

use league_model::number::round_dp;
use league_model::{
    LeagueRow, LeagueTable, Methodology, MetricScore, MetricStatus, Provenance, Quarter, ScoreRun,
};

use crate::narrative::{
    and_list, count_word, cut_label, fmt_weight, ordinal, percentile_label, quarter_key,
    quarter_months, thousands,
};
use crate::table::{
    Cell, Column, DP, Kind, PackTable, Shorthand, col, dec, dec_or, trust_code_column,
    trust_name_column, value_cell, yes_no,
};

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
    fn of(t: &LeagueTable, m: &Methodology, run: &ScoreRun) -> Self {
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

fn method_facts(
    run: &ScoreRun,
    m: &Methodology,
    tables: &[&LeagueTable],
    quarter: Quarter,
) -> MethodFacts {
    let (cut_off, cut_off_configured) = m.cut_off(quarter);
    let mut weights: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for x in m
        .metrics
        .iter()
        .filter(|x| x.status == MetricStatus::Scored && x.weight != 1.0)
    {
        weights
            .entry(format!("{}", x.weight))
            .or_default()
            .push(x.id.clone());
    }
    let weights = weights
        .into_iter()
        .map(|(w, ids)| (w.parse().expect("formatted from f64"), ids))
        .collect();
    MethodFacts {
        methodology: format!(
            "{} {} (configuration {})",
            m.framework.name, m.framework.year, m.framework.config_version
        ),
        replicates: run.replicates,
        seed: run.seed,
        percentiles: (
            m.likely_ranges.lower_percentile,
            m.likely_ranges.upper_percentile,
        ),
        override_cap: m.financial_override.cap_segment,
        segment5: m.segment5.segment,
        segment5_affects_rank: m.segment5.affects_rank,
        average_dp: m.rounding.average_dp,
        weights,
        peer_groups: tables.iter().map(|t| t.peer_group_label.clone()).collect(),
        cut_off,
        cut_off_configured,
    }
}

fn league_columns(m: &Methodology, f: &MethodFacts) -> Vec<Column> {
    let mut columns = vec![
        col("Rank", "rank", Kind::Integer, "", &f.league_order()),
        col(
            "Rank, likely range from",
            "rank_likely_from",
            Kind::Integer,
            "",
            &format!(
                "Lower end of the likely range of rank ({} percentile of the seeded bootstrap).",
                percentile_label(f.percentiles.0)
            ),
        ),
        col(
            "Rank, likely range to",
            "rank_likely_to",
            Kind::Integer,
            "",
            &format!(
                "Upper end of the likely range of rank ({} percentile).",
                percentile_label(f.percentiles.1)
            ),
        ),
        trust_code_column(),
        trust_name_column(),
        col("Region", "region", Kind::Text, "", "NHS England region."),
        col(
            "Trust subtype",
            "trust_subtype",
            Kind::Text,
            "",
            "NHS England's trust subtype (\"Acute - Specialist\", \"Acute - Teaching\"...), as its data file gives it; descriptive only, not a peer group.",
        ),
        col(
            "Segment",
            "segment",
            Kind::Integer,
            "",
            "Delivery segment 1 (best) to 4 after the financial override: the segment the league order uses.",
        ),
        col(
            "Segment before the financial override",
            "segment_before_override",
            Kind::Integer,
            "",
            &format!(
                "Segment the average score gives before a trust in financial deficit or receiving deficit support is capped at segment {}.",
                f.override_cap
            ),
        ),
        col(
            &format!("Recovery Support Programme (segment {})", f.segment5),
            "recovery_support_programme",
            Kind::Text,
            "",
            &format!(
                "Yes when the trust is in the Recovery Support Programme, NHS England's segment {}; {}. Not known when the input does not give the trust's programme status.",
                f.segment5,
                if f.segment5_affects_rank {
                    "it is ranked below segment 4"
                } else {
                    "its segment 1 to 4 and rank are unchanged"
                }
            ),
        ),
        col(
            "In financial deficit",
            "financial_deficit",
            Kind::Text,
            "",
            &format!(
                "Yes when the trust is in deficit or receives deficit support: its segment is capped at {}. Not known when no real source gives the trust's deficit status: the cap is then not applied.",
                f.override_cap
            ),
        ),
        col(
            "Average metric score",
            "average_score",
            Kind::Decimal(DP),
            "score 1 to 4",
            "Weighted mean of the trust's metric scores (1 best, 4 worst).",
        ),
        col(
            "Average score, likely range from",
            "average_likely_from",
            Kind::Decimal(DP),
            "score 1 to 4",
            "Lower end of the likely range of the average score.",
        ),
        col(
            "Average score, likely range to",
            "average_likely_to",
            Kind::Decimal(DP),
            "score 1 to 4",
            "Upper end of the likely range of the average score.",
        ),
    ];
    for d in &m.domains {
        columns.push(col(
            &format!("{} domain score", d.name),
            &format!("domain_{}", d.id),
            Kind::Decimal(DP),
            "score 1 to 4",
            &format!(
                "Mean of the trust's {} metric scores ({}).",
                d.name.to_lowercase(),
                d.score_id
            ),
        ));
    }
    columns.extend([
        col("Metrics scored", "metrics_scored", Kind::Integer, "count", "Number of metric scores in the average."),
        col("Metrics in average", "metrics_in_average", Kind::Text, "", "The metric scores the average rests on, by NHS England metric id (OF1xxx), separated by semicolons."),
        col("Metrics with synthetic inputs", "synthetic_metrics", Kind::Integer, "count", "Scores in the average whose input was generated by this project, not published."),
        col("Metrics with inputs from another period", "other_period_metrics", Kind::Integer, "count", "Scores in the average whose real input covers another period."),
    ]);
    for s in 1..=4 {
        columns.push(col(
            &format!("Chance of segment {s}"),
            &format!("segment_chance_{s}"),
            Kind::Integer,
            "% of resamples",
            &format!("Share of the bootstrap resamples (whole per cent; the four sum to 100) in which the trust's resampled average gives segment {s} after the financial override. The resampling draws the trust's own metric scores with replacement: it shows how much the segment depends on which metrics the trust is scored on, not measurement error."),
        ));
    }
    columns
}

fn league_row(m: &Methodology, r: &LeagueRow) -> Vec<Cell> {
    let mut v = vec![
        Cell::Int(i64::from(r.rank)),
        Cell::Int(r.rank_range.low as i64),
        Cell::Int(r.rank_range.high as i64),
        Cell::Text(r.trust.code.to_string()),
        Cell::Text(r.trust.name.clone()),
        Cell::Text(r.trust.region.clone()),
        if r.trust.subtype.is_empty() {
            Cell::Missing(Shorthand::NotAvailable)
        } else {
            Cell::Text(r.trust.subtype.clone())
        },
        Cell::Int(i64::from(r.segment)),
        Cell::Int(i64::from(r.unadjusted_segment)),
        Cell::Text(r.programme_label().to_owned()),
        Cell::Text(r.deficit_label().to_owned()),
        dec(r.average),
        dec(r.average_range.low),
        dec(r.average_range.high),
    ];
    for d in &m.domains {
        v.push(dec_or(
            r.domains.iter().find(|x| x.domain == d.id).map(|x| x.score),
            Shorthand::NotAvailable,
        ));
    }
    v.extend([
        Cell::Int(i64::from(r.metrics_scored)),
        Cell::Text(r.metrics.join("; ")),
        Cell::Int(i64::from(r.synthetic_metrics)),
        Cell::Int(i64::from(r.other_period_metrics)),
    ]);
    v.extend((0..4).map(|i| match r.segment_chances {
        Some(c) => Cell::Int(i64::from(c[i])),
        None => Cell::Missing(Shorthand::NotAvailable),
    }));
    v
}

/// Builds the pack for `quarter` from a scoring run.
pub fn build_pack(run: &ScoreRun, m: &Methodology, quarter: Quarter) -> NationalPack {
    let tables: Vec<&LeagueTable> = run.tables.iter().filter(|t| t.quarter == quarter).collect();
    let method = method_facts(run, m, &tables, quarter);
    // This run's quarters up to this one, and earlier releases' (the history store).
    let all_tables = || run.tables.iter().chain(&run.earlier);
    let mut history: Vec<Quarter> = all_tables()
        .map(|t| t.quarter)
        .filter(|q| *q <= quarter)
        .collect();
    history.sort();
    history.dedup();
    let previous_q = quarter.previous();
    let has_previous = history.contains(&previous_q);
    // (quarter, peer group, trust) → row, for the trend.
    let rows_of: BTreeMap<(Quarter, &str, &str), &LeagueRow> = all_tables()
        .filter(|t| history.contains(&t.quarter))
        .flat_map(|t| {
            t.rows
                .iter()
                .map(move |r| ((t.quarter, t.peer_group.as_str(), r.trust.code.as_str()), r))
        })
        .collect();

    let mut league = Vec::new();
    let mut basis = Vec::new();
    let mut movement = Vec::new();
    let mut segments = Vec::new();
    let mut charts = Vec::new();
    let mut largest_moves = Vec::new();
    let mut trend = Vec::new();
    for t in &tables {
        let group = m
            .peer_group(&t.peer_group)
            .expect("tables are for configured peer groups");
        let table_basis = Basis::of(t, m, run);
        league.push(league_table(t, group, m, &method, &table_basis));
        basis.push(table_basis);
        segments.push(segment_counts(t, group));
        charts.push(ranked_chart_data(run, t, group));
        if has_previous {
            let (table, moves, summary) =
                movement_table(t, group, quarter, previous_q, &history, &rows_of);
            largest_moves.extend(extremes(&moves));
            movement.push(table);
            trend.push(summary);
        }
    }

    let metrics = metric_tables(run, m, quarter, &tables);
    let provenance = provenance(run, quarter, &tables);
    let synthetic_values = provenance.iter().map(|p| p.synthetic).sum();
    let other_period_values = provenance.iter().map(|p| p.other_period).sum();
    let history_cuts = history
        .iter()
        .filter_map(|q| {
            run.cuts
                .iter()
                .find(|c| c.quarter == *q)
                .map(|c| (*q, c.cuts))
        })
        .collect();
    let earlier_from = run
        .earlier_from
        .iter()
        .filter(|(q, _)| history.contains(q))
        .cloned()
        .collect();
    // Every national table says its quarter in a column of its own, so its files stand alone
    // and stack across quarters.
    let [league, movement, metrics] = [league, movement, metrics].map(|ts| {
        ts.into_iter()
            .map(|t| with_quarter(t, quarter))
            .collect::<Vec<_>>()
    });
    let mut pack = NationalPack {
        quarter,
        previous: has_previous.then_some(previous_q),
        history,
        history_cuts,
        earlier_from,
        method,
        league,
        metrics,
        movement,
        segments,
        charts,
        largest_moves,
        trend,
        synthetic_values,
        other_period_values,
        provenance,
        basis,
        notes: Vec::new(),
        key_findings: Vec::new(),
    };
    pack.notes = notes(&pack);
    pack.key_findings = key_findings(&pack);
    pack
}

/// The table with a first column giving the quarter on every row.
fn with_quarter(mut t: PackTable, quarter: Quarter) -> PackTable {
    t.columns.insert(
        0,
        col(
            "Quarter",
            "quarter",
            Kind::Text,
            "",
            "The quarter the row is for, as NHS England writes it (\"Q1 2025/26\": April to June 2025).",
        ),
    );
    for row in &mut t.rows {
        row.insert(0, Cell::Text(quarter.to_string()));
    }
    t
}

/// One peer group's league table as the pack prints it.
fn league_table(
    t: &LeagueTable,
    group: &league_model::PeerGroup,
    m: &Methodology,
    method: &MethodFacts,
    basis: &Basis,
) -> PackTable {
    let quarter = t.quarter;
    PackTable {
        id: format!("league_{}", group.id),
        sheet: truncate_sheet(&format!("League {}", group.short_label)),
        title: format!(
            "League table: {}s, {} ({}), England",
            group.label.to_lowercase(),
            quarter,
            quarter_months(quarter)
        ),
        description: format!(
            "Every {} in league order with segment, average score, likely ranges and domain scores.",
            group.label.to_lowercase()
        ),
        notes: vec![basis.sentence()],
        columns: league_columns(m, method),
        rows: t.rows.iter().map(|r| league_row(m, r)).collect(),
    }
}

/// Trusts by segment, and those in the programme, capped, or of unknown status.
fn segment_counts(t: &LeagueTable, group: &league_model::PeerGroup) -> SegmentCounts {
    let count = |f: &dyn Fn(&LeagueRow) -> bool| t.rows.iter().filter(|r| f(r)).count() as u32;
    let mut counts = [0u32; 4];
    let mut finals = [0u32; 5];
    for r in &t.rows {
        counts[usize::from(r.segment.clamp(1, 4)) - 1] += 1;
        // The final segment as scoring decided it (league_score::rules::final_segment).
        finals[usize::from(r.final_segment.clamp(1, 5)) - 1] += 1;
    }
    SegmentCounts {
        peer_group: t.peer_group.clone(),
        label: group.label.clone(),
        counts,
        recovery_support: count(&|r| r.in_recovery_support_programme == Some(true)),
        programme_not_known: count(&|r| r.in_recovery_support_programme.is_none()),
        capped: count(&|r| r.segment > r.unadjusted_segment),
        deficit_not_known: count(&|r| r.in_deficit.is_none()),
        final_counts: t
            .rows
            .iter()
            .all(|r| r.in_recovery_support_programme.is_some())
            .then_some(finals),
    }
}

/// The ranked chart's data: each trust's average and likely range as the tables print them.
fn ranked_chart_data(
    run: &ScoreRun,
    t: &LeagueTable,
    group: &league_model::PeerGroup,
) -> RankedChart {
    let points: Vec<ChartPoint> = t
        .rows
        .iter()
        .map(|r| ChartPoint {
            rank: r.rank,
            average: round_dp(r.average, u32::from(DP)),
            low: round_dp(r.average_range.low, u32::from(DP)),
            high: round_dp(r.average_range.high, u32::from(DP)),
            capped: r.segment > r.unadjusted_segment,
        })
        .collect();
    RankedChart {
        peer_group: t.peer_group.clone(),
        label: group.label.clone(),
        cuts: run
            .cuts
            .iter()
            .find(|c| {
                c.quarter == t.quarter && c.peer_group.as_deref().is_none_or(|g| g == t.peer_group)
            })
            .map(|c| c.cuts),
        widest: round_dp(
            points.iter().map(|p| p.high - p.low).fold(0.0, f64::max),
            u32::from(DP),
        ),
        points,
    }
}

/// The largest rise and the largest fall among `moves` (sorted by places gained), every trust
/// that ties for them, in trust code order for stable output.
fn extremes(moves: &[Movement]) -> Vec<Movement> {
    let change = |x: &Movement| i64::from(x.now) - i64::from(x.before);
    let mut out = Vec::new();
    if let Some(best) = moves.first().map(change).filter(|c| *c < 0) {
        out.extend(moves.iter().filter(|x| change(x) == best).cloned());
    }
    if let Some(worst) = moves.last().map(change).filter(|c| *c > 0) {
        out.extend(moves.iter().filter(|x| change(x) == worst).cloned());
    }
    out
}

/// The movement table of one peer group: segment and rank in every quarter of the history,
/// then the change since the previous quarter. Also returns the moves, sorted by places
/// gained (largest rise first), and the group's counts.
fn movement_table(
    t: &LeagueTable,
    group: &league_model::PeerGroup,
    quarter: Quarter,
    previous_q: Quarter,
    history: &[Quarter],
    rows_of: &BTreeMap<(Quarter, &str, &str), &LeagueRow>,
) -> (PackTable, Vec<Movement>, TrendSummary) {
    let mut columns = vec![trust_code_column(), trust_name_column()];
    for q in history {
        columns.push(col(
            &format!("Segment {q}"),
            &format!("segment_{}", quarter_key(*q)),
            Kind::Integer,
            "",
            &format!("Segment (1 to 4, after the financial override) in {q}."),
        ));
        columns.push(col(
            &format!("Segment before the financial override {q}"),
            &format!("before_override_{}", quarter_key(*q)),
            Kind::Integer,
            "",
            &format!("Segment the average gave in {q} before the financial override."),
        ));
        columns.push(col(
            &format!("Rank {q}"),
            &format!("rank_{}", quarter_key(*q)),
            Kind::Integer,
            "",
            &format!("League rank in {q}."),
        ));
    }
    columns.extend([
        col(
            &format!("Places gained since {previous_q}"),
            "places_gained",
            Kind::Integer,
            "places",
            "Previous rank minus current rank: positive is a rise.",
        ),
        col(
            &format!("Likely range of rank {previous_q}"),
            "rank_likely_previous",
            Kind::Text,
            "",
            "Likely range of rank in the previous quarter.",
        ),
        col(
            &format!("Likely range of rank {quarter}"),
            "rank_likely_now",
            Kind::Text,
            "",
            "Likely range of rank in this quarter.",
        ),
        col(
            "Significant change",
            "significant",
            Kind::Text,
            "",
            "Yes when the two quarters' likely ranges of rank do not overlap; No when they overlap; No change when the rank did not change.",
        ),
    ]);
    let mut rows = Vec::new();
    let mut moves = Vec::new();
    let mut summary = TrendSummary {
        label: group.label.clone(),
        previous: previous_q,
        compared: 0,
        moved: 0,
        significant: 0,
        segment_changed: 0,
    };
    for r in &t.rows {
        let mut v = vec![
            Cell::Text(r.trust.code.to_string()),
            Cell::Text(r.trust.name.clone()),
        ];
        for q in history {
            match rows_of.get(&(*q, t.peer_group.as_str(), r.trust.code.as_str())) {
                Some(x) => {
                    v.push(Cell::Int(i64::from(x.segment)));
                    v.push(Cell::Int(i64::from(x.unadjusted_segment)));
                    v.push(Cell::Int(i64::from(x.rank)));
                }
                None => v.extend([
                    Cell::Missing(Shorthand::NotAvailable),
                    Cell::Missing(Shorthand::NotAvailable),
                    Cell::Missing(Shorthand::NotAvailable),
                ]),
            }
        }
        let range = |x: &LeagueRow| format!("{} to {}", x.rank_range.low, x.rank_range.high);
        match rows_of.get(&(previous_q, t.peer_group.as_str(), r.trust.code.as_str())) {
            Some(p) => {
                let moved = p.rank != r.rank;
                let significant = moved
                    && (r.rank_range.high < p.rank_range.low
                        || r.rank_range.low > p.rank_range.high);
                summary.compared += 1;
                summary.moved += u32::from(moved);
                summary.significant += u32::from(significant);
                summary.segment_changed += u32::from(p.segment != r.segment);
                v.extend([
                    Cell::Int(i64::from(p.rank) - i64::from(r.rank)),
                    Cell::Text(range(p)),
                    Cell::Text(range(r)),
                    if moved {
                        yes_no(significant)
                    } else {
                        Cell::Text("No change".to_owned())
                    },
                ]);
                moves.push(Movement {
                    group: group.label.clone(),
                    code: r.trust.code.to_string(),
                    name: r.trust.name.clone(),
                    before: p.rank,
                    now: r.rank,
                    significant,
                });
            }
            None => v.extend([
                Cell::Missing(Shorthand::NotAvailable),
                Cell::Missing(Shorthand::NotAvailable),
                Cell::Text(range(r)),
                Cell::Missing(Shorthand::NotApplicable),
            ]),
        }
        rows.push(v);
    }
    moves.sort_by_key(|x| (i64::from(x.now) - i64::from(x.before), x.code.clone()));
    let table = PackTable {
        id: format!("movement_{}", group.id),
        notes: Vec::new(),
        sheet: truncate_sheet(&format!("Movement {}", group.short_label)),
        title: format!(
            "Segment and rank over time: {}s, {} to {}, England",
            group.label.to_lowercase(),
            history.first().copied().unwrap_or(quarter),
            quarter
        ),
        description: format!(
            "Segment and rank of each {} in every quarter of the release, and its movement since {}.",
            group.label.to_lowercase(),
            previous_q
        ),
        columns,
        rows,
    };
    (table, moves, summary)
}

/// Averaged scores of each table by where their inputs come from.
fn provenance(run: &ScoreRun, quarter: Quarter, tables: &[&LeagueTable]) -> Vec<GroupProvenance> {
    // Each trust's table, to count its averaged scores by provenance.
    let table_of: BTreeMap<&str, usize> = tables
        .iter()
        .enumerate()
        .flat_map(|(i, t)| t.rows.iter().map(move |r| (r.trust.code.as_str(), i)))
        .collect();
    let mut provenance: Vec<GroupProvenance> = tables
        .iter()
        .map(|t| GroupProvenance {
            peer_group: t.peer_group.clone(),
            label: t.peer_group_label.clone(),
            published: 0,
            real: 0,
            other_period: 0,
            synthetic: 0,
            deficit_not_known: t.rows.iter().filter(|r| r.in_deficit.is_none()).count() as u32,
            deficit_other_period: t
                .rows
                .iter()
                .filter(|r| r.deficit_provenance == Some(Provenance::RealOtherPeriod))
                .count() as u32,
        })
        .collect();
    for s in run
        .metric_scores
        .iter()
        .filter(|s| s.quarter == quarter && s.in_average)
    {
        // A trust without a league row (no scored metric) has no table.
        let Some(&i) = table_of.get(s.trust.as_str()) else {
            continue;
        };
        let p = &mut provenance[i];
        match s.data_provenance {
            Provenance::Published => p.published += 1,
            Provenance::Real => p.real += 1,
            Provenance::RealOtherPeriod => p.other_period += 1,
            Provenance::Synthetic => p.synthetic += 1,
        }
    }
    provenance
}

/// The notes, made once from the run's facts: the workbook's Notes sheet and the PDF's method
/// section both print these.
fn notes(p: &NationalPack) -> Vec<Note> {
    let f = &p.method;
    let groups: Vec<String> = p
        .segments
        .iter()
        .map(|g| format!("{} {}s", g.total(), g.label.to_lowercase()))
        .collect();
    let weights: Vec<String> = f
        .weights
        .iter()
        .map(|(w, ids)| format!("{} weigh {} each", and_list(ids), fmt_weight(*w)))
        .collect();
    let weights = if weights.is_empty() {
        "every metric weighs the same".to_owned()
    } else {
        format!("{}; the others weigh 1", weights.join("; "))
    };
    let capped: u32 = p.segments.iter().map(|g| g.capped).sum();
    let not_known: u32 = p.segments.iter().map(|g| g.deficit_not_known).sum();
    let rsp: u32 = p.segments.iter().map(|g| g.recovery_support).sum();
    let rsp_unknown: u32 = p.segments.iter().map(|g| g.programme_not_known).sum();
    let mut n = vec![
        Note {
            id: "coverage",
            subject: "Coverage".to_owned(),
            text: format!(
                "{} ({}): {}, in {} peer {}.",
                p.quarter,
                quarter_months(p.quarter),
                and_list(&groups),
                count_word(groups.len()),
                if groups.len() == 1 { "group" } else { "groups" }
            ),
        },
        Note {
            id: "method",
            subject: "Method".to_owned(),
            text: format!(
                "Scores follow {} as this project's configuration states it. Each metric is scored 1 (best) to 4 by rank, against an operating standard or a floor, or by a bespoke mapping; a trust's scores are averaged ({weights}); the average is cut into segments 1 to 4; a trust in financial deficit or receiving deficit support is capped at segment {}. {}",
                f.methodology,
                f.override_cap,
                f.league_order()
            ),
        },
        Note {
            id: "override",
            subject: "The financial override".to_owned(),
            text: format!(
                "A trust in financial deficit or receiving deficit support is capped at segment {}: {} {} moved to a worse segment this quarter. \"Segment before the financial override\" shows the segment its average gives.{}",
                f.override_cap,
                capped,
                if capped == 1 { "trust was" } else { "trusts were" },
                if not_known > 0 {
                    format!(" The deficit status of {not_known} is not known, so the override could not be applied to them.")
                } else {
                    String::new()
                }
            ),
        },
        Note {
            id: "segment5",
            subject: format!("Recovery Support Programme (segment {})", f.segment5),
            text: format!(
                "Trusts in the Recovery Support Programme are NHS England's segment {}. The tables show it in its own column beside the segment 1 to 4 that {}, and the counts of segments 1 to 4 include these trusts. {}",
                f.segment5,
                if f.segment5_affects_rank {
                    "the trust would otherwise have"
                } else {
                    "the league order uses, because the programme does not change a trust's rank"
                },
                if rsp_unknown == 0 {
                    format!(
                        "{rsp} {} in the programme this quarter.",
                        if rsp == 1 { "trust is" } else { "trusts are" }
                    )
                } else {
                    format!(
                        "{rsp} {} known to be in the programme this quarter; the input does not give the programme status of {rsp_unknown}, shown as \"Not known\".",
                        if rsp == 1 { "trust is" } else { "trusts are" }
                    )
                }
            ),
        },
        Note {
            id: "likely_ranges",
            subject: "Likely ranges".to_owned(),
            text: format!(
                "Likely ranges of rank and average score are {}: each trust's metric scores are resampled with replacement that many times, with a fixed seed so that reruns give the same ranges. Where two trusts' likely ranges overlap, the difference between their positions may be due to chance. A change of rank between quarters is called significant only when the two quarters' likely ranges do not overlap, a cautious test that will miss some real changes.",
                f.likely_ranges()
            ),
        },
        Note {
            id: "provenance",
            subject: "Data provenance".to_owned(),
            text: p
                .provenance
                .iter()
                .map(GroupProvenance::sentence)
                .collect::<Vec<_>>()
                .join(" "),
        },
        Note {
            id: "inferred",
            subject: "What is inferred".to_owned(),
            text: "NHS England does not publish every rule. The segment cut-points come from the published segments (they were cut across all trusts); the schemes of some metrics (ambulance measures, the infection rates) and a few rules fitted to the published figures are inferred and marked so in the configuration.".to_owned(),
        },
        Note {
            id: "limits",
            subject: "Known limits".to_owned(),
            text: "A trust is scored only on the metrics a real source gives for it, as NHS England does for missing data, so an average resting on few metrics is less certain (its likely range is wider). Where this project does not have NHS England's own data file for a peer group, its values come from NHS England's statistical publications and may differ from NHS England's in definition or period; the metrics each table rests on are listed with it.".to_owned(),
        },
        Note {
            id: "rounding",
            subject: "Rounding".to_owned(),
            text: format!(
                "Every figure is rounded once, half away from zero, to {DP} decimal places, and every file shows that same figure; league order uses the average to {} decimal places.",
                f.average_dp
            ),
        },
    ];
    let mut used: Vec<Shorthand> = p.tables().flat_map(PackTable::shorthand).collect();
    used.sort();
    used.dedup();
    if !used.is_empty() {
        n.push(Note {
            id: "shorthand",
            subject: "Shorthand".to_owned(),
            text: used
                .iter()
                .map(|s| format!("{} {}.", s.marker(), s.meaning()))
                .collect::<Vec<_>>()
                .join(" "),
        });
    }
    n.push(Note {
        id: "movement",
        subject: "Movement".to_owned(),
        text: match p.previous {
            Some(prev) => {
                let mut text = format!(
                    "The movement tables give each trust's segment and rank in every quarter from {} to {} and the change since {prev}. Each quarter is segmented at its own cut-points ({}), so a trust can change segment with an unchanged average.",
                    p.history.first().copied().unwrap_or(p.quarter),
                    p.quarter,
                    p.history_cuts
                        .iter()
                        .map(|(q, c)| {
                            format!(
                                "{q}: {}, {} and {}",
                                cut_label(c[0]),
                                cut_label(c[1]),
                                cut_label(c[2])
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                );
                if !p.earlier_from.is_empty() {
                    text.push_str(&format!(
                        " Earlier quarters are shown as their releases published them: {}.",
                        p.earlier_from
                            .iter()
                            .map(|(q, id)| format!("{q} from release {id}"))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ));
                }
                text
            }
            None => format!(
                "This release holds one quarter ({}), so it has no movement tables.",
                p.quarter
            ),
        },
    });
    n
}

/// The key findings, from the pack's own counts.
/// NHS England's final segments 1 to 5 beside the league order's 1 to 4, or why they cannot be
/// counted.
fn final_segments_sentence(finals: Option<[u32; 5]>, not_known: u32) -> String {
    match finals {
        Some(f) => format!(
            " NHS England's final segments, with segment 5 for the Recovery Support Programme: {} in segment 1, {} in segment 2, {} in segment 3, {} in segment 4 and {} in segment 5.",
            f[0], f[1], f[2], f[3], f[4]
        ),
        None => format!(
            " NHS England's final segments (segment 5 for the Recovery Support Programme) cannot be counted: the programme status of {not_known} is not known."
        ),
    }
}

fn key_findings(p: &NationalPack) -> Vec<String> {
    let f = &p.method;
    let mut k = Vec::new();
    for g in &p.segments {
        let c = g.counts;
        let mut s = format!(
            "{}s ({}): {} in segment 1, {} in segment 2, {} in segment 3 and {} in segment 4; {}. The financial override moved {} to a worse segment.",
            g.label,
            g.total(),
            c[0],
            c[1],
            c[2],
            c[3],
            programme_phrase(g.recovery_support, g.programme_not_known, f.segment5),
            g.capped
        );
        s.push_str(&final_segments_sentence(
            g.final_counts,
            g.programme_not_known,
        ));
        if g.deficit_not_known > 0 {
            s.push_str(&format!(
                " The deficit status of {} is not known, so the override could not be applied to them.",
                g.deficit_not_known
            ));
        }
        k.push(s);
    }
    match p.previous {
        Some(prev) => {
            for t in &p.trend {
                k.push(format!(
                    "{}s since {prev}: {} of {} trusts changed rank and {} of those changes {} significant (the likely ranges of rank do not overlap); {} changed segment.",
                    t.label,
                    t.moved,
                    t.compared,
                    t.significant,
                    if t.significant == 1 { "is" } else { "are" },
                    t.segment_changed
                ));
            }
            // One finding per peer group and direction, naming every trust tied for it.
            let mut groups: Vec<(&str, bool, Vec<&Movement>)> = Vec::new();
            for mv in &p.largest_moves {
                let rise = mv.now < mv.before;
                match groups.last_mut() {
                    Some((g, r, list)) if *g == mv.group && *r == rise => list.push(mv),
                    _ => groups.push((mv.group.as_str(), rise, vec![mv])),
                }
            }
            for (group, rise, list) in groups {
                let places = list[0].before.abs_diff(list[0].now);
                let trusts: Vec<String> = list
                    .iter()
                    .map(|mv| {
                        format!(
                            "{} ({}), from {} to {}, {}",
                            mv.name,
                            mv.code,
                            ordinal(mv.before),
                            ordinal(mv.now),
                            if mv.significant {
                                "a significant change"
                            } else {
                                "not a significant change"
                            }
                        )
                    })
                    .collect();
                k.push(format!(
                    "Largest {} among {}s since {prev}, {places} places: {}. A change is significant only when the two quarters' likely ranges of rank do not overlap.",
                    if rise { "rise" } else { "fall" },
                    group.to_lowercase(),
                    trusts.join("; ")
                ));
            }
        }
        None => k.push(format!(
            "This release holds one quarter ({}), so no movement since the previous quarter is reported.",
            p.quarter
        )),
    }
    k.push("Likely ranges are wide in the middle of each table: many adjacent positions cannot be told apart with confidence, so small differences in rank should not be read as differences in performance.".to_owned());
    k
}

/// How many trusts are in the Recovery Support Programme, and how many unknown.
fn programme_phrase(yes: u32, not_known: u32, segment5: u8) -> String {
    if not_known == 0 {
        format!("{yes} of them in the Recovery Support Programme (segment {segment5})")
    } else {
        format!(
            "{yes} of them known to be in the Recovery Support Programme (segment {segment5}) and {not_known} whose status the input does not give"
        )
    }
}

fn metric_tables(
    run: &ScoreRun,
    m: &Methodology,
    quarter: Quarter,
    tables: &[&LeagueTable],
) -> Vec<PackTable> {
    let trust_of: BTreeMap<&str, &league_model::TrustInQuarter> = tables
        .iter()
        .flat_map(|t| t.rows.iter().map(|r| (r.trust.code.as_str(), &r.trust)))
        .collect();
    let label_of: BTreeMap<&str, &str> = m
        .peer_groups
        .iter()
        .map(|g| (g.id.as_str(), g.label.as_str()))
        .collect();
    let mut by_metric: BTreeMap<&str, Vec<&MetricScore>> = BTreeMap::new();
    for s in run.metric_scores.iter().filter(|s| s.quarter == quarter) {
        if trust_of.contains_key(s.trust.as_str()) {
            by_metric.entry(s.metric_id.as_str()).or_default().push(s);
        }
    }
    let mut out = Vec::new();
    for metric in m
        .metrics
        .iter()
        .filter(|x| x.status == MetricStatus::Scored)
    {
        let Some(scores) = by_metric.get(metric.id.as_str()) else {
            continue;
        };
        let unit = if metric.unit == "%" {
            "per cent".to_owned()
        } else {
            metric.shown_unit().to_owned()
        };
        // A metric NHS England publishes only as a score has no value, median or quartiles.
        let no_value = if metric.value_id.is_none() {
            Shorthand::NotApplicable
        } else {
            Shorthand::NotAvailable
        };
        // A count's values are whole numbers (a column of them, when every value is one).
        let whole = metric.value_dp == 0
            && scores
                .iter()
                .all(|s| s.value.is_none_or(|v| v.fract() == 0.0));
        let mut rows: Vec<(String, u32, String, Vec<Cell>)> = scores
            .iter()
            .map(|s| {
                let t = trust_of[s.trust.as_str()];
                let group = label_of.get(t.peer_group.as_str()).copied().unwrap_or("");
                let rank = s.value_rank.unwrap_or(s.score_rank);
                let spread = s.peer_spread;
                (
                    group.to_owned(),
                    rank,
                    t.code.to_string(),
                    vec![
                        Cell::Text(group.to_owned()),
                        Cell::Int(i64::from(rank)),
                        Cell::Text(t.code.to_string()),
                        Cell::Text(t.name.clone()),
                        value_cell(s.value, whole, no_value),
                        dec(s.score),
                        dec_or(spread.map(|q| q.median), no_value),
                        dec_or(spread.map(|q| q.lower_quartile), no_value),
                        dec_or(spread.map(|q| q.upper_quartile), no_value),
                        Cell::Text(s.data_provenance.label().to_owned()),
                    ],
                )
            })
            .collect();
        rows.sort_by(|a, b| (&a.0, a.1, &a.2).cmp(&(&b.0, b.1, &b.2)));
        let unit_header = if unit.is_empty() {
            String::new()
        } else {
            format!(" ({unit})")
        };
        let value_meaning = match &metric.value_id {
            Some(id) => format!("The metric's value ({id})."),
            None => "NHS England publishes this metric as a score only: no value, median or quartiles apply.".to_owned(),
        };
        out.push(PackTable {
            notes: metric
                .unit_note
                .iter()
                .map(|n| format!("Unit: {n}."))
                .collect(),
            id: format!("metric_{}", metric.id.to_lowercase()),
            sheet: truncate_sheet(&format!("Metric {}", metric.id)),
            title: format!("{} ({}), {}, England", metric.name, metric.id, quarter),
            description: format!(
                "Each trust's value, score and rank within its peer group for {}.",
                metric.name
            ),
            columns: vec![
                col("Peer group", "peer_group", Kind::Text, "", "League-table peer group."),
                col("Rank in peer group", "rank", Kind::Integer, "", "Rank of the value within the peer group (best first; by score where no value is published)."),
                trust_code_column(),
                trust_name_column(),
                col(&format!("Value{unit_header}"), "value", if whole { Kind::Integer } else { Kind::Decimal(DP) }, &unit, &value_meaning),
                col("Score", "score", Kind::Decimal(DP), "score 1 to 4", "The metric score in the trust's average, 1 (best) to 4."),
                col(&format!("Peer group median{unit_header}"), "peer_median", Kind::Decimal(DP), &unit, "Median of the values in the trust's peer group."),
                col(&format!("Peer group lower quartile{unit_header}"), "peer_lower_quartile", Kind::Decimal(DP), &unit, "Lower quartile (25th percentile, linear) of the values in the peer group."),
                col(&format!("Peer group upper quartile{unit_header}"), "peer_upper_quartile", Kind::Decimal(DP), &unit, "Upper quartile (75th percentile, linear) of the values in the peer group."),
                col("Data provenance", "data_provenance", Kind::Text, "", "published, real, real_other_period or synthetic: where the input comes from."),
            ],
            rows: rows.into_iter().map(|r| r.3).collect(),
        });
    }
    out
}

/// Excel's worksheet-name limit is 31 characters.
fn truncate_sheet(s: &str) -> String {
    s.chars().take(31).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::narrative::thousands;

    #[test]
    fn provenance_sentences_name_only_what_is_there() {
        let g = GroupProvenance {
            peer_group: "ambulance".into(),
            label: "Ambulance trust".into(),
            published: 0,
            real: 40,
            other_period: 3,
            synthetic: 0,
            deficit_not_known: 9,
            deficit_other_period: 1,
        };
        assert_eq!(
            g.sentence(),
            "Ambulance trusts: the averages rest on 43 metric scores, 40 computed here from the public statistics NHS England uses for the quarter, 3 from real publications for another period. The deficit status of 1 comes from a real publication for another period. No real source gives the deficit status of 9 of them: it shows as \"Not known\" and the financial override is not applied."
        );
        let s = GroupProvenance {
            peer_group: "acute".into(),
            label: "Acute trust".into(),
            published: 2495,
            real: 0,
            other_period: 0,
            synthetic: 1234567,
            deficit_not_known: 0,
            deficit_other_period: 0,
        };
        assert!(s.sentence().contains(
            "1,237,062 metric scores, 2,495 as NHS England published them, 1,234,567 synthetic"
        ));
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
    }
}
