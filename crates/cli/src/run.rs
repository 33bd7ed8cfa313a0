//! A run, start to finish: lock the output root, hash the inputs, ingest, pick the period,
//! name the run, score, write into staging, check, promote to a release, append the history,
//! apply retention, and record the outcome. `league report`, `league run JOB` and
//! `league backfill` all come through [`run`]; `league score` shares [`Session`].
//!
//! A run id is `<period>-<job>-<12 hex>`, the hex from the SHA-256 of everything that decides
//! the outputs: the build (version, git commit, Cargo.lock), the configuration and reference
//! files, every input's name and bytes, the options and the release time. The same id means
//! the same bytes, so a complete release is never built twice unless asked (`--rerun`, which
//! then insists every output is byte-identical).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use league_model::Quarter;

use crate::data::{self, DataDir};
use crate::job::{Job, OutputSet, Period, ReleaseTime};
use crate::logging::Timings;
use crate::release::{self, Root};
use crate::{Classify, Common, ExitClass, fault};

/// Where an input comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InputSpec {
    /// The default dataset of the data directory (compiled in unless `--data-dir`).
    Default,
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
            return vec![Self::Default];
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

/// What to do when the release a run would make already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reuse {
    /// Build it anyway; identical outputs keep the existing release (an analyst's `report`).
    Build,
    /// Verify the existing release's files against its manifest and make it current; build
    /// nothing (`league run`, backfill).
    Skip,
    /// Build again and fail unless every output is byte-identical (`league run --rerun`).
    Compare,
}

/// Everything a run needs, from the command line or a job file.
#[derive(Debug, Clone)]
pub(crate) struct RunSpec {
    pub job: String,
    pub data: DataDir,
    /// The methodology file under the data directory.
    pub methodology: String,
    pub inputs: Vec<InputSpec>,
    pub common: Common,
    pub out: PathBuf,
    pub board_assessment: Option<PathBuf>,
    pub period: Period,
    pub outputs: OutputSet,
    pub release: ReleaseTime,
    pub keep_releases: Option<usize>,
    pub reuse: Reuse,
}

impl RunSpec {
    /// The run a job file describes, for `period`.
    pub fn from_job(job: &Job, period: Period, reuse: Reuse) -> Self {
        Self {
            job: job.name.clone(),
            data: DataDir::from_arg(job.data_dir.clone()),
            methodology: DataDir::methodology_path(&job.methodology),
            inputs: {
                let mut v: Vec<InputSpec> = if job.inputs.is_empty() {
                    vec![InputSpec::Default]
                } else {
                    job.inputs.iter().cloned().map(InputSpec::Path).collect()
                };
                v.extend(job.records.iter().cloned().map(InputSpec::Records));
                v
            },
            common: Common::default(),
            out: job.out.clone(),
            board_assessment: job.board_assessment.clone(),
            period,
            outputs: job.outputs,
            release: job.release.clone(),
            keep_releases: job.keep_releases,
            reuse,
        }
    }
}

/// A run in progress on a locked output root: its log, stage timings and outcome record.
pub(crate) struct Session {
    pub root: Root,
    pub job: String,
    pub started: jiff::Timestamp,
    pub timings: Timings,
    /// The stage under way (named in the outcome if the run fails).
    pub stage: &'static str,
    /// The run id, once known.
    pub run_id: Option<String>,
    log: PathBuf,
}

