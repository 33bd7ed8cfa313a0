//! `league check DIR`: re-reads a finished output set and re-derives its figures (quality
//! assurance; a run does the same to its staged outputs before promoting them); exits 8 if any
//! figure fails.

use std::path::{Path, PathBuf};

use crate::args::Common;
use crate::config;
use crate::config::data::DataDir;
use crate::quality::{self, Staged};
use crate::store::OutputRoot;

/// `league check`: an output root is checked through its current release.
pub(crate) fn command(
    dir: &Path,
    methodology: Option<PathBuf>,
    data: &DataDir,
) -> anyhow::Result<()> {
    let common = Common {
        methodology,
        ..Common::default()
    };
    let m = config::load_methodology(&common, data)?;
    let dir = OutputRoot::checked_dir(dir)?;
    let report = quality::check(&dir, &m, Staged::No)?;
    for (what, n) in &report.checked {
        println!("{n:>8}  {what}");
    }
    println!("check passed: {}", dir.display());
    Ok(())
}
