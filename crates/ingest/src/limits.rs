//! What one input file may cost (`data/validation/limits.toml`, overridden with `--limit
//! NAME=VALUE`). Each limit is checked before the memory it guards is allocated: the file size
//! from its metadata and while reading, spreadsheet archives from their entry sizes and while
//! decompressing, a spreadsheet's cell count from its declared dimension. A file over a limit is
//! bad input (exit 3) whose message names the limit and how to raise it.

use serde::Deserialize;

/// The limits, in bytes, rows, columns or cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Largest input file.
    pub max_file_bytes: u64,
    /// Longest line of a CSV file.
    pub max_line_bytes: u64,
    /// Longest field.
    pub max_field_bytes: u64,
    /// Most data rows.
    pub max_rows: u64,
    /// Most columns.
    pub max_columns: u64,
    /// Most bytes a spreadsheet archive may decompress to, all entries together.
    pub max_decompressed_bytes: u64,
    /// Most cells a spreadsheet's first sheet may declare.
    pub max_cells: u64,
}

impl Default for Limits {
    /// The shipped limits: far above any real input (the largest is about 2 MB), far below
    /// what would exhaust the 24 GiB machine.
    fn default() -> Self {
        Limits {
            max_file_bytes: 64 << 20,
            max_line_bytes: 64 << 10,
            max_field_bytes: 8 << 10,
            max_rows: 1_000_000,
            max_columns: 500,
            max_decompressed_bytes: 256 << 20,
            max_cells: 10_000_000,
        }
    }
}

/// The names of the limits, as the file and `--limit` spell them.
pub const LIMIT_NAMES: [&str; 7] = [
    "max_file_bytes",
    "max_line_bytes",
    "max_field_bytes",
    "max_rows",
    "max_columns",
    "max_decompressed_bytes",
    "max_cells",
];

impl Limits {
    /// Parses the limits file; every limit must be given and positive.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let l: Limits = toml::from_str(text).map_err(|e| e.to_string().trim().to_owned())?;
        for name in LIMIT_NAMES {
            if l.get(name) == Some(0) {
                return Err(format!("{name} must be a positive number"));
            }
        }
        Ok(l)
    }

    /// A limit by name.
    pub fn get(&self, name: &str) -> Option<u64> {
        Some(match name {
            "max_file_bytes" => self.max_file_bytes,
            "max_line_bytes" => self.max_line_bytes,
            "max_field_bytes" => self.max_field_bytes,
            "max_rows" => self.max_rows,
            "max_columns" => self.max_columns,
            "max_decompressed_bytes" => self.max_decompressed_bytes,
            "max_cells" => self.max_cells,
            _ => return None,
        })
    }

    /// Applies `NAME=VALUE` (from `--limit`); the error says what is wrong.
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| format!("--limit {assignment:?}: expected NAME=VALUE"))?;
        let value: u64 = value
            .trim()
            .replace('_', "")
            .parse()
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| {
                format!("--limit {assignment:?}: the value must be a positive whole number")
            })?;
        let slot = match name.trim() {
            "max_file_bytes" => &mut self.max_file_bytes,
            "max_line_bytes" => &mut self.max_line_bytes,
            "max_field_bytes" => &mut self.max_field_bytes,
            "max_rows" => &mut self.max_rows,
            "max_columns" => &mut self.max_columns,
            "max_decompressed_bytes" => &mut self.max_decompressed_bytes,
            "max_cells" => &mut self.max_cells,
            other => {
                return Err(format!(
                    "--limit: unknown limit {other:?}; the limits are {}",
                    LIMIT_NAMES.join(", ")
                ));
            }
        };
        *slot = value;
        Ok(())
    }

    /// The error for `file` exceeding `limit` (`what` says by how much).
    pub(crate) fn exceeded(
        &self,
        file: &str,
        limit: &'static str,
        what: String,
    ) -> crate::IngestError {
        crate::IngestError::OverLimit {
            file: file.to_owned(),
            what,
            limit,
            value: self.get(limit).expect("a known limit"),
        }
    }
}

/// Characters of a value echoed into a message or the quarantine file.
pub const ECHO_CHARS: usize = 200;

/// At most `max` characters of `text` for a message or the quarantine file, saying how long the
/// original was when it is cut.
pub fn truncate_for_message(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text.to_owned();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}… ({n} characters in all)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_matches_the_defaults_and_overrides_apply() {
        let shipped = Limits::from_toml(include_str!("../../../data/validation/limits.toml"))
            .expect("shipped limits");
        assert_eq!(shipped, Limits::default());
        let mut l = shipped;
        l.set("max_rows=2_000_000").expect("set");
        assert_eq!(l.max_rows, 2_000_000);
        assert!(l.set("max_rows=0").is_err());
        assert!(
            l.set("max_row=5")
                .expect_err("unknown")
                .contains("unknown limit")
        );
        assert!(l.set("max_rows").is_err());
        assert!(
            Limits::from_toml("max_rows = 5").is_err(),
            "every limit is required"
        );
    }

    #[test]
    fn long_values_are_cut_for_messages() {
        assert_eq!(truncate_for_message("short", 10), "short");
        let long = "x".repeat(1_000);
        let cut = truncate_for_message(&long, 200);
        assert!(cut.starts_with(&"x".repeat(200)));
        assert!(cut.ends_with("(1000 characters in all)"));
    }
}
