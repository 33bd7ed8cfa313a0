//! The web edition: a static, accessible site under `site/` in the release, built from the same
//! pack model and trust views as the PDF and workbooks, so no figure is computed twice.
//!
//! Pages (paths under `site/`): `index.html` (the quarter, key findings, segment charts, how to
//! read the tables, search), `groups/<id>.html` (a peer group's full league table),
//! `trusts/<code>.html` (one trust) and `trusts/index.html` (every trust A to Z),
//! `metrics/<id>.html` (one metric, every trust) and `metrics/index.html`, `methodology.html`,
//! `data.html` (downloads with sizes, the release's facts) and `accessibility.html`. The national
//! pack's files are copied under `downloads/<quarter>/`, so the site is whole on its own.
//!
//! Every figure the pages print from a pack table carries the CSV it comes from (`data-csv`,
//! `data-row`, `data-key`), which `league check` reads back with an HTML parser. Templates are
//! maud's compile-time macros, which escape every interpolated text.

mod assets;
mod input;
mod page;
mod pages;
mod svg;
mod trust;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::national::NationalPack;
use crate::trust::{DocumentContext, trust_views};
use crate::{PackError, ReportError, quarter_slug};

pub use input::{Predecessor, ReleaseFacts};
pub use page::CSP;

use input::{Download, SiteInput};

/// The site's directory in a release.
pub const SITE_DIR: &str = "site";

/// Writes `dir/site/` for the latest quarter of `packs`, after the national packs are written
/// (their files are copied into the site's downloads). Returns the files written.
pub fn write_site(
    dir: &Path,
    run: &league_model::ScoreRun,
    m: &league_model::Methodology,
    packs: &[NationalPack],
    context: DocumentContext<'_>,
    facts: &ReleaseFacts,
) -> Result<Vec<PathBuf>, PackError> {
    let Some(pack) = packs.last() else {
        return Ok(Vec::new());
    };
    let site = dir.join(SITE_DIR);
    let mut written = Vec::new();
    let mut downloads = Vec::new();
    for p in packs {
        let slug = quarter_slug(p.quarter);
        let from = dir.join(&slug).join("national");
        let to = site.join("downloads").join(&slug);
        for (rel, path, size) in copy_tree(&from, &to)? {
            downloads.push(Download {
                path: format!("downloads/{slug}/{rel}"),
                size,
            });
            written.push(path);
        }
    }
    let views = trust_views(run, m, pack, context.boards, context.addressees);
    let input = SiteInput {
        pack,
        views: &views,
        methodology: m,
        publication: context.publication,
        facts,
        downloads: &downloads,
    };
    for (rel, bytes) in build(&input) {
        let p = site.join(&rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| ReportError::io(parent, e))?;
        }
        crate::write_file(&p, &bytes)?;
        written.push(p);
    }
    Ok(written)
}

/// Every page and static file: (path under `site/`, bytes), in a fixed order.
fn build(input: &SiteInput<'_>) -> Vec<(String, Vec<u8>)> {
    // The header and footer every page shares, made once.
    let quarter = input.pack.quarter.to_string();
    let caveat = input.pack.caveat();
    let sh = page::shell(input, &quarter, &caveat);
    let mut files = assets::files();
    files.extend(
        pages::pages(input, &sh)
            .into_iter()
            .map(|(p, html)| (p, html.into_bytes())),
    );
    let trusts: Vec<(String, Vec<u8>)> = input
        .views
        .par_iter()
        .map(|v| {
            (
                format!("trusts/{}.html", v.code.as_str()),
                trust::page(input, &sh, v).into_bytes(),
            )
        })
        .collect();
    files.extend(trusts);
    files
}

/// Copies every file under `from` to `to`, keeping the layout; returns (path relative to `to`
/// with `/` separators, the written path, size), sorted.
fn copy_tree(from: &Path, to: &Path) -> Result<Vec<(String, PathBuf, u64)>, ReportError> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let src = from.join(&rel);
        let mut entries: Vec<_> = std::fs::read_dir(&src)
            .map_err(|e| ReportError::io(&src, e))?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        let dst = to.join(&rel);
        std::fs::create_dir_all(&dst).map_err(|e| ReportError::io(&dst, e))?;
        for e in entries {
            let name = rel.join(e.file_name());
            let kind = e
                .file_type()
                .map_err(|err| ReportError::io(&e.path(), err))?;
            if kind.is_dir() {
                stack.push(name);
            } else {
                let target = to.join(&name);
                let size = std::fs::copy(e.path(), &target)
                    .map_err(|err| ReportError::io(&target, err))?;
                let shown = name
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((shown, target, size));
            }
        }
    }
    out.sort();
    Ok(out)
}
