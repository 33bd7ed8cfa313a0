//! A workbook builder that knows sheets, not the NHS, laid out as the Analysis Function's
//! "Releasing statistics in spreadsheets" asks: Cover, Contents, Notes, then one table per
//! sheet, each a real Excel table with one header row and a unique name, then a data
//! dictionary; titles in A1; no merged cells, blank rows, formulas, images, filters or freeze
//! panes (a table's header row names its columns in place of the column letters as the reader
//! scrolls, and repeats on every printed page); Arial 12; text from data always a string cell
//! (formula-like text also quote-prefixed); whole numbers with a whole-number format. Every sheet
//! prints A4 landscape at no less than [`MIN_PRINT_SCALE`] per cent: one page wide when it fits
//! at that scale, otherwise split across pages with its identifying columns repeated on each.
//! The same calls give the same bytes.

use rust_xlsxwriter::{
    Chart, ChartFormat, ChartLine, ChartLineDashType, ChartMarker, ChartType, DocProperties,
    ExcelDateTime, Format, FormatAlign, Table, TableColumn, TableStyle, Url, Workbook, Worksheet,
    XlsxError,
};

use crate::publication::Publication;
use crate::table::{Cell, Kind, PackTable};

/// Document properties.
#[derive(Debug, Clone)]
pub struct Properties {
    /// Title.
    pub title: String,
    /// Author and company.
    pub author: String,
    /// Subject.
    pub subject: String,
    /// Keywords.
    pub keywords: String,
    /// Language (BCP 47).
    pub language: String,
    /// Creation date (year, month, day), fixed so reruns are byte-identical.
    pub date: (u16, u8, u8),
}

/// One section of the Cover: a heading, its lines, and optionally a link after them.
#[derive(Debug, Clone)]
pub struct CoverSection {
    /// Heading.
    pub heading: String,
    /// Lines, each a wrapped cell.
    pub lines: Vec<String>,
    /// A web address and its text, written after the lines.
    pub link: Option<(String, String)>,
}

impl CoverSection {
    /// The release section: published, next update, and the link to the release page.
    pub fn release(p: &Publication) -> Self {
        Self {
            link: Some((p.release_url.clone(), p.release_url_text.clone())),
            ..Self::new(
                "Release",
                vec![
                    format!("Published: {}.", p.release_long()),
                    format!("Next update: {}.", p.next_update),
                ],
            )
        }
    }

    /// The contact and licence sections that close every Cover.
    pub fn contact_and_licence(p: &Publication) -> [Self; 2] {
        [
            Self::new(
                "Contact",
                vec![
                    format!("{}, {}.", p.organisation, p.organisation_description),
                    format!("Questions: {} ({}).", p.contact, p.contact_url),
                ],
            ),
            Self::new(
                "Licence",
                vec!["Contains public sector information licensed under the Open Government Licence v3.0.".to_owned()],
            ),
        ]
    }

    /// A section without a link.
    pub fn new(heading: impl Into<String>, lines: Vec<String>) -> Self {
        Self {
            heading: heading.into(),
            lines,
            link: None,
        }
    }
}

/// One row of the Notes sheet.
#[derive(Debug, Clone)]
pub struct NoteRow {
    /// "[note 1]".
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Text.
    pub text: String,
}

/// Builds a workbook sheet by sheet, in the order the guidance asks.
pub struct WorkbookBuilder {
    wb: Workbook,
    language: String,
}

impl WorkbookBuilder {
    /// A workbook with its properties and Arial 12 as the default font.
    pub fn new(p: &Properties) -> Result<Self, XlsxError> {
        let mut wb = Workbook::new();
        wb.set_default_format(
            &Format::new().set_font_name("Arial").set_font_size(12),
            20,
            64,
        )?;
        let (y, m, d) = p.date;
        let created = ExcelDateTime::from_ymd(y, m, d)?.and_hms(9, 30, 0)?;
        wb.set_properties(
            &DocProperties::new()
                .set_title(&p.title)
                .set_author(&p.author)
                .set_company(&p.author)
                .set_subject(&p.subject)
                .set_keywords(&p.keywords)
                .set_creation_datetime(&created),
        );
        Ok(Self {
            wb,
            language: p.language.clone(),
        })
    }

