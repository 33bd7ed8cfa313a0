//! Shared CSV reading: UTF-8 check (BOM tolerated), header lookup, positioned records.

use std::path::Path;

use crate::{IngestError, Limits, RowError, Rule};

/// One data record of a CSV file.
#[derive(Debug)]
pub(crate) enum Record {
    /// A row (which may span lines inside a quoted field), starting on `line`.
    Row {
        line: u64,
        fields: csv::StringRecord,
    },
    /// A line that cannot be a row: its text and why.
    Broken {
        line: u64,
        text: String,
        reason: String,
    },
}

/// A data record after the checks every reader makes alike ([`CsvFile::checked_rows`]).
#[derive(Debug)]
pub(crate) enum Checked {
    /// A row of the header's width whose every field is clean text, in Unicode NFC.
    Row {
        line: u64,
        fields: csv::StringRecord,
    },
    /// The quarantine row that says why the record is not one.
    Bad(RowError),
}

/// Byte spans (start, end without terminator) of every line; `\r\n`, `\n` and a lone `\r` end
/// a line, so line numbers match what an editor shows, CR-only files included.
fn split_lines(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                out.push((start, i));
                start = i + 1;
            }
            b'\r' => {
                out.push((start, i));
                if b.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < b.len() {
        out.push((start, b.len()));
    }
    out
}

/// True when the line leaves a quoted field open: an odd number of quote characters (an
/// escaped quote `""` counts twice).
fn opens_quote(line: &str) -> bool {
    line.bytes().filter(|&c| c == b'"').count() % 2 == 1
}

/// Index of the first line after the header record, or `None` when the header's quoted field
/// never closes.
fn header_lines(text: &str, lines: &[(usize, usize)]) -> Option<usize> {
    let mut open = false;
    for (i, (s, e)) in lines.iter().enumerate() {
        open ^= opens_quote(&text[*s..*e]);
        if !open {
            return Some(i + 1);
        }
    }
    if lines.is_empty() { Some(0) } else { None }
}

/// The metadata of `path` when it is a regular file; a directory, device, pipe or socket is
/// refused before it is opened (reading one could block or never end).
pub fn ensure_regular_file(path: &Path) -> Result<std::fs::Metadata, IngestError> {
    let meta = std::fs::metadata(path).map_err(|source| IngestError::Io {
        path: path.to_owned(),
        source,
    })?;
    if meta.is_file() {
        return Ok(meta);
    }
    Err(IngestError::NotAFile {
        file: path.display().to_string(),
        kind: if meta.is_dir() {
            "a directory"
        } else {
            "a device, pipe or socket"
        }
        .to_owned(),
    })
}

