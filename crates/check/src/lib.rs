//! Quality assurance of a finished output set, as a stage of the pipeline (Aqua Book, RAP).
//!
//! [`check`] re-reads what a run wrote (the peer-group CSVs, the national pack's CSV and
//! Parquet tables, the workbook's cells, the PDF's text and the manifest) and re-derives what
//! can be re-derived without the engine:
//!
//! - each league rank from segment and average (competition ranking);
//! - each average from the metric scores in `metric-scores.csv` and the configured weights;
//! - each peer median and quartile from the values in the same table;
//! - one segment, one segment before the override, one Recovery Support flag and one average
//!   per trust across every file (NHS England-layout CSV, summary rows, national CSV, Parquet,
//!   workbook, PDF);
//! - every quarter's segment and rank in a movement table equal to that quarter's league table;
//! - every CSV cell equal to its Parquet and workbook cell;
//! - the counts in the key findings (workbook and PDF) equal to the counts in the tables;
//! - every trust's letter and board workbook: their figures equal to the league tables and
//!   metric scores, the workbook's peer league table equal to the national one, and no other
//!   trust named outside it (the leak scan);
//! - every output's SHA-256 equal to the manifest's.
//!
//! It is written from the output formats alone and shares no code with the renderers, so it
//! can catch them.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use league_model::{Methodology, Quarter};

mod pdf;
mod read;
mod trusts;

use read::{Grid, NumberForm};

/// The text of each page of a PDF as a reader sees it (lines joined by spaces), read through
/// the fonts' ToUnicode maps; the error says why the file could not be read.
pub fn pdf_pages(path: &Path) -> Result<Vec<String>, String> {
    Ok(pdf::lines(path)?
        .into_iter()
        .map(|page| page.join(" "))
        .collect())
}

/// One thing that is not as it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file, relative to the output directory.
    pub file: String,
    /// What is wrong, with the figures.
    pub problem: String,
}

/// What was checked and what failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// How many figures each check compared.
    pub checked: BTreeMap<&'static str, u64>,
    /// Everything that failed.
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// True when nothing failed.
    pub fn passed(&self) -> bool {
        self.findings.is_empty()
    }

    fn fail(&mut self, file: &str, problem: String) {
        self.findings.push(Finding {
            file: file.to_owned(),
            problem,
        });
    }

    fn count(&mut self, what: &'static str, n: u64) {
        *self.checked.entry(what).or_default() += n;
    }
}

/// Why the check could not run at all (a failed figure is a [`Finding`], not an error).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The directory holds no output set.
    #[error("{0}: no output set here (no <quarter>/<peer group>/league-table.csv)")]
    Empty(String),
    /// The directory cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// Path.
        path: String,
        /// OS error.
        source: std::io::Error,
    },
}

/// Tolerance for a figure re-derived from figures rounded to 2 dp: each input is within 0.005
/// of its exact value, and so is the published result.
const TOLERANCE: f64 = 0.01 + 1e-9;

