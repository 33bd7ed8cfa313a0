//! What it would take: for each trust not in segment 1, the fewest metric improvements that move
//! it into the next better segment at the quarter's cut-points, each with the value to reach.
//!
//! A candidate value is re-scored as the engine scores it: the rank-based schemes (§1.2 A, B, C)
//! re-rank the pool with the trust's new value in place of its old one (the trust placed first
//! among values it ties, as the engine places a value without a published rank), bands re-band
//! it. The trust's other scores stay as averaged; the new average is rounded as published, cut
//! into a segment and capped by the financial override like the trust's own. A trust in deficit
//! at the cap is told no metric improvement alone lifts it above the cap.
//!
//! Only the trust's own segment is searched for, so only its own average matters; where the
//! cut-points are quartiles of the averages they would move a little with it, which the report
//! says.

use std::collections::{BTreeSet, HashMap};

use league_model::number::round_dp;
use league_model::{
    Dataset, Direction, ImprovementPlan, ImprovementStep, LeagueRow, Methodology, MetricScore,
    PlanOutcome, PoolRef, Quarter, ScoreRun, Scoring, TrustCode,
};

use crate::rules;

/// One metric the search may improve: its score now and the better (value, score) levels, the
/// smallest improvement first, each scoring strictly better than the one before.
struct Candidate<'a> {
    score: &'a MetricScore,
    value_id: &'a str,
    from_value: f64,
    levels: Vec<(f64, f64)>,
}

impl Candidate<'_> {
    /// How much `level` lowers the weighted score sum.
    fn gain(&self, level: usize) -> f64 {
        (self.score.score - self.levels[level].1) * self.score.weight
    }
}

/// Plans for every trust with an average, in the run's table order.
pub fn improvement_plans(data: &Dataset, m: &Methodology, run: &ScoreRun) -> Vec<ImprovementPlan> {
    let values: HashMap<(Quarter, &TrustCode, &str), f64> = data
        .observations
        .iter()
        .map(|o| ((o.quarter, &o.trust, o.metric_id.as_str()), o.value))
        .collect();
    let mut scores: HashMap<(Quarter, &TrustCode), Vec<&MetricScore>> = HashMap::new();
    for s in run.metric_scores.iter().filter(|s| s.in_average) {
        scores.entry((s.quarter, &s.trust)).or_default().push(s);
    }
    let matrix_inputs: BTreeSet<&str> = m
        .metrics
        .iter()
        .filter_map(|x| match &x.scoring {
            Scoring::Matrix { row, column, .. } => Some([row.as_str(), column.as_str()]),
            _ => None,
        })
        .flatten()
        .collect();
    let mut out = Vec::new();
    for t in &run.tables {
        let Some(cuts) = run
            .cuts
            .iter()
            .find(|c| {
                c.quarter == t.quarter && c.peer_group.as_deref().is_none_or(|g| g == t.peer_group)
            })
            .map(|c| c.cuts)
        else {
            continue;
        };
        let pool = Pool {
            data,
            m,
            values: &values,
            quarter: t.quarter,
        };
        for r in &t.rows {
            let own = scores
                .remove(&(t.quarter, &r.trust.code))
                .unwrap_or_default();
            let mut not_modelled = Vec::new();
            let candidates: Vec<Candidate> = own
                .iter()
                .filter_map(|s| match pool.candidate(s, r, &matrix_inputs) {
                    Ok(c) => Some(c),
                    Err(why) => {
                        not_modelled.push((s.metric_id.clone(), why));
                        None
                    }
                })
                .filter(|c| !c.levels.is_empty())
                .collect();
            let target = Target {
                m,
                cuts,
                in_deficit: r.in_deficit == Some(true),
                sum: own.iter().map(|s| s.score * s.weight).sum(),
                weight: own.iter().map(|s| s.weight).sum(),
                segment: r.segment.saturating_sub(1),
            };
            out.push(ImprovementPlan {
                quarter: t.quarter,
                trust: r.trust.code.clone(),
                segment: r.segment,
                outcome: outcome(r, m, &target, &candidates),
                not_modelled,
            });
        }
    }
    out
}

