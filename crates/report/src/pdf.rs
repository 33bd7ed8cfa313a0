//! The national pack as a tagged PDF (PDF/UA-1, validated by krilla at export).
//!
//! Two passes: [`Layout`] places every piece of content on pages as marked-content sequences and
//! records the structure tree that refers to them; [`render`] then draws the pages with krilla,
//! so running footers can say "page n of N". Headings form one hierarchy (H1 title, H2 sections,
//! H3 per peer group); tables carry TH/TD cells and repeat their header row on each page (the
//! repeats are pagination artifacts); charts are vector figures with alt text, each followed by
//! a table of its data; headers, footers, rules and page numbers are artifacts.

use std::num::NonZeroU16;
use std::sync::Arc;

use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::configure::{Accessibility, ConfigurationBuilder, Validator};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, Node, SpanTag, TableHeaderScope,
    Tag, TagGroup, TagKind, TagTree,
};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};

use crate::pack::{
    Cell, Kind, NationalPack, PackTable, Publication, RankedChart, quarter_key, quarter_months,
};
use crate::theme::{self, Rgb};

const REGULAR: &[u8] = include_bytes!("../../../data/fonts/LiberationSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../../../data/fonts/LiberationSans-Bold.ttf");

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 46.0;
const TOP: f32 = 64.0;
const BOTTOM: f32 = PAGE_H - 56.0;
const WIDTH: f32 = PAGE_W - 2.0 * MARGIN;

/// Why the PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// krilla refused the document (including PDF/UA-1 validation failures).
    #[error("PDF export failed: {0}")]
    Export(String),
    /// A figure's labels overlap its marks or each other.
    #[error("figure layout: {0}")]
    Layout(String),
}

/// Text measurement from the embedded font files.
struct Metrics {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
}

impl Metrics {
    fn new() -> Self {
        Self {
            regular: ttf_parser::Face::parse(REGULAR, 0).expect("committed font"),
            bold: ttf_parser::Face::parse(BOLD, 0).expect("committed font"),
        }
    }

    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let face = if bold { &self.bold } else { &self.regular };
        let upem = f32::from(face.units_per_em());
        let units: u32 = text
            .chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .map_or(0, u32::from)
            })
            .sum();
        units as f32 * size / upem
    }

    /// Greedy word wrap to `width`.
    fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, size, bold) <= width || line.is_empty() {
                line = candidate;
            } else {
                lines.push(std::mem::take(&mut line));
                line = word.to_owned();
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }
}

/// A drawing primitive.
#[derive(Debug, Clone)]
enum Prim {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        colour: Rgb,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Rgb,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        colour: Rgb,
    },
    Dot {
        x: f32,
        y: f32,
        r: f32,
        fill: Rgb,
    },
}

/// What a marked-content sequence is.
#[derive(Debug, Clone, Copy)]
enum Mark {
    Span,
    Figure,
    Artifact(ArtifactType),
}

/// One marked-content sequence on a page.
#[derive(Debug, Clone)]
struct Content {
    mark: Mark,
    prims: Vec<Prim>,
}

/// Structure element kinds used.
#[derive(Debug, Clone)]
enum Elem {
    H(u16, String),
    P,
    L,
    LI,
    Lbl,
    LBody,
    Link,
    Figure(String),
    Caption,
    Table,
    TR,
    TH,
    TD,
}

/// A structure node: a group, or a content sequence (page, index on the page).
#[derive(Debug, Clone)]
enum SNode {
    Group(Elem, Vec<SNode>),
    Content(usize, usize),
    /// A link annotation: (page, index among the page's links).
    Annot(usize, usize),
}

/// A link annotation to place on a page: its area, target and alternative text.
#[derive(Debug, Clone)]
struct LinkArea {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
    url: String,
    alt: String,
}

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
    /// Left, and never wrapped: the column is made wide enough for its longest cell ("104 to
    /// 133" stays on one line).
    Whole,
}

struct Layout {
    m: Metrics,
    pages: Vec<Vec<Content>>,
    y: f32,
    tree: Vec<SNode>,
    outline: Vec<(u16, String, usize, f32)>,
    running: String,
    links: Vec<Vec<LinkArea>>,
    /// Collisions found in laid-out figures (the document is refused if any).
    collisions: Vec<String>,
}

impl Layout {
    fn new(running: String) -> Self {
        Self {
            m: Metrics::new(),
            pages: Vec::new(),
            y: TOP,
            tree: Vec::new(),
            outline: Vec::new(),
            running,
            links: Vec::new(),
            collisions: Vec::new(),
        }
    }

    fn page(&self) -> usize {
        self.pages.len() - 1
    }

    fn push(&mut self, mark: Mark, prims: Vec<Prim>) -> SNode {
        let page = self.page();
        self.pages[page].push(Content { mark, prims });
        SNode::Content(page, self.pages[page].len() - 1)
    }

    fn artifact(&mut self, kind: ArtifactType, prims: Vec<Prim>) {
        self.push(Mark::Artifact(kind), prims);
    }

    fn new_page(&mut self, running_header: bool) {
        self.pages.push(Vec::new());
        self.links.push(Vec::new());
        self.y = TOP;
        if running_header {
            self.artifact(
                ArtifactType::Header,
                vec![
                    Prim::Rect {
                        x: 0.0,
                        y: 0.0,
                        w: PAGE_W,
                        h: 10.0,
                        fill: theme::NHS_BLUE,
                    },
                    Prim::Text {
                        x: MARGIN,
                        y: 34.0,
                        size: 9.0,
                        bold: false,
                        colour: theme::DARK_GREY,
                        text: self.running.clone(),
                    },
                ],
            );
        }
    }

    fn ensure(&mut self, h: f32) {
        if self.y + h > BOTTOM {
            self.new_page(true);
        }
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, colour: Rgb, text: &str) -> SNode {
        self.push(
            Mark::Span,
            vec![Prim::Text {
                x,
                y,
                size,
                bold,
                colour,
                text: text.to_owned(),
            }],
        )
    }

