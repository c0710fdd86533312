//! Time-series panels of the HTML report and of the static `traffic` chart: [`Panel`].
//!
//! Contract:
//! - **One time axis.** x is simulated seconds over the panel's `x_range` (the whole run), its
//!   ticks written `hh:mm:ss`, so panels of one run line up when stacked.
//! - **Never drop extremes.** Points that repeat the value before them are dropped (a step
//!   reaches the next change all the same); a series still longer than the plot is wide is cut
//!   to [`BUCKETS`] buckets, each kept as its first, lowest, highest and last point
//!   ([`decimate`]), and drawn through them: the drawing is the same at the plot's resolution,
//!   and a one-interval spike still shows.
//! - **The timeline on every panel.** [`Mark`]s are drawn under the data: spans (an AZ outage, a
//!   Spot shortage) as shaded bands, instants as vertical lines across the plot (faults,
//!   deployments; solid: a dashed line is one SVG element per dash, too heavy on a page of
//!   hundreds of panels) or ticks at its top (scaling, alarms, task stops), each kind in the
//!   colour the timeline's lanes name.
//! - **Where the plot is.** [`panel_svg`] returns the plot's pixel box with the SVG, so the
//!   report's script can map a time to a pixel (and back) without chart maths of its own.
//! - Deterministic and never panics on data, like every chart.

use chrono::{Datelike, Timelike};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::engine::{Calendar, SimDuration, SimTime};

use super::{
    color, draw_legend, finite_sorted, font, msg, step_points, svg_with, tick_label, y_range, Drawable, LegendEntry,
    LineStyle, Sample, Series, DASH, FONT_FAMILY, LINE_WIDTH,
};

/// How many buckets a series is cut to, at most: about one per three pixels of a report panel's
/// plot.
pub const BUCKETS: usize = 240;

/// A kind of event on the timeline, each with its colour and legend label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MarkKind {
    /// An Availability Zone outage or a Spot capacity shortage (a span), or another injected
    /// fault (an instant).
    Fault,
    /// A deployment started.
    DeploymentStarted,
    /// A deployment completed.
    DeploymentCompleted,
    /// A deployment failed (the circuit breaker or an alarm) or was rolled back.
    DeploymentFailed,
    /// A scaling policy, scheduled action or managed scaling changed a desired count.
    Scaling,
    /// A CloudWatch alarm went into ALARM.
    Alarm,
    /// A task of the service stopped on its own (exited, killed, failed its health checks).
    TaskStopped,
}

impl MarkKind {
    pub const ALL: [MarkKind; 7] = [
        MarkKind::Fault,
        MarkKind::DeploymentStarted,
        MarkKind::DeploymentCompleted,
        MarkKind::DeploymentFailed,
        MarkKind::Scaling,
        MarkKind::Alarm,
        MarkKind::TaskStopped,
    ];

    pub fn label(self) -> &'static str {
        match self {
            MarkKind::Fault => "fault",
            MarkKind::DeploymentStarted => "deployment started",
            MarkKind::DeploymentCompleted => "deployment completed",
            MarkKind::DeploymentFailed => "deployment failed / rolled back",
            MarkKind::Scaling => "scaling activity",
            MarkKind::Alarm => "alarm in ALARM",
            MarkKind::TaskStopped => "task stopped",
        }
    }

    pub fn color(self) -> RGBColor {
        match self {
            MarkKind::Fault => RGBColor(0xC0, 0x30, 0x30),
            MarkKind::DeploymentStarted => RGBColor(0x44, 0x44, 0x44),
            MarkKind::DeploymentCompleted => RGBColor(0x00, 0x80, 0x40),
            MarkKind::DeploymentFailed => RGBColor(0xD0, 0x00, 0x00),
            MarkKind::Scaling => RGBColor(0x6A, 0x3D, 0x9A),
            MarkKind::Alarm => RGBColor(0xE6, 0x9F, 0x00),
            MarkKind::TaskStopped => RGBColor(0x00, 0x00, 0x00),
        }
    }

    /// Whether an instant of this kind crosses the whole plot (else it is a tick at the top).
    pub fn is_major(self) -> bool {
        matches!(
            self,
            MarkKind::Fault | MarkKind::DeploymentStarted | MarkKind::DeploymentCompleted | MarkKind::DeploymentFailed
        )
    }
}

