//! The letter's small SPC charts: one panel per monthly measure, three to a row. Each panel draws
//! the months' values joined by a line, the mean, the process limits and the standard where
//! there is one; a month that is part of a special-cause pattern is ringed (a shape, not only a
//! colour). Axis labels sit outside the plot, so no label can cover a point. The letter's table
//! beside it gives the latest month, the variation, the assurance and the funnel position in
//! words; the figure's alternative text says what each panel shows.

use crate::pdf::{MARGIN, Marker, Metrics, Prim, WIDTH, Weight, point};
use crate::theme;

use super::text::{month_long, month_short, with_unit};
use super::view::MonthlyLine;

/// Panels in a row.
const ACROSS: usize = 3;
/// Height of one row of panels, in points.
const PANEL_H: f32 = 84.0;
/// Space between panels in a row.
const GAP: f32 = 14.0;
/// Label size.
const LABEL: f32 = 6.5;
/// Length of a dash of the standard's line.
const DASH: f32 = 4.0;

/// The drawing's height for `n` measures.
pub(crate) fn height(n: usize) -> f32 {
    n.div_ceil(ACROSS) as f32 * PANEL_H
}

/// Every measure's panel, the first row's top at `top`.
pub(crate) fn panels(m: &Metrics, top: f32, lines: &[MonthlyLine]) -> Vec<Prim> {
    let w = (WIDTH - GAP * (ACROSS - 1) as f32) / ACROSS as f32;
    let mut p = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let x0 = MARGIN + (i % ACROSS) as f32 * (w + GAP);
        let y0 = top + (i / ACROSS) as f32 * PANEL_H;
        panel(m, &mut p, (x0, y0, w), l);
    }
    p
}

/// The figure's alternative text: each panel's measure, months, latest value, mean and limits,
/// the months in a special-cause pattern and the latest month's variation.
pub(crate) fn alt_text(trust: &str, lines: &[MonthlyLine]) -> String {
    let each: Vec<String> = lines
        .iter()
        .map(|l| {
            let s = &l.series;
            let last = *s.months.last().expect("a chart has points");
            let special: Vec<String> = s
                .months
                .iter()
                .zip(&s.rules)
                .filter(|(_, r)| r.any())
                .map(|(m, _)| month_short(*m))
                .collect();
            format!(
                "{} ({}), {} to {}: latest {} in {}, mean {}, process limits {} to {}{}; {}; {}",
                l.short_name,
                l.id,
                month_short(s.months[0]),
                month_short(last),
                with_unit(*s.values.last().expect("a chart has points"), &l.unit),
                month_long(last),
                with_unit(s.mean, &l.unit),
                with_unit(s.limits.0.max(0.0), &l.unit),
                with_unit(s.limits.1, &l.unit),
                if s.trial { " (trial limits)" } else { "" },
                if special.is_empty() {
                    "no month in a special-cause pattern".to_owned()
                } else {
                    format!("special-cause months {}", special.join(", "))
                },
                s.variation.label().to_lowercase()
            )
        })
        .collect();
    format!(
        "Small statistical process control charts of {} monthly measures for {trust}. {}.",
        lines.len(),
        each.join(". ")
    )
}

/// The axis range: the values, the limits and the standard, padded; never below 0 when no value
/// is.
fn range(l: &MonthlyLine) -> (f64, f64) {
    let s = &l.series;
    let fold = |init: f64, f: fn(f64, f64) -> f64| s.values.iter().copied().fold(init, f);
    let mut lo = s.limits.0.min(fold(f64::INFINITY, f64::min));
    let mut hi = s.limits.1.max(fold(f64::NEG_INFINITY, f64::max));
    if let Some((t, _)) = l.standard {
        lo = lo.min(t);
        hi = hi.max(t);
    }
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.06;
    // A percentage never goes below 0 or above 100, nor does its axis: a limit beyond is not
    // drawn. Other values never go below 0 when none is.
    let floor = s.values.iter().all(|v| *v >= 0.0);
    let ceiling = l.unit == "%" && s.values.iter().all(|v| *v <= 100.0);
    (
        if floor { (lo - pad).max(0.0) } else { lo - pad },
        if ceiling {
            (hi + pad).min(100.0)
        } else {
            hi + pad
        },
    )
}

/// One panel's plotting area and value scale.
struct Plot {
    /// Left and right ends of the horizontal lines.
    left: f32,
    right: f32,
    /// Top and bottom of the plot.
    y_top: f32,
    y_bot: f32,
    /// The value scale.
    lo: f64,
    hi: f64,
    /// Months plotted.
    n: usize,
}

impl Plot {
    /// Points are inset from the axis so a ringed point never reaches the labels beside it.
    fn x(&self, k: usize) -> f32 {
        let (first, last) = (self.left + 4.0, self.right - 3.0);
        first
            + (last - first)
                * if self.n > 1 {
                    k as f32 / (self.n - 1) as f32
                } else {
                    0.5
                }
    }