/// Checks the output set under `dir` against itself and the methodology's weights.
pub fn check(dir: &Path, m: &Methodology) -> Result<CheckReport, CheckError> {
    let io = |path: &Path, source| CheckError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut report = CheckReport::default();
    let mut quarters: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    quarters.sort();
    let mut any = false;
    for q in &quarters {
        let qdir = dir.join(q);
        let mut groups: Vec<String> = std::fs::read_dir(&qdir)
            .map_err(|e| io(&qdir, e))?
            .filter_map(Result::ok)
            .filter(|e| e.path().join("league-table.csv").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        groups.sort();
        let mut tables = BTreeMap::new();
        for g in &groups {
            any = true;
            if let Some(t) = check_group(dir, q, g, m, &mut report) {
                tables.insert(g.clone(), t);
            }
        }
        if qdir.join("national").is_dir() {
            check_national(dir, q, &tables, m, &mut report);
        }
    }
    if !any {
        return Err(CheckError::Empty(dir.display().to_string()));
    }
    if dir.join("manifest.json").is_file() {
        check_manifest(dir, &mut report);
    }
    Ok(report)
}

/// A peer group's two NHS England-layout files.
struct GroupFiles {
    league: Grid,
    scores: Grid,
}

fn num(s: &str) -> Option<f64> {
    s.trim().parse().ok()
}

fn read_csv(dir: &Path, rel: &str, report: &mut CheckReport) -> Option<Grid> {
    match read::csv(&dir.join(rel)) {
        Ok(g) => Some(g),
        Err(e) => {
            report.fail(rel, format!("cannot be read: {e}"));
            None
        }
    }
}

/// Competition ranks of keys (lower is better): equal keys share the best rank.
fn competition_ranks(keys: &[(i64, i64)]) -> Vec<u32> {
    keys.iter()
        .map(|k| 1 + keys.iter().filter(|o| *o < k).count() as u32)
        .collect()
}

/// Linear (inclusive) quantile of sorted values.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Median, lower and upper quartile of values.
fn spread(mut v: Vec<f64>) -> [f64; 3] {
    v.sort_by(f64::total_cmp);
    [quantile(&v, 0.5), quantile(&v, 0.25), quantile(&v, 0.75)]
}

fn check_group(
    dir: &Path,
    q: &str,
    g: &str,
    m: &Methodology,
    report: &mut CheckReport,
) -> Option<GroupFiles> {
    let lf = format!("{q}/{g}/league-table.csv");
    let sf = format!("{q}/{g}/metric-scores.csv");
    let league = read_csv(dir, &lf, report)?;
    let scores = read_csv(dir, &sf, report)?;

    // Ranks from segment, then average.
    let keys: Vec<(i64, i64)> = league
        .rows
        .iter()
        .map(|r| {
            let seg = num(league.get(r, "Segment")).unwrap_or(f64::NAN) as i64;
            let avg = (num(league.get(r, "Average_score")).unwrap_or(f64::NAN) * 100.0).round();
            (seg, avg as i64)
        })
        .collect();
    for (r, expected) in league.rows.iter().zip(competition_ranks(&keys)) {
        let rank = num(league.get(r, "Rank")).map(|x| x as u32);
        if rank != Some(expected) {
            report.fail(
                &lf,
                format!(
                    "{}: rank {} but segment {} and average {} give rank {expected}",
                    league.get(r, "Trust_code"),
                    league.get(r, "Rank"),
                    league.get(r, "Segment"),
                    league.get(r, "Average_score")
                ),
            );
        }
    }
    report.count(
        "ranks re-derived from segment and average",
        league.rows.len() as u64,
    );
    // Segment chances are shares of one set of replicates: they sum to 100.
    for r in &league.rows {
        let cells: Vec<&str> = (1..=4)
            .map(|s| league.get(r, &format!("Segment_chance_{s}")))
            .collect();
        if cells.iter().all(|c| c.is_empty() || *c == "[x]") {
            continue;
        }
        let sum: Option<u32> = cells.iter().map(|c| c.parse::<u32>().ok()).sum();
        if sum != Some(100) {
            report.fail(
                &lf,
                format!(
                    "{}: segment chances {} do not sum to 100",
                    league.get(r, "Trust_code"),
                    cells.join(", ")
                ),
            );
        } else {
            report.count("segment chances summing to 100", 1);
        }
    }

    check_as_of(&sf, &scores, m, report);

    // Summary rows and averages from metric scores.
    let mut summary: HashMap<(&str, &str), f64> = HashMap::new();
    let mut score_of: HashMap<(&str, &str), f64> = HashMap::new();
    for r in &scores.rows {
        let (t, id, v) = (
            scores.get(r, "Trust_code"),
            scores.get(r, "Metric_ID"),
            num(scores.get(r, "Value")),
        );
        let Some(v) = v else { continue };
        if !scores.get(r, "Score_source").is_empty() {
            score_of.insert((t, id), v);
        }
        summary.insert((t, id), v);
    }
    let o = &m.outputs;
    for r in &league.rows {
        let t = league.get(r, "Trust_code");
        let programme = league.get(r, "Recovery_support_programme");
        let segment = num(league.get(r, "Segment"));
        // Segment 5 where the trust is in the programme; no final segment where that is not
        // known. Re-derived here from the CSV on purpose, not taken from the scoring crate's
        // `rules::final_segment`: a check that called the code it checks would agree with it.
        let final_segment = match programme {
            "Yes" => Some(f64::from(m.segment5.segment)),
            "No" => segment,
            _ => None,
        };
        for (id, what, expected) in [
            (&o.average, "average", num(league.get(r, "Average_score"))),
            (&o.adjusted_segment, "segment", segment),
            (
                &o.unadjusted_segment,
                "segment before the override",
                num(league.get(r, "Segment_before_override")),
            ),
            (&o.final_segment, "final segment", final_segment),
        ] {
            let got = summary.get(&(t, id.as_str())).copied();
            if what == "final segment" && expected.is_none() && got.is_none() {
                continue;
            }
            if got.is_none() || expected.is_none() || got != expected {
                report.fail(
                    &sf,
                    format!(
                        "{t}: {id} ({what}) is {} but league-table.csv gives {}",
                        got.map_or("missing".to_owned(), |v| v.to_string()),
                        expected.map_or("nothing".to_owned(), |v| v.to_string())
                    ),
                );
            }
        }
        report.count("summary rows equal to the league table", 4);

        let ids: Vec<&str> = league
            .get(r, "Metrics_in_average")
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if num(league.get(r, "Metrics_scored")) != Some(ids.len() as f64) {
            report.fail(
                &lf,
                format!(
                    "{t}: Metrics_scored is {} but Metrics_in_average lists {}",
                    league.get(r, "Metrics_scored"),
                    ids.len()
                ),
            );
        }
        let mut sum = 0.0;
        let mut weights = 0.0;
        let mut missing = Vec::new();
        for id in &ids {
            let w = m.metric(id).map_or(f64::NAN, |x| x.weight);
            match score_of.get(&(t, *id)) {
                Some(s) => {
                    sum += w * s;
                    weights += w;
                }
                None => missing.push(*id),
            }
        }
        let avg = num(league.get(r, "Average_score"));
        if !missing.is_empty() {
            report.fail(
                &sf,
                format!(
                    "{t}: no score row for {} of the metrics in its average",
                    missing.join(", ")
                ),
            );
        } else if let Some(avg) = avg {
            let mean = sum / weights;
            if !(mean - avg).abs().le(&TOLERANCE) {
                report.fail(
                    &lf,
                    format!(
                        "{t}: average {avg} but the weighted mean of its {} metric scores in metric-scores.csv is {mean:.4}",
                        ids.len()
                    ),
                );
            }
        }
        report.count("averages re-derived from metric scores", 1);
    }

    // Peer medians and quartiles from the values in the same file.
    let mut by_metric: BTreeMap<&str, Vec<&Vec<String>>> = BTreeMap::new();
    for r in &scores.rows {
        if !scores.get(r, "Median_value").is_empty() {
            by_metric
                .entry(scores.get(r, "Metric_ID"))
                .or_default()
                .push(r);
        }
    }
    for (id, rows) in by_metric {
        let values: Vec<f64> = rows
            .iter()
            .filter_map(|r| num(scores.get(r, "Value")))
            .collect();
        if values.len() != rows.len() {
            report.fail(&sf, format!("{id}: a row with a median has no value"));
            continue;
        }
        let expected = spread(values);
        check_spread(
            report,
            &sf,
            id,
            rows.iter().map(|r| {
                [
                    scores.get(r, "Median_value"),
                    scores.get(r, "Lower_quartile"),
                    scores.get(r, "Upper_quartile"),
                ]
            }),
            expected,
        );
    }
    Some(GroupFiles { league, scores })
}

/// Compares published median and quartiles with the ones re-derived; one finding per table.
/// Every value's reporting period ended by its quarter's data cut-off (for a plan: started by
/// it): a table for a quarter uses only what existed by then.
fn check_as_of(file: &str, scores: &Grid, m: &Methodology, report: &mut CheckReport) {
    let mut checked = 0;
    for r in &scores.rows {
        let (label, id) = (scores.get(r, "Reporting_date"), scores.get(r, "Metric_ID"));
        let Ok(quarter) = scores.get(r, "Quarter").parse::<Quarter>() else {
            report.fail(
                file,
                format!(
                    "{}, {id}: quarter `{}` cannot be read",
                    scores.get(r, "Trust_code"),
                    scores.get(r, "Quarter")
                ),
            );
            continue;
        };
        checked += 1;
        match m.label_after_cut_off(id, label, quarter) {
            Err(e) => report.fail(file, format!("{}, {id}: {e}", scores.get(r, "Trust_code"))),
            Ok(Some(part)) => report.fail(
                file,
                format!(
                    "{}, {id}: reporting period `{part}` ends after {quarter}'s data cut-off ({}): the value did not exist when the quarter's tables were due",
                    scores.get(r, "Trust_code"),
                    m.cut_off(quarter).0
                ),
            ),
            Ok(None) => {}
        }
    }
    report.count(
        "values' periods within their quarter's data cut-off",
        checked,
    );
}

fn check_spread<'a>(
    report: &mut CheckReport,
    file: &str,
    what: &str,
    published: impl Iterator<Item = [&'a str; 3]>,
    expected: [f64; 3],
) {
    let names = ["median", "lower quartile", "upper quartile"];
    let mut n = 0;
    for cells in published {
        n += 1;
        for (k, cell) in cells.iter().enumerate() {
            let ok = num(cell).is_some_and(|v| (v - expected[k]).abs() <= TOLERANCE);
            if !ok {
                report.fail(
                    file,
                    format!(
                        "{what}: {} shown as {cell:?} but the values in the table give {:.3}",
                        names[k], expected[k]
                    ),
                );
                return;
            }
        }
    }
    report.count("peer medians and quartiles re-derived from values", n * 3);
}

/// The dictionary's tables: id → (column name, header, number form) in order.
type Dictionary = BTreeMap<String, Vec<(String, String, NumberForm)>>;

fn dictionary(path: &Path) -> Result<Dictionary, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let mut out = Dictionary::new();
    for t in v["tables"].as_array().ok_or("no tables")? {
        let id = t["id"].as_str().ok_or("a table without id")?.to_owned();
        let cols = t["columns"]
            .as_array()
            .ok_or("a table without columns")?
            .iter()
            .map(|c| {
                let form = match (c["type"].as_str(), c["decimal_places"].as_u64()) {
                    (Some("integer"), _) => NumberForm::Integer,
                    (Some("number"), Some(dp)) => NumberForm::Decimal(dp as usize),
                    _ => NumberForm::Text,
                };
                (
                    c["name"].as_str().unwrap_or_default().to_owned(),
                    c["header"].as_str().unwrap_or_default().to_owned(),
                    form,
                )
            })
            .collect();
        out.insert(id, cols);
    }
    Ok(out)
}

