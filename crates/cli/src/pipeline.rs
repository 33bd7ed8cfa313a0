//! The ingest → validate → score → publish pipeline behind `report`, `validate` and
//! `build-dataset`.

use std::path::Path;

use anyhow::Context as _;

use league_ingest::{
    Breach, Context, Format, Ingested, Recipe, SourceSummary, Thresholds, TrustRegister,
};
use league_model::Methodology;

use crate::{
    Classify, Common, ExitClass, ingest_error, load_methodology, load_register, publish,
    score_dataset,
};

/// Loads the validation thresholds from `<data-dir>/validation/thresholds.toml`.
fn load_thresholds(data_dir: &Path) -> anyhow::Result<Thresholds> {
    let path = data_dir.join("validation/thresholds.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read validation thresholds {}", path.display()))
        .class(ExitClass::Io)?;
    Thresholds::from_toml(&path.display().to_string(), &text)
        .context("invalid validation thresholds")
        .class(ExitClass::BadConfig)
}

/// Loads the release details from `<data-dir>/publication.toml`.
fn load_publication(data_dir: &Path) -> anyhow::Result<league_report::Publication> {
    let path = data_dir.join("publication.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))
        .class(ExitClass::Io)?;
    league_report::Publication::from_toml(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
        .class(ExitClass::BadConfig)
}

struct Setup {
    methodology: Methodology,
    register: TrustRegister,
    thresholds: Thresholds,
    limits: league_ingest::Limits,
}

impl Setup {
    fn load(common: &Common, data_dir: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            methodology: load_methodology(common, data_dir)?,
            register: load_register(common, data_dir)?,
            thresholds: load_thresholds(data_dir)?,
            limits: crate::load_limits(common, data_dir)?,
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
        "validation failed; nothing was written:\n  {}",
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
const STDIN_NAME: &str = "(standard input)";

/// True for `-`, standard input.
fn is_stdin(p: &Path) -> bool {
    p.as_os_str() == "-"
}

/// Standard input, read once, within the file-size limit.
fn read_stdin(limits: &league_ingest::Limits) -> anyhow::Result<Vec<u8>> {
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

/// `league report`: validate the dataset, stop before writing if a threshold fails, else score
/// and publish the league tables with the quarantine file and validation summary.
pub(crate) fn report(
    input: &Path,
    common: &Common,
    data_dir: &Path,
    out: &Path,
    board_assessment: Option<&Path>,
) -> anyhow::Result<()> {
    let setup = Setup::load(common, data_dir)?;
    // Inputs are hashed before they are read, and again after the run: a file that changes
    // under the run fails it (REL-3).
    let hash = |p: &Path| {
        crate::manifest::sha256_file(p)
            .with_context(|| format!("cannot read {}", p.display()))
            .class(ExitClass::Io)
    };
    // Standard input (`-`) is read once and hashed in memory; otherwise only a regular file is
    // hashed and read: a pipe would block, a device never end.
    let stdin_bytes = if is_stdin(input) {
        Some(read_stdin(&setup.limits)?)
    } else {
        league_ingest::ensure_regular_file(input)
            .map_err(crate::ingest_error)
            .with_context(|| format!("cannot use {}", input.display()))?;
        None
    };
    let input_sha = match &stdin_bytes {
        Some(b) => crate::manifest::sha256_bytes(b),
        None => hash(input)?,
    };
    let method_path = common
        .methodology
        .clone()
        .unwrap_or_else(|| data_dir.join("methodology/nof-2025-26.toml"));
    let method_sha = hash(&method_path)?;
    let sources = match stdin_bytes {
        Some(bytes) => vec![
            league_ingest::ingest_bytes(STDIN_NAME, bytes, None, &setup.context())
                .map_err(ingest_error)
                .context("cannot use standard input")?,
        ],
        None => setup.ingest(&[input], None)?,
    };
    let mut judged = setup.judge(&sources);
    let mut findings: Vec<_> = sources.iter().flat_map(|s| s.findings.clone()).collect();
    let assembled = league_ingest::assemble(&sources, &setup.register, &setup.methodology);
    account_for_assembly(&assembled, &mut judged, &mut findings);
    let fails = failures(&judged);
    if !fails.is_empty() {
        return Err(blocked(fails, &findings));
    }
    let boards = match board_assessment {
        Some(p) => read_boards(p, &setup)?,
        None => Vec::new(),
    };
    let run = score_dataset(
        &assembled.dataset,
        &setup.methodology,
        None,
        common,
        boards.clone(),
    )?;
    setup.check_coverage(&run)?;
    if let Some(p) = board_assessment {
        boards_in_run(p, &boards, &run)?;
    }
    let publication = load_publication(data_dir)?;
    if !is_stdin(input) && hash(input)? != input_sha {
        return Err(anyhow::anyhow!(
            "{} changed while the run was reading it; nothing was written",
            input.display()
        ))
        .class(ExitClass::Io);
    }
    let m = &setup.methodology;
    let mut periods: Vec<String> = run.tables.iter().map(|t| t.quarter.to_string()).collect();
    periods.dedup();
    let outputs = Outputs {
        run: &run,
        m,
        publication: &publication,
        boards: &boards,
        sources: &sources,
        findings: &findings,
        judged: &judged,
        input_sha: &input_sha,
        method_sha: &method_sha,
        periods,
    };
    let mut written = Vec::new();
    publish(out, |staging| {
        written = outputs.write(staging)?;
        crate::quality_check(staging, m, true)?;
        Ok(())
    })?;
    for t in &run.tables {
        tracing::info!(quarter = %t.quarter, peer_group = %t.peer_group, trusts = t.rows.len(), "league table written");
    }
    tracing::info!(out = %out.display(), files = written.len(), quarantined = findings.len(), seed = run.seed, replicates = run.replicates, "done");
    Ok(())
}

/// Values the sources produced that assembly leaves out are counted in the summary, by stated
/// rule, never dropped with a log line only; values two sources give differently fail the run.
fn account_for_assembly(
    assembled: &league_ingest::Assembled,
    judged: &mut Vec<(SourceSummary, Vec<Breach>)>,
    findings: &mut Vec<league_ingest::RowError>,
) {
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
    m: &'a league_model::Methodology,
    publication: &'a league_report::Publication,
    boards: &'a [league_model::BoardAssessment],
    sources: &'a [league_ingest::Ingested],
    findings: &'a [league_ingest::RowError],
    judged: &'a [(SourceSummary, Vec<Breach>)],
    input_sha: &'a str,
    method_sha: &'a str,
    periods: Vec<String>,
}

impl Outputs<'_> {
    /// Writes every output into `staging`: tables, national packs, trusts' documents, the
    /// quarantine, the validation summary and, last, the manifest of them all.
    fn write(&self, staging: &Path) -> anyhow::Result<Vec<std::path::PathBuf>> {
        let (run, m) = (self.run, self.m);
        let mut written = league_report::write_tables(staging, run, m).class(ExitClass::Io)?;
        let packs = league_report::build_packs(run, m);
        let classify = |e: league_report::PackError| {
            let class = match e {
                league_report::PackError::Io(_) => ExitClass::Io,
                _ => ExitClass::Internal,
            };
            anyhow::Error::new(e).context(crate::Classified { class })
        };
        written.extend(
            league_report::write_national_packs(staging, &packs, self.publication)
                .map_err(classify)?,
        );
        written.extend(
            league_report::write_trust_documents(
                staging,
                run,
                m,
                &packs,
                self.publication,
                self.boards,
            )
            .map_err(classify)?,
        );
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
            written.push(write_text(staging, name, text)?);
        }
        let mut text = serde_json::to_string_pretty(&self.manifest(staging)?).expect("plain data");
        text.push('\n');
        written.push(write_text(staging, "manifest.json", text)?);
        Ok(written)
    }

    fn manifest(&self, staging: &Path) -> anyhow::Result<crate::manifest::Manifest> {
        let m = self.m;
        Ok(crate::manifest::Manifest {
            tool: "league-tables".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            methodology: format!(
                "{} {} (configuration {})",
                m.framework.name, m.framework.year, m.framework.config_version
            ),
            methodology_sha256: self.method_sha.to_owned(),
            periods: self.periods.clone(),
            seed: self.run.seed,
            replicates: self.run.replicates,
            inputs: self
                .sources
                .iter()
                .map(|s| crate::manifest::Input {
                    path: s.summary.file.clone(),
                    sha256: self.input_sha.to_owned(),
                    format: s.summary.format.clone(),
                    rows_read: s.summary.rows_read,
                    rows_accepted: s.summary.accepted(),
                    rows_quarantined: s.summary.quarantined,
                    rows_excluded: s.summary.excluded.values().sum(),
                })
                .collect(),
            quarantined_cells: self.findings.len(),
            outputs: crate::manifest::outputs(staging)
                .context("cannot hash the outputs")
                .class(ExitClass::Io)?,
            status: "complete".into(),
        })
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
    data_dir: &Path,
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
            methodology: None,
            reference_dir: None,
            seed: None,
            replicates: None,
            limit,
        },
        data_dir,
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
    let common = Common {
        methodology: None,
        reference_dir: None,
        seed: None,
        replicates: None,
        limit: Vec::new(),
    };
    let setup = Setup::load(&common, data_dir)?;
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