/// The segment to reach and what decides whether a set of gains reaches it.
struct Target<'a> {
    m: &'a Methodology,
    cuts: [f64; 3],
    in_deficit: bool,
    /// Σ score × weight now.
    sum: f64,
    /// Σ weight.
    weight: f64,
    segment: u8,
}

impl Target<'_> {
    /// The rounded average after lowering the weighted sum by `gain`.
    fn average(&self, gain: f64) -> f64 {
        round_dp((self.sum - gain) / self.weight, self.m.rounding.average_dp)
    }

    fn reached(&self, gain: f64) -> bool {
        let unadjusted =
            rules::segment_of(self.average(gain), &self.cuts, self.m.segmentation.boundary);
        rules::apply_override(
            unadjusted,
            self.in_deficit,
            self.m.financial_override.cap_segment,
        ) <= self.segment
    }
}

fn outcome(
    r: &LeagueRow,
    m: &Methodology,
    target: &Target,
    candidates: &[Candidate],
) -> PlanOutcome {
    let cap = m.financial_override.cap_segment;
    if r.segment <= 1 {
        return PlanOutcome::AlreadyBest;
    }
    if r.in_deficit == Some(true) && r.segment <= cap {
        return PlanOutcome::CappedByOverride {
            cap,
            before_override: r.unadjusted_segment,
        };
    }
    // The fewest metrics: those with the largest possible gains, as few as reach the target.
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    let best = |i: usize| candidates[i].gain(candidates[i].levels.len() - 1);
    order.sort_by(|&a, &b| {
        best(b).total_cmp(&best(a)).then_with(|| {
            candidates[a]
                .score
                .metric_id
                .cmp(&candidates[b].score.metric_id)
        })
    });
    let all: f64 = order.iter().map(|&i| best(i)).sum();
    let Some(k) =
        (1..=order.len()).find(|&k| target.reached(order[..k].iter().map(|&i| best(i)).sum()))
    else {
        return PlanOutcome::NoPath {
            target: target.segment,
            best_average: target.average(all),
        };
    };
    // Then each chosen metric relaxed to the smallest improvement that still reaches it.
    let chosen = &order[..k];
    let mut level: Vec<usize> = chosen
        .iter()
        .map(|&i| candidates[i].levels.len() - 1)
        .collect();
    for j in (0..k).rev() {
        let others: f64 = (0..k)
            .filter(|&x| x != j)
            .map(|x| candidates[chosen[x]].gain(level[x]))
            .sum();
        let c = &candidates[chosen[j]];
        level[j] = (0..c.levels.len())
            .find(|&l| target.reached(others + c.gain(l)))
            .unwrap_or(level[j]);
    }
    let gain: f64 = (0..k).map(|x| candidates[chosen[x]].gain(level[x])).sum();
    let mut steps: Vec<ImprovementStep> = (0..k)
        .map(|x| {
            let c = &candidates[chosen[x]];
            let (to_value, to_score) = c.levels[level[x]];
            ImprovementStep {
                metric_id: c.score.metric_id.clone(),
                value_id: c.value_id.to_owned(),
                from_value: c.from_value,
                to_value,
                from_score: c.score.score,
                to_score,
                weight: c.score.weight,
            }
        })
        .collect();
    steps.sort_by(|a, b| a.metric_id.cmp(&b.metric_id));
    PlanOutcome::Path {
        target: target.segment,
        steps,
        new_average: target.average(gain),
    }
}

/// The values a quarter's pools hold.
struct Pool<'a> {
    data: &'a Dataset,
    m: &'a Methodology,
    values: &'a HashMap<(Quarter, &'a TrustCode, &'a str), f64>,
    quarter: Quarter,
}

