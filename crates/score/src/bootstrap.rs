//! Likely ranges of average and rank (NOF 2025/26 §2): a non-parametric bootstrap.
//!
//! For each trust, resample its own metric scores with replacement (same count) and recompute
//! the weighted mean; in each replicate, re-apply the fixed cut-points and the deficit cap, then
//! re-rank the peer group by (segment, mean). The percentiles across replicates give the ranges.
//!
//! Determinism: every trust draws from its own ChaCha stream seeded from the run seed, the quarter
//! and its code, and each replicate's ranking is a pure function of the drawn means, so the result
//! is identical whatever the rayon thread count or scheduling.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use league_model::number::round_dp;
use league_model::{Range, SegmentBoundary};

use crate::rules::{apply_override, competition_ranks, percentile_nearest_rank, segment_of};

/// One trust's inputs to the bootstrap.
#[derive(Debug, Clone)]
pub struct BootstrapTrust {
    /// Stream id: a stable hash of quarter and trust code (see [`stream_id`]).
    pub stream: u64,
    /// (score, weight) of every metric in its average.
    pub scores: Vec<(f64, f64)>,
    /// Financial override flag.
    pub in_deficit: bool,
}

/// Fixed parameters of one bootstrap.
#[derive(Debug, Clone)]
pub struct BootstrapSpec {
    /// Number of replicates.
    pub replicates: u32,
    /// Run seed.
    pub seed: u64,
    /// Lower and upper percentiles (0–100).
    pub percentiles: (f64, f64),
    /// Segment cut-points, held fixed.
    pub cuts: [f64; 3],
    /// Boundary rule.
    pub boundary: SegmentBoundary,
    /// Override cap segment.
    pub cap: u8,
    /// Decimal places of the average.
    pub average_dp: u32,
    /// Lower and upper percentiles (0–100) of each trust's difference from the group median.
    pub peer_percentiles: (f64, f64),
}

/// What the replicates give one trust.
#[derive(Debug, Clone, PartialEq)]
pub struct Draws {
    /// Likely range of the average.
    pub average: Range,
    /// Likely range of the rank.
    pub rank: Range,
    /// Replicates in segments 1 to 4 (after the financial override).
    pub segments: [u32; 4],
    /// Interval of (the trust's average − the group's median average), replicate by replicate.
    pub versus_median: Range,
}

