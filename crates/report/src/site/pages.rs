//! The national pages: home, peer groups, metrics, trusts A to Z, methodology, data and
//! accessibility. Every figure comes from the pack; tables are the pack's tables, whole.

use maud::{Markup, PreEscaped, html};

use super::input::{SiteInput, aliases, group_href, size_label, trust_href};
use super::page::{Meta, Shell, TableOptions, csv_of, pack_table, page, row, scroll};
use super::svg;
use crate::national::NationalPack;
use crate::table::PackTable;

/// Every page but the trusts' own: (path under `site/`, HTML). The search index is made once:
/// written as `search-index.json` and embedded in the two pages that search.
pub(super) fn pages(input: &SiteInput<'_>, sh: &Shell<'_>) -> Vec<(String, String)> {
    let pack = input.pack;
    let index = search_index(input);
    let mut out = vec![
        ("index.html".to_owned(), home(input, sh, &index)),
        (
            "trusts/index.html".to_owned(),
            trusts_index(input, sh, &index),
        ),
        ("metrics/index.html".to_owned(), metrics_index(input, sh)),
        ("methodology.html".to_owned(), methodology(input, sh)),
        ("data.html".to_owned(), data(input, sh)),
        (
            "accessibility.html".to_owned(),
            accessibility(
                sh,
                (
                    &input.publication.contact,
                    &input.publication.contact_url,
                    &input.publication.organisation,
                ),
            ),
        ),
        ("search-index.json".to_owned(), index),
    ];
    for t in &pack.league {
        let group = t.id.trim_start_matches("league_");
        out.push((format!("groups/{group}.html"), group_page(input, sh, t)));
    }
    for t in &pack.metrics {
        let id = t.id.trim_start_matches("metric_");
        out.push((format!("metrics/{id}.html"), metric_page(input, sh, t)));
    }
    out
}

/// The JSON search index: every trust's name and code, with the names and codes it is also
/// known by (predecessors merged into it; the organisation it merged into or its new name).
fn search_index(input: &SiteInput<'_>) -> String {
    let entries: Vec<serde_json::Value> = input
        .views
        .iter()
        .map(|v| {
            let (aliases, note) = aliases(input, v);
            serde_json::json!({
                "code": v.code.as_str(),
                "name": v.name,
                "group": v.group_label,
                "url": format!("trusts/{}.html", v.code.as_str()),
                "aliases": aliases,
                "note": note,
            })
        })
        .collect();
    serde_json::to_string(&entries).unwrap_or_else(|_| "[]".to_owned())
}

/// The index as a JSON script element's content: `<` escaped so no text can close the element.
fn embedded_index(index: &str) -> PreEscaped<String> {
    PreEscaped(index.replace('<', "\\u003c"))
}

/// The search form: without the script it submits to the A to Z list; with it, it lists
/// matching trusts as the visitor types.
fn search_form(index: &str, root: &str) -> Markup {
    html! {
        form.nhsuk-form-group role="search" action={ (root) "trusts/index.html" } method="get"
            data-search data-root=(root) {
            label.nhsuk-label.nhsuk-label--s for="search-q" { "Find a trust by name, former name or ODS code" }
            input.nhsuk-input.nhsuk-input--width-30 #search-q type="search" name="q" autocomplete="off";
            " "
            button.nhsuk-button.nhsuk-button--secondary.nhsuk-button--small type="submit" { "Search" }
        }
        ul.nhsuk-list.lt-results #search-results {}
        script #search-index type="application/json" { (embedded_index(index)) }
    }
}