    /// The Cover: the title in A1, then each section.
    pub fn cover(&mut self, title: &str, sections: &[CoverSection]) -> Result<(), XlsxError> {
        let cover = self.wb.add_worksheet();
        cover.set_name("Cover")?;
        text_cell_with(cover, 0, 0, title, &heading().set_text_wrap())?;
        // Heading text is about 1.4 characters of the body font wide per character.
        cover.set_row_height(
            0,
            f64::from(wrapped_lines(title, COVER_WIDTH / 1.6)) * 21.0 + 3.0,
        )?;
        let sub = Format::new()
            .set_bold()
            .set_font_name("Arial")
            .set_font_size(14);
        let wrap = Format::new().set_text_wrap().set_font_name("Arial");
        let mut r = 1;
        for s in sections {
            text_cell_with(cover, r, 0, &s.heading, &sub)?;
            // Room above a heading: the guidance allows no blank rows.
            cover.set_row_height(r, 30)?;
            r += 1;
            for line in &s.lines {
                text_cell_with(cover, r, 0, line, &wrap)?;
                let h = row_height(std::iter::once((line.as_str(), COVER_WIDTH)));
                if h > LINE + 3.0 {
                    cover.set_row_height(r, h)?;
                }
                r += 1;
            }
            if let Some((url, text)) = &s.link {
                cover.write_url(r, 0, Url::new(url).set_text(text))?;
                r += 1;
            }
        }
        cover.set_column_width(0, COVER_WIDTH)?;
        print_setup(cover, &[COVER_WIDTH], r - 1, None, None)
    }

    /// The Contents of a workbook laid out as this builder lays it out: Notes (described by
    /// `notes`), each table's sheet with its description, then the data dictionary.
    pub fn standard_contents(
        &mut self,
        notes: &str,
        tables: &[&PackTable],
    ) -> Result<(), XlsxError> {
        self.standard_contents_with(notes, tables, &[])
    }

    /// As [`WorkbookBuilder::standard_contents`], with `more` sheets (name, what it holds) after
    /// the tables' and before the dictionary.
    pub fn standard_contents_with(
        &mut self,
        notes: &str,
        tables: &[&PackTable],
        more: &[(String, String)],
    ) -> Result<(), XlsxError> {
        let mut entries = vec![("Notes".to_owned(), notes.to_owned())];
        entries.extend(
            tables
                .iter()
                .map(|t| (t.sheet.clone(), t.description.clone())),
        );
        entries.extend(more.iter().cloned());
        entries.push((
            "Data dictionary".to_owned(),
            "Every column of every table: type, unit and meaning.".to_owned(),
        ));
        self.contents(&entries)
    }

    /// The Contents: each sheet name a link to its sheet, with what it holds.
    pub fn contents(&mut self, entries: &[(String, String)]) -> Result<(), XlsxError> {
        let contents = self.wb.add_worksheet();
        contents.set_name("Contents")?;
        contents.write_string_with_format(0, 0, "Contents", &heading())?;
        lines(
            contents,
            1,
            &["This worksheet contains one table. Each sheet name links to its sheet.".to_owned()],
        )?;
        let wrap = Format::new().set_text_wrap().set_font_name("Arial");
        for (i, (sheet, desc)) in entries.iter().enumerate() {
            let row = 3 + i as u32;
            let url = Url::new(format!("internal:'{sheet}'!A1")).set_text(sheet);
            contents.write_url(row, 0, url)?;
            text_cell_with(contents, row, 1, desc, &wrap)?;
            let h = row_height(std::iter::once((desc.as_str(), CONTENTS_WIDTH)));
            if h > LINE + 3.0 {
                contents.set_row_height(row, h)?;
            }
        }
        simple_table(
            contents,
            "Contents",
            2,
            &[("Worksheet", 30.0), ("Description", CONTENTS_WIDTH)],
            entries.len(),
        )
    }

    /// The Notes, numbered; sheets refer to them by number.
    pub fn notes(&mut self, notes: &[NoteRow]) -> Result<(), XlsxError> {
        let ws = self.wb.add_worksheet();
        ws.set_name("Notes")?;
        ws.write_string_with_format(0, 0, "Notes", &heading())?;
        lines(ws, 1, &["This worksheet contains one table.".to_owned()])?;
        let wrap = Format::new().set_text_wrap().set_font_name("Arial");
        for (i, n) in notes.iter().enumerate() {
            let row = 3 + i as u32;
            text_cell(ws, row, 0, &n.number)?;
            text_cell(ws, row, 1, &n.subject)?;
            text_cell_with(ws, row, 2, &n.text, &wrap)?;
            ws.set_row_height(
                row,
                row_height(std::iter::once((n.text.as_str(), NOTE_WIDTH))),
            )?;
        }
        simple_table(
            ws,
            "Notes",
            2,
            &[
                ("Note number", 14.0),
                ("Subject", 30.0),
                ("Note text", NOTE_WIDTH),
            ],
            notes.len(),
        )
    }

