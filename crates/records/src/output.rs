//! Metric values from aggregated records, in the long format every adapter's values share
//! (`period, org_code, metric_id, value, numerator, denominator, reporting_date, provenance`),
//! with the disclosure rule applied.
//!
//! **Disclosure rule** for counts derived from records: a count of 1 to 7 is suppressed, any
//! other is rounded to the nearest 5 (0 stays 0). A value whose numerator or denominator is
//! suppressed is withheld too, since with the other count it would give the small one away; a
//! withheld value is counted, never silently dropped. Values are computed from the exact
//! counts and published to 2 decimal places. Counts are shown at trust level only, so every count shown is rounded; national
//! totals (in `league aggregate`'s summary) are exact.

use std::collections::BTreeMap;
use std::path::Path;

use league_ingest::{Context, Exclusion, Format, Ingested, SourceSummary};
use league_model::{Quarter, TrustCode};

use crate::RecordsError;
use crate::aggregate::{Aggregation, Cell, Fold, METRICS, MetricDef, Unit};
use crate::layout::{Extract, Month};
use league_ingest::month_label as label;

/// The value a run's quarantine file shows for a bad record.
pub const WITHHELD: &str = "(record-level value withheld; league aggregate --quarantine lists it)";

/// The columns of the metric-value file: the long format's, as the default dataset writes
/// them, without its source and trust-detail columns.
pub const COLUMNS: &[&str] = league_ingest::LONG_FORMAT.split_at(8).0;

/// The period of the metric values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grain {
    /// Complete quarters, as the NOF uses them (and as `--input` reads them).
    Quarter,
    /// Months, to compare with NHS England's monthly statistics.
    Month,
}

/// One metric value.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricValue {
    /// `Q1 2025/26` or `2025-04`.
    pub period: String,
    /// The trust.
    pub org_code: TrustCode,
    /// NOF metric id.
    pub metric_id: &'static str,
    /// The value (percent or minutes), from exact counts.
    pub value: f64,
    /// Disclosed numerator (none for a mean, whose numerator is not a count).
    pub numerator: Option<u64>,
    /// Disclosed denominator.
    pub denominator: u64,
    /// The months the value covers.
    pub reporting_date: String,
    /// `synthetic` when the records were generated, else `real`.
    pub provenance: &'static str,
}

/// Metric values and what the disclosure rule and the quarter rule held back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricValues {
    /// The values, by period, trust and metric order.
    pub rows: Vec<MetricValue>,
    /// Values withheld by the disclosure rule.
    pub suppressed: u64,
    /// Records in months that make no complete quarter (quarter grain), per dataset.
    pub incomplete: BTreeMap<Extract, u64>,
}

/// A disclosed count: 0 stays 0, 1–7 is suppressed, others round to the nearest 5.
pub fn disclose(count: u64) -> Option<u64> {
    match count {
        0 => Some(0),
        1..=7 => None,
        n => Some((n + 2) / 5 * 5),
    }
}

/// How a dataset's months make a quarter.
fn fold(d: Extract) -> Fold {
    match d {
        Extract::Rtt => Fold::LatestMonth,
        Extract::Ae | Extract::Ambulance => Fold::Sum,
    }
}

/// Whether a trust's records make the quarter: every month of it for counts that add up (as
/// the monthly adapters require), the latest month for a snapshot.
fn complete(s: &crate::ExtractStats, d: Extract, trust: &TrustCode, q: Quarter) -> bool {
    let has = |m: Month| s.accepted.contains_key(&(trust.clone(), m));
    match fold(d) {
        Fold::Sum => q.months().into_iter().all(has),
        Fold::LatestMonth => has(q.months()[2]),
    }
}

/// Values are published to 2 decimal places, as NHS England publishes NOF values (and so that
/// a value does not give away the exact counts its rounded numerator and denominator hide).
fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn value(def: &MetricDef, c: &Cell) -> f64 {
    match def.unit {
        Unit::Percent => 100.0 * c.numerator / c.denominator as f64,
        Unit::MeanMinutes => c.numerator / c.denominator as f64 / 60.0,
    }
}

