//! The run manifest (`manifest.json` beside the outputs): what went in, what came out, each with
//! its SHA-256, so a published set can be traced and checked. Its only clock times are the run's
//! start, finish and stage timings; every other output holds none, so the same inputs give the
//! same bytes.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Serialize;

use crate::error::{Classify, ExitClass};
use crate::fsio::io;
use crate::hash::{sha256_bytes, sha256_file};

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

/// One configuration or reference file the run read.
#[derive(Debug, Serialize)]
pub(crate) struct ConfigFile {
    pub path: String,
    pub sha256: String,
}

/// One output file.
#[derive(Debug, Serialize)]
pub(crate) struct Output {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    /// `run`, `national`, the peer group a table is for, or the ODS code of the trust a
    /// document is for.
    pub audience: String,
}

/// How long one stage took.
#[derive(Debug, Serialize)]
pub(crate) struct Stage {
    pub stage: String,
    pub seconds: f64,
}

/// The result of quality assurance on the staged outputs.
#[derive(Debug, Serialize)]
pub(crate) struct QualityCheck {
    pub passed: bool,
    pub figures: u64,
}

/// The manifest (its JSON Schema is `data/schema/manifest.schema.json`).
#[derive(Debug, Serialize)]
pub(crate) struct Manifest {
    pub schema: &'static str,
    pub run_id: String,
    pub job: String,
    pub tool: String,
    pub tool_version: String,
    pub git_commit: &'static str,
    pub cargo_lock_sha256: String,
    pub methodology: String,
    pub methodology_version: String,
    pub methodology_sha256: String,
    pub configuration: Vec<ConfigFile>,
    pub periods: Vec<String>,
    pub seed: u64,
    pub replicates: u32,
    pub outputs_made: Vec<&'static str>,
    /// When the release may be published (RFC 3339, UTC).
    pub release_at: String,
    pub inputs: Vec<Input>,
    pub quarantined_cells: usize,
    /// Earlier releases' results read from the history store (for intervention rules that
    /// span quarters), each with its SHA-256.
    pub history_inputs: Vec<ConfigFile>,
    pub outputs: Vec<Output>,
    /// Start and finish of the run (RFC 3339, UTC): the only clock times in any output.
    pub started: String,
    pub finished: String,
    pub stages: Vec<Stage>,
    pub quality_check: Option<QualityCheck>,
    /// `staged` while quality assurance runs; `checked` once it has passed.
    pub status: &'static str,
}

impl Manifest {
    /// A staged manifest for run `run_id`: the build, methodology and configuration filled in;
    /// the caller adds periods, options, inputs and outputs.
    pub fn new(
        run_id: &str,
        job: &str,
        m: &league_model::Methodology,
        config: &[&crate::config::data::DataFile],
        started: String,
        release_at: String,
    ) -> Self {
        Self {
            schema: SCHEMA,
            run_id: run_id.to_owned(),
            job: job.to_owned(),
            tool: "league-tables".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            git_commit: GIT_COMMIT,
            cargo_lock_sha256: cargo_lock_sha256(),
            methodology: format!("{} {}", m.framework.name, m.framework.year),
            methodology_version: m.framework.config_version.clone(),
            methodology_sha256: config.first().map(|f| f.sha256()).unwrap_or_default(),
            configuration: config
                .iter()
                .map(|f| ConfigFile {
                    path: f.name.clone(),
                    sha256: f.sha256(),
                })
                .collect(),
            periods: Vec::new(),
            seed: 0,
            replicates: 0,
            outputs_made: vec!["tables"],
            release_at,
            inputs: Vec::new(),
            quarantined_cells: 0,
            history_inputs: Vec::new(),
            outputs: Vec::new(),
            started,
            finished: String::new(),
            stages: Vec::new(),
            quality_check: None,
            status: "staged",
        }
    }
}

/// The schema identifier every manifest carries.
pub(crate) const SCHEMA: &str = "league-tables/manifest/v1";

/// The git commit the binary was built from (see `build.rs`).
pub(crate) const GIT_COMMIT: &str = env!("LEAGUE_GIT_COMMIT");

/// SHA-256 of the `Cargo.lock` the binary was built with.
pub(crate) fn cargo_lock_sha256() -> String {
    sha256_bytes(include_bytes!("../../../../Cargo.lock"))
}

/// Writes `manifest.json` into `dir` (pretty JSON, newline-terminated).
pub(crate) fn write(dir: &Path, m: &Manifest) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(m).expect("plain data");
    text.push('\n');
    let p = dir.join("manifest.json");
    std::fs::write(&p, text)
        .with_context(|| format!("cannot write {}", p.display()))
        .class(ExitClass::Io)
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
            } else if p != root.join("manifest.json") {
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

/// True when `dir` is a checked release whose every file matches its manifest.
pub(crate) fn release_is_whole(dir: &Path) -> bool {
    let Ok(m) = read_manifest(dir) else {
        return false;
    };
    if m["status"] != "checked" {
        return false;
    }
    m["outputs"].as_array().is_some_and(|outs| {
        outs.iter().all(|o| {
            let path = dir.join(o["path"].as_str().unwrap_or_default());
            sha256_file(&path).is_ok_and(|s| Some(s.as_str()) == o["sha256"].as_str())
        })
    })
}
