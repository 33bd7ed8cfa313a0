//! Cancer waiting times provider extract, aggregated by standard (one row per month, standard
//! and provider): 28-day Faster Diagnosis Standard % (OF0010) and 62-day combined % (OF0011),
//! each `100 × within standard ÷ total` summed over the quarter's three months. The 31-day
//! standard is not a NOF metric and its rows are excluded as `not_applicable`.

use std::collections::BTreeMap;

use super::row::{Kind, Monthly, quarter_months_label};
use super::{Context, Ingested, Table, Unknown, accepted, resolve_org};
use crate::csvfile::CsvFile;
use crate::{Exclusion, IngestError, Rule};

pub(super) const COLUMNS: [&str; 7] = [
    "period",
    "standard",
    "org_code",
    "total",
    "within_standard",
    "breaches",
    "performance",
];

/// Standard label → NOF value id (`None`: read and checked, but not a NOF metric).
const STANDARDS: [(&str, Option<&str>); 3] = [
    ("28-day FDS", Some("OF0010")),
    ("62-day Combined", Some("OF0011")),
    ("31-day Combined", None),
];

pub(super) fn read(file: &CsvFile, ctx: &Context, out: &mut Ingested) -> Result<(), IngestError> {
    let table = Table::new(file, &COLUMNS)?;
    let mut by_standard: BTreeMap<&str, Monthly> = BTreeMap::new();
    let mut seen = BTreeMap::new();
    let mut remapped = 0;
    table.each(out, |row, out| {
        let month = row.month("period", ctx);
        let standard = row.text("standard");
        let metric = match STANDARDS.iter().find(|(s, _)| *s == standard) {
            Some((_, m)) => *m,
            None => {
                let known: Vec<&str> = STANDARDS.iter().map(|(s, _)| *s).collect();
                row.fail(
                    Rule::UnknownLabel,
                    "standard",
                    standard,
                    &format!("unknown standard; expected one of: {}", known.join(", ")),
                );
                None
            }
        };
        let org = resolve_org(row, "org_code", ctx, month, Unknown::Exclude, &mut remapped);
        let total = row.required("total", Kind::Count);
        let within = row.required("within_standard", Kind::Count);
        let breaches = row.required("breaches", Kind::Count);
        let performance = row.number("performance", Kind::Fraction);
        if let (Some(t), Some(w)) = (total, within)
            && row.at_most("within_standard", w, "total", t)
        {
            if let Some(b) = breaches
                && (t - w - b).abs() > 1e-6
            {
                row.fail(
                    Rule::Inconsistent,
                    "breaches",
                    &b.to_string(),
                    &format!("total {t} − within standard {w} is not the breaches"),
                );
            }
            if let Ok(Some(p)) = performance
                && t > 0.0
                && (w / t - p).abs() > 0.00051
            {
                row.fail(
                    Rule::Inconsistent,
                    "performance",
                    &p.to_string(),
                    &format!("within standard ÷ total is {:.4}", w / t),
                );
            }
        }
        let Some((code, month)) = accepted(row, out, org, month) else {
            return;
        };
        let key = (row.text("org_code").to_owned(), standard.to_owned(), month);
        if !row.first(
            &mut seen,
            key,
            "period,standard,org_code",
            row.text("org_code"),
            out,
        ) {
            return;
        }
        let Some(metric) = metric else {
            out.exclude(Exclusion::NotApplicable);
            return;
        };
        by_standard.entry(metric).or_default().add(
            code,
            month,
            row.line,
            &[total.unwrap_or(0.0), within.unwrap_or(0.0)],
        );
    })?;
    out.summary.remapped += remapped;
    for (metric, monthly) in &by_standard {
        monthly.counts(&table, &[(*metric, 1, 0, 1.0)], out);
    }
    for (metric, monthly) in by_standard {
        for (q, trust, line, months) in monthly.quarters(out) {
            let total: f64 = months.iter().map(|m| m[0]).sum();
            let within: f64 = months.iter().map(|m| m[1]).sum();
            if total > 0.0 {
                out.observations.push(table.observation(
                    q,
                    trust,
                    metric,
                    100.0 * within / total,
                    quarter_months_label(q),
                    line,
                ));
            }
        }
    }
    Ok(())
}
