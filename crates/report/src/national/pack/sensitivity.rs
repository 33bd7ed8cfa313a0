//! What the method's choices do to the segments: one summary row per alternative and, beside
//! it, every trust's segment and rank under each, so a reader (and `league check`) can count the
//! changes again from the written file.

use std::collections::BTreeMap;

use league_model::{Alternative, LeagueRow, LeagueTable, Methodology, Quarter, ScoreRun};

use crate::table::{Cell, DP, Kind, PackTable, col, dec, trust_code_column, trust_name_column};

/// What one alternative does to a quarter's trusts.
#[derive(Debug, Clone, PartialEq)]
pub struct AlternativeSummary {
    /// Alternative id.
    pub id: String,
    /// What changes.
    pub label: String,
    /// Trusts with a segment under the alternative.
    pub compared: u32,
    /// Trusts whose segment differs from the published table's.
    pub changing: Vec<String>,
    /// Of those, by peer group id.
    pub changing_by_group: Vec<(String, u32)>,
    /// Moved to a better segment.
    pub better: u32,
    /// Moved to a worse segment.
    pub worse: u32,
    /// Mean absolute change of league rank.
    pub mean_rank_change: f64,
    /// Largest absolute change of league rank.
    pub largest_rank_change: u32,
}

/// Each alternative of `quarter` against the published tables, in the run's order.
pub(super) fn summaries<'a>(
    run: &'a ScoreRun,
    m: &Methodology,
    quarter: Quarter,
    tables: &[&LeagueTable],
) -> Vec<(AlternativeSummary, &'a Alternative)> {
    let official: BTreeMap<&str, &LeagueRow> = tables
        .iter()
        .flat_map(|t| t.rows.iter().map(|r| (r.trust.code.as_str(), r)))
        .collect();
    run.sensitivity
        .iter()
        .filter(|a| a.quarter == quarter)
        .map(|a| {
            let mut changing = Vec::new();
            let (mut better, mut worse, mut total, mut largest) = (0, 0, 0u64, 0u32);
            let mut by_group: BTreeMap<&str, u32> = BTreeMap::new();
            for o in &a.outcomes {
                let Some(r) = official.get(o.trust.as_str()) else {
                    continue;
                };
                if o.segment != r.segment {
                    changing.push(o.trust.to_string());
                    *by_group.entry(o.peer_group.as_str()).or_default() += 1;
                    if o.segment < r.segment {
                        better += 1;
                    } else {
                        worse += 1;
                    }
                }
                let d = o.rank.abs_diff(r.rank);
                total += u64::from(d);
                largest = largest.max(d);
            }
            let compared = a.outcomes.len() as u32;
            let changing_by_group = m
                .peer_groups
                .iter()
                .filter(|g| tables.iter().any(|t| t.peer_group == g.id))
                .map(|g| {
                    (
                        g.id.clone(),
                        by_group.get(g.id.as_str()).copied().unwrap_or(0),
                    )
                })
                .collect();
            (
                AlternativeSummary {
                    id: a.id.clone(),
                    label: a.label.clone(),
                    compared,
                    changing,
                    changing_by_group,
                    better,
                    worse,
                    mean_rank_change: if compared == 0 {
                        0.0
                    } else {
                        total as f64 / f64::from(compared)
                    },
                    largest_rank_change: largest,
                },
                a,
            )
        })
        .collect()
}

