//! Spreadsheets (xlsx, xlsm, xlsb, xls, ods; calamine) and Parquet files (the `parquet` crate,
//! uncompressed or Snappy) turned into CSV text, so that every format and every check works
//! the same on them. Line numbers in messages are the spreadsheet's row numbers (the first
//! sheet is read) or, for Parquet, the table row counting the header as 1.

use std::path::Path;

use crate::csvfile::{CsvFile, ensure_regular_file, read_bounded};
use crate::{IngestError, Limits};

impl CsvFile {
    /// Opens a regular file within `limits`: a spreadsheet or Parquet file by its extension
    /// (read as a table), else CSV. Devices, pipes and directories are refused before they are
    /// read.
    pub fn open(path: &Path, limits: &Limits) -> Result<Self, IngestError> {
        let meta = ensure_regular_file(path)?;
        if meta.len() > limits.max_file_bytes {
            return Err(limits.exceeded(
                &path.display().to_string(),
                "max_file_bytes",
                format!("the file is {} bytes", meta.len()),
            ));
        }
        if let Some(table) = read_table(path, limits)? {
            return Ok(table);
        }
        let bytes = read_bounded(path, limits)?;
        Self::from_bytes(&path.display().to_string(), bytes, limits)
    }
}

const SPREADSHEET: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];
const PARQUET: [&str; 2] = ["parquet", "pq"];

/// Reads a spreadsheet or Parquet file by its extension; `None` for any other file.
pub(crate) fn read_table(path: &Path, limits: &Limits) -> Result<Option<CsvFile>, IngestError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let name = path.display().to_string();
    if SPREADSHEET.contains(&ext.as_str()) {
        check_archive(path, &name, limits)?;
        spreadsheet(path, &name, limits).map(Some)
    } else if PARQUET.contains(&ext.as_str()) {
        parquet_table(path, &name, limits).map(Some)
    } else {
        Ok(None)
    }
}

fn unusable(name: &str, problem: String) -> IngestError {
    IngestError::Unusable {
        file: name.to_owned(),
        problem,
    }
}

fn csv_text(rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .flexible(true)
        .from_writer(Vec::new());
    for r in rows {
        // One source row is one line, so line numbers stay the source's row numbers.
        w.write_record(r.iter().map(|c| c.replace(['\r', '\n'], " ")))
            .expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8 in, UTF-8 out")
}

/// A spreadsheet archive within the limits before calamine opens it: the entries' declared
/// sizes, then each entry decompressed into nothing while counting (an entry can lie about its
/// size), and the extent of the cells every worksheet addresses (calamine allocates that whole
/// rectangle). Files that are not zip archives (xls) are left to calamine.
fn check_archive(path: &Path, name: &str, limits: &Limits) -> Result<(), IngestError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|source| IngestError::Io {
        path: path.to_owned(),
        source,
    })?;
    let Ok(mut z) = zip::ZipArchive::new(file) else {
        return Ok(());
    };
    let max = limits.max_decompressed_bytes;
    let declared: u64 = (0..z.len())
        .filter_map(|i| z.by_index_raw(i).ok().map(|e| e.size()))
        .fold(0u64, u64::saturating_add);
    if declared > max {
        return Err(limits.exceeded(
            name,
            "max_decompressed_bytes",
            format!("its entries declare {declared} bytes decompressed"),
        ));
    }
    let mut total = 0u64;
    for i in 0..z.len() {
        let Ok(mut entry) = z.by_index(i) else {
            continue; // calamine reports an unreadable archive in its own words
        };
        let sheet = entry
            .name()
            .is_ok_and(|n| n.starts_with("xl/worksheets/") && n.ends_with(".xml"));
        let mut extent = Extent::default();
        let mut buf = vec![0u8; 64 << 10];
        let mut carry: Vec<u8> = Vec::new();
        loop {
            let n = match entry.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            total += n as u64;
            if total > max {
                return Err(limits.exceeded(
                    name,
                    "max_decompressed_bytes",
                    format!("it decompresses to more than {max} bytes"),
                ));
            }
            if sheet {
                carry.extend_from_slice(&buf[..n]);
                let keep = extent.scan(&carry);
                carry.drain(..keep);
            }
        }
        if let Some(cells) = extent.cells()
            && cells > limits.max_cells
        {
            return Err(limits.exceeded(
                name,
                "max_cells",
                format!("a worksheet addresses {cells} cells"),
            ));
        }
    }
    Ok(())
}

