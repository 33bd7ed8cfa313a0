//! The `league` command line: argument parsing, commands, logging and exit codes.
//!
//! Commands ([`Command`]):
//! - `league score --nof-data FILE --out DIR`: score NHS England's NOF data file and write the
//!   league tables and derived metric scores for every quarter and peer group in it.
//! - `league report`: the main job; validates and scores the embedded default national dataset
//!   (`data/default/`), writing league tables, the quarantine file and the validation summary to
//!   `reports/`.
//! - `league validate FILE...`: the same input checks without scoring; prints each file's
//!   summary and exits 6 if any file breaks a fail threshold.
//! - `league check DIR`: re-reads a finished output set and re-derives its figures (quality
//!   assurance; `report` and `score` run it on their staged outputs before publishing); exits 8
//!   if any figure fails.
//! - `league build-dataset`: rebuilds the default dataset from the real sources in `data/sources/`
//!   by `data/default/recipe.toml`.
//!
//! This crate is the only place that reads the environment (`RUST_LOG`) or decides exit codes;
//! the library crates take paths and options as parameters. Every failure is printed with one
//! line per cause and mapped to an [`ExitClass`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use league_model::{Methodology, Quarter};

mod manifest;
mod pipeline;

/// Exit codes, one per class of failure (documented in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitClass {
    /// The input data is invalid (3).
    BadInput = 3,
    /// The methodology configuration or an option is invalid (4).
    BadConfig = 4,
    /// A file could not be read or written (5).
    Io = 5,
    /// Validation thresholds were breached: quarantined rows exceed what the configuration
    /// allows, so nothing was written (6).
    Validation = 6,
    /// Another run holds the output directory's lock; nothing was written (7).
    Locked = 7,
    /// Quality assurance found a figure that does not re-derive from the outputs: `league
    /// check` reports it, and `league report`/`league score` publish nothing (8).
    CheckFailed = 8,
    /// A bug (10).
    Internal = 10,
}

/// An error tagged with its exit class. It prints as nothing: it only carries the class.
#[derive(Debug, thiserror::Error)]
#[error("")]
pub(crate) struct Classified {
    class: ExitClass,
}

pub(crate) trait Classify<T> {
    fn class(self, class: ExitClass) -> anyhow::Result<T>;
}

