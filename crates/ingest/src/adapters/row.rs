//! Row-level reading shared by the adapters: field lookup by column name, typed fields that
//! record a finding instead of failing, and the monthly-to-quarterly aggregation.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use league_model::{MonthlyCount, Observation, Provenance, Quarter, SourceRef, TrustCode};

use super::{Context, Ingested};
use crate::csvfile::{Checked, CsvFile};
use crate::{Exclusion, IngestError, RowError, Rule, looks_like_formula};

/// Markers for a withheld or absent figure.
pub(crate) const SUPPRESSED: [&str; 8] = ["", "*", "-", "[c]", "[x]", "[z]", "NA", "n/a"];

/// A CSV file with its header indexed by column name.
pub(crate) struct Table<'f> {
    file: &'f CsvFile,
    index: HashMap<String, usize>,
    /// Indexes of the columns the adapter reads, compared to tell exact duplicates.
    used: Vec<usize>,
    /// File name shared by every observation.
    pub name: Arc<str>,
}

impl<'f> Table<'f> {
    /// Indexes the header and checks the required columns.
    pub fn new(file: &'f CsvFile, required: &[&str]) -> Result<Self, IngestError> {
        Self::indexed(file, file.header()?, required)
    }

    /// As [`Table::new`], for a layout whose grouped headings repeat column names (the A&E
    /// provider-level sheet): a repeated name is allowed only where the adapter does not read
    /// it; a required column that appears twice is refused as ambiguous.
    pub fn grouped(file: &'f CsvFile, required: &[&str]) -> Result<Self, IngestError> {
        let header = file.header_names()?;
        for r in required {
            let at: Vec<usize> = (0..header.len()).filter(|&i| header[i] == *r).collect();
            if at.len() > 1 {
                return Err(IngestError::Malformed {
                    file: file.name.clone(),
                    line: 1,
                    message: format!(
                        "column {r:?} appears twice (columns {} and {}): which holds the data is ambiguous",
                        at[0] + 1,
                        at[1] + 1
                    ),
                });
            }
        }
        Self::indexed(file, header, required)
    }

    fn indexed(
        file: &'f CsvFile,
        header: Vec<String>,
        required: &[&str],
    ) -> Result<Self, IngestError> {
        let missing: Vec<String> = required
            .iter()
            .filter(|r| !header.iter().any(|h| h == *r))
            .map(|r| (*r).to_owned())
            .collect();
        if !missing.is_empty() {
            return Err(IngestError::MissingColumns {
                file: file.name.clone(),
                missing,
                found: header,
            });
        }
        let used = required
            .iter()
            .filter_map(|r| header.iter().position(|h| h == r))
            .collect();
        let index = header
            .into_iter()
            .enumerate()
            .rev() // the first of two same-named columns wins
            .map(|(i, h)| (h, i))
            .collect();
        Ok(Self {
            file,
            index,
            used,
            name: Arc::from(file.name.as_str()),
        })
    }

    /// Calls `f` for every data row that passes the checks every reader makes
    /// ([`CsvFile::checked_rows`]); the others are quarantined without reaching `f`.
    pub fn each(
        &self,
        out: &mut Ingested,
        mut f: impl FnMut(&mut RowCheck, &mut Ingested),
    ) -> Result<(), IngestError> {
        for record in self.file.checked_rows()? {
            out.summary.rows_read += 1;
            let (line, rec) = match record {
                Checked::Row { line, fields } => (line, fields),
                Checked::Bad(e) => {
                    out.quarantine(vec![e]);
                    continue;
                }
            };
            let mut row = RowCheck {
                file: &self.file.name,
                line,
                rec: &rec,
                index: &self.index,
                used: &self.used,
                errors: Vec::new(),
            };
            f(&mut row, out);
            let errors = std::mem::take(&mut row.errors);
            out.quarantine(errors);
        }
        Ok(())
    }

    /// Where a row was read.
    pub fn source(&self, line: u64) -> SourceRef {
        SourceRef {
            file: self.name.clone(),
            line,
        }
    }
}

/// One row being checked. Each failed check records a [`RowError`]; the row is quarantined
/// when any check failed.
pub(crate) struct RowCheck<'r> {
    file: &'r str,
    /// 1-based line.
    pub line: u64,
    rec: &'r csv::StringRecord,
    index: &'r HashMap<String, usize>,
    used: &'r [usize],
    errors: Vec<RowError>,
}

/// What a number field must hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    /// Any finite number.
    Any,
    /// A count (≥ 0).
    Count,
    /// A percentage (0–100).
    Percent,
    /// A fraction (0–1).
    Fraction,
    /// A number within a closed range.
    Range(f64, f64),
}

