//! What the method's choices do to the segments (OECD/JRC Handbook step 7; COINr's
//! `remove_elements`): every trust's segment and rank recomputed under each alternative, the
//! metric scores themselves unchanged.
//!
//! Alternatives, for each quarter:
//! - `quartiles_of_input`: cut-points recomputed as quartiles of this input's averages (only when
//!   the quarter's cut-points were configured from NHS England's published segments). The
//!   alternatives that change the averages cut at recomputed quartiles too, so this row shows how
//!   much of their change comes from recomputing the cut-points alone.
//! - `no_override`: the financial override not applied.
//! - `drop_<score id>`: each metric in the quarter's averages left out in turn, quartiles
//!   recomputed.
//! - `equal_domain_weights`: the average as the mean of the trust's domain means, so each domain
//!   with a score weighs the same, quartiles recomputed.
//! - `quartiles_within_peer_group` or `quartiles_across_peer_groups`: the other segmentation pool.
//! - `fixed_thresholds`: the configured thresholds instead of quartiles (2026/27's approach).
//!
//! Every alternative keeps the rest of the method: rounding, the boundary rule, the override cap
//! (except `no_override`) and the league order (segment, then average).

use std::collections::BTreeMap;

use league_model::number::round_dp;
use league_model::{
    Alternative, AlternativeOutcome, Methodology, Quarter, ScoreRun, SegmentMethod, SegmentPool,
    TrustCode,
};

use crate::rules;

/// One trust as the alternatives see it.
struct Trust<'a> {
    code: &'a TrustCode,
    group: &'a str,
    average: f64,
    in_deficit: bool,
    /// (score id, domain, score as averaged, weight).
    scores: Vec<(&'a str, &'a str, f64, f64)>,
}

/// Whether an alternative applies the financial override.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Override {
    Applied,
    Off,
}

/// How an alternative cuts.
enum Cuts {
    /// These cut-points for every peer group.
    Fixed([f64; 3]),
    /// Quartiles over all trusts of the quarter.
    Pooled,
    /// Quartiles within each peer group.
    Within,
    /// The quarter's official cut-points (by peer group when they are per group).
    Official,
}

/// Every alternative for every quarter of the run, in a fixed order.
pub fn alternatives(run: &ScoreRun, m: &Methodology) -> Vec<Alternative> {
    let quarters: Vec<Quarter> = {
        let mut q: Vec<Quarter> = run.tables.iter().map(|t| t.quarter).collect();
        q.dedup();
        q
    };
    quarters
        .into_iter()
        .flat_map(|q| quarter(run, m, q))
        .collect()
}

/// The quarter's trusts, each with the metric scores in its average.
fn trusts_of<'a>(run: &'a ScoreRun, m: &'a Methodology, q: Quarter) -> Vec<Trust<'a>> {
    let domain_of = |id: &str| m.metric(id).map(|x| x.domain.as_str()).unwrap_or("");
    let mut scores: BTreeMap<&TrustCode, Vec<(&str, &str, f64, f64)>> = BTreeMap::new();
    for s in run
        .metric_scores
        .iter()
        .filter(|s| s.quarter == q && s.in_average)
    {
        scores.entry(&s.trust).or_default().push((
            s.metric_id.as_str(),
            domain_of(&s.metric_id),
            s.score,
            s.weight,
        ));
    }
    let mut trusts: Vec<Trust> = Vec::new();
    for t in run.tables.iter().filter(|t| t.quarter == q) {
        for r in &t.rows {
            trusts.push(Trust {
                code: &r.trust.code,
                group: t.peer_group.as_str(),
                average: r.average,
                in_deficit: r.in_deficit == Some(true),
                scores: scores.remove(&r.trust.code).unwrap_or_default(),
            });
        }
    }
    trusts
}

