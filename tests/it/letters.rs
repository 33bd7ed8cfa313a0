//! Issue 11: a letter and a board workbook for every trust. Checked as their readers would: the
//! letter's text read back from the PDF, the workbook's cells read back, every figure against
//! the league tables the run wrote, and the proposed improvements re-scored by the engine.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use league_model::{Dataset, PlanOutcome, ScoreRun};

use crate::util::{
    files_under, league, methodology, read_csv, register, report, root, stderr, thresholds,
};

type Row = HashMap<String, String>;

/// Every league row of the quarter, all peer groups.
fn league_rows(out: &Path, quarter: &str) -> Vec<Row> {
    ["acute", "mh_community", "ambulance"]
        .iter()
        .map(|g| out.join(quarter).join(g).join("league-table.csv"))
        .filter(|p| p.is_file())
        .flat_map(|p| read_csv(&p))
        .collect()
}

fn letter_text(out: &Path, quarter: &str, code: &str) -> Vec<String> {
    let p = out
        .join(quarter)
        .join("trusts")
        .join(code)
        .join("letter.pdf");
    league_check::pdf_pages(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A board workbook sheet's table: its header (the row whose first cell is `first`) and the
/// rows below it, cells as calamine reads them.
fn sheet_table(xlsx: &Path, sheet: &str, first: &str) -> (Vec<String>, Vec<Vec<calamine::Data>>) {
    use calamine::{Data, Reader};
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(xlsx).expect("xlsx");
    let range = wb.worksheet_range(sheet).expect("sheet");
    let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    let head = rows
        .iter()
        .position(|r| matches!(&r[0], Data::String(x) if x == first))
        .unwrap_or_else(|| panic!("{sheet}: header row"));
    let header = rows[head].iter().map(ToString::to_string).collect();
    (header, rows[head + 1..].to_vec())
}

/// The index of column `name` in a header.
fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("column {name}"))
}

