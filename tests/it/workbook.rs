//! The national workbook as its readers get it: print set-up on every sheet, and LibreOffice
//! opens it headless, without repair, with every sheet and the same figures.

use std::io::Read;
use std::path::Path;
use std::process::Command;

use crate::util::{read_csv, report};

pub(crate) fn zip_text(xlsx: &Path, part: &str) -> String {
    let f = std::fs::File::open(xlsx).expect("xlsx");
    let mut z = zip::ZipArchive::new(f).expect("zip");
    let mut s = String::new();
    z.by_name(part)
        .unwrap_or_else(|_| panic!("{part}"))
        .read_to_string(&mut s)
        .expect("utf8");
    s
}

/// Every cell of every sheet of `xlsx` that holds exactly `text` (a shared or inline
/// string): (sheet part and cell reference, whether its style carries the quote prefix that
/// keeps a spreadsheet from reading it as a number or formula when edited).
pub(crate) fn cells_with_text(xlsx: &Path, text: &str) -> Vec<(String, bool)> {
    let f = std::fs::File::open(xlsx).expect("xlsx");
    let z = zip::ZipArchive::new(f).expect("zip");
    let names: Vec<String> = z
        .file_names()
        .map(|n| n.expect("a part name").into_owned())
        .collect();
    let body = |xml: &str| -> String {
        // The text of a <t> element, unescaped for the characters a name may hold.
        xml.split_once('>')
            .map(|(_, t)| t.split("</t>").next().unwrap_or_default())
            .unwrap_or_default()
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
    };
    let shared: Vec<String> = if names.iter().any(|n| n == "xl/sharedStrings.xml") {
        zip_text(xlsx, "xl/sharedStrings.xml")
            .split("<si>")
            .skip(1)
            .map(|si| si.split("<t").nth(1).map(body).unwrap_or_default())
            .collect()
    } else {
        Vec::new()
    };
    let styles = zip_text(xlsx, "xl/styles.xml");
    let xfs: Vec<bool> = styles
        .split("<cellXfs")
        .nth(1)
        .and_then(|s| s.split("</cellXfs>").next())
        .unwrap_or_default()
        .split("<xf ")
        .skip(1)
        .map(|xf| {
            xf.split('>')
                .next()
                .unwrap_or_default()
                .contains("quotePrefix=\"1\"")
        })
        .collect();
    let mut found = Vec::new();
    for part in names
        .iter()
        .filter(|n| n.starts_with("xl/worksheets/sheet"))
    {
        let xml = zip_text(xlsx, part);
        for c in xml.split("<c ").skip(1) {
            let attrs = c.split('>').next().unwrap_or_default();
            let attr = |k: &str| {
                attrs
                    .split(&format!("{k}=\""))
                    .nth(1)
                    .and_then(|v| v.split('"').next())
            };
            let value = match attr("t") {
                Some("s") => c
                    .split("<v>")
                    .nth(1)
                    .and_then(|v| v.split("</v>").next())
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| shared.get(i).cloned()),
                Some("inlineStr") => c.split("<t").nth(1).map(body),
                _ => None,
            };
            if value.as_deref() == Some(text) {
                let style: usize = attr("s").and_then(|s| s.parse().ok()).unwrap_or(0);
                found.push((
                    format!("{part}!{}", attr("r").unwrap_or("?")),
                    xfs.get(style).copied().unwrap_or(false),
                ));
            }
        }
    }
    found
}

/// Sheet names in workbook order.
pub(crate) fn sheet_names(xlsx: &Path) -> Vec<String> {
    zip_text(xlsx, "xl/workbook.xml")
        .split("<sheet name=\"")
        .skip(1)
        .map(|s| s.split('"').next().expect("name").to_owned())
        .collect()
}

