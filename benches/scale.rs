//! Benchmark: score a national dataset many times the size of England's (release build).
//!
//! `cargo bench --bench scale` (or `just bench-scale`). Generates a seeded synthetic dataset of
//! made-up trusts (`league_datasets::synthetic_dataset`: codes `Z…`, every value labelled
//! synthetic), scores it with the shipped methodology and 2,000 bootstrap replicates, and
//! writes the league-table and metric-score CSVs, three passes each at two sizes; prints each
//! pass and the median. Synthetic data never reaches the default run.

use std::path::Path;
use std::time::Instant;

use league_datasets::{SyntheticSpec, synthetic_dataset};
use league_model::Methodology;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("data/methodology/nof-2025-26.toml"))
        .expect("methodology");
    let m = Methodology::from_toml("nof-2025-26.toml", &text).expect("methodology");
    for per_group in [205, 2_000] {
        let spec = SyntheticSpec {
            quarter: "Q1 2025/26".parse().expect("quarter"),
            trusts_per_group: per_group,
            seed: 20_251_130,
            missing: 0.1,
        };
        let data = synthetic_dataset(&m, &spec);
        let trusts: usize = data.trusts.values().map(|t| t.len()).sum();
        let mut times = Vec::new();
        for pass in 1..=3 {
            let dir = tempfile::tempdir().expect("tempdir");
            let start = Instant::now();
            let run = league_score::score(&data, &m, &league_score::ScoreOptions::default())
                .expect("score");
            let files = league_report::write_tables(dir.path(), &run, &m).expect("write");
            let t = start.elapsed();
            println!(
                "{trusts} synthetic trusts, {} values, {} replicates: pass {pass}: score and write {} files in {:.3} s",
                data.observations.len(),
                run.replicates,
                files.len(),
                t.as_secs_f64()
            );
            times.push(t);
        }
        times.sort();
        println!(
            "{trusts} synthetic trusts: median of 3 passes {:.3} s",
            times[1].as_secs_f64()
        );
    }
}