fn one_line(pages: &[String]) -> String {
    pages
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn every_trust_with_an_average_has_a_letter_and_a_board_workbook() {
    // Released after 1 April 2026, when RNK merged into G6V2S and RY2 into RWW (which took a
    // new name that day): their letters go to the organisations as they stand on that date.
    let run = report(&["--release-date", "2026-05-11"]);
    let rows = league_rows(&run.out, "2025-26-Q1");
    assert_eq!(
        rows.len(),
        205,
        "every trust of the default data has an average"
    );
    let trusts = run.out.join("2025-26-Q1/trusts");
    let dirs = std::fs::read_dir(&trusts).expect("trusts").count();
    assert_eq!(dirs, 205);
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(run.out.join("manifest.json")).expect("manifest"),
    )
    .expect("json");
    let audience: HashMap<String, String> = manifest["outputs"]
        .as_array()
        .expect("outputs")
        .iter()
        .map(|o| {
            (
                o["path"].as_str().expect("path").to_owned(),
                o["audience"].as_str().expect("audience").to_owned(),
            )
        })
        .collect();
    let mut capped = 0;
    for r in &rows {
        let code = &r["Trust_code"];
        for f in ["letter.pdf", "board-workbook.xlsx"] {
            let rel = format!("2025-26-Q1/trusts/{code}/{f}");
            assert_eq!(
                audience.get(&rel),
                Some(code),
                "{rel}: the audience is the trust"
            );
        }
        let pages = letter_text(&run.out, "2025-26-Q1", code);
        // Four pages until issue 28 added each trust's monthly measures (a table of their SPC
        // icons and funnel positions, and a small chart of each): on the default data 120
        // letters take five pages, none more.
        assert!(pages.len() <= 5, "{code}: {} pages", pages.len());
        let text = one_line(&pages);
        // Addressed as of the release date, dated from the run and referenced.
        let to = match code.as_str() {
            "RNK" => "North London NHS Foundation Trust (G6V2S)".to_owned(),
            "RY2" | "RWW" => "North Cheshire and Mersey NHS Foundation Trust (RWW)".to_owned(),
            _ => format!("{} ({code})", r["Trust_name"]),
        };
        assert!(
            text.contains(&format!("To: the Chair and the Chief Executive, {to}")),
            "{code}: {text}"
        );
        if ["RNK", "RY2"].contains(&code.as_str()) {
            assert!(
                text.contains(&format!(
                    "About: {} ({code}), which merged into",
                    r["Trust_name"]
                )),
                "{code}"
            );
        }
        assert!(text.contains("Date: 11 May 2026"), "{code}");
        assert!(
            text.contains(
                "Data as of: 9 September 2025, when NHS England first published Q1 2025/26"
            ),
            "{code}"
        );
        assert!(!text.to_lowercase().contains("issue tracker"), "{code}");
        assert!(!text.contains("23 November 2026"), "{code}: a literal date");
        assert!(
            text.contains(&format!("Reference: NOF-202526Q1-{code}")),
            "{code}"
        );
        // The six sections, in order. A successor's board reads about "the trust", never
        // "your trust": the former trust is not theirs.
        let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{code}: no {s:?}"));
        let merged = ["RNK", "RY2"].contains(&code.as_str());
        let order = if merged {
            assert!(
                !text.to_lowercase().contains("your trust"),
                "{code}: {text}"
            );
            [
                "1. Where the trust stands",
                "2. What changed since last quarter",
                "3. The trust's metrics",
                "4. What drives the trust's position",
                "5. What it would take",
                "6. What happens next",
            ]
        } else {
            [
                "1. Where you stand",
                "2. What changed since last quarter",
                "3. Your metrics",
                "4. What drives your position",
                "5. What it would take",
                "6. What happens next",
            ]
        }
        .map(at);
        assert!(
            order.windows(2).all(|w| w[0] < w[1]),
            "{code}: sections out of order"
        );
        // Figures as the league table gives them, the segment said one way: provisional when
        // the deficit status is not known.
        let phrase = match (
            r["Recovery_support_programme"].as_str(),
            r["Trust_in_financial_deficit"].as_str(),
        ) {
            ("Yes", _) => format!(
                "Segment 5: Recovery Support Programme (league order as segment {})",
                r["Segment"]
            ),
            (_, "Not known") if r["Segment"].as_str() < "3" => {
                format!("Segment {}, provisional: deficit status", r["Segment"])
            }
            (_, "Not known")
                if r["Segment"] == "4" && r["Recovery_support_programme"] == "Not known" =>
            {
                "Segment 4, provisional: Recovery Support Programme status not known".to_owned()
            }
            (_, "Not known") => format!(
                "Segment {} (deficit status not known; it cannot change this segment)",
                r["Segment"]
            ),
            _ => format!("Segment {} (1 best, 4 worst", r["Segment"]),
        };
        assert!(text.contains(&phrase), "{code}: {phrase}");
        assert!(
            !text.contains(&format!("Segment {} of 4", r["Segment"])),
            "{code}: the segment said a second way"
        );
        // Ambulance scores are this project's reconstruction, and every letter says so.
        let ambulance = r["Trust_type"] == "Ambulance trust";
        assert_eq!(
            text.contains("are reconstructed by this project"),
            ambulance,
            "{code}"
        );
        assert_eq!(
            text.contains("It uses NHS England's published figures"),
            !ambulance,
            "{code}"
        );
        assert!(
            text.contains(&format!("resting on {} metrics", r["Metrics_scored"])),
            "{code}"
        );
        // A trust the override capped is told so, and that no metric improvement alone lifts it.
        let (seg, before): (u8, u8) = (
            r["Segment"].parse().expect("segment"),
            r["Segment_before_override"].parse().expect("segment"),
        );
        if r["Trust_in_financial_deficit"] == "Yes" && seg == 3 {
            assert!(
                text.contains("no improvement in metrics alone can lift it above segment 3"),
                "{code}: {text}"
            );
            assert!(
                text.contains(&format!("Its average gives segment {before}")),
                "{code}"
            );
            if before < seg {
                assert!(
                    text.contains(&format!(
                        "The override therefore places the trust in segment 3, although its average gives segment {before}"
                    )),
                    "{code}"
                );
                capped += 1;
            }
        } else {
            assert!(!text.contains("no improvement in metrics alone"), "{code}");
        }
        // Segment chances: shares of the same resamples, summing to 100; the letter states
        // the largest, and what the resampling measures.
        let chances: Vec<u32> = (1..=4)
            .map(|k| r[&format!("Segment_chance_{k}")].parse().expect("chance"))
            .collect();
        assert_eq!(chances.iter().sum::<u32>(), 100, "{code}: {chances:?}");
        let capped_by_override = r["Trust_in_financial_deficit"] == "Yes"
            && seg == 3
            && before < seg
            && chances[2] == 100;
        if capped_by_override {
            assert!(
                text.contains(
                    "resamples gives segment 3, because the financial override holds the trust there"
                ),
                "{code}"
            );
        } else {
            // In segment order, each a share of all the resamples.
            let (first, share) = chances
                .iter()
                .enumerate()
                .find(|(_, x)| **x > 0)
                .map(|(i, x)| (i + 1, *x))
                .expect("a segment");
            assert!(
                text.contains(&format!(
                    "In {share}% of the 200 resamples the trust's segment is {first}"
                )),
                "{code}: {chances:?}"
            );
        }
        assert!(text.contains("not measurement error"), "{code}");
        // A capped trust is never asked for metric improvement actions that cannot move it.
        if r["Trust_in_financial_deficit"] == "Yes" && seg == 3 && before < seg {
            assert!(!text.contains("improvement actions"), "{code}");
        }
        // Peer statistics only over at least 5 values: R1F is the one acute trust with an
        // ambulance response time, so its letter compares it with nobody.
        if code == "R1F" {
            // The row as read back: its cells, then the rest of its name's wrapped line.
            let at = text
                .find("Average Category 2 ambulance")
                .expect("OF1017 row");
            let end = at + text[at..].find("(OF1017)").expect("OF1017") + 40;
            let row = &text[at..end.min(text.len())];
            assert!(
                row.contains("too few trusts to") && row.contains("compare") && row.contains("[u]"),
                "{row}"
            );
            assert!(!row.contains("1 of 1"), "{row}");
        }
        // NHS England publishes no board capability ratings: never one on a real trust.
        assert!(
            text.contains("Board capability assessment: not assessed"),
            "{code}"
        );
    }
    assert!(
        capped > 10,
        "the default data has trusts the override capped: {capped}"
    );
}