#[test]
fn every_sheet_prints_a4_landscape_one_page_wide_or_split_with_its_identifying_columns() {
    let run = report(&[]);
    let xlsx = run.out.join("2025-26-Q1/national/league-tables.xlsx");
    let names = sheet_names(&xlsx);
    assert!(names.len() > 30, "{names:?}");
    let book = zip_text(&xlsx, "xl/workbook.xml");
    let mut split = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let xml = zip_text(&xlsx, &format!("xl/worksheets/sheet{}.xml", i + 1));
        assert!(
            xml.contains("paperSize=\"9\"") && xml.contains("orientation=\"landscape\""),
            "{name}: A4 landscape"
        );
        let titles = book
            .split(&format!(
                "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{i}\">"
            ))
            .nth(1)
            .map(|s| s.split('<').next().expect("text").to_owned());
        if xml.contains("<pageSetUpPr fitToPage=\"1\"/>") {
            assert!(xml.contains("fitToHeight=\"0\""), "{name}: one page wide");
        } else {
            // Too wide for one page at 70%: split across pages at 75%, the trust (or metric)
            // code and name repeated on each.
            assert!(xml.contains("scale=\"75\""), "{name}: split at 75%");
            let titles = titles.as_deref().unwrap_or_default();
            // 'Sheet'!$D:$E,'Sheet'!$7:$7: a column range beside the header row.
            assert!(
                titles
                    .split(',')
                    .filter_map(|r| r.split_once('!'))
                    .any(|(_, cells)| !cells.chars().any(|c| c.is_ascii_digit())),
                "{name}: columns repeated on every page: {titles}"
            );
            split.push(name.clone());
        }
        assert!(
            book.contains(&format!(
                "<definedName name=\"_xlnm.Print_Area\" localSheetId=\"{i}\">"
            )),
            "{name}: print area"
        );
        assert!(
            xml.contains("<oddFooter>"),
            "{name}: page numbers in the footer"
        );
    }
    for name in ["Cover", "Contents", "Notes", "Data dictionary"] {
        assert!(
            !split.contains(&name.to_owned()),
            "{name} prints one page wide"
        );
    }
    assert!(split.contains(&"League Acute".to_owned()), "{split:?}");
    // Table sheets repeat their header row on every printed page.
    assert!(book.contains("_xlnm.Print_Titles"), "{book}");
    // Header cells are bold and wrapped: the header format used by every table.
    let styles = zip_text(&xlsx, "xl/styles.xml");
    assert!(styles.contains("wrapText=\"1\""), "{styles}");
    assert!(styles.contains("<b/>"), "{styles}");
}

/// `soffice` when installed. CI (`.ci/run`) installs LibreOffice and sets
/// `LEAGUE_REQUIRE_LIBREOFFICE`, so there a missing one fails the test; elsewhere the check is
/// skipped with a message.
pub(crate) fn soffice() -> Option<&'static str> {
    for exe in ["soffice", "libreoffice"] {
        if Command::new(exe).arg("--version").output().is_ok() {
            return Some(exe);
        }
    }
    assert!(
        std::env::var_os("LEAGUE_REQUIRE_LIBREOFFICE").is_none(),
        "LibreOffice (soffice) is required here"
    );
    eprintln!("SKIPPED: the LibreOffice check needs soffice; .ci/run installs it");
    None
}

/// Converts `input` with LibreOffice headless to `filter` ("ods", "pdf", a CSV filter) in
/// `out`, with a private profile under `out` so parallel or earlier runs cannot interfere; fails
/// on any error or repair LibreOffice reports.
pub(crate) fn soffice_convert(exe: &str, filter: &str, input: &Path, out: &Path) {
    let profile = format!("-env:UserInstallation=file://{}/profile", out.display());
    let o = Command::new(exe)
        .args([
            profile.as_str(),
            "--headless",
            "--norestore",
            "--convert-to",
            filter,
            "--outdir",
            out.to_str().expect("utf8"),
            input.to_str().expect("utf8"),
        ])
        .output()
        .expect("soffice runs");
    let err = String::from_utf8_lossy(&o.stderr).to_lowercase();
    assert!(o.status.success(), "soffice failed: {err}");
    for word in ["repair", "corrupt", "general error", "could not be loaded"] {
        assert!(!err.contains(word), "LibreOffice reported {word:?}: {err}");
    }
}