impl<'r> RowCheck<'r> {
    /// Records a failure.
    pub fn fail(&mut self, rule: Rule, column: &str, value: &str, reason: &str) {
        self.errors.push(RowError::new(
            self.file, self.line, column, value, rule, reason,
        ));
    }

    /// True when a check on this row has failed.
    pub fn failed(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The trimmed text of a column (empty for a column the file lacks).
    pub fn text(&self, column: &str) -> &'r str {
        self.index
            .get(column)
            .and_then(|&i| self.rec.get(i))
            .map_or("", str::trim)
    }

    /// A text field that is shown in outputs: quarantined if a spreadsheet would run it.
    pub fn label(&mut self, column: &str) -> &'r str {
        let t = self.text(column);
        if looks_like_formula(t) {
            self.fail(
                Rule::FormulaText,
                column,
                t,
                "text that a spreadsheet would treat as a formula",
            );
        }
        t
    }

    /// A number. `Ok(None)` for a suppressed or blank value; a failure is recorded otherwise.
    pub fn number(&mut self, column: &str, kind: Kind) -> Result<Option<f64>, ()> {
        let raw = self.text(column);
        if SUPPRESSED.contains(&raw) {
            return Ok(None);
        }
        let v = match raw.parse::<f64>() {
            // A non-zero figure too small for a double reads as 0: never let it pass as one.
            Ok(v) if v == 0.0 && underflows(raw) => {
                self.fail(
                    Rule::NotFinite,
                    column,
                    raw,
                    "too small to represent: it would read as 0",
                );
                return Err(());
            }
            Ok(v) if v.is_finite() => v,
            Ok(_) => {
                self.fail(Rule::NotFinite, column, raw, "not a finite number");
                return Err(());
            }
            Err(_) => {
                self.fail(Rule::NotANumber, column, raw, "not a number");
                return Err(());
            }
        };
        let bad = match kind {
            Kind::Any => None,
            Kind::Count => (v < 0.0).then_some((Rule::NegativeCount, "a count cannot be negative")),
            Kind::Percent => (!(0.0..=100.0).contains(&v)).then_some((
                Rule::PercentRange,
                "a percentage must lie between 0 and 100",
            )),
            Kind::Fraction => (!(0.0..=1.0).contains(&v))
                .then_some((Rule::PercentRange, "a proportion must lie between 0 and 1")),
            Kind::Range(lo, hi) => (!(lo..=hi).contains(&v)).then_some((Rule::ValueRange, "")),
        };
        match bad {
            Some((rule, reason)) => {
                let reason = if reason.is_empty() {
                    match kind {
                        Kind::Range(lo, hi) => format!("must lie between {lo} and {hi}"),
                        _ => unreachable!("only ranges have no fixed reason"),
                    }
                } else {
                    reason.to_owned()
                };
                self.fail(rule, column, raw, &reason);
                Err(())
            }
            None => Ok(Some(v)),
        }
    }

    /// A number that must be present.
    pub fn required(&mut self, column: &str, kind: Kind) -> Option<f64> {
        match self.number(column, kind) {
            Ok(Some(v)) => Some(v),
            Ok(None) => {
                let raw = self.text(column);
                self.fail(Rule::MissingValue, column, raw, "a value is required");
                None
            }
            Err(()) => None,
        }
    }

    /// Checks `numerator ≤ denominator`.
    pub fn at_most(&mut self, num_col: &str, num: f64, den_col: &str, den: f64) -> bool {
        if num > den + 1e-9 {
            let v = format!("{num} > {den}");
            self.fail(
                Rule::NumeratorExceedsDenominator,
                &format!("{num_col},{den_col}"),
                &v,
                "the numerator exceeds the denominator",
            );
            false
        } else {
            true
        }
    }

    /// A count as spreadsheets save it: plain digits, or digits grouped in threes by commas
    /// ("16,670"); a suppression marker ("-") is no value. Any other grouping is not a number.
    pub fn grouped_count(&mut self, column: &str) -> Result<Option<f64>, ()> {
        let raw = self.text(column);
        let mut groups = raw.split(',');
        let head = groups.next().unwrap_or_default();
        let grouped = raw.contains(',')
            && (1..=3).contains(&head.len())
            && head.bytes().all(|b| b.is_ascii_digit())
            && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
        if grouped {
            let v: f64 = raw.replace(',', "").parse().map_err(|_| ())?;
            return Ok(Some(v));
        }
        if raw.contains(',') {
            self.fail(
                Rule::NotANumber,
                column,
                raw,
                "not a number (thousands must be grouped in threes: 16,670)",
            );
            return Err(());
        }
        self.number(column, Kind::Count)
    }

    /// A month written `YYYY-MM-DD` or `YYYY-MM`, inside the plausible range.
    pub fn month(&mut self, column: &str, ctx: &Context) -> Option<(u16, u8)> {
        let raw = self.text(column);
        let parsed = parse_month(raw);
        let Some(m) = parsed else {
            self.fail(
                Rule::BadPeriod,
                column,
                raw,
                "not a month like 2025-06-01 or 2025-06",
            );
            return None;
        };
        self.plausible(column, raw, m, ctx).then_some(m)
    }

    /// Checks a month against the plausible range.
    pub fn plausible(&mut self, column: &str, raw: &str, m: (u16, u8), ctx: &Context) -> bool {
        let (from, to) = ctx.periods;
        if m < from || m > to {
            self.fail(
                Rule::ImplausiblePeriod,
                column,
                raw,
                &format!(
                    "outside the plausible range {}-{:02} to {}-{:02}",
                    from.0, from.1, to.0, to.1
                ),
            );
            false
        } else {
            true
        }
    }

    /// True the first time a key is seen. A later row with the same key is quarantined
    /// (`duplicate_key`) when the fields the adapter reads differ from the first row's, and
    /// excluded (`exact_duplicate`, counted) when it repeats them.
    pub fn first<K: Ord + Clone>(
        &mut self,
        seen: &mut BTreeMap<K, (u64, String)>,
        key: K,
        columns: &str,
        shown: &str,
        out: &mut Ingested,
    ) -> bool {
        let fields = self
            .used
            .iter()
            .map(|&i| self.rec.get(i).unwrap_or("").trim())
            .collect::<Vec<_>>()
            .join("\u{1f}");
        match seen.get(&key) {
            None => {
                seen.insert(key, (self.line, fields));
                true
            }
            Some((_, first)) if *first == fields => {
                out.exclude(Exclusion::ExactDuplicate);
                false
            }
            Some((line, _)) => {
                let first = *line;
                let reason = format!("duplicate key with different values (first on line {first})");
                self.fail(Rule::DuplicateKey, columns, shown, &reason);
                // Neither of two rows that disagree is trusted: the first row's values, if
                // they were accepted, are withdrawn and the first row quarantined too. (An
                // adapter that sums months has not made its values yet; its first row stays
                // in the sum, and the quarantine still fails the run by its threshold.)
                let before = out.observations.len();
                out.observations
                    .retain(|o| !(o.source.line == first && *o.source.file == *self.file));
                if out.observations.len() < before {
                    out.quarantine(vec![RowError::new(
                        self.file,
                        first,
                        columns,
                        shown,
                        Rule::DuplicateKey,
                        format!(
                            "duplicate key with different values (line {} disagrees)",
                            self.line
                        ),
                    )]);
                }
                false
            }
        }
    }
}

