//! Band charts: a metric over simulated time across an experiment's seeds, one band per variant.
//!
//! Contract:
//! - Each [`Band`] is a variant: its median across seeds as a solid line, and the range from its
//!   10th to its 90th percentile as a translucent area around it in the same (palette) colour.
//!   The caller computes the percentiles; nothing is computed here.
//! - Lines and bands go straight from sample to sample: they summarise several runs, so they are
//!   not the step function of any one. Every area is drawn before any line, so no band hides
//!   another variant's median.
//! - x is simulated time in the unit `x_label` names (pick it with [`super::time_unit`]: minutes
//!   up to 3 hours, hours beyond), from the first to the last sample; y starts at 0 (or below, for
//!   negative values) and ends at a round number above the greatest percentile.
//! - The legend right of the plot names each variant with a sample of its band and line.
//! - Samples are drawn in order of x. A sample with a NaN or infinite x is left out; one with a
//!   non-finite median leaves a gap in the line, one with a non-finite percentile a gap in the
//!   band. A lone sample is marked with a dot.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    build_plot, color, draw_legend, draw_title, legend_width, mesh, msg, span_tick_label, x_range, y_range, Drawable,
    LegendEntry, Sample, FILL_ALPHA, LINE_WIDTH, X_LABEL_AREA,
};

/// A metric over time, one band per variant.
#[derive(Clone, Debug, PartialEq)]
pub struct Bands {
    pub title: String,
    /// The time axis and its unit, e.g. `simulated time (minutes)`.
    pub x_label: String,
    /// The metric and its unit, e.g. `running tasks`.
    pub y_label: String,
    pub bands: Vec<Band>,
}

/// One variant of a [`Bands`] chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    pub label: String,
    /// `(x, p10, median, p90)` samples, normally in increasing x.
    pub points: Vec<(f64, f64, f64, f64)>,
}

/// The runs of consecutive samples for which `keep` holds, as `(x, value)` lines.
fn runs<T: Copy>(
    samples: &[(f64, f64, f64, f64)],
    keep: impl Fn(&(f64, f64, f64, f64)) -> Option<T>,
) -> Vec<Vec<(f64, T)>> {
    let mut out: Vec<Vec<(f64, T)>> = vec![Vec::new()];
    for s in samples {
        match (keep(s), out.last_mut()) {
            (Some(v), Some(run)) => run.push((s.0, v)),
            (None, Some(run)) if !run.is_empty() => out.push(Vec::new()),
            _ => {}
        }
    }
    out.retain(|run| !run.is_empty());
    out
}

impl Band {
    /// The samples with a finite x, stably sorted by x.
    fn sorted(&self) -> Vec<(f64, f64, f64, f64)> {
        let mut out: Vec<_> = self.points.iter().copied().filter(|p| p.0.is_finite()).collect();
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        out
    }

    /// The outline of each stretch of band: along p90, then back along p10.
    fn areas(samples: &[(f64, f64, f64, f64)]) -> Vec<Vec<(f64, f64)>> {
        let finite = |s: &(f64, f64, f64, f64)| (s.1.is_finite() && s.3.is_finite()).then_some((s.1, s.3));
        runs(samples, finite)
            .into_iter()
            .filter(|run| run.len() > 1)
            .map(|run| {
                let upper = run.iter().map(|&(x, (_, hi))| (x, hi));
                let lower = run.iter().rev().map(|&(x, (lo, _))| (x, lo));
                upper.chain(lower).collect()
            })
            .collect()
    }

    /// The stretches of median line.
    fn medians(samples: &[(f64, f64, f64, f64)]) -> Vec<Vec<(f64, f64)>> {
        runs(samples, |s| s.2.is_finite().then_some(s.2))
    }
}

impl Drawable for Bands {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let body = draw_title(root, &self.title)?;
        let samples: Vec<Vec<(f64, f64, f64, f64)>> = self.bands.iter().map(Band::sorted).collect();

        let legend: Vec<LegendEntry> = self
            .bands
            .iter()
            .enumerate()
            .map(|(i, b)| LegendEntry { label: &b.label, sample: Sample::Band(color(i)) })
            .collect();
        let legend_w = legend_width(root, &legend)?;
        let (body_w, _) = body.dim_in_pixel();
        let (plot_area, legend_area) = body.split_horizontally(body_w.saturating_sub(legend_w));

        let x = x_range(samples.iter().flatten().map(|s| s.0));
        let ys = samples.iter().flatten().flat_map(|s| [s.1, s.2, s.3]).filter(|y| y.is_finite());
        let y = y_range(ys);
        let mut plot = build_plot(&plot_area, x, y, X_LABEL_AREA)?;
        let (x_ticks, y_ticks) = (span_tick_label(x.0, x.1), span_tick_label(y.0, y.1));
        mesh(&mut plot)
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_label_formatter(&x_ticks)
            .y_label_formatter(&y_ticks)
            .draw()
            .map_err(msg)?;

