//! `league generate records` and `league aggregate`: record-level extracts, and the record
//! source a run or job can take in place of published aggregates.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context as _;

use league_model::TrustCode;
use league_records::calibrate::{Calibration, Source};
use league_records::{Extract, GenerateSpec, Grain, RecordsError};

use crate::args::{AggregateArgs, Common, GenerateRecordsArgs};
use crate::config::Setup;
use crate::config::data::{self, DataDir};
use crate::error::{Classify, ExitClass};

/// The exit class of a records error: bad input (3), bad request (4), I/O (5).
pub(crate) fn error(e: RecordsError) -> anyhow::Error {
    let class = match &e {
        e if e.is_bad_input() => ExitClass::BadInput,
        e if e.is_io() => ExitClass::Io,
        RecordsError::Request(_) => ExitClass::BadConfig,
        RecordsError::Polars { context, .. } if context.starts_with("write") => ExitClass::Io,
        // The footers and columns were checked; what the engine meets after that is in the data.
        RecordsError::Polars { .. } => ExitClass::BadInput,
        _ => ExitClass::Internal,
    };
    Err::<(), _>(e).class(class).expect_err("an error")
}

/// The metric values of a record extract (`[inputs] records`, `--records`), one source per
/// dataset, as [`league_records::ingest`] reads them; logs what was aggregated.
pub(crate) fn ingest(
    dir: &Path,
    ctx: &league_ingest::Context<'_>,
) -> anyhow::Result<Vec<league_ingest::Ingested>> {
    let (agg, ingested) = league_records::ingest(dir, ctx).map_err(error)?;
    for s in &agg.stats {
        tracing::info!(
            dataset = s.dataset.map_or("", |d| d.name()),
            records = s.records,
            quarantined = s.quarantined,
            synthetic = s.synthetic,
            "records aggregated"
        );
    }
    Ok(ingested)
}

/// Parses `--year 2025-26`.
fn financial_year(s: &str) -> anyhow::Result<u16> {
    let parsed = s.split_once('-').and_then(|(a, b)| {
        let y: u16 = a.parse().ok()?;
        let next: u16 = b.parse().ok()?;
        (a.len() == 4 && b.len() == 2 && (1900..2999).contains(&y) && (y + 1) % 100 == next)
            .then_some(y)
    });
    parsed
        .ok_or_else(|| anyhow::anyhow!("--year {s:?}: expected a financial year such as 2025-26"))
        .class(ExitClass::BadConfig)
}

