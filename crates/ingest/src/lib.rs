//! Reads the pipeline's inputs into validated, typed rows.
//!
//! - [`TrustRegister`] is the list of known trust codes (`data/reference/`), current and historic.
//! - [`read_nof_data`] reads NHS England's NOF data CSV (long format: one row per trust, quarter
//!   and metric) into a [`league_model::Dataset`], checking every row against the methodology
//!   and the register. All row failures are collected, not just the first, and each names its
//!   file, line, column, value and reason ([`RowError`]).
//! - [`IngestError`] is the crate's error; [`IngestError::is_bad_input`] tells the binary which
//!   exit code to use.
//!
//! Derived outputs in the input (OF4xxx domain results, OF5000, OF5002, OF5003, OF5005) are set
//! aside and counted in [`NofReadSummary`]: the engine computes them and never takes them as
//! answers.

mod adapters;
mod assemble;
mod board;
mod csvfile;
mod error;
mod limits;
mod nof;
mod quality;
mod register;
mod rule;
mod tabular;
#[cfg(test)]
mod test_support;
mod text;
mod thresholds;

pub use adapters::{
    COUNTS_FORMAT, Context, Format, Ingested, LONG_FORMAT, SourceSummary, ingest_bytes,
    ingest_file, month_label,
};
pub use assemble::{Assembled, assemble, trust_from_register};
pub use board::{BOARD_COLUMNS, read_board_assessment_bytes, read_board_assessments};
pub use csvfile::{ensure_regular_file, read_bounded};
pub use error::{IngestError, RowError};
pub use limits::{ECHO_CHARS, LIMIT_NAMES, Limits, truncate_for_message};
pub use nof::{NofReadSummary, QuarterSource, read_nof_bytes, read_nof_data};
pub use quality::{QUARANTINE_COLUMNS, SUMMARY_COLUMNS, quarantine_csv, summary_csv};
pub use register::{RegisterEntry, Resolution, TrustRegister, closed_reason};
pub use rule::{Exclusion, Rule, looks_like_formula};
pub use thresholds::{Breach, Coverage, PeriodRange, Threshold, ThresholdError, Thresholds};
