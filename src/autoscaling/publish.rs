//! The minute's datapoints (aws-behaviour.md §10), published at the end of each minute:
//! - CPUUtilization and MemoryUtilization: 100 × used / reserved by the service's tasks, from the
//!   traffic model's work (services behind a load balancer) or from the service's `load:`
//!   profile (demand spread evenly over its RUNNING tasks, capped at 100 %);
//! - RequestCountPerTarget (requests / healthy targets), RequestCount, TargetResponseTime
//!   (average seconds) and RequestsInFlight (average per healthy target) for a service behind a
//!   load balancer;
//! - the scenario's `custom_metrics:`.
//!
//! Nothing is published for a service without a RUNNING task, nor a ratio without its
//! denominator. Rate patterns are read as CloudWatch samples a metric: several times a minute
//! (at 0, 15, 30 and 45 s), averaged into the minute's datapoint.

use super::metric::{Dimension, MetricKey, MetricName, StatisticSet};
use super::state::Autoscaling;
use crate::engine::{SimDuration, SimTime};
use crate::sim::ids::ServiceId;
use crate::sim::World;
use crate::task::TaskStatus;
use crate::traffic::{Rate, TrafficCounts};

/// Samples per minute of a rate pattern.
const SAMPLES: u64 = 4;
pub(super) const MINUTE: SimDuration = SimDuration::from_secs(60);

/// The average of a pattern over the minute that starts at `start`.
fn minute_average(rate: &Rate, start: SimTime, seed: u64) -> f64 {
    let step = MINUTE.as_micros() / SAMPLES;
    (0..SAMPLES).map(|i| rate.at(start + SimDuration::from_micros(i * step), seed)).sum::<f64>() / SAMPLES as f64
}

/// Publishes every datapoint of the minute `minute` (which ends at `now`).
pub(super) fn publish_minute(world: &mut World, scaling: &mut Autoscaling, minute: u64, now: SimTime) {
    let start = SimTime::ZERO + MINUTE.saturating_mul(minute);
    for (i, (_, rate)) in scaling.custom_metrics.iter().enumerate() {
        let key = MetricKey { dimension: Dimension::Global, name: MetricName::Custom(i as u32) };
        let value = minute_average(rate, start, scaling.seed);
        scaling.store.publish(key, minute, StatisticSet::single(value));
    }
    for t in 0..scaling.targets.len() {
        let service = scaling.targets[t].service;
        let running: Vec<_> = world.services[service.index()]
            .tasks
            .iter()
            .copied()
            .filter(|task| world.tasks[task.index()].status == TaskStatus::Running)
            .collect();
        let dimension = Dimension::Service(service.index() as u32);
        let mut publish = |name, point: Option<StatisticSet>| {
            if let Some(p) = point.filter(|_| !running.is_empty()) {
                scaling.store.publish(MetricKey { dimension, name }, minute, p);
            }
        };
        let n = running.len() as u32;
        if world.services[service.index()].spec.target_group.is_some() {
            let snapshot = &mut scaling.targets[t].traffic_snapshot;
            for (name, value) in traffic_metrics(world, service, snapshot, now) {
                let point = match name {
                    MetricName::CpuUtilization | MetricName::MemoryUtilization => StatisticSet::uniform(value, n),
                    _ => StatisticSet::single(value),
                };
                publish(name, Some(point));
            }
        } else if let Some(load) = scaling.loads.iter().find(|l| l.service == service) {
            let (cpu_reserved, memory_reserved) = running.iter().fold((0.0, 0.0), |(c, m), task| {
                let td = world.task_definition(world.tasks[task.index()].task_definition);
                (c + f64::from(td.reserved_cpu()), m + f64::from(td.reserved_memory()))
            });
            let utilization = |rate: &Option<Rate>, reserved: f64| {
                let demand = minute_average(rate.as_ref()?, start, scaling.seed);
                (reserved > 0.0).then(|| StatisticSet::uniform((100.0 * demand / reserved).min(100.0), n))
            };
            publish(MetricName::CpuUtilization, utilization(&load.cpu, cpu_reserved));
            publish(MetricName::MemoryUtilization, utilization(&load.memory, memory_reserved));
        }
    }
}

/// The service's traffic metrics over the minute: differences of its cumulative counters since
/// the previous tick (`snapshot`, updated here), so metrics.csv's intervals are left alone.
fn traffic_metrics(
    world: &mut World,
    service: ServiceId,
    snapshot: &mut TrafficCounts,
    now: SimTime,
) -> Vec<(MetricName, f64)> {
    crate::traffic::account_backends(world, service, now);
    let total = world.traffic.services[service.index()].cumulative();
    let d = |f: fn(&TrafficCounts) -> f64| f(&total) - f(snapshot);
    let (cpu, cpu_cap) = (d(|c| c.cpu_seconds), d(|c| c.cpu_capacity_seconds));
    let (mem, mem_cap) = (d(|c| c.memory_mib_seconds), d(|c| c.memory_capacity_mib_seconds));
    let requests = d(|c| c.requests);
    let in_flight = d(|c| c.in_flight_seconds);
    let (weight, weighted) = (d(|c| c.response_weight), d(|c| c.response_weighted_seconds));
    *snapshot = total;
    let healthy = world.services[service.index()]
        .spec
        .target_group
        .map_or(0, |tg| world.traffic.target_groups[tg.index()].healthy_count());
    let mut out = vec![(MetricName::RequestCount, requests)];
    if cpu_cap > 0.0 {
        out.push((MetricName::CpuUtilization, 100.0 * cpu / cpu_cap));
    }
    if mem_cap > 0.0 {
        out.push((MetricName::MemoryUtilization, 100.0 * mem / mem_cap));
    }
    if healthy > 0 {
        let per = f64::from(healthy);
        out.push((MetricName::RequestCountPerTarget, requests / per));
        out.push((MetricName::RequestsInFlight, in_flight / MINUTE.as_secs_f64() / per));
    }
    if weight > 0.0 {
        out.push((MetricName::TargetResponseTime, weighted / weight));
    }
    out
}
