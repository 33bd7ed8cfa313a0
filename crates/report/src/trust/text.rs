//! Sentences the letter and the board workbook share, so the two say the same thing.

use super::view::{Position, StatusView, TrustView};

/// A value with its unit, to two decimal places ("75.30%", "3.20 out of 10"), joined by
/// no-break spaces so a table never splits it across lines.
pub(crate) fn value(v: f64, unit: &str) -> String {
    let v = league_model::number::round_dp(v, 2);
    match unit {
        "%" => format!("{v:.2}%"),
        "" => format!("{v:.2}"),
        u if u.len() <= 10 => format!("{v:.2} {u}").replace(' ', "\u{a0}"),
        u => format!("{v:.2} {u}"),
    }
}

/// Whether the financial override applied, and the segment before it.
pub(crate) fn override_sentence(p: &Position, cap: u8) -> String {
    match p.in_deficit {
        Some(true) if p.segment != p.before_override => format!(
            "The financial override applied: NHS England's data flag the trust as in financial deficit, so it is placed in segment {} although its average gives segment {}.",
            p.segment, p.before_override
        ),
        Some(true) => format!(
            "NHS England's data flag the trust as in financial deficit; the financial override places a trust in deficit no better than segment {cap}, which did not change its segment."
        ),
        Some(false) => "The financial override did not apply: the trust is not in financial deficit.".to_owned(),
        None => "The input does not give the trust's deficit status, so the financial override was not applied.".to_owned(),
    }
}

/// The Recovery Support Programme status.
pub(crate) fn programme_sentence(p: &Position, segment5: u8) -> String {
    match p.programme {
        Some(true) => {
            format!("The trust is in the Recovery Support Programme (segment {segment5}).")
        }
        Some(false) => "The trust is not in the Recovery Support Programme.".to_owned(),
        None => "The input does not say whether the trust is in the Recovery Support Programme."
            .to_owned(),
    }
}

/// The intervention status with the rule that put the trust in it and the evidence.
pub(crate) fn status_sentence(s: &StatusView) -> String {
    let st = &s.status;
    if st.rule.is_empty() {
        format!(
            "Intervention status: {}, the standard status when no other applies.",
            st.label
        )
    } else {
        format!(
            "Intervention status: {}, because {} ({}).",
            st.label,
            st.rule,
            st.evidence.join("; ")
        )
    }
}

/// The board capability assessment, or that it was not assessed.
pub(crate) fn board_sentence(v: &TrustView) -> String {
    match &v.board {
        None => "Board capability assessment: not assessed. NHS England does not publish board capability ratings and none was supplied for this trust.".to_owned(),
        Some(b) => {
            let areas: Vec<String> = b
                .areas
                .iter()
                .map(|(area, rating)| format!("{area}: {rating}"))
                .collect();
            format!(
                "Board capability assessment: overall {}{}.",
                b.overall.as_deref().unwrap_or("not given"),
                if areas.is_empty() {
                    String::new()
                } else {
                    format!("; {}", areas.join("; "))
                }
            )
        }
    }
}
