//! A run, start to finish: lock the output root, hash the inputs, ingest, validate, pick the
//! period, name the run, score, write into staging, check, promote to a release, append the
//! history, apply retention, and record the outcome. `league report`, `league run JOB` and
//! `league backfill` come through [`run`]; `league score` shares [`Session`].
//!
//! ```text
//! spec ─▶ input ─▶ validation ─▶ score ─▶ outputs ─▶ session (check, promote, history)
//! ```

pub(crate) mod input;
pub(crate) mod key;
pub(crate) mod outputs;
pub(crate) mod score;
pub(crate) mod session;
pub(crate) mod spec;
pub(crate) mod validation;

use anyhow::Context as _;

use league_ingest::{Breach, Ingested, SourceSummary};
use league_model::Methodology;

use crate::config::Setup;
use crate::config::data::DataFile;
use crate::error::{Classify, ExitClass, ingest_error};
use crate::store::manifest::release_is_whole;
use crate::store::{OutputRoot, RunId, history};

pub(crate) use input::{InputSpec, LoadedInput};
pub(crate) use key::RunKey;
pub(crate) use score::score_dataset;
pub(crate) use session::Session;
pub(crate) use spec::{Reuse, RunSpec, run};

use outputs::Outputs;
use validation::{account_for_assembly, account_for_plausibility, blocked, failures};

/// `league report` / `league run`: hash the inputs, validate them, stop before writing if a
/// threshold fails, pick the period, name the run, score, and build the release (tables,
/// packs, trusts' documents, quarantine, validation summary, manifest). `periods` receives the
/// run's periods as soon as they are known (for the outcome record).
pub(crate) fn report(
    spec: &RunSpec,
    session: &mut Session,
    periods: &mut Vec<String>,
) -> anyhow::Result<String> {
    let setup = Setup::load(&spec.common, &spec.data, &spec.methodology)?;
    tracing::info!(data = %spec.data.describe(), "configuration and reference data loaded");
    let (inputs, board) = load_inputs(spec, &setup)?;
    let Validated {
        sources,
        origin,
        mut judged,
        findings,
        mut dataset,
    } = validated(session, &setup, &inputs)?;
    let quarters = keep_period(spec, &mut dataset)?;
    *periods = quarters.iter().map(|q| q.to_string()).collect();

    let (publication, publication_file) =
        crate::config::load_publication(&spec.data, &setup.limits)?;
    let release_at = spec
        .release
        .instant()
        .map_err(|e| anyhow::anyhow!("release date: {e}"))
        .class(ExitClass::BadConfig)?;
    publication
        .check_against(&setup.methodology)
        .map_err(|e| anyhow::anyhow!("{}: {e}", publication_file.name))
        .class(ExitClass::BadConfig)?;
    let publication = publication.dated(spec.release.document_date());
    let (wanted, trend) = earlier_quarters(&setup.methodology, quarters[0]);
    let earlier = history::earlier(
        &OutputRoot::new(&spec.out),
        &wanted,
        &trend,
        &setup.methodology,
    )?;
    let mut config: Vec<&DataFile> = setup.files.iter().collect();
    config.push(&publication_file);
    let named: Vec<(&str, &LoadedInput)> = inputs
        .iter()
        .map(|i| ("input", i))
        .chain(board.iter().map(|b| ("board-assessment", b)))
        .collect();
    let key = run_key(spec, &config, &named, &earlier.files, periods, release_at);
    let run_id = key.id(&quarters, &spec.job)?;
    session.run_id = Some(run_id.clone());
    tracing::info!(run_id = %run_id, periods = %periods.join(", "), "run named");
    if reuse_existing(spec, session, &run_id, periods)? {
        return Ok(run_id.to_string());
    }

    let boards = match &spec.board_assessment {
        Some(p) => {
            let mut b = outputs::read_boards(p, &setup)?;
            b.retain(|a| quarters.contains(&a.quarter));
            b
        }
        None => Vec::new(),
    };
    let run = scored(session, spec, &setup, &dataset, &boards, &earlier)?;
    setup.check_coverage(&run)?;
    account_for_plausibility(&setup.methodology, &run, &mut judged);
    if let Some(p) = &spec.board_assessment {
        outputs::boards_in_run(p, &boards, &run)?;
    }
    for i in inputs.iter().chain(&board) {
        i.unchanged()?;
    }
    let outputs = Outputs {
        run: &run,
        addressees: addressees(&setup, &run, spec.release.document_date()),
        predecessors: predecessors(&setup, &run, spec.release.document_date()),
        m: &setup.methodology,
        publication: &publication,
        boards: &boards,
        sources: &sources,
        origin: &origin,
        inputs: &inputs,
        findings: &findings,
        judged: &judged,
        config: &config,
        history: &earlier.files,
        periods: periods.clone(),
        made: spec.outputs,
        run_id: &run_id,
        job: &spec.job,
        started: crate::clock::stamp(session.started),
        release_at: crate::clock::stamp(release_at),
    };
    session.release(
        &run_id,
        periods,
        &setup.methodology,
        spec.keep_releases,
        |staging| outputs.write(staging),
    )?;
    for t in &run.tables {
        tracing::info!(quarter = %t.quarter, peer_group = %t.peer_group, trusts = t.rows.len(), "league table written");
    }
    tracing::info!(out = %spec.out.display(), release = %run_id, quarantined = findings.len(), seed = run.seed, replicates = run.replicates, "done");
    Ok(run_id.to_string())
}

