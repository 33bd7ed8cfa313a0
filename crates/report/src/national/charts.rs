//! The national pack's charts, drawn with the PDF engine's primitives: a segment bar chart per
//! peer group and a ranked chart of averages with likely ranges.

use crate::pdf::{MARGIN, Metrics, Prim, WIDTH, Weight};
use crate::theme;

use super::pack::{NationalPack, RankedChart};

/// Bar charts of trusts by segment, one panel per peer group.
pub(crate) fn segment_chart(m: &Metrics, top: f32, pack: &NationalPack) -> Vec<Prim> {
    let mut p = Vec::new();
    let groups = &pack.segments;
    let panel_w = WIDTH / groups.len().max(1) as f32;
    let chart_h = 120.0;
    let max = groups
        .iter()
        .flat_map(|g| g.counts)
        .max()
        .unwrap_or(1)
        .max(1) as f32;
    for (gi, g) in groups.iter().enumerate() {
        let x0 = MARGIN + gi as f32 * panel_w;
        let title = format!("{}s ({})", g.label, g.total());
        for (k, line) in m
            .wrap(&title, 9.5, Weight::Bold, panel_w - 14.0)
            .into_iter()
            .enumerate()
        {
            p.push(Prim::Text {
                x: x0 + 4.0,
                y: top + 11.0 + k as f32 * 11.5,
                size: 9.5,
                bold: true,
                colour: theme::TEXT,
                text: line,
            });
        }
        let base = top + 36.0 + chart_h;
        p.push(Prim::Line {
            x1: x0 + 4.0,
            y1: base,
            x2: x0 + panel_w - 10.0,
            y2: base,
            width: 0.8,
            colour: theme::DARK_GREY,
        });
        let slot = (panel_w - 14.0) / g.counts.len() as f32;
        for (s, &n) in g.counts.iter().enumerate() {
            let bh = chart_h * n as f32 / max;
            let bx = x0 + 4.0 + s as f32 * slot + slot * 0.15;
            let bw = slot * 0.7;
            if n > 0 {
                p.push(Prim::Rect {
                    x: bx,
                    y: base - bh,
                    w: bw,
                    h: bh,
                    fill: theme::NHS_BLUE,
                });
            }
            for (text, y, bold) in [
                (n.to_string(), base - bh - 3.0, true),
                ((s + 1).to_string(), base + 11.0, false),
            ] {
                let w = m.width(&text, 8.5, Weight::of(bold));
                p.push(Prim::Text {
                    x: bx + (bw - w) / 2.0,
                    y,
                    size: 8.5,
                    bold,
                    colour: theme::TEXT,
                    text,
                });
            }
        }
        for (k, text) in [
            "Segment (1 best, 4 worst)".to_owned(),
            format!(
                "Of these, in the Recovery Support Programme (segment {}): {}",
                pack.method.segment5,
                g.programme_cell()
            ),
        ]
        .into_iter()
        .enumerate()
        {
            for (j, line) in m
                .wrap(&text, 8.0, Weight::Regular, panel_w - 14.0)
                .into_iter()
                .enumerate()
            {
                p.push(Prim::Text {
                    x: x0 + 4.0,
                    y: base + 24.0 + (k * 2 + j) as f32 * 10.0,
                    size: 8.0,
                    bold: false,
                    colour: theme::DARK_GREY,
                    text: line,
                });
            }
        }
    }
    p
}

/// Height of the ranked chart's drawing.
pub(crate) const RANKED_H: f32 = 228.0;

/// Width of the gutter right of the plot that holds the segment-boundary labels, so no label
/// can sit on a dot.
const LABEL_GUTTER: f32 = 58.0;

/// Every trust of a peer group in league order: average (dot), likely range (line),
/// segment cut-points (labelled in a gutter on the right).
pub(crate) fn ranked_chart(m: &Metrics, top: f32, chart: &RankedChart) -> Vec<Prim> {
    let mut p = Vec::new();
    let frame = Frame::new(top, chart.points.len());
    let (left, right, y_top, y_bot, lo) = (frame.left, frame.right, frame.y_top, frame.y_bot, 1.0);
    let y_of = |v: f64| frame.y_of(v);
    for k in 0..=6 {
        let v = lo + 0.5 * f64::from(k);
        let y = y_of(v);
        p.push(Prim::Line {
            x1: left,
            y1: y,
            x2: right,
            y2: y,
            width: 0.4,
            colour: theme::PALE_GREY,
        });
        let label = format!("{v:.1}");
        let w = m.width(&label, 8.0, Weight::Regular);
        p.push(Prim::Text {
            x: left - 4.0 - w,
            y: y + 3.0,
            size: 8.0,
            bold: false,
            colour: theme::DARK_GREY,
            text: label,
        });
    }
    if let Some(c) = chart.cuts {
        p.extend(cut_lines(&frame, &c));
    }
    p.extend(points(&frame, chart));
    p.push(Prim::Line {
        x1: left,
        y1: y_bot,
        x2: right,
        y2: y_bot,
        width: 0.8,
        colour: theme::DARK_GREY,
    });
    p.push(Prim::Text {
        x: MARGIN - 2.0,
        y: y_top - 12.0,
        size: 8.0,
        bold: false,
        colour: theme::DARK_GREY,
        text: "Average score".to_owned(),
    });
    p.push(Prim::Text {
        x: right + 6.0,
        y: y_top - 12.0,
        size: 7.5,
        bold: false,
        colour: theme::DARK_GREY,
        text: "Segments".to_owned(),
    });
    p.push(Prim::Text {
        x: left,
        y: y_bot + 14.0,
        size: 8.0,
        bold: false,
        colour: theme::DARK_GREY,
        text: format!(
            "Trusts in league order, rank 1 (left) to {} (right); dot: average score; line: likely range; lower is better",
            chart.points.last().map_or(0, |p| p.rank)
        ),
    });
    if chart.points.iter().any(|p| p.capped) {
        p.push(Prim::Text {
            x: left,
            y: y_bot + 26.0,
            size: 8.0,
            bold: false,
            colour: theme::DARK_GREY,
            text: "Ring: a trust the financial override moved to a worse segment, so it is ranked below trusts with a higher average".to_owned(),
        });
    }
    p
}

