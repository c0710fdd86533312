//! Line charts of time series, written as PNG and SVG.
//!
//! Charts must render on a bare machine: no system fonts, no fontconfig, no C libraries. Text is
//! drawn with DejaVu Sans, embedded by the `dejavu` crate and registered once per process with
//! plotters' ab_glyph font backend; every text style names that family.
//!
//! Counts are step functions, so every series is drawn as steps: horizontal to the next point's
//! x, then vertical to its y. The legend sits in a panel right of the plot, so it never hides
//! data. Rendering is a pure function of the [`Chart`]: the same chart gives byte-identical files.

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::backend::RGBPixel;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("could not draw chart {path}: {message}")]
    Draw { path: PathBuf, message: String },
}

/// Size of both outputs, in pixels.
pub const CHART_SIZE: (u32, u32) = (1200, 700);

/// The family under which the embedded font is registered; every text style uses it. To the
/// ab_glyph backend it is only a key; SVG copies it into `font-family`, where it reads as a CSS
/// font list: DejaVu Sans where installed, else the viewer's sans-serif.
const FONT_FAMILY: &str = "DejaVu Sans, sans-serif";

/// The Okabe-Ito palette, told apart under the common colour-vision deficiencies. Yellow is last
/// because it is faint on white.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];

const LINE_WIDTH: u32 = 2;
/// Dash and gap lengths of a dashed line, in pixels.
const DASH: (u32, u32) = (10, 6);

const TITLE_SIZE: f64 = 28.0;
const AXIS_DESC_SIZE: f64 = 20.0;
const TICK_LABEL_SIZE: f64 = 16.0;
const LEGEND_SIZE: f64 = 17.0;

const TITLE_HEIGHT: u32 = 56;
const PLOT_MARGIN: u32 = 16;
const X_LABEL_AREA: u32 = 60;
const Y_LABEL_AREA: u32 = 80;

/// Legend panel geometry, in pixels.
const LEGEND_PAD: i32 = 12;
const LEGEND_SAMPLE: i32 = 40;
const LEGEND_GAP: i32 = 10;
const LEGEND_ROW: i32 = 26;

/// Writes `chart` as a PNG of [`CHART_SIZE`]. `path` must end in `.png`: the encoder picks the
/// image format by extension (it would write a JPEG to `x.jpg` and fail on no extension).
pub fn write_png(chart: &Chart, path: &Path) -> Result<(), ChartError> {
    let fail = |message: String| ChartError::Draw { path: path.to_path_buf(), message };
    let is_png = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if !is_png {
        return Err(fail("a PNG chart's file name must end in .png".to_string()));
    }
    register_embedded_font().map_err(fail)?;
    let (w, h) = CHART_SIZE;
    let mut pixels = vec![0u8; w as usize * h as usize * 3];
    {
        // Rendered to memory first, so that a failed drawing leaves no half-drawn file behind.
        let backend =
            BitMapBackend::<RGBPixel>::with_buffer_and_format(&mut pixels, CHART_SIZE).map_err(msg).map_err(fail)?;
        let root = backend.into_drawing_area();
        draw(&root, chart).map_err(fail)?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    // The file backend encodes and writes on `present`, whose errors surface here (the retry on
    // drop would swallow them).
    let mut file = BitMapBackend::new(path, CHART_SIZE);
    file.blit_bitmap((0, 0), CHART_SIZE, &pixels).map_err(|e| fail(e.to_string()))?;
    file.present().map_err(|e| fail(e.to_string()))
}

/// Writes `chart` as an SVG of [`CHART_SIZE`]. Its text names the DejaVu Sans family, which
/// viewers without it replace by a similar font.
pub fn write_svg(chart: &Chart, path: &Path) -> Result<(), ChartError> {
    let fail = |message: String| ChartError::Draw { path: path.to_path_buf(), message };
    register_embedded_font().map_err(fail)?;
    let mut svg = String::new();
    {
        // Rendered to memory, so that writing the file is one checked `fs::write`.
        let root = SVGBackend::with_string(&mut svg, CHART_SIZE).into_drawing_area();
        draw(&root, chart).map_err(fail)?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    std::fs::write(path, svg).map_err(|e| fail(e.to_string()))
}

/// Registers the embedded DejaVu Sans (regular and bold) with plotters, once per process.
fn register_embedded_font() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            let faces = [(FontStyle::Normal, dejavu::sans::regular()), (FontStyle::Bold, dejavu::sans::bold())];
            for (style, bytes) in faces {
                plotters::style::register_font(FONT_FAMILY, style, bytes)
                    .map_err(|_| format!("the embedded DejaVu Sans {} font is invalid", style.as_str()))?;
            }
            Ok(())
        })
        .clone()
}