fn home(input: &SiteInput<'_>, sh: &Shell<'_>, index: &str) -> String {
    let pack = input.pack;
    let meta = Meta {
        title: "League tables",
        root: "",
        crumbs: Vec::new(),
    };
    let main = html! {
        h1 { "NHS Oversight Framework league tables, " (sh.quarter) }
        div.nhsuk-warning-callout {
            h2.nhsuk-warning-callout__label { span role="text" { span.nhsuk-u-visually-hidden { "Important: " } "What this is" } }
            p { (sh.caveat) }
        }
        p.nhsuk-body { "Data as of " (pack.method.data_as_of(pack.quarter)) ". " (pack.sources()) }
        (search_form(index, ""))
        h2 { "Key findings" }
        ul.nhsuk-list.nhsuk-list--bullet {
            @for k in &pack.key_findings { li { (k) } }
        }
        h2 #league-tables { "League tables by peer group" }
        @for (i, g) in pack.segments.iter().enumerate() {
            @let csv = csv_of(pack, &format!("league_{}", g.peer_group));
            h3 { a href={ "groups/" (group_href(&g.peer_group)) } { (g.label) "s" } }
            (svg::segment_bars(g, &format!("segments-{i}")))
            details.nhsuk-details {
                summary.nhsuk-details__summary { span.nhsuk-details__summary-text { "Trusts by segment as a table" } }
                div.nhsuk-details__text {
                    table.nhsuk-table {
                        caption.nhsuk-table__caption { (g.label) "s by segment after the financial override" }
                        thead.nhsuk-table__head { tr.nhsuk-table__row {
                            th.nhsuk-table__header scope="col" { "Segment" }
                            th.nhsuk-table__header.nhsuk-table__header--numeric scope="col" { "Trusts" }
                        } }
                        tbody.nhsuk-table__body {
                            @for (s, n) in g.counts.iter().enumerate() {
                                tr.nhsuk-table__row {
                                    th.nhsuk-table__header scope="row" { "Segment " (s + 1) }
                                    td.nhsuk-table__cell.nhsuk-table__cell--numeric data-csv=(csv)
                                        data-count=(format!("segment={}", s + 1)) { (n) }
                                }
                            }
                        }
                    }
                    p.nhsuk-body-s { "Of these, in the Recovery Support Programme (segment " (pack.method.segment5) "): " (g.programme_cell()) "." }
                }
            }
        }
        h2 { "How to read the tables" }
        p.nhsuk-body { (pack.method.league_order()) }
        p.nhsuk-body { "Each average and rank has a likely range: " (pack.method.likely_ranges()) ". Two trusts whose likely ranges overlap cannot be told apart with confidence." }
        p.nhsuk-body { "A missing figure is shown by a marker, never as a zero or \"No\": " (shorthand_list(pack)) "." }
        h3 { "Words these pages use" }
        dl.nhsuk-summary-list {
            (row("Segment", html! { "NHS England's grouping of trusts from 1 (best) to 4 by their average metric score, with the financial override applied; segment 5 is the Recovery Support Programme." }))
            (row("Recovery Support Programme", html! { "NHS England's intensive support for trusts with the most serious problems; the framework calls it segment 5." }))
            (row("Financial override", html! { "A trust NHS England's data flag as in financial deficit is placed no better than segment " (pack.method.override_cap) ", whatever its average." }))
            (row("Peer group", html! { "Trusts of one kind (acute; mental health and community; ambulance), ranked only against each other." }))
            (row("Likely range", html! { "The range within which a trust's average or rank lies in 95 of 100 resamples of its own metric scores: how much its position depends on which metrics it is scored on." }))
            (row("ODS code", html! { "The NHS Organisation Data Service's code for the trust, such as RHW." }))
            (row("Intervention status", html! { "This project's classification, not NHS England's: the first of " (statuses(input)) " whose rule holds for the trust. Each trust's page gives the rule and the figures." }))
        }
    };
    page(sh, &meta, main)
}

/// The intervention statuses in the order they are tried: "Recovery Support Programme,
/// Leadership review, …".
fn statuses(input: &SiteInput<'_>) -> String {
    let labels: Vec<String> = input
        .methodology
        .intervention
        .statuses
        .iter()
        .map(|s| s.label.clone())
        .collect();
    crate::narrative::and_list(&labels)
}

fn shorthand_list(pack: &NationalPack) -> String {
    let mut used: Vec<_> = pack.tables().flat_map(PackTable::shorthand).collect();
    used.sort();
    used.dedup();
    let parts: Vec<String> = used
        .iter()
        .map(|s| format!("{} {}", s.marker(), s.meaning()))
        .collect();
    if parts.is_empty() {
        "no figure in this release is missing".to_owned()
    } else {
        parts.join("; ")
    }
}