/// The ranked chart's plotting area: average scores 1 to 4 up the side, trusts along.
struct Frame {
    left: f32,
    right: f32,
    y_top: f32,
    y_bot: f32,
    /// Trusts along the axis (at least 1).
    n: usize,
}

impl Frame {
    fn new(top: f32, trusts: usize) -> Self {
        Self {
            left: MARGIN + 30.0,
            right: MARGIN + WIDTH - LABEL_GUTTER,
            y_top: top + 22.0,
            y_bot: top + 192.0,
            n: trusts.max(1),
        }
    }

    /// The height of an average score.
    fn y_of(&self, v: f64) -> f32 {
        let (lo, hi) = (1.0f64, 4.0f64);
        self.y_bot - ((v - lo) / (hi - lo)) as f32 * (self.y_bot - self.y_top)
    }

    /// The position of the trust `i` places from the left.
    fn x_of(&self, i: usize) -> f32 {
        self.left + (i as f32 + 0.5) * (self.right - self.left) / self.n as f32
    }
}

/// The segment cut-points: a line each, labelled in the gutter on the right.
fn cut_lines(frame: &Frame, c: &[f64; 3]) -> Vec<Prim> {
    let (left, right) = (frame.left, frame.right);
    let y_of = |v: f64| frame.y_of(v);
    let mut p = Vec::new();
    // Labels go in the gutter, centred on their line, then pushed apart where two would
    // touch (cut-points close together).
    let size = 7.5;
    let mut label_y: Vec<f32> = c.iter().map(|cut| y_of(*cut) + size * 0.35).collect();
    // Cut-points ascend, so label i sits below label i + 1; walk from the bottom up.
    for i in 1..label_y.len() {
        if label_y[i - 1] - label_y[i] < size + 1.5 {
            label_y[i] = label_y[i - 1] - (size + 1.5);
        }
    }
    for (i, cut) in c.iter().enumerate() {
        let y = y_of(*cut);
        p.push(Prim::Line {
            x1: left,
            y1: y,
            x2: right + 3.0,
            y2: y,
            width: 0.6,
            colour: theme::DARK_GREY,
        });
        p.push(Prim::Text {
            x: right + 6.0,
            y: label_y[i],
            size,
            bold: false,
            colour: theme::DARK_GREY,
            text: format!(
                "{} | {} at {}",
                i + 1,
                i + 2,
                crate::narrative::cut_label(*cut)
            ),
        });
    }
    p
}

/// Each trust: its likely range (a line) and average (a dot; a ring where the financial
/// override moved it to a worse segment).
fn points(frame: &Frame, chart: &RankedChart) -> Vec<Prim> {
    let y_of = |v: f64| frame.y_of(v);
    let mut p = Vec::new();
    for (i, pt) in chart.points.iter().enumerate() {
        let x = frame.x_of(i);
        p.push(Prim::Line {
            x1: x,
            y1: y_of(pt.low),
            x2: x,
            y2: y_of(pt.high),
            width: 0.7,
            colour: theme::MID_GREY,
        });
        // A ring: the trust sits in a worse segment than its average gives.
        let r = crate::pdf::Marker {
            plain: 1.7,
            ring: 2.3,
            hole: 1.1,
        };
        p.extend(crate::pdf::point(
            x,
            y_of(pt.average),
            pt.capped,
            r,
            theme::NHS_BLUE,
        ));
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::national::ChartPoint;
    use crate::pdf::collisions;

    #[test]
    fn chart_labels_never_touch_marks_or_each_other() {
        let m = Metrics::new();
        // Cut-points crowded together and trusts at every height, so a naive label would sit
        // on a dot or on the next label.
        for cuts in [[2.0, 2.02, 2.04], [1.0, 2.5, 4.0], [2.055, 2.325, 2.605]] {
            for n in [1usize, 10, 134, 400] {
                let points = (0..n)
                    .map(|i| {
                        let a = 1.0 + 3.0 * i as f64 / n.max(2) as f64;
                        ChartPoint {
                            capped: i % 7 == 0,
                            rank: i as u32 + 1,
                            average: a,
                            low: (a - 0.4).max(1.0),
                            high: (a + 0.4).min(4.0),
                        }
                    })
                    .collect();
                let chart = RankedChart {
                    peer_group: "g".into(),
                    label: "Acute trust".into(),
                    cuts: Some(cuts),
                    points,
                    widest: 0.8,
                };
                let prims = ranked_chart(&m, 64.0, &chart);
                assert_eq!(collisions(&m, &prims), Vec::<String>::new(), "{cuts:?} {n}");
            }
        }
    }
}
