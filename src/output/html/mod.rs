//! The views of a run folder made from its files: `report.html` (one self-contained page: inline
//! SVG, CSS and a small script, no network), and the static `timeline` and `traffic` charts (PNG
//! and SVG). They read only what the run wrote ([`read`]), so `ecsim report DIR` remakes them for
//! any folder, and a better report never needs a rerun.
//!
//! Contract:
//! - deterministic: the same folder gives byte-identical views;
//! - bounded: panels cut each series to what they can draw without losing an extreme, the
//!   timeline thins its marks, and the events table lists at most
//!   [`TABLE_ROWS`](read::TABLE_ROWS) events (notable ones first), saying how many it left out;
//! - the page works offline and prints: every chart is inline SVG, the script only filters the
//!   table and draws guide lines, and `body[data-ready]` says it ran to its end.

mod marks;
mod page;
mod panels;
mod read;
mod sweep;

use std::path::Path;

use minijinja::Environment;

pub use read::{read_run, RunFiles, TABLE_ROWS};
pub use sweep::write_sweep_report;

use super::chart::{self, Timeline};
use super::OutputError;

/// The page templates: a layout, the run's page and the sweep's, and the script they share.
const TEMPLATES: [(&str, &str); 4] = [
    ("layout.html", include_str!("templates/layout.html")),
    ("report.html", include_str!("templates/report.html")),
    ("sweep.html", include_str!("templates/sweep.html")),
    ("script.html", include_str!("templates/script.html")),
];

/// The templates, ready to render (HTML escaping is on for every `.html` template).
fn environment() -> Result<Environment<'static>, String> {
    let mut env = Environment::new();
    for (name, text) in TEMPLATES {
        env.add_template(name, text).map_err(|e| e.to_string())?;
    }
    Ok(env)
}

/// Any serializable value as a template value.
fn to_value(value: impl serde::Serialize) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(value))
}

/// The files [`write_run_views`] writes, those of a run without a load balancer less `traffic.*`.
pub const RUN_VIEWS: [&str; 5] = ["report.html", "timeline.png", "timeline.svg", "traffic.png", "traffic.svg"];

fn draw_error(path: &Path, message: String) -> OutputError {
    OutputError::Chart(chart::ChartError::Draw { path: path.to_path_buf(), message })
}

/// Reads the run folder `source` and writes its views into `dest` (which may be `source`);
/// returns the names written.
pub fn write_run_views(source: &Path, dest: &Path) -> Result<Vec<&'static str>, OutputError> {
    let files = read_run(source)?;
    let summary_text = super::summary_table(&files.summary);
    let end = files.info.duration_s.max(1e-3);
    // One timeline: the page's first panel and timeline.png/svg.
    let timeline = Timeline {
        title: format!("{}: timeline", files.info.scenario),
        x_range: (0.0, end),
        lanes: marks::lanes(&files.events, end),
        calendar: files.calendar(),
    };
    let html_path = dest.join("report.html");
    let env = environment().map_err(|e| draw_error(&html_path, e))?;
    let html = page::render(&files, env, &timeline, &summary_text).map_err(|e| draw_error(&html_path, e))?;
    std::fs::write(&html_path, html).map_err(|source| OutputError::Io { path: html_path.clone(), source })?;
    let mut written = vec!["report.html"];
    chart::write_png(&timeline, &dest.join("timeline.png"))?;
    chart::write_svg(&timeline, &dest.join("timeline.svg"))?;
    written.extend(["timeline.png", "timeline.svg"]);
    if let Some(traffic) = panels::traffic_chart(&files) {
        chart::write_png(&traffic, &dest.join("traffic.png"))?;
        chart::write_svg(&traffic, &dest.join("traffic.svg"))?;
        written.extend(["traffic.png", "traffic.svg"]);
    }
    Ok(written)
}

/// Remakes the report of the output folder `dir` (a run's or a sweep's) in place, from its files:
/// `ecsim report DIR`. Returns the names written.
pub fn write_report(dir: &Path) -> Result<Vec<&'static str>, OutputError> {
    if dir.join("run.json").is_file() {
        super::rewrite_in_place(dir, |staging| write_run_views(dir, staging))
    } else if dir.join("sweep.json").is_file() {
        super::rewrite_in_place(dir, |staging| write_sweep_report(dir, staging))
    } else {
        Err(OutputError::NotAReportFolder(dir.to_path_buf()))
    }
}
