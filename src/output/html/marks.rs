//! From the event log to the timeline: which events a panel marks, and the lanes of the
//! timeline chart.
//!
//! Contract:
//! - faults are the cluster's: AZ outages and Spot shortages are spans, from the event that
//!   starts one to the event that ends it for the same zone or provider (or the end of the run);
//!   other injected faults are instants. They show on every panel;
//! - deployments (started, completed, failed or rolled back), scaling activities, alarms going
//!   into ALARM and task stops belong to their service and show on its panels; the Auto Scaling
//!   groups' desired-capacity changes are the cluster's scaling;
//! - a task stop is marked unless ECS stopped it as scheduled work ("Scaling activity initiated
//!   by ..." — a scale-in or a replaced task), so an OOM kill or a failed health check stands
//!   out;
//! - instants closer than [`RESOLUTION`] of the run to one of their kind are drawn once: what a
//!   panel can show, and a crash loop of a thousand stops stays a small file.

use std::collections::BTreeMap;

use crate::output::chart::{Lane, Mark, MarkKind};

use super::read::EventLine;

/// The finest gap between two marks of one kind, as a share of the run.
const RESOLUTION: f64 = 1.0 / 1000.0;
/// The timeline's lanes of stop reasons, at most (the rest share one lane).
const REASON_LANES: usize = 6;

/// What an event marks, if anything, and whose it is (`None`: the cluster's).
fn classify(e: &EventLine) -> Option<(MarkKind, Option<&str>)> {
    let service = e.service.as_deref();
    let kind = match e.kind.as_str() {
        "FAULT_INJECTED" => return Some((MarkKind::Fault, None)),
        "SERVICE_DEPLOYMENT_IN_PROGRESS" => MarkKind::DeploymentStarted,
        "SERVICE_DEPLOYMENT_COMPLETED" => MarkKind::DeploymentCompleted,
        "SERVICE_DEPLOYMENT_FAILED" | "SERVICE_DEPLOYMENT_ROLLED_BACK" => MarkKind::DeploymentFailed,
        "SCALING_ACTIVITY" | "ASG_DESIRED_CAPACITY_CHANGED" => MarkKind::Scaling,
        "ALARM_STATE_CHANGE" if e.status.as_deref() == Some("ALARM") => MarkKind::Alarm,
        _ if e.stopped_reason().is_some_and(|r| !is_scheduled_stop(r)) => MarkKind::TaskStopped,
        _ => return None,
    };
    Some((kind, service))
}

/// ECS's reason for a task it stopped as planned work.
fn is_scheduled_stop(reason: &str) -> bool {
    reason.starts_with("Scaling activity initiated by")
}