/// One event on the timeline: an instant (`to: None`) or a span, in seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub kind: MarkKind,
    pub from: f64,
    pub to: Option<f64>,
}

/// A panel: series over the run's time axis, with the timeline under them.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    pub title: String,
    pub y_label: String,
    /// The time axis, seconds: the whole run.
    pub x_range: (f64, f64),
    /// Points in seconds; drawn as steps (every value is an interval's or an instant's count).
    pub series: Vec<Series>,
    pub marks: Vec<Mark>,
    /// The date of time 0, if the run has one: the time axis then reads UTC (see
    /// [`calendar_label`]).
    pub calendar: Calendar,
}

/// Where the plot sits in a panel's SVG, in pixels, and the time range it spans.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlotBox {
    pub left: i32,
    pub right: i32,
    pub top: i32,
    pub bottom: i32,
}

/// Width of the legend right of every panel's plot, in pixels: one width for all, so that the
/// plots of a page (and the timeline's) line up on one time axis.
pub(super) const LEGEND_W: u32 = 290;
/// Room for the y axis's labels and name, left of the plot.
pub(super) const Y_AXIS_W: u32 = 70;
pub(super) const PLOT_MARGIN: u32 = 8;

/// `body` split into the plot's area and the legend's, [`LEGEND_W`] wide.
pub(super) fn split_for_legend<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
) -> (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>) {
    let (w, _) = body.dim_in_pixel();
    body.split_horizontally(w.saturating_sub(LEGEND_W.min(w / 3)))
}

/// Size of a report panel, in pixels (the report scales it to the page's width).
pub const PANEL_SIZE: (u32, u32) = (1100, 300);
const TITLE_H: u32 = 34;
const TITLE_SIZE: f64 = 20.0;
const TICK_SIZE: f64 = 15.0;
const AXIS_SIZE: f64 = 16.0;
/// Height of the ticks of minor instants, at the top of the plot, in pixels.
const TICK_MARK: i32 = 12;

