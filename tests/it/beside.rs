//! The statistics beside the ranks on the default data, read back from the written files the
//! way a reader would: the sensitivity of the segments to the method's choices (counted again by
//! hand from the league tables), and each trust's average against its peer median in the league
//! tables, the workbook, the PDF, the letters and a board workbook.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};

use crate::pack::{pdf_text, poppler};
use crate::util::{Report, read_csv};

/// One `league report` on the default data, shared with the other tests that only read it.
fn run() -> &'static Report {
    crate::util::default_report()
}

fn national() -> PathBuf {
    run().out.join("2025-26-Q1/national")
}

fn table(id: &str) -> Vec<std::collections::HashMap<String, String>> {
    read_csv(&national().join(format!("tables/{id}.csv")))
}

const GROUPS: [&str; 3] = ["acute", "mh_community", "ambulance"];

/// Competition ranks of (segment, average) within one group, best first.
fn ranks(keys: &[(u32, f64)]) -> Vec<u32> {
    keys.iter()
        .map(|k| 1 + keys.iter().filter(|o| (o.0, o.1) < (k.0, k.1)).count() as u32)
        .collect()
}

/// Acceptance (issue 28, 3): with no financial override, exactly the trusts the override moved
/// change segment (38 acute and 7 mental health and community trusts on the default data), and
/// their ranks are those the segments before the override give, counted here from the league
/// tables alone.
#[test]
fn without_the_override_exactly_the_trusts_it_moved_change_segment() {
    let mut moved: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut rank_change = Vec::new();
    for g in GROUPS {
        let rows = table(&format!("league_{g}"));
        let keys: Vec<(u32, f64)> = rows
            .iter()
            .map(|r| {
                (
                    r["segment_before_override"].parse().expect("segment"),
                    r["average_score"].parse().expect("average"),
                )
            })
            .collect();
        for (r, alt) in rows.iter().zip(ranks(&keys)) {
            if r["segment"] != r["segment_before_override"] {
                moved.entry(g).or_default().insert(r["trust_code"].clone());
            }
            let rank: u32 = r["rank"].parse().expect("rank");
            rank_change.push(rank.abs_diff(alt));
        }
    }
    let count = |g: &str| moved.get(g).map_or(0, BTreeSet::len);
    assert_eq!(
        (count("acute"), count("mh_community"), count("ambulance")),
        (38, 7, 0)
    );

    let summary = table("sensitivity");
    let row = summary
        .iter()
        .find(|r| r["alternative_id"] == "no_override")
        .expect("a no-override row");
    assert_eq!(row["alternative"], "No financial override");
    assert_eq!(row["trusts_changing_segment"], "45");
    assert_eq!(row["changing_acute"], "38");
    assert_eq!(row["changing_mh_community"], "7");
    assert_eq!(row["changing_ambulance"], "0");
    assert_eq!(row["to_better_segment"], "45");
    let named: BTreeSet<String> = row["trusts_changing"]
        .split("; ")
        .map(str::to_owned)
        .collect();
    let all: BTreeSet<String> = moved.values().flatten().cloned().collect();
    assert_eq!(named, all);
    let mean = f64::from(rank_change.iter().sum::<u32>()) / rank_change.len() as f64;
    assert_eq!(row["mean_rank_change"], format!("{mean:.2}"));
    assert_eq!(
        row["largest_rank_change"],
        rank_change.iter().max().expect("ranks").to_string()
    );
}

