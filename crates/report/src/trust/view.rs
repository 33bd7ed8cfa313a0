//! The per-trust view: everything a trust's letter and board workbook print, holding only that
//! trust's own figures, aggregates of its peer group (medians, quartiles, counts), and the peer
//! group's published league table (which only the workbook's league sheet shows). No other
//! trust's figures or names reach a document by any other path.

use std::collections::BTreeMap;

use league_model::number::round_dp;
use league_model::{
    BoardAssessment, CutPointSource, InterventionStatus, LeagueRow, Methodology, MetricScore,
    NextSegmentPlan, PeerSpread, Quarter, ScoreRun, TrustCode,
};

use crate::national::NationalPack;
use crate::table::{DP, PackTable};

/// Places of the difference from the peer median, as the league tables print it.
const VERSUS: u32 = crate::national::VERSUS_DP as u32;

/// One quarter's position of the trust.
#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    /// Quarter.
    pub quarter: Quarter,
    /// League rank in the peer group.
    pub rank: u32,
    /// Rank on the average alone.
    pub average_rank: u32,
    /// Trusts in the peer group that quarter.
    pub of: usize,
    /// Likely range of the rank.
    pub rank_range: (u32, u32),
    /// Segment 1–4 after the financial override.
    pub segment: u8,
    /// Segment the average gives.
    pub before_override: u8,
    /// Average metric score, rounded as published.
    pub average: f64,
    /// Likely range of the average, rounded as published.
    pub average_range: (f64, f64),
    /// Financial deficit flag: `None` not known.
    pub in_deficit: Option<bool>,
    /// Recovery Support Programme flag: `None` not known.
    pub programme: Option<bool>,
    /// Segment chances, per cent of resamples in segments 1 to 4 (summing to 100).
    pub segment_chances: Option<[u8; 4]>,
    /// Against the peer group's median average, the interval rounded as the tables print it.
    pub versus_peers: Option<league_model::VersusPeers>,
}

impl Position {
    fn of(quarter: Quarter, r: &LeagueRow, of: usize) -> Self {
        Self {
            quarter,
            rank: r.rank,
            average_rank: r.average_rank,
            of,
            rank_range: (r.rank_range.low as u32, r.rank_range.high as u32),
            segment: r.segment,
            before_override: r.unadjusted_segment,
            average: round_dp(r.average, u32::from(DP)),
            average_range: (
                round_dp(r.average_range.low, u32::from(DP)),
                round_dp(r.average_range.high, u32::from(DP)),
            ),
            in_deficit: r.in_deficit,
            programme: r.in_recovery_support_programme,
            segment_chances: r.segment_chances,
            versus_peers: r.versus_peers.map(|p| league_model::VersusPeers {
                difference: league_model::Range {
                    low: round_dp(p.difference.low, VERSUS) + 0.0,
                    high: round_dp(p.difference.high, VERSUS) + 0.0,
                },
                comparison: p.comparison,
            }),
        }
    }

    /// Whether the rank's likely range and `other`'s do not overlap (a significant change).
    pub fn significantly_different(&self, other: &Position) -> bool {
        self.rank_range.1 < other.rank_range.0 || other.rank_range.1 < self.rank_range.0
    }
}

/// One of the trust's metric scores with its peer group's published aggregates.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricLine {
    /// Score id (OF1061).
    pub id: String,
    /// Name.
    pub name: String,
    /// Domain name.
    pub domain: String,
    /// Unit of the value, as documents write it.
    pub unit: String,
    /// A sentence about the unit, where one is needed (a rate whose denominator is not given).
    pub unit_note: Option<String>,
    /// Decimal places the value is shown at (a count: 0).
    pub value_dp: u8,
    /// The value changes only once a year.
    pub annual: bool,
    /// Why a plausibility check queries the value (scored as published all the same).
    pub queried: Option<String>,
    /// NHS England publishes the metric as a score only: no trust has a value.
    pub score_only: bool,
    /// The value is a plan, known at the start of its period (the year's planned
    /// surplus/deficit).
    pub plan: bool,
    /// The standard a value meeting scores 1 (the 4-hour 78%), for a metric scored against one.
    pub standard: Option<f64>,
    /// Whether a higher value is better.
    pub higher_is_better: bool,
    /// The trust's value, when there is one.
    pub value: Option<f64>,
    /// Score as averaged.
    pub score: f64,
    /// Whether the score is in the average (else it feeds a combined score).
    pub in_average: bool,
    /// Weight in the average.
    pub weight: f64,
    /// Median and quartiles of the peer group's values.
    pub spread: Option<PeerSpread>,
    /// Rank of the value in the peer group (1 = best).
    pub value_rank: Option<u32>,
    /// Trusts in the peer group with a value (the rank's denominator).
    pub ranked: usize,
    /// Whether peer statistics (median, quartiles, rank) may be shown: false when some, but
    /// fewer than the methodology's `peer_statistics.minimum_values`, trusts have a value.
    pub comparable: bool,
    /// Reporting period of the inputs.
    pub period: String,
    /// Whether the inputs cover a period that ended before the quarter began (the staff
    /// survey of the previous calendar year, last quarter's sickness absence).
    pub earlier_period: bool,
    /// Where the input comes from: NHS England's published NOF value, or a value this project
    /// computed from another real publication.
    pub provenance: league_model::Provenance,
    /// Median of the peer group's scores on the metric.
    pub peer_median_score: f64,
    /// Weighted effect on the average against the peer median score: positive costs the
    /// trust, negative helps it.
    pub effect: f64,
}