/// The summary table and the per-trust table.
pub(super) fn sensitivity_tables(
    run: &ScoreRun,
    m: &Methodology,
    quarter: Quarter,
    tables: &[&LeagueTable],
) -> (Vec<AlternativeSummary>, Vec<PackTable>) {
    let rows = summaries(run, m, quarter, tables);
    if rows.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let groups: Vec<(String, String)> = rows[0]
        .0
        .changing_by_group
        .iter()
        .map(|(g, _)| {
            let label = m
                .peer_group(g)
                .map_or_else(|| g.clone(), |p| p.label.clone());
            (g.clone(), label)
        })
        .collect();
    let mut columns = vec![
        col(
            "Alternative id",
            "alternative_id",
            Kind::Text,
            "",
            "Stable id of the alternative (no_override, drop_<score id>, equal_domain_weights, quartiles_within_peer_group, fixed_thresholds, quartiles_of_input).",
        ),
        col(
            "Alternative",
            "alternative",
            Kind::Text,
            "",
            "What is changed from NHS England's method; everything else is as published.",
        ),
        col(
            "Cut-points",
            "cut_points",
            Kind::Text,
            "",
            "The segment cut-points the alternative uses.",
        ),
        col(
            "Trusts compared",
            "trusts_compared",
            Kind::Integer,
            "count",
            "Trusts with an average under the alternative.",
        ),
        col(
            "Trusts changing segment",
            "trusts_changing_segment",
            Kind::Integer,
            "count",
            "Trusts whose segment (1 to 4, after the financial override unless the alternative drops it) differs from the published table's.",
        ),
    ];
    for (g, label) in &groups {
        columns.push(col(
            &format!("{label}s changing segment"),
            &format!("changing_{g}"),
            Kind::Integer,
            "count",
            &format!("Of the trusts changing segment, {}s.", label.to_lowercase()),
        ));
    }
    columns.extend([
        col("To a better segment", "to_better_segment", Kind::Integer, "count", "Trusts the alternative puts in a better segment."),
        col("To a worse segment", "to_worse_segment", Kind::Integer, "count", "Trusts the alternative puts in a worse segment."),
        col("Mean rank change", "mean_rank_change", Kind::Decimal(DP), "places", "Mean absolute change of league rank within the peer group over the trusts compared (as COINr's remove_elements reports)."),
        col("Largest rank change", "largest_rank_change", Kind::Integer, "places", "Largest absolute change of league rank within the peer group."),
        col("Trusts changing segment (codes)", "trusts_changing", Kind::Text, "", "ODS codes of the trusts changing segment, separated by semicolons."),
    ]);
    let summary = PackTable {
        id: "sensitivity".into(),
        sheet: "Sensitivity".into(),
        title: format!("Sensitivity of the segments to the method's choices, {quarter}, England"),
        description: "How many trusts change segment, and how far ranks move, when one choice of the method is made differently.".into(),
        notes: vec![
            "Statistics beside the league tables: they change no published segment or rank. Metric scores are as published; each alternative recomputes the averages it changes, the cut-points, the override and the league order.".into(),
            "Alternatives that change the averages cut at quartiles recomputed from their own averages; the row \"Cut-points recomputed as quartiles of this input's averages\", where present, shows what recomputing the cut-points alone changes.".into(),
        ],
        columns,
        rows: rows
            .iter()
            .map(|(s, a)| {
                let mut v = vec![
                    Cell::Text(s.id.clone()),
                    Cell::Text(s.label.clone()),
                    Cell::Text(a.cuts.clone()),
                    Cell::Int(i64::from(s.compared)),
                    Cell::Int(s.changing.len() as i64),
                ];
                v.extend(s.changing_by_group.iter().map(|(_, n)| Cell::Int(i64::from(*n))));
                v.extend([
                    Cell::Int(i64::from(s.better)),
                    Cell::Int(i64::from(s.worse)),
                    dec(s.mean_rank_change),
                    Cell::Int(i64::from(s.largest_rank_change)),
                    Cell::Text(s.changing.join("; ")),
                ]);
                v
            })
            .collect(),
    };
    let trusts = trusts_table(&rows, quarter, tables);
    (
        rows.into_iter().map(|(s, _)| s).collect(),
        vec![summary, trusts],
    )
}

/// Every trust under every alternative, beside its published segment, rank and average.
fn trusts_table(
    rows: &[(AlternativeSummary, &Alternative)],
    quarter: Quarter,
    tables: &[&LeagueTable],
) -> PackTable {
    let official: BTreeMap<&str, &LeagueRow> = tables
        .iter()
        .flat_map(|t| t.rows.iter().map(|r| (r.trust.code.as_str(), r)))
        .collect();
    PackTable {
        id: "sensitivity_trusts".into(),
        sheet: "Sensitivity by trust".into(),
        title: format!("Segment and rank of every trust under each alternative, {quarter}, England"),
        description: "Each trust's published segment, rank and average beside those under each alternative of the sensitivity table.".into(),
        notes: vec!["The sensitivity table's counts are counted from these rows.".into()],
        columns: vec![
            col("Alternative id", "alternative_id", Kind::Text, "", "The alternative, as in the sensitivity table."),
            col("Peer group", "peer_group", Kind::Text, "", "League-table peer group id."),
            trust_code_column(),
            trust_name_column(),
            col("Segment", "segment", Kind::Integer, "", "Published segment 1 to 4 (after the financial override)."),
            col("Segment before the financial override", "segment_before_override", Kind::Integer, "", "Segment the published average gives before the override."),
            col("In financial deficit", "financial_deficit", Kind::Text, "", "Yes, No or Not known, as in the league table."),
            col("Rank", "rank", Kind::Integer, "", "Published league rank within the peer group."),
            col("Average metric score", "average_score", Kind::Decimal(DP), "score 1 to 4", "Published average."),
            col("Average under the alternative", "alternative_average", Kind::Decimal(DP), "score 1 to 4", "The average the alternative gives."),
            col("Segment under the alternative", "alternative_segment", Kind::Integer, "", "The segment the alternative gives."),
            col("Rank under the alternative", "alternative_rank", Kind::Integer, "", "League rank within the peer group under the alternative (segment, then average)."),
        ],
        rows: rows
            .iter()
            .flat_map(|(_, a)| {
                a.outcomes.iter().filter_map(|o| {
                    let r = official.get(o.trust.as_str())?;
                    Some(vec![
                        Cell::Text(a.id.clone()),
                        Cell::Text(o.peer_group.clone()),
                        Cell::Text(o.trust.to_string()),
                        Cell::Text(r.trust.name.clone()),
                        Cell::Int(i64::from(r.segment)),
                        Cell::Int(i64::from(r.unadjusted_segment)),
                        Cell::Text(r.deficit_label().to_owned()),
                        Cell::Int(i64::from(r.rank)),
                        dec(r.average),
                        dec(o.average),
                        Cell::Int(i64::from(o.segment)),
                        Cell::Int(i64::from(o.rank)),
                    ])
                })
            })
            .collect(),
    }
}
