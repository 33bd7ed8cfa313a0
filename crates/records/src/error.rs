//! The crate's error.

use thiserror::Error;

/// What can stop reading, generating or aggregating records.
#[derive(Debug, Error)]
pub enum RecordsError {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The extract's directory or a file's columns do not follow the layout.
    #[error("{file}: {reason}")]
    Layout {
        /// The file or directory.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// A column of a file has the wrong type or is missing.
    #[error("{file}: column {column}: {reason}")]
    Column {
        /// The file.
        file: String,
        /// The column.
        column: String,
        /// What is wrong.
        reason: String,
    },
    /// A calibration source could not be used.
    #[error("{file}:{line}: column {column}: {reason}")]
    Calibration {
        /// The source file.
        file: String,
        /// 1-based line.
        line: u64,
        /// The column.
        column: String,
        /// What is wrong.
        reason: String,
    },
    /// A request that cannot be carried out (an output directory in use, a year without
    /// calibration data).
    #[error("{0}")]
    Request(String),
    /// The query engine failed.
    #[error("{context}: {source}")]
    Polars {
        /// What was being done.
        context: String,
        /// The cause.
        source: polars::error::PolarsError,
    },
    /// The metric values did not pass the long-format checks.
    #[error(transparent)]
    Ingest(#[from] league_ingest::IngestError),
}

impl RecordsError {
    /// True when the input is at fault (exit code for bad input), not the machine or the code.
    pub fn is_bad_input(&self) -> bool {
        match self {
            RecordsError::Layout { .. }
            | RecordsError::Column { .. }
            | RecordsError::Calibration { .. } => true,
            RecordsError::Ingest(e) => e.is_bad_input(),
            RecordsError::Request(_) | RecordsError::Io { .. } | RecordsError::Polars { .. } => {
                false
            }
        }
    }

    /// True for an I/O failure.
    pub fn is_io(&self) -> bool {
        matches!(self, RecordsError::Io { .. })
    }

    pub(crate) fn polars(
        context: impl Into<String>,
    ) -> impl FnOnce(polars::error::PolarsError) -> Self {
        let context = context.into();
        move |source| RecordsError::Polars { context, source }
    }
}