/// One domain's result.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainLine {
    /// Domain name.
    pub name: String,
    /// Domain score.
    pub score: f64,
    /// Domain segment.
    pub segment: u8,
    /// The domain's own cut-points.
    pub cuts: [f64; 3],
    /// Rank of the domain score in the peer group.
    pub rank: u32,
}

/// The trust's intervention status and what follows from it.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusView {
    /// The status as the run found it.
    pub status: InterventionStatus,
}

/// A board capability assessment as documents show it.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardView {
    /// The overall view, when given.
    pub overall: Option<String>,
    /// (area name, rating), in the methodology's order.
    pub areas: Vec<(String, String)>,
}

/// Everything one trust's documents show.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustView<'a> {
    /// Quarter.
    pub quarter: Quarter,
    /// ODS code, validated.
    pub code: TrustCode,
    /// Name.
    pub name: String,
    /// Who the documents go to on the release date, when not the trust as named here (its
    /// successor after a merger, or its name since).
    pub addressee: Option<league_model::Addressee>,
    /// Peer group label ("Acute trust").
    pub group_label: String,
    /// This quarter's position.
    pub position: Position,
    /// Every quarter of the run up to this one, oldest first (this one last).
    pub history: Vec<Position>,
    /// Metrics in the average.
    pub metrics_scored: u32,
    /// Of those, synthetic and from another period.
    pub synthetic_metrics: u32,
    /// Metrics from another period.
    pub other_period_metrics: u32,
    /// Every scored metric, in the methodology's order.
    pub metrics: Vec<MetricLine>,
    /// Domains.
    pub domains: Vec<DomainLine>,
    /// Intervention status.
    pub status: StatusView,
    /// What it would take.
    pub next_segment: Option<NextSegmentPlan>,
    /// Board capability assessment; `None` is "not assessed".
    pub board: Option<BoardView>,
    /// The segment cut-points and whether they are quartiles of the averages (which move).
    pub cuts: [f64; 3],
    /// Whether the cut-points are quartiles computed from this run's averages.
    pub cuts_move: bool,
    /// The financial override's cap segment.
    pub cap: u8,
    /// The segment number of the Recovery Support Programme.
    pub segment5: u8,
    /// The peer group's published league table (the national pack's, shared by every trust of
    /// the group): the only place other trusts appear.
    pub peer_league: &'a PackTable,
    /// Reference number of the letter.
    pub reference: String,
    /// When the data are as of ("9 September 2025, when NHS England first published Q1
    /// 2025/26").
    pub data_as_of: String,
    /// The fewest values a peer statistic is shown over.
    pub peer_minimum: usize,
    /// How far inside a cut-point "what it would take" looks to leave the average.
    pub margin: f64,
    /// How far its targets may go, in words ("the best value in the peer group this quarter").
    pub target_bound: &'static str,
    /// Bootstrap replicates behind the likely ranges and segment chances.
    pub replicates: u32,
    /// The coverage of the interval of the difference from the peer median ("95%").
    pub peer_interval: String,
    /// The trust's monthly measures: SPC chart and funnel position, in the methodology's order.
    pub monthly: Vec<MonthlyLine>,
}

