//! A run in progress on a locked output root: its JSON-lines log, stage timings, the release it
//! builds (staging, manifest, check, promotion, history, retention) and its outcome record.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::clock::stamp;
use crate::error::{Classify, ExitClass};
use crate::logging::Timings;
use crate::store::{LockedRoot, OutputRoot, history, manifest, outcomes, published};
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
    pub run_id: Option<String>,
    log: PathBuf,
}

impl Session {
    /// Locks `out`, removes what dead runs left, and starts the JSON-lines log
    /// `OUT/logs/<start>-<job>.jsonl`.
    pub fn open(out: &Path, job: &str) -> anyhow::Result<Self> {
        let started = jiff::Timestamp::now();
        let root = OutputRoot::new(out).lock()?;
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
                    crate::error::exit_class(e) as u8,
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
            "log": self.log.strip_prefix(self.root.dir()).unwrap_or(&self.log).display().to_string(),
        });
        let named = self.run_id.as_deref().unwrap_or("(not yet named)");
        match status {
            "complete" => tracing::info!(run_id = named, "run complete"),
            _ => tracing::error!(run_id = named, stage = self.stage, exit_code, "run failed"),
        }
        crate::logging::close_json();
        outcomes::append(&self.root, &line);
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

    /// Builds release `run_id`: `write` fills a staging directory and returns the manifest
    /// (outputs, finish time and status are completed here); the manifest is written, the
    /// staged set checked, the manifest marked checked with its stage timings, then the set is
    /// promoted, the history appended and retention applied.
    pub fn release(
        &mut self,
        run_id: &str,
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
        self.stage = "promote";
        let root = &self.root;
        let dir = self
            .timings
            .stage("promote", || root.promote(staging, run_id))?;
        self.stage = "history";
        let root = &self.root;
        self.timings
            .stage("history", || history::append(root, run_id))?;
        fault::point("after-history");
        if let Some(keep) = keep {
            self.stage = "retention";
            let published = published::published_ids(&self.root);
            self.root.prune(keep, &published)?;
        }
        tracing::info!(release = run_id, dir = %dir.display(), "release current");
        Ok(dir)
    }
}
