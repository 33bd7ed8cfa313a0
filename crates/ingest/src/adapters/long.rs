//! The plain long format: one row per organisation, metric and period.
//!
//! Required columns: `period, org_code, metric_id, value, numerator, denominator`; optional
//! `reporting_date` (the period the value covers, as the source states it) and `provenance`
//! (`published`, `real`, `real_other_period`, `synthetic`; default `real`). A period is a
//! quarter ("Q1 2025/26") or a month (`2025-06`, `2025-06-01`, meaning its quarter).
//! Optional trust details `org_name, region, peer_group, subtype` (all four, or none): when
//! given they are the trust's details for the quarter (`peer_group` is a methodology peer group
//! id) and must agree across the trust's rows; otherwise the register supplies them.
//! Numerator and denominator may be blank; when both are given, numerator ≤ denominator.
//! Raw values lie in the metric's configured `valid_range`, scores (OF1xxx, OF9xxx) in 1–4 (0 = not scored, excluded as
//! suppressed), flags (OF5004, OF5007) are 0 or 1.

use std::collections::BTreeMap;

use league_model::{Methodology, Provenance, Quarter, TrustInQuarter};

use super::row::{Kind, RowCheck, parse_month};
use super::{Context, Ingested, Table, Unknown, accepted, resolve_org};
use crate::csvfile::CsvFile;
use crate::{Exclusion, IngestError, Rule};

/// The long format's columns, in order: the six every long-format file must have, then
/// the optional ones (the reporting date, provenance and source the default dataset and
/// record-level values carry, and the organisation's details as the default dataset states
/// them). The default-dataset builder and the record-level output write these columns; this
/// adapter reads them.
pub const LONG_FORMAT: [&str; 13] = [
    "period",
    "org_code",
    "metric_id",
    "value",
    "numerator",
    "denominator",
    "reporting_date",
    "provenance",
    "source",
    "org_name",
    "region",
    "peer_group",
    "subtype",
];

/// The columns a long-format file must have.
pub(super) const COLUMNS: &[&str] = LONG_FORMAT.split_at(6).0;

pub(super) fn read(file: &CsvFile, ctx: &Context, out: &mut Ingested) -> Result<(), IngestError> {
    let table = Table::new(file, COLUMNS)?;
    let m = ctx.methodology;
    let known = m.known_ids();
    let derived = m.derived_ids();
    let flags = [
        m.financial_override.flag_id.as_str(),
        m.segment5.flag_id.as_str(),
    ];
    // The methodology's valid range applies to a metric's raw value.
    let range: BTreeMap<&str, [f64; 2]> = m
        .metrics
        .iter()
        .filter_map(|x| Some((x.value_id.as_deref()?, x.valid_range?)))
        .collect();
    let mut seen = BTreeMap::new();
    let mut remapped = 0;
    table.each(out, |row, out| {
        let quarter = period(row, ctx);
        let org = resolve_org(
            row,
            "org_code",
            ctx,
            quarter.map(|q| q.months()[2]),
            Unknown::Quarantine,
            &mut remapped,
        );
        let metric = row.text("metric_id");
        let is_derived = derived.contains(metric);
        if !known.contains(metric) {
            row.fail(
                Rule::UnknownMetric,
                "metric_id",
                metric,
                "unknown metric id: not in the methodology configuration",
            );
        }
        let is_flag = flags.contains(&metric);
        let is_score = !is_flag && (metric.starts_with("OF1") || metric.starts_with("OF9"));
        let value = value(row, metric, is_flag, is_score, &range);
        let num = row.number("numerator", Kind::Count);
        let den = row.number("denominator", Kind::Count);
        if let (Ok(Some(n)), Ok(Some(d))) = (num, den) {
            row.at_most("numerator", n, "denominator", d);
        }
        let provenance = provenance(row);
        let reporting_date = row.label("reporting_date").to_owned();
        // Read as the assembly reads it, so `validate` quarantines what `report` would.
        if !reporting_date.is_empty()
            && let Some(q) = quarter
            && let Err(e) = league_model::ReportingPeriod::parse(&reporting_date, q)
        {
            row.fail(
                Rule::BadPeriod,
                "reporting_date",
                &reporting_date,
                &e.reason,
            );
        }
        let details = details(row, m);
        let Some((code, quarter)) = accepted(row, out, org, quarter) else {
            return;
        };
        if !row.first(
            &mut seen,
            (quarter, code.clone(), metric.to_owned()),
            "period,org_code,metric_id",
            &format!("{quarter},{code},{metric}"),
            out,
        ) {
            return;
        }
        if let Some(details) = details
            && !keep_details(row, out, quarter, &code, details)
        {
            return;
        }
        if is_derived {
            out.exclude(Exclusion::DerivedOutput);
            return;
        }
        let v = match value {
            Ok(Some(v)) if !(is_score && v == 0.0) => v,
            _ => {
                out.exclude(Exclusion::Suppressed);
                return;
            }
        };
        out.observations.push(league_model::Observation {
            quarter,
            trust: code,
            metric_id: metric.to_owned(),
            value: v,
            reporting_date: if reporting_date.is_empty() {
                quarter.to_string()
            } else {
                reporting_date
            },
            source: table.source(row.line),
            provenance,
            published_rank: None,
        });
    })?;
    out.summary.remapped += remapped;
    Ok(())
}