/// Compares two grids cell for cell; reports the first few differences.
fn same_cells(report: &mut CheckReport, file: &str, what: &str, a: &Grid, b: &Grid) -> u64 {
    if a.rows.len() != b.rows.len() {
        report.fail(
            file,
            format!("{what}: {} rows against {}", a.rows.len(), b.rows.len()),
        );
        return 0;
    }
    let mut shown = 0;
    let mut n = 0;
    for (i, (ra, rb)) in a.rows.iter().zip(&b.rows).enumerate() {
        for (c, (x, y)) in ra.iter().zip(rb).enumerate() {
            n += 1;
            if x != y {
                if shown < 3 {
                    report.fail(
                        file,
                        format!(
                            "{what}: row {}, column {}: {x:?} against {y:?}",
                            i + 1,
                            a.header.get(c).map_or("?", String::as_str)
                        ),
                    );
                }
                shown += 1;
            }
        }
    }
    n
}

fn check_national(
    dir: &Path,
    q: &str,
    groups: &BTreeMap<String, GroupFiles>,
    m: &Methodology,
    report: &mut CheckReport,
) {
    let nat = format!("{q}/national");
    let dict_file = format!("{nat}/dictionary.json");
    let dict = match dictionary(&dir.join(&dict_file)) {
        Ok(d) => d,
        Err(e) => {
            report.fail(&dict_file, format!("cannot be read: {e}"));
            return;
        }
    };
    let xlsx_file = format!("{nat}/league-tables.xlsx");
    let mut book = match read::Workbook::open(&dir.join(&xlsx_file)) {
        Ok(b) => Some(b),
        Err(e) => {
            report.fail(&xlsx_file, format!("cannot be read: {e}"));
            None
        }
    };
    let mut csvs: BTreeMap<String, Grid> = BTreeMap::new();
    for (id, cols) in &dict {
        let csv_file = format!("{nat}/tables/{id}.csv");
        let Some(csv) = read_csv(dir, &csv_file, report) else {
            continue;
        };
        let names: Vec<String> = cols.iter().map(|c| c.0.clone()).collect();
        if csv.header != names {
            report.fail(&csv_file, "columns differ from dictionary.json".to_owned());
            continue;
        }
        let forms: HashMap<String, NumberForm> = cols.iter().map(|c| (c.0.clone(), c.2)).collect();
        let pq_file = format!("{nat}/tables/{id}.parquet");
        match read::parquet(&dir.join(&pq_file), &forms) {
            Ok(pq) if pq.header == names => {
                let n = same_cells(report, &pq_file, "Parquet against CSV", &pq, &csv);
                report.count("cells equal in CSV and Parquet", n);
            }
            Ok(_) => report.fail(&pq_file, "columns differ from dictionary.json".to_owned()),
            Err(e) => report.fail(&pq_file, format!("cannot be read: {e}")),
        }
        if let Some(book) = book.as_mut() {
            let by_header: HashMap<String, NumberForm> =
                cols.iter().map(|c| (c.1.clone(), c.2)).collect();
            match book.table(id, &by_header) {
                Ok(mut t) => {
                    let headers: Vec<String> = cols.iter().map(|c| c.1.clone()).collect();
                    if t.header != headers {
                        report.fail(
                            &xlsx_file,
                            format!("table {id}: headers differ from dictionary.json"),
                        );
                    } else {
                        t.header = names.clone();
                        let n = same_cells(
                            report,
                            &xlsx_file,
                            &format!("table {id} against {id}.csv"),
                            &t,
                            &csv,
                        );
                        report.count("cells equal in CSV and workbook", n);
                    }
                }
                Err(e) => report.fail(&xlsx_file, format!("table {id}: {e}")),
            }
        }
        csvs.insert(id.clone(), csv);
    }

    // The national league tables against the NHS England-layout ones.
    let mut expected_findings = Vec::new();
    let mut pdf_rows: BTreeMap<String, [String; 5]> = BTreeMap::new();
    for (g, files) in groups {
        let id = format!("league_{g}");
        let Some(nat_t) = csvs.get(&id) else {
            report.fail(&format!("{nat}/tables/{id}.csv"), "missing".to_owned());
            continue;
        };
        let file = format!("{nat}/tables/{id}.csv");
        let l = &files.league;
        let by_code: HashMap<&str, &Vec<String>> = nat_t
            .rows
            .iter()
            .map(|r| (nat_t.get(r, "trust_code"), r))
            .collect();
        if by_code.len() != l.rows.len() || nat_t.rows.len() != l.rows.len() {
            report.fail(
                &file,
                format!(
                    "{} trusts against {} in {q}/{g}/league-table.csv",
                    nat_t.rows.len(),
                    l.rows.len()
                ),
            );
        }
        let mut counts = [0u32; 4];
        let mut finals = [0u32; 4];
        let (mut rsp, mut capped, mut not_known) = (0u32, 0u32, 0u32);
        for r in &l.rows {
            let code = l.get(r, "Trust_code");
            let ours = [
                l.get(r, "Rank").to_owned(),
                l.get(r, "Segment").to_owned(),
                l.get(r, "Segment_before_override").to_owned(),
                l.get(r, "Recovery_support_programme").to_owned(),
                num(l.get(r, "Average_score")).map_or(String::new(), |v| format!("{v:.2}")),
            ];
            if let Some(seg) = num(&ours[1]).filter(|s| (1.0..=4.0).contains(s)) {
                counts[seg as usize - 1] += 1;
                if ours[3] != "Yes" {
                    finals[seg as usize - 1] += 1;
                }
            }
            rsp += u32::from(ours[3] == "Yes");
            not_known += u32::from(ours[3] == "Not known");
            capped += u32::from(num(&ours[1]) > num(&ours[2]));
            match by_code.get(code) {
                Some(n) => {
                    let theirs = [
                        nat_t.get(n, "rank").to_owned(),
                        nat_t.get(n, "segment").to_owned(),
                        nat_t.get(n, "segment_before_override").to_owned(),
                        nat_t.get(n, "recovery_support_programme").to_owned(),
                        nat_t.get(n, "average_score").to_owned(),
                    ];
                    if theirs != ours {
                        report.fail(
                            &file,
                            format!("{code}: rank, segment, segment before override, segment 5, average {theirs:?} but league-table.csv gives {ours:?}"),
                        );
                    }
                }
                None => report.fail(&file, format!("{code} is missing")),
            }
            report.count("trusts with one rank, segment and average across files", 1);
            pdf_rows.insert(code.to_owned(), ours);
        }
        let label = l
            .rows
            .first()
            .map(|r| l.get(r, "Trust_type").to_owned())
            .unwrap_or_default();
        let s5 = m.segment5.segment;
        let programme = if not_known == 0 {
            format!("{rsp} of them in the Recovery Support Programme (segment {s5})")
        } else {
            format!(
                "{rsp} of them known to be in the Recovery Support Programme (segment {s5}) and {not_known} whose status the input does not give"
            )
        };
        // NHS England's final segment: 5 in the programme, else the league-order segment.
        let finals = if not_known == 0 {
            format!(
                " NHS England's final segments, with segment 5 for the Recovery Support Programme: {} in segment 1, {} in segment 2, {} in segment 3, {} in segment 4 and {rsp} in segment 5.",
                finals[0], finals[1], finals[2], finals[3]
            )
        } else {
            format!(
                " NHS England's final segments (segment 5 for the Recovery Support Programme) cannot be counted: the programme status of {not_known} is not known."
            )
        };
        expected_findings.push(format!(
            "{label}s ({}): {} in segment 1, {} in segment 2, {} in segment 3 and {} in segment 4; {programme}. The financial override moved {capped} to a worse segment.{finals}",
            l.rows.len(),
            counts[0],
            counts[1],
            counts[2],
            counts[3],
        ));
    }

    // Movement tables: every quarter's segment, segment before the override and rank equal to
    // that quarter's league-table.csv.
    for (id, t) in csvs.iter().filter(|(id, _)| id.starts_with("movement_")) {
        check_movement(dir, &format!("{nat}/tables/{id}.csv"), id, t, report);
    }

    // Metric tables: quartiles from their own values; scores equal to metric-scores.csv.
    let mut score_of: HashMap<(String, String), String> = HashMap::new();
    for files in groups.values() {
        let s = &files.scores;
        for r in &s.rows {
            if !s.get(r, "Score_source").is_empty() {
                score_of.insert(
                    (
                        s.get(r, "Trust_code").to_owned(),
                        s.get(r, "Metric_ID").to_owned(),
                    ),
                    s.get(r, "Value").to_owned(),
                );
            }
        }
    }
    for (id, t) in csvs.iter().filter(|(id, _)| id.starts_with("metric_")) {
        let file = format!("{nat}/tables/{id}.csv");
        let metric = id.trim_start_matches("metric_").to_uppercase();
        let mut by_group: BTreeMap<&str, Vec<&Vec<String>>> = BTreeMap::new();
        for r in &t.rows {
            by_group.entry(t.get(r, "peer_group")).or_default().push(r);
            let code = t.get(r, "trust_code").to_owned();
            let shown = num(t.get(r, "score"));
            let expected = score_of
                .get(&(code.clone(), metric.clone()))
                .and_then(|v| num(v));
            if shown.is_none()
                || expected.is_none()
                || (shown.unwrap_or(0.0) - expected.unwrap_or(0.0)).abs() > 1e-9
            {
                report.fail(
                    &file,
                    format!(
                        "{code}: score {:?} but metric-scores.csv gives {:?}",
                        t.get(r, "score"),
                        expected
                    ),
                );
            }
            report.count("metric scores equal across files", 1);
        }
        for (group, rows) in by_group {
            let values: Vec<f64> = rows.iter().filter_map(|r| num(t.get(r, "value"))).collect();
            if values.is_empty() {
                continue;
            }
            check_spread(
                report,
                &file,
                &format!("{group}s"),
                rows.iter().map(|r| {
                    [
                        t.get(r, "peer_median"),
                        t.get(r, "peer_lower_quartile"),
                        t.get(r, "peer_upper_quartile"),
                    ]
                }),
                spread(values),
            );
        }
    }

    // Key findings in the workbook's Cover and in the PDF.
    if let Some(book) = book.as_mut() {
        match book.sheet_text("Cover") {
            Ok(cells) => check_findings(
                report,
                &xlsx_file,
                "the key findings on the Cover",
                &cells.join(" "),
                &expected_findings,
            ),
            Err(e) => report.fail(&xlsx_file, format!("Cover: {e}")),
        }
    }
    let pdf_file = format!("{nat}/league-tables.pdf");
    match pdf::lines(&dir.join(&pdf_file)) {
        Ok(pages) => {
            let all: Vec<&String> = pages.iter().flatten().collect();
            let text = all.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(" ");
            check_findings(
                report,
                &pdf_file,
                "the key findings",
                &text,
                &expected_findings,
            );
            check_pdf_rows(report, &pdf_file, &all, &pdf_rows);
        }
        Err(e) => report.fail(&pdf_file, e),
    }
    trusts::check_trusts(dir, q, groups, &dict, &csvs, m, report);
}