/// The default dataset, assembled as `league report` assembles it.
fn default_dataset() -> Dataset {
    let (m, register) = (methodology(), register());
    let ctx = league_ingest::Context {
        register: &register,
        methodology: &m,
        periods: thresholds().months().expect("validated"),
        limits: &league_ingest::Limits::default(),
    };
    let got = league_ingest::ingest_file(
        &root().join("data/default/nof_2025_26_q1_national.csv"),
        None,
        &ctx,
    )
    .expect("default dataset");
    league_ingest::assemble(&[got], &register, &m).dataset
}

/// The one quarter of the default dataset.
fn plans_quarter(data: &Dataset) -> league_model::Quarter {
    data.quarters().next().expect("a quarter")
}

fn score(data: &Dataset) -> ScoreRun {
    let opts = league_score::ScoreOptions {
        replicates: Some(100),
        ..Default::default()
    };
    league_score::score(data, &methodology(), &opts).expect("score")
}

#[test]
fn the_improvements_a_letter_proposes_move_the_trust_when_re_scored() {
    let m = methodology();
    let data = default_dataset();
    let run = score(&data);
    let paths: Vec<_> = run
        .next_segment_plans
        .iter()
        .filter(|p| matches!(p.outcome, PlanOutcome::Path { .. }))
        .collect();
    assert!(paths.len() > 50, "{} plans with a path", paths.len());
    // Every proposed target is within the best value of the trust's peer group that quarter,
    // and within the configured bound (the best quarter's value); a target set by a peer's
    // value never ties another trust's shown value; the average lands inside the cut-point,
    // with the configured margin wherever the fewest metrics allow it.
    assert_eq!(
        m.improvement.target_bound,
        league_model::TargetBound::BestQuartile
    );
    let mut with_margin = 0;
    let group_of =
        |t: &league_model::TrustCode| data.trusts[&plans_quarter(&data)][t].peer_group.clone();
    for plan in &paths {
        let PlanOutcome::Path {
            steps,
            exact_average,
            cut_point,
            new_average,
            ..
        } = &plan.outcome
        else {
            unreachable!()
        };
        assert!(exact_average <= cut_point, "{}", plan.trust);
        assert!((league_model::number::round_dp(*exact_average, 2) - new_average).abs() < 1e-9);
        if cut_point - exact_average >= m.improvement.margin - 1e-9 {
            with_margin += 1;
        }
        let group = group_of(&plan.trust);
        for st in steps {
            let def = m
                .metrics
                .iter()
                .find(|x| x.value_id.as_deref() == Some(st.value_id.as_str()))
                .expect("metric");
            let higher = def.direction == league_model::Direction::HigherIsBetter;
            let values = data.observations.iter().filter(|o| {
                o.quarter == plan.quarter
                    && o.metric_id == st.value_id
                    && data.trusts[&o.quarter][&o.trust].peer_group == group
            });
            let values: Vec<(&league_model::TrustCode, f64)> =
                values.map(|o| (&o.trust, o.value)).collect();
            let best = values
                .iter()
                .map(|v| v.1)
                .reduce(|a, b| if higher { a.max(b) } else { a.min(b) })
                .expect("peer values");
            // The best quarter's value: the linear quartile on the better side.
            let mut keys: Vec<f64> = values
                .iter()
                .map(|v| if higher { -v.1 } else { v.1 })
                .collect();
            keys.sort_by(f64::total_cmp);
            let h = (keys.len() - 1) as f64 * 0.25;
            let (lo, hi) = (
                h.floor() as usize,
                (h.floor() as usize + 1).min(keys.len() - 1),
            );
            let quartile = keys[lo] + (h - h.floor()) * (keys[hi] - keys[lo]);
            let key = if higher { -st.to_value } else { st.to_value };
            assert!(
                key >= quartile - 1e-9,
                "{} {}: target {} beyond the best quarter's {}",
                plan.trust,
                st.value_id,
                st.to_value,
                quartile.abs()
            );
            if matches!(def.scoring, league_model::Scoring::Rank) {
                let dp = u32::from(def.value_dp);
                let shown = |x: f64| league_model::number::round_dp(x, dp);
                assert!(
                    values
                        .iter()
                        .filter(|v| *v.0 != plan.trust)
                        .all(|v| (shown(v.1) - st.to_value).abs() > 1e-9),
                    "{} {}: target {} ties a peer's shown value",
                    plan.trust,
                    st.value_id,
                    st.to_value
                );
            }
            let within = if higher {
                st.to_value <= best + 1e-9
            } else {
                st.to_value >= best - 1e-9
            };
            assert!(
                within,
                "{} {}: target {} beyond the peer group's best {best}",
                plan.trust, st.value_id, st.to_value
            );
        }
    }
    assert!(
        with_margin * 2 > paths.len(),
        "{with_margin} of {} paths leave the margin",
        paths.len()
    );
    let letters = crate::util::default_report();
    // Every fifth plan, re-scored by the whole engine with the proposed values in the data.
    for plan in paths.iter().step_by(5) {
        let PlanOutcome::Path {
            target,
            steps,
            new_average,
            exact_average,
            cut_point,
        } = &plan.outcome
        else {
            unreachable!()
        };
        let mut changed = data.clone();
        for s in steps {
            let mut found = false;
            for o in changed.observations.iter_mut() {
                if o.quarter == plan.quarter && o.trust == plan.trust && o.metric_id == s.value_id {
                    o.value = s.to_value;
                    o.published_rank = None;
                    found = true;
                }
            }
            assert!(found, "{}: {} has a value", plan.trust, s.value_id);
            // NHS England's published score was for the old value.
            changed.observations.retain(|o| {
                !(o.quarter == plan.quarter && o.trust == plan.trust && o.metric_id == s.metric_id)
            });
        }
        let rescored = score(&changed);
        let row = rescored
            .tables
            .iter()
            .flat_map(|t| &t.rows)
            .find(|r| r.trust.code == plan.trust)
            .expect("still scored");
        assert!(
            row.segment <= *target,
            "{}: proposed {steps:?} gives segment {} (average {}), not {target}",
            plan.trust,
            row.segment,
            row.average
        );
        assert!(
            (row.average - new_average).abs() < 1e-9,
            "{}: the letter says {new_average}, re-scoring gives {}",
            plan.trust,
            row.average
        );
        // And the letter proposes exactly these targets.
        let text = one_line(&letter_text(
            &letters.out,
            "2025-26-Q1",
            plan.trust.as_str(),
        ));
        assert!(
            text.contains(&format!(
                "average would be {exact_average:.3} ({new_average:.2} to 2 dp, as averages are published), {:.3} inside segment {target}'s cut-point of {cut_point:.3}",
                cut_point - exact_average
            )),
            "{}: {text}",
            plan.trust
        );
        let table = &text[text
            .find(": what it would take to reach segment")
            .expect("the table")..];
        let table = &table[..table.find("6. What happens next").unwrap_or(table.len())];
        // Each metric that changes once a year is marked where it is proposed, and no other.
        // (A name wraps in its cell, so the marker's words may follow other cells.)
        let annual = steps
            .iter()
            .filter(|s| m.metric(&s.metric_id).is_some_and(|x| x.annual))
            .count();
        assert_eq!(
            table.matches("changes once a year)").count(),
            annual,
            "{}: {table}",
            plan.trust
        );
        for s in steps {
            for figure in [s.from_value, s.to_value] {
                let dp = m.metric(&s.metric_id).map_or(2, |x| x.value_dp);
                let shown = format!(
                    "{:.*}",
                    usize::from(dp),
                    league_model::number::round_dp(figure, u32::from(dp))
                );
                assert!(
                    table.contains(&shown),
                    "{}: {} {shown} in {table}",
                    plan.trust,
                    s.metric_id
                );
            }
            assert!(
                table.contains(&format!("({})", s.metric_id))
                    || table.contains(&format!("({};", s.metric_id)),
                "{}",
                plan.trust
            );
        }
    }
    // A trust the override caps has no path, whatever its metrics.
    for p in &run.next_segment_plans {
        let row = run
            .tables
            .iter()
            .flat_map(|t| &t.rows)
            .find(|r| r.trust.code == p.trust)
            .expect("row");
        let capped =
            row.in_deficit == Some(true) && row.segment <= m.financial_override.cap_segment;
        assert_eq!(
            matches!(p.outcome, PlanOutcome::CappedByOverride { .. }),
            capped && row.segment > 1,
            "{}",
            p.trust
        );
    }
}

