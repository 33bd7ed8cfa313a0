//! The scoring rules as pure functions over plain numbers (NOF 2025/26 §1.2–§2). The columnar
//! stage ([`crate::columnar`]) applies the rank-based schemes to whole columns; these functions
//! define the same rules row by row and carry the unit tests.

use league_model::{Band, Direction, SegmentBoundary};

/// Competition ("1224") ranks of `keys`, where a lower key is better: each item's rank is one
/// plus the number of strictly better items, so tied items share the best rank of their cluster.
pub fn competition_ranks<K: PartialOrd>(keys: &[K]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| {
        keys[a]
            .partial_cmp(&keys[b])
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut ranks = vec![0u32; keys.len()];
    for (pos, &i) in order.iter().enumerate() {
        let tied_with_previous = pos > 0 && keys[order[pos - 1]] == keys[i];
        ranks[i] = if tied_with_previous {
            ranks[order[pos - 1]]
        } else {
            pos as u32 + 1
        };
    }
    ranks
}

/// The score at competition position `p` (1 = best) among `n` ranked organisations, on a scale
/// from `best` to `worst` (§1.2: `best + (worst − best)·(p−1)/(n−1)`). A single organisation
/// scores `best`.
pub fn position_score(p: u32, n: u32, best: f64, worst: f64) -> f64 {
    if n <= 1 {
        return best;
    }
    best + (worst - best) * f64::from(p - 1) / f64::from(n - 1)
}

/// Scheme A over a comparator pool: every value ranked, 1.00 to 4.00.
pub fn scheme_rank(values: &[f64], direction: Direction) -> Vec<f64> {
    let keys = oriented(values, direction);
    let ranks = competition_ranks(&keys);
    let n = values.len() as u32;
    ranks
        .iter()
        .map(|&p| position_score(p, n, 1.0, 4.0))
        .collect()
}

/// Scheme B: meeting `standard` scores 1.00; the others are ranked from 2.00 to 4.00.
pub fn scheme_standard(values: &[f64], direction: Direction, standard: f64) -> Vec<f64> {
    split_scheme(
        values,
        direction,
        |v| !direction.better(standard, v),
        1.0,
        (2.0, 4.0),
    )
}

/// Scheme C: failing `floor` scores 4.00; the others are ranked from 1.00 to 3.00.
pub fn scheme_floor(values: &[f64], direction: Direction, floor: f64) -> Vec<f64> {
    split_scheme(
        values,
        direction,
        |v| direction.better(floor, v),
        4.0,
        (1.0, 3.0),
    )
}

fn split_scheme(
    values: &[f64],
    direction: Direction,
    set_apart: impl Fn(f64) -> bool,
    apart_score: f64,
    (best, worst): (f64, f64),
) -> Vec<f64> {
    let ranked: Vec<usize> = (0..values.len())
        .filter(|&i| !set_apart(values[i]))
        .collect();
    let keys = oriented(
        &ranked.iter().map(|&i| values[i]).collect::<Vec<_>>(),
        direction,
    );
    let ranks = competition_ranks(&keys);
    let m = ranked.len() as u32;
    let mut out = vec![apart_score; values.len()];
    for (k, &i) in ranked.iter().enumerate() {
        out[i] = position_score(ranks[k], m, best, worst);
    }
    out
}

/// Values turned into keys where lower is better.
fn oriented(values: &[f64], direction: Direction) -> Vec<f64> {
    values
        .iter()
        .map(|&v| match direction {
            Direction::LowerIsBetter => v,
            Direction::HigherIsBetter => -v,
        })
        .collect()
}

/// A bespoke banded score: the first band (best first) whose threshold the value reaches. A value
/// exactly on a threshold belongs to the better band.
pub fn band_score(value: f64, direction: Direction, bands: &[Band]) -> f64 {
    for b in bands {
        match b.threshold {
            Some(t) if direction.better(t, value) || (b.strict && t == value) => continue,
            _ => return b.score,
        }
    }
    bands.last().map_or(4.0, |b| b.score)
}

/// Combined score from two component scores (1–4) through a 4×4 table.
pub fn matrix_score(table: &[Vec<f64>], row: f64, column: f64) -> Option<f64> {
    let idx = |s: f64| (s.fract() == 0.0 && (1.0..=4.0).contains(&s)).then(|| s as usize - 1);
    Some(*table.get(idx(row)?)?.get(idx(column)?)?)
}

/// Weighted mean `Σ wᵢsᵢ / Σ wᵢ` (§1.2 weighting); `None` for no scores.
pub fn weighted_mean(scores: impl IntoIterator<Item = (f64, f64)>) -> Option<f64> {
    let (num, den) = scores
        .into_iter()
        .fold((0.0, 0.0), |(n, d), (s, w)| (n + s * w, d + w));
    (den > 0.0).then(|| num / den)
}

/// Linear (inclusive) quantile, as Excel's QUARTILE.INC and NHS England's published quartiles.
pub fn quantile_linear(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Lower quartile, median and upper quartile cut-points of `values`.
pub fn quartile_cuts(values: &[f64]) -> Option<[f64; 3]> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    Some([
        quantile_linear(&v, 0.25)?,
        quantile_linear(&v, 0.5)?,
        quantile_linear(&v, 0.75)?,
    ])
}

/// Segment 1–4 of an average given three ascending cut-points (§1.3).
pub fn segment_of(average: f64, cuts: &[f64; 3], boundary: SegmentBoundary) -> u8 {
    let past = |c: &f64| match boundary {
        SegmentBoundary::BetterSegment => average > *c,
        SegmentBoundary::WorseSegment => average >= *c,
    };
    1 + cuts.iter().filter(|c| past(c)).count() as u8
}

/// The financial override (§1.4): a flagged trust in a segment better than `cap` moves to `cap`.
pub fn apply_override(segment: u8, in_deficit: bool, cap: u8) -> u8 {
    if in_deficit && segment < cap {
        cap
    } else {
        segment
    }
}

/// NHS England's final segment (NOF 2025/26 §2.4): segment 5 (`segment5`) for a trust in the
/// Recovery Support Programme, else its league-order segment (after the financial override).
/// The only statement of this rule: the engine, the intervention rules and the history store
/// use it (the quality check re-derives it independently, as a check should).
pub fn final_segment(segment: u8, in_programme: bool, segment5: u8) -> u8 {
    if in_programme { segment5 } else { segment }
}

/// The final segments a trust may have when its programme status may be unknown: one when it
/// is known, both candidates (the league-order segment first) when it is not.
pub fn possible_final_segments(segment: u8, in_programme: Option<bool>, segment5: u8) -> Vec<u8> {
    match in_programme {
        Some(p) => vec![final_segment(segment, p, segment5)],
        None => vec![segment, segment5],
    }
}

/// Nearest-rank percentile of a sorted sample (`pct` in 0–100).
pub fn percentile_nearest_rank<T: Copy>(sorted: &[T], pct: f64) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((pct / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// Recovers full-precision scores from published rounded ones for a rank-based scheme.
///
/// Scheme scores lie on a grid `best + span·k/(N−1)` (§1.2). Given every published score of one
/// metric and quarter, the smallest pool size N ≥ the number of ranked scores for which each
/// score is `round(best + span·k/(N−1), dp)` identifies the grid; each score is then replaced by
/// its exact grid value. Scores equal to `apart` (meeters of a standard, failers of a floor) are
/// kept. Where no grid fits them all, a second pass keeps whole-number scores as published too
/// (NHS England gives a few trusts a fixed whole score off the grid: in the acute Q1 2025/26
/// file one E. coli and one C. difficile score of 3.00 beside 2.00-4.00 grids of 112 points)
/// and lets N be as small as the number of distinct grid scores. `None` when no N up to
/// `max_pool` fits or the grid is finer than the rounding (then the rounded value cannot
/// identify k).
pub fn recover_unrounded(
    scores: &[f64],
    best: f64,
    span: f64,
    apart: Option<f64>,
    dp: u32,
    max_pool: u32,
) -> Option<Vec<f64>> {
    let set_apart = |s: f64| Some(s) == apart;
    let ranked = scores.iter().filter(|s| !set_apart(**s)).count();
    fit_grid(scores, (best, span), dp, max_pool, &set_apart, ranked).or_else(|| {
        let kept = |s: f64| set_apart(s) || s.fract() == 0.0;
        let mut on_grid: Vec<f64> = scores.iter().copied().filter(|s| !kept(*s)).collect();
        on_grid.sort_by(f64::total_cmp);
        on_grid.dedup();
        fit_grid(scores, (best, span), dp, max_pool, &kept, on_grid.len())
    })
}

/// [`recover_unrounded`]'s search: the smallest N from `min_pool` whose grid reproduces every
/// score not `kept` as published. The grid runs from `best` over `span`.
fn fit_grid(
    scores: &[f64],
    (best, span): (f64, f64),
    dp: u32,
    max_pool: u32,
    kept: &dyn Fn(f64) -> bool,
    min_pool: usize,
) -> Option<Vec<f64>> {
    use league_model::number::round_dp;
    let snap = |s: f64, n: u32| {
        let steps = f64::from(n - 1);
        let k = ((s - best) * steps / span).round();
        best + span * k / steps
    };
    let resolution = 10f64.powi(-(dp as i32));
    let start = u32::try_from(min_pool).unwrap_or(u32::MAX).max(2);
    let n = (start..=max_pool)
        .take_while(|&n| span / f64::from(n - 1) > resolution)
        .find(|&n| {
            scores
                .iter()
                .filter(|s| !kept(**s))
                .all(|&s| (round_dp(snap(s, n), dp) - s).abs() < resolution / 10.0)
        })?;
    Some(
        scores
            .iter()
            .map(|&s| if kept(s) { s } else { snap(s, n) })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use league_model::number::round_dp;
    use proptest::prelude::*;

    fn r2(v: Vec<f64>) -> Vec<f64> {
        v.into_iter().map(|x| round_dp(x, 2)).collect()
    }

    #[test]
    fn competition_ranking_shares_the_best_position() {
        assert_eq!(
            competition_ranks(&[3.0, 1.0, 2.0, 2.0, 5.0]),
            [4, 1, 2, 2, 5]
        );
        assert_eq!(
            competition_ranks(&[(1, 2.01), (1, 2.01), (1, 2.01), (1, 2.3), (3, 1.5)]),
            [1, 1, 1, 4, 5]
        );
        assert!(competition_ranks::<f64>(&[]).is_empty());
    }

    #[test]
    fn scheme_a_spans_one_to_four_on_rank_not_value() {
        // 61 trusts, steps of 3/60 = 0.05 (spec §1.2 staff survey example)
        let values: Vec<f64> = (0..61).map(|i| 8.0 - f64::from(i) * 0.01).collect();
        let s = r2(scheme_rank(&values, Direction::HigherIsBetter));
        assert_eq!(s[0], 1.0);
        assert_eq!(s[1], 1.05);
        assert_eq!(s[2], 1.1);
        assert_eq!(s[60], 4.0);
        // non-linear in the value: a huge gap still costs one position
        let s = r2(scheme_rank(&[1.0, 2.0, 100.0], Direction::LowerIsBetter));
        assert_eq!(s, [1.0, 2.5, 4.0]);
    }

    #[test]
    fn ties_share_the_best_score_of_their_cluster() {
        // Two trusts on 25.17% both score the better position's score; the next is two places on.
        let s = r2(scheme_rank(
            &[10.0, 25.17, 25.17, 30.0, 40.0],
            Direction::LowerIsBetter,
        ));
        assert_eq!(s, [1.0, 1.75, 1.75, 3.25, 4.0]);
    }

    #[test]
    fn scheme_b_meeters_score_one_and_others_span_two_to_four() {
        let v = [81.5, 80.0, 79.0, 70.0, 60.0];
        let s = r2(scheme_standard(&v, Direction::HigherIsBetter, 80.0));
        assert_eq!(s, [1.0, 1.0, 2.0, 3.0, 4.0]);
        // lower-is-better standard (52-week waits under 1%)
        let s = r2(scheme_standard(
            &[0.7, 1.0, 2.0, 3.0, 5.0],
            Direction::LowerIsBetter,
            1.0,
        ));
        assert_eq!(s, [1.0, 1.0, 2.0, 3.0, 4.0]);
        // a single non-meeter is the best non-meeter: 2.00
        assert_eq!(
            r2(scheme_standard(
                &[90.0, 50.0],
                Direction::HigherIsBetter,
                80.0
            )),
            [1.0, 2.0]
        );
    }

    #[test]
    fn scheme_c_floor_failures_score_four_and_others_span_one_to_three() {
        let s = r2(scheme_floor(
            &[95.0, 85.0, 75.0, 70.0, 69.9],
            Direction::HigherIsBetter,
            70.0,
        ));
        assert_eq!(s, [1.0, 1.67, 2.33, 3.0, 4.0]);
    }

    #[test]
    fn rounding_is_to_two_decimals() {
        let s = scheme_rank(&[1.0, 2.0, 3.0, 4.0], Direction::LowerIsBetter);
        assert_eq!(r2(s), [1.0, 2.0, 3.0, 4.0]);
        let s = scheme_rank(
            &(0..205).map(f64::from).collect::<Vec<_>>(),
            Direction::LowerIsBetter,
        );
        assert_eq!(round_dp(s[1], 2), 1.01); // 1 + 3/204 = 1.0147
        assert_eq!(round_dp(s[203], 2), 3.99);
    }

    fn plan_bands() -> Vec<Band> {
        [
            (1.0, Some(0.0)),
            (2.0, Some(-1.0)),
            (3.0, Some(-2.0)),
            (4.0, None),
        ]
        .into_iter()
        .map(|(score, threshold)| Band {
            score,
            threshold,
            strict: false,
        })
        .collect()
    }

    #[test]
    fn bands_follow_the_published_cut_points() {
        let b = plan_bands();
        let got: Vec<f64> = [1.4, 0.0, -0.2, -0.99, -1.0, -1.12, -1.96, -2.0, -2.52]
            .iter()
            .map(|&v| band_score(v, Direction::HigherIsBetter, &b))
            .collect();
        assert_eq!(got, [1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0]);
    }

    #[test]
    fn a_strict_band_sends_a_value_on_its_threshold_to_the_next_band() {
        let mut b = plan_bands();
        b[1].strict = true;
        let got: Vec<f64> = [-0.99, -1.0, -1.01, -2.0]
            .iter()
            .map(|&v| band_score(v, Direction::HigherIsBetter, &b))
            .collect();
        assert_eq!(got, [2.0, 3.0, 3.0, 3.0]);
        let lower: Vec<f64> = [1.0, 0.5]
            .iter()
            .map(|&v| {
                band_score(
                    v,
                    Direction::LowerIsBetter,
                    &[
                        Band {
                            score: 1.0,
                            threshold: Some(1.0),
                            strict: true,
                        },
                        Band {
                            score: 4.0,
                            threshold: None,
                            strict: false,
                        },
                    ],
                )
            })
            .collect();
        assert_eq!(lower, [4.0, 1.0]);
    }

    #[test]
    fn finance_matrix_reproduces_the_observed_cells() {
        // Every cell observed in NHS England's Q1 2025/26 acute file (and consistent with the
        // mental health and community Q1-Q3 files).
        let t = vec![
            vec![1.0, 1.0, 2.0, 3.0],
            vec![2.0, 2.0, 3.0, 4.0],
            vec![2.0, 3.0, 3.0, 4.0],
            vec![2.0, 3.0, 4.0, 4.0],
        ];
        let observed = [[1, 1, 2, 3], [2, 2, 3, 4], [2, 3, 3, 4], [2, 3, 4, 4]];
        for plan in 1u8..=4 {
            for var in 1u8..=4 {
                let expected = observed[usize::from(plan) - 1][usize::from(var) - 1];
                assert_eq!(
                    matrix_score(&t, f64::from(plan), f64::from(var)),
                    Some(f64::from(expected))
                );
            }
        }
        assert_eq!(matrix_score(&t, 2.5, 1.0), None);
        assert_eq!(matrix_score(&t, 0.0, 1.0), None);
    }

    #[test]
    fn infections_weighted_a_third_count_as_one_metric() {
        let third = 1.0 / 3.0;
        let avg =
            weighted_mean([(2.0, 1.0), (1.0, third), (4.0, third), (4.0, third)]).expect("scores");
        assert!((avg - (2.0 + 3.0) / 2.0).abs() < 1e-12);
        assert_eq!(weighted_mean([]), None);
    }

    #[test]
    fn segments_and_boundaries() {
        let cuts = [2.07, 2.355, 2.705];
        let seg = |a| segment_of(a, &cuts, SegmentBoundary::BetterSegment);
        assert_eq!(
            [
                seg(1.36),
                seg(2.06),
                seg(2.07),
                seg(2.13),
                seg(2.35),
                seg(2.36),
                seg(2.70),
                seg(2.71)
            ],
            [1, 1, 1, 2, 2, 3, 3, 4]
        );
        assert_eq!(segment_of(2.07, &cuts, SegmentBoundary::WorseSegment), 2);
    }

    #[test]
    fn override_caps_segments_one_and_two_at_three() {
        assert_eq!(apply_override(1, true, 3), 3);
        assert_eq!(apply_override(2, true, 3), 3);
        assert_eq!(apply_override(3, true, 3), 3);
        assert_eq!(apply_override(4, true, 3), 4);
        assert_eq!(apply_override(1, false, 3), 1);
    }

    #[test]
    fn quartiles_are_linear_inclusive() {
        let q = quartile_cuts(&[1.0, 2.0, 3.0, 4.0, 5.0]).expect("values");
        assert_eq!(q, [2.0, 3.0, 4.0]);
        let q = quartile_cuts(&[1.0, 2.0, 3.0, 4.0]).expect("values");
        assert_eq!(q, [1.75, 2.5, 3.25]);
        assert_eq!(quartile_cuts(&[]), None);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile_nearest_rank(&v, 2.5), Some(3));
        assert_eq!(percentile_nearest_rank(&v, 97.5), Some(98));
        assert_eq!(percentile_nearest_rank(&[7], 2.5), Some(7));
    }

    #[test]
    fn unrounded_scores_are_recovered_from_the_grid() {
        // 205 trusts ranked: published scores are rounded grid points 1 + 3k/204.
        // With every trust of the pool present, only N = 205 fits.
        let exact: Vec<f64> = (0..205).map(|k| 1.0 + 3.0 * f64::from(k) / 204.0).collect();
        let published: Vec<f64> = exact.iter().map(|&x| round_dp(x, 2)).collect();
        let got = recover_unrounded(&published, 1.0, 3.0, None, 2, 300).expect("grid found");
        for (g, e) in got.iter().zip(&exact) {
            assert!((g - e).abs() < 1e-12, "{g} vs {e}");
        }
        // floor scheme: 4.00 for failers is kept apart
        let got = recover_unrounded(&[1.0, 1.67, 2.33, 3.0, 4.0], 1.0, 2.0, Some(4.0), 2, 300)
            .expect("grid");
        assert!((got[1] - (1.0 + 2.0 / 3.0)).abs() < 1e-12);
        assert_eq!(got[4], 4.0);
        // scores that fit no grid of a pool up to the limit are left alone
        assert_eq!(
            recover_unrounded(&[1.0, 1.5, 2.2, 4.0], 1.0, 3.0, None, 2, 20),
            None
        );
    }

    #[test]
    fn a_fixed_whole_score_off_the_grid_is_kept_and_the_rest_recovered() {
        // As the acute Q1 2025/26 E. coli scores: meeters at 1.00, a 112-point grid 2 + 2k/111
        // with one tie, and one trust fixed at 3.00, which is not a point of that grid.
        let exact: Vec<f64> = (0..112)
            .chain([40])
            .map(|k| 2.0 + 2.0 * f64::from(k) / 111.0)
            .collect();
        let mut published: Vec<f64> = exact.iter().map(|&x| round_dp(x, 2)).collect();
        published.extend([3.0, 1.0, 1.0]);
        let got = recover_unrounded(&published, 2.0, 2.0, Some(1.0), 2, 300).expect("grid");
        for (g, e) in got.iter().zip(&exact) {
            assert!((g - e).abs() < 1e-12, "{g} vs {e}");
        }
        assert_eq!(got[exact.len()..], [3.0, 1.0, 1.0]);
    }

    proptest! {
        #[test]
        fn ranks_are_a_permutation_with_ties(values in prop::collection::vec(0u8..20, 1..60)) {
            let r = competition_ranks(&values);
            for (i, &ri) in r.iter().enumerate() {
                let better = values.iter().filter(|&&v| v < values[i]).count() as u32;
                prop_assert_eq!(ri, better + 1);
            }
        }

        #[test]
        fn a_better_value_never_scores_worse(values in prop::collection::vec(-50.0f64..150.0, 2..80), std in 0.0f64..100.0) {
            for scores in [
                scheme_rank(&values, Direction::HigherIsBetter),
                scheme_standard(&values, Direction::HigherIsBetter, std),
                scheme_floor(&values, Direction::HigherIsBetter, std),
            ] {
                for i in 0..values.len() {
                    prop_assert!((1.0..=4.0).contains(&scores[i]));
                    for j in 0..values.len() {
                        if values[i] > values[j] {
                            prop_assert!(scores[i] <= scores[j]);
                        }
                    }
                }
            }
        }
    }
}