/// The run's inputs and its board assessment file, each hashed before it is read (and again
/// after the run: a file that changes under the run fails it, REL-3).
fn load_inputs(
    spec: &RunSpec,
    setup: &Setup,
) -> anyhow::Result<(Vec<LoadedInput>, Option<LoadedInput>)> {
    let inputs: Vec<LoadedInput> = spec
        .inputs
        .iter()
        .map(|i| LoadedInput::load(i, &spec.data, &setup.limits))
        .collect::<anyhow::Result<_>>()?;
    let board = match &spec.board_assessment {
        Some(p) => Some(LoadedInput::load(
            &InputSpec::Path(p.clone()),
            &spec.data,
            &setup.limits,
        )?),
        None => None,
    };
    Ok((inputs, board))
}

/// What validation leaves: the sources, the input each came from, each source's counts and
/// breaches, every quarantined row and the assembled dataset.
struct Validated {
    sources: Vec<Ingested>,
    origin: Vec<usize>,
    judged: Vec<(SourceSummary, Vec<Breach>)>,
    findings: Vec<league_ingest::RowError>,
    dataset: league_model::Dataset,
}

/// Reads every input (the "ingest" stage), judges each source against the thresholds and
/// assembles the dataset; stops before anything is written if a fail threshold is breached.
fn validated(
    session: &mut Session,
    setup: &Setup,
    inputs: &[LoadedInput],
) -> anyhow::Result<Validated> {
    let Ingest {
        sources,
        origin,
        replaced,
    } = session.stage("ingest", || ingest_all(setup, inputs))?;
    crate::fault::point("after-ingest");
    let mut judged = setup.judge(&sources);
    if replaced > 0 {
        judged.push((
            SourceSummary {
                file: "(records: published values replaced)".into(),
                format: "-".into(),
                rows_read: replaced,
                excluded: [(league_ingest::Exclusion::ReplacedByRecords, replaced)].into(),
                ..SourceSummary::default()
            },
            Vec::new(),
        ));
    }
    let mut findings: Vec<_> = sources.iter().flat_map(|s| s.findings.clone()).collect();
    let assembled = league_ingest::assemble(&sources, &setup.register, &setup.methodology);
    account_for_assembly(&assembled, &setup.thresholds, &mut judged, &mut findings);
    let fails = failures(&judged);
    if !fails.is_empty() {
        return Err(blocked(fails, &findings));
    }
    Ok(Validated {
        sources,
        origin,
        judged,
        findings,
        dataset: assembled.dataset,
    })
}

/// The run key: the build, every configuration file, every input (by its role), the history
/// files read, the periods, the options, the outputs and the release time.
fn run_key(
    spec: &RunSpec,
    config: &[&DataFile],
    inputs: &[(&str, &LoadedInput)],
    history: &[(String, String)],
    periods: &[String],
    release_at: jiff::Timestamp,
) -> RunKey {
    let mut key = RunKey::new(&spec.job);
    key.config(config);
    for (what, i) in inputs {
        key.file(what, &i.name, &i.sha256);
    }
    for (path, sha) in history {
        key.file("history", path, sha);
    }
    key.add("periods", &periods.join(";"));
    key.options(&spec.common);
    key.add("outputs", &spec.outputs.names().join(";"));
    key.add("release-at", &release_at.to_string());
    key
}

/// Scores the dataset (the "score" stage) with the earlier quarters' results; fails if no
/// league table could be made.
fn scored(
    session: &mut Session,
    spec: &RunSpec,
    setup: &Setup,
    dataset: &league_model::Dataset,
    boards: &[league_model::BoardAssessment],
    earlier: &history::Earlier,
) -> anyhow::Result<league_model::ScoreRun> {
    let mut run = session.stage("score", || {
        score_dataset(
            dataset,
            &setup.methodology,
            None,
            &spec.common,
            boards.to_vec(),
            earlier.prior.clone(),
        )
    })?;
    run.earlier = earlier.tables.clone();
    run.earlier_from = earlier.from.clone();
    crate::fault::point("after-score");
    if run.tables.is_empty() {
        let periods: Vec<String> = dataset.quarters().map(|q| q.to_string()).collect();
        return Err(anyhow::anyhow!(
            "no league table could be made for {}; nothing was written",
            periods.join(", ")
        ))
        .class(ExitClass::BadInput);
    }
    Ok(run)
}

