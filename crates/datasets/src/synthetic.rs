//! Seeded synthetic data for tests and benchmarks, and only for them.
//!
//! Every trust here is made up: codes are `Z` + a peer-group letter + three base-36 characters
//! (`ZA001`), a range no NHS organisation code uses (a test checks the shipped register), names
//! say "Synthetic trust", and every value carries provenance `synthetic`, so everything scored
//! from it is labelled synthetic in every output that shows provenance. The default run never
//! reads it: `data/default/` is built from real publications only ([`crate::build_default`]).

use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use league_model::number::round_dp;
use league_model::{
    Dataset, Methodology, MetricStatus, Observation, Provenance, Quarter, Scoring, SourceRef,
    TrustCode, TrustInQuarter,
};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SyntheticSpec {
    /// The quarter every value belongs to.
    pub quarter: Quarter,
    /// Made-up trusts per peer group of the methodology (at most 46,656 each).
    pub trusts_per_group: usize,
    /// Seed: the same spec and methodology give the same dataset.
    pub seed: u64,
    /// Share of trust-metric pairs left without a value (missing data), 0 to 1.
    pub missing: f64,
}

/// The made-up code of trust `i` of peer group number `group`.
pub fn synthetic_code(group: usize, i: usize) -> TrustCode {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let letter = char::from(b'A' + (group % 26) as u8);
    let tail: String = [i / 1296 % 36, i / 36 % 36, i % 36]
        .iter()
        .map(|&d| char::from(DIGITS[d]))
        .collect();
    TrustCode::parse(&format!("Z{letter}{tail}")).expect("Z, a letter and three base-36 digits")
}

/// A dataset of made-up trusts with values for every metric the methodology applies to their
/// peer group, drawn by seeded code around each metric's standard, floor or bands.
pub fn synthetic_dataset(m: &Methodology, spec: &SyntheticSpec) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let file: Arc<str> = Arc::from(format!("synthetic (seed {})", spec.seed).as_str());
    let mut data = Dataset::default();
    let trusts = data.trusts.entry(spec.quarter).or_default();
    let mut line = 0;
    for (gi, g) in m.peer_groups.iter().enumerate() {
        for i in 0..spec.trusts_per_group.min(36 * 36 * 36) {
            let code = synthetic_code(gi, i);
            trusts.insert(
                code.clone(),
                TrustInQuarter {
                    code: code.clone(),
                    name: format!("Synthetic trust {code}"),
                    region: "Synthetic".into(),
                    peer_group: g.id.clone(),
                    subtype: "Synthetic".into(),
                },
            );
            let mut push = |metric_id: &str, value: f64| {
                line += 1;
                data.observations.push(Observation {
                    quarter: spec.quarter,
                    trust: code.clone(),
                    metric_id: metric_id.to_owned(),
                    value,
                    reporting_date: spec.quarter.to_string(),
                    source: SourceRef {
                        file: file.clone(),
                        line,
                    },
                    provenance: Provenance::Synthetic,
                    published_rank: None,
                });
            };
            for x in m
                .metrics
                .iter()
                .filter(|x| x.peer_groups.contains(&g.id) && x.status != MetricStatus::Contextual)
            {
                if rng.random::<f64>() < spec.missing {
                    continue;
                }
                let u = rng.random::<f64>();
                match (&x.scoring, x.value_id.as_deref()) {
                    (Scoring::Matrix { .. }, _) => {} // computed from its components
                    (Scoring::Published | Scoring::Mapping { .. }, _) => {
                        push(&x.id, (1.0 + (u * 4.0).floor()).min(4.0));
                    }
                    (scoring, Some(value_id)) => {
                        let (lo, hi) = match scoring {
                            Scoring::Standard { standard } if *standard != 0.0 => {
                                (standard * 0.6, standard * 1.3)
                            }
                            Scoring::Floor { floor } => (floor * 0.8, floor * 1.4),
                            Scoring::Bands { .. } | Scoring::Standard { .. } => (-3.0, 2.0),
                            _ => x.valid_range.map_or((0.0, 10.0), |r| (r[0], r[1])),
                        };
                        let v = lo + (hi - lo) * u;
                        let v = x.valid_range.map_or(v, |r| v.clamp(r[0], r[1]));
                        push(value_id, round_dp(v, 2));
                    }
                    _ => {}
                }
            }
            let deficit = rng.random::<f64>() < 0.3;
            push(&m.financial_override.flag_id, f64::from(u8::from(deficit)));
            let programme = rng.random::<f64>() < 0.05;
            push(&m.segment5.flag_id, f64::from(u8::from(programme)));
        }
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::setup;

    fn spec(seed: u64) -> SyntheticSpec {
        SyntheticSpec {
            quarter: "Q1 2025/26".parse().expect("quarter"),
            trusts_per_group: 40,
            seed,
            missing: 0.1,
        }
    }

    #[test]
    fn no_synthetic_code_is_a_real_organisation() {
        let (m, register) = setup();
        for g in 0..26 {
            for i in [0, 1, 35, 36, 1295, 46_655] {
                let code = synthetic_code(g, i);
                assert!(code.as_str().starts_with('Z') && code.as_str().len() == 5);
                assert!(register.get(&code).is_none(), "{code} is in the register");
            }
        }
        let data = synthetic_dataset(&m, &spec(1));
        assert!(
            data.trusts
                .values()
                .flat_map(|t| t.keys())
                .all(|c| register.get(c).is_none())
        );
    }

    #[test]
    fn every_value_is_labelled_synthetic_and_the_draw_is_seeded() {
        let (m, _) = setup();
        let a = synthetic_dataset(&m, &spec(7));
        assert_eq!(a.trusts.values().map(|t| t.len()).sum::<usize>(), 120);
        assert!(
            a.observations
                .iter()
                .all(|o| o.provenance == Provenance::Synthetic)
        );
        assert!(
            a.trusts
                .values()
                .flat_map(|t| t.values())
                .all(|t| t.name.starts_with("Synthetic trust "))
        );
        let b = synthetic_dataset(&m, &spec(7));
        assert_eq!(a.observations, b.observations);
        let c = synthetic_dataset(&m, &spec(8));
        assert_ne!(a.observations, c.observations);
    }
}
