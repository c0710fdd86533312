//! Pareto charts: each variant's cost against its latency, with the front of the best trade-offs.
//!
//! Contract:
//! - One point per variant at its mean `(x, y)` (x: cost per day, y: a latency; both are only
//!   axis names here), with optional error bars (its confidence intervals in x and in y), and its
//!   name written beside it.
//! - The caller decides what is on the front and what is feasible; nothing is computed here.
//!   Front points are ringed, in vermillion, and joined in order of x by a staircase (across to
//!   the next point's x, then down or up to its y): the edge of what they dominate when both axes
//!   are minimised. Other feasible points are filled blue; points that fail a constraint are
//!   hollow and grey, their names grey, whatever else they are.
//! - Names are placed beside their point on the first side (right, left, above, below) where they
//!   stay inside the plot and overlap no other name or point; when no side is free, on the side
//!   with the least overlap. Long names are shortened with an ellipsis.
//! - Axes run from a little below the least value (error bars included) to a little above the
//!   greatest, not below 0 when no value is; x has more room, for the names.
//! - An optional **threshold** on y (an SLO) is a dashed grey line. The legend right of the plot
//!   names the kinds of point present and the threshold.
//! - Points with a NaN or infinite coordinate are left out; an error bar with one is not drawn.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    build_plot, color, draw_legend, draw_threshold, draw_title, fit_text, font, legend_width, marker_elements, mesh,
    msg, padded_range, span_tick_label, step_points, threshold_entry, Drawable, LegendEntry, Marker, Sample,
    LINE_WIDTH, MUTED, POINT_RADIUS, TICK_LABEL_SIZE, X_LABEL_AREA,
};

/// Variants' means on two measures to be minimised, e.g. cost per day and p99 latency.
#[derive(Clone, Debug, PartialEq)]
pub struct Pareto {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub points: Vec<ParetoPoint>,
    /// An optional horizontal line: its label and y value.
    pub threshold: Option<(String, f64)>,
}

/// One variant of a [`Pareto`] chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ParetoPoint {
    /// The variant's name, written beside its point.
    pub label: String,
    pub x: f64,
    pub y: f64,
    /// Error bars: the interval `(low, high)` of x and of y, e.g. 95% confidence intervals.
    pub x_ci: Option<(f64, f64)>,
    pub y_ci: Option<(f64, f64)>,
    /// Whether the point is on the Pareto front (no other point is at least as good on both
    /// measures and better on one).
    pub on_front: bool,
    /// Whether the variant meets the experiment's constraints.
    pub feasible: bool,
}

/// The front's colour (vermillion) and the other feasible points' (blue).
const FRONT: usize = 1;
const DOMINATED: usize = 0;
/// The longest a name may be, in pixels.
const MAX_NAME_W: u32 = 220;
/// Space between a point and its name, in pixels.
const NAME_GAP: i32 = 12;
/// Half the length of an error bar's end caps, in pixels.
const CAP: i32 = 5;

impl ParetoPoint {
    fn marker(&self) -> Marker {
        match (self.feasible, self.on_front) {
            (false, _) => Marker::Hollow(MUTED),
            (true, true) => Marker::Ringed(color(FRONT)),
            (true, false) => Marker::Filled(color(DOMINATED)),
        }
    }

    fn is_finite(&self) -> bool {
        self.x.is_finite() && self.y.is_finite()
    }
}

/// A finite interval, or none.
fn finite_ci(ci: Option<(f64, f64)>) -> Option<(f64, f64)> {
    ci.filter(|(lo, hi)| lo.is_finite() && hi.is_finite())
}

/// A rectangle in pixels: left, top, right, bottom.
type Rect = (i32, i32, i32, i32);

/// A name to place: its point and its size (width, height), in pixels.
type Name = ((i32, i32), (i32, i32));

/// The area `a` and `b` share, in square pixels.
fn overlap(a: Rect, b: Rect) -> i64 {
    let w = i64::from(a.2.min(b.2)) - i64::from(a.0.max(b.0));
    let h = i64::from(a.3.min(b.3)) - i64::from(a.1.max(b.1));
    w.max(0) * h.max(0)
}

