//! The run manifest (`manifest.json` beside the outputs): what went in, what came out, each with
//! its SHA-256, so a published set can be traced and checked. It holds no clock times, so the
//! same inputs give the same manifest; start and finish are in the log.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

/// SHA-256 of a file, hex, read in 64 KiB blocks (constant memory, whatever the size).
pub(crate) fn sha256_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// SHA-256 of bytes in memory, hex.
pub(crate) fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One input file.
#[derive(Debug, Serialize)]
pub(crate) struct Input {
    pub path: String,
    pub sha256: String,
    pub format: String,
    pub rows_read: u64,
    pub rows_accepted: u64,
    pub rows_quarantined: u64,
    pub rows_excluded: u64,
}

/// One output file.
#[derive(Debug, Serialize)]
pub(crate) struct Output {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    /// `national`, or the peer group a table is for.
    pub audience: String,
}

/// The manifest.
#[derive(Debug, Serialize)]
pub(crate) struct Manifest {
    pub tool: String,
    pub tool_version: String,
    pub methodology: String,
    pub methodology_sha256: String,
    pub periods: Vec<String>,
    pub seed: u64,
    pub replicates: u32,
    pub inputs: Vec<Input>,
    pub quarantined_cells: usize,
    pub outputs: Vec<Output>,
    pub status: String,
}

/// Every file under `root` (sorted, relative), hashed; the audience is read from the path.
pub(crate) fn outputs(root: &Path) -> std::io::Result<Vec<Output>> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir)? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(root)
                .expect("walked from root")
                .to_string_lossy()
                .replace('\\', "/");
            let parts: Vec<&str> = rel.split('/').collect();
            // A trust's documents are for that trust (its ODS code); a peer group's tables for
            // the group; the rest for the run.
            let audience = match parts.as_slice() {
                [_, "trusts", code, ..] if parts.len() > 3 => (*code).to_owned(),
                [_, group, ..] if parts.len() > 2 => (*group).to_owned(),
                _ => "run".to_owned(),
            };
            Ok(Output {
                sha256: sha256_file(&p)?,
                bytes: std::fs::metadata(&p)?.len(),
                path: rel,
                audience,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_standard_vector() {
        assert_eq!(
            hex(&Sha256::digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
