//! Orchestration: metric scores → averages and domains → segments → ranks → likely ranges.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use league_model::number::round_dp;
use league_model::{
    CutPointSource, Dataset, DomainResult, LeagueRow, LeagueTable, Methodology, MetricScore,
    MetricStatus, Observation, PoolRef, Provenance, Quarter, Range, ScoreProvenance, ScoreRun,
    Scoring, SegmentCuts, SegmentMethod, SegmentPool, TrustCode,
};

use crate::bootstrap::{BootstrapSpec, BootstrapTrust, likely_ranges_and_segments, stream_id};
use crate::columnar::{self, MeanInput, PeerInput, RankInput, RankScheme};
use crate::rules;

/// Run-time choices that override the methodology's defaults.
#[derive(Debug, Clone, Default)]
pub struct ScoreOptions {
    /// Segment cut-points to use for every quarter (`--cut-points`).
    pub cut_points: Option<[f64; 3]>,
    /// Bootstrap seed (`--seed`); the methodology's default otherwise.
    pub seed: Option<u64>,
    /// Bootstrap replicates; the methodology's default otherwise.
    pub replicates: Option<u32>,
    /// Board capability assessments (NOF §1.5), for intervention rules that test leadership
    /// capability; none supplied means those rules are not assessed.
    pub boards: Vec<league_model::BoardAssessment>,
    /// Earlier quarters' results from the history store, for intervention rules that span
    /// quarters the run does not hold (a quarter the run holds is never taken from here).
    pub prior: Vec<league_model::PriorResult>,
}

/// Fewest bootstrap replicates accepted: the 2.5th percentile of fewer than 40 draws is the
/// smallest draw, and 100 keeps a few draws beyond each end of a 95% range.
pub const MIN_REPLICATES: u32 = 100;

/// A columnar failure as this crate's error.
fn internal(e: polars::error::PolarsError) -> ScoreError {
    ScoreError::Columnar(e.to_string())
}

/// Why scoring failed.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    /// A columnar computation failed: a bug, not bad input. The message is the columnar
    /// engine's; its error type stays inside this crate.
    #[error("internal error in the columnar stage: {0}")]
    Columnar(String),
    /// Cut-points given on the command line are unusable.
    #[error("cut-points {0:?} must be three finite numbers in ascending order")]
    BadCutPoints([f64; 3]),
    /// Too few bootstrap replicates for the likely ranges' percentiles to mean anything.
    #[error(
        "{0} bootstrap replicates are too few for likely ranges: at least {MIN_REPLICATES} are needed (the methodology's default is 2,000)"
    )]
    TooFewReplicates(u32),
    /// No trust in a quarter has any scored metric, so nothing can be segmented.
    #[error("{0}: no trust has a scored metric, so no segment cut-points can be derived")]
    NothingToSegment(Quarter),
}

type Key = (Quarter, TrustCode, usize);

struct Chosen {
    score: f64,
    provenance: ScoreProvenance,
    value: Option<f64>,
    /// The engine's own score from the raw value, when the pool was in the input.
    computed: Option<f64>,
}

/// Largest comparator pool the grid recovery considers (all trusts of every type, with room).
const MAX_POOL: u32 = 300;

/// Scores a dataset under a methodology. Deterministic: the same inputs, options and seed give
/// the same [`ScoreRun`].
pub fn score(data: &Dataset, m: &Methodology, opts: &ScoreOptions) -> Result<ScoreRun, ScoreError> {
    if let Some(c) = opts.cut_points
        && !(c.iter().all(|x| x.is_finite()) && c[0] < c[1] && c[1] < c[2])
    {
        return Err(ScoreError::BadCutPoints(c));
    }
    let obs: HashMap<(Quarter, &TrustCode, &str), &Observation> = data
        .observations
        .iter()
        .map(|o| ((o.quarter, &o.trust, o.metric_id.as_str()), o))
        .collect();
    let value_of = |q: Quarter, t: &TrustCode, id: &str| obs.get(&(q, t, id)).map(|o| o.value);
    let rank_of =
        |q: Quarter, t: &TrustCode, id: &str| obs.get(&(q, t, id)).and_then(|o| o.published_rank);

    let chosen = choose_scores(data, m, &value_of, &rank_of)?;
    let metric_scores = metric_score_rows(data, m, &chosen, &obs)?;

    let keys: Vec<(Quarter, TrustCode)> = data
        .trusts
        .iter()
        .flat_map(|(q, ts)| ts.keys().map(move |t| (*q, t.clone())))
        .collect();
    let index: HashMap<(Quarter, &TrustCode), usize> = keys
        .iter()
        .enumerate()
        .map(|(i, (q, t))| ((*q, t), i))
        .collect();
    let mut averaged = Averaged::of(&metric_scores, &index, m)?;

    // Checked before any work: too few replicates is a bad option, whatever the data.
    let defaults = bootstrap_spec(m, opts, [0.0; 3])?;
    let run_ctx = RunContext {
        m,
        opts,
        obs: &obs,
        index: &index,
    };
    let mut tables = Vec::new();
    let mut cuts_used = Vec::new();
    for (&q, trusts) in &data.trusts {
        let (t, cuts) = run_ctx.quarter(q, trusts, &mut averaged)?;
        tables.extend(t);
        cuts_used.extend(cuts);
    }
    let mut run = ScoreRun {
        tables,
        metric_scores,
        cuts: cuts_used,
        seed: defaults.seed,
        replicates: defaults.replicates,
        interventions: Vec::new(),
        next_segment_plans: Vec::new(),
        earlier: Vec::new(),
        earlier_from: Vec::new(),
        sensitivity: Vec::new(),
        funnels: Vec::new(),
        spc: Vec::new(),
    };
    run.interventions =
        crate::intervention::intervention_statuses(&run, m, &opts.boards, &opts.prior);
    run.next_segment_plans = crate::next_segment::next_segment_plans(data, m, &run);
    run.sensitivity = crate::stats::sensitivity::alternatives(&run, m);
    (run.funnels, run.spc) = crate::stats::counts::funnels_and_charts(data, &run, m);
    Ok(run)
}

