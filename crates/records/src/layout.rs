//! The record layouts: which columns each extract has, of which type, and where its files live.
//!
//! An extract directory holds one sub-directory per dataset, partitioned by month:
//! `DIR/ae/month=2025-04/*.parquet`, `DIR/rtt/month=2025-04/*.parquet`,
//! `DIR/ambulance/month=2025-04/*.parquet`. The layouts are documented, column by column, in
//! `data/schema/records/<dataset>.toml`; a unit test keeps that file and [`Extract::columns`]
//! the same.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::RecordsError;

/// A column's type in the extract's Parquet files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// UTF-8 text.
    String,
    /// A whole number (any Parquet integer width).
    Integer,
    /// True or false.
    Boolean,
    /// A calendar date.
    Date,
    /// A timestamp in microseconds, UTC.
    TimestampUtc,
}

impl ColumnType {
    /// The name used in the schema files.
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::String => "string",
            ColumnType::Integer => "integer",
            ColumnType::Boolean => "boolean",
            ColumnType::Date => "date",
            ColumnType::TimestampUtc => "timestamp_us_utc",
        }
    }
}

/// One column of a layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Column name.
    pub name: &'static str,
    /// Its type.
    pub kind: ColumnType,
    /// Whether it may be null (a null in any other column quarantines the record).
    pub nullable: bool,
}

/// A column every record must fill.
const fn required(name: &'static str, kind: ColumnType) -> Column {
    Column {
        name,
        kind,
        nullable: false,
    }
}

/// A column a record may leave null.
const fn optional(name: &'static str, kind: ColumnType) -> Column {
    Column {
        name,
        kind,
        nullable: true,
    }
}

use ColumnType::{Boolean, Date, Integer, String as Text, TimestampUtc};

const AE: [Column; 6] = [
    required("org_code", Text),
    optional("site_code", Text),
    required("department_type", Integer),
    required("arrival_ts", TimestampUtc),
    required("departure_ts", TimestampUtc),
    optional("admitted", Boolean),
];
const RTT: [Column; 4] = [
    required("org_code", Text),
    optional("specialty", Text),
    required("clock_start", Date),
    required("snapshot_date", Date),
];
const AMBULANCE: [Column; 4] = [
    required("org_code", Text),
    required("category", Integer),
    required("call_ts", TimestampUtc),
    optional("arrival_ts", TimestampUtc),
];

/// The three record-level extracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Extract {
    /// A&E attendances (ECDS-like): one record per attendance.
    Ae,
    /// RTT waiting list: one record per incomplete pathway at a month-end snapshot.
    Rtt,
    /// Ambulance incidents: one record per incident.
    Ambulance,
}

impl Extract {
    /// Every dataset, in the order they are read.
    pub const ALL: [Extract; 3] = [Extract::Ae, Extract::Rtt, Extract::Ambulance];

    /// The directory name under the extract root (and the `--datasets` name).
    pub fn name(self) -> &'static str {
        match self {
            Extract::Ae => "ae",
            Extract::Rtt => "rtt",
            Extract::Ambulance => "ambulance",
        }
    }

    /// The dataset with a name.
    pub fn from_name(name: &str) -> Option<Extract> {
        Extract::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The columns every file of the dataset must have (others are ignored).
    pub fn columns(self) -> &'static [Column] {
        match self {
            Extract::Ae => &AE,
            Extract::Rtt => &RTT,
            Extract::Ambulance => &AMBULANCE,
        }
    }

    /// The column whose value must fall in the partition's month.
    pub fn period_column(self) -> &'static str {
        match self {
            Extract::Ae => "arrival_ts",
            Extract::Rtt => "snapshot_date",
            Extract::Ambulance => "call_ts",
        }
    }
}

impl fmt::Display for Extract {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A month `(year, month)`.
pub type Month = (u16, u8);

/// One month's partition of a dataset: its files in name order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    /// The month the directory name states.
    pub month: Month,
    /// Its Parquet files, sorted by name.
    pub files: Vec<PathBuf>,
}

