//! Quality assurance: `league check` passes on real runs, and catches every kind of figure it
//! checks when that figure is corrupted in one file. Also: peer medians and quartiles
//! recomputed by hand from the input equal every output's, and the method text states the run.

use std::io::{Read, Write};
use std::path::Path;

use calamine::{Data, Reader};

use crate::util::{Report, copy_dir, league, num, read_csv, report, root, score, stderr};

fn check(dir: &Path) -> std::process::Output {
    league(&["check", dir.to_str().expect("utf8")])
}

#[test]
fn the_check_passes_on_the_default_run_and_on_a_scored_nhs_england_file() {
    let run = crate::util::default_report();
    let o = check(&run.out);
    assert!(o.status.success(), "{}", stderr(&o));
    let said = String::from_utf8_lossy(&o.stdout);
    for what in [
        "averages re-derived from metric scores",
        "peer medians and quartiles re-derived from values",
        "cells equal in CSV and Parquet",
        "cells equal in CSV and workbook",
        "PDF league rows equal to the CSV",
        "key-finding counts equal to the tables",
        "output hashes equal to the manifest",
    ] {
        assert!(said.contains(what), "{what}: {said}");
    }
    // Every trust of the default run is found in the PDF.
    assert!(
        said.contains("     205  PDF league rows equal to the CSV"),
        "{said}"
    );

    let scored = score(
        &root().join("data/nof/nof_mh_community_2025_26_q1_to_q3_data.csv"),
        &[],
    );
    let o = check(&scored.out);
    assert!(o.status.success(), "{}", stderr(&o));
    // 61 trusts in each of three quarters.
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("     183  averages re-derived"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

/// Copies the run, corrupts one figure of its Q1 2025/26 outputs with `mutate`, and asserts
/// `league check` exits 8 naming the problem.
fn assert_caught(run: &Report, what: &str, expected: &str, mutate: impl FnOnce(&Path)) {
    assert_caught_in(run, "2025-26-Q1", what, expected, mutate);
}

fn assert_caught_in(
    run: &Report,
    quarter: &str,
    what: &str,
    expected: &str,
    mutate: impl FnOnce(&Path),
) {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("out");
    copy_dir(&run.out, &copy);
    mutate(&copy.join(quarter));
    let o = check(&copy);
    assert_eq!(o.status.code(), Some(8), "{what}: {}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(expected),
        "{what}: expected {expected:?} in\n{err}"
    );
}

fn rewrite_csv(path: &Path, edit: impl FnOnce(&[String], &mut Vec<Vec<String>>)) {
    let mut r = csv::Reader::from_path(path).expect("csv");
    let header: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.expect("row").iter().map(str::to_owned).collect())
        .collect();
    edit(&header, &mut rows);
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_path(path)
        .expect("write");
    w.write_record(&header).expect("header");
    for row in rows {
        w.write_record(&row).expect("row");
    }
    w.flush().expect("flush");
}

fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).expect(name)
}

