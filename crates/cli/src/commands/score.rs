//! `league score --nof-data FILE`: NHS England's NOF data file scored as published, written as
//! a release.

use std::path::Path;

use anyhow::Context as _;

use league_model::{Dataset, Quarter};

use crate::args::Common;
use crate::clock::stamp;
use crate::config::data::{self, DataDir};
use crate::config::{self, Setup};
use crate::error::{Classify, ExitClass, ingest_error};
use crate::pipeline::{InputSpec, LoadedInput, RunKey, Session, score_dataset};
use crate::store::manifest;

/// What `league score` was asked for.
struct Request<'a> {
    input: &'a Path,
    quarter: Option<Quarter>,
    cut_points: Option<[f64; 3]>,
    common: &'a Common,
    data: &'a DataDir,
}

/// `league score`.
pub(crate) fn command(
    input: &Path,
    quarter: Option<Quarter>,
    cut_points: Option<&[f64]>,
    common: &Common,
    data: &DataDir,
    out: &Path,
) -> anyhow::Result<()> {
    let cut_points = match cut_points {
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
    let request = Request {
        input,
        quarter,
        cut_points,
        common,
        data,
    };
    let mut session = Session::open(out, "score")?;
    let mut periods = Vec::new();
    let result = score_release(&mut session, &mut periods, &request);
    session.finish(result, &periods)
}

/// Reads, scores and releases the file; `periods` receives the quarters once known.
fn score_release(
    session: &mut Session,
    periods: &mut Vec<String>,
    r: &Request<'_>,
) -> anyhow::Result<()> {
    let setup = Setup::load(r.common, r.data, data::METHODOLOGY)?;
    let (_publication, publication_file) = config::load_publication(r.data, &setup.limits)?;
    let source = LoadedInput::load(&InputSpec::Path(r.input.to_owned()), r.data, &setup.limits)?;
    let (dataset, summary) = read(session, r, &setup)?;
    let quarters: Vec<Quarter> = dataset.quarters().collect();
    *periods = quarters.iter().map(|q| q.to_string()).collect();
    let release_at = config::release_time(r.common)?
        .instant()
        .map_err(|e| anyhow::anyhow!("release date: {e}"))
        .class(ExitClass::BadConfig)?;
    // NHS England's file is scored as published: the validation thresholds play no part, so
    // they are not among the run's configuration.
    let mut config = setup.files_without_thresholds();
    config.push(&publication_file);
    let mut key = RunKey::new("score");
    key.config(&config);
    key.file("input", &source.name, &source.sha256);
    key.add("quarter", &format!("{:?}", r.quarter));
    key.add("cut-points", &format!("{:?}", r.cut_points));
    key.options(r.common);
    key.add("release-at", &release_at.to_string());
    let run_id = key.id(&quarters, "score")?;
    session.run_id = Some(run_id.clone());

    let methodology = &setup.methodology;
    let run = session.stage("score", || {
        score_dataset(
            &dataset,
            methodology,
            r.cut_points,
            r.common,
            Vec::new(),
            Vec::new(),
        )
    })?;
    source.unchanged()?;
    let started = stamp(session.started);
    let periods: &[String] = periods;
    session.release(&run_id, periods, methodology, None, |staging| {
        league_report::write_tables(staging, &run, methodology).class(ExitClass::Io)?;
        let mut manifest = manifest::Manifest::new(
            &run_id,
            "score",
            methodology,
            &config,
            started,
            stamp(release_at),
        );
        manifest.periods = periods.to_vec();
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

/// Reads the file (the "ingest" stage) and keeps the quarter asked for; fails if it holds no
/// values to score.
fn read(
    session: &mut Session,
    r: &Request<'_>,
    setup: &Setup,
) -> anyhow::Result<(Dataset, league_ingest::NofReadSummary)> {
    let (mut dataset, summary) = session
        .stage("ingest", || {
            league_ingest::read_nof_data(
                r.input,
                &setup.methodology,
                &setup.register,
                r.quarter,
                &setup.limits,
            )
        })
        .map_err(ingest_error)
        .with_context(|| format!("cannot use {}", r.input.display()))?;
    tracing::info!(
        file = %r.input.display(),
        rows = summary.rows_read,
        accepted = summary.accepted,
        derived_set_aside = summary.derived_set_aside,
        no_value = summary.no_value,
        not_applicable = summary.not_applicable,
        other_unit = summary.other_unit,
        "input read; quarter from {}",
        summary.quarter_source.describe()
    );
    if let Some(q) = r.quarter {
        if !dataset.trusts.contains_key(&q) {
            let have: Vec<String> = dataset.quarters().map(|q| q.to_string()).collect();
            return Err(anyhow::anyhow!(
                "quarter {q} is not in {} (it has: {})",
                r.input.display(),
                have.join(", ")
            ))
            .class(ExitClass::BadInput);
        }
        dataset.retain_quarter(q);
    }
    let groups = setup.methodology.peer_groups.len();
    for (q, trusts) in &dataset.trusts {
        let held: std::collections::BTreeSet<&str> =
            trusts.values().map(|t| t.peer_group.as_str()).collect();
        if held.len() < groups {
            tracing::warn!(quarter = %q, "the input holds {} of {} peer groups ({}): each metric is scored within the trusts it holds, and metrics pooled across peer groups keep NHS England's published scores",
                held.len(), groups, held.into_iter().collect::<Vec<_>>().join(", "));
        }
    }
    if dataset.quarters().next().is_none() {
        return Err(anyhow::anyhow!(
            "{} holds no values to score in any quarter; nothing was written",
            r.input.display()
        ))
        .class(ExitClass::BadInput);
    }
    Ok((dataset, summary))
}
