//! The national pack as an accessible Excel workbook, laid out as the Analysis Function's
//! "Releasing statistics in spreadsheets" asks: Cover, Contents, Notes, then one table per
//! sheet, each a real Excel table with one header row and a unique name; titles in A1; no merged
//! cells, blank rows, formulas, images, filters or freeze panes; Arial 12; text from data always
//! a string cell (formula-like text also quote-prefixed).

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, Table, TableColumn, TableStyle, Url,
    Workbook, Worksheet, XlsxError,
};

use crate::pack::{Cell, Kind, NationalPack, PackTable, Publication, quarter_months};

/// Note numbers used on the sheets (the Notes table lists them).
pub(crate) fn notes(pack: &NationalPack) -> Vec<(String, String)> {
    let mut n = vec![
        (
            "Method".to_owned(),
            format!(
                "Scores follow NHS England's NHS Oversight Framework 2025/26 as this project's configuration states it ({}). Each metric is scored 1 (best) to 4; the average of a trust's scores gives its segment; a trust in financial deficit is capped at segment 3; league rank orders trusts within their peer group by segment, then average score.",
                pack.methodology
            ),
        ),
        (
            "Likely ranges".to_owned(),
            "Likely ranges of rank and average score are the 2.5th and 97.5th percentiles of a seeded bootstrap over each trust's metric scores. Two trusts whose likely ranges overlap cannot be told apart with confidence.".to_owned(),
        ),
        (
            "Data provenance".to_owned(),
            pack.provenance
                .iter()
                .map(|g| g.sentence())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        (
            "Shorthand".to_owned(),
            "[x] not available: the trust has no value for this item. [z] not applicable.".to_owned(),
        ),
    ];
    if pack.previous.is_none() {
        n.push((
            "Movement".to_owned(),
            "This release holds one quarter, so it has no movement tables.".to_owned(),
        ));
    }
    n
}

fn heading() -> Format {
    Format::new()
        .set_bold()
        .set_font_size(16)
        .set_font_name("Arial")
}

fn header_format(kind: Kind) -> Format {
    let f = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_font_name("Arial");
    match kind {
        Kind::Text => f.set_align(FormatAlign::Left),
        _ => f.set_align(FormatAlign::Right),
    }
}

fn number_format(kind: Kind) -> Format {
    let f = Format::new()
        .set_font_name("Arial")
        .set_align(FormatAlign::Right);
    match kind {
        Kind::Decimal(dp) => f.set_num_format(format!("#,##0.{}", "0".repeat(usize::from(dp)))),
        Kind::Integer => f.set_num_format("#,##0"),
        Kind::Text => f,
    }
}

fn text_cell(ws: &mut Worksheet, row: u32, col: u16, text: &str) -> Result<(), XlsxError> {
    if league_model::text::escape_formula(text) != text {
        // Written as a string either way; the quote prefix also stops Excel re-reading it as a
        // formula when the cell is edited.
        ws.write_string_with_format(row, col, text, &Format::new().set_quote_prefix())?;
    } else {
        ws.write_string(row, col, text)?;
    }
    Ok(())
}

/// Writes lines into column A from `row`; returns the next free row.
fn lines(ws: &mut Worksheet, mut row: u32, items: &[String]) -> Result<u32, XlsxError> {
    for l in items {
        text_cell(ws, row, 0, l)?;
        row += 1;
    }
    Ok(row)
}

/// Writes a table with its title block; nothing follows it.
fn table_sheet(
    ws: &mut Worksheet,
    t: &PackTable,
    table_name: &str,
    above: &[String],
) -> Result<(), XlsxError> {
    ws.set_name(&t.sheet)?;
    ws.write_string_with_format(0, 0, &t.title, &heading())?;
    let mut info = vec!["This worksheet contains one table.".to_owned()];
    info.extend(above.iter().cloned());
    info.extend(t.notes.iter().cloned());
    let shorthand = t.shorthand();
    if !shorthand.is_empty() {
        let keys: Vec<String> = shorthand
            .iter()
            .map(|s| format!("{} {}", s.marker(), s.meaning()))
            .collect();
        info.push(format!(
            "Shorthand used in this table: {}.",
            keys.join("; ")
        ));
    }
    info.push("Notes are on the Notes worksheet.".to_owned());
    let top = lines(ws, 1, &info)?;
    for (c, column) in t.columns.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, &column.header, &header_format(column.kind))?;
    }
    let formats: Vec<Format> = t.columns.iter().map(|c| number_format(c.kind)).collect();
    let missing = Format::new()
        .set_font_name("Arial")
        .set_align(FormatAlign::Right);
    for (i, row) in t.rows.iter().enumerate() {
        let r = top + 1 + i as u32;
        for (c, cell) in row.iter().enumerate() {
            let c16 = c as u16;
            match cell {
                Cell::Text(s) => text_cell(ws, r, c16, s)?,
                Cell::Int(v) => {
                    ws.write_number_with_format(r, c16, *v as f64, &formats[c])?;
                }
                Cell::Num(v) => {
                    ws.write_number_with_format(r, c16, *v, &formats[c])?;
                }
                Cell::Missing(s) => {
                    ws.write_string_with_format(r, c16, s.marker(), &missing)?;
                }
            }
        }
    }
    let columns: Vec<TableColumn> = t
        .columns
        .iter()
        .map(|c| TableColumn::new().set_header(&c.header))
        .collect();
    let last_row = top + t.rows.len().max(1) as u32;
    let table = Table::new()
        .set_name(table_name)
        .set_columns(&columns)
        .set_autofilter(false)
        .set_style(TableStyle::None);
    ws.add_table(top, 0, last_row, (t.columns.len() - 1) as u16, &table)?;
    for (c, column) in t.columns.iter().enumerate() {
        let width = match column.kind {
            Kind::Text if column.key.contains("name") || column.key.contains("group") => 44.0,
            Kind::Text => 16.0,
            _ => 14.0,
        };
        ws.set_column_width(c as u16, width)?;
    }
    ws.set_column_width(0, 44.0)?; // column A also holds the title block
    Ok(())
}

