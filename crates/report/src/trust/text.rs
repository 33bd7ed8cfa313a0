//! Sentences the letter and the board workbook share, so the two say the same thing.

use league_model::{NextSegmentPlan, NextSegmentStep, PlanOutcome};

use super::view::{MetricLine, Position, StatusView, TrustView};

/// A value with its unit at the metric's decimal places ("75.30%", "3.20 out of 10",
/// "4 infections"), joined by no-break spaces so a table never splits it across lines.
pub(crate) fn value(v: f64, unit: &str, dp: u8) -> String {
    let v = figure(v, dp);
    match unit {
        "%" => format!("{v}%"),
        "" => v,
        u if u.len() <= 10 => format!("{v} {u}").replace(' ', "\u{a0}"),
        u => format!("{v} {u}"),
    }
}

/// A figure at `dp` decimal places, as the metric's values are shown; a count's median or
/// quartile that falls between whole numbers keeps one place ("2.5", not "3").
pub(crate) fn figure(v: f64, dp: u8) -> String {
    let places = if dp == 0 && (v - v.round()).abs() > 1e-9 {
        1
    } else {
        dp
    };
    let r = league_model::number::round_dp(v, u32::from(places));
    format!("{r:.*}", usize::from(places))
}

/// The one phrase for the trust's segment, used wherever the segment appears: "Segment 2",
/// "Segment 5: Recovery Support Programme (league order as segment 4)", with
/// ", provisional: deficit status not known" when a status that could move it is not known.
pub(crate) fn segment_phrase(p: &Position, segment5: u8, cap: u8) -> String {
    let mut s = if p.programme == Some(true) {
        format!(
            "Segment {segment5}: Recovery Support Programme (league order as segment {})",
            p.segment
        )
    } else {
        format!("Segment {}", p.segment)
    };
    // Provisional only where a status that is not known could change the segment: the
    // override caps a trust in deficit at the cap segment (so it can move segments 1 and 2),
    // and the programme makes a segment 4 trust segment 5.
    let mut unknown = Vec::new();
    if p.in_deficit.is_none() && p.segment < cap {
        unknown.push("deficit status");
    }
    if p.programme.is_none() && p.segment == 4 {
        unknown.push("Recovery Support Programme status");
    }
    if !unknown.is_empty() {
        s.push_str(&format!(
            ", provisional: {} not known",
            crate::narrative::and_list(
                &unknown.iter().map(|u| (*u).to_owned()).collect::<Vec<_>>()
            )
        ));
    } else if p.in_deficit.is_none() {
        s.push_str(" (deficit status not known; it cannot change this segment)");
    }
    s
}

/// What the deficit flag is and where it comes from, for the trust's quarter.
pub(crate) fn deficit_flag(q: league_model::Quarter) -> String {
    format!(
        "NHS England's data for {q} flag the trust as in financial deficit (its financial override field, OF5004: a trust with an underlying deficit or receiving deficit support); the flag is NHS England's own and can differ from the planned surplus/deficit metric"
    )
}

/// Whether the financial override applied, and the segment before it.
pub(crate) fn override_sentence(p: &Position, cap: u8) -> String {
    match p.in_deficit {
        Some(true) if p.segment != p.before_override => format!(
            "The financial override applied. {}. The override therefore places the trust in segment {}, although its average gives segment {}.",
            deficit_flag(p.quarter),
            p.segment,
            p.before_override
        ),
        Some(true) => format!(
            "{}. The financial override places a trust in deficit no better than segment {cap}; it made no difference here, as the trust's average already places it in segment {cap} or worse.",
            deficit_flag(p.quarter)
        ),
        Some(false) => "The financial override did not apply: NHS England's data do not flag the trust as in financial deficit.".to_owned(),
        None => format!("No source gives the trust's deficit status for this quarter, so the financial override was not applied; a trust in deficit is placed no better than segment {cap}."),
    }
}