/// The rectangle of cell references (`<c r="B7"`, `<dimension ref="A1:XFD1048576"`) a worksheet
/// uses.
#[derive(Default)]
struct Extent {
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
}

impl Extent {
    /// Scans `xml` for references; returns how many leading bytes may be dropped (the last 64
    /// are kept, as a reference may be cut by the chunk boundary; scanning one twice is
    /// harmless).
    fn scan(&mut self, xml: &[u8]) -> usize {
        for needle in [&b" r=\""[..], &b"ref=\""[..]] {
            let mut i = 0;
            while let Some(p) = find(&xml[i..], needle) {
                let start = i + p + needle.len();
                let end = xml[start..]
                    .iter()
                    .position(|&b| b == b'"')
                    .map_or(xml.len(), |l| start + l);
                for part in xml[start..end].split(|&b| b == b':') {
                    if let Some((c, r)) = cell_ref(part) {
                        self.add(c, r);
                    }
                }
                i = end;
                if i >= xml.len() {
                    break;
                }
            }
        }
        xml.len().saturating_sub(64)
    }

    fn add(&mut self, col: u64, row: u64) {
        let widen = |r: &mut Option<(u64, u64)>, v: u64| {
            *r = Some(r.map_or((v, v), |(a, b)| (a.min(v), b.max(v))));
        };
        widen(&mut self.cols, col);
        widen(&mut self.rows, row);
    }

