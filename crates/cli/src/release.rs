//! Versioned releases under an output root, made current in one atomic step.
//!
//! ```text
//! OUT/
//!   .league.lock            advisory lock: one run writes OUT at a time
//!   releases/<run id>/      one whole, checked output set per run (never overwritten)
//!   current -> releases/<run id>   replaced with rename(2): readers see one whole release
//!   logs/<start>-<job>.jsonl       JSON-lines log of each run
//!   run-history.jsonl       one outcome line per run (status, failed stage, exit code)
//!   history/                results of every release, Parquet by quarter (see history.rs)
//!   published/              the distribution area, laid out the same way (`league publish`)
//! ```
//!
//! A run builds everything in `OUT/.staging-*`, fsyncs every file and directory, renames the
//! staging directory to `releases/<run id>` and then swaps the `current` link. A crash at any
//! point leaves `current` naming a whole release; what the dead run left (`.staging-*`,
//! `.current-*`) is removed by the next run once it holds the lock.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::{Classify, ExitClass, fault};

/// An output root, locked for this process.
pub(crate) struct Root {
    /// The directory.
    pub out: PathBuf,
    /// Held until dropped (or the process ends, however it ends).
    _lock: File,
}

/// The name of the link to the current release.
pub(crate) const CURRENT: &str = "current";
/// Where releases live under a root.
pub(crate) const RELEASES: &str = "releases";

fn io<T>(r: std::io::Result<T>, what: impl FnOnce() -> String) -> anyhow::Result<T> {
    r.with_context(what).class(ExitClass::Io)
}

