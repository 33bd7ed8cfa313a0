//! The text of a PDF, line by line, as a reader sees it: each page's text-showing operators
//! decoded through their fonts' ToUnicode maps and placed by their text matrices, then runs
//! that share a baseline joined left to right. Written from the PDF format, not from our
//! renderer: it reads any PDF whose fonts carry ToUnicode maps with 1- or 2-byte codes.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use lopdf::{Document, Object};

/// One page's lines, top to bottom.
pub type PageLines = Vec<String>;

/// Reads every page's lines, once the file's structure holds ([`structure`]); the error says
/// why the file could not be read.
pub fn lines(path: &Path) -> Result<Vec<PageLines>, String> {
    Ok(read(path)?.pages)
}

/// What a reader gets from a tagged PDF: each page's lines, and the alternative text of each
/// figure in the structure tree, in the tree's order.
pub struct ReadPdf {
    /// Each page's lines, top to bottom.
    pub pages: Vec<PageLines>,
    /// Each `Figure` element's `Alt`, in document order.
    pub figures: Vec<String>,
}

/// Reads a PDF's pages ([`lines`]) and its figures' alternative text.
pub fn read(path: &Path) -> Result<ReadPdf, String> {
    let doc = Document::load(path).map_err(|e| format!("not a readable PDF: {e}"))?;
    structure(&doc)?;
    let pages = page_lines(&doc)?;
    let mut figures = Vec::new();
    if let Ok(root) = doc.catalog().and_then(|c| c.get(b"StructTreeRoot")) {
        let root = dictionary(&doc, root).map_err(|e| format!("the structure tree: {e}"))?;
        if let Ok(k) = root.get(b"K") {
            figure_alts(&doc, k, 0, &mut figures)?;
        }
    }
    Ok(ReadPdf { pages, figures })
}

