//! A run in progress on a locked output root: its JSON-lines log, stage timings, the release it
//! builds (staging, manifest, check, promotion, history, retention) and its outcome record.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::clock::stamp;
use crate::error::{Classify, ExitClass};
use crate::logging::Timings;
use crate::store::{LockedRoot, OutputRoot, RunId, history, manifest, outcomes, published};
use crate::{fault, quality};

/// A run in progress on a locked output root: its log, stage timings and outcome record.
pub(crate) struct Session {
    pub root: LockedRoot,
    pub job: String,
    pub started: jiff::Timestamp,
    pub timings: Timings,
    /// The stage under way (named in the outcome if the run fails).
    pub stage: &'static str,
    /// The run id, once known.
    pub run_id: Option<RunId>,
    /// Set once the run's `complete` outcome is recorded (its commit point).
    committed: bool,
    log: PathBuf,
}

impl Session {
    /// Locks `out`, removes what dead runs left, and starts the JSON-lines log
    /// `OUT/logs/<start>-<job>.jsonl`.
    pub fn open(out: &Path, job: &str) -> anyhow::Result<Self> {
        let started = jiff::Timestamp::now();
        let root = OutputRoot::new(out).lock()?;
        outcomes::create(&root)?;
        let log = root.log(started, job);
        crate::logging::open_json(&log)
            .with_context(|| format!("cannot write the log {}", log.display()))
            .class(ExitClass::Io)?;
        tracing::info!(job, out = %out.display(), git_commit = manifest::GIT_COMMIT, "run started");
        fault::point("after-lock");
        Ok(Self {
            root,
            job: job.to_owned(),
            started,
            timings: Timings::default(),
            stage: "setup",
            run_id: None,
            committed: false,
            log,
        })
    }

