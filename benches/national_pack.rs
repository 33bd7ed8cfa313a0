//! Benchmark: write the whole national pack (release build).
//!
//! `cargo bench --bench national_pack` (or `just bench-pack`). Reads and scores the embedded
//! default dataset once (2,000 bootstrap replicates, timed separately), then writes the national
//! pack (workbook, PDF, CSV and Parquet tables, dictionary) five times into a temporary
//! directory and prints each pass and the median; then times the quality-assurance check
//! (`league check`, which also reads every trust's letter and board workbook) on each written
//! set.

use std::path::Path;
use std::time::Instant;

use league_ingest::{Context, Thresholds, TrustRegister, assemble, ingest_file};
use league_model::Methodology;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("data");
    let read = |p: &str| std::fs::read_to_string(data.join(p)).expect(p);
    let m =
        Methodology::from_toml("m", &read("methodology/nof-2025-26.toml")).expect("methodology");
    let thresholds =
        Thresholds::from_toml("t", &read("validation/thresholds.toml")).expect("thresholds");
    let publication =
        league_report::Publication::from_toml(&read("publication.toml")).expect("publication");
    let register = TrustRegister::load(
        &data.join("reference/trusts_reference.csv"),
        Some(&data.join("reference/ods_etr_trusts.csv")),
    )
    .expect("register");
    let ctx = Context {
        register: &register,
        methodology: &m,
        periods: thresholds.months().expect("validated"),
        limits: &league_ingest::Limits::default(),
    };

    let start = Instant::now();
    let input = ingest_file(
        &data.join("default/nof_2025_26_q1_national.csv"),
        None,
        &ctx,
    )
    .expect("dataset");
    let dataset = assemble(&[input], &register, &m).dataset;
    let run =
        league_score::score(&dataset, &m, &league_score::ScoreOptions::default()).expect("score");
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
        league_report::write_trust_documents(dir.path(), &run, &m, &packs, &publication, &[])
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