/// `YYYY-MM-DD` or `YYYY-MM` → (year, month): a four-digit year from 1000, a month 1–12 and,
/// when given, a day that exists in that month (`2025-06-31` and `0000-01` are not dates).
pub(crate) fn parse_month(raw: &str) -> Option<(u16, u8)> {
    let mut parts = raw.split('-');
    let year = parts.next()?;
    let month = parts.next()?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let y: u16 = league_model::digits(year).filter(|y| *y >= 1000)?;
    let m: u8 = league_model::digits(month).filter(|m| (1..=12).contains(m))?;
    if let Some(day) = parts.next() {
        if day.len() != 2 {
            return None;
        }
        let d: u8 = league_model::digits(day)?;
        let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
        let days = match m {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if !(1..=days).contains(&d) {
            return None;
        }
    }
    parts.next().is_none().then_some((y, m))
}

/// True for a number written with a non-zero digit in its mantissa (`1e-400`), which reads as 0
/// only because it underflows.
fn underflows(raw: &str) -> bool {
    raw.trim_start_matches(['+', '-'])
        .split(['e', 'E'])
        .next()
        .is_some_and(|mantissa| mantissa.chars().any(|c| ('1'..='9').contains(&c)))
}

/// Sums monthly counts into quarters; a quarter yields values only when all three months are
/// present. Rows of incomplete quarters are counted as excluded (`incomplete_quarter`).
#[derive(Default)]
pub(crate) struct Monthly {
    /// (quarter, trust) → month → (last line, sums).
    cells: BTreeMap<(Quarter, TrustCode), MonthSums>,
}

/// A measure's place in the monthly sums: (value id, numerator index, denominator index,
/// factor on the numerator).
pub(crate) type Measure = (&'static str, usize, usize, f64);

/// One trust's months in a quarter: month → (last line, sums).
type MonthSums = BTreeMap<(u16, u8), (u64, Vec<f64>)>;

impl Monthly {
    /// Adds one row's sums for a month (several rows for one trust and month add up, as when
    /// a predecessor's rows are credited to its successor).
    pub fn add(&mut self, trust: TrustCode, month: (u16, u8), line: u64, sums: &[f64]) {
        let q = Quarter::of_month(month.0, month.1).expect("validated month");
        let cell = self
            .cells
            .entry((q, trust))
            .or_default()
            .entry(month)
            .or_insert_with(|| (line, vec![0.0; sums.len()]));
        cell.0 = cell.0.max(line);
        for (a, b) in cell.1.iter_mut().zip(sums) {
            *a += b;
        }
    }

    /// The monthly counts of each measure: `measures` are (value id, numerator index,
    /// denominator index, numerator factor) into the sums; a month whose denominator is 0 gives
    /// none.
    pub fn counts(&self, table: &Table, measures: &[Measure], out: &mut Ingested) {
        for ((_, trust), months) in &self.cells {
            for (month, (line, sums)) in months {
                for &(id, num, den, factor) in measures {
                    if sums[den] > 0.0 {
                        out.counts.push(MonthlyCount {
                            trust: trust.clone(),
                            metric_id: id.to_owned(),
                            month: *month,
                            numerator: sums[num] * factor,
                            denominator: sums[den],
                            source: table.source(*line),
                            provenance: Provenance::Real,
                        });
                    }
                }
            }
        }
    }

    /// Complete quarters: `(quarter, trust, last line, per-month sums in month order)`.
    pub fn quarters(self, out: &mut Ingested) -> Vec<(Quarter, TrustCode, u64, Vec<Vec<f64>>)> {
        let mut done = Vec::new();
        for ((q, t), months) in self.cells {
            let wanted: BTreeSet<(u16, u8)> = q.months().into_iter().collect();
            let have: BTreeSet<(u16, u8)> = months.keys().copied().collect();
            if have != wanted {
                for _ in &months {
                    out.exclude(Exclusion::IncompleteQuarter);
                }
                continue;
            }
            let line = months.values().map(|(l, _)| *l).max().unwrap_or(0);
            done.push((q, t, line, months.into_values().map(|(_, s)| s).collect()));
        }
        done
    }
}

impl Table<'_> {
    /// A real observation the adapter reading this table made, from its row `line`.
    pub(crate) fn observation(
        &self,
        quarter: Quarter,
        trust: TrustCode,
        metric_id: &str,
        value: f64,
        reporting_date: String,
        line: u64,
    ) -> Observation {
        Observation {
            quarter,
            trust,
            metric_id: metric_id.to_owned(),
            value,
            reporting_date,
            source: self.source(line),
            provenance: Provenance::Real,
            published_rank: None,
        }
    }
}

/// "Apr-25 to Jun-25" for a quarter.
pub(crate) fn quarter_months_label(q: Quarter) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let [a, _, c] = q.months();
    format!(
        "{}-{:02} to {}-{:02}",
        NAMES[usize::from(a.1) - 1],
        a.0 % 100,
        NAMES[usize::from(c.1) - 1],
        c.0 % 100
    )
}