    /// Runs `f` as the named stage (timed; named in the outcome if it fails).
    pub fn stage<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        self.stage = name;
        self.timings.stage(name, f)
    }

    /// The outcome line of this run, as `run-history.jsonl` records it.
    fn outcome(
        &self,
        error: Option<(&anyhow::Error, u8)>,
        periods: &[String],
    ) -> serde_json::Value {
        // The first line of each cause only: details below may quote row values.
        let message = error.map(|(e, _)| {
            e.chain()
                .map(|c| c.to_string())
                .filter(|c| !c.is_empty())
                .map(|c| c.lines().next().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
                .join(": ")
        });
        serde_json::json!({
            "run_id": self.run_id.as_ref().map(RunId::as_str),
            "job": self.job,
            "periods": periods,
            "started": stamp(self.started),
            "finished": stamp(jiff::Timestamp::now()),
            "status": if error.is_some() { "failed" } else { "complete" },
            "failed_stage": error.map(|_| self.stage),
            "exit_code": error.map_or(0, |(_, code)| code),
            "error": message,
            "log": self.log.strip_prefix(self.root.dir()).unwrap_or(&self.log).display().to_string(),
        })
    }

    /// The run's commit point: its `complete` outcome line, recorded and fsynced (a failure
    /// to record it fails the run, and recovery then removes the uncommitted release), then
    /// `current` pointed at its release. Nothing after this can fail the run.
    pub fn commit(&mut self, run_id: &RunId, periods: &[String]) -> anyhow::Result<()> {
        self.run_id = Some(run_id.clone());
        self.stage = "commit";
        outcomes::append(&self.root, &self.outcome(None, periods))?;
        self.committed = true;
        fault::point("commit:recorded");
        if let Err(e) = self.root.point_current(run_id) {
            // Committed: the next run to take the lock points `current` here (recovery).
            tracing::error!(release = %run_id, error = %format!("{e:#}"), "the run is complete but current could not be pointed at it; the next run will");
        }
        Ok(())
    }

    /// Ends the run: on failure, records the outcome (a line in `OUT/run-history.jsonl`, kept
    /// for trend reporting and backfill's `failed` mode) and prints a one-line summary on
    /// standard error with the run id, failed stage and log path. A successful run recorded
    /// its outcome when it committed.
    pub fn finish<T>(self, result: anyhow::Result<T>, periods: &[String]) -> anyhow::Result<T> {
        let named = self
            .run_id
            .as_ref()
            .map_or("(not yet named)", RunId::as_str)
            .to_owned();
        match &result {
            Ok(_) if self.committed => tracing::info!(run_id = named, "run complete"),
            Ok(_) => {
                // Every successful run commits; one that did not is a bug, recorded as failed.
                tracing::error!(run_id = named, "run ended without committing");
            }
            Err(e) => {
                let exit_code = crate::error::exit_class(e) as u8;
                tracing::error!(run_id = named, stage = self.stage, exit_code, "run failed");
                let line = self.outcome(Some((e, exit_code)), periods);
                if let Err(e) = outcomes::append(&self.root, &line) {
                    tracing::warn!(error = %format!("{e:#}"), "cannot record the run's outcome");
                }
                eprintln!(
                    "run failed: run id {named}, stage {}, exit code {exit_code}; log {}",
                    self.stage,
                    self.log.display()
                );
            }
        }
        crate::logging::close_json();
        if result.is_ok() && !self.committed {
            return Err(anyhow::anyhow!(
                "the run ended without committing its release"
            ))
            .class(ExitClass::Internal);
        }
        result
    }

    /// Builds release `run_id`: `write` fills a staging directory and returns the manifest
    /// (outputs, finish time and status are completed here); the manifest is written, the
    /// staged set checked, the manifest marked checked with its stage timings; a new release's
    /// history rows are written and it is renamed into `releases/` ([`LockedRoot::place`]); the
    /// run commits ([`Session::commit`]), and retention is applied.
    pub fn release(
        &mut self,
        run_id: &RunId,
        periods: &[String],
        m: &league_model::Methodology,
        keep: Option<usize>,
        write: impl FnOnce(&Path) -> anyhow::Result<manifest::Manifest>,
    ) -> anyhow::Result<PathBuf> {
        let staging = self.root.staging()?;
        let mut manifest = self.stage("write", || write(staging.path()))?;
        fault::point("after-write");
        manifest.outputs = manifest::outputs(staging.path())
            .context("cannot hash the outputs")
            .class(ExitClass::Io)?;
        manifest::write(staging.path(), &manifest)?;
        let report = self.stage("check", || {
            quality::check(staging.path(), m, quality::Staged::Yes)
        })?;
        fault::point("after-check");
        manifest.quality_check = Some(manifest::QualityCheck {
            passed: true,
            figures: report.checked.values().sum(),
        });
        manifest.status = "checked";
        manifest.finished = stamp(jiff::Timestamp::now());
        manifest.stages = self
            .timings
            .stages
            .iter()
            .map(|(stage, d)| manifest::Stage {
                stage: stage.clone(),
                seconds: (d.as_secs_f64() * 1000.0).round() / 1000.0,
            })
            .collect();
        manifest::write(staging.path(), &manifest)?;
        let root = &self.root;
        let fresh = root.is_new(&staging, run_id)?;
        if fresh {
            // Before the release is placed: until the run commits, these rows belong to no
            // complete run, and recovery removes them if it never does.
            self.stage = "history";
            self.timings
                .stage("history", || history::write(root, staging.path(), run_id))?;
            fault::point("after-history");
        }
        self.stage = "promote";
        let dir = self
            .timings
            .stage("promote", || root.place(staging, run_id))?;
        if let Err(e) = self.commit(run_id, periods) {
            // Not committed: a release this run placed goes at once (else at the next lock).
            if fresh && let Err(r) = self.root.roll_back(run_id) {
                tracing::warn!(error = %format!("{r:#}"), "the uncommitted release could not be removed; the next run removes it");
            }
            return Err(e);
        }
        if let Some(keep) = keep {
            // After the commit: a release that cannot be pruned is kept, and the run stands.
            let published = published::published_ids(&self.root);
            if let Err(e) = self.root.prune(keep, &published) {
                tracing::warn!(error = %format!("{e:#}"), "old releases could not be removed by the retention rule; the next run tries again");
            }
        }
        tracing::info!(release = %run_id, dir = %dir.display(), "release current");
        Ok(dir)
    }
}
