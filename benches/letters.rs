//! Benchmark: render every trust's letter (PDF) and board workbook (Excel) (release build).
//!
//! `cargo bench --bench letters` (or `just bench-letters`). Reads and scores the embedded default
//! dataset once (205 trusts), builds the national pack, then five times renders and writes all
//! letters and workbooks into a temporary directory, and prints each pass, the median, and the
//! thread count rayon used.

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
    let input = ingest_file(
        &data.join("default/nof_2025_26_q1_national.csv"),
        None,
        &ctx,
    )
    .expect("dataset");
    let dataset = assemble(&[input], &register, &m).dataset;
    let run =
        league_score::score(&dataset, &m, &league_score::ScoreOptions::default()).expect("score");
    let packs = league_report::build_packs(&run, &m);
    let trusts: usize = run.tables.iter().map(|t| t.rows.len()).sum();

    let mut times = Vec::new();
    for pass in 1..=5 {
        let dir = tempfile::tempdir().expect("tempdir");
        let start = Instant::now();
        let files =
            league_report::write_trust_documents(dir.path(), &run, &m, &packs, &publication, &[])
                .expect("letters");
        let t = start.elapsed();
        let bytes: u64 = files
            .iter()
            .map(|f| std::fs::metadata(f).expect("written").len())
            .sum();
        println!(
            "pass {pass}: {trusts} trusts, {} files ({:.1} MB): {:.3} s",
            files.len(),
            bytes as f64 / 1e6,
            t.as_secs_f64()
        );
        times.push(t);
    }
    times.sort();
    println!(
        "median of 5 passes: all letters and board workbooks of {trusts} trusts in {:.3} s ({} rayon threads)",
        times[2].as_secs_f64(),
        rayon::current_num_threads()
    );
}
