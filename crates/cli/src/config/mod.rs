//! What a run is configured with: the methodology, the trust register, validation thresholds
//! and input limits, the publication details, job files and the release time, each loaded once
//! here from the data directory ([`data`]) or the command line.

pub(crate) mod data;
pub(crate) mod job;

use anyhow::Context as _;

use league_ingest::{Context, Limits, Thresholds, TrustRegister};
use league_model::Methodology;

use crate::args::Common;
use crate::error::{Classify, ExitClass, ingest_error};
use data::{DataDir, DataFile};

/// The release time of an ad-hoc run: 09:30 London on `--release-date` or the run's date.
pub(crate) fn release_time(common: &Common) -> anyhow::Result<job::ReleaseTime> {
    job::ReleaseTime::default()
        .with_date(common.release_date.as_deref())
        .map_err(|e| anyhow::anyhow!("--release-date: {e}"))
        .class(ExitClass::BadConfig)
}

/// The input limits: `<data>/validation/limits.toml` (itself read within the default limits),
/// then each `--limit NAME=VALUE`. Every other file is read within them.
pub(crate) fn load_limits(common: &Common, data: &DataDir) -> anyhow::Result<(Limits, DataFile)> {
    let f = data.read(data::LIMITS, &Limits::default())?;
    let mut limits = league_ingest::Limits::from_toml(f.text()?)
        .map_err(|e| anyhow::anyhow!("{}: {e}", f.name))
        .class(ExitClass::BadConfig)?;
    for l in &common.limit {
        limits
            .set(l)
            .map_err(anyhow::Error::msg)
            .class(ExitClass::BadConfig)?;
    }
    Ok((limits, f))
}

/// The methodology file: `--methodology FILE`, else `methodology/<version>.toml` of the data.
pub(crate) fn methodology_file(
    common: &Common,
    data: &DataDir,
    rel: &str,
    limits: &Limits,
) -> anyhow::Result<DataFile> {
    match &common.methodology {
        Some(p) => DataFile::read(p, limits).context("cannot read the methodology"),
        None => data
            .read(rel, limits)
            .context("cannot read the methodology"),
    }
}

/// Parses and validates a methodology file.
pub(crate) fn parse_methodology(f: &DataFile) -> anyhow::Result<Methodology> {
    Methodology::from_toml(&f.name, f.text()?)
        .context("invalid methodology configuration")
        .class(ExitClass::BadConfig)
}

/// The methodology alone (`league check`, `league publish`), read within the data's limits.
pub(crate) fn load_methodology(common: &Common, data: &DataDir) -> anyhow::Result<Methodology> {
    let (limits, _) = load_limits(common, data)?;
    parse_methodology(&methodology_file(common, data, data::METHODOLOGY, &limits)?)
}

/// The trust register: `--reference-dir DIR` if given, else the data's `reference/`.
pub(crate) fn load_register(
    common: &Common,
    data: &DataDir,
    limits: &Limits,
) -> anyhow::Result<(TrustRegister, Vec<DataFile>)> {
    let files = match &common.reference_dir {
        Some(dir) => {
            let dir = DataDir::Dir(dir.clone());
            vec![
                dir.read("trusts_reference.csv", limits)?,
                dir.read("ods_etr_trusts.csv", limits)?,
            ]
        }
        None => vec![
            data.read(data::REGISTER, limits)?,
            data.read(data::REGISTER_HISTORIC, limits)?,
        ],
    };
    let register = TrustRegister::from_bytes(
        (&files[0].name, files[0].bytes.clone()),
        Some((&files[1].name, files[1].bytes.clone())),
        limits,
    )
    .map_err(ingest_error)
    .context("cannot load the trust register")?;
    Ok((register, files))
}

/// Loads the validation thresholds from `<data>/validation/thresholds.toml`.
pub(crate) fn load_thresholds(
    data: &DataDir,
    limits: &Limits,
) -> anyhow::Result<(Thresholds, DataFile)> {
    let f = data
        .read(data::THRESHOLDS, limits)
        .context("cannot read the validation thresholds")?;
    let t = Thresholds::from_toml(&f.name, f.text()?)
        .context("invalid validation thresholds")
        .class(ExitClass::BadConfig)?;
    Ok((t, f))
}

/// Loads the release details from `<data>/publication.toml`.
pub(crate) fn load_publication(
    data: &DataDir,
    limits: &Limits,
) -> anyhow::Result<(league_report::Publication, DataFile)> {
    let f = data.read(data::PUBLICATION, limits)?;
    let p = league_report::Publication::from_toml(f.text()?)
        .map_err(|e| anyhow::anyhow!("{}: {e}", f.name))
        .class(ExitClass::BadConfig)?;
    Ok((p, f))
}

pub(crate) struct Setup {
    pub methodology: Methodology,
    pub register: TrustRegister,
    pub thresholds: Thresholds,
    pub limits: Limits,
    /// Every configuration and reference file read, in order (for the manifest and run id):
    /// the methodology, the register's files, the thresholds, the limits.
    pub files: Vec<DataFile>,
    /// Where in `files` the thresholds are.
    thresholds_at: usize,
}

impl Setup {
    /// Loads the methodology (`methodology` under the data, unless `--methodology`), the
    /// register, thresholds and limits.
    pub fn load(common: &Common, data: &DataDir, methodology: &str) -> anyhow::Result<Self> {
        let (limits, limits_file) = load_limits(common, data)?;
        let method_file = methodology_file(common, data, methodology, &limits)?;
        let (register, register_files) = load_register(common, data, &limits)?;
        let (thresholds, thresholds_file) = load_thresholds(data, &limits)?;
        let mut files = vec![method_file.clone()];
        files.extend(register_files);
        let thresholds_at = files.len();
        files.push(thresholds_file);
        files.push(limits_file);
        Ok(Self {
            methodology: parse_methodology(&method_file)?,
            register,
            thresholds,
            limits,
            files,
            thresholds_at,
        })
    }

    /// The configuration files of a run that applies no validation thresholds (`league
    /// score`, which scores NHS England's file as published).
    pub fn files_without_thresholds(&self) -> Vec<&DataFile> {
        self.files
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != self.thresholds_at)
            .map(|(_, f)| f)
            .collect()
    }

    /// What the input readers need to know.
    pub fn context(&self) -> Context<'_> {
        Context {
            register: &self.register,
            methodology: &self.methodology,
            periods: self.thresholds.months().expect("validated on load"),
            limits: &self.limits,
        }
    }
}