impl<'a> Pool<'a> {
    /// The candidate for one averaged score, or why it cannot be re-scored.
    fn candidate(
        &self,
        s: &'a MetricScore,
        r: &LeagueRow,
        matrix_inputs: &BTreeSet<&str>,
    ) -> Result<Candidate<'a>, String> {
        let metric = self
            .m
            .metric(&s.metric_id)
            .ok_or_else(|| "not in the methodology".to_owned())?;
        match &metric.scoring {
            Scoring::Matrix { .. } => {
                return Err(
                    "it is a combination of two other scores, not a value to improve".into(),
                );
            }
            Scoring::Mapping { .. } => {
                return Err("it is a rating, not a value that can be improved by an amount".into());
            }
            Scoring::Published => {
                return Err("NHS England publishes only its score, not the value behind it".into());
            }
            _ => {}
        }
        if matrix_inputs.contains(metric.id.as_str()) {
            return Err("it feeds a combined score, which this calculation does not model".into());
        }
        let (Some(value_id), Some(from_value)) = (metric.value_id.as_deref(), s.value) else {
            return Err("no value is published for the trust".into());
        };
        if s.computed.is_none() {
            return Err(
                "the other trusts' values are not in our data, so a new value cannot be ranked"
                    .into(),
            );
        }
        let peers = self.peer_keys(metric, value_id, r);
        let key = |v: f64| oriented(v, metric.direction);
        let better = |x: f64| key(x) < key(from_value);
        let mut targets: Vec<f64> = match &metric.scoring {
            Scoring::Bands { bands } => bands
                .iter()
                .filter(|b| !b.strict)
                .filter_map(|b| b.threshold)
                .collect(),
            Scoring::Standard { standard } => {
                let mut t = peer_values(&peers, metric.direction);
                t.push(*standard);
                t
            }
            Scoring::Floor { floor } => {
                let mut t = peer_values(&peers, metric.direction);
                t.push(*floor);
                t
            }
            _ => peer_values(&peers, metric.direction),
        };
        // Never beyond the best value any trust of the peer group has this quarter: a target
        // no peer has reached is not one a board can act on.
        let group_best = self.group_best(value_id, r);
        targets.retain(|&x| better(x) && group_best.is_some_and(|b| key(x) >= b - 1e-12));
        targets.sort_by(|a, b| key(*b).total_cmp(&key(*a)));
        targets.dedup();
        let round = self
            .m
            .averaged_as_published(&self.quarter.to_string(), &metric.id);
        let mut levels: Vec<(f64, f64)> = Vec::new();
        for x in targets {
            let mut score = score_at(&metric.scoring, metric.direction, &peers, x);
            if round {
                score = round_dp(score, self.m.rounding.score_dp);
            }
            let floor = levels.last().map_or(s.score, |l| l.1);
            if score < floor - 1e-12 {
                levels.push((x, score));
            }
        }
        Ok(Candidate {
            score: s,
            value_id,
            from_value,
            levels,
        })
    }

    /// The best oriented key (lower is better) among the values of the trust's own peer group
    /// this quarter, the trust's own included.
    fn group_best(&self, value_id: &str, r: &LeagueRow) -> Option<f64> {
        let metric = self
            .m
            .metrics
            .iter()
            .find(|x| x.value_id.as_deref() == Some(value_id))?;
        self.data
            .trusts
            .get(&self.quarter)
            .into_iter()
            .flatten()
            .filter(|(_, info)| info.peer_group == r.trust.peer_group)
            .filter_map(|(t, _)| self.values.get(&(self.quarter, t, value_id)))
            .map(|&v| oriented(v, metric.direction))
            .min_by(f64::total_cmp)
    }

    /// The oriented keys (lower is better) of the other trusts in the trust's comparator pool,
    /// sorted.
    fn peer_keys(&self, metric: &league_model::Metric, value_id: &str, r: &LeagueRow) -> Vec<f64> {
        let groups: Vec<&str> = match &metric.pool {
            PoolRef::PeerGroup => vec![r.trust.peer_group.as_str()],
            PoolRef::Named(p) => self
                .m
                .pool(p)
                .map(|p| p.peer_groups.iter().map(String::as_str).collect())
                .unwrap_or_default(),
        };
        let mut keys: Vec<f64> = self
            .data
            .trusts
            .get(&self.quarter)
            .into_iter()
            .flatten()
            .filter(|(t, info)| {
                **t != r.trust.code
                    && groups.contains(&info.peer_group.as_str())
                    && metric.peer_groups.contains(&info.peer_group)
            })
            .filter_map(|(t, _)| self.values.get(&(self.quarter, t, value_id)))
            .map(|&v| oriented(v, metric.direction))
            .collect();
        keys.sort_by(f64::total_cmp);
        keys
    }
}

