//! The main job end to end: `league report` on the embedded default national dataset, the
//! dataset rebuilt from the real sources, and `league validate` on the real sources.

use std::collections::HashMap;

use crate::util::{league, num, read_csv, report, root, stderr};

#[test]
fn report_writes_league_tables_for_all_three_peer_groups() {
    let run = report(&[]);
    let out = &run.out;
    let q1 = out.join("2025-26-Q1");
    let sizes: HashMap<&str, usize> = ["acute", "mh_community", "ambulance"]
        .into_iter()
        .map(|g| (g, read_csv(&q1.join(g).join("league-table.csv")).len()))
        .collect();
    // Every trust of the register's 2025/26 acute list (with North Bristol, merged 2026), NHS
    // England's 61 mental health and community trusts, and the 10 ambulance trusts.
    assert_eq!(sizes["acute"], 134);
    assert_eq!(sizes["mh_community"], 61);
    assert_eq!(sizes["ambulance"], 10);

    // Mental health and community trusts are scored on NHS England's published values, so their
    // league table is NHS England's Q1 2025/26 table.
    let published: HashMap<String, (f64, f64)> =
        read_csv(&root().join("data/nof/nof_mh_community_2025_26_q1_to_q3_data.csv"))
            .into_iter()
            .filter(|r| r["Quarter"] == "Q1 2025/26" && r["Metric_ID"] == "OF5000")
            .map(|r| (r["Trust_code"].clone(), (num(&r["Value"]), num(&r["Rank"]))))
            .collect();
    for r in read_csv(&q1.join("mh_community/league-table.csv")) {
        let (segment, rank) = published[&r["Trust_code"]];
        assert_eq!(num(&r["Segment"]), segment, "{}", r["Trust_code"]);
        assert_eq!(num(&r["Rank"]), rank, "{}", r["Trust_code"]);
        assert_eq!(
            r["Synthetic_metrics"], "0",
            "published data is never synthetic"
        );
    }

    // Synthetic inputs are labelled wherever they are shown.
    let acute = read_csv(&q1.join("acute/league-table.csv"));
    assert!(acute.iter().all(|r| num(&r["Synthetic_metrics"]) > 0.0));
    let scores = read_csv(&q1.join("acute/metric-scores.csv"));
    let provenance: std::collections::BTreeSet<&str> = scores
        .iter()
        .map(|r| r["Data_provenance"].as_str())
        .collect();
    assert!(
        provenance.contains("synthetic") && provenance.contains("real"),
        "{provenance:?}"
    );
    for r in scores.iter().filter(|r| r["Metric_ID"] == "OF9004") {
        assert_eq!(
            r["Data_provenance"], "synthetic",
            "no real discharge-delay source"
        );
    }
    for r in scores.iter().filter(|r| r["Metric_ID"] == "OF1020") {
        assert!(
            ["real_other_period", "synthetic"].contains(&r["Data_provenance"].as_str()),
            "MRSA counts are NHS England's Q3 values or synthetic: {r:?}"
        );
    }
    let rtt = scores
        .iter()
        .find(|r| r["Metric_ID"] == "OF1023")
        .expect("RTT score");
    assert_eq!(rtt["Data_provenance"], "real");

    // The validation outputs sit beside the tables.
    let summary = read_csv(&out.join("validation-summary.csv"));
    assert_eq!(summary.len(), 1);
    assert_eq!(summary[0]["quarantined"], "0");
    assert_eq!(read_csv(&out.join("quarantine.csv")).len(), 0);
}

#[test]
fn the_default_dataset_is_rebuilt_byte_for_byte_from_the_real_sources() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("dataset.csv");
    let o = league(&["build-dataset", "--out", out.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let committed = root().join("data/default/nof_2025_26_q1_national.csv");
    assert!(
        std::fs::read(&out).expect("built") == std::fs::read(&committed).expect("committed"),
        "data/default/nof_2025_26_q1_national.csv is stale: run `league build-dataset`"
    );
    // Every value states its provenance; synthetic rows say how they were calibrated.
    for r in read_csv(&committed) {
        match r["provenance"].as_str() {
            "published" | "real" | "real_other_period" => {}
            "synthetic" => assert!(r["source"].starts_with("synthetic (seed "), "{r:?}"),
            other => panic!("unknown provenance {other:?}"),
        }
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
    assert_eq!(m["status"], "complete");
    assert_eq!(m["periods"][0], "Q1 2025/26");
    let input = &m["inputs"][0];
    assert_eq!(
        input["sha256"],
        sha256(&root().join("data/default/nof_2025_26_q1_national.csv"))
    );
    assert_eq!(input["rows_read"], 4021);
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
    // No clock times: a second run gives the same manifest.
    let again = report(&[]);
    assert_eq!(
        text,
        std::fs::read_to_string(again.out.join("manifest.json")).expect("manifest")
    );
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