/// Fixed thresholds of 2.0, 2.5 and 3.0 (the configured illustrative values) applied by hand to
/// the published averages, a trust on a threshold going to the better segment and a trust in
/// deficit capped at 3: the count the table gives.
#[test]
fn fixed_thresholds_recounted_by_hand() {
    let mut changing = 0;
    for g in GROUPS {
        for r in table(&format!("league_{g}")) {
            let a: f64 = r["average_score"].parse().expect("average");
            let mut s = 1 + [2.0, 2.5, 3.0].iter().filter(|c| a > **c).count();
            if r["financial_deficit"] == "Yes" {
                s = s.max(3);
            }
            changing += usize::from(s.to_string() != r["segment"]);
        }
    }
    let row = table("sensitivity")
        .into_iter()
        .find(|r| r["alternative_id"] == "fixed_thresholds")
        .expect("a fixed-thresholds row");
    assert_eq!(row["trusts_changing_segment"], changing.to_string());
    assert!(row["alternative"].contains("illustrative thresholds at 2.0, 2.5 and 3.0"));
    // Recomputing the cut-points as quartiles of this input's averages changes no segment: the
    // default data's averages reproduce NHS England's published segments.
    let q = table("sensitivity")
        .into_iter()
        .find(|r| r["alternative_id"] == "quartiles_of_input")
        .expect("a quartiles row");
    assert_eq!(q["trusts_changing_segment"], "0");
}

/// The workbook's Sensitivity sheet holds the same row, and the PDF prints it with its section.
#[test]
fn the_sensitivity_table_is_in_the_workbook_and_the_pdf() {
    let xlsx = national().join("league-tables.xlsx");
    let mut wb = calamine::open_workbook_auto(&xlsx).expect("xlsx");
    let range = wb
        .worksheet_range("Sensitivity")
        .expect("a Sensitivity sheet");
    let row = range
        .rows()
        .find(|r| r.iter().any(|c| *c == Data::String("no_override".into())))
        .expect("the no-override row");
    assert!(row.contains(&Data::String("No financial override".into())));
    assert!(
        row.iter()
            .any(|c| matches!(c, Data::Float(v) if *v == 45.0) || *c == Data::Int(45)),
        "{row:?}"
    );
    if !poppler() {
        return;
    }
    let text = pdf_text(&national().join("league-tables.pdf"));
    assert!(text.contains("How much the segments depend on the method's choices"));
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("No financial override"))
        .expect("the no-override row in the PDF");
    let f: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(&f[2..4], ["override", "45"], "{line}");
    assert!(text.contains("Against"), "the league tables' peer column");
}

/// Every league row says better, similar or worse beside an interval that shows it, and the
/// three letters and a board workbook read back say the same for their trust.
#[test]
fn each_trust_is_compared_with_its_peer_median_in_every_document() {
    let mut seen = BTreeMap::new();
    let mut by_code = BTreeMap::new();
    for g in GROUPS {
        for r in table(&format!("league_{g}")) {
            let (lo, hi): (f64, f64) = (
                r["peer_difference_from"].parse().expect("from"),
                r["peer_difference_to"].parse().expect("to"),
            );
            let label = r["versus_peer_median"].clone();
            match label.as_str() {
                "Better" => assert!(hi <= 0.0, "{r:?}"),
                "Worse" => assert!(lo >= 0.0, "{r:?}"),
                "Similar" => assert!(lo <= 0.0 && hi >= 0.0, "{r:?}"),
                other => panic!("{other}"),
            }
            *seen.entry(label.clone()).or_insert(0) += 1;
            by_code.insert(
                r["trust_code"].clone(),
                (
                    g,
                    label,
                    r["peer_difference_from"].clone(),
                    r["peer_difference_to"].clone(),
                ),
            );
        }
    }
    // The comparison separates some trusts from their peers and not others.
    assert!(seen.len() >= 2, "{seen:?}");
    let trusts = run().out.join("2025-26-Q1/trusts");
    for code in ["RHW", "RX9", "RXT"] {
        let (g, label, lo, hi) = &by_code[code];
        let group = match *g {
            "acute" => "acute trusts",
            "mh_community" => "mental health and community trusts",
            _ => "ambulance trusts",
        };
        let expected = format!(
            "Against the median average of {group}: {} (the 95% interval of the difference, {lo} to {hi} score points",
            label.to_lowercase()
        );
        if poppler() {
            let letter = pdf_text(&trusts.join(code).join("letter.pdf"));
            let flat = letter.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                flat.contains(&expected),
                "{code}: {expected:?} not in the letter"
            );
        }
        if code == "RHW" {
            let cells = text_cells(&board(&trusts, code));
            assert!(
                cells.iter().any(|t| t.starts_with(&expected)),
                "{code}: {expected:?} in no cell of the board workbook"
            );
        }
    }
}