/// Each trust's average without metric `id`, rounded as published.
fn without(trusts: &[Trust], id: &str, dp: u32) -> Vec<Option<f64>> {
    trusts
        .iter()
        .map(|t| {
            rules::weighted_mean(t.scores.iter().filter(|s| s.0 != id).map(|s| (s.2, s.3)))
                .map(|a| round_dp(a, dp))
        })
        .collect()
}

/// Each trust's average as the mean of its domain means, rounded as published.
fn equal_domains(trusts: &[Trust], dp: u32) -> Vec<Option<f64>> {
    trusts
        .iter()
        .map(|t| {
            let mut by_domain: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
            for s in &t.scores {
                by_domain.entry(s.1).or_default().push((s.2, s.3));
            }
            let means: Vec<(f64, f64)> = by_domain
                .into_values()
                .filter_map(|v| rules::weighted_mean(v).map(|x| (x, 1.0)))
                .collect();
            rules::weighted_mean(means).map(|a| round_dp(a, dp))
        })
        .collect()
}

fn quarter(run: &ScoreRun, m: &Methodology, q: Quarter) -> Vec<Alternative> {
    let trusts = trusts_of(run, m, q);
    let official = |group: &str| -> [f64; 3] {
        run.cuts
            .iter()
            .find(|c| c.quarter == q && c.peer_group.as_deref().is_none_or(|g| g == group))
            .map(|c| c.cuts)
            .expect("every segmented peer group has cut-points")
    };
    let dp = m.rounding.average_dp;
    let recomputed = match m.segmentation.method {
        SegmentMethod::Thresholds => {
            Cuts::Fixed(std::array::from_fn(|i| m.segmentation.thresholds[i]))
        }
        SegmentMethod::Quartiles => match m.segmentation.pool {
            SegmentPool::AllProviders => Cuts::Pooled,
            SegmentPool::PeerGroup => Cuts::Within,
        },
    };
    let ctx = Ctx {
        m,
        q,
        trusts: &trusts,
        official: &official,
    };
    let mut out = Vec::new();
    let configured = m.published_cut_points(&q.to_string()).is_some()
        && m.segmentation.method == SegmentMethod::Quartiles;
    let official_averages: Vec<Option<f64>> = trusts.iter().map(|t| Some(t.average)).collect();
    if configured {
        out.push(ctx.alternative(
            "quartiles_of_input",
            "Cut-points recomputed as quartiles of this input's averages".into(),
            &official_averages,
            &recomputed,
            Override::Applied,
        ));
    }
    out.push(ctx.alternative(
        "no_override",
        "No financial override".into(),
        &official_averages,
        &Cuts::Official,
        Override::Off,
    ));
    let mut ids: Vec<&str> = trusts
        .iter()
        .flat_map(|t| t.scores.iter().map(|s| s.0))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        let averages = without(&trusts, id, dp);
        let name = m.metric(id).map(|x| x.name.as_str()).unwrap_or(id);
        out.push(ctx.alternative(
            &format!("drop_{id}"),
            format!("Without {id} ({name})"),
            &averages,
            &recomputed,
            Override::Applied,
        ));
    }
    let equal = equal_domains(&trusts, dp);
    out.push(ctx.alternative(
        "equal_domain_weights",
        "Each domain weighted equally".into(),
        &equal,
        &recomputed,
        Override::Applied,
    ));
    match m.segmentation.pool {
        SegmentPool::AllProviders => out.push(ctx.alternative(
            "quartiles_within_peer_group",
            "Quartiles within each peer group instead of across all trusts".into(),
            &official_averages,
            &Cuts::Within,
            Override::Applied,
        )),
        SegmentPool::PeerGroup => out.push(ctx.alternative(
            "quartiles_across_peer_groups",
            "Quartiles across all trusts instead of within each peer group".into(),
            &official_averages,
            &Cuts::Pooled,
            Override::Applied,
        )),
    }
    if m.segmentation.method == SegmentMethod::Quartiles {
        out.push(ctx.alternative(
            "fixed_thresholds",
            format!(
                "Fixed thresholds instead of quartiles ({})",
                m.statistics.sensitivity.fixed_thresholds_note
            ),
            &official_averages,
            &Cuts::Fixed(m.statistics.sensitivity.fixed_thresholds),
            Override::Applied,
        ));
    }
    out
}

