//! The report's panels, from a run's files: what each one plots, in which section.
//!
//! Sections, in order: per service behind a load balancer its traffic (requests per second,
//! response time p50/p90/p99, 5xx by kind, healthy and unhealthy targets); per service its tasks
//! (desired, running, pending, PROVISIONING), tasks by task definition and by zone, and CPU and
//! memory utilization; the cluster (instances by zone, capacity by provider and purchase option,
//! instances registered, desired and launching, reservations and CapacityProviderReservation);
//! the cost rate by kind. Every panel spans the whole run and carries its timeline marks. A
//! panel whose data the folder lacks (no breakdown.csv, no load balancer) is left out.

use crate::engine::Calendar;
use crate::output::chart::{LineStyle, Mark, Panel, Series, Stack};
use crate::record::Dimension;

use super::marks::panel_marks;
use super::read::{RunFiles, ServiceMetrics};

/// A titled group of panels.
pub struct Section {
    pub title: String,
    pub panels: Vec<Panel>,
}

fn line(label: impl Into<String>, points: Vec<(f64, f64)>, color_index: usize) -> Series {
    Series { label: label.into(), points, style: LineStyle::Solid, color_index }
}

fn dashed(label: impl Into<String>, points: Vec<(f64, f64)>, color_index: usize) -> Series {
    Series { label: label.into(), points, style: LineStyle::Dashed, color_index }
}

/// A per-interval count as a rate: the value over the time since the previous row, times `per`
/// (1: per second, 3600: per hour). The first row (time 0) covers no time and gives no point.
fn rate(svc: &ServiceMetrics, column: &str, per: f64) -> Vec<(f64, f64)> {
    let Some(values) = svc.column(column) else { return Vec::new() };
    let rows = svc.times.windows(2).zip(values.iter().skip(1));
    rows.filter_map(|(t, v)| v.filter(|_| t[1] > t[0]).map(|v| (t[1], v / (t[1] - t[0]) * per))).collect()
}

/// What every panel of one owner shares: the time axis and the marks.
struct Frame {
    x_range: (f64, f64),
    marks: Vec<Mark>,
    calendar: Calendar,
}

impl Frame {
    fn panel(&self, title: String, y_label: &str, series: Vec<Series>) -> Panel {
        let (x_range, marks, calendar) = (self.x_range, self.marks.clone(), self.calendar);
        Panel { title, y_label: y_label.into(), x_range, series, marks, calendar }
    }
}

fn behind_load_balancer(svc: &ServiceMetrics) -> bool {
    svc.has("requests")
}

/// Requests per second, response time, 5xx and targets of a service behind a load balancer.
fn traffic_panels(svc: &ServiceMetrics, frame: &Frame) -> Vec<Panel> {
    let name = &svc.name;
    let requests = vec![line("requests/s", rate(svc, "requests", 1.0), 0)];
    let times =
        [("p50", "response_time_p50_s", 2), ("p90", "response_time_p90_s", 0), ("p99", "response_time_p99_s", 1)];
    let times = times.into_iter().map(|(label, column, c)| line(label, svc.points(column), c)).collect();
    let errors = [
        ("target 5xx", "target_5xx", 3),
        ("ELB 502", "elb_502", 4),
        ("ELB 503", "elb_503", 1),
        ("ELB 504", "elb_504", 6),
    ];
    let errors = errors.into_iter().map(|(label, column, c)| line(label, svc.points(column), c)).collect();
    let targets =
        vec![line("healthy", svc.points("healthy_hosts"), 2), line("unhealthy", svc.points("unhealthy_hosts"), 1)];
    vec![
        frame.panel(format!("{name}: requests"), "requests/s", requests),
        frame.panel(format!("{name}: response time"), "seconds", times),
        frame.panel(format!("{name}: 5xx responses"), "per interval", errors),
        frame.panel(format!("{name}: targets"), "targets", targets),
    ]
}

/// Each key of a breakdown as a line.
fn breakdown_lines(files: &RunFiles, service: &str, dimension: Dimension, times: &[f64]) -> Vec<Series> {
    let Some(b) = &files.breakdown else { return Vec::new() };
    b.series(service, dimension, times).into_iter().enumerate().map(|(i, (key, points))| line(key, points, i)).collect()
}

/// Tasks, tasks by task definition and zone, utilization of one service.
fn service_panels(files: &RunFiles, svc: &ServiceMetrics, frame: &Frame) -> Vec<Panel> {
    let name = &svc.name;
    let mut tasks = vec![
        dashed("desired", svc.points("desired"), 6),
        line("running", svc.points("running"), 0),
        line("pending", svc.points("pending"), 4),
    ];
    if let Some(b) = &files.breakdown {
        let provisioning = b.series(name, Dimension::Status, &svc.times).into_iter().find(|(k, _)| k == "PROVISIONING");
        let points = provisioning.map_or_else(|| svc.times.iter().map(|&t| (t, 0.0)).collect(), |(_, p)| p);
        tasks.push(line("PROVISIONING", points, 1));
    }
    let mut panels = vec![frame.panel(format!("{name}: tasks"), "tasks", tasks)];
    for (dimension, what) in [(Dimension::TaskDefinition, "task definition"), (Dimension::Zone, "Availability Zone")] {
        let lines = breakdown_lines(files, name, dimension, &svc.times);
        if !lines.is_empty() {
            panels.push(frame.panel(format!("{name}: tasks by {what}"), "tasks", lines));
        }
    }
    if svc.has("cpu_utilization_pct") || svc.has("memory_utilization_pct") {
        let lines = vec![
            line("CPUUtilization", svc.points("cpu_utilization_pct"), 0),
            line("MemoryUtilization", svc.points("memory_utilization_pct"), 2),
        ];
        panels.push(frame.panel(format!("{name}: utilization"), "percent", lines));
    }
    panels
}

