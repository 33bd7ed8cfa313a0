//! `league run JOB`: a job file's inputs, period, outputs and output root. A period whose
//! release is already complete is verified and left as it is (`--rerun` builds it again and
//! insists on identical bytes).

use std::path::{Path, PathBuf};

use crate::config::job::{Job, Period};
use crate::error::{Classify, ExitClass};
use crate::pipeline::{self, Reuse, RunSpec};

/// `league run`.
pub(crate) fn command(
    job: &Path,
    period: Option<&str>,
    rerun: bool,
    out: Option<PathBuf>,
) -> anyhow::Result<()> {
    let mut job = Job::load(job)?;
    if let Some(out) = out {
        job.out = out;
    }
    tracing::info!(job = %job.name, file = %job.file.display(), "job loaded");
    let period = match period {
        None => job.period,
        Some(p) => Period::parse(p)
            .map_err(|e| anyhow::anyhow!("--period: {e}"))
            .class(ExitClass::BadConfig)?,
    };
    let reuse = if rerun { Reuse::Compare } else { Reuse::Skip };
    pipeline::run(&RunSpec::from_job(&job, period, reuse)).map(|_| ())
}
