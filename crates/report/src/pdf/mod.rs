//! A tagged-PDF engine (PDF/UA-1, validated by krilla at export) that knows blocks, not the NHS.
//!
//! A document is a list of [`Block`]s: title page, heading, paragraph, list, link, panel, table
//! with column specs, figure with alt text, page break. [`render`] lays them out in two passes:
//! `layout` places every piece of content on A4 pages as marked-content sequences and records
//! the structure tree that refers to them; `emit` then draws the pages with krilla, so running
//! footers can say "page n of N". Headings form one hierarchy; tables carry TH/TD cells and
//! repeat their header row on each page (the repeats are pagination artifacts); figures are
//! vector drawings with alt text whose labels are checked for collisions; headers, footers,
//! rules and page numbers are artifacts. The same blocks give the same bytes.

mod emit;
mod font;
mod layout;

pub use font::{Metrics, Weight};
pub use layout::Prim;

/// A4 width in points.
pub const PAGE_W: f32 = 595.28;
/// A4 height in points.
pub const PAGE_H: f32 = 841.89;
/// Left and right margin.
pub const MARGIN: f32 = 46.0;
/// Width of the text column.
pub const WIDTH: f32 = PAGE_W - 2.0 * MARGIN;
pub(crate) const TOP: f32 = 64.0;
pub(crate) const BOTTOM: f32 = PAGE_H - 56.0;

/// Why the PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// krilla refused the document (including PDF/UA-1 validation failures).
    #[error("PDF export failed: {0}")]
    Export(String),
    /// A figure's labels overlap its marks or each other, or a table is wider than the page.
    #[error("layout: {0}")]
    Layout(String),
}

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Align {
    /// Left, wrapped at word boundaries.
    Left,
    /// Right (figures), wrapped at word boundaries.
    Right,
    /// Left, and never wrapped: the column is made wide enough for its longest cell ("104 to
    /// 133" stays on one line).
    Whole,
}

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSpec {
    /// Header text (wrapped; bold).
    pub header: String,
    /// Preferred width in points: every column is widened to hold its longest word, and what
    /// that adds is taken from the columns with most room to spare. 0 means "as narrow as the
    /// content allows"; [`WIDTH`] on one column makes it take what the others leave.
    pub width: f32,
    /// Alignment.
    pub align: Align,
}

impl ColumnSpec {
    /// A left-aligned column as narrow as its content.
    pub fn text(header: impl Into<String>) -> Self {
        Self {
            header: header.into(),
            width: 0.0,
            align: Align::Left,
        }
    }

    /// A right-aligned column as narrow as its content.
    pub fn number(header: impl Into<String>) -> Self {
        Self {
            align: Align::Right,
            ..Self::text(header)
        }
    }

    /// A column never wrapped (ranges such as "104 to 133").
    pub fn whole(header: impl Into<String>) -> Self {
        Self {
            align: Align::Whole,
            ..Self::text(header)
        }
    }

    /// The same column with a preferred width.
    pub fn width(self, width: f32) -> Self {
        Self { width, ..self }
    }
}

/// A table: caption, columns, and rows of cell text (one per column).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Caption ("Table 2: ..."), tagged as the table's Caption.
    pub caption: String,
    /// Columns.
    pub columns: Vec<ColumnSpec>,
    /// Rows.
    pub rows: Vec<Vec<String>>,
}

/// A vector figure: its height, alt text, and drawing with y measured from the figure's top
/// and x from the page's left edge.
#[derive(Debug, Clone)]
pub struct Figure {
    /// Height in points.
    pub height: f32,
    /// Alternative text (required by PDF/UA; an empty one is refused at export).
    pub alt: String,
    /// The drawing.
    pub prims: Vec<Prim>,
}

