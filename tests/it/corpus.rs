//! The malformed-input corpus (`tests/corpus/`, made by `make_corpus.py`): each file yields
//! exactly the quarantine rows or the error `expected.toml` lists, never a panic, and nothing
//! from a rejected file reaches the outputs.

use serde::Deserialize;

use crate::util::{league, read_csv, root, stderr};

#[derive(Deserialize)]
struct Expected {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    file: String,
    exit: i32,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    quarantine: Vec<String>,
    #[serde(default)]
    excluded: Option<String>,
    /// Rows accepted, when the case states it (every good row of the file).
    #[serde(default)]
    accepted: Option<u64>,
}

fn cases() -> Vec<Case> {
    let text =
        std::fs::read_to_string(root().join("tests/corpus/expected.toml")).expect("manifest");
    toml::from_str::<Expected>(&text)
        .expect("valid manifest")
        .case
}

#[test]
fn every_corpus_file_gives_its_expected_quarantine_or_error() {
    let cases = cases();
    assert!(cases.len() >= 25, "the corpus has {} cases", cases.len());
    let listed: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.file.as_str()).collect();
    for f in std::fs::read_dir(root().join("tests/corpus")).expect("ls") {
        let name = f.expect("entry").file_name().into_string().expect("utf8");
        if name.ends_with(".csv") {
            assert!(listed.contains(name.as_str()), "{name} has no expectation");
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for c in &cases {
        let q = dir.path().join(format!("{}.quarantine.csv", c.file));
        let input = format!("tests/corpus/{}", c.file);
        // Under a 1 GiB address-space limit: no corpus file may cost more.
        let o = crate::util::league_limited(&[
            "validate",
            &input,
            "--quarantine",
            q.to_str().expect("utf8"),
        ]);
        let err = stderr(&o);
        assert!(!err.contains("panicked"), "{}: panic\n{err}", c.file);
        assert_eq!(
            o.status.code(),
            Some(c.exit),
            "{}: exit code\n{err}",
            c.file
        );
        if let Some(e) = &c.error {
            assert!(err.contains(e), "{}: expected error {e:?}\n{err}", c.file);
            assert!(
                !q.exists(),
                "{}: a rejected file writes no quarantine",
                c.file
            );
            continue;
        }
        let rows: Vec<String> = read_csv(&q)
            .iter()
            .map(|r| format!("{} {} {}", r["line"], r["column"], r["rule"]))
            .collect();
        assert_eq!(rows, c.quarantine, "{}: quarantine rows", c.file);
        for r in read_csv(&q) {
            assert_eq!(r["source_file"], input, "{}: names the file", c.file);
            assert!(!r["message"].is_empty(), "{}: gives a reason", c.file);
        }
        let out = String::from_utf8_lossy(&o.stdout);
        if let Some(x) = &c.excluded {
            assert!(out.contains(x), "{}: summary lists {x}\n{out}", c.file);
        }
        // Every row has exactly one fate: read = accepted + quarantined + excluded.
        let counts: Vec<u64> = out
            .lines()
            .find(|l| l.starts_with(&input))
            .unwrap_or_else(|| panic!("{}: a summary line\n{out}", c.file))
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        let [read, accepted, quarantined, excluded] = counts[..] else {
            panic!("{}: rows, accepted, quarantined, excluded\n{out}", c.file)
        };
        assert_eq!(
            read,
            accepted + quarantined + excluded,
            "{}: every row has one fate\n{out}",
            c.file
        );
        if let Some(n) = c.accepted {
            assert_eq!(accepted, n, "{}: every good row accepted\n{out}", c.file);
        }
    }
}

/// `league report [--data-dir DATA] --input INPUT --replicates 100 --out <tmp>`: the run, its
/// output directory, and the directory's owner (kept alive by the caller).
fn report_input(
    data: Option<&std::path::Path>,
    input: &str,
) -> (std::process::Output, std::path::PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("reports");
    let mut args = vec!["report"];
    if let Some(d) = data {
        args.extend(["--data-dir", d.to_str().expect("utf8")]);
    }
    args.extend(["--input", input, "--replicates", "100", "--out"]);
    args.push(out.to_str().expect("utf8"));
    let o = league(&args);
    (o, out, dir)
}

#[test]
fn a_file_that_breaks_a_threshold_writes_nothing() {
    let (o, out, _dir) = report_input(None, "tests/corpus/long_duplicate_key.csv");
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("long_duplicate_key.csv:5"),
        "{}",
        stderr(&o)
    );
    assert!(
        crate::util::released_nothing(&out),
        "nothing is released when validation fails"
    );
}

