//! The national pack as plain tables: what every renderer (Excel, PDF, CSV, Parquet) draws from,
//! so the figures cannot disagree between them.

use std::collections::BTreeMap;

use league_model::{LeagueRow, LeagueTable, Methodology, Quarter, ScoreRun};

mod beside;
mod findings;
mod league;
mod metrics;
mod movement;
mod notes;
mod sensitivity;
mod types;

pub use beside::FunnelChart;
pub(crate) use beside::coverage as coverage_label;
use findings::key_findings;
pub(crate) use league::VERSUS_DP;
use league::{league_table, provenance, ranked_chart_data, segment_counts};
use metrics::metric_tables;
use movement::{extremes, movement_table};
use notes::{method_facts, notes};
pub use sensitivity::AlternativeSummary;
pub use types::*;

use crate::table::{Cell, Kind, PackTable, col};

/// Builds the pack for `quarter` from a scoring run.
pub fn build_pack(run: &ScoreRun, m: &Methodology, quarter: Quarter) -> NationalPack {
    let tables: Vec<&LeagueTable> = run.tables.iter().filter(|t| t.quarter == quarter).collect();
    let method = method_facts(run, m, &tables, quarter);
    // This run's quarters up to this one, and earlier releases' (the history store).
    let all_tables = || run.tables.iter().chain(&run.earlier);
    let mut history: Vec<Quarter> = all_tables()
        .map(|t| t.quarter)
        .filter(|q| *q <= quarter)
        .collect();
    history.sort();
    history.dedup();
    let previous_q = quarter.previous();
    let has_previous = history.contains(&previous_q);
    // (quarter, peer group, trust) → row, for the trend.
    let rows_of: BTreeMap<(Quarter, &str, &str), &LeagueRow> = all_tables()
        .filter(|t| history.contains(&t.quarter))
        .flat_map(|t| {
            t.rows
                .iter()
                .map(move |r| ((t.quarter, t.peer_group.as_str(), r.trust.code.as_str()), r))
        })
        .collect();

    let mut league = Vec::new();
    let mut basis = Vec::new();
    let mut movement = Vec::new();
    let mut segments = Vec::new();
    let mut charts = Vec::new();
    let mut largest_moves = Vec::new();
    let mut trend = Vec::new();
    for t in &tables {
        let group = m
            .peer_group(&t.peer_group)
            .expect("tables are for configured peer groups");
        let table_basis = Basis::of(t, m, run);
        league.push(league_table(t, group, m, &method, &table_basis));
        basis.push(table_basis);
        segments.push(segment_counts(t, group));
        charts.push(ranked_chart_data(run, t, group));
        if has_previous {
            let (table, moves, summary) =
                movement_table(t, group, quarter, previous_q, &history, &rows_of);
            largest_moves.extend(extremes(&moves));
            movement.push(table);
            trend.push(summary);
        }
    }

    let metrics = metric_tables(run, m, quarter, &tables);
    let (sensitivity_summary, sensitivity) =
        sensitivity::sensitivity_tables(run, m, quarter, &tables);
    let (statistics, funnel_charts) = beside::beside_tables(run, m, quarter, &tables);
    let provenance = provenance(run, quarter, &tables);
    let synthetic_values = provenance.iter().map(|p| p.synthetic).sum();
    let other_period_values = provenance.iter().map(|p| p.other_period).sum();
    let history_cuts = history
        .iter()
        .filter_map(|q| {
            run.cuts
                .iter()
                .find(|c| c.quarter == *q)
                .map(|c| (*q, c.cuts))
        })
        .collect();
    let earlier_from = run
        .earlier_from
        .iter()
        .filter(|(q, _)| history.contains(q))
        .cloned()
        .collect();
    // Every national table says its quarter in a column of its own, so its files stand alone
    // and stack across quarters.
    let [league, movement, metrics, sensitivity, statistics] =
        [league, movement, metrics, sensitivity, statistics].map(|ts| {
            ts.into_iter()
                .map(|t| with_quarter(t, quarter))
                .collect::<Vec<_>>()
        });
    let mut pack = NationalPack {
        quarter,
        previous: has_previous.then_some(previous_q),
        history,
        history_cuts,
        earlier_from,
        method,
        league,
        metrics,
        movement,
        sensitivity,
        sensitivity_summary,
        statistics,
        funnel_charts,
        segments,
        charts,
        largest_moves,
        trend,
        synthetic_values,
        other_period_values,
        provenance,
        basis,
        notes: Vec::new(),
        key_findings: Vec::new(),
    };
    pack.notes = notes(&pack);
    pack.key_findings = key_findings(&pack);
    pack
}

/// The table with a first column giving the quarter on every row.
fn with_quarter(mut t: PackTable, quarter: Quarter) -> PackTable {
    t.columns.insert(
        0,
        col(
            "Quarter",
            "quarter",
            Kind::Text,
            "",
            "The quarter the row is for, as NHS England writes it (\"Q1 2025/26\": April to June 2025).",
        ),
    );
    for row in &mut t.rows {
        row.insert(0, Cell::Text(quarter.to_string()));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::narrative::thousands;

    #[test]
    fn provenance_sentences_name_only_what_is_there() {
        let g = GroupProvenance {
            peer_group: "ambulance".into(),
            label: "Ambulance trust".into(),
            published: 0,
            real: 40,
            other_period: 3,
            synthetic: 0,
            deficit_not_known: 9,
            deficit_other_period: 1,
        };
        assert_eq!(
            g.sentence(),
            "Ambulance trusts: the averages rest on 43 metric scores, 40 computed here from the public statistics NHS England uses for the quarter, 3 from real publications for another period. The deficit status of 1 comes from a real publication for another period. No real source gives the deficit status of 9 of them: it shows as \"Not known\" and the financial override is not applied."
        );
        let s = GroupProvenance {
            peer_group: "acute".into(),
            label: "Acute trust".into(),
            published: 2495,
            real: 0,
            other_period: 0,
            synthetic: 1234567,
            deficit_not_known: 0,
            deficit_other_period: 0,
        };
        assert!(s.sentence().contains(
            "1,237,062 metric scores, 2,495 as NHS England published them, 1,234,567 synthetic"
        ));
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
    }
}
