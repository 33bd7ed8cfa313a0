//! The history store: every release's results as Parquet, partitioned by quarter.
//!
//! ```text
//! OUT/history/<dataset>/quarter=<2025-26-Q1>/<run id>.parquet
//! ```
//!
//! with three datasets, each the release's CSV of the same name for every peer group, with
//! `run_id` and `peer_group` first: `league` (league-table.csv), `metrics` (metric-scores.csv)
//! and `statuses` (intervention-status.csv). The schema is documented in
//! `data/schema/history.md`. Files are derived only from the release's own files, so
//! rebuilding the store from the releases gives the same bytes (`league history`).

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::error::{Classify, ExitClass};
use crate::fsio::write_atomic;
use crate::hash::sha256_file;
use crate::store::{LockedRoot, OutputRoot, RunId, outcomes, published};

/// The datasets: (name, the CSV each peer group's directory holds).
pub(crate) const DATASETS: [(&str, &str); 3] = [
    ("league", "league-table.csv"),
    ("metrics", "metric-scores.csv"),
    ("statuses", "intervention-status.csv"),
];

/// A column's Parquet type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    Text,
    Int,
    Float,
}

/// The type of a CSV column in the store (every column is optional: empty is null).
fn column_type(name: &str) -> Type {
    match name {
        "Segment"
        | "Rank"
        | "Segment_before_override"
        | "Metrics_scored"
        | "Synthetic_metrics"
        | "Other_period_metrics" => Type::Int,
        "Average_score" | "Value" | "Median_value" | "Lower_quartile" | "Upper_quartile"
        | "Computed_score" => Type::Float,
        _ => Type::Text,
    }
}

