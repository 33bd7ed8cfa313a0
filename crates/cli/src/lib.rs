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

mod access;
mod data;
mod fault;
mod history;
mod job;
mod lineage;
mod logging;
mod manifest;
mod pipeline;
mod publish;
#[cfg(feature = "records")]
mod records;
#[cfg(not(feature = "records"))]
#[path = "records_off.rs"]
mod records;
mod release;
mod retry;
mod run;

use data::{DataDir, DataFile};

/// The fault-injection points the crash tests kill the process at (see `LEAGUE_KILL_AT`).
pub use fault::POINTS as FAULT_POINTS;

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
    /// `league publish` refused: before the release time, or the run failed, is unchecked or
    /// is already published (9).
    NotReleasable = 9,
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
    /// Score a NOF data file (NHS England's long-format CSV) and write league tables as a
    /// release under OUT/releases/, made current.
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
        /// Directory of configuration and reference data laid out as the repository's data/
        /// (default: the copies compiled into the binary).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Output root (the release goes to OUT/releases/<run id>/, linked as OUT/current).
        #[arg(long)]
        out: PathBuf,
    },
    /// The main job: validate and score the embedded default dataset and write a release
    /// under OUT/releases/<run id>/, made current as OUT/current.
    Report {
        /// Directory of configuration and reference data laid out as the repository's data/
        /// (default: the copies compiled into the binary).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Input file (repeatable; `-` reads standard input once). Default: the embedded
        /// default dataset.
        #[arg(long)]
        input: Vec<PathBuf>,
        /// Options shared by the scoring commands.
        #[command(flatten)]
        common: Common,
        /// Output root.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// Board capability assessments (CSV: trust_code, quarter, area, rating). NHS England
        /// does not publish them: without this file every letter says "not assessed".
        #[arg(long, value_name = "FILE")]
        board_assessment: Option<PathBuf>,
        /// A record-level extract directory (DIR/ae, DIR/rtt, DIR/ambulance; see `league
        /// generate records`): its metric values replace the same metrics in the inputs.
        #[arg(long, value_name = "DIR")]
        records: Option<PathBuf>,
        /// Which period: "all" quarters in the inputs, "latest-complete", or one quarter
        /// such as 2025-26-Q1.
        #[arg(long, default_value = "all")]
        period: String,
        /// Which outputs: tables (always), national-packs, trust-documents.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "tables,national-packs,trust-documents"
        )]
        outputs: Vec<String>,
    },
    /// Run a job file (jobs/*.toml): its inputs, period, outputs and output root. A period
    /// whose release is already complete is verified and left as it is.
    Run {
        /// The job file.
        job: PathBuf,
        /// Make this quarter instead of the job's period (as a backfill does).
        #[arg(long)]
        period: Option<String>,
        /// Build the release again even if it is complete, and fail unless every output is
        /// byte-identical to it.
        #[arg(long)]
        rerun: bool,
        /// Write under this output root instead of the job's.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run a job for past quarters, skipping completed ones unless asked.
    Backfill {
        /// The job file.
        #[arg(long, default_value = "jobs/nightly.toml")]
        job: PathBuf,
        /// First quarter, e.g. 2025-26-Q1.
        #[arg(long)]
        from: Quarter,
        /// Last quarter.
        #[arg(long)]
        to: Quarter,
        /// Which periods to run: missing (no complete release), failed (also those whose
        /// last run failed) or all.
        #[arg(long, default_value = "missing")]
        mode: String,
        /// List the periods that would be attempted, and why others are skipped; run nothing
        /// (whether a period's inputs hold it is found when it runs).
        #[arg(long)]
        dry_run: bool,
        /// Write under this output root instead of the job's.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Publish a staged, checked release to the distribution area at or after its release
    /// time; refuses a failed, unchecked or already-published run.
    Publish {
        /// The run id (a directory under OUT/releases/).
        run_id: String,
        /// Output root holding the release.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// This release corrects one already published for its period: say what changed
        /// and why (it goes into the correction notice and the revision log).
        #[arg(long, value_name = "WHAT AND WHY")]
        correction: Option<String>,
    },
    /// Record one person's pre-release access to a checked release (at most 24 hours before
    /// its release time) and print where it is; `--list` prints the record for publication.
    Access {
        /// The run id.
        run_id: String,
        /// Output root holding the release.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// Who is given access.
        #[arg(long, required_unless_present = "list")]
        who: Option<String>,
        /// Why they need it before release.
        #[arg(long, required_unless_present = "list")]
        reason: Option<String>,
        /// Print the accesses recorded for the run instead.
        #[arg(long, conflicts_with_all = ["who", "reason"])]
        list: bool,
    },
    /// Print a run as OpenLineage events (START, then COMPLETE or FAIL), one JSON per line.
    Lineage {
        /// The run id.
        run_id: String,
        /// Output root holding the release or the run's outcome.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
    },
    /// The history store (Parquet, by quarter) of every release's results.
    History {
        /// Output root holding releases/ and history/.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// Rebuild it from the releases into this directory (default: check that rebuilding
        /// OUT/history from the releases gives the same bytes).
        #[arg(long)]
        rebuild_into: Option<PathBuf>,
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
        /// Directory of configuration and reference data (default: compiled in).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Raise or lower one input limit, e.g. `--limit max_rows=2000000` (repeatable).
        #[arg(long = "limit", value_name = "NAME=VALUE")]
        limit: Vec<String>,
    },
    /// Re-read a finished output set and re-derive its figures (quality assurance); exits 8 if
    /// any figure fails.
    Check {
        /// A release directory, or an output root (its current release is checked).
        dir: PathBuf,
        /// Methodology file for the weights (default: the data's nof-2025-26.toml).
        #[arg(long)]
        methodology: Option<PathBuf>,
        /// Directory holding the methodology (default: compiled in).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Write synthetic record-level extracts (Parquet, partitioned by month), calibrated per
    /// trust to the real monthly A&E, RTT and AmbSYS figures. For tests and benchmarks only:
    /// every file is marked synthetic, and so is everything computed from it.
    Generate {
        /// What to generate.
        #[command(subcommand)]
        what: Generate,
    },
    /// Aggregate record-level extracts (DIR/ae, DIR/rtt, DIR/ambulance) into NOF metric
    /// values in the long format (CSV, or Parquet when FILE ends in .parquet).
    Aggregate(AggregateArgs),
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

/// What `league generate` writes.
#[derive(Debug, Subcommand)]
pub enum Generate {
    /// Record-level extracts: DIR/ae, DIR/rtt and DIR/ambulance, one Parquet partition a month.
    Records(GenerateRecordsArgs),
}

/// The arguments of `league generate records`.
#[derive(Debug, clap::Args)]
pub struct GenerateRecordsArgs {
    /// The financial year, e.g. 2025-26.
    #[arg(long)]
    pub year: String,
    /// Multiplies every volume (1.0: the real national volumes, about 28 million A&E
    /// attendances and 90 million RTT pathway snapshots a year).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// The seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The directory to create (it must not exist, or be empty).
    #[arg(long)]
    pub out: PathBuf,
    /// Which datasets: ae, rtt, ambulance.
    #[arg(long, value_delimiter = ',', default_value = "ae,rtt,ambulance")]
    pub datasets: Vec<String>,
    /// Only these trusts (ODS codes; default every trust in the sources).
    #[arg(long, value_delimiter = ',')]
    pub trusts: Vec<String>,
    /// At most this many records per Parquet file.
    #[arg(long, default_value_t = 4_000_000)]
    pub rows_per_file: usize,
    /// Directory of configuration, reference data and calibration sources (default:
    /// compiled in).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

/// The arguments of `league aggregate`.
#[derive(Debug, clap::Args)]
pub struct AggregateArgs {
    /// The extract directory.
    #[arg(long)]
    pub records: PathBuf,
    /// The metric-value file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Complete quarters (as the framework and `--input` use them) or months (to compare
    /// with NHS England's monthly statistics).
    #[arg(long, default_value = "quarter")]
    pub by: String,
    /// Write the quarantined records here (CSV).
    #[arg(long)]
    pub quarantine: Option<PathBuf>,
    /// Directory of configuration and reference data (default: compiled in).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

/// Options shared by the scoring commands.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Common {
    /// Methodology file (default: the data's methodology/nof-2025-26.toml).
    #[arg(long)]
    methodology: Option<PathBuf>,
    /// Directory with trusts_reference.csv and ods_etr_trusts.csv (default: the data's
    /// reference/).
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
    /// The release date printed on every document, YYYY-MM-DD, a weekday (default: the run's
    /// date, or the next weekday).
    #[arg(long, value_name = "YYYY-MM-DD")]
    release_date: Option<String>,
}

impl Common {
    /// The release time of an ad-hoc run: 09:30 London on `--release-date` or the run's date.
    fn release(&self) -> anyhow::Result<job::ReleaseTime> {
        job::ReleaseTime::default()
            .with_date(self.release_date.as_deref())
            .map_err(|e| anyhow::anyhow!("--release-date: {e}"))
            .class(ExitClass::BadConfig)
    }
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
    logging::init();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let class = exit_class(&e);
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

/// The exit class an error was tagged with ([`ExitClass::Internal`] if none).
pub(crate) fn exit_class(e: &anyhow::Error) -> ExitClass {
    e.downcast_ref::<Classified>()
        .map_or(ExitClass::Internal, |c| c.class)
}

fn run(cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Score {
            nof_data,
            quarter,
            cut_points,
            common,
            data_dir,
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
                &DataDir::from_arg(data_dir),
                &out,
            )
        }
        Command::Report {
            data_dir,
            input,
            common,
            out,
            board_assessment,
            records: record_dir,
            period,
            outputs,
        } => {
            let mut inputs = run::InputSpec::from_args(input);
            inputs.extend(record_dir.map(run::InputSpec::Records));
            let release = common.release()?;
            let spec = run::RunSpec {
                job: "report".to_owned(),
                data: DataDir::from_arg(data_dir),
                methodology: data::METHODOLOGY.to_owned(),
                inputs,
                common,
                out,
                board_assessment,
                period: job::Period::parse(&period)
                    .map_err(|e| anyhow::anyhow!("--period: {e}"))
                    .class(ExitClass::BadConfig)?,
                outputs: job::OutputSet::parse(&outputs)
                    .map_err(|e| anyhow::anyhow!("--outputs: {e}"))
                    .class(ExitClass::BadConfig)?,
                release,
                keep_releases: None,
                reuse: run::Reuse::Build,
            };
            run::run(&spec).map(|_| ())
        }
        Command::Run {
            job,
            period,
            rerun,
            out,
        } => {
            let mut job = job::Job::load(&job)?;
            if let Some(out) = out {
                job.out = out;
            }
            tracing::info!(job = %job.name, file = %job.file.display(), "job loaded");
            let period = match period {
                None => job.period,
                Some(p) => job::Period::parse(&p)
                    .map_err(|e| anyhow::anyhow!("--period: {e}"))
                    .class(ExitClass::BadConfig)?,
            };
            let reuse = if rerun {
                run::Reuse::Compare
            } else {
                run::Reuse::Skip
            };
            run::run(&run::RunSpec::from_job(&job, period, reuse)).map(|_| ())
        }
        Command::Backfill {
            job,
            from,
            to,
            mode,
            dry_run,
            out,
        } => {
            let mut job = job::Job::load(&job)?;
            if let Some(out) = out {
                job.out = out;
            }
            let mode = run::BackfillMode::parse(&mode)
                .map_err(anyhow::Error::msg)
                .class(ExitClass::BadConfig)?;
            run::backfill(&job, from, to, mode, dry_run)
        }
        Command::Publish {
            run_id,
            out,
            correction,
        } => publish::publish(&out, &run_id, correction.as_deref()),
        Command::History { out, rebuild_into } => history::command(&out, rebuild_into.as_deref()),
        Command::Lineage { run_id, out } => lineage::command(&out, &run_id),
        Command::Access {
            run_id,
            out,
            who,
            reason,
            list,
        } => access::command(&out, &run_id, who.as_deref(), reason.as_deref(), list),
        Command::Generate {
            what: Generate::Records(args),
        } => records::generate(&args),
        Command::Aggregate(args) => records::aggregate(&args),
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
            &DataDir::from_arg(data_dir),
            limit,
        ),
        Command::Check {
            dir,
            methodology,
            data_dir,
        } => {
            let common = Common {
                methodology,
                ..Common::default()
            };
            let m = load_methodology(&common, &DataDir::from_arg(data_dir))?;
            // An output root is checked through its current release.
            let dir = if dir.join(release::CURRENT).is_dir() {
                dir.join(release::CURRENT)
            } else {
                dir
            };
            let report = quality_check(&dir, &m, false)?;
            for (what, n) in &report.checked {
                println!("{n:>8}  {what}");
            }
            println!("check passed: {}", dir.display());
            Ok(())
        }
        Command::BuildDataset { data_dir, out } => {
            let out = out.unwrap_or_else(|| data_dir.join(data::DEFAULT_DATASET));
            pipeline::build_dataset(&data_dir, &out)
        }
    }
}

/// The input limits: `<data>/validation/limits.toml`, then each `--limit NAME=VALUE`.
pub(crate) fn load_limits(
    common: &Common,
    data: &DataDir,
) -> anyhow::Result<(league_ingest::Limits, DataFile)> {
    let f = data.read(data::LIMITS)?;
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
) -> anyhow::Result<DataFile> {
    match &common.methodology {
        Some(p) => DataFile::read(p).context("cannot read the methodology"),
        None => data.read(rel).context("cannot read the methodology"),
    }
}

/// Parses and validates a methodology file.
pub(crate) fn parse_methodology(f: &DataFile) -> anyhow::Result<Methodology> {
    Methodology::from_toml(&f.name, f.text()?)
        .context("invalid methodology configuration")
        .class(ExitClass::BadConfig)
}

pub(crate) fn load_methodology(common: &Common, data: &DataDir) -> anyhow::Result<Methodology> {
    parse_methodology(&methodology_file(common, data, data::METHODOLOGY)?)
}

/// The trust register: `--reference-dir DIR` if given, else the data's `reference/`.
pub(crate) fn load_register(
    common: &Common,
    data: &DataDir,
) -> anyhow::Result<(league_ingest::TrustRegister, Vec<DataFile>)> {
    let files = match &common.reference_dir {
        Some(dir) => {
            let dir = DataDir::Dir(dir.clone());
            vec![
                dir.read("trusts_reference.csv")?,
                dir.read("ods_etr_trusts.csv")?,
            ]
        }
        None => vec![
            data.read(data::REGISTER)?,
            data.read(data::REGISTER_HISTORIC)?,
        ],
    };
    let register = league_ingest::TrustRegister::from_bytes(
        (&files[0].name, files[0].bytes.clone()),
        Some((&files[1].name, files[1].bytes.clone())),
    )
    .map_err(ingest_error)
    .context("cannot load the trust register")?;
    Ok((register, files))
}

/// `league score`: NHS England's NOF data file scored as published, written as a release.
fn score_file(
    input: &Path,
    quarter: Option<Quarter>,
    cut_points: Option<[f64; 3]>,
    common: &Common,
    data: &DataDir,
    out: &Path,
) -> anyhow::Result<()> {
    let mut session = run::Session::open(out, "score")?;
    let mut periods = Vec::new();
    let result = score_release(
        &mut session,
        &mut periods,
        input,
        quarter,
        cut_points,
        common,
        data,
    );
    session.finish(result, &periods)
}

fn score_release(
    session: &mut run::Session,
    periods: &mut Vec<String>,
    input: &Path,
    quarter: Option<Quarter>,
    cut_points: Option<[f64; 3]>,
    common: &Common,
    data: &DataDir,
) -> anyhow::Result<()> {
    let method_file = methodology_file(common, data, data::METHODOLOGY)?;
    let methodology = parse_methodology(&method_file)?;
    let (register, register_files) = load_register(common, data)?;
    let (limits, limits_file) = load_limits(common, data)?;
    let (_publication, publication_file) = pipeline::load_publication(data)?;
    let source = run::LoadedInput::load(&run::InputSpec::Path(input.to_owned()), data, &limits)?;
    let (mut dataset, summary) = session
        .stage("ingest", || {
            league_ingest::read_nof_data(input, &methodology, &register, quarter, &limits)
        })
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
    let quarters: Vec<Quarter> = dataset.quarters().collect();
    if quarters.is_empty() {
        return Err(anyhow::anyhow!(
            "{} holds no values to score in any quarter; nothing was written",
            input.display()
        ))
        .class(ExitClass::BadInput);
    }
    *periods = quarters.iter().map(|q| q.to_string()).collect();
    let release = common.release()?;
    let release_at = release
        .instant()
        .map_err(|e| anyhow::anyhow!("release date: {e}"))
        .class(ExitClass::BadConfig)?;
    let mut config: Vec<&DataFile> = vec![&method_file];
    config.extend(register_files.iter());
    config.extend([&limits_file, &publication_file]);
    let mut key = run::RunKey::new("score");
    key.config(&config);
    key.file("input", &source.name, &source.sha256);
    key.add("quarter", &format!("{quarter:?}"));
    key.add("cut-points", &format!("{cut_points:?}"));
    key.options(common);
    key.add("release-at", &release_at.to_string());
    let run_id = key.id(&quarters, "score");
    session.run_id = Some(run_id.clone());

    let run = session.stage("score", || {
        score_dataset(
            &dataset,
            &methodology,
            cut_points,
            common,
            Vec::new(),
            Vec::new(),
        )
    })?;
    source.unchanged()?;
    let started = run::stamp(session.started);
    session.release(&run_id, &methodology, None, |staging| {
        league_report::write_tables(staging, &run, &methodology).class(ExitClass::Io)?;
        let mut manifest = manifest::Manifest::new(
            &run_id,
            "score",
            &methodology,
            &config,
            started,
            run::stamp(release_at),
        );
        manifest.periods = periods.clone();
        manifest.seed = run.seed;
        manifest.replicates = run.replicates;
        manifest.inputs = vec![manifest::Input {
            path: source.name.clone(),
            sha256: source.sha256.clone(),
            format: "nof-data".to_owned(),
            rows_read: summary.rows_read,
            rows_accepted: summary.accepted,
            rows_quarantined: 0,
            rows_excluded: summary.rows_read.saturating_sub(summary.accepted),
        }];
        Ok(manifest)
    })?;
    for t in &run.tables {
        tracing::info!(quarter = %t.quarter, peer_group = %t.peer_group, trusts = t.rows.len(), "league table written");
    }
    tracing::info!(release = %run_id, seed = run.seed, replicates = run.replicates, "done");
    Ok(())
}

pub(crate) fn score_dataset(
    dataset: &league_model::Dataset,
    methodology: &Methodology,
    cut_points: Option<[f64; 3]>,
    common: &Common,
    boards: Vec<league_model::BoardAssessment>,
    prior: Vec<league_model::PriorResult>,
) -> anyhow::Result<league_model::ScoreRun> {
    let opts = league_score::ScoreOptions {
        cut_points,
        seed: common.seed,
        replicates: common.replicates,
        boards,
        prior,
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
