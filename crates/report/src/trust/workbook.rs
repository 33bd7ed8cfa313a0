//! The board workbook: the letter's figures as spreadsheet tables for a trust's board, with the
//! same standards as the national workbook (Cover, Contents, Notes, one table per sheet, data
//! dictionary). Its "Peer league table" sheet is the national league table of the trust's peer
//! group, published figures only, and is the one place another trust appears.

use league_model::PlanOutcome;
use rust_xlsxwriter::XlsxError;

use crate::narrative::quarter_months;
use crate::publication::Publication;
use crate::table::{Cell, Column, Kind, PackTable, Shorthand, col, dec, value_cell};
use crate::xlsx::{CoverSection, LineChart, NoteRow, Properties, WorkbookBuilder};

use super::text;
use super::view::{MetricLine, TrustView};

/// The sheet of monthly charts.
const MONTHLY_CHARTS: &str = "Monthly charts";

/// The sheet that holds the peer group's league table (the leak scan exempts it).
pub const PEER_LEAGUE_SHEET: &str = "Peer league table";

/// Builds the board workbook; byte-identical for the same view and publication details.
pub fn board_workbook(v: &TrustView, publication: &Publication) -> Result<Vec<u8>, XlsxError> {
    let title = format!(
        "{}: NHS Oversight Framework, {} ({})",
        v.name,
        v.quarter,
        quarter_months(v.quarter)
    );
    let mut wb = WorkbookBuilder::new(&Properties {
        title: title.clone(),
        author: publication.organisation.clone(),
        subject: format!("Board workbook {}", v.reference),
        keywords: "NHS, oversight framework, board workbook".into(),
        language: publication.language.clone(),
        date: publication.release_ymd(),
    })?;
    wb.cover(&title, &cover(v, publication))?;
    let mut tables = vec![
        summary(v, publication),
        metrics(v),
        history(v),
        what_it_would_take(v),
    ];
    if !v.monthly.is_empty() {
        tables.extend(monthly(v));
    }
    tables.push(peer_league(v));
    let charts = !v.monthly.is_empty();
    // Contents: every sheet, the chart sheet after the tables.
    let more: Vec<(String, String)> = if charts {
        vec![(
            MONTHLY_CHARTS.to_owned(),
            "A line chart of each monthly measure: its values, mean and process limits.".to_owned(),
        )]
    } else {
        Vec::new()
    };
    wb.standard_contents_with(
        "How the figures are made: scores, the average, segments, the financial override, likely ranges and what it would take.",
        &tables.iter().collect::<Vec<_>>(),
        &more,
    )?;
    wb.notes(&notes(v))?;
    let mut series_header = None;
    for t in &tables {
        let top = wb.table_at(t, &[format!("Source: {} computed by this project from NHS England's data; see the Notes worksheet.", if t.id == "peer_league" { "the national league table" } else { "figures" })])?;
        if t.id == "monthly_series" {
            series_header = Some(top);
        }
    }
    if charts && let Some(top) = series_header {
        monthly_charts(&mut wb, v, top)?;
    }
    wb.dictionary(
        &tables.iter().collect::<Vec<_>>(),
        "This worksheet contains one table: every column of every table in this workbook.",
    )?;
    wb.finish()
}

/// The monthly measures: each SPC chart's summary and funnel position, then every month charted.
fn monthly(v: &TrustView) -> [PackTable; 2] {
    [monthly_summary(v), monthly_series(v)]
}