fn font(size: f64) -> TextStyle<'static> {
    (FONT_FAMILY, size).into_font().color(&BLACK)
}

fn msg(e: impl Display) -> String {
    e.to_string()
}

fn color(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// Draws the whole chart on `root`.
fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart) -> Result<(), String> {
    root.fill(&WHITE).map_err(msg)?;
    let (title_area, body) = root.split_vertically(TITLE_HEIGHT);
    let (title_w, title_h) = title_area.dim_in_pixel();
    let title_style =
        (FONT_FAMILY, TITLE_SIZE, FontStyle::Bold).into_font().color(&BLACK).pos(Pos::new(HPos::Center, VPos::Center));
    title_area.draw_text(&chart.title, &title_style, (title_w as i32 / 2, title_h as i32 / 2)).map_err(msg)?;

    let cleaned: Vec<Vec<(f64, f64)>> = chart.series.iter().map(|s| finite_sorted(&s.points)).collect();

    let legend_w = legend_width(root, chart)?;
    let (body_w, _) = body.dim_in_pixel();
    let (plot_area, legend_area) = body.split_horizontally(body_w.saturating_sub(legend_w));

    let (x0, x1) = x_range(&cleaned);
    let (y0, y1) = y_range(&cleaned);
    let mut plot = ChartBuilder::on(&plot_area)
        .margin(PLOT_MARGIN)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(msg)?;
    plot.configure_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .label_style(font(TICK_LABEL_SIZE))
        .axis_desc_style(font(AXIS_DESC_SIZE))
        .x_labels(12)
        .y_labels(10)
        .x_label_formatter(&tick_label)
        .y_label_formatter(&tick_label)
        .bold_line_style(RGBColor(0xD0, 0xD0, 0xD0))
        .max_light_lines(1)
        .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
        .axis_style(BLACK.stroke_width(1))
        .draw()
        .map_err(msg)?;

    for (series, points) in chart.series.iter().zip(&cleaned) {
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

    draw_legend(&legend_area, chart)
}

/// Width of the legend panel: the widest entry, at most 40% of the chart (longer labels are
/// shortened with an ellipsis).
fn legend_width<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart) -> Result<u32, String> {
    if chart.series.is_empty() {
        return Ok(0);
    }
    let style = font(LEGEND_SIZE);
    let mut widest = 0u32;
    for series in &chart.series {
        widest = widest.max(root.estimate_text_size(&series.label, &style).map_err(msg)?.0);
    }
    let chrome = (2 * LEGEND_PAD + LEGEND_SAMPLE + LEGEND_GAP) as u32 + PLOT_MARGIN + 8;
    let (root_w, _) = root.dim_in_pixel();
    Ok((widest + chrome).clamp(140, root_w * 2 / 5))
}

/// Draws the legend box at the top of `area`: one row per series, its line sample then its label.
fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, chart: &Chart) -> Result<(), String> {
    if chart.series.is_empty() {
        return Ok(());
    }
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let style = font(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    // The box is aligned with the top of the plot and stops short of the right edge.
    let (left, top, right) = (0, PLOT_MARGIN as i32, w - PLOT_MARGIN as i32);
    let text_x = left + LEGEND_PAD + LEGEND_SAMPLE + LEGEND_GAP;
    let max_text_w = (right - LEGEND_PAD - text_x).max(0) as u32;

    // As many rows as fit; if some do not, the last row says how many were left out.
    let room = ((h - top - PLOT_MARGIN as i32 - 2 * LEGEND_PAD) / LEGEND_ROW).max(1) as usize;
    let n = chart.series.len();
    let (shown, hidden) = if n <= room { (n, 0) } else { (room - 1, n - (room - 1)) };
    let rows = shown + usize::from(hidden > 0);
    let bottom = top + 2 * LEGEND_PAD + rows as i32 * LEGEND_ROW;

    area.draw(&Rectangle::new([(left, top), (right, bottom)], WHITE.filled())).map_err(msg)?;
    area.draw(&Rectangle::new([(left, top), (right, bottom)], BLACK.stroke_width(1))).map_err(msg)?;
    for (i, series) in chart.series.iter().take(shown).enumerate() {
        let y = top + LEGEND_PAD + i as i32 * LEGEND_ROW + LEGEND_ROW / 2;
        let sample = vec![(left + LEGEND_PAD, y), (left + LEGEND_PAD + LEGEND_SAMPLE, y)];
        let line = color(series.color_index).stroke_width(LINE_WIDTH);
        match series.style {
            LineStyle::Solid => area.draw(&PathElement::new(sample, line)).map_err(msg)?,
            LineStyle::Dashed => area.draw(&DashedPathElement::new(sample, DASH.0, DASH.1, line)).map_err(msg)?,
        }
        let label = fit_text(area, &series.label, &style, max_text_w)?;
        area.draw_text(&label, &style, (text_x, y)).map_err(msg)?;
    }
    if hidden > 0 {
        let y = top + LEGEND_PAD + shown as i32 * LEGEND_ROW + LEGEND_ROW / 2;
        let text = format!("… and {hidden} more");
        area.draw_text(&text, &style, (left + LEGEND_PAD, y)).map_err(msg)?;
    }
    Ok(())
}

/// `text`, shortened with an ellipsis until it is at most `max_w` pixels wide.
fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_w: u32,
) -> Result<String, String> {
    if area.estimate_text_size(text, style).map_err(msg)?.0 <= max_w {
        return Ok(text.to_string());
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().chain(std::iter::once(&'…')).collect();
        if area.estimate_text_size(&candidate, style).map_err(msg)?.0 <= max_w {
            return Ok(candidate);
        }
    }
    Ok("…".to_string())
}