    /// A heading kept on the same page as the next `keep` points of content.
    fn heading(&mut self, level: u16, text: &str, keep: f32) {
        let size = match level {
            1 => 24.0,
            2 => 16.0,
            _ => 13.0,
        };
        let lines = self.m.wrap(text, size, true, WIDTH);
        self.ensure(size * 1.3 * lines.len() as f32 + keep);
        self.y += size * 0.6;
        self.outline.push((
            level,
            text.to_owned(),
            self.page(),
            (self.y - size).max(0.0),
        ));
        let mut kids = Vec::new();
        for l in lines {
            self.y += size;
            let colour = if level == 2 {
                theme::NHS_BLUE
            } else {
                theme::TEXT
            };
            kids.push(self.text(MARGIN, self.y, size, true, colour, &l));
            self.y += size * 0.3;
        }
        self.y += size * 0.35;
        self.tree
            .push(SNode::Group(Elem::H(level, text.to_owned()), kids));
    }

    fn paragraph(&mut self, text: &str, size: f32, indent: f32) {
        let lines = self.m.wrap(text, size, false, WIDTH - indent);
        let mut kids = Vec::new();
        for l in lines {
            self.ensure(size * 1.45);
            self.y += size;
            kids.push(self.text(MARGIN + indent, self.y, size, false, theme::TEXT, &l));
            self.y += size * 0.45;
        }
        self.y += size * 0.6;
        self.tree.push(SNode::Group(Elem::P, kids));
    }

    /// A bulleted list, tagged L > LI > (Lbl, LBody).
    fn list(&mut self, items: &[String]) {
        let size = 11.0;
        let indent = 14.0;
        let mut entries = Vec::new();
        for text in items {
            let lines = self.m.wrap(text, size, false, WIDTH - indent);
            let mut label = None;
            let mut body = Vec::new();
            for (i, l) in lines.iter().enumerate() {
                self.ensure(size * 1.45);
                self.y += size;
                if i == 0 {
                    label =
                        Some(self.text(MARGIN + 2.0, self.y, size, false, theme::TEXT, "\u{2022}"));
                }
                body.push(self.text(MARGIN + indent, self.y, size, false, theme::TEXT, l));
                self.y += size * 0.45;
            }
            self.y += 4.0;
            let mut kids = Vec::new();
            if let Some(label) = label {
                kids.push(SNode::Group(Elem::Lbl, vec![label]));
            }
            kids.push(SNode::Group(Elem::LBody, body));
            entries.push(SNode::Group(Elem::LI, kids));
        }
        self.y += 4.0;
        self.tree.push(SNode::Group(Elem::L, entries));
    }

    /// A paragraph of `before` followed by a web address that is a real link (a Link element
    /// holding the address's text and its link annotation, one per line it takes).
    fn link_paragraph(&mut self, before: &str, url: &str, alt: &str) {
        let size = 10.5;
        let mut kids = Vec::new();
        for l in self.m.wrap(before, size, false, WIDTH) {
            self.ensure(size * 1.45);
            self.y += size;
            kids.push(self.text(MARGIN, self.y, size, false, theme::TEXT, &l));
            self.y += size * 0.45;
        }
        for l in self.m.wrap(url, size, false, WIDTH) {
            self.ensure(size * 1.45);
            self.y += size;
            let w = self.m.width(&l, size, false);
            let span = self.text(MARGIN, self.y, size, false, theme::NHS_BLUE, &l);
            let page = self.page();
            self.links[page].push(LinkArea {
                x: MARGIN,
                y: self.y - size,
                w,
                h: size * 1.3,
                url: url.to_owned(),
                alt: alt.to_owned(),
            });
            let annot = SNode::Annot(page, self.links[page].len() - 1);
            kids.push(SNode::Group(Elem::Link, vec![span, annot]));
            self.y += size * 0.45;
        }
        self.y += size * 0.6;
        self.tree.push(SNode::Group(Elem::P, kids));
    }

    /// A table with a caption, repeated header row on every page, and wrapped cells.
    fn table(
        &mut self,
        caption: &str,
        header: &[&str],
        widths: &[f32],
        align: &[Align],
        rows: &[Vec<String>],
    ) {
        let (size, line_h, pad) = (CELL_SIZE, CELL_LINE, CELL_PAD);
        let widths = &fit_widths(&self.m, header, widths, align, rows);
        let head_lines: Vec<Vec<String>> = header
            .iter()
            .zip(widths)
            .map(|(h, w)| self.m.wrap(h, size, true, w - 2.0 * pad))
            .collect();
        let head_h = head_lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * line_h + 2.0 * pad;
        self.ensure(head_h + 3.0 * line_h + 30.0);
        let mut table_kids = Vec::new();
        // Caption.
        let cap_lines = self.m.wrap(caption, 9.5, true, WIDTH);
        let mut cap_kids = Vec::new();
        for l in cap_lines {
            self.y += 9.5;
            cap_kids.push(self.text(MARGIN, self.y, 9.5, true, theme::DARK_GREY, &l));
            self.y += 4.0;
        }
        table_kids.push(SNode::Group(Elem::Caption, cap_kids));
        self.y += 2.0;

        let draw_header = |me: &mut Layout, tagged: bool| -> Option<SNode> {
            let top = me.y;
            me.artifact(
                ArtifactType::Layout,
                vec![Prim::Rect {
                    x: MARGIN,
                    y: top,
                    w: widths.iter().sum(),
                    h: head_h,
                    fill: theme::PALE_GREY,
                }],
            );
            let mut cells = Vec::new();
            let mut x = MARGIN;
            for (i, lines) in head_lines.iter().enumerate() {
                let prims = cell_text(&me.m, lines, (x, top), widths[i], align[i], true);
                if tagged {
                    let node = me.push(Mark::Span, prims);
                    cells.push(SNode::Group(Elem::TH, vec![node]));
                } else {
                    me.artifact(ArtifactType::Other, prims);
                }
                x += widths[i];
            }
            me.y = top + head_h;
            tagged.then_some(SNode::Group(Elem::TR, cells))
        };
        if let Some(tr) = draw_header(self, true) {
            table_kids.push(tr);
        }
        for (ri, row) in rows.iter().enumerate() {
            let cell_lines: Vec<Vec<String>> = row
                .iter()
                .zip(widths)
                .zip(align)
                .map(|((c, w), a)| match a {
                    Align::Whole => vec![c.clone()],
                    _ => self.m.wrap(c, size, false, w - 2.0 * pad),
                })
                .collect();
            let h = cell_lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * line_h + 2.0 * pad;
            if self.y + h > BOTTOM {
                self.new_page(true);
                draw_header(self, false);
            }
            let top = self.y;
            if ri % 2 == 1 {
                self.artifact(
                    ArtifactType::Layout,
                    vec![Prim::Rect {
                        x: MARGIN,
                        y: top,
                        w: widths.iter().sum(),
                        h,
                        fill: Rgb(0xF5, 0xF7, 0xF8),
                    }],
                );
            }
            let mut cells = Vec::new();
            let mut x = MARGIN;
            for (i, lines) in cell_lines.iter().enumerate() {
                let prims = cell_text(&self.m, lines, (x, top), widths[i], align[i], false);
                let node = self.push(Mark::Span, prims);
                cells.push(SNode::Group(Elem::TD, vec![node]));
                x += widths[i];
            }
            table_kids.push(SNode::Group(Elem::TR, cells));
            self.y = top + h;
        }
        self.artifact(
            ArtifactType::Layout,
            vec![Prim::Line {
                x1: MARGIN,
                y1: self.y,
                x2: MARGIN + widths.iter().sum::<f32>(),
                y2: self.y,
                width: 0.6,
                colour: theme::MID_GREY,
            }],
        );
        self.y += 14.0;
        self.tree.push(SNode::Group(Elem::Table, table_kids));
    }

