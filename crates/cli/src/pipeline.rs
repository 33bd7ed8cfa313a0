//! The ingest → validate → score → publish pipeline behind `report`, `validate` and
//! `build-dataset`.

use std::path::Path;

use anyhow::Context as _;

use league_ingest::{
    Breach, Context, Format, Ingested, Recipe, SourceSummary, Thresholds, TrustRegister,
};
use league_model::Methodology;

use crate::data::{self, DataDir, DataFile};
use crate::run::{LoadedInput, RunKey, RunSpec, Session};
use crate::{Classify, Common, ExitClass, ingest_error, score_dataset};

/// Loads the validation thresholds from `<data>/validation/thresholds.toml`.
fn load_thresholds(data: &DataDir) -> anyhow::Result<(Thresholds, DataFile)> {
    let f = data
        .read(data::THRESHOLDS)
        .context("cannot read the validation thresholds")?;
    let t = Thresholds::from_toml(&f.name, f.text()?)
        .context("invalid validation thresholds")
        .class(ExitClass::BadConfig)?;
    Ok((t, f))
}

/// Loads the release details from `<data>/publication.toml`.
pub(crate) fn load_publication(
    data: &DataDir,
) -> anyhow::Result<(league_report::Publication, DataFile)> {
    let f = data.read(data::PUBLICATION)?;
    let p = league_report::Publication::from_toml(f.text()?)
        .map_err(|e| anyhow::anyhow!("{}: {e}", f.name))
        .class(ExitClass::BadConfig)?;
    Ok((p, f))
}

pub(crate) struct Setup {
    pub methodology: Methodology,
    pub register: TrustRegister,
    pub thresholds: Thresholds,
    pub limits: league_ingest::Limits,
    /// Every configuration and reference file read, in order (for the manifest and run id).
    pub files: Vec<DataFile>,
}

impl Setup {
    /// Loads the methodology (`methodology` under the data, unless `--methodology`), the
    /// register, thresholds and limits.
    pub fn load(common: &Common, data: &DataDir, methodology: &str) -> anyhow::Result<Self> {
        let method_file = crate::methodology_file(common, data, methodology)?;
        let (register, register_files) = crate::load_register(common, data)?;
        let (thresholds, thresholds_file) = load_thresholds(data)?;
        let (limits, limits_file) = crate::load_limits(common, data)?;
        let mut files = vec![method_file.clone()];
        files.extend(register_files);
        files.push(thresholds_file);
        files.push(limits_file);
        Ok(Self {
            methodology: crate::parse_methodology(&method_file)?,
            register,
            thresholds,
            limits,
            files,
        })
    }

