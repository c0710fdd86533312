//! Charts of runs and experiments, written as PNG and SVG.
//!
//! Contract, for every kind of chart:
//! - **No system dependencies.** Text is drawn with DejaVu Sans, embedded by the `dejavu` crate
//!   and registered once per process with plotters' ab_glyph font backend; every text style names
//!   that family. No system fonts, no fontconfig, no C libraries.
//! - **Deterministic.** Rendering is a pure function of the input: the same input gives
//!   byte-identical files. Nothing reads the clock or an environment-seeded generator.
//! - **Never panics on data.** Inputs are plain data; NaN and infinite values are skipped, and an
//!   empty input still draws a chart with its title and axes. Errors (a bad path, a failed write)
//!   are a [`ChartError`].
//! - **One look.** A bold title on top, the Okabe-Ito palette, one set of sizes, light grid
//!   lines; legends sit in a panel right of the plot, so they never hide data.
//!
//! The kinds, each in its own file and each a [`Drawable`]: [`Chart`] (step lines over time,
//! `lines.rs`), [`Distribution`] (box and strip per variant, `distribution.rs`), [`Pareto`]
//! (cost against latency with the front, `pareto.rs`) and [`Bands`] (median and 10–90% band over
//! time, `bands.rs`). [`write_png`] and [`write_svg`] write any of them; this file holds what they
//! share: the font, palette and sizes, the legend panel, axis ranges and tick labels.

mod bands;
mod distribution;
mod lines;
mod panel;
mod pareto;
mod timeline;

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::backend::RGBPixel;
use plotters::chart::MeshStyle;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub use bands::{Band, Bands};
pub use distribution::Distribution;
pub use lines::{Chart, LineStyle, Series};
pub use panel::{clock, clock_ticks, decimate, panel_svg, Mark, MarkKind, Panel, PlotBox, Stack, BUCKETS, PANEL_SIZE};
pub use pareto::{Pareto, ParetoPoint};
pub use timeline::{timeline_svg, Lane, Timeline};

use crate::engine::SimDuration;

/// A chart that can be written by [`write_png`] and [`write_svg`].
pub trait Drawable {
    /// Draws the whole chart on `root`, a white canvas of [`CHART_SIZE`]. Errors are messages;
    /// the writers add the path.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("could not draw chart {path}: {message}")]
    Draw { path: PathBuf, message: String },
}

/// Size of both outputs, in pixels.
pub const CHART_SIZE: (u32, u32) = (1200, 700);

/// The time axis of a run's charts: minutes for runs up to 3 hours, hours beyond; (unit name,
/// seconds per unit).
pub fn time_unit(duration: SimDuration) -> (&'static str, f64) {
    if duration <= SimDuration::from_secs(3 * 3600) {
        ("minutes", 60.0)
    } else {
        ("hours", 3600.0)
    }
}

/// Writes `chart` as a PNG of [`CHART_SIZE`] (8-bit RGB).
/// `path` must end in `.png`, so that a chart's name says what it holds.
pub fn write_png<F: Drawable + ?Sized>(chart: &F, path: &Path) -> Result<(), ChartError> {
    let fail = |message: String| ChartError::Draw { path: path.to_path_buf(), message };
    let is_png = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if !is_png {
        return Err(fail("a PNG chart's file name must end in .png".to_string()));
    }
    register_embedded_font().map_err(fail)?;
    let (w, h) = CHART_SIZE;
    let mut pixels = vec![0u8; w as usize * h as usize * 3];
    {
        // Rendered and encoded in memory first, so that a failed drawing leaves no half-drawn file.
        let backend =
            BitMapBackend::<RGBPixel>::with_buffer_and_format(&mut pixels, CHART_SIZE).map_err(msg).map_err(fail)?;
        let root = backend.into_drawing_area();
        chart.draw(&root).map_err(fail)?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    let encoded = encode_png(&pixels).map_err(|e| fail(e.to_string()))?;
    std::fs::write(path, encoded).map_err(|e| fail(e.to_string()))
}

/// `pixels` (RGB rows of [`CHART_SIZE`]) as the bytes of a PNG file.
fn encode_png(pixels: &[u8]) -> Result<Vec<u8>, png::EncodingError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, CHART_SIZE.0, CHART_SIZE.1);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // `Fast` (fdeflate): 1 ms a chart here and about 55 KB, against 6.8 ms and 21 KB for the
    // default `Balanced`; a sweep draws a dozen charts after its runs, on one core.
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(pixels)?;
    writer.finish()?;
    Ok(bytes)
}

