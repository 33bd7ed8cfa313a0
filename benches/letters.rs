//! Benchmark: render every trust's letter (PDF) and board workbook (Excel) (release build).
//!
//! `cargo bench --bench letters` (or `just bench-letters`). Reads and scores the embedded default
//! dataset once (205 trusts), builds the national pack, then five times renders and writes all
//! letters and workbooks into a temporary directory, and prints each pass, the median, and the
//! thread count rayon used.

use std::time::Instant;

mod common;

fn main() {
    let common::DefaultRun {
        methodology: m,
        publication,
        run,
    } = common::default_run();
    let packs = league_report::build_packs(&run, &m);
    let trusts: usize = run.tables.iter().map(|t| t.rows.len()).sum();

    let mut times = Vec::new();
    for pass in 1..=5 {
        let dir = tempfile::tempdir().expect("tempdir");
        let start = Instant::now();
        let files = league_report::write_trust_documents(
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
