//! Monthly counts: one row per organisation, measure and month, the counts behind the funnel
//! plots and SPC charts (`league build-dataset` writes them for the default data from the
//! monthly publications' adapters).
//!
//! Required columns: `month, org_code, metric_id, numerator, denominator`; optional
//! `provenance` (default `real`), `source` and `org_name`. `metric_id` is a measure of the
//! methodology's `[[statistics.measure]]`; the month is `YYYY-MM` or `YYYY-MM-DD`; counts are
//! not negative, a percentage's numerator is at most its denominator, and a denominator of 0
//! gives no value (excluded as suppressed).

use std::collections::BTreeMap;

use league_model::{MeasureKind, MonthlyCount};

use super::row::Kind;
use super::{Context, Ingested, Table, Unknown, accepted, resolve_org};
use crate::csvfile::CsvFile;
use crate::{Exclusion, IngestError, Rule};

/// The columns the builder writes, in order: the five a file must have, then the optional ones.
pub const COUNTS_FORMAT: [&str; 8] = [
    "month",
    "org_code",
    "metric_id",
    "numerator",
    "denominator",
    "provenance",
    "source",
    "org_name",
];

/// The columns a counts file must have.
pub(super) const COLUMNS: &[&str] = COUNTS_FORMAT.split_at(5).0;

pub(super) fn read(file: &CsvFile, ctx: &Context, out: &mut Ingested) -> Result<(), IngestError> {
    let table = Table::new(file, COLUMNS)?;
    let kinds: BTreeMap<&str, MeasureKind> = ctx
        .methodology
        .statistics
        .measures
        .iter()
        .map(|x| (x.id.as_str(), x.kind))
        .collect();
    let mut seen = BTreeMap::new();
    let mut remapped = 0;
    table.each(out, |row, out| {
        let month = row.month("month", ctx);
        row.label("org_name");
        row.label("source");
        let org = resolve_org(
            row,
            "org_code",
            ctx,
            month,
            Unknown::Quarantine,
            &mut remapped,
        );
        let metric = row.text("metric_id");
        let kind = kinds.get(metric).copied();
        if kind.is_none() {
            row.fail(
                Rule::UnknownMetric,
                "metric_id",
                metric,
                "not a measure of the methodology's [[statistics.measure]]",
            );
        }
        let num = row.required("numerator", Kind::Count);
        let den = row.required("denominator", Kind::Count);
        if let (Some(n), Some(d), Some(MeasureKind::Proportion)) = (num, den, kind) {
            row.at_most("numerator", n, "denominator", d);
        }
        let provenance = super::long::provenance(row);
        let Some((code, month)) = accepted(row, out, org, month) else {
            return;
        };
        if !row.first(
            &mut seen,
            (code.clone(), metric.to_owned(), month),
            "month,org_code,metric_id",
            &format!("{}-{:02},{code},{metric}", month.0, month.1),
            out,
        ) {
            return;
        }
        match (num, den) {
            (Some(n), Some(d)) if d > 0.0 => out.counts.push(MonthlyCount {
                trust: code,
                metric_id: metric.to_owned(),
                month,
                numerator: n,
                denominator: d,
                source: table.source(row.line),
                provenance,
            }),
            _ => out.exclude(Exclusion::Suppressed),
        }
    })?;
    out.summary.remapped += remapped;
    Ok(())
}
