//! Scoring a dataset: the scoring crate called with the run's options, its errors classed.

use league_model::Methodology;

use crate::args::Common;
use crate::error::{Classified, ExitClass};

pub(crate) fn score_dataset(
    dataset: &league_model::Dataset,
    methodology: &Methodology,
    cut_points: Option<[f64; 3]>,
    common: &Common,
    boards: Vec<league_model::BoardAssessment>,
    prior: Vec<league_model::PriorResult>,
) -> anyhow::Result<league_model::ScoreRun> {
    let opts = league_score::ScoreOptions {
        cut_points,
        seed: common.seed,
        replicates: common.replicates,
        boards,
        prior,
    };
    let run = league_score::score(dataset, methodology, &opts).map_err(|e| {
        let class = match e {
            league_score::ScoreError::BadCutPoints(_)
            | league_score::ScoreError::TooFewReplicates(_) => ExitClass::BadConfig,
            league_score::ScoreError::NothingToSegment(_) => ExitClass::BadInput,
            league_score::ScoreError::Columnar(_) => ExitClass::Internal,
        };
        anyhow::Error::new(e).context(Classified { class })
    })?;
    for c in &run.cuts {
        tracing::info!(quarter = %c.quarter, cuts = ?c.cuts, source = ?c.source, "segment cut-points");
    }
    Ok(run)
}
