//! What keeps an output root whole whatever happened to the runs before: no symbolic link is
//! followed out of it ([`OutputRoot::guard`]), and a run that died part-way is completed or
//! rolled back by the next one to take the lock ([`LockedRoot::recover`]).
//!
//! A run's commit point is its `complete` line in `run-history.jsonl`. Before it, the run has
//! written its history rows and renamed its release into `releases/`; after it, it points
//! `current` at the release. So recovery:
//! - removes a release no run committed (and not `current`), with its history rows;
//! - removes history rows of no release and no committed run, and any staging file;
//! - writes the history rows a kept release lacks (a store an earlier version left short);
//! - points `current` at the last committed run's release if the run died before doing so.

use std::path::Path;

use crate::error::{Classify, ExitClass};
use crate::fsio::io;
use crate::store::{
    ACCESS_RECORD, DISTRIBUTION, HISTORY, LOCK, LOGS, LockedRoot, OUTCOMES, OutputRoot, RELEASES,
    REVISIONS, RunId, history, outcomes,
};

/// Refuses `path` if it is a symbolic link (exit 4, naming it).
fn not_a_link(path: &Path) -> anyhow::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(anyhow::anyhow!(
            "{} is a symbolic link; nothing under an output root may be one (it would send what is written or read there outside the root): remove it and run again",
            path.display()
        ))
        .class(ExitClass::BadConfig),
        _ => Ok(()),
    }
}

/// Refuses a symbolic link anywhere in the tree under `dir` (`dir` included).
fn no_links_under(dir: &Path) -> anyhow::Result<()> {
    not_a_link(dir)?;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for e in entries.filter_map(Result::ok) {
        let p = e.path();
        not_a_link(&p)?;
        if p.is_dir() {
            no_links_under(&p)?;
        }
    }
    Ok(())
}

impl OutputRoot {
    /// Refuses every symbolic link the tool could follow out of the root: at any of its own
    /// names (`releases`, `logs`, `history`, `published`, `run-history.jsonl`, …), at any
    /// release directory, anywhere in the history store, and the same in the distribution
    /// area. `current` must be the tool's own link, to `releases/<run id>`. The root itself
    /// may be a link (the operator chose it).
    pub fn guard(&self) -> anyhow::Result<()> {
        for name in [
            LOCK,
            RELEASES,
            LOGS,
            OUTCOMES,
            ACCESS_RECORD,
            HISTORY,
            DISTRIBUTION,
            REVISIONS,
        ] {
            not_a_link(&self.dir().join(name))?;
        }
        let current = self.current();
        if std::fs::symlink_metadata(&current).is_ok() && self.current_id().is_none() {
            return Err(anyhow::anyhow!(
                "{} is not the tool's link to releases/<run id>; remove it and run again",
                current.display()
            ))
            .class(ExitClass::BadConfig);
        }
        if let Ok(entries) = std::fs::read_dir(self.releases()) {
            for e in entries.filter_map(Result::ok) {
                not_a_link(&e.path())?;
            }
        }
        no_links_under(&self.history())?;
        let dist = self.distribution();
        if dist.dir().is_dir() {
            dist.guard()?;
        }
        Ok(())
    }
}

/// Removes a file or directory tree that a dead run left.
fn remove_any(p: &Path) -> anyhow::Result<()> {
    let meta = io(std::fs::symlink_metadata(p), || {
        format!("cannot inspect {}", p.display())
    })?;
    let r = if meta.is_dir() {
        std::fs::remove_dir_all(p)
    } else {
        std::fs::remove_file(p)
    };
    io(r, || {
        format!("cannot remove {} left by a dead run", p.display())
    })
}