fn oriented(v: f64, d: Direction) -> f64 {
    match d {
        Direction::LowerIsBetter => v,
        Direction::HigherIsBetter => -v,
    }
}

fn peer_values(keys: &[f64], d: Direction) -> Vec<f64> {
    keys.iter().map(|&k| oriented(k, d)).collect()
}

/// The score the trust would get with value `x`, the other trusts' values (`peers`, oriented
/// and sorted) unchanged: one plus the number of strictly better values is its position.
pub(crate) fn score_at(scoring: &Scoring, d: Direction, peers: &[f64], x: f64) -> f64 {
    let key = oriented(x, d);
    let ranked = |keep: &dyn Fn(f64) -> bool, best: f64, worst: f64| {
        let kept: Vec<f64> = peers.iter().copied().filter(|&k| keep(k)).collect();
        let p = 1 + kept.partition_point(|&k| k < key) as u32;
        rules::position_score(p, kept.len() as u32 + 1, best, worst)
    };
    match scoring {
        Scoring::Rank => ranked(&|_| true, 1.0, 4.0),
        Scoring::Standard { standard } => {
            let meets = |v: f64| !d.better(*standard, v);
            if meets(x) {
                1.0
            } else {
                ranked(&|k| !meets(oriented(k, d)), 2.0, 4.0)
            }
        }
        Scoring::Floor { floor } => {
            let fails = |v: f64| d.better(*floor, v);
            if fails(x) {
                4.0
            } else {
                ranked(&|k| !fails(oriented(k, d)), 1.0, 3.0)
            }
        }
        Scoring::Bands { bands } => rules::band_score(x, d, bands),
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_value_is_scored_by_its_place_among_the_others() {
        // Peers 10, 20, 30 (higher is better): 25 is second of four.
        let mut keys: Vec<f64> = [10.0, 20.0, 30.0]
            .iter()
            .map(|&v| oriented(v, Direction::HigherIsBetter))
            .collect();
        keys.sort_by(f64::total_cmp);
        let s = score_at(&Scoring::Rank, Direction::HigherIsBetter, &keys, 25.0);
        assert_eq!(s, rules::position_score(2, 4, 1.0, 4.0));
        // A tie with the best goes first, as the engine places a value without a published rank.
        let s = score_at(&Scoring::Rank, Direction::HigherIsBetter, &keys, 30.0);
        assert_eq!(s, 1.0);
        // Meeting a standard of 25 scores 1; below it, ranked 2-4 among those below it.
        let std = Scoring::Standard { standard: 25.0 };
        assert_eq!(score_at(&std, Direction::HigherIsBetter, &keys, 25.0), 1.0);
        assert_eq!(
            score_at(&std, Direction::HigherIsBetter, &keys, 15.0),
            rules::position_score(2, 3, 2.0, 4.0)
        );
        // Failing a floor of 12 scores 4.
        let floor = Scoring::Floor { floor: 12.0 };
        assert_eq!(
            score_at(&floor, Direction::HigherIsBetter, &keys, 11.0),
            4.0
        );
        assert_eq!(
            score_at(&floor, Direction::HigherIsBetter, &keys, 12.0),
            rules::position_score(3, 3, 1.0, 3.0)
        );
    }

    #[test]
    fn scores_agree_with_the_whole_pool_schemes() {
        // Re-ranking one value among the others gives what the scheme gives the whole pool.
        let pool = [3.0, 7.5, 7.5, 1.0, 9.0, 4.2];
        for d in [Direction::HigherIsBetter, Direction::LowerIsBetter] {
            let whole = rules::scheme_rank(&pool, d);
            for i in 0..pool.len() {
                let mut keys: Vec<f64> = pool
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, &v)| oriented(v, d))
                    .collect();
                keys.sort_by(f64::total_cmp);
                assert_eq!(score_at(&Scoring::Rank, d, &keys, pool[i]), whole[i]);
            }
        }
    }
}
