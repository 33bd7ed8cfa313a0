//! Text safety for files a spreadsheet may open.

/// Prefixes `'` to text a spreadsheet would evaluate as a formula or control sequence: text
/// beginning with `=`, `+`, `-`, `@`, tab or carriage return (OWASP CSV injection guidance).
pub fn escape_formula(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::escape_formula;

    #[test]
    fn formula_starts_are_escaped() {
        assert_eq!(
            escape_formula("=HYPERLINK(\"x\",\"y\")"),
            "'=HYPERLINK(\"x\",\"y\")"
        );
        for s in ["+1", "-x", "@A1", "\tx", "\rx"] {
            assert!(escape_formula(s).starts_with('\''), "{s:?}");
        }
        assert_eq!(escape_formula("Leeds"), "Leeds");
        assert_eq!(escape_formula(""), "");
    }
}
