//! report.html of a run: the header cards, the timeline, the panels by section, the summary
//! tables as the terminal prints them and the events table, rendered by the `report.html`
//! template (minijinja, HTML auto-escaping on; the charts' SVG is the only text passed as safe).

use minijinja::{context, Environment, Value};
use serde::Serialize;

use crate::engine::SimDuration;
use crate::output::chart::{
    clock, panel_svg, series_color, svg_color, timeline_svg, MarkKind, Panel, PlotBox, Timeline, PANEL_SIZE,
};

use super::panels::sections;
use super::read::RunFiles;
use super::to_value;

/// One chart as the template places it: its SVG and where its plot is, for the script.
#[derive(Serialize)]
struct Figure {
    id: String,
    title: String,
    /// The labels of its series and their colours as the SVG writes them: what the browser test
    /// checks is drawn.
    series: Vec<String>,
    colors: Vec<String>,
    svg: Value,
    left: i32,
    right: i32,
    top: i32,
    bottom: i32,
}

impl Figure {
    fn new(id: String, title: &str, series: Vec<(String, String)>, (svg, plot): (String, PlotBox)) -> Self {
        let PlotBox { left, right, top, bottom } = plot;
        let (series, colors) = series.into_iter().unzip();
        let svg = Value::from_safe_string(svg);
        Figure { id, title: title.to_string(), series, colors, svg, left, right, top, bottom }
    }

    fn of_panel(id: String, panel: &Panel) -> Result<Self, String> {
        let series = panel.series.iter().map(|s| (s.label.clone(), series_color(s.color_index))).collect();
        Ok(Figure::new(id, &panel.title, series, panel_svg(panel)?))
    }
}

#[derive(Serialize)]
struct SectionView {
    id: String,
    title: String,
    figures: Vec<Figure>,
}

#[derive(Serialize)]
struct Card {
    label: &'static str,
    value: String,
    note: String,
}

/// A kind of timeline mark, as the page's key shows it.
#[derive(Serialize)]
struct Key {
    label: &'static str,
    color: String,
    /// Drawn across the panels, else a tick at their top.
    major: bool,
}

fn keys() -> Vec<Key> {
    MarkKind::ALL
        .into_iter()
        .map(|k| Key { label: k.label(), color: svg_color(k.color()), major: k.is_major() })
        .collect()
}

#[derive(Serialize)]
struct EventRow {
    time: f64,
    clock: String,
    kind: String,
    service: String,
    subject: String,
    status: String,
    message: String,
}

fn duration(secs: f64) -> String {
    SimDuration::from_secs_f64(secs.max(0.0)).to_string()
}

