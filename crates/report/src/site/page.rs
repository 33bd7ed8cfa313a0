//! The page shell every page shares (NHS.UK header, breadcrumbs, footer, the Content Security
//! Policy) and the markup for a pack table.

use maud::{DOCTYPE, Markup, html};

use crate::national::NationalPack;
use crate::quarter_slug;
use crate::table::{Cell, Kind, PackTable};

use super::input::SiteInput;

/// The policy every page carries: nothing from outside the site, no inline script or style.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'";

/// What the shell needs to know about a page.
pub(super) struct Meta<'a> {
    /// `<title>` and `<h1>`.
    pub title: &'a str,
    /// Path of the page from the site root's directory: "" at the root, "../" one level down.
    pub root: &'a str,
    /// Breadcrumbs above the title (label, path from the site root), home first.
    pub crumbs: Vec<(&'a str, &'a str)>,
}

/// Shared facts every page states in its header and footer.
pub(super) struct Shell<'a> {
    /// "Q1 2025/26".
    pub quarter: &'a str,
    /// The caveat every rendering opens with.
    pub caveat: &'a str,
    /// The publisher, from the publication settings.
    pub organisation: &'a str,
    /// Release date (YYYY-MM-DD).
    pub release_date: &'a str,
}

/// The site's top-level pages, in the header's order: (label, path).
const NAV: [(&str, &str); 5] = [
    ("League tables", "index.html#league-tables"),
    ("Find a trust", "trusts/index.html"),
    ("Metrics", "metrics/index.html"),
    ("Methodology", "methodology.html"),
    ("Data and downloads", "data.html"),
];

/// The shared header and footer facts.
pub(super) fn shell<'a>(input: &'a SiteInput<'a>, quarter: &'a str, caveat: &'a str) -> Shell<'a> {
    Shell {
        quarter,
        caveat,
        organisation: &input.publication.organisation,
        release_date: &input.publication.release_date,
    }
}

/// A pack table's CSV, from the site root.
pub(super) fn csv_of(pack: &NationalPack, id: &str) -> String {
    format!("downloads/{}/tables/{id}.csv", quarter_slug(pack.quarter))
}

/// A summary list row.
pub(super) fn row(key: &str, value: Markup) -> Markup {
    html! {
        div.nhsuk-summary-list__row {
            dt.nhsuk-summary-list__key { (key) }
            dd.nhsuk-summary-list__value { (value) }
        }
    }
}

/// A whole page.
pub(super) fn page(shell: &Shell<'_>, meta: &Meta<'_>, main: Markup) -> String {
    let root = meta.root;
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="Content-Security-Policy" content=(CSP);
                title { (meta.title) " – NHS Oversight Framework league tables, " (shell.quarter) }
                link rel="stylesheet" href={ (root) "assets/nhsuk-frontend.min.css" };
                link rel="stylesheet" href={ (root) "assets/site.css" };
                script src={ (root) "assets/site.js" } defer {}
            }
            body {
                a.nhsuk-skip-link href="#maincontent" { "Skip to main content" }
                header.nhsuk-header role="banner" {
                    div.nhsuk-header__container.nhsuk-width-container {
                        div.nhsuk-header__service {
                            a.nhsuk-header__service-name href={ (root) "index.html" } {
                                "NHS Oversight Framework league tables, " (shell.quarter)
                            }
                        }
                    }
                    nav.nhsuk-header__navigation aria-label="Site" {
                        div.nhsuk-header__navigation-container.nhsuk-width-container {
                            ul.nhsuk-header__navigation-list {
                                @for (label, href) in NAV {
                                    li.nhsuk-header__navigation-item {
                                        a.nhsuk-header__navigation-link href={ (root) (href) } { (label) }
                                    }
                                }
                            }
                        }
                    }
                }
                div.nhsuk-width-container {
                    @if !meta.crumbs.is_empty() {
                        nav.nhsuk-breadcrumb aria-label="Breadcrumb" {
                            ol.nhsuk-breadcrumb__list {
                                @for (label, href) in &meta.crumbs {
                                    li.nhsuk-breadcrumb__list-item {
                                        a.nhsuk-breadcrumb__link href={ (root) (href) } { (label) }
                                    }
                                }
                            }
                        }
                    }
                    main.nhsuk-main-wrapper #maincontent {
                        (main)
                    }
                }
                footer role="contentinfo" {
                    div.nhsuk-footer {
                        div.nhsuk-width-container {
                            p.nhsuk-body-s { (shell.caveat) }
                            p.nhsuk-body-s {
                                "Published by " (shell.organisation) " on " (shell.release_date)
                                ". Contains public sector information licensed under the Open Government Licence v3.0. "
                                a href={ (root) "accessibility.html" } { "Accessibility statement" }
                                ". NHS.UK frontend styles: MIT licence ("
                                a href={ (root) "assets/nhsuk-frontend-LICENSE.txt" } { "licence text" }
                                ")."
                            }
                        }
                    }
                }
            }
        }
    }
    .into_string()
}