/// The print scale of every page of `xlsx` as LibreOffice prints it to PDF, in per cent of the
/// Cover's (which prints at 100%): each page's median word height in the PDF, as poppler's
/// `pdftotext -bbox` gives it, against the Cover's. `None` where poppler is missing (outside
/// CI).
pub(crate) fn printed_scales(exe: &str, xlsx: &Path) -> Option<Vec<f64>> {
    let work = tempfile::tempdir().expect("tempdir");
    soffice_convert(exe, "pdf", xlsx, work.path());
    let pdf = work
        .path()
        .join(xlsx.file_stem().expect("stem"))
        .with_extension("pdf");
    let Ok(o) = Command::new("pdftotext")
        .args(["-bbox", pdf.to_str().expect("utf8"), "-"])
        .output()
    else {
        assert!(
            std::env::var_os("LEAGUE_REQUIRE_POPPLER").is_none(),
            "poppler-utils is required here"
        );
        eprintln!("SKIPPED: the print-scale check needs poppler-utils (pdftotext)");
        return None;
    };
    let html = String::from_utf8_lossy(&o.stdout).into_owned();
    let attr = |word: &str, name: &str| -> f64 {
        word.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{name} in {word}"))
    };
    let heights: Vec<f64> = html
        .split("<page ")
        .skip(1)
        .map(|page| {
            let mut h: Vec<f64> = page
                .split("<word ")
                .skip(1)
                .map(|w| attr(w, "yMax") - attr(w, "yMin"))
                .collect();
            h.sort_by(f64::total_cmp);
            h.get(h.len() / 2).copied().unwrap_or(0.0)
        })
        .collect();
    let cover = heights[0];
    // Arial 12 at 100%: poppler's word box is about 14.3 points tall.
    assert!(cover > 13.5, "the Cover prints at 100%: {cover}");
    Some(heights.iter().map(|h| h / cover * 100.0).collect())
}

#[test]
fn every_page_of_the_national_workbook_prints_at_70_per_cent_or_more() {
    let Some(exe) = soffice() else { return };
    let run = report(&[]);
    let xlsx = run.out.join("2025-26-Q1/national/league-tables.xlsx");
    let Some(scales) = printed_scales(exe, &xlsx) else {
        return;
    };
    assert!(scales.len() > 40, "{} pages", scales.len());
    for (i, s) in scales.iter().enumerate() {
        // A little under 70 for the rounding of glyph boxes.
        assert!(*s >= 69.0, "page {} prints at {s:.0}%", i + 1);
    }
}

#[test]
fn libreoffice_opens_the_workbook_without_repair_and_reads_the_same_figures() {
    let Some(exe) = soffice() else { return };
    let run = report(&[]);
    let nat = run.out.join("2025-26-Q1/national");
    let xlsx = nat.join("league-tables.xlsx");
    let work = tempfile::tempdir().expect("tempdir");
    let convert = |filter: &str, to: &Path| soffice_convert(exe, filter, &xlsx, to);
    // Open and save as ODS: every sheet survives, each with its print range, landscape and
    // scaled to one page wide.
    let ods_dir = work.path().join("ods");
    convert("ods", &ods_dir);
    let ods = ods_dir.join("league-tables.ods");
    let content = zip_text(&ods, "content.xml");
    let sheets = sheet_names(&xlsx);
    assert_eq!(
        content.matches("<table:table table:name=").count(),
        sheets.len(),
        "every sheet opens"
    );
    for name in &sheets {
        let quoted = if name.contains(' ') {
            format!("&apos;{name}&apos;")
        } else {
            name.clone()
        };
        assert!(
            content.contains(&format!("table:print-ranges=\"{quoted}.A1:")),
            "{name}: print range kept"
        );
    }
    let styles = zip_text(&ods, "styles.xml");
    assert!(styles.contains("style:print-orientation=\"landscape\""));
    assert!(styles.contains("style:scale-to-X=\"1\""));

    // Every sheet as CSV, cells as shown: the league table LibreOffice reads is the one we
    // wrote, to the places we wrote.
    let csv_dir = work.path().join("csv");
    convert(
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
        &csv_dir,
    );
    let text = std::fs::read_to_string(csv_dir.join("league-tables-League Acute.csv"))
        .expect("League Acute as CSV");
    let lines: Vec<&str> = text.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.starts_with("Quarter,Rank,"))
        .expect("table header");
    let table = lines[header..].join("\n");
    let mut r = csv::Reader::from_reader(table.as_bytes());
    let heads = r.headers().expect("header").clone();
    let at = |h: &str| heads.iter().position(|x| x == h).expect(h);
    let (rank, code, avg) = (at("Rank"), at("Trust code"), at("Average metric score"));
    let theirs: Vec<(String, String, String)> = r
        .records()
        .map(|x| {
            let x = x.expect("row");
            (x[rank].to_owned(), x[code].to_owned(), x[avg].to_owned())
        })
        .collect();
    let ours: Vec<(String, String, String)> = read_csv(&nat.join("tables/league_acute.csv"))
        .into_iter()
        .map(|x| {
            (
                x["rank"].clone(),
                x["trust_code"].clone(),
                x["average_score"].clone(),
            )
        })
        .collect();
    assert_eq!(theirs.len(), 134);
    assert_eq!(theirs, ours);
}