/// What the averaged metric scores come to per trust (by index): the average and how many
/// scores it rests on, the domain scores, the (score, weight) pairs the bootstrap resamples,
/// counts by input provenance, and the averaged score ids.
struct Averaged {
    averages: HashMap<usize, (f64, u32)>,
    domains: HashMap<usize, Vec<(usize, f64)>>,
    weighted: HashMap<usize, Vec<(f64, f64)>>,
    provenances: HashMap<(usize, Provenance), u32>,
    averaged: HashMap<usize, Vec<String>>,
}

impl Averaged {
    /// Averages and domain scores (§1.3, §1.6), over full-precision scores.
    fn of(
        metric_scores: &[MetricScore],
        index: &HashMap<(Quarter, &TrustCode), usize>,
        m: &Methodology,
    ) -> Result<Self, ScoreError> {
        let mut mean_rows = Vec::new();
        let mut domain_rows = Vec::new();
        let mut weighted: HashMap<usize, Vec<(f64, f64)>> = HashMap::new();
        let mut provenances: HashMap<(usize, Provenance), u32> = HashMap::new();
        // metric_scores is sorted by metric id within a trust.
        let mut averaged: HashMap<usize, Vec<String>> = HashMap::new();
        for s in metric_scores.iter().filter(|s| s.in_average) {
            let i = index[&(s.quarter, &s.trust)];
            averaged.entry(i).or_default().push(s.metric_id.clone());
            *provenances.entry((i, s.data_provenance)).or_default() += 1;
            weighted.entry(i).or_default().push((s.score, s.weight));
            let d = domain_index(m, &s.metric_id);
            mean_rows.push(MeanInput {
                group: format!("{i:08}"),
                score: s.score,
                weight: s.weight,
            });
            domain_rows.push(MeanInput {
                group: format!("{i:08}|{d}"),
                score: s.score,
                weight: s.weight,
            });
        }
        let averages: HashMap<usize, (f64, u32)> = columnar::weighted_means(&mean_rows)
            .map_err(internal)?
            .into_iter()
            .map(|(g, mean, n)| {
                (
                    g.parse::<usize>().expect("group keys are indexes"),
                    (mean, n),
                )
            })
            .collect();
        let mut domains: HashMap<usize, Vec<(usize, f64)>> = HashMap::new();
        for (g, mean, _) in columnar::weighted_means(&domain_rows).map_err(internal)? {
            let (i, d) = g
                .split_once('|')
                .expect("domain group keys are index|domain");
            let (i, d) = (i.parse().expect("index"), d.parse().expect("domain index"));
            domains
                .entry(i)
                .or_default()
                .push((d, round_dp(mean, m.rounding.average_dp)));
        }
        Ok(Self {
            averages,
            domains,
            weighted,
            provenances,
            averaged,
        })
    }
}

