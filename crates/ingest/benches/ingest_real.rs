//! Benchmark: ingest every real data file (release build).
//!
//! `cargo bench -p league-ingest --bench ingest_real [-- DIR]` (or `just bench-ingest`). DIR
//! defaults to `../shared/data/real` when it exists, else `data/`. Every CSV under DIR is read by
//! the adapter its header matches, after loading the trust register; files that match no
//! adapter (reference lists the register is built from) are listed as skipped. Prints the
//! wall-clock time of each of 5 full passes and the median.

use std::path::{Path, PathBuf};
use std::time::Instant;

use league_ingest::{Context, Thresholds, TrustRegister, ingest_file};
use league_model::Methodology;

fn csvs(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            csvs(&p, out);
        } else if p.extension().is_some_and(|x| x == "csv") {
            out.push(p);
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let shared = root.join("../shared/data/real");
            if shared.exists() {
                shared
            } else {
                root.join("data")
            }
        });
    let text =
        std::fs::read_to_string(root.join("data/methodology/nof-2025-26.toml")).expect("config");
    let m = Methodology::from_toml("nof-2025-26.toml", &text).expect("valid methodology");
    let text =
        std::fs::read_to_string(root.join("data/validation/thresholds.toml")).expect("thresholds");
    let thresholds = Thresholds::from_toml("thresholds.toml", &text).expect("valid thresholds");
    let mut files = Vec::new();
    csvs(&dir, &mut files);
    println!(
        "ingesting {} CSV files under {}",
        files.len(),
        dir.display()
    );

    let mut times = Vec::new();
    for pass in 0..5 {
        let start = Instant::now();
        let register = TrustRegister::load(
            &root.join("data/reference/trusts_reference.csv"),
            Some(&root.join("data/reference/ods_etr_trusts.csv")),
        )
        .expect("register");
        let ctx = Context {
            register: &register,
            methodology: &m,
            periods: thresholds.months().expect("validated"),
            limits: &league_ingest::Limits::default(),
        };
        let (mut rows, mut values) = (0u64, 0u64);
        for f in &files {
            match ingest_file(f, None, &ctx) {
                Ok(got) => {
                    rows += got.summary.rows_read;
                    values += got.observations.len() as u64;
                    if pass == 0 {
                        println!(
                            "  {:<14} {:>7} rows {:>7} values {:>5} quarantined  {}",
                            got.summary.format,
                            got.summary.rows_read,
                            got.observations.len(),
                            got.summary.quarantined,
                            f.display()
                        );
                    }
                }
                Err(league_ingest::IngestError::UnknownFormat { .. }) if pass == 0 => {
                    println!(
                        "  not a metric source (no adapter's header; reference lists are read by the register): {}",
                        f.display()
                    );
                }
                Err(e) if pass == 0 => println!("  failed: {e}"),
                Err(_) => {}
            }
        }
        let t = start.elapsed();
        println!(
            "pass {}: {:.3} s ({rows} rows, {values} values)",
            pass + 1,
            t.as_secs_f64()
        );
        times.push(t);
    }
    times.sort();
    println!("median of 5 passes: {:.3} s", times[2].as_secs_f64());
}