/// Writes `chart` as an SVG of [`CHART_SIZE`]. Its text names the DejaVu Sans family, which
/// viewers without it replace by a similar font.
pub fn write_svg<F: Drawable + ?Sized>(chart: &F, path: &Path) -> Result<(), ChartError> {
    let fail = |message: String| ChartError::Draw { path: path.to_path_buf(), message };
    let svg = svg_string(chart).map_err(fail)?;
    std::fs::write(path, svg).map_err(|e| fail(e.to_string()))
}

/// `chart` as SVG text, rendered to memory (so that writing a file is one checked `fs::write`).
fn svg_string<F: Drawable + ?Sized>(chart: &F) -> Result<String, String> {
    svg_with(CHART_SIZE, |root| chart.draw(root)).map(|(svg, ())| svg)
}

/// What `draw` draws on an SVG canvas of `size`, as text, with what it returns (a plot's box).
fn svg_with<T>(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<T, String>,
) -> Result<(String, T), String> {
    register_embedded_font()?;
    let mut svg = String::new();
    let out = {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let out = draw(&root)?;
        root.present().map_err(msg)?;
        out
    };
    Ok((svg, out))
}

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

/// What is not data: threshold lines and their labels, points that fail a constraint.
const NEUTRAL: RGBColor = RGBColor(0x55, 0x55, 0x55);
const MUTED: RGBColor = RGBColor(0xA0, 0xA0, 0xA0);

/// Opacity of filled areas (boxes, bands), so that what is under them shows through.
const FILL_ALPHA: f64 = 0.22;

const LINE_WIDTH: u32 = 2;
/// Dash and gap lengths of a dashed line, in pixels.
const DASH: (u32, u32) = (10, 6);
/// Radius of a data point, in pixels.
const POINT_RADIUS: i32 = 5;

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

/// A plot with both axes in `f64`, which every kind uses (categories sit at 0, 1, 2, …).
type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

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

/// A colour as SVG writes it (`#0072B2`): how a page or a test finds a series' lines.
pub fn svg_color(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// The palette's colour of `index` (cycled), as SVG writes it.
pub fn series_color(index: usize) -> String {
    svg_color(color(index))
}

/// Fills `root` white, writes `title` centred in a band at the top, and returns the area below.
fn draw_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    root.fill(&WHITE).map_err(msg)?;
    let (title_area, body) = root.split_vertically(TITLE_HEIGHT);
    let (title_w, title_h) = title_area.dim_in_pixel();
    let title_style =
        (FONT_FAMILY, TITLE_SIZE, FontStyle::Bold).into_font().color(&BLACK).pos(Pos::new(HPos::Center, VPos::Center));
    title_area.draw_text(title, &title_style, (title_w as i32 / 2, title_h as i32 / 2)).map_err(msg)?;
    Ok(body)
}

/// A plot on `area` with the shared margins, `x_label_area` pixels below it for tick labels and
/// the axis name.
fn build_plot<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
    x_label_area: u32,
) -> Result<Plot<'a, DB>, String> {
    ChartBuilder::on(area)
        .margin(PLOT_MARGIN)
        .x_label_area_size(x_label_area)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(msg)
}

