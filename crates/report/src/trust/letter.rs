//! The improvement letter: a tagged PDF to a trust's Chair and Chief Executive, in the order the
//! issue sets: where you stand, what changed, your metrics, what drives your position, what it
//! would take, what happens next. It is built from the trust's view only and names no other
//! trust.

use league_model::{NextSegmentPlan, NextSegmentStep, PlanOutcome};

use crate::narrative::{counted, quarter_months};
use crate::pdf::{Block, ColumnSpec, DocumentInfo, PdfError, Table, WIDTH};
use crate::publication::Publication;

use super::text;
use super::view::{MetricLine, Position, TrustView};

/// How many metrics "what drives your position" names on each side (a metric appears on
/// one side only: the sides are split by the sign of its effect).
const DRIVERS: usize = 3;

/// Renders the letter.
pub fn letter_pdf(v: &TrustView, publication: &Publication) -> Result<Vec<u8>, PdfError> {
    let mut blocks = opening(v, publication);
    blocks.extend(where_you_stand(v));
    blocks.extend(what_changed(v));
    blocks.extend(your_metrics(v));
    blocks.extend(monthly(v));
    blocks.extend(drivers(v));
    blocks.extend(what_it_would_take(v));
    blocks.extend(what_happens_next(v, publication));
    let title = format!(
        "NHS Oversight Framework letter to {}, {}",
        v.name, v.quarter
    );
    let info = DocumentInfo {
        title: title.clone(),
        running_header: format!("{} \u{2013} {} \u{2013} {}", v.reference, v.name, v.quarter),
        language: publication.language.clone(),
        author: publication.organisation.clone(),
        date: publication.release_ymd(),
        document_id: format!("league-tables {} {}", v.reference, publication.release_date),
    };
    crate::pdf::render(&info, &blocks)
}

fn opening(v: &TrustView, publication: &Publication) -> Vec<Block> {
    let mut head = vec![
        format!("Reference: {}", v.reference),
        format!("Date: {}", publication.release_long()),
        format!("Data as of: {}", v.data_as_of),
    ];
    match &v.addressee {
        None => head.push(format!(
            "To: the Chair and the Chief Executive, {} ({})",
            v.name, v.code
        )),
        Some(a) => {
            head.push(format!(
                "To: the Chair and the Chief Executive, {} ({})",
                a.name, a.code
            ));
            head.extend(text::about_sentence(v));
        }
    }
    head.push(format!(
        "From: {}, {}",
        publication.organisation, publication.organisation_description
    ));
    head.extend(publication.address.iter().cloned());
    vec![
        Block::TitlePage {
            title: format!("NHS Oversight Framework: {}", v.quarter),
            subtitle: v.name.clone(),
            band: 120.0,
        },
        Block::List(head),
        Block::paragraph("Dear Chair and Chief Executive,"),
        Block::paragraph(format!(
            "This letter sets out where {} stands in the NHS Oversight Framework for {} ({}), what drives its position, what it would take to reach the next segment, and what happens next. {} The accompanying board workbook holds the same figures, each monthly measure's chart and the peer group's league table.",
            if v.addressee.as_ref().is_some_and(|a| a.merged) {
                format!("{} ({})", v.name, v.code)
            } else {
                "your trust".to_owned()
            },
            v.quarter,
            quarter_months(v.quarter),
            text::sources_sentence(v)
        )),
    ]
}

