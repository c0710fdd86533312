//! The minute's datapoints (aws-behaviour.md §8, §10), published at the end of each minute:
//! - CPUUtilization and MemoryUtilization: 100 × used / reserved by the service's tasks, from the
//!   traffic model's work (services behind a load balancer) or from the service's `load:`
//!   profile (demand spread evenly over its RUNNING tasks, capped at 100 %);
//! - RequestCountPerTarget (requests / healthy targets), RequestCount, TargetResponseTime
//!   (average seconds) and RequestsInFlight (average per healthy target) for a service behind a
//!   load balancer; the first three only for a minute in which requests reached a target, as
//!   ELB publishes nothing for a period without requests (missing data, which never scales);
//! - ASGAverageCPUUtilization of an Auto Scaling group ([`super::cpu_use`]), over its instances
//!   in service past the warm-up (warming instances feed no group metric);
//! - the cluster's CPUReservation and MemoryReservation, as metrics.csv computes them, at the
//!   end of the minute;
//! - the scenario's `custom_metrics:`.
//!
//! Only what some alarm reads is published, so a scenario pays for what it uses. Nothing is
//! published for a service without a RUNNING task, a group without a counted instance, a
//! cluster without an instance, nor a ratio without its denominator. Rate patterns are read as
//! CloudWatch samples a metric: several times a minute (at 0, 15, 30 and 45 s), averaged into
//! the minute's datapoint.

use std::collections::{BTreeMap, BTreeSet};

use super::cpu_use::{self, TaskUse};
use super::metric::{Dimension, MetricKey, MetricName, StatisticSet};
use super::spec::Scalable;
use super::state::Autoscaling;
use crate::engine::{SimDuration, SimTime};
use crate::ids::{ProviderId, ServiceId, TaskId};
use crate::task::TaskStatus;
use crate::traffic::{Rate, TrafficCounts};
use crate::world::World;

/// Samples per minute of a rate pattern.
const SAMPLES: u64 = 4;
pub(super) const MINUTE: SimDuration = SimDuration::from_secs(60);

/// The average of a pattern over the minute that starts at `start`.
fn minute_average(rate: &Rate, start: SimTime, seed: u64) -> f64 {
    let step = MINUTE.as_micros() / SAMPLES;
    (0..SAMPLES).map(|i| rate.at(start + SimDuration::from_micros(i * step), seed)).sum::<f64>() / SAMPLES as f64
}

/// A service's cumulative traffic counters now and at the previous tick: their differences are
/// the minute's.
struct MinuteTraffic {
    now: TrafficCounts,
    before: TrafficCounts,
}

impl MinuteTraffic {
    /// One counter's difference over the minute.
    fn d(&self, f: fn(&TrafficCounts) -> f64) -> f64 {
        f(&self.now) - f(&self.before)
    }
}

/// The minute's traffic of a service behind a load balancer: its backends accounted up to
/// `now`, and the difference of its cumulative counters since the previous tick (`snapshots`,
/// updated here), so metrics.csv's intervals are left alone. Taken once per tick per service,
/// whoever reads it (the service's own metrics, a group's CPU).
fn minute_traffic(
    world: &mut World,
    snapshots: &mut BTreeMap<ServiceId, TrafficCounts>,
    service: ServiceId,
    now: SimTime,
) -> MinuteTraffic {
    crate::traffic::account_backends(world, service, now);
    let total = world.traffic.services[service.index()].cumulative();
    let before = snapshots.insert(service, total.clone()).unwrap_or_default();
    MinuteTraffic { now: total, before }
}

/// The service's RUNNING tasks: what CloudWatch averages over, and target tracking's base.
pub(super) fn running_tasks(world: &World, service: ServiceId) -> Vec<TaskId> {
    let tasks = world.services.get(service).tasks.iter().copied();
    tasks.filter(|task| world.tasks.get(*task).status == TaskStatus::Running).collect()
}

