//! Datasets the pipeline is fed, made here and never read here:
//!
//! - [`build_default`]: the default national dataset (`data/default/`), built by
//!   `data/default/recipe.toml` from NHS England's NOF data files and the real publications,
//!   every value labelled published, real, or real from another period (`league
//!   build-dataset`).
//! - [`synthetic_dataset`]: seeded datasets of made-up trusts (codes `Z…`), every value
//!   labelled synthetic, for tests and benchmarks only.
//!
//! The readers are `league-ingest`'s; these builders take what it read and write what it
//! will read (the long format, [`league_ingest::LONG_FORMAT`]).

mod default;
mod synthetic;
#[cfg(test)]
mod test_support;

pub use default::{
    BuiltCounts, CountsRecipe, DatasetRow, Recipe, RecipeError, RecipeMetric, build_counts,
    build_default, counts_csv, dataset_csv,
};
pub use synthetic::{SyntheticSpec, synthetic_code, synthetic_dataset};
