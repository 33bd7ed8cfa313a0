//! `league history`: rebuild the history store from the releases into a directory, or check
//! that rebuilding `OUT/history` gives the same bytes.

use std::path::Path;

use crate::error::{Classify, ExitClass};
use crate::store::OutputRoot;
use crate::store::history::rebuild;

/// `league history`: rebuild the store from the releases into `into`, or (without it) check
/// that rebuilding gives exactly the bytes in `OUT/history` for every release present.
pub(crate) fn command(out: &Path, into: Option<&Path>) -> anyhow::Result<()> {
    let root = OutputRoot::new(out).lock()?;
    let (n, differ) = rebuild(&root, into)?;
    if let Some(dir) = into {
        println!("rebuilt {n} history file(s) into {}", dir.display());
        return Ok(());
    }
    if differ.is_empty() {
        println!("history matches the releases: {n} file(s) rebuilt byte-identical");
        return Ok(());
    }
    Err(anyhow::anyhow!(
        "{} of {n} history file(s) differ from a rebuild from the releases (first: {})",
        differ.len(),
        differ[0]
    ))
    .class(ExitClass::CheckFailed)
}
