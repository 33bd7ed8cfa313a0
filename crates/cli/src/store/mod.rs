//! The output root: every path under it, its lock, and the releases made current in one atomic
//! step. Nothing outside this module joins a path under an output root (a test says so).
//!
//! ```text
//! OUT/
//!   .league.lock            advisory lock: one run writes OUT at a time
//!   releases/<run id>/      one whole, checked output set per run (never overwritten)
//!   current -> releases/<run id>   replaced with rename(2): readers see one whole release
//!   logs/<start>-<job>.jsonl       JSON-lines log of each run
//!   run-history.jsonl       one outcome line per run (status, failed stage, exit code; outcomes.rs)
//!   pre-release-access.csv  who saw which release before its release time (access.rs)
//!   history/                results of every release, Parquet by quarter (history.rs)
//!   published/              the distribution area, laid out the same way, with revisions.csv
//!                           (published.rs; `league publish`)
//! ```
//!
//! A run builds everything in `OUT/.staging-*`, writes its history rows, fsyncs every file and
//! directory, renames the staging directory to `releases/<run id>`, commits (its `complete`
//! line in `run-history.jsonl`) and then swaps the `current` link. A crash at any point leaves
//! `current` naming a whole release; the next run to hold the lock removes what the dead run
//! left and rolls its release back or forward (`recover.rs`). A run id joins a path only as a
//! [`RunId`], and no symbolic link under the root is followed ([`OutputRoot::guard`]).

pub(crate) mod access;
pub(crate) mod history;
pub(crate) mod manifest;
pub(crate) mod outcomes;
pub(crate) mod published;
mod recover;
mod run_id;

use std::fs::File;
use std::ops::Deref;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::error::{Classify, ExitClass};
use crate::fault;
use crate::fsio::{io, sync_dir, sync_tree};

pub(crate) use manifest::{differing_outputs, read_manifest, release_at};
pub(crate) use run_id::RunId;

pub(crate) const LOCK: &str = ".league.lock";
pub(crate) const RELEASES: &str = "releases";
const CURRENT: &str = "current";
pub(crate) const LOGS: &str = "logs";
pub(crate) const OUTCOMES: &str = "run-history.jsonl";
pub(crate) const ACCESS_RECORD: &str = "pre-release-access.csv";
pub(crate) const HISTORY: &str = "history";
pub(crate) const DISTRIBUTION: &str = "published";
pub(crate) const REVISIONS: &str = "revisions.csv";

/// An output root (or the distribution area inside one, laid out the same way): the paths of
/// everything in it. Reading needs no lock; writing goes through [`OutputRoot::lock`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutputRoot {
    dir: PathBuf,
}

