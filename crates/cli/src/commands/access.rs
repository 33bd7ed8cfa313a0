//! `league access RUN_ID --who NAME --reason WHY`: records one person's pre-release access to
//! a checked release (at most 24 hours before its release time) and prints where it is;
//! `--list` prints the record for publication.

use crate::error::{Classify, ExitClass};
use crate::store::access::{list, record, window_check};
use crate::store::manifest::release_is_whole;
use crate::store::{OutputRoot, RunId, read_manifest, release_at};

/// `league access`.
pub(crate) fn command(
    out: &std::path::Path,
    run_id: &RunId,
    who: Option<&str>,
    reason: Option<&str>,
    list_only: bool,
) -> anyhow::Result<()> {
    let root = OutputRoot::new(out).lock()?;
    let dir = root.release(run_id);
    if !dir.is_dir() {
        return Err(anyhow::anyhow!(
            "there is no release {run_id} in {}",
            root.releases().display()
        ))
        .class(ExitClass::NotReleasable);
    }
    if list_only {
        print!("{}", list(&root, run_id));
        return Ok(());
    }
    let (Some(who), Some(reason)) = (who.map(str::trim), reason.map(str::trim)) else {
        return Err(anyhow::anyhow!(
            "give --who NAME and --reason WHY: every pre-release access is recorded"
        ))
        .class(ExitClass::BadConfig);
    };
    if who.is_empty() || reason.is_empty() {
        return Err(anyhow::anyhow!("--who and --reason must not be empty"))
            .class(ExitClass::BadConfig);
    }
    if !release_is_whole(&dir) {
        return Err(anyhow::anyhow!(
            "{} is not a whole, checked release; pre-release access is to checked outputs only",
            dir.display()
        ))
        .class(ExitClass::NotReleasable);
    }
    let manifest = read_manifest(&dir)?;
    let release_at = release_at(&manifest, run_id)?;
    let now = jiff::Timestamp::now();
    window_check(now, release_at)
        .map_err(anyhow::Error::msg)
        .class(ExitClass::NotReleasable)?;
    record(&root, run_id, who, reason, now)?;
    tracing::info!(release = %run_id, "pre-release access recorded");
    println!("{}", dir.display());
    Ok(())
}