    /// A vector figure of height `h`, drawn by `draw` at the current position.
    fn figure(&mut self, h: f32, alt: &str, draw: impl FnOnce(&Metrics, f32) -> Vec<Prim>) {
        self.ensure(h + 10.0);
        let top = self.y;
        let prims = draw(&self.m, top);
        // Lay out, then check: no label may touch another label or a data mark.
        self.collisions.extend(
            collisions(&self.m, &prims)
                .into_iter()
                .map(|c| format!("{alt:.60}: {c}")),
        );
        let node = self.push(Mark::Figure, prims);
        self.tree
            .push(SNode::Group(Elem::Figure(alt.to_owned()), vec![node]));
        self.y = top + h + 8.0;
    }
}

/// The box a primitive covers, for the collision check: text by its measured width, ascent and
/// descent; a dot by its radius. Lines and rectangles are not labels or marks.
fn bbox(m: &Metrics, p: &Prim) -> Option<(f32, f32, f32, f32, String)> {
    match p {
        Prim::Text {
            x,
            y,
            size,
            bold,
            text,
            ..
        } => Some((
            *x,
            y - size * 0.75,
            x + m.width(text, *size, *bold),
            y + size * 0.22,
            format!("label {text:?}"),
        )),
        Prim::Dot { x, y, r, .. } => Some((x - r, y - r, x + r, y + r, "a data point".to_owned())),
        _ => None,
    }
}

/// Every pair of labels, or label and data point, whose boxes overlap.
fn collisions(m: &Metrics, prims: &[Prim]) -> Vec<String> {
    let boxes: Vec<(f32, f32, f32, f32, String, bool)> = prims
        .iter()
        .filter_map(|p| {
            bbox(m, p).map(|(a, b, c, d, what)| (a, b, c, d, what, matches!(p, Prim::Dot { .. })))
        })
        .collect();
    let mut out = Vec::new();
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            if a.5 && b.5 {
                continue; // data points may crowd each other
            }
            let overlap = a.0 < b.2 - 0.1 && b.0 < a.2 - 0.1 && a.1 < b.3 - 0.1 && b.1 < a.3 - 0.1;
            if overlap {
                out.push(format!("{} overlaps {}", a.4, b.4));
            }
        }
    }
    out
}

/// Table cell geometry: font size, line height and padding.
const CELL_SIZE: f32 = 9.0;
const CELL_LINE: f32 = 11.5;
const CELL_PAD: f32 = 3.0;

/// Column widths that hold every cell's longest word (a word never runs into the next
/// column): each column gets at least that, and what that adds is taken from the columns
/// with the most room to spare, so the table keeps its width when it can.
fn fit_widths(
    m: &Metrics,
    header: &[&str],
    widths: &[f32],
    align: &[Align],
    rows: &[Vec<String>],
) -> Vec<f32> {
    let longest_word = |text: &str, bold: bool| {
        text.split_whitespace()
            .map(|w| m.width(w, CELL_SIZE, bold))
            .fold(0.0f32, f32::max)
    };
    let need: Vec<f32> = (0..widths.len())
        .map(|i| {
            let cells = rows
                .iter()
                .map(|r| match align[i] {
                    Align::Whole => m.width(&r[i], CELL_SIZE, false),
                    _ => longest_word(&r[i], false),
                })
                .fold(longest_word(header[i], true), f32::max);
            (cells + 2.0 * CELL_PAD + 0.5).ceil()
        })
        .collect();
    let target: f32 = widths.iter().sum();
    let mut w: Vec<f32> = widths.iter().zip(&need).map(|(a, b)| a.max(*b)).collect();
    let mut excess = w.iter().sum::<f32>() - target;
    while excess > 0.01 {
        let Some((i, slack)) = w
            .iter()
            .zip(&need)
            .map(|(a, b)| a - b)
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))
        else {
            break;
        };
        if slack <= 0.01 {
            break;
        }
        let cut = slack.min(excess);
        w[i] -= cut;
        excess -= cut;
    }
    w
}

/// The text of one table cell, aligned in its column, one primitive per line.
fn cell_text(
    m: &Metrics,
    lines: &[String],
    (x, top): (f32, f32),
    width: f32,
    align: Align,
    bold: bool,
) -> Vec<Prim> {
    lines
        .iter()
        .enumerate()
        .map(|(k, l)| {
            let tx = match align {
                Align::Right => x + width - CELL_PAD - m.width(l, CELL_SIZE, bold),
                Align::Left | Align::Whole => x + CELL_PAD,
            };
            Prim::Text {
                x: tx,
                y: top + CELL_PAD + CELL_SIZE + k as f32 * CELL_LINE,
                size: CELL_SIZE,
                bold,
                colour: theme::TEXT,
                text: l.clone(),
            }
        })
        .collect()
}