fn group_page(input: &SiteInput<'_>, sh: &Shell<'_>, t: &PackTable) -> String {
    let pack = input.pack;
    let group = t.id.trim_start_matches("league_");
    let seg = pack.segments.iter().find(|g| g.peer_group == group);
    let label = seg.map_or_else(|| group.to_owned(), |g| format!("{}s", g.label));
    let chart = pack.charts.iter().find(|c| c.peer_group == group);
    let provenance = pack.provenance.iter().find(|p| p.peer_group == group);
    let meta = Meta {
        title: &label,
        root: "../",
        crumbs: vec![("Home", "index.html")],
    };
    let csv = csv_of(pack, &t.id);
    let main = html! {
        h1 { (label) }
        @if let Some(p) = provenance { p.nhsuk-body { (p.sentence()) } }
        @if let Some(c) = chart { (svg::ranked(c, "ranked")) }
        (pack_table(t, &TableOptions {
            csv: &csv,
            id: "league",
            filters: &["region", "segment"],
            trust_links: Some("../trusts/"),
        }))
        p.nhsuk-body { a href={ "../" (csv) } { "Download this table as CSV" } }
    };
    page(sh, &meta, main)
}

fn metric_page(input: &SiteInput<'_>, sh: &Shell<'_>, t: &PackTable) -> String {
    let pack = input.pack;
    let id = t.id.trim_start_matches("metric_");
    let def = input
        .methodology
        .metrics
        .iter()
        .find(|m| m.id.eq_ignore_ascii_case(id));
    let title = def.map_or_else(|| id.to_uppercase(), |m| format!("{} ({})", m.name, m.id));
    let meta = Meta {
        title: &title,
        root: "../",
        crumbs: vec![("Home", "index.html"), ("Metrics", "metrics/index.html")],
    };
    let csv = csv_of(pack, &t.id);
    let main = html! {
        h1 { (title) }
        @if let Some(m) = def {
            dl.nhsuk-summary-list {
                (row("Metric id", html! { (m.id) @if let Some(v) = &m.value_id { " (value " (v) ")" } }))
                (row("Domain", html! { (domain_name(input, &m.domain)) ", " (m.sub_domain) }))
                (row("Better when", html! { (direction(m)) }))
                (row("Unit", html! { (if m.shown_unit().is_empty() { "none" } else { m.shown_unit() }) }))
                (row("Weight in the average", html! { (crate::narrative::fmt_weight(m.weight)) }))
                (row("Peer groups", html! { (group_labels(input, &m.peer_groups)) }))
                (row("Period", html! { (periods(input, &m.id)) }))
                (row("Source", html! { (sources(input, &m.id)) }))
            }
            @if !m.note.is_empty() { p.nhsuk-body-s { "How it is scored: " (m.note) } }
        }
        (pack_table(t, &TableOptions { csv: &csv, id: "metric", filters: &["peer_group"], trust_links: Some("../trusts/") }))
        p.nhsuk-body { a href={ "../" (csv) } { "Download this table as CSV" } }
    };
    page(sh, &meta, main)
}

/// The periods the trusts' values of a metric cover, with how many trusts each: "Q1 2025/26
/// (134 trusts); 2024 (earlier) (3 trusts)".
fn periods(input: &SiteInput<'_>, id: &str) -> String {
    let mut n: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for v in input.views {
        if let Some(l) = v.metrics.iter().find(|l| l.id == id) {
            *n.entry(crate::trust::text::period_shown(l, v.quarter))
                .or_default() += 1;
        }
    }
    counted_list(n)
}

/// Where the trusts' values of a metric come from, with how many trusts each.
fn sources(input: &SiteInput<'_>, id: &str) -> String {
    let mut n: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for v in input.views {
        if let Some(l) = v.metrics.iter().find(|l| l.id == id) {
            let what = match l.provenance {
                league_model::Provenance::Published => {
                    "NHS England's published NOF value".to_owned()
                }
                league_model::Provenance::Real => {
                    "computed by this project from NHS England's statistics for the quarter"
                        .to_owned()
                }
                league_model::Provenance::RealOtherPeriod => {
                    "computed by this project from NHS England's statistics for another period"
                        .to_owned()
                }
                league_model::Provenance::Synthetic => {
                    "synthetic, made up by this project: not a real figure".to_owned()
                }
            };
            *n.entry(what).or_default() += 1;
        }
    }
    counted_list(n)
}

