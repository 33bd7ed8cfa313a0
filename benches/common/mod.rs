//! What the release benchmarks share: the shipped configuration and the default dataset, read
//! and scored once as `league report` does.

use std::path::Path;

use league_ingest::{Context, Thresholds, TrustRegister, assemble, ingest_file};
use league_model::{Methodology, ScoreRun};

/// The shipped methodology, publication details and the scored default dataset.
pub struct DefaultRun {
    pub methodology: Methodology,
    pub publication: league_report::Publication,
    pub run: ScoreRun,
}

/// Reads and scores the default dataset and monthly counts (2,000 bootstrap replicates).
pub fn default_run() -> DefaultRun {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let read = |p: &str| std::fs::read_to_string(data.join(p)).expect(p);
    let m =
        Methodology::from_toml("m", &read("methodology/nof-2025-26.toml")).expect("methodology");
    let thresholds =
        Thresholds::from_toml("t", &read("validation/thresholds.toml")).expect("thresholds");
    let publication = league_report::Publication::from_toml(&read("publication.toml"))
        .expect("publication")
        // A fixed date: benchmarks compare bytes across runs.
        .dated(league_model::Date::new(2026, 11, 23).expect("date"));
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
    // The default inputs, as `league report` reads them: the dataset and its monthly counts.
    let inputs: Vec<_> = [
        "default/nof_2025_26_q1_national.csv",
        "default/monthly_counts.csv",
    ]
    .iter()
    .map(|f| ingest_file(&data.join(f), None, &ctx).expect(f))
    .collect();
    let dataset = assemble(&inputs, &register, &m).dataset;
    let run =
        league_score::score(&dataset, &m, &league_score::ScoreOptions::default()).expect("score");
    DefaultRun {
        methodology: m,
        publication,
        run,
    }
}
