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
    Artifact, ArtifactType, ContentTag, Identifier, Node, SpanTag, TableHeaderScope, Tag, TagGroup,
    TagKind, TagTree,
};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};

use crate::pack::{NationalPack, Publication, quarter_months};
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
}

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
}

struct Layout {
    m: Metrics,
    pages: Vec<Vec<Content>>,
    y: f32,
    tree: Vec<SNode>,
    outline: Vec<(u16, String, usize, f32)>,
    running: String,
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

    fn bullet(&mut self, text: &str) {
        let size = 11.0;
        let lines = self.m.wrap(text, size, false, WIDTH - 14.0);
        let mut kids = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            self.ensure(size * 1.45);
            self.y += size;
            let shown = if i == 0 {
                format!("\u{2022} {l}")
            } else {
                l.clone()
            };
            let x = if i == 0 { MARGIN } else { MARGIN + 9.0 };
            kids.push(self.text(x, self.y, size, false, theme::TEXT, &shown));
            self.y += size * 0.45;
        }
        self.y += 4.0;
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
                .map(|(c, w)| self.m.wrap(c, size, false, w - 2.0 * pad))
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
        let node = self.push(Mark::Figure, prims);
        self.tree
            .push(SNode::Group(Elem::Figure(alt.to_owned()), vec![node]));
        self.y = top + h + 8.0;
    }
}

/// Table cell geometry: font size, line height and padding.
const CELL_SIZE: f32 = 8.5;
const CELL_LINE: f32 = 10.5;
const CELL_PAD: f32 = 3.0;

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
                Align::Left => x + CELL_PAD,
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
        let title = format!("{}s ({})", g.label, g.counts.iter().sum::<u32>());
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
        let slot = (panel_w - 14.0) / 5.0;
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
            let label = n.to_string();
            let lw = m.width(&label, 8.5, true);
            p.push(Prim::Text {
                x: bx + (bw - lw) / 2.0,
                y: base - bh - 3.0,
                size: 8.5,
                bold: true,
                colour: theme::TEXT,
                text: label,
            });
            let seg = (s + 1).to_string();
            let sw = m.width(&seg, 8.5, false);
            p.push(Prim::Text {
                x: bx + (bw - sw) / 2.0,
                y: base + 11.0,
                size: 8.5,
                bold: false,
                colour: theme::TEXT,
                text: seg,
            });
        }
        p.push(Prim::Text {
            x: x0 + 4.0,
            y: base + 24.0,
            size: 8.0,
            bold: false,
            colour: theme::DARK_GREY,
            text: "Segment (1 best, 5 recovery support)".to_owned(),
        });
    }
    p
}

fn ranked_chart(
    m: &Metrics,
    top: f32,
    table: &league_model::LeagueTable,
    cuts: Option<[f64; 3]>,
) -> Vec<Prim> {
    let mut p = Vec::new();
    let (left, right) = (MARGIN + 30.0, MARGIN + WIDTH - 6.0);
    let (y_top, y_bot) = (top + 22.0, top + 192.0);
    let (lo, hi) = (1.0f64, 4.0f64);
    let y_of = |v: f64| y_bot - ((v - lo) / (hi - lo)) as f32 * (y_bot - y_top);
    let n = table.rows.len().max(1);
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
    if let Some(c) = cuts {
        for (i, cut) in c.iter().enumerate() {
            let y = y_of(*cut);
            p.push(Prim::Line {
                x1: left,
                y1: y,
                x2: right,
                y2: y,
                width: 0.6,
                colour: theme::DARK_GREY,
            });
            let label = format!("segment {} | {}", i + 1, i + 2);
            let w = m.width(&label, 7.0, false);
            p.push(Prim::Rect {
                x: left + 2.0,
                y: y - 9.0,
                w: w + 4.0,
                h: 8.0,
                fill: theme::WHITE,
            });
            p.push(Prim::Text {
                x: left + 4.0,
                y: y - 2.5,
                size: 7.0,
                bold: false,
                colour: theme::DARK_GREY,
                text: label,
            });
        }
    }
    for (i, r) in table.rows.iter().enumerate() {
        let x = x_of(i);
        p.push(Prim::Line {
            x1: x,
            y1: y_of(r.average_range.low),
            x2: x,
            y2: y_of(r.average_range.high),
            width: 0.7,
            colour: theme::MID_GREY,
        });
        p.push(Prim::Dot {
            x,
            y: y_of(r.average),
            r: 1.7,
            fill: theme::NHS_BLUE,
        });
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
        x: left,
        y: y_bot + 14.0,
        size: 8.0,
        bold: false,
        colour: theme::DARK_GREY,
        text: format!(
            "Trusts in league order, rank 1 (left) to {} (right); dot: average score; line: likely range; lower is better",
            table.rows.len()
        ),
    });
    p
}