/// Who each trust's documents go to on the release date, where the register records a merger
/// or new name by then.
fn addressees(
    setup: &Setup,
    run: &league_model::ScoreRun,
    release_day: league_model::Date,
) -> std::collections::BTreeMap<league_model::TrustCode, league_model::Addressee> {
    run.tables
        .iter()
        .flat_map(|t| &t.rows)
        .filter_map(|r| {
            setup
                .register
                .addressee(&r.trust.code, &r.trust.name, release_day)
                .map(|a| (r.trust.code.clone(), a))
        })
        .collect()
}

/// For each trust in the run, the trusts the register says merged into it on or before the
/// release date (the site's search finds a trust by a predecessor's name or code).
fn predecessors(
    setup: &Setup,
    run: &league_model::ScoreRun,
    release_day: league_model::Date,
) -> std::collections::BTreeMap<league_model::TrustCode, Vec<league_report::Predecessor>> {
    let mut out: std::collections::BTreeMap<_, Vec<_>> = std::collections::BTreeMap::new();
    let in_run: std::collections::BTreeSet<&league_model::TrustCode> = run
        .tables
        .iter()
        .flat_map(|t| &t.rows)
        .map(|r| &r.trust.code)
        .collect();
    for e in setup.register.entries() {
        if let Some((to, when)) = &e.successor
            && in_run.contains(to)
            && when
                .parse::<league_model::Date>()
                .is_ok_and(|d| d <= release_day)
        {
            out.entry(to.clone())
                .or_default()
                .push(league_report::Predecessor {
                    code: e.code.as_str().to_owned(),
                    name: e.name.clone(),
                    merged: when.clone(),
                });
        }
    }
    out
}

/// Reads every input (bytes already in memory, or the file); a file that cannot be read at all
/// fails the run (exit 3 or 5).
/// What the inputs gave: one or more sources per input (a record extract gives one per dataset
/// and one for its metric values), the input each came from, and how many published values
/// record-level values replaced.
struct Ingest {
    sources: Vec<Ingested>,
    origin: Vec<usize>,
    replaced: u64,
}

fn ingest_all(setup: &Setup, inputs: &[LoadedInput]) -> anyhow::Result<Ingest> {
    let ctx = setup.context();
    let mut sources = Vec::new();
    let mut origin = Vec::new();
    let mut is_records = Vec::new();
    for (k, i) in inputs.iter().enumerate() {
        if let Some(dir) = &i.records {
            let ingested = crate::records::ingest(dir, &ctx)
                .with_context(|| format!("cannot use the records in {}", dir.display()))?;
            for s in ingested {
                sources.push(s);
                origin.push(k);
                is_records.push(true);
            }
            continue;
        }
        let r = match (&i.bytes, &i.path) {
            (Some(b), _) => league_ingest::ingest_bytes(&i.name, b.clone(), None, &ctx),
            (None, Some(p)) => league_ingest::ingest_file(p, None, &ctx),
            (None, None) => unreachable!("an input has bytes, a path or records"),
        };
        sources.push(
            r.map_err(ingest_error)
                .with_context(|| format!("cannot use {}", i.name))?,
        );
        origin.push(k);
        is_records.push(false);
    }
    let replaced = replace_with_records(&setup.methodology, &mut sources, &is_records);
    Ok(Ingest {
        sources,
        origin,
        replaced,
    })
}

/// Record-level values replace the published aggregates of the same trust, metric and
/// quarter: the other inputs' raw values, and their published scores (which would otherwise be
/// used in place of a score computed from the records), are left out and counted as
/// `replaced_by_records`. A trust the records do not cover keeps its published values.
fn replace_with_records(m: &Methodology, sources: &mut [Ingested], is_records: &[bool]) -> u64 {
    type Key = (league_model::Quarter, league_model::TrustCode, String);
    let covered: std::collections::BTreeSet<Key> = sources
        .iter()
        .zip(is_records)
        .filter(|(_, r)| **r)
        .flat_map(|(s, _)| &s.observations)
        .flat_map(|o| {
            let score = m
                .metrics
                .iter()
                .find(|x| x.value_id.as_deref() == Some(o.metric_id.as_str()))
                .map(|x| x.id.clone());
            std::iter::once(o.metric_id.clone())
                .chain(score)
                .map(move |id| (o.quarter, o.trust.clone(), id))
        })
        .collect();
    let mut total = 0;
    if covered.is_empty() {
        return total;
    }
    for (s, _) in sources.iter_mut().zip(is_records).filter(|(_, r)| !**r) {
        let before = s.observations.len();
        s.observations
            .retain(|o| !covered.contains(&(o.quarter, o.trust.clone(), o.metric_id.clone())));
        let replaced = (before - s.observations.len()) as u64;
        if replaced > 0 {
            // Values, not rows (a monthly row can give several quarterly values): counted in
            // a summary row of their own, as assembly's are.
            s.summary.observations = s.observations.len() as u64;
            tracing::info!(file = %s.summary.file, replaced, "values replaced by record-level values");
            total += replaced;
        }
    }
    total
}