    fn context(&self) -> Context<'_> {
        Context {
            register: &self.register,
            methodology: &self.methodology,
            periods: self.thresholds.months().expect("validated on load"),
            limits: &self.limits,
        }
    }

    /// Expected-trust coverage: every trust of the register that existed in a quarter and
    /// belongs to a published peer group must have an average, or be one of at most
    /// `[coverage] max_missing` (thresholds.toml); otherwise the run stops (exit 6), naming them.
    fn check_coverage(&self, run: &league_model::ScoreRun) -> anyhow::Result<()> {
        let mut missing = Vec::new();
        for t in &run.tables {
            let group = self
                .methodology
                .peer_group(&t.peer_group)
                .expect("tables are for configured peer groups");
            let held: std::collections::BTreeSet<&str> =
                t.rows.iter().map(|r| r.trust.code.as_str()).collect();
            for e in self
                .register
                .expected(&group.register_types, t.quarter.months()[2])
            {
                if !held.contains(e.code.as_str()) {
                    missing.push(format!(
                        "{} {} ({}, {}): in the trust register but without an average",
                        e.code, e.name, t.peer_group_label, t.quarter
                    ));
                }
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        let allowed = self.thresholds.coverage.max_missing as usize;
        for m in &missing {
            tracing::warn!("expected trust missing: {m}");
        }
        if missing.len() <= allowed {
            return Ok(());
        }
        let mut e = anyhow::anyhow!(missing.last().cloned().unwrap_or_default());
        for m in missing.iter().rev().skip(1) {
            e = e.context(m.clone());
        }
        Err(e.context(format!(
            "{} expected trust(s) have no average (thresholds.toml [coverage] max_missing = {allowed}); nothing was written",
            missing.len()
        )))
        .class(ExitClass::Validation)
    }

    /// Reads every file; a file that cannot be read at all fails the run (exit 3 or 5).
    fn ingest(&self, paths: &[&Path], format: Option<Format>) -> anyhow::Result<Vec<Ingested>> {
        let ctx = self.context();
        paths
            .iter()
            .map(|p| {
                if is_stdin(p) {
                    let bytes = read_stdin(&self.limits)?;
                    return league_ingest::ingest_bytes(STDIN_NAME, bytes, format, &ctx)
                        .map_err(ingest_error)
                        .context("cannot use standard input");
                }
                league_ingest::ingest_file(p, format, &ctx)
                    .map_err(ingest_error)
                    .with_context(|| format!("cannot use {}", p.display()))
            })
            .collect()
    }

    /// Logs each source's counts and breaches; returns them with the breaches.
    fn judge(&self, sources: &[Ingested]) -> Vec<(SourceSummary, Vec<Breach>)> {
        sources
            .iter()
            .map(|s| {
                let sum = &s.summary;
                let excluded: Vec<String> = sum
                    .excluded
                    .iter()
                    .map(|(k, n)| format!("{}={n}", k.code()))
                    .collect();
                tracing::info!(file = %sum.file, format = %sum.format, rows = sum.rows_read,
                    accepted = sum.accepted(), quarantined = sum.quarantined,
                    excluded = %excluded.join(" "), remapped = sum.remapped,
                    values = sum.observations, "source read");
                let breaches = self.thresholds.evaluate(sum);
                for b in &breaches {
                    if b.fails {
                        tracing::error!(file = %b.file, rule = %b.rule, rows = b.rows, percent = format!("{:.1}", b.percent), "fail threshold exceeded");
                    } else {
                        tracing::warn!(file = %b.file, rule = %b.rule, rows = b.rows, "rows quarantined");
                    }
                }
                (sum.clone(), breaches)
            })
            .collect()
    }
}

fn failures(judged: &[(SourceSummary, Vec<Breach>)]) -> Vec<String> {
    judged
        .iter()
        .flat_map(|(_, b)| b.iter().filter(|b| b.fails))
        .map(|b| {
            format!(
                "{}: {} row(s) break rule {} ({:.1}% of the file)",
                b.file, b.rows, b.rule, b.percent
            )
        })
        .collect()
}

fn blocked(fails: Vec<String>, findings: &[league_ingest::RowError]) -> anyhow::Error {
    let mut msg = format!(
        "validation failed ({} fail threshold(s) breached); nothing was written:\n  {}",
        fails.len(),
        fails.join("\n  ")
    );
    for f in findings.iter().take(10) {
        msg.push_str(&format!("\n  {f} [{}]", f.rule));
    }
    if findings.len() > 10 {
        msg.push_str(&format!("\n  … and {} more", findings.len() - 10));
    }
    anyhow::anyhow!(msg).context(crate::Classified {
        class: ExitClass::Validation,
    })
}

/// The name standard input goes by in messages, the quarantine file and the manifest.
pub(crate) const STDIN_NAME: &str = "(standard input)";

/// True for `-`, standard input.
fn is_stdin(p: &Path) -> bool {
    p.as_os_str() == "-"
}

/// Standard input, read once, within the file-size limit.
pub(crate) fn read_stdin(limits: &league_ingest::Limits) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .context("cannot read standard input")
        .class(ExitClass::Io)?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(anyhow::anyhow!(
            "standard input is more than {} bytes, over the limit max_file_bytes; raise it with --limit max_file_bytes=N",
            limits.max_file_bytes
        ))
        .class(ExitClass::BadInput);
    }
    Ok(bytes)
}

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
    // Inputs are hashed before they are read, and again after the run: a file that changes
    // under the run fails it (REL-3).
    let inputs: Vec<LoadedInput> = spec
        .inputs
        .iter()
        .map(|i| LoadedInput::load(i, &spec.data, &setup.limits))
        .collect::<anyhow::Result<_>>()?;
    let board = match &spec.board_assessment {
        Some(p) => Some(LoadedInput::load(
            &crate::run::InputSpec::Path(p.clone()),
            &spec.data,
            &setup.limits,
        )?),
        None => None,
    };
    let Ingest {
        sources,
        origin,
        replaced,
    } = session.stage("ingest", || ingest_all(&setup, &inputs))?;
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
    let mut assembled = league_ingest::assemble(&sources, &setup.register, &setup.methodology);
    account_for_assembly(&assembled, &setup.thresholds, &mut judged, &mut findings);
    let fails = failures(&judged);
    if !fails.is_empty() {
        return Err(blocked(fails, &findings));
    }
    let quarters = keep_period(spec, &mut assembled.dataset)?;
    *periods = quarters.iter().map(|q| q.to_string()).collect();

    let (publication, publication_file) = load_publication(&spec.data)?;
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
    let earlier = crate::history::earlier(&spec.out, &wanted, &trend, &setup.methodology)?;
    let mut config: Vec<&DataFile> = setup.files.iter().collect();
    config.push(&publication_file);

    let mut key = RunKey::new(&spec.job);
    key.config(&config);
    for (what, i) in inputs
        .iter()
        .map(|i| ("input", i))
        .chain(board.iter().map(|b| ("board-assessment", b)))
    {
        key.file(what, &i.name, &i.sha256);
    }
    for (path, sha) in &earlier.files {
        key.file("history", path, sha);
    }
    key.add("periods", &periods.join(";"));
    key.options(&spec.common);
    key.add("outputs", &spec.outputs.names().join(";"));
    key.add("release-at", &release_at.to_string());
    let run_id = key.id(&quarters, &spec.job);
    session.run_id = Some(run_id.clone());
    tracing::info!(run_id = %run_id, periods = %periods.join(", "), "run named");
    if reuse_existing(spec, session, &run_id)? {
        return Ok(run_id);
    }

    let boards = match &spec.board_assessment {
        Some(p) => {
            let mut b = read_boards(p, &setup)?;
            b.retain(|a| quarters.contains(&a.quarter));
            b
        }
        None => Vec::new(),
    };
    let mut run = session.stage("score", || {
        score_dataset(
            &assembled.dataset,
            &setup.methodology,
            None,
            &spec.common,
            boards.clone(),
            earlier.prior.clone(),
        )
    })?;
    run.earlier = earlier.tables.clone();
    run.earlier_from = earlier.from.clone();
    crate::fault::point("after-score");
    if run.tables.is_empty() {
        return Err(anyhow::anyhow!(
            "no league table could be made for {}; nothing was written",
            periods.join(", ")
        ))
        .class(ExitClass::BadInput);
    }
    setup.check_coverage(&run)?;
    account_for_plausibility(&setup.methodology, &run, &mut judged);
    if let Some(p) = &spec.board_assessment {
        boards_in_run(p, &boards, &run)?;
    }
    for i in inputs.iter().chain(&board) {
        i.unchanged()?;
    }
    let release_day = spec.release.document_date();
    let addressees = run
        .tables
        .iter()
        .flat_map(|t| &t.rows)
        .filter_map(|r| {
            setup
                .register
                .addressee(&r.trust.code, &r.trust.name, release_day)
                .map(|a| (r.trust.code.clone(), a))
        })
        .collect();
    let outputs = Outputs {
        run: &run,
        addressees,
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
        started: crate::run::stamp(session.started),
        release_at: crate::run::stamp(release_at),
    };
    session.release(&run_id, &setup.methodology, spec.keep_releases, |staging| {
        outputs.write(staging)
    })?;
    for t in &run.tables {
        tracing::info!(quarter = %t.quarter, peer_group = %t.peer_group, trusts = t.rows.len(), "league table written");
    }
    tracing::info!(out = %spec.out.display(), release = %run_id, quarantined = findings.len(), seed = run.seed, replicates = run.replicates, "done");
    Ok(run_id)
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
    let quarters =
        crate::run::choose_quarters(spec.period, &have, crate::run::today(&spec.release))?;
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
/// current and the run ends (true); one that does not match is an error (never overwritten).
fn reuse_existing(spec: &RunSpec, session: &Session, run_id: &str) -> anyhow::Result<bool> {
    let existing = session.root.release(run_id);
    if !existing.exists() {
        if spec.reuse == crate::run::Reuse::Compare {
            tracing::info!(release = %run_id, "no release to compare with: building it");
        }
        return Ok(false);
    }
    if spec.reuse != crate::run::Reuse::Skip {
        return Ok(false);
    }
    if crate::run::release_is_whole(&existing) {
        session.root.point_current(run_id)?;
        tracing::info!(release = %run_id, "release already complete and verified against its manifest: nothing to do (--rerun builds it again and compares)");
        return Ok(true);
    }
    Err(anyhow::anyhow!(
        "release {run_id} exists but does not match its manifest (a file is missing or changed); it is never overwritten: move it aside and run again"
    ))
    .class(ExitClass::Io)
}