/// The rectangle of a `(w, h)` name beside the point at `(px, py)`, on each side in order of
/// preference: right, its upper and lower corners, left and its corners, above, below.
fn name_candidates((px, py): (i32, i32), (w, h): (i32, i32)) -> [Rect; 8] {
    let g = NAME_GAP;
    let at = |x: i32, y: i32| (x, y, x + w, y + h);
    [
        at(px + g, py - h / 2),
        at(px + g, py - g - h),
        at(px + g, py + g),
        at(px - g - w, py - h / 2),
        at(px - g - w, py - g - h),
        at(px - g - w, py + g),
        at(px - w / 2, py - g - h),
        at(px - w / 2, py + g),
    ]
}

/// The rectangle around the segment from `a` to `b`, `pad` pixels wider on every side.
fn around((ax, ay): (i32, i32), (bx, by): (i32, i32), pad: i32) -> Rect {
    (ax.min(bx) - pad, ay.min(by) - pad, ax.max(bx) + pad, ay.max(by) + pad)
}

/// Places each name (its point and its size, in pixels) beside its point inside `bounds`,
/// avoiding the names placed before it and the `obstacles` (points, lines). Returns each name's
/// rectangle, in input order.
fn place_names(names: &[Name], obstacles: &[Rect], bounds: Rect) -> Vec<Rect> {
    let mut placed: Vec<Rect> = Vec::with_capacity(names.len());
    for &(point, size) in names {
        let cost = |rect: Rect| {
            let outside = i64::from(rect.2 - rect.0) * i64::from(rect.3 - rect.1) - overlap(rect, bounds);
            let names: i64 = placed.iter().map(|p| overlap(rect, *p)).sum();
            let others: i64 = obstacles.iter().map(|o| overlap(rect, *o)).sum();
            // Leaving the plot is worse than covering a name, which is worse than covering a line.
            8 * outside + 4 * names + others
        };
        let candidates = name_candidates(point, size);
        // The first candidate of least cost: `min_by_key` keeps the first of equal keys.
        let best = candidates.iter().copied().min_by_key(|c| cost(*c)).unwrap_or(candidates[0]);
        placed.push(best);
    }
    placed
}

impl Drawable for Pareto {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let body = draw_title(root, &self.title)?;
        let points: Vec<&ParetoPoint> = self.points.iter().filter(|p| p.is_finite()).collect();

        let has = |marker: fn(&Marker) -> bool| points.iter().any(|p| marker(&p.marker()));
        let mut legend = Vec::new();
        if has(|m| matches!(m, Marker::Ringed(_))) {
            legend.push(LegendEntry {
                label: "Pareto front",
                sample: Sample::Marker(Marker::Ringed(color(FRONT)), Some(color(FRONT))),
            });
        }
        if has(|m| matches!(m, Marker::Filled(_))) {
            legend.push(LegendEntry {
                label: "dominated",
                sample: Sample::Marker(Marker::Filled(color(DOMINATED)), None),
            });
        }
        if has(|m| matches!(m, Marker::Hollow(_))) {
            legend
                .push(LegendEntry { label: "fails constraints", sample: Sample::Marker(Marker::Hollow(MUTED), None) });
        }
        legend.extend(self.threshold.iter().filter(|t| t.1.is_finite()).map(|(label, _)| threshold_entry(label)));
        let legend_w = legend_width(root, &legend)?;
        let (body_w, _) = body.dim_in_pixel();
        let (plot_area, legend_area) = body.split_horizontally(body_w.saturating_sub(legend_w));

        let xs = points.iter().flat_map(|p| {
            let ci = finite_ci(p.x_ci);
            [Some(p.x), ci.map(|c| c.0), ci.map(|c| c.1)].into_iter().flatten()
        });
        let ys = points.iter().flat_map(|p| {
            let ci = finite_ci(p.y_ci);
            [Some(p.y), ci.map(|c| c.0), ci.map(|c| c.1)].into_iter().flatten()
        });
        let x = padded_range(xs, 0.15);
        let y = padded_range(ys.chain(self.threshold.as_ref().map(|t| t.1)), 0.1);
        let mut plot = build_plot(&plot_area, x, y, X_LABEL_AREA)?;
        let (x_ticks, y_ticks) = (span_tick_label(x.0, x.1), span_tick_label(y.0, y.1));
        mesh(&mut plot)
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_label_formatter(&x_ticks)
            .y_label_formatter(&y_ticks)
            .draw()
            .map_err(msg)?;
        if let Some((_, y)) = &self.threshold {
            draw_threshold(&mut plot, *y)?;
        }