/// The partition directory name for a month (`month=2025-04`).
pub fn partition_name((y, m): Month) -> String {
    format!("month={y:04}-{m:02}")
}

/// Parses `month=YYYY-MM`.
pub fn parse_partition(name: &str) -> Option<Month> {
    let rest = name.strip_prefix("month=")?;
    let (y, m) = rest.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let (y, m): (u16, u8) = (y.parse().ok()?, m.parse().ok()?);
    ((1900..=2999).contains(&y) && (1..=12).contains(&m)).then_some((y, m))
}

/// The partitions of one dataset under `root`, in month order; empty when the dataset's
/// directory does not exist. A directory that is not `month=YYYY-MM`, a partition without
/// Parquet files, or any other file is bad input; hidden files and Spark's `_SUCCESS`-style
/// markers are skipped.
pub fn partitions(root: &Path, dataset: Extract) -> Result<Vec<Partition>, RecordsError> {
    let dir = root.join(dataset.name());
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in read_dir_sorted(&dir)? {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if hidden(name) {
            continue;
        }
        let Some(month) = parse_partition(name).filter(|_| entry.is_dir()) else {
            return Err(RecordsError::Layout {
                file: entry.display().to_string(),
                reason: "not a month partition: expected a directory named month=YYYY-MM".into(),
            });
        };
        let mut files = Vec::new();
        for f in read_dir_sorted(&entry)? {
            let n = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if hidden(n) {
                continue;
            }
            if !f.is_file() || !n.ends_with(".parquet") {
                return Err(RecordsError::Layout {
                    file: f.display().to_string(),
                    reason: "not a Parquet file (*.parquet)".into(),
                });
            }
            files.push(f);
        }
        if files.is_empty() {
            return Err(RecordsError::Layout {
                file: entry.display().to_string(),
                reason: "a month partition without Parquet files".into(),
            });
        }
        out.push(Partition { month, files });
    }
    Ok(out)
}

/// Hidden files and the markers Spark and Hadoop leave (`_SUCCESS`, `_committed_…`) are not
/// data.
fn hidden(name: &str) -> bool {
    name.starts_with('.') || name.starts_with('_')
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>, RecordsError> {
    let io = |source| RecordsError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).map_err(io)? {
        v.push(e.map_err(io)?.path());
    }
    v.sort();
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_names_round_trip_and_bad_ones_are_refused() {
        assert_eq!(parse_partition(&partition_name((2025, 4))), Some((2025, 4)));
        for bad in [
            "month=2025-13",
            "month=25-04",
            "2025-04",
            "month=2025-4",
            "month=9999-12",
            "month=0000-01",
        ] {
            assert_eq!(parse_partition(bad), None, "{bad}");
        }
    }

    /// The schema files in data/schema/records/ document exactly the columns the code reads.
    #[test]
    fn schema_files_match_the_layouts() {
        for d in Extract::ALL {
            let path = format!(
                "{}/../../data/schema/records/{}.toml",
                env!("CARGO_MANIFEST_DIR"),
                d.name()
            );
            let text = std::fs::read_to_string(&path).expect("schema file");
            let doc: toml::Table = toml::from_str(&text).expect("schema TOML");
            assert_eq!(doc["dataset"].as_str(), Some(d.name()));
            assert_eq!(
                doc["period_column"].as_str(),
                Some(d.period_column()),
                "{path}"
            );
            let cols = doc["column"].as_array().expect("[[column]]");
            assert_eq!(cols.len(), d.columns().len(), "{path}");
            for (doc, code) in cols.iter().zip(d.columns()) {
                assert_eq!(doc["name"].as_str(), Some(code.name), "{path}");
                assert_eq!(
                    doc["type"].as_str(),
                    Some(code.kind.name()),
                    "{path}: {}",
                    code.name
                );
                assert_eq!(
                    doc["nullable"].as_bool(),
                    Some(code.nullable),
                    "{path}: {}",
                    code.name
                );
                assert!(doc["description"].as_str().is_some_and(|s| !s.is_empty()));
            }
        }
    }
}
