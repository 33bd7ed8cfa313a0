//! The columnar stage: rank-based metric scoring, individual-metric ranks with peer quartiles,
//! and weighted averages, on polars' column kernels (rank, quantile, sums), one comparator
//! group (quarter, metric and pool) at a time, the groups in parallel with rayon.
//!
//! This is the only module that touches polars. It takes and returns plain vectors, row-aligned
//! with its input, so no polars type leaks out of the crate. It uses polars' eager API only: a
//! few hundred trusts need no query planner, and leaving polars' lazy engine out of the main
//! command's build keeps its cold build short (docs/benchmarks.md).

use std::collections::BTreeMap;

use league_model::PeerSpread;
use polars::prelude::*;
use rayon::prelude::*;

/// Which rank-based scheme a row is scored under (§1.2 schemes A, B, C).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankScheme {
    /// A: rank all, 1–4.
    Rank,
    /// B: rows meeting the standard score 1; the rest 2–4.
    Standard,
    /// C: rows failing the floor score 4; the rest 1–3.
    Floor,
}

/// One value to score within its comparator group.
#[derive(Debug, Clone)]
pub struct RankInput {
    /// Partition key: quarter, metric and comparator pool.
    pub group: String,
    /// The value oriented so that lower is better.
    pub key: f64,
    /// Set apart from the ranking (meets the standard, or fails the floor).
    pub set_apart: bool,
    /// Scheme.
    pub scheme: RankScheme,
    /// NHS England's published rank of the value, where the input has one: it orders values
    /// that tie at their published precision (NHS England ranked the unrounded values).
    pub tie_break: Option<u32>,
}

/// Each row's position in (group, key, tie-break) order; rows equal on all three share the
/// position of the first. Ranking these positions is ranking by key with ties broken by the
/// published rank, and leaves ranks by key alone unchanged where no row has one.
fn ordered_keys(rows: &[RankInput]) -> Vec<f64> {
    fn sort_key(r: &RankInput) -> (&str, f64, u32) {
        (r.group.as_str(), r.key, r.tie_break.unwrap_or(0))
    }
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        let (ga, ka, ta) = sort_key(&rows[a]);
        let (gb, kb, tb) = sort_key(&rows[b]);
        ga.cmp(gb).then(ka.total_cmp(&kb)).then(ta.cmp(&tb))
    });
    let mut out = vec![0.0; rows.len()];
    let mut first = 0;
    for (pos, &i) in order.iter().enumerate() {
        if pos > 0 && sort_key(&rows[order[pos - 1]]) != sort_key(&rows[i]) {
            first = pos;
        }
        out[i] = first as f64;
    }
    out
}

/// Row indices of each group, groups in key order (so results never depend on hashing).
fn groups<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<Vec<usize>> {
    let mut by: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, g) in keys.enumerate() {
        by.entry(g).or_default().push(i);
    }
    by.into_values().collect()
}

/// Competition ("min") ranks of a column, 1-based; a null stays null (and is not ranked).
fn competition_ranks(name: &str, values: Vec<Option<f64>>) -> PolarsResult<Vec<Option<f64>>> {
    let ranks = Series::new(name.into(), values).rank(
        RankOptions {
            method: RankMethod::Min,
            descending: false,
        },
        None,
    );
    Ok(ranks.cast(&DataType::Float64)?.f64()?.iter().collect())
}