        // The front's staircase, under the points.
        let mut front: Vec<(f64, f64)> = points.iter().filter(|p| p.on_front).map(|p| (p.x, p.y)).collect();
        front.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let stairs = step_points(&front);
        let mut obstacles: Vec<Rect> = Vec::new();
        for pair in stairs.windows(2) {
            obstacles.push(around(plot.backend_coord(&pair[0]), plot.backend_coord(&pair[1]), 2));
        }
        if let Some((_, y)) = self.threshold.as_ref().filter(|t| t.1.is_finite()) {
            obstacles.push(around(plot.backend_coord(&(x.0, *y)), plot.backend_coord(&(x.1, *y)), 2));
        }
        let stairs = PathElement::new(stairs, color(FRONT).stroke_width(LINE_WIDTH));
        plot.draw_series(std::iter::once(stairs)).map_err(msg)?;

        // Error bars in pixels, so that their caps have a fixed size.
        for p in &points {
            let c = if p.feasible { color(if p.on_front { FRONT } else { DOMINATED }) } else { MUTED };
            let style = c.stroke_width(1);
            if let Some((lo, hi)) = finite_ci(p.x_ci) {
                let ((x0, py), (x1, _)) = (plot.backend_coord(&(lo, p.y)), plot.backend_coord(&(hi, p.y)));
                for bar in [
                    vec![(x0, py), (x1, py)],
                    vec![(x0, py - CAP), (x0, py + CAP)],
                    vec![(x1, py - CAP), (x1, py + CAP)],
                ] {
                    root.draw(&PathElement::new(bar, style)).map_err(msg)?;
                }
            }
            if let Some((lo, hi)) = finite_ci(p.y_ci) {
                let ((px, y0), (_, y1)) = (plot.backend_coord(&(p.x, lo)), plot.backend_coord(&(p.x, hi)));
                for bar in [
                    vec![(px, y0), (px, y1)],
                    vec![(px - CAP, y0), (px + CAP, y0)],
                    vec![(px - CAP, y1), (px + CAP, y1)],
                ] {
                    root.draw(&PathElement::new(bar, style)).map_err(msg)?;
                }
            }
        }
        // Points that fail first, so that the others are drawn over them.
        let order = points.iter().filter(|p| !p.feasible).chain(points.iter().filter(|p| p.feasible));
        let r = POINT_RADIUS + 6;
        for p in order {
            plot.draw_series(marker_elements(p.marker(), (p.x, p.y))).map_err(msg)?;
            let (px, py) = plot.backend_coord(&(p.x, p.y));
            obstacles.push((px - r, py - r, px + r, py + r));
        }