/// `secs` as `hh:mm:ss` (hours past 24 keep counting: a two-day run ends at 48:00:00).
pub fn clock(secs: f64) -> String {
    let s = if secs.is_finite() { secs.max(0.0).round() as u64 } else { 0 };
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// Tick positions of a time axis over `[x0, x1]` seconds: the smallest round step of a clock
/// (1, 2, 5, 10, 15, 30 s; 1, 2, 5, 10, 15, 30 min; 1, 2, 3, 6, 12, 24 h, then whole days) that
/// gives at most `most` ticks, so labels read 00:10:00, 00:20:00, ... and not 00:08:20.
pub fn clock_ticks(x0: f64, x1: f64, most: usize) -> Vec<f64> {
    const STEPS: [f64; 18] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 10_800.0, 21_600.0,
        43_200.0, 86_400.0,
    ];
    let span = x1 - x0;
    if !(span.is_finite() && span > 0.0) || most == 0 {
        return vec![x0];
    }
    let fits = |step: f64| span / step <= most as f64;
    let step =
        STEPS.into_iter().find(|&s| fits(s)).unwrap_or_else(|| (span / most as f64 / 86_400.0).ceil() * 86_400.0);
    let first = (x0 / step).ceil() as i64;
    let last = (x1 / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A step function's points without those that repeat the value before them (the step drawn
/// from the first of a run reaches the next change all the same); the last point is kept, so the
/// line still reaches the end.
pub fn without_repeats(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(points.len());
    for (i, &p) in points.iter().enumerate() {
        let repeats = out.last().is_some_and(|last| last.1 == p.1);
        if !repeats || i + 1 == points.len() {
            out.push(p);
        }
    }
    out
}

/// `points` (sorted by x) cut to at most `buckets` buckets of equal width in x, each kept as its
/// first, lowest, highest and last points in x order: every extreme survives.
pub fn decimate(points: &[(f64, f64)], buckets: usize) -> Vec<(f64, f64)> {
    if points.len() <= buckets.saturating_mul(4) || buckets == 0 {
        return points.to_vec();
    }
    let (x0, x1) = (points[0].0, points[points.len() - 1].0);
    let width = (x1 - x0) / buckets as f64;
    let bucket_of = |x: f64| if width > 0.0 { (((x - x0) / width) as usize).min(buckets - 1) } else { 0 };
    let mut out = Vec::with_capacity(buckets * 4);
    let mut start = 0;
    while start < points.len() {
        let b = bucket_of(points[start].0);
        let end = start + points[start..].iter().take_while(|p| bucket_of(p.0) == b).count();
        let chunk = &points[start..end];
        let lowest = chunk.iter().enumerate().min_by(|a, b| a.1 .1.total_cmp(&b.1 .1)).map_or(0, |(i, _)| i);
        let highest = chunk.iter().enumerate().max_by(|a, b| a.1 .1.total_cmp(&b.1 .1)).map_or(0, |(i, _)| i);
        let mut keep = vec![0, lowest, highest, chunk.len() - 1];
        keep.sort_unstable();
        keep.dedup();
        out.extend(keep.into_iter().map(|i| chunk[i]));
        start = end;
    }
    out
}

/// The time axis's grid lines and `hh:mm:ss` labels at [`clock_ticks`] (plotters' own ticks
/// fall on round numbers of seconds, which read badly as times). On a calendar, ticks fall on
/// round times of the UTC day and read as [`calendar_label`]s.
pub(super) fn draw_clock_axis<DB: DrawingBackend>(
    plot: &mut super::Plot<'_, DB>,
    size: f64,
    calendar: Calendar,
) -> Result<(), String> {
    let (x, y) = (plot.x_range(), plot.y_range());
    let ahead = calendar.time_of_day().as_secs_f64();
    let ticks: Vec<f64> = clock_ticks(x.start + ahead, x.end + ahead, 10).into_iter().map(|t| t - ahead).collect();
    let grid = RGBColor(0xD8, 0xD8, 0xD8);
    let lines = ticks.iter().map(|&t| PathElement::new(vec![(t, y.start), (t, y.end)], grid.stroke_width(1)));
    plot.draw_series(lines).map_err(msg)?;
    let style = font(size).pos(Pos::new(HPos::Center, VPos::Top));
    let label = |t: f64| calendar_label(calendar, t).unwrap_or_else(|| clock(t));
    let labels = ticks.iter().map(|&t| EmptyElement::at((t, y.start)) + Text::new(label(t), (0, 8), style.clone()));
    plot.draw_series(labels).map_err(msg)?;
    Ok(())
}

/// A time axis label on a calendar: the UTC time of day (`14:30:00`), or at midnight the date
/// (`2026-03-05`); `None` without a calendar.
pub fn calendar_label(calendar: Calendar, secs: f64) -> Option<String> {
    calendar.start()?;
    let at = calendar.date_of(SimTime::ZERO + SimDuration::from_secs_f64(secs))?;
    let midnight = at.num_seconds_from_midnight() == 0 && at.nanosecond() < 500_000_000;
    Some(if midnight {
        format!("{:04}-{:02}-{:02}", at.year(), at.month(), at.day())
    } else {
        format!("{:02}:{:02}:{:02}", at.hour(), at.minute(), at.second())
    })
}

impl Panel {
    /// The series' legend; the marks' colours are the timeline's, named once in its lanes.
    fn legend(&self) -> Vec<LegendEntry<'_>> {
        let series = self.series.iter();
        series.map(|s| LegendEntry { label: &s.label, sample: Sample::Line(color(s.color_index), s.style) }).collect()
    }

    /// Draws the panel on `root` and returns where its plot is.
    pub fn draw_at<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<PlotBox, String> {
        root.fill(&WHITE).map_err(msg)?;
        let (title_area, body) = root.split_vertically(TITLE_H);
        let style = (FONT_FAMILY, TITLE_SIZE, FontStyle::Bold).into_font().color(&BLACK);
        let style = style.pos(Pos::new(HPos::Left, VPos::Center));
        title_area.draw_text(&self.title, &style, (12, TITLE_H as i32 / 2)).map_err(msg)?;

        let legend = self.legend();
        let (plot_area, legend_area) = split_for_legend(&body);

        // A series too long for the plot is cut to its buckets' extremes and drawn through them;
        // one that fits is drawn as the steps it is.
        let cleaned: Vec<(Vec<(f64, f64)>, bool)> = self
            .series
            .iter()
            .map(|s| {
                let points = without_repeats(&finite_sorted(&s.points));
                let cut = decimate(&points, BUCKETS);
                let stepped = cut.len() == points.len();
                (if stepped { step_points(&cut) } else { cut }, stepped)
            })
            .collect();
        let (x0, x1) = self.x_range;
        let x1 = if x1 > x0 { x1 } else { x0 + 1.0 };
        let (y0, y1) = y_range(cleaned.iter().flat_map(|(p, _)| p).map(|&(_, y)| y));
        let mut plot = ChartBuilder::on(&plot_area)
            .margin(PLOT_MARGIN)
            .x_label_area_size(44)
            .y_label_area_size(Y_AXIS_W)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(msg)?;
        plot.configure_mesh()
            .label_style(font(TICK_SIZE))
            .axis_desc_style(font(AXIS_SIZE))
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_label_formatter(&tick_label)
            .bold_line_style(RGBColor(0xD8, 0xD8, 0xD8))
            .max_light_lines(0)
            .axis_style(BLACK.stroke_width(1))
            .y_desc(self.y_label.as_str())
            .draw()
            .map_err(msg)?;
        draw_clock_axis(&mut plot, TICK_SIZE, self.calendar)?;

        for mark in self.marks.iter().filter(|m| m.to.is_some()) {
            let to = mark.to.unwrap_or(mark.from).clamp(x0, x1);
            let band = Rectangle::new([(mark.from.clamp(x0, x1), y0), (to, y1)], mark.kind.color().mix(0.13).filled());
            plot.draw_series(std::iter::once(band)).map_err(msg)?;
        }
        for (series, (points, _)) in self.series.iter().zip(&cleaned) {
            let style = color(series.color_index).stroke_width(LINE_WIDTH);
            let line = points.iter().copied();
            match series.style {
                LineStyle::Solid => plot.draw_series(LineSeries::new(line, style)).map(|_| ()),
                LineStyle::Dashed => plot.draw_series(DashedLineSeries::new(line, DASH.0, DASH.1, style)).map(|_| ()),
            }
            .map_err(msg)?;
            if let [only] = points.as_slice() {
                plot.draw_series(std::iter::once(Circle::new(*only, 3, style.filled()))).map_err(msg)?;
            }
        }
        let (xs, ys) = plot.plotting_area().get_pixel_range();
        let tick = (y1 - y0) * f64::from(TICK_MARK) / f64::from((ys.end - ys.start).max(1));
        for mark in self.marks.iter().filter(|m| m.to.is_none() && (x0..=x1).contains(&m.from)) {
            let (t, c) = (mark.from, mark.kind.color().stroke_width(2));
            if mark.kind.is_major() {
                plot.draw_series(std::iter::once(PathElement::new(vec![(t, y1), (t, y0)], c))).map_err(msg)?;
            } else {
                plot.draw_series(std::iter::once(PathElement::new(vec![(t, y1), (t, y1 - tick)], c))).map_err(msg)?;
            }
        }
        draw_legend(&legend_area, &legend)?;
        Ok(PlotBox { left: xs.start, right: xs.end, top: ys.start, bottom: ys.end })
    }
}

impl Drawable for Panel {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        self.draw_at(root).map(|_| ())
    }
}

