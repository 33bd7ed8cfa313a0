//! Bad input: each failure names file, line, column and reason, with a distinct exit code.

use crate::util::{league, root, stderr};

const HEADER: &str = "Quarter,Region,Trust_type,Trust_subtype,Trust_code,Trust_name,Domain,Sub-domain,Metric_ID,Metric_description,Reporting_date,Units,Value,Median_value,Lower_quartile,Upper_quartile,Rank";

fn good_rows() -> Vec<String> {
    // The real Q3 rows of three trusts, taken from the shipped file.
    let text =
        std::fs::read_to_string(root().join("data/nof/nof_mh_community_2025_26_q1_to_q3_data.csv"))
            .expect("data");
    text.lines()
        .filter(|l| {
            l.starts_with("Q3 2025/26")
                && (l.contains(",RY2,") || l.contains(",RYV,") || l.contains(",RX4,"))
        })
        .map(str::to_owned)
        .collect()
}

/// Writes `rows` under the header, runs `league score`, and returns (exit code, stderr, whether
/// any output was written).
fn run_with(rows: &[String], header: &str) -> (i32, String, bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("bad.csv");
    std::fs::write(&input, format!("{header}\r\n{}\r\n", rows.join("\r\n"))).expect("write");
    let out = dir.path().join("out");
    let o = league(&[
        "score",
        "--nof-data",
        input.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    let wrote = out.join("current/2025-26-Q3").exists();
    (
        o.status.code().expect("exit code, not a signal"),
        stderr(&o),
        wrote,
    )
}

fn assert_bad_input(rows: &[String], header: &str, line: usize, column: &str, reason: &str) {
    let (code, err, wrote) = run_with(rows, header);
    assert_eq!(code, 3, "bad input exit code; stderr:\n{err}");
    assert!(!wrote, "nothing is written from a rejected file");
    assert!(
        err.contains(&format!("bad.csv:{line}")),
        "line {line} named:\n{err}"
    );
    assert!(err.contains(column), "column {column} named:\n{err}");
    assert!(err.contains(reason), "reason {reason:?} given:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn the_good_rows_alone_score() {
    let (code, err, wrote) = run_with(&good_rows(), HEADER);
    assert_eq!(code, 0, "{err}");
    assert!(wrote);
}

#[test]
fn missing_column() {
    let header = HEADER.replace(",Metric_ID,", ",Metric,");
    let (code, err, wrote) = run_with(&good_rows(), &header);
    assert_eq!(code, 3, "{err}");
    assert!(!wrote);
    assert!(
        err.contains("bad.csv:1") && err.contains("missing column(s) Metric_ID"),
        "{err}"
    );
}

#[test]
fn non_numeric_value() {
    let mut rows = good_rows();
    // Value is the fifth field from the end (Value, Median_value, Lower_quartile, Upper_quartile, Rank).
    let mut fields: Vec<String> = rows[4].split(',').map(str::to_owned).collect();
    let at = fields.len() - 5;
    fields[at] = "twelve".to_owned();
    rows[4] = fields.join(",");
    assert_bad_input(&rows, HEADER, 6, "column Value", "not a finite number");
}

#[test]
fn unknown_metric_id() {
    let mut rows = good_rows();
    rows[2] = rows[2].replacen(",OF0", ",OF7", 1);
    assert_bad_input(&rows, HEADER, 4, "column Metric_ID", "unknown metric id");
}

#[test]
fn duplicate_trust_metric_quarter_row() {
    let mut rows = good_rows();
    let dup = rows[3].clone();
    rows.push(dup);
    let line = rows.len() + 1;
    assert_bad_input(
        &rows,
        HEADER,
        line,
        "Quarter,Trust_code,Metric_ID,Units",
        "duplicate row",
    );
}

#[test]
fn unknown_trust_code() {
    let rows: Vec<String> = good_rows()
        .into_iter()
        .map(|r| r.replace(",RX4,", ",ZZ9,"))
        .collect();
    let first = rows
        .iter()
        .position(|r| r.contains(",ZZ9,"))
        .expect("RX4 rows")
        + 2;
    assert_bad_input(
        &rows,
        HEADER,
        first,
        "column Trust_code",
        "unknown trust code",
    );
}

#[test]
fn path_like_trust_code_and_formula_text() {
    let mut rows = good_rows();
    rows[0] = rows[0].replacen(",RY2,", ",../../x,", 1);
    assert_bad_input(
        &rows,
        HEADER,
        2,
        "column Trust_code",
        "not an ODS trust code",
    );
}

#[test]
fn bad_configuration_and_missing_files_have_their_own_exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("m.toml");
    let text =
        std::fs::read_to_string(root().join("data/methodology/nof-2025-26.toml")).expect("config");
    std::fs::write(&cfg, text.replace("cap_segment = 3", "cap_segment = 9")).expect("write");
    let out = dir.path().join("out");
    let o = league(&[
        "score",
        "--nof-data",
        "data/nof/nof_mh_community_2025_26_q1_to_q3_data.csv",
        "--methodology",
        cfg.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("financial_override.cap_segment"),
        "{}",
        stderr(&o)
    );

    let o = league(&[
        "score",
        "--nof-data",
        "no/such/file.csv",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("no/such/file.csv"), "{}", stderr(&o));

    let o = league(&[
        "score",
        "--nof-data",
        "data/nof/nof_mh_community_2025_26_q1_to_q3_data.csv",
        "--cut-points",
        "2.5,2.1,2.9",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(crate::util::released_nothing(&out), "nothing released");
}

#[test]
fn too_few_bootstrap_replicates_is_a_configuration_error() {
    for n in ["0", "1", "99"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        let o = league(&[
            "report",
            "--replicates",
            n,
            "--out",
            out.to_str().expect("utf8"),
        ]);
        assert_eq!(o.status.code(), Some(4), "--replicates {n}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("{n} bootstrap replicates are too few")),
            "{}",
            stderr(&o)
        );
        assert!(crate::util::released_nothing(&out), "nothing released");
    }
}

#[test]
fn a_stray_quote_is_named_on_its_own_line_and_swallows_nothing() {
    let mut rows = good_rows();
    let n = rows.len();
    rows[n / 2] = rows[n / 2].replacen(',', ",\"", 1);
    assert!(rows[n / 2].contains(",\""));
    let (code, err, wrote) = run_with(&rows, HEADER);
    assert_eq!(code, 3, "{err}");
    assert!(!wrote);
    let line = n / 2 + 2;
    assert!(
        err.contains(&format!("bad.csv:{line}")) && err.contains("unterminated quote"),
        "{err}"
    );
    assert!(
        err.contains("1 invalid row(s)") && err.matches("bad.csv:").count() == 1,
        "one bad line, the rows after it read on their own: {err}"
    );
}

#[test]
fn an_output_path_that_is_a_file_or_a_lock_that_is_a_link_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").expect("write");
    let o = league(&["report", "--out", file.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is a file, not a directory"),
        "{}",
        stderr(&o)
    );

    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let elsewhere = dir.path().join("elsewhere.txt");
    std::fs::write(&elsewhere, "keep").expect("write");
    std::os::unix::fs::symlink(&elsewhere, out.join(".league.lock")).expect("symlink");
    let o = league(&["report", "--out", out.to_str().expect("utf8")]);
    // A link anywhere under the root is refused as a link (issue 27), naming it.
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("is a symbolic link"), "{}", stderr(&o));
    assert!(stderr(&o).contains(".league.lock"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&elsewhere).expect("read"), "keep");
    // A lock that is a directory is not a plain file.
    std::fs::remove_file(out.join(".league.lock")).expect("unlink");
    std::fs::create_dir(out.join(".league.lock")).expect("mkdir");
    let o = league(&["report", "--out", out.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a plain file"), "{}", stderr(&o));
}

#[test]
fn the_tool_s_own_period_labels_are_accepted_as_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "period,org_code,metric_id,value,numerator,denominator\n2025-26-Q1,RX8,OF0084,6.0,,\n",
    )
    .expect("write");
    let o = league(&["validate", input.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
