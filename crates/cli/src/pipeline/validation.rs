//! Validation: each source's counts judged against the thresholds, expected-trust coverage, the
//! values assembly and the plausibility checks set aside, and the error that stops a run before
//! anything is written.

use std::path::Path;

use anyhow::Context as _;

use league_ingest::{Breach, Format, Ingested, SourceSummary, Thresholds};

use crate::config::Setup;
use crate::error::{Classify, ExitClass, ingest_error};
use crate::pipeline::input::{STDIN_NAME, is_stdin, read_stdin};

impl Setup {
    /// Expected-trust coverage: every trust of the register that existed in a quarter and
    /// belongs to a published peer group must have an average, or be one of at most
    /// `[coverage] max_missing` (thresholds.toml); otherwise the run stops (exit 6), naming them.
    pub fn check_coverage(&self, run: &league_model::ScoreRun) -> anyhow::Result<()> {
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
    pub fn ingest(&self, paths: &[&Path], format: Option<Format>) -> anyhow::Result<Vec<Ingested>> {
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
    pub fn judge(&self, sources: &[Ingested]) -> Vec<(SourceSummary, Vec<Breach>)> {
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

pub(crate) fn failures(judged: &[(SourceSummary, Vec<Breach>)]) -> Vec<String> {
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

pub(crate) fn blocked(fails: Vec<String>, findings: &[league_ingest::RowError]) -> anyhow::Error {
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
    anyhow::anyhow!(msg).context(crate::error::Classified {
        class: ExitClass::Validation,
    })
}

/// Values the sources produced that assembly leaves out are counted in the summary, by stated
/// rule, never dropped with a log line only; values two sources give differently fail the run.
/// The validation summary's row for the plausibility checks: every value a check reads, and
/// how many it queries (kept and scored as published; documents mark them).
pub(crate) fn account_for_plausibility(
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

pub(crate) fn account_for_assembly(
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
