//! The two published layouts: with a `Quarter` column (Q2 2025/26 on), whose rows each say
//! their quarter, and NHS England's Q1 2025/26 layout without one, whose quarter is
//! `--quarter` or the one quarter its `Reporting_date` values name.

use std::collections::BTreeSet;

use league_model::Quarter;

use super::QuarterSource;
use crate::IngestError;
use crate::csvfile::{CsvFile, Record};

/// The quarter of every row of a file without a `Quarter` column: `given` (checked against
/// any quarter the `Reporting_date` values name), else the one quarter they name.
pub(super) fn file_quarter(
    file: &CsvFile,
    date_i: usize,
    given: Option<Quarter>,
) -> Result<(Quarter, QuarterSource), IngestError> {
    let mut named: BTreeSet<Quarter> = BTreeSet::new();
    for record in file.records()? {
        let Record::Row { fields: rec, .. } = record else {
            continue;
        };
        if let Some(q) = rec
            .get(date_i)
            .and_then(|d| d.trim().parse::<Quarter>().ok())
        {
            named.insert(q);
        }
    }
    let list = |s: &BTreeSet<Quarter>| {
        s.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let unusable = |problem: String| IngestError::Unusable {
        file: file.name.clone(),
        problem,
    };
    match given {
        Some(q) if named.iter().all(|n| *n == q) => Ok((q, QuarterSource::Option)),
        Some(q) => Err(unusable(format!(
            "the file has no Quarter column and its Reporting_date values name {}, not --quarter {q}",
            list(&named)
        ))),
        None => match named.len() {
            1 => Ok((
                *named.first().expect("one quarter"),
                QuarterSource::ReportingDate,
            )),
            0 => Err(unusable(
                "the file has no Quarter column and no Reporting_date names a quarter (like \"Q1 2025/26\"); give --quarter".into(),
            )),
            _ => Err(unusable(format!(
                "the file has no Quarter column and its Reporting_date values name several quarters ({}); give --quarter",
                list(&named)
            ))),
        },
    }
}

/// Where each row's quarter is read.
#[derive(Clone, Copy)]
pub(super) enum RowQuarter {
    /// The `Quarter` column at this index.
    Column(usize),
    /// One quarter for the whole file.
    File(Quarter),
}