/// Removes the `.staging-*` directories and files and `.current-*` links that runs which
/// died left at the top of `dir` (the lock is held, so no live run owns them).
pub(super) fn remove_leftovers(dir: &Path) -> anyhow::Result<()> {
    let mut removed = 0u32;
    for e in io(std::fs::read_dir(dir), || {
        format!("cannot list {}", dir.display())
    })? {
        let e = io(e, || format!("cannot list {}", dir.display()))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(".staging-") || name.starts_with(".current-") {
            remove_any(&e.path())?;
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!(
            removed,
            "removed staging directories and links left by runs that died"
        );
    }
    Ok(())
}

/// Removes every `.staging-*` entry anywhere under `dir`. Returns how many.
fn remove_staging_under(dir: &Path) -> anyhow::Result<usize> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    let mut n = 0;
    for e in entries.filter_map(Result::ok) {
        let p = e.path();
        if e.file_name().to_string_lossy().starts_with(".staging-") {
            remove_any(&p)?;
            n += 1;
        } else if p.is_dir() {
            n += remove_staging_under(&p)?;
        }
    }
    Ok(n)
}

impl LockedRoot {
    /// Removes release `id` and its history rows: a release no run committed. (Rows an
    /// earlier run of the same id committed, for a release since pruned, stay.)
    pub fn roll_back(&self, id: &RunId) -> anyhow::Result<()> {
        if std::fs::symlink_metadata(self.release(id)).is_ok() {
            self.remove_release(id)?;
        }
        if outcomes::committed(self, id) {
            return Ok(());
        }
        for (rel, _) in history::stored(self)
            .into_iter()
            .filter(|(_, of)| of.as_ref() == Some(id))
        {
            remove_any(&self.history().join(rel))?;
        }
        Ok(())
    }

    /// Completes or rolls back whatever runs that died left (see the module's notes). Runs
    /// once the lock is held and the root guarded.
    pub(super) fn recover(&self) -> anyhow::Result<()> {
        let current = self.current_id();
        // Without the record of which runs committed, nothing can be judged uncommitted:
        // nothing is rolled back (and the run says so).
        let Some(record) = outcomes::read(self) else {
            if !self.release_ids()?.is_empty() {
                tracing::warn!(
                    file = %self.outcomes().display(),
                    "run-history.jsonl is missing or unreadable: no release or history row is rolled back"
                );
            }
            remove_staging_under(&self.history())?;
            return Ok(());
        };
        let committed = outcomes::complete_ids(&record);
        let mut releases = Vec::new();
        for id in self.release_ids()? {
            if committed.contains(&id) || current.as_ref() == Some(&id) {
                releases.push(id);
            } else {
                tracing::warn!(release = %id, "removing a release no run committed (its run died before recording its outcome)");
                self.roll_back(&id)?;
            }
        }
        let staged = remove_staging_under(&self.history())?;
        let mut orphans = 0;
        // A file whose name is no run id is not the tool's: left alone (`league history` names
        // it).
        for (rel, _) in history::unowned(self, &committed)?
            .into_iter()
            .filter(|(_, id)| id.is_some())
        {
            remove_any(&self.history().join(rel))?;
            orphans += 1;
        }
        let mut written = 0;
        for id in &releases {
            written += history::complete(self, id)?;
        }
        if staged + orphans + written > 0 {
            tracing::warn!(
                staged,
                orphans,
                written,
                "history store recovered: staging files and rows of uncommitted runs removed, missing rows of releases written"
            );
        }
        if let Some(last) = outcomes::last_complete(&record)
            && releases.contains(&last)
            && current.as_ref() != Some(&last)
        {
            tracing::warn!(release = %last, "pointing current at the last committed release (its run died before doing so)");
            self.point_current(&last)?;
        }
        let dist = self.distribution();
        if dist.dir().is_dir() {
            remove_leftovers(dist.dir())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::id;

    /// A committed-looking release `name` with one quarter's league table, placed (its history
    /// written as a run writes it) and, when `committed`, recorded complete and made current.
    fn release(root: &LockedRoot, name: &str, committed: bool) -> RunId {
        let run = id(name);
        let s = root.staging().expect("staging");
        let g = s.path().join("2025-26-Q1/acute");
        std::fs::create_dir_all(&g).expect("mkdir");
        std::fs::write(g.join("league-table.csv"), "Trust_code,Segment\nRXX,2\n").expect("csv");
        std::fs::write(s.path().join("manifest.json"), r#"{"outputs":[]}"#).expect("manifest");
        history::write(root, s.path(), &run).expect("history");
        root.place(s, &run).expect("place");
        if committed {
            outcomes::append(
                root,
                &serde_json::json!({"run_id": run.as_str(), "status": "complete"}),
            )
            .expect("outcome");
            root.point_current(&run).expect("current");
        }
        run
    }

    fn history_file(dir: &Path, run: &RunId) -> std::path::PathBuf {
        dir.join(format!("history/league/quarter=2025-26-Q1/{run}.parquet"))
    }

    #[test]
    fn recovery_rolls_back_what_no_run_committed_and_completes_what_one_did() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b) = {
            let root = LockedRoot::open(dir.path()).expect("open");
            let a = release(&root, "a", true);
            // Killed after placing its release and history, before its outcome line.
            let b = release(&root, "b", false);
            (a, b)
        };
        // A history file a killed write left, and a committed release's history lost.
        let part = dir.path().join("history/league/quarter=2025-26-Q1");
        std::fs::write(part.join(".staging-x1"), "half").expect("staging");
        std::fs::remove_file(history_file(dir.path(), &a)).expect("lose a's history");
        let root = LockedRoot::open(dir.path()).expect("reopen");
        assert_eq!(
            root.release_ids().expect("ids"),
            std::slice::from_ref(&a),
            "b rolled back"
        );
        assert!(
            history_file(dir.path(), &a).is_file(),
            "a's history written again"
        );
        assert!(
            !history_file(dir.path(), &b).exists(),
            "b's history removed"
        );
        assert!(!part.join(".staging-x1").exists());
        assert_eq!(root.current_id(), Some(a.clone()));
        let (n, differ) = history::rebuild(&root, None).expect("rebuild");
        assert_eq!((n, differ.len()), (1, 0), "{differ:?}");
    }

    #[test]
    fn without_the_record_of_runs_nothing_is_rolled_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let b = {
            let root = LockedRoot::open(dir.path()).expect("open");
            release(&root, "a", true);
            release(&root, "b", false)
        };
        std::fs::remove_file(dir.path().join("run-history.jsonl")).expect("lose the record");
        let root = LockedRoot::open(dir.path()).expect("reopen");
        assert!(root.release_ids().expect("ids").contains(&b), "b is kept");
        assert!(history_file(dir.path(), &b).is_file());
    }

