//! Statistical process control as NHS England's Making Data Count programme draws it: an XmR
//! chart of one trust's monthly series, its special-cause rules and its two icons.
//!
//! Limits (`NHSRplotthedots`, `R/ptd_spc_standard.R`): the centre line is the mean; moving ranges
//! are the absolute differences of consecutive points; process limits are
//! `mean ± limit_factor × AMR` and the two-sigma band `mean ± ⅔ × limit_factor × AMR`; moving
//! ranges of at least `screen_factor × AMR` are left out and AMR recomputed, when screening is on.
//! Limits from fewer than `minimum_points` points are "trial limits".
//!
//! Rules (`R/ptd_calculate_point_type.R`; every point of a pattern is flagged):
//! 1. a point outside the process limits;
//! 2. a run of `run_length` points on one side of the mean (a point on the mean breaks it);
//! 3. a trend of `trend_length` points each higher (or each lower) than the one before (an
//!    equal value breaks it);
//! 4. two of three consecutive points beyond two sigma, all three on the same side of the mean,
//!    each flagged only if it is itself beyond two sigma. Making Data Count's November 2023
//!    revision counts every point beyond two sigma, including those beyond the limits
//!    (`TwoOfThree::BeyondTwoSigma`); NHSRplotthedots 0.2.2 counts only the band between two
//!    sigma and the limits (`BetweenTwoAndThreeSigma`).
//!
//! Known difference: NHSRplotthedots' `ptd_part_of_seven_trend` marks a point part of a trend only
//! when a trend ending at or after it is rising (it compares with 1), so a falling trend flags no
//! point there; here both directions flag, as Making Data Count's guidance says.
//!
//! The variation icon is the latest point's: common cause, or special cause improvement or
//! concern by the side of the mean it is on and the metric's direction (a flagged point on the
//! mean can only be part of a trend, and takes the trend's direction). The assurance icon compares
//! the metric's standard with the process limits: beyond the worse limit, consistently failing;
//! beyond the better one, consistently passing; between them, hit and miss.

use league_model::{Direction, SpcRules, TwoOfThree};

pub use league_model::{Assurance, SpcFlags as Rules, Variation};

/// One point of the chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpcPoint {
    /// The value.
    pub value: f64,
    /// The rules it is part of.
    pub rules: Rules,
    /// Its variation.
    pub variation: Variation,
}

/// An XmR chart.
#[derive(Debug, Clone, PartialEq)]
pub struct SpcChart {
    /// Centre line.
    pub mean: f64,
    /// Average moving range after screening.
    pub amr: f64,
    /// Moving ranges left out by the screening.
    pub screened: usize,
    /// Lower and upper process limits.
    pub limits: (f64, f64),
    /// Lower and upper two-sigma lines.
    pub two_sigma: (f64, f64),
    /// Fewer points than the configured minimum: trial limits.
    pub trial: bool,
    /// The points, in time order.
    pub points: Vec<SpcPoint>,
    /// The latest point's variation.
    pub variation: Variation,
    /// Against the metric's standard, where it has one.
    pub assurance: Option<Assurance>,
}

/// The chart of `values` (in time order). `None` with fewer than two points (no moving range).
pub fn xmr(
    values: &[f64],
    direction: Direction,
    standard: Option<f64>,
    rules: &SpcRules,
) -> Option<SpcChart> {
    let n = values.len();
    if n < 2 || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let mr: Vec<f64> = values.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    let mut amr = mr.iter().sum::<f64>() / mr.len() as f64;
    let mut screened = 0;
    if rules.screen_moving_ranges {
        let kept: Vec<f64> = mr
            .iter()
            .copied()
            .filter(|m| *m < rules.screen_factor * amr)
            .collect();
        screened = mr.len() - kept.len();
        if !kept.is_empty() {
            amr = kept.iter().sum::<f64>() / kept.len() as f64;
        }
    }
    let width = rules.limit_factor * amr;
    let limits = (mean - width, mean + width);
    let near = 2.0 / 3.0 * width;
    let two_sigma = (mean - near, mean + near);

    let (side, flags) = special_causes(values, mean, limits, two_sigma, rules);
    let better = match direction {
        Direction::HigherIsBetter => 1,
        Direction::LowerIsBetter => -1,
    };
    let points: Vec<SpcPoint> = (0..n)
        .map(|i| {
            let (r, trend_side) = flags[i];
            let s = if side[i] != 0 { side[i] } else { trend_side };
            let variation = if !r.any() {
                Variation::CommonCause
            } else if s == better {
                Variation::Improvement
            } else {
                Variation::Concern
            };
            SpcPoint {
                value: values[i],
                rules: r,
                variation,
            }
        })
        .collect();
    let assurance = standard.map(|t| {
        let (worse_fails, better_passes) = match direction {
            Direction::HigherIsBetter => (t > limits.1, t < limits.0),
            Direction::LowerIsBetter => (t < limits.0, t > limits.1),
        };
        if worse_fails {
            Assurance::ConsistentlyFailing
        } else if better_passes {
            Assurance::ConsistentlyPassing
        } else {
            Assurance::HitAndMiss
        }
    });
    Some(SpcChart {
        mean,
        amr,
        screened,
        limits,
        two_sigma,
        trial: n < rules.minimum_points,
        variation: points[n - 1].variation,
        points,
        assurance,
    })
}

