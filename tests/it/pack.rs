//! The national pack end to end: `league report` writes the workbook, the PDF and the CSV and
//! Parquet tables; they agree with each other; the workbook and PDF meet their structural rules;
//! reruns are byte-identical.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader};

use crate::util::{Report, files_under, read_csv, report};

fn run_report() -> Report {
    report(&[])
}

fn national(p: &Report) -> PathBuf {
    p.out.join("2025-26-Q1/national")
}

/// (rank, trust code, segment, segment before the override, Recovery Support Programme,
/// average score to 2 dp) per league row.
type Row = (u32, String, String, String, String, String);

fn from_csv(dir: &Path, group: &str) -> Vec<Row> {
    read_csv(&dir.join(format!("tables/league_{group}.csv")))
        .into_iter()
        .map(|r| {
            (
                r["rank"].parse().expect("rank"),
                r["trust_code"].clone(),
                r["segment"].clone(),
                r["segment_before_override"].clone(),
                r["recovery_support_programme"].clone(),
                r["average_score"].clone(),
            )
        })
        .collect()
}

fn from_parquet(dir: &Path, group: &str) -> Vec<Row> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let f =
        std::fs::File::open(dir.join(format!("tables/league_{group}.parquet"))).expect("parquet");
    let r = SerializedFileReader::new(f).expect("reader");
    r.get_row_iter(None)
        .expect("rows")
        .map(|row| {
            let row = row.expect("row");
            let mut rank = 0;
            let mut code = String::new();
            let mut avg = String::new();
            let (mut seg, mut before, mut rsp) = (String::new(), String::new(), String::new());
            for (name, field) in row.get_column_iter() {
                match (name.as_str(), field) {
                    ("rank", Field::Long(v)) => rank = *v as u32,
                    ("trust_code", Field::Str(s)) => code = s.clone(),
                    ("segment", Field::Long(v)) => seg = v.to_string(),
                    ("segment_before_override", Field::Long(v)) => before = v.to_string(),
                    ("recovery_support_programme", Field::Str(s)) => rsp = s.clone(),
                    ("average_score", Field::Double(v)) => avg = format!("{v:.2}"),
                    _ => {}
                }
            }
            (rank, code, seg, before, rsp, avg)
        })
        .collect()
}

fn from_xlsx(path: &Path, sheet: &str) -> Vec<Row> {
    let mut wb = calamine::open_workbook_auto(path).expect("xlsx");
    let range = wb.worksheet_range(sheet).expect("sheet");
    let rows: Vec<&[Data]> = range.rows().collect();
    let header = rows
        .iter()
        .position(|r| r.first() == Some(&Data::String("Quarter".into())))
        .expect("table header");
    let col = |name: &str| {
        rows[header]
            .iter()
            .position(|c| *c == Data::String(name.into()))
            .unwrap_or_else(|| panic!("column {name}"))
    };
    let (r, c, a) = (col("Rank"), col("Trust code"), col("Average metric score"));
    let (sg, b, p) = (
        col("Segment"),
        col("Segment before the financial override"),
        col("Recovery Support Programme (segment 5)"),
    );
    rows[header + 1..]
        .iter()
        .map(|row| {
            let num = |d: &Data| match d {
                Data::Float(v) => *v,
                Data::Int(v) => *v as f64,
                other => panic!("{sheet}: a number cell, got {other:?}"),
            };
            let code = match &row[c] {
                Data::String(s) => s.clone(),
                other => panic!("{other:?}"),
            };
            let text = |d: &Data| match d {
                Data::String(s) => s.clone(),
                other => panic!("{sheet}: a text cell, got {other:?}"),
            };
            (
                num(&row[r]) as u32,
                code,
                format!("{}", num(&row[sg])),
                format!("{}", num(&row[b])),
                text(&row[p]),
                format!("{:.2}", num(&row[a])),
            )
        })
        .collect()
}

/// True when poppler's tools are installed. CI (`.ci/run`) installs them and sets
/// `LEAGUE_REQUIRE_POPPLER`, so there a missing tool fails the test; on a machine with only
/// Rust the PDF read-back checks are skipped with a message.
pub(crate) fn poppler() -> bool {
    let present = Command::new("pdftotext").arg("-v").output().is_ok()
        && Command::new("pdffonts").arg("-v").output().is_ok();
    if !present {
        assert!(
            std::env::var_os("LEAGUE_REQUIRE_POPPLER").is_none(),
            "poppler-utils (pdftotext, pdfinfo, pdffonts) is required here"
        );
        eprintln!(
            "SKIPPED: PDF read-back checks need poppler-utils (pdftotext); .ci/run installs it"
        );
    }
    present
}