/// Values the sources produced that assembly leaves out are counted in the summary, by stated
/// rule, never dropped with a log line only; values two sources give differently fail the run.
/// The validation summary's row for the plausibility checks: every value a check reads, and
/// how many it queries (kept and scored as published; documents mark them).
fn account_for_plausibility(
    m: &league_model::Methodology,
    run: &league_model::ScoreRun,
    judged: &mut Vec<(SourceSummary, Vec<Breach>)>,
) {
    if m.plausibility.is_empty() {
        return;
    }
    let checked: Vec<&league_model::MetricScore> = run
        .metric_scores
        .iter()
        .filter(|s| {
            s.value.is_some()
                && m.metric(&s.metric_id)
                    .and_then(|x| x.value_id.as_deref())
                    .is_some_and(|v| m.plausibility.iter().any(|c| c.queried.metric == v))
        })
        .collect();
    for s in checked.iter().filter(|s| s.queried.is_some()) {
        tracing::warn!(quarter = %s.quarter, trust = %s.trust, metric = %s.metric_id, value = s.value.unwrap_or_default(), reason = s.queried.as_deref().unwrap_or_default(), "value queried by a plausibility check: scored as published, marked in the documents");
    }
    let n = checked.len() as u64;
    judged.push((
        SourceSummary {
            file: "(plausibility: values queried, scored as published)".into(),
            format: "-".into(),
            rows_read: n,
            observations: n,
            queried: checked.iter().filter(|s| s.queried.is_some()).count() as u64,
            ..SourceSummary::default()
        },
        Vec::new(),
    ));
}

