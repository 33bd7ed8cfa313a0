//! The national pack as an accessible Excel workbook, built with [`crate::xlsx`]: Cover (about,
//! key findings, release, source and method, caveat, contact, licence), Contents, Notes, one
//! table per sheet, and the data dictionary.

use rust_xlsxwriter::XlsxError;

use crate::narrative::quarter_months;
use crate::publication::Publication;
use crate::table::PackTable;
use crate::xlsx::{CoverSection, NoteRow, Properties, WorkbookBuilder};

use super::pack::NationalPack;

/// Builds the workbook; byte-identical for the same pack and publication details.
pub fn workbook(pack: &NationalPack, publication: &Publication) -> Result<Vec<u8>, XlsxError> {
    let title = format!(
        "{}: {} ({}), England",
        publication.title,
        pack.quarter,
        quarter_months(pack.quarter)
    );
    let mut wb = WorkbookBuilder::new(&Properties {
        title: title.clone(),
        author: publication.organisation.clone(),
        subject: "NHS Oversight Framework segmentation and league tables".into(),
        keywords: "NHS, oversight framework, league tables, segmentation".into(),
        language: publication.language.clone(),
        date: publication.release_ymd(),
    })?;
    wb.cover(&title, &cover(pack, publication))?;
    let tables: Vec<&PackTable> = pack.tables().collect();
    wb.standard_contents(
        "Notes on method, the financial override, segment 5, likely ranges, provenance and shorthand.",
        &tables,
    )?;
    wb.notes(
        &pack
            .notes
            .iter()
            .map(|n| NoteRow {
                number: pack.note_ref(n.id),
                subject: n.subject.clone(),
                text: n.text.clone(),
            })
            .collect::<Vec<_>>(),
    )?;
    for t in &tables {
        wb.table(t, &[source_line(pack, t)])?;
    }
    wb.dictionary(&tables, "This worksheet contains one table: every column of every table in this workbook and in the CSV and Parquet files.")?;
    wb.finish()
}