/// Builds the workbook; byte-identical for the same pack and publication details.
pub fn workbook(pack: &NationalPack, publication: &Publication) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_default_format(
        &Format::new().set_font_name("Arial").set_font_size(12),
        20,
        64,
    )?;
    let (y, m, d) = publication.release_ymd();
    let created = ExcelDateTime::from_ymd(y, m, d)?.and_hms(9, 30, 0)?;
    let title = format!(
        "{}: {} ({}), England",
        publication.title,
        pack.quarter,
        quarter_months(pack.quarter)
    );
    wb.set_properties(
        &DocProperties::new()
            .set_title(&title)
            .set_author(&publication.organisation)
            .set_company(&publication.organisation)
            .set_subject("NHS Oversight Framework segmentation and league tables")
            .set_keywords("NHS, oversight framework, league tables, segmentation")
            .set_creation_datetime(&created),
    );

    // Cover.
    let cover = wb.add_worksheet();
    cover.set_name("Cover")?;
    cover.write_string_with_format(0, 0, &title, &heading())?;
    let sub = Format::new()
        .set_bold()
        .set_font_name("Arial")
        .set_font_size(14);
    let mut r = 1;
    let section =
        |ws: &mut Worksheet, r: &mut u32, head: &str, body: &[String]| -> Result<(), XlsxError> {
            ws.write_string_with_format(*r, 0, head, &sub)?;
            *r = lines(ws, *r + 1, body)?;
            Ok(())
        };
    section(cover, &mut r, "About these tables", &[
        "Segments and league tables of NHS trusts in England under the NHS Oversight Framework 2025/26: acute, mental health and community, and ambulance trusts, each ranked within its peer group.".to_owned(),
        format!("Period: {} ({}). Geography: England.", pack.quarter, quarter_months(pack.quarter)),
    ])?;
    section(
        cover,
        &mut r,
        "Release",
        &[
            format!("Published: {}.", publication.release_long()),
            format!("Next update: {}.", publication.next_update),
            format!("Release page: {}", publication.release_url),
        ],
    )?;
    section(cover, &mut r, "Source and method", &[
        format!("Method: {}.", pack.methodology),
        "Sources: NHS England's published NOF data files and statistical publications; the Notes worksheet says what each peer group's figures rest on.".to_owned(),
    ])?;
    section(cover, &mut r, "Important caveat", &[pack.caveat()])?;
    section(
        cover,
        &mut r,
        "Contact",
        std::slice::from_ref(&publication.contact),
    )?;
    section(
        cover,
        &mut r,
        "Licence",
        &[
            "Contains public sector information licensed under the Open Government Licence v3.0."
                .to_owned(),
        ],
    )?;
    cover.set_column_width(0, 120.0)?;

    // Contents.
    let tables: Vec<&PackTable> = pack.tables().collect();
    let contents = wb.add_worksheet();
    contents.set_name("Contents")?;
    contents.write_string_with_format(0, 0, "Contents", &heading())?;
    lines(
        contents,
        1,
        &["This worksheet contains one table. Each sheet name links to its sheet.".to_owned()],
    )?;
    let head = header_format(Kind::Text);
    contents.write_string_with_format(2, 0, "Worksheet", &head)?;
    contents.write_string_with_format(2, 1, "Description", &head)?;
    let mut entries: Vec<(String, String)> = vec![(
        "Notes".to_owned(),
        "Notes on method, likely ranges, provenance and shorthand.".to_owned(),
    )];
    entries.extend(
        tables
            .iter()
            .map(|t| (t.sheet.clone(), t.description.clone())),
    );
    entries.push((
        "Data dictionary".to_owned(),
        "Every column of every table: type, unit and meaning.".to_owned(),
    ));
    for (i, (sheet, desc)) in entries.iter().enumerate() {
        let row = 3 + i as u32;
        let url = Url::new(format!("internal:'{sheet}'!A1")).set_text(sheet);
        contents.write_url(row, 0, url)?;
        contents.write_string(row, 1, desc)?;
    }
    contents.add_table(
        2,
        0,
        2 + entries.len() as u32,
        1,
        &Table::new()
            .set_name("Contents")
            .set_columns(&[
                TableColumn::new().set_header("Worksheet"),
                TableColumn::new().set_header("Description"),
            ])
            .set_autofilter(false)
            .set_style(TableStyle::None),
    )?;
    contents.set_column_width(0, 36.0)?;
    contents.set_column_width(1, 100.0)?;

    // Notes.
    let notes_ws = wb.add_worksheet();
    notes_ws.set_name("Notes")?;
    notes_ws.write_string_with_format(0, 0, "Notes", &heading())?;
    lines(
        notes_ws,
        1,
        &["This worksheet contains one table.".to_owned()],
    )?;
    notes_ws.write_string_with_format(2, 0, "Note number", &header_format(Kind::Text))?;
    notes_ws.write_string_with_format(2, 1, "Subject", &head)?;
    notes_ws.write_string_with_format(2, 2, "Note text", &head)?;
    let all_notes = notes(pack);
    let wrap = Format::new().set_text_wrap().set_font_name("Arial");
    for (i, (subject, text)) in all_notes.iter().enumerate() {
        let row = 3 + i as u32;
        notes_ws.write_string(row, 0, format!("[note {}]", i + 1))?;
        notes_ws.write_string(row, 1, subject)?;
        notes_ws.write_string_with_format(row, 2, text, &wrap)?;
    }
    notes_ws.add_table(
        2,
        0,
        2 + all_notes.len() as u32,
        2,
        &Table::new()
            .set_name("Notes")
            .set_columns(&[
                TableColumn::new().set_header("Note number"),
                TableColumn::new().set_header("Subject"),
                TableColumn::new().set_header("Note text"),
            ])
            .set_autofilter(false)
            .set_style(TableStyle::None),
    )?;
    notes_ws.set_column_width(0, 14.0)?;
    notes_ws.set_column_width(1, 20.0)?;
    notes_ws.set_column_width(2, 110.0)?;

    // One table per sheet.
    for t in &tables {
        let ws = wb.add_worksheet();
        let above = vec![format!(
            "Source: {} computed by this project from NHS England's data [note 1] [note 3].",
            if t.id.starts_with("metric_") {
                "values and scores"
            } else {
                "league positions"
            }
        )];
        table_sheet(ws, t, &t.id, &above)?;
    }

    // Data dictionary.
    let dict = wb.add_worksheet();
    dict.set_name("Data dictionary")?;
    dict.write_string_with_format(0, 0, "Data dictionary", &heading())?;
    lines(dict, 1, &["This worksheet contains one table: every column of every table in this workbook and in the CSV and Parquet files.".to_owned()])?;
    let heads = [
        "Table",
        "Column",
        "Machine-readable name",
        "Type",
        "Unit",
        "Meaning",
    ];
    for (c, h) in heads.iter().enumerate() {
        dict.write_string_with_format(2, c as u16, *h, &head)?;
    }
    let mut row = 3;
    for t in &tables {
        for c in &t.columns {
            let ty = match c.kind {
                Kind::Text => "text".to_owned(),
                Kind::Integer => "integer".to_owned(),
                Kind::Decimal(dp) => format!("decimal ({dp} dp)"),
            };
            for (i, v) in [&t.id, &c.header, &c.key, &ty, &c.unit, &c.meaning]
                .iter()
                .enumerate()
            {
                text_cell(dict, row, i as u16, v)?;
            }
            row += 1;
        }
    }
    dict.add_table(
        2,
        0,
        row - 1,
        5,
        &Table::new()
            .set_name("Data_dictionary")
            .set_columns(&heads.map(|h| TableColumn::new().set_header(h)))
            .set_autofilter(false)
            .set_style(TableStyle::None),
    )?;
    for (c, w) in [24.0, 40.0, 26.0, 16.0, 14.0, 90.0].iter().enumerate() {
        dict.set_column_width(c as u16, *w)?;
    }
    let buf = wb.save_to_buffer()?;
    Ok(set_language(&buf, &publication.language))
}