/// Each measure's SPC chart summary, funnel position and what they show in words.
fn monthly_summary(v: &TrustView) -> PackTable {
    let n = |x: f64| Cell::Num(league_model::number::round_dp(x, 4) + 0.0);
    let pos = |f: Option<&super::view::FunnelLine>, k: usize| {
        f.map_or(Cell::Missing(Shorthand::NotApplicable), |f| {
            Cell::Text(f.position[k].label().to_owned())
        })
    };
    PackTable {
        id: "monthly_measures".into(),
        sheet: "Monthly measures".into(),
        title: format!("{}: monthly measures, SPC and funnel position, {}", v.name, v.quarter),
        description: "For each measure with monthly counts: the SPC chart's months, latest value, limits and icons, and the trust's place on its peer group's funnel plot.".into(),
        notes: vec!["Computed here from NHS England's monthly statistical publications, not NHS England's NOF values; statistics beside the rank that change no segment or rank.".into()],
        columns: vec![
            col("Measure id", "measure_id", Kind::Text, "", "The measure (its NOF value id)."),
            col("Measure", "measure", Kind::Text, "", "What it counts."),
            col("Unit", "unit", Kind::Text, "", "Per cent or minutes."),
            col("First month", "first_month", Kind::Text, "", "First month charted."),
            col("Last month", "last_month", Kind::Text, "", "Last month charted."),
            col("Months", "months", Kind::Integer, "count", "Months charted."),
            col("Trial limits", "trial_limits", Kind::Text, "", "Yes when fewer months than Making Data Count needs for settled limits."),
            col("Latest value", "latest_value", Kind::Decimal(4), "", "The last month's value."),
            col("Mean", "mean", Kind::Decimal(4), "", "Centre line."),
            col("Lower process limit", "lower_limit", Kind::Decimal(4), "", "Mean − 2.66 × average moving range."),
            col("Upper process limit", "upper_limit", Kind::Decimal(4), "", "Mean + 2.66 × average moving range."),
            col("Variation (latest month)", "variation", Kind::Text, "", "Common cause, or special cause improvement or concern."),
            col("Assurance", "assurance", Kind::Text, "", "Against the standard; [z] where the measure has none."),
            col("Funnel period", "funnel_period", Kind::Text, "", "Months the funnel's counts cover; [z] where no funnel is drawn (a mean)."),
            col("Funnel numerator", "funnel_numerator", Kind::Integer, "count", "The trust's numerator in the funnel period."),
            col("Funnel denominator", "funnel_denominator", Kind::Integer, "count", "The trust's denominator in the funnel period."),
            col("Funnel percentage", "funnel_percentage", Kind::Decimal(2), "per cent", "100 × numerator ÷ denominator."),
            col("Against the inner funnel limits", "funnel_inner", Kind::Text, "", "Above, Within or Below the inner (95%) limits."),
            col("Against the outer funnel limits", "funnel_outer", Kind::Text, "", "Above, Within or Below the outer (99.8%) limits."),
            col("In words", "in_words", Kind::Text, "", "What the chart and the funnel show, in sentences."),
        ],
        rows: v
            .monthly
            .iter()
            .map(|l| {
                let s = &l.series;
                let f = l.funnel.as_ref();
                vec![
                    Cell::Text(l.id.clone()),
                    Cell::Text(l.name.clone()),
                    Cell::Text(l.unit.clone()),
                    Cell::Text(format!("{}-{:02}", s.months[0].0, s.months[0].1)),
                    Cell::Text(s.months.last().map(|m| format!("{}-{:02}", m.0, m.1)).unwrap_or_default()),
                    Cell::Int(s.values.len() as i64),
                    Cell::Text(if s.trial { "Yes" } else { "No" }.into()),
                    n(*s.values.last().unwrap_or(&f64::NAN)),
                    n(s.mean),
                    n(s.limits.0),
                    n(s.limits.1),
                    Cell::Text(s.variation.label().into()),
                    s.assurance.map_or(Cell::Missing(Shorthand::NotApplicable), |a| Cell::Text(a.label().into())),
                    f.map_or(Cell::Missing(Shorthand::NotApplicable), |f| Cell::Text(f.period.clone())),
                    f.map_or(Cell::Missing(Shorthand::NotApplicable), |f| Cell::Int(f.counts.0.round() as i64)),
                    f.map_or(Cell::Missing(Shorthand::NotApplicable), |f| Cell::Int(f.counts.1.round() as i64)),
                    f.map_or(Cell::Missing(Shorthand::NotApplicable), |f| dec(f.percentage)),
                    pos(f, 0),
                    pos(f, 1),
                    Cell::Text(text::monthly_sentence(v, l)),
                ]
            })
            .collect(),
    }
}

