//! The compiled monthly acute panel (NHS England RTT, A&E and diagnostics by trust). Only the
//! RTT all-specialty columns are read, for the quarter's latest month as the technical annex
//! states ("latest month in the period"):
//! - OF0023 = 100 × within 18 weeks ÷ incomplete pathways;
//! - OF0003 = 100 × waiting 52+ weeks ÷ incomplete pathways.
//!
//! A quarter whose last month is missing gives no value; its rows are `incomplete_quarter`.

use std::collections::BTreeMap;

use league_model::Quarter;

use super::row::{Kind, month_label};
use super::{Context, Ingested, Table, Unknown, accepted, resolve_org};
use crate::csvfile::CsvFile;
use crate::{Exclusion, IngestError, Rule};

pub(super) const COLUMNS: [&str; 6] = [
    "trust_code",
    "period",
    "trust_total_total_incomplete_pathways",
    "trust_total_total_within_18_weeks",
    "trust_total_total_52_plus_weeks",
    "trust_total_percent_within_18_weeks",
];

pub(super) fn read(file: &CsvFile, ctx: &Context, out: &mut Ingested) -> Result<(), IngestError> {
    let table = Table::new(file, &COLUMNS)?;
    let mut seen = BTreeMap::new();
    let mut remapped = 0;
    let mut last_month = Vec::new();
    // Every accepted month's counts, for the monthly series (the quarter's value uses only its
    // latest month, as the annex says; the other months are excluded from it, not from these).
    let mut months = Vec::new();
    table.each(out, |row, out| {
        let month = row.month("period", ctx);
        row.label("trust_name");
        let org = resolve_org(
            row,
            "trust_code",
            ctx,
            month,
            Unknown::Quarantine,
            &mut remapped,
        );
        let list = row.number("trust_total_total_incomplete_pathways", Kind::Count);
        let within = row.number("trust_total_total_within_18_weeks", Kind::Count);
        let over52 = row.number("trust_total_total_52_plus_weeks", Kind::Count);
        let pct = row.number("trust_total_percent_within_18_weeks", Kind::Percent);
        if let (Ok(Some(l)), Ok(Some(w))) = (list, within) {
            if row.at_most(
                "trust_total_total_within_18_weeks",
                w,
                "incomplete pathways",
                l,
            ) && let Ok(Some(p)) = pct
                && l > 0.0
                && (100.0 * w / l - p).abs() > 0.0051
            {
                row.fail(
                    Rule::Inconsistent,
                    "trust_total_percent_within_18_weeks",
                    &p.to_string(),
                    &format!("within ÷ incomplete pathways is {:.2}%", 100.0 * w / l),
                );
            }
            if let Ok(Some(o)) = over52 {
                row.at_most(
                    "trust_total_total_52_plus_weeks",
                    o,
                    "incomplete pathways",
                    l,
                );
            }
        }
        let Some((code, month)) = accepted(row, out, org, month) else {
            return;
        };
        if !row.first(
            &mut seen,
            (row.text("trust_code").to_owned(), month),
            "trust_code,period",
            row.text("trust_code"),
            out,
        ) {
            return;
        }
        if let Ok(Some(l)) = list
            && l > 0.0
        {
            months.push((code.clone(), month, row.line, l, within, over52));
        }
        let q = Quarter::of_month(month.0, month.1).expect("validated month");
        if q.months()[2] != month {
            out.exclude(Exclusion::IncompleteQuarter); // not the quarter's latest month
            return;
        }
        match (list, within, over52) {
            (Ok(Some(l)), Ok(w), Ok(o)) if l > 0.0 => {
                last_month.push((q, code, month, row.line, l, w, o));
            }
            _ => out.exclude(Exclusion::Suppressed),
        }
    })?;
    out.summary.remapped += remapped;
    for (trust, month, line, list, within, over52) in months {
        for (id, n) in [("OF0023", within), ("OF0003", over52)] {
            if let Ok(Some(n)) = n {
                out.counts.push(league_model::MonthlyCount {
                    trust: trust.clone(),
                    metric_id: id.to_owned(),
                    month,
                    numerator: n,
                    denominator: list,
                    source: table.source(line),
                    provenance: league_model::Provenance::Real,
                });
            }
        }
    }
    for (q, code, month, line, list, within, over52) in last_month {
        if let Some(w) = within {
            out.observations.push(table.observation(
                q,
                code.clone(),
                "OF0023",
                100.0 * w / list,
                month_label(month),
                line,
            ));
        }
        if let Some(o) = over52 {
            out.observations.push(table.observation(
                q,
                code,
                "OF0003",
                100.0 * o / list,
                month_label(month),
                line,
            ));
        }
    }
    Ok(())
}
