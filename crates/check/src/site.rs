//! The web edition, read back with an HTML5 parser (never the templates that wrote it):
//!
//! - every figure the pages mark with the CSV it comes from equals that CSV: a whole table
//!   (`<table data-csv>`) cell by cell, one figure (`data-csv`, `data-row`, `data-key`), or a
//!   count of rows (`data-count="column=value"`);
//! - every download's size as the data page states it, and every downloaded file byte for byte
//!   the release's own;
//! - every link, stylesheet, script and form target resolves to a file inside the site, and a
//!   link to `#id` to an element of the page; nothing is fetched from elsewhere;
//! - every page carries the Content-Security-Policy meta tag.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path};

use scraper::{ElementRef, Html, Selector};

use crate::CheckReport;
use crate::read::{Grid, unguard};

/// Checks `dir/site/` when the release has one.
pub(crate) fn check_site(dir: &Path, report: &mut CheckReport) {
    let site = dir.join("site");
    if !site.join("index.html").is_file() {
        if made_site(dir) {
            report.fail(
                "site/index.html",
                "the manifest lists the site among the outputs made, but there is no site"
                    .to_owned(),
            );
        }
        return;
    }
    let files = crate::read::files_under(&site);
    let mut csvs: HashMap<String, Option<Grid>> = HashMap::new();
    for rel in files.iter().filter(|f| f.ends_with(".html")) {
        let Ok(text) = std::fs::read_to_string(site.join(rel)) else {
            report.fail(&format!("site/{rel}"), "cannot be read as UTF-8".to_owned());
            continue;
        };
        let doc = Html::parse_document(&text);
        let page = Page {
            rel,
            doc: &doc,
            site: &site,
        };
        page.policy(report);
        page.links(report);
        page.figures(&mut csvs, report);
        page.sizes(report);
    }
    downloads(dir, &files, report);
}

fn made_site(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| {
            v["outputs_made"]
                .as_array()
                .map(|a| a.iter().any(|o| o == "site"))
        })
        .unwrap_or(false)
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|_| panic!("selector {s} parses"))
}

/// An element's text as a reader sees it: whitespace runs as one space, trimmed.
fn text_of(e: ElementRef<'_>) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The shorthand markers that stand for an empty CSV cell.
const MARKERS: [&str; 3] = ["[x]", "[z]", "[u]"];

/// Whether a page's text shows a CSV cell: equal, or a shorthand marker for an empty cell (an
/// empty text cell is empty on both).
fn shows(page: &str, csv: &str) -> bool {
    let csv = unguard(csv);
    if csv.is_empty() {
        page.is_empty() || MARKERS.contains(&page)
    } else {
        page == csv
    }
}

struct Page<'a> {
    rel: &'a str,
    doc: &'a Html,
    site: &'a Path,
}

