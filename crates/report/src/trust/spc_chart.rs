//! Small SPC charts of a trust's monthly measures, two to a row: each month's value joined by a
//! line, the mean, the process limits and the standard; a month that is part of a special-cause
//! pattern is ringed (its shape, not only its colour). Labels sit outside the plot.

use league_model::SpcSeries;

use crate::pdf::{MARGIN, Metrics, Prim, WIDTH, Weight};
use crate::theme;

use super::text::with_unit;
use super::view::MonthlyLine;

/// Height of one row of panels.
pub(crate) const PANEL_H: f32 = 132.0;
const GAP: f32 = 18.0;

/// The drawing's height for `n` measures.
pub(crate) fn height(n: usize) -> f32 {
    n.div_ceil(2) as f32 * PANEL_H
}

pub(crate) fn spc_panels(m: &Metrics, top: f32, lines: &[MonthlyLine]) -> Vec<Prim> {
    let w = (WIDTH - GAP) / 2.0;
    let mut p = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let x0 = MARGIN + (i % 2) as f32 * (w + GAP);
        let y0 = top + (i / 2) as f32 * PANEL_H;
        panel(m, &mut p, x0, y0, w, l);
    }
    p
}

fn panel(m: &Metrics, p: &mut Vec<Prim>, x0: f32, y0: f32, w: f32, l: &MonthlyLine) {
    let s: &SpcSeries = &l.series;
    let grey = |text: String, x: f32, y: f32| Prim::Text {
        x,
        y,
        size: 7.0,
        bold: false,
        colour: theme::DARK_GREY,
        text,
    };
    for (k, line) in m
        .wrap(&l.name, 8.0, Weight::Bold, w)
        .into_iter()
        .take(2)
        .enumerate()
    {
        p.push(Prim::Text {
            x: x0,
            y: y0 + 9.0 + k as f32 * 9.5,
            size: 8.0,
            bold: true,
            colour: theme::TEXT,
            text: line,
        });
    }
    let (left, right) = (x0 + 34.0, x0 + w - 4.0);
    let (y_top, y_bot) = (y0 + 26.0, y0 + PANEL_H - 34.0);
    let mut lo = s
        .limits
        .0
        .min(s.values.iter().copied().fold(f64::INFINITY, f64::min));
    let mut hi = s
        .limits
        .1
        .max(s.values.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    if let Some((t, _)) = l.standard {
        lo = lo.min(t);
        hi = hi.max(t);
    }
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.05;
    // Values never go below 0 (percentages, minutes): nor does the axis; a limit below it is
    // not drawn.
    let floor = s.values.iter().all(|v| *v >= 0.0);
    let (lo, hi) = (if floor { (lo - pad).max(0.0) } else { lo - pad }, hi + pad);
    let n = s.values.len();
    let x_of = |k: usize| {
        left + (right - left)
            * if n > 1 {
                k as f32 / (n - 1) as f32
            } else {
                0.5
            }
    };
    let y_of = |v: f64| y_bot - ((v - lo) / (hi - lo)) as f32 * (y_bot - y_top);
    p.push(Prim::Line {
        x1: left,
        y1: y_bot,
        x2: right,
        y2: y_bot,
        width: 0.6,
        colour: theme::DARK_GREY,
    });
    for (v, label) in [(hi, with_unit(hi, &l.unit)), (lo, with_unit(lo, &l.unit))] {
        let tw = m.width(&label, 7.0, Weight::Regular);
        p.push(grey(label, left - 3.0 - tw, y_of(v) + 2.5));
    }
    // Limits thin and grey, the mean darker, the standard blue.
    for (v, width, colour) in [
        (s.limits.0, 0.6, theme::MID_GREY),
        (s.limits.1, 0.6, theme::MID_GREY),
        (s.mean, 0.9, theme::DARK_GREY),
    ] {
        if (lo..=hi).contains(&v) {
            p.push(Prim::Line {
                x1: left,
                y1: y_of(v),
                x2: right,
                y2: y_of(v),
                width,
                colour,
            });
        }
    }
    if let Some((t, _)) = l.standard {
        p.push(Prim::Line {
            x1: left,
            y1: y_of(t),
            x2: right,
            y2: y_of(t),
            width: 1.1,
            colour: theme::NHS_BLUE,
        });
    }
    for k in 1..n {
        p.push(Prim::Line {
            x1: x_of(k - 1),
            y1: y_of(s.values[k - 1]),
            x2: x_of(k),
            y2: y_of(s.values[k]),
            width: 0.8,
            colour: theme::DARK_BLUE,
        });
    }
    for (k, v) in s.values.iter().enumerate() {
        let special = s.rules[k].any();
        p.push(Prim::Dot {
            x: x_of(k),
            y: y_of(*v),
            r: if special { 2.4 } else { 1.4 },
            fill: theme::DARK_BLUE,
        });
        if special {
            p.push(Prim::Dot {
                x: x_of(k),
                y: y_of(*v),
                r: 1.1,
                fill: theme::WHITE,
            });
        }
    }
    let first = super::text::month_short(s.months[0]);
    let last = super::text::month_short(*s.months.last().expect("points"));
    p.push(grey(first, left, y_bot + 9.0));
    let lw = m.width(&last, 7.0, Weight::Regular);
    p.push(grey(last, right - lw, y_bot + 9.0));
    let key = format!(
        "{}{}",
        s.variation.label(),
        if s.trial { "; trial limits" } else { "" }
    );
    p.push(grey(key, left, y_bot + 19.0));
    if let Some(a) = s.assurance {
        p.push(grey(a.label().to_owned(), left, y_bot + 28.0));
    }
}