fn datasets(names: &[String]) -> anyhow::Result<Vec<Extract>> {
    let mut out = Vec::new();
    for n in names {
        let d = Extract::from_name(n)
            .ok_or_else(|| {
                anyhow::anyhow!("--datasets: unknown {n:?}; expected ae, rtt or ambulance")
            })
            .class(ExitClass::BadConfig)?;
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out.sort();
    Ok(out)
}

/// `league generate records`.
pub(crate) fn generate(a: &GenerateRecordsArgs) -> anyhow::Result<()> {
    let data = DataDir::from_arg(a.data_dir.clone());
    let setup = Setup::load(&Common::default(), &data, data::METHODOLOGY)?;
    let mut sources = Vec::new();
    for rel in data::CALIBRATION {
        let f = data.read(rel, &setup.limits)?;
        sources.push(Source {
            name: f.name,
            bytes: f.bytes,
        });
    }
    let cal = Calibration::read(
        &sources[0],
        &sources[1],
        &sources[2],
        &sources[3],
        &setup.register,
    )
    .map_err(error)
    .context("cannot read the calibration sources")?;
    let trusts = if a.trusts.is_empty() {
        None
    } else {
        let mut set = BTreeSet::new();
        for t in &a.trusts {
            let code = TrustCode::parse(t)
                .map_err(|e| anyhow::anyhow!("--trusts: {e}"))
                .class(ExitClass::BadConfig)?;
            if setup.register.get(&code).is_none() {
                return Err(anyhow::anyhow!(
                    "--trusts: {t} is not in the trust register"
                ))
                .class(ExitClass::BadConfig);
            }
            set.insert(code);
        }
        Some(set)
    };
    let spec = GenerateSpec {
        year: financial_year(&a.year)?,
        scale: a.scale,
        seed: a.seed,
        datasets: datasets(&a.datasets)?,
        trusts,
        rows_per_file: a.rows_per_file,
    };
    let started = std::time::Instant::now();
    let summary = league_records::generate(&cal, &setup.register, &spec, &a.out)
        .map_err(error)
        .with_context(|| format!("cannot generate records into {}", a.out.display()))?;
    println!(
        "SYNTHETIC records (seed {}, scale {}), calibrated to {}: not real patients or real figures for any trust",
        spec.seed,
        spec.scale,
        cal.sources.join(", ")
    );
    for (d, months, rows, files) in &summary.datasets {
        println!(
            "{:<10} {months:>2} months {rows:>12} records {files:>5} files  {}",
            d.name(),
            a.out.join(d.name()).display()
        );
    }
    tracing::info!(
        out = %a.out.display(),
        records = summary.datasets.iter().map(|d| d.2).sum::<u64>(),
        seconds = started.elapsed().as_secs_f64(),
        "records generated"
    );
    Ok(())
}

/// `league aggregate`.
pub(crate) fn aggregate(a: &AggregateArgs) -> anyhow::Result<()> {
    let grain = match a.by.as_str() {
        "quarter" => Grain::Quarter,
        "month" => Grain::Month,
        other => {
            return Err(anyhow::anyhow!("--by {other:?}: expected quarter or month"))
                .class(ExitClass::BadConfig);
        }
    };
    let setup = Setup::load(
        &Common::default(),
        &DataDir::from_arg(a.data_dir.clone()),
        data::METHODOLOGY,
    )?;
    let started = std::time::Instant::now();
    let agg = league_records::aggregate(&a.records, &setup.register)
        .map_err(error)
        .with_context(|| format!("cannot aggregate the records in {}", a.records.display()))?;
    let values = league_records::output::metric_values(&agg, grain);
    league_records::write_metric_values(&values.rows, &a.out)
        .map_err(error)
        .with_context(|| format!("cannot write {}", a.out.display()))?;
    if let Some(q) = &a.quarantine {
        crate::fsio::write_atomic(q, league_ingest::quarantine_csv(&agg.findings).as_bytes())
            .with_context(|| format!("cannot write {}", q.display()))
            .class(ExitClass::Io)?;
    }
    println!(
        "{:<10} {:>6} {:>5} {:>12} {:>11}  rules",
        "dataset", "months", "files", "records", "quarantined"
    );
    for s in &agg.stats {
        let rules: Vec<String> = s.by_rule.iter().map(|(r, n)| format!("{r} {n}")).collect();
        println!(
            "{:<10} {:>6} {:>5} {:>12} {:>11}  {}{}",
            s.dataset.map_or("", |d| d.name()),
            s.months.len(),
            s.files,
            s.records,
            s.quarantined,
            rules.join(", "),
            if s.synthetic { "  SYNTHETIC" } else { "" }
        );
    }
    for (d, n) in &values.incomplete {
        println!("{d}: {n} records in months that make no complete quarter (left out)");
    }
    println!(
        "{} metric values written to {} ({} withheld by the disclosure rule: counts of 1-7)",
        values.rows.len(),
        a.out.display(),
        values.suppressed
    );
    if agg.stats.iter().any(|s| s.synthetic) {
        println!(
            "SYNTHETIC: the records carry the synthetic marker; every value is labelled synthetic"
        );
    }
    tracing::info!(
        records = agg.stats.iter().map(|s| s.records).sum::<u64>(),
        values = values.rows.len(),
        seconds = started.elapsed().as_secs_f64(),
        "records aggregated"
    );
    Ok(())
}

/// The SHA-256 of an extract: every Parquet file's path under the root and bytes, in order.
pub(crate) fn tree_hash(dir: &Path) -> anyhow::Result<String> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut n = 0;
    for d in Extract::ALL {
        let parts = league_records::layout::partitions(dir, d).map_err(error)?;
        for p in parts {
            for f in p.files {
                let rel = f.strip_prefix(dir).unwrap_or(&f).display().to_string();
                let file_hash =
                    crate::retry::io("hash a record file", || crate::hash::sha256_file(&f))
                        .with_context(|| format!("cannot read {}", f.display()))
                        .class(ExitClass::Io)?;
                h.update(format!("{rel}\0{file_hash}\n").as_bytes());
                n += 1;
            }
        }
    }
    if n == 0 {
        return Err(anyhow::anyhow!(
            "{}: no record extracts (ae/, rtt/ or ambulance/ with month=YYYY-MM partitions)",
            dir.display()
        ))
        .class(ExitClass::BadInput);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_calibration_sources_are_the_ones_the_records_crate_reads() {
        use league_records::calibrate as c;
        assert_eq!(
            data::CALIBRATION,
            [
                c::AE_SOURCE,
                c::RTT_SOURCE,
                c::AMBULANCE_SOURCE,
                c::OVER_12H_SOURCE
            ]
        );
    }

    #[test]
    fn financial_years_and_dataset_names_are_checked() {
        assert_eq!(financial_year("2025-26").expect("year"), 2025);
        for bad in [
            "2025",
            "2025-27",
            "25-26",
            "2025-2026",
            "9999-00",
            "0000-01",
        ] {
            assert!(financial_year(bad).is_err(), "{bad}");
        }
        assert_eq!(
            datasets(&["rtt".into(), "ae".into(), "ae".into()]).expect("names"),
            vec![Extract::Ae, Extract::Rtt]
        );
        assert!(datasets(&["cancer".into()]).is_err());
    }
}