/// Every month of every monthly chart, with the chart's mean and limits and the rules.
fn monthly_series(v: &TrustView) -> PackTable {
    let n = |x: f64| Cell::Num(league_model::number::round_dp(x, 4) + 0.0);
    PackTable {
        id: "monthly_series".into(),
        sheet: "Monthly series".into(),
        title: format!("{}: every month charted, {}", v.name, v.quarter),
        description: "Each month of each SPC chart with the special-cause rules it is part of."
            .into(),
        notes: Vec::new(),
        columns: vec![
            col("Measure id", "measure_id", Kind::Text, "", "The measure."),
            col("Month", "month", Kind::Text, "", "YYYY-MM."),
            col("Value", "value", Kind::Decimal(4), "", "The month's value."),
            col(
                "Mean",
                "mean",
                Kind::Decimal(4),
                "",
                "Centre line of the chart.",
            ),
            col(
                "Lower process limit",
                "lower_limit",
                Kind::Decimal(4),
                "",
                "Lower process limit.",
            ),
            col(
                "Upper process limit",
                "upper_limit",
                Kind::Decimal(4),
                "",
                "Upper process limit.",
            ),
            col(
                "Special-cause rules",
                "rules",
                Kind::Text,
                "",
                "Rules the month is part of, or none.",
            ),
        ],
        rows: v
            .monthly
            .iter()
            .flat_map(|l| {
                let s = &l.series;
                s.months
                    .iter()
                    .zip(&s.values)
                    .zip(&s.rules)
                    .map(move |((m, x), r)| {
                        let rules = r.label();
                        vec![
                            Cell::Text(l.id.clone()),
                            Cell::Text(format!("{}-{:02}", m.0, m.1)),
                            n(*x),
                            n(s.mean),
                            n(s.limits.0),
                            n(s.limits.1),
                            Cell::Text(if rules.is_empty() {
                                "none".into()
                            } else {
                                rules
                            }),
                        ]
                    })
            })
            .collect(),
    }
}

/// A line chart of each monthly measure from the Monthly series sheet: the months, the mean and
/// the process limits.
fn monthly_charts(wb: &mut WorkbookBuilder, v: &TrustView, header: u32) -> Result<(), XlsxError> {
    let mut first = header + 1;
    let charts: Vec<LineChart> = v
        .monthly
        .iter()
        .map(|l| {
            let s = &l.series;
            let rows = (first, first + s.values.len() as u32 - 1);
            first += s.values.len() as u32;
            LineChart {
                title: format!("{} ({})", l.short_name, l.id),
                alt_text: format!(
                    "Line chart of {} by month, {} to {}, with its mean and process limits: latest {}, {}{}.",
                    l.name,
                    text::month_long(s.months[0]),
                    text::month_long(*s.months.last().expect("points")),
                    text::with_unit(*s.values.last().expect("points"), &l.unit),
                    s.variation.label().to_lowercase(),
                    s.assurance.map_or(String::new(), |a| format!("; {}", a.label().to_lowercase()))
                ),
                y_axis: if l.unit == "%" { "Per cent".into() } else { l.unit.clone() },
                source: "Monthly series".into(),
                rows,
                categories: 1,
                series: vec![
                    ("Value".into(), 2, false),
                    ("Mean".into(), 3, true),
                    ("Lower process limit".into(), 4, true),
                    ("Upper process limit".into(), 5, true),
                ],
            }
        })
        .collect();
    wb.line_charts(
        MONTHLY_CHARTS,
        &format!("{}: monthly measures charted, {}", v.name, v.quarter),
        &[
            "This worksheet contains one chart per monthly measure: each month's value with the chart's mean and process limits (dashed). The data are on the Monthly series worksheet; the icons and funnel positions on the Monthly measures worksheet.".to_owned(),
        ],
        &charts,
    )
}

fn cover(v: &TrustView, publication: &Publication) -> Vec<CoverSection> {
    let p = &v.position;
    vec![
        CoverSection::new(
            "About this workbook",
            vec![
                format!(
                    "For the board of {}: the position of {} ({}) in the NHS Oversight Framework for {} ({}), the figures behind it, and what it would take to reach the next segment. It accompanies the letter with reference {}.",
                    v.addressee
                        .as_ref()
                        .map_or_else(|| format!("{} ({})", v.name, v.code), |a| format!("{} ({})", a.name, a.code)),
                    v.name,
                    v.code,
                    v.quarter,
                    quarter_months(v.quarter),
                    v.reference
                ),
                text::sources_sentence(v),
                format!("Data as of {}.", v.data_as_of),
            ]
            .into_iter()
            .chain(text::about_sentence(v))
            .collect(),
        ),
        CoverSection::new(
            "Where the trust stands",
            vec![
                format!(
                    "{}; rank {} of {} {}s (likely range {} to {}); average metric score {:.2} (likely range {:.2} to {:.2}) on {} metrics.",
                    text::segment_phrase(p, v.segment5, v.cap),
                    p.rank,
                    p.of,
                    v.group_label.to_lowercase(),
                    p.rank_range.0,
                    p.rank_range.1,
                    p.average,
                    p.average_range.0,
                    p.average_range.1,
                    v.metrics_scored
                ),
                text::override_sentence(p, v.cap),
                text::programme_sentence(p, v.segment5),
                text::status_sentence(&v.status),
                text::board_sentence(v),
            ],
        ),
        CoverSection::release(publication),
    ]
    .into_iter()
    .chain(CoverSection::contact_and_licence(publication))
    .collect()
}