/// The metric values at a grain, disclosure applied.
pub fn metric_values(agg: &Aggregation, grain: Grain) -> MetricValues {
    let mut out = MetricValues::default();
    // (period sort key, period label, reporting date, metric, trust) → cell
    let mut cells: BTreeMap<(i32, String, String, usize, TrustCode), Cell> = BTreeMap::new();
    for (mi, def) in METRICS.iter().enumerate() {
        let Some(stats) = agg.stats(def.dataset) else {
            continue;
        };
        let in_metric = agg.cells.iter().filter(|((id, _, _), _)| *id == def.id);
        match grain {
            Grain::Month => {
                for ((_, trust, month), c) in in_metric {
                    let key = (
                        crate::calendar::index(*month),
                        format!("{}-{:02}", month.0, month.1),
                        label(*month),
                        mi,
                        trust.clone(),
                    );
                    cells.insert(key, *c);
                }
            }
            Grain::Quarter => {
                for ((_, trust, month), c) in in_metric {
                    let q = Quarter::of_month(month.0, month.1).expect("a valid month");
                    if !complete(stats, def.dataset, trust, q) {
                        continue;
                    }
                    let last = q.months()[2];
                    if def.fold == Fold::LatestMonth && *month != last {
                        continue;
                    }
                    let first = q.months()[0];
                    let date = match def.fold {
                        Fold::Sum => format!("{} to {}", label(first), label(last)),
                        Fold::LatestMonth => label(last),
                    };
                    let key = (
                        crate::calendar::index(last),
                        q.to_string(),
                        date,
                        mi,
                        trust.clone(),
                    );
                    let e = cells.entry(key).or_default();
                    e.numerator += c.numerator;
                    e.denominator += c.denominator;
                }
            }
        }
    }
    if grain == Grain::Quarter {
        // Records that passed every check but form no quarterly value: their trust lacks one of
        // the quarter's months (or the dataset lacks the partition), or, for the RTT snapshot,
        // they are not the quarter's latest month.
        for s in &agg.stats {
            let d = s.dataset.expect("set");
            let left: u64 = s
                .accepted
                .iter()
                .filter(|((trust, m), _)| {
                    let q = Quarter::of_month(m.0, m.1).expect("a valid month");
                    !complete(s, d, trust, q)
                        || (fold(d) == Fold::LatestMonth && *m != q.months()[2])
                })
                .map(|(_, n)| n)
                .sum();
            if left > 0 {
                out.incomplete.insert(d, left);
            }
        }
    }
    for ((_, period, date, mi, trust), c) in cells {
        let def = &METRICS[mi];
        if c.denominator == 0 {
            continue;
        }
        let den = disclose(c.denominator);
        let num = match def.unit {
            Unit::Percent => disclose(c.numerator as u64).map(Some),
            Unit::MeanMinutes => Some(None),
        };
        let (Some(den), Some(num)) = (den, num) else {
            out.suppressed += 1;
            continue;
        };
        let synthetic = agg.stats(def.dataset).is_some_and(|s| s.synthetic);
        out.rows.push(MetricValue {
            period,
            org_code: trust,
            metric_id: def.id,
            value: round2(value(def, &c)),
            numerator: num,
            denominator: den,
            reporting_date: date,
            provenance: if synthetic { "synthetic" } else { "real" },
        });
    }
    out
}

/// The values as CSV.
pub fn values_csv(rows: &[MetricValue]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS).expect("in memory");
    for r in rows {
        w.write_record([
            r.period.as_str(),
            r.org_code.as_str(),
            r.metric_id,
            &r.value.to_string(),
            &r.numerator.map(|n| n.to_string()).unwrap_or_default(),
            &r.denominator.to_string(),
            &r.reporting_date,
            r.provenance,
        ])
        .expect("in memory");
    }
    w.into_inner().expect("in memory")
}

fn values_parquet(rows: &[MetricValue]) -> Result<Vec<u8>, RecordsError> {
    use polars::prelude::*;
    let s = |name: &str, v: Vec<&str>| Column::new(name.into(), v);
    let mut df = DataFrame::new(
        rows.len(),
        vec![
            s("period", rows.iter().map(|r| r.period.as_str()).collect()),
            s(
                "org_code",
                rows.iter().map(|r| r.org_code.as_str()).collect(),
            ),
            s("metric_id", rows.iter().map(|r| r.metric_id).collect()),
            Column::new(
                "value".into(),
                rows.iter().map(|r| r.value).collect::<Vec<f64>>(),
            ),
            Column::new(
                "numerator".into(),
                rows.iter()
                    .map(|r| r.numerator)
                    .collect::<Vec<Option<u64>>>(),
            ),
            Column::new(
                "denominator".into(),
                rows.iter().map(|r| r.denominator).collect::<Vec<u64>>(),
            ),
            s(
                "reporting_date",
                rows.iter().map(|r| r.reporting_date.as_str()).collect(),
            ),
            s("provenance", rows.iter().map(|r| r.provenance).collect()),
        ],
    )
    .map_err(RecordsError::polars("build the metric-value table"))?;
    let mut buf = Vec::new();
    let synthetic = rows.iter().any(|r| r.provenance == "synthetic");
    let kv = vec![(crate::SYNTHETIC_KEY.to_owned(), synthetic.to_string())];
    // Snappy, which every reader here takes (`--input` reads uncompressed or Snappy Parquet).
    ParquetWriter::new(&mut buf)
        .with_compression(ParquetCompression::Snappy)
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(kv)))
        .finish(&mut df)
        .map_err(RecordsError::polars("write the metric-value table"))?;
    Ok(buf)
}