/// The spans of outages and shortages: (lane name, from, to), in the order they started.
fn spans(events: &[EventLine], end: f64) -> Vec<(String, f64, f64)> {
    let mut open: BTreeMap<String, f64> = BTreeMap::new();
    let mut out = Vec::new();
    for e in events {
        let (name, starts) = match (e.kind.as_str(), &e.zone, &e.capacity_provider) {
            ("AZ_OUTAGE_STARTED", Some(z), _) => (format!("AZ outage {z}"), true),
            ("AZ_OUTAGE_ENDED", Some(z), _) => (format!("AZ outage {z}"), false),
            ("SPOT_CAPACITY_UNAVAILABLE", _, Some(p)) => (format!("no Spot capacity ({p})"), true),
            ("SPOT_CAPACITY_AVAILABLE", _, Some(p)) => (format!("no Spot capacity ({p})"), false),
            _ => continue,
        };
        if starts {
            open.entry(name).or_insert(e.time);
        } else if let Some(from) = open.remove(&name) {
            out.push((name, from, e.time));
        }
    }
    out.extend(open.into_iter().map(|(name, from)| (name, from, end)));
    out.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Instants thinned to one per [`RESOLUTION`] of the run, per kind.
fn thinned(mut marks: Vec<Mark>, end: f64) -> Vec<Mark> {
    let gap = end * RESOLUTION;
    let mut last: BTreeMap<MarkKind, f64> = BTreeMap::new();
    marks.retain(|m| {
        if m.to.is_some() {
            return true;
        }
        let keep = last.get(&m.kind).is_none_or(|&t| m.from - t >= gap);
        if keep {
            last.insert(m.kind, m.from);
        }
        keep
    });
    marks
}

/// The marks of the panels of `service` (`None`: the cluster's panels), over a run of `end` s.
pub fn panel_marks(events: &[EventLine], service: Option<&str>, end: f64) -> Vec<Mark> {
    let mut marks: Vec<Mark> = spans(events, end)
        .into_iter()
        .map(|(_, from, to)| Mark { kind: MarkKind::Fault, from, to: Some(to) })
        .collect();
    for e in events {
        let Some((kind, owner)) = classify(e) else { continue };
        let shown = match kind {
            MarkKind::Fault => true,
            // The groups' scaling is the cluster's; a service's, its own.
            _ => owner == service,
        };
        if shown {
            marks.push(Mark { kind, from: e.time, to: None });
        }
    }
    thinned(marks, end)
}

/// The timeline's lanes: outages and shortages, injected faults, deployments, scaling, alarms,
/// then task stops by reason (the most frequent first); only lanes with something in them.
pub fn lanes(events: &[EventLine], end: f64) -> Vec<Lane> {
    let mut lanes: Vec<Lane> = Vec::new();
    let mut push = |label: String, kind: MarkKind, mark: Mark| match lanes.iter_mut().find(|l| l.label == label) {
        Some(lane) => lane.marks.push(mark),
        None => lanes.push(Lane { label, kind, marks: vec![mark] }),
    };
    for (name, from, to) in spans(events, end) {
        push(name, MarkKind::Fault, Mark { kind: MarkKind::Fault, from, to: Some(to) });
    }
    let mut reasons: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for e in events {
        let Some((kind, _)) = classify(e) else { continue };
        let mark = Mark { kind, from: e.time, to: None };
        match kind {
            MarkKind::TaskStopped => reasons.entry(e.stopped_reason().unwrap_or("")).or_default().push(e.time),
            MarkKind::Fault => push("fault injected".into(), kind, mark),
            _ => push(kind.label().to_string(), kind, mark),
        }
    }
    let order = |l: &Lane| MarkKind::ALL.iter().position(|k| *k == l.kind).unwrap_or(usize::MAX);
    lanes.sort_by_key(order);
    let mut by_count: Vec<(&str, Vec<f64>)> = reasons.into_iter().collect();
    by_count.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(b.0)));
    let mut other = Vec::new();
    for (i, (reason, times)) in by_count.into_iter().enumerate() {
        let marks: Vec<Mark> = times.iter().map(|&t| Mark { kind: MarkKind::TaskStopped, from: t, to: None }).collect();
        if i < REASON_LANES {
            lanes.push(Lane { label: format!("stopped: {reason}"), kind: MarkKind::TaskStopped, marks });
        } else {
            other.extend(marks);
        }
    }
    if !other.is_empty() {
        other.sort_by(|a, b| a.from.total_cmp(&b.from));
        lanes.push(Lane { label: "stopped: other reasons".into(), kind: MarkKind::TaskStopped, marks: other });
    }
    for lane in &mut lanes {
        lane.marks = thinned(std::mem::take(&mut lane.marks), end);
    }
    lanes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(time: f64, kind: &str, service: Option<&str>, status: Option<&str>, message: &str) -> EventLine {
        EventLine {
            time,
            time_utc: None,
            kind: kind.into(),
            service: service.map(str::to_string),
            task: None,
            instance: None,
            zone: None,
            capacity_provider: None,
            status: status.map(str::to_string),
            message: message.into(),
        }
    }

    fn outage(time: f64, kind: &str, zone: &str) -> EventLine {
        EventLine { zone: Some(zone.into()), ..event(time, kind, None, None, "") }
    }

    #[test]
    fn an_outage_is_a_span_on_every_panel_and_a_service_keeps_its_own_events() {
        let events = vec![
            outage(600.0, "AZ_OUTAGE_STARTED", "us-east-1b"),
            event(645.0, "SERVICE_DEPLOYMENT_FAILED", Some("shop"), None, ""),
            event(700.0, "SCALING_ACTIVITY", Some("api"), None, ""),
            outage(1800.0, "AZ_OUTAGE_ENDED", "us-east-1b"),
            outage(3000.0, "AZ_OUTAGE_STARTED", "us-east-1a"),
        ];
        let shop = panel_marks(&events, Some("shop"), 3600.0);
        assert_eq!(
            shop,
            [
                Mark { kind: MarkKind::Fault, from: 600.0, to: Some(1800.0) },
                Mark { kind: MarkKind::Fault, from: 3000.0, to: Some(3600.0) },
                Mark { kind: MarkKind::DeploymentFailed, from: 645.0, to: None },
            ]
        );
        assert!(panel_marks(&events, None, 3600.0).iter().all(|m| m.kind == MarkKind::Fault));
    }

    #[test]
    fn stops_get_a_lane_per_reason_but_scheduled_stops_none() {
        let stop = |t, reason: &str| {
            let message = format!("task shop-1 is STOPPED (stopCode EssentialContainerExited: {reason})");
            event(t, "TASK_STATE_CHANGE", Some("shop"), Some("STOPPED"), &message)
        };
        let events = vec![
            stop(100.0, "Scaling activity initiated by (deployment ecs-svc/2)"),
            stop(3080.0, "OutOfMemoryError: Container killed due to memory usage"),
            stop(3090.0, "OutOfMemoryError: Container killed due to memory usage"),
            event(645.0, "SERVICE_DEPLOYMENT_ROLLED_BACK", Some("shop"), None, ""),
        ];
        let lanes = lanes(&events, 3600.0);
        let names: Vec<_> = lanes.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(
            names,
            ["deployment failed / rolled back", "stopped: OutOfMemoryError: Container killed due to memory usage"]
        );
        assert_eq!(lanes[1].marks.len(), 2, "10 s apart, more than 3.6 s (a thousandth of the run): both shown");
    }

    #[test]
    fn a_crash_loop_is_thinned_to_what_a_panel_can_show() {
        let stops: Vec<EventLine> = (0..5000)
            .map(|i| {
                let m = "task a is STOPPED (stopCode EssentialContainerExited: Essential container in task exited)";
                event(f64::from(i) * 0.5, "TASK_STATE_CHANGE", Some("a"), Some("STOPPED"), m)
            })
            .collect();
        let marks = panel_marks(&stops, Some("a"), 2500.0);
        assert!(marks.len() <= 1001 && marks.len() >= 900, "{} marks", marks.len());
    }
}