/// The row's quarter: a quarter like "Q1 2025/26", or the one a month like 2025-06 falls in,
/// if the register and the data's periods make it plausible.
fn period(row: &mut RowCheck, ctx: &Context) -> Option<Quarter> {
    let raw_period = row.text("period");
    let quarter = match raw_period.parse::<Quarter>() {
        Ok(q) => Some(q),
        Err(_) => match parse_month(raw_period).and_then(|mo| Quarter::of_month(mo.0, mo.1)) {
            Some(q) => Some(q),
            None => {
                row.fail(
                    Rule::BadPeriod,
                    "period",
                    raw_period,
                    "not a quarter like \"Q1 2025/26\" or a month like 2025-06",
                );
                None
            }
        },
    };
    quarter.filter(|q| row.plausible("period", raw_period, q.months()[2], ctx))
}

/// The row's value, checked as its metric's kind: a flag 0 or 1, a score 0 (not scored) or 1
/// to 4, a raw value within the methodology's valid range.
fn value(
    row: &mut RowCheck,
    metric: &str,
    is_flag: bool,
    is_score: bool,
    range: &BTreeMap<&str, [f64; 2]>,
) -> Result<Option<f64>, ()> {
    let kind = if is_flag {
        Kind::Range(0.0, 1.0)
    } else if is_score {
        Kind::Range(0.0, 4.0)
    } else if let Some(&[lo, hi]) = range.get(metric) {
        if (lo, hi) == (0.0, 100.0) {
            Kind::Percent
        } else {
            Kind::Range(lo, hi)
        }
    } else {
        Kind::Any
    };
    let value = row.number("value", kind);
    if let Ok(Some(v)) = value {
        if is_flag && v != 0.0 && v != 1.0 {
            row.fail(
                Rule::ValueRange,
                "value",
                row.text("value"),
                "a flag must be 0 or 1",
            );
        }
        if is_score && v != 0.0 && v < 1.0 {
            row.fail(
                Rule::ValueRange,
                "value",
                row.text("value"),
                "a score must be between 1 and 4 (or 0 for not scored)",
            );
        }
    }
    value
}

/// The row's provenance label (real when blank).
pub(super) fn provenance(row: &mut RowCheck) -> Provenance {
    match row.text("provenance") {
        "" => Provenance::Real,
        p => Provenance::from_label(p).unwrap_or_else(|| {
            row.fail(
                Rule::UnknownLabel,
                "provenance",
                p,
                "expected published, real, real_other_period or synthetic",
            );
            Provenance::Real
        }),
    }
}

/// The trust's details as the row states them (name, region, peer group, subtype), when it
/// states a peer group.
fn details(row: &mut RowCheck, m: &Methodology) -> Option<(String, String, String, String)> {
    let g = row.text("peer_group");
    if g.is_empty() {
        return None;
    }
    if !m.peer_groups.iter().any(|p| p.id == g) {
        let ids: Vec<&str> = m.peer_groups.iter().map(|p| p.id.as_str()).collect();
        row.fail(
            Rule::UnknownLabel,
            "peer_group",
            g,
            &format!("unknown peer group; expected one of: {}", ids.join(", ")),
        );
    }
    Some((
        row.label("org_name").to_owned(),
        row.label("region").to_owned(),
        g.to_owned(),
        row.label("subtype").to_owned(),
    ))
}

/// Keeps the trust's details for the quarter from its first row; false (the row quarantined)
/// when a later row states them differently.
fn keep_details(
    row: &mut RowCheck,
    out: &mut Ingested,
    quarter: Quarter,
    code: &league_model::TrustCode,
    (name, region, peer_group, subtype): (String, String, String, String),
) -> bool {
    let t = TrustInQuarter {
        code: code.clone(),
        name,
        region,
        peer_group,
        subtype,
    };
    let known = out.trusts.entry(quarter).or_default();
    match known.get(code) {
        Some(first) if *first != t => {
            row.fail(
                Rule::Inconsistent,
                "org_name,region,peer_group,subtype",
                &format!("{},{},{},{}", t.name, t.region, t.peer_group, t.subtype),
                "trust details differ from an earlier row for the same trust and quarter",
            );
            false
        }
        Some(_) => true,
        None => {
            known.insert(code.clone(), t);
            true
        }
    }
}
