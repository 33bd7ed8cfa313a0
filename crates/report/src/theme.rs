//! The NHS identity palette, in one place for every renderer, and the WCAG contrast rule the
//! pairs used must meet (DOC-4).

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// NHS Blue (Pantone 300), the primary colour.
pub const NHS_BLUE: Rgb = Rgb(0x00, 0x5E, 0xB8);
/// NHS Dark Blue.
pub const DARK_BLUE: Rgb = Rgb(0x00, 0x30, 0x87);
/// NHS Dark Grey: secondary text.
pub const DARK_GREY: Rgb = Rgb(0x42, 0x55, 0x63);
/// NHS Mid Grey: likely-range lines.
pub const MID_GREY: Rgb = Rgb(0x76, 0x86, 0x92);
/// NHS Pale Grey: gridlines and panels.
pub const PALE_GREY: Rgb = Rgb(0xE8, 0xED, 0xEE);
/// NHS Warm Yellow: the caveat panel's rule.
pub const WARM_YELLOW: Rgb = Rgb(0xFF, 0xB8, 0x1C);
/// Body text.
pub const TEXT: Rgb = Rgb(0x23, 0x1F, 0x20);
/// White.
pub const WHITE: Rgb = Rgb(0xFF, 0xFF, 0xFF);

/// Text/background pairs the PDF uses.
pub const TEXT_PAIRS: [(Rgb, Rgb); 5] = [
    (TEXT, WHITE),
    (DARK_GREY, WHITE),
    (WHITE, NHS_BLUE),
    (TEXT, PALE_GREY),
    (DARK_BLUE, WHITE),
];

fn linear(c: u8) -> f64 {
    let c = f64::from(c) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// WCAG 2 relative luminance.
pub fn luminance(c: Rgb) -> f64 {
    0.2126 * linear(c.0) + 0.7152 * linear(c.1) + 0.0722 * linear(c.2)
}

/// WCAG 2 contrast ratio (1 to 21).
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_pair_meets_wcag_aa() {
        for (fg, bg) in TEXT_PAIRS {
            let r = contrast(fg, bg);
            assert!(r >= 4.5, "{fg:?} on {bg:?}: {r:.2}");
        }
        assert!((contrast(TEXT, WHITE) - contrast(WHITE, TEXT)).abs() < 1e-12);
        assert!((contrast(Rgb(0, 0, 0), WHITE) - 21.0).abs() < 1e-9);
    }
}
