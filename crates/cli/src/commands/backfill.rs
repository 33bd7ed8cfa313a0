//! `league backfill`: the job for past quarters, skipping complete ones unless asked
//! (Airflow's reprocessing modes).

use std::path::{Path, PathBuf};

use league_model::Quarter;

use crate::config::job::{self, Job, Period};
use crate::error::{Classify, ExitClass};
use crate::pipeline::{self, Reuse, RunSpec};
use crate::store::manifest::release_is_whole;
use crate::store::{OutputRoot, outcomes};

/// `league backfill`.
pub(crate) fn command(
    job: &Path,
    from: Quarter,
    to: Quarter,
    mode: &str,
    dry_run: bool,
    out: Option<PathBuf>,
) -> anyhow::Result<()> {
    let mut job = Job::load(job)?;
    if let Some(out) = out {
        job.out = out;
    }
    let mode = BackfillMode::parse(mode)
        .map_err(anyhow::Error::msg)
        .class(ExitClass::BadConfig)?;
    backfill(&job, from, to, mode, dry_run)
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
fn period_state(root: &OutputRoot, job: &str, q: Quarter) -> (Option<String>, bool) {
    let slug = league_report::quarter_slug(q);
    let prefix = format!("{slug}-{job}-");
    let complete = root
        .release_ids()
        .unwrap_or_default()
        .into_iter()
        .filter(|id| id.starts_with(&prefix))
        .rev()
        .find(|id| release_is_whole(&root.release(id)))
        .map(|id| id.to_string());
    let last_failed = outcomes::all(root)
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
    job::quarters_between(from, to)
        .into_iter()
        .map(|q| {
            let (complete, failed) = period_state(&OutputRoot::new(&job.out), &job.name, q);
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
                match pipeline::run(&RunSpec::from_job(job, Period::Quarter(q), reuse)) {
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
