//! Ingestion errors. Every row-level failure names file, line, column, value and reason.

use std::fmt;
use std::path::PathBuf;

/// One bad cell or row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// File as given.
    pub file: String,
    /// 1-based line (the header is line 1).
    pub line: u64,
    /// Column name (or names, comma-separated, for a key).
    pub column: String,
    /// The offending value as read.
    pub value: String,
    /// Why it is rejected.
    pub reason: String,
    /// The rule it breaks.
    pub rule: crate::Rule,
}

impl RowError {
    /// A quarantine row; the value is echoed at most [`crate::ECHO_CHARS`] characters. Every
    /// reader makes its quarantine rows here.
    pub fn new(
        file: impl Into<String>,
        line: u64,
        column: impl Into<String>,
        value: &str,
        rule: crate::Rule,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            file: file.into(),
            line,
            column: column.into(),
            value: crate::truncate_for_message(value, crate::ECHO_CHARS),
            reason: reason.into(),
            rule,
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: column {}: value {:?}: {}",
            self.file, self.line, self.column, self.value, self.reason
        )
    }
}

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// Path.
        path: PathBuf,
        /// OS error.
        source: std::io::Error,
    },
    /// The file is empty or has no data rows.
    #[error("{file}: the file has no header row or no data rows")]
    Empty {
        /// File.
        file: String,
    },
    /// The bytes are not UTF-8.
    #[error(
        "{file}:{line}: the file is not UTF-8 text (byte offset {offset}); save it as UTF-8, with or without BOM"
    )]
    Encoding {
        /// File.
        file: String,
        /// Line of the first bad byte.
        line: u64,
        /// Byte offset of the first bad byte.
        offset: usize,
    },
    /// A file whose period is in its name has a name that does not give one.
    #[error("{file}: {reason}")]
    NoPeriod {
        /// File.
        file: String,
        /// What the name should be.
        reason: String,
    },
    /// Required columns are missing from the header.
    #[error("{file}:1: missing column(s) {}; the header has: {}", missing.join(", "), found.join(", "))]
    MissingColumns {
        /// File.
        file: String,
        /// Columns that are required and absent.
        missing: Vec<String>,
        /// Columns present.
        found: Vec<String>,
    },
    /// The CSV structure is broken (unterminated quote, wrong field count).
    #[error("{file}:{line}: malformed CSV: {message}")]
    Malformed {
        /// File.
        file: String,
        /// Line.
        line: u64,
        /// Parser message.
        message: String,
    },
    /// The header matches none of the supported formats.
    #[error(
        "{file}:1: the header matches no supported format{}; it has: {}\n{}",
        closest_help(found),
        columns_listed(found),
        formats_help()
    )]
    UnknownFormat {
        /// File.
        file: String,
        /// Columns present.
        found: Vec<String>,
    },
    /// A file exceeds one of the configured limits (`data/validation/limits.toml`).
    #[error(
        "{file}: {what}, over the limit {limit} = {value}; raise it with --limit {limit}=N (or in data/validation/limits.toml)"
    )]
    OverLimit {
        /// File.
        file: String,
        /// What exceeds it, with the figure.
        what: String,
        /// The limit's name.
        limit: &'static str,
        /// The limit's value.
        value: u64,
    },
    /// Not a regular file (a directory, device or pipe), which could block or never end.
    #[error("{file}: not a regular file ({kind}); give a file, or `-` for standard input")]
    NotAFile {
        /// File.
        file: String,
        /// What it is.
        kind: String,
    },
    /// A file's name or options lack something the format needs.
    #[error("{file}: {problem}")]
    Unusable {
        /// File.
        file: String,
        /// What is missing.
        problem: String,
    },
    /// One or more rows failed validation.
    #[error("{}", rows_message(.0))]
    Rows(Vec<RowError>),
}

/// The format whose required columns the header comes closest to having, and what it lacks.
fn closest_help(found: &[String]) -> String {
    let best = crate::Format::ALL
        .into_iter()
        .map(|f| {
            let missing: Vec<&str> = f
                .required_columns()
                .iter()
                .copied()
                .filter(|c| !found.iter().any(|h| h == c))
                .collect();
            let have = f.required_columns().len() - missing.len();
            (have * 100 / f.required_columns().len(), f, missing)
        })
        .max_by_key(|(share, ..)| *share);
    match best {
        Some((share, f, missing)) if share >= 50 => {
            format!(
                " (closest: {}, missing column(s) {})",
                f.name(),
                missing.join(", ")
            )
        }
        _ => String::new(),
    }
}

fn formats_help() -> String {
    let mut s = String::from("supported formats (name: required columns):");
    for f in crate::Format::ALL {
        s.push_str(&format!(
            "\n  {}: {}\n      {}",
            f.name(),
            f.required_columns().join(", "),
            f.description()
        ));
    }
    s
}

fn rows_message(rows: &[RowError]) -> String {
    const SHOWN: usize = 20;
    let mut s = format!("{} invalid row(s):", rows.len());
    for r in rows.iter().take(SHOWN) {
        s.push_str("\n  ");
        s.push_str(&r.to_string());
    }
    if rows.len() > SHOWN {
        s.push_str(&format!("\n  … and {} more", rows.len() - SHOWN));
    }
    s
}

impl IngestError {
    /// True for problems with the input's content (as opposed to I/O failures).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, IngestError::Io { .. })
    }
}

/// The columns of an unrecognised header, at most 30 and each cut to a readable length, with
/// how many there are in all: a hostile header is never echoed whole.
fn columns_listed(found: &[String]) -> String {
    let shown: Vec<String> = found
        .iter()
        .take(30)
        .map(|c| crate::truncate_for_message(c, 60))
        .collect();
    if found.len() > shown.len() {
        format!("{}, … ({} columns in all)", shown.join(", "), found.len())
    } else {
        shown.join(", ")
    }
}
