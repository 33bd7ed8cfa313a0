//! The statistics beside the ranks, re-derived from the written files: the sensitivity summary
//! counted again from the per-trust table, whose published side must equal the league tables and
//! whose alternative ranks, override-free and fixed-threshold segments are recomputed here; each
//! "compared with peer median" label against its written interval.

use league_model::number::round_dp;

use super::*;

/// The sensitivity key finding as the summary table implies it (the same words as the pack's).
pub(crate) fn sensitivity_finding(rows: &[(String, String, usize)]) -> String {
    let mut parts = Vec::new();
    let drops: Vec<&(String, String, usize)> =
        rows.iter().filter(|r| r.0.starts_with("drop_")).collect();
    let mut said_drops = false;
    for r in rows {
        if r.0.starts_with("drop_") {
            if !said_drops {
                said_drops = true;
                let most = drops.iter().map(|d| d.2).max().unwrap_or(0);
                let ids: Vec<&str> = drops
                    .iter()
                    .filter(|d| d.2 == most)
                    .map(|d| d.0.trim_start_matches("drop_"))
                    .collect();
                parts.push(format!(
                    "leaving out one metric, up to {most} (without {})",
                    ids.join(" or ")
                ));
            }
            continue;
        }
        let mut label = r.1.clone();
        if let Some(first) = label.get(0..1) {
            label = first.to_lowercase() + &label[1..];
        }
        parts.push(format!("{label}, {}", r.2));
    }
    format!(
        "Trusts whose segment would change under each alternative to the method's choices (statistics beside the tables: the published segments stand): {}.",
        parts.join("; ")
    )
}

/// One row of sensitivity_trusts.csv: code, peer group, published segment and rank, and the
/// average, segment and rank under the alternative.
type Outcome = (String, String, i64, i64, f64, i64, i64);

