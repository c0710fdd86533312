//! A whole run, from a loaded scenario to a committed output folder.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::chart::{self, Chart, ChartError, LineStyle, Series};
use super::recorder::{ChartSeries, CountSeries, RecorderFiles};
use super::{FileRecorder, RunFolder};
use crate::engine::SimDuration;
use crate::metrics::Summary;
use crate::scenario::Scenario;
use crate::sim::Simulation;
use crate::sweep::measures::{MeasureRecorder, MeasureSpec, RunMeasures, MEASURES};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error("refusing to replace {0}: it exists and is not an ecsim output folder (no .ecsim marker, run.json or sweep.json of ecsim's); choose another --out or empty it")]
    NotAnOutputFolder(PathBuf),
    #[error("refusing to touch {0}: it exists and ecsim did not make it; move it away")]
    NotOurs(PathBuf),
    #[error("refusing to replace {0}: ecsim did not write it there and the new output has a file of that name; move it away (the new output is in the .partial folder beside it)")]
    WouldOverwrite(PathBuf),
    #[error("cannot read {path}: {message}; is it a folder ecsim wrote?")]
    BadRunFile { path: PathBuf, message: String },
    #[error(
        "{0} is not a run or sweep folder of ecsim's (no run.json or sweep.json); give the folder a run or sweep wrote"
    )]
    NotAReportFolder(PathBuf),
    #[error("--out {0} names no folder of its own; give a folder name, e.g. `out/run`")]
    NoFolderName(PathBuf),
}

/// What a finished run produced.
pub struct RunReport {
    pub summary: Summary,
    /// The run's experiment measures (measures.json), with no warm-up unless asked.
    pub measures: RunMeasures,
    pub folder: PathBuf,
}

/// run.json: what identifies the run's inputs (no wall-clock time, so reruns are byte-identical).
#[derive(Serialize)]
struct RunInfo<'a> {
    ecsim_version: &'a str,
    scenario: &'a str,
    scenario_file: &'a str,
    scenario_sha256: String,
    /// Imported task definition files: their paths as the scenario writes them, and hashes.
    imports: Vec<ImportInfo<'a>>,
    /// `trace:` files: their paths as the scenario writes them, and hashes of their bytes as stored.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    traces: Vec<ImportInfo<'a>>,
    /// What loading said without failing, e.g. how much of a trace the run's end cut.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
    seed: u64,
    /// The date of simulated time 0 (`start_time:`), as an ISO 8601 UTC timestamp; absent without.
    #[serde(skip_serializing_if = "Option::is_none")]
    start_time: Option<String>,
    duration_s: f64,
    metrics_interval_s: f64,
}

#[derive(Serialize)]
struct ImportInfo<'a> {
    file: &'a str,
    sha256: String,
}

/// Lowercase hex SHA-256 of `bytes`.
pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// How a run is reported.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunOptions {
    /// Log a TASK_PLACEMENT event saying why each task went to its instance.
    pub explain_placement: bool,
}

/// Simulates `scenario` and writes every output into `out`. `source` is the scenario file (its name
/// and bytes are recorded so the run can be traced to its exact input).
pub fn write_run(
    scenario: &Scenario,
    source: (&str, &[u8]),
    out: &Path,
    options: RunOptions,
) -> Result<RunReport, OutputError> {
    write_run_measured(scenario, source, out, options, &MeasureSpec::default())
}

