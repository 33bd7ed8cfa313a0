//! Writers for the engine's results.
//!
//! - [`write_tables`] writes, for each quarter and peer group of a [`league_model::ScoreRun`],
//!   `league-table.csv` (NHS England's league-table columns) and `metric-scores.csv` (NHS
//!   England's data-file layout, holding the rows the engine derived).
//! - The output set is staged, checked and promoted as a release by the `league` binary
//!   (`crates/cli/src/release.rs`); writers here only write into the directory they are given.
//!
//! Writers only format: every figure comes from the result types, nothing is recomputed here.
//! Text that a spreadsheet could read as a formula (leading `=`, `+`, `-`, `@`, tab, CR) is
//! prefixed with an apostrophe.

mod csv_out;
mod machine;
mod narrative;
pub mod national;
pub mod pdf;
mod publication;
pub mod site;
pub mod table;
pub mod theme;
pub mod trust;
pub mod xlsx;

pub use csv_out::{LEAGUE_TABLE_COLUMNS, METRIC_SCORE_COLUMNS, quarter_slug, write_tables};
pub use machine::{dictionary_json, table_csv, table_parquet, write_machine_readable};
pub use narrative::quarter_months;
pub use national::pdf::national_pdf;
pub use national::workbook::workbook;
pub use national::{
    ChartPoint, MethodFacts, Movement, NationalPack, Note, RankedChart, SegmentCounts,
    TrendSummary, build_pack,
};
pub use pdf::PdfError;
pub use publication::Publication;
pub use site::{Predecessor, ReleaseFacts, SITE_DIR, write_site};
pub use table::{Cell, Column, Kind, PackTable, Shorthand};
pub use trust::{DocumentContext, write_trust_documents};

/// Why writing outputs failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file or directory could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// Path.
        path: String,
        /// OS error.
        source: std::io::Error,
    },
}

impl ReportError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        ReportError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// The national pack of every quarter in the run, oldest first.
pub fn build_packs(
    run: &league_model::ScoreRun,
    m: &league_model::Methodology,
) -> Vec<NationalPack> {
    let mut quarters: Vec<league_model::Quarter> = run.tables.iter().map(|t| t.quarter).collect();
    quarters.sort();
    quarters.dedup();
    quarters
        .into_iter()
        .map(|q| build_pack(run, m, q))
        .collect()
}

/// Writes each pack under `dir/<yyyy-yy>-Q<n>/national/`: `league-tables.xlsx`,
/// `league-tables.pdf`, `tables/*.csv`, `tables/*.parquet` and `dictionary.json`.
pub fn write_national_packs(
    dir: &std::path::Path,
    packs: &[NationalPack],
    publication: &Publication,
) -> Result<Vec<std::path::PathBuf>, PackError> {
    let mut written = Vec::new();
    for pack in packs {
        let out = dir.join(quarter_slug(pack.quarter)).join("national");
        std::fs::create_dir_all(&out).map_err(|e| ReportError::io(&out, e))?;
        let p = out.join("league-tables.xlsx");
        write_file(&p, &workbook(pack, publication)?)?;
        written.push(p);
        let p = out.join("league-tables.pdf");
        write_file(&p, &national_pdf(pack, publication)?)?;
        written.push(p);
        written.extend(write_machine_readable(&out, pack)?);
    }
    Ok(written)
}

/// Why the national pack could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// A file could not be written.
    #[error(transparent)]
    Io(#[from] ReportError),
    /// The workbook could not be built.
    #[error("workbook: {0}")]
    Workbook(#[from] rust_xlsxwriter::XlsxError),
    /// The PDF could not be built or failed PDF/UA-1 validation.
    #[error(transparent)]
    Pdf(#[from] PdfError),
}

/// Writes a whole file and flushes it to disk.
pub(crate) fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), ReportError> {
    use std::io::Write;
    let mut f = std::fs::File::create(path).map_err(|e| ReportError::io(path, e))?;
    f.write_all(bytes).map_err(|e| ReportError::io(path, e))?;
    f.sync_all().map_err(|e| ReportError::io(path, e))
}
