//! The validation outputs written beside a run's results: the quarantine file (one row per
//! failing cell) and the per-source summary.

use crate::{Breach, RowError, SourceSummary};
use league_model::text::escape_formula;

/// Quarantine CSV columns.
pub const QUARANTINE_COLUMNS: [&str; 6] =
    ["source_file", "line", "column", "value", "rule", "message"];

/// Summary CSV columns.
pub const SUMMARY_COLUMNS: [&str; 10] = [
    "source_file",
    "format",
    "rows_read",
    "accepted",
    "quarantined",
    "excluded",
    "remapped_to_successor",
    "values_produced",
    "queried",
    "threshold_breaches",
];

fn to_csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(header).expect("in memory");
    for r in rows {
        w.write_record(r.iter().map(|c| escape_formula(c)))
            .expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8")
}

/// The quarantine file: every finding, in file then line order.
pub fn quarantine_csv(findings: &[RowError]) -> String {
    let mut sorted: Vec<&RowError> = findings.iter().collect();
    sorted.sort_by(|a, b| (&a.file, a.line, &a.column).cmp(&(&b.file, b.line, &b.column)));
    to_csv(
        &QUARANTINE_COLUMNS,
        sorted.into_iter().map(|f| {
            vec![
                f.file.clone(),
                f.line.to_string(),
                f.column.clone(),
                f.value.clone(),
                f.rule.code().to_owned(),
                f.reason.clone(),
            ]
        }),
    )
}

/// The per-source summary, with each source's threshold breaches.
pub fn summary_csv(sources: &[(SourceSummary, Vec<Breach>)]) -> String {
    to_csv(
        &SUMMARY_COLUMNS,
        sources.iter().map(|(s, breaches)| {
            let excluded: Vec<String> = s
                .excluded
                .iter()
                .map(|(k, n)| format!("{}={n}", k.code()))
                .collect();
            let breaches: Vec<String> = breaches
                .iter()
                .map(|b| {
                    format!(
                        "{} {}={} ({:.1}%)",
                        if b.fails { "FAIL" } else { "warn" },
                        b.rule,
                        b.rows,
                        b.percent
                    )
                })
                .collect();
            vec![
                s.file.clone(),
                s.format.clone(),
                s.rows_read.to_string(),
                s.accepted().to_string(),
                s.quarantined.to_string(),
                excluded.join("; "),
                s.remapped.to_string(),
                s.observations.to_string(),
                s.queried.to_string(),
                breaches.join("; "),
            ]
        }),
    )
}
