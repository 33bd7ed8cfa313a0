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
//!
//! Targets a board could act on: none goes beyond what the trust's peer group already achieve
//! that quarter (`improvement.target_bound`: the best value, or the best quarter's); a target
//! set by a peer's value is the next value beyond it at the metric's shown places, so it never
//! ties a peer whose published score differs; and where the fewest metrics allow it, the path
//! leaves the unrounded average `improvement.margin` inside the cut-point. The plan carries the
//! unrounded average and the cut-point, so documents show the margin.

use std::collections::{BTreeSet, HashMap};

use league_model::number::round_dp;
use league_model::{
    Dataset, Direction, LeagueRow, Methodology, MetricScore, NextSegmentPlan, NextSegmentStep,
    PlanOutcome, PoolRef, Quarter, ScoreRun, Scoring, TargetBound, TrustCode,
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
pub fn next_segment_plans(data: &Dataset, m: &Methodology, run: &ScoreRun) -> Vec<NextSegmentPlan> {
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
            out.push(NextSegmentPlan {
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

    /// The average after lowering the weighted sum by `gain`, before rounding.
    fn exact(&self, gain: f64) -> f64 {
        (self.sum - gain) / self.weight
    }

    /// The upper bound of the segment to reach.
    fn cut_point(&self) -> f64 {
        self.cuts[usize::from(self.segment.clamp(1, 3)) - 1]
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

    /// Reached with the configured margin to spare: the unrounded average at least
    /// `improvement.margin` inside the cut-point.
    fn reached_with_margin(&self, gain: f64) -> bool {
        self.reached(gain)
            && self.exact(gain) <= self.cut_point() - self.m.improvement.margin + 1e-12
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
    let top = |k: usize| -> f64 { order[..k].iter().map(|&i| best(i)).sum() };
    let Some(k) = (1..=order.len()).find(|&k| target.reached(top(k))) else {
        return PlanOutcome::NoPath {
            target: target.segment,
            best_average: target.average(all),
        };
    };
    // With a margin to spare where the fewest metrics allow one; else just reaching it.
    let margin = target.reached_with_margin(top(k));
    let ok = |gain: f64| {
        if margin {
            target.reached_with_margin(gain)
        } else {
            target.reached(gain)
        }
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
            .find(|&l| ok(others + c.gain(l)))
            .unwrap_or(level[j]);
    }
    let gain: f64 = (0..k).map(|x| candidates[chosen[x]].gain(level[x])).sum();
    let mut steps: Vec<NextSegmentStep> = (0..k)
        .map(|x| {
            let c = &candidates[chosen[x]];
            let (to_value, to_score) = c.levels[level[x]];
            NextSegmentStep {
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
        exact_average: target.exact(gain),
        cut_point: target.cut_point(),
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
                return Err("it combines two other scores".into());
            }
            Scoring::Mapping { .. } => {
                return Err("it is a rating, not an amount".into());
            }
            Scoring::Published => {
                return Err("NHS England's data give only the score".into());
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
        let bound_best = self.m.improvement.target_bound == TargetBound::BestValue;
        let group_bound = self.group_bound(value_id, r);
        // A target set by a peer's value is the next value, at the places values are shown,
        // beyond it: a target equal to a peer's shown value would read as scoring what that
        // peer scores, which it need not (NHS England ranks the unrounded values). With the
        // best value as the bound, that value is the exception: never passed, only matched.
        let dp = metric.value_dp;
        let shown: Vec<f64> = peer_values(&peers, metric.direction)
            .into_iter()
            .map(|v| round_dp(v, u32::from(dp)))
            .collect();
        let from_peers = || -> Vec<f64> {
            shown
                .iter()
                .map(|&v| beyond(v, dp, metric.direction))
                .filter(|y| !shown.iter().any(|v| (v - y).abs() < 1e-9))
                .chain(
                    group_bound
                        .filter(|_| bound_best)
                        .map(|b| oriented(b, metric.direction)),
                )
                .collect()
        };
        let mut targets: Vec<f64> = match &metric.scoring {
            Scoring::Bands { bands } => bands
                .iter()
                .filter(|b| !b.strict)
                .filter_map(|b| b.threshold)
                .collect(),
            Scoring::Standard { standard } => {
                let mut t = from_peers();
                t.push(*standard);
                t
            }
            Scoring::Floor { floor } => {
                let mut t = from_peers();
                t.push(*floor);
                t
            }
            _ => from_peers(),
        };
        // Never beyond what trusts of the peer group already achieve this quarter (the best
        // value, or the best quarter's, as configured: a target no peer reaches is not one a
        // board can act on), nor outside the values the metric can take.
        targets.retain(|&x| {
            better(x)
                && group_bound.is_some_and(|b| key(x) >= b - 1e-12)
                && metric
                    .valid_range
                    .is_none_or(|[lo, hi]| (lo..=hi).contains(&x))
        });
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

    /// The furthest a target may go, as an oriented key (lower is better), from the values
    /// of the trust's own peer group this quarter, the trust's own included: the best of
    /// them, or the quartile on the better side, as configured.
    fn group_bound(&self, value_id: &str, r: &LeagueRow) -> Option<f64> {
        let metric = self
            .m
            .metrics
            .iter()
            .find(|x| x.value_id.as_deref() == Some(value_id))?;
        let mut keys: Vec<f64> = self
            .data
            .trusts
            .get(&self.quarter)
            .into_iter()
            .flatten()
            .filter(|(_, info)| info.peer_group == r.trust.peer_group)
            .filter_map(|(t, _)| self.values.get(&(self.quarter, t, value_id)))
            .map(|&v| oriented(v, metric.direction))
            .collect();
        keys.sort_by(f64::total_cmp);
        match self.m.improvement.target_bound {
            TargetBound::BestValue => keys.first().copied(),
            TargetBound::BestQuartile => rules::quantile_linear(&keys, 0.25),
        }
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

/// The next value at `dp` decimal places strictly better than `v` (itself at `dp` places).
fn beyond(v: f64, dp: u8, d: Direction) -> f64 {
    let step = 10f64.powi(-i32::from(dp));
    let next = match d {
        Direction::HigherIsBetter => v + step,
        Direction::LowerIsBetter => v - step,
    };
    round_dp(next, u32::from(dp))
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
    fn a_target_beyond_a_peer_is_the_next_shown_value_in_the_better_direction() {
        assert_eq!(beyond(6.77, 2, Direction::HigherIsBetter), 6.78);
        assert_eq!(beyond(18.09, 2, Direction::LowerIsBetter), 18.08);
        assert_eq!(beyond(3.0, 0, Direction::LowerIsBetter), 2.0);
        assert_eq!(beyond(-1.0, 2, Direction::HigherIsBetter), -0.99);
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
