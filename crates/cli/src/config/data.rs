//! Where configuration, reference data and the default dataset come from: the copies compiled
//! into the binary (so `league` works from any directory, as an installed tool does), or a
//! directory given with `--data-dir` or a job file.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use league_ingest::Limits;

use crate::error::{Classify, ExitClass};

/// The methodology file, relative to the data directory.
pub(crate) const METHODOLOGY: &str = "methodology/nof-2025-26.toml";
/// The validation thresholds.
pub(crate) const THRESHOLDS: &str = "validation/thresholds.toml";
/// The input limits.
pub(crate) const LIMITS: &str = "validation/limits.toml";
/// The current trust list.
pub(crate) const REGISTER: &str = "reference/trusts_reference.csv";
/// The historic ODS snapshot.
pub(crate) const REGISTER_HISTORIC: &str = "reference/ods_etr_trusts.csv";
/// The release details.
pub(crate) const PUBLICATION: &str = "publication.toml";
/// How `league build-dataset` makes the default dataset.
pub(crate) const RECIPE: &str = "default/recipe.toml";
/// The embedded default dataset.
pub(crate) const DEFAULT_DATASET: &str = "default/nof_2025_26_q1_national.csv";
/// The embedded default monthly counts (funnel plots and SPC charts).
pub(crate) const DEFAULT_COUNTS: &str = "default/monthly_counts.csv";

/// The real sources synthetic record extracts are calibrated to (`league generate records`),
/// in the order of `league_records::calibrate`'s `AE_SOURCE`, `RTT_SOURCE`, `AMBULANCE_SOURCE`
/// and `OVER_12H_SOURCE` (a test in `records.rs` holds them equal). Named here, not imported,
/// because a build without the `records` feature has no `league-records` crate.
pub(crate) const CALIBRATION: [&str; 4] = [
    "sources/ae_monthly_by_provider_2024-08_to_2025-07.csv",
    "sources/unified_monthly_acute_2024-08_to_2025-07.csv",
    "sources/ambsys_monthly_2017-08_to_2025-08.csv",
    "nof/nof_acute_2025_26_q1_data.csv",
];

/// Every file compiled into the binary, by its path under `data/`.
const EMBEDDED: &[(&str, &[u8])] = &[
    (
        METHODOLOGY,
        include_bytes!("../../../../data/methodology/nof-2025-26.toml"),
    ),
    (
        THRESHOLDS,
        include_bytes!("../../../../data/validation/thresholds.toml"),
    ),
    (
        LIMITS,
        include_bytes!("../../../../data/validation/limits.toml"),
    ),
    (
        REGISTER,
        include_bytes!("../../../../data/reference/trusts_reference.csv"),
    ),
    (
        REGISTER_HISTORIC,
        include_bytes!("../../../../data/reference/ods_etr_trusts.csv"),
    ),
    (
        PUBLICATION,
        include_bytes!("../../../../data/publication.toml"),
    ),
    (
        DEFAULT_DATASET,
        include_bytes!("../../../../data/default/nof_2025_26_q1_national.csv"),
    ),
    (
        DEFAULT_COUNTS,
        include_bytes!("../../../../data/default/monthly_counts.csv"),
    ),
    (
        CALIBRATION[0],
        include_bytes!("../../../../data/sources/ae_monthly_by_provider_2024-08_to_2025-07.csv"),
    ),
    (
        CALIBRATION[1],
        include_bytes!("../../../../data/sources/unified_monthly_acute_2024-08_to_2025-07.csv"),
    ),
    (
        CALIBRATION[2],
        include_bytes!("../../../../data/sources/ambsys_monthly_2017-08_to_2025-08.csv"),
    ),
    (
        CALIBRATION[3],
        include_bytes!("../../../../data/nof/nof_acute_2025_26_q1_data.csv"),
    ),
];

/// The source of the data files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DataDir {
    /// The copies compiled into the binary from the repository's `data/`.
    Embedded,
    /// A directory laid out as `data/` is.
    Dir(PathBuf),
}

/// One data file's bytes and the name it goes by in messages, outputs and the manifest.
#[derive(Debug, Clone)]
pub(crate) struct DataFile {
    /// `data/<path>` for an embedded file (the path it was compiled from), else the file's path.
    pub name: String,
    pub bytes: Vec<u8>,
    /// The file on disk, if it is one (re-hashed at the end of a run).
    pub path: Option<PathBuf>,
}

