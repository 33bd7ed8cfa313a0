//! Quality assurance of a finished output set, as a stage of the pipeline (Aqua Book, RAP).
//!
//! [`check`] re-reads what a run wrote (the peer-group CSVs, the national pack's CSV and
//! Parquet tables, the workbook's cells, the PDF's text and the manifest) and re-derives what
//! can be re-derived without the engine:
//!
//! - each league rank from segment and average (competition ranking);
//! - each average from the metric scores in `metric-scores.csv` and the configured weights;
//! - each peer median and quartile from the values in the same table;
//! - one segment, one segment before the override, one Recovery Support flag and one average
//!   per trust across every file (NHS England-layout CSV, summary rows, national CSV, Parquet,
//!   workbook, PDF);
//! - every quarter's segment and rank in a movement table equal to that quarter's league table;
//! - every CSV cell equal to its Parquet and workbook cell;
//! - the counts in the key findings (workbook and PDF) equal to the counts in the tables;
//! - every trust's letter and board workbook: their figures equal to the league tables and
//!   metric scores, the workbook's peer league table equal to the national one, and no other
//!   trust named outside it (the leak scan);
//! - the web edition (`site/`): every figure a page takes from a CSV equal to it, every link
//!   inside the site, every download the release's own file (read with an HTML5 parser);
//! - every output's SHA-256 equal to the manifest's.
//!
//! It is written from the output formats alone and shares no code with the renderers, so it
//! can catch them.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use league_model::{Methodology, Quarter};

mod group;
mod manifest;
mod national;
mod pdf;
mod read;
mod site;
mod statistics;
mod trusts;

use group::{check_group, check_spread, spread};
use manifest::check_manifest;
use national::check_national;

use read::{Grid, NumberForm};

/// The text of each page of a PDF as a reader sees it (lines joined by spaces), read through
/// the fonts' ToUnicode maps; the error says why the file could not be read.
pub fn pdf_pages(path: &Path) -> Result<Vec<String>, String> {
    Ok(pdf::lines(path)?
        .into_iter()
        .map(|page| page.join(" "))
        .collect())
}

/// The alternative text of each figure of a tagged PDF, in the structure tree's order.
pub fn pdf_figures(path: &Path) -> Result<Vec<String>, String> {
    Ok(pdf::read(path)?.figures)
}

/// One thing that is not as it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file, relative to the output directory.
    pub file: String,
    /// What is wrong, with the figures.
    pub problem: String,
}

/// What was checked and what failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// How many figures each check compared.
    pub checked: BTreeMap<&'static str, u64>,
    /// Everything that failed.
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// True when nothing failed.
    pub fn passed(&self) -> bool {
        self.findings.is_empty()
    }

    fn fail(&mut self, file: &str, problem: String) {
        self.findings.push(Finding {
            file: file.to_owned(),
            problem,
        });
    }

    fn count(&mut self, what: &'static str, n: u64) {
        *self.checked.entry(what).or_default() += n;
    }
}

/// Why the check could not run at all (a failed figure is a [`Finding`], not an error).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The directory holds no output set.
    #[error("{0}: no output set here (no <quarter>/<peer group>/league-table.csv)")]
    Empty(String),
    /// The directory cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// Path.
        path: String,
        /// OS error.
        source: std::io::Error,
    },
}

/// Tolerance for a figure re-derived from figures rounded to 2 dp: each input is within 0.005
/// of its exact value, and so is the published result.
const TOLERANCE: f64 = 0.01 + 1e-9;

