//! `league publish RUN_ID`: release a staged, checked run to the distribution area at or
//! after its release time (Code of Practice T3: orderly release; COP-1, COP-3).
//!
//! The distribution area (default `OUT/published/`) is laid out as an output root:
//! `releases/<run id>/`, a `current` link swapped atomically, and `revisions.csv`, the revision
//! log of every publication. A published release is never overwritten or published twice.
//! Publishing a second release for a period already published is a correction: it needs
//! `--correction "what changed and why"`, and the release then carries `correction-notice.txt`
//! saying what changed, why, the scale and the affected tables.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;

use crate::args::Common;
use crate::clock::stamp;
use crate::config::data::DataDir;
use crate::error::{Classify, ExitClass};
use crate::fsio::{copy_tree, sync_dir, sync_tree};
use crate::store::manifest::release_is_whole;
use crate::store::published::{self, log_revision, prior_for, revision_logged};
use crate::store::{
    LockedRoot, OutputRoot, RunId, access, differing_outputs, outcomes, read_manifest, release_at,
};
use crate::{config, fault, quality};

fn refuse(msg: String) -> anyhow::Result<()> {
    Err(anyhow::anyhow!(msg)).class(ExitClass::NotReleasable)
}

/// Checks everything that must hold before `run_id` may be published now.
fn releasable(
    root: &OutputRoot,
    run_id: &RunId,
    m: &league_model::Methodology,
) -> anyhow::Result<serde_json::Value> {
    let dir = root.release(run_id);
    if !dir.is_dir() {
        if let Some(o) = outcomes::last(root, run_id).filter(|o| o["status"] == "failed") {
            refuse(format!(
                "run {run_id} failed at stage {} (exit {}); a failed run cannot be published",
                o["failed_stage"].as_str().unwrap_or("?"),
                o["exit_code"]
            ))?;
        }
        refuse(format!(
            "there is no release {run_id} in {}",
            root.releases().display()
        ))?;
    }
    // Only a committed run's release: one whose run recorded its `complete` outcome.
    if !outcomes::committed(root, run_id) {
        refuse(format!(
            "run {run_id} did not complete (run-history.jsonl records no complete outcome for it); only a complete run can be published"
        ))?;
    }
    let manifest = read_manifest(&dir)?;
    if manifest["status"] != "checked" || manifest["quality_check"]["passed"] != true {
        refuse(format!(
            "release {run_id} has not passed quality assurance (manifest status {}); an unchecked run cannot be published",
            manifest["status"]
        ))?;
    }
    // Checked when it was made; checked again now, as the files are, before anyone sees them.
    quality::check(&dir, m, quality::Staged::Yes)
        .context(format!("release {run_id} cannot be published"))?;
    let release_at = release_at(&manifest, run_id)?;
    let now = jiff::Timestamp::now();
    if now < release_at {
        refuse(format!(
            "release {run_id} may not be published before its pre-announced release time {} (now {}); nothing was published",
            stamp(release_at),
            stamp(now)
        ))?;
    }
    Ok(manifest)
}

