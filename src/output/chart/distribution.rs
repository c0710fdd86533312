//! Distribution charts: one measure across an experiment's variants, a box plot per variant with
//! every seed's value drawn over it.
//!
//! Contract:
//! - **Box.** The box spans the first to the third quartile, with a thicker line at the median;
//!   quartiles are interpolated linearly between the sorted values (`Q(p)` at rank
//!   `p · (n − 1)`, the default of R, NumPy and spreadsheets).
//! - **Whiskers** follow Tukey: each reaches the most extreme value within 1.5 IQR of its end of
//!   the box. Values beyond are outliers; they get no marker of their own because the strip
//!   already draws every value, so an outlier is a point beyond a whisker.
//! - **Strip.** Every value is a point over its box, shifted sideways by a jitter that depends
//!   only on its index in the variant's list (the seed's position): the golden-ratio sequence
//!   `frac(i · 0.618…)`, which spreads any number of points evenly. No generator, no clock.
//! - **Categories.** Variants sit along x in the given order, each in its own palette colour, named
//!   under the axis. Names are wrapped after commas and at spaces (`type=c5.xlarge,` /
//!   `target=40`) when that fits them into their slot in at most three lines; otherwise every
//!   name is written on one line read upwards, shortened with an ellipsis past a maximum length.
//!   Slots narrower than a line of text (dozens of variants) name only every k-th variant, so
//!   names never overlap. A variant with no finite value shows "no data" in its slot.
//! - **y** is the measure (`y_label` names it and its unit), from a little below the least value
//!   to a little above the greatest (and the threshold), not below 0 when no value is.
//! - An optional **threshold** (an SLO, a constraint) is a dashed grey line, named in a legend
//!   right of the plot (only then is there a legend: the variants are named on the axis).
//! - NaN and infinite values are left out of the box and the strip (but keep their index for the
//!   jitter, so a seed's point stays where it is when another seed fails).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    build_plot, color, draw_legend, draw_threshold, draw_title, fit_text, font, legend_width, mesh, msg, padded_range,
    span_tick_label, threshold_entry, Drawable, LegendEntry, FILL_ALPHA, LINE_WIDTH, MUTED, PLOT_MARGIN,
    TICK_LABEL_SIZE, Y_LABEL_AREA,
};

/// One measure of every variant: a box per variant, over the values of its seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct Distribution {
    pub title: String,
    /// The measure and its unit, e.g. `p99 response time (s)`.
    pub y_label: String,
    /// In order along x: each variant's name and its values, one per seed, in seed order.
    pub variants: Vec<(String, Vec<f64>)>,
    /// An optional horizontal line: its label and value.
    pub threshold: Option<(String, f64)>,
}

/// A box plot's five numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
struct BoxStats {
    whisker_lo: f64,
    q1: f64,
    median: f64,
    q3: f64,
    whisker_hi: f64,
}

impl BoxStats {
    /// The box of the finite `values`; `None` if there are none.
    fn of(values: &[f64]) -> Option<BoxStats> {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        let (q1, median, q3) = (quantile(&sorted, 0.25)?, quantile(&sorted, 0.5)?, quantile(&sorted, 0.75)?);
        let reach = 1.5 * (q3 - q1);
        let inside = |v: &&f64| **v >= q1 - reach && **v <= q3 + reach;
        let whisker_lo = sorted.iter().find(inside).copied().unwrap_or(q1).min(q1);
        let whisker_hi = sorted.iter().rev().find(inside).copied().unwrap_or(q3).max(q3);
        Some(BoxStats { whisker_lo, q1, median, q3, whisker_hi })
    }
}

/// The `p` quantile of ascending `sorted`, interpolated linearly between ranks.
fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let rank = p.clamp(0.0, 1.0) * last as f64;
    let (below, frac) = (rank.floor() as usize, rank.fract());
    let lo = *sorted.get(below)?;
    let hi = *sorted.get((below + 1).min(last))?;
    Some(lo + (hi - lo) * frac)
}