/// Whether a column holds figures (right-aligned).
fn numeric(kind: Kind) -> bool {
    !matches!(kind, Kind::Text)
}

/// A table in a region that scrolls sideways on a narrow screen (and takes keyboard focus, so
/// the part out of view can be reached), so the page itself never scrolls sideways.
pub(super) fn scroll(label: &str, table: Markup) -> Markup {
    html! {
        div.lt-scroll tabindex="0" role="region" aria-label={ (label) " (scrolls sideways)" } { (table) }
    }
}

/// Options for a whole pack table on a page.
pub(super) struct TableOptions<'a> {
    /// The CSV the table is, from the site root (`league check` compares them cell by cell).
    pub csv: &'a str,
    /// The element id.
    pub id: &'a str,
    /// Column keys a visitor may filter by (the script adds the controls).
    pub filters: &'a [&'a str],
    /// Link each trust name to its page (path from the page's directory to `trusts/`).
    pub trust_links: Option<&'a str>,
}

/// A pack table in full: caption, description, notes, `scope` on every header, the trust name
/// as each row's header, the CSV it equals named on the table.
pub(super) fn pack_table(t: &PackTable, o: &TableOptions<'_>) -> Markup {
    let name_col = t.column("trust_name");
    let code_col = t.column("trust_code");
    let filters = o.filters.join(" ");
    html! {
        p.nhsuk-body { (t.description) }
        @for n in &t.notes { p.nhsuk-body-s { (n) } }
        div.lt-scroll tabindex="0" role="region" aria-label={ (t.title) " (scrolls sideways)" } {
            table.nhsuk-table.lt-wide.lt-t id=(o.id) data-csv=(o.csv) data-sortable
                data-filters=[(!filters.is_empty()).then_some(filters.as_str())] {
                caption.nhsuk-table__caption { (t.title) }
                thead.nhsuk-table__head {
                    tr.nhsuk-table__row {
                        @for c in &t.columns {
                            th.nhsuk-table__header.nhsuk-table__header--numeric[numeric(c.kind)]
                                scope="col" data-key=(c.key) { (c.header) }
                        }
                    }
                }
                tbody.nhsuk-table__body {
                    @for row in &t.rows {
                        tr {
                            @for (i, (cell, c)) in row.iter().zip(&t.columns).enumerate() {
                                // The CSV's text; a missing value by its shorthand.
                                @let text = cell.display(c.kind);
                                @if Some(i) == name_col {
                                    th scope="row" {
                                        @match (o.trust_links, code_col.and_then(|k| row.get(k))) {
                                            (Some(dir), Some(Cell::Text(code))) => {
                                                a href={ (dir) (code) ".html" } { (text) }
                                            }
                                            _ => { (text) }
                                        }
                                    }
                                } @else {
                                    td class=[numeric(c.kind).then_some("n")] { (text) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_from_an_input_is_escaped_in_the_shell_and_in_a_table() {
        let hostile = "<script>alert('x')</script> \"q\" & \u{202E}evil";
        let shell = Shell {
            quarter: "Q1 2025/26",
            caveat: hostile,
            organisation: hostile,
            release_date: "2026-01-01",
        };
        let meta = Meta {
            title: hostile,
            root: "../",
            crumbs: vec![("Home", "index.html")],
        };
        let t = PackTable {
            id: "league_x".into(),
            sheet: "x".into(),
            title: hostile.into(),
            description: hostile.into(),
            notes: vec![hostile.into()],
            columns: vec![
                crate::table::trust_code_column(),
                crate::table::trust_name_column(),
            ],
            rows: vec![vec![Cell::Text("R1".into()), Cell::Text(hostile.into())]],
        };
        let body = pack_table(
            &t,
            &TableOptions {
                csv: "downloads/x.csv",
                id: "t",
                filters: &[],
                trust_links: Some("../trusts/"),
            },
        );
        let html = page(&shell, &meta, body);
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains("&lt;script&gt;alert('x')&lt;/script&gt; &quot;q&quot; &amp;"));
        // The only script element is the site's own.
        assert_eq!(html.matches("<script").count(), 1);
        assert!(html.contains(CSP));
    }
}