/// One measure with monthly counts, as the trust's documents show it.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlyLine {
    /// Measure id (OF0013).
    pub id: String,
    /// Name.
    pub name: String,
    /// A few words for a table row.
    pub short_name: String,
    /// Unit ("%", "minutes").
    pub unit: String,
    /// Higher is better.
    pub higher_is_better: bool,
    /// The standard and where it comes from.
    pub standard: Option<(f64, String)>,
    /// The publication the counts come from.
    pub source: String,
    /// The chart, as the run computed it.
    pub series: league_model::SpcSeries,
    /// The trust's place on its peer group's funnel for the quarter, if drawn.
    pub funnel: Option<FunnelLine>,
}

/// A trust's point on a funnel.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelLine {
    /// Months the counts cover.
    pub period: String,
    /// Numerator and denominator.
    pub counts: (f64, f64),
    /// The percentage.
    pub percentage: f64,
    /// Limits (per cent) at the inner and outer z.
    pub limits: [(f64, f64); 2],
    /// Position against each.
    pub position: [league_model::FunnelPosition; 2],
    /// Coverage labels of the inner and outer limits ("95%", "99.8%").
    pub coverage: [String; 2],
    /// Trusts on the funnel.
    pub trusts: usize,
}

impl TrustView<'_> {
    /// Averaged metrics whose input is not NHS England's published NOF value: scored here
    /// from other public statistics, with rules partly inferred.
    pub fn reconstructed_metrics(&self) -> usize {
        self.metrics
            .iter()
            .filter(|l| l.in_average && l.provenance != league_model::Provenance::Published)
            .count()
    }

    /// The weights of the metrics in the average, summed: the average's denominator (less
    /// than the count where infection metrics weigh a third each).
    pub fn total_weight(&self) -> f64 {
        self.metrics
            .iter()
            .filter(|l| l.in_average)
            .map(|l| l.weight)
            .sum()
    }

    /// Metrics in the average whose input covers a period before the quarter.
    pub fn earlier_period_metrics(&self) -> usize {
        self.metrics
            .iter()
            .filter(|l| l.in_average && l.earlier_period)
            .count()
    }

    /// The metric line of a score id.
    pub fn metric(&self, id: &str) -> Option<&MetricLine> {
        self.metrics.iter().find(|l| l.id == id)
    }

    /// `yours` when the documents go to the trust's own board, `theirs` when they go to the
    /// board of the trust it merged into ("your trust" / "the trust"): a successor's board is
    /// not told the former trust is theirs.
    pub fn you(&self, yours: &'static str, theirs: &'static str) -> &'static str {
        if self.addressee.as_ref().is_some_and(|a| a.merged) {
            theirs
        } else {
            yours
        }
    }

    /// The previous quarter's position, when the run holds it.
    pub fn previous(&self) -> Option<&Position> {
        self.history.iter().rev().nth(1)
    }
}