/// A movement table's per-quarter columns (`segment_2025_26_q1`, `before_override_…`,
/// `rank_…`) against the league table of that quarter (`2025-26-Q1/<group>/league-table.csv`).
fn check_movement(dir: &Path, file: &str, id: &str, t: &Grid, report: &mut CheckReport) {
    let group = id.trim_start_matches("movement_");
    const FIELDS: [&str; 3] = ["Segment", "Segment_before_override", "Rank"];
    let mut leagues: BTreeMap<String, Result<HashMap<String, [String; 3]>, String>> =
        BTreeMap::new();
    for (c, name) in t.header.iter().enumerate() {
        let (field, key) = if let Some(k) = name.strip_prefix("segment_") {
            ("Segment", k)
        } else if let Some(k) = name.strip_prefix("before_override_") {
            ("Segment_before_override", k)
        } else if let Some(k) = name.strip_prefix("rank_") {
            ("Rank", k)
        } else {
            continue;
        };
        // "2025_26_q1" names the quarter directory "2025-26-Q1".
        let Some((years, q)) = key.rsplit_once("_q") else {
            continue;
        };
        let slug = format!("{}-Q{q}", years.replace('_', "-"));
        let league = leagues.entry(slug.clone()).or_insert_with(|| {
            match read::csv(&dir.join(&slug).join(group).join("league-table.csv")) {
                Ok(g) => Ok(g
                    .rows
                    .iter()
                    .map(|r| {
                        (
                            g.get(r, "Trust_code").to_owned(),
                            FIELDS.map(|f| g.get(r, f).to_owned()),
                        )
                    })
                    .collect()),
                // A quarter the run does not hold: the earlier release's figures, as the run
                // read them from the history store.
                Err(_) => earlier_league(dir, &slug, group),
            }
        });
        let league = match league {
            Ok(l) => l,
            Err(why) => {
                report.fail(file, format!("{name}: {why}"));
                continue;
            }
        };
        let at = FIELDS
            .iter()
            .position(|f| *f == field)
            .expect("known field");
        for r in &t.rows {
            let code = t.get(r, "trust_code");
            let shown = &r[c];
            let expected = league.get(code).map_or("", |x| x[at].as_str());
            if shown != expected {
                report.fail(
                    file,
                    format!("{code}: {name} is {shown:?} but {slug}/{group}/league-table.csv gives {expected:?}"),
                );
            }
            report.count("movement figures equal to each quarter's league table", 1);
        }
    }
}