/// The Recovery Support Programme status.
pub(crate) fn programme_sentence(p: &Position, segment5: u8) -> String {
    match p.programme {
        Some(true) => format!(
            "The trust is in the Recovery Support Programme, which the framework calls segment {segment5}."
        ),
        Some(false) => "The trust is not in the Recovery Support Programme.".to_owned(),
        None => "No source for this quarter says whether the trust is in the Recovery Support Programme."
            .to_owned(),
    }
}

/// The intervention status with the rule that put the trust in it and the evidence.
pub(crate) fn status_sentence(s: &StatusView) -> String {
    let st = &s.status;
    if st.rule.is_empty() {
        format!(
            "Intervention status (this project's classification, not NHS England's): {}, the standard status when no other applies.",
            st.label
        )
    } else {
        // "Turnaround support, which applies to a trust in segment 4 or worse: in Q1 2025/26 the
        // trust is in segment 4."
        format!(
            "Intervention status (this project's classification, not NHS England's): {}, which applies to a trust {}: {}.",
            st.label,
            in_words(&st.rule),
            evidence_in_words(&st.evidence)
        )
    }
}

/// A rule as a phrase after "a trust": "in segment 4 or worse", "in the Recovery Support
/// Programme", "in segment 1, not in financial deficit in each of the last 2 quarters".
fn in_words(rule: &str) -> String {
    if rule.starts_with("segment") {
        format!("in {rule}")
    } else {
        rule.to_owned()
    }
}

/// Evidence items ("Q1 2025/26: segment 4") as a clause: "in Q1 2025/26 the trust is in
/// segment 4"; several joined with "and".
fn evidence_in_words(evidence: &[String]) -> String {
    let items: Vec<String> = evidence
        .iter()
        .map(|e| match e.split_once(": ") {
            Some((when, fact)) => {
                let fact = if fact.starts_with("segment") {
                    format!("in {fact}")
                } else if let Some(rest) = fact.strip_prefix("board capability ") {
                    format!("rated {rest} for board capability")
                } else if let Some(rest) = fact.strip_prefix("planned deficit ") {
                    format!("planning a deficit of {rest}")
                } else {
                    fact.to_owned()
                };
                format!("in {when} the trust is {fact}")
            }
            None => e.clone(),
        })
        .collect();
    crate::narrative::and_list(&items)
}

/// The board capability assessment, or that it was not assessed.
pub(crate) fn board_sentence(v: &TrustView) -> String {
    match &v.board {
        None => "Board capability assessment: not assessed (NHS England does not publish ratings; none was supplied).".to_owned(),
        Some(b) => {
            let areas: Vec<String> = b
                .areas
                .iter()
                .map(|(area, rating)| format!("{area}: {rating}"))
                .collect();
            format!(
                "Board capability assessment: overall {}{}.",
                b.overall.as_deref().unwrap_or("not given"),
                if areas.is_empty() {
                    String::new()
                } else {
                    format!("; {}", areas.join("; "))
                }
            )
        }
    }
}