fn notes(v: &TrustView) -> Vec<NoteRow> {
    let n = |i: usize, subject: &str, text: String| NoteRow {
        number: format!("[note {i}]"),
        subject: subject.to_owned(),
        text,
    };
    let units: Vec<String> = v
        .metrics
        .iter()
        .filter_map(|l| {
            l.unit_note
                .as_ref()
                .map(|note| format!("{} ({}): {note}.", l.name, l.id))
        })
        .collect();
    let mut notes = vec![
        n(1, "Scores and the average", format!("Each metric is scored from 1 (best) to 4 (worst) against the trust's comparators; the average metric score is the weighted mean of the {} scores the trust has. Segments 1 to 4 cut the average at {:.3}, {:.3} and {:.3}.", v.metrics_scored, v.cuts[0], v.cuts[1], v.cuts[2])),
        n(2, "Financial override", format!("A trust in financial deficit is placed no better than segment {}.", v.cap)),
        n(3, "Likely ranges", "Likely ranges of the rank and the average, and the chances of each segment, come from resampling the trust's own metric scores: they show how much the average depends on which metrics it is scored on, not the measurement error in each figure. A change of rank is significant only when the likely ranges do not overlap.".to_owned()),
        n(4, "What it would take", format!("The fewest metric improvements that move the trust into the next segment, found by re-scoring each metric with the new value ranked among the peer group's current values; the other trusts' values are held as they are. No target goes beyond {}; a target set by a peer's value is the next value beyond it at the places values are shown, so it never ties that peer. Where the fewest metrics allow it, the path leaves the unrounded average at least {:.2} inside the cut-point, since other trusts' scores and the cut-points move each quarter.", v.target_bound, v.margin)),
        n(5, "Peer league table", "The peer group's league table as this release's national pack gives it (for a peer group reconstructed by this project, its reconstruction, not NHS England's): the only sheet that names other trusts.".to_owned()),
        n(6, "Domain segments", format!("Each domain's segment is cut at that domain's own cut-points, not the overall segment's: {}.", v.domains.iter().map(|d| format!("{} {:.3}, {:.3} and {:.3}", d.name, d.cuts[0], d.cuts[1], d.cuts[2])).collect::<Vec<_>>().join("; "))),
    ];
    if !units.is_empty() {
        notes.push(n(7, "Units", units.join(" ")));
    }
    notes
}

fn table(
    id: &str,
    sheet: &str,
    title: String,
    description: &str,
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
) -> PackTable {
    PackTable {
        id: id.to_owned(),
        sheet: sheet.to_owned(),
        title,
        description: description.to_owned(),
        notes: Vec::new(),
        columns,
        rows,
    }
}

