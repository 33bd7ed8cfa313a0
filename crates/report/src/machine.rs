//! Machine-readable companions of the pack: one CSV and one Parquet file per table, and a JSON
//! column dictionary. A missing value is an empty CSV field and a Parquet null; the dictionary
//! says so. Numbers carry the precision the tables show, so every format agrees.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::ReportError;
use crate::national::NationalPack;
use crate::table::{Cell, Kind, PackTable, Shorthand};
use league_model::text::escape_formula;

fn cell_text(cell: &Cell, kind: Kind) -> String {
    match (cell, kind) {
        (Cell::Text(s), _) => escape_formula(s),
        (Cell::Int(v), _) => v.to_string(),
        (Cell::Num(v), Kind::Decimal(dp)) => format!("{v:.*}", usize::from(dp)),
        (Cell::Num(v), _) => v.to_string(),
        (Cell::Missing(_), _) => String::new(),
    }
}

/// The CSV text of a table (header of machine-readable names, CRLF line ends).
pub fn table_csv(t: &PackTable) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(t.columns.iter().map(|c| c.key.as_str()))
        .expect("in memory");
    for row in &t.rows {
        w.write_record(
            row.iter()
                .zip(&t.columns)
                .map(|(cell, c)| cell_text(cell, c.kind)),
        )
        .expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8")
}

/// The Parquet bytes of a table: text as UTF-8 strings, integers as INT64, decimals as DOUBLE
/// rounded as shown; every column optional (null for a missing value). Uncompressed.
pub fn table_parquet(t: &PackTable) -> Result<Vec<u8>, parquet::errors::ParquetError> {
    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;

    let fields: Vec<String> = t
        .columns
        .iter()
        .map(|c| {
            let ty = match c.kind {
                Kind::Text => "BYTE_ARRAY",
                Kind::Integer => "INT64",
                Kind::Decimal(_) => "DOUBLE",
            };
            let logical = if c.kind == Kind::Text { " (UTF8)" } else { "" };
            format!("OPTIONAL {ty} {}{logical};", c.key)
        })
        .collect();
    let schema = Arc::new(parse_message_type(&format!(
        "message {} {{ {} }}",
        t.id,
        fields.join(" ")
    ))?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_created_by("league-tables".to_owned())
            .build(),
    );
    let mut w = SerializedFileWriter::new(Vec::new(), schema, props)?;
    let mut rg = w.next_row_group()?;
    let mut i = 0;
    while let Some(mut col) = rg.next_column()? {
        let kind = t.columns[i].kind;
        let cells: Vec<&Cell> = t.rows.iter().map(|r| &r[i]).collect();
        let def: Vec<i16> = cells
            .iter()
            .map(|c| i16::from(!matches!(c, Cell::Missing(_))))
            .collect();
        match kind {
            Kind::Text => {
                let v: Vec<ByteArray> = cells
                    .iter()
                    .filter_map(|c| match c {
                        Cell::Text(s) => Some(ByteArray::from(s.as_str())),
                        _ => None,
                    })
                    .collect();
                col.typed::<ByteArrayType>()
                    .write_batch(&v, Some(&def), None)?;
            }
            Kind::Integer => {
                let v: Vec<i64> = cells
                    .iter()
                    .filter_map(|c| match c {
                        Cell::Int(x) => Some(*x),
                        _ => None,
                    })
                    .collect();
                col.typed::<Int64Type>().write_batch(&v, Some(&def), None)?;
            }
            Kind::Decimal(_) => {
                let v: Vec<f64> = cells
                    .iter()
                    .filter_map(|c| match c {
                        // Rounded once, in the pack: written as the CSV and workbook show it.
                        Cell::Num(x) => Some(*x),
                        _ => None,
                    })
                    .collect();
                col.typed::<DoubleType>()
                    .write_batch(&v, Some(&def), None)?;
            }
        }
        col.close()?;
        i += 1;
    }
    rg.close()?;
    w.into_inner()
}

#[derive(Serialize)]
struct Dictionary<'a> {
    period: String,
    missing_values: &'static str,
    shorthand: Vec<ShorthandEntry>,
    tables: Vec<TableEntry<'a>>,
}

#[derive(Serialize)]
struct ShorthandEntry {
    code: &'static str,
    meaning: &'static str,
}

#[derive(Serialize)]
struct TableEntry<'a> {
    id: &'a str,
    title: &'a str,
    description: &'a str,
    notes: &'a [String],
    csv: String,
    parquet: String,
    rows: usize,
    columns: Vec<ColumnEntry<'a>>,
}

#[derive(Serialize)]
struct ColumnEntry<'a> {
    name: &'a str,
    header: &'a str,
    #[serde(rename = "type")]
    ty: &'static str,
    decimal_places: Option<u8>,
    unit: &'a str,
    meaning: &'a str,
}

/// The JSON column dictionary of every table.
pub fn dictionary_json(pack: &NationalPack) -> String {
    let d = Dictionary {
        period: pack.quarter.to_string(),
        missing_values: "A value the workbook shows as [x] (not available) or [z] (not applicable) is an empty field in CSV and null in Parquet.",
        shorthand: [Shorthand::NotAvailable, Shorthand::NotApplicable]
            .into_iter()
            .map(|s| ShorthandEntry {
                code: s.marker(),
                meaning: s.meaning(),
            })
            .collect(),
        tables: pack
            .tables()
            .map(|t| TableEntry {
                id: &t.id,
                title: &t.title,
                description: &t.description,
                notes: &t.notes,
                csv: format!("tables/{}.csv", t.id),
                parquet: format!("tables/{}.parquet", t.id),
                rows: t.rows.len(),
                columns: t
                    .columns
                    .iter()
                    .map(|c| ColumnEntry {
                        name: &c.key,
                        header: &c.header,
                        ty: match c.kind {
                            Kind::Text => "string",
                            Kind::Integer => "integer",
                            Kind::Decimal(_) => "number",
                        },
                        decimal_places: match c.kind {
                            Kind::Decimal(dp) => Some(dp),
                            _ => None,
                        },
                        unit: &c.unit,
                        meaning: &c.meaning,
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&d).expect("plain data");
    s.push('\n');
    s
}

/// Writes `tables/<id>.csv`, `tables/<id>.parquet` and `dictionary.json` under `dir`.
pub fn write_machine_readable(
    dir: &Path,
    pack: &NationalPack,
) -> Result<Vec<PathBuf>, ReportError> {
    let tables = dir.join("tables");
    std::fs::create_dir_all(&tables).map_err(|e| ReportError::io(&tables, e))?;
    let mut written = Vec::new();
    for t in pack.tables() {
        let p = tables.join(format!("{}.csv", t.id));
        crate::write_file(&p, table_csv(t).as_bytes())?;
        written.push(p);
        let p = tables.join(format!("{}.parquet", t.id));
        let bytes = table_parquet(t)
            .map_err(|e| ReportError::io(&p, std::io::Error::other(e.to_string())))?;
        crate::write_file(&p, &bytes)?;
        written.push(p);
    }
    let p = dir.join("dictionary.json");
    crate::write_file(&p, dictionary_json(pack).as_bytes())?;
    written.push(p);
    Ok(written)
}