struct Ctx<'a> {
    m: &'a Methodology,
    q: Quarter,
    trusts: &'a [Trust<'a>],
    official: &'a dyn Fn(&str) -> [f64; 3],
}

impl Ctx<'_> {
    /// Segments and ranks every trust with an average under the alternative.
    fn alternative(
        &self,
        id: &str,
        label: String,
        averages: &[Option<f64>],
        cuts: &Cuts,
        with_override: Override,
    ) -> Alternative {
        let m = self.m;
        let present: Vec<(usize, f64)> = averages
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.map(|a| (i, a)))
            .collect();
        let quartiles = |filter: &dyn Fn(&Trust) -> bool| {
            let v: Vec<f64> = present
                .iter()
                .filter(|(i, _)| filter(&self.trusts[*i]))
                .map(|(_, a)| *a)
                .collect();
            rules::quartile_cuts(&v).unwrap_or([f64::NAN; 3])
        };
        let pooled = quartiles(&|_| true);
        let mut groups: Vec<&str> = self.trusts.iter().map(|t| t.group).collect();
        groups.dedup();
        let within: BTreeMap<&str, [f64; 3]> = groups
            .iter()
            .map(|g| (*g, quartiles(&|t: &Trust| t.group == *g)))
            .collect();
        let cuts_of = |g: &str| match cuts {
            Cuts::Fixed(c) => *c,
            Cuts::Pooled => pooled,
            Cuts::Within => within[g],
            Cuts::Official => (self.official)(g),
        };
        let words = |c: [f64; 3]| {
            c.iter()
                .map(|x| format!("{x:.3}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let described = match cuts {
            Cuts::Fixed(c) => format!("{} for every trust", words(*c)),
            Cuts::Pooled => format!("{} (quartiles across all trusts)", words(pooled)),
            Cuts::Within => groups
                .iter()
                .map(|g| format!("{g}: {}", words(within[g])))
                .collect::<Vec<_>>()
                .join("; "),
            Cuts::Official => {
                let mut v: Vec<String> = groups.iter().map(|g| words((self.official)(g))).collect();
                v.dedup();
                format!("{} (the quarter's own)", v.join("; "))
            }
        };
        let mut outcomes: Vec<AlternativeOutcome> = present
            .iter()
            .map(|&(i, avg)| {
                let t = &self.trusts[i];
                let seg = rules::segment_of(avg, &cuts_of(t.group), m.segmentation.boundary);
                AlternativeOutcome {
                    trust: t.code.clone(),
                    peer_group: t.group.to_owned(),
                    average: avg,
                    segment: if with_override == Override::Applied {
                        rules::apply_override(seg, t.in_deficit, m.financial_override.cap_segment)
                    } else {
                        seg
                    },
                    rank: 0,
                }
            })
            .collect();
        for g in &groups {
            let idx: Vec<usize> = (0..outcomes.len())
                .filter(|&k| outcomes[k].peer_group == *g)
                .collect();
            let keys: Vec<(u8, f64)> = idx
                .iter()
                .map(|&k| (outcomes[k].segment, outcomes[k].average))
                .collect();
            for (&k, r) in idx.iter().zip(rules::competition_ranks(&keys)) {
                outcomes[k].rank = r;
            }
        }
        let order = |g: &str| m.peer_groups.iter().position(|p| p.id == g);
        outcomes.sort_by(|a, b| {
            order(&a.peer_group)
                .cmp(&order(&b.peer_group))
                .then_with(|| a.trust.cmp(&b.trust))
        });
        Alternative {
            quarter: self.q,
            id: id.to_owned(),
            label,
            cuts: described,
            outcomes,
        }
    }
}