/// CPU units and MiB reserved by `tasks`.
fn reserved(world: &World, tasks: &[TaskId]) -> (f64, f64) {
    tasks.iter().fold((0.0, 0.0), |(c, m), task| {
        let td = world.task_definition(world.tasks.get(*task).task_definition);
        (c + f64::from(td.reserved_cpu()), m + f64::from(td.reserved_memory()))
    })
}

/// The fraction of `reserved` a `load:` pattern uses over the minute from `start`.
fn load_fraction(rate: Option<&Rate>, reserved: f64, start: SimTime, seed: u64) -> Option<f64> {
    cpu_use::load_fraction(minute_average(rate?, start, seed), reserved)
}

/// Publishes every datapoint some alarm reads of the minute `minute` (which ends at `now`).
pub(super) fn publish_minute(world: &mut World, scaling: &mut Autoscaling, minute: u64, now: SimTime) {
    let start = SimTime::ZERO + MINUTE.saturating_mul(minute);
    for (i, (_, rate)) in scaling.custom_metrics.iter().enumerate() {
        let key = MetricKey { dimension: Dimension::Global, name: MetricName::Custom(i as u32) };
        if scaling.read.contains(&key) {
            let value = minute_average(rate, start, scaling.seed);
            scaling.store.publish(key, minute, StatisticSet::single(value));
        }
    }
    let groups: Vec<ProviderId> = scaling
        .targets
        .iter()
        .filter_map(|t| match t.scalable {
            Scalable::Group(p) => Some(p),
            Scalable::Service(_) => None,
        })
        .filter(|p| scaling.read.contains(&group_cpu_key(*p)))
        .collect();
    let mut traffic = BTreeMap::new();
    for id in world.services.ids() {
        let is_target = scaling.targets.iter().any(|t| t.scalable == Scalable::Service(id));
        let watched = scaling.alarms.iter().any(|(s, _)| *s == id);
        if world.services.get(id).spec.target_group.is_some() && (is_target || watched || !groups.is_empty()) {
            traffic.insert(id, minute_traffic(world, &mut scaling.traffic, id, now));
        }
    }
    for t in 0..scaling.targets.len() {
        if let Scalable::Service(service) = scaling.targets[t].scalable {
            publish_service(world, scaling, service, traffic.get(&service), (minute, start));
        }
    }
    // Services only the scenario's own alarms watch (a target's are published above).
    let watched: BTreeSet<ServiceId> = scaling.alarms.iter().map(|(s, _)| *s).collect();
    for service in watched {
        if !scaling.targets.iter().any(|t| t.scalable == Scalable::Service(service)) {
            publish_service(world, scaling, service, traffic.get(&service), (minute, start));
        }
    }
    if !groups.is_empty() {
        let uses = task_uses(world, scaling, &traffic, start);
        for p in groups {
            let ready = crate::capacity::warm_up(world, p, now).ready;
            if let Some(v) = cpu_use::asg_average_cpu(&cpu_use::instance_use(world, &ready, &uses)) {
                scaling.store.publish(group_cpu_key(p), minute, StatisticSet::single(v));
            }
        }
    }
    if scaling.reads(Dimension::Cluster) {
        if let Some((cpu, memory)) = crate::capacity::cluster_reservation(world) {
            for (name, value) in [(MetricName::CpuReservation, cpu), (MetricName::MemoryReservation, memory)] {
                let key = MetricKey { dimension: Dimension::Cluster, name };
                if scaling.read.contains(&key) {
                    scaling.store.publish(key, minute, StatisticSet::single(value));
                }
            }
        }
    }
}

fn group_cpu_key(p: ProviderId) -> MetricKey {
    MetricKey { dimension: Dimension::Group(p.index() as u32), name: MetricName::AsgAverageCpuUtilization }
}

