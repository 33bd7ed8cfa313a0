//! One trust's page: where it stands, its metrics against its peers, its history, what it
//! would take, its intervention status and its monthly measures. The public content of its
//! letter only: nothing the letter keeps for the board (the board's capability ratings, the
//! reference, the addressee's salutation).

use maud::{Markup, html};

use super::input::{SiteInput, aliases, group_href};
use super::page::{Meta, Shell, csv_of, row, scroll};
use super::svg;
use crate::table::{Cell, PackTable};
use crate::trust::TrustView;
use crate::trust::text;

/// A figure read from a pack table's CSV: the row is the trust's.
struct Source<'a> {
    csv: String,
    table: &'a PackTable,
    row: Option<&'a [Cell]>,
    code: &'a str,
}

impl<'a> Source<'a> {
    fn of(input: &SiteInput<'_>, table: &'a PackTable, code: &'a str) -> Self {
        let row = table.column("trust_code").and_then(|k| {
            table
                .rows
                .iter()
                .find(|r| matches!(r.get(k), Some(Cell::Text(c)) if c == code))
                .map(Vec::as_slice)
        });
        Source {
            csv: csv_of(input.pack, &table.id),
            table,
            row,
            code,
        }
    }

    /// The cell's text as the CSV's column `key` prints it, in an element that names it.
    fn figure(&self, key: &str) -> Markup {
        let text = self.text(key);
        html! {
            span data-csv=(self.csv) data-row={ "trust_code=" (self.code) } data-key=(key) { (text) }
        }
    }

    /// The same, inside an element that names the CSV and row (a table row).
    fn cell(&self, key: &str) -> Markup {
        let text = self.text(key);
        html! { span data-key=(key) { (text) } }
    }

    fn text(&self, key: &str) -> String {
        match (self.table.column(key), self.row) {
            (Some(k), Some(r)) => r
                .get(k)
                .map_or_else(String::new, |c| c.display(self.table.columns[k].kind)),
            _ => String::new(),
        }
    }
}

pub(super) fn page(input: &SiteInput<'_>, sh: &Shell<'_>, v: &TrustView<'_>) -> String {
    let title = format!("{} ({})", v.name, v.code.as_str());
    let group = v.peer_league.id.trim_start_matches("league_");
    let meta = Meta {
        title: &title,
        root: "../",
        crumbs: vec![
            ("Home", "index.html"),
            ("Find a trust", "trusts/index.html"),
        ],
    };
    let league = Source::of(input, v.peer_league, v.code.as_str());
    let (_, note) = aliases(input, v);
    let main = html! {
        span.nhsuk-caption-l { (v.group_label) ", " (league.figure("region")) }
        h1 { (v.name) }
        p.nhsuk-body { "ODS code " (v.code.as_str()) ". "
            a href={ "../groups/" (group_href(group)) } { "The " (v.group_label.to_lowercase()) "s' league table" } "." }
        @if !note.is_empty() { div.nhsuk-inset-text { p { (note) "." } } }
        (where_it_stands(v, &league))
        (metrics(input, v))
        (monthly(v))
        (history(input, v))
        (what_it_would_take(v))
        p.nhsuk-body-s { "Data as of " (v.data_as_of) ". " (text::sources_sentence(v)) }
    };
    super::page::page(sh, &meta, main)
}

