//! Movement between quarters: the table of segment changes and its extremes.

use std::collections::BTreeMap;

use league_model::{LeagueRow, LeagueTable, Quarter};

use crate::narrative::quarter_key;
use crate::table::{
    Cell, Column, Kind, PackTable, Shorthand, col, trust_code_column, trust_name_column, yes_no,
};

use super::types::*;

/// The largest rise and the largest fall among `moves` (sorted by places gained), every trust
/// that ties for them, in trust code order for stable output.
pub(super) fn extremes(moves: &[Movement]) -> Vec<Movement> {
    let change = |x: &Movement| i64::from(x.now) - i64::from(x.before);
    let mut out = Vec::new();
    if let Some(best) = moves.first().map(change).filter(|c| *c < 0) {
        out.extend(moves.iter().filter(|x| change(x) == best).cloned());
    }
    if let Some(worst) = moves.last().map(change).filter(|c| *c > 0) {
        out.extend(moves.iter().filter(|x| change(x) == worst).cloned());
    }
    out
}

/// The movement table of one peer group: segment and rank in every quarter of the history,
/// then the change since the previous quarter. Also returns the moves, sorted by places
/// gained (largest rise first), and the group's counts.
pub(super) fn movement_table(
    t: &LeagueTable,
    group: &league_model::PeerGroup,
    quarter: Quarter,
    previous_q: Quarter,
    history: &[Quarter],
    rows_of: &BTreeMap<(Quarter, &str, &str), &LeagueRow>,
) -> (PackTable, Vec<Movement>, TrendSummary) {
    let columns = movement_columns(quarter, previous_q, history);
    let mut rows = Vec::new();
    let mut moves = Vec::new();
    let mut summary = TrendSummary {
        label: group.label.clone(),
        previous: previous_q,
        compared: 0,
        moved: 0,
        significant: 0,
        segment_changed: 0,
    };
    for r in &t.rows {
        let mut v = history_cells(t, r, history, rows_of);
        let range = |x: &LeagueRow| format!("{} to {}", x.rank_range.low, x.rank_range.high);
        match rows_of.get(&(previous_q, t.peer_group.as_str(), r.trust.code.as_str())) {
            Some(p) => {
                let moved = p.rank != r.rank;
                let significant = moved
                    && (r.rank_range.high < p.rank_range.low
                        || r.rank_range.low > p.rank_range.high);
                summary.compared += 1;
                summary.moved += u32::from(moved);
                summary.significant += u32::from(significant);
                summary.segment_changed += u32::from(p.segment != r.segment);
                v.extend([
                    Cell::Int(i64::from(p.rank) - i64::from(r.rank)),
                    Cell::Text(range(p)),
                    Cell::Text(range(r)),
                    if moved {
                        yes_no(significant)
                    } else {
                        Cell::Text("No change".to_owned())
                    },
                ]);
                moves.push(Movement {
                    group: group.label.clone(),
                    code: r.trust.code.to_string(),
                    name: r.trust.name.clone(),
                    before: p.rank,
                    now: r.rank,
                    significant,
                });
            }
            None => v.extend([
                Cell::Missing(Shorthand::NotAvailable),
                Cell::Missing(Shorthand::NotAvailable),
                Cell::Text(range(r)),
                Cell::Missing(Shorthand::NotApplicable),
            ]),
        }
        rows.push(v);
    }
    moves.sort_by_key(|x| (i64::from(x.now) - i64::from(x.before), x.code.clone()));
    let table = PackTable {
        id: format!("movement_{}", group.id),
        notes: Vec::new(),
        sheet: truncate_sheet(&format!("Movement {}", group.short_label)),
        title: format!(
            "Segment and rank over time: {}s, {} to {}, England",
            group.label.to_lowercase(),
            history.first().copied().unwrap_or(quarter),
            quarter
        ),
        description: format!(
            "Segment and rank of each {} in every quarter of the release, and its movement since {}.",
            group.label.to_lowercase(),
            previous_q
        ),
        columns,
        rows,
    };
    (table, moves, summary)
}

/// The movement table's columns: trust, then segment, segment before the override and rank in
/// every quarter of the history, then the change since the previous quarter.
fn movement_columns(quarter: Quarter, previous_q: Quarter, history: &[Quarter]) -> Vec<Column> {
    let mut columns = vec![trust_code_column(), trust_name_column()];
    for q in history {
        columns.push(col(
            &format!("Segment {q}"),
            &format!("segment_{}", quarter_key(*q)),
            Kind::Integer,
            "",
            &format!("Segment (1 to 4, after the financial override) in {q}."),
        ));
        columns.push(col(
            &format!("Segment before the financial override {q}"),
            &format!("before_override_{}", quarter_key(*q)),
            Kind::Integer,
            "",
            &format!("Segment the average gave in {q} before the financial override."),
        ));
        columns.push(col(
            &format!("Rank {q}"),
            &format!("rank_{}", quarter_key(*q)),
            Kind::Integer,
            "",
            &format!("League rank in {q}."),
        ));
    }
    columns.extend([
        col(
            &format!("Places gained since {previous_q}"),
            "places_gained",
            Kind::Integer,
            "places",
            "Previous rank minus current rank: positive is a rise.",
        ),
        col(
            &format!("Likely range of rank {previous_q}"),
            "rank_likely_previous",
            Kind::Text,
            "",
            "Likely range of rank in the previous quarter.",
        ),
        col(
            &format!("Likely range of rank {quarter}"),
            "rank_likely_now",
            Kind::Text,
            "",
            "Likely range of rank in this quarter.",
        ),
        col(
            "Significant change",
            "significant",
            Kind::Text,
            "",
            "Yes when the two quarters' likely ranges of rank do not overlap; No when they overlap; No change when the rank did not change.",
        ),
    ]);
    columns
}

/// A trust's code and name, then its segment, segment before the override and rank in every
/// quarter of the history ([x] where it has no row).
fn history_cells(
    t: &LeagueTable,
    r: &LeagueRow,
    history: &[Quarter],
    rows_of: &BTreeMap<(Quarter, &str, &str), &LeagueRow>,
) -> Vec<Cell> {
    let mut v = vec![
        Cell::Text(r.trust.code.to_string()),
        Cell::Text(r.trust.name.clone()),
    ];
    for q in history {
        match rows_of.get(&(*q, t.peer_group.as_str(), r.trust.code.as_str())) {
            Some(x) => {
                v.push(Cell::Int(i64::from(x.segment)));
                v.push(Cell::Int(i64::from(x.unadjusted_segment)));
                v.push(Cell::Int(i64::from(x.rank)));
            }
            None => v.extend([
                Cell::Missing(Shorthand::NotAvailable),
                Cell::Missing(Shorthand::NotAvailable),
                Cell::Missing(Shorthand::NotAvailable),
            ]),
        }
    }
    v
}