/// Where the figures come from, said from the metric lines themselves.
pub(crate) fn sources_sentence(v: &TrustView) -> String {
    let reconstructed = v.reconstructed_metrics();
    let group = format!("{} {}s", v.position.of, v.group_label.to_lowercase());
    let mut s = if reconstructed == 0 {
        format!(
            "It uses NHS England's published figures for the trust and its peer group of {group}."
        )
    } else {
        format!(
            "This project does not have NHS England's data file for this peer group: {} in the average {} scored by this project from public statistics, with scoring rules partly inferred, so the segment, rank and average here are reconstructed by this project for its peer group of {group}; NHS England's own results may differ.",
            share(reconstructed, v.metrics_scored as usize),
            if reconstructed == 1 { "was" } else { "were" }
        )
    };
    let earlier = v.earlier_period_metrics();
    if earlier > 0 {
        s.push_str(&format!(
            " {} in the average {} a period that ended before {}, as the framework uses {} (marked \"earlier\").",
            capitalised(&share(earlier, v.metrics_scored as usize)),
            if earlier == 1 { "covers" } else { "cover" },
            v.quarter,
            if earlier == 1 { "it" } else { "them" }
        ));
    }
    s
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

/// "all 4 metrics", "1 of the 5 metrics", "3 of the 5 metrics".
fn share(n: usize, of: usize) -> String {
    match (n, of) {
        (n, of) if n == of && n > 1 => format!("all {n} metrics"),
        (1, 1) => "the one metric".to_owned(),
        (n, of) => format!("{n} of the {of} metrics"),
    }
}

/// For documents addressed to an organisation other than the trust as the data name it: what
/// they are about ("About: X (RNK), which merged into Y on 1 April 2026. ...").
pub(crate) fn about_sentence(v: &TrustView) -> Option<String> {
    let a = v.addressee.as_ref()?;
    Some(if a.merged {
        format!(
            "About: {} ({}), which merged into {} on {}. The figures are those of {} for {}.",
            v.name,
            v.code,
            a.name,
            a.since.long(),
            v.code,
            v.quarter
        )
    } else {
        format!(
            "About: your trust's figures for {}, when it was {} ({}); it has been {} since {}.",
            v.quarter,
            v.name,
            v.code,
            a.name,
            a.since.long()
        )
    })
}

/// "Against the median average of acute trusts: similar (the 95% interval of the difference,
/// -0.120 to 0.200 score points, includes 0; a lower average is better)."
pub(crate) fn versus_peers_sentence(v: &TrustView) -> Option<String> {
    let p = v.position.versus_peers?;
    let place = match p.comparison {
        league_model::PeerComparison::Better => "lies below 0",
        league_model::PeerComparison::Similar => "includes 0",
        league_model::PeerComparison::Worse => "lies above 0",
    };
    Some(format!(
        "Against the median average of {}s: {} (the {} interval of the difference, {:.3} to {:.3} score points, {place}).",
        v.group_label.to_lowercase(),
        p.comparison.label().to_lowercase(),
        v.peer_interval,
        p.difference.low,
        p.difference.high,
    ))
}

/// What the resampling behind the likely ranges measures, said wherever a range is described.
pub(crate) const RESAMPLING: &str = "resamples of its own metric scores, which show how much its position depends on which metrics it is scored on, not measurement error";

/// "18 metrics (the three infection metrics share one metric's weight, so the average is over
/// 16)" where weights are not all one; else "18 metrics".
pub(crate) fn metrics_weighted(v: &TrustView) -> String {
    let w = v.total_weight();
    if (w - f64::from(v.metrics_scored)).abs() < 1e-9 {
        format!("{} metrics", v.metrics_scored)
    } else {
        format!(
            "{} metrics (the three infection metrics count a third each, so the weights sum to {})",
            v.metrics_scored,
            crate::narrative::trim_number(w)
        )
    }
}

/// "In 62% of the 2,000 resamples the trust's segment is 3 and in 38% it is 4.", in segment
/// order; for a trust the override holds at the cap, that every resample is capped.
pub(crate) fn chances_sentence(p: &Position, replicates: u32, cap: u8) -> Option<String> {
    let c = p.segment_chances?;
    let n = crate::narrative::thousands(replicates);
    if p.in_deficit == Some(true) && p.before_override < cap && c[usize::from(cap) - 1] == 100 {
        return Some(format!(
            "Every one of the {n} resamples gives segment {cap}, because the financial override holds the trust there; on its metrics alone its average gives segment {}.",
            p.before_override
        ));
    }
    let said: Vec<String> = c
        .iter()
        .enumerate()
        .filter(|(_, x)| **x > 0)
        .enumerate()
        .map(|(k, (i, x))| {
            if k == 0 {
                format!(
                    "in {x}% of the {n} resamples the trust's segment is {}",
                    i + 1
                )
            } else {
                format!("in {x}% it is {}", i + 1)
            }
        })
        .collect();
    let mut out = crate::narrative::and_list(&said);
    if let Some(f) = out.get_mut(0..1) {
        f.make_ascii_uppercase();
    }
    Some(format!("{out}."))
}

/// A reporting period in the one form documents write ("Q1 2025/26", "Jul-24 to Jun-25"), each
/// part of a combined score's periods in turn; a label that cannot be read is shown as given.
pub(crate) fn period_label(label: &str, q: league_model::Quarter) -> String {
    label
        .split("; ")
        .map(|part| {
            league_model::ReportingPeriod::parse(part, q)
                .map_or_else(|_| part.to_owned(), |p| p.label())
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A metric's period as documents show it: in one form, with "(earlier)" for a period that
/// ended before the quarter began and "(plan)" for a plan set before its year.
pub(crate) fn period_shown(l: &MetricLine, q: league_model::Quarter) -> String {
    let label = period_label(&l.period, q);
    if l.earlier_period {
        format!("{label} (earlier)")
    } else if l.plan {
        format!("{label} (plan)")
    } else {
        label
    }
}

/// "June 2025".
pub(crate) fn month_long((y, m): (u16, u8)) -> String {
    format!("{} {y}", crate::narrative::MONTHS[usize::from(m) - 1])
}

/// A value with its unit: "71.2%", "32.6 minutes"; a value that rounds to 0 prints as 0, never
/// "-0.0".
pub(crate) fn with_unit(v: f64, unit: &str) -> String {
    let v = if v.abs() < 0.05 { 0.0 } else { v };
    if unit == "%" {
        format!("{v:.1}%")
    } else {
        format!("{v:.1} {unit}")
    }
}

/// One monthly measure as the letter's table shows it: id, name, latest value and month, the
/// variation (with the rules of the latest month), the assurance, the funnel position.
pub(crate) fn monthly_cells(l: &super::view::MonthlyLine) -> Vec<String> {
    use league_model::{Assurance, FunnelPosition, Variation};
    let s = &l.series;
    let last = *s.months.last().expect("a chart has points");
    let variation = match s.variation {
        Variation::CommonCause => "Common cause",
        Variation::Improvement => "Improvement",
        Variation::Concern => "Concern",
    };
    let months = if s.trial {
        format!("{}, trial", s.values.len())
    } else {
        s.values.len().to_string()
    };
    let assurance = match (s.assurance, &l.standard) {
        (Some(a), Some((t, _))) => format!(
            "{} {}",
            match a {
                Assurance::ConsistentlyPassing => "Passing",
                Assurance::ConsistentlyFailing => "Failing",
                Assurance::HitAndMiss => "Hit and miss",
            },
            with_unit(*t, &l.unit)
        ),
        _ => "[z]".to_owned(),
    };
    let funnel = l.funnel.as_ref().map_or("[z]".to_owned(), |f| {
        let side = |p: FunnelPosition| match (p, l.higher_is_better) {
            (FunnelPosition::Within, _) => None,
            (FunnelPosition::Above, true) | (FunnelPosition::Below, false) => Some("Better"),
            _ => Some("Worse"),
        };
        match (side(f.position[0]), side(f.position[1])) {
            (None, _) => format!("Within {}", f.coverage[0]),
            (Some(s), None) => format!("{s} ({})", f.coverage[0]),
            (_, Some(s)) => format!("{s} ({})", f.coverage[1]),
        }
    });
    vec![
        l.id.clone(),
        l.short_name.clone(),
        format!(
            "{} {}",
            with_unit(*s.values.last().expect("points"), &l.unit),
            month_short(last)
        ),
        months,
        variation.to_owned(),
        assurance,
        funnel,
    ]
}

/// What one monthly measure's SPC chart and funnel show, in sentences that say only that.
pub(crate) fn monthly_sentence(v: &TrustView, l: &super::view::MonthlyLine) -> String {
    use league_model::{Assurance, FunnelPosition, Variation};
    let s = &l.series;
    let last = *s.months.last().expect("a chart has points");
    let latest = *s.values.last().expect("a chart has points");
    let rules = s.rules.last().map(|r| r.label()).unwrap_or_default();
    let mut out = format!(
        "{}: {} in {}. {} Charted over {} months from {}{}: mean {}, process limits {} to {}.",
        l.name,
        with_unit(latest, &l.unit),
        month_long(last),
        match s.variation {
            Variation::CommonCause => "Common cause variation: no sign of a change.".to_owned(),
            Variation::Improvement => format!("Special cause variation, an improvement ({rules})."),
            Variation::Concern => format!("Special cause variation, a concern ({rules})."),
        },
        s.values.len(),
        month_long(s.months[0]),
        if s.trial {
            " (trial limits: too few months for settled ones)"
        } else {
            ""
        },
        with_unit(s.mean, &l.unit),
        // A lower limit below 0 is no limit for a count-based measure: it reads as 0.
        with_unit(s.limits.0.max(0.0), &l.unit),
        with_unit(s.limits.1, &l.unit),
    );
    if let (Some(a), Some((standard, note))) = (s.assurance, &l.standard) {
        out.push_str(&format!(
            " Against the standard of {}, {note}: {}.",
            with_unit(*standard, &l.unit),
            match a {
                Assurance::ConsistentlyPassing => "consistently passing (the limits lie on the passing side)",
                Assurance::ConsistentlyFailing => "consistently failing (the limits lie on the failing side: it will not be met without change)",
                Assurance::HitAndMiss => "hit and miss (the standard lies between the limits)",
            }
        ));
    }
    if let Some(f) = &l.funnel {
        let side = |p: FunnelPosition| match (p, l.higher_is_better) {
            (FunnelPosition::Within, _) => "within",
            (FunnelPosition::Above, true) | (FunnelPosition::Below, false) => "better than",
            _ => "worse than",
        };
        let place = match (side(f.position[0]), side(f.position[1])) {
            ("within", _) => format!(
                "within the {} limits, no different from its peers",
                f.coverage[0]
            ),
            (inner, "within") => format!(
                "beyond the {} limits but within the {}: possibly {inner} its peers",
                f.coverage[0], f.coverage[1]
            ),
            (_, outer) => format!(
                "beyond the {} limits: {outer} its peers beyond chance (with no adjustment for case mix)",
                f.coverage[1]
            ),
        };
        out.push_str(&format!(
            " Funnel plot of {} {}s, {}: {:.2}% ({} of {}), {place}.",
            f.trusts,
            v.group_label.to_lowercase(),
            f.period,
            f.percentage,
            crate::narrative::thousands(f.counts.0.round() as u32),
            crate::narrative::thousands(f.counts.1.round() as u32),
        ));
    }
    out
}

/// "Jun 2025".
pub(crate) fn month_short((y, m): (u16, u8)) -> String {
    month_long((y, m)).chars().take(3).collect::<String>() + &format!(" {y}")
}

/// Who a document speaks to: the trust's board ("your trust", unless the trust has merged into
/// another) or the public ("the trust").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Voice {
    /// The letter and board workbook.
    Board,
    /// The public site.
    Public,
}

impl Voice {
    fn pick(self, v: &TrustView, yours: &'static str, theirs: &'static str) -> &'static str {
        match self {
            Voice::Board => v.you(yours, theirs),
            Voice::Public => theirs,
        }
    }
}

/// The headings of the "what it would take" table.
pub(crate) const PLAN_COLUMNS: [&str; 5] = [
    "Metric",
    "Value now",
    "Target",
    "Score now",
    "Score at target",
];

/// "What it would take", as every document says it: paragraphs before the table of steps, the
/// table (caption and rows; no rows when the plan has no steps), paragraphs after it.
pub(crate) struct PlanText {
    pub before: Vec<String>,
    pub caption: String,
    pub steps: Vec<Vec<String>>,
    pub after: Vec<String>,
}

/// What it would take the trust to reach the next segment, in words and a table.
pub(crate) fn plan_text(v: &TrustView, voice: Voice) -> PlanText {
    let mut t = PlanText {
        before: Vec::new(),
        caption: String::new(),
        steps: Vec::new(),
        after: Vec::new(),
    };
    let Some(plan) = &v.next_segment else {
        t.before.push(
            "No improvement plan could be computed for this trust from the figures held."
                .to_owned(),
        );
        return t;
    };
    if let Some(a) = v.addressee.as_ref().filter(|a| a.merged) {
        t.before.push(format!(
            "{} ({}) merged into {} on {}: this section describes its position in {}, for information.",
            v.name,
            v.code,
            a.name,
            a.since.long(),
            v.quarter
        ));
    }
    plan_outcome(v, plan, voice, &mut t);
    if v.position.programme == Some(true) {
        t.after.push(
            "Leaving the Recovery Support Programme is decided by NHS England against the trust's agreed exit criteria, not by metric scores alone.".to_owned(),
        );
    }
    let capped = matches!(plan.outcome, PlanOutcome::CappedByOverride { .. });
    if !plan.not_modelled.is_empty() && !capped {
        t.after.push(format!(
            "Left as {}, because a new value cannot be scored: {}.",
            if plan.not_modelled.len() == 1 {
                "it is"
            } else {
                "they are"
            },
            not_modelled(plan)
        ));
    }
    t
}

/// The metrics the plan leaves as they are, by id (Table 1 names them), grouped by why:
/// "OF1046 and OF1069 (NHS England's data give only the score) and OF1080 (it combines two
/// other scores)".
fn not_modelled(plan: &NextSegmentPlan) -> String {
    let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
    for (id, why) in &plan.not_modelled {
        match groups.iter_mut().find(|(w, _)| *w == why.as_str()) {
            Some((_, ids)) => ids.push(id.clone()),
            None => groups.push((why, vec![id.clone()])),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(why, ids)| format!("{} ({why})", crate::narrative::and_list(ids)))
        .collect();
    crate::narrative::and_list(&parts)
}

fn plan_outcome(v: &TrustView, plan: &NextSegmentPlan, voice: Voice, t: &mut PlanText) {
    match &plan.outcome {
        PlanOutcome::AlreadyBest => t.before.push(format!(
            "The trust is in segment 1, the best segment: its average of {:.2} is {:.3} inside the cut-point of {:.3}, and it stays in segment 1 while its average stays inside that cut-point{}.",
            v.position.average,
            v.cuts[0] - v.position.average,
            v.cuts[0],
            if v.cuts_move {
                " (the cut-points are quartiles of all trusts' averages, so they move a little each quarter)"
            } else {
                ""
            }
        )),
        PlanOutcome::CappedByOverride {
            cap,
            before_override,
        } => t.before.push(format!(
            "{}. Under the financial override a trust in deficit is placed no better than segment {cap}, whatever its metrics, so no improvement in metrics alone can lift it above segment {cap}. Its average gives segment {before_override}: the route out of the cap is financial, and once NHS England's data no longer flag the trust, its segment follows its average again.",
            deficit_flag(v.quarter)
        )),
        PlanOutcome::NoPath {
            target,
            best_average,
        } => t.before.push(format!(
            "No combination of the metrics that can be re-scored reaches segment {target}: with every one of them at {}, {} average would be {best_average:.2}, still short of the cut-point of {:.3}.",
            v.target_bound,
            voice.pick(v, "your", "its"),
            v.cuts[usize::from(*target).saturating_sub(1).min(2)]
        )),
        PlanOutcome::Path {
            target,
            steps,
            new_average,
            exact_average,
            cut_point,
        } => path_text(
            v,
            voice,
            (*target, steps),
            (*new_average, *exact_average, *cut_point),
            t,
        ),
    }
}

/// The path to the next segment: the sentence that says what it would take, the caveats, and
/// the table of steps. The averages are the new average to 2 dp, unrounded, and the cut-point
/// it is measured against.
fn path_text(
    v: &TrustView,
    voice: Voice,
    (target, steps): (u8, &[NextSegmentStep]),
    (new_average, exact_average, cut_point): (f64, f64, f64),
    t: &mut PlanText,
) {
    use crate::narrative::counted;
    let line = |id: &str| v.metric(id);
    let annual = steps
        .iter()
        .any(|s| line(&s.metric_id).is_some_and(|l| l.annual));
    // A target that is the metric's national standard scores 1 by meeting it: said,
    // since the jump in score is otherwise unexplained.
    let standards: Vec<String> = steps
        .iter()
        .filter(|s| {
            line(&s.metric_id)
                .and_then(|l| l.standard)
                .is_some_and(|x| (x - s.to_value).abs() < 1e-9)
        })
        .map(|s| s.metric_id.clone())
        .collect();
    let margin = cut_point - exact_average;
    t.before.push(format!(
        "The fewest metric improvements that would move {} into segment {target}: {}. {} the value to reach or better, and goes no further than {}. With {}, {} average would be {exact_average:.3} ({new_average:.2} to 2 dp, as averages are published), {margin:.3} inside segment {target}'s cut-point of {cut_point:.3}{}.{}{}",
        voice.pick(v, "your trust", "the trust"),
        counted(steps.len(), "metric"),
        if steps.len() == 1 {
            "The target is"
        } else {
            "Each target is"
        },
        v.target_bound,
        if steps.len() == 1 {
            "it"
        } else {
            "all of them"
        },
        voice.pick(v, "your", "its"),
        if margin + 1e-9 < v.margin {
            format!(
                ", less than the {:.2} this calculation looks for: no choice of {} leaves more",
                v.margin,
                counted(steps.len(), "metric")
            )
        } else {
            String::new()
        },
        if v.cuts_move {
            " The cut-points are quartiles of all trusts' averages and would move a little with the trust's."
        } else {
            ""
        },
        queried_sentence(v, steps)
    ));
    t.before.push(format!(
        "This is arithmetic on this quarter's published figures, not a forecast: each new value is scored against the other trusts' current values, every other metric held as it is.{}{}",
        if annual {
            " A metric marked as changing once a year cannot meet its target within a quarter."
        } else {
            ""
        },
        match standards.len() {
            0 => String::new(),
            1 => format!(
                " The target for {} is its national standard, which scores 1 when met.",
                standards[0]
            ),
            _ => format!(
                " The targets for {} are their national standards, which score 1 when met.",
                crate::narrative::and_list(&standards)
            ),
        }
    ));
    t.caption = format!(
        "Table {}: what it would take to reach segment {target}",
        if v.monthly.is_empty() { 3 } else { 4 }
    );
    t.steps = steps.iter().map(|s| step_row(v, s)).collect();
}

/// One step of the path as a table row: the metric (with its long unit and whether it changes
/// once a year), its value now and its target, its score now and at the target.
fn step_row(v: &TrustView, s: &NextSegmentStep) -> Vec<String> {
    let line = |id: &str| v.metric(id);
    let (unit, dp) = line(&s.metric_id).map_or(("", 2), |l| (l.unit.as_str(), l.value_dp));
    // A long unit ("percentage points") goes beside the name, once, so the
    // value cells stay on one line.
    let long = unit.chars().count() > 10;
    let name = line(&s.metric_id).map_or_else(
        || s.metric_id.clone(),
        |l| {
            let mut tags = vec![l.id.clone()];
            if long {
                tags.push(format!("in {unit}"));
            }
            if l.annual {
                tags.push("changes once a year".to_owned());
            }
            format!("{} ({})", l.name, tags.join("; "))
        },
    );
    let shown = |x: f64| {
        if long {
            figure(x, dp)
        } else {
            value(x, unit, dp)
        }
    };
    vec![
        name,
        shown(s.from_value),
        shown(s.to_value),
        format!("{:.2}", s.from_score),
        format!("{:.2}", s.to_score),
    ]
}

/// A queried value the path leaves as it is still counts in the average: said.
fn queried_sentence(v: &TrustView, steps: &[NextSegmentStep]) -> String {
    let queried: Vec<String> = v
        .metrics
        .iter()
        .filter(|l| l.in_average && l.queried.is_some())
        .filter(|l| steps.iter().all(|s| s.metric_id != l.id))
        .map(|l| l.id.clone())
        .collect();
    match queried.len() {
        0 => String::new(),
        1 => format!(
            " The path assumes the queried value of {} stands as published.",
            queried[0]
        ),
        _ => format!(
            " The path assumes the queried values of {} stand as published.",
            crate::narrative::and_list(&queried)
        ),
    }
}