/// Checks the sensitivity tables and the peer comparison; returns the key finding they imply.
pub(crate) fn check_statistics(
    nat: &str,
    csvs: &BTreeMap<String, Grid>,
    m: &Methodology,
    report: &mut CheckReport,
) -> Option<String> {
    check_versus_peers(nat, csvs, report);
    let summary = csvs.get("sensitivity")?;
    let file = format!("{nat}/tables/sensitivity_trusts.csv");
    let Some(trusts) = csvs.get("sensitivity_trusts") else {
        report.fail(&file, "missing beside sensitivity.csv".to_owned());
        return None;
    };
    // The published side of every row against the league tables.
    let mut league: HashMap<String, [String; 6]> = HashMap::new();
    for (id, t) in csvs.iter().filter(|(id, _)| id.starts_with("league_")) {
        let g = id.trim_start_matches("league_");
        for r in &t.rows {
            league.insert(
                t.get(r, "trust_code").to_owned(),
                [
                    g.to_owned(),
                    t.get(r, "segment").to_owned(),
                    t.get(r, "segment_before_override").to_owned(),
                    t.get(r, "financial_deficit").to_owned(),
                    t.get(r, "rank").to_owned(),
                    t.get(r, "average_score").to_owned(),
                ],
            );
        }
    }
    let int = |s: &str| s.parse::<i64>().ok();
    let thresholds = m.statistics.sensitivity.fixed_thresholds;
    let cap = i64::from(m.financial_override.cap_segment);
    // alternative id → rows (code, group, segment, rank, alt average, alt segment, alt rank).
    let mut by_alt: BTreeMap<String, Vec<Outcome>> = BTreeMap::new();
    for r in &trusts.rows {
        let code = trusts.get(r, "trust_code").to_owned();
        let alt = trusts.get(r, "alternative_id").to_owned();
        let published = [
            trusts.get(r, "peer_group").to_owned(),
            trusts.get(r, "segment").to_owned(),
            trusts.get(r, "segment_before_override").to_owned(),
            trusts.get(r, "financial_deficit").to_owned(),
            trusts.get(r, "rank").to_owned(),
            trusts.get(r, "average_score").to_owned(),
        ];
        if league.get(&code) != Some(&published) {
            report.fail(
                &file,
                format!("{alt} {code}: published segment, rank or average {published:?} differ from the league table"),
            );
            continue;
        }
        let (Some(seg), Some(rank), Some(avg), Some(aseg), Some(arank)) = (
            int(&published[1]),
            int(&published[4]),
            num(trusts.get(r, "alternative_average")),
            int(trusts.get(r, "alternative_segment")),
            int(trusts.get(r, "alternative_rank")),
        ) else {
            report.fail(&file, format!("{alt} {code}: a figure is not a number"));
            continue;
        };
        // What the written figures fix without the run: the segment without the override is
        // the one before it; fixed thresholds cut the published average, then the cap.
        let expected = match alt.as_str() {
            "no_override" => int(&published[2]),
            "fixed_thresholds" => num(&published[5]).map(|a| {
                let past = |c: f64| match m.segmentation.boundary {
                    league_model::SegmentBoundary::BetterSegment => a > c,
                    league_model::SegmentBoundary::WorseSegment => a >= c,
                };
                let s = 1 + thresholds.iter().filter(|c| past(**c)).count() as i64;
                if published[3] == "Yes" { s.max(cap) } else { s }
            }),
            _ => None,
        };
        if let Some(e) = expected
            && e != aseg
        {
            report.fail(
                &file,
                format!("{alt} {code}: segment under the alternative {aseg}, but the published figures give {e}"),
            );
        }
        by_alt.entry(alt).or_default().push((
            code,
            published[0].clone(),
            seg,
            rank,
            avg,
            aseg,
            arank,
        ));
    }
    let mut implied: Vec<(String, String, usize)> = Vec::new();
    for r in &summary.rows {
        let alt = summary.get(r, "alternative_id").to_owned();
        let rows = by_alt.remove(&alt).unwrap_or_default();
        // Ranks under the alternative: competition ranks on (segment, average) within each group.
        for x in &rows {
            let better = rows
                .iter()
                .filter(|y| y.1 == x.1 && (y.5, y.4) < (x.5, x.4))
                .count() as i64;
            if better + 1 != x.6 {
                report.fail(
                    &file,
                    format!("{alt} {}: rank under the alternative {} but its segment and average give {}", x.0, x.6, better + 1),
                );
            }
        }
        let changing: Vec<&str> = rows
            .iter()
            .filter(|x| x.2 != x.5)
            .map(|x| x.0.as_str())
            .collect();
        let moved: Vec<i64> = rows.iter().map(|x| (x.3 - x.6).abs()).collect();
        let mean = if rows.is_empty() {
            0.0
        } else {
            moved.iter().sum::<i64>() as f64 / rows.len() as f64
        };
        let mut want: Vec<(&str, String)> = vec![
            ("trusts_compared", rows.len().to_string()),
            ("trusts_changing_segment", changing.len().to_string()),
            (
                "to_better_segment",
                rows.iter().filter(|x| x.5 < x.2).count().to_string(),
            ),
            (
                "to_worse_segment",
                rows.iter().filter(|x| x.5 > x.2).count().to_string(),
            ),
            ("mean_rank_change", format!("{:.2}", round_dp(mean, 2))),
            (
                "largest_rank_change",
                moved.iter().max().copied().unwrap_or(0).to_string(),
            ),
            ("trusts_changing", changing.join("; ")),
        ];
        for h in summary.header.iter().filter(|h| h.starts_with("changing_")) {
            let g = h.trim_start_matches("changing_");
            want.push((
                h.as_str(),
                rows.iter()
                    .filter(|x| x.1 == g && x.2 != x.5)
                    .count()
                    .to_string(),
            ));
        }
        for (col, v) in want {
            if summary.get(r, col) != v {
                report.fail(
                    &format!("{nat}/tables/sensitivity.csv"),
                    format!(
                        "{alt}: {col} is {:?} but sensitivity_trusts.csv gives {v:?}",
                        summary.get(r, col)
                    ),
                );
            }
        }
        report.count("sensitivity counts re-derived from the trusts' rows", 1);
        implied.push((
            alt,
            summary.get(r, "alternative").to_owned(),
            changing.len(),
        ));
    }
    for alt in by_alt.keys() {
        report.fail(&file, format!("{alt} is not in sensitivity.csv"));
    }
    Some(sensitivity_finding(&implied))
}

/// Each "compared with peer median" label against its interval: better lies below 0, worse
/// above, similar across (the interval written to 3 places, so an end may print as 0).
fn check_versus_peers(nat: &str, csvs: &BTreeMap<String, Grid>, report: &mut CheckReport) {
    for (id, t) in csvs.iter().filter(|(id, _)| id.starts_with("league_")) {
        for r in &t.rows {
            let label = t.get(r, "versus_peer_median");
            let (Some(lo), Some(hi)) = (
                num(t.get(r, "peer_difference_from")),
                num(t.get(r, "peer_difference_to")),
            ) else {
                if label != "[x]" {
                    report.fail(
                        &format!("{nat}/tables/{id}.csv"),
                        format!("{}: {label:?} without an interval", t.get(r, "trust_code")),
                    );
                }
                continue;
            };
            let fits = lo <= hi
                && match label {
                    "Better" => hi <= 0.0,
                    "Worse" => lo >= 0.0,
                    "Similar" => lo <= 0.0 && hi >= 0.0,
                    _ => false,
                };
            if !fits {
                report.fail(
                    &format!("{nat}/tables/{id}.csv"),
                    format!(
                        "{}: {label:?} beside a difference from the peer median of {lo} to {hi}",
                        t.get(r, "trust_code")
                    ),
                );
            }
            report.count("peer comparisons agreeing with their intervals", 1);
        }
    }
}