/// The header cards.
fn cards(files: &RunFiles) -> Vec<Card> {
    let s = &files.summary;
    let card = |label, value: String, note: String| Card { label, value, note };
    let per_day = if s.duration_s > 0.0 { s.cost_usd_total / s.duration_s * 86_400.0 } else { 0.0 };
    let served: Vec<_> = s.services.iter().filter_map(|svc| svc.traffic.as_ref().map(|t| (&svc.name, t))).collect();
    let (failed, all) = served.iter().fold((0.0, 0.0), |(f, a), (_, t)| {
        (f + t.error_rate_pct / 100.0 * (t.requests + t.elb_503), a + t.requests + t.elb_503)
    });
    let worst = served
        .iter()
        .filter_map(|(name, t)| t.response_time_p99_s.map(|p| (name, p)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let mut out = vec![
        card("scenario", s.scenario.clone(), format!("ecsim {}", files.info.ecsim_version)),
        card("seed", s.seed.to_string(), String::new()),
    ];
    if let Some(start) = &files.info.start_time {
        out.push(card("start", utc_shown(start), "UTC, at time 0".into()));
    }
    out.extend([
        card("duration", duration(s.duration_s), format!("metrics every {}", duration(files.info.metrics_interval_s))),
        card("cost", format!("${:.4}", s.cost_usd_total), format!("${per_day:.2} per day")),
    ]);
    if !served.is_empty() {
        let rate = if all > 0.0 { 100.0 * failed / all } else { 0.0 };
        out.push(card("error rate", format!("{rate:.3}%"), format!("{all:.0} requests")));
        if let Some((name, p99)) = worst {
            out.push(card("p99", duration(p99), format!("worst: {name}")));
        }
    }
    let started: u32 = s.services.iter().map(|svc| svc.tasks_started).sum();
    let stopped: u32 = s.services.iter().map(|svc| svc.tasks_stopped).sum();
    out.push(card("tasks", format!("{started} started"), format!("{stopped} stopped")));
    out.push(card("instances", s.instances.to_string(), "at the end".into()));
    out.push(card("events", s.events.to_string(), format!("{} in the log", files.event_counts.values().sum::<u64>())));
    out
}

fn event_rows(files: &RunFiles) -> Vec<EventRow> {
    files
        .events
        .iter()
        .map(|e| EventRow {
            time: e.time,
            clock: e.time_utc.as_deref().map_or_else(
                || {
                    format!(
                        "{}.{:03}",
                        clock(e.time.floor()),
                        ((e.time - e.time.floor()) * 1000.0).round() as u32 % 1000
                    )
                },
                utc_shown,
            ),
            kind: e.kind.clone(),
            service: e.service.clone().unwrap_or_default(),
            subject: [&e.task, &e.instance, &e.zone, &e.capacity_provider]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
            status: e.status.clone().unwrap_or_default(),
            message: e.message.clone(),
        })
        .collect()
}

/// An ISO 8601 UTC timestamp as the page shows it: `2026-03-02 14:30:00.250`.
fn utc_shown(iso: &str) -> String {
    iso.trim_end_matches('Z').replacen('T', " ", 1)
}

/// A name usable as an HTML id.
fn slug(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}

/// The whole page of a run.
pub fn render(
    files: &RunFiles,
    env: Environment<'_>,
    timeline: &Timeline,
    summary_text: &str,
) -> Result<String, String> {
    let end = timeline.x_range.1;
    let lane_names = timeline.lanes.iter().map(|l| (l.label.clone(), svg_color(l.kind.color()))).collect();
    let timeline = Figure::new("timeline".into(), "timeline", lane_names, timeline_svg(timeline, PANEL_SIZE.0)?);
    let mut section_views = Vec::new();
    for section in sections(files) {
        let id = slug(&section.title);
        let figures = section
            .panels
            .iter()
            .enumerate()
            .map(|(i, p)| Figure::of_panel(format!("{id}-{i}"), p))
            .collect::<Result<Vec<_>, _>>()?;
        section_views.push(SectionView { id, title: section.title, figures });
    }
    let events = event_rows(files);
    let mut types: Vec<&String> = files.event_counts.keys().collect();
    types.sort();
    let services: Vec<&str> = files.summary.services.iter().map(|s| s.name.as_str()).collect();
    let template = env.get_template("report.html").map_err(|e| e.to_string())?;
    template
        .render(context! {
            kind => "run",
            title => format!("{} — ecsim report", files.summary.scenario),
            scenario => files.summary.scenario.clone(),
            start_time => files.info.start_time.as_deref().map(utc_shown),
            start_ms => files.calendar().start_unix_micros().map(|us| us.div_euclid(1000)),
            cards => to_value(cards(files)),
            t0 => 0.0,
            t1 => end,
            timeline => to_value(&timeline),
            keys => to_value(keys()),
            sections => to_value(&section_views),
            summary_text => summary_text,
            events => to_value(&events),
            event_types => to_value(&types),
            event_counts => to_value(&files.event_counts),
            services => to_value(&services),
            events_left_out => files.events_left_out(),
        })
        .map_err(|e| e.to_string())
}
