//! The run's events on one time axis: [`Timeline`], one lane per kind of event (the static
//! `timeline` chart, and the first panel of the HTML report).
//!
//! Contract: x is simulated seconds over the whole run (ticks `hh:mm:ss`, as every panel); each
//! [`Lane`] is a row named on the left, its spans drawn as bars and its instants as ticks, in the
//! colour of the lane's [`MarkKind`]. Lanes are drawn top to bottom in the given order; their
//! names stand right of the plot, where a panel has its legend, so the timeline's plot lines up
//! with the panels' below it; a name longer than that room is shortened with an ellipsis. Deterministic, never panics
//! on data.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::engine::Calendar;

use super::panel::{draw_clock_axis, split_for_legend, Mark, MarkKind, PlotBox, PLOT_MARGIN, Y_AXIS_W};
use super::{draw_title, fit_text, font, msg, svg_with, Drawable};

/// One row of the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub label: String,
    pub kind: MarkKind,
    pub marks: Vec<Mark>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    pub title: String,
    /// The time axis, seconds: the whole run.
    pub x_range: (f64, f64),
    pub lanes: Vec<Lane>,
    /// The date of time 0, if the run has one (the time axis then reads UTC).
    pub calendar: Calendar,
}

const LANE_H: u32 = 30;
const X_AXIS_H: u32 = 40;

impl Timeline {
    /// The height of a report panel holding this timeline: a row per lane, at least one.
    pub fn panel_height(&self) -> u32 {
        34 + X_AXIS_H + 20 + LANE_H * self.lanes.len().max(1) as u32
    }

    /// Draws the lanes on `body` (the area below a title) and returns where the plot is.
    fn draw_lanes<DB: DrawingBackend>(&self, body: &DrawingArea<DB, Shift>) -> Result<PlotBox, String> {
        let n = self.lanes.len().max(1);
        let (x0, x1) = self.x_range;
        let x1 = if x1 > x0 { x1 } else { x0 + 1.0 };
        let (plot_area, label_area) = split_for_legend(body);
        let mut plot = ChartBuilder::on(&plot_area)
            .margin(PLOT_MARGIN)
            .x_label_area_size(X_AXIS_H)
            .y_label_area_size(Y_AXIS_W)
            .build_cartesian_2d(x0..x1, 0.0..n as f64)
            .map_err(msg)?;
        plot.configure_mesh()
            .label_style(font(15.0))
            .disable_x_mesh()
            .x_labels(0)
            .disable_y_mesh()
            .disable_y_axis()
            .bold_line_style(RGBColor(0xE0, 0xE0, 0xE0))
            .max_light_lines(0)
            .axis_style(BLACK.stroke_width(1))
            .draw()
            .map_err(msg)?;
        draw_clock_axis(&mut plot, 15.0, self.calendar)?;
        // Lane i is the band [n - 1 - i, n - i): the first lane on top.
        let row = |i: usize| (n - 1 - i) as f64;
        for (i, lane) in self.lanes.iter().enumerate() {
            let base = row(i);
            if i % 2 == 0 {
                let shade = Rectangle::new([(x0, base), (x1, base + 1.0)], RGBColor(0xF4, 0xF4, 0xF4).filled());
                plot.draw_series(std::iter::once(shade)).map_err(msg)?;
            }
            let c = lane.kind.color();
            for mark in &lane.marks {
                let from = mark.from.clamp(x0, x1);
                match mark.to {
                    Some(to) => {
                        let bar =
                            Rectangle::new([(from, base + 0.2), (to.clamp(x0, x1), base + 0.8)], c.mix(0.5).filled());
                        plot.draw_series(std::iter::once(bar)).map_err(msg)?;
                    }
                    None => {
                        let tick = PathElement::new(vec![(from, base + 0.12), (from, base + 0.88)], c.stroke_width(3));
                        plot.draw_series(std::iter::once(tick)).map_err(msg)?;
                    }
                }
            }
        }
        let (xs, ys) = plot.plotting_area().get_pixel_range();
        // The lanes' names stand right of the plot, where the panels have their legends.
        let style = font(15.0).pos(Pos::new(HPos::Left, VPos::Center));
        let lane_px = f64::from(ys.end - ys.start) / n as f64;
        let (label_w, _) = label_area.dim_in_pixel();
        let top = ys.start - label_area.get_base_pixel().1;
        for (i, lane) in self.lanes.iter().enumerate() {
            let y = top + (lane_px * (i as f64 + 0.5)) as i32;
            let label = fit_text(&label_area, &lane.label, &style, label_w.saturating_sub(16))?;
            label_area.draw_text(&label, &style.color(&lane.kind.color()), (8, y)).map_err(msg)?;
        }
        if self.lanes.is_empty() {
            label_area.draw_text("no events", &style, (8, top + 15)).map_err(msg)?;
        }
        Ok(PlotBox { left: xs.start, right: xs.end, top: ys.start, bottom: ys.end })
    }
}

impl Drawable for Timeline {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let body = draw_title(root, &self.title)?;
        self.draw_lanes(&body).map(|_| ())
    }
}

/// `timeline` as SVG text, `width` wide and as tall as its lanes need, with where its plot is.
pub fn timeline_svg(timeline: &Timeline, width: u32) -> Result<(String, PlotBox), String> {
    svg_with((width, timeline.panel_height()), |root| {
        root.fill(&WHITE).map_err(msg)?;
        let (title_area, body) = root.split_vertically(34);
        let style = (super::FONT_FAMILY, 20.0, FontStyle::Bold).into_font().color(&BLACK);
        title_area.draw_text(&timeline.title, &style.pos(Pos::new(HPos::Left, VPos::Center)), (12, 17)).map_err(msg)?;
        timeline.draw_lanes(&body)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lane_is_named_and_drawn() {
        let timeline = Timeline {
            title: "bad-deploy: timeline".into(),
            x_range: (0.0, 3600.0),
            lanes: vec![
                Lane {
                    label: "deployment failed / rolled back".into(),
                    kind: MarkKind::DeploymentFailed,
                    marks: vec![Mark { kind: MarkKind::DeploymentFailed, from: 645.0, to: None }],
                },
                Lane {
                    label: "stopped: OutOfMemoryError: Container killed due to memory usage".into(),
                    kind: MarkKind::TaskStopped,
                    marks: vec![Mark { kind: MarkKind::TaskStopped, from: 3080.0, to: None }],
                },
                Lane {
                    label: "AZ outage us-east-1b".into(),
                    kind: MarkKind::Fault,
                    marks: vec![Mark { kind: MarkKind::Fault, from: 600.0, to: Some(1800.0) }],
                },
            ],
            calendar: Calendar::NONE,
        };
        let (svg, plot) = timeline_svg(&timeline, 1100).unwrap();
        assert!(svg.contains("deployment failed / rolled back") && svg.contains("AZ outage us-east-1b"));
        assert!(svg.contains("stopped: OutOfMemoryError"), "a long name is shortened, not dropped");
        assert!(plot.left > 0 && plot.right > plot.left);
        super::super::tests::png_is_written(&timeline);
    }
}