/// What each service's RUNNING tasks used in the minute ([`cpu_use`]'s rule).
fn task_uses(
    world: &World,
    scaling: &Autoscaling,
    traffic: &BTreeMap<ServiceId, MinuteTraffic>,
    start: SimTime,
) -> BTreeMap<ServiceId, TaskUse> {
    let mut uses = BTreeMap::new();
    for (id, t) in traffic {
        uses.insert(*id, TaskUse::shared(t.d(|c| c.cpu_seconds), running_tasks(world, *id).len() as u32));
    }
    for load in &scaling.loads {
        let (cpu, _) = reserved(world, &running_tasks(world, load.service));
        if let Some(f) = load_fraction(load.cpu.as_ref(), cpu, start, scaling.seed) {
            uses.insert(load.service, TaskUse::OfReservation(f));
        }
    }
    uses
}

/// A service target's own datapoints of the minute.
fn publish_service(
    world: &World,
    scaling: &mut Autoscaling,
    service: ServiceId,
    traffic: Option<&MinuteTraffic>,
    (minute, start): (u64, SimTime),
) {
    let running = running_tasks(world, service);
    if running.is_empty() {
        return;
    }
    let n = running.len() as u32;
    let dimension = Dimension::Service(service.index() as u32);
    let mut points = Vec::new();
    if let Some(t) = traffic {
        for (name, value) in traffic_metrics(world, service, t) {
            let point = match name {
                MetricName::CpuUtilization | MetricName::MemoryUtilization => StatisticSet::uniform(value, n),
                _ => StatisticSet::single(value),
            };
            points.push((name, point));
        }
    } else if let Some(load) = scaling.loads.iter().find(|l| l.service == service) {
        let (cpu, memory) = reserved(world, &running);
        for (name, rate, reserved) in
            [(MetricName::CpuUtilization, &load.cpu, cpu), (MetricName::MemoryUtilization, &load.memory, memory)]
        {
            if let Some(f) = load_fraction(rate.as_ref(), reserved, start, scaling.seed) {
                points.push((name, StatisticSet::uniform(100.0 * f, n)));
            }
        }
    }
    for (name, point) in points {
        let key = MetricKey { dimension, name };
        if scaling.read.contains(&key) {
            scaling.store.publish(key, minute, point);
        }
    }
}

/// The service's traffic metrics over the minute.
fn traffic_metrics(world: &World, service: ServiceId, t: &MinuteTraffic) -> Vec<(MetricName, f64)> {
    let (cpu, cpu_cap) = (t.d(|c| c.cpu_seconds), t.d(|c| c.cpu_capacity_seconds));
    let (mem, mem_cap) = (t.d(|c| c.memory_mib_seconds), t.d(|c| c.memory_capacity_mib_seconds));
    let requests = t.d(|c| c.requests);
    let in_flight = t.d(|c| c.in_flight_seconds);
    let (weight, weighted) = (t.d(|c| c.response_weight), t.d(|c| c.response_weighted_seconds));
    let healthy = crate::traffic::hosts(world, service).map_or(0, |h| h.healthy);
    let mut out = Vec::new();
    // ELB reports only while requests flow: a minute without a request has no RequestCount or
    // RequestCountPerTarget datapoint, not a 0 (aws-behaviour.md §9, "Metrics without traffic").
    let flowing = requests > 0.0;
    if flowing {
        out.push((MetricName::RequestCount, requests));
    }
    if cpu_cap > 0.0 {
        out.push((MetricName::CpuUtilization, 100.0 * cpu / cpu_cap));
    }
    if mem_cap > 0.0 {
        out.push((MetricName::MemoryUtilization, 100.0 * mem / mem_cap));
    }
    if healthy > 0 {
        let per = f64::from(healthy);
        if flowing {
            out.push((MetricName::RequestCountPerTarget, requests / per));
        }
        out.push((MetricName::RequestsInFlight, in_flight / MINUTE.as_secs_f64() / per));
    }
    if weight > 0.0 {
        out.push((MetricName::TargetResponseTime, weighted / weight));
    }
    out
}