/// The shared axes and grid of `plot`, ready for the caller to name the axes (`x_desc`, `y_desc`),
/// change the tick counts or formatters, and `draw`.
fn mesh<'a, 'b, DB: DrawingBackend>(
    plot: &'b mut Plot<'a, DB>,
) -> MeshStyle<'a, 'b, RangedCoordf64, RangedCoordf64, DB> {
    let mut mesh = plot.configure_mesh();
    mesh.label_style(font(TICK_LABEL_SIZE))
        .axis_desc_style(font(AXIS_DESC_SIZE))
        .x_labels(12)
        .y_labels(10)
        .x_label_formatter(&tick_label)
        .y_label_formatter(&tick_label)
        .bold_line_style(RGBColor(0xD0, 0xD0, 0xD0))
        .max_light_lines(1)
        .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
        .axis_style(BLACK.stroke_width(1));
    mesh
}

/// A horizontal dashed line at `y` across the whole plot. Its label goes in the legend (see
/// [`threshold_entry`]), where it never hides data.
fn draw_threshold<DB: DrawingBackend>(plot: &mut Plot<'_, DB>, y: f64) -> Result<(), String> {
    if !y.is_finite() {
        return Ok(());
    }
    let x = plot.x_range();
    let line = DashedPathElement::new(vec![(x.start, y), (x.end, y)], DASH.0, DASH.1, NEUTRAL.stroke_width(LINE_WIDTH));
    plot.draw_series(std::iter::once(line)).map_err(msg)?;
    Ok(())
}

/// The legend row of a threshold line.
fn threshold_entry(label: &str) -> LegendEntry<'_> {
    LegendEntry { label, sample: Sample::Line(NEUTRAL, LineStyle::Dashed) }
}

/// How a legend row shows what its label names.
#[derive(Clone, Copy, Debug)]
enum Sample {
    /// A line, solid or dashed.
    Line(RGBColor, LineStyle),
    /// A translucent band with its solid median line.
    Band(RGBColor),
    /// A marker as [`marker_elements`] draws it, with an optional line through it.
    Marker(Marker, Option<RGBColor>),
}

/// A point's look: filled in a colour, hollow (a ring), or ringed (filled and circled, to stand
/// out).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Marker {
    Filled(RGBColor),
    Hollow(RGBColor),
    Ringed(RGBColor),
}

/// The elements of `marker` centred at `at`, in any coordinate (data or pixels).
fn marker_elements<C: Clone>(marker: Marker, at: C) -> Vec<Circle<C, i32>> {
    let r = POINT_RADIUS;
    match marker {
        Marker::Filled(c) => vec![Circle::new(at, r, c.filled())],
        Marker::Hollow(c) => vec![Circle::new(at.clone(), r, WHITE.filled()), Circle::new(at, r, c.stroke_width(2))],
        Marker::Ringed(c) => {
            vec![Circle::new(at.clone(), r + 1, c.filled()), Circle::new(at, r + 5, c.stroke_width(2))]
        }
    }
}

struct LegendEntry<'a> {
    label: &'a str,
    sample: Sample,
}

/// Width of the legend panel: the widest entry, at most 40% of the chart (longer labels are
/// shortened with an ellipsis). No entries, no panel.
fn legend_width<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, entries: &[LegendEntry]) -> Result<u32, String> {
    if entries.is_empty() {
        return Ok(0);
    }
    let style = font(LEGEND_SIZE);
    let mut widest = 0u32;
    for entry in entries {
        widest = widest.max(root.estimate_text_size(entry.label, &style).map_err(msg)?.0);
    }
    let chrome = (2 * LEGEND_PAD + LEGEND_SAMPLE + LEGEND_GAP) as u32 + PLOT_MARGIN + 8;
    let (root_w, _) = root.dim_in_pixel();
    Ok((widest + chrome).clamp(140, root_w * 2 / 5))
}

