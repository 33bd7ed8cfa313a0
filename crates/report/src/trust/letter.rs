//! The improvement letter: a tagged PDF to a trust's Chair and Chief Executive, in the order the
//! issue sets: where you stand, what changed, your metrics, what drives your position, what it
//! would take, what happens next. It is built from the trust's view only and names no other
//! trust.

use crate::narrative::{counted, quarter_months};
use crate::pdf::{Block, ColumnSpec, DocumentInfo, Figure, Metrics, PdfError, Table, WIDTH};
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

/// The monthly measures: a table of the latest month, its SPC variation and assurance icons and
/// the funnel position, then a small chart of each series with its mean and limits (the board
/// workbook has every month's figures and a larger chart of each).
fn monthly(v: &TrustView) -> Vec<Block> {
    if v.monthly.is_empty() {
        return Vec::new();
    }
    let last = *v.monthly[0].series.months.last().expect("points");
    vec![
        Block::Table(Table {
            caption: format!(
                "Table 3: monthly measures to {}: the latest month's SPC variation and assurance (Making Data Count) and the funnel position among {}s, computed here from monthly publications, not NOF values",
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
        }),
        // The caption is kept on the page with the whole figure.
        Block::heading(
            3,
            format!(
                "Figure 1: each monthly measure month by month to {}",
                text::month_long(last)
            ),
            super::spc_chart::height(v.monthly.len()),
        ),
        Block::Figure(Figure {
            height: super::spc_chart::height(v.monthly.len()),
            alt: super::spc_chart::alt_text(&v.name, &v.monthly),
            prims: super::spc_chart::panels(&Metrics::new(), 0.0, &v.monthly),
        }),
        Block::paragraph(monthly_key(v)),
    ]
}

/// How to read Table 3 and Figure 1: the lines, what "latest", "trial" and the funnel cells
/// mean, and where each standard comes from.
fn monthly_key(v: &TrustView) -> String {
    let standards: Vec<String> = v
        .monthly
        .iter()
        .filter_map(|l| {
            let (t, note) = l.standard.as_ref()?;
            Some(format!(
                "{} {} {note}",
                l.short_name,
                text::with_unit(*t, &l.unit)
            ))
        })
        .collect();
    let mut out = "In each chart the dark line joins the monthly values; a ringed month is part of a special-cause pattern (beyond a limit, a run on one side of the mean, a trend, or two of three months near a limit); the thin grey lines are the process limits, the darker grey line the mean and the blue dashed line the standard, where there is one (a limit below 0, or above 100%, is not drawn). The variation in Table 3 and under each chart is the latest month's, so an earlier ringed month can sit above \"common cause\". Trial limits rest on too few months for settled ones and may move as months are added.".to_owned();
    out.push_str(&format!(
        " The funnel column compares the trust's counts for the whole quarter, not only the latest month, with the pooled rate of {}s: \"Within 95%\" means inside the 95% limits, no different from its peers beyond chance; \"Better\" or \"Worse\" names the limit it lies beyond.",
        v.group_label.to_lowercase()
    ));
    if !standards.is_empty() {
        out.push_str(&format!(" Standards: {}.", standards.join("; ")));
    }
    out.push_str(" The values, limits and funnel positions are computed here from NHS England's monthly publications, not NHS England's NOF values; the board workbook has each month's figures.");
    out
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
    let plan = text::plan_text(v, text::Voice::Board);
    b.extend(plan.before.into_iter().map(Block::paragraph));
    if !plan.steps.is_empty() {
        b.push(Block::Table(Table {
            caption: plan.caption,
            columns: vec![
                ColumnSpec::text(text::PLAN_COLUMNS[0]).width(WIDTH),
                // Wide enough that the headings stay on one line.
                ColumnSpec::number(text::PLAN_COLUMNS[1]).width(62.0),
                ColumnSpec::number(text::PLAN_COLUMNS[2]).width(62.0),
                ColumnSpec::number(text::PLAN_COLUMNS[3]).width(52.0),
                ColumnSpec::number(text::PLAN_COLUMNS[4]).width(72.0),
            ],
            rows: plan.steps,
        }));
    }
    b.extend(plan.after.into_iter().map(Block::paragraph));
    b
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