/// Panels stacked on one canvas, sharing the time axis (the static `traffic` chart).
#[derive(Clone, Debug, PartialEq)]
pub struct Stack(pub Vec<Panel>);

impl Drawable for Stack {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(msg)?;
        if self.0.is_empty() {
            return Ok(());
        }
        let areas = root.split_evenly((self.0.len(), 1));
        for (panel, area) in self.0.iter().zip(&areas) {
            panel.draw_at(area)?;
        }
        Ok(())
    }
}

/// `panel` as SVG text of [`PANEL_SIZE`], with where its plot is.
pub fn panel_svg(panel: &Panel) -> Result<(String, PlotBox), String> {
    svg_with(PANEL_SIZE, |root| panel.draw_at(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_reads_hours_minutes_seconds() {
        assert_eq!(clock(0.0), "00:00:00");
        assert_eq!(clock(3_725.4), "01:02:05");
        assert_eq!(clock(172_800.0), "48:00:00");
        assert_eq!(clock(f64::NAN), "00:00:00");
    }

    #[test]
    fn on_a_calendar_the_axis_reads_utc_times_and_dates() {
        let calendar = Calendar::parse("2026-03-07T14:30:00Z").unwrap();
        assert_eq!(calendar_label(calendar, 0.0).unwrap(), "14:30:00");
        assert_eq!(calendar_label(calendar, 9.5 * 3600.0).unwrap(), "2026-03-08");
        assert_eq!(calendar_label(calendar, 10.0 * 3600.0).unwrap(), "00:30:00");
        assert_eq!(calendar_label(Calendar::NONE, 60.0), None);
    }

    #[test]
    fn clock_ticks_fall_on_round_times() {
        assert_eq!(clock_ticks(0.0, 3600.0, 10), (0..=6).map(|k| f64::from(k) * 600.0).collect::<Vec<_>>());
        assert_eq!(clock_ticks(0.0, 1800.0, 10).len(), 7, "every 5 minutes");
        assert_eq!(clock_ticks(0.0, 86_400.0, 10)[1], 10_800.0, "every 3 hours over a day");
        assert_eq!(clock_ticks(0.0, 30.0 * 86_400.0, 10)[1], 3.0 * 86_400.0, "whole days past a day");
        assert_eq!(clock_ticks(5.0, 5.0, 10), [5.0]);
    }

    #[test]
    fn a_flat_step_keeps_its_changes_and_its_end() {
        let points = [(0.0, 4.0), (60.0, 4.0), (120.0, 2.0), (180.0, 2.0), (240.0, 4.0), (300.0, 4.0)];
        assert_eq!(without_repeats(&points), [(0.0, 4.0), (120.0, 2.0), (240.0, 4.0), (300.0, 4.0)]);
        assert_eq!(without_repeats(&[(0.0, 1.0)]), [(0.0, 1.0)]);
    }

    #[test]
    fn decimation_keeps_every_extreme_and_the_ends() {
        // A day of one-minute points, flat but for a one-minute spike and a one-minute dip.
        let mut points: Vec<(f64, f64)> = (0..1440).map(|i| (f64::from(i) * 60.0, 10.0)).collect();
        points[700].1 = 95.0;
        points[1000].1 = 0.0;
        let cut = decimate(&points, 100);
        assert!(cut.len() <= 400 && cut.len() < points.len(), "{} points", cut.len());
        assert!(cut.contains(&(700.0 * 60.0, 95.0)) && cut.contains(&(1000.0 * 60.0, 0.0)));
        assert_eq!((cut[0], cut[cut.len() - 1]), (points[0], points[1439]));
        assert!(cut.windows(2).all(|w| w[0].0 < w[1].0), "still in time order");
        assert_eq!(decimate(&points[..50], 100), points[..50].to_vec(), "short series are kept whole");
    }

    #[test]
    fn a_panel_says_where_its_plot_is_and_shows_its_marks() {
        let panel = Panel {
            title: "web: tasks".into(),
            y_label: "tasks".into(),
            x_range: (0.0, 1800.0),
            series: vec![Series {
                label: "running".into(),
                points: vec![(0.0, 4.0), (600.0, 0.0), (660.0, 4.0)],
                style: LineStyle::Solid,
                color_index: 0,
            }],
            marks: vec![
                Mark { kind: MarkKind::DeploymentFailed, from: 645.0, to: None },
                Mark { kind: MarkKind::Fault, from: 600.0, to: Some(1200.0) },
            ],
            calendar: Calendar::NONE,
        };
        let (svg, plot) = panel_svg(&panel).unwrap();
        assert_eq!(svg, panel_svg(&panel).unwrap().0, "deterministic");
        assert!(plot.left > 0 && plot.right > plot.left && plot.right < PANEL_SIZE.0 as i32);
        assert!(plot.top >= TITLE_H as i32 && plot.bottom > plot.top);
        for text in ["web: tasks", "running", "00:10:00", "00:25:00"] {
            assert!(svg.contains(text), "no {text:?} in the panel");
        }
    }
}
