//! A funnel plot drawn with the PDF engine's primitives: each trust's percentage against its
//! denominator, the peer target, and the inner and outer limits as curves; trusts beyond the
//! outer limits are named in a gutter on the right, each label joined to its dot, so no label
//! sits on a mark or on another label.

use crate::pdf::{MARGIN, Metrics, Prim, WIDTH, Weight};
use crate::theme;

use super::pack::FunnelChart;

/// Height of the drawing.
pub(crate) const FUNNEL_H: f32 = 262.0;

/// Width of the gutter holding the outliers' labels.
const GUTTER: f32 = 70.0;
/// Label size and spacing in the gutter.
const LABEL: f32 = 7.5;
const LABEL_STEP: f32 = 9.0;

/// The codes of trusts beyond the outer limits, above then below, by code.
pub(crate) fn outliers(c: &FunnelChart) -> Vec<(&str, league_model::FunnelPosition)> {
    let mut v: Vec<(&str, league_model::FunnelPosition)> = c
        .plot
        .points
        .iter()
        .filter(|p| p.position[1] != league_model::FunnelPosition::Within)
        .map(|p| (p.trust.as_str(), p.position[1]))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v
}

/// The plotting area: denominators along, percentages up.
struct Frame {
    left: f32,
    right: f32,
    y_top: f32,
    y_bot: f32,
    lo: f64,
    hi: f64,
    step: f64,
    max_n: f64,
}

impl Frame {
    /// The frame holding every point and the outer limits at the trusts' denominators.
    fn of(top: f32, f: &league_model::FunnelPlot) -> Self {
        let max_n = f
            .points
            .iter()
            .map(|p| p.denominator)
            .fold(1.0f64, f64::max)
            * 1.04;
        let (mut lo, mut hi) = (100.0f64 * f.target, 100.0f64 * f.target);
        for p in &f.points {
            lo = lo.min(100.0 * p.proportion).min(100.0 * p.limits[1].0);
            hi = hi.max(100.0 * p.proportion).max(100.0 * p.limits[1].1);
        }
        let step = nice_step((hi - lo).max(1.0) / 5.0);
        Self {
            left: MARGIN + 34.0,
            right: MARGIN + WIDTH - GUTTER,
            y_top: top + 18.0,
            y_bot: top + 212.0,
            lo: (lo / step).floor() * step,
            hi: (hi / step).ceil() * step,
            step,
            max_n,
        }
    }

    fn x(&self, n: f64) -> f32 {
        self.left + (n / self.max_n) as f32 * (self.right - self.left)
    }

    fn y(&self, v: f64) -> f32 {
        self.y_bot - ((v - self.lo) / (self.hi - self.lo)) as f32 * (self.y_bot - self.y_top)
    }
}

fn grey(text: String, x: f32, y: f32, size: f32) -> Prim {
    Prim::Text {
        x,
        y,
        size,
        bold: false,
        colour: theme::DARK_GREY,
        text,
    }
}

pub(crate) fn funnel_chart(m: &Metrics, top: f32, c: &FunnelChart) -> Vec<Prim> {
    let fr = Frame::of(top, &c.plot);
    let mut p = axes(m, &fr);
    p.extend(curves(&fr, &c.plot));
    p.extend(marks(&fr, &c.plot));
    p.extend(outlier_labels(&fr, &c.plot));
    p.push(grey(
        format!("{} (per cent)", c.name),
        MARGIN - 2.0,
        fr.y_top - 8.0,
        8.0,
    ));
    for (i, line) in m
        .wrap(
            &format!(
                "Denominator ({}). Dots: trusts; ringed and named: beyond the outer limits. Blue line: the peer target {:.1}%. Thin grey curves: inner limits; thick dark curves: outer limits.",
                if c.measure == "OF0003" || c.measure == "OF0023" {
                    "patients on the waiting list"
                } else {
                    "events in the period"
                },
                100.0 * c.plot.target
            ),
            8.0,
            Weight::Regular,
            WIDTH,
        )
        .into_iter()
        .enumerate()
    {
        p.push(grey(line, MARGIN, fr.y_bot + 26.0 + i as f32 * 10.0, 8.0));
    }
    p
}