/// The peer groups (directory names, sorted) of a release's quarter directory `qdir` whose
/// directory holds `csv_name`.
fn groups_holding(qdir: &Path, csv_name: &str) -> anyhow::Result<Vec<String>> {
    let mut groups: Vec<String> = std::fs::read_dir(qdir)
        .with_context(|| format!("cannot list {}", qdir.display()))
        .class(ExitClass::Io)?
        .filter_map(Result::ok)
        .filter(|e| e.path().join(csv_name).is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    groups.sort();
    Ok(groups)
}

/// The Parquet file of one dataset for one quarter of a release: the rows of every peer
/// group's CSV (groups in name order), with `run_id` and `peer_group` first.
fn dataset_parquet(
    release_dir: &Path,
    run_id: &RunId,
    quarter: &str,
    csv_name: &str,
) -> anyhow::Result<Option<Vec<u8>>> {
    let qdir = release_dir.join(quarter);
    let groups = groups_holding(&qdir, csv_name)?;
    let mut header: Option<Vec<String>> = None;
    let mut rows: Vec<Vec<String>> = Vec::new();
    for g in &groups {
        let path = qdir.join(g).join(csv_name);
        let mut rdr = csv::Reader::from_path(&path)
            .with_context(|| format!("cannot read {}", path.display()))
            .class(ExitClass::Io)?;
        let h: Vec<String> = rdr
            .headers()
            .with_context(|| format!("cannot read {}", path.display()))
            .class(ExitClass::Io)?
            .iter()
            .map(|s| s.trim_start_matches('\u{feff}').to_owned())
            .collect();
        match &header {
            None => header = Some(h.clone()),
            Some(first) if *first != h => {
                return Err(anyhow::anyhow!(
                    "{}: columns differ from the other peer groups' {csv_name}",
                    path.display()
                ))
                .class(ExitClass::Internal);
            }
            Some(_) => {}
        }
        for rec in rdr.records() {
            let rec = rec
                .with_context(|| format!("cannot read {}", path.display()))
                .class(ExitClass::Io)?;
            let mut row = vec![run_id.to_string(), g.clone()];
            row.extend(rec.iter().map(str::to_owned));
            rows.push(row);
        }
    }
    let Some(header) = header else {
        return Ok(None);
    };
    let mut columns = vec!["run_id".to_owned(), "peer_group".to_owned()];
    columns.extend(header);
    parquet_bytes(&columns, &rows)
        .with_context(|| format!("cannot encode the {csv_name} history of {run_id}"))
        .class(ExitClass::Internal)
        .map(Some)
}

/// Parquet bytes, written as the packs' tables are (`league_report::table_parquet`: one row
/// group, uncompressed, every column optional), columns typed by [`column_type`] and named in
/// lower case with `_` for anything but letters and digits.
fn parquet_bytes(columns: &[String], rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    use league_report::{Cell, Column, Kind, PackTable, Shorthand};
    let kinds: Vec<Type> = columns.iter().map(|c| column_type(c)).collect();
    let table_columns = columns
        .iter()
        .zip(&kinds)
        .map(|(c, t)| Column {
            header: c.clone(),
            key: c
                .chars()
                .map(|ch| {
                    if ch.is_ascii_alphanumeric() {
                        ch.to_ascii_lowercase()
                    } else {
                        '_'
                    }
                })
                .collect(),
            kind: match t {
                Type::Text => Kind::Text,
                Type::Int => Kind::Integer,
                // The decimal places only matter to renderings; Parquet keeps the value.
                Type::Float => Kind::Decimal(0),
            },
            unit: String::new(),
            meaning: String::new(),
        })
        .collect();
    let cells = rows
        .iter()
        .map(|r| {
            r.iter()
                .zip(columns.iter().zip(&kinds))
                .map(|(v, (c, t))| {
                    let bad = || anyhow::anyhow!("column {c}: {v:?} is not a number");
                    Ok(match t {
                        _ if v.is_empty() => Cell::Missing(Shorthand::NotAvailable),
                        Type::Text => Cell::Text(v.clone()),
                        Type::Int => Cell::Int(v.parse().map_err(|_| bad())?),
                        Type::Float => Cell::Num(v.parse().map_err(|_| bad())?),
                    })
                })
                .collect::<anyhow::Result<Vec<Cell>>>()
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let table = PackTable {
        id: "history".to_owned(),
        sheet: String::new(),
        title: String::new(),
        description: String::new(),
        notes: Vec::new(),
        columns: table_columns,
        rows: cells,
    };
    Ok(league_report::table_parquet(&table)?)
}

/// The quarter directories of a release (`2025-26-Q1`, …), sorted.
fn quarters(release_dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut q: Vec<String> = std::fs::read_dir(release_dir)
        .with_context(|| format!("cannot list {}", release_dir.display()))
        .class(ExitClass::Io)?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.parse::<league_model::Quarter>().is_ok())
        .collect();
    q.sort();
    Ok(q)
}

/// The path under the store of one dataset's file for one quarter of a release.
fn file_name(dataset: &str, quarter: &str, run_id: &RunId) -> PathBuf {
    Path::new(dataset)
        .join(format!("quarter={quarter}"))
        .join(format!("{run_id}.parquet"))
}

/// Every history file a release gives: (path under the store, bytes).
fn files_of(release_dir: &Path, run_id: &RunId) -> anyhow::Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut out = Vec::new();
    for q in quarters(release_dir)? {
        for (dataset, csv_name) in DATASETS {
            if let Some(bytes) = dataset_parquet(release_dir, run_id, &q, csv_name)? {
                out.push((file_name(dataset, &q, run_id), bytes));
            }
        }
    }
    Ok(out)
}

/// The paths under the store of the files [`files_of`] gives, without encoding them: a
/// dataset has a file for a quarter when any peer group's directory holds its CSV.
fn names_of(release_dir: &Path, run_id: &RunId) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for q in quarters(release_dir)? {
        for (dataset, csv_name) in DATASETS {
            if !groups_holding(&release_dir.join(&q), csv_name)?.is_empty() {
                out.push(file_name(dataset, &q, run_id));
            }
        }
    }
    Ok(out)
}

/// Writes the history files of release `run_id`, read from `release_dir` (its staged set,
/// before it is renamed into `releases/`), into `OUT/history/`. A rerun of the same release
/// writes the same bytes again: an upsert, never a duplicate. Until the run commits, the
/// files belong to no complete run, and recovery removes them if it never does.
pub(crate) fn write(root: &LockedRoot, release_dir: &Path, run_id: &RunId) -> anyhow::Result<()> {
    let store = root.history();
    let files = files_of(release_dir, run_id)?;
    for (rel, bytes) in &files {
        write_atomic(&store.join(rel), bytes)?;
        crate::fault::point("history:file");
    }
    tracing::info!(release = %run_id, files = files.len(), "history written");
    Ok(())
}