/// An earlier quarter's league figures (segment, segment before override, rank by trust) for
/// `group`, from the history file the manifest lists for the quarter (`history_inputs`). The
/// file is found under the nearest ancestor of `dir` that holds it (the output root) and must
/// still have the SHA-256 the manifest gives.
fn earlier_league(
    dir: &Path,
    slug: &str,
    group: &str,
) -> Result<HashMap<String, [String; 3]>, String> {
    let none = || {
        format!(
            "no {slug}/{group}/league-table.csv, nor a history file for {slug}, to compare with"
        )
    };
    let manifest: serde_json::Value = std::fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(none)?;
    let prefix = format!("history/league/quarter={slug}/");
    let entry = manifest["history_inputs"]
        .as_array()
        .and_then(|v| {
            v.iter()
                .find(|h| h["path"].as_str().is_some_and(|p| p.starts_with(&prefix)))
        })
        .ok_or_else(none)?;
    let rel = entry["path"].as_str().unwrap_or_default();
    if rel.split('/').any(|part| part == ".." || part.is_empty()) || rel.contains('\\') {
        return Err(format!("{rel}: not a plain path under the output root"));
    }
    let path = dir
        .ancestors()
        .map(|a| a.join(rel))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            format!("{rel} (listed in the manifest) is not in any directory above the release")
        })?;
    let bytes = std::fs::read(&path).map_err(|e| format!("{rel}: {e}"))?;
    use sha2::{Digest, Sha256};
    let hex: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if Some(hex.as_str()) != entry["sha256"].as_str() {
        return Err(format!(
            "{rel} has changed since the run read it (SHA-256 differs)"
        ));
    }
    let g = read::parquet(&path, &HashMap::new()).map_err(|e| format!("{rel}: {e}"))?;
    Ok(g.rows
        .iter()
        .filter(|r| g.get(r, "peer_group") == group)
        .map(|r| {
            (
                g.get(r, "trust_code").to_owned(),
                [
                    g.get(r, "segment").to_owned(),
                    g.get(r, "segment_before_override").to_owned(),
                    g.get(r, "rank").to_owned(),
                ],
            )
        })
        .collect())
}

