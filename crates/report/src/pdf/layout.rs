//! Layout: blocks placed on A4 pages as marked-content sequences, with the structure tree that
//! refers to them, the outline, link areas, and the collision check of figures.

use krilla::tagging::ArtifactType;

use super::font::{Metrics, Weight};
use super::{Align, BOTTOM, Block, Figure, MARGIN, PAGE_W, TOP, Table, WIDTH};
use crate::theme::{self, Rgb};

/// A drawing primitive, in points from the page's top-left corner (a figure's from its top).
#[derive(Debug, Clone)]
#[allow(missing_docs)] // the fields are the geometry their names say
pub enum Prim {
    /// A line of text at a baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        colour: Rgb,
        text: String,
    },
    /// A filled rectangle.
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Rgb,
    },
    /// A stroked line.
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        colour: Rgb,
    },
    /// A filled circle (a data point).
    Dot { x: f32, y: f32, r: f32, fill: Rgb },
}

/// What a marked-content sequence is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mark {
    Span,
    Figure,
    Artifact(ArtifactType),
}

/// One marked-content sequence on a page.
#[derive(Debug, Clone)]
pub(crate) struct Content {
    pub(crate) mark: Mark,
    pub(crate) prims: Vec<Prim>,
}

/// Structure element kinds used.
#[derive(Debug, Clone)]
pub(crate) enum Elem {
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
pub(crate) enum SNode {
    Group(Elem, Vec<SNode>),
    Content(usize, usize),
    /// A link annotation: (page, index among the page's links).
    Annot(usize, usize),
}

/// A link annotation to place on a page: its area, target and alternative text.
#[derive(Debug, Clone)]
pub(crate) struct LinkArea {
    pub(crate) x: f32,
    pub(crate) y: f32,
    pub(crate) w: f32,
    pub(crate) h: f32,
    pub(crate) url: String,
    pub(crate) alt: String,
}

/// A table's header row: the tagged first one, or a repeat on a later page (an artifact).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeaderCopy {
    Tagged,
    Repeat,
}

/// What a new page is: a title page has no running header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageKind {
    Title,
    Body,
}

/// Blocks placed on pages: content per page, the structure tree, outline and link areas.
pub(crate) struct Layout {
    pub(crate) m: Metrics,
    pub(crate) pages: Vec<Vec<Content>>,
    y: f32,
    pub(crate) tree: Vec<SNode>,
    pub(crate) outline: Vec<(u16, String, usize, f32)>,
    running: String,
    pub(crate) links: Vec<Vec<LinkArea>>,
    /// Collisions found in laid-out figures (the document is refused if any).
    pub(crate) collisions: Vec<String>,
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

    fn new_page(&mut self, kind: PageKind) {
        self.pages.push(Vec::new());
        self.links.push(Vec::new());
        self.y = TOP;
        if kind == PageKind::Body {
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
            self.new_page(PageKind::Body);
        }
    }

