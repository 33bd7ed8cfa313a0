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

/// Sheet names in workbook order.
pub(crate) fn sheet_names(xlsx: &Path) -> Vec<String> {
    zip_text(xlsx, "xl/workbook.xml")
        .split("<sheet name=\"")
        .skip(1)
        .map(|s| s.split('"').next().expect("name").to_owned())
        .collect()
}

#[test]
fn every_sheet_prints_a4_landscape_one_page_wide_with_a_print_area() {
    let run = report(&[]);
    let xlsx = run.out.join("2025-26-Q1/national/league-tables.xlsx");
    let names = sheet_names(&xlsx);
    assert!(names.len() > 30, "{names:?}");
    let book = zip_text(&xlsx, "xl/workbook.xml");
    for (i, name) in names.iter().enumerate() {
        let xml = zip_text(&xlsx, &format!("xl/worksheets/sheet{}.xml", i + 1));
        assert!(
            xml.contains("<pageSetUpPr fitToPage=\"1\"/>"),
            "{name}: fit to page"
        );
        assert!(
            xml.contains("paperSize=\"9\"")
                && xml.contains("fitToHeight=\"0\"")
                && xml.contains("orientation=\"landscape\""),
            "{name}: A4 landscape, one page wide"
        );
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

#[test]
fn libreoffice_opens_the_workbook_without_repair_and_reads_the_same_figures() {
    let Some(exe) = soffice() else { return };
    let run = report(&[]);
    let nat = run.out.join("2025-26-Q1/national");
    let xlsx = nat.join("league-tables.xlsx");
    let work = tempfile::tempdir().expect("tempdir");
    // A private profile, so parallel or earlier LibreOffice runs cannot interfere.
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        work.path().display()
    );
    let convert = |filter: &str, to: &Path| {
        let o = Command::new(exe)
            .args([
                profile.as_str(),
                "--headless",
                "--norestore",
                "--convert-to",
                filter,
                "--outdir",
                to.to_str().expect("utf8"),
                xlsx.to_str().expect("utf8"),
            ])
            .output()
            .expect("soffice runs");
        let err = String::from_utf8_lossy(&o.stderr).to_lowercase();
        assert!(o.status.success(), "soffice failed: {err}");
        for word in ["repair", "corrupt", "general error", "could not be loaded"] {
            assert!(!err.contains(word), "LibreOffice reported {word:?}: {err}");
        }
    };
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
        .position(|l| l.starts_with("Rank,"))
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