    /// One table on its own sheet (named by the table's sheet name; the Excel table by its
    /// id), with `above` and the table's notes in the lines over it.
    pub fn table(&mut self, t: &PackTable, above: &[String]) -> Result<(), XlsxError> {
        self.table_at(t, above).map(|_| ())
    }

    /// As [`WorkbookBuilder::table`], returning the row of the table's header (its data start
    /// on the next row), for charts of its columns.
    pub fn table_at(&mut self, t: &PackTable, above: &[String]) -> Result<u32, XlsxError> {
        let ws = self.wb.add_worksheet();
        table_sheet(ws, t, above)
    }

    /// A sheet of line charts of columns of table sheets, one under another, each with its alt
    /// text; `intro` lines under the title say what the charts show and where their data are.
    pub fn line_charts(
        &mut self,
        sheet: &str,
        title: &str,
        intro: &[String],
        charts: &[LineChart],
    ) -> Result<(), XlsxError> {
        const ROWS: u32 = 18;
        let ws = self.wb.add_worksheet();
        ws.set_name(sheet)?;
        text_cell_with(ws, 0, 0, title, &heading())?;
        let top = lines(ws, 1, intro)? + 1;
        for (i, c) in charts.iter().enumerate() {
            let mut chart = Chart::new(ChartType::Line);
            chart.title().set_name(&c.title);
            chart.set_alt_text(&c.alt_text);
            chart.y_axis().set_name(&c.y_axis);
            chart.x_axis().set_name("Month");
            for (name, col, dashed) in &c.series {
                let s = chart.add_series();
                s.set_name(name.as_str())
                    .set_categories((
                        c.source.as_str(),
                        c.rows.0,
                        c.categories,
                        c.rows.1,
                        c.categories,
                    ))
                    .set_values((c.source.as_str(), c.rows.0, *col, c.rows.1, *col));
                if *dashed {
                    s.set_format(
                        ChartFormat::new().set_line(
                            ChartLine::new()
                                .set_color("#425563")
                                .set_width(1.25)
                                .set_dash_type(ChartLineDashType::Dash),
                        ),
                    )
                    .set_marker(ChartMarker::new().set_none());
                } else {
                    s.set_format(
                        ChartFormat::new()
                            .set_line(ChartLine::new().set_color("#003087").set_width(2.0)),
                    );
                }
            }
            ws.insert_chart(top + i as u32 * ROWS, 0, &chart)?;
        }
        let last = top + charts.len().max(1) as u32 * ROWS;
        print_setup(ws, &[12.0; 8], last, None, None)
    }

    /// The data dictionary: every column of every table.
    pub fn dictionary(&mut self, tables: &[&PackTable], intro: &str) -> Result<(), XlsxError> {
        let dict = self.wb.add_worksheet();
        dict.set_name("Data dictionary")?;
        dict.write_string_with_format(0, 0, "Data dictionary", &heading())?;
        lines(dict, 1, &[intro.to_owned()])?;
        // Wide enough for the longest machine-readable name (they do not wrap); the meaning
        // wraps, so the dictionary prints one page wide.
        let heads = [
            ("Table", 14.0),
            ("Column", 24.0),
            ("Machine-readable name", 34.0),
            ("Type", 14.0),
            ("Unit", 11.0),
            ("Meaning", 30.0),
        ];
        let wrap = Format::new()
            .set_font_name("Arial")
            .set_text_wrap()
            .set_align(FormatAlign::Top);
        let top_aligned = Format::new()
            .set_font_name("Arial")
            .set_align(FormatAlign::Top);
        let mut row = 3;
        for t in tables {
            for c in &t.columns {
                let ty = match c.kind {
                    Kind::Text => "text".to_owned(),
                    Kind::Integer => "integer".to_owned(),
                    Kind::Decimal(dp) => format!("decimal ({dp} dp)"),
                };
                let cells = [&t.id, &c.header, &c.key, &ty, &c.unit, &c.meaning];
                for (i, v) in cells.iter().enumerate() {
                    let f = if i == 2 { &top_aligned } else { &wrap };
                    text_cell_with(dict, row, i as u16, v, f)?;
                }
                let h = row_height(
                    cells
                        .iter()
                        .zip(&heads)
                        .enumerate()
                        .filter(|(i, _)| *i != 2)
                        .map(|(_, (v, (_, w)))| (v.as_str(), *w)),
                );
                if h > LINE + 3.0 {
                    dict.set_row_height(row, h)?;
                }
                row += 1;
            }
        }
        simple_table(dict, "Data_dictionary", 2, &heads, (row - 3) as usize)
    }