fn where_you_stand(v: &TrustView) -> Vec<Block> {
    let p = &v.position;
    let mut rank = format!(
        "Rank {} of {} {}s. Its likely range is {} to {}: the ranks it takes in the middle 95% of {} {}.",
        p.rank,
        p.of,
        v.group_label.to_lowercase(),
        p.rank_range.0,
        p.rank_range.1,
        crate::narrative::thousands(v.replicates),
        text::RESAMPLING
    );
    if p.average_rank != p.rank {
        rank.push_str(&format!(
            " On average score alone it would rank {}: the league orders trusts by segment first.",
            p.average_rank
        ));
    }
    if (p.rank_range.1 - p.rank_range.0) as usize * 2 > p.of {
        rank.push_str(" The range is wide: the rank is uncertain.");
    }
    let mut average = format!(
        "Average metric score {:.2} (likely range {:.2} to {:.2}; 1 is best, 4 worst), resting on {}.",
        p.average,
        p.average_range.0,
        p.average_range.1,
        text::metrics_weighted(v)
    );
    if v.metrics_scored <= 5 {
        average
            .push_str(" With so few metrics, a change in any one of them moves the average a lot.");
    }
    if let Some(s) = text::versus_peers_sentence(v) {
        average.push(' ');
        average.push_str(&s);
    }
    let mut lines = vec![
        format!(
            "{} (1 best, 4 worst; segment {}, the Recovery Support Programme, is decided separately). {}",
            text::segment_phrase(p, v.segment5, v.cap),
            v.segment5,
            text::override_sentence(p, v.cap)
        ),
        rank,
        average,
        text::programme_sentence(p, v.segment5),
        text::status_sentence(&v.status),
    ];
    if let Some(c) = text::chances_sentence(p, v.replicates, v.cap) {
        lines.insert(3, c);
    }
    if v.synthetic_metrics > 0 {
        lines.push(format!(
            "Synthetic: {} of the {} metrics behind this average are synthetic test data, not real figures.",
            v.synthetic_metrics, v.metrics_scored
        ));
    }
    if v.other_period_metrics > 0 {
        lines.push(format!(
            "{} of the {} metrics come from a publication for another period.",
            v.other_period_metrics, v.metrics_scored
        ));
    }
    let mut b = vec![
        Block::heading(
            2,
            v.you("1. Where you stand", "1. Where the trust stands"),
            120.0,
        ),
        Block::List(lines),
    ];
    if !v.status.status.not_assessed.is_empty() {
        b.push(Block::paragraph(
            "Statuses the data could neither confirm nor rule out:",
        ));
        b.push(Block::List(
            v.status
                .status
                .not_assessed
                .iter()
                .map(|n| format!("{n}."))
                .collect(),
        ));
    }
    b.push(Block::paragraph(text::board_sentence(v)));
    b
}

fn what_changed(v: &TrustView) -> Vec<Block> {
    let now = &v.position;
    let text = match v.previous() {
        None => format!(
            "{} is the first quarter for which we hold {} figures, so there is no earlier quarter to compare with.",
            v.quarter,
            v.you("your trust's", "the trust's")
        ),
        Some(before) => movement_sentence(v.you("your trust", "the trust"), before, now),
    };
    vec![
        Block::heading(2, "2. What changed since last quarter", 60.0),
        Block::paragraph(text),
    ]
}

fn movement_sentence(who: &str, before: &Position, now: &Position) -> String {
    let places = i64::from(before.rank) - i64::from(now.rank);
    let moved = match places {
        0 => "the same rank".to_owned(),
        n if n > 0 => format!("up {n} place{}", if n == 1 { "" } else { "s" }),
        n => format!("down {} place{}", -n, if n == -1 { "" } else { "s" }),
    };
    let segment = if before.segment == now.segment {
        format!("stayed in segment {}", now.segment)
    } else {
        format!(
            "moved from segment {} to segment {}",
            before.segment, now.segment
        )
    };
    let significance = if places == 0 {
        String::new()
    } else if before.significantly_different(now) {
        format!(
            " The change in rank is significant: the likely ranges ({} to {}, then {} to {}) do not overlap.",
            before.rank_range.0, before.rank_range.1, now.rank_range.0, now.rank_range.1
        )
    } else {
        format!(
            " The change in rank is not significant: the likely ranges ({} to {}, then {} to {}) overlap.",
            before.rank_range.0, before.rank_range.1, now.rank_range.0, now.rank_range.1
        )
    };
    format!(
        "In {} {who} was ranked {} of {}; in {} it is ranked {} of {}, {moved}, and it {segment}.{significance}",
        before.quarter, before.rank, before.of, now.quarter, now.rank, now.of
    )
}

/// The monthly measures in one table: the latest month, its SPC variation and assurance icons,
/// and the funnel position (the letter keeps to four pages; the board workbook has every month
/// and a chart of each series).
fn monthly(v: &TrustView) -> Vec<Block> {
    if v.monthly.is_empty() {
        return Vec::new();
    }
    let last = *v.monthly[0].series.months.last().expect("points");
    vec![Block::Table(Table {
        caption: format!(
            "Table 3: monthly measures to {}: the latest month's SPC variation and assurance (Making Data Count) and the funnel position among {}s, computed here from monthly publications, not NOF values; the board workbook charts each month",
            text::month_long(last),
            v.group_label.to_lowercase()
        ),
        columns: vec![
            ColumnSpec::whole("Id"),
            ColumnSpec::text("Measure").width(WIDTH),
            ColumnSpec::whole("Latest"),
            ColumnSpec::whole("Months"),
            ColumnSpec::whole("Variation"),
            ColumnSpec::whole("Assurance"),
            ColumnSpec::whole("Funnel"),
        ],
        rows: v.monthly.iter().map(text::monthly_cells).collect(),
    })]
}