/// Full-precision scores for `rows`, in input order.
pub fn rank_scores(rows: &[RankInput]) -> PolarsResult<Vec<f64>> {
    let keys = ordered_keys(rows);
    let scored = groups(rows.iter().map(|r| r.group.as_str()))
        .into_par_iter()
        .map(|idx| {
            // The rank is over the values not set apart; m counts them.
            let ranked: Vec<Option<f64>> = idx
                .iter()
                .map(|&i| (!rows[i].set_apart).then_some(keys[i]))
                .collect();
            let m = ranked.iter().flatten().count() as f64;
            let p = competition_ranks("ranked_key", ranked)?;
            let scores = idx.iter().zip(p).map(|(&i, p)| {
                let frac = if m > 1.0 {
                    p.map(|p| (p - 1.0) / (m - 1.0))
                } else {
                    Some(0.0)
                };
                let r = &rows[i];
                let score = match (r.scheme, r.set_apart) {
                    (RankScheme::Standard, true) => Some(1.0),
                    (RankScheme::Standard, false) => frac.map(|f| 2.0 + 2.0 * f),
                    (RankScheme::Floor, true) => Some(4.0),
                    (RankScheme::Floor, false) => frac.map(|f| 1.0 + 2.0 * f),
                    // Nothing is set apart under scheme A; a row that were would have no score.
                    (RankScheme::Rank, _) => frac.map(|f| 1.0 + 3.0 * f),
                };
                (i, score.unwrap_or(f64::NAN))
            });
            Ok(scores.collect::<Vec<_>>())
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    let mut out = vec![f64::NAN; rows.len()];
    for (i, score) in scored.into_iter().flatten() {
        out[i] = score;
    }
    Ok(out)
}

/// One raw value for the individual-metric ranking of its peer group.
#[derive(Debug, Clone)]
pub struct PeerInput {
    /// Partition key: quarter, metric and peer group.
    pub group: String,
    /// Value oriented so that lower is better (for the rank).
    pub key: f64,
    /// The value as published (for the median and quartiles).
    pub value: f64,
}

/// Per row: competition rank within the peer group and the group's median and quartiles
/// (linear, inclusive: matches NHS England's published quartiles).
pub fn peer_stats(rows: &[PeerInput]) -> PolarsResult<Vec<(u32, PeerSpread)>> {
    let per_group = groups(rows.iter().map(|r| r.group.as_str()))
        .into_par_iter()
        .map(|idx| {
            let rank = competition_ranks("key", idx.iter().map(|&i| Some(rows[i].key)).collect())?;
            let values = Series::new(
                "value".into(),
                idx.iter().map(|&i| rows[i].value).collect::<Vec<f64>>(),
            );
            let q = |p: f64| -> PolarsResult<f64> {
                Ok(values
                    .quantile_reduce(p, QuantileMethod::Linear)?
                    .value()
                    .extract::<f64>()
                    .unwrap_or(f64::NAN))
            };
            let spread = PeerSpread {
                median: q(0.5)?,
                lower_quartile: q(0.25)?,
                upper_quartile: q(0.75)?,
            };
            Ok(idx
                .into_iter()
                .zip(rank)
                .map(|(i, r)| (i, (r.unwrap_or(0.0) as u32, spread)))
                .collect::<Vec<_>>())
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    let mut out = vec![None; rows.len()];
    for (i, stat) in per_group.into_iter().flatten() {
        out[i] = Some(stat);
    }
    Ok(out.into_iter().flatten().collect())
}

/// One weighted score to average.
#[derive(Debug, Clone)]
pub struct MeanInput {
    /// Group key (quarter and trust, or quarter, trust and domain).
    pub group: String,
    /// Score.
    pub score: f64,
    /// Weight.
    pub weight: f64,
}

/// `Σ w·s / Σ w` and the number of scores, per group key, sorted by key.
pub fn weighted_means(rows: &[MeanInput]) -> PolarsResult<Vec<(String, f64, u32)>> {
    groups(rows.iter().map(|r| r.group.as_str()))
        .into_par_iter()
        .map(|idx| {
            let column = |name: &str, f: fn(&MeanInput) -> f64| {
                Series::new(
                    name.into(),
                    idx.iter().map(|&i| f(&rows[i])).collect::<Vec<_>>(),
                )
            };
            let score = column("score", |r| r.score);
            let weight = column("weight", |r| r.weight);
            let mean = (&score * &weight)?.sum::<f64>()? / weight.sum::<f64>()?;
            Ok((rows[idx[0]].group.clone(), mean, score.len() as u32))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules;
    use league_model::Direction;

    #[test]
    fn columnar_schemes_agree_with_the_row_rules() {
        let values = [95.0, 85.0, 85.0, 75.0, 70.0, 69.9, 40.0];
        let dir = Direction::HigherIsBetter;
        for (scheme, expected) in [
            (RankScheme::Rank, rules::scheme_rank(&values, dir)),
            (
                RankScheme::Standard,
                rules::scheme_standard(&values, dir, 80.0),
            ),
            (RankScheme::Floor, rules::scheme_floor(&values, dir, 70.0)),
        ] {
            let rows: Vec<RankInput> = values
                .iter()
                .map(|&v| RankInput {
                    group: "g".into(),
                    key: -v,
                    set_apart: match scheme {
                        RankScheme::Rank => false,
                        RankScheme::Standard => v >= 80.0,
                        RankScheme::Floor => v < 70.0,
                    },
                    scheme,
                    tie_break: None,
                })
                .collect();
            let got = rank_scores(&rows).expect("polars");
            for (g, e) in got.iter().zip(&expected) {
                assert!((g - e).abs() < 1e-12, "{scheme:?}: {got:?} vs {expected:?}");
            }
        }
    }

    #[test]
    fn groups_are_ranked_separately() {
        let rows: Vec<RankInput> = [("a", 1.0), ("b", 5.0), ("a", 2.0), ("b", 4.0), ("a", 3.0)]
            .iter()
            .map(|&(g, k)| RankInput {
                group: g.into(),
                key: k,
                set_apart: false,
                scheme: RankScheme::Rank,
                tie_break: None,
            })
            .collect();
        assert_eq!(
            rank_scores(&rows).expect("polars"),
            [1.0, 4.0, 2.5, 1.0, 4.0]
        );
    }

    #[test]
    fn published_ranks_order_values_tied_at_published_precision() {
        // OF0061 in NHS England's Q1 2025/26 acute file: RJR and R1F both publish 5.93, at
        // ranks 127 and 128; here four values, the middle two tied, lower is better.
        let rows: Vec<RankInput> = [(1.0, 1), (2.0, 3), (2.0, 2), (3.0, 4), (2.0, 2)]
            .iter()
            .map(|&(k, r)| RankInput {
                group: "g".into(),
                key: k,
                set_apart: false,
                scheme: RankScheme::Rank,
                tie_break: Some(r),
            })
            .collect();
        // Positions 1, 4, 2, 5, 2 of five: a true tie (same published rank) stays tied.
        assert_eq!(
            rank_scores(&rows).expect("polars"),
            [1.0, 3.25, 1.75, 4.0, 1.75]
        );
        let untied: Vec<RankInput> = rows
            .iter()
            .cloned()
            .map(|r| RankInput {
                tie_break: None,
                ..r
            })
            .collect();
        assert_eq!(
            rank_scores(&untied).expect("polars"),
            [1.0, 1.75, 1.75, 4.0, 1.75]
        );
    }

    /// One peer group of these values, lower is better.
    fn one_group(values: &[f64]) -> Vec<PeerInput> {
        values
            .iter()
            .map(|&v| PeerInput {
                group: "g".into(),
                key: v,
                value: v,
            })
            .collect()
    }

    #[test]
    fn peer_stats_rank_and_quartiles() {
        let s = peer_stats(&one_group(&[1.0, 2.0, 2.0, 4.0, 5.0])).expect("polars");
        assert_eq!(s.iter().map(|x| x.0).collect::<Vec<_>>(), [1, 2, 2, 4, 5]);
        // Values 1, 2, 2, 4, 5: median 2, lower quartile 2, upper quartile 4.
        let spread = s[0].1;
        assert_eq!(spread.median, 2.0);
        assert_eq!(spread.lower_quartile, 2.0);
        assert_eq!(spread.upper_quartile, 4.0);
        let spread =
            peer_stats(&one_group(&[10.0, 20.0, 30.0, 40.0, 50.0, 60.0])).expect("polars")[0].1;
        // Linear quartiles of 10..60: 22.5, 35, 47.5.
        assert_eq!(
            (spread.lower_quartile, spread.median, spread.upper_quartile),
            (22.5, 35.0, 47.5)
        );
    }

    #[test]
    fn weighted_means_by_group() {
        let third = 1.0 / 3.0;
        let rows = vec![
            MeanInput {
                group: "x".into(),
                score: 2.0,
                weight: 1.0,
            },
            MeanInput {
                group: "x".into(),
                score: 4.0,
                weight: third,
            },
            MeanInput {
                group: "x".into(),
                score: 1.0,
                weight: third,
            },
            MeanInput {
                group: "x".into(),
                score: 1.0,
                weight: third,
            },
            MeanInput {
                group: "a".into(),
                score: 3.0,
                weight: 1.0,
            },
        ];
        let m = weighted_means(&rows).expect("polars");
        assert_eq!(m[0], ("a".to_owned(), 3.0, 1));
        assert_eq!(m[1].0, "x");
        assert!((m[1].1 - 2.0).abs() < 1e-12);
        assert_eq!(m[1].2, 4);
    }

    proptest::proptest! {
        /// Groups interleaved in any order are scored, ranked and averaged as the row rules
        /// score each group alone.
        #[test]
        fn interleaved_groups_agree_with_the_row_rules(
            rows in proptest::collection::vec((0u8..4, 0u8..12, 1u8..4), 1..60)
        ) {
            let group = |g: u8| format!("g{g}");
            let value = |v: u8| f64::from(v) * 2.5;
            let ranked = rank_scores(&rows.iter().map(|&(g, v, _)| RankInput {
                group: group(g),
                key: -value(v),
                set_apart: false,
                scheme: RankScheme::Rank,
                tie_break: None,
            }).collect::<Vec<_>>()).expect("polars");
            let peers = peer_stats(&rows.iter().map(|&(g, v, _)| PeerInput {
                group: group(g),
                key: value(v),
                value: value(v),
            }).collect::<Vec<_>>()).expect("polars");
            let means = weighted_means(&rows.iter().map(|&(g, v, w)| MeanInput {
                group: group(g),
                score: value(v),
                weight: f64::from(w),
            }).collect::<Vec<_>>()).expect("polars");
            let mut expected_means = Vec::new();
            for g in 0..4 {
                let idx: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].0 == g).collect();
                if idx.is_empty() {
                    continue;
                }
                let values: Vec<f64> = idx.iter().map(|&i| value(rows[i].1)).collect();
                let scores = rules::scheme_rank(&values, Direction::HigherIsBetter);
                let [lq, median, uq] = rules::quartile_cuts(&values).expect("values");
                for (k, &i) in idx.iter().enumerate() {
                    proptest::prop_assert!((ranked[i] - scores[k]).abs() < 1e-12);
                    let better = values.iter().filter(|&&x| x < values[k]).count() as u32;
                    proptest::prop_assert_eq!(peers[i].0, better + 1);
                    proptest::prop_assert!((peers[i].1.median - median).abs() < 1e-12);
                    proptest::prop_assert!((peers[i].1.lower_quartile - lq).abs() < 1e-12);
                    proptest::prop_assert!((peers[i].1.upper_quartile - uq).abs() < 1e-12);
                }
                let mean = rules::weighted_mean(idx.iter().map(|&i| (value(rows[i].1), f64::from(rows[i].2))))
                    .expect("weights");
                expected_means.push((group(g), mean, idx.len() as u32));
            }
            proptest::prop_assert_eq!(means.len(), expected_means.len());
            for (got, want) in means.iter().zip(&expected_means) {
                proptest::prop_assert_eq!(&got.0, &want.0);
                proptest::prop_assert!((got.1 - want.1).abs() < 1e-12);
                proptest::prop_assert_eq!(got.2, want.2);
            }
        }
    }
}