impl<T, E: Into<anyhow::Error>> Classify<T> for Result<T, E> {
    fn class(self, class: ExitClass) -> anyhow::Result<T> {
        self.map_err(|e| e.into().context(Classified { class }))
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "league",
    version,
    about = "NHS Oversight Framework league tables"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score a NOF data file (NHS England's long-format CSV) and write league tables.
    Score {
        /// NHS England's NOF data CSV.
        #[arg(long)]
        nof_data: PathBuf,
        /// Only this quarter, e.g. "Q3 2025/26".
        #[arg(long)]
        quarter: Option<Quarter>,
        /// Segment cut-points for every quarter, e.g. 2.07,2.355,2.705.
        #[arg(long, value_delimiter = ',')]
        cut_points: Option<Vec<f64>>,
        /// Options shared by the scoring commands.
        #[command(flatten)]
        common: Common,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// The main job: validate and score the embedded default dataset and write to reports/.
    Report {
        /// Directory holding the embedded default data (methodology, reference, default).
        #[arg(long, default_value = "data")]
        data_dir: PathBuf,
        /// Input dataset in long format (default: <data-dir>/default/nof_2025_26_q1_national.csv;
        /// `-` reads standard input once).
        #[arg(long)]
        input: Option<PathBuf>,
        /// Options shared by the scoring commands.
        #[command(flatten)]
        common: Common,
        /// Output directory.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// Board capability assessments (CSV: trust_code, quarter, area, rating). NHS England
        /// does not publish them: without this file every letter says "not assessed".
        #[arg(long, value_name = "FILE")]
        board_assessment: Option<PathBuf>,
    },
    /// Check input files without scoring: formats, rows, thresholds.
    Validate {
        /// Files to check (`-` for standard input); each format is recognised from its header.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Read every file as this format (nof-data, long, ae-monthly, cancer-cwt, rtt-panel,
        /// ambsys, staff-survey, snapshot).
        #[arg(long)]
        format: Option<String>,
        /// Write the quarantined rows here (CSV).
        #[arg(long)]
        quarantine: Option<PathBuf>,
        /// Directory holding methodology, reference and validation configuration.
        #[arg(long, default_value = "data")]
        data_dir: PathBuf,
        /// Raise or lower one input limit, e.g. `--limit max_rows=2000000` (repeatable).
        #[arg(long = "limit", value_name = "NAME=VALUE")]
        limit: Vec<String>,
    },
    /// Re-read a finished output set and re-derive its figures (quality assurance); exits 8 if
    /// any figure fails.
    Check {
        /// Output directory of a run (holding <quarter>/<peer group>/league-table.csv).
        dir: PathBuf,
        /// Methodology file for the weights (default: <data-dir>/methodology/nof-2025-26.toml).
        #[arg(long)]
        methodology: Option<PathBuf>,
        /// Directory holding the methodology.
        #[arg(long, default_value = "data")]
        data_dir: PathBuf,
    },
    /// Rebuild the embedded default dataset from the real sources.
    BuildDataset {
        /// Directory holding the recipe, sources and configuration.
        #[arg(long, default_value = "data")]
        data_dir: PathBuf,
        /// Where to write the dataset (default: <data-dir>/default/nof_2025_26_q1_national.csv).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Options shared by the scoring commands.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// Methodology file (default: <data-dir>/methodology/nof-2025-26.toml).
    #[arg(long)]
    methodology: Option<PathBuf>,
    /// Directory with trusts_reference.csv and ods_etr_trusts.csv (default: data/reference).
    #[arg(long)]
    reference_dir: Option<PathBuf>,
    /// Bootstrap seed for likely ranges (default: the methodology's).
    #[arg(long)]
    seed: Option<u64>,
    /// Bootstrap replicates (default: the methodology's 2,000; at least 100).
    #[arg(long)]
    replicates: Option<u32>,
    /// Raise or lower one input limit for this run, e.g. `--limit max_file_bytes=200000000`
    /// (repeatable; the limits and their defaults are in data/validation/limits.toml).
    #[arg(long = "limit", value_name = "NAME=VALUE")]
    limit: Vec<String>,
}

/// Entry point used by the `league` binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_target(false)
        .init();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let class = e
                .downcast_ref::<Classified>()
                .map_or(ExitClass::Internal, |c| c.class);
            let mut causes = e.chain().map(|c| c.to_string()).filter(|c| !c.is_empty());
            if let Some(top) = causes.next() {
                eprintln!("error: {top}");
            }
            for c in causes {
                eprintln!("  caused by: {c}");
            }
            ExitCode::from(class as u8)
        }
    }
}

fn run(cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Score {
            nof_data,
            quarter,
            cut_points,
            common,
            out,
        } => {
            let cut_points = match cut_points.as_deref() {
                None => None,
                Some(&[a, b, c]) => Some([a, b, c]),
                Some(other) => {
                    return Err(anyhow::anyhow!(
                        "--cut-points needs exactly three numbers, got {}",
                        other.len()
                    ))
                    .class(ExitClass::BadConfig);
                }
            };
            score_file(
                &nof_data,
                quarter,
                cut_points,
                &common,
                Path::new("data"),
                &out,
            )
        }
        Command::Report {
            data_dir,
            input,
            common,
            out,
            board_assessment,
        } => {
            let input = input.unwrap_or_else(|| data_dir.join(DEFAULT_DATASET));
            tracing::info!(input = %input.display(), "main job: validating and scoring the default dataset");
            pipeline::report(
                &input,
                &common,
                &data_dir,
                &out,
                board_assessment.as_deref(),
            )
        }
        Command::Validate {
            inputs,
            format,
            quarantine,
            data_dir,
            limit,
        } => pipeline::validate(
            &inputs,
            format.as_deref(),
            quarantine.as_deref(),
            &data_dir,
            limit,
        ),
        Command::Check {
            dir,
            methodology,
            data_dir,
        } => {
            let common = Common {
                methodology,
                reference_dir: None,
                seed: None,
                replicates: None,
                limit: Vec::new(),
            };
            let m = load_methodology(&common, &data_dir)?;
            let report = quality_check(&dir, &m, false)?;
            for (what, n) in &report.checked {
                println!("{n:>8}  {what}");
            }
            println!("check passed: {}", dir.display());
            Ok(())
        }
        Command::BuildDataset { data_dir, out } => {
            let out = out.unwrap_or_else(|| data_dir.join(DEFAULT_DATASET));
            pipeline::build_dataset(&data_dir, &out)
        }
    }
}