/// Gridlines with percentages up the side, denominators along the bottom.
fn axes(m: &Metrics, fr: &Frame) -> Vec<Prim> {
    let mut p = Vec::new();
    let mut v = fr.lo;
    while v <= fr.hi + 1e-9 {
        let y = fr.y(v);
        p.push(Prim::Line {
            x1: fr.left,
            y1: y,
            x2: fr.right,
            y2: y,
            width: 0.4,
            colour: theme::PALE_GREY,
        });
        let label = format!("{v:.0}%");
        let w = m.width(&label, 8.0, Weight::Regular);
        p.push(grey(label, fr.left - 4.0 - w, y + 3.0, 8.0));
        v += fr.step;
    }
    let x_step = nice_step(fr.max_n / 5.0);
    let mut n = 0.0;
    while n <= fr.max_n {
        let x = fr.x(n);
        let label = crate::narrative::thousands(n.round() as u32);
        let w = m.width(&label, 8.0, Weight::Regular);
        if x + w / 2.0 <= fr.right {
            p.push(grey(label, x - w / 2.0, fr.y_bot + 11.0, 8.0));
        }
        n += x_step;
    }
    p
}

/// The limits as curves (the outer thick and dark, the inner thin and lighter) and the target.
fn curves(fr: &Frame, f: &league_model::FunnelPlot) -> Vec<Prim> {
    let mut p = Vec::new();
    for (k, (width, colour)) in [(0.7, theme::MID_GREY), (1.4, theme::DARK_GREY)]
        .into_iter()
        .enumerate()
    {
        for side in 0..2 {
            for w in f.curve.windows(2) {
                let at = |c: &(f64, [(f64, f64); 2])| {
                    let (l, h) = c.1[k];
                    100.0 * if side == 0 { l } else { h }
                };
                let (a, b) = (at(&w[0]), at(&w[1]));
                if (fr.lo..=fr.hi).contains(&a) && (fr.lo..=fr.hi).contains(&b) {
                    p.push(Prim::Line {
                        x1: fr.x(w[0].0),
                        y1: fr.y(a),
                        x2: fr.x(w[1].0),
                        y2: fr.y(b),
                        width,
                        colour,
                    });
                }
            }
        }
    }
    let ty = fr.y(100.0 * f.target);
    p.push(Prim::Line {
        x1: fr.left,
        y1: ty,
        x2: fr.right,
        y2: ty,
        width: 1.0,
        colour: theme::NHS_BLUE,
    });
    p
}

/// A dot per trust; a ring for a trust beyond the outer limits (its shape, not only its label).
fn marks(fr: &Frame, f: &league_model::FunnelPlot) -> Vec<Prim> {
    let mut p = Vec::new();
    for pt in &f.points {
        let out = pt.position[1] != league_model::FunnelPosition::Within;
        let r = crate::pdf::Marker {
            plain: 1.6,
            ring: 2.6,
            hole: 1.2,
        };
        let (x, y) = (fr.x(pt.denominator), fr.y(100.0 * pt.proportion));
        p.extend(crate::pdf::point(x, y, out, r, theme::DARK_BLUE));
    }
    p
}

