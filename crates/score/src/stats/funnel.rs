//! Funnel plots for proportions with over-dispersion (Spiegelhalter 2005, "Funnel plots for
//! comparing institutional performance", Statistics in Medicine 24; the steps as FunnelPlotR's
//! `od_adjustment.R` implements them):
//!
//! 1. Transform each proportion by the arcsine square root, where its standard error is known:
//!    `Y = asin(√(r/n))`, `s = 1/(2√n)`; the target θ₀ is the pooled proportion of the peer group,
//!    `asin(√(Σr/Σn))`.
//! 2. z-scores `z = (Y − θ₀)/s`, winsorised at the configured share in each tail (R's default
//!    quantile, type 7).
//! 3. `φ = (1/I) Σ z²`; τ² = 0 when `Iφ ≤ I − 1`, else `(Iφ − (I − 1)) / (Σw − Σw²/Σw)`, `w = 1/s²`.
//! 4. Limits `θ₀ ± z·√(s² + τ²)`, back-transformed by `sin²` (clamped to 0 and π/2).

use league_model::FunnelRules;

/// The transform every funnel uses, as the outputs name it.
pub const TRANSFORM: &str = "arcsine square root (s = 1/(2√n))";

/// One trust's counts.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelUnit {
    /// Trust code.
    pub id: String,
    /// Numerator (events meeting the measure).
    pub numerator: f64,
    /// Denominator (all events).
    pub denominator: f64,
}

pub use league_model::FunnelPosition as Position;

/// One trust on the funnel.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelPoint {
    /// Trust code.
    pub id: String,
    /// Numerator.
    pub numerator: f64,
    /// Denominator.
    pub denominator: f64,
    /// The proportion `numerator / denominator`.
    pub proportion: f64,
    /// The z-score before winsorisation.
    pub z: f64,
    /// (lower, upper) limits at the inner and outer z, as proportions.
    pub limits: [(f64, f64); 2],
    /// Position against the inner and outer limits.
    pub position: [Position; 2],
}

/// A funnel: its target, dispersion and every trust's position.
#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    /// The pooled proportion `Σr/Σn` (θ₀ back-transformed).
    pub target: f64,
    /// The over-dispersion ratio φ (mean of the winsorised z²).
    pub phi: f64,
    /// The between-trust variance τ² on the transformed scale (0 when not over-dispersed or the
    /// adjustment is off).
    pub tau2: f64,
    /// The winsorisation bounds of the z-scores (lower, upper).
    pub winsor: (f64, f64),
    /// The z values of the inner and outer limits.
    pub z: [f64; 2],
    /// Points in input order.
    pub points: Vec<FunnelPoint>,
}

/// Why a funnel cannot be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FunnelError {
    /// Fewer trusts with counts than the configured minimum.
    #[error("{0} trusts with counts, fewer than the {1} a funnel needs")]
    TooFew(usize, usize),
    /// A count that cannot be a proportion's.
    #[error(
        "{id}: {numerator} of {denominator} is not a proportion (counts must satisfy 0 ≤ r ≤ n, n > 0)"
    )]
    BadCounts {
        /// Trust code.
        id: String,
        /// Numerator.
        numerator: f64,
        /// Denominator.
        denominator: f64,
    },
    /// Every trust at 0% or 100%: no spread to draw a funnel around.
    #[error("the pooled proportion is {0}: no funnel around 0% or 100%")]
    Degenerate(f64),
}

fn transform(p: f64) -> f64 {
    p.sqrt().asin()
}

fn back(y: f64) -> f64 {
    y.clamp(0.0, std::f64::consts::FRAC_PI_2).sin().powi(2)
}