/// The cluster's instances, capacity and reservations, read from the first service's rows (every
/// service's row of an instant repeats the cluster's columns).
fn cluster_panels(files: &RunFiles, first: &ServiceMetrics, frame: &Frame) -> Vec<Panel> {
    let times = &first.times;
    let mut panels = Vec::new();
    let zones = breakdown_lines(files, "", Dimension::InstancesZone, times);
    if !zones.is_empty() {
        panels.push(frame.panel("cluster: instances by Availability Zone".into(), "instances", zones));
    }
    let mut capacity = Vec::new();
    for (dimension, prefix) in [
        (Dimension::InstancesCapacityProvider, "instances"),
        (Dimension::InstancesPurchaseOption, "instances"),
        (Dimension::FargateTasks, "tasks"),
    ] {
        for s in breakdown_lines(files, "", dimension, times) {
            let color_index = capacity.len();
            capacity.push(Series { label: format!("{prefix} {}", s.label), color_index, ..s });
        }
    }
    if !capacity.is_empty() {
        panels.push(frame.panel("cluster: capacity by provider".into(), "instances, tasks", capacity));
    }
    if first.has("instances_desired") && (first.has("instances") || first.has("instances_launching")) {
        let lines = vec![
            line("registered", first.points("instances"), 6),
            dashed("desired", first.points("instances_desired"), 6),
            line("launching", first.points("instances_launching"), 4),
        ];
        panels.push(frame.panel("cluster: instances".into(), "instances", lines));
    }
    let mut reservation = vec![
        line("CPUReservation", first.points("cluster_cpu_reservation_pct"), 0),
        line("MemoryReservation", first.points("cluster_memory_reservation_pct"), 2),
    ];
    for (i, svc) in files.metrics.iter().enumerate().filter(|(_, s)| s.has("capacity_provider_reservation_pct")) {
        let label = format!("CapacityProviderReservation ({})", svc.name);
        reservation.push(line(label, svc.points("capacity_provider_reservation_pct"), 3 + i));
    }
    panels.push(frame.panel("cluster: reservation".into(), "percent", reservation));
    panels
}

/// The cost rate, USD per hour, by kind.
fn cost_panel(first: &ServiceMetrics, frame: &Frame) -> Panel {
    let kinds = [
        ("EC2", "cluster_ec2_cost_usd", 0),
        ("Fargate", "cluster_fargate_cost_usd", 2),
        ("Fargate Spot", "cluster_fargate_spot_cost_usd", 4),
        ("total", "cluster_cost_usd", 6),
    ];
    let lines = kinds.into_iter().map(|(label, column, c)| line(label, rate(first, column, 3600.0), c)).collect();
    frame.panel("cost rate".into(), "USD per hour", lines)
}

/// The run's time axis.
fn x_range(files: &RunFiles) -> (f64, f64) {
    (0.0, files.info.duration_s.max(1e-3))
}

/// Every section of the report.
pub fn sections(files: &RunFiles) -> Vec<Section> {
    let end = x_range(files).1;
    let frame_of = |service: Option<&str>| Frame {
        x_range: x_range(files),
        marks: panel_marks(&files.events, service, end),
        calendar: files.calendar(),
    };
    let mut out = Vec::new();
    for svc in &files.metrics {
        let frame = frame_of(Some(&svc.name));
        let mut panels = Vec::new();
        if behind_load_balancer(svc) {
            panels.extend(traffic_panels(svc, &frame));
        }
        panels.extend(service_panels(files, svc, &frame));
        out.push(Section { title: format!("service {}", svc.name), panels });
    }
    if let Some(first) = files.metrics.first() {
        let frame = frame_of(None);
        out.push(Section { title: "cluster".into(), panels: cluster_panels(files, first, &frame) });
        out.push(Section { title: "cost".into(), panels: vec![cost_panel(first, &frame)] });
    }
    out
}

/// The static `traffic` chart: requests per second, p99 and 5xx of every service behind a load
/// balancer, stacked on one time axis; `None` without one.
pub fn traffic_chart(files: &RunFiles) -> Option<Stack> {
    let served: Vec<&ServiceMetrics> = files.metrics.iter().filter(|s| behind_load_balancer(s)).collect();
    if served.is_empty() {
        return None;
    }
    let frame = Frame {
        x_range: x_range(files),
        marks: panel_marks(&files.events, None, x_range(files).1),
        calendar: files.calendar(),
    };
    let each = |f: &dyn Fn(&ServiceMetrics) -> Vec<(f64, f64)>| -> Vec<Series> {
        served.iter().enumerate().map(|(i, s)| line(s.name.clone(), f(s), i)).collect()
    };
    let errors = |s: &ServiceMetrics| {
        let kinds = ["target_5xx", "elb_502", "elb_503", "elb_504"].map(|c| s.column(c));
        let at = |i: usize| kinds.iter().map(|k| k.and_then(|k| k.get(i))).sum::<Option<f64>>();
        s.times.iter().enumerate().filter_map(|(i, &t)| at(i).map(|v| (t, v))).collect()
    };
    let scenario = &files.info.scenario;
    Some(Stack(vec![
        frame.panel(format!("{scenario}: requests"), "requests/s", each(&|s| rate(s, "requests", 1.0))),
        frame.panel(format!("{scenario}: response time p99"), "seconds", each(&|s| s.points("response_time_p99_s"))),
        frame.panel(format!("{scenario}: 5xx responses"), "per interval", each(&errors)),
    ]))
}