fn your_metrics(v: &TrustView) -> Vec<Block> {
    let rows = v.metrics.iter().map(|l| metric_row(v, l)).collect();
    let domains = v
        .domains
        .iter()
        .map(|d| {
            vec![
                d.name.clone(),
                format!("{:.2}", d.score),
                d.segment.to_string(),
                format!("{:.3}, {:.3}, {:.3}", d.cuts[0], d.cuts[1], d.cuts[2]),
                format!("{} of {}", d.rank, v.position.of),
            ]
        })
        .collect();
    let who = v.you("your trust", "the trust");
    let unit_key = unit_key(v);
    vec![
        Block::heading(2, format!("3. {} metrics", v.you("Your", "The trust's")), 120.0),
        Block::paragraph(format!(
            "Each metric {who} is scored on: value and unit, which direction is better, score (1 best, 4 worst), the median and quartiles of the {} {}s' values, and rank among trusts with a value. \"In average\" No: it feeds a combined score. [x]: not published for {who}; [z]: does not apply; [u]: fewer than {} trusts to compare.{unit_key}",
            v.position.of,
            v.group_label.to_lowercase(),
            v.peer_minimum
        )),
        Block::Table(Table {
            caption: format!("Table 1: {} metrics, {}", v.you("your", "the trust's"), v.quarter),
            columns: vec![
                ColumnSpec::text("Metric").width(WIDTH),
                ColumnSpec::number("Value"),
                ColumnSpec::text("Unit"),
                ColumnSpec::text("Better"),
                ColumnSpec::text("In average"),
                ColumnSpec::number("Score"),
                ColumnSpec::number("Peer median (quartiles)"),
                ColumnSpec::number("Rank"),
                ColumnSpec::text("Period").width(66.0),
            ],
            rows,
        }),
    ]
    .into_iter()
    .chain([
        Block::Table(Table {
            caption: format!(
                "Table 2: {} domain scores, {}, each segmented at the domain's own cut-points",
                v.you("your", "the trust's"),
                v.quarter
            ),
            columns: vec![
                ColumnSpec::text("Domain").width(WIDTH),
                ColumnSpec::number("Score"),
                ColumnSpec::number("Segment"),
                ColumnSpec::whole("Cut-points"),
                ColumnSpec::whole("Rank"),
            ],
            rows: domains,
        }),
    ])
    .collect()
}

/// One metric's row of Table 1. [z] where no trust has a value (a score-only metric), [x]
/// where this one has none, [u] where too few trusts have one to compare.
fn metric_row(v: &TrustView, l: &MetricLine) -> Vec<String> {
    let num = |x: f64| text::figure(x, l.value_dp);
    vec![
        format!("{} ({})", l.name, l.id),
        // [z] where no trust has a value (a score-only metric), [x] where this one has
        // none.
        match (l.value, &l.queried) {
            (None, _) if l.score_only => "[z]".into(),
            (None, _) => "[x]".into(),
            (Some(x), Some(_)) => format!("{} (queried)", num(x)),
            (Some(x), None) => num(x),
        },
        if l.value.is_some() {
            // A short unit ("out of 10") stays on one line; a long one may wrap.
            if l.unit.len() <= 10 {
                l.unit.replace(' ', "\u{a0}")
            } else {
                l.unit.clone()
            }
        } else {
            "[z]".into()
        },
        match (l.value, l.higher_is_better) {
            (None, _) => "[z]".into(),
            (_, true) => "Higher".into(),
            (_, false) => "Lower".into(),
        },
        if l.in_average { "Yes" } else { "No" }.into(),
        format!("{:.2}", l.score),
        if l.comparable {
            l.spread.map_or_else(
                || if l.score_only { "[z]" } else { "[x]" }.into(),
                |s| {
                    format!(
                        "{} ({}\u{a0}to\u{a0}{})",
                        num(s.median),
                        num(s.lower_quartile),
                        num(s.upper_quartile)
                    )
                },
            )
        } else {
            "too few trusts to compare".into()
        },
        match l.value_rank {
            _ if !l.comparable => "[u]".into(),
            None if l.score_only => "[z]".into(),
            None => "[x]".into(),
            Some(r) => format!("{r}\u{a0}of\u{a0}{}", l.ranked),
        },
        text::period_shown(l, v.quarter),
    ]
}