fn fmt2(v: f64) -> String {
    format!("{v:.2}")
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Lays out and renders the pack. `cuts` are the segment cut-points used, per peer group.
pub fn national_pdf(
    pack: &NationalPack,
    publication: &Publication,
    cuts: &dyn Fn(&str) -> Option<[f64; 3]>,
) -> Result<Vec<u8>, PdfError> {
    let period = format!("{} ({})", pack.quarter, quarter_months(pack.quarter));
    let title = format!("{}: {}", publication.title, pack.quarter);
    let mut l = Layout::new(format!("{} \u{2013} {}", publication.title, period));

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
        format!("Published {}. {}.", publication.release_long(), publication.next_update),
        format!("Method: {}.", pack.methodology),
        format!("Produced by {}. Contact: {}.", publication.organisation, publication.contact),
        "Segments 1 to 5 and league positions of every NHS trust in England, ranked within its peer group (acute, mental health and community, ambulance), with likely ranges that show how certain each position is.".to_owned(),
    ] {
        l.paragraph(&s, 11.0, 0.0);
    }
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
    for g in &pack.segments {
        let total: u32 = g.counts.iter().sum();
        let c = g.counts;
        let not_known = pack
            .provenance
            .iter()
            .find(|p| p.peer_group == g.peer_group)
            .map_or(0, |p| p.deficit_not_known);
        let unknown = if not_known > 0 {
            format!(
                " The deficit status of {not_known} is not known, so the override could not be applied to them."
            )
        } else {
            String::new()
        };
        l.bullet(&format!(
            "{}s ({total}): {} in segment 1, {} in segment 2, {} in segment 3, {} in segment 4 and {} in segment 5. The financial override moved {} to a worse segment.{unknown}",
            g.label, c[0], c[1], c[2], c[3], c[4], g.capped
        ));
    }
    match pack.previous {
        Some(prev) if !pack.largest_moves.is_empty() => {
            for mv in &pack.largest_moves {
                let dir = if mv.now < mv.before { "rise" } else { "fall" };
                let sig = if mv.significant {
                    "a significant change: the two quarters' likely ranges of rank do not overlap"
                } else {
                    "not a significant change: the likely ranges of rank overlap"
                };
                l.bullet(&format!(
                    "Largest {dir} among {}s since {prev}: {} ({}), from {} to {}; {sig}.",
                    mv.group.to_lowercase(),
                    mv.name,
                    mv.code,
                    ordinal(mv.before),
                    ordinal(mv.now)
                ));
            }
        }
        _ => l.bullet(&format!(
            "This release holds one quarter ({}), so no movement since the previous quarter is reported.",
            pack.quarter
        )),
    }
    l.bullet("Likely ranges are wide in the middle of each table: many adjacent positions cannot be told apart with confidence, so small differences in rank should not be read as differences in performance.");

    // Segment chart and its data.
    l.heading(2, "Segments by peer group", 210.0);
    let alt = format!(
        "Bar charts of the number of trusts in each segment, one panel per peer group. {}. The table below gives the same counts.",
        pack.segments
            .iter()
            .map(|g| {
                format!(
                    "{}s: {}",
                    g.label,
                    g.counts
                        .iter()
                        .enumerate()
                        .map(|(i, n)| format!("segment {} {n}", i + 1))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    );
    l.figure(197.0, &alt, |m, top| segment_chart(m, top, pack));
    let rows: Vec<Vec<String>> = pack
        .segments
        .iter()
        .map(|g| {
            let mut r = vec![format!("{}s", g.label)];
            r.extend(g.counts.iter().map(u32::to_string));
            r.push(g.capped.to_string());
            r.push(g.counts.iter().sum::<u32>().to_string());
            r
        })
        .collect();
    l.table(
        "Table 1: trusts by segment and peer group (data for the chart above)",
        &[
            "Peer group",
            "Segment 1",
            "Segment 2",
            "Segment 3",
            "Segment 4",
            "Segment 5",
            "Capped by override",
            "Trusts",
        ],
        &[139.0, 48.0, 48.0, 48.0, 48.0, 48.0, 76.0, 48.0],
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
    l.heading(2, "Average scores and likely ranges", 60.0);
    l.paragraph("Each chart shows every trust of one peer group in league order: the dot is its average metric score and the vertical line its likely range. Horizontal lines mark the segment cut-points. The full league tables, which hold the data of these charts, follow.", 10.5, 0.0);
    for t in &pack.league_source {
        let label = pack
            .segments
            .iter()
            .find(|g| g.peer_group == t.peer_group)
            .map_or(t.peer_group_label.clone(), |g| g.label.clone());
        l.heading(3, &format!("{label}s"), 230.0);
        let (Some(first), Some(last)) = (t.rows.first(), t.rows.last()) else {
            continue;
        };
        let widest = t
            .rows
            .iter()
            .map(|r| r.average_range.high - r.average_range.low)
            .fold(0.0, f64::max);
        let alt = format!(
            "Chart of the average metric score and likely range of each of the {} {}s in league order. Scores run from {} at rank {} to {} at rank {}; the widest likely range spans {} points. The data are in the {} league table in this document.",
            t.rows.len(),
            label.to_lowercase(),
            fmt2(first.average),
            first.rank,
            fmt2(last.average),
            last.rank,
            fmt2(widest),
            label.to_lowercase()
        );
        let c = cuts(&t.peer_group);
        l.figure(215.0, &alt, |m, top| ranked_chart(m, top, t, c));
    }

    // League tables.
    l.new_page(true);
    l.heading(2, "League tables", 60.0);
    l.paragraph("Rank is the position within the peer group: segment first, then average score (1 best, 4 worst) to 2 decimal places; trusts with equal segment and average share the best rank. Likely ranges come from a seeded bootstrap. A trust in financial deficit is capped at segment 3.", 10.5, 0.0);
    // Table 1 is the segment table; each peer group then has two, its metrics and its league.
    let mut number = 2;
    for (i, t) in pack.league_source.iter().enumerate() {
        let label = pack
            .segments
            .iter()
            .find(|g| g.peer_group == t.peer_group)
            .map_or(t.peer_group_label.clone(), |g| g.label.clone());
        if i > 0 {
            l.new_page(true);
        }
        l.heading(3, &format!("{label}s"), 80.0);
        if let Some(basis) = pack.basis.iter().find(|b| b.peer_group == t.peer_group) {
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
        }
        let rows: Vec<Vec<String>> = t
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.rank.to_string(),
                    format!("{} to {}", r.rank_range.low, r.rank_range.high),
                    r.trust.code.to_string(),
                    r.trust.name.clone(),
                    r.trust.region.clone(),
                    if r.final_segment == 5 {
                        "5".to_owned()
                    } else {
                        r.segment.to_string()
                    },
                    r.deficit_label().to_owned(),
                    fmt2(r.average),
                    format!(
                        "{} to {}",
                        fmt2(r.average_range.low),
                        fmt2(r.average_range.high)
                    ),
                ]
            })
            .collect();
        l.table(
            &format!(
                "Table {number}: league table, {}s, {}",
                label.to_lowercase(),
                pack.quarter
            ),
            &[
                "Rank",
                "Likely range of rank",
                "Code",
                "Trust name",
                "Region",
                "Segment",
                "Financial deficit",
                "Average score",
                "Likely range of average",
            ],
            &[
                26.0,
                48.0,
                30.0,
                153.0,
                72.0,
                36.0,
                44.0,
                36.0,
                WIDTH - 445.0,
            ],
            &[
                Align::Right,
                Align::Left,
                Align::Left,
                Align::Left,
                Align::Left,
                Align::Right,
                Align::Left,
                Align::Right,
                Align::Left,
            ],
            &rows,
        );
        number += 1;
    }

    // Methodology and quality.
    l.new_page(true);
    l.heading(2, "Methodology and quality", 60.0);
    let groups: Vec<String> = pack
        .segments
        .iter()
        .map(|g| {
            format!(
                "{} {}s",
                g.counts.iter().sum::<u32>(),
                g.label.to_lowercase()
            )
        })
        .collect();
    let capped: u32 = pack.segments.iter().map(|g| g.capped).sum();
    for s in [
        format!("Coverage. {} ({}): {}.", pack.quarter, quarter_months(pack.quarter), groups.join(", ")),
        format!("Method. {}. Each metric is scored 1 (best) to 4 by rank, against an operating standard or a floor, or by a bespoke mapping; a trust's scores are averaged (infection metrics weigh one third each); the average is cut into segments 1 to 4; a trust in financial deficit is capped at segment 3; trusts in the Recovery Support Programme are placed in segment 5 without changing their rank.", pack.methodology),
        format!(
            "Sources. {}",
            pack.provenance
                .iter()
                .map(|g| g.sentence())
                .collect::<Vec<_>>()
                .join(" ")
        ),
        "What is inferred. NHS England does not publish every rule. The segment cut-points come from the published segments (they were cut across all trusts); the schemes of some metrics (ambulance measures, the infection rates) and a few rules fitted to the published figures are inferred and marked so in the configuration. Likely ranges use nearest-rank percentiles of 2,000 bootstrap replicates.".to_owned(),
        "Known limits. A trust is scored only on the metrics a real source gives for it, as NHS England does for missing data, so an average resting on few metrics is less certain (its likely range is wider). Where NHS England's own data file for a peer group is not in hand, its values come from NHS England's statistical publications and may differ from NHS England's in definition or period; the metrics each table rests on are listed with it.".to_owned(),
        format!("The financial override. {capped} trusts across the three peer groups were moved to a worse segment because they are in financial deficit or receive deficit support."),
    ] {
        l.paragraph(&s, 10.5, 0.0);
    }
    l.heading(2, "Data sources and attribution", 60.0);
    for s in [
        "Contains public sector information licensed under the Open Government Licence v3.0 (nationalarchives.gov.uk/doc/open-government-licence/version/3).".to_owned(),
        "Sources: NHS England, NHS Oversight Framework segmentation and league tables data files, 2025/26; Ambulance Quality Indicators (AmbSYS); NHS Staff Survey 2024; NHS Organisation Data Service (trust codes); for ambulance figures AmbSYS and the survey do not give, NHS England's Q3 2025/26 results and a March 2026 compilation of NHS England data, as the methodology section states.".to_owned(),
        format!("Machine-readable tables (CSV and Parquet) with a column dictionary, and an Excel workbook, accompany this PDF. Release page: {}.", publication.release_url),
    ] {
        l.paragraph(&s, 10.5, 0.0);
    }

    render(l, &title, publication)
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
        Elem::Figure(alt) => Tag::Figure(Some(alt.clone()).filter(|a| !a.is_empty())).into(),
        Elem::Caption => Tag::Caption.into(),
        Elem::Table => Tag::Table.into(),
        Elem::TR => Tag::TR.into(),
        Elem::TH => Tag::TH(TableHeaderScope::Column).into(),
        Elem::TD => Tag::TD.into(),
    }
}

fn build(node: &SNode, ids: &[Vec<Option<Identifier>>]) -> Node {
    match node {
        SNode::Content(p, i) => ids[*p][*i].expect("tagged content").into(),
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
    let mut ids: Vec<Vec<Option<Identifier>>> = Vec::with_capacity(total);
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
        page.finish();
        ids.push(page_ids);
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

    #[test]
    fn ordinals() {
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(22), "22nd");
        assert_eq!(ordinal(113), "113th");
    }
}
