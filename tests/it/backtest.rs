//! Back test against NHS England's published NOF data for the 61 mental health and community
//! trusts, Q1–Q3 2025/26 (`data/nof/nof_mh_community_2025_26_q1_to_q3_data.csv`).

use std::collections::{BTreeMap, HashMap};

use league_score::rules::{apply_override, competition_ranks};

use crate::util::{Report, league, num, read_csv, root, score, stderr};

const INPUT: &str = "data/nof/nof_mh_community_2025_26_q1_to_q3_data.csv";
const QUARTERS: [(&str, &str); 3] = [
    ("Q1 2025/26", "2025-26-Q1"),
    ("Q2 2025/26", "2025-26-Q2"),
    ("Q3 2025/26", "2025-26-Q3"),
];

/// Published values keyed by (quarter, trust, metric id): (value, rank).
fn published() -> HashMap<(String, String, String), (f64, Option<f64>)> {
    read_csv(&root().join(INPUT))
        .into_iter()
        .map(|r| {
            let rank = (!r["Rank"].is_empty()).then(|| num(&r["Rank"]));
            (
                (
                    r["Quarter"].clone(),
                    r["Trust_code"].clone(),
                    r["Metric_ID"].clone(),
                ),
                (num(&r["Value"]), rank),
            )
        })
        .collect()
}

fn run_all_quarters() -> Report {
    score(&root().join(INPUT), &[])
}

fn table(run: &Report, slug: &str, file: &str) -> Vec<HashMap<String, String>> {
    read_csv(&run.out.join(slug).join("mh_community").join(file))
}

