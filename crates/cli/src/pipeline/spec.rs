//! What a run is asked to do ([`RunSpec`], from the command line or a job file) and [`run`],
//! which carries it out on a locked output root and records its outcome whatever it is.

use std::path::PathBuf;

use league_model::Quarter;

use crate::args::Common;
use crate::config::data::DataDir;
use crate::config::job::{Job, OutputSet, Period, ReleaseTime};
use crate::error::{Classify, ExitClass};
#[cfg(test)]
use crate::pipeline::RunKey;
use crate::pipeline::{InputSpec, Session};

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
                    InputSpec::defaults()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quarter {
        s.parse().expect("quarter")
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
        let id = a.id(&[q("2025-26-Q1")], "nightly").expect("id");
        assert!(id.starts_with("2025-26-Q1-nightly-"), "{id}");
        assert_eq!(id.len(), "2025-26-Q1-nightly-".len() + 12);
        assert_ne!(id, b.id(&[q("2025-26-Q1")], "nightly").expect("id"));
        assert_eq!(
            id,
            a.id(&[q("2025-26-Q1")], "nightly").expect("id"),
            "deterministic"
        );
        assert!(
            a.id(&[q("2025-26-Q1"), q("2025-26-Q3")], "nightly")
                .expect("id")
                .starts_with("2025-26-Q1-to-2025-26-Q3-nightly-")
        );
    }
}