/// Every text cell of every sheet, as calamine reads it.
fn text_cells(xlsx: &Path) -> Vec<String> {
    let mut wb = calamine::open_workbook_auto(xlsx).expect("xlsx");
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).expect("sheet");
        out.extend(range.used_cells().filter_map(|(_, _, c)| match c {
            Data::String(s) => Some(s.clone()),
            _ => None,
        }));
    }
    out
}

fn board(trusts: &Path, code: &str) -> PathBuf {
    trusts.join(code).join("board-workbook.xlsx")
}

/// The A&E 4-hour funnel read back: one trust's limits recomputed by hand from its written
/// counts and the written τ², the outliers the PDF names equal to the table's, the workbook's
/// sheet holding the same trusts.
#[test]
fn the_funnel_plots_are_in_the_tables_the_workbook_and_the_pdf() {
    let rows = table("funnel_of0013_acute");
    assert!(rows.len() > 100, "{}", rows.len());
    let (sr, sn) = rows.iter().fold((0.0, 0.0), |(a, b), r| {
        (
            a + r["numerator"].parse::<f64>().expect("numerator"),
            b + r["denominator"].parse::<f64>().expect("denominator"),
        )
    });
    let theta = (sr / sn).sqrt().asin();
    let r = &rows[0];
    let n: f64 = r["denominator"].parse().expect("n");
    let tau2: f64 = r["tau2"].parse().expect("tau2");
    // Spiegelhalter (2005): sin²(θ₀ ± z √(1/(4n) + τ²)), z = 3.090232 for 99.8%.
    let d = 3.090232 * (1.0 / (4.0 * n) + tau2).sqrt();
    let by_hand = (
        100.0 * (theta - d).sin().powi(2),
        100.0 * (theta + d).sin().powi(2),
    );
    assert_eq!(r["lower_outer"], format!("{:.2}", by_hand.0));
    assert_eq!(r["upper_outer"], format!("{:.2}", by_hand.1));
    assert_eq!(r["target"], format!("{:.2}", 100.0 * sr / sn));

    let mut above: Vec<&str> = rows
        .iter()
        .filter(|r| r["position_outer"] == "Above")
        .map(|r| r["trust_code"].as_str())
        .collect();
    above.sort_unstable();
    let mut wb = calamine::open_workbook_auto(national().join("league-tables.xlsx")).expect("xlsx");
    let sheet = wb
        .worksheet_range("Funnel OF0013 acute")
        .expect("a funnel sheet");
    let codes = sheet
        .rows()
        .filter(|r| r.iter().any(|c| *c == Data::String("OF0013".into())))
        .count();
    assert_eq!(codes, rows.len());
    if poppler() {
        let text = pdf_text(&national().join("league-tables.pdf"));
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("Funnel plots: each trust against its peers"));
        let said = format!(
            "Beyond the 99.8% limits on the better side: {}",
            if above.is_empty() {
                "none".to_owned()
            } else {
                above.join(", ")
            }
        );
        assert!(flat.contains(&said), "{said}");
    }
}

