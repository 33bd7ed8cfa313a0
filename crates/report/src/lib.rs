//! Writers for the engine's results.
//!
//! - [`write_tables`] writes, for each quarter and peer group of a [`league_model::ScoreRun`],
//!   `league-table.csv` (NHS England's league-table columns) and `metric-scores.csv` (NHS
//!   England's data-file layout, holding the rows the engine derived).
//! - [`publish`] builds a whole output set in a staging directory and moves it into place only
//!   when every file is written, so a failed run never leaves half-written files where good ones
//!   were.
//!
//! Writers only format: every figure comes from the result types, nothing is recomputed here.
//! Text that a spreadsheet could read as a formula (leading `=`, `+`, `-`, `@`, tab, CR) is
//! prefixed with an apostrophe.

mod csv_out;
mod publish;

pub use csv_out::{LEAGUE_TABLE_COLUMNS, METRIC_SCORE_COLUMNS, quarter_slug, write_tables};
pub use publish::publish;

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