/// The table key's sentences on units that need a word ("OF1048 and OF1088: a rate as NHS
/// England gives it, without saying per what.") and on queried values.
fn unit_key(v: &TrustView) -> String {
    // Units that need a word ("OF1048 and OF1088: a rate as NHS England gives it, without
    // saying per what."), in the table's key.
    let mut unit_notes: Vec<(&str, Vec<String>)> = Vec::new();
    for l in &v.metrics {
        if let Some(note) = l.unit_note.as_deref() {
            match unit_notes.iter_mut().find(|(n, _)| *n == note) {
                Some((_, ids)) => ids.push(l.id.clone()),
                None => unit_notes.push((note, vec![l.id.clone()])),
            }
        }
    }
    unit_notes
        .iter()
        .map(|(note, ids)| format!(" {}: {note}.", crate::narrative::and_list(ids)))
        .chain(v.metrics.iter().filter_map(|l| {
            l.queried.as_ref().map(|why| {
                format!(
                    " {} is queried, not changed: {why}; it is scored as published.",
                    l.id
                )
            })
        }))
        .collect()
}

fn drivers(v: &TrustView) -> Vec<Block> {
    let mut costs: Vec<_> = v
        .metrics
        .iter()
        .filter(|l| l.comparable && l.effect > 0.0)
        .collect();
    costs.sort_by(|a, b| b.effect.total_cmp(&a.effect).then_with(|| a.id.cmp(&b.id)));
    let mut helps: Vec<_> = v
        .metrics
        .iter()
        .filter(|l| l.comparable && l.effect < 0.0)
        .collect();
    helps.sort_by(|a, b| a.effect.total_cmp(&b.effect).then_with(|| a.id.cmp(&b.id)));
    let line = |l: &&super::view::MetricLine| {
        format!(
            "{} ({}{}): score {:.2}, peer median score {:.2}, {} {:.3} {} {} average.",
            l.name,
            l.id,
            if l.queried.is_some() {
                "; value queried"
            } else {
                ""
            },
            l.score,
            l.peer_median_score,
            if l.effect > 0.0 { "adding" } else { "taking" },
            l.effect.abs(),
            if l.effect > 0.0 { "to" } else { "off" },
            v.you("your", "its")
        )
    };
    // "The metric that cost ..." for one, "The three metrics that cost ..." for more.
    let named = |n: usize| {
        if n == 1 {
            "metric".to_owned()
        } else {
            counted(n, "metric")
        }
    };
    let mut b = vec![
        Block::heading(
            2,
            format!("4. What drives {} position", v.you("your", "the trust's")),
            100.0,
        ),
        Block::paragraph(format!(
            "Each metric's effect is its score less the peer group's median score, weighted as in {avg} average of {}: what it adds to or takes off {avg} average against a trust at the peer median score.",
            text::metrics_weighted(v),
            avg = v.you("your", "the trust's")
        )),
    ];
    if costs.is_empty() {
        b.push(Block::paragraph(
            "No metric scores worse than the peer median.",
        ));
    } else {
        b.push(Block::paragraph(format!(
            "The {} that cost {} most:",
            named(costs.len().min(DRIVERS)),
            v.you("your trust", "the trust")
        )));
        b.push(Block::List(costs.iter().take(DRIVERS).map(line).collect()));
    }
    if !helps.is_empty() {
        b.push(Block::paragraph(format!(
            "{} strongest {}:",
            v.you("Your trust's", "The trust's"),
            named(helps.len().min(DRIVERS))
        )));
        b.push(Block::List(helps.iter().take(DRIVERS).map(line).collect()));
    }
    b
}