pub(crate) fn pdf_text(path: &Path) -> String {
    let o = Command::new("pdftotext")
        .args(["-layout", path.to_str().expect("utf8"), "-"])
        .output()
        .expect("pdftotext runs");
    assert!(o.status.success());
    String::from_utf8(o.stdout).expect("utf8")
}

/// League rows as the PDF prints them, per table caption, in page order.
fn from_pdf(text: &str) -> BTreeMap<String, Vec<Row>> {
    let mut out: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(rest) = line.trim().strip_prefix("Table ")
            && rest.contains(": league table, ")
        {
            current = Some(rest.split(", ").nth(1).expect("group").to_owned());
            continue;
        }
        let Some(group) = &current else { continue };
        let f: Vec<&str> = line.split_whitespace().collect();
        // rank, "a to b", code ... average "c to d" [counts]
        let last_to = f.iter().rposition(|w| *w == "to").unwrap_or(0);
        if f.len() >= 9
            && f[0].parse::<u32>().is_ok()
            && f[2] == "to"
            && f[4].len() >= 3
            && f[4]
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && last_to > 4
        {
            // ... segment, before override, programme, deficit, average. A flag is "Yes", "No"
            // or "Not known", whose second word may wrap to the next line.
            let avg = last_to - 2;
            let flag = |end: usize| -> (String, usize) {
                match (f[end], f[end - 1]) {
                    ("known", "Not") => ("Not known".to_owned(), end - 1),
                    ("Not", _) => ("Not known".to_owned(), end),
                    (word, _) => (word.to_owned(), end),
                }
            };
            let (_, deficit_at) = flag(avg - 1);
            let (programme, at) = flag(deficit_at - 1);
            out.entry(group.clone()).or_default().push((
                f[0].parse().expect("rank"),
                f[4].to_owned(),
                f[at - 2].to_owned(),
                f[at - 1].to_owned(),
                programme,
                f[avg].to_owned(),
            ));
        }
    }
    out
}

#[test]
fn workbook_pdf_csv_and_parquet_agree() {
    let p = crate::util::default_report();
    let dir = national(p);
    let text = poppler().then(|| pdf_text(&dir.join("league-tables.pdf")));
    // The cover's warning and the ambulance pages say the ambulance table is this project's
    // reconstruction, and its segments provisional where the deficit status is not known.
    if let Some(t) = &text {
        let flat = t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(
                "The ambulance trust segments and ranks are reconstructed by this project"
            ),
            "cover warning"
        );
        assert!(
            flat.contains("so its segments and ranks are reconstructed by this project; NHS England's results may differ. The deficit status of 10 trusts is not known, so their segments are provisional"),
            "ambulance pages"
        );
        assert_eq!(
            flat.matches("reconstructed by this project").count(),
            2,
            "only the ambulance table is a reconstruction"
        );
    }
    let pdf = text.as_deref().map(from_pdf);
    for (group, sheet, caption) in [
        ("acute", "League Acute", "acute trusts"),
        (
            "mh_community",
            "League MH and community",
            "mental health and community trusts",
        ),
        ("ambulance", "League Ambulance", "ambulance trusts"),
    ] {
        let csv = from_csv(&dir, group);
        assert!(!csv.is_empty());
        assert_eq!(from_parquet(&dir, group), csv, "{group}: Parquet");
        assert_eq!(
            from_xlsx(&dir.join("league-tables.xlsx"), sheet),
            csv,
            "{group}: workbook"
        );
        // The PDF lists every trust of the table, in rank order, with the same figures.
        if let Some(pdf) = &pdf {
            assert_eq!(pdf[caption], csv, "{group}: PDF");
        }
        // And the NHS England-layout CSV says the same.
        let nhse = read_csv(&p.out.join(format!("2025-26-Q1/{group}/league-table.csv")));
        let nhse: Vec<Row> = nhse
            .iter()
            .map(|r| {
                (
                    r["Rank"].parse().expect("rank"),
                    r["Trust_code"].clone(),
                    r["Segment"].clone(),
                    r["Segment_before_override"].clone(),
                    r["Recovery_support_programme"].clone(),
                    format!("{:.2}", r["Average_score"].parse::<f64>().expect("avg")),
                )
            })
            .collect();
        assert_eq!(nhse, csv, "{group}: league-table.csv");
    }
}