/// Where the `i`-th value of a strip sits across its box, in `[-0.5, 0.5)`.
fn jitter(i: usize) -> f64 {
    const GOLDEN: f64 = 0.618_033_988_749_895;
    (i as f64 * GOLDEN).fract() - 0.5
}

/// At most this many lines per wrapped variant name.
const MAX_LINES: usize = 3;
/// Height of a line of a wrapped name, in pixels.
const LINE_HEIGHT: i32 = 20;
/// The longest an upright-read (rotated) name may be, in pixels.
const MAX_ROTATED_W: u32 = 260;
/// Space between the axis and the names, in pixels.
const LABEL_GAP: i32 = 10;
/// Half the width of a box, at most, in pixels (a lone variant would otherwise fill the plot).
const MAX_HALF_BOX: f64 = 60.0;

/// How the variant names sit under the x axis.
#[derive(Clone, Debug, PartialEq)]
enum XLabels {
    /// Each name in lines that fit its slot.
    Wrapped(Vec<Vec<String>>),
    /// Each name on one line, rotated to read upwards.
    Rotated(Vec<String>),
}

impl XLabels {
    /// Lays `names` out under slots `slot_w` pixels wide; returns the height they need.
    fn layout<DB: DrawingBackend>(
        root: &DrawingArea<DB, Shift>,
        names: &[&str],
        slot_w: u32,
    ) -> Result<(XLabels, u32), String> {
        let style = font(TICK_LABEL_SIZE);
        let max_w = slot_w.saturating_sub(8);
        let width = |s: &str| root.estimate_text_size(s, &style).map(|(w, _)| w).map_err(msg);
        let mut wrapped = Vec::with_capacity(names.len());
        let mut fits = true;
        for name in names {
            let lines = wrap(name, max_w, &width)?;
            let mut too_wide = false;
            for line in &lines {
                too_wide |= width(line)? > max_w;
            }
            if too_wide || lines.len() > MAX_LINES {
                fits = false;
                break;
            }
            wrapped.push(lines);
        }
        if fits {
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1) as u32;
            return Ok((XLabels::Wrapped(wrapped), LABEL_GAP as u32 + lines * LINE_HEIGHT as u32 + 8));
        }
        let mut rotated = Vec::with_capacity(names.len());
        let mut longest = 0;
        for name in names {
            let text = fit_text(root, name, &style, MAX_ROTATED_W)?;
            longest = longest.max(width(&text)?);
            rotated.push(text);
        }
        Ok((XLabels::Rotated(rotated), LABEL_GAP as u32 + longest + 8))
    }
}