fn summary(v: &TrustView, publication: &Publication) -> PackTable {
    let p = &v.position;
    let yes_no_unknown = |b: Option<bool>| match b {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not known",
    };
    let z = || Cell::Missing(Shorthand::NotApplicable);
    let whole = |n: i64| Cell::Int(n);
    // Each row is a figure (a number cell, whole or to 2 decimal places) or a statement.
    let figure = |item: &str, c: Cell| vec![Cell::Text(item.to_owned()), c, z()];
    let statement = |item: &str, t: String| vec![Cell::Text(item.to_owned()), z(), Cell::Text(t)];
    let rows = vec![
        statement("Trust code", v.code.to_string()),
        statement("Trust name", v.name.clone()),
        statement("Peer group", v.group_label.clone()),
        vec![
            Cell::Text("Segment (1 to 4)".to_owned()),
            whole(i64::from(p.segment)),
            Cell::Text(text::segment_phrase(p, v.segment5, v.cap)),
        ],
        figure(
            "Segment before the financial override",
            whole(i64::from(p.before_override)),
        ),
        statement("In financial deficit", yes_no_unknown(p.in_deficit).into()),
        statement(
            "In the Recovery Support Programme",
            yes_no_unknown(p.programme).into(),
        ),
        figure("Rank in peer group", whole(i64::from(p.rank))),
        figure("Trusts in peer group", whole(p.of as i64)),
        figure(
            "Likely range of rank, from",
            whole(i64::from(p.rank_range.0)),
        ),
        figure("Likely range of rank, to", whole(i64::from(p.rank_range.1))),
        figure("Average metric score", dec(p.average)),
        figure("Likely range of average, from", dec(p.average_range.0)),
        figure("Likely range of average, to", dec(p.average_range.1)),
        statement(
            "Against the peer group's median average",
            text::versus_peers_sentence(v).unwrap_or_else(|| "Not known".to_owned()),
        ),
        vec![
            Cell::Text("Metrics in the average".to_owned()),
            whole(v.metrics_scored as i64),
            Cell::Text(text::metrics_weighted(v)),
        ],
        figure(
            "Synthetic metrics in the average",
            whole(v.synthetic_metrics as i64),
        ),
        statement("Intervention status", v.status.status.label.clone()),
        statement("Why", text::status_sentence(&v.status)),
        statement(
            "What happens next",
            publication.next_step(&v.status.status.id).to_owned(),
        ),
        statement("Board capability assessment", text::board_sentence(v)),
    ];
    table(
        "summary",
        "Summary",
        format!("Summary: {}, {}", v.name, v.quarter),
        "The trust's segment, rank, average, override, programme and intervention status.",
        vec![
            col("Item", "item", Kind::Text, "", "What the row gives."),
            col(
                "Figure",
                "figure",
                Kind::Decimal(2),
                "",
                "The item's figure, where it is a number: whole numbers for segments, ranks and counts; 2 decimal places for scores (1 best to 4 worst). [z] for an item that is a statement.",
            ),
            col(
                "Statement",
                "statement",
                Kind::Text,
                "",
                "The item in words, where it is not a number or needs words; [z] for a figure that needs none.",
            ),
        ],
        rows,
    )
}

fn metrics(v: &TrustView) -> PackTable {
    table(
        "metrics",
        "Metrics",
        format!("Metrics against the peer group ({}), {}", v.code, v.quarter),
        "Each scored metric: value, score, the peer group's quartiles, rank and effect on the average.",
        metric_columns(),
        v.metrics.iter().map(|l| metric_row(v, l)).collect(),
    )
}

/// One metric's row of the Metrics sheet.
fn metric_row(v: &TrustView, l: &MetricLine) -> Vec<Cell> {
    let missing = || Cell::Missing(Shorthand::NotAvailable);
    let too_few = || Cell::Missing(Shorthand::TooFew);
    let spread = |f: fn(&league_model::PeerSpread) -> f64| {
        if !l.comparable {
            return too_few();
        }
        l.spread.as_ref().map_or_else(missing, |s| dec(f(s)))
    };
    vec![
        Cell::Text(l.id.clone()),
        Cell::Text(l.name.clone()),
        Cell::Text(l.domain.clone()),
        Cell::Text(l.unit.clone()),
        // Direction is a property of a value: a score-only metric has none to compare.
        match (l.value, l.higher_is_better) {
            (None, _) => Cell::Missing(Shorthand::NotApplicable),
            (_, true) => Cell::Text("Higher".into()),
            (_, false) => Cell::Text("Lower".into()),
        },
        value_cell(l.value, l.value_dp == 0, Shorthand::NotAvailable),
        dec(l.score),
        Cell::Text(if l.in_average { "Yes" } else { "No" }.into()),
        Cell::Num(league_model::number::round_dp(l.weight, 3)),
        spread(|s| s.lower_quartile),
        spread(|s| s.median),
        spread(|s| s.upper_quartile),
        match l.value_rank {
            _ if !l.comparable => too_few(),
            None => missing(),
            Some(r) => Cell::Int(i64::from(r)),
        },
        Cell::Int(l.ranked as i64),
        if l.comparable {
            dec(l.peer_median_score)
        } else {
            too_few()
        },
        if l.comparable {
            Cell::Num(league_model::number::round_dp(l.effect, 3))
        } else {
            too_few()
        },
        match &l.queried {
            Some(why) => Cell::Text(format!("Queried: {why}")),
            None if l.value.is_some() => Cell::Text("No".into()),
            None => Cell::Missing(Shorthand::NotApplicable),
        },
        Cell::Text(text::period_shown(l, v.quarter)),
    ]
}