#[test]
fn workbook_follows_the_spreadsheet_guidance() {
    let p = crate::util::default_report();
    let path = national(p).join("league-tables.xlsx");
    let wb_xml = crate::workbook::zip_text(&path, "xl/workbook.xml");
    let sheets: Vec<String> = wb_xml
        .split("<sheet name=\"")
        .skip(1)
        .map(|s| s.split('"').next().expect("name").to_owned())
        .collect();
    assert_eq!(sheets[..4], ["Cover", "Contents", "Notes", "League Acute"]);
    assert_eq!(sheets.last().map(String::as_str), Some("Data dictionary"));
    assert!(sheets.iter().any(|s| s == "Metric OF1023"), "{sheets:?}");
    assert!(sheets.iter().all(|s| s.len() <= 31 && s.trim() == s));

    let f = std::fs::File::open(&path).expect("xlsx");
    let z = zip::ZipArchive::new(f).expect("zip");
    let names: Vec<String> = z
        .file_names()
        .map(|n| n.expect("name").into_owned())
        .collect();
    let mut table_names = Vec::new();
    for n in names.iter().filter(|n| n.starts_with("xl/tables/table")) {
        let xml = crate::workbook::zip_text(&path, n);
        let name = xml
            .split("name=\"")
            .nth(1)
            .expect("table name")
            .split('"')
            .next()
            .expect("end");
        assert!(
            name.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'),
            "{name}"
        );
        assert!(!xml.contains("<autoFilter"), "{name}: no filter");
        assert!(
            !xml.contains("headerRowCount=\"0\""),
            "{name}: one header row"
        );
        table_names.push(name.to_owned());
    }
    let unique: std::collections::BTreeSet<&String> = table_names.iter().collect();
    assert_eq!(unique.len(), table_names.len(), "table names are unique");
    // Every sheet after the cover holds exactly one table.
    assert_eq!(table_names.len(), sheets.len() - 1);
    for i in 1..=sheets.len() {
        let xml = crate::workbook::zip_text(&path, &format!("xl/worksheets/sheet{i}.xml"));
        assert!(
            !xml.contains("<f>") && !xml.contains("<f "),
            "sheet {i}: formula"
        );
        assert!(!xml.contains("<mergeCell"), "sheet {i}: merged cells");
        let parts = xml.matches("<tablePart ").count();
        assert_eq!(parts, usize::from(i > 1), "sheet {i}: tables");
    }
    let core = crate::workbook::zip_text(&path, "docProps/core.xml");
    assert!(core.contains("<dc:title>NHS Oversight Framework league tables"));
    assert!(core.contains("<dc:creator>league-tables project"));
    assert!(core.contains("<dc:language>en-GB</dc:language>"));
    // A1 holds the title on every sheet.
    let mut wb = calamine::open_workbook_auto(&path).expect("xlsx");
    for s in &sheets {
        let range = wb.worksheet_range(s).expect("sheet");
        assert_eq!(range.start(), Some((0, 0)), "{s}");
        assert!(
            matches!(range.get((0, 0)), Some(Data::String(t)) if !t.is_empty()),
            "{s}: A1"
        );
    }
}

