//! Emission: the laid-out pages drawn with krilla, the structure tree built from the layout's
//! nodes, bookmarks from the headings, link annotations, and fixed metadata.

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

use super::font::{BOLD, REGULAR, Weight};
use super::layout::{Elem, Layout, Mark, Prim, SNode};
use super::{DocumentInfo, MARGIN, PAGE_H, PAGE_W, PdfError};
use crate::theme::{self, Rgb};

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

/// Draws the laid-out pages with krilla, with the tag tree, outline, links and metadata.
pub(crate) fn emit(l: Layout, info: &DocumentInfo) -> Result<Vec<u8>, PdfError> {
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
            let w = l.m.width(&text, 9.0, Weight::Regular);
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

    let (y, m, d) = info.date;
    doc.set_metadata(
        Metadata::new()
            .title(info.title.clone())
            .language(info.language.clone())
            .authors(vec![info.author.clone()])
            .creator("league-tables".to_owned())
            .producer("league-tables (krilla)".to_owned())
            .creation_date(DateTime::new(y).month(m).day(d).hour(9).minute(30))
            .document_id(info.document_id.clone()),
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