/// The finite points of a series, stably sorted by x.
fn finite_sorted(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = points.iter().copied().filter(|(x, y)| x.is_finite() && y.is_finite()).collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// A step line through `points`: from each point, horizontal to the next x, then vertical.
fn step_points(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2);
    for (i, &(x, y)) in points.iter().enumerate() {
        if i > 0 {
            let (_, prev_y) = points[i - 1];
            out.push((x, prev_y));
        }
        out.push((x, y));
    }
    out
}

/// From the least to the greatest x of all series; a range of width zero (one instant) or no
/// points at all gets a default width so the axes still draw.
fn x_range(series: &[Vec<(f64, f64)>]) -> (f64, f64) {
    let xs = series.iter().flatten().map(|&(x, _)| x);
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| (lo.min(x), hi.max(x)));
    if lo > hi {
        return (0.0, 1.0);
    }
    let (lo, hi) = (lo.max(-f64::MAX / 4.0), hi.min(f64::MAX / 4.0));
    if hi > lo {
        (lo, hi)
    } else {
        (lo, lo + lo.abs().max(10.0) / 10.0)
    }
}

/// From 0 (or below, for negative values) to `max(max y, 1) * 1.1` rounded up to a round number.
fn y_range(series: &[Vec<(f64, f64)>]) -> (f64, f64) {
    let ys = series.iter().flatten().map(|&(_, y)| y);
    let (lo, hi) = ys.fold((0.0f64, 1.0f64), |(lo, hi), y| (lo.min(y), hi.max(y)));
    let top = nice_ceil(hi.min(f64::MAX / 4.0) * 1.1);
    let bottom = if lo < 0.0 { -nice_ceil(-lo.max(-f64::MAX / 4.0) * 1.1) } else { 0.0 };
    (bottom, top)
}

/// The least of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten that is at least `v > 0`.
fn nice_ceil(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|c| c.is_finite() && *c >= v)
        .unwrap_or(v)
}

/// A tick label: whole numbers without decimals, others with at most three.
fn tick_label(v: &f64) -> String {
    let rounded = v.round();
    if (v - rounded).abs() <= 1e-9 * rounded.abs().max(1.0) {
        // `+ 0.0` turns -0 into 0.
        return format!("{:.0}", rounded + 0.0);
    }
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn steps_go_across_then_up() {
        assert_eq!(
            step_points(&[(0.0, 1.0), (2.0, 3.0), (5.0, 0.0)]),
            [(0.0, 1.0), (2.0, 1.0), (2.0, 3.0), (5.0, 3.0), (5.0, 0.0)]
        );
        assert!(step_points(&[]).is_empty());
    }

    #[test]
    fn ranges_are_sensible() {
        assert_eq!(y_range(&[vec![(0.0, 10.0)]]), (0.0, 12.0));
        assert_eq!(y_range(&[vec![(0.0, 0.0)]]), (0.0, 1.2));
        assert_eq!(y_range(&[]), (0.0, 1.2));
        assert_eq!(y_range(&[vec![(0.0, 100.0)]]), (0.0, 120.0));
        assert_eq!(y_range(&[vec![(0.0, 37.0)]]), (0.0, 50.0));
        assert_eq!(x_range(&[]), (0.0, 1.0));
        assert_eq!(x_range(&[vec![(0.5, 1.0), (6.0, 2.0)], vec![(0.0, 1.0)]]), (0.0, 6.0));
        let (lo, hi) = x_range(&[vec![(3.0, 1.0)]]);
        assert!(lo == 3.0 && hi > lo);
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