/// Three letters (acute, ambulance, mental health) and an acute board workbook read back: each
/// monthly measure of spc_summary.csv is in the letter's table with its latest value, month and
/// variation and in its small charts, and in the board workbook with a chart; a trust with no
/// monthly measure has none.
#[test]
fn letters_and_a_board_workbook_show_each_monthly_measure_s_spc_icons() {
    let spc = table("spc_summary");
    // No chart of fewer than minimum_chart_points (6) months: Alder Hey's two months of cancer
    // counts give none.
    assert!(
        spc.iter()
            .all(|r| r["points"].parse::<usize>().expect("points") >= 6)
    );
    assert!(
        !spc.iter()
            .any(|r| r["trust_code"] == "RBS" && r["measure_id"] == "OF0010")
    );
    let trusts = run().out.join("2025-26-Q1/trusts");
    for (code, expect_any) in [("RHW", true), ("RX9", true), ("RXT", false)] {
        let mine: Vec<_> = spc.iter().filter(|r| r["trust_code"] == code).collect();
        assert_eq!(!mine.is_empty(), expect_any, "{code}");
        // The small charts: one figure whose alternative text names each measure with its
        // latest month's value (read from the PDF's structure tree).
        let path = trusts.join(code).join("letter.pdf");
        let figures = league_check::pdf_figures(&path).expect("the letter's figures");
        let chart = figures
            .iter()
            .find(|a| a.contains("statistical process control charts"));
        assert_eq!(chart.is_some(), expect_any, "{code}: {figures:?}");
        for r in &mine {
            let unit = if r["measure_id"] == "OF0017" {
                " minutes"
            } else {
                "%"
            };
            let latest: f64 = r["latest_value"].parse().expect("latest");
            let said = format!(
                "({}), {} to Jun 2025: latest {latest:.1}{unit} in June 2025",
                r["measure_id"],
                short_month(&r["first_month"])
            );
            assert!(
                chart.is_some_and(|c| c.contains(&said)),
                "{code}: {said} in {chart:?}"
            );
        }
        if !poppler() {
            continue;
        }
        let letter = pdf_text(&trusts.join(code).join("letter.pdf"));
        let flat = letter.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(
            flat.contains("monthly measures to June 2025"),
            expect_any,
            "{code}"
        );
        for r in mine {
            let latest: f64 = r["latest_value"].parse().expect("latest");
            let unit = if r["measure_id"] == "OF0017" {
                " minutes"
            } else {
                "%"
            };
            // The table row: id, short name, latest value and month, months, variation.
            let row = &flat[flat.find(&format!("{} ", r["measure_id"])).expect("a row")..];
            let row = &row[..row.len().min(160)];
            assert!(
                row.contains(&format!("{latest:.1}{unit} Jun 2025")),
                "{code}: {row}"
            );
            let word = match r["variation"].as_str() {
                "Special cause: improvement" => "Improvement",
                "Special cause: concern" => "Concern",
                _ => "Common cause",
            };
            assert!(row.contains(word), "{code}: {word} in {row}");
        }
    }
    let cells = text_cells(&board(&trusts, "RHW"));
    for r in spc.iter().filter(|r| r["trust_code"] == "RHW") {
        assert!(cells.contains(&r["measure"]), "{}", r["measure"]);
        assert!(cells.contains(&r["variation"]), "{}", r["variation"]);
    }
    // One native line chart per measure, each with its alt text.
    let xlsx = board(&trusts, "RHW");
    let f = std::fs::File::open(&xlsx).expect("xlsx");
    let z = zip::ZipArchive::new(f).expect("zip");
    let charts: Vec<String> = z
        .file_names()
        .map(|n| n.expect("a part name").into_owned())
        .filter(|n| n.starts_with("xl/charts/chart"))
        .collect();
    let measures = spc.iter().filter(|r| r["trust_code"] == "RHW").count();
    assert_eq!(charts.len(), measures, "{charts:?}");
    let drawing = crate::workbook::zip_text(&xlsx, "xl/drawings/drawing1.xml");
    assert_eq!(
        drawing.matches("descr=\"Line chart of ").count(),
        measures,
        "alt text"
    );
}

/// "Aug 2024" for "2024-08".
fn short_month(ym: &str) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, m) = ym.split_once('-').expect("YYYY-MM");
    format!("{} {y}", NAMES[m.parse::<usize>().expect("month") - 1])
}