/// Each point's side of the mean (+1, −1, 0) and the rules it is part of, with the direction
/// of the trend it is part of (0 for none).
fn special_causes(
    values: &[f64],
    mean: f64,
    limits: (f64, f64),
    two_sigma: (f64, f64),
    rules: &SpcRules,
) -> (Vec<i8>, Vec<(Rules, i8)>) {
    let n = values.len();
    let side: Vec<i8> = values
        .iter()
        .map(|v| {
            if *v > mean {
                1
            } else if *v < mean {
                -1
            } else {
                0
            }
        })
        .collect();
    let outside: Vec<bool> = values
        .iter()
        .map(|v| *v > limits.1 || *v < limits.0)
        .collect();
    let beyond: Vec<bool> = values
        .iter()
        .zip(&outside)
        .map(|(v, o)| {
            (*v > two_sigma.1 || *v < two_sigma.0)
                && (rules.two_of_three == TwoOfThree::BeyondTwoSigma || !o)
        })
        .collect();
    let run = part_of(n, rules.run_length, |i| {
        side[i] != 0 && (i + 1 - rules.run_length..=i).all(|j| side[j] == side[i])
    });
    // The trend each point is part of: +1 rising, -1 falling.
    let trend_at = |i: usize| -> i8 {
        let d = || (i + 2 - rules.trend_length..=i).map(|j| values[j] - values[j - 1]);
        if d().all(|x| x > 0.0) {
            1
        } else if d().all(|x| x < 0.0) {
            -1
        } else {
            0
        }
    };
    let trend_dir: Vec<i8> = (0..n)
        .map(|i| {
            (i..n.min(i + rules.trend_length))
                .filter(|&e| e + 1 >= rules.trend_length)
                .map(trend_at)
                .find(|d| *d != 0)
                .unwrap_or(0)
        })
        .collect();
    let two = (0..n)
        .map(|i| {
            beyond[i]
                && (i.saturating_sub(2)..=i).any(|s| {
                    s + 2 < n
                        && (s..s + 3).filter(|&j| beyond[j]).count() >= 2
                        && (s..s + 3).map(|j| i32::from(side[j])).sum::<i32>().abs() == 3
                })
        })
        .collect::<Vec<_>>();
    let flags = (0..n)
        .map(|i| {
            (
                Rules {
                    outside: outside[i],
                    run: run[i],
                    trend: trend_dir[i] != 0,
                    two_of_three: two[i],
                },
                trend_dir[i],
            )
        })
        .collect();
    (side, flags)
}