/// One block of a document, laid out top to bottom.
#[derive(Debug, Clone)]
pub enum Block {
    /// A page with a coloured band across the top holding the title (H1) and a subtitle; no
    /// running header. Starts a new page.
    TitlePage {
        /// Title, tagged H1.
        title: String,
        /// Subtitle under it.
        subtitle: String,
        /// Height of the band.
        band: f32,
    },
    /// A heading (level 1–3), kept on the page with the next `keep` points of content.
    Heading {
        /// Level: 2 sections, 3 subsections.
        level: u16,
        /// Text.
        text: String,
        /// Points of following content kept with it.
        keep: f32,
    },
    /// A paragraph at a text size.
    Paragraph {
        /// Text, wrapped.
        text: String,
        /// Size in points.
        size: f32,
    },
    /// A bulleted list.
    List(Vec<String>),
    /// A paragraph of text followed by a web address that is a real link.
    Link {
        /// Text before the address.
        before: String,
        /// The address.
        url: String,
        /// What the address is (the link's alternative text).
        label: String,
    },
    /// A paragraph in a shaded panel with an accent bar (a caveat).
    Panel(String),
    /// A table.
    Table(Table),
    /// A figure.
    Figure(Figure),
    /// A new page (with the running header).
    PageBreak,
}

/// Body text size.
pub const BODY: f32 = 10.5;

impl Block {
    /// A heading.
    pub fn heading(level: u16, text: impl Into<String>, keep: f32) -> Self {
        Block::Heading {
            level,
            text: text.into(),
            keep,
        }
    }

    /// A body paragraph.
    pub fn paragraph(text: impl Into<String>) -> Self {
        Block::Paragraph {
            text: text.into(),
            size: BODY,
        }
    }

    /// A paragraph a little larger than body text (a cover's lines).
    pub fn lead(text: impl Into<String>) -> Self {
        Block::Paragraph {
            text: text.into(),
            size: 11.0,
        }
    }
}

/// What the document says about itself: title, running header, language, author, date.
#[derive(Debug, Clone)]
pub struct DocumentInfo {
    /// Title (metadata and the window title).
    pub title: String,
    /// Running header on every page after a title page.
    pub running_header: String,
    /// Language (BCP 47).
    pub language: String,
    /// Author.
    pub author: String,
    /// Creation date (year, month, day), fixed so reruns are byte-identical.
    pub date: (u16, u8, u8),
    /// A stable document identifier.
    pub document_id: String,
}

/// Lays out and renders `blocks`.
pub fn render(info: &DocumentInfo, blocks: &[Block]) -> Result<Vec<u8>, PdfError> {
    let layout = layout::lay_out(info.running_header.clone(), blocks);
    if let Some(c) = layout.collisions.first() {
        return Err(PdfError::Layout(c.clone()));
    }
    emit::emit(layout, info)
}

/// A data point's marks: a filled dot of radius `r.plain`, or, when `ringed`, a larger dot of
/// radius `r.ring` with a white centre of radius `r.hole` (a shape, not only a colour, sets it
/// apart).
pub fn point(x: f32, y: f32, ringed: bool, r: Marker, fill: crate::theme::Rgb) -> Vec<Prim> {
    let mut p = vec![Prim::Dot {
        x,
        y,
        r: if ringed { r.ring } else { r.plain },
        fill,
    }];
    if ringed {
        p.push(Prim::Dot {
            x,
            y,
            r: r.hole,
            fill: crate::theme::WHITE,
        });
    }
    p
}

/// The radii of a chart's data points ([`point`]).
#[derive(Debug, Clone, Copy)]
pub struct Marker {
    /// A plain point.
    pub plain: f32,
    /// A ringed point's outer radius.
    pub ring: f32,
    /// A ringed point's white centre.
    pub hole: f32,
}

/// The labels and data points of `prims` that overlap (the check [`render`] applies to each
/// figure).
pub fn collisions(m: &Metrics, prims: &[Prim]) -> Vec<String> {
    layout::collisions(m, prims)
}

#[cfg(test)]
mod tests;