fn account_for_assembly(
    assembled: &league_ingest::Assembled,
    thresholds: &Thresholds,
    judged: &mut Vec<(SourceSummary, Vec<Breach>)>,
    findings: &mut Vec<league_ingest::RowError>,
) {
    for (metric, n) in &assembled.after_cut_off {
        tracing::info!(metric = %metric, values = n, "reporting period ends after the quarter's data cut-off: left out");
    }
    if assembled.periods_checked > 0 {
        let after: u64 = assembled.after_cut_off.values().sum();
        let bad = assembled.bad_periods.len() as u64;
        let summary = SourceSummary {
            file: "(assembly: as of the quarter's cut-off)".into(),
            format: "-".into(),
            // Values, not rows: every value's reporting period is read against its quarter.
            rows_read: assembled.periods_checked,
            quarantined: bad,
            by_rule: if bad > 0 {
                [(league_ingest::Rule::BadPeriod, bad)].into()
            } else {
                Default::default()
            },
            excluded: if after > 0 {
                [(league_ingest::Exclusion::AfterCutOff, after)].into()
            } else {
                Default::default()
            },
            observations: assembled.periods_checked - after - bad,
            ..SourceSummary::default()
        };
        let breaches = thresholds.evaluate(&summary);
        judged.push((summary, breaches));
        findings.extend(assembled.bad_periods.iter().cloned());
    }
    for (code, n) in &assembled.no_peer_group {
        tracing::warn!(trust = %code, values = n, "trust in no peer group: its values are left out");
    }
    for (metric, n) in &assembled.not_applicable {
        tracing::info!(metric = %metric, values = n, "metric does not apply to the trust's peer group: left out");
    }
    let left_out = [
        (
            league_ingest::Exclusion::NoPeerGroup,
            assembled.no_peer_group.values().sum::<u64>(),
        ),
        (
            league_ingest::Exclusion::NotApplicable,
            assembled.not_applicable.values().sum::<u64>(),
        ),
    ];
    if left_out.iter().any(|(_, n)| *n > 0) {
        judged.push((
            SourceSummary {
                file: "(assembly: values left out)".into(),
                format: "-".into(),
                // Values, not rows: each left out by its stated rule, none accepted here.
                rows_read: left_out.iter().map(|(_, n)| n).sum(),
                excluded: left_out.into_iter().filter(|(_, n)| *n > 0).collect(),
                ..SourceSummary::default()
            },
            Vec::new(),
        ));
    }
    if !assembled.conflicts.is_empty() {
        let rows = assembled.conflicts.len() as u64;
        judged.push((
            SourceSummary {
                file: "(across sources)".into(),
                format: "-".into(),
                ..SourceSummary::default()
            },
            vec![Breach {
                file: "(across sources)".into(),
                rule: league_ingest::Rule::DuplicateKey,
                rows,
                percent: 100.0,
                fails: true,
            }],
        ));
        findings.extend(assembled.conflicts.iter().cloned());
    }
}

