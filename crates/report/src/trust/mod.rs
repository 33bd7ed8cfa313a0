//! Per-trust documents: for every trust with an average, an improvement letter (tagged PDF) and
//! a board workbook (Excel), under `OUT/<quarter>/trusts/<ODS code>/`. Each is built from the
//! trust's [`view::TrustView`] alone; all are rendered in parallel with rayon, each document
//! independent of the others, so the bytes are the same whatever the thread count.

mod letter;
mod spc_chart;
pub(crate) mod text;
pub mod view;
mod workbook;

use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

pub use letter::letter_pdf;
pub use view::{TrustView, trust_views};
pub use workbook::{PEER_LEAGUE_SHEET, board_workbook};

use crate::national::NationalPack;
use crate::publication::Publication;
use crate::{PackError, ReportError};

/// The letter's file name.
pub const LETTER: &str = "letter.pdf";
/// The board workbook's file name.
pub const WORKBOOK: &str = "board-workbook.xlsx";

/// One trust's rendered documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The letter (PDF).
    pub letter: Vec<u8>,
    /// The board workbook (xlsx).
    pub workbook: Vec<u8>,
}

/// Renders every view's letter and workbook, in parallel, in the views' order.
pub fn render_all(
    views: &[TrustView],
    publication: &Publication,
) -> Result<Vec<Rendered>, PackError> {
    views
        .par_iter()
        .map(|v| {
            Ok(Rendered {
                letter: letter_pdf(v, publication)?,
                workbook: board_workbook(v, publication)?,
            })
        })
        .collect()
}

/// A trust's directory relative to the output root: `<quarter>/trusts/<code>`.
fn relative_dir(q: league_model::Quarter, code: &league_model::TrustCode) -> PathBuf {
    PathBuf::from(crate::quarter_slug(q))
        .join("trusts")
        .join(code.as_str())
}

/// Whether a relative path is exactly three plain names (no root, `..` or `.`), so it stays
/// inside the directory it is joined to.
fn inside(rel: &Path) -> bool {
    rel.components().count() == 3 && rel.components().all(|c| matches!(c, Component::Normal(_)))
}

/// The directory of a trust's documents: `dir/<quarter>/trusts/<code>`, refused unless it is
/// plain names under `dir` (a validated ODS code is letters and digits, so it always is).
pub fn trust_dir(dir: &Path, v: &TrustView) -> Result<PathBuf, ReportError> {
    let rel = relative_dir(v.quarter, &v.code);
    if !inside(&rel) {
        return Err(ReportError::io(
            &rel,
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a trust's output path must stay inside the output directory",
            ),
        ));
    }
    Ok(dir.join(rel))
}

/// What a trust's documents say beyond the run's figures: the release details, the boards'
/// own capability ratings, and who each trust's documents go to on the release date (the
/// organisation as the register records it then, after a merger or a new name).
#[derive(Debug, Clone, Copy)]
pub struct DocumentContext<'a> {
    /// The release details (date, contact, organisation, next steps).
    pub publication: &'a Publication,
    /// Board capability assessments (none: every letter says "not assessed").
    pub boards: &'a [league_model::BoardAssessment],
    /// Each trust's addressee on the release date, where the register records a change.
    pub addressees:
        &'a std::collections::BTreeMap<league_model::TrustCode, league_model::Addressee>,
}

/// Writes the letters and workbooks of every trust in `packs`' quarters, each addressed to
/// the organisation as it stands on the release date.
pub fn write_trust_documents(
    dir: &Path,
    run: &league_model::ScoreRun,
    m: &league_model::Methodology,
    packs: &[NationalPack],
    context: DocumentContext<'_>,
) -> Result<Vec<PathBuf>, PackError> {
    let DocumentContext {
        publication,
        boards,
        addressees,
    } = context;
    let mut written = Vec::new();
    for pack in packs {
        let views = trust_views(run, m, pack, boards, addressees);
        let docs = render_all(&views, publication)?;
        for (v, docs) in views.iter().zip(docs) {
            let out = trust_dir(dir, v)?;
            std::fs::create_dir_all(&out).map_err(|e| ReportError::io(&out, e))?;
            for (name, bytes) in [(LETTER, docs.letter), (WORKBOOK, docs.workbook)] {
                let p = out.join(name);
                crate::write_file(&p, &bytes)?;
                written.push(p);
            }
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_trust_directory_is_three_plain_names_under_the_output() {
        let q: league_model::Quarter = "Q1 2025/26".parse().expect("quarter");
        let code = league_model::TrustCode::parse("RQM").expect("code");
        let rel = super::relative_dir(q, &code);
        assert_eq!(rel, std::path::Path::new("2025-26-Q1/trusts/RQM"));
        assert!(super::inside(&rel));
        for bad in ["../x/y", "/abs/a/b", "a/b", "a/../b/c", "a/b/c/d"] {
            assert!(!super::inside(std::path::Path::new(bad)), "{bad}");
        }
    }
}