/// The Metrics sheet's columns.
fn metric_columns() -> Vec<Column> {
    vec![
        col("Metric id", "metric_id", Kind::Text, "", "Score id."),
        col("Metric", "metric", Kind::Text, "", "Metric name."),
        col("Domain", "domain", Kind::Text, "", "Domain."),
        col("Unit", "unit", Kind::Text, "", "Unit of the value."),
        col(
            "Better",
            "better",
            Kind::Text,
            "",
            "Whether a higher or a lower value is better.",
        ),
        col(
            "Value",
            "value",
            Kind::Decimal(2),
            "metric unit",
            "The trust's value.",
        ),
        col(
            "Score",
            "score",
            Kind::Decimal(2),
            "score 1 to 4",
            "The metric score, 1 (best) to 4.",
        ),
        col(
            "In average",
            "in_average",
            Kind::Text,
            "",
            "Yes when the score enters the average; No when it feeds a combined score instead.",
        ),
        col(
            "Weight",
            "weight",
            Kind::Decimal(3),
            "weight",
            "The score's weight in the average (1, or a third for each infection metric): the average is the weighted mean, so the weights, not the count of metrics, are its denominator.",
        ),
        col(
            "Peer lower quartile",
            "peer_lower_quartile",
            Kind::Decimal(2),
            "metric unit",
            "25th percentile of the peer group's values.",
        ),
        col(
            "Peer median",
            "peer_median",
            Kind::Decimal(2),
            "metric unit",
            "Median of the peer group's values.",
        ),
        col(
            "Peer upper quartile",
            "peer_upper_quartile",
            Kind::Decimal(2),
            "metric unit",
            "75th percentile of the peer group's values.",
        ),
        col(
            "Rank",
            "rank",
            Kind::Integer,
            "",
            "Rank of the value in the peer group, 1 best.",
        ),
        col(
            "Trusts ranked",
            "trusts_ranked",
            Kind::Integer,
            "trusts",
            "Trusts in the peer group with a value: the rank's denominator.",
        ),
        col(
            "Peer median score",
            "peer_median_score",
            Kind::Decimal(2),
            "score 1 to 4",
            "Median of the peer group's scores.",
        ),
        col(
            "Effect on average",
            "effect_on_average",
            Kind::Decimal(3),
            "score points",
            "Score less the peer median score, times the weight, over the total weight: positive costs the trust.",
        ),
        col(
            "Value queried",
            "value_queried",
            Kind::Text,
            "",
            "\"Queried\" and why, where a plausibility check finds the value implausible beside another of the trust's values (it is scored as published all the same); No where none does; [z] where there is no value.",
        ),
        col(
            "Period",
            "period",
            Kind::Text,
            "",
            "Reporting period of the inputs; \"(earlier)\" marks a period that ended before the quarter began, \"(plan)\" a plan set before its year.",
        ),
    ]
}

fn history(v: &TrustView) -> PackTable {
    let rows = v
        .history
        .iter()
        .map(|p| {
            vec![
                Cell::Text(p.quarter.to_string()),
                Cell::Int(i64::from(p.segment)),
                Cell::Int(i64::from(p.before_override)),
                Cell::Int(i64::from(p.rank)),
                Cell::Int(p.of as i64),
                Cell::Int(i64::from(p.rank_range.0)),
                Cell::Int(i64::from(p.rank_range.1)),
                dec(p.average),
                dec(p.average_range.0),
                dec(p.average_range.1),
            ]
        })
        .collect();
    table(
        "history",
        "History",
        format!("History by quarter ({})", v.code),
        "The trust's segment, rank and average in each quarter the input holds.",
        vec![
            col("Quarter", "quarter", Kind::Text, "", "Quarter."),
            col(
                "Segment",
                "segment",
                Kind::Integer,
                "",
                "Segment after the financial override.",
            ),
            col(
                "Before override",
                "segment_before_override",
                Kind::Integer,
                "",
                "Segment the average gives.",
            ),
            col(
                "Rank",
                "rank",
                Kind::Integer,
                "",
                "League rank in the peer group.",
            ),
            col(
                "Trusts in peer group",
                "trusts",
                Kind::Integer,
                "trusts",
                "Trusts ranked that quarter.",
            ),
            col(
                "Likely rank from",
                "rank_likely_from",
                Kind::Integer,
                "",
                "Likely range of the rank, from.",
            ),
            col(
                "Likely rank to",
                "rank_likely_to",
                Kind::Integer,
                "",
                "Likely range of the rank, to.",
            ),
            col(
                "Average score",
                "average_score",
                Kind::Decimal(2),
                "score 1 to 4",
                "Average metric score.",
            ),
            col(
                "Likely average from",
                "average_likely_from",
                Kind::Decimal(2),
                "score 1 to 4",
                "Likely range of the average, from.",
            ),
            col(
                "Likely average to",
                "average_likely_to",
                Kind::Decimal(2),
                "score 1 to 4",
                "Likely range of the average, to.",
            ),
        ],
        rows,
    )
}