/// Everything a report run writes, and what it is written from.
struct Outputs<'a> {
    run: &'a league_model::ScoreRun,
    /// Who each trust's documents go to on the release date, where the register records a
    /// merger or new name by then.
    addressees: std::collections::BTreeMap<league_model::TrustCode, league_model::Addressee>,
    m: &'a league_model::Methodology,
    publication: &'a league_report::Publication,
    boards: &'a [league_model::BoardAssessment],
    sources: &'a [league_ingest::Ingested],
    /// The input each source came from.
    origin: &'a [usize],
    inputs: &'a [LoadedInput],
    findings: &'a [league_ingest::RowError],
    judged: &'a [(SourceSummary, Vec<Breach>)],
    config: &'a [&'a DataFile],
    /// History files read for earlier quarters (path under the output root, SHA-256).
    history: &'a [(String, String)],
    periods: Vec<String>,
    made: crate::job::OutputSet,
    run_id: &'a str,
    job: &'a str,
    started: String,
    release_at: String,
}

impl Outputs<'_> {
    /// Writes every output into `staging`: tables, national packs, trusts' documents (those
    /// the run makes), the quarantine and the validation summary; returns the manifest (its
    /// outputs are listed by the caller, once everything is written).
    fn write(&self, staging: &Path) -> anyhow::Result<crate::manifest::Manifest> {
        let (run, m) = (self.run, self.m);
        league_report::write_tables(staging, run, m).class(ExitClass::Io)?;
        let classify = |e: league_report::PackError| {
            let class = match e {
                league_report::PackError::Io(_) => ExitClass::Io,
                _ => ExitClass::Internal,
            };
            anyhow::Error::new(e).context(crate::Classified { class })
        };
        if self.made.national_packs || self.made.trust_documents {
            let packs = league_report::build_packs(run, m);
            if self.made.national_packs {
                league_report::write_national_packs(staging, &packs, self.publication)
                    .map_err(classify)?;
            }
            if self.made.trust_documents {
                league_report::write_trust_documents(
                    staging,
                    run,
                    m,
                    &packs,
                    self.publication,
                    self.boards,
                    &self.addressees,
                )
                .map_err(classify)?;
            }
        }
        for (name, text) in [
            (
                "quarantine.csv",
                league_ingest::quarantine_csv(self.findings),
            ),
            (
                "validation-summary.csv",
                league_ingest::summary_csv(self.judged),
            ),
        ] {
            write_text(staging, name, text)?;
        }
        Ok(self.manifest())
    }

    fn manifest(&self) -> crate::manifest::Manifest {
        let mut manifest = crate::manifest::Manifest::new(
            self.run_id,
            self.job,
            self.m,
            self.config,
            self.started.clone(),
            self.release_at.clone(),
        );
        manifest.periods = self.periods.clone();
        manifest.seed = self.run.seed;
        manifest.replicates = self.run.replicates;
        manifest.outputs_made = self.made.names();
        manifest.inputs = self
            .sources
            .iter()
            .zip(self.origin)
            .map(|(s, &k)| crate::manifest::Input {
                path: s.summary.file.clone(),
                sha256: self.inputs[k].sha256.clone(),
                format: s.summary.format.clone(),
                rows_read: s.summary.rows_read,
                rows_accepted: s.summary.accepted(),
                rows_quarantined: s.summary.quarantined,
                rows_excluded: s.summary.excluded.values().sum(),
            })
            .collect();
        manifest.quarantined_cells = self.findings.len();
        manifest.history_inputs = self
            .history
            .iter()
            .map(|(path, sha256)| crate::manifest::ConfigFile {
                path: path.clone(),
                sha256: sha256.clone(),
            })
            .collect();
        manifest
    }
}