/// Runs `league report` with this many threads into a fresh directory.
fn report_with_threads(threads: &str, out: &Path) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_league"))
        .current_dir(root())
        .env("RAYON_NUM_THREADS", threads)
        .args([
            "report",
            "--replicates",
            "200",
            "--out",
            out.to_str().expect("utf8"),
        ])
        .output()
        .expect("run league");
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn letters_and_workbooks_are_the_same_bytes_whatever_the_thread_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    report_with_threads("1", &one);
    report_with_threads("2", &two);
    let files = |d: &Path| -> Vec<PathBuf> { files_under(&d.join("current/2025-26-Q1/trusts")) };
    let (a, b) = (files(&one), files(&two));
    assert_eq!(a, b);
    assert_eq!(a.len(), 410);
    for f in &a {
        assert!(
            std::fs::read(one.join("current/2025-26-Q1/trusts").join(f)).expect("read")
                == std::fs::read(two.join("current/2025-26-Q1/trusts").join(f)).expect("read"),
            "{} differs between 1 and 2 threads",
            f.display()
        );
    }
}

#[test]
fn the_leak_scan_catches_another_trusts_name_in_a_letter_or_a_workbook() {
    let run = report(&[]);
    let rows = league_rows(&run.out, "2025-26-Q1");
    let (own, other) = (&rows[0], &rows[1]);
    let (code, foreign) = (&own["Trust_code"], &other["Trust_name"]);
    let check = |out: &Path| {
        let o = league(&["check", out.to_str().expect("utf8")]);
        (o.status.code(), stderr(&o))
    };
    assert_eq!(check(&run.out).0, Some(0), "the run as written passes");

    // A letter that says everything right and also names another trust.
    let letter_copy = tempfile::tempdir().expect("tempdir");
    crate::util::copy_dir(&run.out, letter_copy.path());
    let original = one_line(&letter_text(&run.out, "2025-26-Q1", code));
    let blocks = vec![
        league_report::pdf::Block::paragraph(original),
        league_report::pdf::Block::paragraph(format!("Unlike {foreign}, your trust ...")),
    ];
    let info = league_report::pdf::DocumentInfo {
        title: "Injected".into(),
        running_header: "Injected".into(),
        language: "en-GB".into(),
        author: "test".into(),
        date: (2026, 11, 23),
        document_id: "injected".into(),
    };
    let pdf = league_report::pdf::render(&info, &blocks).expect("render");
    std::fs::write(
        letter_copy
            .path()
            .join("2025-26-Q1/trusts")
            .join(code)
            .join("letter.pdf"),
        pdf,
    )
    .expect("write");
    let (status, err) = check(letter_copy.path());
    assert_eq!(status, Some(8), "{err}");
    assert!(
        err.contains(&format!(
            "2025-26-Q1/trusts/{code}/letter.pdf: the letter names another trust: {foreign:?}"
        )),
        "{err}"
    );

    // A workbook cell with another trust's code and name (the peer league sheet may; no other).
    let book_copy = tempfile::tempdir().expect("tempdir");
    crate::util::copy_dir(&run.out, book_copy.path());
    let path = book_copy
        .path()
        .join("2025-26-Q1/trusts")
        .join(code)
        .join("board-workbook.xlsx");
    let from = format!("<t>{}</t>", own["Trust_name"].replace('&', "&amp;"));
    let to = format!(
        "<t>{} and {} ({})</t>",
        own["Trust_name"].replace('&', "&amp;"),
        foreign.replace('&', "&amp;"),
        other["Trust_code"]
    );
    crate::check::edit_zip_part(&path, "xl/sharedStrings.xml", |text| {
        assert!(text.contains(&from), "the shared strings hold {from}");
        text.replacen(&from, &to, 1)
    });
    let (status, err) = check(book_copy.path());
    assert_eq!(status, Some(8), "{err}");
    assert!(err.contains("names another trust"), "{err}");
    assert!(
        err.contains(&format!("code {}", other["Trust_code"])),
        "{err}"
    );
}

