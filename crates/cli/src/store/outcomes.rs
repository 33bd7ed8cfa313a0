//! `OUT/run-history.jsonl`: one outcome line per run (status, periods, failed stage, exit code,
//! log), kept for trend reporting, backfill's `failed` mode, publication and lineage.

use std::io::Write as _;

use crate::store::OutputRoot;

/// Appends one outcome line (fsynced). A failure to record is logged, never fatal: the run's
/// own result stands.
pub(crate) fn append(root: &OutputRoot, line: &serde_json::Value) {
    let path = root.outcomes();
    let appended = std::fs::File::options()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| {
            writeln!(f, "{line}")?;
            f.sync_all()
        });
    if let Err(e) = appended {
        tracing::warn!(file = %path.display(), error = %e, "cannot record the run's outcome");
    }
}

/// Every recorded outcome under `root`, newest first (unreadable lines skipped).
pub(crate) fn all(root: &OutputRoot) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(root.outcomes()).unwrap_or_default();
    text.lines()
        .rev()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The outcome last recorded for `run_id`, if any.
pub(crate) fn last(root: &OutputRoot, run_id: &str) -> Option<serde_json::Value> {
    all(root).into_iter().find(|v| v["run_id"] == run_id)
}