/// The bootstrap's settings for one set of cut-points: the replicates and seed of the options,
/// else the methodology's (too few replicates is an error).
fn bootstrap_spec(
    m: &Methodology,
    opts: &ScoreOptions,
    cuts: [f64; 3],
) -> Result<BootstrapSpec, ScoreError> {
    let replicates = opts.replicates.unwrap_or(m.likely_ranges.replicates);
    if replicates < MIN_REPLICATES {
        return Err(ScoreError::TooFewReplicates(replicates));
    }
    Ok(BootstrapSpec {
        replicates,
        seed: opts.seed.unwrap_or(m.likely_ranges.seed),
        percentiles: (
            m.likely_ranges.lower_percentile,
            m.likely_ranges.upper_percentile,
        ),
        cuts,
        boundary: m.segmentation.boundary,
        cap: m.financial_override.cap_segment,
        average_dp: m.rounding.average_dp,
        peer_percentiles: (
            m.statistics.peers.lower_percentile,
            m.statistics.peers.upper_percentile,
        ),
    })
}

/// What scoring each quarter needs from the whole run.
struct RunContext<'a> {
    m: &'a Methodology,
    opts: &'a ScoreOptions,
    obs: &'a HashMap<(Quarter, &'a TrustCode, &'a str), &'a Observation>,
    index: &'a HashMap<(Quarter, &'a TrustCode), usize>,
}

impl RunContext<'_> {
    /// One quarter's league tables, one per peer group with a scored trust, and the
    /// cut-points each was segmented at.
    fn quarter(
        &self,
        q: Quarter,
        trusts: &BTreeMap<TrustCode, league_model::TrustInQuarter>,
        averaged: &mut Averaged,
    ) -> Result<(Vec<LeagueTable>, Vec<SegmentCuts>), ScoreError> {
        let (m, index) = (self.m, self.index);
        let scored: Vec<(&TrustCode, f64, u32)> = trusts
            .keys()
            .filter_map(|t| {
                averaged
                    .averages
                    .get(&index[&(q, t)])
                    .map(|&(a, n)| (t, a, n))
            })
            .collect();
        for t in trusts
            .keys()
            .filter(|t| !averaged.averages.contains_key(&index[&(q, *t)]))
        {
            tracing::warn!(quarter = %q, trust = %t, "no scored metric: the trust cannot be segmented or ranked and is left out of the league table");
        }
        if scored.is_empty() {
            return Err(ScoreError::NothingToSegment(q));
        }
        let group_of = |t: &TrustCode| trusts[t].peer_group.as_str();
        let rounded = |a: f64| round_dp(a, m.rounding.average_dp);
        let cuts_for = overall_cuts(
            m,
            self.opts,
            q,
            &scored
                .iter()
                .map(|&(t, a, _)| (group_of(t), rounded(a)))
                .collect::<Vec<_>>(),
        );
        let domain_cuts = domain_cut_points(m, q, trusts, &averaged.domains, index);
        let mut tables = Vec::new();
        let mut cuts_used: Vec<SegmentCuts> = Vec::new();
        for g in &m.peer_groups {
            let members: Vec<(&TrustCode, f64, u32)> = scored
                .iter()
                .filter(|(t, ..)| group_of(t) == g.id)
                .copied()
                .collect();
            if members.is_empty() {
                continue;
            }
            let cuts = cuts_for(&g.id);
            if !cuts_used
                .iter()
                .any(|c| c.quarter == q && c.peer_group == cuts.peer_group)
            {
                cuts_used.push(cuts.clone());
            }
            let group = GroupContext {
                m,
                q,
                trusts,
                cuts: &cuts,
                domain_cuts: &|d| domain_cuts(&g.id, d),
                obs: self.obs,
                index,
            };
            let rows = group.ranked_rows(
                &members,
                averaged,
                &bootstrap_spec(m, self.opts, cuts.cuts)?,
            );
            tables.push(LeagueTable {
                quarter: q,
                peer_group: g.id.clone(),
                peer_group_label: g.label.clone(),
                rows,
            });
        }
        Ok((tables, cuts_used))
    }
}

/// What building one peer group's rows in one quarter needs.
struct GroupContext<'a> {
    m: &'a Methodology,
    q: Quarter,
    trusts: &'a BTreeMap<TrustCode, league_model::TrustInQuarter>,
    cuts: &'a SegmentCuts,
    domain_cuts: &'a dyn Fn(usize) -> [f64; 3],
    obs: &'a HashMap<(Quarter, &'a TrustCode, &'a str), &'a Observation>,
    index: &'a HashMap<(Quarter, &'a TrustCode), usize>,
}

impl GroupContext<'_> {
    /// The group's rows, ranked, with their likely ranges and segment chances, in league order.
    fn ranked_rows(
        &self,
        members: &[(&TrustCode, f64, u32)],
        averaged: &mut Averaged,
        spec: &BootstrapSpec,
    ) -> Vec<LeagueRow> {
        let (mut rows, boot) = self.rows(members, averaged);
        rank_rows(&mut rows, self.m);
        for (r, d) in rows.iter_mut().zip(likely_ranges_and_segments(&boot, spec)) {
            r.average_range = d.average;
            r.rank_range = d.rank;
            r.segment_chances = Some(crate::bootstrap::percentages(d.segments));
            r.versus_peers = Some(league_model::VersusPeers {
                difference: d.versus_median,
                comparison: league_model::PeerComparison::of(d.versus_median),
            });
        }
        rows.sort_by(|a, b| {
            a.rank
                .cmp(&b.rank)
                .then_with(|| a.trust.code.cmp(&b.trust.code))
        });
        rows
    }
}