        // Names, the front's placed first so they get the best places.
        let style = font(TICK_LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Top));
        let by_rank: Vec<&ParetoPoint> =
            points.iter().filter(|p| p.on_front).chain(points.iter().filter(|p| !p.on_front)).copied().collect();
        let mut names = Vec::with_capacity(by_rank.len());
        let mut texts = Vec::with_capacity(by_rank.len());
        for p in &by_rank {
            let text = fit_text(root, &p.label, &style, MAX_NAME_W)?;
            let (w, h) = root.estimate_text_size(&text, &style).map_err(msg)?;
            names.push((plot.backend_coord(&(p.x, p.y)), (w as i32, h as i32)));
            texts.push(text);
        }
        let (xr, yr) = plot.plotting_area().get_pixel_range();
        let places = place_names(&names, &obstacles, (xr.start, yr.start, xr.end, yr.end));
        for ((p, text), rect) in by_rank.iter().zip(&texts).zip(places) {
            // A white halo keeps a name readable where it must cross a line.
            let halo = Rectangle::new([(rect.0 - 2, rect.1 - 1), (rect.2 + 2, rect.3 + 1)], WHITE.mix(0.8).filled());
            root.draw(&halo).map_err(msg)?;
            let style = if p.feasible { style.clone() } else { style.color(&MUTED) };
            root.draw_text(text, &style, (rect.0, rect.1)).map_err(msg)?;
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

    fn point(label: &str, x: f64, y: f64, on_front: bool, feasible: bool) -> ParetoPoint {
        ParetoPoint {
            label: label.into(),
            x,
            y,
            x_ci: Some((x * 0.95, x * 1.05)),
            y_ci: Some((y * 0.9, y * 1.1)),
            on_front,
            feasible,
        }
    }

    /// Six variants: three on the front, two dominated, one over the SLO.
    fn six_variants() -> Pareto {
        Pareto {
            title: "Cost against p99 latency".into(),
            x_label: "cost per day (USD)".into(),
            y_label: "p99 response time (s)".into(),
            points: vec![
                point("type=c5.large,target=70", 24.0, 0.42, true, true),
                point("type=c5.xlarge,target=70", 31.0, 0.27, true, true),
                point("type=c5.xlarge,target=40", 46.0, 0.19, true, true),
                point("type=m5.large,target=40", 38.0, 0.31, false, true),
                point("type=m5.xlarge,target=40", 52.0, 0.22, false, true),
                point("type=t3.large,target=90", 17.0, 0.71, false, false),
            ],
            threshold: Some(("SLO p99 ≤ 0.5 s".into(), 0.5)),
        }
    }

    #[test]
    fn the_svg_names_every_point_and_the_threshold() {
        let chart = six_variants();
        let svg = deterministic_svg(&chart);
        for p in &chart.points {
            assert!(svg_has_text(&svg, &p.label), "{:?} missing", p.label);
        }
        for text in ["SLO p99 ≤ 0.5 s", "Pareto front", "dominated", "fails constraints", "cost per day (USD)"] {
            assert!(svg_has_text(&svg, text), "{text:?} missing");
        }
        png_is_written(&chart);
    }

    #[test]
    fn names_avoid_each_other_and_stay_in_the_plot() {
        // Three points close together: the names go to different sides.
        let names = [((100, 100), (80, 20)), ((104, 100), (80, 20)), ((100, 104), (80, 20))];
        let places = place_names(&names, &[], (0, 0, 1000, 1000));
        for (i, a) in places.iter().enumerate() {
            for b in &places[i + 1..] {
                assert_eq!(overlap(*a, *b), 0, "{a:?} overlaps {b:?}");
            }
        }
        // A point at the right edge: its name goes left.
        let places = place_names(&[((995, 500), (80, 20))], &[], (0, 0, 1000, 1000));
        assert!(places[0].2 <= 1000, "{:?}", places[0]);
        // A line to the right of the point: its name goes to a corner.
        let places = place_names(&[((500, 500), (80, 20))], &[(500, 498, 900, 502)], (0, 0, 1000, 1000));
        assert_eq!(places[0], (512, 468, 592, 488));
    }

    #[test]
    fn empty_and_non_finite_inputs_draw_without_panicking() {
        let mut chart = six_variants();
        chart.points.clear();
        assert!(svg_has_text(&deterministic_svg(&chart), "Cost against p99 latency"));
        png_is_written(&chart);
        chart.threshold = Some(("nan".into(), f64::NAN));
        chart.points = vec![
            point("nan", f64::NAN, 1.0, true, true),
            point("inf", 1.0, f64::INFINITY, false, true),
            ParetoPoint {
                x_ci: Some((f64::NEG_INFINITY, 2.0)),
                y_ci: Some((f64::NAN, 1.0)),
                ..point("bad ci", 1.0, 1.0, true, true)
            },
            ParetoPoint { x_ci: None, y_ci: None, ..point("no ci", 1.0, 1.0, true, false) },
            point("", 1e300, -1e300, false, false),
        ];
        let svg = deterministic_svg(&chart);
        assert!(svg_has_text(&svg, "bad ci") && svg_has_text(&svg, "no ci"));
        assert!(
            !svg_has_text(&svg, "nan") && !svg_has_text(&svg, "inf"),
            "a point or threshold that cannot be drawn is named"
        );
        png_is_written(&chart);
    }

    /// Writes an example to /tmp/charts for a look by eye:
    /// `cargo test --lib output::chart -- --ignored`.
    #[test]
    #[ignore]
    fn demo_png() {
        std::fs::create_dir_all("/tmp/charts").unwrap();
        write_png(&six_variants(), Path::new("/tmp/charts/pareto.png")).unwrap();
        let mut crowded = six_variants();
        crowded.points = (0..14)
            .map(|i| {
                let x = 20.0 + 2.5 * i as f64;
                let y = 0.15 + 0.5 / (1.0 + i as f64 * 0.4) + 0.04 * ((i * 7 % 5) as f64);
                point(&format!("type=c5.{}xlarge,target={}", i % 3 + 1, 40 + 5 * i), x, y, i % 4 == 0, i != 3)
            })
            .collect();
        write_png(&crowded, Path::new("/tmp/charts/pareto-crowded.png")).unwrap();
        write_png(&Pareto { points: vec![], ..six_variants() }, Path::new("/tmp/charts/pareto-empty.png")).unwrap();
    }
}
