//! One peer group's tables re-derived: ranks, averages, segments, spreads and the
//! as-of-the-quarter rule.

use super::*;

pub(crate) fn check_group(
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

    check_ranks(&lf, &league, report);
    check_as_of(&sf, &scores, m, report);
    check_averages((&lf, &sf), &league, &scores, m, report);
    check_peer_spreads(&sf, &scores, report);
    Some(GroupFiles { league, scores })
}

/// Ranks from segment, then average; segment chances that sum to 100.
fn check_ranks(lf: &str, league: &Grid, report: &mut CheckReport) {
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
                lf,
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
                lf,
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
}

/// Each trust's summary rows (average, segments) and its average from its metric scores.
fn check_averages(
    (lf, sf): (&str, &str),
    league: &Grid,
    scores: &Grid,
    m: &Methodology,
    report: &mut CheckReport,
) {
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
                    sf,
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
                lf,
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
                sf,
                format!(
                    "{t}: no score row for {} of the metrics in its average",
                    missing.join(", ")
                ),
            );
        } else if let Some(avg) = avg {
            let mean = sum / weights;
            if !(mean - avg).abs().le(&TOLERANCE) {
                report.fail(
                    lf,
                    format!(
                        "{t}: average {avg} but the weighted mean of its {} metric scores in metric-scores.csv is {mean:.4}",
                        ids.len()
                    ),
                );
            }
        }
        report.count("averages re-derived from metric scores", 1);
    }
}

/// Peer medians and quartiles from the values in the same file.
fn check_peer_spreads(sf: &str, scores: &Grid, report: &mut CheckReport) {
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
            report.fail(sf, format!("{id}: a row with a median has no value"));
            continue;
        }
        let expected = spread(values);
        check_spread(
            report,
            sf,
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
}

/// Compares published median and quartiles with the ones re-derived; one finding per table.
/// Every value's reporting period ended by its quarter's data cut-off (for a plan: started by
/// it): a table for a quarter uses only what existed by then.
pub(crate) fn check_as_of(file: &str, scores: &Grid, m: &Methodology, report: &mut CheckReport) {
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

pub(crate) fn check_spread<'a>(
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

/// Competition ranks of keys (lower is better): equal keys share the best rank.
pub(crate) fn competition_ranks(keys: &[(i64, i64)]) -> Vec<u32> {
    keys.iter()
        .map(|k| 1 + keys.iter().filter(|o| *o < k).count() as u32)
        .collect()
}

/// Linear (inclusive) quantile of sorted values.
pub(crate) fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Median, lower and upper quartile of values.
pub(crate) fn spread(mut v: Vec<f64>) -> [f64; 3] {
    v.sort_by(f64::total_cmp);
    [quantile(&v, 0.5), quantile(&v, 0.25), quantile(&v, 0.75)]
}
