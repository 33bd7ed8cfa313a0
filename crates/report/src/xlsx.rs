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
        .set_align(FormatAlign::Right)
        .set_align(FormatAlign::Top);
    match kind {
        Kind::Decimal(dp) => f.set_num_format(format!("#,##0.{}", "0".repeat(usize::from(dp)))),
        Kind::Integer => f.set_num_format("#,##0"),
        Kind::Text => f,
    }
}

fn text_cell(ws: &mut Worksheet, row: u32, col: u16, text: &str) -> Result<(), XlsxError> {
    text_cell_with(ws, row, col, text, &Format::new())
}

fn text_cell_with(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if league_model::text::escape_formula(text) != text {
        // Written as a string either way; the quote prefix also stops Excel re-reading it as a
        // formula when the cell is edited.
        ws.write_string_with_format(row, col, text, &format.clone().set_quote_prefix())?;
    } else {
        ws.write_string_with_format(row, col, text, format)?;
    }
    Ok(())
}

/// Width of the Cover's text column and of the Notes' text column, in characters.
const COVER_WIDTH: f64 = 95.0;
const NOTE_WIDTH: f64 = 100.0;
const CONTENTS_WIDTH: f64 = 90.0;

/// Height of one line of Arial 12, in points.
const LINE: f64 = 15.0;

/// Lines `text` takes when wrapped by words in a column `width` characters wide (Excel's width
/// unit is about one character of the default font).
fn wrapped_lines(text: &str, width: f64) -> u32 {
    let room = (width - 1.0).max(1.0);
    let mut lines = 1u32;
    let mut used = 0.0f64;
    for word in text.split_whitespace() {
        let w = word.chars().count() as f64;
        if used > 0.0 && used + 1.0 + w > room {
            lines += 1;
            used = w;
        } else {
            used += if used > 0.0 { 1.0 + w } else { w };
        }
    }
    lines
}

/// Row height that shows every line of the row's wrapped cells.
fn row_height<'a>(cells: impl Iterator<Item = (&'a str, f64)>) -> f64 {
    let lines = cells.map(|(t, w)| wrapped_lines(t, w)).max().unwrap_or(1);
    f64::from(lines) * LINE + 3.0
}

/// Writes lines into column A from `row`; returns the next free row.
fn lines(ws: &mut Worksheet, mut row: u32, items: &[String]) -> Result<u32, XlsxError> {
    for l in items {
        text_cell(ws, row, 0, l)?;
        row += 1;
    }
    Ok(row)
}

/// Print set-up for every sheet: A4 landscape, fit to one page wide, the used range as print
/// area, and (for a table) its header row repeated on each page.
fn print_setup(
    ws: &mut Worksheet,
    last_row: u32,
    last_col: u16,
    header_row: Option<u32>,
) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_area(0, 0, last_row, last_col)?;
    if let Some(r) = header_row {
        ws.set_repeat_rows(r, r)?;
    }
    ws.set_footer("&LPage &P of &N&R&A");
    Ok(())
}