impl GroupContext<'_> {
    /// Each member's row (segments, override, segment 5, domains; ranks and ranges to come)
    /// and its bootstrap input.
    fn rows(
        &self,
        members: &[(&TrustCode, f64, u32)],
        averaged: &mut Averaged,
    ) -> (Vec<LeagueRow>, Vec<BootstrapTrust>) {
        let (m, q) = (self.m, self.q);
        let rounded = |a: f64| round_dp(a, m.rounding.average_dp);
        let mut rows = Vec::with_capacity(members.len());
        let mut boot = Vec::with_capacity(members.len());
        for &(t, avg_full, n) in members {
            let deficit_flag = self.obs.get(&(q, t, m.financial_override.flag_id.as_str()));
            let in_deficit = deficit_flag.map(|o| o.value == 1.0);
            if in_deficit.is_none() {
                tracing::warn!(quarter = %q, trust = %t, "no financial override flag ({}): deficit status not known, the override is not applied", m.financial_override.flag_id);
            }
            let in_programme = self
                .obs
                .get(&(q, t, m.segment5.flag_id.as_str()))
                .map(|o| o.value == 1.0);
            let average = rounded(avg_full);
            let unadjusted = rules::segment_of(average, &self.cuts.cuts, m.segmentation.boundary);
            let segment = rules::apply_override(
                unadjusted,
                in_deficit == Some(true),
                m.financial_override.cap_segment,
            );
            let final_segment =
                rules::final_segment(segment, in_programme == Some(true), m.segment5.segment);
            let i = self.index[&(q, t)];
            let mut doms: Vec<DomainResult> = averaged
                .domains
                .get(&i)
                .map(|ds| {
                    ds.iter()
                        .map(|&(d, score)| {
                            let cuts = (self.domain_cuts)(d);
                            DomainResult {
                                domain: m.domains[d].id.clone(),
                                score,
                                segment: rules::segment_of(
                                    rounded(score),
                                    &cuts,
                                    m.segmentation.boundary,
                                ),
                                cuts,
                                rank: 0,
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            doms.sort_by_key(|d| m.domains.iter().position(|x| x.id == d.domain));
            let provenance_count =
                |p: Provenance| averaged.provenances.get(&(i, p)).copied().unwrap_or(0);
            let (synthetic, other_period) = (
                provenance_count(Provenance::Synthetic),
                provenance_count(Provenance::RealOtherPeriod),
            );
            boot.push(BootstrapTrust {
                stream: stream_id(&q.to_string(), t.as_str()),
                scores: averaged.weighted.remove(&i).unwrap_or_default(),
                in_deficit: in_deficit == Some(true),
            });
            let unknown = Range {
                low: f64::NAN,
                high: f64::NAN,
            };
            rows.push(LeagueRow {
                trust: self.trusts[t].clone(),
                metrics_scored: n,
                average_unrounded: avg_full,
                average,
                average_range: unknown,
                unadjusted_segment: unadjusted,
                segment,
                final_segment,
                in_deficit,
                deficit_provenance: deficit_flag.map(|o| o.provenance),
                in_recovery_support_programme: in_programme,
                rank: 0,
                average_rank: 0,
                rank_range: unknown,
                domains: doms,
                metrics: averaged.averaged.remove(&i).unwrap_or_default(),
                synthetic_metrics: synthetic,
                other_period_metrics: other_period,
                segment_chances: None,
                versus_peers: None,
            });
        }
        (rows, boot)
    }
}

/// League rank (§2): segment, then average, competition ranking (segment 5 is not used); the
/// rank on the average alone; each domain's rank.
fn rank_rows(rows: &mut [LeagueRow], m: &Methodology) {
    let keys: Vec<(u8, f64)> = rows.iter().map(|r| (r.segment, r.average)).collect();
    for (r, rank) in rows.iter_mut().zip(rules::competition_ranks(&keys)) {
        r.rank = rank;
    }
    let averages: Vec<f64> = rows.iter().map(|r| r.average).collect();
    for (r, rank) in rows.iter_mut().zip(rules::competition_ranks(&averages)) {
        r.average_rank = rank;
    }
    for d in &m.domains {
        let scores: Vec<f64> = rows
            .iter()
            .filter_map(|r| r.domains.iter().find(|x| x.domain == d.id))
            .map(|x| x.score)
            .collect();
        let mut ranks = rules::competition_ranks(&scores).into_iter();
        for x in rows
            .iter_mut()
            .flat_map(|r| r.domains.iter_mut())
            .filter(|x| x.domain == d.id)
        {
            x.rank = ranks.next().expect("one rank per domain score");
        }
    }
}

fn domain_index(m: &Methodology, score_id: &str) -> usize {
    let metric = m
        .metric(score_id)
        .expect("scores are only made for configured metrics");
    m.domains
        .iter()
        .position(|d| d.id == metric.domain)
        .expect("validated: every metric's domain exists")
}

/// Picks each metric's score: computed where the comparator pool is in the input and the raw
/// value is present, NHS England's published score otherwise (§6 back test note 1).
fn choose_scores(
    data: &Dataset,
    m: &Methodology,
    value_of: &dyn Fn(Quarter, &TrustCode, &str) -> Option<f64>,
    rank_of: &dyn Fn(Quarter, &TrustCode, &str) -> Option<u32>,
) -> Result<BTreeMap<Key, Chosen>, ScoreError> {
    let mut chosen: BTreeMap<Key, Chosen> = BTreeMap::new();
    let mut rank_inputs = Vec::new();
    let mut rank_keys: Vec<(Key, f64)> = Vec::new();
    for (&q, trusts) in &data.trusts {
        let present: BTreeSet<&str> = trusts.values().map(|t| t.peer_group.as_str()).collect();
        for (mi, metric) in m.metrics.iter().enumerate() {
            if metric.status == MetricStatus::Contextual
                || matches!(metric.scoring, Scoring::Matrix { .. })
            {
                continue;
            }
            let covered = match &metric.pool {
                PoolRef::PeerGroup => true,
                PoolRef::Named(p) => m.pool(p).is_some_and(|pool| {
                    pool.peer_groups
                        .iter()
                        .all(|g| present.contains(g.as_str()))
                }),
            };
            for (t, info) in trusts {
                if !metric.peer_groups.contains(&info.peer_group) {
                    continue;
                }
                let raw = metric.value_id.as_deref().and_then(|v| value_of(q, t, v));
                let published = value_of(q, t, &metric.id);
                let key = (q, t.clone(), mi);
                let scheme = match &metric.scoring {
                    Scoring::Rank => Some((RankScheme::Rank, false)),
                    Scoring::Standard { standard } => Some((
                        RankScheme::Standard,
                        raw.is_some_and(|v| !metric.direction.better(*standard, v)),
                    )),
                    Scoring::Floor { floor } => Some((
                        RankScheme::Floor,
                        raw.is_some_and(|v| metric.direction.better(*floor, v)),
                    )),
                    _ => None,
                };
                match (&metric.scoring, raw, scheme) {
                    (_, Some(v), Some((scheme, set_apart))) if covered => {
                        let pool_key = pool_key(metric, &info.peer_group);
                        let key_value = match metric.direction {
                            league_model::Direction::LowerIsBetter => v,
                            league_model::Direction::HigherIsBetter => -v,
                        };
                        rank_inputs.push(RankInput {
                            group: format!("{q}|{}|{pool_key}", metric.id),
                            key: key_value,
                            set_apart,
                            scheme,
                            tie_break: metric.value_id.as_deref().and_then(|v| rank_of(q, t, v)),
                        });
                        rank_keys.push((key.clone(), v));
                    }
                    (Scoring::Bands { bands }, Some(v), _) => {
                        let score = rules::band_score(v, metric.direction, bands);
                        record(&mut chosen, key.clone(), Some(v), Some(score), published);
                        continue;
                    }
                    _ => {}
                }
                record(&mut chosen, key, raw, None, published);
            }
        }
    }
    for ((key, v), score) in rank_keys
        .into_iter()
        .zip(columnar::rank_scores(&rank_inputs).map_err(internal)?)
    {
        let published = chosen
            .get(&key)
            .and_then(|c| (c.provenance == ScoreProvenance::Published).then_some(c.score));
        record(&mut chosen, key, Some(v), Some(score), published);
    }
    recover_published_precision(data, m, &mut chosen);
    combine_matrix_scores(data, m, value_of, &mut chosen);
    // Metrics NHS England averaged at their published 2 dp in a quarter (config
    // `rounding.as_published`) enter the average rounded, whether published or computed here.
    for ((q, _, mi), c) in chosen.iter_mut() {
        if m.averaged_as_published(&q.to_string(), &m.metrics[*mi].id) {
            c.score = round_dp(c.score, m.rounding.score_dp);
        }
    }
    Ok(chosen)
}

/// Combined metrics from their components (§1.2 combined finance): each trust's matrix score
/// from its two component scores (at their published places), beside any published one.
fn combine_matrix_scores(
    data: &Dataset,
    m: &Methodology,
    value_of: &dyn Fn(Quarter, &TrustCode, &str) -> Option<f64>,
    chosen: &mut BTreeMap<Key, Chosen>,
) {
    for (&q, trusts) in &data.trusts {
        for (mi, metric) in m.metrics.iter().enumerate() {
            let Scoring::Matrix { row, column, table } = &metric.scoring else {
                continue;
            };
            let pos = |id: &str| {
                m.metrics
                    .iter()
                    .position(|x| x.id == id)
                    .expect("validated matrix input")
            };
            let (ri, ci) = (pos(row), pos(column));
            for (t, info) in trusts {
                if !metric.peer_groups.contains(&info.peer_group) {
                    continue;
                }
                let component = |i| {
                    chosen
                        .get(&(q, t.clone(), i))
                        .map(|c: &Chosen| round_dp(c.score, m.rounding.score_dp))
                };
                let computed = component(ri)
                    .zip(component(ci))
                    .and_then(|(r, c)| rules::matrix_score(table, r, c));
                record(
                    chosen,
                    (q, t.clone(), mi),
                    None,
                    computed,
                    value_of(q, t, &metric.id),
                );
            }
        }
    }
}

/// The comparator pool a trust's score of `metric` is ranked in: its peer group, or the named
/// pool.
fn pool_key<'a>(metric: &'a league_model::Metric, peer_group: &'a str) -> &'a str {
    match &metric.pool {
        PoolRef::PeerGroup => peer_group,
        PoolRef::Named(p) => p.as_str(),
    }
}

/// Records a metric score. NHS England's published score wins where there is one: it was computed
/// from unrounded raw values the input lacks (rounded raw values manufacture ties). The engine's
/// own score is kept beside it as `computed`, to verify the published one and to stand in for it.
fn record(
    chosen: &mut BTreeMap<Key, Chosen>,
    key: Key,
    value: Option<f64>,
    computed: Option<f64>,
    published: Option<f64>,
) {
    let entry = match (published, computed) {
        (Some(score), _) => Chosen {
            score,
            provenance: ScoreProvenance::Published,
            value,
            computed,
        },
        (None, Some(score)) => Chosen {
            score,
            provenance: ScoreProvenance::Computed,
            value,
            computed,
        },
        (None, None) => return,
    };
    chosen.insert(key, entry);
}

/// Published rank-scheme scores are rounded to 2 dp; NHS England averages the unrounded ones
/// (§1.3: "matches the mean of the unrounded component scores"). Recover them from the grid of
/// each metric and quarter ([`rules::recover_unrounded`]).
fn recover_published_precision(
    data: &Dataset,
    m: &Methodology,
    chosen: &mut BTreeMap<Key, Chosen>,
) {
    // One grid per comparator pool: a peer-group metric has one per peer group.
    let mut groups: BTreeMap<(Quarter, usize, &str), Vec<Key>> = BTreeMap::new();
    for (k, c) in chosen.iter() {
        if c.provenance == ScoreProvenance::Published {
            let pool = pool_key(&m.metrics[k.2], &data.trusts[&k.0][&k.1].peer_group);
            groups.entry((k.0, k.2, pool)).or_default().push(k.clone());
        }
    }
    for ((q, mi, _), keys) in groups {
        let metric = &m.metrics[mi];
        if m.averaged_as_published(&q.to_string(), &metric.id) {
            continue;
        }
        let (best, span, apart) = match metric.scoring {
            Scoring::Rank => (1.0, 3.0, None),
            Scoring::Standard { .. } => (2.0, 2.0, Some(1.0)),
            Scoring::Floor { .. } => (1.0, 2.0, Some(4.0)),
            _ => continue,
        };
        let scores: Vec<f64> = keys.iter().map(|k| chosen[k].score).collect();
        match rules::recover_unrounded(&scores, best, span, apart, m.rounding.score_dp, MAX_POOL) {
            Some(exact) => {
                for (k, s) in keys.iter().zip(exact) {
                    chosen.get_mut(k).expect("key from the map").score = s;
                }
            }
            None => {
                tracing::debug!(quarter = %q, metric = %metric.id, "published scores fit no rank grid; used as published")
            }
        }
    }
}

/// The observations behind one metric's score: its score and raw value, and for a combined
/// metric its components'.
fn inputs<'a>(
    obs: &HashMap<(Quarter, &TrustCode, &str), &'a Observation>,
    m: &Methodology,
    q: Quarter,
    t: &TrustCode,
    metric: &league_model::Metric,
) -> Vec<&'a Observation> {
    let mut ids: Vec<&str> = std::iter::once(metric.id.as_str())
        .chain(metric.value_id.as_deref())
        .collect();
    if let Scoring::Matrix { row, column, .. } = &metric.scoring {
        for c in [row, column] {
            if let Some(x) = m.metric(c) {
                ids.push(&x.id);
                ids.extend(x.value_id.as_deref());
            }
        }
    }
    ids.iter()
        .filter_map(|id| obs.get(&(q, t, *id)).copied())
        .collect()
}

/// The reason a plausibility check queries the trust's value of `metric`, if one does: the
/// value and the other value the check judges it beside both meet the check's conditions.
fn queried(
    obs: &HashMap<(Quarter, &TrustCode, &str), &Observation>,
    m: &Methodology,
    q: Quarter,
    t: &TrustCode,
    metric: &league_model::Metric,
    value: Option<f64>,
) -> Option<String> {
    let (value_id, v) = (metric.value_id.as_deref()?, value?);
    m.plausibility
        .iter()
        .filter(|c| c.queried.metric == value_id)
        .find(|c| {
            obs.get(&(q, t, c.given.metric.as_str()))
                .is_some_and(|g| c.queries(v, g.value))
        })
        .map(|c| c.reason.clone())
}

/// The periods the inputs cover, as their sources state them ("Jun-25"; "2025/26; Month 3
/// 2025" for a combined score); the quarter when no input states one.
fn reporting_date(behind: &[&Observation], q: Quarter) -> String {
    let mut dates: Vec<&str> = Vec::new();
    for o in behind {
        if !o.reporting_date.is_empty() && !dates.contains(&o.reporting_date.as_str()) {
            dates.push(&o.reporting_date);
        }
    }
    if dates.is_empty() {
        q.to_string()
    } else {
        dates.join("; ")
    }
}

/// Metric score rows with individual-metric ranks and peer quartiles (§2 IMR).
fn metric_score_rows(
    data: &Dataset,
    m: &Methodology,
    chosen: &BTreeMap<Key, Chosen>,
    obs: &HashMap<(Quarter, &TrustCode, &str), &Observation>,
) -> Result<Vec<MetricScore>, ScoreError> {
    let peer_of = |q: &Quarter, t: &TrustCode| data.trusts[q][t].peer_group.as_str();
    let with_value: Vec<(&Key, f64)> = chosen
        .iter()
        .filter_map(|(k, c)| c.value.map(|v| (k, v)))
        .collect();
    let peer_inputs: Vec<PeerInput> = with_value
        .iter()
        .map(|&((q, t, mi), v)| {
            let metric = &m.metrics[*mi];
            let key = match metric.direction {
                league_model::Direction::LowerIsBetter => v,
                league_model::Direction::HigherIsBetter => -v,
            };
            PeerInput {
                group: format!("{q}|{}|{}", metric.id, peer_of(q, t)),
                key,
                value: v,
            }
        })
        .collect();
    let stats: HashMap<&Key, (u32, league_model::PeerSpread)> = with_value
        .iter()
        .map(|(k, _)| *k)
        .zip(columnar::peer_stats(&peer_inputs).map_err(internal)?)
        .collect();

    let mut score_groups: BTreeMap<(Quarter, usize, &str), Vec<&Key>> = BTreeMap::new();
    for k in chosen.keys() {
        score_groups
            .entry((k.0, k.2, peer_of(&k.0, &k.1)))
            .or_default()
            .push(k);
    }
    let mut score_rank: HashMap<&Key, u32> = HashMap::new();
    for keys in score_groups.values() {
        let rounded: Vec<f64> = keys
            .iter()
            .map(|k| round_dp(chosen[*k].score, m.rounding.score_dp))
            .collect();
        for (k, r) in keys.iter().zip(rules::competition_ranks(&rounded)) {
            score_rank.insert(k, r);
        }
    }
    let mut out: Vec<MetricScore> = chosen
        .iter()
        .map(|(k, c)| {
            let metric = &m.metrics[k.2];
            let stat = stats.get(k);
            let behind = inputs(obs, m, k.0, &k.1, metric);
            MetricScore {
                quarter: k.0,
                trust: k.1.clone(),
                metric_id: metric.id.clone(),
                value: c.value,
                score: c.score,
                score_rounded: round_dp(c.score, m.rounding.score_dp),
                weight: metric.weight,
                in_average: metric.status == MetricStatus::Scored,
                provenance: c.provenance,
                computed: c.computed,
                value_rank: stat.map(|s| s.0),
                peer_spread: stat.map(|s| s.1),
                score_rank: score_rank[k],
                data_provenance: behind
                    .iter()
                    .map(|o| o.provenance)
                    .max()
                    .unwrap_or_default(),
                reporting_date: reporting_date(&behind, k.0),
                queried: queried(obs, m, k.0, &k.1, metric, c.value),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (a.quarter, &a.trust, &a.metric_id).cmp(&(b.quarter, &b.trust, &b.metric_id))
    });
    Ok(out)
}

/// The overall cut-points for a quarter, per peer group: command line, then fixed thresholds,
/// then the quarter's configured cut-points, then quartiles over the configured pool.
fn overall_cuts<'a>(
    m: &'a Methodology,
    opts: &ScoreOptions,
    q: Quarter,
    averages: &[(&str, f64)],
) -> impl Fn(&str) -> SegmentCuts + 'a {
    let fixed: Option<([f64; 3], CutPointSource)> = if let Some(c) = opts.cut_points {
        Some((c, CutPointSource::CommandLine))
    } else if m.segmentation.method == SegmentMethod::Thresholds {
        Some((
            three(&m.segmentation.thresholds),
            CutPointSource::Thresholds,
        ))
    } else {
        m.published_cut_points(&q.to_string())
            .map(|c| (three(&c.cut_points), CutPointSource::Configured))
    };
    let pool = m.segmentation.pool;
    let present: BTreeSet<String> = averages.iter().map(|(g, _)| (*g).to_owned()).collect();
    if fixed.is_none() && pool == SegmentPool::AllProviders && present.len() < m.peer_groups.len() {
        tracing::warn!(quarter = %q, "quartiles are taken over all providers, but the input holds only {} of {} peer groups: segments will not match NHS England's; give --cut-points",
            present.len(), m.peer_groups.len());
    }
    let all: Vec<f64> = averages.iter().map(|&(_, a)| a).collect();
    let by_group: BTreeMap<String, Vec<f64>> =
        averages.iter().fold(BTreeMap::new(), |mut acc, &(g, a)| {
            acc.entry(g.to_owned()).or_insert_with(Vec::new).push(a);
            acc
        });
    move |group: &str| match (&fixed, pool) {
        (Some((cuts, source)), _) => SegmentCuts {
            quarter: q,
            peer_group: None,
            cuts: *cuts,
            source: source.clone(),
        },
        (None, SegmentPool::AllProviders) => SegmentCuts {
            quarter: q,
            peer_group: None,
            cuts: rules::quartile_cuts(&all).expect("a quarter with scored trusts has averages"),
            source: CutPointSource::Quartiles(present.iter().cloned().collect()),
        },
        (None, SegmentPool::PeerGroup) => SegmentCuts {
            quarter: q,
            peer_group: Some(group.to_owned()),
            cuts: rules::quartile_cuts(&by_group[group])
                .expect("called only for groups with members"),
            source: CutPointSource::Quartiles(vec![group.to_owned()]),
        },
    }
}

/// Domain segments (§1.6): derived "the same way as the overall segment": the fixed thresholds,
/// the quarter's configured domain cut-points, or quartiles of the domain scores over the
/// segmentation pool.
fn domain_cut_points<'a>(
    m: &'a Methodology,
    q: Quarter,
    trusts: &BTreeMap<TrustCode, league_model::TrustInQuarter>,
    domains: &HashMap<usize, Vec<(usize, f64)>>,
    index: &HashMap<(Quarter, &TrustCode), usize>,
) -> impl Fn(&str, usize) -> [f64; 3] + 'a {
    let mut scores: BTreeMap<(String, usize), Vec<f64>> = BTreeMap::new();
    for (t, info) in trusts {
        for &(d, s) in domains
            .get(&index[&(q, t)])
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let g = match m.segmentation.pool {
                SegmentPool::AllProviders => String::new(),
                SegmentPool::PeerGroup => info.peer_group.clone(),
            };
            scores.entry((g, d)).or_default().push(s);
        }
    }
    let cuts: BTreeMap<(String, usize), [f64; 3]> = scores
        .into_iter()
        .filter_map(|(k, v)| rules::quartile_cuts(&v).map(|c| (k, c)))
        .collect();
    let configured = m.published_cut_points(&q.to_string());
    move |group: &str, d: usize| {
        if m.segmentation.method == SegmentMethod::Thresholds {
            return three(&m.segmentation.thresholds);
        }
        if let Some(c) = configured
            .map(|c| &c.domains)
            .and_then(|ds| ds.get(&m.domains[d].id))
        {
            return three(c);
        }
        let g = match m.segmentation.pool {
            SegmentPool::AllProviders => String::new(),
            SegmentPool::PeerGroup => group.to_owned(),
        };
        cuts[&(g, d)]
    }
}

fn three(v: &[f64]) -> [f64; 3] {
    [v[0], v[1], v[2]]
}
