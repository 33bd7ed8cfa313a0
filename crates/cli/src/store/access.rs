//! Pre-release access (Code of Practice T3.3–T3.4, the Pre-release Access to Official
//! Statistics Order 2008; COP-2): `league access RUN_ID --who NAME --reason WHY` grants one
//! person access to a staged, checked release in the 24 hours before its release time, records
//! who, when, why and which run in `OUT/pre-release-access.csv`, and prints where the release
//! is. Outside the window it refuses (exit 9). `--list` prints the record for one run, for
//! publication; `league publish` puts that list into the published release.

use crate::clock::stamp;
use crate::error::{Classify, ExitClass};
use crate::fsio::append_csv_row;
use crate::store::{ACCESS_RECORD, OutputRoot};

/// The record's header.
const HEADER: &str = "run_id,who,reason,accessed_at";

/// The longest pre-release access allowed before the release time (T3.4: at most 24 hours).
pub(crate) const WINDOW_HOURS: i64 = 24;

/// Whether access at `now` is within the pre-release window of a release at `release_at`.
pub(crate) fn window_check(
    now: jiff::Timestamp,
    release_at: jiff::Timestamp,
) -> Result<(), String> {
    let opens = release_at - jiff::SignedDuration::from_hours(WINDOW_HOURS);
    if now < opens {
        return Err(format!(
            "pre-release access opens {WINDOW_HOURS} hours before the release time {}: at {} (now {})",
            stamp(release_at),
            stamp(opens),
            stamp(now)
        ));
    }
    if now >= release_at {
        return Err(format!(
            "the release time {} has passed: this is no longer pre-release access; publish it (league publish)",
            stamp(release_at)
        ));
    }
    Ok(())
}

/// Appends one access to `OUT/pre-release-access.csv` (rewritten atomically).
pub(crate) fn record(
    root: &OutputRoot,
    run_id: &str,
    who: &str,
    reason: &str,
    at: jiff::Timestamp,
) -> anyhow::Result<()> {
    let at = stamp(at);
    append_csv_row(
        &root.access_record(),
        HEADER,
        &[run_id, who, reason, at.as_str()],
    )
}

/// The accesses recorded for `run_id`, as CSV with the header (for publication).
pub(crate) fn list(root: &OutputRoot, run_id: &str) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(HEADER.split(',')).expect("in memory");
    if let Ok(text) = std::fs::read_to_string(root.access_record()) {
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        for rec in rdr.records().filter_map(Result::ok) {
            if rec.get(0) == Some(run_id) {
                w.write_record(&rec).expect("in memory");
            }
        }
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8")
}

/// Writes the accesses recorded for `run_id` into a copy of its release, as the release
/// publishes them (T3.4).
pub(crate) fn write_list(
    root: &OutputRoot,
    run_id: &str,
    release: &std::path::Path,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    std::fs::write(release.join(ACCESS_RECORD), list(root, run_id))
        .context("cannot write the pre-release access list")
        .class(ExitClass::Io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> jiff::Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn access_is_allowed_only_in_the_24_hours_before_release() {
        let release = t("2026-11-23T09:30:00Z");
        assert!(
            window_check(t("2026-11-22T09:30:00Z"), release).is_ok(),
            "opens at 24 h"
        );
        assert!(window_check(t("2026-11-23T09:29:59Z"), release).is_ok());
        let early = window_check(t("2026-11-22T09:29:59Z"), release).expect_err("too early");
        assert!(early.contains("opens 24 hours before"), "{early}");
        assert!(early.contains("at 2026-11-22T09:30:00Z"), "{early}");
        let late = window_check(t("2026-11-23T09:30:00Z"), release).expect_err("released");
        assert!(late.contains("has passed"), "{late}");
    }

    #[test]
    fn every_access_is_recorded_and_listed_per_run() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = OutputRoot::new(dir.path());
        record(
            &root,
            "r1",
            "A. Analyst",
            "quality assurance",
            t("2026-11-22T10:00:00Z"),
        )
        .expect("record");
        record(
            &root,
            "r2",
            "B. Press Officer",
            "briefing, \"embargoed\"",
            t("2026-11-22T11:00:00Z"),
        )
        .expect("record");
        record(
            &root,
            "r1",
            "C. Minister's office",
            "briefing",
            t("2026-11-22T12:00:00Z"),
        )
        .expect("record");
        let r1 = list(&root, "r1");
        assert_eq!(
            r1,
            "run_id,who,reason,accessed_at\nr1,A. Analyst,quality assurance,2026-11-22T10:00:00Z\nr1,C. Minister's office,briefing,2026-11-22T12:00:00Z\n"
        );
        assert!(list(&root, "r2").contains("\"briefing, \"\"embargoed\"\"\""));
        assert_eq!(list(&root, "r3"), "run_id,who,reason,accessed_at\n");
    }
}