/// The time as the manifest and logs write it: RFC 3339, UTC, whole seconds.
pub(crate) fn stamp(t: jiff::Timestamp) -> String {
    // Whole seconds, truncated: a start is never stamped after it happened.
    jiff::Timestamp::from_second(t.as_second())
        .unwrap_or(t)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

impl Session {
    /// Locks `out`, removes what dead runs left, and starts the JSON-lines log
    /// `OUT/logs/<start>-<job>.jsonl`.
    pub fn open(out: &Path, job: &str) -> anyhow::Result<Self> {
        let started = jiff::Timestamp::now();
        let root = Root::open(out)?;
        let log = out.join("logs").join(format!(
            "{}-{job}.jsonl",
            started.strftime("%Y%m%dT%H%M%S%.fZ")
        ));
        crate::logging::open_json(&log)
            .with_context(|| format!("cannot write the log {}", log.display()))
            .class(ExitClass::Io)?;
        tracing::info!(job, out = %out.display(), git_commit = crate::manifest::GIT_COMMIT, "run started");
        fault::point("after-lock");
        Ok(Self {
            root,
            job: job.to_owned(),
            started,
            timings: Timings::default(),
            stage: "setup",
            run_id: None,
            log,
        })
    }

    /// Runs `f` as the named stage (timed; named in the outcome if it fails).
    pub fn stage<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        self.stage = name;
        self.timings.stage(name, f)
    }

    /// Records the outcome: a line in `OUT/run-history.jsonl` (kept for trend reporting and
    /// for backfill's `failed` mode), and, on failure, a one-line summary on standard error
    /// with the run id, failed stage and log path.
    pub fn finish<T>(self, result: anyhow::Result<T>, periods: &[String]) -> anyhow::Result<T> {
        let finished = jiff::Timestamp::now();
        let (status, exit_code, error) = match &result {
            Ok(_) => ("complete", 0u8, None),
            Err(e) => {
                // The first line of each cause only: details below may quote row values.
                let causes: Vec<String> = e
                    .chain()
                    .map(|c| c.to_string())
                    .filter(|c| !c.is_empty())
                    .map(|c| c.lines().next().unwrap_or_default().to_owned())
                    .collect();
                (
                    "failed",
                    crate::exit_class(e) as u8,
                    Some(causes.join(": ")),
                )
            }
        };
        let line = serde_json::json!({
            "run_id": self.run_id,
            "job": self.job,
            "periods": periods,
            "started": stamp(self.started),
            "finished": stamp(finished),
            "status": status,
            "failed_stage": error.as_ref().map(|_| self.stage),
            "exit_code": exit_code,
            "error": error,
            "log": self.log.strip_prefix(&self.root.out).unwrap_or(&self.log).display().to_string(),
        });
        let named = self.run_id.as_deref().unwrap_or("(not yet named)");
        match status {
            "complete" => tracing::info!(run_id = named, "run complete"),
            _ => tracing::error!(run_id = named, stage = self.stage, exit_code, "run failed"),
        }
        crate::logging::close_json();
        let history = self.root.out.join(OUTCOMES);
        let appended = std::fs::File::options()
            .create(true)
            .append(true)
            .open(&history)
            .and_then(|mut f| {
                writeln!(f, "{line}")?;
                f.sync_all()
            });
        if let Err(e) = appended {
            tracing::warn!(file = %history.display(), error = %e, "cannot record the run's outcome");
        }
        if result.is_err() {
            eprintln!(
                "run failed: run id {}, stage {}, exit code {exit_code}; log {}",
                self.run_id.as_deref().unwrap_or("(not yet named)"),
                self.stage,
                self.log.display()
            );
        }
        result
    }
}

impl Session {
    /// Builds release `run_id`: `write` fills a staging directory and returns the manifest
    /// (outputs, finish time and status are completed here); the manifest is written, the
    /// staged set checked, the manifest marked checked with its stage timings, then the set is
    /// promoted, the history appended and retention applied.
    pub fn release(
        &mut self,
        run_id: &str,
        m: &league_model::Methodology,
        keep: Option<usize>,
        write: impl FnOnce(&Path) -> anyhow::Result<crate::manifest::Manifest>,
    ) -> anyhow::Result<PathBuf> {
        let staging = self.root.staging()?;
        let mut manifest = self.stage("write", || write(staging.path()))?;
        fault::point("after-write");
        manifest.outputs = crate::manifest::outputs(staging.path())
            .context("cannot hash the outputs")
            .class(ExitClass::Io)?;
        crate::manifest::write(staging.path(), &manifest)?;
        let report = self.stage("check", || crate::quality_check(staging.path(), m, true))?;
        fault::point("after-check");
        manifest.quality_check = Some(crate::manifest::QualityCheck {
            passed: true,
            figures: report.checked.values().sum(),
        });
        manifest.status = "checked";
        manifest.finished = stamp(jiff::Timestamp::now());
        manifest.stages = self
            .timings
            .stages
            .iter()
            .map(|(stage, d)| crate::manifest::Stage {
                stage: stage.clone(),
                seconds: (d.as_secs_f64() * 1000.0).round() / 1000.0,
            })
            .collect();
        crate::manifest::write(staging.path(), &manifest)?;
        self.stage = "promote";
        let root = &self.root;
        let dir = self
            .timings
            .stage("promote", || root.promote(staging, run_id))?;
        self.stage = "history";
        let root = &self.root;
        self.timings
            .stage("history", || crate::history::append(root, run_id))?;
        fault::point("after-history");
        if let Some(keep) = keep {
            self.stage = "retention";
            let published = crate::publish::published_ids(&self.root.out);
            self.root.prune(keep, &published)?;
        }
        tracing::info!(release = run_id, dir = %dir.display(), "release current");
        Ok(dir)
    }
}