impl Page<'_> {
    fn file(&self) -> String {
        format!("site/{}", self.rel)
    }

    fn policy(&self, report: &mut CheckReport) {
        let ok = self
            .doc
            .select(&sel(r#"meta[http-equiv="Content-Security-Policy"]"#))
            .any(|m| {
                m.value()
                    .attr("content")
                    .is_some_and(|c| c.contains("default-src 'none'"))
            });
        report.count("site pages with a content security policy", 1);
        if !ok {
            report.fail(
                &self.file(),
                "no Content-Security-Policy meta tag forbidding other sources".to_owned(),
            );
        }
    }

    /// A path from the site root, resolved from this page's directory; `None` when it leaves
    /// the site.
    fn resolve(&self, target: &str) -> Option<String> {
        let base = Path::new(self.rel).parent().unwrap_or(Path::new(""));
        let mut parts: Vec<String> = Vec::new();
        for c in base.join(target).components() {
            match c {
                Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
                Component::ParentDir => {
                    parts.pop()?;
                }
                Component::CurDir => {}
                _ => return None,
            }
        }
        Some(parts.join("/"))
    }

    fn links(&self, report: &mut CheckReport) {
        let ids: std::collections::BTreeSet<&str> = self
            .doc
            .select(&sel("[id]"))
            .filter_map(|e| e.value().attr("id"))
            .collect();
        let mut n = 0;
        for (selector, attr) in [
            ("a[href]", "href"),
            ("link[href]", "href"),
            ("script[src]", "src"),
            ("img[src]", "src"),
            ("form[action]", "action"),
        ] {
            for e in self.doc.select(&sel(selector)) {
                let Some(target) = e.value().attr(attr) else {
                    continue;
                };
                n += 1;
                if let Some(problem) = self.link_problem(target, &ids) {
                    report.fail(&self.file(), format!("{selector} {target:?}: {problem}"));
                }
            }
        }
        report.count("site links resolved", n);
    }

    fn link_problem(&self, target: &str, ids: &std::collections::BTreeSet<&str>) -> Option<String> {
        if target.contains("://") || target.starts_with("//") || target.contains(':') {
            return Some("points outside the site".to_owned());
        }
        let (path, fragment) = match target.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (target, None),
        };
        let path = path.split('?').next().unwrap_or("");
        if path.is_empty() {
            return match fragment {
                Some(f) if !ids.contains(f) => {
                    Some(format!("no element with id {f:?} on the page"))
                }
                _ => None,
            };
        }
        match self.resolve(path) {
            None => Some("leaves the site".to_owned()),
            Some(p) if !self.site.join(&p).is_file() => Some(format!("site/{p} does not exist")),
            Some(_) => None,
        }
    }

    fn grid<'c>(
        &self,
        csv: &str,
        csvs: &'c mut HashMap<String, Option<Grid>>,
        report: &mut CheckReport,
    ) -> Option<&'c Grid> {
        if !csvs.contains_key(csv) {
            let g = match Path::new(csv)
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
            {
                true => crate::read::csv(&self.site.join(csv)).ok(),
                false => None,
            };
            if g.is_none() {
                report.fail(
                    &self.file(),
                    format!("data-csv {csv:?} cannot be read inside the site"),
                );
            }
            csvs.insert(csv.to_owned(), g);
        }
        csvs.get(csv).and_then(Option::as_ref)
    }

    fn figures(&self, csvs: &mut HashMap<String, Option<Grid>>, report: &mut CheckReport) {
        for e in self.doc.select(&sel("[data-csv]")) {
            let Some(csv) = e.value().attr("data-csv") else {
                continue;
            };
            let Some(g) = self.grid(csv, csvs, report) else {
                continue;
            };
            let v = e.value();
            if v.name() == "table" {
                self.table(e, csv, g, report);
            } else if let Some(cond) = v.attr("data-count") {
                self.count(e, csv, g, cond, report);
            } else if v.attr("data-key").is_some() {
                self.figure(e, e, csv, g, report);
            } else {
                // A row: the CSV and row are named once, each figure in it names its column.
                for f in e.select(&sel("[data-key]")) {
                    self.figure(e, f, csv, g, report);
                }
            }
        }
    }

    fn table(&self, e: ElementRef<'_>, csv: &str, g: &Grid, report: &mut CheckReport) {
        let keys: Vec<String> = e
            .select(&sel("thead th"))
            .map(|th| th.value().attr("data-key").unwrap_or_default().to_owned())
            .collect();
        if keys != g.header {
            report.fail(
                &self.file(),
                format!(
                    "table from {csv}: columns {keys:?} are not the CSV's {:?}",
                    g.header
                ),
            );
            return;
        }
        let rows: Vec<Vec<String>> = e
            .select(&sel("tbody tr"))
            .map(|tr| tr.select(&sel("th, td")).map(text_of).collect())
            .collect();
        if rows.len() != g.rows.len() {
            report.fail(
                &self.file(),
                format!(
                    "table from {csv}: {} rows, the CSV has {}",
                    rows.len(),
                    g.rows.len()
                ),
            );
            return;
        }
        let mut wrong = 0;
        for (i, (page, file)) in rows.iter().zip(&g.rows).enumerate() {
            for (c, (p, f)) in page.iter().zip(file).enumerate() {
                if !shows(p, f) {
                    wrong += 1;
                    if wrong <= 3 {
                        report.fail(
                            &self.file(),
                            format!(
                                "table from {csv}, row {}, {}: the page shows {p:?}, the CSV {f:?}",
                                i + 1,
                                g.header[c]
                            ),
                        );
                    }
                }
            }
        }
        report.count(
            "site figures equal to the CSVs",
            (g.rows.len() * g.header.len()) as u64,
        );
    }

    fn count(&self, e: ElementRef<'_>, csv: &str, g: &Grid, cond: &str, report: &mut CheckReport) {
        let Some((k, want)) = cond.split_once('=') else {
            report.fail(
                &self.file(),
                format!("data-count {cond:?} is not column=value"),
            );
            return;
        };
        let n = g.col(k).map(|c| {
            g.rows
                .iter()
                .filter(|r| r.get(c).is_some_and(|x| x == want))
                .count()
        });
        let shown = text_of(e);
        report.count("site counts recounted from the CSVs", 1);
        if n.map(|n| n.to_string()) != Some(shown.clone()) {
            report.fail(
                &self.file(),
                format!("rows of {csv} with {cond}: the page says {shown}, the CSV has {n:?}"),
            );
        }
    }

    /// One figure `e`, whose CSV row `at` names (itself, or the table row it is in).
    fn figure(
        &self,
        at: ElementRef<'_>,
        e: ElementRef<'_>,
        csv: &str,
        g: &Grid,
        report: &mut CheckReport,
    ) {
        let (Some(row), Some(key)) = (at.value().attr("data-row"), e.value().attr("data-key"))
        else {
            report.fail(
                &self.file(),
                format!("a figure from {csv} names no data-row and data-key"),
            );
            return;
        };
        let conds: Vec<(&str, &str)> = row.split(';').filter_map(|c| c.split_once('=')).collect();
        let found = g.rows.iter().find(|r| {
            conds.iter().all(|(k, want)| {
                g.col(k)
                    .and_then(|c| r.get(c))
                    .is_some_and(|x| unguard(x) == *want)
            })
        });
        let shown = text_of(e);
        report.count("site figures equal to the CSVs", 1);
        match (found, g.col(key)) {
            (Some(r), Some(c)) if shows(&shown, &r[c]) => {}
            (Some(r), Some(c)) => report.fail(
                &self.file(),
                format!(
                    "{key} of {row} in {csv}: the page shows {shown:?}, the CSV {:?}",
                    r[c]
                ),
            ),
            _ => report.fail(&self.file(), format!("{csv} has no {key} for {row}")),
        }
    }

    /// The data page's sizes, recomputed from the files.
    fn sizes(&self, report: &mut CheckReport) {
        for e in self.doc.select(&sel("[data-size]")) {
            let Some(path) = e.value().attr("data-size") else {
                continue;
            };
            let size = self
                .resolve(path)
                .and_then(|p| std::fs::metadata(self.site.join(p)).ok());
            let shown = text_of(e);
            report.count("site download sizes", 1);
            match size {
                Some(m) if size_words(m.len()) == shown => {}
                Some(m) => report.fail(
                    &self.file(),
                    format!("{path} is {} bytes; the page says {shown:?}", m.len()),
                ),
                None => report.fail(&self.file(), format!("{path} does not exist")),
            }
        }
    }
}