    fn cells(&self) -> Option<u64> {
        let (r0, r1) = self.rows?;
        let (c0, c1) = self.cols?;
        Some((r1 - r0 + 1).saturating_mul(c1 - c0 + 1))
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// "XFD1048576" → (16384, 1048576); `None` for anything else.
fn cell_ref(s: &[u8]) -> Option<(u64, u64)> {
    let letters = s.iter().take_while(|b| b.is_ascii_uppercase()).count();
    if letters == 0 || letters > 3 || letters == s.len() {
        return None;
    }
    let col = s[..letters]
        .iter()
        .fold(0u64, |acc, b| acc * 26 + u64::from(b - b'A' + 1));
    let row: u64 = std::str::from_utf8(&s[letters..]).ok()?.parse().ok()?;
    Some((col, row))
}

fn spreadsheet(path: &Path, name: &str, limits: &Limits) -> Result<CsvFile, IngestError> {
    use calamine::{Data, Reader};
    if !path.exists() {
        return Err(IngestError::Io {
            path: path.to_owned(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
    }
    let mut wb = calamine::open_workbook_auto(path)
        .map_err(|e| unusable(name, format!("not a readable spreadsheet: {e}")))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| unusable(name, "the workbook has no sheet".into()))?
        .map_err(|e| unusable(name, format!("cannot read the first sheet: {e}")))?;
    let (top, left) = range.start().unwrap_or((0, 0));
    if left != 0 {
        tracing::debug!(file = name, column = left, "table starts right of column A");
    }
    let cell = |d: &Data| -> String {
        match d {
            Data::Empty => String::new(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) => f.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(dt) => {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                format!("{y:04}-{m:02}-{d:02}")
            }
            Data::Error(e) => format!("#{e:?}"),
        }
    };
    let text = csv_text(range.rows().map(|r| r.iter().map(cell).collect()));
    CsvFile::from_table(name, text, u64::from(top), limits)
}

fn parquet_table(path: &Path, name: &str, limits: &Limits) -> Result<CsvFile, IngestError> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let file = std::fs::File::open(path).map_err(|source| IngestError::Io {
        path: path.to_owned(),
        source,
    })?;
    let reader = SerializedFileReader::new(file)
        .map_err(|e| unusable(name, format!("not a readable Parquet file: {e}")))?;
    // Rows and columns from the footer, before any row is decoded.
    let meta = reader.metadata().file_metadata();
    let rows = u64::try_from(meta.num_rows()).unwrap_or(u64::MAX);
    if rows > limits.max_rows {
        return Err(limits.exceeded(name, "max_rows", format!("the file holds {rows} rows")));
    }
    let columns = meta.schema_descr().num_columns() as u64;
    if columns > limits.max_columns {
        return Err(limits.exceeded(
            name,
            "max_columns",
            format!("the file holds {columns} columns"),
        ));
    }
    let header: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .root_schema()
        .get_fields()
        .iter()
        .map(|f| f.name().to_owned())
        .collect();
    let rows = reader
        .get_row_iter(None)
        .map_err(|e| unusable(name, format!("cannot read rows: {e}")))?;
    let mut out = vec![header];
    for (i, row) in rows.enumerate() {
        let row = row.map_err(|e| {
            unusable(
                name,
                format!(
                    "row {}: {e} (compression other than Snappy is not supported)",
                    i + 2
                ),
            )
        })?;
        out.push(
            row.get_column_iter()
                .map(|(_, f)| match f {
                    Field::Null => String::new(),
                    Field::Str(s) => s.clone(),
                    Field::Double(v) => v.to_string(),
                    Field::Float(v) => f64::from(*v).to_string(),
                    Field::Date(days) => civil(i64::from(*days)),
                    Field::TimestampMillis(ms) => civil(ms.div_euclid(86_400_000)),
                    Field::TimestampMicros(us) => civil(us.div_euclid(86_400_000_000)),
                    other => other.to_string(),
                })
                .collect(),
        );
    }
    CsvFile::from_table(name, csv_text(out.into_iter()), 0, limits)
}

/// Days since 1970-01-01 → `YYYY-MM-DD` (proleptic Gregorian; H. Hinnant's algorithm).
fn civil(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::civil;

    #[test]
    fn unix_days_become_dates() {
        assert_eq!(civil(0), "1970-01-01");
        assert_eq!(civil(20_240), "2025-06-01");
        assert_eq!(civil(-1), "1969-12-31");
        assert_eq!(civil(11_016), "2000-02-29");
    }
}

#[cfg(test)]
mod formats {
    //! The same long-format rows as CSV, xlsx and Parquet give the same observations and the
    //! same quarantine lines.

    use std::path::Path;
    use std::sync::Arc;

    use crate::test_support::{methodology, setup};
    use crate::{Context, Ingested, TrustRegister, ingest_file};

    const ROWS: [(&str, &str, &str, Option<f64>); 4] = [
        ("Q1 2025/26", "RX8", "OF0084", Some(6.4)),
        ("Q1 2025/26", "RYD", "OF0084", Some(6.9)),
        ("2025-06", "RRU", "OF0061", Some(6.55)),
        ("Q1 2025/26", "ZZZ", "OF0061", Some(6.0)), // unknown trust: quarantined on line 5
    ];

    fn ingest(path: &Path) -> Ingested {
        let (m, reg) = setup();
        let ctx = Context {
            register: &reg,
            methodology: &m,
            periods: ((2016, 4), (2027, 3)),
            limits: &crate::Limits::default(),
        };
        ingest_file(path, None, &ctx).expect("reads")
    }

    fn write_csv(path: &Path) {
        let mut text = String::from("period,org_code,metric_id,value,numerator,denominator\n");
        for (p, o, m, v) in ROWS {
            text.push_str(&format!("{p},{o},{m},{},,\n", v.expect("value")));
        }
        std::fs::write(path, text).expect("csv");
    }

    fn write_xlsx(path: &Path) {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in [
            "period",
            "org_code",
            "metric_id",
            "value",
            "numerator",
            "denominator",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(0, c as u16, *h).expect("cell");
        }
        for (i, (p, o, m, v)) in ROWS.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, *p).expect("cell");
            ws.write_string(r, 1, *o).expect("cell");
            ws.write_string(r, 2, *m).expect("cell");
            ws.write_number(r, 3, v.expect("value")).expect("cell");
        }
        wb.save(path).expect("xlsx");
    }

    fn write_parquet(path: &Path) {
        use parquet::data_type::{ByteArray, ByteArrayType, DoubleType};
        use parquet::file::properties::WriterProperties;
        use parquet::file::writer::SerializedFileWriter;
        use parquet::schema::parser::parse_message_type;
        let schema = Arc::new(
            parse_message_type(
                "message long { REQUIRED BYTE_ARRAY period (UTF8); REQUIRED BYTE_ARRAY org_code (UTF8);
                 REQUIRED BYTE_ARRAY metric_id (UTF8); OPTIONAL DOUBLE value;
                 OPTIONAL DOUBLE numerator; OPTIONAL DOUBLE denominator; }",
            )
            .expect("schema"),
        );
        let file = std::fs::File::create(path).expect("file");
        let props = Arc::new(WriterProperties::builder().build());
        let mut w = SerializedFileWriter::new(file, schema, props).expect("writer");
        let mut rg = w.next_row_group().expect("row group");
        let mut i = 0;
        while let Some(mut col) = rg.next_column().expect("column") {
            match i {
                0..=2 => {
                    let v: Vec<ByteArray> = ROWS
                        .iter()
                        .map(|r| ByteArray::from([r.0, r.1, r.2][i]))
                        .collect();
                    col.typed::<ByteArrayType>()
                        .write_batch(&v, None, None)
                        .expect("strings");
                }
                3 => {
                    let v: Vec<f64> = ROWS.iter().map(|r| r.3.expect("value")).collect();
                    col.typed::<DoubleType>()
                        .write_batch(&v, Some(&[1; 4]), None)
                        .expect("values");
                }
                _ => {
                    col.typed::<DoubleType>()
                        .write_batch(&[], Some(&[0; 4]), None)
                        .expect("nulls");
                }
            }
            col.close().expect("close column");
            i += 1;
        }
        rg.close().expect("close row group");
        w.close().expect("close file");
    }