/// Each expected key-finding sentence (counts from the tables) must be in `text`.
fn check_findings(
    report: &mut CheckReport,
    file: &str,
    what: &str,
    text: &str,
    expected: &[String],
) {
    for f in expected {
        if !text.contains(f.as_str()) {
            report.fail(
                file,
                format!("{what} do not say what the tables count: {f:?}"),
            );
        }
    }
    report.count(
        "key-finding counts equal to the tables",
        expected.len() as u64,
    );
}

/// Every trust's league row in the PDF: rank, then "from to to", code, name, segment, segment
/// before the override, segment 5, deficit, average, "from to to".
fn check_pdf_rows(
    report: &mut CheckReport,
    file: &str,
    lines: &[&String],
    expected: &BTreeMap<String, [String; 5]>,
) {
    let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
    for line in lines {
        let f: Vec<&str> = line.split_whitespace().collect();
        let Some(last_to) = f.iter().rposition(|w| *w == "to") else {
            continue;
        };
        if f.len() < 12 || f[2] != "to" || last_to < 10 || f[0].parse::<u32>().is_err() {
            continue;
        }
        let Some(ours) = expected.get(f[4]) else {
            continue;
        };
        *seen.entry(f[4]).or_default() += 1;
        // From the right: average, then the deficit and programme flags ("Yes", "No", or "Not
        // known", whose second word may have wrapped to the next line), then the two segments.
        let avg = last_to - 2;
        let flag = |end: usize| -> (String, usize) {
            if f[end] == "known" && end > 0 && f[end - 1] == "Not" {
                ("Not known".to_owned(), end - 1)
            } else if f[end] == "Not" {
                ("Not known".to_owned(), end)
            } else {
                (f[end].to_owned(), end)
            }
        };
        let (_, deficit_at) = flag(avg - 1);
        let (programme, programme_at) = flag(deficit_at - 1);
        let shown = [
            f[0].to_owned(),
            f[programme_at - 2].to_owned(),
            f[programme_at - 1].to_owned(),
            programme,
            f[avg].to_owned(),
        ];
        if &shown != ours {
            report.fail(
                file,
                format!(
                    "{}: rank, segment, segment before override, segment 5, average {shown:?} but league-table.csv gives {ours:?}",
                    f[4]
                ),
            );
        }
    }
    for code in expected.keys() {
        match seen.get(code.as_str()) {
            Some(1) => report.count("PDF league rows equal to the CSV", 1),
            Some(n) => report.fail(file, format!("{code}: {n} league rows")),
            None => report.fail(file, format!("{code}: no league row")),
        }
    }
}

