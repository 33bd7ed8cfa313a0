//! The output formats read back as grids of text, in one canonical form so that cells can be
//! compared across formats: numbers to the places the data dictionary gives, missing values
//! empty, text as the data holds it (a spreadsheet's formula-guard apostrophe removed).

use std::collections::HashMap;
use std::path::Path;

/// A table read back: header and rows of canonical text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    /// Column names.
    pub header: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<String>>,
}

impl Grid {
    /// Index of a column.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Cell of row `r` in column `name`; empty when the column is absent.
    pub fn get<'a>(&'a self, r: &'a [String], name: &str) -> &'a str {
        self.col(name).map_or("", |c| r[c].as_str())
    }
}

/// How a column's numbers are written: whole numbers, or this many decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberForm {
    /// Text.
    Text,
    /// Whole numbers.
    Integer,
    /// Decimals.
    Decimal(usize),
}

/// Text that CSV writers guard against spreadsheet formula injection starts with an apostrophe
/// before one of these.
const GUARDED: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The data behind a CSV cell: the formula-guard apostrophe removed.
pub fn unguard(s: &str) -> String {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(GUARDED) => rest.to_owned(),
        _ => s.to_owned(),
    }
}

/// Every file under `root`, as `/`-separated paths relative to it, sorted.
pub fn files_under(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&rel)) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let name = rel.join(e.file_name());
            if e.path().is_dir() {
                stack.push(name);
            } else {
                out.push(slashed(&name));
            }
        }
    }
    out.sort();
    out
}

fn slashed(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads a CSV file (header row first).
pub fn csv(path: &Path) -> Result<Grid, String> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| e.to_string())?;
    let header = r
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        rows.push(rec.iter().map(unguard).collect());
    }
    Ok(Grid { header, rows })
}

/// Reads a Parquet file, writing numbers as `forms` says.
pub fn parquet(path: &Path, forms: &HashMap<String, NumberForm>) -> Result<Grid, String> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let reader = SerializedFileReader::new(f).map_err(|e| e.to_string())?;
    let header: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    let mut rows = Vec::new();
    for row in reader.get_row_iter(None).map_err(|e| e.to_string())? {
        let row = row.map_err(|e| e.to_string())?;
        rows.push(
            row.get_column_iter()
                .map(|(name, field)| {
                    let form = forms.get(name).copied().unwrap_or(NumberForm::Text);
                    match field {
                        Field::Null => String::new(),
                        Field::Str(s) => s.clone(),
                        Field::Long(v) => v.to_string(),
                        Field::Int(v) => v.to_string(),
                        Field::Double(v) => number(*v, form),
                        Field::Float(v) => number(f64::from(*v), form),
                        other => other.to_string(),
                    }
                })
                .collect(),
        );
    }
    Ok(Grid { header, rows })
}

fn number(v: f64, form: NumberForm) -> String {
    match form {
        NumberForm::Decimal(dp) => format!("{v:.dp$}"),
        NumberForm::Integer => format!("{}", v as i64),
        NumberForm::Text => v.to_string(),
    }
}

/// The Excel tables of a workbook by name, and the text of its Cover sheet's column A.
pub struct Workbook {
    book: calamine::Xlsx<std::io::BufReader<std::fs::File>>,
}

impl Workbook {
    /// Opens a workbook and loads its table definitions.
    pub fn open(path: &Path) -> Result<Self, String> {
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook(path).map_err(|e: calamine::XlsxError| e.to_string())?;
        book.load_tables().map_err(|e| e.to_string())?;
        Ok(Self { book })
    }

    /// The Excel table `name` (header and rows), numbers written as `forms` says; the
    /// shorthand for a missing value (`[x]`, `[z]`) reads as empty.
    pub fn table(
        &mut self,
        name: &str,
        forms: &HashMap<String, NumberForm>,
    ) -> Result<Grid, String> {
        use calamine::Data;
        let t = self.book.table_by_name(name).map_err(|e| e.to_string())?;
        let header: Vec<String> = t.columns().to_vec();
        let rows = t
            .data()
            .rows()
            .map(|r| {
                r.iter()
                    .zip(&header)
                    .map(|(d, h)| {
                        let form = forms.get(h).copied().unwrap_or(NumberForm::Text);
                        match d {
                            Data::Empty => String::new(),
                            Data::String(s) if s == "[x]" || s == "[z]" => String::new(),
                            Data::String(s) => s.clone(),
                            Data::Float(v) => number(*v, form),
                            Data::Int(v) => v.to_string(),
                            Data::Bool(b) => b.to_string(),
                            other => other.to_string(),
                        }
                    })
                    .collect()
            })
            .collect();
        Ok(Grid { header, rows })
    }

    /// The sheet names, in order.
    pub fn sheet_names(&self) -> Vec<String> {
        use calamine::Reader;
        self.book.sheet_names()
    }

    /// Every text cell of a sheet, row by row.
    pub fn sheet_text(&mut self, sheet: &str) -> Result<Vec<String>, String> {
        use calamine::Reader;
        let range = self
            .book
            .worksheet_range(sheet)
            .map_err(|e| e.to_string())?;
        Ok(range
            .rows()
            .flat_map(|r| r.iter())
            .filter_map(|d| match d {
                calamine::Data::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect())
    }
}