#[test]
fn a_board_assessment_reaches_the_documents_of_its_made_up_trust_only() {
    // Made-up trusts: a board rating is never attached to a real trust in a test.
    let m = methodology();
    let data = league_datasets::synthetic_dataset(
        &m,
        &league_datasets::SyntheticSpec {
            quarter: "Q1 2025/26".parse().expect("quarter"),
            trusts_per_group: 12,
            seed: 11,
            missing: 0.1,
        },
    );
    // A segment-4 trust rated Low overall goes to leadership review (NOF §1.5 capability);
    // the other segment-4 trusts have no assessment, so that rule is not assessed for them.
    let unrated = score(&data);
    let rows = || unrated.tables.iter().flat_map(|t| &t.rows);
    let rated = rows()
        .find(|r| r.segment == 4 && r.in_recovery_support_programme != Some(true))
        .expect("a made-up trust in segment 4")
        .trust
        .code
        .clone();
    let csv = format!(
        "trust_code,quarter,area,rating\n{rated},2025-26-Q1,overall,Low\n{rated},2025-26-Q1,quality_of_care,low\n"
    );
    let boards = league_ingest::read_board_assessment_bytes(
        "board.csv",
        csv.into_bytes(),
        &league_ingest::Limits::default(),
        &m,
    )
    .expect("valid assessment");
    let run = league_score::score(
        &data,
        &m,
        &league_score::ScoreOptions {
            replicates: Some(100),
            boards: boards.clone(),
            ..Default::default()
        },
    )
    .expect("score");
    for s in &run.interventions {
        let seg4 = rows().any(|r| r.trust.code == s.trust && r.segment == 4);
        if s.trust == rated {
            assert_eq!(s.id, "leadership_review", "{s:?}");
            assert!(
                s.evidence
                    .contains(&"Q1 2025/26: board capability Low".to_owned()),
                "{s:?}"
            );
        } else if seg4 && s.id != "recovery_support" {
            assert_ne!(s.id, "leadership_review", "{s:?}");
            assert!(
                s.not_assessed
                    .iter()
                    .any(|n| n
                        .contains("no board capability assessment was supplied for Q1 2025/26")),
                "{s:?}"
            );
        }
    }
    let publication = league_report::Publication::from_toml(
        &std::fs::read_to_string(root().join("data/publication.toml")).expect("publication"),
    )
    .expect("valid")
    .dated(league_model::Date::new(2026, 11, 23).expect("date"));
    let packs = league_report::build_packs(&run, &m);
    let dir = tempfile::tempdir().expect("tempdir");
    let written = league_report::write_trust_documents(
        dir.path(),
        &run,
        &m,
        &packs,
        league_report::DocumentContext {
            publication: &publication,
            boards: &boards,
            addressees: &Default::default(),
        },
    )
    .expect("documents");
    let letters: Vec<&PathBuf> = written
        .iter()
        .filter(|p| p.ends_with("letter.pdf"))
        .collect();
    assert_eq!(letters.len(), 36);
    for p in letters {
        let text = one_line(&league_check::pdf_pages(p).expect("pdf"));
        let is_rated = p.parent().and_then(|d| d.file_name()) == Some(rated.as_str().as_ref());
        assert_eq!(
            text.contains("Board capability assessment: overall Low; Quality of care: Low."),
            is_rated,
            "{}",
            p.display()
        );
        assert_eq!(
            text.contains("Board capability assessment: not assessed"),
            !is_rated
        );
        // Everything computed from synthetic data says so.
        assert!(
            text.contains("are synthetic test data, not real figures"),
            "{}",
            p.display()
        );
    }
}