/// Keeps only the quarters the run's period names (logging those left out); returns them.
fn keep_period(
    spec: &RunSpec,
    dataset: &mut league_model::Dataset,
) -> anyhow::Result<Vec<league_model::Quarter>> {
    let have: Vec<league_model::Quarter> = dataset.quarters().collect();
    let quarters = spec::choose_quarters(spec.period, &have, spec.release.today())?;
    for q in have.iter().filter(|q| !quarters.contains(q)) {
        tracing::info!(quarter = %q, "in the inputs but not this run's period: left out");
    }
    dataset.trusts.retain(|q, _| quarters.contains(q));
    dataset
        .observations
        .retain(|o| quarters.contains(&o.quarter));
    Ok(quarters)
}

/// The earlier quarters a run starting at `first` reads from the history store: those its
/// intervention rules look back to, and the financial year's earlier quarters for the trends.
/// Returns (all wanted, sorted; the trend quarters).
fn earlier_quarters(
    m: &Methodology,
    first: league_model::Quarter,
) -> (Vec<league_model::Quarter>, Vec<league_model::Quarter>) {
    let lookback = m
        .intervention
        .statuses
        .iter()
        .flat_map(|s| &s.any)
        .map(|c| c.quarters as usize)
        .max()
        .unwrap_or(1);
    let mut wanted = Vec::new();
    let mut q = first;
    for _ in 1..lookback {
        q = q.previous();
        wanted.push(q);
    }
    let mut trend = Vec::new();
    let mut q = first;
    while q.q > 1 {
        q = q.previous();
        trend.push(q);
        if !wanted.contains(&q) {
            wanted.push(q);
        }
    }
    wanted.sort();
    (wanted, trend)
}

/// With `Reuse::Skip`, an existing release of this id that matches its manifest is made
/// current (the run commits) and the run ends (true); one that does not match is an error
/// (never overwritten).
fn reuse_existing(
    spec: &RunSpec,
    session: &mut Session,
    run_id: &RunId,
    periods: &[String],
) -> anyhow::Result<bool> {
    let existing = session.root.release(run_id);
    if !existing.exists() {
        if spec.reuse == Reuse::Compare {
            tracing::info!(release = %run_id, "no release to compare with: building it");
        }
        return Ok(false);
    }
    if spec.reuse != Reuse::Skip {
        return Ok(false);
    }
    if release_is_whole(&existing) {
        session.commit(run_id, periods)?;
        tracing::info!(release = %run_id, "release already complete and verified against its manifest: nothing to do (--rerun builds it again and compares)");
        return Ok(true);
    }
    Err(anyhow::anyhow!(
        "release {run_id} exists but does not match its manifest (a file is missing or changed); it is never overwritten: move it aside and run again"
    ))
    .class(ExitClass::Io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_reads_the_quarters_its_rules_look_back_to_and_the_year_so_far() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../data/methodology/nof-2025-26.toml"),
        )
        .expect("methodology");
        let m = Methodology::from_toml("nof-2025-26.toml", &text).expect("valid");
        let q = |s: &str| s.parse::<league_model::Quarter>().expect("quarter");
        let names = |v: Vec<league_model::Quarter>| {
            v.into_iter().map(|q| q.to_string()).collect::<Vec<_>>()
        };
        // The longest rule spans 3 quarters: Q3 reads Q1 and Q2; its trend is Q1 and Q2.
        let (wanted, trend) = earlier_quarters(&m, q("2025-26-Q3"));
        assert_eq!(names(wanted), ["Q1 2025/26", "Q2 2025/26"]);
        assert_eq!(names(trend), ["Q2 2025/26", "Q1 2025/26"]);
        // Q1 looks back into the previous year for the rules, but its trend starts with it.
        let (wanted, trend) = earlier_quarters(&m, q("2025-26-Q1"));
        assert_eq!(names(wanted), ["Q3 2024/25", "Q4 2024/25"]);
        assert!(trend.is_empty());
    }
}
