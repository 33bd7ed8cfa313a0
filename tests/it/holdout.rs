//! Inputs that made a run fail in its own layout or check (issue 27; each reproduced at commit
//! 49e3a16): a trust with a published score but no raw value, names made of words too long for
//! a table column, and names a spreadsheet reads as numbers. One run of the whole output set
//! serves every test here.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::util::{Report, copy_dir, league, read_csv, report, root, stderr};

/// The renamed trusts (all ambulance trusts, a small table) and their new names.
const RENAMED: [(&str, &str); 4] = [
    (
        "RX9",
        "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa Ambulance Trust",
    ),
    (
        "RYD",
        "https://example.org/a/very/long/address/that/does/not/wrap/at/all",
    ),
    ("RRU", "WWWWWWWWWWWWWWW"),
    ("RX8", "-1e5"),
];

/// The default dataset with R0A's OF0014 raw value removed (its published score OF1014
/// stays) and four ambulance trusts renamed as [`RENAMED`].
fn input(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join("data/default/nof_2025_26_q1_national.csv"))
        .expect("default data");
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("Q1 2025/26,R0A,OF0014,") {
            continue;
        }
        let mut f: Vec<String> = line.split(',').map(str::to_owned).collect();
        if i > 0
            && let Some((_, name)) = RENAMED.iter().find(|(c, _)| f[1] == *c)
        {
            // org_name is the tenth column; the default file quotes no field.
            f[9] = (*name).to_owned();
        }
        out.push(f.join(","));
    }
    let path = dir.join("holdout.csv");
    std::fs::write(&path, out.join("\n") + "\n").expect("write");
    path
}

/// One `league report` of the whole output set on [`input`], shared by the tests.
fn run() -> &'static (Report, tempfile::TempDir) {
    static RUN: OnceLock<(Report, tempfile::TempDir)> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = input(dir.path());
        let r = report(&["--input", path.to_str().expect("utf8")]);
        (r, dir)
    })
}

fn check(dir: &Path) -> std::process::Output {
    league(&["check", dir.to_str().expect("utf8")])
}

#[test]
fn a_trust_with_a_score_but_no_value_is_reported_with_no_spread_and_checked() {
    let (r, _) = run();
    let table = r.out.join("2025-26-Q1/national/tables/metric_of1014.csv");
    let rows = read_csv(&table);
    let r0a = rows
        .iter()
        .find(|x| x["trust_code"] == "R0A")
        .expect("R0A is in the table: its score is published");
    assert!(!r0a["score"].is_empty(), "its score is shown");
    for c in [
        "value",
        "peer_median",
        "peer_lower_quartile",
        "peer_upper_quartile",
    ] {
        assert_eq!(r0a[c], "", "{c}: no value, so no spread");
    }
    let acute_with_values: Vec<_> = rows
        .iter()
        .filter(|x| x["trust_code"] != "R0A" && !x["value"].is_empty())
        .collect();
    assert!(!acute_with_values.is_empty());
    assert!(
        acute_with_values
            .iter()
            .all(|x| !x["peer_median"].is_empty())
    );
    let o = check(&r.out);
    assert!(o.status.success(), "{}", stderr(&o));

    // The check still fails on a blank that hides a value, and on a spread shown without one.
    for (what, expected) in [
        ("blank median beside a value", "median shown as \"\""),
        (
            "median beside no value",
            "peer_median shown as \"1.000\" for a trust with no value",
        ),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let copy = dir.path().join("out");
        copy_dir(&r.out, &copy);
        let path = copy.join("2025-26-Q1/national/tables/metric_of1014.csv");
        let mut rdr = csv::Reader::from_path(&path).expect("csv");
        let header = rdr.headers().expect("header").clone();
        let col = |n: &str| header.iter().position(|h| h == n).expect("column");
        let mut recs: Vec<Vec<String>> = rdr
            .records()
            .map(|r| r.expect("row").iter().map(str::to_owned).collect())
            .collect();
        let code = col("trust_code");
        let median = col("peer_median");
        let at = if what.starts_with("blank") {
            recs.iter()
                .position(|x| x[code] != "R0A" && !x[col("value")].is_empty())
        } else {
            recs.iter().position(|x| x[code] == "R0A")
        }
        .expect("row");
        recs[at][median] = if what.starts_with("blank") {
            ""
        } else {
            "1.000"
        }
        .to_owned();
        let mut w = csv::Writer::from_path(&path).expect("csv");
        w.write_record(&header).expect("header");
        for x in &recs {
            w.write_record(x).expect("row");
        }
        w.flush().expect("flush");
        let o = check(&copy);
        assert_eq!(o.status.code(), Some(8), "{what}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{what}: {}", stderr(&o));
    }
}

#[test]
fn names_of_words_too_long_for_a_column_are_laid_out_and_shown_whole() {
    let (r, _) = run();
    let league = read_csv(&r.out.join("2025-26-Q1/ambulance/league-table.csv"));
    for (code, name) in RENAMED {
        let row = league
            .iter()
            .find(|x| x["Trust_code"] == code)
            .unwrap_or_else(|| panic!("{code}"));
        // The CSV neutralises a name a spreadsheet would read as a formula or number.
        let shown = if name.starts_with('-') {
            format!("'{name}")
        } else {
            name.to_owned()
        };
        assert_eq!(row["Trust_name"], shown, "{code}");
    }
    // Every letter of a renamed trust was laid out (a name too wide once stopped the run).
    let letters = crate::util::files_under(&r.out.join("2025-26-Q1/trusts"));
    for (code, _) in RENAMED {
        assert!(
            letters
                .iter()
                .any(|f| f.to_string_lossy().contains(code)
                    && f.extension().is_some_and(|e| e == "pdf")),
            "{code}: a letter"
        );
    }
}

#[test]
fn a_name_that_reads_as_a_number_is_text_with_a_quote_prefix_in_every_workbook() {
    let (r, _) = run();
    let workbooks: Vec<PathBuf> = crate::util::files_under(&r.out)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "xlsx"))
        .map(|f| r.out.join(f))
        .collect();
    assert!(!workbooks.is_empty());
    let mut seen = 0;
    for wb in &workbooks {
        for (cell, prefixed) in crate::workbook::cells_with_text(wb, "-1e5") {
            assert!(
                prefixed,
                "{}: {cell} holds -1e5 without a quote prefix",
                wb.display()
            );
            seen += 1;
        }
    }
    assert!(seen > 0, "the renamed trust appears in some workbook");
}