    #[test]
    fn csv_xlsx_and_parquet_read_alike() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (c, x, p) = (
            dir.path().join("long.csv"),
            dir.path().join("long.xlsx"),
            dir.path().join("long.parquet"),
        );
        write_csv(&c);
        write_xlsx(&x);
        write_parquet(&p);
        let [a, b, q] = [&c, &x, &p].map(|f| ingest(f));
        for got in [&a, &b, &q] {
            assert_eq!(got.summary.format, "long");
            assert_eq!(got.summary.rows_read, 4);
            assert_eq!(got.observations.len(), 3);
            assert_eq!(got.findings.len(), 1);
            assert_eq!(got.findings[0].line, 5, "the spreadsheet's row number");
            assert_eq!(got.findings[0].rule, crate::Rule::UnknownOrg);
        }
        let values = |g: &Ingested| -> Vec<(String, String, f64)> {
            g.observations
                .iter()
                .map(|o| (o.trust.to_string(), o.metric_id.clone(), o.value))
                .collect()
        };
        assert_eq!(values(&a), values(&b));
        assert_eq!(values(&a), values(&q));
    }

    #[test]
    fn a_broken_spreadsheet_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let x = dir.path().join("broken.xlsx");
        std::fs::write(&x, b"not a zip").expect("write");
        let m = methodology();
        let reg = TrustRegister::default();
        let ctx = Context {
            register: &reg,
            methodology: &m,
            periods: ((2016, 4), (2027, 3)),
            limits: &crate::Limits::default(),
        };
        let e = ingest_file(&x, None, &ctx).expect_err("broken");
        assert!(e.to_string().contains("not a readable spreadsheet"), "{e}");
        let p = dir.path().join("broken.parquet");
        std::fs::write(&p, b"PAR1 nonsense").expect("write");
        let e = ingest_file(&p, None, &ctx).expect_err("broken");
        assert!(e.to_string().contains("not a readable Parquet file"), "{e}");
    }
}
