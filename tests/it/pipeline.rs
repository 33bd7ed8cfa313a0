//! The main job end to end: `league report` on the embedded default national dataset, the
//! dataset rebuilt from the real sources, and `league validate` on the real sources.

use std::collections::HashMap;

use crate::util::{files_under, league, methodology, num, read_csv, report, root, stderr};

/// NHS England's published league table of a peer group: trust → (segment, rank, average).
fn published_league(file: &str, quarter: Option<&str>) -> HashMap<String, (f64, f64, f64)> {
    let rows = read_csv(&root().join(file));
    let keep = |r: &HashMap<String, String>| quarter.is_none_or(|q| r["Quarter"] == q);
    let average: HashMap<String, f64> = rows
        .iter()
        .filter(|r| keep(r) && r["Metric_ID"] == "OF5002")
        .map(|r| (r["Trust_code"].clone(), num(&r["Value"])))
        .collect();
    rows.iter()
        .filter(|r| keep(r) && r["Metric_ID"] == "OF5000")
        .map(|r| {
            let t = r["Trust_code"].clone();
            let avg = average[&t];
            (t, (num(&r["Value"]), num(&r["Rank"]), avg))
        })
        .collect()
}

#[test]
fn report_writes_league_tables_for_all_three_peer_groups() {
    let run = report(&[]);
    let out = &run.out;
    let q1 = out.join("2025-26-Q1");

    // Acute, mental health and community trusts are scored on NHS England's published values,
    // so their league tables are NHS England's Q1 2025/26 tables, trust by trust.
    for (group, file, quarter, n) in [
        ("acute", "data/nof/nof_acute_2025_26_q1_data.csv", None, 134),
        (
            "mh_community",
            "data/nof/nof_mh_community_2025_26_q1_to_q3_data.csv",
            Some("Q1 2025/26"),
            61,
        ),
    ] {
        let published = published_league(file, quarter);
        let ours = read_csv(&q1.join(group).join("league-table.csv"));
        assert_eq!(ours.len(), n, "{group}");
        for r in &ours {
            let t = &r["Trust_code"];
            let (segment, rank, average) = published[t];
            assert_eq!(num(&r["Segment"]), segment, "{group} {t} segment");
            assert_eq!(num(&r["Rank"]), rank, "{group} {t} rank");
            assert_eq!(num(&r["Average_score"]), average, "{group} {t} average");
            assert_eq!(r["Synthetic_metrics"], "0");
            assert_eq!(r["Other_period_metrics"], "0");
        }
    }
    // NHS England's published Q1 acute segment counts: 16, 11, 76, 31.
    let acute = read_csv(&q1.join("acute/league-table.csv"));
    let count = |s: &str| acute.iter().filter(|r| r["Segment"] == s).count();
    assert_eq!(
        [count("1"), count("2"), count("3"), count("4")],
        [16, 11, 76, 31]
    );

    // Ambulance trusts rest on real publications only; the table says which metrics each
    // average rests on, and a deficit status no real source gives is "Not known".
    let ambulance = read_csv(&q1.join("ambulance/league-table.csv"));
    assert_eq!(ambulance.len(), 10);
    for r in &ambulance {
        let ids: Vec<&str> = r["Metrics_in_average"].split(';').collect();
        assert_eq!(ids.len().to_string(), r["Metrics_scored"], "{r:?}");
        for id in ["OF1017", "OF1028", "OF1061", "OF1084"] {
            assert!(ids.contains(&id), "{id} in {r:?}");
        }
        assert!(["Yes", "No", "Not known"].contains(&r["Trust_in_financial_deficit"].as_str()));
    }
    assert!(
        ambulance
            .iter()
            .any(|r| r["Trust_in_financial_deficit"] == "Not known")
    );
    let scores = read_csv(&q1.join("ambulance/metric-scores.csv"));
    assert!(
        scores
            .iter()
            .all(|r| ["real", "real_other_period"].contains(&r["Data_provenance"].as_str())),
        "ambulance inputs are real"
    );
    // Each score states the period its input covers, as the source does.
    let date = |rows: &[HashMap<String, String>], t: &str, id: &str| {
        rows.iter()
            .find(|r| r["Trust_code"] == t && r["Metric_ID"] == id)
            .map(|r| r["Reporting_date"].clone())
            .expect("row")
    };
    assert_eq!(date(&scores, "RX7", "OF1017"), "Apr-25 to Jun-25");
    assert_eq!(date(&scores, "RYF", "OF1061"), "2024");
    let acute_scores = read_csv(&q1.join("acute/metric-scores.csv"));
    assert_eq!(date(&acute_scores, "R0A", "OF1023"), "Jun-25");

    // As of the quarter: no value of the release covers a period that ends after Q1 2025/26's
    // data cut-off (9 September 2025; a plan for the year counts from its start). RYF's table
    // rests on Q1-or-earlier values only: the March 2026 snapshot and the Q3 finance figures
    // are not in it, and its deficit status is not known.
    let q = "Q1 2025/26"
        .parse::<league_model::Quarter>()
        .expect("quarter");
    for group in ["acute", "mh_community", "ambulance"] {
        for r in read_csv(&q1.join(group).join("metric-scores.csv")) {
            for part in r["Reporting_date"].split("; ") {
                let p = league_model::ReportingPeriod::parse(part, q)
                    .unwrap_or_else(|e| panic!("{group} {r:?}: {e}"));
                let known = match r["Metric_ID"].as_str() {
                    // Planned surplus/deficit and the combined score that rests on it: the
                    // plan for 2025/26 was set before the year began.
                    "OF0079" | "OF1079" | "OF1080" => Some(p.start),
                    _ => p.end,
                };
                assert!(
                    known.is_none_or(|d| d <= "2025-09-09".parse().expect("date")),
                    "{group} {} {} covers {part}",
                    r["Trust_code"],
                    r["Metric_ID"]
                );
            }
        }
    }
    let ryf = ambulance
        .iter()
        .find(|r| r["Trust_code"] == "RYF")
        .expect("RYF");
    assert_eq!(ryf["Metrics_in_average"], "OF1017;OF1028;OF1061;OF1084");
    assert_eq!(ryf["Trust_in_financial_deficit"], "Not known");
    assert_eq!(ryf["Other_period_metrics"], "0");

    // No synthetic value anywhere: no data row of any CSV the run wrote says "synthetic".
    let mut csvs = 0;
    for f in files_under(out) {
        if f.extension().is_some_and(|x| x == "csv") {
            csvs += 1;
            let text = std::fs::read_to_string(out.join(&f)).expect("csv");
            let rows = text.lines().skip(1);
            let hits = rows
                .filter(|l| l.to_lowercase().contains("synthetic"))
                .count();
            assert_eq!(hits, 0, "{}", f.display());
        }
    }
    assert!(csvs > 30, "every table was checked ({csvs})");

    // The validation outputs sit beside the tables.
    let summary = read_csv(&out.join("validation-summary.csv"));
    // The dataset, its monthly counts, the assembly and the plausibility checks.
    assert_eq!(summary.len(), 4);
    assert_eq!(summary[0]["quarantined"], "0");
    assert_eq!(summary[1]["format"], "counts");
    assert_eq!(summary[1]["quarantined"], "0");
    // The plausibility checks read every 12-hour share and query one (RXW's).
    assert_eq!(
        summary[3]["source_file"],
        "(plausibility: values queried, scored as published)"
    );
    assert_eq!(summary[3]["queried"], "1");
    // Every value was read against its quarter's cut-off, and none was after it.
    assert_eq!(
        summary[2]["source_file"],
        "(assembly: as of the quarter's cut-off)"
    );
    assert_eq!(summary[2]["rows_read"], summary[0]["values_produced"]);
    assert_eq!(summary[2]["excluded"], "");
    assert_eq!(read_csv(&out.join("quarantine.csv")).len(), 0);
}