/// A size as the data page words it: bytes under 1,000, else KB to the nearest thousand bytes,
/// else MB to one decimal place (decimal units).
fn size_words(bytes: u64) -> String {
    if bytes < 1_000 {
        format!("{bytes} bytes")
    } else if bytes < 1_000_000 {
        format!("{} KB", (bytes as f64 / 1_000.0).round() as u64)
    } else {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    }
}

/// Each file under `site/downloads/<quarter>/` must be the release's `<quarter>/national/`
/// file, byte for byte.
fn downloads(dir: &Path, files: &[String], report: &mut CheckReport) {
    let mut by_quarter: BTreeMap<&str, u64> = BTreeMap::new();
    for f in files.iter().filter_map(|f| f.strip_prefix("downloads/")) {
        let Some((q, rest)) = f.split_once('/') else {
            continue;
        };
        let ours = std::fs::read(dir.join("site/downloads").join(f));
        let theirs = std::fs::read(dir.join(q).join("national").join(rest));
        *by_quarter.entry(q).or_default() += 1;
        match (ours, theirs) {
            (Ok(a), Ok(b)) if a == b => {}
            (Ok(_), Ok(_)) => report.fail(
                &format!("site/downloads/{f}"),
                format!("differs from {q}/national/{rest}"),
            ),
            _ => report.fail(
                &format!("site/downloads/{f}"),
                format!("has no counterpart {q}/national/{rest}"),
            ),
        }
    }
    report.count(
        "site downloads equal to the release's files",
        by_quarter.values().sum(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_worded_as_the_data_page_words_them() {
        assert_eq!(size_words(12), "12 bytes");
        assert_eq!(size_words(1_499), "1 KB");
        assert_eq!(size_words(1_500), "2 KB");
        assert_eq!(size_words(2_345_678), "2.3 MB");
    }

    #[test]
    fn an_empty_csv_cell_is_shown_by_a_marker_only() {
        assert!(shows("[x]", ""));
        assert!(shows("", ""));
        assert!(!shows("0", ""));
        assert!(shows("=SUM", "'=SUM"));
        assert!(!shows("2.31", "2.32"));
    }
}
