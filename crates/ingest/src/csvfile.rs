//! Shared CSV reading: UTF-8 check (BOM tolerated), header lookup, positioned records.

use std::path::Path;

use crate::IngestError;

/// A CSV file read into memory and checked to be UTF-8.
pub(crate) struct CsvFile {
    pub name: String,
    text: String,
    /// Byte offset of every '\n', to turn record offsets into 1-based line numbers.
    newlines: Vec<usize>,
    /// Rows above the table in the source (a spreadsheet table starting below row 1).
    line_offset: u64,
}

impl CsvFile {
    pub fn open(path: &Path) -> Result<Self, IngestError> {
        if let Some(table) = crate::tabular::read_table(path)? {
            return Ok(table);
        }
        let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::from_bytes(&path.display().to_string(), bytes)
    }

    pub fn from_bytes(name: &str, mut bytes: Vec<u8>) -> Result<Self, IngestError> {
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
        let newlines = text
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i)
            .collect();
        Ok(Self {
            name: name.to_owned(),
            text,
            newlines,
            line_offset: 0,
        })
    }

    /// A table already turned into CSV text (spreadsheet or Parquet), whose header row is row
    /// `line_offset + 1` of the source.
    pub fn from_table(name: &str, text: String, line_offset: u64) -> Result<Self, IngestError> {
        let mut f = Self::from_bytes(name, text.into_bytes())?;
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

    /// The whole text (BOM removed).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The header row's column names, trimmed.
    pub fn header(&self) -> Result<Vec<String>, IngestError> {
        let mut rdr = self.reader();
        let headers = rdr.headers().map_err(|e| self.malformed(e))?;
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
        1 + self.line_offset + self.newlines.partition_point(|&n| n < b) as u64
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
