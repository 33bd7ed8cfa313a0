//! Back test against NHS England's acute NOF data file for Q1 2025/26
//! (`data/nof/nof_acute_2025_26_q1_data.csv`, 134 trusts, byte for byte as published: BOM, CRLF
//! and the Q1 layout without a `Quarter` column).
//!
//! Two inputs: the file as published, and the file with every score that can be derived from a
//! raw value in it removed, so that the engine must compute those scores itself. Either way the
//! league table (rank, segment, average), every domain score and every domain segment must equal
//! NHS England's for all 134 trusts.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use league_model::{Methodology, PoolRef, Scoring};

use crate::util::{Report, methodology, num, read_csv, root, score, stderr};

const INPUT: &str = "data/nof/nof_acute_2025_26_q1_data.csv";
const SLUG: &str = "2025-26-Q1/acute";

/// Published values keyed by (trust, metric id): (value, rank).
fn published() -> HashMap<(String, String), (f64, Option<f64>)> {
    read_csv(&root().join(INPUT))
        .into_iter()
        .filter(|r| !r["Value"].is_empty())
        .map(|r| {
            let rank = (!r["Rank"].is_empty()).then(|| num(&r["Rank"]));
            (
                (r["Trust_code"].clone(), r["Metric_ID"].clone()),
                (num(&r["Value"]), rank),
            )
        })
        .collect()
}

/// The score ids the engine can derive from a raw value in the acute file alone: the metric's
/// comparator pool is the peer group (all of it is in the file), its scheme works on the value,
/// and the config records that the published scores follow from the published values
/// (`evidence = "verified"`). The combined finance score (OF1080) follows from its two
/// components. Left out, and so kept as published: metrics pooled across trust types (sickness
/// absence over all 205 trusts; community and mental health metrics also scored for MH trusts;
/// ambulance measures), score-only metrics (SHMI, CQC surveys and ratings), and the two infection
/// rates, whose published order is not the order of their published values (see
/// `infection_rates_are_not_ordered_by_their_published_values`).
fn derivable(m: &Methodology) -> Vec<String> {
    m.metrics
        .iter()
        .filter(|x| x.peer_groups.iter().any(|g| g == "acute"))
        .filter(|x| {
            let from_value = x.value_id.is_some()
                && matches!(x.pool, PoolRef::PeerGroup)
                && matches!(
                    x.scoring,
                    Scoring::Rank
                        | Scoring::Standard { .. }
                        | Scoring::Floor { .. }
                        | Scoring::Bands { .. }
                );
            let combined = matches!(x.scoring, Scoring::Matrix { .. });
            (from_value || combined) && x.evidence == league_model::Evidence::Verified
        })
        .map(|x| x.id.clone())
        .collect()
}

/// The published file without the rows of `drop` (byte-identical otherwise: BOM and CRLF kept).
fn stripped(dir: &Path, drop: &[String]) -> PathBuf {
    let text = std::fs::read_to_string(root().join(INPUT)).expect("input");
    let mut kept = 0;
    let out: String = text
        .split_inclusive('\n')
        .enumerate()
        .filter(|(i, line)| {
            let keep = *i == 0 || !drop.iter().any(|id| line.contains(&format!(",{id},")));
            kept += usize::from(keep);
            keep
        })
        .map(|(_, l)| l)
        .collect();
    assert!(kept < text.lines().count(), "some rows were removed");
    let path = dir.join("acute_q1_stripped.csv");
    std::fs::write(&path, out).expect("write");
    path
}

fn as_published() -> Report {
    score(&root().join(INPUT), &["--quarter", "Q1 2025/26"])
}

/// The run, and the score ids removed from its input.
fn with_derivable_scores_removed() -> (Report, Vec<String>) {
    let ids = derivable(&methodology());
    let dir = tempfile::tempdir().expect("tempdir");
    let input = stripped(dir.path(), &ids);
    (score(&input, &["--quarter", "Q1 2025/26"]), ids)
}

/// League table and domain results equal NHS England's, trust by trust.
fn assert_league_and_domains_reproduce(run: &Report) {
    let pubd = published();
    let p = |t: &str, id: &str| pubd[&(t.to_owned(), id.to_owned())];
    let league_rows = read_csv(&run.out.join(SLUG).join("league-table.csv"));
    assert_eq!(league_rows.len(), 134, "all 134 acute trusts ranked");
    for r in &league_rows {
        let t = r["Trust_code"].as_str();
        assert_eq!(num(&r["Average_score"]), p(t, "OF5002").0, "{t}: OF5002");
        assert_eq!(num(&r["Segment"]), p(t, "OF5000").0, "{t}: OF5000");
        assert_eq!(
            r["Trust_in_financial_deficit"] == "Yes",
            p(t, "OF5004").0 == 1.0,
            "{t}: OF5004"
        );
        // NHS England's OF5000 row carries the league rank in its Rank column.
        let rank = p(t, "OF5000").1.expect("OF5000 carries the league rank");
        assert_eq!(num(&r["Rank"]), rank, "{t}: league rank");
    }
    let mut domain_values = 0;
    for r in read_csv(&run.out.join(SLUG).join("metric-scores.csv")) {
        let id = r["Metric_ID"].as_str();
        if !(id.starts_with("OF40") || id.starts_with("OF41") || id == "OF5003" || id == "OF5005") {
            continue;
        }
        let t = r["Trust_code"].as_str();
        assert_eq!(num(&r["Value"]), p(t, id).0, "{t} {id}");
        domain_values += 1;
    }
    let expected = pubd
        .keys()
        .filter(|(_, m)| {
            m.starts_with("OF40") || m.starts_with("OF41") || m == "OF5003" || m == "OF5005"
        })
        .count();
    assert_eq!(
        domain_values, expected,
        "every published domain score, domain segment, unadjusted and final segment is reproduced"
    );
}