/// Writes one text file into `dir`.
fn write_text(dir: &Path, name: &str, text: String) -> anyhow::Result<std::path::PathBuf> {
    let p = dir.join(name);
    std::fs::write(&p, text)
        .with_context(|| format!("cannot write {}", p.display()))
        .class(ExitClass::Io)?;
    Ok(p)
}

/// Reads the board capability assessments.
fn read_boards(path: &Path, setup: &Setup) -> anyhow::Result<Vec<league_model::BoardAssessment>> {
    let boards = league_ingest::read_board_assessments(path, &setup.limits, &setup.methodology)
        .map_err(ingest_error)
        .with_context(|| format!("cannot use the board assessment {}", path.display()))?;
    tracing::info!(trusts = boards.len(), "board capability assessments read");
    Ok(boards)
}

/// Each assessment must name a trust the run scored in that quarter, or the run stops (a rating
/// is never attached to the wrong trust or dropped).
fn boards_in_run(
    path: &Path,
    boards: &[league_model::BoardAssessment],
    run: &league_model::ScoreRun,
) -> anyhow::Result<()> {
    for b in boards {
        let scored = run
            .tables
            .iter()
            .any(|t| t.quarter == b.quarter && t.rows.iter().any(|r| r.trust.code == b.trust));
        if !scored {
            return Err(anyhow::anyhow!(
                "{}: trust {} has a board assessment for {} but no average in this run",
                path.display(),
                b.trust,
                b.quarter
            ))
            .class(ExitClass::BadInput);
        }
    }
    Ok(())
}