/// A stable 64-bit id for a (quarter, trust) stream: FNV-1a, which unlike the standard library's
/// hasher is fixed across platforms and releases.
pub fn stream_id(quarter: &str, trust: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in quarter.bytes().chain([0u8]).chain(trust.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Likely ranges (average, rank) for each trust of one peer group, in input order.
pub fn likely_ranges(trusts: &[BootstrapTrust], spec: &BootstrapSpec) -> Vec<(Range, Range)> {
    likely_ranges_and_segments(trusts, spec)
        .into_iter()
        .map(|d| (d.average, d.rank))
        .collect()
}

/// The median of unsorted values (the mean of the middle two of an even count).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// As [`likely_ranges`], with each trust's segment chances (how many of the replicates put it
/// in segments 1 to 4 after the financial override) and its difference from the group's median
/// average, from the same draws.
pub fn likely_ranges_and_segments(trusts: &[BootstrapTrust], spec: &BootstrapSpec) -> Vec<Draws> {
    let b = spec.replicates as usize;
    // means[t][r]: replicate r of trust t, drawn from the trust's own stream.
    let means: Vec<Vec<f64>> = trusts
        .par_iter()
        .map(|t| {
            let mut rng = ChaCha8Rng::seed_from_u64(spec.seed ^ t.stream);
            let n = t.scores.len();
            (0..b)
                .map(|_| {
                    let (num, den) = (0..n).fold((0.0, 0.0), |(num, den), _| {
                        let (s, w) = t.scores[rng.random_range(0..n)];
                        (num + s * w, den + w)
                    });
                    num / den
                })
                .collect()
        })
        .collect();
    // ranks[r][t]: each replicate re-segmented and re-ranked.
    let ranks: Vec<(Vec<u32>, Vec<u8>)> = (0..b)
        .into_par_iter()
        .map(|r| {
            let keys: Vec<(u8, f64)> = trusts
                .iter()
                .zip(&means)
                .map(|(t, m)| {
                    let avg = round_dp(m[r], spec.average_dp);
                    let seg = apply_override(
                        segment_of(avg, &spec.cuts, spec.boundary),
                        t.in_deficit,
                        spec.cap,
                    );
                    (seg, avg)
                })
                .collect();
            (competition_ranks(&keys), keys.iter().map(|k| k.0).collect())
        })
        .collect();
    // The group's median average in each replicate.
    let medians: Vec<f64> = (0..b)
        .into_par_iter()
        .map(|r| median(means.iter().map(|m| m[r]).collect()))
        .collect();
    let (lo, hi) = spec.percentiles;
    (0..trusts.len())
        .map(|t| {
            let mut m = means[t].clone();
            m.sort_by(f64::total_cmp);
            let mut rk: Vec<u32> = ranks.iter().map(|r| r.0[t]).collect();
            let mut segments = [0u32; 4];
            for r in &ranks {
                segments[usize::from(r.1[t].clamp(1, 4)) - 1] += 1;
            }
            rk.sort_unstable();
            let pct = |v: &[f64], p| {
                round_dp(
                    percentile_nearest_rank(v, p).unwrap_or(f64::NAN),
                    spec.average_dp,
                )
            };
            let rpct = |p| f64::from(percentile_nearest_rank(&rk, p).unwrap_or(0));
            let mut d: Vec<f64> = means[t]
                .iter()
                .zip(&medians)
                .map(|(a, md)| a - md)
                .collect();
            d.sort_by(f64::total_cmp);
            let (plo, phi) = spec.peer_percentiles;
            let dpct = |p| percentile_nearest_rank(&d, p).unwrap_or(f64::NAN);
            Draws {
                average: Range {
                    low: pct(&m, lo),
                    high: pct(&m, hi),
                },
                rank: Range {
                    low: rpct(lo),
                    high: rpct(hi),
                },
                segments,
                versus_median: Range {
                    low: dpct(plo),
                    high: dpct(phi),
                },
            }
        })
        .collect()
}

/// Replicate counts as whole percentages that sum to 100 (largest remainder; ties to the
/// lower segment).
pub fn percentages(counts: [u32; 4]) -> [u8; 4] {
    let total: u32 = counts.iter().sum();
    if total == 0 {
        return [0; 4];
    }
    let exact: Vec<f64> = counts
        .iter()
        .map(|c| f64::from(*c) * 100.0 / f64::from(total))
        .collect();
    let mut out: [u8; 4] = std::array::from_fn(|i| exact[i].floor() as u8);
    let short = 100 - out.iter().map(|x| u32::from(*x)).sum::<u32>();
    let mut order: Vec<usize> = (0..4).collect();
    order.sort_by(|a, b| {
        (exact[*b] - exact[*b].floor())
            .total_cmp(&(exact[*a] - exact[*a].floor()))
            .then(a.cmp(b))
    });
    for i in order.into_iter().take(short as usize) {
        out[i] += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Vec<BootstrapTrust>, BootstrapSpec) {
        let trusts: Vec<BootstrapTrust> = (0..30)
            .map(|i| BootstrapTrust {
                stream: stream_id("Q1 2025/26", &format!("R{i:02}")),
                scores: (0..9)
                    .map(|k| (1.0 + f64::from((i * 7 + k * 5) % 31) / 10.0, 1.0))
                    .collect(),
                in_deficit: i % 4 == 0,
            })
            .collect();
        let spec = BootstrapSpec {
            replicates: 500,
            seed: 42,
            percentiles: (2.5, 97.5),
            cuts: [2.07, 2.355, 2.705],
            boundary: SegmentBoundary::BetterSegment,
            cap: 3,
            average_dp: 2,
            peer_percentiles: (2.5, 97.5),
        };
        (trusts, spec)
    }

    fn run_with_threads(n: usize) -> Vec<(Range, Range)> {
        let (t, s) = sample();
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .expect("pool")
            .install(|| likely_ranges(&t, &s))
    }

    #[test]
    fn segment_chances_come_from_the_same_replicates_and_sum_to_100() {
        let (t, s) = sample();
        let with = likely_ranges_and_segments(&t, &s);
        for (
            i,
            Draws {
                average: a,
                rank: r,
                segments: seg,
                ..
            },
        ) in with.iter().enumerate()
        {
            assert_eq!(seg.iter().sum::<u32>(), s.replicates, "trust {i}");
            assert_eq!(
                u32::from(percentages(*seg).iter().map(|x| u16::from(*x)).sum::<u16>()),
                100
            );
            // A trust in deficit is never in segments 1 or 2 in any replicate.
            if t[i].in_deficit {
                assert_eq!(seg[0] + seg[1], 0, "trust {i}");
            }
            assert_eq!((*a, *r), likely_ranges(&t, &s)[i]);
        }
        assert_eq!(percentages([1, 1, 1, 0]), [34, 33, 33, 0]);
        assert_eq!(percentages([0, 0, 200, 0]), [0, 0, 100, 0]);
        assert_eq!(percentages([0; 4]), [0; 4]);
    }

    /// Five trusts: one scoring 1.0 on every metric, one 4.0 on every metric, three with a mix
    /// whose replicate means straddle the group's median. The constant trusts' means never move
    /// (1.0 and 4.0 in every replicate) while the median of the five stays between the mixed
    /// trusts' means (about 2.2 to 2.8), so the first is better, the second worse; a mixed trust
    /// drawing 1s and 4s half the time has an interval across 0: similar.
    #[test]
    fn versus_peers_is_better_similar_or_worse_by_the_interval_of_the_difference() {
        use league_model::PeerComparison;
        let trust = |i: usize, scores: Vec<(f64, f64)>| BootstrapTrust {
            stream: stream_id("Q1 2025/26", &format!("Z{i}")),
            scores,
            in_deficit: false,
        };
        let mixed = |k: usize| -> Vec<(f64, f64)> {
            (0..10)
                .map(|j| (if (j + k).is_multiple_of(2) { 1.0 } else { 4.0 }, 1.0))
                .collect()
        };
        let t = vec![
            trust(0, vec![(1.0, 1.0); 10]),
            trust(1, vec![(4.0, 1.0); 10]),
            trust(2, mixed(0)),
            trust(3, mixed(1)),
            trust(4, mixed(0)),
        ];
        let (_, s) = sample();
        let d = likely_ranges_and_segments(&t, &s);
        let of = |i: usize| PeerComparison::of(d[i].versus_median);
        assert_eq!(of(0), PeerComparison::Better);
        assert_eq!(of(1), PeerComparison::Worse);
        assert_eq!(of(2), PeerComparison::Similar);
        assert!(d[0].versus_median.high < 0.0 && d[1].versus_median.low > 0.0);
        assert!(d[2].versus_median.low < 0.0 && d[2].versus_median.high > 0.0);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn same_seed_same_ranges_on_one_and_two_threads() {
        let one = run_with_threads(1);
        let two = run_with_threads(2);
        assert_eq!(one, two);
        assert_eq!(one, run_with_threads(2));
    }

    #[test]
    fn a_different_seed_changes_the_draws() {
        let (t, mut s) = sample();
        let a = likely_ranges(&t, &s);
        s.seed = 43;
        assert_ne!(a, likely_ranges(&t, &s));
    }

    #[test]
    fn ranges_contain_the_point_estimates_and_are_ordered() {
        let (t, s) = sample();
        let r = likely_ranges(&t, &s);
        for (trust, (avg, rank)) in t.iter().zip(&r) {
            let mean = crate::rules::weighted_mean(trust.scores.iter().copied()).expect("scores");
            assert!(
                avg.low <= mean + 0.01 && mean - 0.01 <= avg.high,
                "{avg:?} vs {mean}"
            );
            assert!(rank.low <= rank.high && rank.low >= 1.0 && rank.high <= t.len() as f64);
        }
    }

    #[test]
    fn a_trust_with_identical_scores_has_a_point_range() {
        let (mut t, s) = sample();
        t[1].scores = vec![(2.0, 1.0); 8];
        let r = likely_ranges(&t, &s);
        assert_eq!(
            r[1].0,
            Range {
                low: 2.0,
                high: 2.0
            }
        );
    }
}
