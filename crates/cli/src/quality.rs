//! Quality assurance of an output set ([`league_check`]), as a run, `league check` and
//! `league publish` use it: a failed figure becomes an error of class
//! [`ExitClass::CheckFailed`] naming every finding.

use std::path::Path;

use anyhow::Context as _;

use league_model::Methodology;

use crate::error::{Classify, ExitClass};

/// Whose output set is checked: a run's own staged outputs (or a release about to be
/// published), which a failure keeps from publication, or any finished set (`league check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Staged {
    /// A failure means nothing is published (the message says so).
    Yes,
    /// A finished output set, checked on request.
    No,
}

/// Runs quality assurance on an output set; a failed figure is an error of class
/// [`ExitClass::CheckFailed`] naming every finding.
pub(crate) fn check(
    dir: &Path,
    m: &Methodology,
    staged: Staged,
) -> anyhow::Result<league_check::CheckReport> {
    let report = league_check::check(dir, m)
        .with_context(|| format!("cannot check {}", dir.display()))
        .class(ExitClass::Io)?;
    if report.passed() {
        let n: u64 = report.checked.values().sum();
        tracing::info!(figures = n, "quality assurance passed");
        return Ok(report);
    }
    // The summary first, then one line per finding, in the order found.
    let line = |f: &league_check::Finding| format!("{}: {}", f.file, f.problem);
    let (last, rest) = report.findings.split_last().expect("failed, so not empty");
    let mut e = anyhow::anyhow!(line(last));
    for f in rest.iter().rev() {
        e = e.context(line(f));
    }
    Err(e.context(format!(
        "quality assurance failed: {} finding(s) in {}{}",
        report.findings.len(),
        dir.display(),
        match staged {
            Staged::Yes => "; nothing was published",
            Staged::No => "",
        }
    )))
    .class(ExitClass::CheckFailed)
}
