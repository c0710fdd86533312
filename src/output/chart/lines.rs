//! Line charts of time series: [`Chart`], made of [`Series`].
//!
//! Contract: counts are step functions, so every series is drawn as steps: horizontal to the next
//! point's x, then vertical to its y. A series with one point is marked with a dot. The legend
//! (one row per series, its line sample then its label) sits right of the plot. x is a time axis
//! from the first to the last point; y starts at 0 (or below, for negative values) and ends at a
//! round number above the greatest value. The output of the run charts (`results/**/tasks.png`,
//! `capacity.png` and their SVGs) is pinned byte for byte by the results test: the look of this
//! kind must not change by accident.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    build_plot, color, draw_legend, draw_title, finite_sorted, legend_width, mesh, msg, step_points, x_range, y_range,
    Drawable, LegendEntry, Sample, DASH, LINE_WIDTH, X_LABEL_AREA,
};

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    /// `(x, y)` points, normally in increasing x. Points with a NaN or infinite coordinate are
    /// skipped; the rest are drawn in order of x (stable, so equal x keep their given order).
    pub points: Vec<(f64, f64)>,
    pub style: LineStyle,
    /// Index into the palette (cycled): series with the same index share a colour, e.g. the
    /// running and desired counts of one service.
    pub color_index: usize,
}

/// How a series is stroked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineStyle {
    /// Observed values (running tasks).
    Solid,
    /// Targets (desired count).
    Dashed,
}

/// A time chart: x in hours (or the unit named by `x_label`), y counts.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
}

impl Chart {
    fn legend(&self) -> Vec<LegendEntry<'_>> {
        let sample = |s: &Series| Sample::Line(color(s.color_index), s.style);
        self.series.iter().map(|s| LegendEntry { label: &s.label, sample: sample(s) }).collect()
    }
}