/// "Jun-25" for a month.
pub fn month_label((y, m): (u16, u8)) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!("{}-{:02}", NAMES[usize::from(m) - 1], y % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_strictly() {
        assert_eq!(parse_month("2025-06-01"), Some((2025, 6)));
        assert_eq!(parse_month("2025-06"), Some((2025, 6)));
        assert_eq!(parse_month("2024-02-29"), Some((2024, 2)));
        assert_eq!(parse_month("2025-06-30"), Some((2025, 6)));
        assert!(underflows("1e-400") && underflows("-0.5e-999"));
        assert!(!underflows("0") && !underflows("0.0e5") && !underflows("-0"));
        for bad in [
            "2025-13-01",
            "June 2025",
            "2025",
            "2025-06-40",
            "2025-06-31",
            "2025-02-29",
            "0000-01",
            "25-06",
            "2025-6",
            "2025-06-01-01",
            "",
            // Sign characters are not digits (issue 27).
            "2025-+6",
            "2025-06-+1",
            "+025-06",
            "2025--6",
        ] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
    }

    #[test]
    fn quarter_labels() {
        let q: Quarter = "Q1 2025/26".parse().expect("quarter");
        assert_eq!(quarter_months_label(q), "Apr-25 to Jun-25");
        assert_eq!(month_label((2026, 3)), "Mar-26");
    }
}
