//! `league generate records`, `league aggregate` and record sources in a binary built without
//! the `records` feature: each refuses with one clear error (exit 4, bad configuration) that
//! says how to get a binary that has them. The feature keeps polars' lazy engine, its Parquet,
//! streaming and date-time stack (and the object-store crates it brings) out of the main
//! command's build.

use std::path::Path;

use crate::args::{AggregateArgs, GenerateRecordsArgs};
use crate::error::{Classify, ExitClass};

/// The refusal every record-level entry point returns in this build.
fn unsupported<T>(what: &str) -> anyhow::Result<T> {
    Err(anyhow::anyhow!(
        "{what} needs record-level support, which this league binary was built without; \
         rebuild with `cargo build --release --features records` (the `just generate-records`, \
         `just aggregate` and `just bench-records` recipes do)"
    ))
    .class(ExitClass::BadConfig)
}

/// `league generate records`: refused.
pub(crate) fn generate(_: &GenerateRecordsArgs) -> anyhow::Result<()> {
    unsupported("league generate records")
}

/// `league aggregate`: refused.
pub(crate) fn aggregate(a: &AggregateArgs) -> anyhow::Result<()> {
    unsupported(&format!(
        "league aggregate --records {}",
        a.records.display()
    ))
}

/// A record source in a run or job: refused.
pub(crate) fn ingest(
    dir: &Path,
    _: &league_ingest::Context<'_>,
) -> anyhow::Result<Vec<league_ingest::Ingested>> {
    unsupported(&format!("the record source {}", dir.display()))
}

/// The hash of a record source: refused (a job cannot use one in this build).
pub(crate) fn tree_hash(dir: &Path) -> anyhow::Result<String> {
    unsupported(&format!("the record source {}", dir.display()))
}
