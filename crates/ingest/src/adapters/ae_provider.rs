//! The "Provider Level Data" sheet of NHS England's monthly A&E spreadsheet, saved as CSV: one
//! file per month, the month only in the file name (`April-2025-AE.csv`). Messy as real downloads
//! are: column names repeat under grouped headings the CSV lost ("Type 1 Departments - Major A&E"
//! under attendances, under 4 hours and over 4 hours; April 2025 spells the dash "0"), counts from
//! May 2025 carry thousands separators ("16,670"), percentages are strings ("76.00%"), "-" means
//! not applicable, and region names end with a space. Only the uniquely named totals are read:
//!
//! - OF0013 (4-hour, all types) = 100 × (1 − attendances over 4 hours ÷ total attendances), the
//!   totals including booked appointments as NHS England's headline does (April 2025's totals
//!   equal the monthly CSV's sum of types and booked appointments);
//! - OF8003 = 12-hour waits from decision to admit per 100 emergency admissions via A&E.
//!
//! Checks: total attendances = under 4 hours + over 4 hours, and the sheet's own percentage in 4
//! hours (all) within rounding of the counts; a row failing either is quarantined
//! (`inconsistent`). Non-trust providers are excluded as `not_a_trust`. A quarter is formed only
//! from its three monthly files; every month gives monthly counts.

use std::collections::BTreeMap;

use super::row::{Monthly, quarter_months_label};
use super::{Context, Ingested, Table, Unknown, accepted, resolve_org};
use crate::csvfile::CsvFile;
use crate::{IngestError, Rule};

const CODE: &str = "Code";
const NAME: &str = "Name";
const TOTAL: &str = "Total attendances";
const UNDER_4H: &str = "Total Attendances < 4 hours";
const OVER_4H: &str = "Total Attendances > 4 hours";
const PERCENT: &str = "Percentage in 4 hours or less (all)";
const ADMISSIONS: &str = "Total Emergency Admissions via A&E";
const DTA_12H: &str = "Number of patients spending >12 hours from decision to admit to admission";

pub(super) const COLUMNS: [&str; 8] = [
    CODE, NAME, TOTAL, UNDER_4H, OVER_4H, PERCENT, ADMISSIONS, DTA_12H,
];

/// The month a file is for, from its name: `<Month>-<Year>-AE.csv` (any directory).
pub(crate) fn month_of_file(name: &str) -> Option<(u16, u8)> {
    let base = name.rsplit(['/', '\\']).next()?;
    let stem = base.strip_suffix("-AE.csv")?;
    let (month, year) = stem.split_once('-')?;
    let m = league_model::MONTH_NAMES.iter().position(|x| *x == month)? as u8 + 1;
    let y: u16 = league_model::digits(year).filter(|y| (1000..=9999).contains(y))?;
    (year.len() == 4).then_some((y, m))
}

pub(super) fn read(file: &CsvFile, ctx: &Context, out: &mut Ingested) -> Result<(), IngestError> {
    let table = Table::grouped(file, &COLUMNS)?;
    let Some(month) = month_of_file(&file.name) else {
        return Err(IngestError::NoPeriod {
            file: file.name.clone(),
            reason: "the provider-level A&E sheet gives its month only in the file name, which must read <Month>-<Year>-AE.csv (April-2025-AE.csv)".to_owned(),
        });
    };
    let (from, to) = ctx.periods;
    if month < from || month > to {
        return Err(IngestError::NoPeriod {
            file: file.name.clone(),
            reason: format!(
                "the month in the file name, {}-{:02}, is outside the plausible range {}-{:02} to {}-{:02}",
                month.0, month.1, from.0, from.1, to.0, to.1
            ),
        });
    }
    let mut monthly = Monthly::default();
    let mut seen = BTreeMap::new();
    let mut remapped = 0;
    table.each(out, |row, out| {
        row.label(NAME);
        let org = resolve_org(row, CODE, ctx, Some(month), Unknown::Exclude, &mut remapped);
        let total = row.grouped_count(TOTAL);
        let under = row.grouped_count(UNDER_4H);
        let over = row.grouped_count(OVER_4H);
        let admissions = row.grouped_count(ADMISSIONS);
        let waits = row.grouped_count(DTA_12H);
        if let (Ok(Some(t)), Ok(Some(u)), Ok(Some(o))) = (total, under, over) {
            if (u + o - t).abs() > 1e-9 {
                row.fail(
                    Rule::Inconsistent,
                    TOTAL,
                    row.text(TOTAL),
                    &format!("under 4 hours {u} + over 4 hours {o} is not the total"),
                );
            } else if t > 0.0 {
                let raw = row.text(PERCENT);
                let stated = raw.strip_suffix('%').unwrap_or(raw);
                if stated != "-"
                    && let Ok(p) = stated.parse::<f64>()
                    && (100.0 * u / t - p).abs() > 0.051
                {
                    row.fail(
                        Rule::Inconsistent,
                        PERCENT,
                        raw,
                        &format!("the counts give {:.2}% in 4 hours", 100.0 * u / t),
                    );
                }
            }
        }
        if let (Ok(Some(w)), Ok(Some(a))) = (waits, admissions)
            && a > 0.0
        {
            row.at_most(DTA_12H, w, "emergency admissions via A&E", a);
        }
        let Some((code, month)) = accepted(row, out, org, Some(month)) else {
            return;
        };
        if !row.first(
            &mut seen,
            row.text(CODE).to_owned(),
            CODE,
            row.text(CODE),
            out,
        ) {
            return;
        }
        let v = |x: Result<Option<f64>, ()>| x.ok().flatten().unwrap_or(0.0);
        let sums = [
            v(total),
            v(over),
            v(waits),
            v(admissions),
            v(total) - v(over),
        ];
        monthly.add(code, month, row.line, &sums);
    })?;
    out.summary.remapped += remapped;
    monthly.counts(&table, &super::ae::COUNTS, out);
    for (q, trust, line, months) in monthly.quarters(out) {
        let sum = |i: usize| months.iter().map(|m| m[i]).sum::<f64>();
        let label = quarter_months_label(q);
        if sum(0) > 0.0 {
            out.observations.push(table.observation(
                q,
                trust.clone(),
                "OF0013",
                100.0 * (1.0 - sum(1) / sum(0)),
                label.clone(),
                line,
            ));
        }
        if sum(3) > 0.0 {
            out.observations.push(table.observation(
                q,
                trust,
                "OF8003",
                100.0 * sum(2) / sum(3),
                label,
                line,
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_month_is_read_from_the_file_name_only_in_its_one_form() {
        assert_eq!(month_of_file("April-2025-AE.csv"), Some((2025, 4)));
        assert_eq!(month_of_file("data/x/March-2026-AE.csv"), Some((2026, 3)));
        assert_eq!(month_of_file("april-2025-AE.csv"), None);
        assert_eq!(month_of_file("April-25-AE.csv"), None);
        assert_eq!(month_of_file("April-+025-AE.csv"), None);
        assert_eq!(month_of_file("April-2025.csv"), None);
        assert_eq!(month_of_file("System-Mapping.csv"), None);
    }
}