fn segment_chart(m: &Metrics, top: f32, pack: &NationalPack) -> Vec<Prim> {
    let mut p = Vec::new();
    let groups = &pack.segments;
    let panel_w = WIDTH / groups.len().max(1) as f32;
    let chart_h = 120.0;
    let max = groups
        .iter()
        .flat_map(|g| g.counts)
        .max()
        .unwrap_or(1)
        .max(1) as f32;
    for (gi, g) in groups.iter().enumerate() {
        let x0 = MARGIN + gi as f32 * panel_w;
        let title = format!("{}s ({})", g.label, g.total());
        for (k, line) in m
            .wrap(&title, 9.5, true, panel_w - 14.0)
            .into_iter()
            .enumerate()
        {
            p.push(Prim::Text {
                x: x0 + 4.0,
                y: top + 11.0 + k as f32 * 11.5,
                size: 9.5,
                bold: true,
                colour: theme::TEXT,
                text: line,
            });
        }
        let base = top + 36.0 + chart_h;
        p.push(Prim::Line {
            x1: x0 + 4.0,
            y1: base,
            x2: x0 + panel_w - 10.0,
            y2: base,
            width: 0.8,
            colour: theme::DARK_GREY,
        });
        let slot = (panel_w - 14.0) / g.counts.len() as f32;
        for (s, &n) in g.counts.iter().enumerate() {
            let bh = chart_h * n as f32 / max;
            let bx = x0 + 4.0 + s as f32 * slot + slot * 0.15;
            let bw = slot * 0.7;
            if n > 0 {
                p.push(Prim::Rect {
                    x: bx,
                    y: base - bh,
                    w: bw,
                    h: bh,
                    fill: theme::NHS_BLUE,
                });
            }
            for (text, y, bold) in [
                (n.to_string(), base - bh - 3.0, true),
                ((s + 1).to_string(), base + 11.0, false),
            ] {
                let w = m.width(&text, 8.5, bold);
                p.push(Prim::Text {
                    x: bx + (bw - w) / 2.0,
                    y,
                    size: 8.5,
                    bold,
                    colour: theme::TEXT,
                    text,
                });
            }
        }
        for (k, text) in [
            "Segment (1 best, 4 worst)".to_owned(),
            format!(
                "Of these, in the Recovery Support Programme (segment {}): {}",
                pack.method.segment5,
                g.programme_cell()
            ),
        ]
        .into_iter()
        .enumerate()
        {
            for (j, line) in m
                .wrap(&text, 8.0, false, panel_w - 14.0)
                .into_iter()
                .enumerate()
            {
                p.push(Prim::Text {
                    x: x0 + 4.0,
                    y: base + 24.0 + (k * 2 + j) as f32 * 10.0,
                    size: 8.0,
                    bold: false,
                    colour: theme::DARK_GREY,
                    text: line,
                });
            }
        }
    }
    p
}

/// Height of the ranked chart's drawing.
const RANKED_H: f32 = 228.0;

/// Width of the gutter right of the plot that holds the segment-boundary labels, so no label
/// can sit on a dot.
const LABEL_GUTTER: f32 = 58.0;

fn ranked_chart(m: &Metrics, top: f32, chart: &RankedChart) -> Vec<Prim> {
    let mut p = Vec::new();
    let (left, right) = (MARGIN + 30.0, MARGIN + WIDTH - LABEL_GUTTER);
    let (y_top, y_bot) = (top + 22.0, top + 192.0);
    let (lo, hi) = (1.0f64, 4.0f64);
    let y_of = |v: f64| y_bot - ((v - lo) / (hi - lo)) as f32 * (y_bot - y_top);
    let n = chart.points.len().max(1);
    let x_of = |i: usize| left + (i as f32 + 0.5) * (right - left) / n as f32;
    for k in 0..=6 {
        let v = lo + 0.5 * f64::from(k);
        let y = y_of(v);
        p.push(Prim::Line {
            x1: left,
            y1: y,
            x2: right,
            y2: y,
            width: 0.4,
            colour: theme::PALE_GREY,
        });
        let label = format!("{v:.1}");
        let w = m.width(&label, 8.0, false);
        p.push(Prim::Text {
            x: left - 4.0 - w,
            y: y + 3.0,
            size: 8.0,
            bold: false,
            colour: theme::DARK_GREY,
            text: label,
        });
    }
    if let Some(c) = chart.cuts {
        // Labels go in the gutter, centred on their line, then pushed apart where two would
        // touch (cut-points close together).
        let size = 7.5;
        let mut label_y: Vec<f32> = c.iter().map(|cut| y_of(*cut) + size * 0.35).collect();
        // Cut-points ascend, so label i sits below label i + 1; walk from the bottom up.
        for i in 1..label_y.len() {
            if label_y[i - 1] - label_y[i] < size + 1.5 {
                label_y[i] = label_y[i - 1] - (size + 1.5);
            }
        }
        for (i, cut) in c.iter().enumerate() {
            let y = y_of(*cut);
            p.push(Prim::Line {
                x1: left,
                y1: y,
                x2: right + 3.0,
                y2: y,
                width: 0.6,
                colour: theme::DARK_GREY,
            });
            p.push(Prim::Text {
                x: right + 6.0,
                y: label_y[i],
                size,
                bold: false,
                colour: theme::DARK_GREY,
                text: format!("{} | {} at {:.2}", i + 1, i + 2, cut),
            });
        }
    }
    for (i, pt) in chart.points.iter().enumerate() {
        let x = x_of(i);
        p.push(Prim::Line {
            x1: x,
            y1: y_of(pt.low),
            x2: x,
            y2: y_of(pt.high),
            width: 0.7,
            colour: theme::MID_GREY,
        });
        p.push(Prim::Dot {
            x,
            y: y_of(pt.average),
            r: if pt.capped { 2.3 } else { 1.7 },
            fill: theme::NHS_BLUE,
        });
        if pt.capped {
            // A ring: the trust sits in a worse segment than its average gives.
            p.push(Prim::Dot {
                x,
                y: y_of(pt.average),
                r: 1.1,
                fill: theme::WHITE,
            });
        }
    }
    p.push(Prim::Line {
        x1: left,
        y1: y_bot,
        x2: right,
        y2: y_bot,
        width: 0.8,
        colour: theme::DARK_GREY,
    });
    p.push(Prim::Text {
        x: MARGIN - 2.0,
        y: y_top - 12.0,
        size: 8.0,
        bold: false,
        colour: theme::DARK_GREY,
        text: "Average score".to_owned(),
    });
    p.push(Prim::Text {
        x: right + 6.0,
        y: y_top - 12.0,
        size: 7.5,
        bold: false,
        colour: theme::DARK_GREY,
        text: "Segments".to_owned(),
    });
    p.push(Prim::Text {
        x: left,
        y: y_bot + 14.0,
        size: 8.0,
        bold: false,
        colour: theme::DARK_GREY,
        text: format!(
            "Trusts in league order, rank 1 (left) to {} (right); dot: average score; line: likely range; lower is better",
            chart.points.last().map_or(0, |p| p.rank)
        ),
    });
    if chart.points.iter().any(|p| p.capped) {
        p.push(Prim::Text {
            x: left,
            y: y_bot + 26.0,
            size: 8.0,
            bold: false,
            colour: theme::DARK_GREY,
            text: "Ring: a trust the financial override moved to a worse segment, so it is ranked below trusts with a higher average".to_owned(),
        });
    }
    p
}