/// [`write_run`], with the run's measures taken by `spec` (an experiment's warm-up and SLOs).
pub fn write_run_measured(
    scenario: &Scenario,
    source: (&str, &[u8]),
    out: &Path,
    options: RunOptions,
    spec: &MeasureSpec,
) -> Result<RunReport, OutputError> {
    let folder = RunFolder::create(out)?;
    let files = RecorderFiles {
        metrics: folder.file("metrics.csv"),
        breakdown: folder.file("breakdown.csv"),
        events: folder.file("events.jsonl"),
    };
    let mut recorder = FileRecorder::create(files, scenario.calendar)?;
    let mut measuring = MeasureRecorder::new(spec, Some(&mut recorder));
    let (world, mut summary) = Simulation::new(scenario, &mut measuring, options.explain_placement).run();
    summary.start_time = scenario.calendar.start_text();
    let measures = measuring.finish(&world, &summary);
    drop(world);
    let series = recorder.finish()?;
    write_json(&folder.file("measures.json"), &measures_json(spec, &measures))?;

    write_json(&folder.file("summary.json"), &summary)?;
    let (file_name, bytes) = source;
    let info = RunInfo {
        ecsim_version: env!("CARGO_PKG_VERSION"),
        scenario: &scenario.name,
        scenario_file: file_name,
        scenario_sha256: sha256_hex(bytes),
        imports: scenario
            .imported_files
            .iter()
            .map(|f| ImportInfo { file: &f.path, sha256: sha256_hex(f.text.as_bytes()) })
            .collect(),
        traces: scenario.trace_files.iter().map(|f| ImportInfo { file: &f.path, sha256: f.sha256.clone() }).collect(),
        notes: &scenario.notes,
        seed: scenario.seed,
        start_time: scenario.calendar.start_text(),
        duration_s: scenario.duration.as_secs_f64(),
        metrics_interval_s: scenario.metrics_interval.as_secs_f64(),
    };
    write_json(&folder.file("run.json"), &info)?;
    let scenario_copy = folder.file("scenario.yaml");
    fs::write(&scenario_copy, bytes).map_err(|source| OutputError::Io { path: scenario_copy, source })?;
    // The run's own charts are drawn while the report reads the files back: neither reads what
    // the other writes. Errors are reported charts first, as when they were drawn first.
    let charts = || -> Result<(), OutputError> {
        let chart = tasks_chart(&scenario.name, scenario.duration, &series);
        chart::write_png(&chart, &folder.file("tasks.png"))?;
        chart::write_svg(&chart, &folder.file("tasks.svg"))?;
        if scenario.capacity_providers.iter().any(|p| p.auto_scaling_group().is_some()) {
            let chart = capacity_chart(&scenario.name, scenario.duration, &series);
            chart::write_png(&chart, &folder.file("capacity.png"))?;
            chart::write_svg(&chart, &folder.file("capacity.svg"))?;
        }
        Ok(())
    };
    let (drawn, views) = rayon::join(charts, || super::html::write_run_views(folder.path(), folder.path()));
    drawn?;
    views?;
    Ok(RunReport { summary, measures, folder: folder.commit()? })
}

pub(super) fn write_json(path: &Path, value: &impl Serialize) -> Result<(), OutputError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| OutputError::Io { path: path.to_path_buf(), source: e.into() })?;
    text.push('\n');
    fs::write(path, text).map_err(|source| OutputError::Io { path: path.to_path_buf(), source })
}

/// measures.json: the run's measures by name, as an experiment's runs.csv would hold them.
fn measures_json(spec: &MeasureSpec, m: &RunMeasures) -> serde_json::Value {
    let values: serde_json::Map<String, serde_json::Value> = MEASURES
        .iter()
        .zip(&m.values)
        .map(|(def, v)| (def.name.to_string(), v.map_or(serde_json::Value::Null, |x| serde_json::json!(x))))
        .collect();
    serde_json::json!({ "warm_up_s": spec.warm_up.as_secs_f64(), "measures": values })
}

/// An actual (solid) and a desired (dashed) line of one layer, in one colour.
fn actual_and_desired(what: &str, color_index: usize, points: &CountSeries, per: f64) -> [Series; 2] {
    let line = |label: String, style, value: fn(&(f64, u32, u32)) -> u32| Series {
        label,
        points: points.iter().map(|p| (p.0 / per, f64::from(value(p)))).collect(),
        style,
        color_index,
    };
    [
        line(format!("{what} running"), LineStyle::Solid, |p| p.1),
        line(format!("{what} desired"), LineStyle::Dashed, |p| p.2),
    ]
}

/// Running (solid) and desired (dashed) tasks of each service.
fn tasks_chart(name: &str, duration: SimDuration, series: &ChartSeries) -> Chart {
    let (unit, per) = chart::time_unit(duration);
    let lines =
        series.services.iter().enumerate().flat_map(|(i, (svc, points))| actual_and_desired(svc, i, points, per));
    Chart {
        title: format!("{name}: running vs desired tasks"),
        x_label: format!("simulated time ({unit})"),
        y_label: "tasks".to_string(),
        series: lines.collect(),
    }
}

/// Both scaling layers on one time axis: each service's tasks, and the cluster's instances
/// (registered, solid; the Auto Scaling groups' desired capacity, dashed, in black), so the wait
/// of one layer for the other shows.
fn capacity_chart(name: &str, duration: SimDuration, series: &ChartSeries) -> Chart {
    let per = chart::time_unit(duration).1;
    let mut chart = tasks_chart(name, duration, series);
    let [registered, desired] = actual_and_desired("instances", INSTANCES_COLOR, &series.instances, per);
    let registered = Series { label: "instances registered".to_string(), ..registered };
    chart.series.extend([registered, desired]);
    chart.title = format!("{name}: tasks and instances");
    chart.y_label = "tasks, instances".to_string();
    chart
}

/// The palette's black: instances stand apart from the services' colours.
const INSTANCES_COLOR: usize = 6;