    fn text(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        colour: Rgb,
        text: &str,
    ) -> SNode {
        self.push(
            Mark::Span,
            vec![Prim::Text {
                x,
                y,
                size,
                bold: weight == Weight::Bold,
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
        let lines = self.m.wrap_anywhere(text, size, Weight::Bold, WIDTH);
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
            kids.push(self.text(MARGIN, self.y, size, Weight::Bold, colour, &l));
            self.y += size * 0.3;
        }
        self.y += size * 0.35;
        self.tree
            .push(SNode::Group(Elem::H(level, text.to_owned()), kids));
    }

    fn paragraph(&mut self, text: &str, size: f32, indent: f32) {
        let lines = self
            .m
            .wrap_anywhere(text, size, Weight::Regular, WIDTH - indent);
        let mut kids = Vec::new();
        for l in lines {
            self.ensure(size * 1.45);
            self.y += size;
            kids.push(self.text(
                MARGIN + indent,
                self.y,
                size,
                Weight::Regular,
                theme::TEXT,
                &l,
            ));
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
            let lines = self
                .m
                .wrap_anywhere(text, size, Weight::Regular, WIDTH - indent);
            let mut label = None;
            let mut body = Vec::new();
            for (i, l) in lines.iter().enumerate() {
                self.ensure(size * 1.45);
                self.y += size;
                if i == 0 {
                    label = Some(self.text(
                        MARGIN + 2.0,
                        self.y,
                        size,
                        Weight::Regular,
                        theme::TEXT,
                        "\u{2022}",
                    ));
                }
                body.push(self.text(
                    MARGIN + indent,
                    self.y,
                    size,
                    Weight::Regular,
                    theme::TEXT,
                    l,
                ));
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
        for l in self.m.wrap_anywhere(before, size, Weight::Regular, WIDTH) {
            self.ensure(size * 1.45);
            self.y += size;
            kids.push(self.text(MARGIN, self.y, size, Weight::Regular, theme::TEXT, &l));
            self.y += size * 0.45;
        }
        for l in self.m.wrap_anywhere(url, size, Weight::Regular, WIDTH) {
            self.ensure(size * 1.45);
            self.y += size;
            let w = self.m.width(&l, size, Weight::Regular);
            let span = self.text(MARGIN, self.y, size, Weight::Regular, theme::NHS_BLUE, &l);
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
    fn table(&mut self, t: &Table) {
        if let Some((i, r)) = t
            .rows
            .iter()
            .enumerate()
            .find(|(_, r)| r.len() != t.columns.len())
        {
            self.collisions.push(format!(
                "{:.60}: row {} has {} cells for {} columns",
                t.caption,
                i + 1,
                r.len(),
                t.columns.len()
            ));
            return;
        }
        let header: Vec<&str> = t.columns.iter().map(|c| c.header.as_str()).collect();
        let align: Vec<Align> = t.columns.iter().map(|c| c.align).collect();
        let widths: Vec<f32> = t.columns.iter().map(|c| c.width).collect();
        let (caption, rows) = (t.caption.as_str(), &t.rows);
        let (size, line_h, pad) = (CELL_SIZE, CELL_LINE, CELL_PAD);
        let widths = &fit_widths(&self.m, &header, &widths, &align, rows);
        let total: f32 = widths.iter().sum();
        if total > WIDTH + 0.5 {
            self.collisions.push(format!(
                "{caption:.60}: the table is {:.0} pt wider than the page (its words cannot wrap narrower)",
                total - WIDTH
            ));
        }
        let head_lines: Vec<Vec<String>> = header
            .iter()
            .zip(widths)
            .map(|(h, w)| self.m.wrap_anywhere(h, size, Weight::Bold, w - 2.0 * pad))
            .collect();
        let head_h = head_lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * line_h + 2.0 * pad;
        self.ensure(head_h + 3.0 * line_h + 30.0);
        let mut table_kids = vec![self.table_caption(caption)];
        self.y += 2.0;

        // The header row is tagged (TH) once; its repeats on later pages are artifacts.
        let draw_header = |me: &mut Layout, copy: HeaderCopy| -> Option<SNode> {
            let tagged = copy == HeaderCopy::Tagged;
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
                let prims = cell_text(&me.m, lines, (x, top), widths[i], align[i], Weight::Bold);
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
        if let Some(tr) = draw_header(self, HeaderCopy::Tagged) {
            table_kids.push(tr);
        }
        for (ri, row) in rows.iter().enumerate() {
            let tr = self.table_row(row, ri % 2 == 1, (widths, &align), &draw_header);
            table_kids.push(tr);
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

    /// A table's caption, wrapped to the page width.
    fn table_caption(&mut self, caption: &str) -> SNode {
        let mut cap_kids = Vec::new();
        for l in self.m.wrap_anywhere(caption, 9.5, Weight::Bold, WIDTH) {
            self.y += 9.5;
            cap_kids.push(self.text(MARGIN, self.y, 9.5, Weight::Bold, theme::DARK_GREY, &l));
            self.y += 4.0;
        }
        SNode::Group(Elem::Caption, cap_kids)
    }

    /// One body row of a table at the current position, its cells wrapped to their widths
    /// (`stripe` shades it); a row that does not fit starts a new page, where `draw_header` draws
    /// the header row again.
    fn table_row(
        &mut self,
        row: &[String],
        stripe: bool,
        (widths, align): (&[f32], &[Align]),
        draw_header: &dyn Fn(&mut Layout, HeaderCopy) -> Option<SNode>,
    ) -> SNode {
        let (size, line_h, pad) = (CELL_SIZE, CELL_LINE, CELL_PAD);
        let cell_lines: Vec<Vec<String>> = row
            .iter()
            .zip(widths)
            .zip(align)
            .map(|((c, w), a)| match a {
                Align::Whole => vec![c.clone()],
                _ => self
                    .m
                    .wrap_anywhere(c, size, Weight::Regular, w - 2.0 * pad),
            })
            .collect();
        let h = cell_lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * line_h + 2.0 * pad;
        if self.y + h > BOTTOM {
            self.new_page(PageKind::Body);
            draw_header(self, HeaderCopy::Repeat);
        }
        let top = self.y;
        if stripe {
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
            let prims = cell_text(
                &self.m,
                lines,
                (x, top),
                widths[i],
                align[i],
                Weight::Regular,
            );
            let node = self.push(Mark::Span, prims);
            cells.push(SNode::Group(Elem::TD, vec![node]));
            x += widths[i];
        }
        self.y = top + h;
        SNode::Group(Elem::TR, cells)
    }

    /// A vector figure at the current position; its labels are checked for collisions.
    fn figure(&mut self, f: &Figure) {
        self.ensure(f.height + 10.0);
        let top = self.y;
        let prims: Vec<Prim> = f.prims.iter().map(|p| p.shifted(top)).collect();
        // Lay out, then check: no label may touch another label or a data mark.
        self.collisions.extend(
            collisions(&self.m, &prims)
                .into_iter()
                .map(|c| format!("{:.60}: {c}", f.alt)),
        );
        let node = self.push(Mark::Figure, prims);
        self.tree
            .push(SNode::Group(Elem::Figure(f.alt.clone()), vec![node]));
        self.y = top + f.height + 8.0;
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
            x + m.width(text, *size, Weight::of(*bold)),
            y + size * 0.22,
            format!("label {text:?}"),
        )),
        Prim::Dot { x, y, r, .. } => Some((x - r, y - r, x + r, y + r, "a data point".to_owned())),
        _ => None,
    }
}

/// Every pair of labels, or label and data point, whose boxes overlap.
pub(crate) fn collisions(m: &Metrics, prims: &[Prim]) -> Vec<String> {
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
const CELL_PAD: f32 = 2.5;

/// Column widths that hold every cell's longest word (a word never runs into the next
/// column): each column gets at least that, and what that adds is taken from the columns
/// with the most room to spare, so the table keeps its width when it can.
/// The narrowest a text column is made when long words would otherwise take its table off
/// the page, in points (about eight characters of a table cell).
const NARROWEST_TEXT: f32 = 48.0;

fn fit_widths(
    m: &Metrics,
    header: &[&str],
    widths: &[f32],
    align: &[Align],
    rows: &[Vec<String>],
) -> Vec<f32> {
    let longest_word = |text: &str, weight: Weight| {
        text.split_ascii_whitespace()
            .map(|w| m.width(w, CELL_SIZE, weight))
            .fold(0.0f32, f32::max)
    };
    let need: Vec<f32> = (0..widths.len())
        .map(|i| {
            let cells = rows
                .iter()
                .map(|r| match align[i] {
                    Align::Whole => m.width(&r[i], CELL_SIZE, Weight::Regular),
                    _ => longest_word(&r[i], Weight::Regular),
                })
                .fold(longest_word(header[i], Weight::Bold), f32::max);
            (cells + 2.0 * CELL_PAD + 0.5).ceil()
        })
        .collect();
    // When the longest words would push the table off the page, a left-aligned text column may
    // narrow to `NARROWEST_TEXT` (the widest first, only as far as needed) and its words break
    // inside it (`Metrics::wrap_anywhere`); figures and unwrapped cells never break.
    let page_need: f32 = need.iter().sum();
    let need: Vec<f32> = if page_need > WIDTH {
        need.iter()
            .zip(align)
            .map(|(n, a)| match a {
                Align::Left => n.min(NARROWEST_TEXT),
                Align::Right | Align::Whole => *n,
            })
            .collect()
    } else {
        need
    };
    // The preferred widths, but never wider than the page.
    let target: f32 = widths.iter().sum::<f32>().min(WIDTH);
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
    weight: Weight,
) -> Vec<Prim> {
    lines
        .iter()
        .enumerate()
        .map(|(k, l)| {
            let tx = match align {
                Align::Right => x + width - CELL_PAD - m.width(l, CELL_SIZE, weight),
                Align::Left | Align::Whole => x + CELL_PAD,
            };
            Prim::Text {
                x: tx,
                y: top + CELL_PAD + CELL_SIZE + k as f32 * CELL_LINE,
                size: CELL_SIZE,
                bold: weight == Weight::Bold,
                colour: theme::TEXT,
                text: l.clone(),
            }
        })
        .collect()
}
impl Prim {
    /// The primitive moved down by `dy`.
    fn shifted(&self, dy: f32) -> Prim {
        let mut p = self.clone();
        match &mut p {
            Prim::Text { y, .. } | Prim::Rect { y, .. } | Prim::Dot { y, .. } => *y += dy,
            Prim::Line { y1, y2, .. } => {
                *y1 += dy;
                *y2 += dy;
            }
        }
        p
    }
}

impl Layout {
    /// A page with a coloured band holding the title and subtitle, and no running header.
    fn title_page(&mut self, title: &str, subtitle: &str, band: f32) {
        self.new_page(PageKind::Title);
        self.artifact(
            ArtifactType::Layout,
            vec![Prim::Rect {
                x: 0.0,
                y: 0.0,
                w: PAGE_W,
                h: band,
                fill: theme::NHS_BLUE,
            }],
        );
        let page = self.page();
        self.outline.push((1, title.to_owned(), page, 0.0));
        let size = if band >= 200.0 { 28.0 } else { 22.0 };
        let mut kids = Vec::new();
        let mut y = band * 0.44;
        for line in self.m.wrap_anywhere(title, size, Weight::Bold, WIDTH) {
            kids.push(self.text(MARGIN, y, size, Weight::Bold, theme::WHITE, &line));
            y += size * 1.2;
        }
        self.tree
            .push(SNode::Group(Elem::H(1, title.to_owned()), kids));
        if !subtitle.is_empty() {
            let mut kids = Vec::new();
            for (i, line) in self
                .m
                .wrap(subtitle, 16.0, Weight::Regular, WIDTH)
                .iter()
                .enumerate()
            {
                let y = y + 8.0 + i as f32 * 19.0;
                kids.push(self.text(MARGIN, y, 16.0, Weight::Regular, theme::WHITE, line));
            }
            self.tree.push(SNode::Group(Elem::P, kids));
        }
        self.y = band + 40.0;
    }

    /// A paragraph in a shaded panel with a warm accent bar.
    fn panel(&mut self, text: &str) {
        let lines = self
            .m
            .wrap_anywhere(text, 10.5, Weight::Regular, WIDTH - 24.0);
        let h = lines.len() as f32 * 15.0 + 16.0;
        self.ensure(h + 16.0);
        self.y += 6.0;
        let top = self.y;
        self.artifact(
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
            kids.push(self.text(MARGIN + 16.0, y, 10.5, Weight::Regular, theme::TEXT, &line));
            y += 4.5;
        }
        self.tree.push(SNode::Group(Elem::P, kids));
        self.y = top + h + 10.0;
    }

    fn block(&mut self, b: &Block) {
        if self.pages.is_empty() && !matches!(b, Block::TitlePage { .. }) {
            self.new_page(PageKind::Body);
        }
        match b {
            Block::TitlePage {
                title,
                subtitle,
                band,
            } => self.title_page(title, subtitle, *band),
            Block::Heading { level, text, keep } => self.heading(*level, text, *keep),
            Block::Paragraph { text, size } => self.paragraph(text, *size, 0.0),
            Block::List(items) => self.list(items),
            Block::Link { before, url, label } => self.link_paragraph(before, url, label),
            Block::Panel(text) => self.panel(text),
            Block::Table(t) => self.table(t),
            Block::Figure(f) => self.figure(f),
            Block::PageBreak => self.new_page(PageKind::Body),
        }
    }
}

/// Lays out `blocks`, the running header on every page but title pages.
pub(crate) fn lay_out(running: String, blocks: &[Block]) -> Layout {
    let mut l = Layout::new(running);
    for b in blocks {
        l.block(b);
    }
    if l.pages.is_empty() {
        l.new_page(PageKind::Body);
    }
    l
}