impl OutputRoot {
    /// The output root at `dir` (nothing is created or read).
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
        }
    }

    /// The directory itself.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `releases/`.
    pub fn releases(&self) -> PathBuf {
        self.dir.join(RELEASES)
    }

    /// `releases/<id>/` (a validated id joins as one plain component).
    pub fn release(&self, id: &RunId) -> PathBuf {
        self.releases().join(id.as_str())
    }

    /// The `current` link.
    pub fn current(&self) -> PathBuf {
        self.dir.join(CURRENT)
    }

    /// The run id `current` names, if it is a link to `releases/<run id>`.
    pub fn current_id(&self) -> Option<RunId> {
        let target = std::fs::read_link(self.current()).ok()?;
        let mut parts = target.components();
        match (parts.next(), parts.next(), parts.next()) {
            (Some(r), Some(id), None) if r.as_os_str() == RELEASES => {
                RunId::parse(&id.as_os_str().to_string_lossy()).ok()
            }
            _ => None,
        }
    }

    /// What `league check DIR` checks: the current release of an output root (its links
    /// refused first, as [`OutputRoot::guard`] does), else `dir` itself (a release or any
    /// output set).
    pub fn checked_dir(dir: &Path) -> anyhow::Result<PathBuf> {
        let root = Self::new(dir);
        if std::fs::symlink_metadata(root.current()).is_err() {
            return Ok(dir.to_owned());
        }
        root.guard()?;
        Ok(root.current())
    }

    /// The JSON-lines log of a run of `job` that started at `started`.
    pub fn log(&self, started: jiff::Timestamp, job: &str) -> PathBuf {
        self.dir.join(LOGS).join(format!(
            "{}-{job}.jsonl",
            started.strftime("%Y%m%dT%H%M%S%.fZ")
        ))
    }

    /// `run-history.jsonl`: one outcome line per run.
    pub fn outcomes(&self) -> PathBuf {
        self.dir.join(OUTCOMES)
    }

    /// `pre-release-access.csv`.
    pub fn access_record(&self) -> PathBuf {
        self.dir.join(ACCESS_RECORD)
    }

    /// `history/`, the history store.
    pub fn history(&self) -> PathBuf {
        self.dir.join(HISTORY)
    }

    /// `published/`, the distribution area. It is always inside the root, so one revision log
    /// and one lock govern every publication of its releases.
    pub fn distribution(&self) -> OutputRoot {
        Self::new(&self.dir.join(DISTRIBUTION))
    }

    /// `revisions.csv`, the revision log of a distribution area.
    pub fn revisions(&self) -> PathBuf {
        self.dir.join(REVISIONS)
    }

    /// Every release's id (sorted). A directory under `releases/` whose name is not a run id
    /// is not a release: it is named in a warning and otherwise left alone.
    pub fn release_ids(&self) -> anyhow::Result<Vec<RunId>> {
        let dir = self.releases();
        if !dir.is_dir() {
            return Ok(Vec::new());
        }
        let mut ids = Vec::new();
        for e in io(std::fs::read_dir(&dir), || {
            format!("cannot list {}", dir.display())
        })? {
            let e = io(e, || format!("cannot list {}", dir.display()))?;
            if !e.path().is_dir() {
                continue;
            }
            match RunId::parse(&e.file_name().to_string_lossy()) {
                Ok(id) => ids.push(id),
                Err(_) => tracing::warn!(
                    dir = %e.path().display(),
                    "not a release (its name is not a run id): left alone"
                ),
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Creates the root if needed, takes its lock (exit 7 if another run holds it), then
    /// removes whatever dead runs left behind.
    pub fn lock(&self) -> anyhow::Result<LockedRoot> {
        LockedRoot::open(&self.dir)
    }
}

/// An output root, locked for this process: the only way to write into one.
pub(crate) struct LockedRoot {
    root: OutputRoot,
    /// Held until dropped (or the process ends, however it ends).
    _lock: File,
}

impl Deref for LockedRoot {
    type Target = OutputRoot;

    fn deref(&self) -> &OutputRoot {
        &self.root
    }
}

impl LockedRoot {
    /// Creates `out` if needed, takes its lock (exit 7 if another run holds it), then removes
    /// whatever dead runs left behind.
    fn open(out: &Path) -> anyhow::Result<Self> {
        if out.exists() && !out.is_dir() {
            return Err(anyhow::anyhow!(
                "--out {} is a file, not a directory; give a directory for the outputs",
                out.display()
            ))
            .class(ExitClass::BadConfig);
        }
        if let Err(e) = std::fs::create_dir_all(out) {
            // A path through a file is a mistake in the command, not a passing I/O fault.
            let class = if e.kind() == std::io::ErrorKind::NotADirectory {
                ExitClass::BadConfig
            } else {
                ExitClass::Io
            };
            return Err(anyhow::Error::new(e))
                .with_context(|| format!("cannot create the output directory {}", out.display()))
                .class(class);
        }
        // Before anything is opened or written: no link under the root may be followed.
        OutputRoot::new(out).guard()?;
        let lock_path = out.join(LOCK);
        // The lock is a plain file inside OUT.
        if std::fs::symlink_metadata(&lock_path).is_ok_and(|m| !m.is_file()) {
            return Err(anyhow::anyhow!(
                "{} is not a plain file; remove it and run again",
                lock_path.display()
            ))
            .class(ExitClass::Io);
        }
        let lock = io(
            File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock_path),
            || format!("cannot open {}", lock_path.display()),
        )?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(anyhow::anyhow!(
                    "another league run is writing to {}; nothing was written (try again when it has finished)",
                    out.display()
                ))
                .class(ExitClass::Locked);
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(anyhow::Error::new(e))
                    .with_context(|| format!("cannot lock {}", lock_path.display()))
                    .class(ExitClass::Io);
            }
        }
        let root = Self {
            root: OutputRoot::new(out),
            _lock: lock,
        };
        recover::remove_leftovers(root.dir())?;
        root.recover()?;
        if out.join("manifest.json").is_file() {
            tracing::warn!(
                out = %out.display(),
                "this directory holds outputs written before releases (manifest.json at its top); they are not part of any release: read {}/{CURRENT}/ instead, and remove them",
                out.display()
            );
        }
        Ok(root)
    }

    /// The distribution area inside this root, laid out as a root and covered by this root's
    /// lock: created if needed, with what dead runs left in it removed.
    pub fn lock_distribution(&self) -> anyhow::Result<LockedRoot> {
        let area = self.distribution();
        io(std::fs::create_dir_all(area.dir()), || {
            format!("cannot create {}", area.dir().display())
        })?;
        let lock = io(self._lock.try_clone(), || {
            "cannot share the lock".to_owned()
        })?;
        let root = Self {
            root: area,
            _lock: lock,
        };
        recover::remove_leftovers(root.dir())?;
        Ok(root)
    }

    /// A fresh staging directory inside the root (same filesystem, so the final rename is
    /// atomic). Dropped unpromoted, it is removed.
    pub fn staging(&self) -> anyhow::Result<tempfile::TempDir> {
        io(
            tempfile::Builder::new()
                .prefix(".staging-")
                .tempdir_in(self.dir()),
            || {
                format!(
                    "cannot create a staging directory in {}",
                    self.dir().display()
                )
            },
        )
    }

    /// True when release `id` is new. An existing release is never overwritten: identical
    /// outputs are accepted (false: its history rows are already in the store), different ones
    /// are an error.
    pub fn is_new(&self, staging: &tempfile::TempDir, id: &RunId) -> anyhow::Result<bool> {
        let dest = self.release(id);
        if std::fs::symlink_metadata(&dest).is_err() {
            return Ok(true);
        }
        let differ = differing_outputs(&dest, staging.path())?;
        if !differ.is_empty() {
            return Err(anyhow::anyhow!(
                "release {id} already exists with different outputs ({} file(s) differ, first {}); a release is never overwritten. The same inputs, configuration and build gave different bytes: this is a bug",
                differ.len(),
                differ[0]
            ))
            .class(ExitClass::Internal);
        }
        tracing::info!(release = %id, "release already exists with identical outputs");
        Ok(false)
    }

    /// Places the staged output set at `releases/<id>` (not yet current: see
    /// [`LockedRoot::point_current`] and the commit in the run's session): fsynced whole, then
    /// renamed into `releases/`; a staged set that cannot be renamed is removed at once. For a
    /// release that exists (which [`LockedRoot::is_new`] has verified), the staged set is
    /// dropped.
    pub fn place(&self, staging: tempfile::TempDir, id: &RunId) -> anyhow::Result<PathBuf> {
        let dest = self.release(id);
        if std::fs::symlink_metadata(&dest).is_ok() {
            return Ok(dest);
        }
        sync_tree(staging.path())?;
        fault::point("promote:synced");
        let releases = self.releases();
        io(std::fs::create_dir_all(&releases), || {
            format!("cannot create {}", releases.display())
        })?;
        // Kept only once renamed: a failed rename drops (removes) the staged set here.
        io(std::fs::rename(staging.path(), &dest), || {
            format!("cannot move the staged outputs to {}", dest.display())
        })?;
        let _ = staging.keep();
        sync_dir(&releases)?;
        fault::point("promote:renamed");
        Ok(dest)
    }

    /// Points `current` at release `id`: a new link under a temporary name, renamed over the
    /// old one (atomic), then the directory is fsynced.
    pub fn point_current(&self, id: &RunId) -> anyhow::Result<()> {
        let tmp = self.dir().join(format!(".current-{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let target = Path::new(RELEASES).join(id.as_str());
        io(std::os::unix::fs::symlink(&target, &tmp), || {
            format!("cannot create the link {}", tmp.display())
        })?;
        fault::point("promote:link-made");
        let link = self.current();
        io(std::fs::rename(&tmp, &link), || {
            format!("cannot replace {}", link.display())
        })?;
        sync_dir(self.dir())?;
        fault::point("promote:swapped");
        Ok(())
    }

    /// Removes release `id` whole: renamed to a staging name first, so it vanishes at once
    /// (a crash part-way leaves only a staging directory, removed by the next run).
    pub fn remove_release(&self, id: &RunId) -> anyhow::Result<()> {
        let doomed = self.dir().join(format!(".staging-removed-{id}"));
        io(std::fs::rename(self.release(id), &doomed), || {
            format!("cannot retire release {id}")
        })?;
        io(std::fs::remove_dir_all(&doomed), || {
            format!("cannot remove {}", doomed.display())
        })
    }

    /// Keeps the newest `keep` releases (by their manifests' finish time) and removes older
    /// ones, except the current release and those in `protected` (published ones). A release
    /// is first renamed to a staging name, so it vanishes whole.
    pub fn prune(&self, keep: usize, protected: &[RunId]) -> anyhow::Result<Vec<RunId>> {
        let current = self.current_id();
        let mut dated: Vec<(String, RunId)> = Vec::new();
        for id in self.release_ids()? {
            let finished = read_manifest(&self.release(&id))
                .ok()
                .and_then(|m| m["finished"].as_str().map(str::to_owned))
                .unwrap_or_default();
            dated.push((finished, id));
        }
        dated.sort();
        let excess = dated.len().saturating_sub(keep);
        let mut removed = Vec::new();
        for (_, id) in dated.into_iter().take(excess) {
            if Some(&id) == current.as_ref() || protected.contains(&id) {
                continue;
            }
            self.remove_release(&id)?;
            tracing::info!(release = %id, keep, "old release removed by the retention rule");
            removed.push(id);
        }
        Ok(removed)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(super) fn id(s: &str) -> RunId {
        RunId::parse(&format!("2025-26-Q1-{s}-0123456789ab")).expect("run id")
    }

    fn staged(root: &LockedRoot, text: &str) -> tempfile::TempDir {
        let s = root.staging().expect("staging");
        std::fs::create_dir(s.path().join("q")).expect("mkdir");
        std::fs::write(s.path().join("q/t.csv"), text).expect("write");
        let sha = crate::hash::sha256_bytes(text.as_bytes());
        std::fs::write(
            s.path().join("manifest.json"),
            format!(r#"{{"outputs":[{{"path":"q/t.csv","sha256":"{sha}"}}]}}"#),
        )
        .expect("manifest");
        s
    }

    /// Places and makes current, as a committed run does (without history or outcome line).
    fn promote(root: &LockedRoot, staging: tempfile::TempDir, run: &RunId) -> anyhow::Result<()> {
        if root.is_new(&staging, run)? {
            root.place(staging, run)?;
        }
        root.point_current(run)
    }

    #[test]
    fn placing_a_release_never_overwrites_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = LockedRoot::open(dir.path()).expect("open");
        promote(&root, staged(&root, "a"), &id("r1")).expect("first");
        assert_eq!(root.current_id(), Some(id("r1")));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("current/q/t.csv")).expect("read"),
            "a"
        );
        promote(&root, staged(&root, "b"), &id("r2")).expect("second");
        assert_eq!(root.current_id(), Some(id("r2")));
        // The same id with the same bytes is accepted, and is not new.
        assert!(
            !root
                .is_new(&staged(&root, "a"), &id("r1"))
                .expect("same again")
        );
        // The same id with other bytes is refused, and r1 is untouched.
        let e = root
            .is_new(&staged(&root, "c"), &id("r1"))
            .expect_err("differs");
        assert!(format!("{e:#}").contains("never overwritten"), "{e:#}");
        assert_eq!(
            std::fs::read_to_string(root.release(&id("r1")).join("q/t.csv")).expect("read"),
            "a"
        );
        assert_eq!(root.release_ids().expect("ids"), [id("r1"), id("r2")]);
    }

    #[test]
    fn a_staged_set_that_cannot_be_placed_is_removed_at_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = LockedRoot::open(dir.path()).expect("open");
        // `releases` is a file: the rename into it fails.
        std::fs::write(dir.path().join("releases"), "not a directory").expect("block");
        root.place(staged(&root, "a"), &id("r1"))
            .expect_err("fails");
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [".league.lock", "releases"],
            "no staging directory is left"
        );
    }

    #[test]
    fn leftovers_of_dead_runs_are_removed_when_the_next_run_takes_the_lock() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join(".staging-dead/q")).expect("mkdir");
        std::fs::write(dir.path().join(".staging-dead/q/t.csv"), "x").expect("write");
        std::os::unix::fs::symlink("releases/x", dir.path().join(".current-1")).expect("link");
        let _root = LockedRoot::open(dir.path()).expect("open");
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, [".league.lock"]);
    }

    #[test]
    fn a_second_holder_of_the_lock_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let _first = LockedRoot::open(dir.path()).expect("open");
        let e = LockedRoot::open(dir.path()).err().expect("locked");
        assert!(format!("{e:#}").contains("another league run"), "{e:#}");
    }

    #[test]
    fn pruning_keeps_the_newest_the_current_and_the_protected() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = LockedRoot::open(dir.path()).expect("open");
        for (name, finished) in [("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")] {
            let s = root.staging().expect("staging");
            std::fs::write(
                s.path().join("manifest.json"),
                format!(r#"{{"finished":"{finished}","outputs":[]}}"#),
            )
            .expect("manifest");
            promote(&root, s, &id(name)).expect("promote");
        }
        root.point_current(&id("a")).expect("current");
        let removed = root.prune(2, &[id("b")]).expect("prune");
        assert!(removed.is_empty(), "a is current and b protected");
        root.point_current(&id("d")).expect("current");
        let removed = root.prune(2, &[]).expect("prune");
        assert_eq!(removed, [id("a"), id("b")]);
        assert_eq!(root.release_ids().expect("ids"), [id("c"), id("d")]);
    }
}