/// Points that are part of a pattern of `len` points ending at some `i` where `ends(i)` holds.
fn part_of(n: usize, len: usize, ends: impl Fn(usize) -> bool) -> Vec<bool> {
    let end: Vec<bool> = (0..n).map(|i| i + 1 >= len && ends(i)).collect();
    (0..n)
        .map(|i| (i..n.min(i + len)).any(|e| end[e]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use league_model::Evidence;

    fn rules(two_of_three: TwoOfThree) -> SpcRules {
        SpcRules {
            limit_factor: 2.66,
            screen_moving_ranges: true,
            screen_factor: 3.267,
            minimum_points: 12,
            minimum_chart_points: 6,
            months: 24,
            run_length: 7,
            trend_length: 7,
            two_of_three,
            evidence: Evidence::Stated,
        }
    }

    fn chart(v: &[f64]) -> SpcChart {
        xmr(
            v,
            Direction::HigherIsBetter,
            None,
            &rules(TwoOfThree::BeyondTwoSigma),
        )
        .expect("test input")
    }

    fn flagged(c: &SpcChart, rule: fn(&Rules) -> bool) -> Vec<usize> {
        c.points
            .iter()
            .enumerate()
            .filter(|(_, p)| rule(&p.rules))
            .map(|(i, _)| i)
            .collect()
    }

    fn only(c: &SpcChart, rule: fn(&Rules) -> bool, expect: &[usize]) {
        assert_eq!(flagged(c, rule), expect);
        let any: Vec<usize> = flagged(c, |r| r.any());
        assert_eq!(any, expect, "no other rule may fire");
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} is not {b}");
    }

    /// 10, 12 six times: mean 11, every moving range 2, AMR 2; limits 11 ± 5.32 = 5.68 and
    /// 16.32; two sigma 11 ± 3.546667. No rule fires.
    fn steady() -> Vec<f64> {
        [10.0, 12.0].repeat(6)
    }

    #[test]
    fn limits_of_a_steady_series_and_common_cause() {
        let c = chart(&steady());
        close(c.mean, 11.0);
        close(c.amr, 2.0);
        close(c.limits.0, 5.68);
        close(c.limits.1, 16.32);
        close(c.two_sigma.1, 11.0 + 2.0 / 3.0 * 5.32);
        assert!(!c.trial);
        only(&c, |r| r.any(), &[]);
        assert_eq!(c.variation, Variation::CommonCause);
    }

    /// Steady then 30: moving ranges eleven 2s and an 18; AMR 40/12 = 3.333, and 18 ≥ 3.267 ×
    /// 3.333 = 10.89 is screened out, so AMR = 22/11 = 2 (3.333 without screening).
    #[test]
    fn a_large_moving_range_is_screened_out() {
        let v: Vec<f64> = steady().into_iter().chain([30.0]).collect();
        let c = chart(&v);
        close(c.amr, 2.0);
        assert_eq!(c.screened, 1);
        let mut r = rules(TwoOfThree::BeyondTwoSigma);
        r.screen_moving_ranges = false;
        let plain = xmr(&v, Direction::HigherIsBetter, None, &r).expect("test input");
        close(plain.amr, 40.0 / 12.0);
        assert_eq!(plain.screened, 0);
    }

    /// Steady then 18: mean 150/13 = 11.538462; moving ranges eleven 2s and a 6, AMR 28/12 =
    /// 2.333333 (6 < 3.267 × 2.333 = 7.62, kept); upper limit 11.538462 + 2.66 × 2.333333 =
    /// 17.745128 < 18. The 10s and 12s still alternate about the mean: only rule 1 fires.
    #[test]
    fn a_point_beyond_the_limits_alone() {
        let v: Vec<f64> = steady().into_iter().chain([18.0]).collect();
        let c = chart(&v);
        close(c.mean, 150.0 / 13.0);
        close(c.limits.1, 150.0 / 13.0 + 2.66 * 28.0 / 12.0);
        only(&c, |r| r.outside, &[12]);
        assert_eq!(c.variation, Variation::Improvement);
        let lower = xmr(
            &v,
            Direction::LowerIsBetter,
            None,
            &rules(TwoOfThree::BeyondTwoSigma),
        )
        .expect("test input");
        assert_eq!(lower.variation, Variation::Concern);
    }

    /// 10, 12, 10, 12, 10, 12, then 12.5, 13 alternating for seven points, then 10, 12, 10, 12:
    /// mean 199/17 = 11.705882, so the 12 at index 5 and the seven after it are eight points
    /// above the mean; AMR 22/16 = 1.375, limits 8.05 to 15.36; no trend (the values zigzag) and
    /// nothing beyond two sigma (14.14).
    #[test]
    fn a_run_on_one_side_of_the_mean_alone() {
        let v = [
            10.0, 12.0, 10.0, 12.0, 10.0, 12.0, 12.5, 13.0, 12.5, 13.0, 12.5, 13.0, 12.5, 10.0,
            12.0, 10.0, 12.0,
        ];
        let c = chart(&v);
        close(c.mean, 199.0 / 17.0);
        close(c.amr, 1.375);
        only(&c, |r| r.run, &[5, 6, 7, 8, 9, 10, 11, 12]);
    }

    /// Six points of 12 above the mean, one exactly on it (11), three more 12s: with 10, 12, 10,
    /// 12, 10, 12 before and six 10s after, the sum is 209 over 19 points, mean exactly 11. The
    /// point on the mean breaks the run (4 then 3 above). With a 12 in its place the same series
    /// has a run of 8 above (mean 210/19 = 11.05).
    #[test]
    fn a_point_on_the_mean_breaks_a_run() {
        let mut v = vec![10.0, 12.0, 10.0, 12.0, 10.0, 12.0];
        v.extend([12.0, 12.0, 12.0, 11.0, 12.0, 12.0, 12.0]);
        v.extend([10.0; 6]);
        let c = chart(&v);
        assert_eq!(c.mean, 11.0);
        only(&c, |r| r.run, &[]);
        v[9] = 12.0;
        let c = chart(&v);
        only(&c, |r| r.run, &[5, 6, 7, 8, 9, 10, 11, 12]);
    }

    /// 9, 9.5, 10, 10.5, 11, 11.5, 12: seven points each higher than the last, crossing the mean
    /// (183.5/17 = 10.794118), inside two sigma (8.13 to 13.45). Reversed in time, a falling
    /// trend flags the same points (NHSRplotthedots 0.2.2 flags only rising trends).
    #[test]
    fn a_trend_alone_rising_and_falling() {
        let v = [
            10.0, 12.0, 10.0, 12.0, 10.0, 12.0, 9.0, 9.5, 10.0, 10.5, 11.0, 11.5, 12.0, 10.0, 12.0,
            10.0, 12.0,
        ];
        let c = chart(&v);
        close(c.mean, 183.5 / 17.0);
        only(&c, |r| r.trend, &[6, 7, 8, 9, 10, 11, 12]);
        let mut rev = v;
        rev.reverse();
        only(&chart(&rev), |r| r.trend, &[4, 5, 6, 7, 8, 9, 10]);
        // A trend's last point on the mean would take the trend's direction: here 11.5 and 12
        // are above the mean and the chart's latest point (12) is common cause.
        assert_eq!(chart(&v).variation, Variation::CommonCause);
    }

    /// 10, 12 four times, then 16.5, 12, 16.5, then 10, 12 three times and 10: mean 209/18 =
    /// 11.611111, AMR 46/17 = 2.705882, two sigma up to 11.611111 + 2/3 × 2.66 × 2.705882 =
    /// 16.409542, limit 18.808758. The two 16.5s are beyond two sigma, inside the limits, and the
    /// 12 between them is above the mean: both 16.5s are flagged, the 12 is not.
    #[test]
    fn two_of_three_beyond_two_sigma_alone() {
        let mut v = [10.0, 12.0].repeat(4);
        v.extend([16.5, 12.0, 16.5]);
        v.extend([10.0, 12.0].repeat(3));
        v.push(10.0);
        let c = chart(&v);
        close(c.mean, 209.0 / 18.0);
        close(c.amr, 46.0 / 17.0);
        close(c.two_sigma.1, 209.0 / 18.0 + 2.0 / 3.0 * 2.66 * 46.0 / 17.0);
        only(&c, |r| r.two_of_three, &[8, 10]);
    }

    /// 10, 12 five times, then 18, 16, 12, then 10, 12 three times and 10 (20 points): mean 11.6,
    /// AMR 44/19 = 2.315789, limits 5.44 and 17.76, two sigma 15.706667. 18 is beyond the limit,
    /// 16 between two sigma and the limit, 12 above the mean. Under the November 2023 revision
    /// both 18 and 16 count as beyond two sigma (two of three: both flagged); under the earlier
    /// rule (NHSRplotthedots 0.2.2) only 16 counts, so two of three does not fire.
    #[test]
    fn two_of_three_under_the_2023_revision_and_before() {
        let mut v = [10.0, 12.0].repeat(5);
        v.extend([18.0, 16.0, 12.0]);
        v.extend([10.0, 12.0].repeat(3));
        v.push(10.0);
        let revised = chart(&v);
        close(revised.mean, 11.6);
        close(revised.amr, 44.0 / 19.0);
        assert_eq!(flagged(&revised, |r| r.outside), [10]);
        assert_eq!(flagged(&revised, |r| r.two_of_three), [10, 11]);
        let earlier = xmr(
            &v,
            Direction::HigherIsBetter,
            None,
            &rules(TwoOfThree::BetweenTwoAndThreeSigma),
        )
        .expect("test input");
        assert_eq!(flagged(&earlier, |r| r.two_of_three), Vec::<usize>::new());
        assert_eq!(flagged(&earlier, |r| r.any()), [10]);
    }

    #[test]
    fn fewer_than_twelve_points_give_trial_limits() {
        let c = chart(&steady()[..11]);
        assert!(c.trial);
        assert!(!chart(&steady()).trial);
        assert!(
            xmr(
                &[1.0],
                Direction::HigherIsBetter,
                None,
                &rules(TwoOfThree::BeyondTwoSigma)
            )
            .is_none()
        );
    }

    /// The steady series' limits are 5.68 and 16.32.
    #[test]
    fn assurance_against_a_standard() {
        let r = rules(TwoOfThree::BeyondTwoSigma);
        let a = |d, t| {
            xmr(&steady(), d, Some(t), &r)
                .expect("test input")
                .assurance
                .expect("test input")
        };
        use Direction::{HigherIsBetter as Up, LowerIsBetter as Down};
        assert_eq!(a(Up, 5.0), Assurance::ConsistentlyPassing);
        assert_eq!(a(Up, 17.0), Assurance::ConsistentlyFailing);
        assert_eq!(a(Up, 11.0), Assurance::HitAndMiss);
        assert_eq!(a(Down, 5.0), Assurance::ConsistentlyFailing);
        assert_eq!(a(Down, 17.0), Assurance::ConsistentlyPassing);
        assert_eq!(a(Down, 16.32), Assurance::HitAndMiss);
        assert!(
            xmr(&steady(), Up, None, &r)
                .expect("test input")
                .assurance
                .is_none()
        );
    }
}
