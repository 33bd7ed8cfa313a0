//! The method's facts and the notes every pack carries.

use std::collections::BTreeMap;

use league_model::{LeagueTable, Methodology, MetricStatus, Quarter, ScoreRun};

use crate::narrative::{and_list, count_word, cut_label, fmt_weight, quarter_months, thousands};
use crate::table::{DP, PackTable, Shorthand};

use super::types::*;

pub(super) fn method_facts(
    run: &ScoreRun,
    m: &Methodology,
    tables: &[&LeagueTable],
    quarter: Quarter,
) -> MethodFacts {
    let (cut_off, cut_off_configured) = m.cut_off(quarter);
    let mut weights: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for x in m
        .metrics
        .iter()
        .filter(|x| x.status == MetricStatus::Scored && x.weight != 1.0)
    {
        weights
            .entry(format!("{}", x.weight))
            .or_default()
            .push(x.id.clone());
    }
    let weights = weights
        .into_iter()
        .map(|(w, ids)| (w.parse().expect("formatted from f64"), ids))
        .collect();
    MethodFacts {
        methodology: format!(
            "{} {} (configuration {})",
            m.framework.name, m.framework.year, m.framework.config_version
        ),
        replicates: run.replicates,
        seed: run.seed,
        percentiles: (
            m.likely_ranges.lower_percentile,
            m.likely_ranges.upper_percentile,
        ),
        peer_percentiles: (
            m.statistics.peers.lower_percentile,
            m.statistics.peers.upper_percentile,
        ),
        override_cap: m.financial_override.cap_segment,
        segment5: m.segment5.segment,
        segment5_affects_rank: m.segment5.affects_rank,
        average_dp: m.rounding.average_dp,
        weights,
        peer_groups: tables.iter().map(|t| t.peer_group_label.clone()).collect(),
        cut_off,
        cut_off_configured,
    }
}

/// The notes, made once from the run's facts: the workbook's Notes sheet and the PDF's method
/// section both print these.
pub(super) fn notes(p: &NationalPack) -> Vec<Note> {
    let mut n = vec![
        coverage_note(p),
        method_note(p),
        override_note(p),
        segment5_note(p),
        likely_ranges_note(p),
        versus_peers_note(p),
        provenance_note(p),
        inferred_note(),
        limits_note(),
        rounding_note(p),
    ];
    if !p.sensitivity_summary.is_empty() {
        n.push(sensitivity_note(p));
    }
    let mut used: Vec<Shorthand> = p.tables().flat_map(PackTable::shorthand).collect();
    used.sort();
    used.dedup();
    if !used.is_empty() {
        n.push(Note {
            id: "shorthand",
            subject: "Shorthand".to_owned(),
            text: used
                .iter()
                .map(|s| format!("{} {}.", s.marker(), s.meaning()))
                .collect::<Vec<_>>()
                .join(" "),
        });
    }
    n.push(movement_note(p));
    n
}

/// The "coverage" note.
fn coverage_note(p: &NationalPack) -> Note {
    let groups: Vec<String> = p
        .segments
        .iter()
        .map(|g| format!("{} {}s", g.total(), g.label.to_lowercase()))
        .collect();
    Note {
        id: "coverage",
        subject: "Coverage".to_owned(),
        text: format!(
            "{} ({}): {}, in {} peer {}.",
            p.quarter,
            quarter_months(p.quarter),
            and_list(&groups),
            count_word(groups.len()),
            if groups.len() == 1 { "group" } else { "groups" }
        ),
    }
}

/// The "method" note.
fn method_note(p: &NationalPack) -> Note {
    let f = &p.method;
    let weights: Vec<String> = f
        .weights
        .iter()
        .map(|(w, ids)| format!("{} weigh {} each", and_list(ids), fmt_weight(*w)))
        .collect();
    let weights = if weights.is_empty() {
        "every metric weighs the same".to_owned()
    } else {
        format!("{}; the others weigh 1", weights.join("; "))
    };
    Note {
        id: "method",
        subject: "Method".to_owned(),
        text: format!(
            "Scores follow {} as this project's configuration states it. Each metric is scored 1 (best) to 4 by rank, against an operating standard or a floor, or by a bespoke mapping; a trust's scores are averaged ({weights}); the average is cut into segments 1 to 4; a trust in financial deficit or receiving deficit support is capped at segment {}. {}",
            f.methodology,
            f.override_cap,
            f.league_order()
        ),
    }
}

/// The "override" note.
fn override_note(p: &NationalPack) -> Note {
    let f = &p.method;
    let capped: u32 = p.segments.iter().map(|g| g.capped).sum();
    let not_known: u32 = p.segments.iter().map(|g| g.deficit_not_known).sum();
    Note {
        id: "override",
        subject: "The financial override".to_owned(),
        text: format!(
            "A trust in financial deficit or receiving deficit support is capped at segment {}: {} {} moved to a worse segment this quarter. \"Segment before the financial override\" shows the segment its average gives.{}",
            f.override_cap,
            capped,
            if capped == 1 {
                "trust was"
            } else {
                "trusts were"
            },
            if not_known > 0 {
                format!(
                    " The deficit status of {not_known} is not known, so the override could not be applied to them."
                )
            } else {
                String::new()
            }
        ),
    }
}

