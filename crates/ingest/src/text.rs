//! Text rules at input: a field with a control character is quarantined, and so is one with a
//! character the reports' fonts cannot draw (the PDF would otherwise fail to render, or show a
//! blank box, on a name a trust board reads). Welsh, accented letters and typographic quotes
//! are in the fonts and pass.

use std::sync::OnceLock;

use crate::Rule;

use league_fonts::{BOLD, REGULAR};

/// True when both embedded faces have a glyph for `c`.
fn drawable(c: char) -> bool {
    static FACES: OnceLock<[ttf_parser::Face<'static>; 2]> = OnceLock::new();
    let faces = FACES.get_or_init(|| {
        [
            ttf_parser::Face::parse(REGULAR, 0).expect("committed font"),
            ttf_parser::Face::parse(BOLD, 0).expect("committed font"),
        ]
    });
    faces.iter().all(|f| f.glyph_index(c).is_some())
}

/// Invisible format characters (Unicode category Cf): zero-width spaces and joiners, bidi
/// embeddings, overrides and isolates, the byte-order mark, soft hyphen and the like. They draw
/// nothing, so a name holding one reads as another name (a right-to-left override reverses what
/// follows it), and in a PDF an invisible character can share a glyph with a space and change
/// how every space reads back.
fn invisible_format(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{61C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// The first problem with a field's text: a control character, an invisible format character,
/// or a character the reports' fonts cannot draw. The reason names the character by its code
/// point.
pub(crate) fn text_problem(s: &str) -> Option<(Rule, String)> {
    for (i, c) in s.chars().enumerate() {
        if invisible_format(c) {
            return Some((
                Rule::ControlCharacter,
                format!(
                    "invisible format character U+{:04X} at character {}: a name must read as it is written",
                    c as u32,
                    i + 1
                ),
            ));
        }
        if c.is_control() {
            return Some((
                Rule::ControlCharacter,
                format!(
                    "control character U+{:04X} at character {}: not text a report can show",
                    c as u32,
                    i + 1
                ),
            ));
        }
        if !c.is_whitespace() && !drawable(c) {
            return Some((
                Rule::UnprintableText,
                format!(
                    "character {c:?} (U+{:04X}) is not in the fonts the reports embed",
                    c as u32
                ),
            ));
        }
    }
    None
}

/// The record with every field in Unicode NFC ("e" + combining acute becomes "é"), so a name
/// has one spelling in every output whatever the source wrote. ASCII records are returned as
/// they are.
pub(crate) fn nfc(rec: csv::StringRecord) -> csv::StringRecord {
    use unicode_normalization::UnicodeNormalization;
    if rec.iter().all(|f| f.is_ascii()) {
        return rec;
    }
    let mut out = csv::StringRecord::new();
    for f in rec.iter() {
        out.push_field(&f.nfc().collect::<String>());
    }
    out.set_position(rec.position().cloned());
    out
}

/// A value with its control characters written as escapes, for messages and the quarantine
/// file.
pub(crate) fn shown(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_unicode().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_a_trust_could_have_pass_and_others_are_named() {
        for ok in [
            "Betsi Cadwaladr University Health Board",
            "Ysbyty Gwynedd – Bwrdd Iechyd Prifysgol",
            "Hywel Dda’s “Ŵyn” trust",
            "Hôpital Saint-Étienne",
            "Guy's and St Thomas'",
        ] {
            assert_eq!(text_problem(ok), None, "{ok}");
        }
        let (rule, reason) = text_problem("Trust\u{0}name").expect("NUL");
        assert_eq!(rule, Rule::ControlCharacter);
        assert!(reason.contains("U+0000"), "{reason}");
        let (rule, reason) = text_problem("病院").expect("CJK");
        assert_eq!(rule, Rule::UnprintableText);
        assert!(reason.contains("U+75C5"), "{reason}");
        assert_eq!(text_problem("🏥").map(|p| p.0), Some(Rule::UnprintableText));
        for hidden in ["a\u{200B}b", "x\u{202E}y", "\u{FEFF}Trust", "Guy\u{2066}s"] {
            let (rule, reason) = text_problem(hidden).expect(hidden);
            assert_eq!(rule, Rule::ControlCharacter, "{hidden:?}");
            assert!(reason.contains("invisible format character U+"), "{reason}");
        }
        assert_eq!(shown("a\u{7}b"), "a\\u{7}b");
        let decomposed = csv::StringRecord::from(vec!["Ho\u{302}pital"]);
        assert_eq!(&nfc(decomposed)[0], "H\u{f4}pital");
    }
}