/// "A (3 trusts); B (1 trust)", most trusts first; "no trust" when empty.
fn counted_list(n: std::collections::BTreeMap<String, usize>) -> String {
    let mut v: Vec<(String, usize)> = n.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if v.is_empty() {
        return "no trust has a value this quarter".to_owned();
    }
    v.iter()
        .map(|(what, k)| format!("{what} ({})", crate::narrative::counted(*k, "trust")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Peer group ids as their labels: "acute trusts, ambulance trusts".
fn group_labels(input: &SiteInput<'_>, ids: &[String]) -> String {
    let labels: Vec<String> = ids
        .iter()
        .map(|id| {
            input
                .methodology
                .peer_groups
                .iter()
                .find(|g| &g.id == id)
                .map_or_else(|| id.clone(), |g| format!("{}s", g.label.to_lowercase()))
        })
        .collect();
    crate::narrative::and_list(&labels)
}

fn direction(m: &league_model::Metric) -> &'static str {
    if matches!(m.direction, league_model::Direction::HigherIsBetter) {
        "higher"
    } else {
        "lower"
    }
}

fn domain_name(input: &SiteInput<'_>, id: &str) -> String {
    input
        .methodology
        .domains
        .iter()
        .find(|d| d.id == id)
        .map_or_else(|| id.to_owned(), |d| d.name.clone())
}

fn metrics_index(input: &SiteInput<'_>, sh: &Shell<'_>) -> String {
    let meta = Meta {
        title: "Metrics",
        root: "../",
        crumbs: vec![("Home", "index.html")],
    };
    let main = html! {
        h1 { "Metrics" }
        p.nhsuk-body { "Each metric's page gives every trust's value, score and rank within its peer group." }
        ul.nhsuk-list {
            @for t in &input.pack.metrics {
                @let id = t.id.trim_start_matches("metric_");
                li { a href={ (id) ".html" } { (t.title) } }
            }
        }
    };
    page(sh, &meta, main)
}

fn trusts_index(input: &SiteInput<'_>, sh: &Shell<'_>, index: &str) -> String {
    let meta = Meta {
        title: "Find a trust",
        root: "../",
        crumbs: vec![("Home", "index.html")],
    };
    let mut views: Vec<_> = input.views.iter().collect();
    views.sort_by(|a, b| {
        (a.name.to_lowercase(), a.code.as_str()).cmp(&(b.name.to_lowercase(), b.code.as_str()))
    });
    let main = html! {
        h1 { "Find a trust" }
        (search_form(index, "../"))
        h2 { "Every trust, A to Z" }
        p.nhsuk-body { "Each trust in this quarter's tables, with the names and codes it is also known by." }
        ul.nhsuk-list.nhsuk-list--border {
            @for v in views {
                @let (_, note) = aliases(input, v);
                li {
                    a href=(trust_href(v.code.as_str())) { (v.name) }
                    " (" (v.code.as_str()) "), " (v.group_label.to_lowercase())
                    @if !note.is_empty() { ". " (note) }
                }
            }
        }
    };
    page(sh, &meta, main)
}

fn methodology(input: &SiteInput<'_>, sh: &Shell<'_>) -> String {
    let pack = input.pack;
    let meta = Meta {
        title: "Methodology",
        root: "",
        crumbs: vec![("Home", "index.html")],
    };
    let sensitivity = pack.sensitivity.first();
    let main = html! {
        h1 { "Methodology" }
        p.nhsuk-body { "The notes below are the national pack's, word for word: the same sentences as the PDF and the workbook's Notes sheet, written from this run's settings." }
        @for (i, n) in pack.notes.iter().enumerate() {
            h2 id=(n.id) { "Note " (i + 1) ": " (n.subject) }
            p.nhsuk-body { (n.text) }
        }
        @for b in &pack.basis { p.nhsuk-body-s { (b.sentence()) } }
        @if let Some(t) = sensitivity {
            h2 #sensitivity-heading { "What the method's choices do to the segments" }
            (pack_table(t, &TableOptions { csv: &csv_of(pack, &t.id), id: "sensitivity-table", filters: &[], trust_links: None }))
        }
    };
    page(sh, &meta, main)
}

fn data(input: &SiteInput<'_>, sh: &Shell<'_>) -> String {
    let meta = Meta {
        title: "Data and downloads",
        root: "",
        crumbs: vec![("Home", "index.html")],
    };
    let f = input.facts;
    let main = html! {
        h1 { "Data and downloads" }
        p.nhsuk-body { "Every table on this site is also a CSV and a Parquet file; the national pack is also a workbook and a tagged PDF. The files are the release's own, copied unchanged." }
        (scroll("Files of this release", html! { table.nhsuk-table {
            caption.nhsuk-table__caption { "Files of this release" }
            thead.nhsuk-table__head { tr.nhsuk-table__row {
                th.nhsuk-table__header scope="col" { "File" }
                th.nhsuk-table__header.nhsuk-table__header--numeric scope="col" { "Size" }
            } }
            tbody.nhsuk-table__body {
                @for d in input.downloads {
                    tr.nhsuk-table__row {
                        td.nhsuk-table__cell { a href=(d.path) { (d.path.trim_start_matches("downloads/")) } }
                        td.nhsuk-table__cell.nhsuk-table__cell--numeric data-size=(d.path) { (size_label(d.size)) }
                    }
                }
            }
        } }))
        h2 { "This release" }
        dl.nhsuk-summary-list {
            (row("Run", html! { (f.run_id) }))
            (row("Release time", html! { (f.release_at) }))
            (row("Methodology", html! { (input.pack.method.methodology) }))
            (row("Data as of", html! { (input.pack.method.data_as_of(input.pack.quarter)) }))
            (row("Manifest", html! { "The release's manifest.json, beside this site in the release directory, lists every file with its SHA-256; a correction is published as a new release with its reason, and the published area's revision log records it." }))
        }
        h2 { "Inputs" }
        (scroll("Input files", html! { table.nhsuk-table {
            caption.nhsuk-table__caption { "Input files and their SHA-256" }
            thead.nhsuk-table__head { tr.nhsuk-table__row {
                th.nhsuk-table__header scope="col" { "File" }
                th.nhsuk-table__header scope="col" { "SHA-256" }
            } }
            tbody.nhsuk-table__body {
                @for (file, sha) in &f.inputs {
                    tr.nhsuk-table__row {
                        td.nhsuk-table__cell { (file) }
                        td.nhsuk-table__cell { code { (sha) } }
                    }
                }
            }
        } }))
    };
    page(sh, &meta, main)
}

fn accessibility(sh: &Shell<'_>, contact: (&str, &str, &str)) -> String {
    let meta = Meta {
        title: "Accessibility statement",
        root: "",
        crumbs: vec![("Home", "index.html")],
    };
    let main = html! {
        h1 { "Accessibility statement" }
        p.nhsuk-body { "This site is built to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at levels A and AA. The software that writes it is tested in a real browser (Chromium) on every change: the axe-core rules for WCAG 2.2 A and AA on every kind of page, by keyboard alone, at 320 pixels wide and with JavaScript turned off. Automated rules find only some problems, and no testing with people who use assistive technology has been done yet." }
        ul.nhsuk-list.nhsuk-list--bullet {
            li { "Every page works without JavaScript: the tables, charts and lists are in the page. The script only adds sorting, filtering and search as you type." }
            li { "Every chart has a title and a description that state what it shows, and its figures are in a table on the same page. No chart uses colour alone: marks carry text labels or shapes." }
            li { "Tables have captions and header cells; a wide table scrolls sideways in a region you can reach with the Tab key." }
            li { "The site makes no request to any other site: no fonts, scripts, analytics or cookies from elsewhere." }
        }
        h2 { "What is not yet accessible" }
        p.nhsuk-body { "The wide league tables need sideways scrolling on a small screen. The downloadable PDF is tagged (PDF/UA); the spreadsheets follow the Analysis Function's guidance." }
        h2 { "Who publishes this site" }
        p.nhsuk-body { "This site is published by " (contact.2) " with each release of the league tables; it reproduces NHS England's method and is not NHS England's publication. For the published tables themselves, see " (contact.0) " (" (contact.1) ")." }
    };
    page(sh, &meta, main)
}