#[test]
fn a_board_assessment_for_a_trust_not_in_the_run_stops_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("board.csv");
    std::fs::write(
        &file,
        "trust_code,quarter,area,rating\nZZ9,2025-26-Q1,overall,Low\n",
    )
    .expect("write");
    let out = dir.path().join("out");
    let o = league(&[
        "report",
        "--replicates",
        "100",
        "--board-assessment",
        file.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o)
            .contains("trust ZZ9 has a board assessment for Q1 2025/26 but no average in this run"),
        "{}",
        stderr(&o)
    );
    assert!(crate::util::released_nothing(&out), "nothing released");
}

#[test]
fn the_board_workbook_follows_the_national_workbook_standards_and_opens_in_libreoffice() {
    use crate::workbook::{sheet_names, soffice, zip_text};
    let run = crate::util::default_report();
    let xlsx = run.out.join("2025-26-Q1/trusts/RQM/board-workbook.xlsx");
    assert_eq!(
        sheet_names(&xlsx),
        [
            "Cover",
            "Contents",
            "Notes",
            "Summary",
            "Metrics",
            "History",
            "What it would take",
            "Monthly measures",
            "Monthly series",
            "Peer league table",
            "Monthly charts",
            "Data dictionary"
        ]
    );
    let book = zip_text(&xlsx, "xl/workbook.xml");
    for i in 0..12 {
        let xml = zip_text(&xlsx, &format!("xl/worksheets/sheet{}.xml", i + 1));
        // One page wide, or split across pages at 75% (the wide tables).
        assert!(
            xml.contains("orientation=\"landscape\"")
                && (xml.contains("fitToHeight=\"0\"") || xml.contains("scale=\"75\""))
        );
        assert!(book.contains(&format!(
            "<definedName name=\"_xlnm.Print_Area\" localSheetId=\"{i}\">"
        )));
        assert!(
            !xml.contains("<f>") && !xml.contains("<mergeCell"),
            "sheet {i}"
        );
    }
    let core = zip_text(&xlsx, "docProps/core.xml");
    assert!(core.contains("<dc:language>en-GB</dc:language>"), "{core}");
    // The Metrics sheet read as a board member would: no direction for a score-only metric,
    // which scores enter the average and with what weight, and numbers stored as numbers.
    {
        use calamine::Data;
        let (header, rows) = sheet_table(&xlsx, "Metrics", "Metric id");
        let col = |name: &str| column(&header, name);
        let (better, in_avg, weight, score) = (
            col("Better"),
            col("In average"),
            col("Weight"),
            col("Score"),
        );
        let mut total_weight = 0.0;
        let mut averaged = 0;
        for r in &rows {
            let id = r[0].to_string();
            if ["OF1046", "OF1069", "OF1080"].contains(&id.as_str()) {
                assert_eq!(
                    r[better].to_string(),
                    "[z]",
                    "{id}: a score has no direction"
                );
            }
            assert!(
                matches!(r[score], Data::Float(_)),
                "{id}: score is a number"
            );
            match r[in_avg].to_string().as_str() {
                "Yes" => {
                    averaged += 1;
                    let Data::Float(w) = r[weight] else {
                        panic!("{id}: weight is a number")
                    };
                    total_weight += w;
                }
                "No" => {}
                other => panic!("{id}: in average {other:?}"),
            }
        }
        assert!(averaged > 10, "{averaged}");
        assert!(total_weight > 0.0 && total_weight <= f64::from(averaged));

        // The Summary's figures are number cells, its statements text, each with [z] in the
        // other column.
        let (header, rows) = sheet_table(&xlsx, "Summary", "Item");
        assert_eq!(header, ["Item", "Figure", "Statement"]);
        let item = |name: &str| {
            rows.iter()
                .find(|r| matches!(&r[0], Data::String(x) if x == name))
                .unwrap_or_else(|| panic!("summary row {name}"))
        };
        for name in [
            "Segment (1 to 4)",
            "Rank in peer group",
            "Trusts in peer group",
            "Average metric score",
            "Likely range of average, to",
        ] {
            assert!(
                matches!(item(name)[1], Data::Float(_)),
                "{name}: a number cell, not {:?}",
                item(name)[1]
            );
        }
        let Data::Float(segment) = item("Segment (1 to 4)")[1] else {
            unreachable!()
        };
        assert!(
            item("Segment (1 to 4)")[2]
                .to_string()
                .starts_with(&format!("Segment {segment}")),
            "the statement says the segment the figure gives"
        );
        assert_eq!(item("Trust name")[1].to_string(), "[z]");
        assert_eq!(
            item("Trust name")[2].to_string(),
            "Chelsea and Westminster Hospital NHS Foundation Trust"
        );
        assert_eq!(item("Rank in peer group")[2].to_string(), "[z]");
    }
    let Some(exe) = soffice() else { return };
    let work = tempfile::tempdir().expect("tempdir");
    crate::workbook::soffice_convert(exe, "ods", &xlsx, work.path());
    let content = zip_text(&work.path().join("board-workbook.ods"), "content.xml");
    assert_eq!(content.matches("<table:table table:name=").count(), 12);
    assert!(content.contains("Chelsea and Westminster Hospital NHS Foundation Trust"));
    // Printed, every page a person can read: none below 70% (the 26-column peer league table
    // splits across pages with the trust code and name on each).
    if let Some(scales) = crate::workbook::printed_scales(exe, &xlsx) {
        for (i, s) in scales.iter().enumerate() {
            assert!(*s >= 69.0, "page {} prints at {s:.0}%", i + 1);
        }
    }
}

