//! NHS England's NOF data CSV, read by [`crate::read_nof_data`]'s checks; here bad rows are
//! quarantined instead of failing the file.

use std::collections::BTreeSet;

use super::{Context, Ingested};
use crate::csvfile::CsvFile;
use crate::nof::read_nof_lenient;
use crate::{Exclusion, IngestError};

pub(super) use crate::nof::COLUMNS;

pub(super) fn read(file: &CsvFile, ctx: &Context, out: &mut Ingested) -> Result<(), IngestError> {
    let (mut dataset, summary, errors) =
        read_nof_lenient(file, ctx.methodology, ctx.register, None)?;
    tracing::info!(file = %file.name, "quarter from {}", summary.quarter_source.describe());
    let bad: BTreeSet<u64> = errors.iter().map(|e| e.line).collect();
    dataset
        .observations
        .retain(|o| !bad.contains(&o.source.line));
    out.summary.rows_read = summary.rows_read;
    for (why, n) in [
        (Exclusion::DerivedOutput, summary.derived_set_aside),
        (Exclusion::Suppressed, summary.no_value),
        (
            Exclusion::NotApplicable,
            summary.not_applicable + summary.other_unit,
        ),
    ] {
        if n > 0 {
            out.summary.excluded.insert(why, n);
        }
    }
    let mut lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
    lines.dedup();
    for line in lines {
        out.quarantine(errors.iter().filter(|e| e.line == line).cloned().collect());
    }
    out.observations = dataset.observations;
    out.trusts = dataset.trusts;
    Ok(())
}