/// The embedded default dataset, relative to the data directory.
pub const DEFAULT_DATASET: &str = "default/nof_2025_26_q1_national.csv";

/// The input limits: `<data-dir>/validation/limits.toml`, then each `--limit NAME=VALUE`.
pub(crate) fn load_limits(
    common: &Common,
    data_dir: &Path,
) -> anyhow::Result<league_ingest::Limits> {
    let path = data_dir.join("validation/limits.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))
        .class(ExitClass::Io)?;
    let mut limits = league_ingest::Limits::from_toml(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
        .class(ExitClass::BadConfig)?;
    for l in &common.limit {
        limits
            .set(l)
            .map_err(anyhow::Error::msg)
            .class(ExitClass::BadConfig)?;
    }
    Ok(limits)
}

pub(crate) fn load_methodology(common: &Common, data_dir: &Path) -> anyhow::Result<Methodology> {
    let method_path = common
        .methodology
        .clone()
        .unwrap_or_else(|| data_dir.join("methodology/nof-2025-26.toml"));
    let text = std::fs::read_to_string(&method_path)
        .with_context(|| format!("cannot read methodology {}", method_path.display()))
        .class(ExitClass::Io)?;
    Methodology::from_toml(&method_path.display().to_string(), &text)
        .context("invalid methodology configuration")
        .class(ExitClass::BadConfig)
}

pub(crate) fn load_register(
    common: &Common,
    data_dir: &Path,
) -> anyhow::Result<league_ingest::TrustRegister> {
    let ref_dir = common
        .reference_dir
        .clone()
        .unwrap_or_else(|| data_dir.join("reference"));
    league_ingest::TrustRegister::load(
        &ref_dir.join("trusts_reference.csv"),
        Some(&ref_dir.join("ods_etr_trusts.csv")),
    )
    .map_err(ingest_error)
    .context("cannot load the trust register")
}

fn score_file(
    input: &Path,
    quarter: Option<Quarter>,
    cut_points: Option<[f64; 3]>,
    common: &Common,
    data_dir: &Path,
    out: &Path,
) -> anyhow::Result<()> {
    let methodology = load_methodology(common, data_dir)?;
    let register = load_register(common, data_dir)?;

    let (mut dataset, summary) = league_ingest::read_nof_data(
        input,
        &methodology,
        &register,
        quarter,
        &load_limits(common, Path::new("data"))?,
    )
    .map_err(ingest_error)
    .with_context(|| format!("cannot use {}", input.display()))?;
    tracing::info!(
        file = %input.display(),
        rows = summary.rows_read,
        accepted = summary.accepted,
        derived_set_aside = summary.derived_set_aside,
        no_value = summary.no_value,
        not_applicable = summary.not_applicable,
        other_unit = summary.other_unit,
        "input read; quarter from {}",
        summary.quarter_source.describe()
    );
    if let Some(q) = quarter {
        if !dataset.trusts.contains_key(&q) {
            let have: Vec<String> = dataset.quarters().map(|q| q.to_string()).collect();
            return Err(anyhow::anyhow!(
                "quarter {q} is not in {} (it has: {})",
                input.display(),
                have.join(", ")
            ))
            .class(ExitClass::BadInput);
        }
        dataset.retain_quarter(q);
    }
    for (q, trusts) in &dataset.trusts {
        let held: std::collections::BTreeSet<&str> =
            trusts.values().map(|t| t.peer_group.as_str()).collect();
        if held.len() < methodology.peer_groups.len() {
            tracing::warn!(quarter = %q, "the input holds {} of {} peer groups ({}): each metric is scored within the trusts it holds, and metrics pooled across peer groups keep NHS England's published scores",
                held.len(), methodology.peer_groups.len(), held.into_iter().collect::<Vec<_>>().join(", "));
        }
    }

    let run = score_dataset(&dataset, &methodology, cut_points, common, Vec::new())?;
    let mut written = Vec::new();
    publish(out, |staging| {
        written = league_report::write_tables(staging, &run, &methodology).class(ExitClass::Io)?;
        quality_check(staging, &methodology, true)?;
        Ok(())
    })?;
    for t in &run.tables {
        tracing::info!(quarter = %t.quarter, peer_group = %t.peer_group, trusts = t.rows.len(), "league table written");
    }
    tracing::info!(out = %out.display(), files = written.len(), seed = run.seed, replicates = run.replicates, "done");
    Ok(())
}

pub(crate) fn score_dataset(
    dataset: &league_model::Dataset,
    methodology: &Methodology,
    cut_points: Option<[f64; 3]>,
    common: &Common,
    boards: Vec<league_model::BoardAssessment>,
) -> anyhow::Result<league_model::ScoreRun> {
    let opts = league_score::ScoreOptions {
        cut_points,
        seed: common.seed,
        replicates: common.replicates,
        boards,
    };
    let run = league_score::score(dataset, methodology, &opts).map_err(|e| {
        let class = match e {
            league_score::ScoreError::BadCutPoints(_)
            | league_score::ScoreError::TooFewReplicates(_) => ExitClass::BadConfig,
            league_score::ScoreError::NothingToSegment(_) => ExitClass::BadInput,
            league_score::ScoreError::Columnar(_) => ExitClass::Internal,
        };
        anyhow::Error::new(e).context(Classified { class })
    })?;
    for c in &run.cuts {
        tracing::info!(quarter = %c.quarter, cuts = ?c.cuts, source = ?c.source, "segment cut-points");
    }
    Ok(run)
}

/// Builds the outputs in a staging directory and moves them into `out` only when all are
/// written; a failure leaves the previous outputs in place.
///
/// Only one run may write an output directory at a time: an advisory lock on
/// `OUT/.league.lock` is taken first (released when the process ends, however it ends); a second
/// run exits 7 without writing.
pub(crate) fn publish(
    out: &Path,
    build: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if out.exists() && !out.is_dir() {
        return Err(anyhow::anyhow!(
            "--out {} is a file, not a directory; give a directory for the outputs",
            out.display()
        ))
        .class(ExitClass::BadConfig);
    }
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create the output directory {}", out.display()))
        .class(ExitClass::Io)?;
    let lock_path = out.join(".league.lock");
    // The lock is a plain file inside OUT: a symbolic link there could point anywhere.
    if std::fs::symlink_metadata(&lock_path).is_ok_and(|m| !m.is_file()) {
        return Err(anyhow::anyhow!(
            "{} is not a plain file (a symbolic link or directory); remove it and run again",
            lock_path.display()
        ))
        .class(ExitClass::Io);
    }
    let lock = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("cannot open {}", lock_path.display()))
        .class(ExitClass::Io)?;
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
    let result = league_report::publish(out, build).map_err(|e| {
        if e.is::<Classified>() {
            e
        } else {
            e.context(Classified {
                class: ExitClass::Io,
            })
        }
    });
    drop(lock);
    result
}

/// Runs quality assurance on an output set; a failed figure is an error of class
/// [`ExitClass::CheckFailed`] naming every finding.
/// `staged` is true for a run's own staged outputs, which are then not published.
pub(crate) fn quality_check(
    dir: &Path,
    m: &Methodology,
    staged: bool,
) -> anyhow::Result<league_check::CheckReport> {
    let report = league_check::check(dir, m)
        .with_context(|| format!("cannot check {}", dir.display()))
        .class(ExitClass::Io)?;
    if report.passed() {
        let n: u64 = report.checked.values().sum();
        tracing::info!(figures = n, "quality assurance passed");
        return Ok(report);
    }
    // The summary first, then one line per finding, in the order found.
    let line = |f: &league_check::Finding| format!("{}: {}", f.file, f.problem);
    let (last, rest) = report.findings.split_last().expect("failed, so not empty");
    let mut e = anyhow::anyhow!(line(last));
    for f in rest.iter().rev() {
        e = e.context(line(f));
    }
    Err(e.context(format!(
        "quality assurance failed: {} finding(s) in {}{}",
        report.findings.len(),
        dir.display(),
        if staged {
            "; nothing was published"
        } else {
            ""
        }
    )))
    .class(ExitClass::CheckFailed)
}

pub(crate) fn ingest_error(e: league_ingest::IngestError) -> anyhow::Error {
    let class = if e.is_bad_input() {
        ExitClass::BadInput
    } else {
        ExitClass::Io
    };
    anyhow::Error::new(e).context(Classified { class })
}