/// `league validate`: the same checks without scoring.
pub(crate) fn validate(
    inputs: &[std::path::PathBuf],
    format: Option<&str>,
    quarantine: Option<&Path>,
    data: &DataDir,
    limit: Vec<String>,
) -> anyhow::Result<()> {
    let format = match format {
        None => None,
        Some(name) => Some(
            Format::from_name(name)
                .ok_or_else(|| {
                    let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                    anyhow::anyhow!(
                        "unknown --format {name:?}; expected one of: {}",
                        names.join(", ")
                    )
                })
                .class(ExitClass::BadConfig)?,
        ),
    };
    let setup = Setup::load(
        &Common {
            limit,
            ..Common::default()
        },
        data,
        data::METHODOLOGY,
    )?;
    let paths: Vec<&Path> = inputs.iter().map(|p| p.as_path()).collect();
    let sources = setup.ingest(&paths, format)?;
    let judged = setup.judge(&sources);
    let findings: Vec<_> = sources.iter().flat_map(|s| s.findings.clone()).collect();
    println!(
        "{:<60} {:<13} {:>8} {:>8} {:>11} {:>8}  verdict",
        "file", "format", "rows", "accepted", "quarantined", "excluded"
    );
    for (s, breaches) in &judged {
        let verdict = if breaches.iter().any(|b| b.fails) {
            "FAIL"
        } else if breaches.is_empty() {
            "ok"
        } else {
            "warn"
        };
        println!(
            "{:<60} {:<13} {:>8} {:>8} {:>11} {:>8}  {verdict}",
            s.file,
            s.format,
            s.rows_read,
            s.accepted(),
            s.quarantined,
            s.excluded.values().sum::<u64>()
        );
        for (k, n) in &s.excluded {
            println!("    excluded {:<24} {n}", k.code());
        }
        for b in breaches {
            println!(
                "    {} {:<24} {} row(s), {:.1}%",
                if b.fails { "FAIL" } else { "warn" },
                b.rule.code(),
                b.rows,
                b.percent
            );
        }
    }
    if let Some(q) = quarantine {
        std::fs::write(q, league_ingest::quarantine_csv(&findings))
            .with_context(|| format!("cannot write {}", q.display()))
            .class(ExitClass::Io)?;
    }
    let fails = failures(&judged);
    if fails.is_empty() {
        Ok(())
    } else {
        Err(blocked(fails, &findings))
    }
}

/// `league build-dataset`: rebuild the embedded default dataset from the real sources.
pub(crate) fn build_dataset(data_dir: &Path, out: &Path) -> anyhow::Result<()> {
    let setup = Setup::load(
        &Common::default(),
        &DataDir::Dir(data_dir.to_owned()),
        data::METHODOLOGY,
    )?;
    let recipe_path = data_dir.join("default/recipe.toml");
    let text = std::fs::read_to_string(&recipe_path)
        .with_context(|| format!("cannot read {}", recipe_path.display()))
        .class(ExitClass::Io)?;
    let recipe = Recipe::from_toml(
        &recipe_path.display().to_string(),
        &text,
        &setup.methodology,
    )
    .context("invalid dataset recipe")
    .class(ExitClass::BadConfig)?;
    let paths: Vec<std::path::PathBuf> = recipe
        .nof_data
        .iter()
        .chain(&recipe.sources)
        .map(|s| data_dir.join(s))
        .collect();
    let all: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    let mut ingested = setup.ingest(&all, None)?;
    let judged = setup.judge(&ingested);
    let fails = failures(&judged);
    if !fails.is_empty() {
        let findings: Vec<_> = ingested.iter().flat_map(|s| s.findings.clone()).collect();
        return Err(blocked(fails, &findings));
    }
    let sources = ingested.split_off(recipe.nof_data.len());
    let rows = league_ingest::build_default(
        &recipe,
        &ingested,
        &sources,
        &setup.register,
        &setup.methodology,
    );
    let text = league_ingest::dataset_csv(&recipe.quarter, &rows);
    let dir = out.parent().unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))
        .class(ExitClass::Io)?;
    std::fs::write(tmp.path(), text)
        .with_context(|| format!("cannot write {}", tmp.path().display()))
        .class(ExitClass::Io)?;
    tmp.persist(out)
        .with_context(|| format!("cannot write {}", out.display()))
        .class(ExitClass::Io)?;
    let mut by: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in &rows {
        *by.entry(r.provenance.label()).or_default() += 1;
    }
    tracing::info!(out = %out.display(), rows = rows.len(), by_provenance = ?by, "default dataset written");
    Ok(())
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
