//! `OUT/run-history.jsonl`: one outcome line per run (status, periods, failed stage, exit code,
//! log), kept for trend reporting, backfill's `failed` mode, publication and lineage.
//!
//! A run's `complete` line is its commit point: written (and fsynced) after its release and
//! history rows are in place and before `current` names it. A release with no complete line is
//! one a run never committed, and recovery removes it (`recover.rs`).

use std::collections::BTreeSet;
use std::io::Write as _;

use crate::fsio::io;
use crate::store::{OutputRoot, RunId};

/// Appends one outcome line and fsyncs it. If an earlier append was cut short (a full disk,
/// a kill), the line starts on a line of its own.
pub(crate) fn append(root: &OutputRoot, line: &serde_json::Value) -> anyhow::Result<()> {
    let path = root.outcomes();
    let torn = std::fs::read(&path).is_ok_and(|b| b.last().is_some_and(|c| *c != b'\n'));
    let appended = std::fs::File::options()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| {
            let text = if torn {
                format!("\n{line}\n")
            } else {
                format!("{line}\n")
            };
            f.write_all(text.as_bytes())?;
            f.sync_all()
        });
    io(appended, || {
        format!("cannot record the run's outcome in {}", path.display())
    })
}

/// Creates an empty `run-history.jsonl` if there is none, so that recovery can tell "no run
/// committed this release" from "the record is missing".
pub(crate) fn create(root: &OutputRoot) -> anyhow::Result<()> {
    let path = root.outcomes();
    let made = std::fs::File::options()
        .create(true)
        .append(true)
        .open(&path);
    io(made, || format!("cannot create {}", path.display())).map(drop)
}

/// Every recorded outcome under `root`, newest first (unreadable lines skipped); `None` when
/// the file is missing or cannot be read.
pub(crate) fn read(root: &OutputRoot) -> Option<Vec<serde_json::Value>> {
    let text = std::fs::read_to_string(root.outcomes()).ok()?;
    Some(
        text.lines()
            .rev()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect(),
    )
}

/// Every recorded outcome under `root`, newest first (none if the file cannot be read).
pub(crate) fn all(root: &OutputRoot) -> Vec<serde_json::Value> {
    read(root).unwrap_or_default()
}

/// The outcome last recorded for `run_id`, if any.
pub(crate) fn last(root: &OutputRoot, run_id: &str) -> Option<serde_json::Value> {
    all(root).into_iter().find(|v| v["run_id"] == run_id)
}

/// The run id of a `complete` outcome line.
fn complete_id(v: &serde_json::Value) -> Option<RunId> {
    (v["status"] == "complete")
        .then(|| v["run_id"].as_str().and_then(|id| RunId::parse(id).ok()))
        .flatten()
}

/// Every run id with a `complete` outcome in `outcomes`: the committed runs.
pub(crate) fn complete_ids(outcomes: &[serde_json::Value]) -> BTreeSet<RunId> {
    outcomes.iter().filter_map(complete_id).collect()
}

/// The run id of the last `complete` outcome in `outcomes` (newest first): the release
/// `current` names once that run's commit has finished.
pub(crate) fn last_complete(outcomes: &[serde_json::Value]) -> Option<RunId> {
    outcomes.iter().find_map(complete_id)
}

/// True when a run that made release `run_id` committed it (a `complete` outcome for it).
pub(crate) fn committed(root: &OutputRoot, run_id: &RunId) -> bool {
    all(root)
        .iter()
        .filter_map(complete_id)
        .any(|id| id == *run_id)
}