/// Views of every trust with an average in `pack`'s quarter, in table order.
pub fn trust_views<'a>(
    run: &ScoreRun,
    m: &Methodology,
    pack: &'a NationalPack,
    boards: &[BoardAssessment],
    addressees: &BTreeMap<TrustCode, league_model::Addressee>,
) -> Vec<TrustView<'a>> {
    let q = pack.quarter;
    let mut scores: BTreeMap<(&TrustCode, &str), &MetricScore> = BTreeMap::new();
    for s in run.metric_scores.iter().filter(|s| s.quarter == q) {
        scores.insert((&s.trust, s.metric_id.as_str()), s);
    }
    let mut out = Vec::new();
    for t in run.tables.iter().filter(|t| t.quarter == q) {
        let Some(peer_league) = pack
            .league
            .iter()
            .find(|p| p.id == format!("league_{}", t.peer_group))
        else {
            continue;
        };
        let peers = PeerAggregates::of(t, &scores);
        let cuts = run
            .cuts
            .iter()
            .find(|c| c.quarter == q && c.peer_group.as_deref().is_none_or(|g| g == t.peer_group));
        for r in &t.rows {
            let own: Vec<&MetricScore> = scores
                .range((&r.trust.code, "")..)
                .take_while(|((c, _), _)| *c == &r.trust.code)
                .map(|(_, s)| *s)
                .collect();
            let weight: f64 = own.iter().filter(|s| s.in_average).map(|s| s.weight).sum();
            let metrics = m
                .metrics
                .iter()
                .filter_map(|def| own.iter().find(|s| s.metric_id == def.id))
                .map(|s| metric_line(m, s, &peers, weight))
                .collect();
            out.push(TrustView {
                quarter: q,
                code: r.trust.code.clone(),
                name: r.trust.name.clone(),
                addressee: addressees.get(&r.trust.code).cloned(),
                group_label: t.peer_group_label.clone(),
                position: Position::of(q, r, t.rows.len()),
                history: history(run, &r.trust.code, q),
                metrics_scored: r.metrics_scored,
                synthetic_metrics: r.synthetic_metrics,
                other_period_metrics: r.other_period_metrics,
                metrics,
                domains: r
                    .domains
                    .iter()
                    .map(|d| DomainLine {
                        name: m
                            .domains
                            .iter()
                            .find(|x| x.id == d.domain)
                            .map_or_else(|| d.domain.clone(), |x| x.name.clone()),
                        score: d.score,
                        segment: d.segment,
                        cuts: d.cuts,
                        rank: d.rank,
                    })
                    .collect(),
                status: status(run, q, &r.trust.code),
                next_segment: run
                    .next_segment_plans
                    .iter()
                    .find(|p| p.quarter == q && p.trust == r.trust.code)
                    .cloned(),
                board: boards
                    .iter()
                    .find(|b| b.quarter == q && b.trust == r.trust.code)
                    .map(|b| board_view(m, b)),
                cuts: cuts.map_or([f64::NAN; 3], |c| c.cuts),
                cuts_move: cuts.is_some_and(|c| matches!(c.source, CutPointSource::Quartiles(_))),
                cap: m.financial_override.cap_segment,
                segment5: m.segment5.segment,
                peer_league,
                reference: format!("NOF-{}-{}", crate::narrative::quarter_key(q), r.trust.code)
                    .to_uppercase()
                    .replace('_', ""),
                data_as_of: pack.method.data_as_of(q),
                peer_minimum: m.peer_statistics.minimum_values,
                margin: m.improvement.margin,
                target_bound: m.improvement.target_bound.phrase(),
                replicates: pack.method.replicates,
                peer_interval: pack.method.peer_interval(),
                monthly: monthly_lines(run, m, q, &r.trust.code, &t.peer_group),
            });
        }
    }
    out
}

/// The trust's monthly measures, in the methodology's order.
fn monthly_lines(
    run: &ScoreRun,
    m: &Methodology,
    q: Quarter,
    code: &TrustCode,
    group: &str,
) -> Vec<MonthlyLine> {
    m.statistics
        .measures
        .iter()
        .filter_map(|x| {
            let series = run
                .spc
                .iter()
                .find(|s| s.quarter == q && &s.trust == code && s.measure == x.id)?;
            let funnel = run
                .funnels
                .iter()
                .find(|f| f.quarter == q && f.measure == x.id && f.peer_group == group)
                .and_then(|f| {
                    let p = f.points.iter().find(|p| &p.trust == code)?;
                    Some(FunnelLine {
                        period: f.period.clone(),
                        counts: (p.numerator, p.denominator),
                        percentage: 100.0 * p.proportion,
                        limits: p.limits.map(|(lo, hi)| (100.0 * lo, 100.0 * hi)),
                        position: p.position,
                        coverage: f.z.map(crate::national::coverage_label),
                        trusts: f.points.len(),
                    })
                });
            Some(MonthlyLine {
                id: x.id.clone(),
                name: x.name.clone(),
                short_name: x.short_name.clone(),
                unit: x.unit.clone(),
                higher_is_better: x.direction == league_model::Direction::HigherIsBetter,
                standard: x.standard.zip(x.standard_note.clone()),
                source: x.source.clone(),
                series: series.clone(),
                funnel,
            })
        })
        .collect()
}

/// A peer group's aggregates per metric, computed once for all its trusts: the median of its
/// scores and how many of its trusts have a value (a rank's denominator).
struct PeerAggregates<'s> {
    by_metric: BTreeMap<&'s str, (Option<f64>, usize)>,
}