#[test]
fn a_trust_whose_every_row_is_quarantined_fails_the_run_by_default() {
    // RYA's only row is quarantined: 1 row of 101, under the 1% threshold of its rule, but a
    // whole expected trust would leave the table.
    let (o, out, _dir) = report_input(None, "tests/corpus/long_ambulance_one_formula_row.csv");
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("1 expected trust(s) have no average")
            && err.contains("RYA West Midlands Ambulance Service University NHS Foundation Trust (Ambulance trust, Q1 2025/26)"),
        "{err}"
    );
    assert!(crate::util::released_nothing(&out), "nothing released");
}

#[test]
fn a_quarantined_row_never_reaches_the_outputs() {
    // With the coverage threshold raised to allow one missing trust, the run publishes
    // without RYA, and its quarantined row reaches no output.
    let data = crate::util::data_with_thresholds(&[("max_missing = 0", "max_missing = 1")]);
    let (o, out, _dir) = report_input(
        Some(data.path()),
        "tests/corpus/long_ambulance_one_formula_row.csv",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("expected trust missing: RYA"), "warned");
    let table = read_csv(&out.join("current/2025-26-Q1/ambulance/league-table.csv"));
    assert_eq!(table.len(), 9, "RYA's only row was quarantined");
    assert!(table.iter().all(|r| r["Trust_code"] != "RYA"));
    for f in ["league-table.csv", "metric-scores.csv"] {
        let text =
            std::fs::read_to_string(out.join("current/2025-26-Q1/ambulance").join(f)).expect("csv");
        assert!(!text.contains("HYPERLINK"), "{f}");
    }
    let q = read_csv(&out.join("current/quarantine.csv"));
    assert_eq!(q.len(), 1);
    assert_eq!(q[0]["rule"], "formula_text");
    assert!(
        q[0]["value"].starts_with("'="),
        "escaped in the quarantine file too"
    );
}

#[test]
fn one_stray_quote_in_a_large_file_costs_one_row() {
    // The default dataset with a quote opened and never closed half-way down: before the fix
    // the rest of the file vanished into one field.
    let text = std::fs::read_to_string(root().join("data/default/nof_2025_26_q1_national.csv"))
        .expect("default data");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let total = lines.len() - 1;
    let at = lines.len() / 2;
    lines[at] = lines[at].replacen(",published,", ",\"published,", 1);
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("stray.csv");
    std::fs::write(&input, lines.join("\n") + "\n").expect("write");
    let q = dir.path().join("q.csv");
    let o = league(&[
        "validate",
        input.to_str().expect("utf8"),
        "--quarantine",
        q.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = read_csv(&q);
    assert_eq!(rows.len(), 1, "only the line with the quote");
    assert_eq!(rows[0]["line"], (at + 1).to_string());
    assert_eq!(rows[0]["rule"], "unterminated_quote");
    let out = String::from_utf8_lossy(&o.stdout);
    let summary = out
        .lines()
        .find(|l| l.contains("stray.csv"))
        .expect("summary line");
    let n: Vec<usize> = summary
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert_eq!(n, [total, total - 1, 1, 0], "{summary}");
}

#[test]
fn values_assembly_leaves_out_are_counted_in_the_summary() {
    // K0N6A is in the register with a trust type no peer group takes: its value is left out
    // by a stated rule, and the validation summary counts it.
    let dir = tempfile::tempdir().expect("tempdir");
    let data = crate::util::data_with_thresholds(&[("max_missing = 0", "max_missing = 500")]);
    let data = data.path();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "period,org_code,metric_id,value,numerator,denominator\n\
         Q1 2025/26,RX8,OF0084,6.0,,\n\
         Q1 2025/26,RYD,OF0084,6.1,,\n\
         Q1 2025/26,K0N6A,OF0084,6.2,,\n",
    )
    .expect("write");
    let (o, out, _out_dir) = report_input(Some(data), input.to_str().expect("utf8"));
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = read_csv(&out.join("current/validation-summary.csv"));
    let row = summary
        .iter()
        .find(|r| r["source_file"] == "(assembly: values left out)")
        .expect("an assembly row");
    assert_eq!(row["excluded"], "no_peer_group=1", "{row:?}");
    assert_eq!(row["rows_read"], "1");
}
