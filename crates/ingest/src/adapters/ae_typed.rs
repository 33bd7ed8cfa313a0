//! The older A&E extract with one row per provider, month and department type
//! (`period, org_code, type, attendances, breaches, admissions`; type 1, 2 or other):
//! 4-hour performance, all types (OF0013) = 100 × (1 − Σ breaches ÷ Σ attendances) over the
//! quarter's three months and every type. The extract has no 12-hour measure.

use std::collections::BTreeMap;

use super::row::{Kind, Monthly, quarter_months_label};
use super::{Context, Ingested, Table, Unknown, accepted, resolve_org};
use crate::csvfile::CsvFile;
use crate::{IngestError, Rule};

pub(super) const COLUMNS: [&str; 6] = [
    "period",
    "org_code",
    "type",
    "attendances",
    "breaches",
    "admissions",
];

pub(super) fn read(file: &CsvFile, ctx: &Context, out: &mut Ingested) -> Result<(), IngestError> {
    let table = Table::new(file, &COLUMNS)?;
    let mut monthly = Monthly::default();
    let mut seen = BTreeMap::new();
    let mut remapped = 0;
    table.each(out, |row, out| {
        let month = row.month("period", ctx);
        let ty = row.text("type");
        if !matches!(ty, "1" | "2" | "other") {
            row.fail(Rule::UnknownLabel, "type", ty, "expected 1, 2 or other");
        }
        let org = resolve_org(row, "org_code", ctx, month, Unknown::Exclude, &mut remapped);
        let attendances = row.required("attendances", Kind::Count);
        let breaches = row.required("breaches", Kind::Count);
        row.number("admissions", Kind::Count).ok();
        if let (Some(a), Some(b)) = (attendances, breaches) {
            row.at_most("breaches", b, "attendances", a);
        }
        let Some((code, month)) = accepted(row, out, org, month) else {
            return;
        };
        let key = (row.text("org_code").to_owned(), month, ty.to_owned());
        if row.first(
            &mut seen,
            key,
            "period,org_code,type",
            row.text("org_code"),
            out,
        ) {
            let sums = [attendances.unwrap_or(0.0), breaches.unwrap_or(0.0)];
            monthly.add(code, month, row.line, &sums);
        }
    })?;
    out.summary.remapped += remapped;
    for (q, trust, line, months) in monthly.quarters(out) {
        let attendances: f64 = months.iter().map(|m| m[0]).sum();
        let breaches: f64 = months.iter().map(|m| m[1]).sum();
        if attendances > 0.0 {
            out.observations.push(table.observation(
                q,
                trust,
                "OF0013",
                100.0 * (1.0 - breaches / attendances),
                quarter_months_label(q),
                line,
            ));
        }
    }
    Ok(())
}