/// Writes the values to `path` (Parquet when it ends in `.parquet`, else CSV), through a
/// temporary file renamed into place.
pub fn write_metric_values(rows: &[MetricValue], path: &Path) -> Result<(), RecordsError> {
    let bytes = if path.extension().is_some_and(|e| e == "parquet") {
        values_parquet(rows)?
    } else {
        values_csv(rows)
    };
    let io = |source| RecordsError::Io {
        path: path.display().to_string(),
        source,
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| RecordsError::Request(format!("{}: not a file name", path.display())))?;
    let tmp = path.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

/// Records as pipeline inputs: for each dataset, the records' own summary (records read,
/// quarantined by rule, in months of no complete quarter) with its quarantined records, then
/// the quarterly metric values read through the long-format adapter (so they meet the same
/// checks and thresholds as any other input) with the values the disclosure rule withheld.
pub fn ingest(dir: &Path, ctx: &Context) -> Result<(Aggregation, Vec<Ingested>), RecordsError> {
    let agg = crate::aggregate(dir, ctx.register)?;
    let values = metric_values(&agg, Grain::Quarter);
    let mut out = Vec::new();
    for s in &agg.stats {
        let d = s.dataset.expect("set");
        let mut summary = SourceSummary {
            file: s.dir.clone(),
            format: format!("{d}-records"),
            rows_read: s.records,
            quarantined: s.quarantined,
            by_rule: s.by_rule.clone(),
            remapped: s.remapped,
            ..SourceSummary::default()
        };
        if let Some(n) = values.incomplete.get(&d) {
            summary.excluded.insert(Exclusion::IncompleteQuarter, *n);
        }
        let prefix = format!("{}{}", s.dir, std::path::MAIN_SEPARATOR);
        out.push(Ingested {
            summary,
            // A release's quarantine file names each bad record by file, row, column and rule;
            // the record's own values (times, codes) stay with the extract's holder, who can
            // list them with `league aggregate --quarantine`.
            findings: agg
                .findings
                .iter()
                .filter(|f| f.file.starts_with(&prefix))
                .map(|f| league_ingest::RowError {
                    value: WITHHELD.into(),
                    ..f.clone()
                })
                .collect(),
            ..Ingested::default()
        });
    }
    if values.rows.is_empty() && values.suppressed == 0 {
        return Ok((agg, out));
    }
    let name = format!("{} (metric values from records)", dir.display());
    let mut derived = if values.rows.is_empty() {
        Ingested {
            summary: SourceSummary {
                file: name,
                format: Format::Long.name().into(),
                ..SourceSummary::default()
            },
            ..Ingested::default()
        }
    } else {
        league_ingest::ingest_bytes(&name, values_csv(&values.rows), Some(Format::Long), ctx)?
    };
    if values.suppressed > 0 {
        derived.summary.rows_read += values.suppressed;
        *derived
            .summary
            .excluded
            .entry(Exclusion::Suppressed)
            .or_default() += values.suppressed;
    }
    out.push(derived);
    Ok((agg, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_disclosure_rule_suppresses_one_to_seven_and_rounds_the_rest_to_five() {
        assert_eq!(disclose(0), Some(0));
        for n in 1..=7 {
            assert_eq!(disclose(n), None, "{n}");
        }
        assert_eq!(disclose(8), Some(10));
        assert_eq!(disclose(12), Some(10));
        assert_eq!(disclose(13), Some(15));
        assert_eq!(disclose(1_234_567), Some(1_234_565));
        assert_eq!(disclose(1_234_568), Some(1_234_570));
    }
}