/// rust_xlsxwriter does not write the document language; add `dc:language` to the core
/// properties, copying every other part unchanged (and so deterministically).
fn set_language(xlsx: &[u8], language: &str) -> Vec<u8> {
    use std::io::{Cursor, Read, Write};
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).expect("rust_xlsxwriter wrote a zip");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let file = archive.by_index(i).expect("entry");
        let name = file.name().expect("entry name").into_owned();
        if name == "docProps/core.xml" {
            let modified = file.last_modified().unwrap_or_default();
            let mut xml = String::new();
            let mut file = file;
            file.read_to_string(&mut xml).expect("UTF-8 XML");
            let tag = format!("<dc:language>{language}</dc:language>");
            let xml = xml.replacen(
                "</cp:coreProperties>",
                &format!("{tag}</cp:coreProperties>"),
                1,
            );
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .last_modified_time(modified);
            out.start_file(name, options).expect("entry");
            out.write_all(xml.as_bytes()).expect("in memory");
        } else {
            out.raw_copy_file(file).expect("copy entry");
        }
    }
    out.finish().expect("in memory").into_inner()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::pack::{Column, Kind as K};

    fn publication() -> Publication {
        Publication::from_toml(include_str!("../../../data/publication.toml")).expect("valid")
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
        NationalPack {
            quarter: "Q1 2025/26".parse().expect("quarter"),
            previous: None,
            methodology: "NOF 2025/26".into(),
            league: vec![table],
            league_source: Vec::new(),
            metrics: Vec::new(),
            movement: Vec::new(),
            segments: Vec::new(),
            largest_moves: Vec::new(),
            synthetic_values: 0,
            other_period_values: 0,
            provenance: Vec::new(),
            basis: Vec::new(),
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
