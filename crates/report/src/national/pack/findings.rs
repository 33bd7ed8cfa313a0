//! The key findings, in sentences that say only what the tables show.

use crate::narrative::ordinal;

use super::types::*;

pub(super) fn key_findings(p: &NationalPack) -> Vec<String> {
    let f = &p.method;
    let mut k = Vec::new();
    for g in &p.segments {
        let c = g.counts;
        let mut s = format!(
            "{}s ({}): {} in segment 1, {} in segment 2, {} in segment 3 and {} in segment 4; {}. The financial override moved {} to a worse segment.",
            g.label,
            g.total(),
            c[0],
            c[1],
            c[2],
            c[3],
            programme_phrase(g.recovery_support, g.programme_not_known, f.segment5),
            g.capped
        );
        s.push_str(&final_segments_sentence(
            g.final_counts,
            g.programme_not_known,
        ));
        if g.deficit_not_known > 0 {
            s.push_str(&format!(
                " The deficit status of {} is not known, so the override could not be applied to them.",
                g.deficit_not_known
            ));
        }
        k.push(s);
    }
    match p.previous {
        Some(prev) => {
            for t in &p.trend {
                k.push(format!(
                    "{}s since {prev}: {} of {} trusts changed rank and {} of those changes {} significant (the likely ranges of rank do not overlap); {} changed segment.",
                    t.label,
                    t.moved,
                    t.compared,
                    t.significant,
                    if t.significant == 1 { "is" } else { "are" },
                    t.segment_changed
                ));
            }
            // One finding per peer group and direction, naming every trust tied for it.
            let mut groups: Vec<(&str, bool, Vec<&Movement>)> = Vec::new();
            for mv in &p.largest_moves {
                let rise = mv.now < mv.before;
                match groups.last_mut() {
                    Some((g, r, list)) if *g == mv.group && *r == rise => list.push(mv),
                    _ => groups.push((mv.group.as_str(), rise, vec![mv])),
                }
            }
            for (group, rise, list) in groups {
                let places = list[0].before.abs_diff(list[0].now);
                let trusts: Vec<String> = list
                    .iter()
                    .map(|mv| {
                        format!(
                            "{} ({}), from {} to {}, {}",
                            mv.name,
                            mv.code,
                            ordinal(mv.before),
                            ordinal(mv.now),
                            if mv.significant {
                                "a significant change"
                            } else {
                                "not a significant change"
                            }
                        )
                    })
                    .collect();
                k.push(format!(
                    "Largest {} among {}s since {prev}, {places} places: {}. A change is significant only when the two quarters' likely ranges of rank do not overlap.",
                    if rise { "rise" } else { "fall" },
                    group.to_lowercase(),
                    trusts.join("; ")
                ));
            }
        }
        None => k.push(format!(
            "This release holds one quarter ({}), so no movement since the previous quarter is reported.",
            p.quarter
        )),
    }
    if !p.sensitivity_summary.is_empty() {
        k.push(sensitivity_finding(
            &p.sensitivity_summary
                .iter()
                .map(|s| (s.id.as_str(), s.label.as_str(), s.changing.len()))
                .collect::<Vec<_>>(),
        ));
    }
    k.push("Likely ranges are wide in the middle of each table: many adjacent positions cannot be told apart with confidence, so small differences in rank should not be read as differences in performance.".to_owned());
    k
}

/// How many trusts are in the Recovery Support Programme, and how many unknown.
pub(super) fn programme_phrase(yes: u32, not_known: u32, segment5: u8) -> String {
    if not_known == 0 {
        format!("{yes} of them in the Recovery Support Programme (segment {segment5})")
    } else {
        format!(
            "{yes} of them known to be in the Recovery Support Programme (segment {segment5}) and {not_known} whose status the input does not give"
        )
    }
}

/// The key findings, from the pack's own counts.
/// NHS England's final segments 1 to 5 beside the league order's 1 to 4, or why they cannot be
/// counted.
pub(super) fn final_segments_sentence(finals: Option<[u32; 5]>, not_known: u32) -> String {
    match finals {
        Some(f) => format!(
            " NHS England's final segments, with segment 5 for the Recovery Support Programme: {} in segment 1, {} in segment 2, {} in segment 3, {} in segment 4 and {} in segment 5.",
            f[0], f[1], f[2], f[3], f[4]
        ),
        None => format!(
            " NHS England's final segments (segment 5 for the Recovery Support Programme) cannot be counted: the programme status of {not_known} is not known."
        ),
    }
}

/// How many trusts each alternative to the method's choices moves, in one sentence: the metric
/// alternatives as the largest count with the metrics that give it. `rows` are (id, label,
/// trusts changing segment) in the sensitivity table's order.
pub(super) fn sensitivity_finding(rows: &[(&str, &str, usize)]) -> String {
    let mut parts = Vec::new();
    let drops: Vec<&(&str, &str, usize)> =
        rows.iter().filter(|r| r.0.starts_with("drop_")).collect();
    for r in rows {
        if r.0.starts_with("drop_") {
            if r.0 == drops[0].0 {
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
        let mut label = r.1.to_owned();
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