    #[test]
    fn a_run_that_died_after_committing_is_made_current() {
        let dir = tempfile::tempdir().expect("tempdir");
        let b = {
            let root = LockedRoot::open(dir.path()).expect("open");
            release(&root, "a", true);
            let b = release(&root, "b", false);
            // Its outcome recorded; killed before `current` was switched.
            outcomes::append(
                &root,
                &serde_json::json!({"run_id": b.as_str(), "status": "complete"}),
            )
            .expect("outcome");
            b
        };
        let root = LockedRoot::open(dir.path()).expect("reopen");
        assert_eq!(root.current_id(), Some(b));
    }

    #[test]
    fn a_link_anywhere_the_tool_writes_or_reads_is_refused_naming_it() {
        for name in [
            "releases",
            "logs",
            "history",
            "published",
            "run-history.jsonl",
            "pre-release-access.csv",
            "published/releases",
            "published/revisions.csv",
            "history/league",
        ] {
            let dir = tempfile::tempdir().expect("tempdir");
            let out = dir.path().join("out");
            let elsewhere = dir.path().join("elsewhere");
            std::fs::create_dir_all(&elsewhere).expect("mkdir");
            let link = out.join(name);
            std::fs::create_dir_all(link.parent().expect("parent")).expect("mkdir");
            std::os::unix::fs::symlink(&elsewhere, &link).expect("link");
            let e = LockedRoot::open(&out).err().expect(name);
            assert_eq!(crate::error::exit_class(&e), ExitClass::BadConfig, "{name}");
            let text = format!("{e:#}");
            assert!(
                text.contains(&link.display().to_string()) && text.contains("symbolic link"),
                "{text}"
            );
            assert_eq!(std::fs::read_dir(&elsewhere).expect("ls").count(), 0);
        }
        // `current` must be the tool's own link, into releases/.
        let dir = tempfile::tempdir().expect("tempdir");
        std::os::unix::fs::symlink("/tmp", dir.path().join("current")).expect("link");
        let e = LockedRoot::open(dir.path()).err().expect("current");
        assert!(format!("{e:#}").contains("not the tool's link"), "{e:#}");
    }
}