/// A value whose period ends after its quarter's cut-off is excluded under the stated rule and
/// counted; one whose period cannot be read (or names a day that does not exist) is
/// quarantined with its file, line and column; the metric is then missing for that trust.
#[test]
fn values_from_after_the_quarters_cut_off_are_left_out_and_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("national.csv");
    let text = std::fs::read_to_string(root().join("data/default/nof_2025_26_q1_national.csv"))
        .expect("dataset");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut edit = |trust: &str, metric: &str, date: &str| -> usize {
        let at = lines
            .iter()
            .position(|l| l.starts_with(&format!("Q1 2025/26,{trust},{metric},")))
            .expect("row");
        let mut f: Vec<String> = lines[at].split(',').map(str::to_owned).collect();
        f[6] = date.to_owned();
        lines[at] = f.join(",");
        at + 1
    };
    edit("RYF", "OF0061", "3 months to Mar-26");
    let bad_line = edit("RX7", "OF0084", "2025-06-31");
    std::fs::write(&input, lines.join("\n") + "\n").expect("write");

    let run = report(&[
        "--input",
        input.to_str().expect("utf8"),
        "--outputs",
        "tables",
    ]);
    let summary = read_csv(&run.out.join("validation-summary.csv"));
    let as_of = summary
        .iter()
        .find(|r| r["source_file"] == "(assembly: as of the quarter's cut-off)")
        .expect("as-of row");
    assert_eq!(as_of["excluded"], "after_cut_off=1");
    // The day that does not exist is quarantined as the file is read (so `validate` finds it
    // too), not at assembly.
    assert_eq!(as_of["quarantined"], "0");
    let file_row = summary
        .iter()
        .find(|r| r["source_file"].ends_with("national.csv"))
        .expect("file row");
    assert_eq!(file_row["quarantined"], "1");
    let quarantine = read_csv(&run.out.join("quarantine.csv"));
    assert_eq!(quarantine.len(), 1, "{quarantine:?}");
    let q = &quarantine[0];
    assert_eq!(q["rule"], "bad_period");
    assert_eq!(q["column"], "reporting_date");
    assert_eq!(q["line"], bad_line.to_string());
    assert_eq!(q["value"], "2025-06-31");
    let ambulance = read_csv(&run.out.join("2025-26-Q1/ambulance/league-table.csv"));
    let scored = |t: &str| {
        ambulance
            .iter()
            .find(|r| r["Trust_code"] == t)
            .map(|r| r["Metrics_in_average"].clone())
            .expect("trust")
    };
    assert_eq!(scored("RYF"), "OF1017;OF1028;OF1084");
    assert_eq!(scored("RX7"), "OF1017;OF1028;OF1061");
}