    /// The workbook's bytes, with its language set.
    pub fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        let buf = self.wb.save_to_buffer()?;
        Ok(set_language(&buf, &self.language))
    }
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
const COVER_WIDTH: f64 = 90.0;
const NOTE_WIDTH: f64 = 76.0;
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

/// The smallest print scale, in per cent, of any sheet: 12-point text prints no smaller than
/// 8.4 points.
pub const MIN_PRINT_SCALE: u16 = 70;

/// The scale a sheet too wide for one page at [`MIN_PRINT_SCALE`] prints at, split across
/// pages (9-point text).
const SPLIT_PRINT_SCALE: u16 = 75;
const _: () = assert!(SPLIT_PRINT_SCALE >= MIN_PRINT_SCALE);

/// Characters of the default font (Arial 12, in Excel's column-width unit) that one A4
/// landscape page holds at 100% between the default margins. LibreOffice prints about 96; the
/// figure leaves room for Excel, whose character unit renders a little wider.
const PAGE_CHARACTERS: f64 = 92.0;

/// Excel stores a column `w` characters wide as `w` plus this padding (5 pixels).
const COLUMN_PADDING: f64 = 0.72;

/// How a sheet of columns `widths` wide prints: `None` when it fits one page wide at no less
/// than [`MIN_PRINT_SCALE`], else the scale it is split across pages at.
fn split_scale(widths: &[f64]) -> Option<u16> {
    let total: f64 = widths.iter().map(|w| w + COLUMN_PADDING).sum();
    let fit = PAGE_CHARACTERS / total * 100.0;
    (fit < f64::from(MIN_PRINT_SCALE)).then_some(SPLIT_PRINT_SCALE)
}

/// A line chart of one table's rows `rows` (first and last data row): categories from one
/// column, each series `(name, column, dashed)` from another.
pub struct LineChart {
    /// Chart title.
    pub title: String,
    /// Alternative text: what the chart shows.
    pub alt_text: String,
    /// Value axis title.
    pub y_axis: String,
    /// The sheet holding the data.
    pub source: String,
    /// First and last data row.
    pub rows: (u32, u32),
    /// Column of the categories.
    pub categories: u16,
    /// Series: name, column, dashed (a reference line without markers).
    pub series: Vec<(String, u16, bool)>,
}

/// Print set-up for every sheet: A4 landscape, the used range as print area, and (for a table)
/// its header row repeated on each page. A sheet that fits one page wide at no less than
/// [`MIN_PRINT_SCALE`] is scaled to fit it; a wider one prints at [`SPLIT_PRINT_SCALE`] across
/// several pages, down then over, with its identifying columns `repeat` on every page.
fn print_setup(
    ws: &mut Worksheet,
    widths: &[f64],
    last_row: u32,
    header_row: Option<u32>,
    repeat: Option<(u16, u16)>,
) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_paper_size(9);
    match split_scale(widths) {
        None => {
            ws.set_print_fit_to_pages(1, 0);
        }
        Some(scale) => {
            ws.set_print_scale(scale);
            if let Some((first, last)) = repeat {
                ws.set_repeat_columns(first, last)?;
            }
        }
    }
    let last_col = (widths.len().max(1) - 1) as u16;
    ws.set_print_area(0, 0, last_row, last_col)?;
    if let Some(r) = header_row {
        ws.set_repeat_rows(r, r)?;
    }
    ws.set_footer("&LPage &P of &N&R&A");
    Ok(())
}