/// Writes whichever of release `run_id`'s history files are missing from the store (recovery
/// of a store that an earlier version, or a killed run, left short). Returns how many.
pub(crate) fn complete(root: &LockedRoot, run_id: &RunId) -> anyhow::Result<usize> {
    let store = root.history();
    let dir = root.release(run_id);
    if names_of(&dir, run_id)?
        .iter()
        .all(|rel| store.join(rel).is_file())
    {
        return Ok(0);
    }
    let mut n = 0;
    for (rel, bytes) in files_of(&dir, run_id)? {
        if !store.join(&rel).is_file() {
            write_atomic(&store.join(&rel), &bytes)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Every file in the history store: (path under the store, the run id its name gives, if
/// its name is one). Staging files are not listed.
pub(crate) fn stored(root: &OutputRoot) -> Vec<(PathBuf, Option<RunId>)> {
    let store = root.history();
    let mut out = Vec::new();
    for (dataset, _) in DATASETS {
        let Ok(parts) = std::fs::read_dir(store.join(dataset)) else {
            continue;
        };
        for part in parts.filter_map(Result::ok) {
            let Ok(files) = std::fs::read_dir(part.path()) else {
                continue;
            };
            for f in files.filter_map(Result::ok) {
                let name = f.file_name().to_string_lossy().into_owned();
                if name.starts_with(".staging-") {
                    continue;
                }
                let id = name
                    .strip_suffix(".parquet")
                    .and_then(|n| RunId::parse(n).ok());
                out.push((Path::new(dataset).join(part.file_name()).join(&name), id));
            }
        }
    }
    out.sort();
    out
}

/// The stored files that belong to no release in `releases/` and to no run in `committed`
/// (a name that is no run id belongs to none): [`stored`]'s paths and ids.
pub(crate) fn unowned(
    root: &OutputRoot,
    committed: &std::collections::BTreeSet<RunId>,
) -> anyhow::Result<Vec<(PathBuf, Option<RunId>)>> {
    let releases = root.release_ids()?;
    Ok(stored(root)
        .into_iter()
        .filter(|(_, id)| {
            !id.as_ref()
                .is_some_and(|id| releases.contains(id) || committed.contains(id))
        })
        .collect())
}

/// Rebuilds every release's history files: into `into` when given, else compared with the
/// store. Returns how many files were rebuilt and those that differ from the store's; in the
/// comparison, a stored file of no release and no complete run (a pruned release's history
/// stays) differs too.
pub(crate) fn rebuild(
    root: &LockedRoot,
    into: Option<&Path>,
) -> anyhow::Result<(usize, Vec<String>)> {
    let store = root.history();
    let mut differ = Vec::new();
    let mut n = 0;
    for id in root.release_ids()? {
        for (rel, bytes) in files_of(&root.release(&id), &id)? {
            n += 1;
            match into {
                Some(dir) => write_atomic(&dir.join(&rel), &bytes)?,
                None => {
                    if std::fs::read(store.join(&rel)).ok().as_deref() != Some(bytes.as_slice()) {
                        differ.push(rel.display().to_string());
                    }
                }
            }
        }
    }
    if into.is_none() {
        let committed = outcomes::complete_ids(&outcomes::all(root));
        for (rel, _) in unowned(root, &committed)? {
            differ.push(format!("{} (of no release or complete run)", rel.display()));
        }
    }
    Ok((n, differ))
}

/// A history file a run read: (path under the output root, SHA-256).
pub(crate) type HistoryFile = (String, String);

/// Which release's history a quarter's earlier results come from: the latest published one for
/// it, else the latest run that completed it (by `run-history.jsonl`), if its file is in the
/// store.
fn source_release(root: &OutputRoot, quarter: league_model::Quarter) -> Option<RunId> {
    let label = quarter.to_string();
    let slug = league_report::quarter_slug(quarter);
    let stored = |id: &RunId| {
        root.history()
            .join(file_name("league", &slug, id))
            .is_file()
    };
    let published = published::published_for(&root.distribution(), &label)
        .into_iter()
        .rev()
        .filter_map(|id| RunId::parse(&id).ok())
        .find(|id| stored(id));
    if published.is_some() {
        return published;
    }
    outcomes::all(root)
        .into_iter()
        .filter(|v| v["status"] == "complete")
        .filter(|v| {
            v["periods"]
                .as_array()
                .is_some_and(|p| p.iter().any(|x| *x == label.as_str()))
        })
        .filter_map(|v| v["run_id"].as_str().and_then(|id| RunId::parse(id).ok()))
        .find(|id| stored(id))
}

/// The rows of a history Parquet file as column → text (null as empty).
fn read_rows(path: &Path) -> anyhow::Result<Vec<std::collections::BTreeMap<String, String>>> {
    use parquet::file::reader::{FileReader as _, SerializedFileReader};
    use parquet::record::Field;
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot read {}", path.display()))
        .class(ExitClass::Io)?;
    let reader = SerializedFileReader::new(file)
        .with_context(|| format!("{} is not a history Parquet file", path.display()))
        .class(ExitClass::BadInput)?;
    let rows = reader
        .get_row_iter(None)
        .with_context(|| format!("cannot read {}", path.display()))
        .class(ExitClass::BadInput)?;
    let mut out = Vec::new();
    for row in rows {
        let row = row
            .with_context(|| format!("cannot read {}", path.display()))
            .class(ExitClass::BadInput)?;
        out.push(
            row.get_column_iter()
                .map(|(name, f)| {
                    let text = match f {
                        Field::Null => String::new(),
                        Field::Str(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (name.clone(), text)
                })
                .collect(),
        );
    }
    Ok(out)
}

/// What a run reads from the history store about quarters it does not hold.
#[derive(Debug, Default)]
pub(crate) struct Earlier {
    /// Each trust's result, for the intervention rules that span quarters.
    pub prior: Vec<league_model::PriorResult>,
    /// League tables, for the packs' and letters' trends (only the `trend` quarters).
    pub tables: Vec<league_model::LeagueTable>,
    /// The release each quarter came from.
    pub from: Vec<(league_model::Quarter, String)>,
    /// Every file read, with its SHA-256 (part of the run id and the manifest).
    pub files: Vec<HistoryFile>,
}

/// `a to b` as a range.
fn range(text: &str) -> Option<league_model::Range> {
    let (a, b) = text.split_once(" to ")?;
    Some(league_model::Range {
        low: a.trim().parse().ok()?,
        high: b.trim().parse().ok()?,
    })
}

/// One league row of the history store back as a [`league_model::LeagueRow`] (what the
/// league table shows; `average_rank` is the rank, `domains` empty).
fn league_row(
    r: &std::collections::BTreeMap<String, String>,
    m: &league_model::Methodology,
) -> Option<league_model::LeagueRow> {
    let get = |k: &str| r.get(k).map(String::as_str).unwrap_or_default();
    let yes_no = |k: &str| match get(k) {
        "Yes" => Some(true),
        "No" => Some(false),
        _ => None,
    };
    let segment: u8 = get("segment").parse().ok()?;
    let average: f64 = get("average_score").parse().ok()?;
    let rank: u32 = get("rank").parse().ok()?;
    let programme = yes_no("recovery_support_programme");
    Some(league_model::LeagueRow {
        trust: league_model::TrustInQuarter {
            code: league_model::TrustCode::parse(get("trust_code")).ok()?,
            name: get("trust_name").to_owned(),
            region: get("region").to_owned(),
            peer_group: get("peer_group").to_owned(),
            subtype: get("trust_subtype").to_owned(),
        },
        metrics_scored: get("metrics_scored").parse().ok()?,
        average_unrounded: average,
        average,
        average_range: range(get("likely_range_of_average_score"))?,
        unadjusted_segment: get("segment_before_override").parse().ok()?,
        segment,
        final_segment: league_score::rules::final_segment(
            segment,
            programme == Some(true),
            m.segment5.segment,
        ),
        in_deficit: yes_no("trust_in_financial_deficit"),
        deficit_provenance: None,
        in_recovery_support_programme: programme,
        rank,
        average_rank: rank,
        rank_range: range(get("likely_range_of_rank"))?,
        domains: Vec::new(),
        metrics: get("metrics_in_average")
            .split(';')
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect(),
        synthetic_metrics: get("synthetic_metrics").parse().ok()?,
        other_period_metrics: get("other_period_metrics").parse().ok()?,
        segment_chances: None,
        versus_peers: None,
    })
}

/// Reads the earlier `quarters` from the store: for each, the release [`source_release`]
/// picks; its league rows (and planned surplus, the methodology's planned-surplus metric) as
/// prior results, and, for quarters in `trend`, its league tables by peer group.
pub(crate) fn earlier(
    root: &OutputRoot,
    quarters: &[league_model::Quarter],
    trend: &[league_model::Quarter],
    m: &league_model::Methodology,
) -> anyhow::Result<Earlier> {
    let mut e = Earlier::default();
    for q in quarters {
        let Some(id) = source_release(root, *q) else {
            continue;
        };
        let slug = league_report::quarter_slug(*q);
        let rel = |ds: &str| {
            Path::new(super::HISTORY)
                .join(file_name(ds, &slug, &id))
                .display()
                .to_string()
        };
        let mut planned = std::collections::BTreeMap::new();
        let metrics = root.dir().join(rel("metrics"));
        if metrics.is_file() {
            for r in read_rows(&metrics)? {
                if r.get("metric_id") == Some(&m.intervention.planned_surplus_metric)
                    && let Some(v) = r.get("value").and_then(|v| v.parse::<f64>().ok())
                {
                    planned.insert(r.get("trust_code").cloned().unwrap_or_default(), v);
                }
            }
            e.files.push((rel("metrics"), sha256_file(&metrics)?));
        }
        let league = root.dir().join(rel("league"));
        let mut tables: Vec<league_model::LeagueTable> = Vec::new();
        for r in read_rows(&league)? {
            let row = league_row(&r, m).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: a league row that does not read back (trust {:?})",
                    league.display(),
                    r.get("trust_code").cloned().unwrap_or_default()
                )
            });
            let row = row.class(ExitClass::BadInput)?;
            e.prior.push(league_model::PriorResult {
                quarter: *q,
                trust: row.trust.code.clone(),
                segment: row.segment,
                in_recovery_support_programme: row.in_recovery_support_programme,
                in_deficit: row.in_deficit,
                planned_surplus: planned.get(row.trust.code.as_str()).copied(),
                release: id.to_string(),
            });
            match tables
                .iter_mut()
                .find(|t| t.peer_group == row.trust.peer_group)
            {
                Some(t) => t.rows.push(row),
                None => tables.push(league_model::LeagueTable {
                    quarter: *q,
                    peer_group: row.trust.peer_group.clone(),
                    peer_group_label: r.get("trust_type").cloned().unwrap_or_default(),
                    rows: vec![row],
                }),
            }
        }
        if trend.contains(q) {
            e.tables.extend(tables);
        }
        e.files.push((rel("league"), sha256_file(&league)?));
        e.from.push((*q, id.to_string()));
        tracing::info!(quarter = %q, release = %id, "earlier results read from the history store");
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_typed_and_empty_cells_are_null() {
        let columns: Vec<String> = ["run_id", "Rank", "Value", "Trust_name"]
            .map(str::to_owned)
            .to_vec();
        let rows = vec![
            vec!["r".into(), "3".into(), "1.5".into(), "A".into()],
            vec!["r".into(), "".into(), "".into(), "B".into()],
        ];
        let bytes = parquet_bytes(&columns, &rows).expect("encode");
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let tmp = tempfile::NamedTempFile::new().expect("tempfile");
        std::fs::write(tmp.path(), &bytes).expect("write");
        let f = std::fs::File::open(tmp.path()).expect("open");
        let r = SerializedFileReader::new(f).expect("read");
        let schema = r.metadata().file_metadata().schema_descr();
        let names: Vec<&str> = schema.columns().iter().map(|c| c.name()).collect();
        assert_eq!(names, ["run_id", "rank", "value", "trust_name"]);
        let rows: Vec<String> = r
            .get_row_iter(None)
            .expect("rows")
            .map(|row| row.expect("row").to_string())
            .collect();
        assert_eq!(
            rows[0],
            "{run_id: \"r\", rank: 3, value: 1.5, trust_name: \"A\"}"
        );
        assert_eq!(
            rows[1],
            "{run_id: \"r\", rank: null, value: null, trust_name: \"B\"}"
        );
        let e = parquet_bytes(
            &columns,
            &[vec!["r".into(), "x".into(), "".into(), "".into()]],
        )
        .expect_err("not a number");
        assert!(e.to_string().contains("Rank"), "{e}");
    }
}
