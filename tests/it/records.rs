//! Record-level extracts end to end: `league generate records`, `league aggregate` and a run
//! with `--records`, each output recomputed from the Parquet files themselves.

use std::collections::BTreeMap;
use std::path::Path;

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

use crate::util::{league, read_csv, stderr};

fn ok(args: &[&str]) -> String {
    let o = league(args);
    assert!(o.status.success(), "league {args:?}: {}", stderr(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn disclose(n: u64) -> Option<u64> {
    match n {
        0 => Some(0),
        1..=7 => None,
        n => Some((n + 2) / 5 * 5),
    }
}

/// Per (org, month): (attendances, within 4 h, type 1, type 1 over 12 h), read record by
/// record with the parquet crate (not polars, which the binary uses).
fn recount_ae(root: &Path) -> BTreeMap<(String, String), [u64; 4]> {
    let mut out: BTreeMap<(String, String), [u64; 4]> = BTreeMap::new();
    let ae = root.join("ae");
    let mut parts: Vec<_> = std::fs::read_dir(&ae)
        .expect("ae")
        .map(|e| e.expect("e").path())
        .collect();
    parts.sort();
    for part in parts {
        let month = part.file_name().expect("name").to_string_lossy()["month=".len()..].to_owned();
        for f in std::fs::read_dir(&part).expect("part") {
            let f = f.expect("file").path();
            let r =
                SerializedFileReader::new(std::fs::File::open(&f).expect("open")).expect("parquet");
            let kv = r
                .metadata()
                .file_metadata()
                .key_value_metadata()
                .expect("metadata");
            assert!(
                kv.iter()
                    .any(|k| k.key == "synthetic" && k.value.as_deref() == Some("true")),
                "{} carries the synthetic marker",
                f.display()
            );
            for row in r.get_row_iter(None).expect("rows") {
                let row = row.expect("row");
                let (mut org, mut kind, mut arr, mut dep) = (String::new(), 0i64, 0i64, 0i64);
                for (name, field) in row.get_column_iter() {
                    match (name.as_str(), field) {
                        ("org_code", Field::Str(s)) => org = s.clone(),
                        ("department_type", Field::Byte(k)) => kind = i64::from(*k),
                        ("arrival_ts", Field::TimestampMicros(t)) => arr = *t,
                        ("departure_ts", Field::TimestampMicros(t)) => dep = *t,
                        _ => {}
                    }
                }
                let d = dep - arr;
                let c = out.entry((org, month.clone())).or_default();
                c[0] += 1;
                c[1] += u64::from(d <= 4 * 3_600_000_000);
                if kind == 1 {
                    c[2] += 1;
                    c[3] += u64::from(d > 12 * 3_600_000_000);
                }
            }
        }
    }
    out
}

#[test]
fn aggregated_values_are_what_a_reader_recomputes_from_the_generated_files() {
    let dir = tempfile::tempdir().expect("tmp");
    let rec = dir.path().join("records");
    let r = rec.to_str().expect("utf8");
    let said = ok(&[
        "generate",
        "records",
        "--year",
        "2025-26",
        "--scale",
        "0.02",
        "--seed",
        "5",
        "--datasets",
        "ae",
        "--trusts",
        "R0A,RRK,RAL",
        "--rows-per-file",
        "5000",
        "--out",
        r,
    ]);
    assert!(said.starts_with("SYNTHETIC records"), "{said}");
    let csv = dir.path().join("monthly.csv");
    let said = ok(&[
        "aggregate",
        "--records",
        r,
        "--by",
        "month",
        "--out",
        csv.to_str().expect("utf8"),
    ]);
    assert!(said.contains("SYNTHETIC"), "{said}");

    let counts = recount_ae(&rec);
    assert_eq!(counts.len(), 36, "three trusts, twelve months");
    let rows = read_csv(&csv);
    let mut seen = 0;
    for ((org, month), [n, within, t1, over12]) in &counts {
        let find = |id: &str| {
            rows.iter()
                .find(|x| x["org_code"] == *org && x["period"] == *month && x["metric_id"] == id)
        };
        for (id, num, den) in [("OF0013", *within, *n), ("OF0014", *over12, *t1)] {
            let row = find(id);
            match (disclose(num), disclose(den)) {
                (Some(dn), Some(dd)) if den > 0 => {
                    let row = row.unwrap_or_else(|| panic!("{id} {org} {month} missing"));
                    let v: f64 = row["value"].parse().expect("value");
                    // Published to 2 decimal places.
                    let want = (100.0 * 100.0 * num as f64 / den as f64).round() / 100.0;
                    assert!((v - want).abs() < 1e-9, "{id} {org} {month}: {v} vs {want}");
                    assert_eq!(row["numerator"], dn.to_string());
                    assert_eq!(row["denominator"], dd.to_string());
                    assert_eq!(row["provenance"], "synthetic");
                    seen += 1;
                }
                _ => assert!(
                    row.is_none(),
                    "{id} {org} {month}: counts of 1-7 are withheld"
                ),
            }
        }
    }
    assert_eq!(rows.len(), seen, "no value the files do not give");
    assert!(seen >= 60, "{seen}");
}

#[test]
fn a_run_on_records_replaces_those_trusts_published_values_and_labels_them_synthetic() {
    let dir = tempfile::tempdir().expect("tmp");
    let rec = dir.path().join("records");
    let r = rec.to_str().expect("utf8");
    ok(&[
        "generate",
        "records",
        "--year",
        "2025-26",
        "--scale",
        "0.02",
        "--seed",
        "9",
        "--datasets",
        "ae",
        "--trusts",
        "R0A,RRK",
        "--out",
        r,
    ]);
    let quarterly = dir.path().join("q.csv");
    ok(&[
        "aggregate",
        "--records",
        r,
        "--out",
        quarterly.to_str().expect("utf8"),
    ]);
    let values = read_csv(&quarterly);
    let out = dir.path().join("reports");
    ok(&[
        "report",
        "--records",
        r,
        "--period",
        "2025-26-Q1",
        "--outputs",
        "tables",
        "--replicates",
        "200",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    let rel = out.join("current");
    let summary = read_csv(&rel.join("validation-summary.csv"));
    let replaced = summary
        .iter()
        .find(|s| s["source_file"] == "(records: published values replaced)")
        .expect("a summary row for the replaced values");
    assert!(
        replaced["excluded"].starts_with("replaced_by_records="),
        "{replaced:?}"
    );
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(rel.join("manifest.json")).expect("manifest"),
    )
    .expect("json");
    let inputs = manifest["inputs"].as_array().expect("inputs");
    assert!(
        inputs.iter().any(|i| i["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("nof_2025_26_q1_national.csv"))),
        "the default dataset is in the manifest: {inputs:?}"
    );
    let ae = inputs
        .iter()
        .find(|i| i["format"] == "ae-records")
        .expect("the A&E records in the manifest");
    let rec_hash = ae["sha256"].clone();
    assert!(
        inputs
            .iter()
            .filter(|i| i["sha256"] == rec_hash)
            .all(|i| i["path"].as_str().is_some_and(|p| p.starts_with(r))),
        "the extract's hash goes with the extract's sources only"
    );
    let scores = read_csv(&rel.join("2025-26-Q1/acute/metric-scores.csv"));
    for code in ["R0A", "RRK"] {
        let want = values
            .iter()
            .find(|v| {
                v["org_code"] == code && v["metric_id"] == "OF0013" && v["period"] == "Q1 2025/26"
            })
            .expect("aggregate");
        let got = scores
            .iter()
            .find(|s| s["Trust_code"] == code && s["Metric_ID"] == "OF0013")
            .expect("scored");
        assert_eq!(got["Data_provenance"], "synthetic", "{got:?}");
        let (g, w): (f64, f64) = (
            got["Value"].parse().expect("v"),
            want["value"].parse().expect("v"),
        );
        assert!((g - w).abs() < 0.005 + 1e-9, "{code}: {g} shown for {w}");
    }
    // A trust the records do not cover keeps NHS England's published value.
    let other = scores
        .iter()
        .find(|s| s["Trust_code"] == "RAL" && s["Metric_ID"] == "OF0013")
        .expect("RAL");
    assert_eq!(other["Data_provenance"], "published");
    let table = read_csv(&rel.join("2025-26-Q1/acute/league-table.csv"));
    let r0a = table
        .iter()
        .find(|t| t["Trust_code"] == "R0A")
        .expect("R0A");
    assert_ne!(
        r0a["Synthetic_metrics"], "0",
        "the league table says the average rests on synthetic data"
    );
}

#[test]
fn a_bad_extract_is_refused_naming_the_file_and_column() {
    let dir = tempfile::tempdir().expect("tmp");
    let part = dir.path().join("ae/month=2025-04");
    std::fs::create_dir_all(&part).expect("dir");
    let f = part.join("part-00000.parquet");
    std::fs::write(&f, b"PAR1 not really").expect("write");
    let o = league(&[
        "aggregate",
        "--records",
        dir.path().to_str().expect("utf8"),
        "--out",
        dir.path().join("x.csv").to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&f.display().to_string()),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("x.csv").exists(), "nothing written");
    let o = league(&[
        "generate",
        "records",
        "--year",
        "2025-27",
        "--out",
        dir.path().join("g").to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
}