#[test]
fn the_default_dataset_is_rebuilt_byte_for_byte_from_the_real_sources() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("dataset.csv");
    // At log level info, to read how the overlapping sources compared.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_league"))
        .args(["build-dataset", "--out", out.to_str().expect("utf8")])
        .current_dir(root())
        .env("RUST_LOG", "info")
        .output()
        .expect("the league binary runs");
    assert!(o.status.success(), "{}", stderr(&o));
    let committed = root().join("data/default/nof_2025_26_q1_national.csv");
    assert!(
        std::fs::read(&out).expect("built") == std::fs::read(&committed).expect("committed"),
        "data/default/nof_2025_26_q1_national.csv is stale: run `league build-dataset`"
    );
    // The monthly counts beside it, and the two A&E layouts compared where they overlap (April
    // to July 2025): the provider-level sheet's adapter gives the CSV's counts for 800 trust
    // months; 10 differ (NHS England's figures as each file has them), and the CSV's are kept.
    let counts = dir.path().join("monthly_counts.csv");
    assert!(
        std::fs::read(&counts).expect("built")
            == std::fs::read(root().join("data/default/monthly_counts.csv")).expect("committed"),
        "data/default/monthly_counts.csv is stale: run `league build-dataset`"
    );
    let log = stderr(&o);
    assert!(log.contains("agreed=800 differed=10"), "{log}");
    // Every value states its provenance, and none is synthetic.
    for r in read_csv(&committed) {
        assert!(
            ["published", "real", "real_other_period"].contains(&r["provenance"].as_str()),
            "{r:?}"
        );
    }
}