fn cover(pack: &NationalPack, publication: &Publication) -> Vec<CoverSection> {
    vec![
        CoverSection::new(
            "About these tables",
            vec![
                format!(
                    "Segments and league tables of {} NHS trusts in England under the NHS Oversight Framework 2025/26: {}, each ranked within its peer group.",
                    pack.trusts(),
                    pack.method
                        .peer_groups
                        .iter()
                        .map(|g| format!("{}s", g.to_lowercase()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format!(
                    "Period: {} ({}). Geography: England.",
                    pack.quarter,
                    quarter_months(pack.quarter)
                ),
            ],
        ),
        CoverSection::new("Key findings", pack.key_findings.clone()),
        CoverSection::release(publication),
        CoverSection::new(
            "Source and method",
            vec![
                format!("Method: {}.", pack.method.methodology),
                format!(
                    "Sources: NHS England's published NOF data files and statistical publications; {} on the Notes worksheet says what each peer group's figures rest on.",
                    pack.note_ref("provenance")
                ),
            ],
        ),
        CoverSection::new("Important caveat", vec![pack.caveat()]),
    ]
    .into_iter()
    .chain(CoverSection::contact_and_licence(publication))
    .collect()
}

/// The source line over a table, with the notes that bear on it.
fn source_line(pack: &NationalPack, t: &PackTable) -> String {
    let refs = if t.id.starts_with("league_") {
        [
            "method",
            "override",
            "segment5",
            "likely_ranges",
            "provenance",
        ]
        .as_slice()
    } else if t.id.starts_with("movement_") {
        ["movement", "likely_ranges"].as_slice()
    } else {
        ["method", "provenance"].as_slice()
    };
    format!(
        "Source: {} computed by this project from NHS England's data. See {} on the Notes worksheet.",
        if t.id.starts_with("metric_") {
            "values and scores"
        } else {
            "league positions"
        },
        refs.iter()
            .map(|id| pack.note_ref(id))
            .collect::<Vec<_>>()
            .join(" ")
    )
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::table::{Cell, Column, Kind as K};

    fn publication() -> Publication {
        Publication::from_toml(include_str!("../../../../data/publication.toml"))
            .expect("valid")
            .dated(league_model::Date::new(2026, 11, 23).expect("date"))
    }

    fn pack_with_names(names: &[&str]) -> NationalPack {
        let table = PackTable {
            id: "league_acute".into(),
            sheet: "League Acute".into(),
            title: "League table".into(),
            description: "Test table.".into(),
            notes: Vec::new(),
            columns: vec![
                Column {
                    header: "Rank".into(),
                    key: "rank".into(),
                    kind: K::Integer,
                    unit: String::new(),
                    meaning: "Rank.".into(),
                },
                Column {
                    header: "Trust name".into(),
                    key: "trust_name".into(),
                    kind: K::Text,
                    unit: String::new(),
                    meaning: "Name.".into(),
                },
                Column {
                    header: "Average metric score".into(),
                    key: "average_score".into(),
                    kind: K::Decimal(2),
                    unit: "score 1 to 4".into(),
                    meaning: "Average.".into(),
                },
            ],
            rows: names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    vec![
                        Cell::Int(i as i64 + 1),
                        Cell::Text((*n).to_owned()),
                        if i == 0 {
                            Cell::Missing(crate::Shorthand::NotAvailable)
                        } else {
                            Cell::Num(-1.5)
                        },
                    ]
                })
                .collect(),
        };
        let note = |id: &'static str| crate::Note {
            id,
            subject: id.to_owned(),
            text: format!("The {id} note."),
        };
        NationalPack {
            quarter: "Q1 2025/26".parse().expect("quarter"),
            previous: None,
            history: Vec::new(),
            history_cuts: Vec::new(),
            earlier_from: Vec::new(),
            method: crate::MethodFacts {
                methodology: "NOF 2025/26".into(),
                replicates: 500,
                seed: 1,
                percentiles: (2.5, 97.5),
                peer_percentiles: (2.5, 97.5),
                override_cap: 3,
                segment5: 5,
                segment5_affects_rank: false,
                average_dp: 2,
                weights: Vec::new(),
                peer_groups: vec!["Acute trust".into()],
                cut_off: league_model::Date::new(2025, 9, 9).expect("date"),
                cut_off_configured: true,
            },
            league: vec![table],
            metrics: Vec::new(),
            movement: Vec::new(),
            sensitivity: Vec::new(),
            sensitivity_summary: Vec::new(),
            statistics: Vec::new(),
            funnel_charts: Vec::new(),
            segments: Vec::new(),
            charts: Vec::new(),
            largest_moves: Vec::new(),
            trend: Vec::new(),
            synthetic_values: 0,
            other_period_values: 0,
            provenance: Vec::new(),
            basis: Vec::new(),
            notes: [
                "method",
                "override",
                "segment5",
                "likely_ranges",
                "provenance",
                "movement",
            ]
            .map(note)
            .to_vec(),
            key_findings: vec!["A finding.".into()],
        }
    }

    fn part(xlsx: &[u8], name: &str) -> String {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("zip");
        let mut s = String::new();
        z.by_name(name)
            .expect(name)
            .read_to_string(&mut s)
            .expect("utf8");
        s
    }

    #[test]
    fn text_that_looks_like_a_formula_stays_text() {
        let names = [
            "=HYPERLINK(\"x\",\"y\")",
            "+1",
            "@SUM(A1)",
            "{=1+1}",
            "-cmd",
        ];
        let xlsx = workbook(&pack_with_names(&names), &publication()).expect("workbook");
        let z = zip::ZipArchive::new(std::io::Cursor::new(&xlsx[..])).expect("zip");
        let names_in_zip: Vec<String> = z
            .file_names()
            .map(|n| n.expect("name").into_owned())
            .collect();
        for name in names_in_zip
            .iter()
            .filter(|n| n.starts_with("xl/worksheets/sheet"))
        {
            let xml = part(&xlsx, name);
            assert!(
                !xml.contains("<f>") && !xml.contains("<f "),
                "{name} has a formula"
            );
        }
        let strings = part(&xlsx, "xl/sharedStrings.xml");
        for n in names {
            let escaped = n.replace('&', "&amp;").replace('"', "&quot;");
            assert!(
                strings.contains(&escaped) || strings.contains(n),
                "{n} is a string cell"
            );
        }
        // The negative number stays a number, the missing value shows its shorthand.
        let sheet = part(&xlsx, "xl/worksheets/sheet4.xml");
        assert!(sheet.contains("<v>-1.5</v>"), "{sheet}");
        assert!(strings.contains("[x]"));
    }

    #[test]
    fn properties_and_structure_follow_the_guidance() {
        let xlsx = workbook(&pack_with_names(&["A trust"]), &publication()).expect("workbook");
        let core = part(&xlsx, "docProps/core.xml");
        assert!(
            core.contains("<dc:title>NHS Oversight Framework league tables"),
            "{core}"
        );
        assert!(core.contains("<dc:creator>league-tables project"), "{core}");
        assert!(core.contains("<dc:language>en-GB</dc:language>"), "{core}");
        let wb = part(&xlsx, "xl/workbook.xml");
        let order: Vec<&str> = wb
            .split("<sheet name=\"")
            .skip(1)
            .map(|s| s.split('"').next().expect("name"))
            .collect();
        assert_eq!(
            order,
            [
                "Cover",
                "Contents",
                "Notes",
                "League Acute",
                "Data dictionary"
            ]
        );
        for i in 1..=order.len() {
            let xml = part(&xlsx, &format!("xl/worksheets/sheet{i}.xml"));
            assert!(!xml.contains("<mergeCell"), "sheet {i} has merged cells");
            assert!(!xml.contains("<pane"), "sheet {i} has frozen panes");
        }
        assert_eq!(
            xlsx,
            workbook(&pack_with_names(&["A trust"]), &publication()).expect("again"),
            "byte-identical"
        );
    }
}