/// The columns that say which row is which, repeated on every page of a table printed across
/// several pages: the trust code and name, else the metric id and name, else the first column;
/// never more than 40% of a page.
fn identifying_columns(t: &PackTable, widths: &[f64]) -> Option<(u16, u16)> {
    let at = |key: &str| t.column(key);
    let (first, last) = match (
        at("trust_code"),
        at("trust_name"),
        at("metric_id"),
        at("metric"),
    ) {
        (Some(a), Some(b), _, _) | (_, _, Some(a), Some(b)) if a.abs_diff(b) == 1 => {
            (a.min(b), a.max(b))
        }
        (Some(a), _, _, _) | (_, _, Some(a), _) => (a, a),
        _ => (0, 0),
    };
    let width: f64 = widths[first..=last].iter().sum();
    let room = PAGE_CHARACTERS * 100.0 / f64::from(SPLIT_PRINT_SCALE) * 0.4;
    if width <= room {
        Some((first as u16, last as u16))
    } else if widths[first] <= room {
        Some((first as u16, first as u16))
    } else {
        None
    }
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
            // Long text wraps rather than widening the sheet: a name within 36 characters, a
            // list (the metric ids) in at most about four lines, within 60.
            let text = cells.min(36.max(cells.div_ceil(4)));
            (header.max(text) as f64 * 1.15 + 3.0).clamp(8.0, 60.0)
        })
        .collect()
}

/// Writes a table with its title block; nothing follows it.
fn table_sheet(ws: &mut Worksheet, t: &PackTable, above: &[String]) -> Result<u32, XlsxError> {
    ws.set_name(&t.sheet)?;
    text_cell_with(ws, 0, 0, &t.title, &heading())?;
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
        text_cell_with(
            ws,
            top,
            c as u16,
            &column.header,
            &header_format(column.kind),
        )?;
    }
    let wrap = Format::new()
        .set_font_name("Arial")
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let formats: Vec<Format> = t.columns.iter().map(|c| number_format(c.kind)).collect();
    let whole = number_format(Kind::Integer);
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
                // A whole number keeps a whole-number format in any column.
                Cell::Int(v) => {
                    ws.write_number_with_format(r, c16, *v as f64, &whole)?;
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
        .set_name(&t.id)
        .set_columns(&columns)
        .set_autofilter(false)
        .set_style(TableStyle::None);
    let last_col = (t.columns.len() - 1) as u16;
    ws.add_table(top, 0, last_row, last_col, &table)?;
    let repeat = identifying_columns(t, &widths);
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
    print_setup(ws, &widths, last_row, Some(top), repeat)?;
    Ok(top)
}

/// A sheet table of a few text columns (Contents, Notes, the dictionary) with bold, wrapped
/// headers, each `(header, width in characters)`.
fn simple_table(
    ws: &mut Worksheet,
    name: &str,
    top: u32,
    headers: &[(&str, f64)],
    rows: usize,
) -> Result<(), XlsxError> {
    let head = header_format(Kind::Text);
    for (c, (h, w)) in headers.iter().enumerate() {
        text_cell_with(ws, top, c as u16, h, &head)?;
        ws.set_column_width(c as u16, *w)?;
    }
    let columns: Vec<TableColumn> = headers
        .iter()
        .map(|(h, _)| TableColumn::new().set_header(*h).set_header_format(&head))
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
    let widths: Vec<f64> = headers.iter().map(|(_, w)| *w).collect();
    print_setup(ws, &widths, last_row, Some(top), Some((0, 0)))
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
    use super::*;

    #[test]
    fn a_sheet_fits_one_page_wide_down_to_70_per_cent_and_splits_beyond() {
        // 92 characters print at 100%; 131 at 70%.
        assert_eq!(split_scale(&[90.0]), None);
        assert_eq!(split_scale(&[60.0, 60.0]), None);
        assert_eq!(split_scale(&[65.0, 65.0]), Some(SPLIT_PRINT_SCALE));
        assert_eq!(split_scale(&[12.0; 26]), Some(SPLIT_PRINT_SCALE));
    }

    #[test]
    fn a_split_table_repeats_the_trust_code_and_name_or_what_fits() {
        use crate::table::{trust_code_column, trust_name_column};
        let t = |columns: Vec<crate::table::Column>| PackTable {
            id: "t".into(),
            sheet: "T".into(),
            title: "T".into(),
            description: String::new(),
            notes: Vec::new(),
            columns,
            rows: Vec::new(),
        };
        let rank = crate::table::col("Rank", "rank", Kind::Integer, "", "");
        let league = t(vec![rank.clone(), trust_code_column(), trust_name_column()]);
        assert_eq!(
            identifying_columns(&league, &[8.0, 9.0, 36.0]),
            Some((1, 2))
        );
        // A name too wide to repeat leaves the code alone.
        assert_eq!(
            identifying_columns(&league, &[8.0, 9.0, 60.0]),
            Some((1, 1))
        );
        // No trust or metric columns: the first.
        assert_eq!(identifying_columns(&t(vec![rank]), &[8.0]), Some((0, 0)));
    }
}
