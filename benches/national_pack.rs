//! Benchmark: write the whole national pack (release build).
//!
//! `cargo bench --bench national_pack` (or `just bench-pack`). Reads and scores the embedded
//! default dataset once (2,000 bootstrap replicates, timed separately), then writes the national
//! pack (workbook, PDF, CSV and Parquet tables, dictionary) five times into a temporary
//! directory and prints each pass and the median; then times the quality-assurance check
//! (`league check`, which also reads every trust's letter and board workbook) on each written
//! set.

use std::time::Instant;

mod common;

fn main() {
    let start = Instant::now();
    let common::DefaultRun {
        methodology: m,
        publication,
        run,
    } = common::default_run();
    println!(
        "ingest and score the default dataset ({} trusts, {} replicates): {:.3} s",
        run.tables.iter().map(|t| t.rows.len()).sum::<usize>(),
        run.replicates,
        start.elapsed().as_secs_f64()
    );

    let mut times = Vec::new();
    let mut checks = Vec::new();
    for pass in 1..=5 {
        let dir = tempfile::tempdir().expect("tempdir");
        league_report::write_tables(dir.path(), &run, &m).expect("tables");
        let start = Instant::now();
        let packs = league_report::build_packs(&run, &m);
        let files =
            league_report::write_national_packs(dir.path(), &packs, &publication).expect("pack");
        let t = start.elapsed();
        // The check reads the trusts' documents too (timed by `just bench-letters`).
        league_report::write_trust_documents(
            dir.path(),
            &run,
            &m,
            &packs,
            league_report::DocumentContext {
                publication: &publication,
                boards: &[],
                addressees: &Default::default(),
            },
        )
        .expect("letters");
        let start = Instant::now();
        let report = league_check::check(dir.path(), &m).expect("check");
        let c = start.elapsed();
        assert!(report.passed(), "{:?}", report.findings);
        println!(
            "pass {pass}: national pack, {} files: {:.3} s; check, {} figures: {:.3} s",
            files.len(),
            t.as_secs_f64(),
            report.checked.values().sum::<u64>(),
            c.as_secs_f64()
        );
        times.push(t);
        checks.push(c);
    }
    times.sort();
    checks.sort();
    println!(
        "median of 5 passes: pack {:.3} s, check {:.3} s",
        times[2].as_secs_f64(),
        checks[2].as_secs_f64()
    );
}
