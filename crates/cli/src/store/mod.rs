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
//! A run builds everything in `OUT/.staging-*`, fsyncs every file and directory, renames the
//! staging directory to `releases/<run id>` and then swaps the `current` link. A crash at any
//! point leaves `current` naming a whole release; what the dead run left (`.staging-*`,
//! `.current-*`) is removed by the next run once it holds the lock.

pub(crate) mod access;
pub(crate) mod history;
pub(crate) mod manifest;
pub(crate) mod outcomes;
pub(crate) mod published;

use std::fs::File;
use std::ops::Deref;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::error::{Classify, ExitClass};
use crate::fault;
use crate::fsio::{io, sync_dir, sync_tree};

pub(crate) use manifest::{differing_outputs, read_manifest, release_at};

const LOCK: &str = ".league.lock";
const RELEASES: &str = "releases";
const CURRENT: &str = "current";
const LOGS: &str = "logs";
const OUTCOMES: &str = "run-history.jsonl";
pub(crate) const ACCESS_RECORD: &str = "pre-release-access.csv";
const HISTORY: &str = "history";
const DISTRIBUTION: &str = "published";
const REVISIONS: &str = "revisions.csv";

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

    /// `releases/<id>/`.
    pub fn release(&self, id: &str) -> PathBuf {
        self.releases().join(id)
    }

    /// The `current` link.
    pub fn current(&self) -> PathBuf {
        self.dir.join(CURRENT)
    }

    /// The run id `current` names, if it is a link into `releases/`.
    pub fn current_id(&self) -> Option<String> {
        let target = std::fs::read_link(self.current()).ok()?;
        let mut parts = target.components();
        match (parts.next(), parts.next(), parts.next()) {
            (Some(r), Some(id), None) if r.as_os_str() == RELEASES => {
                Some(id.as_os_str().to_string_lossy().into_owned())
            }
            _ => None,
        }
    }

    /// What `league check DIR` checks: the current release of an output root, else `dir`
    /// itself (a release or any output set).
    pub fn checked_dir(dir: &Path) -> PathBuf {
        let current = Self::new(dir).current();
        if current.is_dir() {
            current
        } else {
            dir.to_owned()
        }
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

    /// Every release's id (sorted).
    pub fn release_ids(&self) -> anyhow::Result<Vec<String>> {
        let dir = self.releases();
        if !dir.is_dir() {
            return Ok(Vec::new());
        }
        let mut ids = Vec::new();
        for e in io(std::fs::read_dir(&dir), || {
            format!("cannot list {}", dir.display())
        })? {
            let e = io(e, || format!("cannot list {}", dir.display()))?;
            if e.path().is_dir() {
                ids.push(e.file_name().to_string_lossy().into_owned());
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
        let lock_path = out.join(LOCK);
        // The lock is a plain file inside OUT: a symbolic link there could point anywhere.
        if std::fs::symlink_metadata(&lock_path).is_ok_and(|m| !m.is_file()) {
            return Err(anyhow::anyhow!(
                "{} is not a plain file (a symbolic link or directory); remove it and run again",
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
        root.remove_leftovers()?;
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
        root.remove_leftovers()?;
        Ok(root)
    }

    /// Removes `.staging-*` directories and `.current-*` links of runs that died (the lock is
    /// held, so no live run owns them).
    fn remove_leftovers(&self) -> anyhow::Result<()> {
        let mut removed = 0u32;
        for e in io(std::fs::read_dir(self.dir()), || {
            format!("cannot list {}", self.dir().display())
        })? {
            let e = io(e, || format!("cannot list {}", self.dir().display()))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if !(name.starts_with(".staging-") || name.starts_with(".current-")) {
                continue;
            }
            let p = e.path();
            let meta = io(std::fs::symlink_metadata(&p), || {
                format!("cannot inspect {}", p.display())
            })?;
            let r = if meta.is_dir() {
                std::fs::remove_dir_all(&p)
            } else {
                std::fs::remove_file(&p)
            };
            io(r, || {
                format!("cannot remove {} left by a dead run", p.display())
            })?;
            removed += 1;
        }
        if removed > 0 {
            tracing::info!(
                removed,
                "removed staging directories and links left by runs that died"
            );
        }
        Ok(())
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

    /// Makes the staged output set release `id` and current: fsync every file and directory,
    /// rename the staging directory into `releases/`, then swap the `current` link. If the
    /// release already exists it is never overwritten: identical outputs make it current again,
    /// different ones are an error.
    pub fn promote(&self, staging: tempfile::TempDir, id: &str) -> anyhow::Result<PathBuf> {
        let dest = self.release(id);
        if dest.exists() {
            let differ = differing_outputs(&dest, staging.path())?;
            if !differ.is_empty() {
                return Err(anyhow::anyhow!(
                    "release {id} already exists with different outputs ({} file(s) differ, first {}); a release is never overwritten. The same inputs, configuration and build gave different bytes: this is a bug",
                    differ.len(),
                    differ[0]
                ))
                .class(ExitClass::Internal);
            }
            tracing::info!(
                release = id,
                "release already exists with identical outputs"
            );
            drop(staging);
        } else {
            sync_tree(staging.path())?;
            fault::point("promote:synced");
            let releases = self.releases();
            io(std::fs::create_dir_all(&releases), || {
                format!("cannot create {}", releases.display())
            })?;
            let staged = staging.keep();
            io(std::fs::rename(&staged, &dest), || {
                format!("cannot move the staged outputs to {}", dest.display())
            })?;
            sync_dir(&releases)?;
            fault::point("promote:renamed");
        }
        self.point_current(id)?;
        Ok(dest)
    }

    /// Points `current` at release `id`: a new link under a temporary name, renamed over the
    /// old one (atomic), then the directory is fsynced.
    pub fn point_current(&self, id: &str) -> anyhow::Result<()> {
        let tmp = self.dir().join(format!(".current-{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let target = Path::new(RELEASES).join(id);
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

    /// Keeps the newest `keep` releases (by their manifests' finish time) and removes older
    /// ones, except the current release and those in `protected` (published ones). A release
    /// is first renamed to a staging name, so it vanishes whole.
    pub fn prune(&self, keep: usize, protected: &[String]) -> anyhow::Result<Vec<String>> {
        let current = self.current_id();
        let mut dated: Vec<(String, String)> = Vec::new();
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
            let doomed = self.dir().join(format!(".staging-pruned-{id}"));
            io(std::fs::rename(self.release(&id), &doomed), || {
                format!("cannot retire release {id}")
            })?;
            io(std::fs::remove_dir_all(&doomed), || {
                format!("cannot remove {}", doomed.display())
            })?;
            tracing::info!(release = %id, keep, "old release removed by the retention rule");
            removed.push(id);
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn promotion_makes_a_release_current_and_never_overwrites_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = LockedRoot::open(dir.path()).expect("open");
        root.promote(staged(&root, "a"), "r1").expect("first");
        assert_eq!(root.current_id().as_deref(), Some("r1"));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("current/q/t.csv")).expect("read"),
            "a"
        );
        root.promote(staged(&root, "b"), "r2").expect("second");
        assert_eq!(root.current_id().as_deref(), Some("r2"));
        // The same id with the same bytes is accepted and made current again.
        root.promote(staged(&root, "a"), "r1").expect("same again");
        assert_eq!(root.current_id().as_deref(), Some("r1"));
        // The same id with other bytes is refused, and r1 is untouched.
        let e = root.promote(staged(&root, "c"), "r1").expect_err("differs");
        assert!(format!("{e:#}").contains("never overwritten"), "{e:#}");
        assert_eq!(
            std::fs::read_to_string(root.release("r1").join("q/t.csv")).expect("read"),
            "a"
        );
        assert_eq!(root.release_ids().expect("ids"), ["r1", "r2"]);
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
        for (id, finished) in [("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")] {
            let s = root.staging().expect("staging");
            std::fs::write(
                s.path().join("manifest.json"),
                format!(r#"{{"finished":"{finished}","outputs":[]}}"#),
            )
            .expect("manifest");
            root.promote(s, id).expect("promote");
        }
        root.point_current("a").expect("current");
        let removed = root.prune(2, &["b".to_owned()]).expect("prune");
        assert!(removed.is_empty(), "a is current and b protected");
        root.point_current("d").expect("current");
        let removed = root.prune(2, &[]).expect("prune");
        assert_eq!(removed, ["a", "b"]);
        assert_eq!(root.release_ids().expect("ids"), ["c", "d"]);
    }
}
