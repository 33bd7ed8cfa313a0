//! The funnel plots and SPC charts as pack tables (every figure from the scoring run): one
//! table per funnel, a summary of every trust's SPC chart, and every chart's points.

use std::collections::BTreeMap;

use league_model::number::round_dp;
use league_model::{FunnelPlot, LeagueTable, Methodology, Quarter, ScoreRun, SpcSeries};

use crate::table::{Cell, Kind, PackTable, Shorthand, col, trust_code_column, trust_name_column};

/// Places of the SPC values, limits and means: enough that `league check` can re-derive each
/// point's rules from the written series.
pub(crate) const SPC_DP: u8 = 4;
/// Places of τ².
const TAU_DP: u8 = 8;
/// Places of φ.
const PHI_DP: u8 = 4;

fn at(v: f64, dp: u8) -> Cell {
    Cell::Num(round_dp(v, u32::from(dp)) + 0.0)
}

/// Two-sided coverage of a z value, as a label: 1.959964 → "95%", 3.090232 → "99.8%".
pub(crate) fn coverage(z: f64) -> String {
    // Abramowitz and Stegun 7.1.26, |error| < 1.5e-7: plenty for one decimal of a percentage.
    let x = z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let pct = 100.0 * (1.0 - poly * (-x * x).exp());
    let r = round_dp(pct, 1);
    if r.fract() == 0.0 {
        format!("{r:.0}%")
    } else {
        format!("{r:.1}%")
    }
}

/// What the PDF draws for one funnel: the measure, group and every figure from the run.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelChart {
    /// The table it draws (its id).
    pub table: String,
    /// Measure id.
    pub measure: String,
    /// Measure name.
    pub name: String,
    /// Peer group label ("Acute trust").
    pub group: String,
    /// The publication the counts come from.
    pub source: String,
    /// Whether higher is better.
    pub higher_is_better: bool,
    /// The run's funnel.
    pub plot: FunnelPlot,
    /// Trust names by code, for the outliers named.
    pub names: BTreeMap<String, String>,
}