fn where_it_stands(v: &TrustView<'_>, league: &Source<'_>) -> Markup {
    let p = &v.position;
    let peers: Vec<f64> = v
        .peer_league
        .column("average_score")
        .map(|k| {
            v.peer_league
                .rows
                .iter()
                .filter_map(|r| match r.get(k) {
                    Some(Cell::Num(x)) => Some(*x),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let group = format!("{}s", v.group_label.to_lowercase());
    html! {
        h2 { "Where it stands in " (p.quarter) }
        dl.nhsuk-summary-list {
            (row("Segment", html! {
                @if p.programme == Some(true) {
                    "Segment " (v.segment5) ": Recovery Support Programme"
                    p.nhsuk-body-s { "In the league order it counts as segment " (league.figure("segment")) ", the segment its average gives after the financial override." }
                } @else {
                    "Segment " (league.figure("segment"))
                }
                @let phrase = text::segment_phrase(p, v.segment5, v.cap);
                @if phrase != format!("Segment {}", p.segment) && p.programme != Some(true) { p.nhsuk-body-s { (phrase) "." } }
                p.nhsuk-body-s {
                    "Chance of each segment in the resamples: 1, " (league.figure("segment_chance_1")) "%; 2, "
                    (league.figure("segment_chance_2")) "%; 3, " (league.figure("segment_chance_3")) "%; 4, "
                    (league.figure("segment_chance_4")) "% (segment 1 is the best, 4 the worst)."
                }
            }))
            (row("League rank", html! {
                (league.figure("rank")) " of " (p.of) " " (group)
                p.nhsuk-body-s { "Likely range of rank " (league.figure("rank_likely_from")) " to " (league.figure("rank_likely_to")) ": ranks whose ranges overlap cannot be told apart with confidence." }
            }))
            (row("Average metric score", html! {
                (league.figure("average_score")) " (1 best, 4 worst)"
                p.nhsuk-body-s { "Likely range " (league.figure("average_likely_from")) " to " (league.figure("average_likely_to")) ", from " (text::RESAMPLING) "." }
            }))
            (row("Against the peer median", html! {
                (league.figure("versus_peer_median"))
                @if let Some(s) = text::versus_peers_sentence(v) { p.nhsuk-body-s { (s) } }
            }))
            (row("Financial override", html! {
                "Deficit: " (league.figure("financial_deficit"))
                p.nhsuk-body-s { (text::override_sentence(p, v.cap)) }
            }))
            (row("Recovery Support Programme", html! {
                (league.figure("recovery_support_programme"))
                p.nhsuk-body-s { (text::programme_sentence(p, v.segment5)) }
            }))
            (row("Intervention status", html! {
                (text::status_sentence(&v.status))
                @if !v.status.status.not_assessed.is_empty() {
                    p.nhsuk-body-s { "Statuses the data could neither confirm nor rule out: " (v.status.status.not_assessed.join("; ")) "." }
                }
            }))
        }
        @if v.cuts.iter().all(|c| c.is_finite()) && !peers.is_empty() {
            (svg::strip(&svg::Strip {
                id: "position",
                name: &v.name,
                average: (p.average, p.average_range.0, p.average_range.1),
                segment: p.before_override,
                peers,
                cuts: v.cuts,
                group: &group,
            }))
        }
    }
}

fn metrics(input: &SiteInput<'_>, v: &TrustView<'_>) -> Markup {
    let q = v.quarter;
    html! {
        h2 { "Its metrics against its peers" }
        p.nhsuk-body { "Each metric's value, its score (1 best, 4 worst) and its rank among the " (v.group_label.to_lowercase()) "s, with the peer group's median. A value marked [x] is not published for the trust, and [z] marks a metric NHS England publishes as a score only; a period marked \"earlier\" ended before the quarter began. Source: \"published\" is NHS England's published value; \"real\" was computed by this project from NHS England's public statistics for the quarter; \"real_other_period\" from its statistics for another period; \"synthetic\" was made up by this project for testing and is not a real figure." }
        div.lt-scroll tabindex="0" role="region" aria-label="Metrics table (scrolls sideways)" {
            table.nhsuk-table.lt-t #metrics data-sortable {
                caption.nhsuk-table__caption { "Metrics of " (v.name) ", " (q) }
                thead.nhsuk-table__head { tr.nhsuk-table__row {
                    th.nhsuk-table__header scope="col" { "Metric" }
                    th.nhsuk-table__header scope="col" { "Period" }
                    th.nhsuk-table__header.nhsuk-table__header--numeric scope="col" { "Value" }
                    th.nhsuk-table__header scope="col" { "Unit" }
                    th.nhsuk-table__header.nhsuk-table__header--numeric scope="col" { "Score" }
                    th.nhsuk-table__header.nhsuk-table__header--numeric scope="col" { "Peer median" }
                    th.nhsuk-table__header.nhsuk-table__header--numeric scope="col" { "Rank" }
                    th.nhsuk-table__header scope="col" { "Source" }
                } }
                tbody.nhsuk-table__body {
                    @for l in &v.metrics {
                        @let id = l.id.to_lowercase();
                        @if let Some(t) = input.pack.metrics.iter().find(|t| t.id == format!("metric_{id}")) {
                            @let s = Source::of(input, t, v.code.as_str());
                            @let value_id = input.methodology.metrics.iter().find(|m| m.id == l.id).and_then(|m| m.value_id.as_deref());
                            tr data-metric=(l.id) data-value-id=[value_id] data-csv=(s.csv) data-row={ "trust_code=" (s.code) } {
                                th scope="row" { a href={ "../metrics/" (id) ".html" } { (l.name) } " (" (l.id) ")" }
                                td { (text::period_shown(l, q)) }
                                td.n { (s.cell("value")) }
                                td { (l.unit) }
                                td.n { (s.cell("score")) }
                                td.n { (s.cell("peer_median")) }
                                td.n { (s.cell("rank")) }
                                td { (s.cell("data_provenance")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The publications the monthly counts come from, each once, in the measures' order.
fn sources(v: &TrustView<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in &v.monthly {
        if !out.contains(&l.source) {
            out.push(l.source.clone());
        }
    }
    out
}

fn monthly(v: &TrustView<'_>) -> Markup {
    if v.monthly.is_empty() {
        return html! {};
    }
    html! {
        h2 { "Monthly measures" }
        p.nhsuk-body { "Statistical process control on the trust's own monthly series up to the quarter's last month (Making Data Count): whether the latest month shows common-cause or special-cause variation, and whether the series reliably meets its standard. The funnel position compares the quarter's rate with the peer group's, allowing for the trust's size; it does not adjust for case mix." }
        p.nhsuk-body { "These measures are computed by this project from the counts in " (crate::narrative::and_list(&sources(v))) ". They can differ from the value of the same metric in the table above, which is NHS England's NOF figure: the NOF may count other departments, other months or a later revision of the same statistics." }
        (scroll("Monthly measures", html! { table.nhsuk-table {
            caption.nhsuk-table__caption { "Monthly measures of " (v.name) }
            thead.nhsuk-table__head { tr.nhsuk-table__row {
                @for h in ["Id", "Measure", "Latest", "Months", "Variation", "Assurance", "Funnel"] {
                    th.nhsuk-table__header scope="col" { (h) }
                }
            } }
            tbody.nhsuk-table__body {
                @for l in &v.monthly {
                    tr.nhsuk-table__row {
                        @for c in text::monthly_cells(l) { td.nhsuk-table__cell { (c) } }
                    }
                }
            }
        } }))
        @for l in &v.monthly { p.nhsuk-body-s { (text::monthly_sentence(v, l)) } }
    }
}

/// The trust's segment and rank over the quarters the pack holds (this run's and the history
/// store's), from the peer group's movement table, and whether its move since the previous
/// quarter is significant.
fn history(input: &SiteInput<'_>, v: &TrustView<'_>) -> Markup {
    let pack = input.pack;
    let group = v.peer_league.id.trim_start_matches("league_");
    let table = pack
        .movement
        .iter()
        .find(|t| t.id == format!("movement_{group}"));
    let Some(t) = table else {
        return html! {
            h2 { "Over the quarters" }
            p.nhsuk-body { "Neither this release nor the history store holds a quarter before " (v.quarter) " for the " (v.group_label.to_lowercase()) "s, so there is no movement to show yet." }
        };
    };
    let s = Source::of(input, t, v.code.as_str());
    let previous = pack.previous.map(|q| q.to_string()).unwrap_or_default();
    html! {
        h2 { "Over the quarters" }
        (scroll("Quarters", html! { table.nhsuk-table {
            caption.nhsuk-table__caption { "Segment and rank of " (v.name) " by quarter" }
            thead.nhsuk-table__head { tr.nhsuk-table__row {
                @for h in ["Quarter", "Segment", "Segment before the financial override", "Rank"] {
                    th.nhsuk-table__header scope="col" { (h) }
                }
            } }
            tbody.nhsuk-table__body data-csv=(s.csv) data-row={ "trust_code=" (s.code) } {
                @for q in &pack.history {
                    @let k = crate::narrative::quarter_key(*q);
                    tr.nhsuk-table__row {
                        th.nhsuk-table__header scope="row" { (q) }
                        td.nhsuk-table__cell { (s.cell(&format!("segment_{k}"))) }
                        td.nhsuk-table__cell { (s.cell(&format!("before_override_{k}"))) }
                        td.nhsuk-table__cell { (s.cell(&format!("rank_{k}"))) }
                    }
                }
            }
        } }))
        p.nhsuk-body {
            "Places gained since " (previous) ": " (s.cell("places_gained"))
            ". Likely range of rank then " (s.cell("rank_likely_previous")) ", now " (s.cell("rank_likely_now"))
            ". Significant change: " (s.cell("significant"))
            " (a move is significant only when the two likely ranges do not overlap; [x] where the trust has no rank in a quarter)."
        }
        @for (q, release) in &pack.earlier_from {
            p.nhsuk-body-s { (q) " comes from the earlier release " (release) " (the history store)." }
        }
    }
}

fn what_it_would_take(v: &TrustView<'_>) -> Markup {
    let plan = text::plan_text(v, text::Voice::Public);
    html! {
        h2 { "What it would take" }
        @for para in &plan.before { p.nhsuk-body { (para) } }
        @if !plan.steps.is_empty() {
            (scroll("What it would take", html! { table.nhsuk-table {
                // The letter numbers its tables; a page does not.
                caption.nhsuk-table__caption { (plan.caption.split_once(": ").map_or(plan.caption.as_str(), |(_, c)| c).to_owned()) }
                thead.nhsuk-table__head { tr.nhsuk-table__row {
                    @for h in text::PLAN_COLUMNS { th.nhsuk-table__header scope="col" { (h) } }
                } }
                tbody.nhsuk-table__body {
                    @for r in &plan.steps {
                        tr.nhsuk-table__row { @for c in r { td.nhsuk-table__cell { (c) } } }
                    }
                }
            } }))
        }
        @for para in &plan.after { p.nhsuk-body { (para) } }
    }
}
