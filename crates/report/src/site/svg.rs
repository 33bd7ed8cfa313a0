//! Charts as inline SVG: `role="img"`, a `<title>` and a `<desc>` that state the message, text
//! labels on every mark (never colour alone), the figures in a table beside them. Coordinates
//! are written to one decimal place so the bytes do not depend on float formatting.

use maud::{Markup, html};

use crate::national::{RankedChart, SegmentCounts};

const BLUE: &str = "#005eb8";
const DARK: &str = "#212b32";
const GREY: &str = "#768692";
const LIGHT: &str = "#d8dde0";

fn f(x: f64) -> String {
    format!("{x:.1}")
}

/// Bars of trusts by segment for one peer group, each bar labelled with its count and segment.
pub(super) fn segment_bars(g: &SegmentCounts, id: &str) -> Markup {
    let (w, h, base, top) = (320.0, 200.0, 150.0, 30.0);
    let max = f64::from(g.counts.iter().copied().max().unwrap_or(1).max(1));
    let slot = (w - 40.0) / 4.0;
    let counts: Vec<String> = g
        .counts
        .iter()
        .enumerate()
        .map(|(s, n)| format!("segment {}: {n}", s + 1))
        .collect();
    let desc = format!(
        "{} {}s by segment after the financial override: {}.",
        g.total(),
        g.label.to_lowercase(),
        crate::narrative::and_list(&counts)
    );
    html! {
        svg.lt-chart.lt-chart-small xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (f(w)) " " (f(h)) }
            role="img" aria-labelledby={ (id) "-t " (id) "-d" } {
            title id={ (id) "-t" } { (g.label) "s by segment" }
            desc id={ (id) "-d" } { (desc) }
            line x1="20" y1=(f(base)) x2=(f(w - 20.0)) y2=(f(base)) stroke=(DARK) stroke-width="1" {}
            @for (s, &n) in g.counts.iter().enumerate() {
                @let bh = (base - top) * f64::from(n) / max;
                @let x = 20.0 + s as f64 * slot + slot * 0.15;
                @let bw = slot * 0.7;
                rect x=(f(x)) y=(f(base - bh)) width=(f(bw)) height=(f(bh)) fill=(BLUE) {}
                text x=(f(x + bw / 2.0)) y=(f(base - bh - 6.0)) text-anchor="middle" class="lt-bold" { (n) }
                text x=(f(x + bw / 2.0)) y=(f(base + 18.0)) text-anchor="middle" { (s + 1) }
            }
            text x=(f(w / 2.0)) y=(f(base + 36.0)) text-anchor="middle" class="lt-small" { "Segment (1 best, 4 worst)" }
        }
    }
}

/// Every trust's average in league order with its likely range, the cut-points drawn and
/// labelled; lower is better.
pub(super) fn ranked(c: &RankedChart, id: &str) -> Markup {
    let (w, h, left, right, top, bottom) = (900.0, 320.0, 50.0, 20.0, 20.0, 270.0);
    let n = c.points.len().max(1) as f64;
    let lo = c
        .points
        .iter()
        .map(|p| p.low)
        .fold(f64::INFINITY, f64::min)
        .min(c.cuts.map_or(4.0, |k| k[0]))
        .floor()
        .max(1.0);
    let hi = c
        .points
        .iter()
        .map(|p| p.high)
        .fold(f64::NEG_INFINITY, f64::max)
        .max(c.cuts.map_or(1.0, |k| k[2]))
        .ceil()
        .min(4.0);
    let span = (hi - lo).max(0.5);
    let y = |v: f64| top + (v - lo) / span * (bottom - top);
    let x = |i: usize| left + (i as f64 + 0.5) / n * (w - left - right);
    let desc = format!(
        "The average metric score of each of the {} {}s in league order, from rank 1 on the left, with a vertical line for its likely range. Lower averages are better; {}. The league table below gives every figure.",
        c.points.len(),
        c.label.to_lowercase(),
        c.cuts.map_or_else(
            || "the segment cut-points are not known".to_owned(),
            |k| format!(
                "the dashed lines are the segment cut-points at {:.3}, {:.3} and {:.3}",
                k[0], k[1], k[2]
            )
        )
    );
    html! {
        svg.lt-chart xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (f(w)) " " (f(h)) }
            role="img" aria-labelledby={ (id) "-t " (id) "-d" } {
            title id={ (id) "-t" } { "Average metric score with likely range, " (c.label.to_lowercase()) "s in league order" }
            desc id={ (id) "-d" } { (desc) }
            @for t in (0..=((span * 2.0).round() as usize)).map(|k| lo + k as f64 * 0.5) {
                line x1=(f(left)) y1=(f(y(t))) x2=(f(w - right)) y2=(f(y(t))) stroke=(LIGHT) stroke-width="1" {}
                text x=(f(left - 8.0)) y=(f(y(t) + 4.0)) text-anchor="end" class="lt-small" { (format!("{t:.1}")) }
            }
            @if let Some(k) = c.cuts {
                @for (i, cut) in k.iter().enumerate() {
                    line x1=(f(left)) y1=(f(y(*cut))) x2=(f(w - right)) y2=(f(y(*cut)))
                        stroke=(DARK) stroke-width="1" stroke-dasharray="6 4" {}
                    text x=(f(w - right)) y=(f(y(*cut) - 4.0)) text-anchor="end" class="lt-small" {
                        "Segment " (i + 1) " | " (i + 2) " at " (format!("{cut:.3}"))
                    }
                }
            }
            @let ranges: String = c.points.iter().enumerate().map(|(i, p)| format!("M{} {}V{}", f(x(i)), f(y(p.low)), f(y(p.high)))).collect();
            path d=(ranges) stroke=(GREY) stroke-width="1.5" fill="none" {}
            @let dots: String = c.points.iter().enumerate().map(|(i, p)| format!("M{} {}h0", f(x(i)), f(y(p.average)))).collect();
            path d=(dots) stroke=(BLUE) stroke-width="5" stroke-linecap="round" fill="none" {}
            text x=(f(left)) y=(f(h - 20.0)) class="lt-small" { "Rank 1 (best)" }
            text x=(f(w - right)) y=(f(h - 20.0)) text-anchor="end" class="lt-small" { "Rank " (c.points.len()) }
            text x=(f(left)) y=(f(h - 4.0)) class="lt-small" { "Average metric score: 1 best, 4 worst" }
        }
    }
}