/// The outcome file's name under an output root.
pub(crate) const OUTCOMES: &str = "run-history.jsonl";

/// Every recorded outcome under `out`, newest first (unreadable lines skipped).
pub(crate) fn outcomes(out: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(out.join(OUTCOMES)).unwrap_or_default();
    text.lines()
        .rev()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The name of a set of periods in a run id: `2025-26-Q1`, or `2025-26-Q1-to-2025-26-Q3`.
pub(crate) fn period_slug(quarters: &[Quarter]) -> String {
    match (quarters.first(), quarters.last()) {
        (Some(a), Some(b)) if a == b => league_report::quarter_slug(*a),
        (Some(a), Some(b)) => format!(
            "{}-to-{}",
            league_report::quarter_slug(*a),
            league_report::quarter_slug(*b)
        ),
        _ => "no-period".to_owned(),
    }
}

/// Builds a run id from everything that decides the outputs.
#[derive(Debug, Default)]
pub(crate) struct RunKey {
    lines: Vec<String>,
}

impl RunKey {
    /// Starts with the build's identity.
    pub fn new(job: &str) -> Self {
        let mut k = Self::default();
        k.add("tool", env!("CARGO_PKG_VERSION"));
        k.add("git", crate::manifest::GIT_COMMIT);
        k.add("cargo-lock", &crate::manifest::cargo_lock_sha256());
        k.add("job", job);
        k
    }

    /// Adds one named fact.
    pub fn add(&mut self, what: &str, value: &str) {
        self.lines.push(format!("{what}\t{value}"));
    }

    /// Adds a file by its name and SHA-256.
    pub fn file(&mut self, what: &str, name: &str, sha256: &str) {
        self.add(what, &format!("{name} {sha256}"));
    }

    /// Adds every configuration and reference file read.
    pub fn config(&mut self, files: &[&crate::data::DataFile]) {
        for f in files {
            self.file("config", &f.name, &f.sha256());
        }
    }

    /// Adds the options every scoring run takes: seed, replicates and input limits.
    pub fn options(&mut self, common: &Common) {
        self.add("seed", &format!("{:?}", common.seed));
        self.add("replicates", &format!("{:?}", common.replicates));
        self.add("limits", &common.limit.join(";"));
    }

    /// `<period>-<job>-<12 hex>`.
    pub fn id(&self, quarters: &[Quarter], job: &str) -> String {
        let sha = crate::manifest::sha256_bytes(self.lines.join("\n").as_bytes());
        format!("{}-{job}-{}", period_slug(quarters), &sha[..12])
    }
}

/// Picks the quarters the period names from those in the inputs.
pub(crate) fn choose_quarters(
    period: Period,
    have: &[Quarter],
    today: jiff::civil::Date,
) -> anyhow::Result<Vec<Quarter>> {
    let listed = || {
        have.iter()
            .map(|q| q.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if have.is_empty() {
        return Err(anyhow::anyhow!(
            "the inputs hold no values to score in any quarter; nothing was written"
        ))
        .class(ExitClass::BadInput);
    }
    match period {
        Period::All => Ok(have.to_vec()),
        Period::Quarter(q) if have.contains(&q) => Ok(vec![q]),
        Period::Quarter(q) => Err(anyhow::anyhow!(
            "period {q} is not in the inputs (they hold: {})",
            listed()
        ))
        .class(ExitClass::BadInput),
        Period::LatestComplete => {
            let today = (today.year(), today.month());
            let done = have
                .iter()
                .copied()
                .filter(|q| {
                    let (y, m) = q.months()[2];
                    (i16::try_from(y).unwrap_or(i16::MAX), m as i8) < today
                })
                .max();
            done.map(|q| vec![q])
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "no quarter in the inputs has ended yet (they hold: {})",
                        listed()
                    )
                })
                .class(ExitClass::BadInput)
        }
    }
}

/// Today's date in the release zone (for "latest-complete" only; the chosen quarter is then
/// part of the run id).
pub(crate) fn today(release: &ReleaseTime) -> jiff::civil::Date {
    let tz = jiff::tz::TimeZone::get(&release.zone).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::now().to_zoned(tz).date()
}