/// The periods a release's manifest lists.
fn manifest_periods(manifest: &serde_json::Value) -> Vec<String> {
    manifest["periods"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// `league publish`.
pub(crate) fn publish(out: &Path, run_id: &RunId, correction: Option<&str>) -> anyhow::Result<()> {
    let staged_root = OutputRoot::new(out).lock()?;
    let m = config::load_methodology(&Common::default(), &DataDir::Embedded)?;
    let manifest = releasable(&staged_root, run_id, &m)?;
    // The output root's lock, held above, covers its distribution area.
    let dist = staged_root.lock_distribution()?;
    let dist_dir = dist.dir().to_owned();
    if revision_logged(&dist, run_id) {
        refuse(format!(
            "release {run_id} is already published in {}; a published release is never published again or overwritten",
            dist_dir.display()
        ))?;
    }
    if dist.release(run_id).exists() {
        return finish_interrupted(&dist, run_id, &manifest);
    }
    let periods = manifest_periods(&manifest);
    let prior = prior_for(&dist, &periods)
        .map(|p| RunId::parse(&p))
        .transpose()
        .context("revisions.csv names a published release")?;
    let reason = match (&prior, correction.map(str::trim)) {
        (Some(p), None) => {
            return refuse(format!(
                "{} is already published as release {p}; publishing {run_id} for it is a correction: give --correction \"what changed and why\"",
                periods.join(", ")
            ));
        }
        (None, Some(_)) => {
            return refuse(format!(
                "--correction given, but nothing is published for {} to correct",
                periods.join(", ")
            ));
        }
        (Some(_), Some("")) => {
            return refuse("--correction must say what changed and why".to_owned());
        }
        (_, r) => r,
    };
    let staging = dist.staging()?;
    let copy = staging.path().join(run_id.as_str());
    copy_tree(&staged_root.release(run_id), &copy)?;
    if let (Some(prior), Some(reason)) = (&prior, reason) {
        let notice = correction_notice(&dist.release(prior), &copy, prior, run_id, reason)?;
        published::write_notice(&copy, &notice)?;
    }
    // The pre-release access list is published with the release (T3.4).
    access::write_list(&staged_root, run_id, &copy)?;
    sync_tree(&copy)?;
    fault::point("publish:copied");
    let releases = dist.releases();
    std::fs::create_dir_all(&releases)
        .with_context(|| format!("cannot create {}", releases.display()))
        .class(ExitClass::Io)?;
    std::fs::rename(&copy, dist.release(run_id))
        .with_context(|| format!("cannot publish into {}", releases.display()))
        .class(ExitClass::Io)?;
    sync_dir(&releases)?;
    fault::point("publish:renamed");
    dist.point_current(run_id)?;
    fault::point("publish:swapped");
    let now = stamp(jiff::Timestamp::now());
    log_revision(
        &dist,
        &now,
        run_id,
        &periods,
        prior.as_deref().unwrap_or(""),
        reason.unwrap_or(""),
    )?;
    tracing::info!(release = %run_id, to = %dist_dir.display(), corrects = prior.as_deref().unwrap_or("nothing"), "published");
    println!("published {run_id} to {}", dist.release(run_id).display());
    Ok(())
}

/// A publication that died after its release reached `releases/` but before the revision log
/// recorded it: the copy is verified whole against its manifest, then made current and logged.
fn finish_interrupted(
    dist: &LockedRoot,
    run_id: &RunId,
    manifest: &serde_json::Value,
) -> anyhow::Result<()> {
    let copy = dist.release(run_id);
    if !release_is_whole(&copy) {
        return Err(anyhow::anyhow!(
            "{} holds an interrupted publication of {run_id} that does not match its manifest; move it aside and publish again",
            copy.display()
        ))
        .class(ExitClass::Io);
    }
    tracing::warn!(
        release = %run_id,
        "completing a publication that was interrupted"
    );
    dist.point_current(run_id)?;
    let periods = manifest_periods(manifest);
    let notice = published::read_notice(&copy);
    let corrects = notice
        .as_deref()
        .and_then(|n| n.split("corrects release ").nth(1))
        .and_then(|rest| rest.split(',').next())
        .unwrap_or("")
        .to_owned();
    let reason = notice
        .as_deref()
        .and_then(|n| n.split("Why: ").nth(1))
        .and_then(|rest| rest.lines().next())
        .unwrap_or("")
        .to_owned();
    let now = stamp(jiff::Timestamp::now());
    log_revision(dist, &now, run_id, &periods, &corrects, &reason)?;
    println!(
        "published {run_id} to {} (interrupted publication completed)",
        copy.display()
    );
    Ok(())
}

/// The league-table columns a correction notice compares, and how it names them.
const COMPARED: [(&str, &str); 7] = [
    ("Segment", "segment"),
    ("Rank", "rank"),
    ("Average_score", "average score"),
    (
        "Likely_range_of_average_score",
        "likely range of the average",
    ),
    ("Likely_range_of_rank", "likely range of rank"),
    ("Trust_in_financial_deficit", "financial deficit"),
    ("Recovery_support_programme", "Recovery Support Programme"),
];

/// A league table's rows by trust code: (name, the [`COMPARED`] figures).
fn league_rows(path: &Path) -> BTreeMap<String, (String, Vec<String>)> {
    let Ok(mut rdr) = csv::Reader::from_path(path) else {
        return BTreeMap::new();
    };
    let Ok(h) = rdr.headers().cloned() else {
        return BTreeMap::new();
    };
    let col = |n: &str| h.iter().position(|c| c.trim_start_matches('\u{feff}') == n);
    let (Some(code), Some(name)) = (col("Trust_code"), col("Trust_name")) else {
        return BTreeMap::new();
    };
    let figures: Vec<Option<usize>> = COMPARED.iter().map(|(c, _)| col(c)).collect();
    rdr.records()
        .filter_map(Result::ok)
        .map(|r| {
            let values = figures
                .iter()
                .map(|i| canonical(i.and_then(|i| r.get(i)).unwrap_or_default()))
                .collect();
            (r[code].to_owned(), (r[name].to_owned(), values))
        })
        .collect()
}

/// A figure as compared: numbers by value, so "1.8" and "1.80" (a range written at the
/// published 2 dp since, a number in an older release) are the same figure.
fn canonical(text: &str) -> String {
    text.split(" to ")
        .map(|part| {
            part.parse::<f64>()
                .map_or_else(|_| part.to_owned(), |v| v.to_string())
        })
        .collect::<Vec<_>>()
        .join(" to ")
}

/// The correction notice: what changed (files and trusts), why, the scale and the affected
/// tables, between the release it corrects and this one.
fn correction_notice(
    prior_dir: &Path,
    new_dir: &Path,
    prior: &str,
    run_id: &str,
    reason: &str,
) -> anyhow::Result<String> {
    let changed = differing_outputs(prior_dir, new_dir)?;
    let tables: Vec<&String> = changed
        .iter()
        .filter(|p| {
            p.ends_with("league-table.csv")
                || p.ends_with("metric-scores.csv")
                || p.contains("/tables/")
        })
        .collect();
    let mut moves = Vec::new();
    let mut headline = 0;
    for p in changed.iter().filter(|p| p.ends_with("league-table.csv")) {
        let (a, b) = (
            league_rows(&prior_dir.join(p)),
            league_rows(&new_dir.join(p)),
        );
        let codes: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        for code in codes {
            match (a.get(code), b.get(code)) {
                (Some((name, x)), Some((_, y))) if x != y => {
                    // Segment, rank or average: the figures a reader acts on.
                    headline += usize::from(x[..3] != y[..3]);
                    let what: Vec<String> = COMPARED
                        .iter()
                        .zip(x.iter().zip(y))
                        .filter(|(_, (before, after))| before != after)
                        .map(|((_, label), (before, after))| format!("{label} {before} -> {after}"))
                        .collect();
                    moves.push(format!("  {p}: {code} {name}: {}", what.join(", ")));
                }
                (Some((name, _)), None) => moves.push(format!("  {p}: {code} {name}: removed")),
                (None, Some((name, _))) => moves.push(format!("  {p}: {code} {name}: added")),
                _ => {}
            }
        }
    }
    let mut t = String::new();
    t.push_str("CORRECTION NOTICE\n\n");
    t.push_str(&format!(
        "This release ({run_id}) corrects release {prior}, which it replaces.\n\n"
    ));
    t.push_str(&format!("Why: {reason}\n\n"));
    t.push_str(&format!(
        "Scale: {} output file(s) differ; {} trust(s) have a different published figure, {headline} of them a different segment, rank or average score.\n\n",
        changed.len(),
        moves.len()
    ));
    t.push_str("Affected tables:\n");
    if tables.is_empty() {
        t.push_str("  none (no table's figures changed)\n");
    }
    for p in &tables {
        t.push_str(&format!("  {p}\n"));
    }
    t.push_str("\nTrusts whose published figures changed:\n");
    if moves.is_empty() {
        t.push_str("  none\n");
    }
    for l in &moves {
        t.push_str(l);
        t.push('\n');
    }
    Ok(t)
}