/// Funnel tables (one per funnel) and their charts, the SPC summary and series tables.
pub(super) fn beside_tables(
    run: &ScoreRun,
    m: &Methodology,
    quarter: Quarter,
    tables: &[&LeagueTable],
) -> (Vec<PackTable>, Vec<FunnelChart>) {
    let names: BTreeMap<String, String> = tables
        .iter()
        .flat_map(|t| {
            t.rows
                .iter()
                .map(|r| (r.trust.code.to_string(), r.trust.name.clone()))
        })
        .collect();
    let mut out = Vec::new();
    let mut charts = Vec::new();
    for f in run.funnels.iter().filter(|f| f.quarter == quarter) {
        let Some(measure) = m.statistics.measures.iter().find(|x| x.id == f.measure) else {
            continue;
        };
        let group = m
            .peer_group(&f.peer_group)
            .map_or_else(|| f.peer_group.clone(), |g| g.label.clone());
        let id = format!("funnel_{}_{}", f.measure.to_lowercase(), f.peer_group);
        let (inner, outer) = (coverage(f.z[0]), coverage(f.z[1]));
        let pct = |v: f64| at(100.0 * v, 2);
        out.push(PackTable {
            id: id.clone(),
            sheet: format!("Funnel {} {}", f.measure, short(&f.peer_group)),
            title: format!("Funnel plot data: {} ({}), {}s, {}, England", measure.name, f.measure, group.to_lowercase(), f.period),
            description: format!("Each trust's counts, percentage and {inner} and {outer} funnel limits for {} against its peer group.", measure.name),
            notes: vec![
                format!("Counts from {}, {}: computed here from the publication, not NHS England's NOF value, which may be defined or timed differently.", measure.source, f.period),
                format!("Limits: arcsine square-root transform, target the peer group's pooled percentage ({:.2}%), z-scores winsorised at {}% each tail, over-dispersion φ = {:.4}, τ² = {:.8}{}.", 100.0 * f.target, round_dp(100.0 * m.statistics.funnel.winsorise, 1), f.phi, f.tau2, if f.tau2 > 0.0 { " (limits widened by the random-effects τ², Spiegelhalter 2005)" } else { " (no over-dispersion beyond chance: limits unadjusted)" }),
                "No adjustment for case mix: a trust outside the limits is a prompt to ask why, not a verdict. A statistic beside the league tables: it changes no segment or rank.".to_owned(),
            ],
            columns: vec![
                col("Measure id", "measure_id", Kind::Text, "", "The measure (its NOF value id)."),
                col("Peer group", "peer_group", Kind::Text, "", "League-table peer group id."),
                trust_code_column(),
                trust_name_column(),
                col("Numerator", "numerator", Kind::Integer, "count", "Events meeting the measure in the period (attendances within 4 hours, patients treated within the standard...)."),
                col("Denominator", "denominator", Kind::Integer, "count", "All events in the period."),
                col("Percentage", "percentage", Kind::Decimal(2), "per cent", "100 × numerator ÷ denominator."),
                col(&format!("Lower {inner} limit"), "lower_inner", Kind::Decimal(2), "per cent", &format!("Lower {inner} funnel limit at the trust's denominator.")),
                col(&format!("Upper {inner} limit"), "upper_inner", Kind::Decimal(2), "per cent", &format!("Upper {inner} funnel limit at the trust's denominator.")),
                col(&format!("Lower {outer} limit"), "lower_outer", Kind::Decimal(2), "per cent", &format!("Lower {outer} funnel limit.")),
                col(&format!("Upper {outer} limit"), "upper_outer", Kind::Decimal(2), "per cent", &format!("Upper {outer} funnel limit.")),
                col(&format!("Against the {inner} limits"), "position_inner", Kind::Text, "", "Above, Within or Below (on a limit is within)."),
                col(&format!("Against the {outer} limits"), "position_outer", Kind::Text, "", "Above, Within or Below."),
                col("Target", "target", Kind::Decimal(2), "per cent", "The peer group's pooled percentage, 100 × Σ numerators ÷ Σ denominators."),
                col("Over-dispersion φ", "phi", Kind::Decimal(PHI_DP), "", "Mean of the winsorised squared z-scores."),
                col("Between-trust variance τ²", "tau2", Kind::Decimal(TAU_DP), "", "Added to each trust's variance on the arcsine square-root scale; 0 when φ shows no over-dispersion."),
                col("z of the inner limits", "z_inner", Kind::Decimal(6), "", "Two-sided z of the inner limits."),
                col("z of the outer limits", "z_outer", Kind::Decimal(6), "", "Two-sided z of the outer limits."),
            ],
            rows: f
                .points
                .iter()
                .map(|p| {
                    vec![
                        Cell::Text(f.measure.clone()),
                        Cell::Text(f.peer_group.clone()),
                        Cell::Text(p.trust.to_string()),
                        Cell::Text(names.get(p.trust.as_str()).cloned().unwrap_or_default()),
                        Cell::Int(p.numerator.round() as i64),
                        Cell::Int(p.denominator.round() as i64),
                        pct(p.proportion),
                        pct(p.limits[0].0),
                        pct(p.limits[0].1),
                        pct(p.limits[1].0),
                        pct(p.limits[1].1),
                        Cell::Text(p.position[0].label().to_owned()),
                        Cell::Text(p.position[1].label().to_owned()),
                        pct(f.target),
                        at(f.phi, PHI_DP),
                        at(f.tau2, TAU_DP),
                        at(f.z[0], 6),
                        at(f.z[1], 6),
                    ]
                })
                .collect(),
        });
        charts.push(FunnelChart {
            table: id,
            measure: f.measure.clone(),
            name: measure.name.clone(),
            group,
            source: measure.source.clone(),
            higher_is_better: measure.direction == league_model::Direction::HigherIsBetter,
            plot: f.clone(),
            names: names.clone(),
        });
    }
    let series: Vec<&SpcSeries> = run.spc.iter().filter(|s| s.quarter == quarter).collect();
    if !series.is_empty() {
        out.push(spc_summary(&series, m, &names));
        out.push(spc_points(&series));
    }
    (out, charts)
}

fn short(group: &str) -> &str {
    match group {
        "mh_community" => "MH",
        "ambulance" => "amb",
        other => other,
    }
}

fn month(m: (u16, u8)) -> String {
    format!("{}-{:02}", m.0, m.1)
}

