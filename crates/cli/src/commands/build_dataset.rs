//! `league build-dataset`: rebuilds the embedded default dataset from the real sources in
//! `data/sources/` by `data/default/recipe.toml`.

use std::path::Path;

use anyhow::Context as _;

use league_datasets::Recipe;

use crate::args::Common;
use crate::config::Setup;
use crate::config::data::{self, DataDir};
use crate::error::{Classify, ExitClass};
use crate::pipeline::validation::{blocked, failures};

/// `league build-dataset`: rebuild the embedded default dataset from the real sources.
pub(crate) fn command(data_dir: &Path, out: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    let out = out.unwrap_or_else(|| data_dir.join(data::DEFAULT_DATASET));
    let data = DataDir::Dir(data_dir.to_owned());
    let setup = Setup::load(&Common::default(), &data, data::METHODOLOGY)?;
    let recipe_file = data.read(data::RECIPE, &setup.limits)?;
    let recipe = Recipe::from_toml(&recipe_file.name, recipe_file.text()?, &setup.methodology)
        .context("invalid dataset recipe")
        .class(ExitClass::BadConfig)?;
    let paths: Vec<std::path::PathBuf> = recipe
        .nof_data
        .iter()
        .chain(&recipe.sources)
        .map(|s| data_dir.join(s))
        .collect();
    let all: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    let mut ingested = setup.ingest(&all, None)?;
    let judged = setup.judge(&ingested);
    let fails = failures(&judged);
    if !fails.is_empty() {
        let findings: Vec<_> = ingested.iter().flat_map(|s| s.findings.clone()).collect();
        return Err(blocked(fails, &findings));
    }
    let sources = ingested.split_off(recipe.nof_data.len());
    let rows = league_datasets::build_default(
        &recipe,
        &ingested,
        &sources,
        &setup.register,
        &setup.methodology,
    );
    let text = league_datasets::dataset_csv(&recipe.quarter, &rows);
    let dir = out.parent().unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))
        .class(ExitClass::Io)?;
    std::fs::write(tmp.path(), text)
        .with_context(|| format!("cannot write {}", tmp.path().display()))
        .class(ExitClass::Io)?;
    tmp.persist(&out)
        .with_context(|| format!("cannot write {}", out.display()))
        .class(ExitClass::Io)?;
    let mut by: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in &rows {
        *by.entry(r.provenance.label()).or_default() += 1;
    }
    tracing::info!(out = %out.display(), rows = rows.len(), by_provenance = ?by, "default dataset written");
    Ok(())
}
