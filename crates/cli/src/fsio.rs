//! Durable file operations: fsync a tree, write a file atomically, append to a CSV log, copy a
//! tree; and reading back one of a release's own files. Every error is an I/O error (exit 5)
//! naming the path.

use std::fs::File;
use std::path::Path;

use anyhow::Context as _;

use crate::error::{Classify, ExitClass};

pub(crate) fn io<T>(r: std::io::Result<T>, what: impl FnOnce() -> String) -> anyhow::Result<T> {
    r.with_context(what).class(ExitClass::Io)
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

/// Reads one of a release's own files whole, as `league serve` answers with it: an output this
/// project wrote, never an input (inputs go through the bounded readers).
pub(crate) fn read_output(path: &Path) -> std::io::Result<Vec<u8>> {
    std::fs::read(path)
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
