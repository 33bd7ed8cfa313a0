//! A one-row-per-trust summary of a NOF quarter (`nof_q3_2025_26_trust_summary_partial.csv`):
//! beside NHS England's published results it carries the raw values of several acute metrics.
//! Only those raw values are read, for the row's `quarter`; the published segments, ranks,
//! averages and domain scores are derived outputs and are not taken as input.

use std::collections::BTreeMap;

use league_model::Quarter;

use super::row::Kind;
use super::{Context, Ingested, Table, Unknown, accepted, resolve_org};
use crate::csvfile::CsvFile;
use crate::{Exclusion, IngestError, Rule};

pub(super) const COLUMNS: [&str; 8] = [
    "org_code",
    "org_name",
    "quarter",
    "trust_type",
    "league_segment",
    "overall_avg_metric_score",
    "mrsa_cases_count",
    "planned_surplus_deficit_pct",
];

/// Column → (value id, kind).
const VALUES: [(&str, &str, Kind); 12] = [
    ("cancer_28day_pct", "OF0010", Kind::Percent),
    ("cancer_62day_pct", "OF0011", Kind::Percent),
    ("mrsa_cases_count", "OF0020", Kind::Count),
    ("ecoli_bacteraemia_rate", "OF0048", Kind::Count),
    ("cdiff_infection_rate", "OF0088", Kind::Count),
    (
        "staff_raising_concerns_score",
        "OF0061",
        Kind::Range(0.0, 10.0),
    ),
    ("staff_engagement_score", "OF0084", Kind::Range(0.0, 10.0)),
    ("inpatients_60day_los_pct", "OF0063", Kind::Percent),
    (
        "planned_surplus_deficit_pct",
        "OF0079",
        Kind::Range(-100.0, 100.0),
    ),
    (
        "variance_to_financial_plan_pct",
        "OF0081",
        Kind::Range(-100.0, 100.0),
    ),
    (
        "implied_productivity_pct",
        "OF0085",
        Kind::Range(-100.0, 100.0),
    ),
    (
        "in_financial_deficit_acute_only",
        "OF5004",
        Kind::Range(0.0, 1.0),
    ),
];

pub(super) fn read(file: &CsvFile, ctx: &Context, out: &mut Ingested) -> Result<(), IngestError> {
    let table = Table::new(file, &COLUMNS)?;
    let mut seen = BTreeMap::new();
    let mut remapped = 0;
    table.each(out, |row, out| {
        let raw_q = row.text("quarter");
        let quarter = match raw_q.parse::<Quarter>() {
            Ok(q) if row.plausible("quarter", raw_q, q.months()[2], ctx) => Some(q),
            Ok(_) => None,
            Err(e) => {
                row.fail(Rule::BadPeriod, "quarter", raw_q, e.reason);
                None
            }
        };
        row.label("org_name");
        let org = resolve_org(
            row,
            "org_code",
            ctx,
            quarter.map(|q| q.months()[2]),
            Unknown::Quarantine,
            &mut remapped,
        );
        let values: Vec<(&str, Option<f64>)> = VALUES
            .iter()
            .map(|&(col, id, kind)| (id, row.number(col, kind).ok().flatten()))
            .collect();
        if let Some((_, Some(flag))) = values.iter().find(|(id, _)| *id == "OF5004")
            && *flag != 0.0
            && *flag != 1.0
        {
            let shown = flag.to_string();
            row.fail(
                Rule::ValueRange,
                "in_financial_deficit_acute_only",
                &shown,
                "a flag must be 0 or 1",
            );
        }
        let Some((code, q)) = accepted(row, out, org, quarter) else {
            return;
        };
        if !row.first(
            &mut seen,
            (row.text("org_code").to_owned(), q),
            "org_code,quarter",
            row.text("org_code"),
            out,
        ) {
            return;
        }
        let mut any = false;
        for (id, v) in values {
            if let Some(v) = v {
                any = true;
                out.observations.push(table.observation(
                    q,
                    code.clone(),
                    id,
                    v,
                    q.to_string(),
                    row.line,
                ));
            }
        }
        if !any {
            out.exclude(Exclusion::Suppressed);
        }
    })?;
    out.summary.remapped += remapped;
    Ok(())
}