/// The `Alt` of every `Figure` element under `k` (a structure element, a reference to one, or
/// an array of kids; marked-content ids and other kids hold none).
fn figure_alts(
    doc: &Document,
    k: &Object,
    depth: u32,
    out: &mut Vec<String>,
) -> Result<(), String> {
    if depth > 64 {
        return Err("the structure tree is deeper than 64 levels (a cycle?)".into());
    }
    match k {
        Object::Array(kids) => {
            for kid in kids {
                figure_alts(doc, kid, depth + 1, out)?;
            }
        }
        Object::Reference(_) | Object::Dictionary(_) => {
            let Ok(d) = dictionary(doc, k) else {
                return Ok(());
            };
            if d.get(b"S")
                .and_then(Object::as_name)
                .is_ok_and(|s| s == b"Figure")
            {
                let alt = match d.get(b"Alt") {
                    Ok(Object::String(bytes, _)) => text_string(bytes),
                    _ => String::new(),
                };
                out.push(alt);
            }
            if let Ok(kids) = d.get(b"K") {
                figure_alts(doc, kids, depth + 1, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A PDF text string: UTF-16BE after its byte-order mark, else PDFDocEncoding (read as Latin-1,
/// which it equals for every printable character the tool writes).
fn text_string(bytes: &[u8]) -> String {
    match bytes {
        [0xFE, 0xFF, rest @ ..] => {
            let units: Vec<u16> = rest
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        _ => bytes.iter().map(|b| char::from(*b)).collect(),
    }
}

fn page_lines(doc: &Document) -> Result<Vec<PageLines>, String> {
    let mut out = Vec::new();
    for (n, id) in doc.get_pages() {
        let fonts = fonts(doc, id).map_err(|e| format!("page {n}: {e}"))?;
        let content = doc
            .get_and_decode_page_content(id)
            .map_err(|e| format!("page {n}: unreadable content: {e}"))?;
        let mut runs: Vec<(f32, f32, String)> = Vec::new();
        let mut font: Option<&ToUnicode> = None;
        let (mut x, mut y) = (0.0f32, 0.0f32);
        for op in &content.operations {
            match op.operator.as_str() {
                "Tf" => {
                    font = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .and_then(|name| fonts.get(name));
                }
                "Tm" => {
                    if let [.., e, f] = op.operands.as_slice() {
                        x = number(e);
                        y = number(f);
                    }
                }
                "Td" | "TD" => {
                    if let [tx, ty] = op.operands.as_slice() {
                        x += number(tx);
                        y += number(ty);
                    }
                }
                "Tj" | "TJ" | "'" | "\"" => {
                    let Some(map) = font else { continue };
                    let mut text = String::new();
                    for o in &op.operands {
                        decode_operand(o, map, &mut text);
                    }
                    if !text.is_empty() {
                        runs.push((y, x, text));
                    }
                }
                _ => {}
            }
        }
        out.push(join_lines(runs));
    }
    Ok(out)
}

/// The leaf pages under a page-tree node, in order: every kid names the node as its parent and
/// every node's `Count` equals the leaf pages under it.
fn leaves(
    doc: &Document,
    node: lopdf::ObjectId,
    depth: u32,
    out: &mut Vec<lopdf::ObjectId>,
) -> Result<(), String> {
    if depth > 32 {
        return Err("the page tree is deeper than 32 levels (a cycle?)".into());
    }
    let dict = doc
        .get_dictionary(node)
        .map_err(|e| format!("page tree node {node:?}: {e}"))?;
    match dict.get(b"Type").and_then(Object::as_name) {
        Ok(b"Page") => out.push(node),
        Ok(b"Pages") => {
            let before = out.len();
            let kids = dict
                .get(b"Kids")
                .and_then(Object::as_array)
                .map_err(|e| format!("page tree node {node:?} has no Kids: {e}"))?;
            for kid in kids {
                let id = kid.as_reference().map_err(|e| {
                    format!("page tree node {node:?}: a kid is not a reference: {e}")
                })?;
                let parent = doc
                    .get_dictionary(id)
                    .and_then(|d| d.get(b"Parent"))
                    .and_then(Object::as_reference);
                if parent.ok() != Some(node) {
                    return Err(format!(
                        "page tree node {id:?} does not name its parent {node:?}"
                    ));
                }
                leaves(doc, id, depth + 1, out)?;
            }
            let count = dict
                .get(b"Count")
                .and_then(Object::as_i64)
                .map_err(|e| format!("page tree node {node:?} has no Count: {e}"))?;
            let under = (out.len() - before) as i64;
            if count != under {
                return Err(format!(
                    "the page tree says {count} page(s) where it holds {under}"
                ));
            }
        }
        _ => return Err(format!("page tree node {node:?} is neither Pages nor Page")),
    }
    Ok(())
}

/// The file's structure, read from the format: the catalog's page tree (every node's `Count`
/// equal to the leaf pages under it, every kid naming its parent), and, for a tagged PDF, the
/// structure tree's parent tree holding an entry for every page's `StructParents`. A writer
/// bug that breaks either fails the check even when every figure and hash is right.
pub fn structure(doc: &Document) -> Result<(), String> {
    let catalog = doc.catalog().map_err(|e| format!("no catalog: {e}"))?;
    let root = catalog
        .get(b"Pages")
        .and_then(Object::as_reference)
        .map_err(|e| format!("the catalog names no page tree: {e}"))?;
    let mut pages = Vec::new();
    leaves(doc, root, 0, &mut pages)?;
    if pages.is_empty() {
        return Err("the page tree holds no page".into());
    }
    let Ok(tree) = catalog.get(b"StructTreeRoot") else {
        return Ok(());
    };
    let parent_tree = dictionary(doc, tree)
        .and_then(|t| t.get(b"ParentTree").map_err(|e| e.to_string()))
        .and_then(|p| dictionary(doc, p))
        .map_err(|e| format!("the structure tree has no parent tree: {e}"))?;
    let mut keys = std::collections::BTreeSet::new();
    number_tree_keys(doc, parent_tree, 0, &mut keys)?;
    for (n, page) in pages.iter().enumerate() {
        let dict = doc
            .get_dictionary(*page)
            .map_err(|e| format!("page {}: {e}", n + 1))?;
        if let Ok(k) = dict.get(b"StructParents").and_then(Object::as_i64)
            && !keys.contains(&k)
        {
            return Err(format!(
                "page {}: its StructParents {k} is not in the structure tree's parent tree",
                n + 1
            ));
        }
    }
    Ok(())
}

/// A dictionary given directly or by reference.
fn dictionary<'a>(doc: &'a Document, o: &'a Object) -> Result<&'a lopdf::Dictionary, String> {
    match o {
        Object::Reference(id) => doc.get_dictionary(*id).map_err(|e| e.to_string()),
        other => other.as_dict().map_err(|e| e.to_string()),
    }
}

/// The keys of a number tree (its `Nums`, and its kids').
fn number_tree_keys(
    doc: &Document,
    node: &lopdf::Dictionary,
    depth: u32,
    keys: &mut std::collections::BTreeSet<i64>,
) -> Result<(), String> {
    if depth > 32 {
        return Err("the parent tree is deeper than 32 levels (a cycle?)".into());
    }
    if let Ok(nums) = node.get(b"Nums").and_then(Object::as_array) {
        for pair in nums.chunks(2) {
            let k = pair[0]
                .as_i64()
                .map_err(|e| format!("the parent tree has a key that is not a number: {e}"))?;
            keys.insert(k);
        }
    }
    if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
        for kid in kids {
            let kid = dictionary(doc, kid).map_err(|e| format!("the parent tree: {e}"))?;
            number_tree_keys(doc, kid, depth + 1, keys)?;
        }
    }
    Ok(())
}

fn number(o: &Object) -> f32 {
    match o {
        Object::Integer(i) => *i as f32,
        Object::Real(r) => *r,
        _ => 0.0,
    }
}

fn decode_operand(o: &Object, map: &ToUnicode, text: &mut String) {
    match o {
        Object::String(bytes, _) => text.push_str(&map.decode(bytes)),
        Object::Array(items) => {
            for i in items {
                decode_operand(i, map, text);
            }
        }
        _ => {}
    }
}

/// Runs on the same baseline (to within half a point) form one line, joined with one space
/// where they do not already meet at a space.
fn join_lines(mut runs: Vec<(f32, f32, String)>) -> PageLines {
    runs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut lines: Vec<(f32, Vec<(f32, String)>)> = Vec::new();
    for (y, x, t) in runs {
        match lines.last_mut() {
            Some((ly, items)) if (y - *ly).abs() <= 0.5 => items.push((x, t)),
            _ => lines.push((y, vec![(x, t)])),
        }
    }
    lines
        .into_iter()
        .map(|(_, mut items)| {
            items.sort_by(|a, b| a.0.total_cmp(&b.0));
            items
                .into_iter()
                .map(|(_, t)| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|l| !l.is_empty())
        .collect()
}

/// A font's character codes to text.
#[derive(Debug, Default)]
struct ToUnicode {
    /// Bytes per code (1 or 2).
    width: usize,
    map: HashMap<u32, String>,
}

impl ToUnicode {
    fn decode(&self, bytes: &[u8]) -> String {
        let w = self.width.max(1);
        bytes
            .chunks(w)
            .map(|c| {
                let code = c.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
                self.map
                    .get(&code)
                    .cloned()
                    .unwrap_or_else(|| char::REPLACEMENT_CHARACTER.to_string())
            })
            .collect()
    }
}

/// The page's fonts by resource name, each with its ToUnicode map.
fn fonts(doc: &Document, page: lopdf::ObjectId) -> Result<BTreeMap<Vec<u8>, ToUnicode>, String> {
    let mut out = BTreeMap::new();
    let fonts = doc
        .get_page_fonts(page)
        .map_err(|e| format!("unreadable fonts: {e}"))?;
    for (name, dict) in fonts {
        let Ok(reference) = dict.get(b"ToUnicode") else {
            return Err(format!(
                "font {} has no ToUnicode map, so its text cannot be read",
                String::from_utf8_lossy(&name)
            ));
        };
        let stream = match reference {
            Object::Reference(id) => doc.get_object(*id).and_then(Object::as_stream),
            other => other.as_stream(),
        }
        .map_err(|e| format!("font ToUnicode: {e}"))?;
        let bytes = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        out.insert(name, parse_cmap(&String::from_utf8_lossy(&bytes))?);
    }
    Ok(out)
}

/// Parses the `bfchar` and `bfrange` sections of a ToUnicode CMap.
fn parse_cmap(text: &str) -> Result<ToUnicode, String> {
    let hex = |s: &str| -> Result<(u32, usize), String> {
        let h = s.trim().trim_start_matches('<').trim_end_matches('>');
        u32::from_str_radix(h, 16)
            .map(|v| (v, h.len() / 2))
            .map_err(|_| format!("ToUnicode: bad code {s:?}"))
    };
    let utf16 = |s: &str| -> Result<String, String> {
        let h = s.trim().trim_start_matches('<').trim_end_matches('>');
        let units: Result<Vec<u16>, _> = (0..h.len())
            .step_by(4)
            .map(|i| u16::from_str_radix(&h[i..(i + 4).min(h.len())], 16))
            .collect();
        let units = units.map_err(|_| format!("ToUnicode: bad text {s:?}"))?;
        Ok(String::from_utf16_lossy(&units))
    };
    let mut cmap = ToUnicode::default();
    let mut section = "";
    for line in text.lines().map(str::trim) {
        if line.ends_with("beginbfchar") {
            section = "char";
            continue;
        }
        if line.ends_with("beginbfrange") {
            section = "range";
            continue;
        }
        if line.starts_with("endbf") {
            section = "";
            continue;
        }
        let tokens: Vec<&str> = line
            .split('>')
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .collect();
        match (section, tokens.as_slice()) {
            ("char", [code, target]) => {
                let (c, w) = hex(code)?;
                cmap.width = cmap.width.max(w);
                cmap.map.insert(c, utf16(target)?);
            }
            ("range", [lo, hi, target]) if !target.starts_with('[') => {
                let ((lo, w), (hi, _)) = (hex(lo)?, hex(hi)?);
                cmap.width = cmap.width.max(w);
                let start = utf16(target)?;
                let mut chars: Vec<char> = start.chars().collect();
                for code in lo..=hi {
                    cmap.map.insert(code, chars.iter().collect());
                    if let Some(last) = chars.last_mut() {
                        *last = char::from_u32(*last as u32 + 1).unwrap_or(*last);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(cmap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmaps_map_codes_to_text() {
        let cmap = parse_cmap(
            "2 beginbfchar\n<0001> <004E>\n<0002> <0048>\nendbfchar\n1 beginbfrange\n<0010> <0012> <0061>\nendbfrange\n",
        )
        .expect("cmap");
        assert_eq!(cmap.width, 2);
        assert_eq!(cmap.decode(&[0, 1, 0, 2, 0, 0x10, 0, 0x12]), "NHac");
        assert_eq!(cmap.decode(&[0, 9]), "\u{fffd}");
    }

    #[test]
    fn runs_on_a_baseline_make_one_line() {
        let lines = join_lines(vec![
            (20.0, 100.0, "B".into()),
            (10.0, 50.0, "second".into()),
            (20.2, 10.0, "A".into()),
            (10.0, 5.0, "first".into()),
        ]);
        assert_eq!(lines, ["first second", "A B"]);
    }
}