fn what_it_would_take(v: &TrustView) -> Vec<Block> {
    let mut b = vec![Block::heading(2, "5. What it would take", 100.0)];
    let Some(plan) = &v.next_segment else {
        b.push(Block::paragraph(
            "No improvement plan could be computed for this trust from the figures held.",
        ));
        return b;
    };
    if let Some(a) = v.addressee.as_ref().filter(|a| a.merged) {
        b.push(Block::paragraph(format!(
            "{} ({}) merged into {} on {}: this section describes its position in {}, for information.",
            v.name,
            v.code,
            a.name,
            a.since.long(),
            v.quarter
        )));
    }
    b.extend(plan_blocks(v, plan));
    if v.position.programme == Some(true) {
        b.push(Block::paragraph(
            "Leaving the Recovery Support Programme is decided by NHS England against the trust's agreed exit criteria, not by metric scores alone.",
        ));
    }
    let capped = matches!(plan.outcome, PlanOutcome::CappedByOverride { .. });
    if !plan.not_modelled.is_empty() && !capped {
        b.push(Block::paragraph(format!(
            "Left as {}, because a new value cannot be scored: {}.",
            if plan.not_modelled.len() == 1 {
                "it is"
            } else {
                "they are"
            },
            not_modelled(plan)
        )));
    }
    b
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

fn plan_blocks(v: &TrustView, plan: &NextSegmentPlan) -> Vec<Block> {
    match &plan.outcome {
        PlanOutcome::AlreadyBest => vec![Block::paragraph(
            "The trust is in segment 1, the best segment. Holding it depends on every metric staying where it is against the peer group.",
        )],
        PlanOutcome::CappedByOverride {
            cap,
            before_override,
        } => vec![Block::paragraph(format!(
            "{}. Under the financial override a trust in deficit is placed no better than segment {cap}, whatever its metrics, so no improvement in metrics alone can lift it above segment {cap}. Its average gives segment {before_override}: the route out of the cap is financial, and once NHS England's data no longer flag the trust, its segment follows its average again.",
            text::deficit_flag(v.quarter)
        ))],
        PlanOutcome::NoPath {
            target,
            best_average,
        } => vec![Block::paragraph(format!(
            "No combination of the metrics that can be re-scored reaches segment {target}: with every one of them at {}, {} average would be {best_average:.2}, still short of the cut-point of {:.3}.",
            v.target_bound,
            v.you("your", "its"),
            v.cuts[usize::from(*target).saturating_sub(1).min(2)]
        ))],
        PlanOutcome::Path {
            target,
            steps,
            new_average,
            exact_average,
            cut_point,
        } => path_blocks(
            v,
            *target,
            steps,
            (*new_average, *exact_average, *cut_point),
        ),
    }
}

/// The path to the next segment: the sentence that says what it would take, the caveats, and
/// the table of steps. The last argument is the new average to 2 dp, unrounded, and the
/// cut-point it is measured against.
fn path_blocks(
    v: &TrustView,
    target: u8,
    steps: &[NextSegmentStep],
    (new_average, exact_average, cut_point): (f64, f64, f64),
) -> Vec<Block> {
    let line = |id: &str| v.metric(id);
    let rows = steps.iter().map(|s| step_row(v, s)).collect();
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
    let b = vec![
        Block::paragraph(format!(
            "The fewest metric improvements that would move {} into segment {target}: {}. {} the value to reach or better, and goes no further than {}. With {}, {} average would be {exact_average:.3} ({new_average:.2} to 2 dp, as averages are published), {margin:.3} inside segment {target}'s cut-point of {cut_point:.3}{}.{}{}",
            v.you("your trust", "the trust"),
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
            v.you("your", "its"),
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
        )),
        Block::paragraph(format!(
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
        )),
        Block::Table(Table {
            caption: format!(
                "Table {}: what it would take to reach segment {target}",
                if v.monthly.is_empty() { 3 } else { 4 }
            ),
            columns: vec![
                ColumnSpec::text("Metric").width(WIDTH),
                // Wide enough that the headings stay on one line.
                ColumnSpec::number("Value now").width(62.0),
                ColumnSpec::number("Target").width(62.0),
                ColumnSpec::number("Score now").width(52.0),
                ColumnSpec::number("Score at target").width(72.0),
            ],
            rows,
        }),
    ];
    b
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
            text::figure(x, dp)
        } else {
            text::value(x, unit, dp)
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

fn what_happens_next(v: &TrustView, publication: &Publication) -> Vec<Block> {
    vec![
        Block::heading(2, "6. What happens next", 80.0),
        Block::paragraph(format!(
            "{}: {}",
            v.status.status.label,
            publication.next_step(&v.status.status.id)
        )),
        Block::paragraph(format!(
            "Questions: {} ({}), quoting {}.",
            publication.contact, publication.contact_url, v.reference
        )),
        Block::paragraph(format!("Yours sincerely, {}", publication.organisation)),
    ]
}