impl Drawable for Chart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let body = draw_title(root, &self.title)?;
        let cleaned: Vec<Vec<(f64, f64)>> = self.series.iter().map(|s| finite_sorted(&s.points)).collect();

        let legend = self.legend();
        let legend_w = legend_width(root, &legend)?;
        let (body_w, _) = body.dim_in_pixel();
        let (plot_area, legend_area) = body.split_horizontally(body_w.saturating_sub(legend_w));

        let x = x_range(cleaned.iter().flatten().map(|&(x, _)| x));
        let y = y_range(cleaned.iter().flatten().map(|&(_, y)| y));
        let mut plot = build_plot(&plot_area, x, y, X_LABEL_AREA)?;
        mesh(&mut plot).x_desc(self.x_label.as_str()).y_desc(self.y_label.as_str()).draw().map_err(msg)?;

        for (series, points) in self.series.iter().zip(&cleaned) {
            let style = color(series.color_index).stroke_width(LINE_WIDTH);
            let steps = step_points(points);
            match series.style {
                LineStyle::Solid => {
                    plot.draw_series(LineSeries::new(steps, style)).map_err(msg)?;
                }
                LineStyle::Dashed => {
                    plot.draw_series(DashedLineSeries::new(steps, DASH.0, DASH.1, style)).map_err(msg)?;
                }
            }
            // A lone point draws no line; mark it so the series is still visible.
            if let [only] = points.as_slice() {
                plot.draw_series(std::iter::once(Circle::new(*only, 4, style.filled()))).map_err(msg)?;
            }
        }

        draw_legend(&legend_area, &legend)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::output::chart::{write_png, write_svg};

    /// Two services, each with its running count (solid) and desired count (dashed) in one colour:
    /// `web` scales out from 3 to 12 tasks at 1h and loses two tasks at 4h; `worker` scales out
    /// from 1 to 5 at 2h and back in to 2 at 5h. Running counts are sampled every 7.5 minutes.
    fn two_services() -> Chart {
        // (name, desired count changes): running tasks follow one task per sample.
        let web: &[(f64, f64)] = &[(0.0, 3.0), (1.0, 12.0)];
        let worker: &[(f64, f64)] = &[(0.0, 1.0), (2.0, 5.0), (5.0, 2.0)];
        let mut series = Vec::new();
        for (i, (name, desired)) in [("web", web), ("worker", worker)].into_iter().enumerate() {
            let mut running: Vec<(f64, f64)> = Vec::new();
            let mut count: f64 = desired[0].1;
            for k in 0..=48 {
                let t = k as f64 / 8.0;
                let target = desired.iter().rfind(|(at, _)| *at <= t).map_or(0.0, |d| d.1);
                if name == "web" && k == 32 {
                    count -= 2.0; // two tasks fail
                }
                count = if count < target { count + 1.0 } else { target };
                running.push((t, count));
            }
            let mut desired = desired.to_vec();
            desired.push((6.0, desired[desired.len() - 1].1));
            series.push(Series {
                label: format!("{name} running"),
                points: running,
                style: LineStyle::Solid,
                color_index: i,
            });
            series.push(Series {
                label: format!("{name} desired"),
                points: desired,
                style: LineStyle::Dashed,
                color_index: i,
            });
        }
        Chart { title: "Tasks per service".into(), x_label: "time (hours)".into(), y_label: "tasks".into(), series }
    }

    fn empty_chart() -> Chart {
        Chart { title: "Nothing yet".into(), x_label: "hours".into(), y_label: "tasks".into(), series: vec![] }
    }

    fn render_both(chart: &Chart, dir: &Path, stem: &str) -> (Vec<u8>, String) {
        let png = dir.join(format!("{stem}.png"));
        let svg = dir.join(format!("{stem}.svg"));
        write_png(chart, &png).unwrap();
        write_svg(chart, &svg).unwrap();
        (std::fs::read(png).unwrap(), std::fs::read_to_string(svg).unwrap())
    }

    #[test]
    fn a_two_service_chart_renders_as_png_and_svg() {
        let dir = tempfile::tempdir().unwrap();
        let chart = two_services();
        let (png, svg) = render_both(&chart, dir.path(), "chart");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
        assert!(png.len() > 5 * 1024, "PNG suspiciously small: {} bytes", png.len());
        for text in ["Tasks per service", "time (hours)", "tasks"] {
            assert!(svg.contains(&format!("\n{text}\n</text>")), "{text:?} missing");
        }
        for s in &chart.series {
            // The SVG backend writes each text on its own line inside a <text> element.
            let text = format!("\n{}\n</text>", s.label);
            assert!(svg.contains(&text), "legend label {:?} missing", s.label);
        }
    }

    #[test]
    fn rendering_is_byte_identical() {
        let dir = tempfile::tempdir().unwrap();
        let chart = two_services();
        let first = render_both(&chart, dir.path(), "a");
        let second = render_both(&chart, dir.path(), "b");
        assert!(first.0 == second.0, "PNG differs between two renders");
        assert_eq!(first.1, second.1, "SVG differs between two renders");
    }

    #[test]
    fn empty_single_point_and_degenerate_charts_render() {
        let dir = tempfile::tempdir().unwrap();
        render_both(&empty_chart(), dir.path(), "empty");

        let mut no_points = empty_chart();
        no_points.series.push(Series {
            label: "nothing".into(),
            points: vec![],
            style: LineStyle::Solid,
            color_index: 0,
        });
        render_both(&no_points, dir.path(), "no-points");

        let mut single = empty_chart();
        single.series.push(Series {
            label: "one".into(),
            points: vec![(3.0, 4.0)],
            style: LineStyle::Dashed,
            color_index: 9,
        });
        render_both(&single, dir.path(), "single");

        let mut odd = empty_chart();
        odd.series.push(Series {
            label: "odd & <weird>".into(),
            points: vec![
                (f64::NAN, 1.0),
                (0.0, f64::INFINITY),
                (1.0, -3.0),
                (f64::NEG_INFINITY, 2.0),
                (2.0, 1e300),
                (-1e300, 0.0),
            ],
            style: LineStyle::Solid,
            color_index: 3,
        });
        render_both(&odd, dir.path(), "odd");
    }

    #[test]
    fn many_series_and_long_labels_render() {
        let dir = tempfile::tempdir().unwrap();
        let mut chart = empty_chart();
        for i in 0..60 {
            chart.series.push(Series {
                label: format!("service-{i} with a rather long name that will not fit in the legend"),
                points: vec![(0.0, i as f64), (1.0, i as f64 + 1.0)],
                style: if i % 2 == 0 { LineStyle::Solid } else { LineStyle::Dashed },
                color_index: i / 2,
            });
        }
        let (_, svg) = render_both(&chart, dir.path(), "many");
        assert!(svg.contains("more"));
    }

    #[test]
    fn an_unwritable_path_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/dir/chart");
        let err = write_svg(&two_services(), &missing.with_extension("svg")).unwrap_err();
        assert!(err.to_string().contains("could not draw chart"), "{err}");
        assert!(write_png(&two_services(), &missing.with_extension("png")).is_err());
        let err = write_png(&two_services(), &dir.path().join("chart.jpg")).unwrap_err();
        assert!(err.to_string().contains(".png"), "{err}");
        assert!(!dir.path().join("chart.jpg").exists());
    }

    /// Writes the demo charts to /tmp/chart-demo*.png for a look by eye:
    /// `cargo test --lib output::chart -- --ignored`.
    #[test]
    #[ignore]
    fn demo_png() {
        write_png(&two_services(), Path::new("/tmp/chart-demo.png")).unwrap();
        write_svg(&two_services(), Path::new("/tmp/chart-demo.svg")).unwrap();
        let mut single = empty_chart();
        single.series.push(Series {
            label: "one".into(),
            points: vec![(3.0, 4.0)],
            style: LineStyle::Dashed,
            color_index: 1,
        });
        write_png(&single, Path::new("/tmp/chart-demo-single.png")).unwrap();
        write_png(&empty_chart(), Path::new("/tmp/chart-demo-empty.png")).unwrap();
        let mut many = empty_chart();
        for i in 0..30 {
            many.series.push(Series {
                label: format!("service-{i} with a rather long name that will not fit"),
                points: vec![(0.0, i as f64), (0.5, i as f64 + 1.0), (1.0, i as f64 + 2.0)],
                style: if i % 2 == 0 { LineStyle::Solid } else { LineStyle::Dashed },
                color_index: i / 2,
            });
        }
        write_png(&many, Path::new("/tmp/chart-demo-many.png")).unwrap();
    }
}
