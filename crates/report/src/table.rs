//! The table model every rendering draws from: columns with their dictionary entries, cells
//! that are text, whole numbers, decimals rounded once, or a missing value's shorthand. PDF,
//! workbook, CSV and Parquet all print these cells, so the figures cannot disagree.

use league_model::number::round_dp;

/// The Analysis Function's shorthand used in the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shorthand {
    /// `[x]` not available.
    NotAvailable,
    /// `[z]` not applicable.
    NotApplicable,
    /// `[u]` low reliability: too few trusts in the peer group have a value to compare with.
    TooFew,
}

impl Shorthand {
    /// The marker.
    pub fn marker(self) -> &'static str {
        match self {
            Shorthand::NotAvailable => "[x]",
            Shorthand::NotApplicable => "[z]",
            Shorthand::TooFew => "[u]",
        }
    }

    /// What it means.
    pub fn meaning(self) -> &'static str {
        match self {
            Shorthand::NotAvailable => "not available: the trust has no value for this item",
            Shorthand::NotApplicable => "not applicable: the item does not apply to this row",
            Shorthand::TooFew => {
                "low reliability: too few trusts in the peer group have a value to compare with"
            }
        }
    }
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text from data or labels.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A number shown to a fixed number of decimal places (the column's).
    Num(f64),
    /// A missing value, shown by its shorthand.
    Missing(Shorthand),
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text.
    Text,
    /// Whole numbers.
    Integer,
    /// Decimals with this many places.
    Decimal(u8),
}

/// A column and its dictionary entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header as shown (units in round brackets).
    pub header: String,
    /// Machine-readable name (snake case), used in CSV, Parquet and the dictionary.
    pub key: String,
    /// Type.
    pub kind: Kind,
    /// Unit ("" for none).
    pub unit: String,
    /// What the column means.
    pub meaning: String,
}

pub(crate) fn col(header: &str, key: &str, kind: Kind, unit: &str, meaning: &str) -> Column {
    Column {
        header: header.to_owned(),
        key: key.to_owned(),
        kind,
        unit: unit.to_owned(),
        meaning: meaning.to_owned(),
    }
}

/// The trust code column, identical in every table that has one.
pub(crate) fn trust_code_column() -> Column {
    col(
        "Trust code",
        "trust_code",
        Kind::Text,
        "",
        "ODS organisation code.",
    )
}

/// The trust name column, identical in every table that has one.
pub(crate) fn trust_name_column() -> Column {
    col("Trust name", "trust_name", Kind::Text, "", "Trust name.")
}

/// One table of the pack.
#[derive(Debug, Clone, PartialEq)]
pub struct PackTable {
    /// File stem and Excel table name (`league_acute`): letters, digits and underscores.
    pub id: String,
    /// Worksheet name (at most 31 characters).
    pub sheet: String,
    /// Title (A1 of its sheet, caption in the PDF).
    pub title: String,
    /// One sentence on what it shows.
    pub description: String,
    /// Lines every rendering shows with the table (above it in the workbook, under its heading
    /// in the PDF, in the dictionary): what its figures rest on.
    pub notes: Vec<String>,
    /// Columns.
    pub columns: Vec<Column>,
    /// Rows, each with one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

impl PackTable {
    /// The shorthand markers used in the table.
    pub fn shorthand(&self) -> Vec<Shorthand> {
        let mut s: Vec<Shorthand> = self
            .rows
            .iter()
            .flatten()
            .filter_map(|c| match c {
                Cell::Missing(s) => Some(*s),
                _ => None,
            })
            .collect();
        s.sort();
        s.dedup();
        s
    }
}

impl PackTable {
    /// Index of the column with this machine-readable name.
    pub fn column(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }
}

impl Cell {
    /// The cell as text: decimals to the column's places, missing values by their shorthand.
    pub fn display(&self, kind: Kind) -> String {
        match (self, kind) {
            (Cell::Text(s), _) => s.clone(),
            (Cell::Int(v), _) => v.to_string(),
            (Cell::Num(v), Kind::Decimal(dp)) => format!("{v:.*}", usize::from(dp)),
            (Cell::Num(v), _) => v.to_string(),
            (Cell::Missing(s), _) => s.marker().to_owned(),
        }
    }
}

/// Decimal places of every decimal figure in the pack.
pub(crate) const DP: u8 = 2;

/// A decimal figure, rounded once, here, half away from zero as NHS England rounds: every
/// rendering then prints this value and no other.
pub(crate) fn dec(v: f64) -> Cell {
    Cell::Num(round_dp(v, u32::from(DP)))
}

pub(crate) fn dec_or(v: Option<f64>, missing: Shorthand) -> Cell {
    v.map_or(Cell::Missing(missing), dec)
}

/// A metric's value: a whole number where the metric's values are (a count, `whole`) and this
/// one is, else a decimal as [`dec`]; `missing` where there is none.
pub(crate) fn value_cell(v: Option<f64>, whole: bool, missing: Shorthand) -> Cell {
    match v {
        Some(x) if whole && x.fract() == 0.0 => Cell::Int(x as i64),
        other => dec_or(other, missing),
    }
}

pub(crate) fn yes_no(b: bool) -> Cell {
    Cell::Text(if b { "Yes" } else { "No" }.to_owned())
}