#[test]
fn the_published_acute_file_reproduces_nhs_england_s_league_table() {
    assert_league_and_domains_reproduce(&as_published());
}

#[test]
fn with_derivable_scores_removed_the_engine_s_scores_and_league_table_reproduce() {
    let (run, ids) = with_derivable_scores_removed();
    assert_league_and_domains_reproduce(&run);

    // Every score the engine computed from a raw value, against NHS England's.
    let pubd = published();
    let mut by_metric: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut exceptions = Vec::new();
    for r in read_csv(&run.out.join(SLUG).join("metric-scores.csv")) {
        let id = r["Metric_ID"].clone();
        if !ids.contains(&id) {
            continue;
        }
        let t = r["Trust_code"].clone();
        assert_eq!(r["Score_source"], "computed", "{t} {id}");
        let ours = num(&r["Computed_score"]);
        let theirs = pubd[&(t.clone(), id.clone())].0;
        let e = by_metric.entry(id.clone()).or_default();
        e.0 += 1;
        if ours == theirs {
            e.1 += 1;
        } else {
            exceptions.push(format!("{t} {id}: ours {ours}, NHS England's {theirs}"));
        }
    }
    let published_pairs = pubd.keys().filter(|(_, m)| ids.contains(m)).count() as u32;
    let (pairs, exact) = by_metric
        .values()
        .fold((0, 0), |(p, e), (n, x)| (p + n, e + x));
    assert_eq!(
        pairs, published_pairs,
        "the engine scored every trust-metric pair NHS England published: {by_metric:?}"
    );
    // Acceptance: at least 99%. Every derivable pair is in fact exact (1,939 pairs over 15
    // metrics); an exception would be listed here.
    assert!(
        f64::from(exact) >= 0.99 * f64::from(pairs),
        "{exact} of {pairs} exact: {exceptions:?}"
    );
    assert_eq!(exceptions, Vec::<String>::new());
    assert_eq!(pairs, 1939, "{by_metric:?}");
}

#[test]
fn infection_rates_are_not_ordered_by_their_published_values() {
    // Why OF1048 and OF1088 are kept as published: NHS England's own rank of the value (the
    // file's Rank column) puts a higher, worse rate ahead of lower ones, so no ranking of the
    // published values reproduces the published scores.
    let pubd = published();
    for id in ["OF0048", "OF0088"] {
        let mut rows: Vec<(f64, f64)> = pubd
            .iter()
            .filter(|((_, m), _)| m == id)
            .map(|(_, (v, r))| (*v, r.expect("ranked")))
            .collect();
        rows.sort_by(|a, b| a.1.total_cmp(&b.1));
        let inversions = rows
            .windows(2)
            .filter(|w| w[1].0 < w[0].0 && w[1].1 > w[0].1)
            .count();
        assert!(inversions > 0, "{id}: published ranks follow the values");
    }
    // Contrast: for a verified metric the published rank never puts a worse value first.
    let mut rows: Vec<(f64, f64)> = pubd
        .iter()
        .filter(|((_, m), _)| m == "OF0023")
        .map(|(_, (v, r))| (*v, r.expect("ranked")))
        .collect();
    rows.sort_by(|a, b| a.1.total_cmp(&b.1));
    assert!(rows.windows(2).all(|w| w[1].0 <= w[0].0));
}

#[test]
fn the_q1_layout_takes_its_quarter_from_reporting_date_without_the_option() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_league"))
        .args([
            "score",
            "--nof-data",
            INPUT,
            "--replicates",
            "100",
            "--out",
            out.to_str().expect("utf8"),
        ])
        .current_dir(root())
        .env("RUST_LOG", "info")
        .output()
        .expect("runs");
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("quarter from its Reporting_date values"),
        "the run says where the quarter came from: {err}"
    );
    assert!(
        err.contains("holds 1 of 3 peer groups (acute)"),
        "the run says the input holds one peer group: {err}"
    );
    assert_eq!(
        read_csv(&out.join("current").join(SLUG).join("league-table.csv")).len(),
        134
    );
}

#[test]
fn every_metric_name_is_nhs_england_s_metric_description() {
    // The configuration names each metric (and each raw value) as NHS England's files do, so
    // outputs say what NHS England says.
    let m = methodology();
    let mut checked = 0;
    for file in [INPUT, "data/nof/nof_mh_community_2025_26_q1_to_q3_data.csv"] {
        for r in read_csv(&root().join(file)) {
            let id = r["Metric_ID"].as_str();
            let Some(x) = m
                .metrics
                .iter()
                .find(|x| x.id == id || x.value_id.as_deref() == Some(id))
            else {
                continue;
            };
            let published = r["Metric_description"].trim_matches([' ', '\u{a0}']);
            assert_eq!(x.name, published, "{file}: {id}");
            checked += 1;
        }
    }
    assert_eq!(checked, 8984, "every metric row of both files");
}