/// Reads a regular file of at most `limits.max_file_bytes` (devices, pipes and directories are
/// refused before they are read; a file that grows while it is read stops one byte past the
/// limit and is refused). Every input and configuration file is read through here or
/// [`CsvFile::open`], so what one file may cost is bounded by configuration.
pub fn read_bounded(path: &Path, limits: &Limits) -> Result<Vec<u8>, IngestError> {
    use std::io::Read;
    let name = path.display().to_string();
    let meta = ensure_regular_file(path)?;
    let over =
        |len: u64| limits.exceeded(&name, "max_file_bytes", format!("the file is {len} bytes"));
    if meta.len() > limits.max_file_bytes {
        return Err(over(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(limits.max_file_bytes + 1).read_to_end(&mut bytes))
        .map_err(|source| IngestError::Io {
            path: path.to_owned(),
            source,
        })?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(over(bytes.len() as u64));
    }
    Ok(bytes)
}

/// A CSV file read into memory and checked to be UTF-8.
pub(crate) struct CsvFile {
    pub name: String,
    text: String,
    /// Byte span of every line (`split_lines`), computed once: record reading, the line-length
    /// limit and line numbers in messages all use it.
    lines: Vec<(usize, usize)>,
    /// Rows above the table in the source (a spreadsheet table starting below row 1).
    line_offset: u64,
    /// What reading it may cost.
    limits: Limits,
}

impl CsvFile {
    pub fn from_bytes(
        name: &str,
        mut bytes: Vec<u8>,
        limits: &Limits,
    ) -> Result<Self, IngestError> {
        if bytes.len() as u64 > limits.max_file_bytes {
            return Err(limits.exceeded(
                name,
                "max_file_bytes",
                format!("the input is more than {} bytes", limits.max_file_bytes),
            ));
        }
        if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            bytes.drain(..3);
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            let line = 1 + e.as_bytes()[..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            IngestError::Encoding {
                file: name.to_owned(),
                line,
                offset,
            }
        })?;
        if text.trim().is_empty() {
            return Err(IngestError::Empty {
                file: name.to_owned(),
            });
        }
        // Every line within the limit before any is parsed (the header included).
        let lines = split_lines(&text);
        if let Some((i, (s, e))) = lines
            .iter()
            .enumerate()
            .find(|(_, (s, e))| (e - s) as u64 > limits.max_line_bytes)
        {
            return Err(limits.exceeded(
                name,
                "max_line_bytes",
                format!("line {} is {} bytes", i + 1, e - s),
            ));
        }
        Ok(Self {
            name: name.to_owned(),
            text,
            lines,
            line_offset: 0,
            limits: *limits,
        })
    }

    /// A table already turned into CSV text (spreadsheet or Parquet), whose header row is row
    /// `line_offset + 1` of the source.
    pub fn from_table(
        name: &str,
        text: String,
        line_offset: u64,
        limits: &Limits,
    ) -> Result<Self, IngestError> {
        let mut f = Self::from_bytes(name, text.into_bytes(), limits)?;
        f.line_offset = line_offset;
        Ok(f)
    }

    /// A reader over the records; headers are read separately with [`Self::headers`].
    pub fn reader(&self) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(self.text.as_bytes())
    }

    /// The header row's column names, trimmed.
    pub fn header(&self) -> Result<Vec<String>, IngestError> {
        let names = self.header_names()?;
        // Two columns of one name: which holds the data is ambiguous, so the file is refused.
        for (j, name) in names.iter().enumerate() {
            if let Some(i) = names[..j].iter().position(|n| !n.is_empty() && n == name) {
                return Err(IngestError::Malformed {
                    file: self.name.clone(),
                    line: 1 + self.line_offset,
                    message: format!(
                        "column {name:?} appears twice (columns {} and {}): which holds the data is ambiguous",
                        i + 1,
                        j + 1
                    ),
                });
            }
        }
        Ok(names)
    }

    /// The header row's names, trimmed, within the column limit, names repeated or not: for
    /// recognising a format, and for the one layout whose grouped headings repeat names it
    /// never reads (`Table::grouped`).
    pub fn header_names(&self) -> Result<Vec<String>, IngestError> {
        let mut rdr = self.reader();
        let headers = rdr.headers().map_err(|e| self.malformed(e))?;
        if headers.len() as u64 > self.limits.max_columns {
            return Err(self.limits.exceeded(
                &self.name,
                "max_columns",
                format!("the header has {} columns", headers.len()),
            ));
        }
        Ok(headers.iter().map(|h| h.trim().to_owned()).collect())
    }

    /// The header row, and the index of each required column (erroring on any missing).
    pub fn columns<const N: usize>(
        &self,
        rdr: &mut csv::Reader<&[u8]>,
        required: [&str; N],
    ) -> Result<[usize; N], IngestError> {
        let headers = rdr.headers().map_err(|e| self.malformed(e))?.clone();
        let found: Vec<String> = headers.iter().map(|h| h.trim().to_owned()).collect();
        let missing: Vec<String> = required
            .iter()
            .filter(|r| !found.iter().any(|f| f == *r))
            .map(|r| (*r).to_owned())
            .collect();
        if !missing.is_empty() {
            return Err(IngestError::MissingColumns {
                file: self.name.clone(),
                missing,
                found,
            });
        }
        Ok(required.map(|r| {
            found
                .iter()
                .position(|f| f == r)
                .expect("checked present above")
        }))
    }

    /// 1-based line on which a record starts.
    pub fn line(&self, rec: &csv::StringRecord) -> u64 {
        rec.position().map_or(0, |p| self.line_at(p.byte()))
    }

    fn line_at(&self, byte: u64) -> u64 {
        // A record's position can point at the previous line's terminator; skip it.
        let bytes = self.text.as_bytes();
        let mut b = byte as usize;
        while b < bytes.len() && (bytes[b] == b'\r' || bytes[b] == b'\n') {
            b += 1;
        }
        // The line is the last one starting at or before the byte.
        let starts = self.lines.partition_point(|(s, _)| *s <= b).max(1);
        self.line_offset + starts as u64
    }

    /// The data records after the header, each with the line it starts on. A line whose quoted
    /// field is not closed on it is a [`Record::Broken`] when the field would swallow lines that
    /// are rows of their own (or the rest of the file): reading resumes at the next line, so one
    /// stray quote costs one row, never the rest of the file. A quoted field that legitimately
    /// spans lines (and so yields a row of the header's width) is one record.
    pub fn records(&self) -> Result<Vec<Record>, IngestError> {
        let lines = &self.lines;
        let limits = &self.limits;
        let Some(header_end) = header_lines(&self.text, lines) else {
            return Err(IngestError::Malformed {
                file: self.name.clone(),
                line: 1 + self.line_offset,
                message: "the header row has a quoted field that is never closed".to_owned(),
            });
        };
        let width = self.header_names()?.len();
        let parse = |from: usize, to: usize| -> Option<csv::StringRecord> {
            let slice = &self.text.as_bytes()[lines[from].0..lines[to].1];
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(slice);
            let mut rec = csv::StringRecord::new();
            match rdr.read_record(&mut rec) {
                Ok(true) => Some(rec),
                _ => None,
            }
        };
        let mut out = Vec::new();
        let mut i = header_end;
        while i < lines.len() {
            let (start, end) = lines[i];
            let line = self.line_offset + i as u64 + 1;
            if start == end {
                // A blank line is no record (as the csv reader treats it).
                i += 1;
                continue;
            }
            if !opens_quote(&self.text[start..end]) {
                match parse(i, i) {
                    Some(fields) => out.push(Record::Row { line, fields }),
                    None => out.push(Record::Broken {
                        line,
                        text: self.text[start..end].to_owned(),
                        reason: "the line cannot be read as CSV".to_owned(),
                    }),
                }
                i += 1;
                continue;
            }
            // The quoted field runs past the end of the line: where does it close?
            let mut open = true;
            let mut k = i;
            while open && k + 1 < lines.len() {
                k += 1;
                open ^= opens_quote(&self.text[lines[k].0..lines[k].1]);
            }
            let middle_are_rows = (i + 1..k).all(|j| {
                lines[j].0 < lines[j].1
                    && !opens_quote(&self.text[lines[j].0..lines[j].1])
                    && parse(j, j).is_some_and(|r| r.len() == width)
            });
            // One record when the field closes and the lines it spans are not rows of their own.
            let swallows_rows = k > i + 1 && middle_are_rows;
            let spanning = (!open && !swallows_rows)
                .then(|| parse(i, k))
                .flatten()
                .filter(|r| r.len() == width);
            match spanning {
                Some(fields) => {
                    out.push(Record::Row { line, fields });
                    i = k + 1;
                }
                None => {
                    out.push(Record::Broken {
                        line,
                        text: self.text[start..end].to_owned(),
                        reason: if open {
                            "a quoted field is never closed (unterminated quote); the lines after it are read as rows of their own".to_owned()
                        } else {
                            format!(
                                "a quoted field is not closed on its line and would swallow lines {} to {}, which are rows of their own (stray quote)",
                                line + 1,
                                self.line_offset + k as u64 + 1
                            )
                        },
                    });
                    i += 1;
                }
            }
        }
        if out.len() as u64 > limits.max_rows {
            return Err(limits.exceeded(
                &self.name,
                "max_rows",
                format!("the file has {} rows", out.len()),
            ));
        }
        for r in &out {
            if let Record::Row { line, fields } = r
                && let Some(f) = fields
                    .iter()
                    .find(|f| f.len() as u64 > limits.max_field_bytes)
            {
                return Err(limits.exceeded(
                    &self.name,
                    "max_field_bytes",
                    format!("line {line} has a field of {} bytes", f.len()),
                ));
            }
        }
        Ok(out)
    }

    /// The one row loop's checks, made here for every reader (the adapters, the NOF reader and
    /// the board assessment reader): each data record is a [`Checked::Row`], or a quarantine
    /// row for a broken record (rule `unterminated_quote`), a row whose field count is not the
    /// header's (`field_count`) or a field with a text problem (its rule, in its column).
    pub fn checked_rows(&self) -> Result<Vec<Checked>, IngestError> {
        let header = self.header_names()?;
        Ok(self
            .records()?
            .into_iter()
            .map(|r| self.check(&header, r))
            .collect())
    }

    fn check(&self, header: &[String], record: Record) -> Checked {
        let (line, fields) = match record {
            Record::Row { line, fields } => (line, crate::text::nfc(fields)),
            Record::Broken { line, text, reason } => {
                return Checked::Bad(RowError::new(
                    &self.name,
                    line,
                    "(row)",
                    &text,
                    Rule::UnterminatedQuote,
                    reason,
                ));
            }
        };
        if fields.len() != header.len() {
            return Checked::Bad(RowError::new(
                &self.name,
                line,
                "(row)",
                &fields.iter().collect::<Vec<_>>().join(","),
                Rule::FieldCount,
                format!("expected {} fields, found {}", header.len(), fields.len()),
            ));
        }
        let problem = fields.iter().enumerate().find_map(|(i, field)| {
            crate::text::text_problem(field).map(|(rule, reason)| (i, field, rule, reason))
        });
        if let Some((i, field, rule, reason)) = problem {
            return Checked::Bad(RowError::new(
                &self.name,
                line,
                header[i].as_str(),
                &crate::text::shown(field),
                rule,
                reason,
            ));
        }
        Checked::Row { line, fields }
    }

    pub fn malformed(&self, e: csv::Error) -> IngestError {
        let line = e.position().map_or(0, |p| self.line_at(p.byte()));
        let message = match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => {
                format!("expected {expected_len} fields, found {len}")
            }
            _ => e.to_string(),
        };
        IngestError::Malformed {
            file: self.name.clone(),
            line,
            message,
        }
    }
}