/// The cells of `keys` in one row of a pack table, as the table shows them.
fn cells(t: &PackTable, row: &[Cell], keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| {
            let i = t.column(k).expect("league tables have the column");
            row[i].display(t.columns[i].kind)
        })
        .collect()
}

/// Lays out and renders the pack.
pub fn national_pdf(pack: &NationalPack, publication: &Publication) -> Result<Vec<u8>, PdfError> {
    let period = format!("{} ({})", pack.quarter, quarter_months(pack.quarter));
    let title = format!("{}: {}", publication.title, pack.quarter);
    let mut l = Layout::new(format!("{} \u{2013} {}", publication.title, period));
    let label_of = |id: &str| {
        pack.segments
            .iter()
            .find(|g| g.peer_group == id)
            .map_or_else(|| id.to_owned(), |g| g.label.clone())
    };

    // Cover.
    l.new_page(false);
    l.artifact(
        ArtifactType::Layout,
        vec![Prim::Rect {
            x: 0.0,
            y: 0.0,
            w: PAGE_W,
            h: 250.0,
            fill: theme::NHS_BLUE,
        }],
    );
    l.outline.push((1, publication.title.clone(), 0, 0.0));
    let mut kids = Vec::new();
    let mut y = 110.0;
    for line in l.m.wrap(&publication.title, 28.0, true, WIDTH) {
        kids.push(l.text(MARGIN, y, 28.0, true, theme::WHITE, &line));
        y += 34.0;
    }
    l.tree
        .push(SNode::Group(Elem::H(1, publication.title.clone()), kids));
    let sub = l.text(
        MARGIN,
        y + 8.0,
        16.0,
        false,
        theme::WHITE,
        &format!("{period}, England"),
    );
    l.tree.push(SNode::Group(Elem::P, vec![sub]));
    l.y = 290.0;
    for s in [
        format!(
            "Published {}. Next update: {}.",
            publication.release_long(),
            publication.next_update
        ),
        format!("Method: {}.", pack.method.methodology),
        format!(
            "Produced by {}. Contact: {}.",
            publication.organisation, publication.contact
        ),
        format!(
            "Segments and league positions of {} NHS trusts in England, each ranked within its peer group ({}), with likely ranges that show how certain each position is.",
            pack.trusts(),
            pack.method
                .peer_groups
                .iter()
                .map(|g| g.to_lowercase())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ] {
        l.paragraph(&s, 11.0, 0.0);
    }
    l.link_paragraph(
        &format!("{}:", publication.release_url_text),
        &publication.release_url,
        &publication.release_url_text,
    );
    // Caveat panel.
    let caveat = format!("Important. {}", pack.caveat());
    let lines = l.m.wrap(&caveat, 10.5, false, WIDTH - 24.0);
    let h = lines.len() as f32 * 15.0 + 16.0;
    l.y += 6.0;
    let top = l.y;
    l.artifact(
        ArtifactType::Layout,
        vec![
            Prim::Rect {
                x: MARGIN,
                y: top,
                w: WIDTH,
                h,
                fill: theme::PALE_GREY,
            },
            Prim::Rect {
                x: MARGIN,
                y: top,
                w: 5.0,
                h,
                fill: theme::WARM_YELLOW,
            },
        ],
    );
    let mut kids = Vec::new();
    let mut y = top + 8.0;
    for line in lines {
        y += 10.5;
        kids.push(l.text(MARGIN + 16.0, y, 10.5, false, theme::TEXT, &line));
        y += 4.5;
    }
    l.tree.push(SNode::Group(Elem::P, kids));
    l.y = top + h + 10.0;

    // Key findings.
    l.new_page(true);
    l.heading(2, "Key findings", 60.0);
    l.list(&pack.key_findings);

    // Segment chart and its data.
    l.heading(2, "Segments by peer group", 230.0);
    let alt = format!(
        "Bar charts of the number of trusts in each segment, one panel per peer group. {}. The table below gives the same counts.",
        pack.segments
            .iter()
            .map(|g| {
                format!(
                    "{}s: {}; Recovery Support Programme: {}",
                    g.label,
                    g.counts
                        .iter()
                        .enumerate()
                        .map(|(i, n)| format!("segment {} {n}", i + 1))
                        .collect::<Vec<_>>()
                        .join(", "),
                    g.programme_cell()
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    );
    l.figure(220.0, &alt, |m, top| segment_chart(m, top, pack));
    let rows: Vec<Vec<String>> = pack
        .segments
        .iter()
        .map(|g| {
            let mut r = vec![format!("{}s", g.label)];
            r.extend(g.counts.iter().map(u32::to_string));
            r.push(g.programme_cell());
            r.push(g.capped.to_string());
            r.push(g.total().to_string());
            r
        })
        .collect();
    let rsp = format!(
        "Of which in the Recovery Support Programme (segment {})",
        pack.method.segment5
    );
    l.table(
        "Table 1: trusts by segment and peer group (data for the chart above)",
        &[
            "Peer group",
            "Segment 1",
            "Segment 2",
            "Segment 3",
            "Segment 4",
            &rsp,
            "Moved by the financial override",
            "Trusts",
        ],
        &[119.0, 50.0, 50.0, 50.0, 50.0, 70.0, 70.0, 44.0],
        &[
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
        ],
        &rows,
    );

    // Ranked plots.
    // Kept with its paragraph and the first chart.
    l.heading(2, "Average scores and likely ranges", RANKED_H + 90.0);
    l.paragraph("Each chart shows every trust of one peer group in league order: the dot is its average metric score and the vertical line its likely range. Horizontal lines mark the segment cut-points, labelled on the right. The full league tables, which hold the data of these charts, follow.", 10.5, 0.0);
    for c in &pack.charts {
        l.heading(3, &format!("{}s", c.label), RANKED_H + 15.0);
        let (Some(first), Some(last)) = (c.points.first(), c.points.last()) else {
            continue;
        };
        let alt = format!(
            "Chart of the average metric score and likely range of each of the {} {}s in league order. Scores run from {} at rank {} to {} at rank {}; the widest likely range spans {} points. The data are in the {} league table in this document.",
            c.points.len(),
            c.label.to_lowercase(),
            fmt2(first.average),
            first.rank,
            fmt2(last.average),
            last.rank,
            fmt2(c.widest),
            c.label.to_lowercase()
        );
        l.figure(RANKED_H, &alt, |m, top| ranked_chart(m, top, c));
    }

    // League tables.
    l.new_page(true);
    l.heading(2, "League tables", 60.0);
    l.paragraph(
        &format!(
            "{} Likely ranges are {}. A trust in financial deficit is capped at segment {}; \"Before override\" shows the segment its average gives. Trusts in the Recovery Support Programme (segment {}) are marked in their own column.",
            pack.method.league_order(),
            pack.method.likely_ranges(),
            pack.method.override_cap,
            pack.method.segment5
        ),
        10.5,
        0.0,
    );
    // Table 1 is the segment table; each peer group then has two, its metrics and its league.
    let mut number = 2;
    for (i, t) in pack.league.iter().enumerate() {
        let Some(basis) = pack.basis.get(i) else {
            continue;
        };
        let label = label_of(&basis.peer_group);
        if i > 0 {
            l.new_page(true);
        }
        l.heading(3, &format!("{label}s"), 80.0);
        l.paragraph(
            &format!(
                "{} The table below lists each metric and how many of the {} trusts have it; a trust without a metric is scored on the others.",
                basis.summary(),
                basis.trusts
            ),
            10.5,
            0.0,
        );
        let rows: Vec<Vec<String>> = basis
            .metrics
            .iter()
            .map(|(id, name, n)| vec![name.clone(), id.clone(), n.to_string()])
            .collect();
        l.table(
            &format!(
                "Table {number}: metrics behind the averages, {}s, {}",
                label.to_lowercase(),
                pack.quarter
            ),
            &["Metric", "Id", "Trusts with it"],
            &[WIDTH - 110.0, 50.0, 60.0],
            &[Align::Left, Align::Left, Align::Right],
            &rows,
        );
        number += 1;

        // Counts of inputs from another period or synthetic, only where a trust has any.
        let any = |key: &str| {
            let c = t.column(key).expect("league column");
            t.rows.iter().any(|r| !matches!(r[c], Cell::Int(0)))
        };
        let mut keys = vec![
            "rank",
            "rank_likely_from",
            "rank_likely_to",
            "trust_code",
            "trust_name",
            "segment",
            "segment_before_override",
            "recovery_support_programme",
            "financial_deficit",
            "average_score",
            "average_likely_from",
            "average_likely_to",
        ];
        let mut header = vec![
            "Rank",
            "Likely range of rank",
            "Code",
            "Trust name",
            "Segment",
            "Before override",
            "Recovery Support (segment 5)",
            "In financial deficit",
            "Average score",
            "Likely range of average",
        ];
        // Every column as narrow as its content allows (`fit_widths`); the trust name takes
        // the rest of the page.
        let mut widths = vec![0.0; 10];
        let mut align = vec![
            Align::Right,
            Align::Whole,
            Align::Whole,
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Whole,
        ];
        for (key, head) in [
            ("other_period_metrics", "Metrics from another period"),
            ("synthetic_metrics", "Synthetic metrics"),
        ] {
            if any(key) {
                keys.push(key);
                header.push(head);
                widths.push(0.0);
                align.push(Align::Right);
            }
        }
        widths[3] = WIDTH;
        let rows: Vec<Vec<String>> = t
            .rows
            .iter()
            .map(|row| {
                let c = cells(t, row, &keys);
                // Ranges read "from to to" in one cell, as in NHS England's tables.
                let mut out = vec![c[0].clone(), format!("{} to {}", c[1], c[2])];
                out.extend(c[3..9].iter().cloned());
                out.push(c[9].clone());
                out.push(format!("{} to {}", c[10], c[11]));
                out.extend(c[12..].iter().cloned());
                out
            })
            .collect();
        l.table(
            &format!(
                "Table {number}: league table, {}s, {}",
                label.to_lowercase(),
                pack.quarter
            ),
            &header,
            &widths,
            &align,
            &rows,
        );
        number += 1;
    }

    // Movement over the quarters.
    if !pack.movement.is_empty() {
        l.new_page(true);
        l.heading(2, "Movement since the previous quarter", 60.0);
        l.paragraph(&pack.note("movement").text, 10.5, 0.0);
        for t in &pack.movement {
            let group = t.id.trim_start_matches("movement_");
            let label = label_of(group);
            l.heading(3, &format!("{label}s"), 80.0);
            // The PDF shows each quarter's segment, then rank before and now, the places gained
            // and whether the change is significant; the workbook and CSV add every quarter's
            // rank and both likely ranges.
            let prev = pack.previous.map(quarter_key).unwrap_or_default();
            let now = quarter_key(pack.quarter);
            let mut keys: Vec<String> = vec!["trust_code".into(), "trust_name".into()];
            keys.extend(
                t.columns
                    .iter()
                    .filter(|c| c.key.starts_with("segment_"))
                    .map(|c| c.key.clone()),
            );
            keys.extend([
                format!("before_override_{now}"),
                format!("rank_{prev}"),
                format!("rank_{now}"),
                "places_gained".into(),
                "significant".into(),
            ]);
            let cols: Vec<usize> = keys
                .iter()
                .map(|k| t.column(k).expect("movement column"))
                .collect();
            let header: Vec<&str> = cols.iter().map(|&i| t.columns[i].header.as_str()).collect();
            // As the league table: the name takes what the other columns leave.
            let mut widths = vec![0.0; cols.len()];
            widths[1] = WIDTH;
            let align: Vec<Align> = cols
                .iter()
                .map(|&i| match t.columns[i].kind {
                    Kind::Text => Align::Left,
                    _ => Align::Right,
                })
                .collect();
            let rows: Vec<Vec<String>> = t
                .rows
                .iter()
                .map(|r| {
                    cols.iter()
                        .map(|&i| r[i].display(t.columns[i].kind))
                        .collect()
                })
                .collect();
            l.table(
                &format!("Table {number}: {}", t.title),
                &header,
                &widths,
                &align,
                &rows,
            );
            number += 1;
        }
    }

    // Methodology and quality: the pack's notes, as the workbook's Notes sheet gives them.
    l.new_page(true);
    l.heading(2, "Methodology and quality", 60.0);
    for n in pack.notes.iter().filter(|n| n.id != "movement") {
        l.paragraph(&format!("{}. {}", n.subject, n.text), 10.5, 0.0);
    }
    l.heading(2, "Data sources and attribution", 60.0);
    for s in [
        "Contains public sector information licensed under the Open Government Licence v3.0 (nationalarchives.gov.uk/doc/open-government-licence/version/3).".to_owned(),
        pack.sources(),
        "Machine-readable tables (CSV and Parquet) with a column dictionary, and an Excel workbook, accompany this PDF.".to_owned(),
    ] {
        l.paragraph(&s, 10.5, 0.0);
    }
    l.link_paragraph(
        &format!("{}:", publication.release_url_text),
        &publication.release_url,
        &publication.release_url_text,
    );

    if let Some(c) = l.collisions.first() {
        return Err(PdfError::Layout(c.clone()));
    }
    render(l, &title, publication)
}

fn fmt2(v: f64) -> String {
    format!("{v:.2}")
}

fn fill(c: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(c.0, c.1, c.2).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn to_kind(e: &Elem) -> TagKind {
    match e {
        Elem::H(level, title) => Tag::Hn(
            NonZeroU16::new(*level).expect("level ≥ 1"),
            Some(title.clone()),
        )
        .into(),
        Elem::P => Tag::P.into(),
        Elem::L => Tag::L(ListNumbering::Disc).into(),
        Elem::LI => Tag::LI.into(),
        Elem::Lbl => Tag::Lbl.into(),
        Elem::LBody => Tag::LBody.into(),
        Elem::Link => Tag::Link.into(),
        Elem::Figure(alt) => Tag::Figure(Some(alt.clone()).filter(|a| !a.is_empty())).into(),
        Elem::Caption => Tag::Caption.into(),
        Elem::Table => Tag::Table.into(),
        Elem::TR => Tag::TR.into(),
        Elem::TH => Tag::TH(TableHeaderScope::Column).into(),
        Elem::TD => Tag::TD.into(),
    }
}

/// Identifiers of what was drawn, per page: marked content, and link annotations.
struct Ids {
    content: Vec<Vec<Option<Identifier>>>,
    links: Vec<Vec<Identifier>>,
}

fn build(node: &SNode, ids: &Ids) -> Node {
    match node {
        SNode::Content(p, i) => ids.content[*p][*i].expect("tagged content").into(),
        SNode::Annot(p, i) => ids.links[*p][*i].into(),
        SNode::Group(e, kids) => {
            TagGroup::with_children(to_kind(e), kids.iter().map(|k| build(k, ids)).collect()).into()
        }
    }
}

fn render(l: Layout, title: &str, publication: &Publication) -> Result<Vec<u8>, PdfError> {
    let configuration = ConfigurationBuilder::new()
        .set_validator(Validator::Ua(Accessibility::UA1))
        .finish()
        .map_err(|e| PdfError::Export(format!("{e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        ..Default::default()
    };
    let mut doc = Document::new_with(settings);
    let regular = Font::new(Arc::new(REGULAR.to_vec()).into(), 0).expect("committed font");
    let bold = Font::new(Arc::new(BOLD.to_vec()).into(), 0).expect("committed font");
    let total = l.pages.len();
    let mut ids = Ids {
        content: Vec::with_capacity(total),
        links: Vec::with_capacity(total),
    };
    for (pi, contents) in l.pages.iter().enumerate() {
        let mut page = doc.start_page_with(PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4"));
        let mut s = page.surface();
        let mut page_ids = Vec::with_capacity(contents.len());
        for c in contents {
            let tag = match c.mark {
                Mark::Span => ContentTag::Span(SpanTag::empty()),
                Mark::Figure => ContentTag::Other,
                Mark::Artifact(kind) => ContentTag::Artifact(Artifact::with_kind(kind)),
            };
            let id = s.start_tagged(tag);
            for p in &c.prims {
                draw(&mut s, p, &regular, &bold);
            }
            s.end_tagged();
            page_ids.push(match c.mark {
                Mark::Artifact(_) => None,
                _ => Some(id),
            });
        }
        if pi > 0 {
            let text = format!("Page {} of {}", pi + 1, total);
            s.start_tagged(ContentTag::Artifact(Artifact::with_kind(
                ArtifactType::PageNumber,
            )));
            let w = l.m.width(&text, 9.0, false);
            draw(
                &mut s,
                &Prim::Text {
                    x: PAGE_W - MARGIN - w,
                    y: PAGE_H - 28.0,
                    size: 9.0,
                    bold: false,
                    colour: theme::DARK_GREY,
                    text,
                },
                &regular,
                &bold,
            );
            s.end_tagged();
        }
        s.finish();
        let mut link_ids = Vec::new();
        for a in &l.links[pi] {
            let rect = krilla::geom::Rect::from_xywh(a.x, a.y, a.w, a.h).expect("link area");
            let link =
                LinkAnnotation::new(rect, Target::Action(LinkAction::new(a.url.clone()).into()));
            link_ids
                .push(page.add_tagged_annotation(Annotation::new_link(link, Some(a.alt.clone()))));
        }
        page.finish();
        ids.content.push(page_ids);
        ids.links.push(link_ids);
    }
    let mut tree = TagTree::new();
    for n in &l.tree {
        tree.push(build(n, &ids));
    }
    doc.set_tag_tree(tree);

    // Bookmarks: H2 sections at the top level, H3 under the section before them.
    let mut outline = Outline::new();
    let mut current: Option<OutlineNode> = None;
    for (level, text, page, y) in &l.outline {
        let node = OutlineNode::new(
            text.clone(),
            XyzDestination::new(*page, Point::from_xy(0.0, *y)),
        );
        if *level <= 2 {
            if let Some(c) = current.take() {
                outline.push_child(c);
            }
            current = Some(node);
        } else if let Some(c) = current.as_mut() {
            c.push_child(node);
        } else {
            outline.push_child(node);
        }
    }
    if let Some(c) = current {
        outline.push_child(c);
    }
    doc.set_outline(outline);

    let (y, m, d) = publication.release_ymd();
    doc.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .language(publication.language.clone())
            .authors(vec![publication.organisation.clone()])
            .creator("league-tables".to_owned())
            .producer("league-tables (krilla)".to_owned())
            .creation_date(DateTime::new(y).month(m).day(d).hour(9).minute(30))
            .document_id(format!(
                "league-tables {title} {}",
                publication.release_date
            )),
    );
    doc.finish().map_err(|e| PdfError::Export(format!("{e:?}")))
}

fn draw(s: &mut krilla::surface::Surface<'_>, p: &Prim, regular: &Font, bold: &Font) {
    match p {
        Prim::Text {
            x,
            y,
            size,
            bold: b,
            colour,
            text,
        } => {
            s.set_fill(Some(fill(*colour)));
            s.set_stroke(None);
            let font = if *b { bold.clone() } else { regular.clone() };
            s.draw_text(
                Point::from_xy(*x, *y),
                font,
                *size,
                text,
                false,
                TextDirection::Auto,
            );
        }
        Prim::Rect {
            x,
            y,
            w,
            h,
            fill: c,
        } => {
            let mut pb = PathBuilder::new();
            if let Some(r) = krilla::geom::Rect::from_xywh(*x, *y, *w, *h) {
                pb.push_rect(r);
            }
            if let Some(path) = pb.finish() {
                s.set_fill(Some(fill(*c)));
                s.set_stroke(None);
                s.draw_path(&path);
            }
        }
        Prim::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            colour,
        } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y1);
            pb.line_to(*x2, *y2);
            if let Some(path) = pb.finish() {
                s.set_fill(None);
                s.set_stroke(Some(Stroke {
                    paint: rgb::Color::new(colour.0, colour.1, colour.2).into(),
                    width: *width,
                    ..Default::default()
                }));
                s.draw_path(&path);
            }
        }
        Prim::Dot { x, y, r, fill: c } => {
            // A circle from four cubic Béziers.
            let k = 0.552_284_8 * r;
            let mut pb = PathBuilder::new();
            pb.move_to(x + r, *y);
            pb.cubic_to(x + r, y + k, x + k, y + r, *x, y + r);
            pb.cubic_to(x - k, y + r, x - r, y + k, x - r, *y);
            pb.cubic_to(x - r, y - k, x - k, y - r, *x, y - r);
            pb.cubic_to(x + k, y - r, x + r, y - k, x + r, *y);
            pb.close();
            if let Some(path) = pb.finish() {
                s.set_fill(Some(fill(*c)));
                s.set_stroke(None);
                s.draw_path(&path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::ChartPoint;

    #[test]
    fn wrapping_respects_the_width_and_keeps_words() {
        let m = Metrics::new();
        let text = "Manchester University NHS Foundation Trust and a very long name indeed";
        let lines = m.wrap(text, 8.5, false, 100.0);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(m.width(l, 8.5, false) <= 100.0 || !l.contains(' '), "{l}");
        }
        assert_eq!(lines.join(" "), text);
        assert!(m.width("WWW", 10.0, true) > m.width("iii", 10.0, true));
    }

    #[test]
    fn chart_labels_never_touch_marks_or_each_other() {
        let m = Metrics::new();
        // Cut-points crowded together and trusts at every height, so a naive label would sit
        // on a dot or on the next label.
        for cuts in [[2.0, 2.02, 2.04], [1.0, 2.5, 4.0], [2.055, 2.325, 2.605]] {
            for n in [1usize, 10, 134, 400] {
                let points = (0..n)
                    .map(|i| {
                        let a = 1.0 + 3.0 * i as f64 / n.max(2) as f64;
                        ChartPoint {
                            capped: i % 7 == 0,
                            rank: i as u32 + 1,
                            average: a,
                            low: (a - 0.4).max(1.0),
                            high: (a + 0.4).min(4.0),
                        }
                    })
                    .collect();
                let chart = RankedChart {
                    peer_group: "g".into(),
                    label: "Acute trust".into(),
                    cuts: Some(cuts),
                    points,
                    widest: 0.8,
                };
                let prims = ranked_chart(&m, TOP, &chart);
                assert_eq!(collisions(&m, &prims), Vec::<String>::new(), "{cuts:?} {n}");
            }
        }
    }

    #[test]
    fn the_collision_check_finds_a_label_on_a_dot() {
        let m = Metrics::new();
        let prims = vec![
            Prim::Dot {
                x: 100.0,
                y: 100.0,
                r: 2.0,
                fill: theme::NHS_BLUE,
            },
            Prim::Text {
                x: 95.0,
                y: 103.0,
                size: 8.0,
                bold: false,
                colour: theme::TEXT,
                text: "1 | 2".into(),
            },
        ];
        assert_eq!(collisions(&m, &prims).len(), 1);
    }

    fn publication() -> Publication {
        Publication::from_toml(include_str!("../../../data/publication.toml")).expect("valid")
    }

    fn one_figure(alt: &str) -> Result<Vec<u8>, PdfError> {
        let mut l = Layout::new("running header".into());
        l.new_page(false);
        l.heading(1, "Title", 0.0);
        l.paragraph("Some text.", 11.0, 0.0);
        l.figure(20.0, alt, |_, top| {
            vec![Prim::Rect {
                x: MARGIN,
                y: top,
                w: 40.0,
                h: 10.0,
                fill: theme::NHS_BLUE,
            }]
        });
        render(l, "Test", &publication())
    }

    #[test]
    fn pdf_ua_validation_runs_at_export() {
        let pdf = one_figure("A blue bar.").expect("valid PDF/UA-1");
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(
            pdf,
            one_figure("A blue bar.").expect("again"),
            "deterministic"
        );
        let err = one_figure("").expect_err("a figure without alt text is refused");
        assert!(err.to_string().contains("Alt"), "{err}");
    }
}