/// One trust among its peers: every peer's average as a small grey tick, this trust's as a
/// labelled diamond, the cut-points dashed and labelled.
pub(super) struct Strip<'a> {
    /// Element id prefix.
    pub id: &'a str,
    /// The trust's name.
    pub name: &'a str,
    /// Its average and likely range.
    pub average: (f64, f64, f64),
    /// Its segment.
    pub segment: u8,
    /// Every trust's average in the peer group, including this one.
    pub peers: Vec<f64>,
    /// Cut-points.
    pub cuts: [f64; 3],
    /// "acute trusts".
    pub group: &'a str,
}

pub(super) fn strip(s: &Strip<'_>) -> Markup {
    let (w, h, left, right) = (900.0, 120.0, 20.0, 20.0);
    let lo = s
        .peers
        .iter()
        .copied()
        .fold(s.cuts[0], f64::min)
        .min(s.average.1)
        .floor();
    let hi = s
        .peers
        .iter()
        .copied()
        .fold(s.cuts[2], f64::max)
        .max(s.average.2)
        .ceil();
    let span = (hi - lo).max(0.5);
    let x = |v: f64| left + (v - lo) / span * (w - left - right);
    let (avg, low, high) = s.average;
    let desc = format!(
        "{}'s average metric score of {avg:.2} (likely range {low:.2} to {high:.2}) among the averages of the {} {}, lower being better; it places the trust in segment {} on its average. The dashed lines are the segment cut-points at {:.3}, {:.3} and {:.3}.",
        s.name,
        s.peers.len(),
        s.group,
        s.segment,
        s.cuts[0],
        s.cuts[1],
        s.cuts[2]
    );
    html! {
        svg.lt-chart xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (f(w)) " " (f(h)) }
            role="img" aria-labelledby={ (s.id) "-t " (s.id) "-d" } {
            title id={ (s.id) "-t" } { "Where the trust's average stands among its peers" }
            desc id={ (s.id) "-d" } { (desc) }
            line x1=(f(left)) y1="60" x2=(f(w - right)) y2="60" stroke=(LIGHT) stroke-width="1" {}
            @let ticks: String = s.peers.iter().map(|v| format!("M{} 52V68", f(x(*v)))).collect();
            path d=(ticks) stroke=(GREY) stroke-width="1" fill="none" {}
            @for (i, cut) in s.cuts.iter().enumerate() {
                line x1=(f(x(*cut))) y1="30" x2=(f(x(*cut))) y2="90" stroke=(DARK) stroke-width="1" stroke-dasharray="4 3" {}
                text x=(f(x(*cut))) y="104" text-anchor="middle" class="lt-small" { (i + 1) " | " (i + 2) }
            }
            line x1=(f(x(low))) y1="60" x2=(f(x(high))) y2="60" stroke=(BLUE) stroke-width="3" {}
            @let cx = x(avg);
            polygon points={ (f(cx)) ",50 " (f(cx + 8.0)) ",60 " (f(cx)) ",70 " (f(cx - 8.0)) ",60" } fill=(BLUE) stroke=(DARK) stroke-width="1" {}
            text x=(f(cx)) y="40" text-anchor="middle" class="lt-bold" { (format!("{avg:.2}")) }
            text x=(f(left)) y="18" class="lt-small" { (format!("{lo:.1}")) " (better)" }
            text x=(f(w - right)) y="18" text-anchor="end" class="lt-small" { (format!("{hi:.1}")) " (worse)" }
        }
    }
}