        for (i, s) in samples.iter().enumerate() {
            let fill = color(i).mix(FILL_ALPHA).filled();
            plot.draw_series(Band::areas(s).into_iter().map(|outline| Polygon::new(outline, fill))).map_err(msg)?;
        }
        for (i, s) in samples.iter().enumerate() {
            let line = color(i).stroke_width(LINE_WIDTH);
            for run in Band::medians(s) {
                if let [only] = run.as_slice() {
                    plot.draw_series(std::iter::once(Circle::new(*only, 4, line.filled()))).map_err(msg)?;
                } else {
                    plot.draw_series(LineSeries::new(run, line)).map_err(msg)?;
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

    /// Three variants' running tasks over two hours: they scale out at different speeds, with a
    /// spread across seeds that is widest while scaling.
    fn three_variants() -> Bands {
        let bands = [("target=40", 14.0, 0.12), ("target=55", 11.0, 0.08), ("target=70", 8.0, 0.05)]
            .into_iter()
            .map(|(name, top, rate)| {
                let points = (0..=60)
                    .map(|k| {
                        let t = k as f64 * 2.0;
                        let median = 3.0 + (top - 3.0) * (1.0 - (-rate * (t - 20.0).max(0.0)).exp());
                        let spread = 0.6 + 2.5 * (-((t - 45.0) / 20.0).powi(2)).exp();
                        (t, median - spread, median, median + spread * 1.3)
                    })
                    .collect();
                Band { label: name.to_string(), points }
            })
            .collect();
        Bands {
            title: "Running tasks across seeds (median, 10–90%)".into(),
            x_label: "simulated time (minutes)".into(),
            y_label: "running tasks".into(),
            bands,
        }
    }

    #[test]
    fn runs_split_at_gaps() {
        let s = [(0.0, 1.0, 2.0, 3.0), (1.0, f64::NAN, 2.0, 3.0), (2.0, 1.0, f64::NAN, 3.0), (3.0, 1.0, 2.0, 3.0)];
        assert_eq!(Band::medians(&s), [vec![(0.0, 2.0), (1.0, 2.0)], vec![(3.0, 2.0)]]);
        // The band's runs are the first sample alone (no area) and the last two.
        assert_eq!(Band::areas(&s), [vec![(2.0, 3.0), (3.0, 3.0), (3.0, 1.0), (2.0, 1.0)]]);
        let s = [(0.0, 1.0, 2.0, 3.0), (1.0, 0.0, 2.0, 4.0)];
        assert_eq!(Band::areas(&s), [vec![(0.0, 3.0), (1.0, 4.0), (1.0, 0.0), (0.0, 1.0)]]);
    }

    #[test]
    fn the_svg_names_every_variant_and_draws_translucent_bands() {
        let chart = three_variants();
        let svg = deterministic_svg(&chart);
        for b in &chart.bands {
            assert!(svg_has_text(&svg, &b.label), "{:?} missing", b.label);
        }
        assert!(svg_has_text(&svg, "simulated time (minutes)") && svg_has_text(&svg, "running tasks"));
        assert!(svg.contains("<polygon") && svg.contains("opacity=\"0.22\""), "no translucent band");
        png_is_written(&chart);
    }

    #[test]
    fn empty_and_non_finite_inputs_draw_without_panicking() {
        let mut chart = three_variants();
        chart.bands.clear();
        assert!(svg_has_text(&deterministic_svg(&chart), "Running tasks across seeds (median, 10–90%)"));
        png_is_written(&chart);
        chart.bands = vec![
            Band { label: "empty".into(), points: vec![] },
            Band { label: "one".into(), points: vec![(5.0, 1.0, 2.0, 3.0)] },
            Band {
                label: "odd".into(),
                points: vec![
                    (f64::NAN, 1.0, 2.0, 3.0),
                    (3.0, f64::NEG_INFINITY, 1e300, f64::NAN),
                    (1.0, -1e300, 0.0, 1.0),
                    (2.0, 0.0, 1.0, 2.0),
                ],
            },
        ];
        deterministic_svg(&chart);
        png_is_written(&chart);
    }

    /// Writes an example to /tmp/charts for a look by eye:
    /// `cargo test --lib output::chart -- --ignored`.
    #[test]
    #[ignore]
    fn demo_png() {
        std::fs::create_dir_all("/tmp/charts").unwrap();
        write_png(&three_variants(), Path::new("/tmp/charts/bands.png")).unwrap();
        write_png(&Bands { bands: vec![], ..three_variants() }, Path::new("/tmp/charts/bands-empty.png")).unwrap();
    }
}