    fn y(&self, v: f64) -> f32 {
        self.y_bot - ((v - self.lo) / (self.hi - self.lo)) as f32 * (self.y_bot - self.y_top)
    }

    /// A horizontal line across the plot at `y`.
    fn rule(&self, y: f32, width: f32, colour: theme::Rgb) -> Prim {
        Prim::Line {
            x1: self.left,
            y1: y,
            x2: self.right,
            y2: y,
            width,
            colour,
        }
    }
}

fn label(text: String, x: f32, y: f32) -> Prim {
    Prim::Text {
        x,
        y,
        size: LABEL,
        bold: false,
        colour: theme::DARK_GREY,
        text,
    }
}

/// A panel: the title, the axis labels, the series ([`series`]), the first and last months and
/// the latest month's variation.
fn panel(m: &Metrics, p: &mut Vec<Prim>, (x0, y0, w): (f32, f32, f32), l: &MonthlyLine) {
    let s = &l.series;
    let title = m
        .wrap(
            &format!("{} ({})", l.short_name, l.id),
            7.5,
            Weight::Bold,
            w,
        )
        .into_iter()
        .next()
        .unwrap_or_default();
    p.push(Prim::Text {
        x: x0,
        y: y0 + 8.0,
        size: 7.5,
        bold: true,
        colour: theme::TEXT,
        text: title,
    });
    let (lo, hi) = range(l);
    let (hi_label, lo_label) = (with_unit(hi, &l.unit), with_unit(lo, &l.unit));
    let (hi_w, lo_w) = (
        m.width(&hi_label, LABEL, Weight::Regular),
        m.width(&lo_label, LABEL, Weight::Regular),
    );
    let left = x0 + hi_w.max(lo_w) + 4.0;
    let plot = Plot {
        left,
        right: x0 + w - 3.0,
        y_top: y0 + 16.0,
        y_bot: y0 + PANEL_H - 24.0,
        lo,
        hi,
        n: s.values.len(),
    };
    // The axis pale, so it is not read as the mean or a limit.
    p.push(plot.rule(plot.y_bot, 0.5, theme::PALE_GREY));
    p.push(label(hi_label, left - 2.0 - hi_w, plot.y_top + 2.0));
    p.push(label(lo_label, left - 2.0 - lo_w, plot.y_bot));
    series(p, &plot, l);
    let last = month_short(*s.months.last().expect("a chart has points"));
    let last_w = m.width(&last, LABEL, Weight::Regular);
    p.push(label(month_short(s.months[0]), left, plot.y_bot + 9.0));
    p.push(label(last, plot.right - last_w, plot.y_bot + 9.0));
    // A series with no movement at all has limits of no width: said as it is.
    let key = if s.limits.1 - s.limits.0 < 1e-9 {
        format!("Every month {}: no variation", with_unit(s.mean, &l.unit))
    } else {
        format!(
            "{}{}",
            s.variation.label(),
            if s.trial { "; trial limits" } else { "" }
        )
    };
    p.push(label(key, left, plot.y_bot + 17.0));
}

/// The limits, mean and standard, then the months' values joined by a line, a month in a
/// special-cause pattern ringed.
fn series(p: &mut Vec<Prim>, plot: &Plot, l: &MonthlyLine) {
    let s = &l.series;
    // Limits thin and mid grey, the mean darker and thicker, the standard NHS blue and thickest.
    for (v, width, colour) in [
        (s.limits.0, 0.5, theme::MID_GREY),
        (s.limits.1, 0.5, theme::MID_GREY),
        (s.mean, 0.9, theme::DARK_GREY),
    ] {
        if (plot.lo..=plot.hi).contains(&v) {
            p.push(plot.rule(plot.y(v), width, colour));
        }
    }
    // The standard dashed as well as blue, so it is told from the mean by more than colour.
    if let Some((t, _)) = l.standard
        && (plot.lo..=plot.hi).contains(&t)
    {
        let y = plot.y(t);
        let mut x = plot.left;
        while x < plot.right {
            p.push(Prim::Line {
                x1: x,
                y1: y,
                x2: (x + DASH).min(plot.right),
                y2: y,
                width: 1.2,
                colour: theme::NHS_BLUE,
            });
            x += DASH * 1.75;
        }
    }
    for k in 1..plot.n {
        p.push(Prim::Line {
            x1: plot.x(k - 1),
            y1: plot.y(s.values[k - 1]),
            x2: plot.x(k),
            y2: plot.y(s.values[k]),
            width: 0.8,
            colour: theme::DARK_BLUE,
        });
    }
    let r = Marker {
        plain: 1.3,
        ring: 2.3,
        hole: 1.1,
    };
    for (k, v) in s.values.iter().enumerate() {
        let special = s.rules[k].any();
        p.extend(point(plot.x(k), plot.y(*v), special, r, theme::DARK_BLUE));
    }
}