impl<'s> PeerAggregates<'s> {
    fn of(
        t: &league_model::LeagueTable,
        scores: &BTreeMap<(&TrustCode, &'s str), &'s MetricScore>,
    ) -> Self {
        let mut grouped: BTreeMap<&'s str, Vec<&'s MetricScore>> = BTreeMap::new();
        for r in &t.rows {
            for (_, s) in scores
                .range((&r.trust.code, "")..)
                .take_while(|((c, _), _)| *c == &r.trust.code)
            {
                grouped.entry(s.metric_id.as_str()).or_default().push(s);
            }
        }
        let by_metric = grouped
            .into_iter()
            .map(|(id, peers)| {
                let mut peer: Vec<f64> = peers.iter().map(|p| p.score).collect();
                peer.sort_by(f64::total_cmp);
                let ranked = peers.iter().filter(|p| p.value.is_some()).count();
                (id, (median(&peer), ranked))
            })
            .collect();
        Self { by_metric }
    }
}

fn metric_line(
    m: &Methodology,
    s: &MetricScore,
    peers: &PeerAggregates,
    weight: f64,
) -> MetricLine {
    let def = m.metric(&s.metric_id);
    let (median, ranked) = peers
        .by_metric
        .get(s.metric_id.as_str())
        .copied()
        .unwrap_or((None, 0));
    let median = median.unwrap_or(s.score);
    let effect = if s.in_average && weight > 0.0 {
        (s.score - median) * s.weight / weight
    } else {
        0.0
    };
    MetricLine {
        id: s.metric_id.clone(),
        name: def.map_or_else(|| s.metric_id.clone(), |d| d.name.clone()),
        domain: def
            .and_then(|d| m.domains.iter().find(|x| x.id == d.domain))
            .map_or_else(String::new, |x| x.name.clone()),
        unit: def.map_or_else(String::new, |d| d.shown_unit().to_owned()),
        unit_note: def.and_then(|d| d.unit_note.clone()),
        value_dp: def.map_or(2, |d| d.value_dp),
        annual: def.is_some_and(|d| d.annual),
        queried: s.queried.clone(),
        score_only: def.is_some_and(|d| d.value_id.is_none()),
        plan: def.is_some_and(|d| d.known_at == league_model::KnownAt::PeriodStart),
        standard: def.and_then(|d| match d.scoring {
            league_model::Scoring::Standard { standard } => Some(standard),
            _ => None,
        }),
        higher_is_better: def
            .is_some_and(|d| d.direction == league_model::Direction::HigherIsBetter),
        value: s.value,
        score: s.score,
        in_average: s.in_average,
        weight: s.weight,
        spread: s.peer_spread,
        value_rank: s.value_rank,
        ranked,
        // No value anywhere in the group (a score-only metric): nothing to withhold.
        comparable: ranked == 0 || ranked >= m.peer_statistics.minimum_values,
        period: s.reporting_date.clone(),
        earlier_period: s.reporting_date.split("; ").any(|part| {
            league_model::ReportingPeriod::parse(part, s.quarter)
                .is_ok_and(|p| p.end.is_some_and(|e| e < s.quarter.start_date()))
        }),
        provenance: s.data_provenance,
        peer_median_score: median,
        effect,
    }
}

/// The trust's position in every quarter up to `q`: the run's, and earlier releases' (the
/// history store) for quarters the run does not hold.
fn history(run: &ScoreRun, code: &TrustCode, q: Quarter) -> Vec<Position> {
    let mut h: Vec<Position> = run
        .tables
        .iter()
        .chain(&run.earlier)
        .filter(|t| t.quarter <= q)
        .filter_map(|t| {
            t.rows
                .iter()
                .find(|r| &r.trust.code == code)
                .map(|r| Position::of(t.quarter, r, t.rows.len()))
        })
        .collect();
    h.sort_by_key(|p| p.quarter);
    h
}

fn status(run: &ScoreRun, q: Quarter, code: &TrustCode) -> StatusView {
    let status = run
        .interventions
        .iter()
        .find(|s| s.quarter == q && &s.trust == code)
        .cloned()
        .unwrap_or_else(|| InterventionStatus {
            quarter: q,
            trust: code.clone(),
            id: String::new(),
            label: "Not determined".into(),
            rule: String::new(),
            evidence: Vec::new(),
            not_assessed: Vec::new(),
        });
    StatusView { status }
}

/// Median of sorted values.
fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

fn board_view(m: &Methodology, b: &BoardAssessment) -> BoardView {
    let areas = &m.intervention.board_capability.areas;
    BoardView {
        overall: b.overall.clone(),
        areas: b
            .areas
            .iter()
            .map(|(id, rating)| {
                let name = areas
                    .iter()
                    .find(|a| &a.id == id)
                    .map_or_else(|| id.clone(), |a| a.name.clone());
                (name, rating.clone())
            })
            .collect(),
    }
}