/// R's default (type 7) quantile of sorted values.
fn quantile7(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The funnel of a peer group's counts.
pub fn funnel(units: &[FunnelUnit], rules: &FunnelRules) -> Result<Funnel, FunnelError> {
    if units.len() < rules.minimum_trusts {
        return Err(FunnelError::TooFew(units.len(), rules.minimum_trusts));
    }
    if let Some(u) = units.iter().find(|u| {
        !(u.denominator > 0.0
            && u.numerator >= 0.0
            && u.numerator <= u.denominator
            && u.denominator.is_finite())
    }) {
        return Err(FunnelError::BadCounts {
            id: u.id.clone(),
            numerator: u.numerator,
            denominator: u.denominator,
        });
    }
    let (sr, sn) = units
        .iter()
        .fold((0.0, 0.0), |(r, n), u| (r + u.numerator, n + u.denominator));
    let target = sr / sn;
    if target <= 0.0 || target >= 1.0 {
        return Err(FunnelError::Degenerate(target));
    }
    let theta = transform(target);
    let se = |n: f64| 1.0 / (2.0 * n.sqrt());
    let z: Vec<f64> = units
        .iter()
        .map(|u| (transform(u.numerator / u.denominator) - theta) / se(u.denominator))
        .collect();
    let mut sorted = z.clone();
    sorted.sort_by(f64::total_cmp);
    let winsor = (
        quantile7(&sorted, rules.winsorise),
        quantile7(&sorted, 1.0 - rules.winsorise),
    );
    let i = units.len() as f64;
    let phi = z
        .iter()
        .map(|v| v.clamp(winsor.0, winsor.1).powi(2))
        .sum::<f64>()
        / i;
    let tau2 = if rules.overdispersion && i * phi > i - 1.0 {
        let w: Vec<f64> = units.iter().map(|u| se(u.denominator).powi(-2)).collect();
        let sw: f64 = w.iter().sum();
        let sw2: f64 = w.iter().map(|x| x * x).sum();
        ((i * phi - (i - 1.0)) / (sw - sw2 / sw)).max(0.0)
    } else {
        0.0
    };
    let mut f = Funnel {
        target,
        phi,
        tau2,
        winsor,
        z: rules.z,
        points: Vec::with_capacity(units.len()),
    };
    f.points = units
        .iter()
        .zip(z)
        .map(|(u, z)| {
            let p = u.numerator / u.denominator;
            let limits = [0, 1].map(|k| f.limits(u.denominator, f.z[k]));
            FunnelPoint {
                id: u.id.clone(),
                numerator: u.numerator,
                denominator: u.denominator,
                proportion: p,
                z,
                limits,
                position: limits.map(|(lo, hi)| position(p, lo, hi)),
            }
        })
        .collect();
    Ok(f)
}

/// Where `p` sits against `(lo, hi)`: on a limit is within.
pub fn position(p: f64, lo: f64, hi: f64) -> Position {
    if p < lo {
        Position::Below
    } else if p > hi {
        Position::Above
    } else {
        Position::Within
    }
}

impl Funnel {
    /// The (lower, upper) limits, as proportions, for a denominator `n` at `z`.
    pub fn limits(&self, n: f64, z: f64) -> (f64, f64) {
        limits(self.target, self.tau2, n, z)
    }
}

/// The (lower, upper) limits of a funnel with this target and τ², for a denominator `n` at `z`:
/// what `league check` re-derives from the written target and τ².
pub fn limits(target: f64, tau2: f64, n: f64, z: f64) -> (f64, f64) {
    let theta = transform(target);
    let s2 = 1.0 / (4.0 * n);
    let d = z * (s2 + tau2).sqrt();
    (back(theta - d), back(theta + d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use league_model::Evidence;

    fn rules(overdispersion: bool) -> FunnelRules {
        FunnelRules {
            z: [1.959964, 3.090232],
            winsorise: 0.1,
            overdispersion,
            minimum_trusts: 3,
            evidence: Evidence::Stated,
        }
    }

    fn units(counts: &[(f64, f64)]) -> Vec<FunnelUnit> {
        counts
            .iter()
            .enumerate()
            .map(|(i, &(r, n))| FunnelUnit {
                id: format!("Z{i}"),
                numerator: r,
                denominator: n,
            })
            .collect()
    }

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} is not {b}");
    }

    /// Three trusts at exactly 50% (n = 100, 400, 900): every z is 0, so φ = 0 and τ² = 0.
    /// With θ₀ = asin(√0.5) = π/4, sin²(π/4 ± d) = (1 ± sin 2d)/2, so by hand:
    /// - n = 100: s = 1/20; 95%: 2d = 2 × 1.959964/20 = 0.1959964, sin = 0.1947440, limits
    ///   0.402628 and 0.597372; 99.8%: 2d = 0.3090232, sin = 0.3041283, limits 0.347936, 0.652064.
    /// - n = 400: s = 1/40; 95%: 2d = 0.0979982, sin = 0.0978414, limits 0.451079, 0.548921.
    /// - n = 900: s = 1/60; 95%: 2d = 0.0653321, sin = 0.0652857, limits 0.467357, 0.532643.
    #[test]
    fn limits_for_three_denominators_without_overdispersion() {
        let f = funnel(
            &units(&[(50.0, 100.0), (200.0, 400.0), (450.0, 900.0)]),
            &rules(true),
        )
        .expect("test input");
        close(f.target, 0.5, 1e-12);
        assert_eq!((f.phi, f.tau2), (0.0, 0.0));
        let [p100, p400, p900] = [&f.points[0], &f.points[1], &f.points[2]];
        close(p100.limits[0].0, 0.402628, 1e-6);
        close(p100.limits[0].1, 0.597372, 1e-6);
        close(p100.limits[1].0, 0.347936, 1e-6);
        close(p100.limits[1].1, 0.652064, 1e-6);
        close(p400.limits[0].0, 0.451079, 1e-6);
        close(p400.limits[0].1, 0.548921, 1e-6);
        close(p900.limits[0].0, 0.467357, 1e-6);
        close(p900.limits[0].1, 0.532643, 1e-6);
        assert!(f.points.iter().all(|p| p.position == [Position::Within; 2]));
    }

    /// 70 of 100, 200 of 400 and 430 of 900: pooled 700/1400 = 0.5, θ₀ = π/4. By hand:
    /// - z: (asin √0.7 − π/4) × 20 = (0.9911566 − 0.7853982) × 20 = 4.115168; 0; and
    ///   (asin √(430/900) − π/4) × 60 = −1.333773.
    /// - Winsorised at 10% (type 7 over the sorted −1.333773, 0, 4.115168): lower
    ///   −1.333773 + 0.2 × 1.333773 = −1.067018; upper 0.8 × 4.115168 = 3.292135.
    /// - φ = (1.067018² + 0 + 3.292135²)/3 = (1.138528 + 10.838151)/3 = 3.992226.
    /// - Iφ = 11.976679 > I − 1 = 2, so with w = 4n = 400, 1600, 3600 (Σw = 5600,
    ///   Σw² = 15,680,000, Σw²/Σw = 2800): τ² = (11.976679 − 2)/(5600 − 2800) = 0.0035631.
    /// - n = 100, 95%: d = 1.959964 × √(0.0025 + 0.0035631) = 0.1526113; limits
    ///   (1 ∓ sin 0.3052226)/2 = 0.349744 and 0.650256. The trust at 70% is above the 95% limit;
    ///   its 99.8% upper limit is 0.731443, so it is within that one.
    /// - Without the adjustment (τ² = 0) it is above both: the 99.8% upper limit at n = 100 is
    ///   0.652064 (the first test).
    #[test]
    fn overdispersion_widens_the_limits_by_tau_squared_after_winsorising() {
        let u = units(&[(70.0, 100.0), (200.0, 400.0), (430.0, 900.0)]);
        let f = funnel(&u, &rules(true)).expect("test input");
        assert_eq!(f.z, [1.959964, 3.090232]);
        close(f.points[0].z, 4.115168, 1e-6);
        close(f.points[2].z, -1.333773, 1e-6);
        close(f.winsor.0, -1.067018, 1e-6);
        close(f.winsor.1, 3.292135, 1e-6);
        close(f.phi, 3.992226, 1e-6);
        close(f.tau2, 0.0035631, 1e-7);
        close(f.points[0].limits[0].0, 0.349744, 1e-6);
        close(f.points[0].limits[0].1, 0.650256, 1e-6);
        close(f.points[0].limits[1].1, 0.731443, 1e-6);
        assert_eq!(f.points[0].position, [Position::Above, Position::Within]);
        assert_eq!(f.points[1].position, [Position::Within; 2]);

        let plain = funnel(&u, &rules(false)).expect("test input");
        assert_eq!(plain.tau2, 0.0);
        close(plain.phi, 3.992226, 1e-6);
        close(plain.points[0].limits[1].1, 0.652064, 1e-6);
        assert_eq!(plain.points[0].position, [Position::Above, Position::Above]);
    }

    /// φ ≤ (I − 1)/I gives τ² = 0 even with the adjustment on: 49/100, 205/400, 445/900
    /// (pooled 699/1400) lie close to the target.
    #[test]
    fn small_dispersion_leaves_tau_squared_at_zero() {
        let f = funnel(
            &units(&[(49.0, 100.0), (205.0, 400.0), (445.0, 900.0)]),
            &rules(true),
        )
        .expect("test input");
        assert!(3.0 * f.phi <= 2.0, "{}", f.phi);
        assert_eq!(f.tau2, 0.0);
    }

    #[test]
    fn winsorisation_uses_type_seven_quantiles() {
        // Ten values 0..9: the 10% quantile is 0.9, the 90% quantile 8.1.
        let v: Vec<f64> = (0..10).map(f64::from).collect();
        close(quantile7(&v, 0.1), 0.9, 1e-12);
        close(quantile7(&v, 0.9), 8.1, 1e-12);
    }

    #[test]
    fn bad_counts_and_too_few_trusts_are_refused() {
        assert_eq!(
            funnel(&units(&[(1.0, 2.0)]), &rules(true)),
            Err(FunnelError::TooFew(1, 3))
        );
        assert!(matches!(
            funnel(&units(&[(1.0, 2.0), (3.0, 2.0), (1.0, 1.0)]), &rules(true)),
            Err(FunnelError::BadCounts { .. })
        ));
        assert!(matches!(
            funnel(&units(&[(0.0, 2.0), (0.0, 2.0), (0.0, 1.0)]), &rules(true)),
            Err(FunnelError::Degenerate(_))
        ));
    }

    #[test]
    fn written_limits_are_rederived_from_target_and_tau_squared() {
        let f = funnel(
            &units(&[(70.0, 100.0), (200.0, 400.0), (430.0, 900.0)]),
            &rules(true),
        )
        .expect("test input");
        for p in &f.points {
            assert_eq!(limits(f.target, f.tau2, p.denominator, f.z[1]), p.limits[1]);
        }
    }
}
