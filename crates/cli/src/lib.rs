//! The `league` command line: argument parsing, commands, logging and exit codes.
//!
//! Commands ([`Command`]):
//! - `league score --nof-data FILE --out DIR`: score NHS England's NOF data file and write the
//!   league tables and derived metric scores for every quarter and peer group in it.
//! - `league report`: the main job; scores the embedded default dataset under `data/` and writes
//!   to `reports/`.
//!
//! This crate is the only place that reads the environment (`RUST_LOG`) or decides exit codes;
//! the library crates take paths and options as parameters. Every failure is printed with one
//! line per cause and mapped to an [`ExitClass`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use league_model::{Methodology, Quarter};

/// Exit codes, one per class of failure (documented in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitClass {
    /// The input data is invalid (3).
    BadInput = 3,
    /// The methodology configuration or an option is invalid (4).
    BadConfig = 4,
    /// A file could not be read or written (5).
    Io = 5,
    /// A bug (10).
    Internal = 10,
}

/// An error tagged with its exit class.
#[derive(Debug, thiserror::Error)]
#[error("{class:?}")]
struct Classified {
    class: ExitClass,
}

trait Classify<T> {
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
    /// The main job: score the embedded default dataset and write to reports/.
    Report {
        /// Directory holding the embedded default data (methodology, reference, nof).
        #[arg(long, default_value = "data")]
        data_dir: PathBuf,
        /// Options shared by the scoring commands.
        #[command(flatten)]
        common: Common,
        /// Output directory.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
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
    /// Bootstrap replicates (default: the methodology's, at least 2,000).
    #[arg(long)]
    replicates: Option<u32>,
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
            let mut causes = e.chain().filter(|c| !c.is::<Classified>());
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
            common,
            out,
        } => {
            let input = data_dir.join("nof/nof_mh_community_2025_26_q1_to_q3_data.csv");
            tracing::info!(input = %input.display(), "main job: scoring the embedded default dataset");
            score_file(&input, None, None, &common, &data_dir, &out)
        }
    }
}

fn score_file(
    input: &Path,
    quarter: Option<Quarter>,
    cut_points: Option<[f64; 3]>,
    common: &Common,
    data_dir: &Path,
    out: &Path,
) -> anyhow::Result<()> {
    let method_path = common
        .methodology
        .clone()
        .unwrap_or_else(|| data_dir.join("methodology/nof-2025-26.toml"));
    let text = std::fs::read_to_string(&method_path)
        .with_context(|| format!("cannot read methodology {}", method_path.display()))
        .class(ExitClass::Io)?;
    let methodology = Methodology::from_toml(&method_path.display().to_string(), &text)
        .context("invalid methodology configuration")
        .class(ExitClass::BadConfig)?;

    let ref_dir = common
        .reference_dir
        .clone()
        .unwrap_or_else(|| data_dir.join("reference"));
    let register = league_ingest::TrustRegister::load(
        &ref_dir.join("trusts_reference.csv"),
        Some(&ref_dir.join("ods_etr_trusts.csv")),
    )
    .map_err(ingest_error)
    .context("cannot load the trust register")?;

    let (mut dataset, summary) = league_ingest::read_nof_data(input, &methodology, &register)
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
        "input read"
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

    let opts = league_score::ScoreOptions {
        cut_points,
        seed: common.seed,
        replicates: common.replicates,
    };
    let run = league_score::score(&dataset, &methodology, &opts).map_err(|e| {
        let class = match e {
            league_score::ScoreError::BadCutPoints(_) => ExitClass::BadConfig,
            league_score::ScoreError::NothingToSegment(_) => ExitClass::BadInput,
            league_score::ScoreError::Columnar(_) => ExitClass::Internal,
        };
        anyhow::Error::new(e).context(Classified { class })
    })?;
    for c in &run.cuts {
        tracing::info!(quarter = %c.quarter, cuts = ?c.cuts, source = ?c.source, "segment cut-points");
    }

    let mut written = Vec::new();
    league_report::publish(out, |staging| -> anyhow::Result<()> {
        written = league_report::write_tables(staging, &run, &methodology).class(ExitClass::Io)?;
        Ok(())
    })
    .map_err(|e| {
        if e.is::<Classified>() {
            e
        } else {
            e.context(Classified {
                class: ExitClass::Io,
            })
        }
    })?;
    for t in &run.tables {
        tracing::info!(quarter = %t.quarter, peer_group = %t.peer_group, trusts = t.rows.len(), "league table written");
    }
    tracing::info!(out = %out.display(), files = written.len(), seed = run.seed, replicates = run.replicates, "done");
    Ok(())
}

fn ingest_error(e: league_ingest::IngestError) -> anyhow::Error {
    let class = if e.is_bad_input() {
        ExitClass::BadInput
    } else {
        ExitClass::Io
    };
    anyhow::Error::new(e).context(Classified { class })
}