#[test]
fn every_kind_of_corrupted_figure_is_caught() {
    let run = crate::util::default_report();

    // A writer bug of this kind once passed (issue 27): the figures and text were right.
    assert_caught(run, "a broken page tree", "the page tree says", |q| {
        let pdf = std::fs::read_dir(q.join("national"))
            .expect("ls")
            .map(|e| e.expect("entry").path())
            .find(|p| p.extension().is_some_and(|e| e == "pdf"))
            .expect("the national PDF");
        let mut bytes = std::fs::read(&pdf).expect("pdf");
        let at = bytes
            .windows(7)
            .position(|w| w == b"/Count ")
            .expect("a page count")
            + 7;
        let end = at
            + bytes[at..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
        // The same length, so the file's cross-reference offsets still hold.
        bytes[end - 1] = if bytes[end - 1] == b'9' {
            b'8'
        } else {
            bytes[end - 1] + 1
        };
        std::fs::write(&pdf, bytes).expect("write");
    });

    // The statistics beside the ranks (issue 28): a count, a per-trust figure and a label.
    assert_caught(
        run,
        "a sensitivity count",
        "no_override: trusts_changing_segment is \"44\"",
        |q| {
            rewrite_csv(&q.join("national/tables/sensitivity.csv"), |h, rows| {
                let (id, n) = (col(h, "alternative_id"), col(h, "trusts_changing_segment"));
                let r = rows
                    .iter_mut()
                    .find(|r| r[id] == "no_override")
                    .expect("row");
                r[n] = "44".into();
            });
        },
    );
    assert_caught(
        run,
        "a segment without the override",
        "but the published figures give",
        |q| {
            rewrite_csv(
                &q.join("national/tables/sensitivity_trusts.csv"),
                |h, rows| {
                    let (id, s) = (col(h, "alternative_id"), col(h, "alternative_segment"));
                    let r = rows
                        .iter_mut()
                        .find(|r| r[id] == "no_override")
                        .expect("row");
                    r[s] = if r[s] == "4" { "3" } else { "4" }.into();
                },
            );
        },
    );
    assert_caught(
        run,
        "a peer comparison against its interval",
        "beside a difference from the peer median",
        |q| {
            rewrite_csv(&q.join("national/tables/league_acute.csv"), |h, rows| {
                let v = col(h, "versus_peer_median");
                let r = rows.iter_mut().find(|r| r[v] == "Similar").expect("row");
                r[v] = "Better".into();
            });
        },
    );

    assert_caught(run, "a funnel limit", "but its counts and τ² give", |q| {
        rewrite_csv(
            &q.join("national/tables/funnel_of0013_acute.csv"),
            |h, rows| {
                let c = col(h, "upper_outer");
                rows[3][c] = "99.99".into();
            },
        );
    });
    assert_caught(run, "an SPC rule", "but the written series gives", |q| {
        rewrite_csv(&q.join("national/tables/spc_series.csv"), |h, rows| {
            let (r, m) = (col(h, "rules"), col(h, "measure_id"));
            // Every common-cause month of the ambulance charts (24 months each): most charts'
            // rules can be told at the written precision.
            for row in rows
                .iter_mut()
                .filter(|x| x[m] == "OF0017" && x[r] == "none")
            {
                row[r] = "outside limits".into();
            }
        });
    });

    assert_caught(run, "a swapped quartile", "median shown as", |q| {
        rewrite_csv(&q.join("national/tables/metric_of1082.csv"), |h, rows| {
            let (m, lq) = (col(h, "peer_median"), col(h, "peer_lower_quartile"));
            let g = col(h, "peer_group");
            for r in rows.iter_mut().filter(|r| r[g] == "Acute trust") {
                r.swap(m, lq);
            }
        });
    });

    assert_caught(
        run,
        "a segment changed in one file",
        "OF5000 (segment) is",
        |q| {
            rewrite_csv(&q.join("acute/league-table.csv"), |h, rows| {
                let s = col(h, "Segment");
                let r = &mut rows[60];
                r[s] = if r[s] == "4" { "3" } else { "4" }.to_owned();
            });
        },
    );

    assert_caught(run, "a Parquet cell", "Parquet against CSV", |q| {
        // The average of the trust at row 60, as Parquet stores it (a little-endian double),
        // replaced with another value.
        let csv = read_csv(&q.join("national/tables/league_acute.csv"));
        let v = num(&csv[60]["average_score"]);
        let path = q.join("national/tables/league_acute.parquet");
        let mut bytes = std::fs::read(&path).expect("parquet");
        let needle = v.to_le_bytes();
        let at = bytes
            .windows(8)
            .position(|w| w == needle)
            .expect("the value is stored");
        bytes[at..at + 8].copy_from_slice(&(v + 0.25).to_le_bytes());
        std::fs::write(&path, bytes).expect("write");
    });

    assert_caught(
        run,
        "a metric score behind an average",
        "weighted mean of its",
        |q| {
            rewrite_csv(&q.join("acute/metric-scores.csv"), |h, rows| {
                let (id, v, src) = (col(h, "Metric_ID"), col(h, "Value"), col(h, "Score_source"));
                let r = rows
                    .iter_mut()
                    .find(|r| r[id] == "OF1082" && !r[src].is_empty())
                    .expect("a score row");
                let x: f64 = r[v].parse().expect("score");
                r[v] = format!("{:.2}", if x > 2.5 { x - 1.5 } else { x + 1.5 });
            });
        },
    );

    assert_caught(run, "a rank", "give rank", |q| {
        rewrite_csv(&q.join("mh_community/league-table.csv"), |h, rows| {
            let r = col(h, "Rank");
            rows[10][r] = "1".to_owned();
        });
    });

    assert_caught(
        run,
        "a workbook cell",
        "table league_acute against league_acute.csv",
        |q| {
            let csv = read_csv(&q.join("national/tables/league_acute.csv"));
            let avg = &csv[0]["average_score"];
            let path = q.join("national/league-tables.xlsx");
            edit_zip_part(&path, "xl/worksheets/sheet4.xml", |xml| {
                let from = format!("<v>{}</v>", avg.trim_end_matches('0').trim_end_matches('.'));
                assert!(xml.contains(&from), "{from}");
                xml.replacen(&from, "<v>3.99</v>", 1)
            });
        },
    );

    assert_caught(
        run,
        "a value from after the quarter's data cut-off",
        "reporting period `3 months to Mar-26` ends after Q1 2025/26's data cut-off (2025-09-09)",
        |q| {
            rewrite_csv(&q.join("ambulance/metric-scores.csv"), |h, rows| {
                let (id, date) = (col(h, "Metric_ID"), col(h, "Reporting_date"));
                let r = rows
                    .iter_mut()
                    .find(|r| r[id] == "OF0084")
                    .expect("a staff survey value");
                r[date] = "3 months to Mar-26".to_owned();
            });
        },
    );

    assert_caught(
        run,
        "a reporting date that does not exist",
        "`2025-06-31` is not a reporting period this tool can read",
        |q| {
            rewrite_csv(&q.join("acute/metric-scores.csv"), |h, rows| {
                let date = col(h, "Reporting_date");
                rows[3][date] = "2025-06-31".to_owned();
            });
        },
    );

    assert_caught(
        run,
        "a file the manifest does not list",
        "is not listed",
        |q| {
            std::fs::write(q.join("acute/notes.txt"), "added after the run").expect("write");
        },
    );

    assert_caught(
        run,
        "a count in the key findings",
        "the key findings on the Cover do not say what the tables count",
        |q| {
            let path = q.join("national/league-tables.xlsx");
            edit_zip_part(&path, "xl/sharedStrings.xml", |xml| {
                let at = xml.find("Acute trusts (").expect("acute finding");
                let start = at + xml[at..].find("): ").expect("count") + 3;
                let end = start + xml[start..].find(' ').expect("number");
                let n: u32 = xml[start..end].parse().expect("segment 1 count");
                format!("{}{}{}", &xml[..start], n + 1, &xml[end..])
            });
        },
    );
}

#[test]
fn a_movement_figure_that_differs_from_its_quarter_s_league_table_is_caught() {
    let run = report(&[
        "--input",
        "data/nof/nof_mh_community_2025_26_q1_to_q3_data.csv",
    ]);
    let o = check(&run.out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("     915  movement figures equal to each quarter's league table"),
        "Q2: 2 quarters x 3 figures x 61 trusts; Q3: 3 x 3 x 61"
    );
    assert_caught_in(
        &run,
        "2025-26-Q3",
        "a Q1 rank in the Q3 movement table",
        "but 2025-26-Q1/mh_community/league-table.csv gives",
        |q| {
            rewrite_csv(
                &q.join("national/tables/movement_mh_community.csv"),
                |h, rows| {
                    let c = col(h, "rank_2025_26_q1");
                    let v: u32 = rows[5][c].parse().expect("rank");
                    rows[5][c] = (v + 3).to_string();
                },
            );
        },
    );
}

/// Rewrites one part of a zip (an xlsx) with `edit`, copying the others unchanged.
pub(crate) fn edit_zip_part(path: &Path, part: &str, edit: impl FnOnce(&str) -> String) {
    let bytes = std::fs::read(path).expect("xlsx");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut edit = Some(edit);
    for i in 0..z.len() {
        let mut f = z.by_index(i).expect("entry");
        let name = f.name().expect("name").into_owned();
        if name == part {
            let mut text = String::new();
            f.read_to_string(&mut text).expect("utf8");
            let new = (edit.take().expect("once"))(&text);
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .expect("entry");
            out.write_all(new.as_bytes()).expect("write");
        } else {
            out.raw_copy_file(f).expect("copy");
        }
    }
    let bytes = out.finish().expect("zip").into_inner();
    std::fs::write(path, bytes).expect("write");
}

/// Linear (inclusive) quartile, as NHS England publishes them: written out here, by hand.
fn by_hand(values: &[f64], p: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

fn two_dp(x: f64) -> String {
    format!("{:.2}", league_model::number::round_dp(x, 2))
}

#[test]
fn peer_median_and_quartiles_recomputed_by_hand_equal_every_output() {
    // Sickness absence rate (OF0082, scored as OF1082), acute trusts: the values are NHS
    // England's published ones in the default dataset.
    let input = read_csv(&root().join("data/nof/nof_acute_2025_26_q1_data.csv"));
    let published: Vec<&std::collections::HashMap<String, String>> = input
        .iter()
        .filter(|r| r["Metric_ID"] == "OF0082")
        .collect();
    let values: Vec<f64> = published.iter().map(|r| num(&r["Value"])).collect();
    assert_eq!(values.len(), 134);
    let expected = [0.5, 0.25, 0.75].map(|p| two_dp(by_hand(&values, p)));
    // NHS England computed theirs from unrounded values: the same to within 0.01.
    let theirs = [
        num(&published[0]["Median_value"]),
        num(&published[0]["Lower_quartile"]),
        num(&published[0]["Upper_quartile"]),
    ];
    for (ours, theirs) in expected.iter().zip(theirs) {
        assert!(
            (num(ours) - theirs).abs() <= 0.01 + 1e-9,
            "{ours} vs {theirs}"
        );
    }
    // The median lies between the quartiles: never swapped.
    assert!(num(&expected[1]) <= num(&expected[0]) && num(&expected[0]) <= num(&expected[2]));

    let run = crate::util::default_report();
    let nat = run.out.join("2025-26-Q1/national");
    // CSV.
    let csv = read_csv(&nat.join("tables/metric_of1082.csv"));
    let acute: Vec<_> = csv
        .iter()
        .filter(|r| r["peer_group"] == "Acute trust")
        .collect();
    assert_eq!(acute.len(), 134);
    for r in &acute {
        assert_eq!(
            [
                &r["peer_median"],
                &r["peer_lower_quartile"],
                &r["peer_upper_quartile"]
            ],
            [&expected[0], &expected[1], &expected[2]],
            "CSV"
        );
    }
    // Parquet.
    {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        use parquet::record::Field;
        let f = std::fs::File::open(nat.join("tables/metric_of1082.parquet")).expect("parquet");
        let reader = SerializedFileReader::new(f).expect("reader");
        let mut n = 0;
        for row in reader.get_row_iter(None).expect("rows") {
            let row = row.expect("row");
            let mut group = String::new();
            let mut got = [String::new(), String::new(), String::new()];
            for (name, field) in row.get_column_iter() {
                match (name.as_str(), field) {
                    ("peer_group", Field::Str(s)) => group = s.clone(),
                    ("peer_median", Field::Double(v)) => got[0] = format!("{v:.2}"),
                    ("peer_lower_quartile", Field::Double(v)) => got[1] = format!("{v:.2}"),
                    ("peer_upper_quartile", Field::Double(v)) => got[2] = format!("{v:.2}"),
                    _ => {}
                }
            }
            if group == "Acute trust" {
                assert_eq!(got, expected, "Parquet");
                n += 1;
            }
        }
        assert_eq!(n, 134);
    }
    // Workbook.
    let mut wb = calamine::open_workbook_auto(nat.join("league-tables.xlsx")).expect("xlsx");
    let range = wb.worksheet_range("Metric OF1082").expect("sheet");
    let rows: Vec<&[Data]> = range.rows().collect();
    let header = rows
        .iter()
        .position(|r| r.first() == Some(&Data::String("Quarter".into())))
        .expect("header");
    let at = |name: &str| {
        rows[header]
            .iter()
            .position(|c| matches!(c, Data::String(s) if s.starts_with(name)))
            .expect(name)
    };
    let cols = [
        at("Peer group median"),
        at("Peer group lower quartile"),
        at("Peer group upper quartile"),
    ];
    let group = at("Peer group");
    let mut n = 0;
    for r in &rows[header + 1..] {
        if r[group] != Data::String("Acute trust".into()) {
            continue;
        }
        let got = cols.map(|c| match &r[c] {
            Data::Float(v) => format!("{v:.2}"),
            other => panic!("a number, got {other:?}"),
        });
        assert_eq!(got, expected, "workbook");
        n += 1;
    }
    assert_eq!(n, 134);
    // And the NHS England-layout file beside the league table.
    let scores = read_csv(&run.out.join("2025-26-Q1/acute/metric-scores.csv"));
    let rows: Vec<_> = scores
        .iter()
        .filter(|r| r["Metric_ID"] == "OF0082")
        .collect();
    assert_eq!(rows.len(), 134);
    for r in rows {
        let got = [
            &r["Median_value"],
            &r["Lower_quartile"],
            &r["Upper_quartile"],
        ]
        .map(|v| two_dp(num(v)));
        assert_eq!(got, expected, "metric-scores.csv");
    }
}

#[test]
fn the_method_text_states_the_run_s_replicates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("reports");
    let o = league(&[
        "report",
        "--replicates",
        "500",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let nat = out.join("current/2025-26-Q1/national");
    let mut wb = calamine::open_workbook_auto(nat.join("league-tables.xlsx")).expect("xlsx");
    let notes: String = wb
        .worksheet_range("Notes")
        .expect("Notes")
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        notes.contains("500 bootstrap replicates (seed 20250909)"),
        "{notes}"
    );
    // No sentence states the default replicate count (a chart's axis may read 2,000).
    for stale in ["2,000 bootstrap", "2,000 replicates", "2,000 resamples"] {
        assert!(!notes.contains(stale), "{notes}");
    }
    // Percentiles and the override's cap come from the configuration too.
    assert!(
        notes.contains("the 2.5th and 97.5th percentiles"),
        "{notes}"
    );
    assert!(notes.contains("capped at segment 3"), "{notes}");
    if let Some(pdf) = pdf_text(&nat.join("league-tables.pdf")) {
        assert!(
            pdf.contains("500 bootstrap replicates (seed 20250909)"),
            "{pdf}"
        );
        for stale in ["2,000 bootstrap", "2,000 replicates", "2,000 resamples"] {
            assert!(!pdf.contains(stale), "{pdf}");
        }
        assert!(pdf.contains("the 2.5th and 97.5th percentiles"), "{pdf}");
        assert!(pdf.contains("capped at segment 3"), "{pdf}");
    }
}

/// The PDF's text via poppler, lines joined; `None` (with a message) where poppler is not
/// installed, except in CI (`LEAGUE_REQUIRE_POPPLER`), where that fails.
fn pdf_text(path: &Path) -> Option<String> {
    let o = std::process::Command::new("pdftotext")
        .args([path.to_str().expect("utf8"), "-"])
        .output();
    match o {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).replace('\n', " ")),
        _ => {
            assert!(
                std::env::var_os("LEAGUE_REQUIRE_POPPLER").is_none(),
                "poppler-utils is required here"
            );
            eprintln!("SKIPPED: PDF text checks need poppler-utils (pdftotext)");
            None
        }
    }
}