#[test]
fn pdf_is_tagged_with_embedded_fonts() {
    let p = crate::util::default_report();
    let pdf = national(p).join("league-tables.pdf");
    let bytes = std::fs::read(&pdf).expect("pdf");
    let raw = String::from_utf8_lossy(&bytes);
    for key in [
        "/StructTreeRoot",
        "/MarkInfo",
        "/Lang",
        "/DisplayDocTitle",
        "/Alt",
        "pdfuaid",
    ] {
        assert!(raw.contains(key), "{key} present");
    }
    if !poppler() {
        return;
    }
    let info = Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("Tagged:          yes"), "{info}");
    // Lists are tagged as lists (L > LI > Lbl, LBody), one item per key finding; web addresses
    // are Link elements holding a link annotation.
    let tree = Command::new("pdfinfo")
        .args(["-struct"])
        .arg(&pdf)
        .output()
        .expect("pdfinfo -struct");
    let tree = String::from_utf8_lossy(&tree.stdout);
    let count = |tag: &str| {
        tree.lines()
            .filter(|l| l.trim_start().starts_with(&format!("{tag} ")))
            .count()
    };
    assert_eq!(count("L"), 1, "{tree}");
    assert!(count("LI") >= 5 && count("LI") == count("Lbl") && count("LI") == count("LBody"));
    assert_eq!(
        count("Link"),
        2,
        "the release address, on the cover and at the end"
    );
    assert!(raw.contains("/Subtype /Link") || raw.contains("/Subtype/Link"));
    assert!(raw.contains("https://www.england.nhs.uk/nhs-oversight-framework/"));
    assert!(
        info.contains("Title:           NHS Oversight Framework league tables"),
        "{info}"
    );
    let fonts = Command::new("pdffonts")
        .arg(&pdf)
        .output()
        .expect("pdffonts");
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty());
    for r in rows {
        assert!(r.contains("LiberationSans"), "{r}");
        let f: Vec<&str> = r.split_whitespace().collect();
        assert_eq!(
            &f[f.len() - 5..f.len() - 2],
            ["yes", "yes", "yes"],
            "embedded, subset, unicode: {r}"
        );
    }
}

#[test]
fn the_pack_is_byte_identical_between_runs() {
    let (a, b) = (run_report(), run_report());
    let (fa, fb) = (files_under(&national(&a)), files_under(&national(&b)));
    assert_eq!(fa, fb);
    assert!(fa.len() >= 50, "{} files", fa.len());
    for f in fa {
        assert!(
            std::fs::read(national(&a).join(&f)).expect("a")
                == std::fs::read(national(&b).join(&f)).expect("b"),
            "{} differs between runs",
            f.display()
        );
    }
}

#[test]
fn movement_is_reported_when_the_run_holds_the_previous_quarter() {
    // NHS England's MH/community file holds Q1–Q3 2025/26: the Q3 pack compares with Q2.
    let run = report(&[
        "--input",
        "data/nof/nof_mh_community_2025_26_q1_to_q3_data.csv",
    ]);
    let out = &run.out;
    let q3 = out.join("2025-26-Q3/national");
    let moves = read_csv(&q3.join("tables/movement_mh_community.csv"));
    assert_eq!(moves.len(), 61);
    let league_q2 = read_csv(&out.join("2025-26-Q2/mh_community/league-table.csv"));
    let league_q3 = read_csv(&out.join("2025-26-Q3/mh_community/league-table.csv"));
    let rank = |rows: &[std::collections::HashMap<String, String>], code: &str| -> i64 {
        rows.iter()
            .find(|r| r["Trust_code"] == code)
            .expect("trust")["Rank"]
            .parse()
            .expect("rank")
    };
    for m in &moves {
        let (before, now) = (
            rank(&league_q2, &m["trust_code"]),
            rank(&league_q3, &m["trust_code"]),
        );
        assert_eq!(m["rank_2025_26_q2"].parse::<i64>().expect("n"), before);
        assert_eq!(m["rank_2025_26_q3"].parse::<i64>().expect("n"), now);
        assert_eq!(m["places_gained"].parse::<i64>().expect("n"), before - now);
        // Significance applies to a change of rank only.
        let expected: &[&str] = if before == now {
            &["No change"]
        } else {
            &["Yes", "No"]
        };
        assert!(expected.contains(&m["significant"].as_str()), "{m:?}");
        // The trend goes back to Q1.
        assert_eq!(
            m["rank_2025_26_q1"].parse::<i64>().expect("n"),
            rank(
                &read_csv(&out.join("2025-26-Q1/mh_community/league-table.csv")),
                &m["trust_code"]
            )
        );
    }
    // Q1 has no previous quarter in the run: no movement table.
    assert!(
        !out.join("2025-26-Q1/national/tables/movement_mh_community.csv")
            .exists()
    );
    if poppler() {
        let text = pdf_text(&q3.join("league-tables.pdf"));
        assert!(
            text.contains("Largest rise among mental health and community trusts since Q2 2025/26"),
            "{text}"
        );
    }
}