fn what_it_would_take(v: &TrustView) -> PackTable {
    let (rows, note): (Vec<Vec<Cell>>, String) = match v.next_segment.as_ref().map(|p| &p.outcome) {
        Some(PlanOutcome::Path {
            target,
            steps,
            new_average,
            exact_average,
            cut_point,
        }) => (
            steps
                .iter()
                .map(|s| {
                    let l = v.metric(&s.metric_id);
                    let whole = l.is_some_and(|l| l.value_dp == 0);
                    let value = |x: f64| value_cell(Some(x), whole, Shorthand::NotAvailable);
                    vec![
                        Cell::Text(s.metric_id.clone()),
                        Cell::Text(l.map_or_else(String::new, |l| l.name.clone())),
                        Cell::Text(l.map_or_else(String::new, |l| l.unit.clone())),
                        value(s.from_value),
                        value(s.to_value),
                        dec(s.from_score),
                        dec(s.to_score),
                        Cell::Text(
                            if l.is_some_and(|l| l.annual) {
                                "Yes"
                            } else {
                                "No"
                            }
                            .into(),
                        ),
                    ]
                })
                .collect(),
            format!(
                "These improvements together move the trust into segment {target}: the average would be {exact_average:.3} ({new_average:.2} to 2 dp, as averages are published), {:.3} inside the segment's cut-point of {cut_point:.3}. No target goes beyond {}.",
                cut_point - exact_average,
                v.target_bound
            ),
        ),
        Some(PlanOutcome::CappedByOverride { cap, .. }) => (
            Vec::new(),
            format!(
                "The trust is in financial deficit: no metric improvement alone lifts it above segment {cap}."
            ),
        ),
        Some(PlanOutcome::NoPath {
            target,
            best_average,
        }) => (
            Vec::new(),
            format!(
                "No combination of the metrics that can be re-scored reaches segment {target}; the best average they give is {best_average:.2}."
            ),
        ),
        Some(PlanOutcome::AlreadyBest) => (Vec::new(), "The trust is in segment 1.".to_owned()),
        None => (
            Vec::new(),
            "No plan could be computed from the figures held.".to_owned(),
        ),
    };
    let mut t = table(
        "what_it_would_take",
        "What it would take",
        format!("What it would take ({}), {}", v.code, v.quarter),
        "The fewest metric improvements, each with its target value, that move the trust into the next segment.",
        vec![
            col("Metric id", "metric_id", Kind::Text, "", "Score id."),
            col("Metric", "metric", Kind::Text, "", "Metric name."),
            col("Unit", "unit", Kind::Text, "", "Unit of the values."),
            col(
                "Value now",
                "value_now",
                Kind::Decimal(2),
                "metric unit",
                "The trust's value.",
            ),
            col(
                "Target value",
                "target_value",
                Kind::Decimal(2),
                "metric unit",
                "The value to reach (or better).",
            ),
            col(
                "Score now",
                "score_now",
                Kind::Decimal(2),
                "score 1 to 4",
                "The score as averaged.",
            ),
            col(
                "Score at target",
                "score_at_target",
                Kind::Decimal(2),
                "score 1 to 4",
                "The score re-ranked with the target value.",
            ),
            col(
                "Changes only once a year",
                "annual",
                Kind::Text,
                "",
                "Yes for a metric whose value changes once a year (a yearly survey or collection): its target cannot be met within a quarter.",
            ),
        ],
        rows,
    );
    t.notes.push(note);
    t
}

fn peer_league(v: &TrustView) -> PackTable {
    PackTable {
        id: "peer_league".into(),
        sheet: PEER_LEAGUE_SHEET.into(),
        ..v.peer_league.clone()
    }
}