/// Every trust's chart in one row: months, points, trial or not, the latest point, its icons.
fn spc_summary(
    series: &[&SpcSeries],
    m: &Methodology,
    names: &BTreeMap<String, String>,
) -> PackTable {
    let dp = SPC_DP;
    PackTable {
        id: "spc_summary".into(),
        sheet: "SPC summary".into(),
        title: "Statistical process control: each trust's monthly series, England".into(),
        description: "For each trust and measure with monthly counts: the months charted, the latest value, Making Data Count's variation and assurance icons.".into(),
        notes: vec![
            format!("XmR charts as Making Data Count draws them: limits at the mean ± {} × the average moving range (moving ranges of {} × the average or more left out), from at most the latest {} months up to the quarter's last month; fewer than {} points give trial limits, and a series of fewer than {} contiguous months is not charted. Rules: a point beyond the limits, a run of {} on one side of the mean, a trend of {}, two of three beyond two sigma ({}).",
                m.statistics.spc.limit_factor, m.statistics.spc.screen_factor, m.statistics.spc.months, m.statistics.spc.minimum_points, m.statistics.spc.minimum_chart_points, m.statistics.spc.run_length, m.statistics.spc.trend_length,
                match m.statistics.spc.two_of_three { league_model::TwoOfThree::BeyondTwoSigma => "every point beyond two sigma counts, as revised by Making Data Count in November 2023", league_model::TwoOfThree::BetweenTwoAndThreeSigma => "only points between two sigma and the limits count" }),
            "Values computed here from NHS England's monthly publications, not NHS England's NOF values. A statistic beside the league tables: it changes no segment or rank.".into(),
        ],
        columns: vec![
            trust_code_column(),
            trust_name_column(),
            col("Measure id", "measure_id", Kind::Text, "", "The measure (its NOF value id)."),
            col("Measure", "measure", Kind::Text, "", "What it counts."),
            col("First month", "first_month", Kind::Text, "", "First month charted (YYYY-MM)."),
            col("Last month", "last_month", Kind::Text, "", "Last month charted: the quarter's last."),
            col("Points", "points", Kind::Integer, "months", "Months charted."),
            col("Trial limits", "trial_limits", Kind::Text, "", "Yes when fewer months than Making Data Count needs for settled limits."),
            col("Latest value", "latest_value", Kind::Decimal(dp), "", "The last month's value (per cent, or minutes for a mean)."),
            col("Mean", "mean", Kind::Decimal(dp), "", "Centre line."),
            col("Lower process limit", "lower_limit", Kind::Decimal(dp), "", "Mean − limit factor × average moving range."),
            col("Upper process limit", "upper_limit", Kind::Decimal(dp), "", "Mean + limit factor × average moving range."),
            col("Variation (latest month)", "variation", Kind::Text, "", "Common cause variation, or special cause improvement or concern, by the metric's direction."),
            col("Standard", "standard", Kind::Decimal(dp), "", "The operational standard the assurance compares with."),
            col("Assurance", "assurance", Kind::Text, "", "Consistently passing, consistently failing or hit and miss against the standard; [z] where the measure has none."),
        ],
        rows: series
            .iter()
            .map(|s| {
                let measure = m.statistics.measures.iter().find(|x| x.id == s.measure);
                vec![
                    Cell::Text(s.trust.to_string()),
                    Cell::Text(names.get(s.trust.as_str()).cloned().unwrap_or_default()),
                    Cell::Text(s.measure.clone()),
                    Cell::Text(measure.map(|x| x.name.clone()).unwrap_or_default()),
                    Cell::Text(month(s.months[0])),
                    Cell::Text(month(*s.months.last().expect("a chart has points"))),
                    Cell::Int(s.values.len() as i64),
                    Cell::Text(if s.trial { "Yes" } else { "No" }.into()),
                    at(*s.values.last().expect("points"), dp),
                    at(s.mean, dp),
                    at(s.limits.0, dp),
                    at(s.limits.1, dp),
                    Cell::Text(s.variation.label().into()),
                    measure.and_then(|x| x.standard).map_or(Cell::Missing(Shorthand::NotApplicable), |v| at(v, dp)),
                    s.assurance.map_or(Cell::Missing(Shorthand::NotApplicable), |a| Cell::Text(a.label().into())),
                ]
            })
            .collect(),
    }
}

/// Every point of every chart, with the rules it is part of.
fn spc_points(series: &[&SpcSeries]) -> PackTable {
    let dp = SPC_DP;
    PackTable {
        id: "spc_series".into(),
        sheet: "SPC series".into(),
        title: "Statistical process control: every month charted, England".into(),
        description: "Each point of each trust's SPC chart with its limits and the special-cause rules it is part of.".into(),
        notes: vec!["`league check` re-derives the limits and every point's rules from these rows.".into()],
        columns: vec![
            trust_code_column(),
            col("Measure id", "measure_id", Kind::Text, "", "The measure."),
            col("Month", "month", Kind::Text, "", "YYYY-MM."),
            col("Value", "value", Kind::Decimal(dp), "", "The month's value (per cent, or minutes for a mean)."),
            col("Mean", "mean", Kind::Decimal(dp), "", "Centre line of the chart."),
            col("Lower process limit", "lower_limit", Kind::Decimal(dp), "", "Lower process limit."),
            col("Upper process limit", "upper_limit", Kind::Decimal(dp), "", "Upper process limit."),
            col("Lower two sigma", "lower_two_sigma", Kind::Decimal(dp), "", "Mean − ⅔ × (upper limit − mean)."),
            col("Upper two sigma", "upper_two_sigma", Kind::Decimal(dp), "", "Mean + ⅔ × (upper limit − mean)."),
            col("Special-cause rules", "rules", Kind::Text, "", "The rules the point is part of (outside limits; run; trend; two of three beyond two sigma), or none."),
        ],
        rows: series
            .iter()
            .flat_map(|s| {
                s.months.iter().zip(&s.values).zip(&s.rules).map(move |((mo, v), r)| {
                    let rules = r.label();
                    vec![
                        Cell::Text(s.trust.to_string()),
                        Cell::Text(s.measure.clone()),
                        Cell::Text(month(*mo)),
                        at(*v, dp),
                        at(s.mean, dp),
                        at(s.limits.0, dp),
                        at(s.limits.1, dp),
                        at(s.two_sigma.0, dp),
                        at(s.two_sigma.1, dp),
                        Cell::Text(if rules.is_empty() { "none".into() } else { rules }),
                    ]
                })
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_of_the_configured_z_values() {
        assert_eq!(coverage(1.959964), "95%");
        assert_eq!(coverage(3.090232), "99.8%");
    }
}