#[test]
fn validate_reports_every_real_source_within_thresholds() {
    let sources: Vec<String> = std::fs::read_dir(root().join("data/sources"))
        .expect("ls")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .map(|p| p.to_str().expect("utf8").to_owned())
        .collect();
    assert_eq!(sources.len(), 7);
    let mut args = vec!["validate"];
    args.extend(sources.iter().map(String::as_str));
    let o = league(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for format in [
        "ae-monthly",
        "cancer-cwt",
        "rtt-panel",
        "ambsys",
        "staff-survey",
        "snapshot",
    ] {
        assert!(out.contains(format), "{format} recognised:\n{out}");
    }
    assert!(out.contains("not_a_trust"), "exclusions are listed:\n{out}");
}

fn sha256(path: &std::path::Path) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(path).expect("file");
    sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_manifest_lists_every_input_and_output_with_its_hash() {
    let run = report(&[]);
    let text = std::fs::read_to_string(run.out.join("manifest.json")).expect("manifest");
    let m: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(m["status"], "checked");
    assert_eq!(m["quality_check"]["passed"], true);
    assert_eq!(m["methodology_version"], "2025-26.1");
    let id = m["run_id"].as_str().expect("run id");
    assert!(id.starts_with("2025-26-Q1-report-"), "{id}");
    assert_eq!(
        std::fs::read_link(run.root.join("current")).expect("link"),
        std::path::Path::new("releases").join(id)
    );
    assert_eq!(m["periods"][0], "Q1 2025/26");
    let input = &m["inputs"][0];
    assert_eq!(
        input["sha256"],
        sha256(&root().join("data/default/nof_2025_26_q1_national.csv"))
    );
    assert_eq!(input["rows_read"], 6863);
    let outputs = m["outputs"].as_array().expect("outputs");
    let mut listed = std::collections::BTreeSet::new();
    for o in outputs {
        let rel = o["path"].as_str().expect("path");
        assert_eq!(o["sha256"], sha256(&run.out.join(rel)), "{rel}");
        listed.insert(rel.to_owned());
    }
    for expected in [
        "2025-26-Q1/national/league-tables.pdf",
        "2025-26-Q1/national/league-tables.xlsx",
        "2025-26-Q1/acute/league-table.csv",
        "quarantine.csv",
        "validation-summary.csv",
    ] {
        assert!(listed.contains(expected), "{expected} listed");
    }
    let audience = |p: &str| {
        outputs
            .iter()
            .find(|o| o["path"] == p)
            .map(|o| o["audience"].clone())
            .expect("listed")
    };
    assert_eq!(
        audience("2025-26-Q1/national/league-tables.pdf"),
        "national"
    );
    assert_eq!(audience("2025-26-Q1/acute/league-table.csv"), "acute");
    // A second run into another root is the same release: same id, same bytes; only the
    // run's own clock times differ.
    let again = report(&[]);
    let mut n: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(again.out.join("manifest.json")).expect("manifest"),
    )
    .expect("JSON");
    let mut m = m;
    for k in ["started", "finished", "stages"] {
        assert!(!m[k].is_null(), "{k}");
        m[k] = serde_json::Value::Null;
        n[k] = serde_json::Value::Null;
    }
    assert_eq!(m, n);
}

#[test]
fn a_second_run_on_the_same_output_waits_its_turn() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("reports");
    std::fs::create_dir_all(&out).expect("mkdir");
    // Another run (here: this test) holds the output directory's lock.
    let held = std::fs::File::create(out.join(".league.lock")).expect("lock file");
    held.lock().expect("lock");
    let o = league(&[
        "report",
        "--replicates",
        "100",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(7), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("another league run is writing to"),
        "{}",
        stderr(&o)
    );
    let entries: Vec<_> = std::fs::read_dir(&out).expect("ls").collect();
    assert_eq!(entries.len(), 1, "only the lock file: nothing was written");
    held.unlock().expect("unlock");
    let o = league(&[
        "report",
        "--replicates",
        "100",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn synthetic_data_is_for_made_up_trusts_and_labelled_synthetic_in_every_output_row() {
    let m = methodology();
    let data = league_datasets::synthetic_dataset(
        &m,
        &league_datasets::SyntheticSpec {
            quarter: "Q1 2025/26".parse().expect("quarter"),
            trusts_per_group: 25,
            seed: 3,
            missing: 0.2,
        },
    );
    let opts = league_score::ScoreOptions {
        replicates: Some(100),
        ..Default::default()
    };
    let run = league_score::score(&data, &m, &opts).expect("score");
    let dir = tempfile::tempdir().expect("tempdir");
    league_report::write_tables(dir.path(), &run, &m).expect("write");
    let mut rows = 0;
    for g in ["acute", "mh_community", "ambulance"] {
        for r in read_csv(
            &dir.path()
                .join("2025-26-Q1")
                .join(g)
                .join("league-table.csv"),
        ) {
            assert!(r["Trust_code"].starts_with('Z'), "{r:?}");
            assert!(r["Trust_name"].starts_with("Synthetic trust "), "{r:?}");
            assert_eq!(r["Synthetic_metrics"], r["Metrics_scored"], "{r:?}");
            rows += 1;
        }
        for r in read_csv(
            &dir.path()
                .join("2025-26-Q1")
                .join(g)
                .join("metric-scores.csv"),
        ) {
            assert_eq!(r["Data_provenance"], "synthetic", "{r:?}");
        }
    }
    assert_eq!(rows, 75);
}

#[test]
fn standard_input_is_read_once_as_an_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("reports");
    let data =
        std::fs::read(root().join("data/default/nof_2025_26_q1_national.csv")).expect("data");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_league"))
        .args(["report", "--input", "-", "--replicates", "100", "--out"])
        .arg(&out)
        .current_dir(root())
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("league runs");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(&data).expect("write");
    }
    let o = child.wait_with_output().expect("league ends");
    assert!(o.status.success(), "{}", stderr(&o));
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("current/manifest.json")).expect("manifest"),
    )
    .expect("json");
    assert_eq!(manifest["inputs"][0]["path"], "(standard input)");
    assert_eq!(manifest["inputs"][0]["rows_accepted"], 6863);
}
