//! Rounding and number formatting as NHS England's NOF files use them.

/// Rounds to `dp` decimal places, halves away from zero, as a person rounding the decimal
/// figure would (NOF 2025/26 §1.2: "round to 2 decimal places").
///
/// Binary floating point stores 1.525 as 1.52499999…, and arithmetic on it (a quartile
/// interpolated between 24.68 and 24.69) drifts further; a plain `(x * 100).round()` would give
/// 1.52. The scaled value is first snapped to a millionth, which restores the decimal figure
/// (1.525, 24.685) without moving any value that is not within rounding noise of a half, then
/// rounded half away from zero.
pub fn round_dp(x: f64, dp: u32) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let m = 10f64.powi(dp as i32);
    let y = x * m;
    if y.abs() >= 1e9 {
        return y.round() / m;
    }
    let snapped = (y * 1e6).round() / 1e6;
    snapped.round() / m
}

/// Formats a number as NHS England's CSVs print a rounded float: at most `dp` decimals,
/// trailing zeros dropped but one decimal kept ("1.2", "2.0", "1.89").
pub fn format_nhse(x: f64, dp: u32) -> String {
    let s = format!("{:.*}", dp as usize, round_dp(x, dp));
    if !s.contains('.') {
        return s;
    }
    let trimmed = s.trim_end_matches('0');
    if trimmed.ends_with('.') {
        format!("{trimmed}0")
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_decimal_halves_up() {
        assert_eq!(round_dp(1.525, 2), 1.53);
        assert_eq!(round_dp(2.675, 2), 2.68);
        assert_eq!(round_dp(1.0 + 3.0 * 9.0 / 60.0, 2), 1.45);
        assert_eq!(round_dp(-0.125, 2), -0.13);
        assert_eq!(round_dp(2.2749, 2), 2.27);
        assert_eq!(round_dp(4.0, 2), 4.0);
        // A quartile interpolated half-way between two 2 dp values is a decimal half.
        let q = 24.68 + 0.5 * (24.69 - 24.68);
        assert_eq!(round_dp(q, 2), 24.69);
        assert_eq!(round_dp(2.684_999, 2), 2.68);
        assert_eq!(round_dp(-24.685, 2), -24.69);
    }

    #[test]
    fn formats_like_nhs_england() {
        assert_eq!(format_nhse(1.2, 2), "1.2");
        assert_eq!(format_nhse(1.894, 2), "1.89");
        assert_eq!(format_nhse(2.0, 2), "2.0");
        assert_eq!(format_nhse(11.0, 0), "11");
    }
}
