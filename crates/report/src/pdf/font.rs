//! Text measurement from the embedded font files (Liberation Sans, metric-compatible with
//! Arial), so layout knows each line's width before it draws.

pub(crate) use league_fonts::{BOLD, REGULAR};

/// Which face of the documents' font a text is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Liberation Sans Regular.
    Regular,
    /// Liberation Sans Bold.
    Bold,
}

impl Weight {
    /// The weight of a drawn text (`Prim::Text::bold`).
    pub fn of(bold: bool) -> Self {
        if bold { Self::Bold } else { Self::Regular }
    }
}

/// Text measurement from the embedded font files.
pub struct Metrics {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
}

impl Metrics {
    /// Metrics of the embedded regular and bold faces.
    pub fn new() -> Self {
        Self {
            regular: ttf_parser::Face::parse(REGULAR, 0).expect("committed font"),
            bold: ttf_parser::Face::parse(BOLD, 0).expect("committed font"),
        }
    }

    /// Width of `text` in points.
    pub fn width(&self, text: &str, size: f32, weight: Weight) -> f32 {
        let face = match weight {
            Weight::Bold => &self.bold,
            Weight::Regular => &self.regular,
        };
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

    /// Greedy word wrap to `width`, breaking only at ASCII white space: a no-break space
    /// (U+00A0) keeps "6.24 to 6.59" or "out of 10" on one line.
    pub fn wrap(&self, text: &str, size: f32, weight: Weight, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_ascii_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, size, weight) <= width || line.is_empty() {
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

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
