//! The funnel plots and SPC charts of a run, from the dataset's monthly counts: for each quarter
//! of the run, each configured measure and each of its peer groups with a league table,
//!
//! - a funnel of the quarter's counts (proportions only): the three months added up, or the
//!   quarter's last month for a snapshot measure; a trust without every month needed has no
//!   point;
//! - each trust's SPC chart: the contiguous months ending with the quarter's last month, at
//!   most the configured number (a trust without the quarter's last month has no chart). Months
//!   after the quarter's last are never read: a chart for a quarter shows only its own and
//!   earlier months.

use std::collections::{BTreeMap, BTreeSet};

use league_model::{
    Dataset, FunnelPlot, FunnelPoint, MeasureKind, Methodology, MonthlyCount, Quarter,
    QuarterCounts, ScoreRun, SpcSeries, TrustCode,
};

use super::funnel::{FunnelUnit, funnel};
use super::spc::xmr;

/// The month before `m`.
fn previous((y, m): (u16, u8)) -> (u16, u8) {
    if m == 1 { (y - 1, 12) } else { (y, m - 1) }
}

/// "Apr-25 to Jun-25", or "Jun-25" for one month.
pub fn period_label(first: (u16, u8), last: (u16, u8)) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let one = |(y, m): (u16, u8)| format!("{}-{:02}", NAMES[usize::from(m) - 1], y % 100);
    if first == last {
        one(last)
    } else {
        format!("{} to {}", one(first), one(last))
    }
}

/// Points on the limit curves a chart draws: 80 denominators evenly spaced over the trusts'.
fn curve(f: &super::funnel::Funnel) -> Vec<(f64, [(f64, f64); 2])> {
    const STEPS: usize = 80;
    let (lo, hi) = f.points.iter().fold((f64::INFINITY, 0.0f64), |(a, b), p| {
        (a.min(p.denominator), b.max(p.denominator))
    });
    (0..=STEPS)
        .map(|i| {
            let n = lo + (hi - lo) * i as f64 / STEPS as f64;
            (n, [f.limits(n, f.z[0]), f.limits(n, f.z[1])])
        })
        .collect()
}

/// One trust's months of one measure.
type Months<'a> = BTreeMap<(u16, u8), &'a MonthlyCount>;

/// One trust's SPC chart of a measure for quarter `q`: the contiguous months back from the
/// quarter's last, at most the configured number; `None` without the quarter's last month or
/// with fewer than the configured minimum months.
fn chart(
    q: Quarter,
    trust: &TrustCode,
    measure: &league_model::MeasureRule,
    series: &Months,
    m: &Methodology,
) -> Option<SpcSeries> {
    let scale = match measure.kind {
        MeasureKind::Proportion => 100.0,
        MeasureKind::Mean => 1.0,
    };
    let mut month = q.months()[2];
    let mut points = Vec::new();
    while points.len() < m.statistics.spc.months
        && let Some(c) = series.get(&month)
    {
        points.push((month, scale * c.numerator / c.denominator));
        month = previous(month);
    }
    if points.len() < m.statistics.spc.minimum_chart_points {
        return None;
    }
    points.reverse();
    let values: Vec<f64> = points.iter().map(|p| p.1).collect();
    let chart = xmr(
        &values,
        measure.direction,
        measure.standard,
        &m.statistics.spc,
    )?;
    Some(SpcSeries {
        quarter: q,
        trust: trust.clone(),
        measure: measure.id.clone(),
        months: points.iter().map(|p| p.0).collect(),
        values,
        rules: chart.points.iter().map(|p| p.rules).collect(),
        mean: chart.mean,
        limits: chart.limits,
        two_sigma: chart.two_sigma,
        trial: chart.trial,
        variation: chart.variation,
        assurance: chart.assurance,
    })
}

/// The funnels and SPC charts for every quarter of `run`.
pub fn funnels_and_charts(
    data: &Dataset,
    run: &ScoreRun,
    m: &Methodology,
) -> (Vec<FunnelPlot>, Vec<SpcSeries>) {
    // (trust, measure) → month → counts.
    let mut by: BTreeMap<(&TrustCode, &str), Months> = BTreeMap::new();
    for c in &data.counts {
        by.entry((&c.trust, c.metric_id.as_str()))
            .or_default()
            .insert(c.month, c);
    }
    let mut funnels = Vec::new();
    let mut charts = Vec::new();
    let quarters: BTreeSet<Quarter> = run.tables.iter().map(|t| t.quarter).collect();
    for q in quarters {
        let months = q.months();
        for measure in &m.statistics.measures {
            for table in run
                .tables
                .iter()
                .filter(|t| t.quarter == q && measure.peer_groups.contains(&t.peer_group))
            {
                let mut units = Vec::new();
                for row in &table.rows {
                    let Some(series) = by.get(&(&row.trust.code, measure.id.as_str())) else {
                        continue;
                    };
                    let needed: Vec<(u16, u8)> = match measure.quarter {
                        QuarterCounts::Sum => months.to_vec(),
                        QuarterCounts::LastMonth => vec![months[2]],
                    };
                    if needed.iter().all(|mo| series.contains_key(mo)) {
                        let (r, n) = needed.iter().fold((0.0, 0.0), |(r, n), mo| {
                            (r + series[mo].numerator, n + series[mo].denominator)
                        });
                        units.push((
                            row.trust.code.clone(),
                            FunnelUnit {
                                id: row.trust.code.to_string(),
                                numerator: r,
                                denominator: n,
                            },
                        ));
                    }
                    charts.extend(chart(q, &row.trust.code, measure, series, m));
                }
                if measure.kind != MeasureKind::Proportion {
                    continue;
                }
                units.sort_by(|a, b| a.0.cmp(&b.0));
                let (codes, units): (Vec<TrustCode>, Vec<FunnelUnit>) = units.into_iter().unzip();
                match funnel(&units, &m.statistics.funnel) {
                    Ok(f) => funnels.push(FunnelPlot {
                        curve: curve(&f),
                        quarter: q,
                        measure: measure.id.clone(),
                        peer_group: table.peer_group.clone(),
                        period: match measure.quarter {
                            QuarterCounts::Sum => period_label(months[0], months[2]),
                            QuarterCounts::LastMonth => period_label(months[2], months[2]),
                        },
                        target: f.target,
                        phi: f.phi,
                        tau2: f.tau2,
                        z: f.z,
                        points: f
                            .points
                            .into_iter()
                            .zip(codes)
                            .map(|(p, trust)| FunnelPoint {
                                trust,
                                numerator: p.numerator,
                                denominator: p.denominator,
                                proportion: p.proportion,
                                limits: p.limits,
                                position: p.position,
                            })
                            .collect(),
                    }),
                    Err(e) => {
                        tracing::warn!(quarter = %q, measure = %measure.id, peer_group = %table.peer_group, "no funnel plot: {e}")
                    }
                }
            }
        }
    }
    charts
        .sort_by(|a, b| (a.quarter, &a.trust, &a.measure).cmp(&(b.quarter, &b.trust, &b.measure)));
    (funnels, charts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_step_back_across_a_year() {
        assert_eq!(previous((2025, 1)), (2024, 12));
        assert_eq!(previous((2025, 6)), (2025, 5));
        assert_eq!(period_label((2025, 4), (2025, 6)), "Apr-25 to Jun-25");
        assert_eq!(period_label((2025, 6), (2025, 6)), "Jun-25");
    }
}
