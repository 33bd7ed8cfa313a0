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
    check_funnels(nat, csvs, m, report);
    check_spc(nat, csvs, m, report);
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
        let changing = check_alternative(nat, summary, r, &alt, &rows, report);
        implied.push((alt, summary.get(r, "alternative").to_owned(), changing));
    }
    for alt in by_alt.keys() {
        report.fail(&file, format!("{alt} is not in sensitivity.csv"));
    }
    Some(sensitivity_finding(&implied))
}

/// One alternative's summary row against its per-trust rows: ranks under the alternative from
/// segment and average, then every count. Returns the trusts changing segment.
fn check_alternative(
    nat: &str,
    summary: &Grid,
    r: &[String],
    alt: &str,
    rows: &[Outcome],
    report: &mut CheckReport,
) -> usize {
    let file = format!("{nat}/tables/sensitivity_trusts.csv");
    // Ranks under the alternative: competition ranks on (segment, average) within each group.
    for x in rows {
        let better = rows
            .iter()
            .filter(|y| y.1 == x.1 && (y.5, y.4) < (x.5, x.4))
            .count() as i64;
        if better + 1 != x.6 {
            report.fail(
                &file,
                format!(
                    "{alt} {}: rank under the alternative {} but its segment and average give {}",
                    x.0,
                    x.6,
                    better + 1
                ),
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
    changing.len()
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

/// R's type 7 quantile of sorted values.
fn quantile7(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Each funnel re-derived from its written counts: the target, φ and τ² recomputed as
/// Spiegelhalter (2005) sets them out, every limit recomputed at the trust's denominator and the
/// written z, and each position from the trust's own proportion.
pub(crate) fn check_funnels(
    nat: &str,
    csvs: &BTreeMap<String, Grid>,
    m: &Methodology,
    report: &mut CheckReport,
) {
    for (id, t) in csvs.iter().filter(|(id, _)| id.starts_with("funnel_")) {
        let file = format!("{nat}/tables/{id}.csv");
        let rows: Vec<(String, f64, f64, &Vec<String>)> = t
            .rows
            .iter()
            .filter_map(|r| {
                Some((
                    t.get(r, "trust_code").to_owned(),
                    num(t.get(r, "numerator"))?,
                    num(t.get(r, "denominator"))?,
                    r,
                ))
            })
            .collect();
        if rows.len() != t.rows.len() || rows.is_empty() {
            report.fail(&file, "a count is not a number".to_owned());
            continue;
        }
        let (sr, sn) = rows.iter().fold((0.0, 0.0), |(a, b), r| (a + r.1, b + r.2));
        let target = sr / sn;
        let theta = target.sqrt().asin();
        let z: Vec<f64> = rows
            .iter()
            .map(|r| ((r.1 / r.2).sqrt().asin() - theta) * 2.0 * r.2.sqrt())
            .collect();
        let mut sorted = z.clone();
        sorted.sort_by(f64::total_cmp);
        let w = m.statistics.funnel.winsorise;
        let (lo, hi) = (quantile7(&sorted, w), quantile7(&sorted, 1.0 - w));
        let i = rows.len() as f64;
        let phi = z.iter().map(|v| v.clamp(lo, hi).powi(2)).sum::<f64>() / i;
        let tau2 = if m.statistics.funnel.overdispersion && i * phi > i - 1.0 {
            let ws: Vec<f64> = rows.iter().map(|r| 4.0 * r.2).collect();
            let s1: f64 = ws.iter().sum();
            let s2: f64 = ws.iter().map(|x| x * x).sum();
            ((i * phi - (i - 1.0)) / (s1 - s2 / s1)).max(0.0)
        } else {
            0.0
        };
        let first = rows[0].3;
        let written = |k: &str| num(t.get(first, k)).unwrap_or(f64::NAN);
        for (what, ours, theirs, tol) in [
            ("target", 100.0 * target, written("target"), 0.0051),
            ("phi", phi, written("phi"), 0.000051 + phi * 1e-9),
            ("tau2", tau2, written("tau2"), 5.1e-9),
        ] {
            if (ours - theirs).abs() > tol {
                report.fail(
                    &file,
                    format!("{what} is {theirs} but the written counts give {ours}"),
                );
            }
        }
        let zs = [written("z_inner"), written("z_outer")];
        for (code, r, n, row) in &rows {
            let p = r / n;
            let s2 = 1.0 / (4.0 * n);
            for (k, (lo_key, hi_key, pos_key)) in [
                ("lower_inner", "upper_inner", "position_inner"),
                ("lower_outer", "upper_outer", "position_outer"),
            ]
            .into_iter()
            .enumerate()
            {
                let d = zs[k] * (s2 + tau2).sqrt();
                let back = |y: f64| y.clamp(0.0, std::f64::consts::FRAC_PI_2).sin().powi(2);
                let (l, h) = (back(theta - d), back(theta + d));
                for (key, v) in [(lo_key, l), (hi_key, h)] {
                    let shown = num(t.get(row, key)).unwrap_or(f64::NAN);
                    if (100.0 * v - shown).abs() > 0.0051 {
                        report.fail(
                            &file,
                            format!(
                                "{code}: {key} is {shown} but its counts and τ² give {:.4}",
                                100.0 * v
                            ),
                        );
                    }
                }
                let pos = if p < l {
                    "Below"
                } else if p > h {
                    "Above"
                } else {
                    "Within"
                };
                if t.get(row, pos_key) != pos {
                    report.fail(&file, format!("{code}: {pos_key} is {:?} but {:.4}% against {:.4}% to {:.4}% is {pos}", t.get(row, pos_key), 100.0 * p, 100.0 * l, 100.0 * h));
                }
            }
            let shown = num(t.get(row, "percentage")).unwrap_or(f64::NAN);
            if (100.0 * p - shown).abs() > 0.0051 {
                report.fail(
                    &file,
                    format!(
                        "{code}: percentage {shown} but {r} of {n} is {:.4}",
                        100.0 * p
                    ),
                );
            }
        }
        report.count(
            "funnel limits re-derived from their counts",
            rows.len() as u64,
        );
    }
}

/// Each SPC chart re-derived from its written points: the mean and limits from the values, and
/// each point's rules; a chart with a point within rounding of a threshold is compared on its
/// limits only (its rules cannot be told at the written precision), and counted.
pub(crate) fn check_spc(
    nat: &str,
    csvs: &BTreeMap<String, Grid>,
    m: &Methodology,
    report: &mut CheckReport,
) {
    let Some(t) = csvs.get("spc_series") else {
        return;
    };
    let file = format!("{nat}/tables/spc_series.csv");
    let rules = &m.statistics.spc;
    let mut charts: BTreeMap<(String, String), Vec<&Vec<String>>> = BTreeMap::new();
    for r in &t.rows {
        charts
            .entry((
                t.get(r, "trust_code").to_owned(),
                t.get(r, "measure_id").to_owned(),
            ))
            .or_default()
            .push(r);
    }
    for ((code, measure), rows) in &charts {
        let v: Vec<f64> = rows.iter().filter_map(|r| num(t.get(r, "value"))).collect();
        if v.len() != rows.len() || v.len() < 2 {
            report.fail(&file, format!("{code} {measure}: a value is not a number"));
            continue;
        }
        let n = v.len();
        let mean = v.iter().sum::<f64>() / n as f64;
        let mr: Vec<f64> = v.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
        let mut amr = mr.iter().sum::<f64>() / mr.len() as f64;
        if rules.screen_moving_ranges {
            let kept: Vec<f64> = mr
                .iter()
                .copied()
                .filter(|x| *x < rules.screen_factor * amr)
                .collect();
            if !kept.is_empty() {
                amr = kept.iter().sum::<f64>() / kept.len() as f64;
            }
        }
        let width = rules.limit_factor * amr;
        let (lpl, upl) = (mean - width, mean + width);
        let (l2, u2) = (mean - 2.0 / 3.0 * width, mean + 2.0 / 3.0 * width);
        let first = rows[0];
        let tol = 0.002;
        for (key, ours) in [
            ("mean", mean),
            ("lower_limit", lpl),
            ("upper_limit", upl),
            ("lower_two_sigma", l2),
            ("upper_two_sigma", u2),
        ] {
            let shown = num(t.get(first, key)).unwrap_or(f64::NAN);
            if (ours - shown).abs() > tol {
                report.fail(
                    &file,
                    format!(
                        "{code} {measure}: {key} is {shown} but the written values give {ours:.4}"
                    ),
                );
            }
        }
        // Rules only where no point sits within rounding of a threshold.
        let near = |x: f64| {
            [mean, lpl, upl, l2, u2]
                .iter()
                .any(|c| (x - c).abs() < 0.001)
        };
        let tied = v.windows(2).any(|w| (w[1] - w[0]).abs() < 0.0002);
        if v.iter().any(|x| near(*x)) || tied {
            report.count(
                "SPC charts with a point on a threshold at the written precision",
                1,
            );
            continue;
        }
        let derived = derived_rules(&v, [mean, lpl, upl, l2, u2], rules);
        for (r, want) in rows.iter().zip(derived) {
            if t.get(r, "rules") != want {
                report.fail(
                    &file,
                    format!(
                        "{code} {measure} {}: rules {:?} but the written series gives {want:?}",
                        t.get(r, "month"),
                        t.get(r, "rules")
                    ),
                );
            }
        }
        report.count(
            "SPC charts whose rules are re-derived from the written series",
            1,
        );
    }
}

/// Each point's rules re-derived from the written values and limits, as the outputs list them.
fn derived_rules(v: &[f64], limits: [f64; 5], rules: &league_model::SpcRules) -> Vec<String> {
    let [mean, lpl, upl, l2, u2] = limits;
    let n = v.len();
    let side: Vec<i8> = v.iter().map(|x| if *x > mean { 1 } else { -1 }).collect();
    let outside: Vec<bool> = v.iter().map(|x| *x > upl || *x < lpl).collect();
    let beyond: Vec<bool> = v
        .iter()
        .zip(&outside)
        .map(|(x, o)| {
            (*x > u2 || *x < l2)
                && (rules.two_of_three == league_model::TwoOfThree::BeyondTwoSigma || !o)
        })
        .collect();
    let part_of = |len: usize, ends: &dyn Fn(usize) -> bool| -> Vec<bool> {
        let end: Vec<bool> = (0..n).map(|i| i + 1 >= len && ends(i)).collect();
        (0..n)
            .map(|i| (i..n.min(i + len)).any(|e| end[e]))
            .collect()
    };
    let run = part_of(rules.run_length, &|i| {
        (i + 1 - rules.run_length..=i).all(|j| side[j] == side[i])
    });
    let trend = part_of(rules.trend_length, &|i| {
        let d: Vec<f64> = (i + 2 - rules.trend_length..=i)
            .map(|j| v[j] - v[j - 1])
            .collect();
        d.iter().all(|x| *x > 0.0) || d.iter().all(|x| *x < 0.0)
    });
    (0..n)
        .map(|k| {
            let two = beyond[k]
                && (k.saturating_sub(2)..=k).any(|s| {
                    s + 2 < n
                        && (s..s + 3).filter(|&j| beyond[j]).count() >= 2
                        && (s..s + 3).map(|j| i32::from(side[j])).sum::<i32>().abs() == 3
                });
            let want: Vec<&str> = [
                (outside[k], "outside limits"),
                (run[k], "run"),
                (trend[k], "trend"),
                (two, "two of three beyond two sigma"),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, l)| *l)
            .collect();
            if want.is_empty() {
                "none".to_owned()
            } else {
                want.join("; ")
            }
        })
        .collect()
}