/// Checks the output set under `dir` against itself and the methodology's weights.
pub fn check(dir: &Path, m: &Methodology) -> Result<CheckReport, CheckError> {
    let io = |path: &Path, source| CheckError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut report = CheckReport::default();
    let mut quarters: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    quarters.sort();
    let mut any = false;
    for q in &quarters {
        let qdir = dir.join(q);
        let mut groups: Vec<String> = std::fs::read_dir(&qdir)
            .map_err(|e| io(&qdir, e))?
            .filter_map(Result::ok)
            .filter(|e| e.path().join("league-table.csv").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        groups.sort();
        let mut tables = BTreeMap::new();
        for g in &groups {
            any = true;
            if let Some(t) = check_group(dir, q, g, m, &mut report) {
                tables.insert(g.clone(), t);
            }
        }
        if qdir.join("national").is_dir() {
            check_national(dir, q, &tables, m, &mut report);
        }
    }
    if !any {
        return Err(CheckError::Empty(dir.display().to_string()));
    }
    site::check_site(dir, &mut report);
    if dir.join("manifest.json").is_file() {
        check_manifest(dir, &mut report);
    }
    Ok(report)
}

/// A peer group's two NHS England-layout files.
struct GroupFiles {
    league: Grid,
    scores: Grid,
}

fn num(s: &str) -> Option<f64> {
    s.trim().parse().ok()
}

fn read_csv(dir: &Path, rel: &str, report: &mut CheckReport) -> Option<Grid> {
    match read::csv(&dir.join(rel)) {
        Ok(g) => Some(g),
        Err(e) => {
            report.fail(rel, format!("cannot be read: {e}"));
            None
        }
    }
}

/// The dictionary's tables: id → (column name, header, number form) in order.
type Dictionary = BTreeMap<String, Vec<(String, String, NumberForm)>>;

fn dictionary(path: &Path) -> Result<Dictionary, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let mut out = Dictionary::new();
    for t in v["tables"].as_array().ok_or("no tables")? {
        let id = t["id"].as_str().ok_or("a table without id")?.to_owned();
        let cols = t["columns"]
            .as_array()
            .ok_or("a table without columns")?
            .iter()
            .map(|c| {
                let form = match (c["type"].as_str(), c["decimal_places"].as_u64()) {
                    (Some("integer"), _) => NumberForm::Integer,
                    (Some("number"), Some(dp)) => NumberForm::Decimal(dp as usize),
                    _ => NumberForm::Text,
                };
                (
                    c["name"].as_str().unwrap_or_default().to_owned(),
                    c["header"].as_str().unwrap_or_default().to_owned(),
                    form,
                )
            })
            .collect();
        out.insert(id, cols);
    }
    Ok(out)
}

/// Compares two grids cell for cell; reports the first few differences.
fn same_cells(report: &mut CheckReport, file: &str, what: &str, a: &Grid, b: &Grid) -> u64 {
    if a.rows.len() != b.rows.len() {
        report.fail(
            file,
            format!("{what}: {} rows against {}", a.rows.len(), b.rows.len()),
        );
        return 0;
    }
    let mut shown = 0;
    let mut n = 0;
    for (i, (ra, rb)) in a.rows.iter().zip(&b.rows).enumerate() {
        for (c, (x, y)) in ra.iter().zip(rb).enumerate() {
            n += 1;
            if x != y {
                if shown < 3 {
                    report.fail(
                        file,
                        format!(
                            "{what}: row {}, column {}: {x:?} against {y:?}",
                            i + 1,
                            a.header.get(c).map_or("?", String::as_str)
                        ),
                    );
                }
                shown += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::competition_ranks;

    #[test]
    fn ranks_share_the_best_position() {
        assert_eq!(
            competition_ranks(&[(1, 150), (1, 150), (1, 160), (2, 100)]),
            [1, 1, 3, 4]
        );
    }

    #[test]
    fn quartiles_are_linear_and_inclusive() {
        let [median, lq, uq] = spread(vec![60.0, 10.0, 30.0, 20.0, 50.0, 40.0]);
        assert_eq!((median, lq, uq), (35.0, 22.5, 47.5));
    }

    #[test]
    fn formula_guards_are_removed_only_before_formula_characters() {
        assert_eq!(read::unguard("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(read::unguard("'-1"), "-1");
        assert_eq!(read::unguard("O'Brien"), "O'Brien");
        assert_eq!(read::unguard("'quoted'"), "'quoted'");
    }
}
