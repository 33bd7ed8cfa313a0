//! The documents' two faces, Liberation Sans regular and bold (metric-compatible with Arial;
//! SIL Open Font License, `data/fonts/OFL.txt`), embedded once for every crate that needs them:
//! the PDF engine measures and draws text with them, and the input rules quarantine a name with
//! a character they cannot draw.

/// Liberation Sans Regular (TrueType).
pub const REGULAR: &[u8] = include_bytes!("../../../data/fonts/LiberationSans-Regular.ttf");

/// Liberation Sans Bold (TrueType).
pub const BOLD: &[u8] = include_bytes!("../../../data/fonts/LiberationSans-Bold.ttf");

#[cfg(test)]
mod tests {
    #[test]
    fn both_faces_are_truetype_files() {
        for face in [super::REGULAR, super::BOLD] {
            assert_eq!(
                &face[..4],
                &[0, 1, 0, 0],
                "a TrueType font starts 0x00010000"
            );
        }
    }
}
