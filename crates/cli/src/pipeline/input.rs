//! A run's inputs: the default dataset, files, standard input or a record extract, each hashed
//! before it is read and re-hashed at the end (a file that changes under the run fails it).

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::config::data::{self, DataDir};
use crate::error::{Classify, ExitClass};

/// Where an input comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InputSpec {
    /// The default dataset of the data directory (compiled in unless `--data-dir`).
    Default,
    /// The default monthly counts beside it (funnel plots and SPC charts).
    DefaultCounts,
    /// A file.
    Path(PathBuf),
    /// Standard input, read once.
    Stdin,
    /// A record-level extract directory, aggregated by the run.
    Records(PathBuf),
}

impl InputSpec {
    /// `--input` arguments: none means the default dataset; `-` is standard input.
    pub fn from_args(args: Vec<PathBuf>) -> Vec<Self> {
        if args.is_empty() {
            return Self::defaults();
        }
        args.into_iter()
            .map(|p| {
                if p.as_os_str() == "-" {
                    Self::Stdin
                } else {
                    Self::Path(p)
                }
            })
            .collect()
    }
}

impl InputSpec {
    /// The default inputs: the dataset and its monthly counts.
    pub fn defaults() -> Vec<Self> {
        vec![Self::Default, Self::DefaultCounts]
    }
}

/// Reads the default dataset or a file or standard input, hashed before it is read.
pub(crate) struct LoadedInput {
    /// The name in messages, the quarantine file and the manifest.
    pub name: String,
    pub sha256: String,
    /// The file, re-hashed at the end (a file that changed under the run fails it).
    pub path: Option<PathBuf>,
    /// Bytes already in memory (standard input, the default dataset).
    pub bytes: Option<Vec<u8>>,
    /// A record-level extract directory (its hash covers every Parquet file in it).
    pub records: Option<PathBuf>,
}

impl LoadedInput {
    pub fn load(
        spec: &InputSpec,
        data: &DataDir,
        limits: &league_ingest::Limits,
    ) -> anyhow::Result<Self> {
        match spec {
            InputSpec::Default | InputSpec::DefaultCounts => {
                let f = data.read(
                    if *spec == InputSpec::Default {
                        data::DEFAULT_DATASET
                    } else {
                        data::DEFAULT_COUNTS
                    },
                    limits,
                )?;
                Ok(Self {
                    sha256: f.sha256(),
                    name: f.name,
                    path: f.path,
                    bytes: Some(f.bytes),
                    records: None,
                })
            }
            InputSpec::Stdin => {
                let bytes = read_stdin(limits)?;
                Ok(Self {
                    name: STDIN_NAME.to_owned(),
                    sha256: crate::hash::sha256_bytes(&bytes),
                    path: None,
                    bytes: Some(bytes),
                    records: None,
                })
            }
            InputSpec::Path(p) => {
                // Only a regular file is hashed and read: a pipe would block, a device never end.
                league_ingest::ensure_regular_file(p)
                    .map_err(crate::error::ingest_error)
                    .with_context(|| format!("cannot use {}", p.display()))?;
                Ok(Self {
                    name: p.display().to_string(),
                    sha256: hash_file(p)?,
                    path: Some(p.clone()),
                    bytes: None,
                    records: None,
                })
            }
            InputSpec::Records(dir) => Ok(Self {
                name: dir.display().to_string(),
                sha256: crate::records::tree_hash(dir)?,
                path: None,
                bytes: None,
                records: Some(dir.clone()),
            }),
        }
    }

    /// Fails if the file on disk no longer has the hash it had when the run began.
    pub fn unchanged(&self) -> anyhow::Result<()> {
        let changed = match (&self.path, &self.records) {
            (Some(p), _) => hash_file(p)? != self.sha256,
            (None, Some(dir)) => crate::records::tree_hash(dir)? != self.sha256,
            (None, None) => false,
        };
        if changed {
            return Err(anyhow::anyhow!(
                "{} changed while the run was reading it; nothing was written",
                self.name
            ))
            .class(ExitClass::Io);
        }
        Ok(())
    }
}

fn hash_file(p: &Path) -> anyhow::Result<String> {
    crate::retry::io("hash an input", || crate::hash::sha256_file(p))
        .with_context(|| format!("cannot read {}", p.display()))
        .class(ExitClass::Io)
}

/// The name standard input goes by in messages, the quarantine file and the manifest.
pub(crate) const STDIN_NAME: &str = "(standard input)";

/// True for `-`, standard input.
pub(crate) fn is_stdin(p: &Path) -> bool {
    p.as_os_str() == "-"
}

/// Standard input, read once, within the file-size limit.
pub(crate) fn read_stdin(limits: &league_ingest::Limits) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .context("cannot read standard input")
        .class(ExitClass::Io)?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(anyhow::anyhow!(
            "standard input is more than {} bytes, over the limit max_file_bytes; raise it with --limit max_file_bytes=N",
            limits.max_file_bytes
        ))
        .class(ExitClass::BadInput);
    }
    Ok(bytes)
}
