//! AmbSYS (Ambulance Quality Indicators, systems): mean response times by category. The
//! quarterly mean is the incident-weighted mean of the monthly means,
//! `Σ(mean × incidents) ÷ Σ incidents`, in minutes:
//! - OF0017 Category 2 mean (scored, standard 30 minutes);
//! - OF8011, OF8013, OF8014 Category 1, 3 and 4 means (context);
//! - OF0028 percentage of incidents conveyed to an emergency department,
//!   `100 × Σ see_treat_convey_ed ÷ Σ all_incidents`, where the file has those columns (it
//!   gives 56.07 for the Isle of Wight in Q1 2025/26; NHS England publishes 56.1).
//!
//! Regional and England rows are excluded as `aggregate_row`.

use std::collections::BTreeMap;

use super::row::{Kind, Monthly, quarter_months_label};
use super::{Context, Ingested, Table, Unknown, accepted, resolve_org};
use crate::csvfile::CsvFile;
use crate::{Exclusion, IngestError, Rule};

pub(super) const COLUMNS: [&str; 12] = [
    "period",
    "level",
    "org_code",
    "org_name",
    "c1_incidents",
    "c1_mean_s",
    "c2_incidents",
    "c2_mean_s",
    "c3_incidents",
    "c3_mean_s",
    "c4_incidents",
    "c4_mean_s",
];

const CATEGORIES: [(&str, &str, &str); 4] = [
    ("c1_incidents", "c1_mean_s", "OF8011"),
    ("c2_incidents", "c2_mean_s", "OF0017"),
    ("c3_incidents", "c3_mean_s", "OF8013"),
    ("c4_incidents", "c4_mean_s", "OF8014"),
];

/// Percentage of incidents conveyed to an emergency department.
const CONVEYED: &str = "OF0028";

pub(super) fn read(file: &CsvFile, ctx: &Context, out: &mut Ingested) -> Result<(), IngestError> {
    let table = Table::new(file, &COLUMNS)?;
    let mut monthly = Monthly::default();
    let mut seen = BTreeMap::new();
    let mut remapped = 0;
    table.each(out, |row, out| {
        let level = row.text("level");
        match level {
            "trust" => {}
            "region" | "england" => {
                out.exclude(Exclusion::Aggregate);
                return;
            }
            other => {
                row.fail(
                    Rule::UnknownLabel,
                    "level",
                    other,
                    "unknown level; expected trust, region or england",
                );
                return;
            }
        }
        let month = row.month("period", ctx);
        row.label("org_name");
        let org = resolve_org(
            row,
            "org_code",
            ctx,
            month,
            Unknown::Quarantine,
            &mut remapped,
        );
        // sums: incidents and incident-weighted seconds per category
        let mut sums = Vec::with_capacity(8);
        for (inc_col, mean_col, _) in CATEGORIES {
            let inc = row.number(inc_col, Kind::Count);
            let mean = row.number(mean_col, Kind::Count);
            match (inc, mean) {
                (Ok(Some(i)), Ok(Some(m))) => sums.extend([i, i * m]),
                _ => sums.extend([0.0, 0.0]),
            }
        }
        let all = row.number("all_incidents", Kind::Count);
        let conveyed = row.number("see_treat_convey_ed", Kind::Count);
        // A month reporting no incidents (early AmbSYS months) has no conveyance share: the
        // quarter then gets none.
        match (all, conveyed) {
            (Ok(Some(a)), Ok(Some(c))) if a > 0.0 && c > a => row.fail(
                Rule::NumeratorExceedsDenominator,
                "see_treat_convey_ed",
                row.text("see_treat_convey_ed"),
                "more incidents conveyed to an emergency department than incidents",
            ),
            (Ok(Some(a)), Ok(Some(c))) => sums.extend([a, c]),
            _ => sums.extend([0.0, 0.0]),
        }
        let Some((code, month)) = accepted(row, out, org, month) else {
            return;
        };
        if row.first(
            &mut seen,
            (row.text("org_code").to_owned(), month),
            "org_code,period",
            row.text("org_code"),
            out,
        ) {
            monthly.add(code, month, row.line, &sums);
        }
    })?;
    out.summary.remapped += remapped;
    // Category 2 minutes over incidents (a mean), conveyed over all incidents (a percentage).
    monthly.counts(
        &table,
        &[("OF0017", 3, 2, 1.0 / 60.0), (CONVEYED, 9, 8, 1.0)],
        out,
    );
    let known = ctx.methodology.known_ids();
    for (q, trust, line, months) in monthly.quarters(out) {
        for (i, (_, _, metric)) in CATEGORIES.iter().enumerate() {
            let incidents: f64 = months.iter().map(|m| m[2 * i]).sum();
            let seconds: f64 = months.iter().map(|m| m[2 * i + 1]).sum();
            if incidents > 0.0 && known.contains(*metric) {
                out.observations.push(table.observation(
                    q,
                    trust.clone(),
                    metric,
                    seconds / incidents / 60.0,
                    quarter_months_label(q),
                    line,
                ));
            }
        }
        let incidents: f64 = months.iter().map(|m| m[8]).sum();
        let conveyed: f64 = months.iter().map(|m| m[9]).sum();
        if months.iter().all(|m| m[8] > 0.0) && known.contains(CONVEYED) {
            out.observations.push(table.observation(
                q,
                trust.clone(),
                CONVEYED,
                100.0 * conveyed / incidents,
                quarter_months_label(q),
                line,
            ));
        }
    }
    Ok(())
}
