//! The distribution area (`OUT/published/`), laid out as an output root, and its revision log
//! `revisions.csv`: one row per publication (when, which run, its periods, what it corrects and
//! why).

use std::path::Path;

use anyhow::Context as _;

use crate::error::{Classify, ExitClass};
use crate::fsio::append_csv_row;
use crate::store::{OutputRoot, RunId};

/// The correction notice a correcting release carries.
const NOTICE: &str = "correction-notice.txt";

/// Writes the correction notice into a release being published.
pub(crate) fn write_notice(release: &Path, notice: &str) -> anyhow::Result<()> {
    std::fs::write(release.join(NOTICE), notice)
        .context("cannot write the correction notice")
        .class(ExitClass::Io)
}

/// The correction notice of a published release, if it has one.
pub(crate) fn read_notice(release: &Path) -> Option<String> {
    std::fs::read_to_string(release.join(NOTICE)).ok()
}

/// The revision log's header.
const REVISIONS_HEADER: &str = "published_at,run_id,periods,corrects,reason";

/// The run ids published in the distribution area of `root` (retention never removes their
/// staged copies).
pub(crate) fn published_ids(root: &OutputRoot) -> Vec<RunId> {
    let mut ids: Vec<RunId> = std::fs::read_dir(root.distribution().releases())
        .map(|r| {
            r.filter_map(Result::ok)
                .filter_map(|e| RunId::parse(&e.file_name().to_string_lossy()).ok())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

/// The revision log's rows (an absent or unreadable log has none).
fn revisions(dist: &OutputRoot) -> Vec<csv::StringRecord> {
    let Ok(text) = std::fs::read_to_string(dist.revisions()) else {
        return Vec::new();
    };
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    rdr.records().filter_map(Result::ok).collect()
}

/// The published release that holds any of `periods`, latest first by the revision log.
pub(crate) fn prior_for(dist: &OutputRoot, periods: &[String]) -> Option<String> {
    let mut prior = None;
    for rec in revisions(dist) {
        let theirs: Vec<&str> = rec.get(2).unwrap_or_default().split(';').collect();
        if periods.iter().any(|p| theirs.contains(&p.as_str())) {
            prior = rec.get(1).map(str::to_owned);
        }
    }
    prior
}

/// The releases published for the period labelled `period`, in the order published.
pub(crate) fn published_for(dist: &OutputRoot, period: &str) -> Vec<String> {
    revisions(dist)
        .iter()
        .filter(|r| r.get(2).is_some_and(|p| p.split(';').any(|x| x == period)))
        .filter_map(|r| r.get(1).map(str::to_owned))
        .collect()
}

/// True when the revision log records `run_id` as published.
pub(crate) fn revision_logged(dist: &OutputRoot, run_id: &str) -> bool {
    revisions(dist).iter().any(|r| r.get(1) == Some(run_id))
}

/// Appends one publication to the revision log (rewritten atomically).
pub(crate) fn log_revision(
    dist: &OutputRoot,
    published_at: &str,
    run_id: &str,
    periods: &[String],
    corrects: &str,
    reason: &str,
) -> anyhow::Result<()> {
    append_csv_row(
        &dist.revisions(),
        REVISIONS_HEADER,
        &[published_at, run_id, &periods.join(";"), corrects, reason],
    )
}