/// Outliers named in the gutter, top to bottom by height, each joined to its dot: each label at
/// its dot's height, pushed down past the one above, then pulled up from the bottom so the last
/// stays in the plot, every two labels a full step apart.
fn outlier_labels(fr: &Frame, f: &league_model::FunnelPlot) -> Vec<Prim> {
    let mut labelled: Vec<(f32, f32, String)> = f
        .points
        .iter()
        .filter(|pt| pt.position[1] != league_model::FunnelPosition::Within)
        .map(|pt| {
            (
                fr.y(100.0 * pt.proportion),
                fr.x(pt.denominator),
                pt.trust.to_string(),
            )
        })
        .collect();
    labelled.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
    let room = ((fr.y_bot - fr.y_top) / LABEL_STEP) as usize;
    let shown = labelled.len().min(room);
    let mut at: Vec<f32> = Vec::with_capacity(shown);
    for (y, _, _) in labelled.iter().take(shown) {
        let want = *y + LABEL * 0.35;
        at.push(
            at.last()
                .map_or(want, |prev: &f32| want.max(prev + LABEL_STEP)),
        );
    }
    let mut limit = fr.y_bot + 2.0;
    for y in at.iter_mut().rev() {
        *y = y.min(limit);
        limit = *y - LABEL_STEP;
    }
    let mut p = Vec::new();
    for ((y, x, code), ly) in labelled.iter().zip(at) {
        p.push(Prim::Line {
            x1: *x + 3.0,
            y1: *y,
            x2: fr.right + 4.0,
            y2: ly - LABEL * 0.35,
            width: 0.3,
            colour: theme::MID_GREY,
        });
        p.push(Prim::Text {
            x: fr.right + 6.0,
            y: ly,
            size: LABEL,
            bold: false,
            colour: theme::TEXT,
            text: code.clone(),
        });
    }
    if labelled.len() > shown {
        p.push(grey(
            format!("and {} more", labelled.len() - shown),
            fr.right + 6.0,
            fr.y_bot + 11.0,
            LABEL,
        ));
    }
    p
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|k| k * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::collisions;
    use league_model::{FunnelPlot, FunnelPoint, FunnelPosition};

    fn chart(n: usize, outliers_every: usize) -> FunnelChart {
        let points: Vec<FunnelPoint> = (0..n)
            .map(|i| {
                let d = 1000.0 + 500.0 * i as f64;
                let out = outliers_every > 0 && i % outliers_every == 0;
                let p = if out { 0.95 } else { 0.72 };
                FunnelPoint {
                    trust: league_model::TrustCode::parse(&format!("Z{i:02}")).expect("code"),
                    numerator: p * d,
                    denominator: d,
                    proportion: p,
                    limits: [(0.65, 0.79), (0.6, 0.84)],
                    position: [
                        FunnelPosition::Within,
                        if out {
                            FunnelPosition::Above
                        } else {
                            FunnelPosition::Within
                        },
                    ],
                }
            })
            .collect();
        FunnelChart {
            table: "t".into(),
            measure: "OF0013".into(),
            name: "A&E attendances within 4 hours".into(),
            group: "Acute trust".into(),
            source: "s".into(),
            higher_is_better: true,
            plot: FunnelPlot {
                quarter: "Q1 2025/26".parse().expect("quarter"),
                measure: "OF0013".into(),
                peer_group: "acute".into(),
                period: "Apr-25 to Jun-25".into(),
                target: 0.72,
                phi: 2.0,
                tau2: 0.001,
                z: [1.959964, 3.090232],
                curve: (0..=10)
                    .map(|k| {
                        (
                            1000.0 + 500.0 * n as f64 * f64::from(k) / 10.0,
                            [(0.65, 0.79), (0.6, 0.84)],
                        )
                    })
                    .collect(),
                points,
            },
            names: Default::default(),
        }
    }

    #[test]
    fn outlier_labels_never_touch_marks_or_each_other() {
        let m = Metrics::new();
        for (n, every) in [(10, 0), (134, 7), (134, 1), (40, 3)] {
            let prims = funnel_chart(&m, 64.0, &chart(n, every));
            assert_eq!(collisions(&m, &prims), Vec::<String>::new(), "{n} {every}");
        }
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(11_000.0), 20_000.0);
        assert_eq!(nice_step(0.15), 0.2);
    }
}
