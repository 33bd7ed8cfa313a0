//! The command line's words: the clap types and nothing that runs them (`commands/` does).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use league_model::Quarter;

#[derive(Debug, Parser)]
#[command(
    name = "league",
    version,
    about = "NHS Oversight Framework league tables"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
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
        /// Which outputs: tables (always), national-packs, trust-documents, site.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "tables,national-packs,trust-documents,site"
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
    /// Preview a release's site on 127.0.0.1 (read-only; for checking a release before it is
    /// published, not for publishing it).
    Serve {
        /// The site, a release holding one, or an output root (its current release).
        #[arg(default_value = "reports")]
        dir: PathBuf,
        /// Port on 127.0.0.1 (0 picks a free one and prints it).
        #[arg(long, default_value_t = 8000)]
        port: u16,
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
    pub methodology: Option<PathBuf>,
    /// Directory with trusts_reference.csv and ods_etr_trusts.csv (default: the data's
    /// reference/).
    #[arg(long)]
    pub reference_dir: Option<PathBuf>,
    /// Bootstrap seed for likely ranges (default: the methodology's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Bootstrap replicates (default: the methodology's 2,000; at least 100).
    #[arg(long)]
    pub replicates: Option<u32>,
    /// Raise or lower one input limit for this run, e.g. `--limit max_file_bytes=200000000`
    /// (repeatable; the limits and their defaults are in data/validation/limits.toml).
    #[arg(long = "limit", value_name = "NAME=VALUE")]
    pub limit: Vec<String>,
    /// The release date printed on every document, YYYY-MM-DD, a weekday (default: the run's
    /// date, or the next weekday).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub release_date: Option<String>,
}