impl Root {
    /// Creates `out` if needed, takes its lock (exit 7 if another run holds it), then removes
    /// whatever dead runs left behind.
    pub fn open(out: &Path) -> anyhow::Result<Self> {
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
        let lock_path = out.join(".league.lock");
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
            out: out.to_owned(),
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

    /// An area inside this root laid out as a root (the distribution area), covered by this
    /// root's lock: created if needed, with what dead runs left in it removed.
    pub fn nested(&self, dir: &Path) -> anyhow::Result<Root> {
        io(std::fs::create_dir_all(dir), || {
            format!("cannot create {}", dir.display())
        })?;
        let lock = io(self._lock.try_clone(), || {
            "cannot share the lock".to_owned()
        })?;
        let root = Self {
            out: dir.to_owned(),
            _lock: lock,
        };
        root.remove_leftovers()?;
        Ok(root)
    }

    /// Removes `.staging-*` directories and `.current-*` links of runs that died (the lock is
    /// held, so no live run owns them).
    fn remove_leftovers(&self) -> anyhow::Result<()> {
        let mut removed = 0u32;
        for e in io(std::fs::read_dir(&self.out), || {
            format!("cannot list {}", self.out.display())
        })? {
            let e = io(e, || format!("cannot list {}", self.out.display()))?;
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
                .tempdir_in(&self.out),
            || {
                format!(
                    "cannot create a staging directory in {}",
                    self.out.display()
                )
            },
        )
    }

    /// The directory of release `id`.
    pub fn release(&self, id: &str) -> PathBuf {
        self.out.join(RELEASES).join(id)
    }

    /// The run id `current` names, if any.
    pub fn current(&self) -> Option<String> {
        current_id(&self.out)
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
            let releases = self.out.join(RELEASES);
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
        let tmp = self.out.join(format!(".current-{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let target = Path::new(RELEASES).join(id);
        io(std::os::unix::fs::symlink(&target, &tmp), || {
            format!("cannot create the link {}", tmp.display())
        })?;
        fault::point("promote:link-made");
        let link = self.out.join(CURRENT);
        io(std::fs::rename(&tmp, &link), || {
            format!("cannot replace {}", link.display())
        })?;
        sync_dir(&self.out)?;
        fault::point("promote:swapped");
        Ok(())
    }

    /// Every release's id (sorted).
    pub fn release_ids(&self) -> anyhow::Result<Vec<String>> {
        let dir = self.out.join(RELEASES);
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

    /// Keeps the newest `keep` releases (by their manifests' finish time) and removes older
    /// ones, except the current release and those in `protected` (published ones). A release
    /// is first renamed to a staging name, so it vanishes whole.
    pub fn prune(&self, keep: usize, protected: &[String]) -> anyhow::Result<Vec<String>> {
        let current = self.current();
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
            let doomed = self.out.join(format!(".staging-pruned-{id}"));
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

/// The run id `OUT/current` names, if it is a link into `releases/`.
pub(crate) fn current_id(out: &Path) -> Option<String> {
    let target = std::fs::read_link(out.join(CURRENT)).ok()?;
    let mut parts = target.components();
    match (parts.next(), parts.next(), parts.next()) {
        (Some(r), Some(id), None) if r.as_os_str() == RELEASES => {
            Some(id.as_os_str().to_string_lossy().into_owned())
        }
        _ => None,
    }
}

/// The manifest of a release directory, parsed.
pub(crate) fn read_manifest(dir: &Path) -> anyhow::Result<serde_json::Value> {
    let p = dir.join("manifest.json");
    let text = io(std::fs::read_to_string(&p), || {
        format!("cannot read {}", p.display())
    })?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", p.display()))
        .class(ExitClass::BadInput)
}

/// The release time a release's manifest gives.
pub(crate) fn release_at(
    manifest: &serde_json::Value,
    run_id: &str,
) -> anyhow::Result<jiff::Timestamp> {
    manifest["release_at"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .with_context(|| format!("release {run_id}: the manifest's release_at is not a time"))
        .class(ExitClass::BadInput)
}

/// The output paths whose SHA-256 differs between two output sets' manifests (a file in one
/// and not the other counts).
pub(crate) fn differing_outputs(a: &Path, b: &Path) -> anyhow::Result<Vec<String>> {
    let list = |dir: &Path| -> anyhow::Result<std::collections::BTreeMap<String, String>> {
        let m = read_manifest(dir)?;
        Ok(m["outputs"]
            .as_array()
            .map(|v| {
                v.iter()
                    .map(|o| {
                        (
                            o["path"].as_str().unwrap_or_default().to_owned(),
                            o["sha256"].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default())
    };
    let (x, y) = (list(a)?, list(b)?);
    let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
    keys.sort();
    keys.dedup();
    Ok(keys
        .into_iter()
        .filter(|k| x.get(*k) != y.get(*k))
        .cloned()
        .collect())
}

/// fsync every file, then every directory from the deepest up, so the whole tree is on disk
/// before it is renamed into place.
pub(crate) fn sync_tree(root: &Path) -> anyhow::Result<()> {
    let mut dirs = vec![root.to_path_buf()];
    let mut i = 0;
    while i < dirs.len() {
        let dir = dirs[i].clone();
        for e in io(std::fs::read_dir(&dir), || {
            format!("cannot list {}", dir.display())
        })? {
            let p = io(e, || format!("cannot list {}", dir.display()))?.path();
            let meta = io(std::fs::symlink_metadata(&p), || {
                format!("cannot inspect {}", p.display())
            })?;
            if meta.is_dir() {
                dirs.push(p);
            } else if meta.is_file() {
                let f = io(File::open(&p), || format!("cannot open {}", p.display()))?;
                io(f.sync_all(), || format!("cannot sync {}", p.display()))?;
            }
        }
        i += 1;
    }
    for d in dirs.iter().rev() {
        sync_dir(d)?;
    }
    Ok(())
}

/// fsync a directory (its entries are then durable).
pub(crate) fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    let f = io(File::open(dir), || format!("cannot open {}", dir.display()))?;
    io(f.sync_all(), || format!("cannot sync {}", dir.display()))
}

/// Writes one file atomically: a temporary file in the same directory (named `.staging-*`, so
/// a dead run's is removed with the rest), fsynced, renamed over `path`, then the directory
/// fsynced.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().expect("a file in a directory");
    io(std::fs::create_dir_all(dir), || {
        format!("cannot create {}", dir.display())
    })?;
    let mut tmp = io(
        tempfile::Builder::new()
            .prefix(".staging-")
            .tempfile_in(dir),
        || format!("cannot write in {}", dir.display()),
    )?;
    // Readable by all, as every other output is (a temporary file starts owner-only).
    use std::os::unix::fs::PermissionsExt as _;
    io(
        tmp.write_all(bytes)
            .and_then(|()| {
                tmp.as_file()
                    .set_permissions(std::fs::Permissions::from_mode(0o644))
            })
            .and_then(|()| tmp.as_file().sync_all()),
        || format!("cannot write {}", path.display()),
    )?;
    io(tmp.persist(path).map_err(|e| e.error), || {
        format!("cannot write {}", path.display())
    })?;
    sync_dir(dir)
}

/// Appends one row to a CSV log (`header` starts a new file), rewriting it atomically.
pub(crate) fn append_csv_row(path: &Path, header: &str, fields: &[&str]) -> anyhow::Result<()> {
    let mut text = std::fs::read_to_string(path).unwrap_or_else(|_| format!("{header}\n"));
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(fields).expect("in memory");
    text.push_str(&String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8"));
    write_atomic(path, text.as_bytes())
}

/// Copies a directory tree (files and directories only).
pub(crate) fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    io(std::fs::create_dir_all(to), || {
        format!("cannot create {}", to.display())
    })?;
    for e in io(std::fs::read_dir(from), || {
        format!("cannot list {}", from.display())
    })? {
        let e = io(e, || format!("cannot list {}", from.display()))?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let meta = io(std::fs::symlink_metadata(&src), || {
            format!("cannot inspect {}", src.display())
        })?;
        if meta.is_dir() {
            copy_tree(&src, &dst)?;
        } else if meta.is_file() {
            io(std::fs::copy(&src, &dst), || {
                format!("cannot copy {} to {}", src.display(), dst.display())
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staged(root: &Root, text: &str) -> tempfile::TempDir {
        let s = root.staging().expect("staging");
        std::fs::create_dir(s.path().join("q")).expect("mkdir");
        std::fs::write(s.path().join("q/t.csv"), text).expect("write");
        let sha = crate::manifest::sha256_bytes(text.as_bytes());
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
        let root = Root::open(dir.path()).expect("open");
        root.promote(staged(&root, "a"), "r1").expect("first");
        assert_eq!(root.current().as_deref(), Some("r1"));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("current/q/t.csv")).expect("read"),
            "a"
        );
        root.promote(staged(&root, "b"), "r2").expect("second");
        assert_eq!(root.current().as_deref(), Some("r2"));
        // The same id with the same bytes is accepted and made current again.
        root.promote(staged(&root, "a"), "r1").expect("same again");
        assert_eq!(root.current().as_deref(), Some("r1"));
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
        let _root = Root::open(dir.path()).expect("open");
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, [".league.lock"]);
    }

    #[test]
    fn a_second_holder_of_the_lock_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let _first = Root::open(dir.path()).expect("open");
        let e = Root::open(dir.path()).err().expect("locked");
        assert!(format!("{e:#}").contains("another league run"), "{e:#}");
    }

    #[test]
    fn pruning_keeps_the_newest_the_current_and_the_protected() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = Root::open(dir.path()).expect("open");
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