/// The "segment5" note.
fn segment5_note(p: &NationalPack) -> Note {
    let f = &p.method;
    let rsp: u32 = p.segments.iter().map(|g| g.recovery_support).sum();
    let rsp_unknown: u32 = p.segments.iter().map(|g| g.programme_not_known).sum();
    Note {
        id: "segment5",
        subject: format!("Recovery Support Programme (segment {})", f.segment5),
        text: format!(
            "Trusts in the Recovery Support Programme are NHS England's segment {}. The tables show it in its own column beside the segment 1 to 4 that {}, and the counts of segments 1 to 4 include these trusts. {}",
            f.segment5,
            if f.segment5_affects_rank {
                "the trust would otherwise have"
            } else {
                "the league order uses, because the programme does not change a trust's rank"
            },
            if rsp_unknown == 0 {
                format!(
                    "{rsp} {} in the programme this quarter.",
                    if rsp == 1 { "trust is" } else { "trusts are" }
                )
            } else {
                format!(
                    "{rsp} {} known to be in the programme this quarter; the input does not give the programme status of {rsp_unknown}, shown as \"Not known\".",
                    if rsp == 1 { "trust is" } else { "trusts are" }
                )
            }
        ),
    }
}

/// The "likely_ranges" note.
fn likely_ranges_note(p: &NationalPack) -> Note {
    let f = &p.method;
    Note {
        id: "likely_ranges",
        subject: "Likely ranges".to_owned(),
        text: format!(
            "Likely ranges of rank and average score are {}: each trust's metric scores are resampled with replacement that many times, with a fixed seed so that reruns give the same ranges. Where two trusts' likely ranges overlap, the difference between their positions may be due to chance. A change of rank between quarters is called significant only when the two quarters' likely ranges do not overlap, a cautious test that will miss some real changes.",
            f.likely_ranges()
        ),
    }
}

/// The "versus_peers" note: similar to peers.
fn versus_peers_note(p: &NationalPack) -> Note {
    let f = &p.method;
    Note {
        id: "versus_peers",
        subject: "Compared with the peer group".to_owned(),
        text: format!(
            "Each league table says whether a trust's average is better than, similar to or worse than its peer group's median average, as Fingertips compares an area with its benchmark. In each of the {} bootstrap replicates behind the likely ranges, the trust's resampled average is compared with the median of its peer group's resampled averages; the trust is better (or worse) when the {} interval of that difference lies wholly below (or above) 0, and similar when it includes 0. This is a statistic beside the rank, not part of NHS England's method: it changes no segment or rank.",
            thousands(f.replicates),
            f.peer_interval()
        ),
    }
}

/// The "sensitivity" note: what the alternatives are and how to read them.
fn sensitivity_note(p: &NationalPack) -> Note {
    let compared = p.sensitivity_summary.first().map_or(0, |s| s.compared);
    Note {
        id: "sensitivity",
        subject: "Sensitivity to the method's choices".to_owned(),
        text: format!(
            "Each alternative changes one choice of NHS England's method and recomputes every trust's segment and league rank with the rest unchanged: the financial override left off, each metric left out in turn, each domain weighted equally, quartiles taken within each peer group, and fixed thresholds in place of quartiles (the approach NHS England's 2026/27 methodology takes). The metric scores are as published; alternatives that change the averages cut at quartiles of their own averages. The table counts, of the {compared} trusts, those whose segment would change, and the mean and largest change of rank, as the OECD/JRC handbook's robustness step and COINr's remove_elements report. These are statistics beside the league tables: every published segment and rank stands as NHS England's method gives it."
        ),
    }
}

/// The "provenance" note.
fn provenance_note(p: &NationalPack) -> Note {
    Note {
        id: "provenance",
        subject: "Data provenance".to_owned(),
        text: p
            .provenance
            .iter()
            .map(GroupProvenance::sentence)
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// The "inferred" note.
fn inferred_note() -> Note {
    Note {
        id: "inferred",
        subject: "What is inferred".to_owned(),
        text: "NHS England does not publish every rule. The segment cut-points come from the published segments (they were cut across all trusts); the schemes of some metrics (ambulance measures, the infection rates) and a few rules fitted to the published figures are inferred and marked so in the configuration.".to_owned(),
    }
}

/// The "limits" note.
fn limits_note() -> Note {
    Note {
        id: "limits",
        subject: "Known limits".to_owned(),
        text: "A trust is scored only on the metrics a real source gives for it, as NHS England does for missing data, so an average resting on few metrics is less certain (its likely range is wider). Where this project does not have NHS England's own data file for a peer group, its values come from NHS England's statistical publications and may differ from NHS England's in definition or period; the metrics each table rests on are listed with it.".to_owned(),
    }
}

/// The "rounding" note.
fn rounding_note(p: &NationalPack) -> Note {
    let f = &p.method;
    Note {
        id: "rounding",
        subject: "Rounding".to_owned(),
        text: format!(
            "Every figure is rounded once, half away from zero, to {DP} decimal places, and every file shows that same figure; league order uses the average to {} decimal places.",
            f.average_dp
        ),
    }
}

/// The "movement" note.
fn movement_note(p: &NationalPack) -> Note {
    Note {
        id: "movement",
        subject: "Movement".to_owned(),
        text: match p.previous {
            Some(prev) => {
                let mut text = format!(
                    "The movement tables give each trust's segment and rank in every quarter from {} to {} and the change since {prev}. Each quarter is segmented at its own cut-points ({}), so a trust can change segment with an unchanged average.",
                    p.history.first().copied().unwrap_or(p.quarter),
                    p.quarter,
                    p.history_cuts
                        .iter()
                        .map(|(q, c)| {
                            format!(
                                "{q}: {}, {} and {}",
                                cut_label(c[0]),
                                cut_label(c[1]),
                                cut_label(c[2])
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                );
                if !p.earlier_from.is_empty() {
                    text.push_str(&format!(
                        " Earlier quarters are shown as their releases published them: {}.",
                        p.earlier_from
                            .iter()
                            .map(|(q, id)| format!("{q} from release {id}"))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ));
                }
                text
            }
            None => format!(
                "This release holds one quarter ({}), so it has no movement tables.",
                p.quarter
            ),
        },
    }
}