/// Column widths (in characters) from content: the longest cell, or the longest word of the
/// header (headers wrap), within 8 to 60.
fn content_widths(t: &PackTable) -> Vec<f64> {
    t.columns
        .iter()
        .enumerate()
        .map(|(c, column)| {
            let header = column
                .header
                .split_whitespace()
                .map(|w| w.chars().count())
                .max()
                .unwrap_or(0);
            let cells = t
                .rows
                .iter()
                .map(|r| r[c].display(column.kind).chars().count())
                .max()
                .unwrap_or(0);
            // A little more than the characters for Arial 12 and the number format's commas.
            // Long text (the metric lists) wraps within 60 rather than widening the sheet.
            (header.max(cells) as f64 * 1.15 + 3.0).clamp(8.0, 60.0)
        })
        .collect()
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
    let widths = content_widths(t);
    for (c, column) in t.columns.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, &column.header, &header_format(column.kind))?;
    }
    let wrap = Format::new()
        .set_font_name("Arial")
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let formats: Vec<Format> = t.columns.iter().map(|c| number_format(c.kind)).collect();
    let missing = Format::new()
        .set_font_name("Arial")
        .set_align(FormatAlign::Right)
        .set_align(FormatAlign::Top);
    // Every data cell sits at the top of its row, so a wrapped name lines up with its figures.
    let top_aligned = Format::new()
        .set_font_name("Arial")
        .set_align(FormatAlign::Top);
    for (i, row) in t.rows.iter().enumerate() {
        let r = top + 1 + i as u32;
        let texts = row.iter().zip(&widths).filter_map(|(cell, w)| match cell {
            Cell::Text(s) => Some((s.as_str(), *w)),
            _ => None,
        });
        let height = row_height(texts);
        if height > LINE + 3.0 {
            ws.set_row_height(r, height)?;
        }
        for (c, cell) in row.iter().enumerate() {
            let c16 = c as u16;
            match cell {
                Cell::Text(s) if s.chars().count() as f64 > widths[c] - 1.0 => {
                    text_cell_with(ws, r, c16, s, &wrap)?
                }
                Cell::Text(s) => text_cell_with(ws, r, c16, s, &top_aligned)?,
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
        .map(|c| {
            TableColumn::new()
                .set_header(&c.header)
                .set_header_format(header_format(c.kind))
        })
        .collect();
    let last_row = top + t.rows.len().max(1) as u32;
    let table = Table::new()
        .set_name(table_name)
        .set_columns(&columns)
        .set_autofilter(false)
        .set_style(TableStyle::None);
    let last_col = (t.columns.len() - 1) as u16;
    ws.add_table(top, 0, last_row, last_col, &table)?;
    for (c, width) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *width)?;
    }
    // Header cells wrap: the row is as tall as its longest header needs.
    ws.set_row_height(
        top,
        row_height(
            t.columns
                .iter()
                .zip(&widths)
                .map(|(c, w)| (c.header.as_str(), *w)),
        ),
    )?;
    print_setup(ws, last_row, last_col, Some(top))
}