/// True when `dir` is a checked release whose every file matches its manifest.
pub(crate) fn release_is_whole(dir: &Path) -> bool {
    let Ok(m) = release::read_manifest(dir) else {
        return false;
    };
    if m["status"] != "checked" {
        return false;
    }
    m["outputs"].as_array().is_some_and(|outs| {
        outs.iter().all(|o| {
            let path = dir.join(o["path"].as_str().unwrap_or_default());
            crate::manifest::sha256_file(&path)
                .is_ok_and(|s| Some(s.as_str()) == o["sha256"].as_str())
        })
    })
}

/// `league report` / `league run`: one run, recorded whatever its outcome. Returns the run id.
pub(crate) fn run(spec: &RunSpec) -> anyhow::Result<String> {
    let mut session = Session::open(&spec.out, &spec.job)?;
    // A named period is the run's from the start, so a failure before it is checked is still
    // recorded against it (backfill's "failed" mode reads that).
    let mut periods = match spec.period {
        Period::Quarter(q) => vec![q.to_string()],
        _ => Vec::new(),
    };
    let result = crate::pipeline::report(spec, &mut session, &mut periods);
    session.finish(result, &periods)
}

/// Backfill modes (Airflow's reprocessing behaviours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BackfillMode {
    /// Run periods without a complete release.
    Missing,
    /// Also rerun periods whose latest run failed.
    Failed,
    /// Run every period.
    All,
}

impl BackfillMode {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "missing" => Ok(Self::Missing),
            "failed" => Ok(Self::Failed),
            "all" => Ok(Self::All),
            other => Err(format!("--mode {other:?}: expected missing, failed or all")),
        }
    }
}

/// What backfill decides for one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    Run,
    /// Skipped: a complete release of this job exists for the period.
    Complete(String),
}

/// The job's complete releases for one period, and whether its latest run for the period
/// failed.
fn period_state(out: &Path, job: &str, q: Quarter) -> (Option<String>, bool) {
    let slug = league_report::quarter_slug(q);
    let prefix = format!("{slug}-{job}-");
    let mut complete = None;
    if let Ok(entries) = std::fs::read_dir(out.join(release::RELEASES)) {
        let mut ids: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|id| id.starts_with(&prefix))
            .collect();
        ids.sort();
        complete = ids
            .into_iter()
            .rev()
            .find(|id| release_is_whole(&out.join(release::RELEASES).join(id)));
    }
    let last_failed = outcomes(out)
        .into_iter()
        .find(|v| {
            v["job"] == job
                && v["periods"]
                    .as_array()
                    .is_some_and(|p| p.len() == 1 && p[0] == q.to_string())
        })
        .is_some_and(|v| v["status"] == "failed");
    (complete, last_failed)
}

/// The plan for every quarter from `from` to `to`.
pub(crate) fn backfill_plan(
    job: &Job,
    from: Quarter,
    to: Quarter,
    mode: BackfillMode,
) -> Vec<(Quarter, Plan)> {
    crate::job::quarters_between(from, to)
        .into_iter()
        .map(|q| {
            let (complete, failed) = period_state(&job.out, &job.name, q);
            let plan = match (mode, complete) {
                (BackfillMode::All, _) | (_, None) => Plan::Run,
                (BackfillMode::Failed, Some(_)) if failed => Plan::Run,
                (_, Some(id)) => Plan::Complete(id),
            };
            (q, plan)
        })
        .collect()
}

