//! The metric tables: each metric's values and scores by peer group.

use std::collections::BTreeMap;

use league_model::{LeagueTable, Methodology, MetricScore, MetricStatus, Quarter, ScoreRun};

use crate::table::{
    Cell, DP, Kind, PackTable, Shorthand, col, dec, dec_or, trust_code_column, trust_name_column,
    value_cell,
};

use super::types::*;

pub(super) fn metric_tables(
    run: &ScoreRun,
    m: &Methodology,
    quarter: Quarter,
    tables: &[&LeagueTable],
) -> Vec<PackTable> {
    let trust_of: BTreeMap<&str, &league_model::TrustInQuarter> = tables
        .iter()
        .flat_map(|t| t.rows.iter().map(|r| (r.trust.code.as_str(), &r.trust)))
        .collect();
    let label_of: BTreeMap<&str, &str> = m
        .peer_groups
        .iter()
        .map(|g| (g.id.as_str(), g.label.as_str()))
        .collect();
    let mut by_metric: BTreeMap<&str, Vec<&MetricScore>> = BTreeMap::new();
    for s in run.metric_scores.iter().filter(|s| s.quarter == quarter) {
        if trust_of.contains_key(s.trust.as_str()) {
            by_metric.entry(s.metric_id.as_str()).or_default().push(s);
        }
    }
    let mut out = Vec::new();
    for metric in m
        .metrics
        .iter()
        .filter(|x| x.status == MetricStatus::Scored)
    {
        let Some(scores) = by_metric.get(metric.id.as_str()) else {
            continue;
        };
        let unit = if metric.unit == "%" {
            "per cent".to_owned()
        } else {
            metric.shown_unit().to_owned()
        };
        // A metric NHS England publishes only as a score has no value, median or quartiles.
        let no_value = if metric.value_id.is_none() {
            Shorthand::NotApplicable
        } else {
            Shorthand::NotAvailable
        };
        // A count's values are whole numbers (a column of them, when every value is one).
        let whole = metric.value_dp == 0
            && scores
                .iter()
                .all(|s| s.value.is_none_or(|v| v.fract() == 0.0));
        let mut rows: Vec<(String, u32, String, Vec<Cell>)> = scores
            .iter()
            .map(|s| {
                let t = trust_of[s.trust.as_str()];
                let group = label_of.get(t.peer_group.as_str()).copied().unwrap_or("");
                let rank = s.value_rank.unwrap_or(s.score_rank);
                let spread = s.peer_spread;
                (
                    group.to_owned(),
                    rank,
                    t.code.to_string(),
                    vec![
                        Cell::Text(group.to_owned()),
                        Cell::Int(i64::from(rank)),
                        Cell::Text(t.code.to_string()),
                        Cell::Text(t.name.clone()),
                        value_cell(s.value, whole, no_value),
                        dec(s.score),
                        dec_or(spread.map(|q| q.median), no_value),
                        dec_or(spread.map(|q| q.lower_quartile), no_value),
                        dec_or(spread.map(|q| q.upper_quartile), no_value),
                        Cell::Text(s.data_provenance.label().to_owned()),
                    ],
                )
            })
            .collect();
        rows.sort_by(|a, b| (&a.0, a.1, &a.2).cmp(&(&b.0, b.1, &b.2)));
        let unit_header = if unit.is_empty() {
            String::new()
        } else {
            format!(" ({unit})")
        };
        let value_meaning = match &metric.value_id {
            Some(id) => format!("The metric's value ({id})."),
            None => "NHS England publishes this metric as a score only: no value, median or quartiles apply.".to_owned(),
        };
        out.push(PackTable {
            notes: metric
                .unit_note
                .iter()
                .map(|n| format!("Unit: {n}."))
                .collect(),
            id: format!("metric_{}", metric.id.to_lowercase()),
            sheet: truncate_sheet(&format!("Metric {}", metric.id)),
            title: format!("{} ({}), {}, England", metric.name, metric.id, quarter),
            description: format!(
                "Each trust's value, score and rank within its peer group for {}.",
                metric.name
            ),
            columns: vec![
                col("Peer group", "peer_group", Kind::Text, "", "League-table peer group."),
                col("Rank in peer group", "rank", Kind::Integer, "", "Rank of the value within the peer group (best first; by score where no value is published)."),
                trust_code_column(),
                trust_name_column(),
                col(&format!("Value{unit_header}"), "value", if whole { Kind::Integer } else { Kind::Decimal(DP) }, &unit, &value_meaning),
                col("Score", "score", Kind::Decimal(DP), "score 1 to 4", "The metric score in the trust's average, 1 (best) to 4."),
                col(&format!("Peer group median{unit_header}"), "peer_median", Kind::Decimal(DP), &unit, "Median of the values in the trust's peer group."),
                col(&format!("Peer group lower quartile{unit_header}"), "peer_lower_quartile", Kind::Decimal(DP), &unit, "Lower quartile (25th percentile, linear) of the values in the peer group."),
                col(&format!("Peer group upper quartile{unit_header}"), "peer_upper_quartile", Kind::Decimal(DP), &unit, "Upper quartile (75th percentile, linear) of the values in the peer group."),
                col("Data provenance", "data_provenance", Kind::Text, "", "published, real, real_other_period or synthetic: where the input comes from."),
            ],
            rows: rows.into_iter().map(|r| r.3).collect(),
        });
    }
    out
}
