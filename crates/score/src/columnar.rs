//! The columnar stage: rank-based metric scoring, individual-metric ranks with peer quartiles,
//! and weighted averages, as polars expressions over whole columns (window functions partitioned
//! by quarter, metric and comparator pool).
//!
//! This is the only module that touches polars. It takes and returns plain vectors, row-aligned
//! with its input, so no polars type leaks out of the crate.

use league_model::PeerSpread;
use polars::prelude::*;

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

/// Full-precision scores for `rows`, in input order.
pub fn rank_scores(rows: &[RankInput]) -> PolarsResult<Vec<f64>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let scheme_code = |s: RankScheme| match s {
        RankScheme::Rank => 0i32,
        RankScheme::Standard => 1,
        RankScheme::Floor => 2,
    };
    let df = df!(
        "group" => rows.iter().map(|r| r.group.as_str()).collect::<Vec<_>>(),
        "key" => ordered_keys(rows),
        "apart" => rows.iter().map(|r| r.set_apart).collect::<Vec<_>>(),
        "scheme" => rows.iter().map(|r| scheme_code(r.scheme)).collect::<Vec<_>>(),
    )?;
    let competition = RankOptions {
        method: RankMethod::Min,
        descending: false,
    };
    let ranked_key = when(col("apart"))
        .then(lit(NULL).cast(DataType::Float64))
        .otherwise(col("key"));
    let out = df
        .lazy()
        .with_column(ranked_key.alias("ranked_key"))
        .with_columns([
            col("ranked_key")
                .rank(competition, None)
                .over([col("group")])?
                .cast(DataType::Float64)
                .alias("p"),
            col("ranked_key")
                .count()
                .over([col("group")])?
                .cast(DataType::Float64)
                .alias("m"),
        ])
        .with_column(
            when(col("m").gt(lit(1.0)))
                .then((col("p") - lit(1.0)) / (col("m") - lit(1.0)))
                .otherwise(lit(0.0))
                .alias("frac"),
        )
        .with_column(
            when(col("scheme").eq(lit(1)))
                .then(
                    when(col("apart"))
                        .then(lit(1.0))
                        .otherwise(lit(2.0) + lit(2.0) * col("frac")),
                )
                .when(col("scheme").eq(lit(2)))
                .then(
                    when(col("apart"))
                        .then(lit(4.0))
                        .otherwise(lit(1.0) + lit(2.0) * col("frac")),
                )
                .otherwise(lit(1.0) + lit(3.0) * col("frac"))
                .alias("score"),
        )
        .select([col("score")])
        .collect()?;
    f64_column(&out, "score")
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
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let df = df!(
        "group" => rows.iter().map(|r| r.group.as_str()).collect::<Vec<_>>(),
        "key" => rows.iter().map(|r| r.key).collect::<Vec<_>>(),
        "value" => rows.iter().map(|r| r.value).collect::<Vec<_>>(),
    )?;
    let competition = RankOptions {
        method: RankMethod::Min,
        descending: false,
    };
    let q = |p: f64, name: &str| -> PolarsResult<Expr> {
        Ok(col("value")
            .quantile(lit(p), QuantileMethod::Linear)
            .over([col("group")])?
            .alias(name))
    };
    let out = df
        .lazy()
        .select([
            col("key")
                .rank(competition, None)
                .over([col("group")])?
                .cast(DataType::Float64)
                .alias("rank"),
            q(0.5, "median")?,
            q(0.25, "lq")?,
            q(0.75, "uq")?,
        ])
        .collect()?;
    let rank = f64_column(&out, "rank")?;
    let [median, lq, uq] = ["median", "lq", "uq"].map(|c| f64_column(&out, c));
    let (median, lq, uq) = (median?, lq?, uq?);
    Ok((0..rows.len())
        .map(|i| {
            (
                rank[i] as u32,
                PeerSpread {
                    median: median[i],
                    lower_quartile: lq[i],
                    upper_quartile: uq[i],
                },
            )
        })
        .collect())
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
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let df = df!(
        "group" => rows.iter().map(|r| r.group.as_str()).collect::<Vec<_>>(),
        "score" => rows.iter().map(|r| r.score).collect::<Vec<_>>(),
        "weight" => rows.iter().map(|r| r.weight).collect::<Vec<_>>(),
    )?;
    let out = df
        .lazy()
        .group_by([col("group")])
        .agg([
            ((col("score") * col("weight")).sum() / col("weight").sum()).alias("mean"),
            col("score").count().cast(DataType::Float64).alias("n"),
        ])
        .sort(["group"], SortMultipleOptions::default())
        .collect()?;
    let groups = out
        .column("group")?
        .str()?
        .iter()
        .map(|g| g.unwrap_or_default().to_owned())
        .collect::<Vec<_>>();
    let mean = f64_column(&out, "mean")?;
    let n = f64_column(&out, "n")?;
    Ok(groups
        .into_iter()
        .zip(mean)
        .zip(n)
        .map(|((g, m), n)| (g, m, n as u32))
        .collect())
}

fn f64_column(df: &DataFrame, name: &str) -> PolarsResult<Vec<f64>> {
    Ok(df
        .column(name)?
        .f64()?
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect())
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
}