/// A two- or three-column sheet table (Contents, Notes) with bold, wrapped headers.
fn simple_table(
    ws: &mut Worksheet,
    name: &str,
    top: u32,
    headers: &[&str],
    rows: usize,
) -> Result<(), XlsxError> {
    let head = header_format(Kind::Text);
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, *h, &head)?;
    }
    let columns: Vec<TableColumn> = headers
        .iter()
        .map(|h| TableColumn::new().set_header(*h).set_header_format(&head))
        .collect();
    let last_row = top + rows.max(1) as u32;
    let last_col = (headers.len() - 1) as u16;
    ws.add_table(
        top,
        0,
        last_row,
        last_col,
        &Table::new()
            .set_name(name)
            .set_columns(&columns)
            .set_autofilter(false)
            .set_style(TableStyle::None),
    )?;
    print_setup(ws, last_row, last_col, Some(top))
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
    cover.write_string_with_format(0, 0, &title, &heading().set_text_wrap())?;
    // Heading text is about 1.4 characters of the body font wide per character.
    cover.set_row_height(
        0,
        f64::from(wrapped_lines(&title, COVER_WIDTH / 1.6)) * 21.0 + 3.0,
    )?;
    let sub = Format::new()
        .set_bold()
        .set_font_name("Arial")
        .set_font_size(14);
    let wrap = Format::new().set_text_wrap().set_font_name("Arial");
    let mut r = 1;
    let section =
        |ws: &mut Worksheet, r: &mut u32, head: &str, body: &[String]| -> Result<(), XlsxError> {
            ws.write_string_with_format(*r, 0, head, &sub)?;
            // Room above a heading: the guidance allows no blank rows.
            ws.set_row_height(*r, 30)?;
            *r += 1;
            for line in body {
                ws.write_string_with_format(*r, 0, line, &wrap)?;
                let h = row_height(std::iter::once((line.as_str(), COVER_WIDTH)));
                if h > LINE + 3.0 {
                    ws.set_row_height(*r, h)?;
                }
                *r += 1;
            }
            Ok(())
        };
    section(
        cover,
        &mut r,
        "About these tables",
        &[
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
    )?;
    section(cover, &mut r, "Key findings", &pack.key_findings)?;
    section(
        cover,
        &mut r,
        "Release",
        &[
            format!("Published: {}.", publication.release_long()),
            format!("Next update: {}.", publication.next_update),
        ],
    )?;
    cover.write_url(
        r,
        0,
        Url::new(&publication.release_url).set_text(&publication.release_url_text),
    )?;
    r += 1;
    section(
        cover,
        &mut r,
        "Source and method",
        &[
            format!("Method: {}.", pack.method.methodology),
            format!(
                "Sources: NHS England's published NOF data files and statistical publications; {} on the Notes worksheet says what each peer group's figures rest on.",
                pack.note_ref("provenance")
            ),
        ],
    )?;
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
    cover.set_column_width(0, COVER_WIDTH)?;
    print_setup(cover, r - 1, 0, None)?;

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
    let mut entries: Vec<(String, String)> = vec![(
        "Notes".to_owned(),
        "Notes on method, the financial override, segment 5, likely ranges, provenance and shorthand.".to_owned(),
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
        contents.write_string_with_format(row, 1, desc, &wrap)?;
        let h = row_height(std::iter::once((desc.as_str(), CONTENTS_WIDTH)));
        if h > LINE + 3.0 {
            contents.set_row_height(row, h)?;
        }
    }
    simple_table(
        contents,
        "Contents",
        2,
        &["Worksheet", "Description"],
        entries.len(),
    )?;
    contents.set_column_width(0, 36.0)?;
    contents.set_column_width(1, CONTENTS_WIDTH)?;

    // Notes: the pack's notes, numbered in order; sheets refer to them by id.
    let notes_ws = wb.add_worksheet();
    notes_ws.set_name("Notes")?;
    notes_ws.write_string_with_format(0, 0, "Notes", &heading())?;
    lines(
        notes_ws,
        1,
        &["This worksheet contains one table.".to_owned()],
    )?;
    for (i, n) in pack.notes.iter().enumerate() {
        let row = 3 + i as u32;
        notes_ws.write_string(row, 0, pack.note_ref(n.id))?;
        notes_ws.write_string(row, 1, &n.subject)?;
        notes_ws.write_string_with_format(row, 2, &n.text, &wrap)?;
        notes_ws.set_row_height(
            row,
            row_height(std::iter::once((n.text.as_str(), NOTE_WIDTH))),
        )?;
    }
    simple_table(
        notes_ws,
        "Notes",
        2,
        &["Note number", "Subject", "Note text"],
        pack.notes.len(),
    )?;
    notes_ws.set_column_width(0, 14.0)?;
    notes_ws.set_column_width(1, 40.0)?;
    notes_ws.set_column_width(2, NOTE_WIDTH)?;

    // One table per sheet.
    for t in &tables {
        let ws = wb.add_worksheet();
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
        let above = vec![format!(
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
    simple_table(dict, "Data_dictionary", 2, &heads, (row - 3) as usize)?;
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
            method: crate::MethodFacts {
                methodology: "NOF 2025/26".into(),
                replicates: 500,
                seed: 1,
                percentiles: (2.5, 97.5),
                override_cap: 3,
                segment5: 5,
                segment5_affects_rank: false,
                average_dp: 2,
                weights: Vec::new(),
                peer_groups: vec!["Acute trust".into()],
            },
            league: vec![table],
            metrics: Vec::new(),
            movement: Vec::new(),
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