fn check_manifest(dir: &Path, report: &mut CheckReport) {
    use sha2::{Digest, Sha256};
    let file = "manifest.json";
    let v: serde_json::Value = match std::fs::read_to_string(dir.join(file))
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => {
            report.fail(file, format!("cannot be read: {e}"));
            return;
        }
    };
    let Some(outputs) = v["outputs"].as_array() else {
        report.fail(file, "no outputs listed".to_owned());
        return;
    };
    let mut listed = std::collections::BTreeSet::new();
    for o in outputs {
        let path = o["path"].as_str().unwrap_or_default();
        listed.insert(path.to_owned());
        match std::fs::read(dir.join(path)) {
            Ok(bytes) => {
                let hex: String = Sha256::digest(&bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                if Some(hex.as_str()) != o["sha256"].as_str() {
                    report.fail(file, format!("{path}: SHA-256 differs from the file's"));
                }
                report.count("output hashes equal to the manifest", 1);
            }
            Err(e) => report.fail(file, format!("{path}: {e}")),
        }
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                // A published release carries its pre-release access list, and a correction its
                // notice, beside the release's own files.
                let notice =
                    ["correction-notice.txt", "pre-release-access.csv"].contains(&rel.as_str());
                if rel != file && !notice && !listed.contains(&rel) {
                    report.fail(file, format!("{rel} is not listed"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_share_the_best_position() {
        assert_eq!(
            competition_ranks(&[(1, 150), (1, 150), (1, 160), (2, 100)]),
            [1, 1, 3, 4]
        );
    }

    #[test]
    fn quartiles_are_linear_and_inclusive() {
        let [median, lq, uq] = spread(vec![60.0, 10.0, 30.0, 20.0, 50.0, 40.0]);
        assert_eq!((median, lq, uq), (35.0, 22.5, 47.5));
    }

    #[test]
    fn formula_guards_are_removed_only_before_formula_characters() {
        assert_eq!(read::unguard("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(read::unguard("'-1"), "-1");
        assert_eq!(read::unguard("O'Brien"), "O'Brien");
        assert_eq!(read::unguard("'quoted'"), "'quoted'");
    }
}