/// `text` in lines of at most `max_w` pixels, broken after commas and at spaces (a piece longer
/// than `max_w` gets a line of its own, which is then too wide).
fn wrap(text: &str, max_w: u32, width: &dyn Fn(&str) -> Result<u32, String>) -> Result<Vec<String>, String> {
    let mut pieces: Vec<String> = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        current.push(c);
        if c == ',' || c == ' ' {
            pieces.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for piece in pieces {
        let candidate = format!("{line}{piece}");
        if line.is_empty() || width(candidate.trim_end())? <= max_w {
            line = candidate;
        } else {
            lines.push(line.trim_end().to_string());
            line = piece;
        }
    }
    lines.push(line.trim_end().to_string());
    Ok(lines)
}

impl Drawable for Distribution {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let body = draw_title(root, &self.title)?;
        let n = self.variants.len();
        let boxes: Vec<Option<BoxStats>> = self.variants.iter().map(|(_, values)| BoxStats::of(values)).collect();

        let threshold = self.threshold.iter().filter(|t| t.1.is_finite());
        let legend: Vec<LegendEntry> = threshold.map(|(label, _)| threshold_entry(label)).collect();
        let legend_w = legend_width(root, &legend)?;
        let (body_w, _) = body.dim_in_pixel();
        let (plot_area, legend_area) = body.split_horizontally(body_w.saturating_sub(legend_w));
        let plot_w = plot_area.dim_in_pixel().0.saturating_sub(2 * PLOT_MARGIN + Y_LABEL_AREA);
        let slot_w = plot_w / n.max(1) as u32;
        let names: Vec<&str> = self.variants.iter().map(|(name, _)| name.as_str()).collect();
        let (labels, label_h) = XLabels::layout(root, &names, slot_w)?;

        let values = self.variants.iter().flat_map(|(_, values)| values.iter().copied());
        let threshold = self.threshold.as_ref().map(|(_, y)| *y);
        let (y0, y1) = padded_range(values.chain(threshold), 0.08);
        let x = (-0.5, n.max(1) as f64 - 0.5);
        let mut plot = build_plot(&plot_area, x, (y0, y1), label_h)?;
        let y_ticks = span_tick_label(y0, y1);
        mesh(&mut plot)
            .x_labels(0)
            .disable_x_mesh()
            .y_desc(self.y_label.as_str())
            .y_label_formatter(&y_ticks)
            .draw()
            .map_err(msg)?;

        if let Some((_, y)) = &self.threshold {
            draw_threshold(&mut plot, *y)?;
        }
        let half = 0.3f64.min(MAX_HALF_BOX / f64::from(slot_w.max(1)));
        for (i, ((_, values), stats)) in self.variants.iter().zip(&boxes).enumerate() {
            let at = i as f64;
            let c = color(i);
            let Some(b) = stats else {
                let text = font(TICK_LABEL_SIZE).color(&MUTED).pos(Pos::new(HPos::Center, VPos::Center));
                let mid = (y0 + y1) / 2.0;
                plot.draw_series(std::iter::once(Text::new("no data", (at, mid), text))).map_err(msg)?;
                continue;
            };
            let line = c.stroke_width(LINE_WIDTH);
            let cap = half / 2.0;
            let whiskers = [
                vec![(at, b.q3), (at, b.whisker_hi)],
                vec![(at, b.q1), (at, b.whisker_lo)],
                vec![(at - cap, b.whisker_hi), (at + cap, b.whisker_hi)],
                vec![(at - cap, b.whisker_lo), (at + cap, b.whisker_lo)],
            ];
            plot.draw_series(whiskers.into_iter().map(|w| PathElement::new(w, line))).map_err(msg)?;
            let corners = [(at - half, b.q3), (at + half, b.q1)];
            plot.draw_series([Rectangle::new(corners, c.mix(FILL_ALPHA).filled()), Rectangle::new(corners, line)])
                .map_err(msg)?;
            let median = PathElement::new(vec![(at - half, b.median), (at + half, b.median)], c.stroke_width(4));
            plot.draw_series(std::iter::once(median)).map_err(msg)?;
            let strip = values.iter().enumerate().filter(|(_, v)| v.is_finite());
            let points = strip.map(|(k, v)| (at + jitter(k) * half * 1.4, *v));
            plot.draw_series(
                points.flat_map(|p| [Circle::new(p, 4, c.filled()), Circle::new(p, 4, WHITE.stroke_width(1))]),
            )
            .map_err(msg)?;
        }

        // The names, and a tick for each slot, in pixels under the axis.
        let tick_style = BLACK.stroke_width(1);
        for i in 0..n {
            let (px, py) = plot.backend_coord(&(i as f64, y0));
            root.draw(&PathElement::new(vec![(px, py), (px, py + 5)], tick_style)).map_err(msg)?;
            match &labels {
                XLabels::Wrapped(names) => {
                    let style = font(TICK_LABEL_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
                    for (k, line) in names.get(i).into_iter().flatten().enumerate() {
                        let y = py + LABEL_GAP + k as i32 * LINE_HEIGHT;
                        root.draw_text(line, &style, (px, y)).map_err(msg)?;
                    }
                }
                XLabels::Rotated(names) => {
                    let style = font(TICK_LABEL_SIZE)
                        .transform(FontTransform::Rotate270)
                        .pos(Pos::new(HPos::Right, VPos::Center));
                    let every = (LINE_HEIGHT as u32).div_ceil(slot_w.max(1)) as usize;
                    if let Some(name) = names.get(i).filter(|_| i % every == 0) {
                        root.draw_text(name, &style, (px, py + LABEL_GAP)).map_err(msg)?;
                    }
                }
            }
        }
        draw_legend(&legend_area, &legend)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::output::chart::tests::{deterministic_svg, png_is_written, svg_has_text};
    use crate::output::chart::write_png;

    /// Four instance types × target utilisations, ten seeds each, one with an outlier.
    fn four_variants() -> Distribution {
        let variants =
            [("c5.xlarge", 40, 0.21), ("c5.xlarge", 70, 0.34), ("m5.large", 40, 0.26), ("m5.large", 70, 0.52)]
                .into_iter()
                .map(|(ty, target, base)| {
                    let values: Vec<f64> = (0..10)
                        .map(|s| base + 0.04 * (((s * 7 + target) % 11) as f64 / 10.0 - 0.5))
                        .chain(if target == 70 && ty == "m5.large" { Some(0.95) } else { None })
                        .collect();
                    (format!("type={ty},target={target}"), values)
                })
                .collect();
        Distribution {
            title: "p99 response time by variant".into(),
            y_label: "p99 response time (s)".into(),
            variants,
            threshold: Some(("SLO 0.5 s".into(), 0.5)),
        }
    }

    #[test]
    fn quartiles_interpolate_and_whiskers_stop_at_one_and_a_half_iqr() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[3.0], 0.25), Some(3.0));
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.25), Some(1.75));
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.5));
        let b = BoxStats::of(&[1.0, 2.0, 3.0, 4.0, 5.0, 100.0, f64::NAN]).unwrap();
        assert_eq!((b.q1, b.median, b.q3), (2.25, 3.5, 4.75));
        // 100 is beyond q3 + 1.5 IQR = 8.5: an outlier, so the whisker stops at 5.
        assert_eq!((b.whisker_lo, b.whisker_hi), (1.0, 5.0));
        assert_eq!(BoxStats::of(&[f64::NAN]), None);
    }

    #[test]
    fn jitter_is_spread_and_fixed_by_index() {
        let xs: Vec<f64> = (0..20).map(jitter).collect();
        assert!(xs.iter().all(|x| (-0.5..0.5).contains(x)));
        assert_eq!(xs, (0..20).map(jitter).collect::<Vec<_>>());
        assert!(xs.iter().any(|x| *x < -0.3) && xs.iter().any(|x| *x > 0.3));
    }

    #[test]
    fn names_wrap_after_commas() {
        let width = |s: &str| Ok(s.chars().count() as u32 * 10);
        assert_eq!(wrap("type=c5.xlarge,target=40", 160, &width).unwrap(), ["type=c5.xlarge,", "target=40"]);
        assert_eq!(wrap("a,b", 160, &width).unwrap(), ["a,b"]);
        assert_eq!(wrap("one two three", 80, &width).unwrap(), ["one two", "three"]);
        assert_eq!(wrap("", 80, &width).unwrap(), [""]);
    }

    #[test]
    fn the_svg_names_every_variant_and_the_threshold() {
        let chart = four_variants();
        let svg = deterministic_svg(&chart);
        for text in ["p99 response time by variant", "p99 response time (s)", "SLO 0.5 s"] {
            assert!(svg_has_text(&svg, text), "{text:?} missing");
        }
        // Whole or wrapped after the comma.
        let named = |svg: &str, name: &str| {
            let (first, second) = name.split_once(',').unwrap();
            svg_has_text(svg, name) || (svg_has_text(svg, &format!("{first},")) && svg_has_text(svg, second))
        };
        for (name, _) in &chart.variants {
            assert!(named(&svg, name), "{name:?} missing");
        }
        // Six slots of ~150 px: each name wraps after its comma.
        let mut six = chart.clone();
        six.variants.extend(chart.variants[..2].iter().map(|(name, v)| (name.replace("type", "kind"), v.clone())));
        let svg = deterministic_svg(&six);
        // Only the y axis's name reads upwards.
        assert_eq!(svg.matches("rotate(270").count(), 1, "names rotated");
        for (name, _) in &six.variants {
            let (first, second) = name.split_once(',').unwrap();
            assert!(svg_has_text(&svg, &format!("{first},")) && svg_has_text(&svg, second), "{name:?} missing");
        }
        png_is_written(&chart);
    }

    #[test]
    fn many_long_names_are_rotated_whole() {
        let mut chart = four_variants();
        chart.variants = (0..12).map(|i| (format!("type=c5.{i}xlarge,target={}", 30 + i), vec![i as f64])).collect();
        chart.variants[0].0.push_str(",spread=binpack,placement=one-per-host");
        let svg = deterministic_svg(&chart);
        assert_eq!(svg.matches("rotate(270").count(), 1 + 12, "names not rotated");
        assert!(svg_has_text(&svg, "type=c5.3xlarge,target=33"));
        assert!(svg.contains("\ntype=c5.0xlarge,target=30,") && svg.contains("…\n</text>"), "not shortened");
    }

    #[test]
    fn empty_and_non_finite_inputs_draw_without_panicking() {
        let empty = Distribution { title: "Nothing".into(), y_label: "s".into(), variants: vec![], threshold: None };
        assert!(svg_has_text(&deterministic_svg(&empty), "Nothing"));
        png_is_written(&empty);
        let odd = Distribution {
            title: "Odd".into(),
            y_label: "s".into(),
            variants: vec![
                ("nan".into(), vec![f64::NAN, f64::INFINITY]),
                ("none".into(), vec![]),
                ("one".into(), vec![2.0]),
                ("huge".into(), vec![1e300, -1e300, 0.0]),
            ],
            threshold: Some(("not a number".into(), f64::NAN)),
        };
        let svg = deterministic_svg(&odd);
        assert!(svg_has_text(&svg, "no data"));
        png_is_written(&odd);
        let flat = Distribution {
            title: "Flat".into(),
            y_label: "s".into(),
            variants: vec![("same".into(), vec![0.0; 5])],
            threshold: Some(("zero".into(), 0.0)),
        };
        deterministic_svg(&flat);
        // More variants than the axis has room to name: every k-th is named.
        let crowd = Distribution {
            title: "Crowd".into(),
            y_label: "s".into(),
            variants: (0..200).map(|i| (format!("variant {i}"), vec![i as f64])).collect(),
            threshold: None,
        };
        let svg = deterministic_svg(&crowd);
        assert!(svg_has_text(&svg, "variant 0") && !svg_has_text(&svg, "variant 1"));
        png_is_written(&crowd);
    }

    /// Writes examples to /tmp/charts for a look by eye:
    /// `cargo test --lib output::chart -- --ignored`.
    #[test]
    #[ignore]
    fn demo_png() {
        std::fs::create_dir_all("/tmp/charts").unwrap();
        write_png(&four_variants(), Path::new("/tmp/charts/distribution.png")).unwrap();
        let mut many = four_variants();
        many.variants = (0..12)
            .map(|i| {
                let values = (0..8).map(|s| 0.1 + 0.01 * i as f64 + 0.005 * jitter(s * 3 + i)).collect();
                (format!("type=c5.{}xlarge,target={},spread=binpack", 1 + i % 4, 30 + 5 * i), values)
            })
            .collect();
        write_png(&many, Path::new("/tmp/charts/distribution-rotated.png")).unwrap();
        let mut six = four_variants();
        six.threshold = None;
        six.variants = ["c5.large", "c5.xlarge", "m5.large", "m5.xlarge", "r5.large", "t3.large"]
            .iter()
            .enumerate()
            .map(|(i, ty)| {
                let values = (0..20).map(|s| 0.2 + 0.03 * i as f64 + 0.08 * jitter(s * 5 + i).powi(3) * 4.0).collect();
                (format!("type={ty},target={}", 40 + 10 * i), values)
            })
            .collect();
        write_png(&six, Path::new("/tmp/charts/distribution-wrapped.png")).unwrap();
        write_png(
            &Distribution { title: "Nothing yet".into(), y_label: "p99 (s)".into(), variants: vec![], threshold: None },
            Path::new("/tmp/charts/distribution-empty.png"),
        )
        .unwrap();
    }
}