impl DataFile {
    /// Reads a regular file from disk, of at most `limits.max_file_bytes` (a device, pipe or
    /// directory is refused before it is read; a file that grows while it is read stops one
    /// byte past the limit).
    pub fn read(path: &Path, limits: &Limits) -> anyhow::Result<Self> {
        use std::io::Read as _;
        league_ingest::ensure_regular_file(path)
            .map_err(crate::error::ingest_error)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let bytes = crate::retry::io("read a file", || {
            let mut bytes = Vec::new();
            std::fs::File::open(path)?
                .take(limits.max_file_bytes + 1)
                .read_to_end(&mut bytes)?;
            Ok(bytes)
        })
        .with_context(|| format!("cannot read {}", path.display()))
        .class(ExitClass::Io)?;
        if bytes.len() as u64 > limits.max_file_bytes {
            return Err(anyhow::anyhow!(
                "{} is more than {} bytes, over the limit max_file_bytes; raise it with --limit max_file_bytes=N",
                path.display(),
                limits.max_file_bytes
            ))
            .class(ExitClass::BadConfig);
        }
        Ok(Self {
            name: path.display().to_string(),
            bytes,
            path: Some(path.to_owned()),
        })
    }

    /// The bytes as UTF-8 text (configuration files).
    pub fn text(&self) -> anyhow::Result<&str> {
        std::str::from_utf8(&self.bytes)
            .with_context(|| format!("{} is not UTF-8 text", self.name))
            .class(ExitClass::BadConfig)
    }

    /// SHA-256 of the bytes, hex.
    pub fn sha256(&self) -> String {
        crate::hash::sha256_bytes(&self.bytes)
    }
}

impl DataDir {
    /// `--data-dir DIR` if given, else the embedded copies.
    pub fn from_arg(dir: Option<PathBuf>) -> Self {
        dir.map_or(Self::Embedded, Self::Dir)
    }

    /// The file at `rel` (a path under `data/`), read within `limits` from a directory.
    pub fn read(&self, rel: &str, limits: &Limits) -> anyhow::Result<DataFile> {
        match self {
            Self::Dir(dir) => DataFile::read(&dir.join(rel), limits),
            Self::Embedded => EMBEDDED
                .iter()
                .find(|(p, _)| *p == rel)
                .map(|(p, bytes)| DataFile {
                    name: format!("data/{p}"),
                    bytes: bytes.to_vec(),
                    path: None,
                })
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "data/{rel} is not compiled into this binary; give a data directory holding it (--data-dir DIR, or data_dir in a job file)"
                    )
                })
                .class(ExitClass::BadConfig),
        }
    }

    /// The methodology file for a version name such as `nof-2025-26`.
    pub fn methodology_path(version: &str) -> String {
        format!("methodology/{version}.toml")
    }

    /// How the source is described in the log.
    pub fn describe(&self) -> String {
        match self {
            Self::Embedded => "embedded in the binary".to_owned(),
            Self::Dir(d) => d.display().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_file_equals_the_repository_copy() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
        for (rel, bytes) in EMBEDDED {
            let on_disk = std::fs::read(root.join(rel)).expect("repository copy");
            assert_eq!(&on_disk[..], *bytes, "{rel}");
            let f = DataDir::Embedded
                .read(rel, &Limits::default())
                .expect("embedded");
            assert_eq!(f.name, format!("data/{rel}"));
            assert!(f.path.is_none());
        }
    }

    #[test]
    fn a_file_not_compiled_in_is_a_configuration_error_naming_it() {
        let e = DataDir::Embedded
            .read("methodology/nof-2026-27.toml", &Limits::default())
            .expect_err("not embedded");
        assert!(format!("{e:#}").contains("nof-2026-27.toml"), "{e:#}");
        assert_eq!(
            crate::error::exit_class(&e),
            crate::error::ExitClass::BadConfig
        );
    }

    #[test]
    fn a_data_file_is_read_within_the_limits_and_only_if_it_is_a_regular_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("methodology.toml");
        std::fs::write(&p, "x".repeat(100)).expect("write");
        let limits = Limits {
            max_file_bytes: 99,
            ..Limits::default()
        };
        let e = DataFile::read(&p, &limits).expect_err("over the limit");
        assert!(format!("{e:#}").contains("max_file_bytes"), "{e:#}");
        assert_eq!(
            crate::error::exit_class(&e),
            crate::error::ExitClass::BadConfig
        );
        let f = DataFile::read(&p, &Limits::default()).expect("within");
        assert_eq!(f.bytes.len(), 100);
        // A directory (as a device or pipe would be) is refused before it is read.
        let e = DataFile::read(dir.path(), &Limits::default()).expect_err("a directory");
        assert!(format!("{e:#}").contains("directory"), "{e:#}");
        assert_eq!(
            crate::error::exit_class(&e),
            crate::error::ExitClass::BadInput
        );
    }
}
