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
    // The monthly counts, from their own sources, judged like the others.
    let count_paths: Vec<std::path::PathBuf> = recipe
        .counts
        .sources
        .iter()
        .map(|s| data_dir.join(s))
        .collect();
    let count_files: Vec<&Path> = count_paths.iter().map(|p| p.as_path()).collect();
    let count_sources = setup.ingest(&count_files, None)?;
    let fails = failures(&setup.judge(&count_sources));
    if !fails.is_empty() {
        let findings: Vec<_> = count_sources
            .iter()
            .flat_map(|s| s.findings.clone())
            .collect();
        return Err(blocked(fails, &findings));
    }
    let built = league_datasets::build_counts(&recipe, &count_sources, &setup.methodology);
    for (trust, measure, (y, m), first, other) in &built.differed {
        tracing::warn!(%trust, %measure, month = %format!("{y}-{m:02}"), kept = %first, differs = %other, "two sources give different counts for one month: the first listed is kept");
    }
    let counts_out = out.parent().unwrap_or(Path::new(".")).join(
        Path::new(data::DEFAULT_COUNTS)
            .file_name()
            .expect("a file name"),
    );
    write_atomically(&out, &text)?;
    write_atomically(
        &counts_out,
        &league_datasets::counts_csv(&built.counts, &setup.register),
    )?;
    tracing::info!(out = %counts_out.display(), counts = built.counts.len(), agreed = built.agreed, differed = built.differed.len(), after_quarter = built.after_quarter, "monthly counts written");
    let mut by: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in &rows {
        *by.entry(r.provenance.label()).or_default() += 1;
    }
    tracing::info!(out = %out.display(), rows = rows.len(), by_provenance = ?by, "default dataset written");
    Ok(())
}

/// Writes `text` to `path` through a temporary file beside it, so a failed write leaves the
/// earlier file.
fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))
        .class(ExitClass::Io)?;
    std::fs::write(tmp.path(), text)
        .with_context(|| format!("cannot write {}", tmp.path().display()))
        .class(ExitClass::Io)?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))
        .class(ExitClass::Io)?;
    Ok(())
}
