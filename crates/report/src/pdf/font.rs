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

    /// `word` as it fits in `width`: itself, or, if it is wider, cut into the longest pieces
    /// that fit (at least one character each), as a browser breaks an unbreakable word
    /// (`overflow-wrap: anywhere`).
    fn pieces<'w>(&self, word: &'w str, size: f32, weight: Weight, width: f32) -> Vec<&'w str> {
        if self.width(word, size, weight) <= width {
            return vec![word];
        }
        let mut out = Vec::new();
        let mut start = 0;
        let mut end = 0;
        for (i, c) in word.char_indices() {
            let next = i + c.len_utf8();
            if end > start && self.width(&word[start..next], size, weight) > width {
                out.push(&word[start..end]);
                start = end;
            }
            end = next;
        }
        out.push(&word[start..]);
        out
    }

    /// Greedy word wrap to `width`, breaking only at ASCII white space: a no-break space
    /// (U+00A0) keeps "6.24 to 6.59" or "out of 10" on one line.
    pub fn wrap(&self, text: &str, size: f32, weight: Weight, width: f32) -> Vec<String> {
        self.wrap_words(text.split_ascii_whitespace(), size, weight, width)
    }

    /// [`Metrics::wrap`] for a table cell: a word wider than the cell (a name of one long
    /// word, a web address) is broken where it must be, so no line is wider. A table's
    /// columns are made wide enough for their longest words unless that would take the table
    /// off the page, so only then does a word break.
    pub fn wrap_anywhere(&self, text: &str, size: f32, weight: Weight, width: f32) -> Vec<String> {
        let words = text
            .split_ascii_whitespace()
            .flat_map(|w| self.pieces(w, size, weight, width));
        self.wrap_words(words, size, weight, width)
    }

    fn wrap_words<'w>(
        &self,
        words: impl Iterator<Item = &'w str>,
        size: f32,
        weight: Weight,
        width: f32,
    ) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in words {
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