#[test]
fn an_implausible_value_is_queried_in_the_letter_workbook_and_validation_summary_and_scored_as_published()
 {
    // RXW's 12-hour share of 0.0% beside a 4-hour share of 59.5%: the one value the default
    // data's plausibility check queries.
    let run = crate::util::default_report();
    let summary = read_csv(&run.out.join("validation-summary.csv"));
    let row = summary
        .iter()
        .find(|r| r["source_file"] == "(plausibility: values queried, scored as published)")
        .expect("plausibility row");
    assert_eq!(row["queried"], "1");
    assert!(row["rows_read"].parse::<u32>().expect("count") > 100);
    let text = one_line(&letter_text(&run.out, "2025-26-Q1", "RXW"));
    // The value's cell reads "0.00 (queried)" (the unit cell sits between in the text).
    assert!(text.contains("(queried)"), "{text}");
    assert!(
        text.contains("OF1014 is queried, not changed: a 12-hour share under 1% is implausible beside a 4-hour share under 75%"),
        "{text}"
    );
    // Where it drives the position and where the path leaves it as it is, it says so.
    assert!(text.contains("(OF1014; value queried)"), "{text}");
    assert!(
        text.contains("The path assumes the queried value of OF1014 stands as published."),
        "{text}"
    );
    for code in ["RJR", "RP6"] {
        let other = one_line(&letter_text(&run.out, "2025-26-Q1", code));
        assert!(!other.contains("queried"), "{code}");
    }
    // Scored as published: NHS England's score of the value stands.
    let scores = read_csv(&run.out.join("2025-26-Q1/acute/metric-scores.csv"));
    let of1014 = scores
        .iter()
        .find(|r| r["Trust_code"] == "RXW" && r["Metric_ID"] == "OF1014")
        .expect("RXW OF1014");
    assert_eq!(of1014["Value"], "1.0");
    // The board workbook says why, beside the value.
    let xlsx = run.out.join("2025-26-Q1/trusts/RXW/board-workbook.xlsx");
    let (header, rows) = sheet_table(&xlsx, "Metrics", "Metric id");
    let col = column(&header, "Value queried");
    for r in &rows {
        let shown = r[col].to_string();
        if r[0] == "OF1014" {
            assert!(shown.starts_with("Queried: a 12-hour share"), "{shown}");
        } else {
            assert!(shown == "No" || shown == "[z]", "{}: {shown}", r[0]);
        }
    }
}
