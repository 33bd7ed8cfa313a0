//! NHS England's monthly "A&E Attendances and Emergency Admissions" provider CSV.
//!
//! - 4-hour performance, all types (OF0013) = 100 × (1 − attendances over 4 hours ÷
//!   attendances), both including booked appointments, as NHS England's headline does; summed
//!   over the quarter's three months.
//! - 12-hour measure (OF8003): the file has no time-in-department split, only patients waiting
//!   12+ hours from decision to admit; as far as the file allows, the measure is those waits per
//!   100 emergency admissions via A&E (all types), summed over the quarter.
//!
//! Non-trust providers (independent sector, walk-in centres, UTCs) are excluded as
//! `not_a_trust`; a quarter is formed only from three months.

use std::collections::BTreeMap;

use super::row::{Kind, Monthly, quarter_months_label};
use super::{Context, Ingested, Table, Unknown, accepted, resolve_org};
use crate::IngestError;
use crate::csvfile::CsvFile;

const ATTENDANCES: [&str; 6] = [
    "A&E attendances Type 1",
    "A&E attendances Type 2",
    "A&E attendances Other A&E Department",
    "A&E attendances Booked Appointments Type 1",
    "A&E attendances Booked Appointments Type 2",
    "A&E attendances Booked Appointments Other Department",
];
const OVER_4H: [&str; 6] = [
    "Attendances over 4hrs Type 1",
    "Attendances over 4hrs Type 2",
    "Attendances over 4hrs Other Department",
    "Attendances over 4hrs Booked Appointments Type 1",
    "Attendances over 4hrs Booked Appointments Type 2",
    "Attendances over 4hrs Booked Appointments Other Department",
];
const DTA_12H: &str = "Patients who have waited 12+ hrs from DTA to admission";
const ADMISSIONS: [&str; 3] = [
    "Emergency admissions via A&E - Type 1",
    "Emergency admissions via A&E - Type 2",
    "Emergency admissions via A&E - Other A&E department",
];

pub(super) const COLUMNS: [&str; 18] = [
    "period",
    "Org Code",
    "Org name",
    ATTENDANCES[0],
    ATTENDANCES[1],
    ATTENDANCES[2],
    ATTENDANCES[3],
    ATTENDANCES[4],
    ATTENDANCES[5],
    OVER_4H[0],
    OVER_4H[1],
    OVER_4H[2],
    OVER_4H[3],
    OVER_4H[4],
    OVER_4H[5],
    DTA_12H,
    ADMISSIONS[0],
    ADMISSIONS[1],
];

/// The monthly counts: within 4 hours of attendances (OF0013), 12-hour waits from decision to
/// admit of emergency admissions via A&E (OF8003), as indexes into the monthly sums.
pub(super) const COUNTS: [super::row::Measure; 2] = [("OF0013", 4, 0, 1.0), ("OF8003", 2, 3, 1.0)];

pub(super) fn read(file: &CsvFile, ctx: &Context, out: &mut Ingested) -> Result<(), IngestError> {
    let table = Table::new(file, &COLUMNS)?;
    let mut monthly = Monthly::default();
    let mut seen = BTreeMap::new();
    let mut remapped = 0;
    table.each(out, |row, out| {
        let month = row.month("period", ctx);
        row.label("Org name");
        let org = resolve_org(row, "Org Code", ctx, month, Unknown::Exclude, &mut remapped);
        let sum = |row: &mut super::RowCheck, cols: &[&str]| -> Option<f64> {
            let mut total = 0.0;
            let mut ok = true;
            for c in cols {
                match row.number(c, Kind::Count) {
                    Ok(v) => total += v.unwrap_or(0.0),
                    Err(()) => ok = false,
                }
            }
            ok.then_some(total)
        };
        let attendances = sum(row, &ATTENDANCES);
        let over = sum(row, &OVER_4H);
        let waits = sum(row, &[DTA_12H]);
        let admissions = sum(row, &ADMISSIONS);
        if let (Some(a), Some(o)) = (attendances, over) {
            row.at_most("attendances over 4hrs", o, "attendances", a);
        }
        let Some((code, month)) = accepted(row, out, org, month) else {
            return;
        };
        let key = (row.text("Org Code").to_owned(), month);
        if !row.first(&mut seen, key, "period,Org Code", row.text("Org Code"), out) {
            return;
        }
        let sums = [
            attendances.unwrap_or(0.0),
            over.unwrap_or(0.0),
            waits.unwrap_or(0.0),
            admissions.unwrap_or(0.0),
            attendances.unwrap_or(0.0) - over.unwrap_or(0.0),
        ];
        monthly.add(code, month, row.line, &sums);
    })?;
    out.summary.remapped += remapped;
    monthly.counts(&table, &COUNTS, out);
    for (q, trust, line, months) in monthly.quarters(out) {
        let total = |i: usize| months.iter().map(|m| m[i]).sum::<f64>();
        let label = quarter_months_label(q);
        if total(0) > 0.0 {
            let pct = 100.0 * (1.0 - total(1) / total(0));
            out.observations.push(table.observation(
                q,
                trust.clone(),
                "OF0013",
                pct,
                label.clone(),
                line,
            ));
        }
        if total(3) > 0.0 {
            let rate = 100.0 * total(2) / total(3);
            out.observations
                .push(table.observation(q, trust, "OF8003", rate, label, line));
        }
    }
    Ok(())
}