/// Draws the legend box at the top of `area`: one row per entry, its sample then its label.
fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, entries: &[LegendEntry]) -> Result<(), String> {
    if entries.is_empty() {
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
    let n = entries.len();
    let (shown, hidden) = if n <= room { (n, 0) } else { (room - 1, n - (room - 1)) };
    let rows = shown + usize::from(hidden > 0);
    let bottom = top + 2 * LEGEND_PAD + rows as i32 * LEGEND_ROW;

    area.draw(&Rectangle::new([(left, top), (right, bottom)], WHITE.filled())).map_err(msg)?;
    area.draw(&Rectangle::new([(left, top), (right, bottom)], BLACK.stroke_width(1))).map_err(msg)?;
    for (i, entry) in entries.iter().take(shown).enumerate() {
        let y = top + LEGEND_PAD + i as i32 * LEGEND_ROW + LEGEND_ROW / 2;
        draw_sample(area, entry.sample, (left + LEGEND_PAD, y))?;
        let label = fit_text(area, entry.label, &style, max_text_w)?;
        area.draw_text(&label, &style, (text_x, y)).map_err(msg)?;
    }
    if hidden > 0 {
        let y = top + LEGEND_PAD + shown as i32 * LEGEND_ROW + LEGEND_ROW / 2;
        let text = format!("… and {hidden} more");
        area.draw_text(&text, &style, (left + LEGEND_PAD, y)).map_err(msg)?;
    }
    Ok(())
}

/// A legend sample [`LEGEND_SAMPLE`] pixels wide, starting at `(x, y)` (its left middle).
fn draw_sample<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    sample: Sample,
    (x, y): (i32, i32),
) -> Result<(), String> {
    let line = vec![(x, y), (x + LEGEND_SAMPLE, y)];
    match sample {
        Sample::Line(c, LineStyle::Solid) => {
            area.draw(&PathElement::new(line, c.stroke_width(LINE_WIDTH))).map_err(msg)
        }
        Sample::Line(c, LineStyle::Dashed) => {
            area.draw(&DashedPathElement::new(line, DASH.0, DASH.1, c.stroke_width(LINE_WIDTH))).map_err(msg)
        }
        Sample::Band(c) => {
            let band = Rectangle::new([(x, y - 8), (x + LEGEND_SAMPLE, y + 8)], c.mix(FILL_ALPHA).filled());
            area.draw(&band).map_err(msg)?;
            area.draw(&PathElement::new(line, c.stroke_width(LINE_WIDTH))).map_err(msg)
        }
        Sample::Marker(marker, through) => {
            if let Some(c) = through {
                area.draw(&PathElement::new(line, c.stroke_width(LINE_WIDTH))).map_err(msg)?;
            }
            for e in marker_elements(marker, (x + LEGEND_SAMPLE / 2, y)) {
                area.draw(&e).map_err(msg)?;
            }
            Ok(())
        }
    }
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

/// The time axis: from the least to the greatest x; a range of width zero (one instant) or no
/// points at all gets a default width so the axes still draw.
fn x_range(xs: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = xs.into_iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| (lo.min(x), hi.max(x)));
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

/// A count axis: from 0 (or below, for negative values) to `max(max y, 1) * 1.1` rounded up to a
/// round number.
fn y_range(ys: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = ys.into_iter().fold((0.0f64, 1.0f64), |(lo, hi), y| (lo.min(y), hi.max(y)));
    let top = nice_ceil(hi.min(f64::MAX / 4.0) * 1.1);
    let bottom = if lo < 0.0 { -nice_ceil(-lo.max(-f64::MAX / 4.0) * 1.1) } else { 0.0 };
    (bottom, top)
}

/// A measure's axis: the finite values' range widened by `pad` of its span on each side, not
/// below 0 when no value is (costs and latencies stay positive). One value gets ±10% of itself;
/// no value gets 0..1.
fn padded_range(values: impl IntoIterator<Item = f64>, pad: f64) -> (f64, f64) {
    let finite = values.into_iter().filter(|v| v.is_finite()).map(|v| v.clamp(-f64::MAX / 8.0, f64::MAX / 8.0));
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        return (0.0, 1.0);
    }
    let margin = if hi > lo {
        (hi - lo) * pad
    } else if lo == 0.0 {
        1.0
    } else {
        lo.abs() * 0.1
    };
    let bottom = if lo >= 0.0 && lo - margin < 0.0 { 0.0 } else { lo - margin };
    (bottom, hi + margin)
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

/// Tick labels for an axis from `lo` to `hi`: as many decimals as its ticks (about a tenth of the
/// span apart) need, trailing zeros dropped. Measures may be small (latencies of milliseconds
/// in seconds), where [`tick_label`]'s three decimals would print equal labels.
fn span_tick_label(lo: f64, hi: f64) -> impl Fn(&f64) -> String {
    let span = hi - lo;
    let decimals =
        if span.is_finite() && span > 0.0 { (-(span / 20.0).log10()).ceil().clamp(0.0, 9.0) as usize } else { 3 };
    move |v: &f64| {
        let s = format!("{:.*}", decimals, v + 0.0);
        let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
        if s == "-0" {
            "0".to_string()
        } else {
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders `chart` to SVG twice: equal text, returned once.
    pub(super) fn deterministic_svg<F: Drawable>(chart: &F) -> String {
        let first = svg_string(chart).unwrap();
        let second = svg_string(chart).unwrap();
        assert_eq!(first, second, "SVG differs between two renders");
        first
    }

    /// Writes `chart` as a PNG into a temporary folder and checks the signature.
    pub(super) fn png_is_written<F: Drawable>(chart: &F) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chart.png");
        write_png(chart, &path).unwrap();
        let bytes = std::fs::read(path).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    }

    /// Whether the SVG shows `text` as one text element (the backend writes each text on its own
    /// line inside a <text> element, XML-escaped).
    pub(super) fn svg_has_text(svg: &str, text: &str) -> bool {
        let escaped = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        svg.contains(&format!("\n{escaped}\n</text>"))
    }

    #[test]
    fn ranges_are_sensible() {
        assert_eq!(y_range([10.0]), (0.0, 12.0));
        assert_eq!(y_range([0.0]), (0.0, 1.2));
        assert_eq!(y_range([]), (0.0, 1.2));
        assert_eq!(y_range([100.0]), (0.0, 120.0));
        assert_eq!(y_range([37.0]), (0.0, 50.0));
        assert_eq!(x_range([]), (0.0, 1.0));
        assert_eq!(x_range([0.5, 6.0, 0.0]), (0.0, 6.0));
        let (lo, hi) = x_range([3.0]);
        assert!(lo == 3.0 && hi > lo);
    }

    #[test]
    fn padded_ranges_keep_positive_measures_positive() {
        assert_eq!(padded_range([], 0.1), (0.0, 1.0));
        assert_eq!(padded_range([f64::NAN, f64::INFINITY], 0.1), (0.0, 1.0));
        assert_eq!(padded_range([0.0], 0.1), (0.0, 1.0));
        let close = |(a, b): (f64, f64), (c, d): (f64, f64)| (a - c).abs() < 1e-9 && (b - d).abs() < 1e-9;
        assert!(close(padded_range([10.0, 20.0], 0.1), (9.0, 21.0)));
        assert!(close(padded_range([0.5, 20.0], 0.1), (0.0, 21.95)));
        assert!(close(padded_range([-10.0, 10.0], 0.1), (-12.0, 12.0)));
        let (lo, hi) = padded_range([5.0], 0.1);
        assert!(lo < 5.0 && hi > 5.0);
        let (lo, hi) = padded_range([1e300, -1e300], 0.1);
        assert!(lo.is_finite() && hi.is_finite() && lo < hi);
    }

    #[test]
    fn span_tick_labels_have_the_decimals_the_span_needs() {
        assert_eq!(span_tick_label(0.0, 100.0)(&20.0), "20");
        assert_eq!(span_tick_label(0.01, 0.02)(&0.0125), "0.0125");
        assert_eq!(span_tick_label(0.0, 1.0)(&0.25), "0.25");
        assert_eq!(span_tick_label(0.0, 1.0)(&-0.0), "0");
        assert_eq!(span_tick_label(5.0, 5.0)(&5.0), "5");
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
    fn the_time_unit_is_minutes_up_to_three_hours() {
        assert_eq!(time_unit(SimDuration::from_secs(3 * 3600)), ("minutes", 60.0));
        assert_eq!(time_unit(SimDuration::from_secs(3 * 3600 + 1)), ("hours", 3600.0));
    }
}