#[test]
fn staff_survey_scores_recomputed_from_raw_values_match_the_published_scores() {
    let run = run_all_quarters();
    let pubd = published();
    let mut checked = 0;
    let mut tied = 0;
    for (quarter, slug) in QUARTERS {
        for (score_id, value_id) in [("OF1061", "OF0061"), ("OF1084", "OF0084")] {
            let raws: Vec<(String, f64)> = pubd
                .iter()
                .filter(|((q, _, m), _)| q == quarter && m == value_id)
                .map(|((_, t, _), (v, _))| (t.clone(), *v))
                .collect();
            let ours: HashMap<String, f64> = table(&run, slug, "metric-scores.csv")
                .into_iter()
                .filter(|r| r["Metric_ID"] == score_id)
                .map(|r| (r["Trust_code"].clone(), num(&r["Computed_score"])))
                .collect();
            assert_eq!(
                ours.len(),
                raws.len(),
                "{quarter} {score_id}: one computed score per trust"
            );
            for (t, v) in &raws {
                // Values tied at 2 dp are ordered by the file's Rank column (NHS England ranked
                // the unrounded values), so tied trusts reproduce exactly too.
                tied += usize::from(raws.iter().filter(|(_, w)| w == v).count() > 1);
                let published = pubd[&(quarter.to_owned(), t.clone(), score_id.to_owned())].0;
                assert_eq!(ours[t], published, "{quarter} {score_id} {t}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 2 * 3 * 61);
    assert!(tied > 0, "the file has values tied at 2 dp");
}

#[test]
fn averages_domains_segments_and_ranks_reproduce_the_published_league_tables() {
    let run = run_all_quarters();
    let pubd = published();
    let mut exact = 0;
    for (quarter, slug) in QUARTERS {
        let league = table(&run, slug, "league-table.csv");
        assert_eq!(league.len(), 61, "{quarter}: all 61 trusts ranked");
        for r in &league {
            let t = r["Trust_code"].clone();
            let p = |id: &str| pubd[&(quarter.to_owned(), t.clone(), id.to_owned())];
            // The acceptance tolerance is ±0.01; every published average reproduces exactly.
            let avg = num(&r["Average_score"]);
            assert_eq!(avg, p("OF5002").0, "{quarter} {t}: OF5002");
            assert_eq!(
                num(&r["Segment"]),
                p("OF5000").0,
                "{quarter} {t}: OF5000 from cut-points and override"
            );
            assert_eq!(
                r["Trust_in_financial_deficit"] == "Yes",
                p("OF5004").0 == 1.0
            );
            let rank: u32 = r["Rank"].parse().expect("rank");
            let published_rank = p("OF5000").1.expect("OF5000 carries the league rank") as u32;
            assert_eq!(rank, published_rank, "{quarter} {t}: league rank");
            exact += 1;
        }
        for r in table(&run, slug, "metric-scores.csv")
            .iter()
            .filter(|r| r["Metric_ID"].starts_with("OF40") || r["Metric_ID"].starts_with("OF41"))
        {
            let p = pubd[&(
                quarter.to_owned(),
                r["Trust_code"].clone(),
                r["Metric_ID"].clone(),
            )]
                .0;
            // Domain scores (OF400x, tolerance ±0.01 in the acceptance) and domain segments
            // (OF410x) both reproduce exactly.
            assert_eq!(
                num(&r["Value"]),
                p,
                "{quarter} {} {}",
                r["Trust_code"],
                r["Metric_ID"]
            );
            exact += 1;
        }
    }
    // Every league row, and every domain score and segment NHS England published.
    let published_domain_values = pubd
        .keys()
        .filter(|(_, _, m)| m.starts_with("OF40") || m.starts_with("OF41"))
        .count();
    assert_eq!(exact, 3 * 61 + published_domain_values);
}

#[test]
fn adjusted_segment_follows_from_the_published_unadjusted_segment_and_deficit_flag() {
    let pubd = published();
    let mut n = 0;
    for ((q, t, m), (unadjusted, _)) in &pubd {
        if m != "OF5003" {
            continue;
        }
        let flag = pubd[&(q.clone(), t.clone(), "OF5004".to_owned())].0 == 1.0;
        let adjusted = pubd[&(q.clone(), t.clone(), "OF5000".to_owned())].0;
        assert_eq!(
            f64::from(apply_override(*unadjusted as u8, flag, 3)),
            adjusted,
            "{q} {t}"
        );
        n += 1;
    }
    assert_eq!(n, 183);
}

#[test]
fn published_league_ranks_follow_from_segment_then_average() {
    let pubd = published();
    type Row = (String, (u8, f64), u32);
    let mut by_quarter: BTreeMap<&str, Vec<Row>> = BTreeMap::new();
    for ((q, t, m), (seg, rank)) in &pubd {
        if m == "OF5000" {
            let avg = pubd[&(q.clone(), t.clone(), "OF5002".to_owned())].0;
            by_quarter.entry(q).or_default().push((
                t.clone(),
                (*seg as u8, avg),
                rank.expect("rank") as u32,
            ));
        }
    }
    for (q, rows) in by_quarter {
        let keys: Vec<(u8, f64)> = rows.iter().map(|r| r.1).collect();
        for (r, rank) in rows.iter().zip(competition_ranks(&keys)) {
            assert_eq!(rank, r.2, "{q} {}", r.0);
        }
    }
}

#[test]
fn one_quarter_with_explicit_cut_points_and_byte_identical_reruns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |name: &str| {
        let out = dir.path().join(name);
        let o = league(&[
            "score",
            "--nof-data",
            INPUT,
            "--quarter",
            "Q3 2025/26",
            "--cut-points",
            "2.07,2.355,2.705",
            "--seed",
            "7",
            "--replicates",
            "300",
            "--out",
            out.to_str().expect("utf8"),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        out.join("current")
    };
    let (a, b) = (run("a"), run("b"));
    let mut entries: Vec<_> = std::fs::read_dir(&a)
        .expect("ls")
        .map(|e| e.expect("entry").file_name())
        .collect();
    entries.sort();
    assert_eq!(
        entries,
        ["2025-26-Q3", "manifest.json"],
        "only the requested quarter is in the release"
    );
    for f in ["league-table.csv", "metric-scores.csv"] {
        let pa = a.join("2025-26-Q3/mh_community").join(f);
        let pb = b.join("2025-26-Q3/mh_community").join(f);
        assert_eq!(
            std::fs::read(&pa).expect("a"),
            std::fs::read(&pb).expect("b"),
            "{f} differs between runs"
        );
    }
    let league = read_csv(&a.join("2025-26-Q3/mh_community/league-table.csv"));
    let header: Vec<&str> = league_report_columns();
    let text =
        std::fs::read_to_string(a.join("2025-26-Q3/mh_community/league-table.csv")).expect("csv");
    // NHS England's twelve columns in their order, then segment 5 and the segment before the
    // override, then what the average rests on and the segment chances.
    let ours: Vec<&str> = text.lines().next().expect("header").split(',').collect();
    assert_eq!(ours[..12], header[..]);
    assert_eq!(
        ours[12..],
        [
            "Recovery_support_programme",
            "Segment_before_override",
            "Metrics_scored",
            "Metrics_in_average",
            "Synthetic_metrics",
            "Other_period_metrics",
            "Segment_chance_1",
            "Segment_chance_2",
            "Segment_chance_3",
            "Segment_chance_4"
        ]
    );
    for r in &league {
        let (lo, hi) = r["Likely_range_of_rank"]
            .split_once(" to ")
            .expect("range like NHS England's");
        let (lo, hi) = (num(lo), num(hi));
        assert!(
            1.0 <= lo && lo <= hi && hi <= 61.0,
            "{}: rank range {lo} to {hi}",
            r["Trust_code"]
        );
        let (alo, ahi) = r["Likely_range_of_average_score"]
            .split_once(" to ")
            .expect("average range");
        assert!(num(alo) <= num(ahi), "{}: average range", r["Trust_code"]);
    }
}

fn league_report_columns() -> Vec<&'static str> {
    vec![
        "Quarter",
        "Region",
        "Trust_type",
        "Trust_subtype",
        "Trust_code",
        "Trust_name",
        "Average_score",
        "Likely_range_of_average_score",
        "Segment",
        "Trust_in_financial_deficit",
        "Rank",
        "Likely_range_of_rank",
    ]
}