/// `league backfill`: runs the job for each planned quarter in order, and reports each. A
/// failed period does not stop the others; the exit code is the first failure's.
pub(crate) fn backfill(
    job: &Job,
    from: Quarter,
    to: Quarter,
    mode: BackfillMode,
    dry_run: bool,
) -> anyhow::Result<()> {
    if from > to {
        return Err(anyhow::anyhow!("--from {from} is after --to {to}"))
            .class(ExitClass::BadConfig);
    }
    if job.out.exists() && !job.out.is_dir() {
        return Err(anyhow::anyhow!(
            "the output root {} is a file, not a directory",
            job.out.display()
        ))
        .class(ExitClass::BadConfig);
    }
    let plan = backfill_plan(job, from, to, mode);
    let mut first_error = None;
    for (q, p) in plan {
        let slug = league_report::quarter_slug(q);
        match p {
            Plan::Complete(id) => println!("skip {slug}: complete as release {id}"),
            Plan::Run if dry_run => println!("run  {slug}"),
            Plan::Run => {
                let reuse = if mode == BackfillMode::All {
                    Reuse::Compare
                } else {
                    Reuse::Skip
                };
                match run(&RunSpec::from_job(job, Period::Quarter(q), reuse)) {
                    Ok(id) => println!("ran  {slug}: release {id}"),
                    Err(e) => {
                        println!(
                            "FAIL {slug}: {}",
                            e.chain()
                                .map(|c| c.to_string())
                                .find(|c| !c.is_empty())
                                .unwrap_or_default()
                                .lines()
                                .next()
                                .unwrap_or_default()
                        );
                        first_error.get_or_insert(e);
                    }
                }
            }
        }
    }
    match first_error {
        None => Ok(()),
        Some(e) => Err(e.context("backfill: at least one period failed (see above)")),
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
            InputSpec::Default => {
                let f = data.read(data::DEFAULT_DATASET)?;
                Ok(Self {
                    sha256: f.sha256(),
                    name: f.name,
                    path: f.path,
                    bytes: Some(f.bytes),
                    records: None,
                })
            }
            InputSpec::Stdin => {
                let bytes = crate::pipeline::read_stdin(limits)?;
                Ok(Self {
                    name: crate::pipeline::STDIN_NAME.to_owned(),
                    sha256: crate::manifest::sha256_bytes(&bytes),
                    path: None,
                    bytes: Some(bytes),
                    records: None,
                })
            }
            InputSpec::Path(p) => {
                // Only a regular file is hashed and read: a pipe would block, a device never end.
                league_ingest::ensure_regular_file(p)
                    .map_err(crate::ingest_error)
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
    crate::retry::io("hash an input", || crate::manifest::sha256_file(p))
        .with_context(|| format!("cannot read {}", p.display()))
        .class(ExitClass::Io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quarter {
        s.parse().expect("quarter")
    }

    #[test]
    fn times_are_stamped_in_whole_seconds_never_after_the_event() {
        let t: jiff::Timestamp = "2026-12-01T03:18:46.82Z".parse().expect("time");
        assert_eq!(stamp(t), "2026-12-01T03:18:46Z");
    }

    #[test]
    fn latest_complete_is_the_last_quarter_whose_months_have_ended() {
        let have = [q("2025-26-Q1"), q("2025-26-Q2"), q("2025-26-Q3")];
        let on = |d: &str| {
            choose_quarters(Period::LatestComplete, &have, d.parse().expect("date"))
                .map(|v| v.iter().map(|q| q.to_string()).collect::<Vec<_>>())
        };
        // Q3 (Oct–Dec 2025) ends on 31 December 2025.
        assert_eq!(on("2025-12-31").expect("Q2"), ["Q2 2025/26"]);
        assert_eq!(on("2026-01-01").expect("Q3"), ["Q3 2025/26"]);
        assert!(on("2025-06-30").is_err(), "no quarter has ended");
    }

    #[test]
    fn a_named_period_must_be_in_the_inputs_and_empty_inputs_make_nothing() {
        let day: jiff::civil::Date = "2026-12-01".parse().expect("date");
        let have = [q("2025-26-Q1")];
        let e = choose_quarters(Period::Quarter(q("2025-26-Q2")), &have, day).expect_err("absent");
        assert!(
            format!("{e:#}").contains("not in the inputs (they hold: Q1 2025/26)"),
            "{e:#}"
        );
        let e = choose_quarters(Period::All, &[], day).expect_err("empty");
        assert!(format!("{e:#}").contains("no values to score"), "{e:#}");
    }

    #[test]
    fn run_ids_name_the_period_and_job_and_change_with_any_input() {
        let mut a = RunKey::new("nightly");
        a.add("input", "x");
        let mut b = RunKey::new("nightly");
        b.add("input", "y");
        let id = a.id(&[q("2025-26-Q1")], "nightly");
        assert!(id.starts_with("2025-26-Q1-nightly-"), "{id}");
        assert_eq!(id.len(), "2025-26-Q1-nightly-".len() + 12);
        assert_ne!(id, b.id(&[q("2025-26-Q1")], "nightly"));
        assert_eq!(id, a.id(&[q("2025-26-Q1")], "nightly"), "deterministic");
        assert!(
            a.id(&[q("2025-26-Q1"), q("2025-26-Q3")], "nightly")
                .starts_with("2025-26-Q1-to-2025-26-Q3-nightly-")
        );
    }
}