/// The short human summary the CLI prints. Costs show 4 decimals: short runs cost fractions of a
/// cent, which 2 decimals would show as $0.00. A service's cost is its Fargate tasks' (EC2
/// instances are shared, so they are billed to the cluster only).
/// The deployments after each service's first (its creation), if there were any.
fn deployments_table(out: &mut String, s: &Summary) {
    let later: Vec<_> = s.deployments.iter().filter(|d| d.id != "ecs-svc/1").collect();
    if later.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{:<20} {:<12} {:<16} {:<10} {:<11} {:>10} {:>7} {:>8} {:>6}  traffic",
        "service", "deployment", "task definition", "strategy", "state", "took", "started", "replaced", "failed",
    );
    for d in later {
        let took = d.duration_s.map_or("-".to_string(), |t| SimDuration::from_secs_f64(t).to_string());
        let shifts: Vec<String> = d.traffic_shifts.iter().map(|s| format!("{}%", s.percent)).collect();
        let traffic = if shifts.is_empty() { "-".to_string() } else { shifts.join(" → ") };
        let _ = writeln!(
            out,
            "{:<20} {:<12} {:<16} {:<10} {:<11} {:>10} {:>7} {:>8} {:>6}  {}",
            d.service,
            d.id,
            d.task_definition,
            d.strategy,
            d.state,
            took,
            d.tasks_started,
            d.tasks_replaced,
            d.failed_to_start + d.failed_after_running,
            traffic
        );
    }
}

/// Requests, errors and response times of the services behind a load balancer, if any.
fn traffic_table(out: &mut String, s: &Summary) {
    let served: Vec<_> = s.services.iter().filter_map(|svc| svc.traffic.as_ref().map(|t| (&svc.name, t))).collect();
    if served.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{:<20} {:>12} {:>8} {:>10} {:>10} {:>10} {:>10}",
        "service", "requests", "errors %", "mean", "p50", "p99", "max"
    );
    let time = |t: Option<f64>| t.map_or("-".to_string(), |t| SimDuration::from_secs_f64(t).to_string());
    for (name, t) in served {
        let _ = writeln!(
            out,
            "{:<20} {:>12.0} {:>8.3} {:>10} {:>10} {:>10} {:>10}",
            name,
            t.requests,
            t.error_rate_pct,
            time(t.response_time_mean_s),
            time(t.response_time_p50_s),
            time(t.response_time_p99_s),
            time(t.response_time_max_s)
        );
    }
}

pub fn summary_table(s: &Summary) -> String {
    let mut out = format!(
        "{}: seed {}, {} simulated, {} events\n\n",
        s.scenario,
        s.seed,
        SimDuration::from_secs_f64(s.duration_s),
        s.events
    );
    let _ = writeln!(
        out,
        "{:<20} {:>7} {:>7} {:>7} {:>7} {:>10} {:>9} {:>10}",
        "service", "desired", "running", "started", "stopped", "steady at", "unplaced", "fargate $"
    );
    for svc in &s.services {
        let steady =
            svc.first_steady_state_s.map_or("never".to_string(), |t| SimDuration::from_secs_f64(t).to_string());
        let _ = writeln!(
            out,
            "{:<20} {:>7} {:>7} {:>7} {:>7} {:>10} {:>9} {:>10.4}",
            svc.name,
            svc.desired_count,
            svc.running_at_end,
            svc.tasks_started,
            svc.tasks_stopped,
            steady,
            svc.placement_failures,
            svc.fargate_cost_usd
        );
    }
    for svc in s.services.iter().filter(|svc| svc.running_at_start > 0) {
        let _ = writeln!(
            out,
            "  {} began with {} tasks already running (not counted as started)",
            svc.name, svc.running_at_start
        );
    }
    deployments_table(&mut out, s);
    traffic_table(&mut out, s);
    let c = &s.cost_usd;
    let _ = write!(
        out,
        "\ninstances: {}   cost: ${:.4} (EC2 ${:.4}, Fargate ${:.4}, Fargate Spot ${:.4})",
        s.instances, s.cost_usd_total, c.ec2, c.fargate, c.fargate_spot
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_capacity_chart_puts_instances_beside_the_tasks_on_one_axis() {
        let series = ChartSeries {
            services: [("web".to_string(), vec![(0.0, 0, 4), (60.0, 4, 4)])].into_iter().collect(),
            instances: vec![(0.0, 0, 2), (60.0, 2, 2)],
        };
        let chart = capacity_chart("lab", SimDuration::from_secs(120), &series);
        let labels: Vec<_> = chart.series.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["web running", "web desired", "instances registered", "instances desired"]);
        // Two minutes of run: the axis is in minutes, so 60 s is at x = 1.
        assert_eq!(chart.series[2].points, [(0.0, 0.0), (1.0, 2.0)]);
        assert_eq!(chart.series[3].style, LineStyle::Dashed);
        assert_eq!(chart.series[3].color_index, INSTANCES_COLOR);
    }
}
